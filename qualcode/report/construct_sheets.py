"""The care-model constructs in the report: sheets for the workshop workbook and
appendices for the Word report (see :mod:`qualcode.construct`).

* :func:`add_construct_sheets` adds to an openpyxl ``Workbook``: ``Segmentointi``
  (customers, segment, basis, attributes; counts per segment below), ``Hoitomallit``
  (A13), ``Hoitomallin perusteet`` (evidence, when linked), ``Aikataulu`` (A15: first
  header cell empty, ``Q3/2025`` …, ``Vastuu ja seuranta``), one ``KAM …`` sheet per key
  account (A14 form), ``Roolit`` (A18), ``Viestipohjat`` (A19), ``Muistilista`` (A24) and
  ``Kehitysehdotukset`` (A11).  Each sheet has the caption ``Taulukko N. …`` in row 1.
* :func:`add_construct_appendices` adds the same content to a python-docx ``Document``
  as ``Liite N. …`` appendices.

Parts that are absent (None) are skipped.  Both return the next free number.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from ..labels import label
from .tables import Table

_INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
FILL_IN = "FFF2CC"        # the cells a user fills in (KAM plan form)
SECTION = "D9E1F2"


# --------------------------------------------------------------------------- tables

def _theme_text(ids: list[str], codebook) -> str:
    if codebook is None:
        return ", ".join(ids)
    out = []
    for cid in ids:
        code = codebook.get(cid) if hasattr(codebook, "get") else None
        out.append(code.name if code is not None and getattr(code, "name", "") else cid)
    return ", ".join(out)


def construct_tables(constructs, lang: Optional[str] = None, evidence=None, codebook=None) -> list[Table]:
    """The constructs as :class:`~qualcode.report.tables.Table` objects (KAM forms excluded;
    see :meth:`qualcode.construct.Constructs.kam_plans`)."""
    lang = lang or getattr(constructs, "language", "fi")
    evidence = evidence if evidence is not None else getattr(constructs, "evidence", None)
    out: list[Table] = []
    seg = constructs.segmentation
    if seg is not None:
        frame = seg.to_frame(lang)
        counts = seg.counts()
        footer = [[label("construct.counts", lang, counts=seg.summary())],
                  [label("construct.segment", lang), label("construct.customers", lang)]]
        footer += [[r.segment, int(r.customers)] for r in counts.itertuples()]
        out.append(Table("construct.segmentation", label("construct.sheet.segmentation", lang),
                         label("construct.title.segmentation", lang), [str(c) for c in frame.columns],
                         frame.astype(object).where(frame.notna(), None).values.tolist(), footer, wide=(2,)))
    if constructs.care_models:
        frame = constructs.care_table(lang)
        out.append(Table("construct.care", label("construct.sheet.care", lang), label("construct.title.care", lang),
                         list(frame.columns), frame.values.tolist(), wide=(1, 2)))
    if evidence is not None and len(evidence):
        header = [label(k, lang) for k in ("construct.segment", "construct.action", "construct.evidence.codes",
                                            "construct.evidence.segments", "construct.evidence.informants",
                                            "construct.evidence.quotes")]
        rows = [[r["segment"], r["action"], _theme_text(list(r["evidence"]), codebook), int(r["segments"]),
                 ", ".join(r["informants"]), r["quote_text"]] for r in evidence.to_dict("records")]
        out.append(Table("construct.evidence", label("construct.sheet.evidence", lang),
                         label("construct.title.evidence", lang), header, rows, wide=(1, 5)))
    if constructs.timeline is not None:
        tl = constructs.timeline
        out.append(Table("construct.timeline", label("construct.sheet.timeline", lang),
                         label("construct.title.timeline", lang), tl.header(lang), tl.table_rows(),
                         wide=tuple(range(1, len(tl.quarters) + 2))))
    if constructs.roles:
        rows = []
        for role in constructs.roles:
            for i, task in enumerate(role.tasks, 1):
                rows.append([role.name if i == 1 else "", i, task])
        out.append(Table("construct.roles", label("construct.sheet.roles", lang), label("construct.title.roles", lang),
                         [label("construct.role", lang), label("construct.number", lang), label("construct.task", lang)],
                         rows, wide=(2,)))
    if constructs.templates:
        header = [label(k, lang) for k in ("construct.template", "construct.trigger", "construct.subject",
                                            "construct.recipient", "construct.body")]
        rows = [[t.name, t.trigger, t.subject, t.recipient, t.body] for t in constructs.templates]
        out.append(Table("construct.templates", label("construct.sheet.templates", lang),
                         label("construct.title.templates", lang), header, rows, wide=(4,)))
    if constructs.checklist is not None:
        cl = constructs.checklist
        out.append(Table("construct.checklist", label("construct.sheet.checklist", lang),
                         cl.title or label("construct.title.checklist", lang),
                         [label("construct.number", lang), label("construct.principle", lang)],
                         [[i, item] for i, item in enumerate(cl.items, 1)], wide=(1,)))
    if constructs.proposals:
        header = [label(k, lang) for k in ("construct.level", "construct.proposal", "construct.proposal_basis",
                                            "construct.responsible")]
        rows = []
        for level, items in _by_level(constructs.proposals):
            for p in items:
                basis = "; ".join(x for x in (p.basis, _theme_text(p.themes, codebook)) if x)
                rows.append([level, p.proposal, basis, p.responsible])
        out.append(Table("construct.proposals", label("construct.sheet.proposals", lang),
                         label("construct.title.proposals", lang), header, rows, wide=(1, 2)))
    return out


def _by_level(proposals) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for p in proposals:
        groups.setdefault(p.level, []).append(p)
    return list(groups.items())


def _with_period(title: str) -> str:
    return title if title.endswith((".", "!", "?")) else title + "."


# --------------------------------------------------------------------------- xlsx

def safe_sheet_title(name: str, workbook) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of ``[]:*?/\\``), unique in the workbook."""
    used = {ws.title.lower() for ws in workbook.worksheets}
    base = _INVALID_SHEET.sub("_", _ILLEGAL.sub("", str(name))).strip().strip("'")[:31] or "Sheet"
    title, i = base, 2
    while title.lower() in used:
        suffix = f" ({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    return title


