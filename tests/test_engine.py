"""The incremental coding engine on its own: a real SQLite store, real spaCy tokenisation
and lemmatisation, no Project around it."""
import json

import pytest

from qualcode.codebook import codebook_from_dict
from qualcode.coding.engine import CODING_STATE_KEY, CodingEngine, _Segments, forget_coding_state, rule_fingerprint
from qualcode.model import Code, Coding, Segment, Source
from qualcode.nlp import Annotator
from qualcode.store import SQLiteStore

CODES = [
    {"id": "laskutus", "name": "Laskutus", "keywords": ["lasku", "laskutus"], "compound": True},
    {"id": "viestinta", "name": "Viestintä", "keywords": ["viestintä"],
     "patterns": [r"\bviikko(viesti|raportti)"]},
    {"id": "hinta", "name": "Hinta", "keywords": ["hinta"]},
]

PARAGRAPHS = [
    ("H1", "Laskutuksessa oli virheitä koko vuoden."),
    ("H1", "Viestinnän kanssa oli ongelmia, viikkoviesti puuttui."),
    ("H2", "Hinta oli kohtuullinen ja lasku selkeä."),
]


@pytest.fixture(scope="module")
def annotator():
    return Annotator("fi")


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "project.db", create=True)
    yield s
    s.close()


def add_source(store, name, paragraphs):
    """Store a source whose text is the paragraphs, one segment (and turn) each."""
    text, segments, pos = "", [], 0
    for i, (speaker, para) in enumerate(paragraphs):
        segments.append(Segment(None, None, i, i, pos, pos + len(para), para, speaker,
                                is_interviewer=speaker == "Haastattelija"))
        text += para + "\n"
        pos = len(text)
    source = Source(None, name, text, "txt", f"hash-{name}-{len(text)}", words=len(text.split()))
    return store.add_source(source, [], segments)


def codebook(codes):
    return codebook_from_dict({"language": "fi", "name": "Testi", "codes": codes})


def suggestions(store):
    c = store.codings_frame()
    c = c[c["status"] == "suggested"]
    return sorted(zip(c["code_id"], c["quote"]))


def last_run(store):
    audit = store.audit_frame()
    return json.loads(audit[audit["action"] == "code"]["details"].iloc[-1])


def test_first_run_suggests_codes_and_summarises(store, annotator):
    add_source(store, "a.txt", PARAGRAPHS)
    summary = CodingEngine(store, annotator).code(codebook(CODES))
    assert suggestions(store) == [("hinta", "Hinta"), ("laskutus", "Laskutuksessa"), ("laskutus", "lasku"),
                                  ("viestinta", "Viestinnän")]
    assert summary.values.tolist() == [["laskutus", "Laskutus", 2, 2], ["viestinta", "Viestintä", 1, 1],
                                       ["hinta", "Hinta", 1, 1]]
    details = last_run(store)
    assert details["codes_rematched"] == 3 and details["added"] == 4 and details["removed"] == 0
    state = json.loads(store.get_meta(CODING_STATE_KEY))
    assert set(state["codes"]) == {"laskutus", "viestinta", "hinta"} and len(state["sources"]) == 1


def test_the_garbage_collector_is_as_it_was_after_a_run(store, annotator):
    # a run turns the collector off and on again, moving what it left to the oldest
    # generation; objects the process froze itself stay frozen
    import gc

    add_source(store, "a.txt", PARAGRAPHS)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        engine.code(codebook(CODES[:1]))
        assert gc.isenabled() and 0 < gc.get_freeze_count() <= frozen   # (some freed meanwhile)
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        engine.code(codebook(CODES))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_rerun_keeps_unchanged_suggestions(store, annotator):
    add_source(store, "a.txt", PARAGRAPHS)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    before = store.codings_frame()[["coding_id", "code_id", "start", "end"]]
    engine.code(codebook(CODES))
    details = last_run(store)
    assert (details["codes_rematched"], details["added"], details["removed"]) == (0, 0, 0)
    assert store.codings_frame()[["coding_id", "code_id", "start", "end"]].equals(before)


def test_removed_code_loses_its_suggestions_and_the_others_stay(store, annotator):
    add_source(store, "a.txt", PARAGRAPHS)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    kept = store.codings_frame().query("code_id != 'hinta'")["coding_id"].tolist()
    engine.code(codebook([c for c in CODES if c["id"] != "hinta"]))
    after = store.codings_frame()
    assert "hinta" not in set(after["code_id"])
    assert after["coding_id"].tolist() == kept            # the same rows, not re-inserted
    details = last_run(store)
    assert (details["codes_rematched"], details["added"], details["removed"]) == (0, 0, 1)


