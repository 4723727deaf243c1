"""The store's named methods on a real SQLite file: codings, decisions, versions, rewriting."""
import json

import pytest

from qualcode.model import Coding, Informant, Memo, Segment, Source, Turn
from qualcode.store import SQLiteStore


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "project.db", create=True)
    yield s
    s.close()


def add_source(store, name, paragraphs, version=1):
    """A source of paragraphs (speaker, text), one turn and one segment each."""
    text, turns, segments, pos = "", [], [], 0
    for i, (speaker, para) in enumerate(paragraphs):
        turns.append(Turn(None, i, pos, pos + len(para), speaker))
        segments.append(Segment(None, None, i, i, pos, pos + len(para), para, speaker))
        text += para + "\n\n"
        pos = len(text)
    source = Source(None, name, text, "txt", f"{name}-{version}-{len(text)}", version=version,
                    words=len(text.split()))
    sid = store.add_source(source, turns, segments)
    return sid, [s.id for s in store.segments_of(sid)]


def coding(code, seg, sid, start, end, status="suggested", coder="auto", rule=None, **kw):
    return Coding(code, seg, start, end, status, coder, rule, source_id=sid, **kw)


def test_carry_human_codings_to_identical_paragraphs(store):
    sid, (a, b) = add_source(store, "h1.txt", [("H1", "Hinta oli hyvä."), ("H1", "Lasku tuli myöhään.")])
    store.add_codings([coding("hinta", a, sid, 0, 5, "accepted", "liisa", note="selvä"),
                       coding("laskutus", b, sid, 17, 22, "manual", "liisa"),
                       coding("hinta", a, sid, 0, 5)])                      # automatic: not carried
    new_sid, (n0, n1, n2) = add_source(store, "h1.txt", [("H1", "Uusi alku."), ("H1", "Hinta oli hyvä."),
                                                         ("H1", "Lasku tuli ajallaan.")], version=2)
    assert store.carry_human_codings(sid, new_sid) == (1, 1)
    moved = store.codings_frame()
    assert moved[["segment_id", "code_id", "status", "coder", "note", "quote"]].values.tolist() == [
        [n1, "hinta", "accepted", "liisa", "selvä", "Hinta"]]
    # the stranded coding stays with the old version
    every = store.codings_frame(active_only=False)
    assert "laskutus" in set(every.loc[every["source_id"] == sid, "code_id"])


def test_segment_bounds_only_of_active_sources(store):
    sid, (a, b) = add_source(store, "h1.txt", [("H1", "Yksi."), ("H1", "Kaksi.")])
    assert store.segment_bounds(b) == (b, sid, 7, 13)
    add_source(store, "h1.txt", [("H1", "Yksi.")], version=2)
    assert store.segment_bounds(b) is None and store.segment_bounds(999) is None


def test_suggestion_rule_and_replace_decision(store):
    sid, (a,) = add_source(store, "h1.txt", [("H1", "Hinta oli hyvä.")])
    store.add_codings([coding("hinta", a, sid, 0, 5, rule="keyword:hinta"),
                       coding("hinta", a, sid, 0, 5, rule="pattern:hint")])
    assert store.suggestion_rule(a, "hinta") == "keyword:hinta"       # the first suggestion
    assert store.suggestion_rule(a, "laatu") is None
    store.replace_decision(coding("hinta", a, sid, 0, 15, "accepted", "liisa"))
    store.replace_decision(coding("hinta", a, sid, 0, 15, "rejected", "matti"))
    store.replace_decision(coding("hinta", a, sid, 0, 15, "rejected", "liisa"))   # liisa changes her mind
    c = store.codings_frame()
    assert sorted(zip(c["coder"], c["status"])) == [("auto", "suggested"), ("auto", "suggested"),
                                                    ("liisa", "rejected"), ("matti", "rejected")]


def test_replace_decision_is_all_or_nothing(store):
    sid, (a,) = add_source(store, "h1.txt", [("H1", "Hinta oli hyvä.")])
    store.replace_decision(coding("hinta", a, sid, 0, 15, "accepted", "liisa"))
    with pytest.raises(Exception):
        store.replace_decision(coding("hinta", a, 9999, 0, 15, "rejected", "liisa"))   # no such source
    c = store.codings_frame()
    assert c[["coder", "status"]].values.tolist() == [["liisa", "accepted"]]


