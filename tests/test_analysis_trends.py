import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import representative_quote, trend_narrative, trend_table, trends  # noqa: E402

COLUMNS = ["trend", "comment", "code_id", "informants", "shared", "segment_ids"]


def table(**kw):
    return trends(st.codings(), st.codebook(), informants=st.informants(), **kw)


def test_theme_trends_breadth_and_order():
    t = table(comments={"suositus": "Tyytyväiset suosittelevat."})
    assert list(t.columns) == COLUMNS
    assert t[["code_id", "trend", "informants", "shared"]].values.tolist() == [
        ["viestinta", "Viestintä", 4, "4/4"], ["suositus", "Suosittelu", 2, "2/4"],
        ["kilpailu", "Kilpailijat", 1, "1/4"]]
    assert t.loc[0, "segment_ids"] == [1, 2, 3, 5, 7, 8]
    assert t.loc[1, "comment"] == "Tyytyväiset suosittelevat."
    assert t.loc[2, "comment"] == "\u201dKilpailijat tulevat väliin.\u201d (H3)"


def test_code_level_min_informants_and_names():
    t = table(level="code", min_informants=2, names={"portaali": "Portaali toimii"})
    # paivitykset 3 segs / 2 informants, portaali 2 / 2, referenssit 2 / 2; single-informant codes dropped
    assert t[["code_id", "trend", "shared"]].values.tolist() == [
        ["paivitykset", "Tilannepäivitykset", "2/4"], ["portaali", "Portaali toimii", "2/4"],
        ["referenssit", "Referenssit", "2/4"]]


def test_representative_quote_most_overlap():
    quotes = ["portaali on kätevä", "portaali on kätevä ja nopea", "kilpailijat tulevat"]
    # Jaccard: q0-q1 3/5, q0-q2 0; q1-q2 0 -> q0 and q1 tie at 0.3 mean -> earlier wins
    assert representative_quote(quotes) == 0
    assert representative_quote(["a b", "c d", "c d e"]) == 1
    assert representative_quote([]) == -1


def test_drafted_comment_is_the_representative_quote():
    t = table(level="code").set_index("code_id")
    # paivitykset quotes (segments 1, 3, 8): 1 and 8 share 3 words -> segment 1 wins the tie
    assert t.loc["paivitykset", "comment"] == "\u201dTilannepäivitykset puuttuivat projektista.\u201d (H1)"


def test_two_column_table_and_narrative():
    t = table(comments={"viestinta": "Tietoa kaivataan."})
    two = trend_table(t)
    assert list(two.columns) == ["TRENDI", "KOMMENTTI"] and two.iloc[0].tolist() == ["Viestintä", "Tietoa kaivataan."]
    assert list(trend_table(t, "en").columns) == ["TREND", "COMMENT"]
    assert trend_narrative(t).split("\n\n")[0] == "1. Viestintä (4/4 haastateltavaa). Tietoa kaivataan."


def test_empty_inputs():
    t = trends(st.empty_codings(), st.codebook(), informants=st.informants())
    assert t.empty and list(t.columns) == COLUMNS
    assert trends(None).empty
    assert trend_narrative(t) == ""
    one = st.codings()[st.codings()["speaker"] == "H4"]
    assert trends(one)[["code_id", "shared"]].values.tolist() == [["viikkoviesti", "1/1"]]
