import os
import sys

import pandas as pd
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import (development_ideas, effective_valence, experiences,  # noqa: E402
                               training_needs, training_needs_summary, valence_table)
from qualcode.errors import QualcodeError  # noqa: E402

VAL = ["positive", "negative", "neutral", "mixed", "development_idea"]


def test_effective_valence_coding_wins_then_code_then_ancestor():
    c = st.codings()
    v = dict(zip(c["coding_id"], effective_valence(c, st.codebook())))
    assert v[1] == "negative"            # code paivitykset
    assert v[6] == "mixed"               # the coding's own valence beats the code's positive
    assert v[9] == "development_idea"
    assert v[5] == "positive"            # referenssit
    c.loc[c["coding_id"] == 9, "valence"] = None
    assert effective_valence(c, st.codebook())[c["coding_id"] == 9].iloc[0] == "negative"  # inherited


def test_valence_table_by_theme():
    t = valence_table(st.codings(), st.codebook()).set_index("code_id")
    assert list(t.columns) == ["name"] + VAL + ["total"]
    assert list(t.index) == ["viestinta", "suositus", "kilpailu", "kaytto"]
    # viestinta: negative segs 1, 3, 8; positive 2; mixed 5; development idea 7
    assert t.loc["viestinta", VAL + ["total"]].tolist() == [1, 3, 0, 1, 1, 6]
    assert t.loc["suositus", VAL + ["total"]].tolist() == [2, 0, 0, 0, 0, 2]
    assert t.loc["kilpailu", "negative"] == 1
    assert t.loc["kaytto", "total"] == 0


def test_valence_table_by_code_and_unspecified():
    c = pd.concat([st.codings(), pd.DataFrame([{"coding_id": 20, "segment_id": 4, "code_id": "kaytto",
                                                "status": "manual", "speaker": "H2", "valence": None}])],
                  ignore_index=True)
    t = valence_table(c, st.codebook(), level="code", include_unspecified=True).set_index("code_id")
    assert t.loc["portaali", ["positive", "mixed"]].tolist() == [1, 1]
    assert t.loc["kaytto", "unspecified"] == 1
    assert "unspecified" not in valence_table(c, st.codebook()).columns


def test_experiences_split_positive_negative():
    e = experiences(st.codings(), st.codebook())
    assert e[["valence", "code_id", "segment_id"]].values.tolist() == [
        ["positive", "portaali", 2], ["positive", "referenssit", 4], ["positive", "referenssit", 5],
        ["negative", "paivitykset", 1], ["negative", "paivitykset", 3], ["negative", "paivitykset", 8],
        ["negative", "kilpailu", 6]]
    assert e.loc[0, "theme"] == "viestinta" and e.loc[0, "name"] == "Asiakasportaali"
    with pytest.raises(QualcodeError):
        experiences(st.codings(), valences=["bad"])


def test_training_needs_by_target_then_role():
    t = training_needs(st.codings(), st.informants(), st.codebook())
    # coding 8 has target "myynti"; others fall back to the speaker's role; segment 8 has no speaker
    assert t[["target", "code_id", "segment_id"]].values.tolist() == [
        ["asiakas", "paivitykset", 1], ["asiakas", "paivitykset", 3],
        ["myynti", "kilpailu", 6], ["(ei tietoa)", "paivitykset", 8]]
    s = training_needs_summary(st.codings(), st.informants(), st.codebook(), lang="en")
    assert s.values.tolist() == [["asiakas", "paivitykset", "Tilannepäivitykset", 2, 2],
                                 ["myynti", "kilpailu", "Kilpailijat", 1, 1],
                                 ["(missing)", "paivitykset", "Tilannepäivitykset", 1, 0]]


def test_training_needs_by_other_attribute_and_errors():
    c = st.codings().drop(columns="target")
    t = training_needs(c, st.informants(), st.codebook(), by="segment")
    assert t["target"].tolist() == ["KAM", "KAM", "muu", "(ei tietoa)"]
    with pytest.raises(QualcodeError, match="tiimi"):
        training_needs(c, st.informants(), by="tiimi")


def test_development_ideas():
    d = development_ideas(st.codings(), st.codebook())
    assert d.to_dict("records") == [{"code_id": "viikkoviesti", "name": "Viikkoviesti", "theme": "viestinta",
                                     "segments": 1, "informants": 1,
                                     "example": "Viikkoviesti kertoisi etenemisestä. (H4)"}]


def test_empty_inputs():
    e = st.empty_codings()
    t = valence_table(e, st.codebook())
    assert len(t) == 4 and t["total"].sum() == 0
    assert valence_table(None).empty and list(valence_table(None).columns)[-1] == "total"
    assert experiences(e).empty and list(experiences(e).columns)[0] == "theme"
    assert training_needs(e, pd.DataFrame()).empty
    assert list(training_needs_summary(e).columns) == ["target", "code_id", "name", "segments", "informants"]
    assert development_ideas(e).empty
