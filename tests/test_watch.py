"""Coding again as the codebook is saved: ``project.coding.watch`` and ``qualcode code --watch``.

The runs of one watching engine must leave the store exactly as a fresh ``code`` would, count
what a fresh count gives, show a broken codebook's error and go on, and never touch a human
decision.
"""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import coded_study

BOOK = """codes:
  - id: laskutus
    name: Laskutus
    keywords: [lasku]
  - id: tuki
    name: Tuki
    keywords: [tuki]
"""
TEXTS = {
    "H1.txt": "Haastattelija: Miten laskutus toimii?\nH1: Laskut tulevat ajallaan. Tuki vastaa nopeasti.\n"
              "Haastattelija: Entä palaverit?\nH1: Palaveri on joka viikko, ja lasku tulee sen jälkeen.\n",
    "H2.txt": "Haastattelija: Kerro tuesta.\nH2: Tuki on hyvä. Palaverissa sovitaan asiat.\n",
}


def _suggestions(project) -> list[tuple]:
    frame = project.codings()
    frame = frame[frame["coder"] == "auto"]
    return sorted(zip(frame["code_id"], frame["segment_id"], frame["start"], frame["end"], frame["rule"]))


def _book(project) -> Path:
    return project.root / "codebooks" / "koodit.yaml"


def test_each_save_is_coded_as_a_fresh_run_codes_it(project, tmp_path):
    coded_study(project, BOOK, TEXTS)
    segments = project.segments().set_index("segment_id")
    tuki_segment = int(segments.index[segments["text"].str.startswith("Tuki on hyvä")][0])
    project.coding.reject(tuki_segment, "tuki", coder="tutkija")
    runs = project.coding.watch(interval=0.01)
    first = next(runs)
    assert (first.error, first.added, first.removed) == (None, 0, 0)   # already coded

    _book(project).write_text(BOOK.replace("keywords: [tuki]", "keywords: [tuki, palaveri]"), encoding="utf-8")
    run = next(runs)
    # "Palaveri on joka viikko" is a new segment for tuki; "Palaverissa" comes after "Tuki"
    # in its segment, whose suggestion (the first match) stays
    assert (run.error, run.added, run.removed) == (None, 1, 0)
    palaveri = [s for s in _suggestions(project) if s[4] == "keyword:palaveri"]
    assert len(palaveri) == 1
    code, seg_id, start, end, _ = palaveri[0]
    assert project.source_text("H1.txt")[start:end] == "Palaveri"

    _book(project).write_text("codes:\n  - id: tuki\n    keywords: [tuki\n", encoding="utf-8")
    broken = next(runs)
    assert broken.error.startswith(f"{_book(project)}:4: YAML syntax error")   # the end of the file
    assert broken.rows == [] and broken.added == 0

    _book(project).write_text(BOOK.replace("keywords: [lasku]", "keywords: [lasku, palaveri]")
                              .replace("keywords: [tuki]", "keywords: [tuki, palaveri]"), encoding="utf-8")
    run = next(runs)
    assert run.error is None
    watched, watched_rows = _suggestions(project), run.rows

    # the same codebook coded by a fresh engine (a new project object) changes nothing and
    # counts the same
    from qualcode.project import Project

    fresh = Project.open(project.root)
    try:
        rows = fresh.coding.code_rows()
        assert _suggestions(fresh) == watched
        assert rows == watched_rows
    finally:
        fresh.close()
    # the human decision is where it was
    decisions = project.codings()
    assert decisions[decisions["coder"] == "tutkija"][["segment_id", "code_id", "status"]].values.tolist() == [
        [tuki_segment, "tuki", "rejected"]]


def _watching(project, monkeypatch, method: str):
    """A watch of the coded study after its first run, and the first argument (None when
    none) of every later call of the store's ``method``."""
    coded_study(project, BOOK, TEXTS)
    runs = project.coding.watch(interval=0.01)
    next(runs)
    calls: list = []
    original = getattr(project.store, method)

    def recorded(*args, **kwargs):
        calls.append(args[0] if args else None)
        return original(*args, **kwargs)

    monkeypatch.setattr(project.store, method, recorded)
    return runs, calls


def _write_from_another_connection(store) -> None:
    from qualcode.store import SQLiteStore

    other = SQLiteStore(store.path)
    other.set_meta("touched-by", "another process")
    other.close()


def test_counts_of_untouched_codes_come_from_memory_until_something_else_writes(project, monkeypatch):
    runs, counted = _watching(project, monkeypatch, "suggestion_counts")
    _book(project).write_text(BOOK.replace("keywords: [tuki]", "keywords: [tuki, palaveri]"), encoding="utf-8")
    next(runs)
    assert counted == [["tuki"]]       # laskutus's count is the one of the run before
    # another connection (another process) writes: everything is counted again
    _write_from_another_connection(project.store)
    _book(project).write_text(BOOK, encoding="utf-8")
    run = next(runs)
    assert counted[-1] is None
    assert {r["code_id"]: r["segments"] for r in run.rows} == {"laskutus": 2, "tuki": 2}
    # so does a write of this process between two runs (a notebook's own step)
    _book(project).write_text(BOOK.replace("keywords: [tuki]", "keywords: [tuki, palaveri]"), encoding="utf-8")
    next(runs)
    assert counted[-1] == ["tuki"]
    project.coding.memo("Palaverit kuuluvat tukeen", "code", "tuki")
    _book(project).write_text(BOOK, encoding="utf-8")
    next(runs)
    assert counted[-1] is None


