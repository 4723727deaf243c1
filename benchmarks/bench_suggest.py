"""Suggestions per backend, each step in a fresh process (imports and store opening included).

Speed, on the English demo: the first ``suggest`` (vectors computed and cached), then one
decision and a re-suggest (cached segment and code vectors read; the bar is 2 s).  Prints
segments/s and peak memory.

The learning curve, on both demo studies against their gold codings: ``evaluate --simulate
N`` for N = 0, 1, 2, 4, 6 — the first N gold-coded sources count as
reviewed, the others are scored — hit@5 and leaf micro-F1 of the keyword coder and of each
backend.

The rotations: one order of sources is one draw, so ``rotations`` runs the same steps (N = 1,
2, 4, 6) for every rotation of the gold's order of coded sources (each source first once) and
prints leaf F1 in the gold's own order beside the mean over the rotations.

    python benchmarks/bench_suggest.py [speed] [curve] [rotations] [--backends bm25,semantic,bm25+semantic]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ROOT / "corpora" / "customer-voice"
CODEBOOK = ROOT / "codebooks" / "customer_experience_en.yaml"
STUDIES = {"en": (ENGLISH, [0, 1, 2, 4, 6]), "fi": (ROOT / "corpora" / "asiakaskokemus", [0, 1, 2, 4, 6])}

SETUP = """
from pathlib import Path
from typing import Optional
from qualcode.project import Project
from qualcode.demo import copy_demo_study
folder = Path({folder!r})
if {finnish}:
    copy_demo_study(folder)
with Project(folder) as p:
    p.ingest([folder / 'transcripts'], informants=None if {finnish} else folder / 'informants.csv')
    p.code()
"""
SUGGEST = """
from qualcode.project import Project
with Project({folder!r}) as p:
    if {decide}:
        s = p.segments()
        p.coding.add(int(s[~s.is_interviewer].segment_id.iloc[5]), 'price_concern')
    p.coding.suggest(backend={backend!r})
    print(len(p.segments()))
"""
CURVE = """
import json
from qualcode.project import Project
with Project({folder!r}) as p:
    for n in {steps!r}:
        table = p.coding.evaluate({gold!r}, backends={backends!r}, simulate=n)
        for row in table.to_dict('records'):
            print(json.dumps({{'simulate': n, **{{k: row[k] for k in ('method', 'segments', 'hit@5', 'f1')}}}}))
"""
ROTATIONS = """
import json
import pandas as pd
from qualcode.project import Project
gold = pd.read_csv({gold!r}, dtype=str, keep_default_na=False)
sources = list(dict.fromkeys(gold['source']))
coded = [s for s in sources if (gold.loc[gold['source'] == s, 'codes'] != '').any()]
with Project({folder!r}) as p:
    for r in range(len(coded)):
        order = coded[r:] + coded[:r] + [s for s in sources if s not in coded]
        path = {folder!r} + f'/gold-rotation-{{r}}.csv'
        gold.set_index('source', drop=False).loc[order].to_csv(path, index=False)
        for n in {steps!r}:
            table = p.coding.evaluate(path, backends={backends!r}, simulate=n)
            for row in table.to_dict('records'):
                print(json.dumps({{'rotation': r, 'simulate': n, **{{k: row[k] for k in ('method', 'f1')}}}}))
