"""The research-process and development-work artefacts in the report: the research process
(A21), the current state (A10), workshop records (A16), workgroups (A17), the maturity
ladder (A26), the customer journey (A20), the type comparison, the reliability and ethics
evaluation (A29) and the interview entries of the reference list (A22).

Each is built once as a :class:`~qualcode.report.tables.Table` (:func:`artefact_tables`);
:func:`add_artefact_sheets` lays them out as workbook sheets (``Taulukko N.``) through
:mod:`qualcode.report.worksheet`, :func:`add_artefact_appendices` as Word appendices
(``Liite N.``) through :mod:`qualcode.report.docxutil`.  An artefact whose project file is
absent is left out, and :func:`missing_notes` says so in one line each.
"""
from __future__ import annotations

from typing import Optional

from ..analysis.study import Analyses, StudyFrames
from ..construct import (ReliabilityAnswers, StudyFacts, anonymisation_text, current_state_frame, maturity_frame,
                         process_frame, reliability_facts, reliability_frame, workgroups_frame, workshops_frame)
from ..construct.records import format_day
from ..labels import label
from ..sheets import safe_sheet_title
from . import docxutil
from .tables import Table, _code_name, interview_rows, typology

#: The artefacts that come from an optional project file: table key → (title label, file name).
FILE_ARTEFACTS = {
    "artefact.current": ("artefact.title.current", "nykytila.yaml"),
    "artefact.workshops": ("artefact.title.workshops", "tyopajat.yaml"),
    "artefact.workgroups": ("artefact.title.workgroups", "tyoryhmat.yaml"),
    "artefact.maturity": ("artefact.title.maturity", "maturiteetti.yaml"),
    "artefact.journey": ("artefact.title.journey", "hoitomallit.yaml (journey)"),
}
CURRENT_FILL = "FFE699"       # the maturity ladder's current level


def _records(frames: StudyFrames):
    c = frames.constructs
    return c.records if c is not None else None


def _table(key: str, frame, lang: str, wide: tuple = (), footer: Optional[list] = None) -> Table:
    name = key.split(".", 1)[1]
    return Table(key, label(f"artefact.sheet.{name}", lang), label(f"artefact.title.{name}", lang),
                 [str(c) for c in frame.columns], frame.values.tolist(), footer or [], wide=wide)


# --------------------------------------------------------------------------- the tables

def process_table(frames: StudyFrames, lang: str) -> Optional[Table]:
    """A21 from the interviews, the audit trail and ``tutkimusprosessi.yaml``."""
    rec = _records(frames)
    interviews, events = interview_rows(frames, lang), (rec.events if rec else None) or []
    if not interviews and not events:       # the audit trail alone is no research process
        return None
    frame = process_frame(interviews, frames.audit, events, lang)
    return _table("artefact.process", frame, lang, wide=(1, 3))


def reference_lines(frames: StudyFrames, lang: str, show_codes: bool = True) -> list[str]:
    """A22: one reference-list line per interview, ``<type>. <role or composition>.
    Haastattelu <d.m.yyyy>. <organisation>.``, in date order."""
    inf = frames.informants
    orgs = {}
    if inf is not None and len(inf) and {"code", "organisation"} <= set(inf.columns):
        orgs = {str(c): str(o).strip() for c, o in zip(inf["code"], inf["organisation"]) if o == o and str(o).strip()}
    kind = "artefact.references.single" if frames.individual_frames else "artefact.references.interview"
    out = []
    for r in interview_rows(frames, lang):
        if r["date"] is None:
            continue
        codes = [c.strip() for c in r["codes"].split(",") if c.strip()]
        group = len(codes) > 1
        who = r["title"] or "–"
        if show_codes and not group:
            who += f" ({codes[0]})"
        org = ", ".join(dict.fromkeys(orgs[c] for c in codes if c in orgs))
        parts = [label("artefact.references.group" if group else kind, lang), who,
                 f"{label('artefact.references.interview', lang)} {format_day(r['date'])}", org]
        out.append(" ".join(p.rstrip(".") + "." for p in parts if p))
    return out