def test_annotations_are_kept_between_runs_until_something_else_writes(project, monkeypatch):
    # the watching engine unpacks the stored annotations once, and again after another
    # connection has written to the store; the runs code as a fresh code would
    runs, read = _watching(project, monkeypatch, "source_annotations")
    for i, book in enumerate([BOOK.replace("keywords: [tuki]", "keywords: [tuki, palaveri]"), BOOK,
                              BOOK.replace("keywords: [lasku]", "keywords: [lasku, palaveri]")]):
        _book(project).write_text(book, encoding="utf-8")
        next(runs)
        assert len(read) == 1, i
    _write_from_another_connection(project.store)
    _book(project).write_text(BOOK, encoding="utf-8")
    run = next(runs)
    assert len(read) == 2
    assert {r["code_id"]: r["segments"] for r in run.rows} == {"laskutus": 2, "tuki": 2}
    monkeypatch.undo()
    fresh = _suggestions(project)
    project.coding.code_rows()
    assert _suggestions(project) == fresh


def test_watch_needs_a_codebook_file(project):
    from qualcode.errors import QualcodeError

    with pytest.raises(QualcodeError, match="codebook"):
        next(project.coding.watch(interval=0.01))


def _start_watch(root: Path):
    proc = subprocess.Popen([sys.executable, "-m", "qualcode", "code", "--watch"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
                            # Ctrl-C must reach it even when the tests run with SIGINT ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    return proc, lines


def _wait_for(lines: queue.Queue, text: str, timeout: float = 60) -> list[str]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"no line with {text!r}; got {seen}")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_cli_watch_reports_each_save_and_stops_on_ctrl_c(project):
    coded_study(project, BOOK, TEXTS)
    proc, lines = _start_watch(project.root)
    try:
        _wait_for(lines, "Watching the codebook")
        _book(project).write_text(BOOK.replace("keywords: [tuki]", "keywords: [tuki, palaveri]"), encoding="utf-8")
        seen = _wait_for(lines, "suggestions (")
        assert "+1 -0 suggestions" in seen[-1]
        assert _wait_for(lines, "tuki: 2 -> 3")
        _book(project).write_text("codes: [\n", encoding="utf-8")
        assert "YAML syntax error" in _wait_for(lines, "Error:")[-1]
        assert proc.poll() is None                      # a broken save does not end the watch
        _book(project).write_text(BOOK, encoding="utf-8")
        assert "+0 -1 suggestions" in _wait_for(lines, "suggestions (")[-1]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert "Stopped watching" in "".join(_wait_for(lines, "Stopped watching"))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert not [s for s in _suggestions(project) if s[4] == "keyword:palaveri"]


def test_cli_watch_refuses_table_output(project, cli):
    coded_study(project, BOOK, TEXTS)
    code, out = cli(["--project", str(project.root), "code", "--watch", "--json"])
    assert code == 2
    assert "--watch" in out and "Traceback" not in out


def test_a_source_ingested_between_two_runs_is_coded_by_the_next(project):
    coded_study(project, BOOK, TEXTS)
    runs = project.coding.watch(interval=0.01)
    next(runs)
    (project.root / "transcripts" / "H3.txt").write_text(
        "Haastattelija: Miten laskut?\nH3: Lasku oli väärin.\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    _book(project).write_text(BOOK + "  - id: virhe\n    name: Virhe\n    keywords: [väärin]\n", encoding="utf-8")
    run = next(runs)
    assert run.error is None
    counts = {r["code_id"]: r["segments"] for r in run.rows}
    assert counts == {"laskutus": 3, "tuki": 2, "virhe": 1}
    h3 = [s for s in _suggestions(project) if s[0] == "laskutus" and project.source_text("H3.txt")[s[2]:s[3]] == "Lasku"]
    assert len(h3) == 1


def test_a_run_that_stops_on_the_users_problem_is_reported_and_the_watch_goes_on(project, monkeypatch):
    from qualcode.coding import engine as engine_module
    from qualcode.errors import QualcodeError

    coded_study(project, BOOK, TEXTS)
    before = _suggestions(project)
    runs = project.coding.watch(interval=0.01)
    next(runs)

    def busy(*args, **kwargs):
        raise QualcodeError("the store is busy with another qualcode command; run this one when it has finished")

    with monkeypatch.context() as patched:
        patched.setattr(engine_module.CodingEngine, "_write", busy)
        _book(project).write_text(BOOK.replace("keywords: [tuki]", "keywords: [tuki, palaveri]"), encoding="utf-8")
        failed = next(runs)
    assert failed.error.startswith("the store is busy") and failed.rows == []
    assert _suggestions(project) == before                  # nothing of the failed run was kept
    _book(project).write_text(BOOK.replace("keywords: [tuki]", "keywords: [tuki, palaveri, viikko]"), encoding="utf-8")
    run = next(runs)
    assert (run.error, run.added) == (None, 1)
    assert {r["code_id"]: r["segments"] for r in run.rows} == {"laskutus": 2, "tuki": 3}
