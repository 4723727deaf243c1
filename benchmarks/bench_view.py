"""Transcript view benchmark: how long writing the view of the demo study takes, in a fresh
process with every fixed cost (interpreter start, imports, opening the store, reading the
frames) included.

The demo study is copied, ingested, coded and given the researcher's review (so every coding
status is there: about 35,000 words, 1,700 codings), then the view is written three times
through ``qualcode view`` and three times through the project layer's ``write_view`` in a
``python -c`` process.  Usage: ``python benchmarks/bench_view.py``.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qualcode.demo import copy_demo_study
from qualcode.project import Project

LIBRARY = ("import sys; from qualcode.project import Project; from qualcode.facade.view import write_view; "
           "p = Project(sys.argv[1]); write_view(p); p.close()")


def timed(cmd: list[str], runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_demo_study(Path(tmp) / "study")
        with Project(folder) as project:
            project.ingest([folder / "transcripts"])
            project.code()
            project.coding.apply_gold(folder / "gold" / "gold_coding.csv")
            counts = project.store.counts()
            codings = project.codings()
        print(f"demo study: {counts['sources']} sources, {counts['words']} words, {len(codings)} codings "
              f"({', '.join(f'{n} {s}' for s, n in codings['status'].value_counts().items())})")
        cli = [sys.executable, "-m", "qualcode.cli", "--project", str(folder), "view"]
        has_cli = subprocess.run(cli[:-1] + ["view", "--help"], capture_output=True).returncode == 0
        if has_cli:
            t = timed(cli)
            print(f"qualcode view:        median {statistics.median(t):.2f} s (runs: {', '.join(f'{x:.2f}' for x in t)})")
        else:
            print("qualcode view:        (no such command in this version)")
        t = timed([sys.executable, "-c", LIBRARY, str(folder)])
        print(f"write_view, fresh process: median {statistics.median(t):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in t)})")
        pages = list((folder / "view").rglob("*.html"))
        size = sum(p.stat().st_size for p in pages)
        print(f"written: {len(pages)} pages, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
