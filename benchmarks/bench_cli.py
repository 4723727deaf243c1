"""The command line as a user meets it: every command in a fresh process, fixed costs included.

    python benchmarks/bench_cli.py            # a 3-file project and ~1,000,000 words, 3 runs each
    python benchmarks/bench_cli.py --quick    # ~150,000 words
    python benchmarks/bench_cli.py --runs 5 --lemmatizer simplemma

Prints, as medians of ``--runs`` runs (each its own process, timed from its start to its
exit) with its CPU seconds (user + system: the cost on a shared machine) and the peak
memory (max RSS) of the process:

1. each command on a 3-file project of the demo study: ``--version``, ``--help``, ``status``,
   first ``code``, an unchanged re-run, a re-code after one added keyword, ``review
   export``, ``review import`` (every suggestion accepted), ``report -o x.xlsx`` and
   ``-o x.docx``;
2. on ~1M words (the demo transcripts copied, as ``bench_recode.py`` does): the tokenizer
   alone — ``spacy.blank("fi").pipe`` over the same segment texts in a fresh process,
   import included — then the first ``qualcode code``, a re-code after one added keyword
   and after three codes' keywords changed, each with its rate relative to the tokenizer;
3. ``review import`` of a sheet with 16,000 accepted suggestions on that project (the sheet
   written once by ``review export``).

Each command is also timed in the daemon (``qualcode daemon start``; ``--no-daemon`` leaves
it out), interleaved run by run with its own-process runs, and printed beside them: the small
process that hands the command over, timed from its start to its exit, as a user meets it
with the daemon running.

The per-machine lemma table is built before the timings (its one-time cost is printed on
its own line, measured in an empty cache folder).  Every state-changing command runs on a
fresh copy of the project, so each run measures the same work.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
DEMO = ROOT / "corpora" / "asiakaskokemus"
CODEBOOK = ROOT / "codebooks" / "asiakaskokemus_fi.yaml"
SMALL_FILES = ("H2.txt", "H5.txt", "H6.txt")

TOKENIZE = """
import sys
import spacy
texts = open(sys.argv[1], encoding="utf-8").read().split("\\x00")
nlp = spacy.blank("fi")
print(sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000)))
"""

# What `code` and a Word report cannot do without, imported in a fresh process: the part of a
# command's time that is not ours to cut (spaCy's package always imports its command line).
# A Word report's own process imports pandas and python-docx while its figure process imports
# matplotlib on the other core: its floor is the slower of the two.
FLOORS = {
    "floor of code (click numpy spacy)": "import click, numpy, regex, spacy; spacy.blank('fi')",
    # a re-code that finds every text annotated loads no spaCy, but reads the codebook (YAML),
    # the store (SQLite) and the token arrays (numpy)
    "floor of a re-code (click numpy yaml)": "import click, numpy, yaml, sqlite3",
    "floor of docx, report process": "import click, pandas, docx, PIL.ImageFont",
    "floor of docx, figure process": "import matplotlib.figure, matplotlib.backends.backend_agg",
}


def env() -> dict:
    e = dict(os.environ)
    # as a user's installed qualcode: compiled modules are cached, not compiled again per process
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT), e.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return e


def run(args: list[str], cwd: Path, extra_env: dict | None = None) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS MB, stdout, CPU seconds) of one fresh process.  The child is
    reaped with wait4, which gives its own peak memory and CPU time (getrusage(RUSAGE_CHILDREN)
    gives the largest child so far).  CPU seconds (user + system) say what the command costs
    when the machine is shared; wall seconds are what a user waits."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env={**env(), **(extra_env or {})}, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err.read().decode()[-2000:]}")
        return wall, usage.ru_maxrss / 1024, out.read().decode(), usage.ru_utime + usage.ru_stime


def qualcode(*args) -> list[str]:
    script = Path(sys.executable).with_name("qualcode")
    return [str(script), *map(str, args)] if script.exists() else [sys.executable, "-m", "qualcode.cli", *map(str, args)]


#: Whether measure() also times each command in the daemon (``qualcode daemon start``).
WITH_DAEMON = {"on": False}


def measure(name: str, runs: int, prepare, args_of, results: dict, cwd_of=None, daemon: bool = True) -> None:
    """Time a command ``runs`` times in its own process, and, while the daemon runs, as many
    times in the daemon, interleaved (so that a load on the machine hits both alike).  The
    daemon's CPU and memory are its copy's, not the small process's: only wall time is shown."""
    own: dict = {"wall": [], "rss": [], "cpu": []}
    warm: list[float] = []
    for i in range(runs):
        for mode in ("own", "daemon") if WITH_DAEMON["on"] and daemon else ("own",):
            folder = prepare(i)
            # the copy just made is written out first, not while the timed process runs
            os.sync()
            wall, rss, _, cpu = run(args_of(folder), cwd_of(folder) if cwd_of else folder,
                                    {"QUALCODE_DAEMON": "on" if mode == "daemon" else "off"})
            if mode == "own":
                for key, value in (("wall", wall), ("rss", rss), ("cpu", cpu)):
                    own[key].append(value)
            else:
                warm.append(wall)
    results[name] = (statistics.median(own["wall"]), min(own["wall"]), max(own["rss"]))
    med, lo, peak = results[name]
    line = (f"  {name:<34} {med:7.2f} s  (min {lo:5.2f})  cpu {statistics.median(own['cpu']):5.2f} s"
            f"  peak {peak:6.0f} MB")
    if warm:
        results[name + " [daemon]"] = (statistics.median(warm), min(warm), 0)
        line += f"   | daemon {statistics.median(warm):5.2f} s (min {min(warm):5.2f})"
    print(line, flush=True)


