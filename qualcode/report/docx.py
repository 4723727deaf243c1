"""The Word report in the Finnish thesis style: the interview table (caption
``Taulukko 1. Haastattelut.`` above the table), themed results with quotes ending in
the informant code, figures with ``Kuvio N. …`` captions below them, and the
appendices: ``Liite 1. Haastattelurunko`` (numbered questions, scales shown), the group
theme interview frame (upper-case heading, unit, date, participants in the partitive
after numerals, ``TEEMA n`` with bullet questions) and the ``TRENDI | KOMMENTTI``
results table.  English labels with ``lang="en"``.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Optional, Union

from ..analysis.quotes import centre_column
from ..analysis.study import Analyses, StudyFrames
from ..fileutil import atomic_output, is_missing
from ..labels import counted, label
from .artefacts import add_artefact_appendices, missing_notes
from .construct_sheets import add_construct_appendices
from .docxutil import (appendix_heading, bold_line, caption, clean, figure_slot, heading, needs_landscape,
                       new_document, place_figure, start_page, style, table, warning_line)
from .finnish import format_date, role_after_count
from .inputs import InterviewFrame
from .tables import (_code_name, interviews_table, quote_records, swot_evidence_table, swot_plan_table,
                     trend_title, trends_table)

PathLike = Union[str, Path]
Source = Union[StudyFrames, Analyses]


# --------------------------------------------------------------------------- appendices

def add_individual_frame(doc, frame: InterviewFrame, number: int, lang: str, default_language: str = "fi") -> None:
    """``Liite N. Haastattelurunko``: the intro, then the questions numbered 1., 2., …
    across themes (theme titles as bold lines), scale questions ending in ``(1–10)``."""
    title = frame.display_title(lang, default_language)
    appendix_heading(doc, number, title, lang, page_break_before=True)
    if frame.intro:
        doc.add_paragraph(clean(frame.intro))
    n = 0
    for theme in frame.themes:
        if theme.title:
            bold_line(doc, theme.title)
        for q in theme.questions:
            n += 1
            doc.add_paragraph(_question_text(n, q, lang))
    for q in frame.closing:
        n += 1
        doc.add_paragraph(_question_text(n, q, lang))


def _question_text(n: int, q, lang: str) -> str:
    text = f"{n}. {q.text}"
    if q.scale_text:
        text += " " + label("report.frame.scale", lang, scale=q.scale_text)
    return clean(text)


def add_group_frame(doc, frame: InterviewFrame, number: int, lang: str, default_language: str = "fi") -> None:
    """The group theme interview frame: ``Liite N. …``, the upper-case heading, unit,
    date (``d.m.yyyy``), ``Osallistujat:`` with a count | role table (no header row;
    roles in the partitive after numerals above one), then ``TEEMA n``, the theme
    title and the questions as bullets."""
    title = frame.display_title(lang, default_language)
    appendix_heading(doc, number, title, lang, page_break_before=True)
    bold_line(doc, title.upper())
    if frame.unit:
        doc.add_paragraph(clean(frame.unit))
    if frame.date:
        doc.add_paragraph(format_date(frame.date))
    if frame.participants:
        doc.add_paragraph(label("report.frame.participants", lang))
        table(doc, None, [[str(p.count), role_after_count(p.count, p.role, lang, p.partitive, p.plural)]
                          for p in frame.participants])
    for i, theme in enumerate(frame.themes, 1):
        bold_line(doc, label("report.frame.theme", lang, n=i))
        if theme.title:
            doc.add_paragraph(clean(theme.title))
        for q in theme.questions:
            text = q.text + (" " + label("report.frame.scale", lang, scale=q.scale_text) if q.scale_text else "")
            doc.add_paragraph(clean(text), style=style(doc, "List Bullet", "Normal"))


def add_trend_appendix(doc, source: Source, number: int, lang: str) -> None:
    """The results appendix: a ``TRENDI | KOMMENTTI`` table, one row per trend."""
    frames = source.frames if isinstance(source, Analyses) else source
    t = trends_table(source, lang)
    header, rows = t.header[:2], [r[:2] for r in t.rows]
    appendix_heading(doc, number, trend_title(frames, lang), lang, page_break_before=True,
                     landscape=needs_landscape(doc, header, rows))
    _basis_warning(doc, frames, lang)
    for line in t.footer:          # a draft from the codings says so above the table
        warning_line(doc, line[0])
    table(doc, header, rows)


def add_swot_appendix(doc, source: Source, number: int, lang: str) -> None:
    """A8 with its evidence: per quadrant its factors, each with how many informants and
    segments raise it and up to two quotes in whole sentences ending in the informant code."""
    analyses = Analyses.of(source)
    t = swot_evidence_table(analyses, lang)
    appendix_heading(doc, number, label("report.title.swot_evidence", lang).rstrip("."), lang, page_break_before=True)
    _basis_warning(doc, analyses.frames, lang)
    quote_style = style(doc, "Quote", "Normal")
    quadrant = None
    for q, item, informants, segments, quotes in (t.rows if t is not None else []):
        if q != quadrant:
            heading(doc, q, level=2)
            quadrant = q
        p = doc.add_paragraph()
        p.add_run(clean(item)).bold = True
        p.add_run(clean(" (" + label("report.swot.informants", lang, n=counted("count.informants", informants, lang),
                                     segments=counted("count.segments", segments, lang)) + ")"))
        p.paragraph_format.keep_with_next = bool(quotes)
        for quote in filter(None, quotes.split("\n")):
            doc.add_paragraph(clean(quote), style=quote_style)
    add_swot_plan(doc, analyses, lang)


def add_swot_plan(doc, analyses: Analyses, lang: str) -> None:
    """The researcher's conclusions (numbered) and the action list (a table) of ``swot.yaml``."""
    plan = analyses.frames.swot_plan
    if plan is None:
        return
    if plan.conclusions:
        heading(doc, label("report.swot.conclusions", lang), level=2)
        for n, text in enumerate(plan.conclusions, 1):
            doc.add_paragraph(clean(f"{n}. {text}"))
    if plan.actions:
        heading(doc, label("report.swot.actions", lang), level=2)
        header = [label(k, lang) for k in ("report.swot.action", "report.swot.owner", "report.swot.when",
                                            "report.swot.based_on")]
        table(doc, header, [[a.action, a.owner, a.when, plan.basis_text(a, analyses.frames.codebook, lang)]
                            for a in plan.actions])


