"""The demo study's reports as a thesis writer gets them: written from the researcher's review
(the demo's gold), rendered to PDF with LibreOffice and read back page by page.

Without LibreOffice the rendering tests skip, except under CI (the CI script installs it),
where a missing LibreOffice is a failure.
"""
import math
import os
import re
import shutil
import subprocess

import openpyxl
import pytest

from conftest import reviewed_demo, soffice_pdf

CM = 72 / 2.54          # PDF points per cm
A4 = (595, 842)
MIN_SCALE = 70      # percent: no sheet prints smaller


def _render_tools_or_skip():
    missing = [t for t in ("soffice", "pdftoppm") if not shutil.which(t)]
    if missing:
        message = (f"{' and '.join(missing)} not installed: the render tests need LibreOffice and poppler-utils "
                   "(the CI script installs them)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study ingested, coded and reviewed (the gold applied), with its reports."""
    project = reviewed_demo(tmp_path_factory.mktemp("render") / "tutkimus")
    folder = project.root
    out = folder / "out"
    out.mkdir()
    reports = {"docx": project.report(out / "liitteet.docx"), "xlsx": project.report(out / "raportti.xlsx")}
    yield project, reports
    project.close()


_to_pdf = soffice_pdf


@pytest.fixture(scope="module")
def pdfs(demo, tmp_path_factory):
    import pypdf

    _render_tools_or_skip()
    _, reports = demo
    outdir = tmp_path_factory.mktemp("pdf")
    return {fmt: pypdf.PdfReader(_to_pdf(path, outdir)) for fmt, path in reports.items()}


def _size(page):
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def _words(text):
    """Words split at spaces and hyphens (a line may break after a hyphen)."""
    return [w for w in re.split(r"[\s\-–]+", text) if w]


# --------------------------------------------------------------------------- Word

def test_word_pages_are_a4_and_wide_tables_landscape(pdfs):
    pages = pdfs["docx"].pages
    sizes = [_size(p) for p in pages]
    assert set(sizes) <= {A4, A4[::-1]}, set(sizes)
    landscape = [i for i, s in enumerate(sizes) if s == A4[::-1]]
    texts = [p.extract_text() for p in pages]
    # the segmentation appendix (nine columns, 88 customers) is on landscape pages …
    seg = next(i for i, t in enumerate(texts) if "Liite" in t and "Asiakassegmentointi" in t)
    assert seg in landscape
    # … its header row repeated at the top of every page it runs to …
    following = [i for i in range(seg + 1, len(texts)) if "AS-0" in texts[i] and "Liite" not in texts[i]]
    assert following and all(texts[i].lstrip().startswith("Asiakas Segmentti Peruste") for i in following)
    # … and the interview table and the interview frame are on portrait pages
    assert sizes[0] == A4 and not any("Haastattelurunko" in texts[i] for i in landscape)


def test_no_word_in_a_table_is_broken(demo, pdfs):
    import docx

    _, reports = demo
    words = {w for t in docx.Document(reports["docx"]).tables for row in t.rows for c in row.cells
             for w in _words(c.text)}
    printed = set()
    for page in pdfs["docx"].pages:
        printed.update(_words(page.extract_text()))
    broken = sorted(w for w in words if w not in printed)
    assert len(words) > 500 and not broken, broken[:20]


def _drawn_images(page):
    """(x, y, width, height) in points of every image drawn on ``page``."""
    boxes = []

    def visit(op, args, cm, tm):
        if op == b"Do":
            boxes.append((cm[4], cm[5], cm[0], cm[3]))

    page.extract_text(visitor_operand_before=visit)
    return boxes


def test_every_figure_within_the_text_area_with_its_caption(pdfs):
    pages = pdfs["docx"].pages
    figure_pages = [(p, _drawn_images(p)) for p in pages]
    figure_pages = [(p, boxes) for p, boxes in figure_pages if boxes]
    captions = [n for p in pages for n in re.findall(r"Kuvio (\d+)\.", p.extract_text())]
    # the three charts, then the workshop records of the appendices (figures drawn as text)
    assert len(figure_pages) == 3 and captions == [str(n) for n in range(1, len(captions) + 1)]
    margin = 2.5 * CM - 1
    for page, boxes in figure_pages:
        width, height = _size(page)
        assert re.search(r"Kuvio \d+\.", page.extract_text())          # the caption on the same page
        for x, y, w, h in boxes:
            assert x >= margin and y >= margin and x + w <= width - margin and y + h <= height - margin


def test_word_template_gives_page_size_margins_and_styles(demo, tmp_path):
    import docx
    from docx.shared import Cm, Pt

    _render_tools_or_skip()
    import pypdf

    project, _ = demo
    template = docx.Document()
    s = template.sections[0]
    s.page_width, s.page_height = Cm(17.6), Cm(25.0)          # B5
    s.left_margin, s.right_margin = Cm(4.0), Cm(1.5)
    heading = template.styles["Heading 1"]
    heading.font.name, heading.font.size = "Liberation Serif", Pt(20)
    template.add_paragraph("Opinnäytetyön pohjan esimerkkiteksti")
    path = tmp_path / "pohja.docx"
    template.save(path)
    out = project.report(tmp_path / "liitteet.docx", template=path)
    written = docx.Document(out)
    assert written.styles["Heading 1"].font.name == "Liberation Serif"
    assert round(written.sections[0].left_margin.cm, 1) == 4.0
    pdf = pypdf.PdfReader(_to_pdf(out, tmp_path))
    sizes = {_size(p) for p in pdf.pages}
    b5 = (round(17.6 * CM), round(25.0 * CM))
    assert sizes <= {b5, b5[::-1]} and b5[::-1] in sizes
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "esimerkkiteksti" not in text and "Liite 1." in text


# --------------------------------------------------------------------------- Excel

def test_workbook_rows_heights_print_titles_and_a4(demo):
    _, reports = demo
    wb = openpyxl.load_workbook(reports["xlsx"])
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.print_title_rows == "$2:$2", ws.title
        merged = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
        for row in ws.iter_rows(min_row=2, max_row=min(ws.max_row, 200)):
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ""
                span = merged.get((cell.row, cell.column))      # a merged cell wraps over its columns
                letters = [openpyxl.utils.get_column_letter(j)
                           for j in (range(span.min_col, span.max_col + 1) if span else [cell.column])]
                width = sum(ws.column_dimensions[c].width or 8.43 for c in letters)
                if cell.alignment.wrap_text and len(text) > 2 * width:
                    # at least the lines the text takes without any word wrapping (a width unit
                    # holds at most 1.2 characters of text), 12.75 points a line
                    lines = math.ceil(len(text) / (1.2 * width))
                    assert (ws.row_dimensions[cell.row].height or 0) >= 12.75 * lines, (ws.title, cell.coordinate)


def test_workbook_prints_readably(demo):
    """No sheet is shrunk below 70 %: what does not fit goes on over more pages."""
    _, reports = demo
    wb = openpyxl.load_workbook(reports["xlsx"])
    for ws in wb.worksheets:
        total = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width or 8.43
                    for j in range(1, ws.max_column + 1))
        room = 95 if ws.page_setup.orientation == "portrait" else 140
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            assert total * 0.7 <= room, ws.title
        else:
            assert ws.page_setup.scale >= 70, ws.title
    assert wb["Teemat"].sheet_properties.pageSetUpPr.fitToPage is False     # 39 columns: more pages


