import os
import sys

import pandas as pd
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import score_by_group, score_summary  # noqa: E402
from qualcode.errors import QualcodeError  # noqa: E402


def test_one_to_ten_scale_inferred_gives_no_nps():
    s = score_summary(st.informants())            # 9, 6, 10, 8 -> no zero -> 1-10
    assert s.scale == (1, 10) and s.nps is None and s.promoters is None
    assert "0–10" in s.note and "1–10" in s.note
    assert (s.n, s.mean, s.median, s.min, s.max) == (4, 8.25, 8.5, 6.0, 10.0)
    d = s.to_frame()
    assert d["value"].tolist() == list(range(1, 11))
    assert d.set_index("value")["count"].to_dict() == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0, 8: 1,
                                                        9: 1, 10: 1}
    assert d["share"].sum() == pytest.approx(1.0)
    assert "nps" not in s.stats()["statistic"].tolist()


def test_nps_on_zero_to_ten():
    s = score_summary(st.informants(), scale="0-10")
    # promoters 9, 10; passive 8; detractor 6 -> 50% - 25%
    assert (s.promoters, s.passives, s.detractors, s.nps) == (2, 1, 1, 25.0)
    assert len(s.to_frame()) == 11
    inf = pd.DataFrame({"code": ["A", "B", "C"], "score": [0, 7, "10"]})
    z = score_summary(inf)                        # a zero -> 0-10 inferred
    assert z.scale == (0, 10) and (z.promoters, z.passives, z.detractors) == (1, 1, 1) and z.nps == 0.0
    assert "NPS" in repr(z) and "<table" in z._repr_html_()


def test_errors_name_the_informant():
    bad = pd.DataFrame({"code": ["H1", "H2"], "score": [5, 11]})
    with pytest.raises(QualcodeError, match="H2"):
        score_summary(bad)
    with pytest.raises(QualcodeError, match="H1"):
        score_summary(pd.DataFrame({"code": ["H1"], "score": ["hyvä"]}))
    with pytest.raises(QualcodeError, match="outside"):
        score_summary(pd.DataFrame({"code": ["H1"], "score": [0]}), scale="1-10")
    with pytest.raises(QualcodeError, match="arvosana"):
        score_summary(st.informants(), "arvosana")
    with pytest.raises(QualcodeError):
        score_summary(st.informants(), scale="1-5")


def test_missing_answers_and_decimal_commas():
    inf = pd.DataFrame({"code": ["H1", "H2", "H3"], "score": ["8,5", None, ""]})
    s = score_summary(inf)
    assert s.n == 1 and s.mean == 8.5
    assert s.to_frame()["value"].tolist()[-3:] == [8.5, 9, 10]


def test_by_group():
    g = score_by_group(st.informants(), "segment")
    assert g.values.tolist() == [["KAM", 2, 9.5, 9.5, 9.0, 10.0], ["muu", 2, 7.0, 7.0, 6.0, 8.0]]
    with pytest.raises(QualcodeError):
        score_by_group(st.informants(), "nope")


def test_empty_inputs():
    for frame in (None, pd.DataFrame(), pd.DataFrame(columns=["code", "score"])):
        s = score_summary(frame)
        assert s.n == 0 and s.mean is None and s.to_frame()["count"].sum() == 0
    e = score_summary(pd.DataFrame(columns=["code", "score"]), scale="0-10")
    assert e.nps is None and e.promoters == 0 and e.note
    one = score_summary(st.informants().iloc[[1]], scale="0-10")
    assert one.nps == -100.0
    assert score_by_group(pd.DataFrame(), "segment").empty
