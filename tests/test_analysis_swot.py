import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import swot  # noqa: E402
from qualcode.model import Code, Codebook  # noqa: E402


def test_quadrants_counts_by_hand():
    r = swot(st.codings(), st.codebook(), informants=st.informants())
    f = r.to_frame()
    assert list(f.columns) == ["quadrant", "code_id", "name", "segments", "informants", "quotes"]
    # S portaali segs 2, 5 (H1, H3); W paivitykset segs 1, 3, 8 (H1, H2; 8 unattributed),
    # viikkoviesti inherits W from paivitykset; O referenssit inherits from theme suositus; T kilpailu
    assert f[["quadrant", "code_id", "segments", "informants"]].values.tolist() == [
        ["S", "portaali", 2, 2], ["W", "paivitykset", 3, 2], ["W", "viikkoviesti", 1, 1],
        ["O", "referenssit", 2, 2], ["T", "kilpailu", 1, 1]]


def test_evidence_quotes_carry_informant_codes():
    r = swot(st.codings(), st.codebook(), max_quotes=2)
    w = r.quadrant("W").set_index("code_id")
    assert w.loc["paivitykset", "quotes"].split("\n") == [
        "\u201dTilannepäivitykset puuttuivat projektista.\u201d (H1)",
        "\u201dEmme saaneet tilannepäivityksiä.\u201d (H2)"]
    full = swot(st.codings(), st.codebook(), max_quotes=5).quadrant("W").set_index("code_id")
    assert full.loc["paivitykset", "quotes"].endswith("kokonaan.\u201d")      # no speaker, no code
    ev = r.evidence
    assert ev[ev["quadrant"] == "W"]["segment_id"].tolist() == [1, 3, 8, 7]


def test_grid_layout_and_labels():
    g = swot(st.codings(), st.codebook()).grid()
    assert list(g.index) == ["internal", "external"] and list(g.columns) == ["helpful", "harmful"]
    assert g.loc["internal", "helpful"] == "Vahvuudet\n- Asiakasportaali (2)"
    assert g.loc["internal", "harmful"] == "Heikkoudet\n- Tilannepäivitykset (3)\n- Viikkoviesti (1)"
    assert g.loc["external", "helpful"].startswith("Mahdollisuudet\n- Referenssit")
    assert g.loc["external", "harmful"] == "Uhat\n- Kilpailijat (1)"
    en = swot(st.codings(), st.codebook(), lang="en").grid(counts=False)
    assert en.loc["external", "harmful"] == "Threats\n- Kilpailijat"
    html = swot(st.codings(), st.codebook(), lang="en")._repr_html_()
    assert html.index("Strengths") < html.index("Weaknesses") < html.index("Opportunities") < html.index("Threats")


def test_coding_level_swot_column_overrides_code():
    c = st.codings()
    c["swot"] = None
    c.loc[c["coding_id"] == 8, "swot"] = "w"
    f = swot(c, st.codebook()).to_frame()
    assert "kilpailu" in f[f["quadrant"] == "W"]["code_id"].tolist()
    assert f[f["quadrant"] == "T"].empty


def test_empty_inputs_and_codes_without_swot():
    r = swot(st.empty_codings(), st.codebook())
    assert r.to_frame().empty and list(r.to_frame().columns)[0] == "quadrant"
    assert r.grid().loc["internal", "helpful"] == "Vahvuudet"
    cb = Codebook(codes=[Code("a")])
    c = pd.DataFrame({"segment_id": [1], "code_id": ["a"], "status": "accepted"})
    assert swot(c, cb).to_frame().empty
    assert swot(None).to_frame().empty
    assert "<table" in swot(None)._repr_html_()