def _basis_warning(doc, frames: StudyFrames, lang: str) -> None:
    """The warning every analysis carries when it counts unreviewed suggestions (or has
    nothing reviewed to count)."""
    warning = frames.coding_basis.warning(lang)
    if warning:
        warning_line(doc, warning)


# --------------------------------------------------------------------------- body

def add_results(doc, source: Source, lang: str, max_quotes: int = 3) -> None:
    """Themed results: per theme a heading, how many informants raised it, and per code up
    to ``max_quotes`` quotes (see :func:`thesis_quotes`), those closest to the code's centre
    first, each ending in the informant code."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    trends = analyses.trends()
    recs = quote_records(frames)
    if not len(recs):
        return
    # within a code the quotes closest to its centre come first (TF-IDF over the lemmas)
    words = frames.codebook.language if frames.codebook is not None and frames.codebook.language else lang
    recs = recs.assign(_centre=centre_column(recs, frames.lemmatize, words))
    shared = {}
    if trends is not None and len(trends):
        shared = dict(zip(trends["code_id"], trends["shared"]))
    quote_style = style(doc, "Quote", "Normal")
    used: set = set()
    known = _informant_codes(frames)
    for theme, by_code in _by_theme_and_code(recs).items():
        heading(doc, _code_name(frames.codebook, theme), level=2)
        if theme in shared:
            doc.add_paragraph(label("report.doc.theme_share", lang, shared=shared[theme]))
        for code, rows in by_code.items():
            # closest to the centre first; rows as close keep their order
            ranked = sorted(rows, key=lambda r: r["_centre"], reverse=True)
            quotes = thesis_quotes(ranked, known, used, max_quotes)
            if not quotes:
                continue
            if code != theme:
                bold_line(doc, _code_name(frames.codebook, code) + ":")
            for quote, speaker in quotes:
                doc.add_paragraph(clean(f"{quote} {speaker}".strip()), style=quote_style)


def _by_theme_and_code(recs) -> dict:
    """The quote records as dicts, theme → code → its rows, each in the order it first
    occurs (one pass over the frame; a theme or code that is missing has no rows)."""
    out: dict = {}
    for r in recs.to_dict("records"):
        theme, code = r["theme"], r["code_id"]
        rows = out.setdefault(theme, {})
        if not (is_missing(theme) or is_missing(code)):
            rows.setdefault(code, []).append(r)
    return out


#: A paragraph that is not what an informant said: a Markdown heading, a list bullet.
_NOT_SPEECH = re.compile(r"^\s*(#|[-*•–]\s|\d+[.)]\s)")


def _informant_codes(frames: StudyFrames) -> Optional[set]:
    """The codes of the informant list (None without one)."""
    informants = frames.informants
    return set(informants["code"].astype(str)) if "code" in getattr(informants, "columns", ()) else None


def thesis_quotes(rows: list[dict], codes: Optional[set], used: set, limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` quotes of one code (``rows``: its quote records, best first) fit for a
    thesis: said by an informant of the informant list ``codes`` (not workshop notes,
    headings or bullet lists), none already quoted in an earlier section (``used`` collects
    them), one per informant first, so that the quotes show how widely the view is shared."""
    picked, speakers = [], set()
    for second_round in (False, True):
        for r in rows:
            speaker = str(r.get("speaker") or "")
            quote = " ".join(str(r.get("quote") or "").split())
            if len(picked) >= limit or not quote or quote in used or _NOT_SPEECH.match(quote):
                continue
            if codes is not None and speaker not in codes:
                continue
            if speaker in speakers and not second_round:
                continue
            picked.append((quote, speaker))
            speakers.add(speaker)
            used.add(quote)
    return picked