def daemon_started(tmp: Path):
    """``qualcode daemon start`` for the timings, stopped when they are done."""
    @contextlib.contextmanager
    def running():
        wall, _, out, _ = run(qualcode("daemon", "start"), tmp)
        print(f"daemon started in {wall:.1f} s: {out.strip()}")
        WITH_DAEMON["on"] = True
        try:
            yield
        finally:
            WITH_DAEMON["on"] = False
            run(qualcode("daemon", "stop"), tmp)
    return running()


def set_lemmatizer(folder: Path, lemmatizer: str | None) -> None:
    if lemmatizer:
        cfg = folder / "qualcode.toml"
        lines = [ln for ln in cfg.read_text(encoding="utf-8").splitlines() if not ln.startswith("lemmatizer")]
        cfg.write_text("\n".join(lines + [f'lemmatizer = "{lemmatizer}"']) + "\n", encoding="utf-8")


def edited_codebook(folder: Path, kind: str) -> Path:
    """The demo codebook with one keyword added to one code, or three codes' keywords
    changed (as bench_recode.py's typical edit does)."""
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    ruled = [c for c in data["codes"] if c.get("keywords")]
    for code in ruled[:1] if kind == "one" else ruled[:3]:
        code["keywords"] = list(code["keywords"]) + ["palaveri"]
    path = folder / "codebooks" / "koodit.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def copy_of(src: Path, tmp: Path, tag: str) -> Path:
    dest = tmp / tag
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    return dest


def small_project(tmp: Path, lemmatizer: str | None) -> Path:
    folder = tmp / "small"
    run(qualcode("init", folder), tmp)
    for name in SMALL_FILES:
        shutil.copy(DEMO / "transcripts" / name, folder / "transcripts" / name)
    shutil.copy(CODEBOOK, folder / "codebooks" / "koodit.yaml")
    set_lemmatizer(folder, lemmatizer)
    run(qualcode("ingest", "transcripts"), folder)
    return folder


def accept_everything(sheet: Path, out: Path, limit: int | None = None) -> int:
    """Accept every suggestion of the review sheet (rows in order, until ``limit`` decisions);
    returns the decisions made."""
    import re

    import openpyxl

    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    suggested, accept = header.index("Ehdotetut koodit") + 1, header.index("Hyväksy") + 1
    decisions = 0
    for row in range(2, ws.max_row + 1):
        value = ws.cell(row, suggested).value
        if value and (limit is None or decisions < limit):
            ws.cell(row, accept).value = "kaikki"
            decisions += len([c for c in re.split(r"[;,]\s*", str(value)) if c.strip()])
    wb.save(out)
    return decisions