def test_auto_suggestions_and_counts(store):
    sid, (a, b) = add_source(store, "h1.txt", [("H1", "Hinta ja laatu."), ("H2", "Hinta nousi.")])
    store.add_codings([coding("hinta", a, sid, 0, 5, rule="keyword:hinta"),
                       coding("hinta", b, sid, 17, 22, rule="keyword:hinta"),
                       coding("laatu", a, sid, 9, 14, rule="keyword:laatu"),
                       coding("vanha", b, sid, 17, 22, rule="keyword:vanha"),
                       coding("laatu", b, sid, 17, 29, "manual", "liisa")])
    assert {r[2] for r in store.auto_suggestions()} == {"hinta", "laatu", "vanha"}
    # only the codes asked for, plus the codes that are no longer known
    picked = store.auto_suggestions(["laatu"], ["hinta", "laatu"])
    assert sorted(r[1:] for r in picked) == sorted([(a, "laatu", 9, 14, "keyword:laatu"),
                                                    (b, "vanha", 17, 22, "keyword:vanha")])
    assert store.suggestion_counts() == {"hinta": (2, 2), "laatu": (1, 1), "vanha": (1, 1)}


def test_active_source_texts(store):
    add_source(store, "h1.txt", [("H1", "Vanha.")])
    add_source(store, "h1.txt", [("H1", "Uusi.")], version=2)
    add_source(store, "h2.txt", [("H2", "Toinen.")])
    assert store.active_source_texts() == [("h1.txt", "Uusi.\n\n"), ("h2.txt", "Toinen.\n\n")]


def _rewriter(old, new):
    """Replace ``old`` by ``new`` everywhere; offsets after it move by the change in length."""
    def rewrite(text):
        at = text.find(old)
        if at < 0:
            return None
        shift = len(new) - len(old)
        remap = lambda a, b: (a + shift * (a >= at + len(old)), b + shift * (b >= at + len(old)))  # noqa: E731
        return text.replace(old, new), remap, "extra"
    return rewrite


def test_rewrite_texts_moves_everything_with_the_text(store):
    sid, (a, b) = add_source(store, "h1.txt", [("H1", "Ville soitti."), ("H1", "Hinta oli hyvä.")])
    other, _ = add_source(store, "h2.txt", [("H2", "Ei nimiä.")])
    store.add_codings([coding("hinta", b, sid, 15, 20), coding("soitto", a, sid, 6, 12, "accepted", "liisa")])
    store.upsert_informants([Informant("H1", role="Villen esihenkilö", organisation="Ville Oy",
                                       attributes={"huomio": "Ville", "ika": 40})])
    store.add_memo(Memo("Ville oli innokas."))
    store.save_source_annotations([(sid, b"x"), (other, b"y")], "test")
    store.save_pattern_hits([("p", sid, b"x"), ("p", other, b"y")])
    done = store.rewrite_texts(_rewriter("Ville", "Aleksanteri"),
                               lambda v: v.replace("Ville", "Aleksanteri") if isinstance(v, str) else v)
    assert [(name, result[2]) for name, result in done] == [("h1.txt", "extra")]
    text = store.source_text(sid)
    assert text.startswith("Aleksanteri soitti.")
    c = store.codings_frame().sort_values("code_id")
    assert c["quote"].tolist() == ["Hinta", "soitti"]
    assert store.segments_frame()["text"].tolist()[:2] == ["Aleksanteri soitti.", "Hinta oli hyvä."]
    for t in store.turns_frame().itertuples():
        assert store.source_text(t.source_id)[t.start:t.end] in {"Aleksanteri soitti.", "Hinta oli hyvä.",
                                                                 "Ei nimiä."}
    assert store.sources_frame().set_index("source")["words"].to_dict()["h1.txt"] == 5
    inf = store.informants_frame().iloc[0]
    assert (inf["role"], inf["organisation"], inf["huomio"], inf["ika"]) == (
        "Aleksanterin esihenkilö", "Aleksanteri Oy", "Aleksanteri", 40)
    assert store.memos_frame()["text"].tolist() == ["Aleksanteri oli innokas."]
    # the rewritten source's caches are gone, the other source's stay
    assert store.source_annotations([sid, other], "test") == {other: b"y"}
    assert store.pattern_hits(["p"], [sid, other]) == {("p", other): b"y"}


def test_rewrite_texts_is_all_or_nothing(store):
    sid, _ = add_source(store, "h1.txt", [("H1", "Ville soitti.")])
    store.upsert_informants([Informant("H1", role="Ville")])
    before = store.source_text(sid)

    def broken(value):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.rewrite_texts(_rewriter("Ville", "Aleksanteri"), broken)
    assert store.source_text(sid) == before
    assert store.segments_frame()["text"].tolist() == ["Ville soitti."]


def test_delete_meta(store):
    store.set_meta("coding_state", json.dumps({"codes": {}}))
    store.delete_meta("coding_state")
    store.delete_meta("coding_state")          # nothing to delete: no error
    assert store.get_meta("coding_state") is None
    with pytest.raises(ValueError):
        store.delete_meta("schema_version")
    assert store.schema_version() >= 1