def test_human_decision_survives_recoding(store, annotator):
    add_source(store, "a.txt", PARAGRAPHS)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    c = store.codings_frame()
    seg, sid = (int(x) for x in c.loc[c["code_id"] == "hinta", ["segment_id", "source_id"]].iloc[0])
    _, _, start, end = store.segment_bounds(seg)
    store.replace_decision(Coding("hinta", seg, start, end, "accepted", "liisa", source_id=sid))
    store.replace_decision(Coding("laskutus", seg, start, end, "rejected", "liisa", source_id=sid))
    changed = [dict(c, keywords=["kallis"]) if c["id"] == "hinta" else c for c in CODES]
    engine.code(codebook(changed))           # hinta no longer matches anything
    c = store.codings_frame()
    human = c[c["coder"] == "liisa"].sort_values("code_id")
    assert human[["code_id", "status"]].values.tolist() == [["hinta", "accepted"], ["laskutus", "rejected"]]
    assert ("hinta", "Hinta") not in suggestions(store)
    # the automatic suggestion a human rejected stays as it was (the analyses drop it)
    assert ("laskutus", "lasku") in suggestions(store)


def test_unchanged_codes_run_only_on_new_sources(store, annotator):
    add_source(store, "a.txt", PARAGRAPHS)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    add_source(store, "b.txt", [("H3", "Laskutus on nyt selkeää.")])
    engine.code(codebook(CODES))
    details = last_run(store)
    assert (details["codes_rematched"], details["new_sources"], details["added"]) == (0, 1, 1)
    assert ("laskutus", "Laskutus") in suggestions(store)


def test_stored_annotations_and_pattern_hits_are_reused(store, annotator, monkeypatch):
    add_source(store, "a.txt", PARAGRAPHS)
    CodingEngine(store, annotator).code(codebook(CODES))
    assert store.pattern_hits([r"informants|pattern:\bviikko(viesti|raportti)"], [1])
    # a new code with the same pattern and a changed keyword: nothing is tokenised again and
    # no text is read (the pattern's hits come from the store, keywords need only tokens)
    calls = {"annotated": 0, "texts": 0}
    real_save, real_texts = store.save_source_annotations, store.segment_texts

    def save_source_annotations(*a, **kw):
        calls["annotated"] += 1
        return real_save(*a, **kw)

    def segment_texts(*a, **kw):
        calls["texts"] += 1
        return real_texts(*a, **kw)

    monkeypatch.setattr(store, "save_source_annotations", save_source_annotations)
    monkeypatch.setattr(store, "segment_texts", segment_texts)
    more = CODES + [{"id": "raportit", "name": "Raportit", "patterns": [r"\bviikko(viesti|raportti)"]}]
    more = [dict(c, keywords=c["keywords"] + ["virhe"]) if c["id"] == "laskutus" else c for c in more]
    CodingEngine(store, annotator).code(codebook(more))
    assert calls == {"annotated": 0, "texts": 0}
    assert ("raportit", "viikkoviesti") in suggestions(store)
    assert ("laskutus", "Laskutuksessa") in suggestions(store)


def test_a_failed_write_leaves_the_store_as_it_was(store, annotator, monkeypatch):
    add_source(store, "a.txt", PARAGRAPHS)

    def broken_log(event):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "log", broken_log)
    with pytest.raises(RuntimeError):
        CodingEngine(store, annotator).code(codebook(CODES))
    assert store.codings_frame().empty
    assert store.get_meta(CODING_STATE_KEY) is None and store.codebook_content() is None


def test_forgotten_state_rematches_everything(store, annotator):
    add_source(store, "a.txt", PARAGRAPHS)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    forget_coding_state(store)
    engine.code(codebook(CODES))
    details = last_run(store)
    assert details["codes_rematched"] == 3 and details["added"] == 0 and details["removed"] == 0


def test_interviewer_segments_only_on_request(store, annotator):
    add_source(store, "a.txt", [("Haastattelija", "Miten laskutus toimii?")] + PARAGRAPHS)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    assert ("laskutus", "laskutus") not in suggestions(store)
    engine.code(codebook(CODES), include_interviewer=True)     # another scope: everything re-runs
    assert last_run(store)["codes_rematched"] == 3
    assert ("laskutus", "laskutus") in suggestions(store)
    engine.code(codebook(CODES))
    assert ("laskutus", "laskutus") not in suggestions(store)


def test_rule_fingerprint_follows_the_rules_only():
    a = Code("x", "X", keywords=["hinta"])
    assert rule_fingerprint(a, "s") == rule_fingerprint(Code("x", "Y", description="d", keywords=["hinta"]), "s")
    assert rule_fingerprint(a, "s") != rule_fingerprint(Code("x", "X", keywords=["hinnat"]), "s")
    assert rule_fingerprint(a, "s") != rule_fingerprint(Code("x", "X", keywords=["hinta"], compound=True), "s")


def test_annotations_follow_the_segment_order(store, annotator):
    sid = add_source(store, "a.txt", PARAGRAPHS)
    segs = _Segments.from_rows(store.segment_rows()[::-1])
    expected = [annotator.annotate(text).lowers for _, text in reversed(PARAGRAPHS)]
    engine = CodingEngine(store, annotator)
    first = engine.annotations(segs)             # annotated and stored
    assert store.source_annotations([sid], annotator.backend)
    again = engine.annotations(segs)             # unpacked from the store
    for packed in (first, again):
        assert [packed[i].lowers for i in range(len(packed))] == expected