def references_table(frames: StudyFrames, lang: str, show_codes: bool = True) -> Optional[Table]:
    lines = reference_lines(frames, lang, show_codes)
    if not lines:
        return None
    return Table("artefact.references", label("artefact.sheet.references", lang),
                 label("artefact.title.references", lang), [label("artefact.references.line", lang)],
                 [[x] for x in lines], wide=(0,))


def reliability_table(frames: StudyFrames, lang: str) -> Optional[Table]:
    """A29: the facts qualcode computes and the researcher's answers (``luotettavuus.yaml``);
    None for a project with neither informants, codings nor answers."""
    c = frames.constructs
    facts = (c.facts if c is not None else None) or StudyFacts()
    rec = _records(frames)
    answers: Optional[ReliabilityAnswers] = rec.reliability if rec else None
    if answers is None and not len(frames.informants) and not len(frames.codings):
        return None
    computed = reliability_facts(interview_rows(frames, lang), frames.informants,
                                 frames.coding_basis.statement(lang), facts.agreement,
                                 anonymisation_text(frames.audit, facts.pseudonymise_reports, lang),
                                 frames.codebook, facts.analysis_mode, lang)
    footer = [] if answers is not None else [[label("artefact.missing.answers", lang)]]
    return _table("artefact.reliability", reliability_frame(computed, answers, lang), lang, wide=(2,), footer=footer)


def current_table(frames: StudyFrames, lang: str) -> Optional[Table]:
    rec = _records(frames)
    state = rec.current_state(lang) if rec else None
    if state is None:
        return None
    footer = [[label("artefact.current.from_workshops", lang, sources=state.source)]] if state.source else []
    t = _table("artefact.current", current_state_frame(state, lang), lang, wide=(1,), footer=footer)
    if state.title:
        t.title = state.title.rstrip(".") + "."
    return t


def workshops_table(frames: StudyFrames, lang: str) -> Optional[Table]:
    rec = _records(frames)
    if rec is None or not rec.workshops:
        return None
    return _table("artefact.workshops", workshops_frame(rec.workshops, lang), lang, wide=(3, 5))


def workgroups_table(frames: StudyFrames, lang: str) -> Optional[Table]:
    rec = _records(frames)
    if rec is None or not rec.workgroups:
        return None
    return _table("artefact.workgroups", workgroups_frame(rec.workgroups, lang), lang, wide=(1, 2))


def maturity_table(frames: StudyFrames, lang: str) -> Optional[Table]:
    rec = _records(frames)
    m = rec.maturity if rec else None
    if m is None:
        return None
    footer = [[label("artefact.maturity.summary", lang, level=m.current, n=len(m.levels), name=m.current_name)]]
    if m.justification:
        footer.append([f"{label('artefact.maturity.justification', lang)}: {m.justification}"])
    t = _table("artefact.maturity", maturity_frame(m, lang), lang, wide=(2,), footer=footer)
    if m.title:
        t.title = m.title.rstrip(".") + "."
    return t


def journey_table(frames: StudyFrames, lang: str) -> Optional[Table]:
    c = frames.constructs
    frame = c.journey_table(lang) if c is not None else None
    if frame is None:
        return None
    return _table("artefact.journey", frame, lang, wide=tuple(range(1, len(frame.columns))))