def test_word_types_keep_lemmas_and_compound_parts(store):
    store.add_word_types([(0, "tilannepäivityksiä", "tilannepäivitys", "tilanne\npäivitys"),
                          (1, "laskut", "lasku", ""), (2, "outo", "outo")], "voikko-x-fi")
    assert store.word_types("voikko-x-fi") == [(0, "tilannepäivityksiä", "tilannepäivitys", "tilanne\npäivitys"),
                                               (1, "laskut", "lasku", ""), (2, "outo", "outo", None)]
    assert store.word_types("voikko-x-fi", since=2) == [(2, "outo", "outo", None)]
    assert store.word_types("simplemma-x-fi") == []
    store.set_word_type_parts([(2, "")], "voikko-x-fi")
    assert store.word_types("voikko-x-fi", since=2) == [(2, "outo", "outo", "")]


def test_store_of_schema_2_gets_the_parts_column(tmp_path):
    from qualcode.store import SCHEMA_VERSION

    store = _opened_at_schema(tmp_path / "old.db", 2, [   # what a schema-2 store looked like
        "DROP TABLE word_types",
        "CREATE TABLE word_types (backend TEXT NOT NULL, id INTEGER NOT NULL, form TEXT NOT NULL,"
        " lemma TEXT NOT NULL, PRIMARY KEY (backend, id))",
        "INSERT INTO word_types VALUES ('simplemma-2-fi', 0, 'laskut', 'lasku')"])
    assert store.schema_version() == SCHEMA_VERSION == 5
    assert store.word_types("simplemma-2-fi") == [(0, "laskut", "lasku", None)]   # parts: not looked up
    store.add_word_types([(1, "hinnat", "hinta", "")], "simplemma-2-fi")
    assert store.word_types("simplemma-2-fi", since=1) == [(1, "hinnat", "hinta", "")]
    store.close()


def test_opening_a_store_imports_no_pandas(tmp_path):
    import subprocess
    import sys

    SQLiteStore(tmp_path / "p.db", create=True).close()
    code = ("import sys; from qualcode.store import SQLiteStore; s = SQLiteStore(sys.argv[1]); s.counts();"
            " s.word_types('x'); print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "p.db")], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_pattern_hits_one_row_per_pattern_and_run(store):
    # one run's hits of a pattern on many sources are one row; a later run on another source
    # adds a row; saving a source again replaces its hits in whichever row held them
    a, _ = add_source(store, "a.txt", [("H1", "Yksi.")])
    b, _ = add_source(store, "b.txt", [("H2", "Kaksi.")])
    c, _ = add_source(store, "c.txt", [("H3", "Kolme.")])
    store.save_pattern_hits([("p", a, b"aa"), ("p", b, b""), ("q", a, b"q1")])
    rows = lambda: store.conn.execute("SELECT pattern, COUNT(*) FROM pattern_hits GROUP BY pattern").fetchall()  # noqa: E731
    assert rows() == [("p", 1), ("q", 1)]
    store.save_pattern_hits([("p", c, b"cc")])
    assert rows() == [("p", 2), ("q", 1)]
    assert store.pattern_hits(["p", "q"], [a, b, c]) == {("p", a): b"aa", ("p", b): b"", ("p", c): b"cc",
                                                         ("q", a): b"q1"}
    store.save_pattern_hits([("p", a, b"new")])
    assert store.pattern_hits(["p"], [a]) == {("p", a): b"new"}
    assert store.pattern_hits(["p"], [b, c]) == {("p", b): b"", ("p", c): b"cc"}
    assert rows() == [("p", 3), ("q", 1)]


def test_a_schema_4_store_drops_its_old_pattern_hits(tmp_path):
    from qualcode.store import SCHEMA_VERSION

    store = _opened_at_schema(tmp_path / "old.db", 4, [   # a schema-4 cache: a row per source
        "DROP TABLE pattern_hits",
        "CREATE TABLE pattern_hits (pattern TEXT NOT NULL, source_id INTEGER NOT NULL, "
        "data BLOB NOT NULL, PRIMARY KEY (pattern, source_id))",
        "INSERT INTO pattern_hits VALUES ('p', 1, x'00')"])
    assert store.schema_version() == SCHEMA_VERSION == 5
    assert store.pattern_hits(["p"], [1]) == {}     # a cache: dropped, made again by the next run
    store.save_pattern_hits([("p", 1, b"x")])
    assert store.pattern_hits(["p"], [1]) == {("p", 1): b"x"}
    store.close()


def _opened_at_schema(path, version: int, statements: list[str]):
    """A new store made to look like one of schema ``version`` by ``statements``, then opened
    (and so migrated) by this qualcode."""
    import sqlite3

    SQLiteStore(path, create=True).close()
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
    conn.commit()
    conn.close()
    return SQLiteStore(path)