def bench_small(tmp: Path, runs: int, lemmatizer: str | None) -> dict:
    print(f"\n3-file project ({', '.join(SMALL_FILES)}), medians of {runs} fresh processes:")
    base = small_project(tmp, lemmatizer)
    res: dict = {}
    same = lambda i: base  # noqa: E731  (read-only commands share one project)
    measure("qualcode --version", runs, same, lambda f: qualcode("--version"), res)
    measure("qualcode --help", runs, same, lambda f: qualcode("--help"), res)
    measure("status", runs, same, lambda f: qualcode("status"), res)
    measure("code (first)", runs, lambda i: copy_of(base, tmp, "first"), lambda f: qualcode("code"), res)
    coded = copy_of(base, tmp, "coded")
    run(qualcode("code"), coded)
    measure("code (unchanged re-run)", runs, lambda i: copy_of(coded, tmp, "rerun"), lambda f: qualcode("code"), res)

    def with_edit(i):
        f = copy_of(coded, tmp, "edit")
        edited_codebook(f, "one")
        return f

    measure("code (one keyword added)", runs, with_edit, lambda f: qualcode("code"), res)
    measure("review export", runs, lambda i: coded, lambda f: qualcode("review", "export", tmp / "r.xlsx"), res)
    accept_everything(tmp / "r.xlsx", tmp / "r_all.xlsx")
    measure("review import (all accepted)", runs, lambda i: copy_of(coded, tmp, "review"),
            lambda f: qualcode("review", "import", tmp / "r_all.xlsx"), res)
    reviewed = copy_of(coded, tmp, "reviewed")
    run(qualcode("review", "import", tmp / "r_all.xlsx"), reviewed)
    measure("report -o x.xlsx", runs, lambda i: reviewed, lambda f: qualcode("report", "-o", tmp / "x.xlsx"), res)
    measure("report -o x.docx", runs, lambda i: reviewed, lambda f: qualcode("report", "-o", tmp / "x.docx"), res)
    print("  floors: a fresh process importing only the libraries the command cannot do without")
    for name, libraries in FLOORS.items():
        measure(name, runs, same, lambda f, libraries=libraries: [sys.executable, "-c", libraries], res,
                daemon=False)
    return res


def big_project(tmp: Path, words: int, lemmatizer: str | None) -> Path:
    from bench_recode import build

    folder = tmp / "big"
    project = build(folder, words)
    project.close()
    shutil.copy(CODEBOOK, folder / "codebooks" / "koodit.yaml")
    set_lemmatizer(folder, lemmatizer)
    return folder


def segment_texts(folder: Path, out: Path) -> tuple[int, int]:
    """Write the texts `code` tokenises (informant segments of active sources); (texts, words)."""
    from qualcode.project import Project

    project = Project(folder)
    segs = project.segments()
    project.close()
    texts = segs.loc[~segs["is_interviewer"], "text"].tolist()
    out.write_text("\x00".join(texts), encoding="utf-8")
    return len(texts), sum(len(t.split()) for t in texts)


def bench_big(tmp: Path, runs: int, words: int, lemmatizer: str | None, small: dict | None = None) -> dict:
    t0 = time.perf_counter()
    base = big_project(tmp, words, lemmatizer)
    texts = tmp / "texts.txt"
    n_texts, n_words = segment_texts(base, texts)
    print(f"\n~{words:,} words: {n_texts:,} informant segments, {n_words:,} words "
          f"(built and ingested in {time.perf_counter() - t0:.0f} s); medians of {runs} fresh processes:")
    res: dict = dict((k, v) for k, v in (small or {}).items() if k.startswith("floor"))
    tok_times, tok_peaks = [], []
    for _ in range(runs):
        os.sync()
        wall, rss, out, _ = run([sys.executable, "-c", TOKENIZE, str(texts)], tmp)
        tok_times.append(wall)
        tok_peaks.append(rss)
    n_tokens = int(out.strip())
    res["tokenizer"] = (statistics.median(tok_times), min(tok_times), max(tok_peaks))
    print(f"  {'spacy.blank(fi) tokenizer':<34} {res['tokenizer'][0]:7.2f} s  (min {res['tokenizer'][1]:5.2f})"
          f"  peak {res['tokenizer'][2]:6.0f} MB   {n_tokens / res['tokenizer'][0]:,.0f} tokens/s", flush=True)
    measure("code (first)", runs, lambda i: copy_of(base, tmp, "bigfirst"), lambda f: qualcode("code"), res)
    coded = copy_of(base, tmp, "bigcoded")
    run(qualcode("code"), coded)
    for kind, name in (("one", "code (one keyword added)"), ("three", "code (three codes changed)")):
        def with_edit(i, kind=kind):
            f = copy_of(coded, tmp, "bigedit")
            edited_codebook(f, kind)
            return f

        measure(name, runs, with_edit, lambda f: qualcode("code"), res)
    tok = res["tokenizer"][0]
    first = res["code (first)"][0]
    for tag, where in (("", "own processes"), (" [daemon]", "in the daemon")):
        if "code (first)" + tag not in res:
            continue
        first_here = res["code (first)" + tag][0]
        print(f"  {where}: first code {tok / first_here:5.2f}x the tokenizer's tokens/s (target >= 0.5)")
        for name, target in (("code (one keyword added)", "  (target >= 20)"), ("code (three codes changed)", "")):
            print(f"  {where}: {name} {first_here / res[name + tag][0]:5.1f}x faster than the first code{target}")
    floor = res.get("floor of a re-code (click numpy yaml)")
    if floor:
        print(f"  a re-code 20x faster than a first code at 0.5x the tokenizer would take {2 * tok / 20:.2f} s;"
              f" importing what it cannot do without takes {floor[0]:.2f} s")
    bench_watch(tmp, coded, runs, res, first)
    bench_review_import(tmp, coded, runs, res)
    return res