def type_comparison_table(analyses: Analyses, lang: str) -> Optional[Table]:
    """Types × features turned on its side: one row per feature (the informant count, each
    code's share of the type's informants, the attributes), one column per type."""
    frames = analyses.frames
    typ = typology(analyses, lang)
    if typ is None or not len(typ.types):
        return None
    comp = typ.comparison()
    header = [label("artefact.types.feature", lang)] + [str(t) for t in comp.index]
    rows = []
    for col in comp.columns:
        name = label("artefact.types.n", lang) if col == "n" else _code_name(frames.codebook, col)
        rows.append([name] + [_share(v, col == "n") for v in comp[col]])
    return Table("artefact.type_comparison", label("artefact.sheet.type_comparison", lang),
                 label("artefact.title.type_comparison", lang), header, rows,
                 [[label("artefact.types.note", lang)]])


def _share(value, count: bool) -> object:
    if count:
        return int(value)
    if isinstance(value, float):
        return f"{round(value * 100)} %"
    return value


def artefact_tables(source, lang: Optional[str] = None, show_codes: bool = True) -> list[Table]:
    """Every artefact the project has, in report order."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    tables = [process_table(frames, lang), current_table(frames, lang), workshops_table(frames, lang),
              workgroups_table(frames, lang), maturity_table(frames, lang), journey_table(frames, lang),
              type_comparison_table(analyses, lang), reliability_table(frames, lang),
              references_table(frames, lang, show_codes)]
    return [t for t in tables if t is not None]


def missing_notes(source, lang: Optional[str] = None) -> list[str]:
    """One line per artefact left out because its project file is absent."""
    frames = Analyses.of(source).frames
    lang = lang or frames.language
    present = {t.key for t in (current_table(frames, lang), workshops_table(frames, lang),
                               workgroups_table(frames, lang), maturity_table(frames, lang),
                               journey_table(frames, lang)) if t is not None}
    return [label("artefact.missing", lang, title=label(title, lang).rstrip("."), file=name)
            for key, (title, name) in FILE_ARTEFACTS.items() if key not in present]


# --------------------------------------------------------------------------- xlsx

def add_artefact_sheets(workbook, source, lang: Optional[str] = None, caption_start: int = 1,
                        show_codes: bool = True) -> int:
    """Add one sheet per artefact (captions numbered from ``caption_start``); returns the next number."""
    from .worksheet import write_table    # openpyxl: a Word report does not load it

    n = caption_start
    for t in artefact_tables(source, lang, show_codes):
        ws = workbook.create_sheet(safe_sheet_title(t.sheet, workbook))
        write_table(ws, t, n, lang or Analyses.of(source).frames.language)
        if t.key == "artefact.maturity":
            _highlight_current(ws, t)
        n += 1
    return n


def _highlight_current(ws, t: Table) -> None:
    """Shade and embolden the ladder's current level."""
    from ..sheets import fill, font

    for i, row in enumerate(t.rows):
        if row[-1]:
            for j in range(1, len(row) + 1):
                cell = ws.cell(row=3 + i, column=j)
                cell.fill = fill(CURRENT_FILL)
                cell.font = font(bold=True)


# --------------------------------------------------------------------------- docx

