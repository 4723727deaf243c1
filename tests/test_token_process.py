"""The tokenizer process: the same annotations, codings and caches as tokenising in this
process; started first thing only when a run has texts to tokenise; every way it can fail
comes back as an error and leaves the store as it was."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import qualcode.nlp.token_worker as tw
from qualcode.errors import QualcodeError
from qualcode.nlp import annotate
from qualcode.nlp.annotate import Annotator
from qualcode.nlp.lexicon import Lexicon

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "asiakaskokemus"
CODEBOOK = ROOT / "codebooks" / "asiakaskokemus_fi.yaml"
#: emoji, control characters (no NUL), empty and whitespace-only texts, a very long text, the
#: tokenizer's special cases ("esim.", "ym.", "jne."), digits and units, combining marks
CRAFTED = ["Esim. hinta oli esim. 10 € ym. kuluja, jne.", "", "   \n\t ", "😀👍🏽 toimi! 🇫🇮",
           "ohjaus\x01\x02\x1f merkit \x7f ja \u200b väli", "e\u0301 Ä ö İstanbul ǅ",
           " ".join(["laskutus toimi hyvin, kiitos."] * 20_000), "10km 3,5h klo 9.30 www.esim.fi",
           "(palvelu) [sulut] \"lainaus\" — viiva", "ym."]


@pytest.fixture
def fresh_lexicon(monkeypatch):
    """Each annotator made after this gets lexicons of its own (word-type ids from 0)."""
    def fresh():
        monkeypatch.setattr(Lexicon, "_registry", {})
    fresh()
    return fresh


@pytest.fixture
def force_process(monkeypatch):
    """Start the process even where spaCy is loaded in this process already (the tests)."""
    monkeypatch.setattr(tw, "can_start", lambda in_process=False: not in_process)
    monkeypatch.setattr(tw, "_spacy_loaded", lambda: False)
    started = []
    real = tw.TokenWorker.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(tw.TokenWorker, "__init__", init)
    return started


def _demo_texts(tmp_path) -> list[str]:
    from qualcode.project import Project

    project = Project.init(tmp_path / "demo", title="Demo")
    project.ingest([DEMO / "transcripts"])
    texts = project.segments()["text"].tolist()
    project.close()
    return texts


def _annotate_both(texts, fresh_lexicon):
    fresh_lexicon()
    here = Annotator("fi", lemmatizer="simplemma").annotate_packed(texts)
    fresh_lexicon()
    annotator = Annotator("fi", lemmatizer="simplemma")
    with tw.TokenWorker("fi") as worker, annotator.tokenizing_in(worker):
        pending = annotator.submit_packed(texts)
        assert pending.remote
        there = pending.result()
    return here, there


def _assert_same(here, there):
    for name in ("starts", "ends", "type_ids", "offsets"):
        a, b = getattr(here, name), getattr(there, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert here.lexicon.forms == there.lexicon.forms and here.lexicon.lemmas == there.lexicon.lemmas
    assert [here[i].lemmas for i in range(len(here))] == [there[i].lemmas for i in range(len(there))]


@pytest.mark.parametrize("batch_chars", [500_000, 3_000])     # one batch, or many (forms sent once)
def test_the_process_gives_the_same_annotations_for_the_demo_corpus(tmp_path, fresh_lexicon, monkeypatch,
                                                                    batch_chars):
    monkeypatch.setattr(annotate, "_BATCH_CHARS", batch_chars)
    texts = _demo_texts(tmp_path)
    here, there = _annotate_both(texts, fresh_lexicon)
    assert len(there) == len(texts) > 100 and len(there.type_ids) > 10_000
    _assert_same(here, there)


def test_the_process_gives_the_same_annotations_for_crafted_texts(fresh_lexicon, monkeypatch):
    monkeypatch.setattr(annotate, "_BATCH_TEXTS", 3)
    here, there = _annotate_both(CRAFTED, fresh_lexicon)
    _assert_same(here, there)
    forms = set(there.lexicon.forms)
    assert {"esim.", "ym.", "jne.", "😀", "€"} <= forms
    assert there.offsets[2] == there.offsets[3]        # the whitespace-only text has no token


def test_no_text_at_all(fresh_lexicon):
    here, there = _annotate_both([], fresh_lexicon)
    assert len(here) == len(there) == 0
    _assert_same(here, there)


def test_the_process_knows_the_special_cases_of_the_tokenizer():
    with tw.TokenWorker("fi") as worker:
        specials = worker.specials()
    rules = Annotator("fi").tokenizer.rules
    assert specials == sorted(s for s in rules if s and not any(c.isspace() for c in s))
    assert "esim." in specials


def _project(tmp_path, name="p"):
    from qualcode.project import Project

    project = Project.init(tmp_path / name, title="Testi")
    for source in ("H2.txt", "H5.txt", "H6.txt"):
        shutil.copy(DEMO / "transcripts" / source, project.root / "transcripts" / source)
    shutil.copy(CODEBOOK, project.root / "codebooks" / "koodit.yaml")
    project.ingest([project.root / "transcripts"])
    return project


def _tables(project) -> dict:
    c = sqlite3.connect(project.store.path)
    try:
        return {
            "codings": c.execute('SELECT code_id, segment_id, start, "end", rule, status FROM codings'
                                 " ORDER BY segment_id, code_id").fetchall(),
            "annotations": c.execute("SELECT source_id, backend, data FROM source_annotations"
                                     " ORDER BY source_id").fetchall(),
            "word_types": c.execute("SELECT * FROM word_types ORDER BY 1").fetchall(),
            "pattern_hits": c.execute("SELECT pattern, data FROM pattern_hits ORDER BY pattern").fetchall(),
        }
    finally:
        c.close()


def test_a_first_code_in_the_process_writes_the_same_store(tmp_path, fresh_lexicon, force_process, monkeypatch):
    # codings, annotation blobs, word types and pattern hits: the same bytes either way
    monkeypatch.setattr(annotate, "_BATCH_CHARS", 20_000)
    here = _project(tmp_path, "here")
    here.coding.code_rows(in_process=True)
    assert not force_process
    fresh_lexicon()
    there = _project(tmp_path, "there")
    there.coding.code_rows()
    assert len(force_process) == 1 and force_process[0]._worker._proc.poll() is not None
    a, b = _tables(here), _tables(there)
    assert len(a["codings"]) > 100 and len(a["annotations"]) == 3 and len(a["pattern_hits"]) > 10
    assert a == b
    here.close()
    there.close()


def test_the_patterns_find_the_same_hits_with_their_word_index_from_the_texts(tmp_path):
    from qualcode.codebook import load_codebook
    from qualcode.coding.matcher import RuleMatcher

    texts = _demo_texts(tmp_path)
    matcher = RuleMatcher(load_codebook(CODEBOOK), Annotator("fi"))
    anns = matcher.annotator.annotate_packed(texts)
    from_tokens, from_texts = matcher.prepare_texts(texts, anns), matcher.prepare_texts(texts)
    rules = matcher.pattern_rules()
    assert len(rules) > 20
    found = 0
    for rule in rules:
        hits = matcher.pattern_spans(rule, texts, from_tokens)
        assert matcher.pattern_spans(rule, texts, from_texts) == hits, rule
        found += len(hits)
    assert found > 100


def test_a_re_code_with_everything_annotated_starts_no_process(tmp_path, force_process):
    import yaml

    project = _project(tmp_path)
    project.coding.code_rows()
    assert len(force_process) == 1
    project.coding.code_rows()                          # unchanged
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    next(c for c in data["codes"] if c.get("keywords"))["keywords"].append("palaveri")
    (project.root / "codebooks" / "koodit.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                            encoding="utf-8")
    project.coding.code_rows()                          # one keyword added
    assert len(force_process) == 1
    project.coding.code_rows(include_interviewer=True)  # the interviewer's turns lack annotations
    assert len(force_process) == 2
    project.close()


def test_the_process_is_started_before_the_codebook_is_read(tmp_path, force_process, monkeypatch):
    from qualcode.project import Project

    project = _project(tmp_path)
    seen = []
    real = Project.codebook
    monkeypatch.setattr(Project, "codebook", lambda self, *a: (seen.append(len(force_process)), real(self, *a))[1])
    project.coding.code_rows()
    assert seen == [1]
    project.close()


def test_the_annotate_progress_advances_per_batch(tmp_path, force_process, monkeypatch):
    import contextlib

    import qualcode.coding.engine as engine

    monkeypatch.setattr(annotate, "_BATCH_TEXTS", 50)
    steps = []

    @contextlib.contextmanager
    def counter(label, total, enabled=True):
        steps.append((label, total))
        yield lambda n: steps.append(n)

    monkeypatch.setattr(engine, "progress_counter", counter)
    project = _project(tmp_path)
    project.coding.code_rows(progress=True)
    assert len(force_process) == 1
    (label, total), advances = steps[0], steps[1:]
    assert len(advances) == -(-total // 50) > 2 and set(advances[:-1]) == {50} and sum(advances) == total
    project.close()


def test_when_the_texts_are_tokenised_here():
    # asked for; one core; no interpreter to start; a contextual backend
    from qualcode.nlp.lemmatizers import Lemmatizer

    assert tw.start_tokenizer("fi", in_process=True) is None

    class InContext(Lemmatizer):
        name, contextual = "in-context-test", True

    with tw.TokenWorker("fi") as worker:
        for annotator in (Annotator("fi", in_process=True), Annotator("fi", lemmatizer=InContext("fi")),
                          Annotator("en")):
            with annotator.tokenizing_in(worker):
                assert not annotator.uses_process()
        annotator = Annotator("fi")
        with annotator.tokenizing_in(worker):
            assert annotator.uses_process()
        assert not annotator.uses_process()


@pytest.mark.parametrize("why", ["one core", "frozen", "no interpreter"])
def test_no_process_is_started_where_it_cannot_pay(monkeypatch, why):
    import qualcode.workers as workers

    monkeypatch.setattr(tw, "_spacy_loaded", lambda: False)
    if why == "one core":
        monkeypatch.setattr(workers, "cores", lambda: 1)
    elif why == "frozen":
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    else:
        monkeypatch.setattr(sys, "executable", "")
    assert tw.start_tokenizer("fi") is None


def test_an_interpreter_that_cannot_be_started_means_tokenising_here(tmp_path, monkeypatch, force_process):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    assert tw.start_tokenizer("fi") is None
    project = _project(tmp_path)
    rows = project.coding.code_rows()
    assert sum(r["segments"] for r in rows) > 50 and not force_process
    project.close()


def _untouched(project):
    tables = _tables(project)
    assert not tables["codings"] and not tables["annotations"] and not tables["word_types"]
    assert project.store.get_meta("coding_state") is None


def test_a_process_killed_mid_run_is_an_error_and_nothing_is_written(tmp_path, force_process, monkeypatch):
    monkeypatch.setattr(annotate, "_BATCH_TEXTS", 50)
    real = tw.TokenWorker.tokens

    def tokens(self, request):
        if request == 1:
            self._worker._proc.kill()
            self._worker._proc.wait()
            self._worker._reader.join()
        return real(self, request)

    monkeypatch.setattr(tw.TokenWorker, "tokens", tokens)
    project = _project(tmp_path)
    with pytest.raises(tw.TokenizerProcessError, match=r"ended \(exit code -9\) before tokenising batch 2"):
        project.coding.code_rows()
    _untouched(project)
    assert force_process[0]._worker._proc.poll() is not None
    project.close()


def test_a_process_that_hangs_is_stopped():
    worker = tw.TokenWorker("fi", timeout=0.01)     # spaCy is not even loaded by then
    worker.submit(["Laskut tulivat."])
    with pytest.raises(tw.TokenizerProcessError, match="did not finish its tokens within 0.01 s"):
        worker.tokens(0)
    assert worker._worker._proc.poll() is not None


def test_a_fake_interpreter_is_an_error_and_nothing_is_written(tmp_path, force_process, monkeypatch):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'this is no python' >&2\nexit 7\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    project = _project(tmp_path)
    with pytest.raises(tw.TokenizerProcessError, match=r"ended \(exit code 7\) before tokenising batch 1: "
                                                       "this is no python"):
        project.coding.code_rows()
    _untouched(project)
    project.close()


def test_a_request_the_process_cannot_answer_is_an_error():
    with tw.TokenWorker("fi") as worker:
        worker._worker.send(b"X")
        with pytest.raises(tw.TokenizerProcessError, match="failed at tokenising batch 1: ValueError: unknown request"):
            worker.tokens(0)


def _fake_spacy(tmp_path, body: str) -> Path:
    folder = tmp_path / "fake"
    (folder / "spacy").mkdir(parents=True)
    (folder / "spacy" / "__init__.py").write_text(body, encoding="utf-8")
    return folder


def _code_in_a_fresh_process(project_root: Path, fake: Path, one_core: bool):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake), str(ROOT)])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    limit = (lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_core else None
    return subprocess.run([sys.executable, "-m", "qualcode.cli", "code"], cwd=project_root, env=env,
                          capture_output=True, text=True, preexec_fn=limit, timeout=300)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two cores and sched_setaffinity")
@pytest.mark.parametrize("body, code, message", [
    ("raise ImportError('no spaCy here')", 2,
     "Error: spaCy, which qualcode tokenises with, cannot be loaded (no spaCy here); reinstall qualcode"),
    ("def blank(lang):\n    raise RuntimeError('broken spaCy')", 3,
     "Internal error: TokenizerProcessError: the tokenizer process failed at tokenising batch 1: "
     "RuntimeError: broken spaCy"),
])
def test_spacy_failing_in_the_process_is_the_same_error_as_here(tmp_path, body, code, message):
    # the CLI in fresh processes: on two cores the process tokenises, on one core this one;
    # the import error is the same sentence (exit 2) either way, and nothing is written
    fake = _fake_spacy(tmp_path, body)
    project = _project(tmp_path)
    project.close()
    there = _code_in_a_fresh_process(project.root, fake, one_core=False)
    here = _code_in_a_fresh_process(project.root, fake, one_core=True)
    assert there.returncode == code, there.stderr
    assert message in there.stderr and "Traceback" not in there.stderr
    if code == 2:
        assert (here.returncode, here.stderr) == (there.returncode, there.stderr)
    else:   # here spaCy's own error is the bug
        assert here.returncode == 3 and "RuntimeError: broken spaCy" in here.stderr
    from qualcode.project import Project

    project = Project(project.root)
    _untouched(project)
    project.close()


def test_the_coding_state_key_is_the_engines():
    from qualcode.coding.engine import CODING_STATE_KEY
    from qualcode.facade import coding

    assert coding.CODING_STATE_KEY == CODING_STATE_KEY


def test_the_protocol_carries_any_text():
    texts = CRAFTED + ["\ud800 lone surrogate", "a" * 70_000]
    assert tw.decode_texts(tw.encode_texts(texts)) == texts
    assert tw.decode_texts(tw.encode_texts([])) == []
