"""A coding run that fails after it has written part of its work inside the transaction (the
annotations, the new word types) leaves the store as it was, and the process's memory of what
the store holds must say so too: the next run in the same process (a notebook, ``code --watch``)
writes those word types again, and a fresh process can read everything back."""
from __future__ import annotations

import pytest

from conftest import coded_study

BOOK = """codes:
  - id: laskutus
    name: Laskutus
    keywords: [lasku]
    patterns: ['ajalla\\w+']
"""
TEXTS = {"H1.txt": "Haastattelija: Miten laskutus toimii?\nH1: Laskut tulevat ajallaan. Tuki vastaa nopeasti.\n"}


def _auto(project) -> list[tuple]:
    frame = project.codings()
    return sorted(zip(frame["code_id"], frame["start"], frame["end"], frame["rule"]))


def test_a_run_that_fails_after_annotating_can_be_run_again_and_read_back(project, monkeypatch):
    from qualcode.coding import matcher
    from qualcode.errors import QualcodeError
    from qualcode.project import Project

    (project.root / "codebooks" / "koodit.yaml").write_text(BOOK, encoding="utf-8")
    (project.root / "transcripts" / "H1.txt").write_text(TEXTS["H1.txt"], encoding="utf-8")
    project.ingest([project.root / "transcripts"])

    def fails(*args, **kwargs):
        raise QualcodeError("the pattern took too long on a segment")

    with monkeypatch.context() as patched:
        patched.setattr(matcher.RuleMatcher, "pattern_spans", fails)
        with pytest.raises(QualcodeError, match="too long"):
            project.coding.code_rows()
    assert project.codings().empty
    backend = project._annotator().backend
    assert list(project.store.word_types(backend)) == []          # the failed run left nothing

    rows = project.coding.code_rows()                             # the same process again
    assert rows[0]["segments"] == 1
    stored = list(project.store.word_types(backend))
    assert [r[0] for r in stored] == list(range(len(stored))) and len(stored) > 5

    # a fresh project object (as a new process) reads the types and the annotations back
    fresh = Project.open(project.root)
    try:
        from qualcode.coding.engine import forget_coding_state

        before = _auto(fresh)
        forget_coding_state(fresh.store)
        fresh.coding.code_rows()
        assert _auto(fresh) == before
        assert before == [("laskutus", 42, 48, "keyword:lasku")]
    finally:
        fresh.close()


def test_the_store_calls_back_after_commit_or_rollback(project):
    store = project.store
    events: list[str] = []
    store.after_commit(lambda: events.append("at once"))
    with store.transaction():
        store.after_commit(lambda: events.append("committed"), lambda: events.append("rolled back"))
        assert events == ["at once"]
    with pytest.raises(RuntimeError):
        with store.transaction():
            with store.transaction():      # a nested one joins the outer
                store.after_commit(lambda: events.append("committed 2"), lambda: events.append("rolled back 2"))
            raise RuntimeError("a later step fails")
    assert events == ["at once", "committed", "rolled back 2"]
