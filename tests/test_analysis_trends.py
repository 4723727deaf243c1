import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

import pytest  # noqa: E402

from qualcode.analysis import representative_quote, trend_narrative, trend_table, trends  # noqa: E402
from qualcode.analysis.study import Analyses  # noqa: E402
from qualcode.errors import QualcodeError  # noqa: E402
from qualcode.report.tables import trends_table  # noqa: E402
from conftest import coded_study  # noqa: E402

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


# --------------------------------------------------------------------------- A5 from a file or drafted
TREND_CODEBOOK = """\
language: fi
codes:
  - id: viestinta
    name: Viestintä
    keywords: [viestintä]
  - id: tilanne
    name: Tilannetieto
    parent: viestinta
    keywords: [tilannetieto]
  - id: hinta
    name: Hinta
    keywords: [hinta]
"""
TREND_TRANSCRIPT = (
    "H1: Tilannetieto puuttui koko ajan. Jouduimme kysymään itse, ja se turhautti meitä kaikkia "
    "todella paljon, koska projektin aikataulu venyi viikoittain ilman että kukaan kertoi miksi. "
    "Lopulta soitimme toimitusjohtajalle asti, ja vasta sen jälkeen viestintä parani selvästi.\n"
    "H2: Viestintä toimi, kun projektipäällikkö soitti.\n"
    "H3: Hinta on kohtuullinen.\n"
)


@pytest.fixture
def study(project):
    coded_study(project, TREND_CODEBOOK, {"h.txt": TREND_TRANSCRIPT})
    c = project.codings()
    for seg, code in zip(c["segment_id"], c["code_id"]):
        project.coding.accept(int(seg), code)
    return project


def test_without_a_file_the_trends_are_marked_drafts_in_whole_sentences(study):
    rows = Analyses(study.analyse.frames()).trend_statements()
    assert rows["draft"].all()
    assert rows["trend"].tolist() == ["Viestintä: suurin osa haastateltavista nosti aiheen esiin (2/3).",
                                      "Hinta: yksi haastateltava nosti aiheen esiin (1/3)."]
    # the long paragraph (over 240 characters) is quoted by whole sentences, never cut inside a word
    assert rows["comment"][0] == (
        "\u201dTilannetieto puuttui koko ajan. Jouduimme kysymään itse, ja se turhautti meitä kaikkia todella "
        "paljon, koska projektin aikataulu venyi viikoittain ilman että kukaan kertoi miksi.\u201d (H1)")


def test_the_researchers_trend_file_feeds_the_table(study):
    (study.root / "trendit.yaml").write_text(
        "trendit:\n"
        "  - trendi: Tilannetieto puuttuu.\n"
        "    kommentti: Asiakkaat joutuvat kysymään itse.\n"
        "    koodit: [viestinta]\n"
        "  - statement: Hinta ei ratkaise.\n"
        "    segments: [3]\n", encoding="utf-8")
    frames = study.analyse.frames()
    rows = Analyses(frames).trend_statements()
    assert rows[["trend", "comment", "code_id", "shared", "draft"]].values.tolist() == [
        ["Tilannetieto puuttuu.", "Asiakkaat joutuvat kysymään itse.", "viestinta", "2/3", False],
        ["Hinta ei ratkaise.", "", "", "1/3", False]]
    table = trends_table(frames, "fi")
    assert table.footer == [] and "luonnos" not in table.title
    assert table.rows[0][:2] == ["Tilannetieto puuttuu.", "Asiakkaat joutuvat kysymään itse."]


def test_a_mistake_in_the_trend_file_names_its_line(study):
    (study.root / "trendit.yaml").write_text(
        "trendit:\n  - trendi: Hyvä\n    koodit: [eiole]\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"trendit.yaml:3: trend 1 names the code 'eiole'"):
        study.analyse.frames()
    (study.root / "trendit.yaml").write_text("trendit:\n  - trendi: Hyvä\n    lähde: x\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"trendit.yaml:3: trend 1 has an unknown key 'lähde'"):
        study.analyse.frames()
