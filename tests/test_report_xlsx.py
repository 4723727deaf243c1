"""The workshop workbook: sheets, captions, headers, values, styling, formula safety
and atomic writes, in Finnish and English."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest

from test_report_common import HYPER, inputs, study  # noqa: F401  (fixtures)

SHEETS_FI = ["Haastattelut", "Koodikirja", "Teemat", "Lainaukset", "Kokemukset", "Koulutustarpeet",
             "SWOT", "SWOT-perusteet", "Trendit", "Tyypit", "Pelkistys", "Arvosanat", "Analyysiloki"]
SHEETS_EN = ["Interviews", "Codebook", "Themes", "Quotes", "Experiences", "Training needs",
             "SWOT", "SWOT evidence", "Trends", "Types", "Reduction", "Scores", "Audit trail"]
# the research artefacts built from the data alone (tests/test_artefacts.py)
SHEETS_FI += ["Eteneminen", "Tyyppivertailu", "Luotettavuus", "Lähdeluettelo"]
SHEETS_EN += ["Process", "Type comparison", "Reliability", "References"]


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def book_fi(inputs, tmp_path):
    from qualcode.report import write_xlsx_report

    out = write_xlsx_report(inputs, tmp_path / "raportti.xlsx")
    assert out == tmp_path / "raportti.xlsx"
    return out


@pytest.fixture
def book_en(inputs, tmp_path):
    from qualcode.report import write_xlsx_report

    return write_xlsx_report(inputs, tmp_path / "report.xlsx", lang="en")


def test_sheets_captions_and_layout(book_fi):
    wb = openpyxl.load_workbook(book_fi)
    assert wb.sheetnames == SHEETS_FI
    for i, ws in enumerate(wb, 1):
        assert ws["A1"].value.startswith(f"Taulukko {i}. "), ws.title
        assert ws["A1"].value.endswith(".")
        assert ws.freeze_panes == "A3"
        assert ws.auto_filter.ref.startswith("A2:")
        header = [c for c in ws[2] if c.value]
        assert header and all(c.font.b for c in header), ws.title
        assert ws["A2"].alignment.wrap_text
        assert ws.column_dimensions["A"].width >= 8
    assert wb["Haastattelut"]["A1"].value == "Taulukko 1. Haastattelut."
    assert wb["Analyysiloki"]["A1"].value == "Taulukko 13. Analyysiloki."


def test_interview_sheet(book_fi):
    ws = openpyxl.load_workbook(book_fi)["Haastattelut"]
    rows = _rows(ws)
    assert rows[1] == ["PVM:", "Haastattelun tapa:", "Kesto:", "Titteli:", "Koodi:"]
    assert rows[2] == ["12.5.2021", "Haastattelu", "36min", "Toimitusjohtaja", "H1"]
    assert rows[3] == ["3.8.2021", "Haastattelu", "45min", "Talousjohtaja", "H2"]
    assert rows[5] == ["9.10.2021", "Ryhmähaastattelu", "60min",
                       "1 ohjelmistokehittäjä, 2 projektipäällikköä", "KE1, PP1, PP2"]
    assert rows[7][0] == "n = 4; yhteensä 181min; keskimäärin 45,3min"
    # the summary row is outside the filter range
    assert ws.auto_filter.ref == "A2:E6"
    # dates are text in d.m.yyyy, not spreadsheet dates
    assert ws["A3"].data_type == "s"


def test_codebook_and_quotes(book_fi):
    wb = openpyxl.load_workbook(book_fi)
    rows = _rows(wb["Koodikirja"])
    assert rows[1] == ["Koodi", "Teema", "Määritelmä", "Lähtökohta (aineisto/teoria)", "Avainsanat", "Esimerkki"]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["Tilannetiedon puute"][1:4] == ["Viestintä", "Asiakas ei tiedä projektin tilaa.", "aineisto"]
    assert by_name["Viestintä"][3:6] == ["teoria", "viestintä, tiedottaa", "Tietoa ei tullut."]
    q = _rows(wb["Lainaukset"])
    assert q[1][:5] == ["Teema", "Lainaus", "Koodi", "Valenssi", "Lähde"]
    rec = [r for r in q[2:] if r[1].startswith("Emme ole")][0]
    assert rec[:5] == ["Viestintä", "Emme ole saaneet mitään tilannepäivityksiä, joudumme aina kysymään itse.",
                       "Tilannetiedon puute", "Negatiivinen", "H1"]
    idea = [r for r in q[2:] if r[4] == "PP2"][0]
    assert idea[3] == "Kehitysidea"


def test_formula_text_is_literal(book_fi):
    wb = openpyxl.load_workbook(book_fi)
    ws = wb["Lainaukset"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells, "the =HYPERLINK( quote should be in the sheet"
    for c in cells:
        assert c.value == f"{HYPER} oli linkki, jonka lähetin."
        assert c.data_type == "s"
    # no formula element anywhere in the package
    with zipfile.ZipFile(book_fi) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode("utf-8"), name


def test_swot_grid(book_fi):
    ws = openpyxl.load_workbook(book_fi)["SWOT"]
    assert ws["A1"].value == "Taulukko 7. SWOT-analyysi."
    assert [ws["B2"].value, ws["C2"].value] == ["Myönteiset", "Kielteiset"]
    assert ws["B3"].value == "Vahvuudet\n- Asiantunteva kehittäjä (2)"
    assert ws["C3"].value == "Heikkoudet\n- Tilannetiedon puute (3)"
    assert ws["B4"].value == "Mahdollisuudet"
    assert ws["C4"].value == "Uhat\n- Kilpailijat (1)"
    assert ws["A3"].value == "Sisäiset tekijät" and ws["A4"].value == "Ulkoiset tekijät"
    fills = {ws[c].fill.fgColor.rgb for c in ("B3", "C3", "B4", "C4")}
    assert len(fills) == 4
    assert ws["B3"].alignment.wrap_text


def test_other_sheets(book_fi):
    wb = openpyxl.load_workbook(book_fi)
    t = _rows(wb["Trendit"])
    assert t[1] == ["TRENDI", "KOMMENTTI", "Haastateltavia"]
    # without trendit.yaml the trends are drafts from the codings, and say so
    assert t[2][0] == "Viestintä: suurin osa haastateltavista nosti aiheen esiin (4/6)." and t[2][2] == "4/6"
    assert t[2][1].endswith("(H1)")
    assert "(luonnos)" in str(t[0][0]) and any(str(r[0]).startswith("LUONNOS: trendit") for r in t[3:])
    e = _rows(wb["Kokemukset"])
    assert e[1] == ["Teema", "Positiivinen", "Negatiivinen", "Neutraali", "Ristiriitainen", "Kehitysidea",
                    "Yhteensä"]
    assert e[2] == ["Viestintä", 0, 3, 1, 0, 1, 5]
    m = _rows(wb["Teemat"])
    assert m[1][:3] == ["Haastateltava", "Titteli", "Viestintä"]
    assert m[2] == ["H1", "Toimitusjohtaja", 1, 1, 1, 0, 3]
    a = _rows(wb["Analyysiloki"])
    assert a[1] == ["Aika", "Toimija", "Toiminto", "Kohde", "Perustelu"]
    actions = [r[2] for r in a[2:]]
    assert actions[0] == "projekti luotu" and actions.count("koodattu käsin") == 8   # in the catalogue, fi
    s = _rows(wb["Arvosanat"])
    assert s[1] == ["Arvosana", "Vastauksia", "Osuus"]
    assert [r[:2] for r in s[2:12] if r[1]] == [[6, 1], [9, 1], [10, 1]]
    assert [r[2] for r in s[2:12] if r[1]] == ["33,3\u00a0%"] * 3          # a share as Finnish writes it
    assert ["Keskiarvo", "8,33"] in [r[:2] for r in s]
    r = _rows(wb["Pelkistys"])
    assert r[1][:5] == ["Alkuperäinen ilmaus", "Pelkistetty ilmaus", "Alaluokka", "Yläluokka", "Pääluokka"]
    ty = _rows(wb["Tyypit"])
    assert ty[1][0] == "Tyyppi" and len(ty) > 2


def test_english_workbook(book_en):
    wb = openpyxl.load_workbook(book_en)
    assert wb.sheetnames == SHEETS_EN
    assert wb["Interviews"]["A1"].value == "Table 1. Interviews."
    assert _rows(wb["Interviews"])[1] == ["Date:", "Interview mode:", "Duration:", "Title:", "Code:"]
    assert _rows(wb["Interviews"])[2][:3] == ["12.5.2021", "Haastattelu", "36min"]
    assert _rows(wb["Codebook"])[1] == ["Code", "Theme", "Definition", "Origin (data/theory)", "Keywords",
                                        "Example"]
    assert _rows(wb["Quotes"])[1][:5] == ["Theme", "Quote", "Code", "Valence", "Source"]
    assert _rows(wb["Trends"])[1][:2] == ["TREND", "COMMENT"]
    assert wb["SWOT"]["B3"].value.startswith("Strengths")
    assert wb["SWOT"]["C4"].value.startswith("Threats")
    assert _rows(wb["Audit trail"])[1] == ["Time", "Actor", "Action", "Target", "Rationale"]
    assert wb["Audit trail"]["A1"].value == "Table 13. Audit trail."


def test_hidden_codes_column(inputs, tmp_path):
    from qualcode.report.xlsx import write_xlsx_report

    out = write_xlsx_report(inputs, tmp_path / "x.xlsx", show_codes=False)
    rows = _rows(openpyxl.load_workbook(out)["Haastattelut"])
    assert rows[1] == ["PVM:", "Haastattelun tapa:", "Kesto:", "Titteli:"]
    assert all("H1" not in str(v) for r in rows for v in r)


def test_failed_write_leaves_no_file(inputs, tmp_path, monkeypatch):
    from openpyxl import Workbook

    from qualcode.report.xlsx import write_xlsx_report

    def broken_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04 half written")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(OSError):
        write_xlsx_report(inputs, tmp_path / "new.xlsx")
    assert not (tmp_path / "new.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".new")]
    # an existing report is left exactly as it was
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"previous report")
    with pytest.raises(OSError):
        write_xlsx_report(inputs, old)
    assert old.read_bytes() == b"previous report"


def test_missing_folder_is_a_user_error(inputs, tmp_path):
    from qualcode.errors import QualcodeError
    from qualcode.report.xlsx import write_xlsx_report

    with pytest.raises(QualcodeError, match="folder"):
        write_xlsx_report(inputs, tmp_path / "nope" / "r.xlsx")


def test_deterministic_content(inputs, tmp_path):
    from qualcode.report.xlsx import write_xlsx_report

    a = write_xlsx_report(inputs, tmp_path / "a.xlsx")
    b = write_xlsx_report(inputs, tmp_path / "b.xlsx")
    wa, wb_ = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    assert [_rows(s) for s in wa] == [_rows(s) for s in wb_]


def test_long_caption_and_footer_lines_wrap_across_the_table(inputs, tmp_path):
    """The coding basis below the interview table (here narrower than the line) and a caption
    with its warning are merged across the table's columns, wrapped, with room for their lines;
    a line that fits the table's width and footer rows of several cells are left as they are."""
    from openpyxl.utils import get_column_letter

    from qualcode.report import write_xlsx_report
    from qualcode.report.tables import Table
    from qualcode.report.worksheet import LINE_POINTS, write_table

    wb = openpyxl.load_workbook(write_xlsx_report(inputs, tmp_path / "r.xlsx", show_codes=False))
    ws = wb["Haastattelut"]
    merged = {m.min_row: m for m in ws.merged_cells.ranges}
    basis = next(c for c in ws["A"] if str(c.value).startswith("Koodausperusta"))
    summary = next(c for c in ws["A"] if str(c.value).startswith("n = 4"))
    width = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, ws.max_column + 1))
    assert len(basis.value) > width                       # the line is longer than the table is wide …
    span = merged[basis.row]
    assert (span.min_col, span.max_col) == (1, ws.max_column) and basis.alignment.wrap_text
    assert ws.row_dimensions[basis.row].height >= 2 * LINE_POINTS       # … and gets its lines' height
    assert summary.row not in merged                       # a summary that fits runs on as before
    # the caption, header and footer name the workbook's letter (without it LibreOffice prints
    # them in a wider serif, and the header no longer fits its column)
    assert {ws["A1"].font.name, ws["A2"].font.name, summary.font.name} == {"Calibri"}

    ws = openpyxl.Workbook().active
    note = "HUOM: mukana 524 tarkistamatonta automaattista ehdotusta; tulokset ovat luonnos."
    write_table(ws, Table("t", "T", "Testi.", ["Koodi", "Määrä"], [["K1", 2]], [["Ryhmä", "n"], ["A", 1]]),
                2, "fi", note=note)
    assert [str(m) for m in ws.merged_cells.ranges] == ["A1:B1"]        # the caption with its note
    assert ws["A1"].alignment.wrap_text and ws.row_dimensions[1].height >= 3 * LINE_POINTS
    assert ws.row_dimensions[5].height is None             # the footer's own little table: untouched


