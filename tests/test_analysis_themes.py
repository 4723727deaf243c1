import os
import sys

import pandas as pd
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import (code_frequencies, group_code_matrix, informant_code_matrix,  # noqa: E402
                               informant_universe, theme_frequencies)
from qualcode.errors import QualcodeError  # noqa: E402


def freq(**kw):
    return code_frequencies(st.codings(), st.segments(), st.informants(), st.codebook(), **kw)


def test_code_frequencies_counts_by_hand():
    f = freq().set_index("code_id")
    # paivitykset: segments 1, 3, 8 (8 has no speaker) -> 3 segments, H1+H2, sources a+b
    assert f.loc["paivitykset", ["segments", "informants", "sources"]].tolist() == [3, 2, 2]
    assert f.loc["paivitykset", "share_of_informants"] == 0.5
    assert f.loc["portaali", ["segments", "informants"]].tolist() == [2, 2]   # rejected seg 1 ignored
    assert f.loc["kilpailu", ["segments", "informants", "sources"]].tolist() == [1, 1, 1]
    assert f.loc["kilpailu", "share_of_informants"] == 0.25
    assert f.loc["kaytto", ["segments", "informants", "sources"]].tolist() == [0, 0, 0]
    assert f.loc["portaali", "name"] == "Asiakasportaali"
    assert f.loc["viikkoviesti", "theme"] == "viestinta"


def test_code_frequencies_order_frequency_then_codebook():
    assert freq()["code_id"].tolist() == [
        "paivitykset", "portaali", "referenssit", "viikkoviesti", "kilpailu",
        "viestinta", "suositus", "kaytto"]
    assert freq(sort="codebook")["code_id"].tolist()[:3] == ["viestinta", "paivitykset", "viikkoviesti"]
    assert list(freq().columns) == ["code_id", "name", "theme", "segments", "informants", "sources",
                                    "share_of_informants"]


def test_include_suggested_and_unused():
    f = freq(include_suggested=True).set_index("code_id")
    assert f.loc["portaali", "segments"] == 3          # suggested coding on segment 6 counts now
    assert f.loc["paivitykset", "segments"] == 3       # duplicate suggestion on segment 3 does not
    assert "kaytto" not in set(freq(include_unused=False)["code_id"])


def test_theme_frequencies_roll_up_to_themes():
    f = theme_frequencies(st.codings(), st.segments(), st.informants(), st.codebook()).set_index("code_id")
    assert list(f.index) == ["viestinta", "suositus", "kilpailu", "kaytto"]
    assert f.loc["viestinta", ["segments", "informants", "sources"]].tolist() == [6, 4, 2]
    assert f.loc["viestinta", "share_of_informants"] == 1.0
    assert f.loc["suositus", ["segments", "informants"]].tolist() == [2, 2]


def test_informant_code_matrix_values():
    m = informant_code_matrix(st.codings(), st.segments(), st.informants(), st.codebook())
    assert list(m.index) == ["H1", "H2", "H3", "H4"]
    assert m.loc["H1"].to_dict() == {"viestinta": 0, "paivitykset": 1, "viikkoviesti": 0, "portaali": 1,
                                     "suositus": 0, "referenssit": 0, "kilpailu": 0, "kaytto": 0}
    assert m.loc["H3", ["portaali", "referenssit", "kilpailu"]].tolist() == [1, 1, 1]
    share = informant_code_matrix(st.codings(), st.segments(), st.informants(), st.codebook(), value="share")
    assert share.loc["H1", "paivitykset"] == 0.5        # H1 speaks 2 segments
    assert share.loc["H4", "viikkoviesti"] == 1.0       # H4 speaks 1 segment
    pres = informant_code_matrix(st.codings(), None, st.informants(), st.codebook(), value="presence",
                                 level="theme")
    assert pres.loc["H3"].tolist() == [1, 1, 1, 0]


def test_group_code_matrix_by_role():
    args = (st.codings(), st.informants(), "role", st.codebook())
    count = group_code_matrix(*args)
    assert list(count.index) == ["asiakas", "kumppani"]
    assert count.loc["asiakas", ["paivitykset", "portaali", "referenssit", "viikkoviesti"]].tolist() == [2, 1, 1, 1]
    assert count.loc["kumppani", ["portaali", "kilpailu", "paivitykset"]].tolist() == [1, 1, 0]
    share = group_code_matrix(*args, value="share")
    assert share.loc["asiakas", "paivitykset"] == pytest.approx(2 / 3)
    assert share.loc["asiakas", "portaali"] == pytest.approx(1 / 3)
    assert share.loc["kumppani", "portaali"] == 1.0
    assert group_code_matrix(*args, value="informants").loc["asiakas", "paivitykset"] == 2
    assert group_code_matrix(*args, value="presence").loc["kumppani", "paivitykset"] == 0


def test_group_matrix_missing_values_group_and_unknown_attribute():
    inf = st.informants()
    inf.loc[3, "segment"] = None
    m = group_code_matrix(st.codings(), inf, "segment", st.codebook(), lang="en")
    assert list(m.index) == ["KAM", "muu", "(missing)"]
    assert m.loc["(missing)", "viikkoviesti"] == 1
    with pytest.raises(QualcodeError, match="lifecycle"):
        group_code_matrix(st.codings(), inf, "lifecycle")


def test_bad_options_are_user_errors():
    with pytest.raises(QualcodeError):
        freq(level="subtheme")
    with pytest.raises(QualcodeError):
        informant_code_matrix(st.codings(), value="mean")


def test_universe_falls_back_to_segment_speakers():
    assert informant_universe(None, st.segments()) == ["H1", "H2", "H3", "H4"]
    f = code_frequencies(st.codings(), st.segments(), None, st.codebook()).set_index("code_id")
    assert f.loc["paivitykset", "share_of_informants"] == 0.5


def test_empty_inputs_give_empty_results():
    empty = st.empty_codings()
    f = code_frequencies(empty, st.segments(), st.informants(), st.codebook())
    assert len(f) == 8 and f["segments"].sum() == 0 and f["share_of_informants"].sum() == 0
    assert code_frequencies(empty).empty
    assert list(code_frequencies(None).columns) == ["code_id", "name", "theme", "segments", "informants",
                                                    "sources", "share_of_informants"]
    m = informant_code_matrix(empty, None, st.informants(), st.codebook())
    assert m.shape == (4, 8) and m.values.sum() == 0
    g = group_code_matrix(empty, pd.DataFrame(columns=["code", "role"]), "role", st.codebook())
    assert g.empty and list(g.columns)[:2] == ["viestinta", "paivitykset"]
    # one informant
    one = st.codings()[st.codings()["speaker"] == "H4"]
    f1 = code_frequencies(one, informants=st.informants().iloc[[3]])
    assert f1.to_dict("records") == [{"code_id": "viikkoviesti", "name": "viikkoviesti", "theme": None,
                                      "segments": 1, "informants": 1, "sources": 1,
                                      "share_of_informants": 1.0}]


def test_the_examples_in_docs_analyses_md_hold():
    import doctest
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "analyses.md"
    result = doctest.testfile(str(doc), module_relative=False, verbose=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 30 and result.failed == 0, result
