"""Project-level coding benchmark: first coding vs re-coding with a changed codebook.

The demo study's transcripts are copied until the corpus has about ``--words`` words, ingested
into a fresh project, coded with the demo codebook (first run: tokenise, lemmatise, store the
annotations, match, write suggestions), then coded again with a changed codebook (re-run: the
stored annotations are unpacked, not recomputed).  Both runs go through ``Project.code``, store
reads and writes included.  Usage: ``python benchmarks/bench_recode.py [--words 1000000]``.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from qualcode.project import Project

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "asiakaskokemus" / "transcripts"
CODEBOOK = ROOT / "codebooks" / "asiakaskokemus_fi.yaml"


def build(folder: Path, words: int) -> Project:
    project = Project.init(folder)
    shutil.copy(ROOT / "corpora" / "asiakaskokemus" / "informants.xlsx", folder / "informants.xlsx")
    project.ingest([CORPUS])
    txt_words = sum(len(f.read_text(encoding="utf-8", errors="replace").split())
                    for pattern in ("*.txt", "*.md", "*.vtt") for f in CORPUS.glob(pattern))
    base = int(project.store.counts()["words"])
    copies = max(1, 1 + (words - base) // max(1, txt_words))
    for n in range(1, copies):
        dest = folder / "transcripts" / f"kopio{n:03d}"
        dest.mkdir(parents=True)
        for f in CORPUS.glob("*.txt"):
            # a first line makes each copy a distinct file (same-content files are skipped)
            dest.joinpath(f.name).write_bytes(f"Kopio {n}\n".encode() + f.read_bytes().replace(b"\xef\xbb\xbf", b""))
        for f in CORPUS.glob("*.md"):
            dest.joinpath(f.name).write_text(f"Kopio {n}\n" + f.read_text(encoding="utf-8"), encoding="utf-8")
        for f in CORPUS.glob("*.vtt"):
            dest.joinpath(f.name).write_text(f.read_text(encoding="utf-8").replace("WEBVTT", f"WEBVTT - kopio {n}", 1),
                                             encoding="utf-8")
        for f in list(CORPUS.glob("*.docx")) + list(CORPUS.glob("*.odt")):
            shutil.copy(f, dest / f"{n}_{f.name}")   # same bytes: skipped, so the copies add text files only
    project.ingest([folder / "transcripts"])
    return project


def changed_codebook(path: Path, everything: bool = False) -> Path:
    """A researcher's typical edit (keywords of three codes, a phrase, one new code, one code
    removed) or, with ``everything``, a change to every code's rules."""
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    codes = data["codes"]
    ruled = [c for c in codes if c.get("keywords") or c.get("patterns")]
    for code in (ruled if everything else ruled[:3]):
        code["keywords"] = list(code.get("keywords") or []) + ["palaveri"]
    if not everything:
        ruled[3].setdefault("phrases", []).append("olla tyytyväinen")
        gone = ruled[4]["id"]
        data["codes"] = [c for c in codes if c["id"] != gone and c.get("parent") != gone]
        data["codes"].append({"id": "kokoukset", "name": "Kokoukset", "parent": None,
                              "keywords": ["kokous", "palaveri"], "compound": True})
    out = path / ("kaikki_muutettu.yaml" if everything else "muutettu.yaml")
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--words", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        t0 = time.perf_counter()
        project = build(folder, args.words)
        counts = project.store.counts()
        print(f"corpus: {counts['sources']} sources, {counts['words']} words, {counts['segments']} segments "
              f"(built and ingested in {time.perf_counter() - t0:.1f} s)")
        project._annotator().tokenizer   # load spaCy outside the timings (as the CLI benchmark does not)
        t0 = time.perf_counter()
        first = project.code(CODEBOOK)
        t_first = time.perf_counter() - t0
        project.close()
        timings = {}
        for name, book in (("typical edit", changed_codebook(Path(tmp))),
                           ("every code changed", changed_codebook(Path(tmp), everything=True))):
            again = Project(folder)   # a new Project, as a new CLI run: nothing cached in memory
            t0 = time.perf_counter()
            again.code(book)
            timings[name] = time.perf_counter() - t0
            again.code(CODEBOOK)      # back to the original for the next measurement
            again.close()
        words = counts["words"]
        print(f"first coding:                 {t_first:7.2f} s  ({words / t_first:,.0f} words/s, "
              f"{int(first['segments'].sum())} suggestions)")
        for name, t in timings.items():
            print(f"re-code, {name + ':':<21}{t:7.2f} s  speed-up x{t_first / t:.1f}")
        print("target: re-code after a typical edit >= 10x faster than the first coding")
        print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