def add_construct_sheets(workbook, constructs, lang: Optional[str] = None, caption_start: int = 1,
                         evidence=None, codebook=None) -> int:
    """Add the construct sheets to ``workbook`` (captions numbered from ``caption_start``) and
    return the next caption number.  ``evidence`` (from :func:`~qualcode.construct.link_evidence`)
    defaults to ``constructs.evidence``; ``codebook`` shows theme names instead of ids."""
    from .xlsx import write_table

    lang = lang or getattr(constructs, "language", "fi")
    n = caption_start
    tables = construct_tables(constructs, lang, evidence, codebook)
    keys = [t.key for t in tables]     # the KAM forms follow the timeline (or the care models)
    if "construct.timeline" in keys:
        kam_after = keys.index("construct.timeline") + 1
    else:
        kam_after = max([i + 1 for i, k in enumerate(keys)
                         if k in ("construct.segmentation", "construct.care", "construct.evidence")] or [0])
    if kam_after == 0:
        n = _add_kam_sheets(workbook, constructs, lang, n)
    for i, table in enumerate(tables):
        ws = workbook.create_sheet(safe_sheet_title(table.sheet, workbook))
        write_table(ws, table, n, lang)
        if table.key == "construct.timeline":
            ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 14)
        n += 1
        if i + 1 == kam_after:
            n = _add_kam_sheets(workbook, constructs, lang, n)
    return n


def _add_kam_sheets(workbook, constructs, lang: str, n: int) -> int:
    from openpyxl.styles import Alignment, Font, PatternFill

    from .xlsx import BORDER, HEADER_FILL, WRAP, set_cell

    for form in constructs.kam_plans(lang):
        ws = workbook.create_sheet(safe_sheet_title(label("construct.sheet.kam", lang, account=form.account), workbook))
        set_cell(ws.cell(row=1, column=1), label("caption.table", lang, n=n,
                                                 title=label("construct.title.kam", lang, account=form.display)))
        ws.cell(row=1, column=1).font = Font(bold=True, size=12)
        for j, h in enumerate((label("construct.field", lang), label("construct.entry", lang)), 1):
            c = ws.cell(row=2, column=j)
            set_cell(c, h)
            c.font = Font(bold=True)
            c.fill = HEADER_FILL
            c.border = BORDER
        r = 3
        blocks = [(label("construct.kam.basics", lang), form.basics, False)]
        blocks += [(title, fields, True) for title, fields in form.sections]
        for title, fields, fill_in in blocks:
            c = ws.cell(row=r, column=1)
            set_cell(c, title)
            c.font = Font(bold=True)
            for j in (1, 2):
                ws.cell(row=r, column=j).fill = PatternFill("solid", fgColor=SECTION)
                ws.cell(row=r, column=j).border = BORDER
            r += 1
            for field_name, value in fields:
                a, b = ws.cell(row=r, column=1), ws.cell(row=r, column=2)
                set_cell(a, field_name)
                set_cell(b, value if value != "" else None)
                a.alignment = WRAP
                b.alignment = Alignment(wrap_text=True, vertical="top")
                a.border = b.border = BORDER
                if fill_in:
                    b.fill = PatternFill("solid", fgColor=FILL_IN)
                    ws.row_dimensions[r].height = 45
                r += 1
        ws.column_dimensions["A"].width = 48
        ws.column_dimensions["B"].width = 80
        ws.freeze_panes = "A3"
        n += 1
    return n