"""


def run(code: str) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and stdout of ``code`` in a fresh interpreter."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, out.strip()


def study(tmp: str, lang: str) -> str:
    """A coded copy of the demo study of ``lang`` in ``tmp`` (one made there before is reused)."""
    folder = str(Path(tmp) / f"study-{lang}")
    if (Path(folder) / "qualcode.toml").exists() and (Path(folder) / ".qualcode").exists():
        return folder
    if lang == "en":
        shutil.copytree(ENGLISH, folder)
        (Path(folder) / "codebooks").mkdir()
        shutil.copy2(CODEBOOK, Path(folder) / "codebooks" / CODEBOOK.name)
    run(SETUP.format(folder=folder, finnish=lang == "fi"))
    return folder


def speed(backends: list[str]) -> None:
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            folder = study(tmp, "en")
            first, mb, n = run(SUGGEST.format(folder=folder, backend=backend, decide=False))
            again, mb2, _ = run(SUGGEST.format(folder=folder, backend=backend, decide=True))
            print(f"{backend:14s} first suggest {first:6.2f} s ({int(n) / first:6.1f} segments/s, peak {mb:5.0f} MB)"
                  f" | one decision + re-suggest {again:5.2f} s (peak {mb2:5.0f} MB)", flush=True)


def _studies(keep: Optional[str]):
    """A fresh temporary folder for the studies, or ``keep`` (made if missing, kept after)."""
    if keep is None:
        return tempfile.TemporaryDirectory()
    Path(keep).mkdir(parents=True, exist_ok=True)
    return contextlib.nullcontext(keep)


def curve(backends: list[str], keep: Optional[str] = None) -> None:
    """The learning curve per language: hit@5 / F1 per method and number of reviewed sources."""
    for lang, (corpus, steps) in STUDIES.items():
        with _studies(keep) as tmp:
            folder = study(tmp, lang)
            gold = str(corpus / "gold" / "gold_coding.csv")
            _, _, out = run(CURVE.format(folder=folder, steps=steps, gold=gold, backends=backends))
        rows = [json.loads(line) for line in out.splitlines()]
        methods = list(dict.fromkeys(r["method"] for r in rows))
        print(f"\n{lang}: hit@5 / leaf micro-F1 (scored segments) by reviewed sources")
        print(f"{'reviewed':>8s} {'segments':>8s} " + " ".join(f"{m:>15s}" for m in methods))
        for n in steps:
            mine = {r["method"]: r for r in rows if r["simulate"] == n}
            base = mine["keywords"]["f1"] or 1.0
            cells = [f"{mine[m]['hit@5']:.3f}/{mine[m]['f1']:.3f}" for m in methods]
            best = max((m for m in methods if m != "keywords"), key=lambda m: mine[m]["f1"])
            print(f"{n:8d} {mine['keywords']['segments']:8d} " + " ".join(f"{c:>15s}" for c in cells)
                  + f"   best F1 {mine[best]['f1'] / base:.2f}x keywords ({best})", flush=True)


def rotations(backends: list[str], keep: Optional[str] = None, steps=(1, 2, 4, 6)) -> None:
    """Leaf F1 per method and N: in the gold's order of sources, and the mean over every
    rotation of that order."""
    for lang, (corpus, _) in STUDIES.items():
        with _studies(keep) as tmp:
            folder = study(tmp, lang)
            gold = str(corpus / "gold" / "gold_coding.csv")
            _, _, out = run(ROTATIONS.format(folder=folder, steps=list(steps), gold=gold, backends=backends))
        rows = [json.loads(line) for line in out.splitlines()]
        methods = list(dict.fromkeys(r["method"] for r in rows))
        count = len({r["rotation"] for r in rows})
        print(f"\n{lang}: leaf micro-F1, gold order / mean of {count} rotations, by reviewed sources")
        print(f"{'method':>15s} " + " ".join(f"{'N=' + str(n):>11s}" for n in steps) + f" {'mean':>11s}")
        for m in methods:
            fixed = [next(r["f1"] for r in rows if r["method"] == m and r["simulate"] == n
                          and r["rotation"] == 0) for n in steps]
            mean = [sum(r["f1"] for r in rows if r["method"] == m and r["simulate"] == n) / count for n in steps]
            cells = [f"{f:.3f}/{a:.3f}" for f, a in zip(fixed, mean)]
            print(f"{m:>15s} " + " ".join(f"{c:>11s}" for c in cells)
                  + f" {sum(fixed) / len(fixed):.3f}/{sum(mean) / len(mean):.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("parts", nargs="*", metavar="speed|curve|rotations",
                        help="what to measure (default: speed and curve)")
    parser.add_argument("--backends", default="bm25,semantic,bm25+semantic")
    parser.add_argument("--steps", default="1,2,4,6", help="rotations: the numbers of reviewed sources")
    parser.add_argument("--keep", metavar="FOLDER", help="curve, rotations: make the coded studies in FOLDER "
                        "and keep them, so that a later run reuses their cached vectors")
    args = parser.parse_args()
    backends, parts = args.backends.split(","), args.parts or ["speed", "curve"]
    if set(parts) - {"speed", "curve", "rotations"}:
        parser.error("name speed, curve and/or rotations")
    if "speed" in parts:
        speed(backends)
    if "curve" in parts:
        curve(backends, args.keep)
    if "rotations" in parts:
        rotations(backends, args.keep, [int(n) for n in args.steps.split(",")])


if __name__ == "__main__":
    main()
