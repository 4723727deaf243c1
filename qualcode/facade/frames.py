"""One read of a project for one operation: :class:`~qualcode.analysis.study.StudyFrames`.

Every frame (segments, resolved codings, informants, sources, audit) is read from the store
once, the codebook parsed once, and every project file that steers an analysis or a report
(tyypit.yaml, the interview frames, the construct files) is read here and nowhere else.
"""
from __future__ import annotations

from typing import Optional

from ..errors import QualcodeError
from ..labels import check_language


def study_frames(project, lang: Optional[str] = None, include_suggested: bool = False, codebook=None,
                 link_constructs: bool = True, *, report: bool = True, codebook_required: Optional[bool] = None):
    """Everything the analyses and reports of one operation read, each read once: segments,
    resolved codings, informants, the codebook, the type rules (tyypit.yaml) and the
    researcher's trends (trendit.yaml); for a ``report`` also sources, the audit trail, the
    interview frames, the SWOT conclusions and actions (swot.yaml), the title and the
    construct files (their care actions linked to the coded data unless ``link_constructs``
    is False).  ``lang`` is the language of the results (default: the project's).  Without a
    codebook a report goes on without one; the analyses need one (``codebook_required``
    overrides)."""
    from ..analysis.study import CodingBasis, StudyFrames
    from ..report.inputs import find_frames, read_type_rules

    from ..coding.resolve import resolve_codings

    language = project.config.language
    raw = project.codings()         # read once: resolved here, compared for the agreement figures
    every = resolve_codings(raw, project.config.coder, include_suggested=True)   # suggestions too, to count them
    counted = every if include_suggested else every[every["status"] != "suggested"].reset_index(drop=True)
    frames = StudyFrames(
        language=check_language(lang or language), data_language=language,
        segments=project.segments(), codings=counted, basis=CodingBasis.of(every, include_suggested),
        informants=project.informants(), codebook=_codebook(project, codebook, required=not report if codebook_required is None else codebook_required),
        type_rules=read_type_rules(project.root), include_suggested=include_suggested, root=project.root,
        lemmatize=project._annotator(language).lemma)
    frames.researcher_trends = read_trend_file(project.root, frames.codebook)
    if report:
        frames.swot_plan = read_swot_file(project.root, frames.codebook)     # only reports show it
        frames.title = project.config.title or project.root.name
        frames.sources, frames.audit = project.sources(), project.audit()
        frames.interview_frames = find_frames(project.root)
        frames.constructs = constructs_of(project, frames, link=link_constructs, keep_empty=True)
        frames.constructs.facts = study_facts(project, raw, frames.segments)
    return frames


#: The researcher's trends (A5), read from the project folder.
TREND_FILES = ("trendit.yaml", "trendit.yml", "trends.yaml", "trends.yml")


def _read_first(root, names, parse, codebook):
    """``parse(data, path, codebook)`` of the first of ``names`` in the project folder, else None."""
    from ..yamlutil import read_yaml

    for name in names:
        path = root / name
        if path.is_file():
            return parse(read_yaml(path), str(path), codebook)
    return None


def read_trend_file(root, codebook=None):
    """The researcher's trends of the project's ``trendit.yaml`` (None without the file)."""
    from ..analysis.trends import parse_trends

    return _read_first(root, TREND_FILES, parse_trends, codebook)


#: The researcher's SWOT conclusions and actions, read from the project folder.
SWOT_FILES = ("swot.yaml", "swot.yml")


def read_swot_file(root, codebook=None):
    """The conclusions and actions of the project's ``swot.yaml`` (None without the file)."""
    from ..analysis.swot import parse_swot_plan

    return _read_first(root, SWOT_FILES, parse_swot_plan, codebook)


def study_facts(project, codings, segments):
    """What the reliability section (A29) needs beyond the frames: agreement between two
    human coders, else between the automatic coder and the researcher on the segments the
    researcher coded (from ``codings``, every coder's, and ``segments`` already read);
    whether reports are pseudonymised; the analysis mode."""
    from ..construct import StudyFacts
    from ..model import CONSENSUS_CODER, MACHINE_CODERS
    from .agreement import agreement_of

    coders = list(dict.fromkeys(c for c in codings["coder"] if c not in MACHINE_CODERS and c != CONSENSUS_CODER))
    agreement = None
    pair = coders[:2] if len(coders) >= 2 else (["auto", coders[0]] if coders and "auto" in set(codings["coder"])
                                                 else None)
    if pair is not None:
        units = sorted(set(codings.loc[codings["coder"] == pair[-1], "segment_id"]))
        overall = agreement_of(codings, segments, pair, units=units, pooled_only=True).iloc[-1]
        agreement = {"coders": pair, "units": int(overall["units"]), "percent": float(overall["percent_agreement"]),
                     "kappa": float(overall["cohen_kappa"]), "alpha": float(overall["krippendorff_alpha"])}
    return StudyFacts(agreement, bool(project.config.pseudonymise), project.config.analysis_mode)


def codebook_frames(project, lang: Optional[str] = None):
    """Frames holding only the language and the project's codebook (None when it has none):
    enough to check construct files without reading any coded data."""
    from ..analysis.study import StudyFrames

    language = project.config.language
    return StudyFrames(language=check_language(lang or language), data_language=language,
                       codebook=_codebook(project, required=False), root=project.root)


def _codebook(project, codebook=None, required: bool = True):
    """The codebook given (a path or a Codebook), else the project's; None when the project
    has none and it is not ``required``."""
    if codebook is not None or required:
        return project.codebook(codebook)
    try:
        return project.codebook()
    except QualcodeError:
        return None


def constructs_of(project, frames, link: bool = True, keep_empty: bool = False):
    """The project's construct files checked against the frames' codebook, in the frames'
    language, with the care actions linked to the frames' coded data when ``link``; None
    when the project has no construct files (unless ``keep_empty``)."""
    from ..construct import load_constructs

    c = load_constructs(project.root, codebook=frames.codebook, lang=frames.language)
    if link:
        link_constructs(c, frames)
    return c if keep_empty or not c.is_empty() else None


def link_constructs(constructs, frames) -> None:
    """Link the care actions to the coded data (when there are care models and a codebook)."""
    if constructs is not None and constructs.care_models and frames.codebook is not None:
        constructs.link(frames)