# --------------------------------------------------------------------------- docx

def _clean(text: Any) -> str:
    return _ILLEGAL.sub("", "" if text is None else str(text))


def _style(doc, name: str, fallback: Optional[str] = None):
    try:
        return doc.styles[name]
    except KeyError:
        return doc.styles[fallback] if fallback else None


def _doc_table(doc, header: Optional[list], rows: list[list[Any]]):
    ncols = len(header) if header else max((len(r) for r in rows), default=1)
    table = doc.add_table(rows=0, cols=ncols)
    style = _style(doc, "Table Grid")
    if style is not None:
        table.style = style
    if header is not None:
        for c, h in zip(table.add_row().cells, header):
            c.text = _clean(h)
            for run in c.paragraphs[0].runs:
                run.bold = True
    for row in rows:
        for c, v in zip(table.add_row().cells, row):
            c.text = _clean(v)
    return table


def _bold(doc, text: str):
    p = doc.add_paragraph()
    p.add_run(_clean(text)).bold = True
    return p


def _appendix_heading(doc, number: int, title: str, lang: str, page_break: bool) -> None:
    if page_break:
        from docx.enum.text import WD_BREAK

        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading(_clean(label("caption.appendix", lang, n=number, title=title.rstrip("."))), level=1)


def add_construct_appendices(document, constructs, lang: Optional[str] = None, appendix_start: int = 1,
                             evidence=None, codebook=None, page_breaks: bool = True) -> int:
    """Add the constructs to ``document`` as appendices ``Liite N. …`` numbered from
    ``appendix_start`` (each after a page break unless ``page_breaks=False``) and return
    the next appendix number."""
    lang = lang or getattr(constructs, "language", "fi")
    n = appendix_start
    tables = {t.key: t for t in construct_tables(constructs, lang, evidence, codebook)}

    def heading(title: str) -> None:
        nonlocal n
        _appendix_heading(document, n, title, lang, page_breaks)
        n += 1

    t = tables.get("construct.segmentation")
    if t is not None:
        heading(t.title)
        document.add_paragraph(_clean(t.footer[0][0]))
        _doc_table(document, t.footer[1], t.footer[2:])
        document.add_paragraph("")
        _doc_table(document, t.header, t.rows)
    for key in ("construct.care", "construct.evidence"):
        t = tables.get(key)
        if t is not None:
            heading(t.title)
            _doc_table(document, t.header, t.rows)
    t = tables.get("construct.timeline")
    if t is not None:
        heading(t.title)
        _bold(document, constructs.timeline.title.upper() if constructs.timeline.title
              else label("construct.timeline.heading", lang))
        _doc_table(document, t.header, t.rows)
    forms = constructs.kam_plans(lang)
    if forms:
        heading(label("construct.title.kam_template", lang))
        document.add_paragraph(_clean(label("construct.kam.accounts", lang,
                                             accounts=", ".join(f.display for f in forms))))
        form = forms[0]
        basics = [(f, "") for f, _ in form.basics]
        for title, fields in [(label("construct.kam.basics", lang), basics)] + form.sections:
            _bold(document, title)
            _doc_table(document, None, [[f, ""] for f, _ in fields])
    if constructs.roles:
        heading(label("construct.title.roles", lang))
        for role in constructs.roles:
            _bold(document, role.name)
            if role.description:
                document.add_paragraph(_clean(role.description))
            for i, task in enumerate(role.tasks, 1):
                document.add_paragraph(_clean(f"{i}. {task}"))
    if constructs.templates:
        heading(label("construct.title.templates", lang))
        for tpl in constructs.templates:
            _bold(document, tpl.name)
            if tpl.trigger:
                document.add_paragraph(_clean(f"{label('construct.trigger', lang)}: {tpl.trigger}"))
            _doc_table(document, None, tpl.field_rows(lang))
            document.add_paragraph("")
    if constructs.checklist is not None:
        cl = constructs.checklist
        heading(cl.title or label("construct.title.checklist", lang))
        for i, item in enumerate(cl.items, 1):
            document.add_paragraph(_clean(f"{i}. {item}"))
    if constructs.proposals:
        heading(label("construct.title.proposals", lang))
        for i, (level, items) in enumerate(_by_level(constructs.proposals), 1):
            _bold(document, f"{i}. {level}")
            for j, p in enumerate(items, 1):
                extra = "; ".join(x for x in (p.basis, _theme_text(p.themes, codebook)) if x)
                text = f"{i}.{j} {_with_period(p.proposal)}"
                if extra:
                    text += f" {label('construct.proposal_basis', lang)}: {extra}."
                if p.responsible:
                    text += f" {label('construct.responsible', lang)}: {p.responsible}."
                document.add_paragraph(_clean(text))
    return n
