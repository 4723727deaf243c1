"""Ingest benchmark: time and peak memory of ``Project.ingest`` on synthetic transcripts.

Runs two corpus sizes side by side in one run so the memory growth can be compared with the
corpus growth.  Usage: ``python benchmarks/bench_ingest.py [--words 1000000]``.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import write_corpus  # noqa: E402

from qualcode.project import Project  # noqa: E402


def measure(words: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        project = Project.init(folder)
        n_files = write_corpus(folder / "transcripts", words)
        tracemalloc.start()
        t0 = time.perf_counter()
        report = project.ingest([folder / "transcripts"])
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        counts = project.store.counts()
        project.close()
        return {"words": counts["words"], "files": n_files, "segments": counts["segments"],
                "seconds": seconds, "peak_mb": peak / 1e6, "rows": len(report.files)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--words", type=int, default=1_000_000)
    args = ap.parse_args()
    small = measure(args.words // 4)
    big = measure(args.words)
    print(f"{'corpus':>10} {'files':>6} {'words':>10} {'segments':>9} {'seconds':>8} {'words/s':>10} {'peak MB':>8}")
    for name, r in (("quarter", small), ("full", big)):
        print(f"{name:>10} {r['files']:>6} {r['words']:>10} {r['segments']:>9} {r['seconds']:>8.2f} "
              f"{r['words'] / r['seconds']:>10.0f} {r['peak_mb']:>8.1f}")
    print(f"corpus growth x{big['words'] / small['words']:.2f}; time growth x{big['seconds'] / small['seconds']:.2f}; "
          f"peak-memory growth x{big['peak_mb'] / small['peak_mb']:.2f} (Python heap, tracemalloc)")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
