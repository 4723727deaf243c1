"""StudyFrames and Analyses: one set of arguments per analysis, the type rules of the frames,
results computed once, and the same answers as the analysis functions called by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from qualcode import analysis
from qualcode.analysis.study import Analyses, StudyFrames
from test_analysis_study import codebook, codings, informants, segments

RULES = {"types": [{"name": "Kumppanit", "rules": {"attributes": {"role": "kumppani"}}}]}


@pytest.fixture
def frames():
    cods = codings()     # resolved as a project resolves them: counted codings, one per segment and code
    cods = cods[cods["status"].isin(["accepted", "manual"])].drop_duplicates(["segment_id", "code_id"])
    return StudyFrames(segments=segments(), codings=cods, informants=informants(), codebook=codebook(),
                       language="fi", data_language="fi")


def test_each_analysis_is_the_function_with_the_frames(frames):
    an = Analyses(frames)
    kw = {"segments": frames.segments}
    pd.testing.assert_frame_equal(
        an.themes(), analysis.code_frequencies(frames.codings, frames.segments, frames.informants, frames.codebook))
    pd.testing.assert_frame_equal(
        an.swot().to_frame(),
        analysis.swot(frames.codings, frames.codebook, informants=frames.informants, **kw).to_frame())
    pd.testing.assert_frame_equal(
        an.trends(level="code"),
        analysis.trends(frames.codings, frames.codebook, informants=frames.informants, level="code", **kw))
    pd.testing.assert_frame_equal(
        an.group_matrix("segment"),
        analysis.group_code_matrix(frames.codings, frames.informants, "segment", frames.codebook, **kw))
    assert an.scores().n == 4
    assert set(an.quote_checks()) == {"near_duplicates", "unattributed"}


def test_results_are_computed_once_per_arguments(frames, monkeypatch):
    calls = []
    original = analysis.study._swot

    def counted(*args, **kwargs):
        calls.append(kwargs.get("lang"))
        return original(*args, **kwargs)

    monkeypatch.setattr(analysis.study, "_swot", counted)
    an = Analyses(frames)
    assert an.swot() is an.swot() is Analyses.of(an).swot()
    an.swot("en")
    assert calls == ["fi", "en"]
    assert Analyses(frames).swot() is not an.swot()     # a new Analyses computes afresh


def test_types_follow_the_frames_rules_unless_clusters_are_asked_for(frames):
    clustered = Analyses(frames).types()
    assert all(t.name.startswith("Tyyppi") for t in clustered.types)
    frames.type_rules = RULES
    an = Analyses(frames)
    assert [t.name for t in an.types().types] == ["Kumppanit"]
    assert an.types().members("Kumppanit") == ["H3"]
    assert all(t.name.startswith("Tyyppi") for t in an.types(k=2).types)
    own = {"types": [{"name": "Asiakkaat", "rules": {"attributes": {"role": "asiakas"}}}]}
    assert an.types(rules=own).members("Asiakkaat") == ["H1", "H2", "H4"]


def test_labels_follow_the_frames_language(frames):
    frames.language = "en"
    assert Analyses(frames).reduction().columns[0] == "Original expression"
    assert Analyses(frames).reduction(lang="fi").columns[0] == "Alkuperäinen ilmaus"


def test_interview_frames_by_kind():
    class Frame:
        def __init__(self, is_group):
            self.is_group = is_group

    one, group = Frame(False), Frame(True)
    frames = StudyFrames(interview_frames=[group, one], language="en")
    assert frames.individual_frames == [one] and frames.group_frames == [group]
    assert frames.frame_language == "en"
    assert StudyFrames(language="en", data_language="fi").frame_language == "fi"