BODY_POINTS = 11      # the workbook's text size; a page printed at s % shows it at s % of this


def _printed_scales(reader) -> dict:
    """Caption number → the smallest scale (percent) at which a page of that sheet is printed,
    read off the PDF as the size the sheet's body text is drawn at (its commonest size)."""
    from collections import Counter

    scales, sheet = {}, None
    for page in reader.pages:
        sizes = Counter()

        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes[round(size * abs(tm[3]) * abs(cm[3]), 2)] += len(text)

        text = page.extract_text(visitor_text=visit)
        captions = [int(n) for n in re.findall(r"(?:Taulukko|Table) (\d+)\.", text)]
        sheet = max(captions + [sheet or 0]) or None      # a sheet's caption is on its first page
        if sizes and sheet is not None:
            scale = 100 * sizes.most_common(1)[0][0] / BODY_POINTS
            scales[sheet] = min(scale, scales.get(sheet, scale))
    return scales


def _calibri_metrics_or_skip():
    """The printed scale depends on the letters' widths: the workbook's Calibri, or Carlito
    (metric-compatible) — not another font put in its place."""
    found = (subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
             if shutil.which("fc-match") else "")
    if not re.search(r"Calibri|Carlito", found):
        message = f"no Calibri or Carlito font (fc-match gives {found.strip()!r}): the CI script installs Carlito"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def long_lines(demo, tmp_path_factory):
    """Workbooks whose captions and footers carry long lines: the demo's report counting the
    unreviewed suggestions (a red warning after every analysis caption), and the first sheet of
    a study of one-to-one interviews only (a narrow table under the long coding-basis line)."""
    from dataclasses import replace

    from qualcode.report.xlsx import build_workbook
    from qualcode.sheets import save_workbook

    _render_tools_or_skip()
    _calibri_metrics_or_skip()
    project, _ = demo
    outdir = tmp_path_factory.mktemp("long")
    suggested = project.report(outdir / "ehdotukset.xlsx", include_suggested=True)
    frames = project.analyse.frames(include_suggested=True)
    single = frames.informants[frames.informants["code"].str.fullmatch(r"H\d+")]
    wb = build_workbook(replace(frames, informants=single), show_codes=False)
    for ws in wb.worksheets[1:]:
        wb.remove(ws)
    first = save_workbook(wb, outdir / "yksilohaastattelut.xlsx")
    return {path.stem: path for path in (suggested, first)}