def test_wrapped_lines_count_as_textwrap_wraps():
    # the fast path (a line that fits is one line) gives textwrap's count on any text:
    # tabs, the other white space, long words, empty lines and non-text values
    import random
    import textwrap

    from qualcode.report.worksheet import wrapped_lines

    def by_textwrap(value, width):
        if value is None or value == "":
            return 1
        chars = max(1, int(width * 1.1) - 1)
        return sum(max(1, len(textwrap.wrap(line, chars, break_long_words=True))) for line in str(value).split("\n"))

    rng = random.Random(7)
    letters = "ab c\t\n  äö-\r\x0b\x0c,."
    for _ in range(20000):
        value = "".join(rng.choice(letters) for _ in range(rng.randint(0, 40)))
        width = rng.uniform(1, 30)
        assert wrapped_lines(value, width) == by_textwrap(value, width), (value, width)
    for value in (0, 12.5, None, "x" * 100, "sana " * 30):
        for width in (1, 5, 50):
            assert wrapped_lines(value, width) == by_textwrap(value, width)


def test_every_data_cell_is_wrapped_bordered_and_keeps_its_own_format(tmp_path):
    # the data cells share one style (copied, not looked up per cell); a date keeps its
    # date format, a risky text its quote prefix, and no cell's format leaks to another
    import datetime as dt

    from openpyxl import Workbook, load_workbook

    from qualcode.report.tables import Table
    from qualcode.report.worksheet import write_table

    rows = [["=SUM(A1)", dt.date(2024, 3, 1), 3, "teksti"], ["tavallinen", "x", 2.5, None],
            ["+358 40", dt.datetime(2024, 3, 2, 10, 30), -1, "@käyttäjä"]]
    wb = Workbook()
    write_table(wb.active, Table("t", "T", "Testi.", ["A", "B", "C", "D"], rows), 1, "fi")
    wb.save(tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    for r in range(3, 6):
        for c in range(1, 5):
            cell = ws.cell(row=r, column=c)
            assert cell.alignment.wrap_text and cell.alignment.vertical == "top", cell.coordinate
            assert all(getattr(cell.border, side).style == "thin" for side in ("left", "right", "top", "bottom"))
            assert not cell.font.b and cell.fill.fill_type is None
    assert ws["B3"].is_date and ws["B3"].number_format == "yyyy-mm-dd"
    assert ws["B5"].is_date and ws["B4"].number_format == "General" and ws["C4"].number_format == "General"
    assert [ws[c].quotePrefix for c in ("A3", "A4", "A5", "D5", "D3")] == [True, False, True, True, False]
    assert ws["A3"].value == "=SUM(A1)" and ws["A3"].data_type == "s"


def test_wrapped_line_count_is_textwraps():
    """Row heights count the wrapped lines as textwrap wraps them, for plain lines counted
    without it: the same count for words, runs of spaces, leading and trailing spaces,
    hyphens and dashes, non-breaking spaces and words longer than the column."""
    import random
    import textwrap

    from qualcode.report.worksheet import wrapped_count

    rng = random.Random(5)
    words = ["asiakas", "portaali", "on", "hyvä", "järjestelmäintegraatio", "a", "—", "ok.", "(H2)",
             "”lainaus”", "x" * 40, "\u00a0", "nbsp\u00a0sana", "e-mail", "--", "–", ""]
    for _ in range(3000):
        k = rng.randint(1, 40)
        line = "".join(rng.choice(words) + rng.choice([" ", " ", "  ", "   "]) for _ in range(k))
        line = (" " if rng.random() < 0.3 else "") + (line.rstrip() if rng.random() < 0.3 else line)
        for width in (rng.randint(1, 80), rng.randint(20, 60)):
            assert wrapped_count(line, width) == len(textwrap.wrap(line, width, break_long_words=True)), (line, width)