def add_artefact_appendices(doc, source, lang: Optional[str] = None, appendix_start: int = 1,
                            figure_start: int = 1, show_codes: bool = True) -> int:
    """Add the artefacts as appendices ``Liite N.`` (each on a new page, landscape when its
    table needs it) and return the next appendix number.  Workshop records are figures,
    captioned below as ``Kuvio N. <n>. workshopin tulokset`` numbered from ``figure_start``."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    n = appendix_start
    for t in artefact_tables(analyses, lang, show_codes):
        wide = t.key in ("artefact.journey", "artefact.type_comparison", "artefact.process")
        landscape = wide and docxutil.needs_landscape(doc, t.header, t.rows)
        docxutil.appendix_heading(doc, n, t.title.rstrip("."), lang, page_break_before=True, landscape=landscape)
        n += 1
        writer = _WRITERS.get(t.key)
        if writer is not None:
            figure_start = writer(doc, frames, t, lang, figure_start) or figure_start
        else:
            _plain(doc, frames, t, lang, figure_start)
    return n


def _plain(doc, frames, t: Table, lang: str, figure_no: int) -> None:
    docxutil.table(doc, t.header, t.rows)
    for row in t.footer:
        doc.add_paragraph(docxutil.clean(row[0]))


def _bullets(doc, items) -> list:
    bullet = docxutil.style(doc, "List Bullet", "Normal")
    return [doc.add_paragraph(docxutil.clean(item), style=bullet) for item in items]


def _workshops(doc, frames, t: Table, lang: str, figure_no: int) -> int:
    """Each record as in the theses: an upper-case title line, date, type, place and
    participants, the sections with their bullets, the figure caption below."""
    for w in _records(frames).workshops:
        block = [docxutil.bold_line(doc, (w.heading or w.name(lang)).upper())]
        facts = [(label("artefact.workshop.date", lang), format_day(w.date)),
                 (label("artefact.workshop.type", lang), w.type), (label("artefact.workshop.place", lang), w.place),
                 (label("artefact.workshop.participants", lang), ", ".join(w.participants))]
        block.append(doc.add_paragraph(docxutil.clean("; ".join(f"{k}: {v}" for k, v in facts if v))))
        for s in w.sections:
            block.append(docxutil.bold_line(doc, s.title))
            block += _bullets(doc, s.items)
        for p in block:          # the record and its caption on one page when it fits one
            p.paragraph_format.keep_with_next = True
        docxutil.caption(doc, label("caption.figure", lang, n=figure_no, title=w.caption(lang).rstrip(".") + "."))
        figure_no += 1
    return figure_no


def _current(doc, frames, t: Table, lang: str, figure_no: int) -> None:
    state = _records(frames).current_state(lang)
    for s in state.sections:
        docxutil.bold_line(doc, s.title).paragraph_format.keep_with_next = True
        _bullets(doc, s.items)
    for row in t.footer:
        doc.add_paragraph(docxutil.clean(row[0]))


def _maturity(doc, frames, t: Table, lang: str, figure_no: int) -> None:
    """The ladder, highest level on top, the current level shaded and bold."""
    m = _records(frames).maturity
    if m.model:
        doc.add_paragraph(docxutil.clean(f"{label('artefact.maturity.model', lang)}: {m.model}"))
    tbl = docxutil.table(doc, t.header[:3], [r[:3] for r in t.rows])
    for i, row in enumerate(t.rows, 1):
        if row[-1]:
            for cell in tbl.rows[i].cells:
                _shade(cell, CURRENT_FILL)
                for run in (r for p in cell.paragraphs for r in p.runs):
                    run.bold = True
    for row in t.footer:
        doc.add_paragraph(docxutil.clean(row[0]))


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shd)


def _reliability(doc, frames, t: Table, lang: str, figure_no: int) -> None:
    """Per aspect a heading, the facts as bullets (``Haastateltavat: …``), then the answers."""
    aspect = None
    for name, kind, text in t.rows:
        if name != aspect:
            docxutil.heading(doc, name, level=2)
            aspect = name
        if kind == label("artefact.reliability.answer", lang):
            doc.add_paragraph(docxutil.clean(text))
        else:
            _bullets(doc, [f"{kind}: {text}"])
    for row in t.footer:
        docxutil.warning_line(doc, row[0])


def _references(doc, frames, t: Table, lang: str, figure_no: int) -> None:
    """The lines as in the reference list: a ``Haastattelut`` heading, one paragraph each."""
    from docx.shared import Cm

    docxutil.bold_line(doc, label("artefact.references.heading", lang))
    for (line,) in t.rows:
        p = doc.add_paragraph(docxutil.clean(line))
        p.paragraph_format.left_indent = Cm(1)
        p.paragraph_format.first_line_indent = Cm(-1)


_WRITERS = {"artefact.workshops": _workshops, "artefact.current": _current, "artefact.maturity": _maturity,
            "artefact.reliability": _reliability, "artefact.references": _references}