def bench_watch(tmp: Path, coded: Path, runs: int, res: dict, first: float) -> None:
    """`qualcode code --watch` on the coded project: the wall time from saving the codebook
    with one keyword added (or taken away again) to the line that reports the run (the
    file is looked at every 0.05 s, so half of that is waiting, on average)."""
    import queue
    import threading

    folder = copy_of(coded, tmp, "bigwatch")
    os.sync()
    # Ctrl-C must reach it even when this benchmark runs in the background (where a shell
    # starts it with SIGINT ignored, which its children would inherit)
    proc = subprocess.Popen(qualcode("code", "--watch"), cwd=folder, env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()

    def line_with(text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if text in line:
                return line
        proc.kill()
        raise SystemExit(f"code --watch printed no line with {text!r}")

    line_with("Watching")
    walls, own = [], []
    edited = folder / "codebooks" / "koodit.yaml"
    # the two versions saved in turn, made before the clock starts: a save is a write of bytes
    with_keyword = edited_codebook(tmp, "one").read_bytes()
    without = CODEBOOK.read_bytes()
    for i in range(max(runs, 3) * 2):
        time.sleep(0.3)
        t0 = time.perf_counter()
        edited.write_bytes(with_keyword if i % 2 == 0 else without)
        line = line_with("suggestions (")
        walls.append(time.perf_counter() - t0)
        own.append(float(line.rsplit("(", 1)[1].split()[0]))
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    res["watch"] = (statistics.median(walls), min(walls), 0)
    print(f"  {'code --watch, one keyword changed':<34} {res['watch'][0]:7.2f} s  (min {min(walls):5.2f}) "
          f" from the save to its line; the run itself {statistics.median(own):.2f} s:"
          f" {first / res['watch'][0]:5.1f}x faster than the first code")


def bench_review_import(tmp: Path, coded: Path, runs: int, res: dict, decisions: int = 16_000) -> None:
    """``review import`` of ``decisions`` accepted suggestions on the coded big project."""
    t0 = time.perf_counter()
    run(qualcode("review", "export", tmp / "big_review.xlsx"), coded)
    made = accept_everything(tmp / "big_review.xlsx", tmp / "big_review_accepted.xlsx", limit=decisions)
    print(f"  (review sheet written and {made:,} decisions filled in: {time.perf_counter() - t0:.0f} s)")
    measure(f"review import ({made:,} decisions)", runs, lambda i: copy_of(coded, tmp, "bigreview"),
            lambda f: qualcode("review", "import", tmp / "big_review_accepted.xlsx"), res)


def lemma_table_build(tmp: Path) -> None:
    """The one-time cost: the first Finnish lemma in an empty cache folder."""
    code = "from qualcode.nlp import get_lemmatizer; print(get_lemmatizer('simplemma', 'fi').lemma('viestinnän'))"
    wall, rss, _, _ = run([sys.executable, "-c", code], tmp, {"QUALCODE_CACHE_DIR": str(tmp / "empty-cache")})
    print(f"one-time lemma table build (empty cache): {wall:.1f} s, peak {rss:.0f} MB")
    wall, rss, _, _ = run([sys.executable, "-c", code], tmp, {"QUALCODE_CACHE_DIR": str(tmp / "empty-cache")})
    print(f"first lemma in a fresh process after it:  {wall:.2f} s, peak {rss:.0f} MB")
    run([sys.executable, "-c", code], tmp)   # the cache the timed commands use


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="~150,000 words instead of --words")
    ap.add_argument("--lemmatizer", default=None, help="lemmatizer setting of the projects (default: qualcode's)")
    ap.add_argument("--skip-big", action="store_true", help="only the 3-file project")
    ap.add_argument("--no-daemon", action="store_true",
                    help="time each command in its own process only (default: also in the daemon)")
    args = ap.parse_args(argv)
    words = 150_000 if args.quick else args.words
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; lemmatizer setting: "
          f"{args.lemmatizer or 'default'}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        lemma_table_build(tmp)
        with daemon_started(tmp) if not args.no_daemon else contextlib.nullcontext():
            small = bench_small(tmp, args.runs, args.lemmatizer)
            if not args.skip_big:
                bench_big(tmp, args.runs, words, args.lemmatizer, small)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