def _edited_codebook(path):
    """The demo codebook after a researcher's typical edit: keywords added to three codes, a
    phrase and a pattern changed, one code removed and a new one added."""
    import yaml

    from pathlib import Path

    data = yaml.safe_load((Path(__file__).resolve().parents[1] / "codebooks" / "asiakaskokemus_fi.yaml")
                          .read_text(encoding="utf-8"))
    ruled = [c for c in data["codes"] if c.get("keywords") or c.get("patterns")]
    for code in ruled[:3]:
        code["keywords"] = list(code.get("keywords") or []) + ["palaveri", "kokous"]
    ruled[3].setdefault("phrases", []).append("olla tyytyväinen")
    patterned = next(c for c in ruled if c.get("patterns"))
    patterned["patterns"] = list(patterned["patterns"]) + [r"\bsähköpost\w*"]
    gone = ruled[4]["id"]
    data["codes"] = [c for c in data["codes"] if c["id"] != gone and c.get("parent") != gone]
    data["codes"].append({"id": "kokoukset", "name": "Kokoukset", "keywords": ["kokous", "palaveri"],
                          "compound": True, "exclude": ["kokoushuone"]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_recode_gives_exactly_what_a_fresh_code_with_the_final_codebook_gives(tmp_path):
    """Incremental runs (stored annotations and pattern hits, only changed codes re-matched,
    unchanged codes only on a source added since) end where one run from scratch does."""
    import shutil
    from pathlib import Path

    from qualcode.project import Project

    root = Path(__file__).resolve().parents[1]
    demo, book = root / "corpora" / "asiakaskokemus" / "transcripts", root / "codebooks" / "asiakaskokemus_fi.yaml"
    edited = _edited_codebook(tmp_path / "muutettu.yaml")

    def study(name, files):
        project = Project.init(tmp_path / name)
        for f in files:
            shutil.copy(demo / f, tmp_path / name / "transcripts" / f)
        project.ingest([tmp_path / name / "transcripts"])
        return project

    def codings(project):
        c = project.codings()
        return sorted(zip(c["source"].map(lambda s: Path(s).name), c["code_id"], c["start"], c["end"],
                          c["rule"], c["status"], c["coder"]))

    step = study("vaiheittain", ["H2.txt", "H5.txt", "H8.md"])
    step.code(book)
    shutil.copy(demo / "H9.txt", tmp_path / "vaiheittain" / "transcripts" / "H9.txt")
    step.ingest([tmp_path / "vaiheittain" / "transcripts"])   # a new source: unchanged codes run on it only
    step.code(edited)
    fresh = study("kerralla", ["H2.txt", "H5.txt", "H8.md", "H9.txt"])
    fresh.code(edited)
    got, want = codings(step), codings(fresh)
    assert len(want) > 50 and {r[1] for r in want} >= {"kokoukset"}
    assert got == want
    step.code(book)       # and back: the original codebook again gives the original suggestions
    again = study("alkuperainen", ["H2.txt", "H5.txt", "H8.md", "H9.txt"])
    again.code(book)
    assert codings(step) == codings(again)
    for p in (step, fresh, again):
        p.close()


def test_interviewer_turns_are_annotated_when_a_run_first_needs_them(tmp_path, annotator, monkeypatch):
    # a run without the interviewer tokenises only the informants' segments; a later run with
    # the interviewer tokenises only the interviewer's, and finds what a fresh run finds
    paragraphs = [("Haastattelija", "Miten laskutus toimii?")] + PARAGRAPHS + [("Haastattelija", "Entä hinta?")]
    fresh = SQLiteStore(tmp_path / "fresh.db", create=True)
    add_source(fresh, "a.txt", paragraphs)
    CodingEngine(fresh, annotator).code(codebook(CODES), include_interviewer=True)
    store = SQLiteStore(tmp_path / "p.db", create=True)
    add_source(store, "a.txt", paragraphs)
    seen: list[str] = []
    real = annotator.annotate_packed

    def annotate_packed(texts, progress=None):
        texts = list(texts)
        seen.extend(texts)
        return real(texts, progress=progress)

    monkeypatch.setattr(annotator, "annotate_packed", annotate_packed)
    engine = CodingEngine(store, annotator)
    engine.code(codebook(CODES))
    assert seen == [text for speaker, text in PARAGRAPHS]
    seen.clear()
    engine.code(codebook(CODES), include_interviewer=True)
    assert seen == ["Miten laskutus toimii?", "Entä hinta?"]
    assert suggestions(store) == suggestions(fresh)
    seen.clear()
    engine.code(codebook(CODES + [{"id": "uusi", "name": "Uusi", "keywords": ["toimia"]}]), include_interviewer=True)
    assert seen == [] and ("uusi", "toimii") in suggestions(store)
    fresh.close()
    store.close()