def test_long_captions_and_footer_lines_wrap_and_print_readably(demo, pdfs, long_lines):
    """Every sheet, as LibreOffice prints it, at 70 % or more: a caption with its warning, the
    coding basis and the missing-file lines wrap across the table instead of running on past it
    (which widens the printed area and shrinks the whole sheet with it)."""
    import pypdf

    readers = {"raportti": pdfs["xlsx"]}
    readers.update({stem: pypdf.PdfReader(_to_pdf(path, path.parent)) for stem, path in long_lines.items()})
    for stem, reader in readers.items():
        scales = _printed_scales(reader)
        assert 1 in scales and len(scales) >= (1 if stem == "yksilohaastattelut" else 30), (stem, scales)
        small = {n: round(s) for n, s in scales.items() if s < MIN_SCALE - 0.5}
        assert not small, (stem, small)
    ws = openpyxl.load_workbook(long_lines["yksilohaastattelut"]).worksheets[0]
    basis = next(c for row in ws.iter_rows() for c in row if str(c.value).startswith("Koodausperusta"))
    assert any(m.min_row == basis.row and m.min_col == 1 and m.max_col == ws.max_column
               for m in ws.merged_cells.ranges)


def test_workbook_pdf_is_a4_with_every_caption(demo, pdfs):
    _, reports = demo
    pages = pdfs["xlsx"].pages
    assert {_size(p) for p in pages} <= {A4, A4[::-1]}
    text = "\n".join(p.extract_text() for p in pages)
    captions = [ws["A1"].value for ws in openpyxl.load_workbook(reports["xlsx"]).worksheets]
    assert all(str(c).split(".")[0] + "." in text for c in captions)


# --------------------------------------------------------------------------- the coding basis

def test_demo_reports_state_their_basis_the_researchers_review(demo, pdfs):
    import docx

    project, reports = demo
    reviewed = project.coding.resolved()
    suggestions = len(project.coding.resolved(include_suggested=True)) - len(reviewed)
    assert set(reviewed["status"]) <= {"accepted", "manual", "consensus"} and len(reviewed) > 300
    statement = f"{len(reviewed)} tarkistettuun koodaukseen (tutkija); {suggestions} tarkistamatonta"
    first_page = " ".join(pdfs["docx"].pages[0].extract_text().split())
    assert statement in first_page
    ws = openpyxl.load_workbook(reports["xlsx"]).worksheets[0]
    assert any(statement in str(c.value) for row in ws.iter_rows() for c in row if c.value)
    # the quotes in the results are the researcher's codings, not suggestions
    body = "\n".join(p.text for p in docx.Document(reports["docx"]).paragraphs)
    assert "HUOM" not in body and "NOTE" not in body


def test_swot_items_carry_their_evidence(demo):
    """A8: every SWOT factor with its informant count and one or two quotes in whole sentences,
    each ending in the informant code, in the workbook and in the Word appendix."""
    import docx

    project, reports = demo
    rows = list(openpyxl.load_workbook(reports["xlsx"])["SWOT-perusteet"].iter_rows(min_row=3, values_only=True))
    items = project.analyse.swot().items
    assert len(rows) == len(items) and {r[0] for r in rows} == {"Vahvuudet", "Heikkoudet", "Mahdollisuudet", "Uhat"}
    for quadrant, factor, informants, segments, quotes in rows:
        expected = items[items["name"] == factor].iloc[0]
        assert (informants, segments) == (expected["informants"], expected["segments"])
        lines = quotes.split("\n")
        assert 1 <= len(lines) <= 2
        assert all(re.search(r"[.!?…]” \([A-Z]+\d+\)$", q) for q in lines), lines
    text = "\n".join(p.text for p in docx.Document(reports["docx"]).paragraphs)
    assert "SWOT-analyysin tekijät ja niiden perusteet aineistossa" in text
    assert re.search(r"Kilpailijat \(\d+ haastateltavaa, \d+ segmenttiä\)", text)


def test_results_quote_informants_once_each(demo):
    """The results quote what informants said (no workshop notes, headings or bullets), no
    quote twice, each ending in an informant code of the informant list."""
    import docx

    project, reports = demo
    codes = set(project.informants()["code"].astype(str))
    doc = docx.Document(reports["docx"])
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote" and not p.text.endswith(")")]
    assert len(quotes) > 50 and len(set(quotes)) == len(quotes)
    assert all(q.split()[-1] in codes for q in quotes)
    assert not any(re.match(r"\s*(#|[-*•]\s)", q) for q in quotes)
