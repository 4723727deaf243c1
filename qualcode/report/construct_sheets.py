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

Parts that are absent (None) are skipped.  Both return the next free number.  The
content is built once as :class:`~qualcode.report.tables.Table` objects
(:func:`construct_tables`); the sheets are laid out by :mod:`qualcode.report.worksheet` and
the Word tables by :mod:`qualcode.report.docxutil`, like the rest of the report.
"""
from __future__ import annotations

from typing import Optional

from ..labels import attribute_header, label
from ..sheets import caption_cell, fill, font, header_cell, safe_sheet_title, set_column_widths, write_cell
from . import docxutil
from .finnish import format_amount
from .tables import Table

FILL_IN = "FFF2CC"        # the cells a user fills in (KAM plan form)
#: The least height of an entry row in the Word KAM plan template (English Metric Units: 1.2 cm).
KAM_ENTRY_HEIGHT = 432000
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
    tables = [_segmentation_table(constructs.segmentation, lang) if constructs.segmentation is not None else None,
              _care_table(constructs, lang) if constructs.care_models else None,
              _evidence_table(evidence, lang, codebook) if evidence is not None and len(evidence) else None,
              _timeline_table(constructs.timeline, lang) if constructs.timeline is not None else None,
              _roles_table(constructs.roles, lang) if constructs.roles else None,
              _templates_table(constructs.templates, lang) if constructs.templates else None,
              _checklist_table(constructs.checklist, lang) if constructs.checklist is not None else None,
              _proposals_table(constructs.proposals, lang, codebook) if constructs.proposals else None]
    return [t for t in tables if t is not None]


def _segmentation_table(seg, lang: str) -> Table:
    """Customers with segment and basis; the counts per segment below."""
    frame = seg.to_frame(lang)
    footer = [[label("construct.counts", lang, counts=seg.summary())],
              [label("construct.segment", lang), label("construct.customers", lang)]]
    footer += [[r.segment, int(r.customers)] for r in seg.counts().itertuples()]
    # the customer list's own columns headed from the catalogue, amounts grouped (395 000)
    rows = [[format_amount(v, lang, 0 if float(v).is_integer() else 1) if _is_number(v) else v for v in row]
            for row in frame.astype(object).where(frame.notna(), None).values.tolist()]
    return Table("construct.segmentation", label("construct.sheet.segmentation", lang),
                 label("construct.title.segmentation", lang), [attribute_header(c, lang) for c in frame.columns],
                 rows, footer, wide=(2,))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _care_table(constructs, lang: str) -> Table:
    frame = constructs.care_table(lang)
    return Table("construct.care", label("construct.sheet.care", lang), label("construct.title.care", lang),
                 list(frame.columns), frame.values.tolist(), wide=(1, 2))


def _evidence_table(evidence, lang: str, codebook) -> Table:
    header = [label(k, lang) for k in ("construct.segment", "construct.action", "construct.evidence.codes",
                                        "construct.evidence.segments", "construct.evidence.informants",
                                        "construct.evidence.quotes")]
    rows = [[r["segment"], r["action"], _theme_text(list(r["evidence"]), codebook), int(r["segments"]),
             ", ".join(r["informants"]), r["quote_text"]] for r in evidence.to_dict("records")]
    return Table("construct.evidence", label("construct.sheet.evidence", lang),
                 label("construct.title.evidence", lang), header, rows, wide=(1, 5))


def _timeline_table(tl, lang: str) -> Table:
    return Table("construct.timeline", label("construct.sheet.timeline", lang),
                 label("construct.title.timeline", lang), tl.header(lang), tl.table_rows(),
                 wide=tuple(range(1, len(tl.quarters) + 2)))


def _roles_table(roles, lang: str) -> Table:
    rows = [[role.name if i == 1 else "", i, task] for role in roles for i, task in enumerate(role.tasks, 1)]
    return Table("construct.roles", label("construct.sheet.roles", lang), label("construct.title.roles", lang),
                 [label("construct.role", lang), label("construct.number", lang), label("construct.task", lang)],
                 rows, wide=(2,))


def _templates_table(templates, lang: str) -> Table:
    header = [label(k, lang) for k in ("construct.template", "construct.trigger", "construct.subject",
                                        "construct.recipient", "construct.body")]
    rows = [[t.name, t.trigger, t.subject, t.recipient, t.body] for t in templates]
    return Table("construct.templates", label("construct.sheet.templates", lang),
                 label("construct.title.templates", lang), header, rows, wide=(4,))


def _checklist_table(cl, lang: str) -> Table:
    return Table("construct.checklist", label("construct.sheet.checklist", lang),
                 cl.title or label("construct.title.checklist", lang),
                 [label("construct.number", lang), label("construct.principle", lang)],
                 [[i, item] for i, item in enumerate(cl.items, 1)], wide=(1,))


def _proposals_table(proposals, lang: str, codebook) -> Table:
    header = [label(k, lang) for k in ("construct.level", "construct.proposal", "construct.proposal_basis",
                                        "construct.responsible")]
    rows = []
    for level, items in _by_level(proposals):
        for p in items:
            basis = "; ".join(x for x in (p.basis, _theme_text(p.themes, codebook)) if x)
            rows.append([level, p.proposal, basis, p.responsible])
    return Table("construct.proposals", label("construct.sheet.proposals", lang),
                 label("construct.title.proposals", lang), header, rows, wide=(1, 2))


def _by_level(proposals) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for p in proposals:
        groups.setdefault(p.level, []).append(p)
    return list(groups.items())


def _with_period(title: str) -> str:
    return title if title.endswith((".", "!", "?")) else title + "."


# --------------------------------------------------------------------------- xlsx

def add_construct_sheets(workbook, constructs, lang: Optional[str] = None, caption_start: int = 1,
                         evidence=None, codebook=None) -> int:
    """Add the construct sheets to ``workbook`` (captions numbered from ``caption_start``) and
    return the next caption number.  ``evidence`` (from :func:`~qualcode.construct.link_evidence`)
    defaults to ``constructs.evidence``; ``codebook`` shows theme names instead of ids."""
    from .worksheet import write_table   # openpyxl: only for workbooks

    lang = lang or getattr(constructs, "language", "fi")
    n = caption_start
    tables = construct_tables(constructs, lang, evidence, codebook)
    kam_after = _kam_position([t.key for t in tables])
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


def _kam_position(keys: list[str]) -> int:
    """How many construct tables come before the KAM forms: they follow the timeline, else
    the segmentation, care models or their evidence (0: first)."""
    if "construct.timeline" in keys:
        return keys.index("construct.timeline") + 1
    return max([i + 1 for i, k in enumerate(keys)
                if k in ("construct.segmentation", "construct.care", "construct.evidence")] or [0])


def _add_kam_sheets(workbook, constructs, lang: str, n: int) -> int:
    """One fill-in sheet per key account (A14 form), captions numbered from ``n``."""
    from .worksheet import BORDER, HEADER_COLOUR, fit_row_heights, print_setup   # openpyxl: only for workbooks

    for form in constructs.kam_plans(lang):
        ws = workbook.create_sheet(safe_sheet_title(label("construct.sheet.kam", lang, account=form.account), workbook))
        caption_cell(ws, label("caption.table", lang, n=n,
                               title=label("construct.title.kam", lang, account=form.display)))
        for j, h in enumerate((label("construct.field", lang), label("construct.entry", lang)), 1):
            header_cell(ws.cell(row=2, column=j), h, HEADER_COLOUR, border=BORDER)
        r = 3
        blocks = [(label("construct.kam.basics", lang), form.basics, False)]
        blocks += [(title, fields, True) for title, fields in form.sections]
        for title, fields, fill_in in blocks:
            r = _kam_block(ws, r, title, fields, fill_in)
        set_column_widths(ws, (48, 80))
        fit_row_heights(ws, 3, r - 1)
        print_setup(ws)
        ws.freeze_panes = "A3"
        n += 1
    return n


def _kam_block(ws, r: int, title: str, fields, fill_in: bool) -> int:
    """A section of a KAM form from row ``r``: its title on a shaded row, then one row per
    field (the entries to fill in shaded); returns the next free row."""
    from openpyxl.styles import Alignment

    from .worksheet import BORDER, WRAP   # openpyxl: only for workbooks

    c = ws.cell(row=r, column=1)
    write_cell(c, title)
    c.font = font(bold=True)
    for j in (1, 2):
        ws.cell(row=r, column=j).fill = fill(SECTION)
        ws.cell(row=r, column=j).border = BORDER
    r += 1
    for field_name, value in fields:
        a, b = ws.cell(row=r, column=1), ws.cell(row=r, column=2)
        write_cell(a, field_name)
        write_cell(b, value if value != "" else None)
        a.alignment = WRAP
        b.alignment = Alignment(wrap_text=True, vertical="top")
        a.border = b.border = BORDER
        if fill_in:
            b.fill = fill(FILL_IN)
            ws.row_dimensions[r].height = 45
        r += 1
    return r


# --------------------------------------------------------------------------- docx

def add_construct_appendices(document, constructs, lang: Optional[str] = None, appendix_start: int = 1,
                             evidence=None, codebook=None, page_breaks: bool = True) -> int:
    """Add the constructs to ``document`` as appendices ``Liite N. …`` numbered from
    ``appendix_start`` (each after a page break unless ``page_breaks=False``) and return
    the next appendix number."""
    lang = lang or getattr(constructs, "language", "fi")
    n = appendix_start
    tables = {t.key: t for t in construct_tables(constructs, lang, evidence, codebook)}

    def heading(title: str, table=None) -> None:
        nonlocal n
        landscape = table is not None and docxutil.needs_landscape(document, table.header, table.rows)
        docxutil.appendix_heading(document, n, title.rstrip("."), lang, page_breaks, landscape=landscape)
        n += 1

    _table_appendices(document, constructs, tables, lang, heading)
    _kam_appendix(document, constructs, lang, heading)
    _text_appendices(document, constructs, lang, heading, codebook)
    return n


def _table_appendices(doc, constructs, tables: dict, lang: str, heading) -> None:
    """Segmentation, care models, their evidence and the timeline: tables."""
    t = tables.get("construct.segmentation")
    if t is not None:
        heading(t.title, t)
        doc.add_paragraph(docxutil.clean(t.footer[0][0]))
        docxutil.table(doc, t.footer[1], t.footer[2:])
        doc.add_paragraph("")
        docxutil.table(doc, t.header, t.rows)
    for key in ("construct.care", "construct.evidence"):
        t = tables.get(key)
        if t is not None:
            heading(t.title, t)
            docxutil.table(doc, t.header, t.rows)
    t = tables.get("construct.timeline")
    if t is not None:
        heading(t.title, t)
        docxutil.bold_line(doc, constructs.timeline.title.upper() if constructs.timeline.title
                           else label("construct.timeline.heading", lang))
        docxutil.table(doc, t.header, t.rows)


def _kam_appendix(doc, constructs, lang: str, heading) -> None:
    """The KAM plan template: the accounts, then each section's fields with empty entries."""
    forms = constructs.kam_plans(lang)
    if not forms:
        return
    heading(label("construct.title.kam_template", lang))
    doc.add_paragraph(docxutil.clean(label("construct.kam.accounts", lang,
                                           accounts=", ".join(f.display for f in forms))))
    form = forms[0]
    width = docxutil.text_width_cm(doc)
    for i, (title, fields) in enumerate([(label("construct.kam.basics", lang), form.basics)] + form.sections):
        docxutil.bold_line(doc, title)
        rows = [[f, ""] for f, _ in fields]
        tbl = docxutil.table(doc, None, rows)
        # a form to fill in: the entries get the width the field names leave, and the
        # sections' entries (not the basics) room for a few handwritten lines
        names = min(docxutil.column_needs(None, rows, 2)[0].natural, 0.45 * width)
        docxutil.set_widths(tbl, [names, width - names])
        for row in tbl.rows if i else ():
            row.height = KAM_ENTRY_HEIGHT


