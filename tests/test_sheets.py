"""The openpyxl helpers every workbook writer shares: formula-safe, XML-safe and capped text
cells, typed numbers, sheet titles Excel accepts, the atomic save and the workbook reader."""
from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import openpyxl
import pytest

from qualcode.errors import QualcodeError
from qualcode.sheets import (MAX_CELL_CHARS, read_sheet_rows, safe_sheet_title, save_workbook, write_cell,
                             write_text_cell)


@pytest.mark.parametrize("text", ["=SUM(A1)", "+358 40", "-5", "@user", "\tx", "\rx"])
def test_risky_text_stays_literal_after_saving(tmp_path, text):
    wb = openpyxl.Workbook()
    write_cell(wb.active["A1"], text)
    path = save_workbook(wb, tmp_path / "a.xlsx")
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.value == text.replace("\r", "\n") or cell.value == text
    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_text_is_xml_safe_and_capped():
    ws = openpyxl.Workbook().active
    write_text_cell(ws["A1"], "a\x00b\x0bc")
    write_text_cell(ws["A2"], "x" * (MAX_CELL_CHARS + 10))
    assert ws["A1"].value == "abc" and len(ws["A2"].value) == MAX_CELL_CHARS


def test_values_keep_their_type():
    ws = openpyxl.Workbook().active
    values = [3, 2.5, np.int64(4), np.float64(0.5), dt.date(2021, 8, 3), None, float("nan"), False, "t"]
    for i, v in enumerate(values, 1):
        write_cell(ws.cell(row=i, column=1), v)
    got = [ws.cell(row=i, column=1).value for i in range(1, len(values) + 1)]
    assert got[:5] == [3, 2.5, 4, 0.5, dt.date(2021, 8, 3)]
    assert got[5:] == [None, None, "False", "t"]
    assert type(got[2]) is int


def test_sheet_titles_are_valid_and_unique():
    wb = openpyxl.Workbook()
    wb.active.title = "Haastattelut"
    name = "KAM [AS:1]/*?\\ hyvin pitkä asiakkaan nimi joka jatkuu"
    first = safe_sheet_title(name, wb)
    assert len(first) <= 31 and not set("[]:*?/\\") & set(first)
    wb.create_sheet(first)
    second = safe_sheet_title(name, wb)
    assert second != first and second.endswith(" (2)") and len(second) <= 31
    assert safe_sheet_title("'\x01 '", wb) == "Sheet"
    assert safe_sheet_title("x" * 30 + "'y", wb) == "x" * 30


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"previous")

    def broken(self, filename):
        open(filename, "wb").write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken)
    with pytest.raises(OSError):
        save_workbook(openpyxl.Workbook(), old)
    assert old.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["old.xlsx"]


def test_save_into_a_missing_folder(tmp_path):
    with pytest.raises(QualcodeError, match="folder does not exist"):
        save_workbook(openpyxl.Workbook(), tmp_path / "nope" / "a.xlsx")
    assert save_workbook(openpyxl.Workbook(), tmp_path / "new" / "a.xlsx", make_parents=True).is_file()


def test_read_sheet_rows_picks_the_named_sheet_and_explains_bad_files(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Muu"
    wb.create_sheet("Tarkistus").append(["a", 1])
    path = save_workbook(wb, tmp_path / "r.xlsx")
    assert read_sheet_rows(path, "the review sheet", ["Review", "Tarkistus"]) == ("Tarkistus", [("a", 1)])
    assert read_sheet_rows(path, "the review sheet", ["Review"])[0] == "Muu"
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(QualcodeError, match="cannot be opened as an Excel workbook.*give the review sheet"):
        read_sheet_rows(bad, "the review sheet", [])
    with pytest.raises(QualcodeError, match="file not found"):
        read_sheet_rows(tmp_path / "none.xlsx", "the review sheet", [])


def test_the_fast_reader_reads_what_openpyxl_reads(tmp_path, monkeypatch):
    from qualcode import sheets

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tarkistus"
    for row in ([], ["id", "koodi", None, "huom"], [7, "hinta", None, 2.5], [None, " ", None, None],
                [8, "laatu", "kaikki"], [], [None, None, None, None, "ohi"]):
        ws.append(row)
    path = save_workbook(wb, tmp_path / "r.xlsx")
    assert sheets._calamine_workbook(path, "the review sheet") is not None   # the fast path runs
    fast = read_sheet_rows(path, "the review sheet", ["Tarkistus"])
    monkeypatch.setattr(sheets, "_calamine_workbook", lambda *a: None)
    assert fast == read_sheet_rows(path, "the review sheet", ["Tarkistus"])
    assert fast[1][2] == (7, "hinta", None, 2.5)


def test_the_fast_reader_leaves_formulas_and_far_cells_to_openpyxl(tmp_path):
    from qualcode import sheets

    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+1"
    with_formula = save_workbook(wb, tmp_path / "f.xlsx")
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["XFD1048576"] = "a", "x"    # a dense grid of 17 G cells
    far = save_workbook(wb, tmp_path / "far.xlsx")
    assert not sheets._calamine_can_read(with_formula) and not sheets._calamine_can_read(far)
    assert read_sheet_rows(with_formula, "a sheet", [])[1] == [("=1+1",)]


def test_the_table_and_its_stray_cells_read_alike_by_calamine_and_openpyxl(tmp_path, monkeypatch):
    import qualcode.sheets as sheets

    path = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tarkistus"
    ws.append(["id", "koodi"])
    ws.append([7, "hinta"])
    ws.append([8.5, "  "])
    ws["D2"], ws["C9"] = "huomio tähän", 3
    wb.save(path)
    fast = sheets.read_sheet_table(path, "a test sheet", ["Tarkistus"])
    monkeypatch.setattr(sheets, "_calamine_workbook", lambda *a: None)
    slow = sheets.read_sheet_table(path, "a test sheet", ["Tarkistus"])
    assert fast == slow == ("Tarkistus", [("id", "koodi"), (7, "hinta"), (8.5, "  ")], [(2, "D2"), (9, "C9")])
