"""Suggestions per backend on the English demo, each step in a fresh process (imports and
store opening included): the first ``suggest`` (vectors computed and cached), then one
decision and a re-suggest (cached vectors read).  Prints segments/s and peak memory.

    python benchmarks/bench_suggest.py [bm25 semantic]
"""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "customer-voice"
CODEBOOK = ROOT / "codebooks" / "customer_experience_en.yaml"

SETUP = """
from qualcode.project import Project
with Project({folder!r}) as p:
    p.ingest([{folder!r} + '/transcripts'], informants={folder!r} + '/informants.csv')
    p.code()
"""
SUGGEST = """
from qualcode.project import Project
from qualcode.facade.suggesting import suggest
with Project({folder!r}) as p:
    if {decide}:
        s = p.segments()
        p.coding.add(int(s[~s.is_interviewer].segment_id.iloc[5]), 'price_concern')
    suggest(p, {backend!r})
    print(len(p.segments()))
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


def main(backends: list[str]) -> None:
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            folder = str(Path(tmp) / "study")
            shutil.copytree(DEMO, folder)
            (Path(folder) / "codebooks").mkdir()
            shutil.copy2(CODEBOOK, Path(folder) / "codebooks" / CODEBOOK.name)
            run(SETUP.format(folder=folder))
            first, mb, n = run(SUGGEST.format(folder=folder, backend=backend, decide=False))
            again, mb2, _ = run(SUGGEST.format(folder=folder, backend=backend, decide=True))
            print(f"{backend:9s} first suggest {first:6.2f} s ({int(n) / first:6.1f} segments/s, peak {mb:5.0f} MB)"
                  f" | one decision + re-suggest {again:5.2f} s (peak {mb2:5.0f} MB)")


if __name__ == "__main__":
    main(sys.argv[1:] or ["bm25", "semantic"])
