import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import draft_reduction, reduction_table  # noqa: E402
from qualcode.model import Code, Codebook  # noqa: E402
from qualcode.nlp import get_lemmatizer  # noqa: E402

LEMMA_FI = get_lemmatizer("simplemma", "fi").lemma
LEMMA_EN = get_lemmatizer("simplemma", "en").lemma

FI = ["Alkuperäinen ilmaus", "Pelkistetty ilmaus", "Alaluokka", "Yläluokka", "Pääluokka"]
EN = ["Original expression", "Reduced expression", "Subcategory", "Upper category", "Main category"]


def table(**kw):
    return reduction_table(st.codings(), st.codebook(), reductions={2: "portaali kätevä"}, lemmatize=LEMMA_FI,
                           **kw)


def test_columns_are_localised_labels():
    assert list(table().columns) == FI + ["segment_id", "code_id", "speaker"]
    assert list(table(lang="en").columns)[:5] == EN


def test_rows_order_and_categories_by_depth():
    t = table()
    # 9 effective (segment, code) pairs; ordered by main, upper, sub category in codebook order
    assert list(zip(t["segment_id"], t["code_id"])) == [
        (1, "paivitykset"), (3, "paivitykset"), (8, "paivitykset"), (7, "viikkoviesti"),
        (2, "portaali"), (5, "portaali"), (4, "referenssit"), (5, "referenssit"), (6, "kilpailu")]
    rows = t.set_index(["segment_id", "code_id"])
    # depth 2: sub = code, upper = parent, main = theme
    assert rows.loc[(7, "viikkoviesti"), FI[2:]].tolist() == ["Viikkoviesti", "Tilannepäivitykset", "Viestintä"]
    # depth 1: the code is both sub and upper category
    assert rows.loc[(1, "paivitykset"), FI[2:]].tolist() == ["Tilannepäivitykset"] * 2 + ["Viestintä"]
    # depth 0: a theme coded directly fills all three
    assert rows.loc[(6, "kilpailu"), FI[2:]].tolist() == ["Kilpailijat"] * 3


def test_reduced_expression_sources():
    rows = table().set_index(["segment_id", "code_id"])
    assert rows.loc[(2, "portaali"), "Pelkistetty ilmaus"] == "portaali kätevä"          # researcher mapping
    assert rows.loc[(4, "referenssit"), "Pelkistetty ilmaus"] == "suosittelu muille"     # note on coding
    assert rows.loc[(1, "paivitykset"), "Pelkistetty ilmaus"] == "tilannepäivitys puuttua projekti"
    assert rows.loc[(1, "paivitykset"), "Alkuperäinen ilmaus"] == "Tilannepäivitykset puuttuivat projektista."
    # a (segment, code) key wins over a segment key
    t = reduction_table(st.codings(), st.codebook(), reductions={5: "yleinen", (5, "referenssit"): "suositus"})
    r = t.set_index(["segment_id", "code_id"])
    assert r.loc[(5, "referenssit"), "Pelkistetty ilmaus"] == "suositus"
    assert r.loc[(5, "portaali"), "Pelkistetty ilmaus"] == "yleinen"


def test_draft_reduction_drops_fillers_and_stopwords():
    assert draft_reduction("No tota niinku siis öö, tilannepäivitykset puuttuivat projektista.",
                           lemmatize=LEMMA_FI) == "tilannepäivitys puuttua projekti"
    assert draft_reduction("Um, like, the portal was really useful", language="en",
                           lemmatize=LEMMA_EN) == "portal useful"
    assert draft_reduction("projekti projektista projektin", lemmatize=LEMMA_FI) == "projekti"   # no repeats
    # without a lemmatiser the words stay as they are
    assert draft_reduction("No tota, tilannepäivitykset puuttuivat.") == "tilannepäivitykset puuttuivat"
    assert draft_reduction("yksi kaksi kolme neljä viisi kuusi seitsemän", max_words=3).count(" ") == 2
    assert draft_reduction("") == "" and draft_reduction(None) == ""


def test_codes_missing_from_codebook_and_no_codebook():
    c = st.codings()
    t = reduction_table(c[c["code_id"] == "kilpailu"])
    assert t[FI[2:]].values.tolist() == [["kilpailu"] * 3]


def test_depth_three_skips_intermediate_levels():
    cb = Codebook(codes=[Code("t", "T"), Code("u", "U", parent="t"), Code("v", "V", parent="u"),
                         Code("w", "W", parent="v")])
    c = pd.DataFrame({"segment_id": [1], "code_id": ["w"], "status": "accepted", "quote": ["x y"]})
    assert reduction_table(c, cb)[FI[2:]].values.tolist() == [["W", "V", "T"]]


def test_empty_codings_give_empty_table_with_columns():
    t = reduction_table(st.empty_codings(), st.codebook(), lang="en")
    assert t.empty and list(t.columns) == EN + ["segment_id", "code_id", "speaker"]
    assert reduction_table(None).empty