def build_document(source: Source, lang: Optional[str] = None, show_codes: bool = True,
                   figures: bool = True, figure_dir: Optional[Path] = None, template: Optional[PathLike] = None,
                   drawer=None):
    """The python-docx ``Document`` (see :func:`write_docx_report`); its figures are drawn into
    ``figure_dir`` by ``drawer`` (default: in this process, :class:`~.figure_worker.InlineDrawer`)."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    if drawer is None:
        from .figure_worker import InlineDrawer

        drawer = InlineDrawer()
    # the figures first: the figure process draws them while the tables below are built
    drawn = _submit_figures(analyses, lang, figure_dir, drawer) if figures and figure_dir is not None else []
    doc = new_document(template)
    if frames.title:
        doc.core_properties.title = frames.title
        doc.add_heading(clean(frames.title), level=0)
    _add_basis(doc, frames, lang)
    for note in missing_notes(analyses, lang):      # the artefacts left out, one line each
        doc.add_paragraph(clean(note))
    _add_interviews(doc, analyses, lang, show_codes)
    if frames.codings is not None and len(frames.codings):
        heading(doc, label("report.doc.results", lang), level=1)
        _basis_warning(doc, frames, lang)
        add_results(doc, analyses, lang)
    slots = _add_figures(doc, analyses, lang, drawn)
    _add_appendices(doc, analyses, lang, len(drawn), show_codes)
    drawer.finish()
    for slot, (png, _) in zip(slots, drawn):
        place_figure(slot, png)
    return doc


def _add_basis(doc, frames: StudyFrames, lang: str) -> None:
    """The coding basis on the first page: what the analyses count; a warning when they
    count unreviewed suggestions or there is nothing reviewed to count."""
    basis = frames.coding_basis
    if basis.warning(lang) and not basis.include_suggested:
        warning_line(doc, basis.statement(lang))
        return
    p = doc.add_paragraph()
    p.add_run(clean(label("report.doc.basis", lang) + ": ")).bold = True
    p.add_run(clean(basis.statement(lang)))
    if basis.warning(lang):
        warning_line(doc, basis.warning(lang))


def _add_interviews(doc, analyses: Analyses, lang: str, show_codes: bool) -> None:
    """The interview table with its caption above it, and the summary below."""
    t = interviews_table(analyses, lang, show_codes)
    if not t.rows:
        return
    heading(doc, label("report.doc.interviews", lang), level=1)
    caption(doc, label("caption.table", lang, n=1, title=t.title), keep_with_next=True)
    table(doc, t.header, t.rows)
    for row in t.footer:
        doc.add_paragraph(clean(row[0]))


def _submit_figures(analyses: Analyses, lang: str, figure_dir: Path, drawer) -> list[tuple[Path, str]]:
    """Send every figure to ``drawer``; returns the PNG each will be and its caption."""
    from .figures import figure_specs

    drawn = []
    for n, spec in enumerate(figure_specs(analyses, lang), 1):
        png, text = figure_dir / f"figure{n}.png", spec.caption(n, lang)
        drawer.submit(spec.data, png, text)
        drawn.append((png, text))
    return drawn


def _add_figures(doc, analyses: Analyses, lang: str, drawn: list[tuple[Path, str]]) -> list:
    """A place for each figure, its caption below it; returns the places (the pictures go in
    when they are drawn)."""
    if drawn:
        start_page(doc)(heading(doc, label("report.doc.figures", lang), level=1))
        _basis_warning(doc, analyses.frames, lang)
    return [figure_slot(doc, text) for _, text in drawn]     # scaled to the page when placed


def _add_appendices(doc, analyses: Analyses, lang: str, n_figures: int = 0, show_codes: bool = True) -> None:
    """The interview frames, the trend table, the constructs and the research artefacts, each
    after a page break (figures in them numbered after the ``n_figures`` before)."""
    frames = analyses.frames
    appendix = 0
    for frame in frames.individual_frames:
        appendix += 1
        add_individual_frame(doc, frame, appendix, lang, frames.frame_language)
    for frame in frames.group_frames:
        appendix += 1
        add_group_frame(doc, frame, appendix, lang, frames.frame_language)
    if len(analyses.trend_statements(lang)):
        appendix += 1
        add_trend_appendix(doc, analyses, appendix, lang)
    if len(analyses.swot(lang).items) or swot_plan_table(analyses, lang) is not None:
        appendix += 1
        add_swot_appendix(doc, analyses, appendix, lang)
    appendix += 1
    if frames.constructs is not None:
        appendix = add_construct_appendices(doc, frames.constructs, lang, appendix, codebook=frames.codebook)
    add_artefact_appendices(doc, analyses, lang, appendix, n_figures + 1, show_codes)


def write_docx_report(source: Source, path: PathLike, lang: Optional[str] = None,
                      show_codes: bool = True, figures: bool = True, template: Optional[PathLike] = None,
                      drawer=None) -> Path:
    """Write the Word report of ``source`` (the frames, or their analyses) to ``path``
    (atomically) and return the path.  ``template`` (a .docx or .dotx) gives the page size,
    margins, headers, footers and styles; without one the pages are A4.

    The figures are drawn by ``drawer``: by default a figure process started here, which
    draws them on another core while this one builds the tables (the same PNG bytes as
    drawing here); ``InlineDrawer()`` (:mod:`qualcode.report.figure_worker`) draws them in
    this process, e.g. where no second process may be started."""
    from .figure_worker import start_drawer

    target = Path(path)
    own = drawer is None and figures
    drawer = start_drawer() if own else drawer
    # a figure process still running (after an error) may hold a file in the folder on Windows
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        try:
            doc = build_document(source, lang, show_codes, figures, Path(tmp), template, drawer)
        finally:
            if own:
                drawer.close()
        with atomic_output(target) as out:
            doc.save(str(out))
    return target