def _text_appendices(doc, constructs, lang: str, heading, codebook) -> None:
    """Roles, message templates, the checklist and the proposals: numbered text."""
    clean = docxutil.clean
    if constructs.roles:
        heading(label("construct.title.roles", lang))
        for role in constructs.roles:
            docxutil.bold_line(doc, role.name)
            if role.description:
                doc.add_paragraph(clean(role.description))
            for i, task in enumerate(role.tasks, 1):
                doc.add_paragraph(clean(f"{i}. {task}"))
    if constructs.templates:
        heading(label("construct.title.templates", lang))
        for tpl in constructs.templates:
            docxutil.bold_line(doc, tpl.name)
            if tpl.trigger:
                doc.add_paragraph(clean(f"{label('construct.trigger', lang)}: {tpl.trigger}"))
            docxutil.table(doc, None, tpl.field_rows(lang))
            doc.add_paragraph("")
    if constructs.checklist is not None:
        cl = constructs.checklist
        heading(cl.title or label("construct.title.checklist", lang))
        for i, item in enumerate(cl.items, 1):
            doc.add_paragraph(clean(f"{i}. {item}"))
    if constructs.proposals:
        heading(label("construct.title.proposals", lang))
        for i, (level, items) in enumerate(_by_level(constructs.proposals), 1):
            docxutil.bold_line(doc, f"{i}. {level}")
            for j, p in enumerate(items, 1):
                doc.add_paragraph(clean(_proposal_text(p, i, j, lang, codebook)))


def _proposal_text(p, i: int, j: int, lang: str, codebook) -> str:
    """``i.j Proposal. Peruste/teema: …. Vastuu: ….``"""
    extra = "; ".join(x for x in (p.basis, _theme_text(p.themes, codebook)) if x)
    text = f"{i}.{j} {_with_period(p.proposal)}"
    if extra:
        text += f" {label('construct.proposal_basis', lang)}: {extra}."
    if p.responsible:
        text += f" {label('construct.responsible', lang)}: {p.responsible}."
    return text
