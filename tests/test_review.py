"""Review sheet round trip: write, edit with openpyxl as a reviewer would, read back."""
from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest

from qualcode.coding.review import (
    DECISION_COLUMNS, read_review_sheet, text_hash, write_review_sheet,
)
from qualcode.errors import QualcodeError
from qualcode.model import Code, Codebook

HYPERLINK = '=HYPERLINK("http://example.org","avaa")'

FI_HEADERS = ["Segmentti", "Lähde", "Haastateltava", "Teksti", "Ehdotetut koodit",
              "Hyväksytyt koodit", "Hyväksy", "Hylkää 1", "Hylkää 2", "Hylkää 3", "Lisää 1",
              "Lisää 2", "Lisää 3", "Valenssi", "Kohde", "Huomio", "segmentin_tunniste", "tekstin_tiiviste",
              "ehdotetut_tunnisteet", "hyvaksytyt_tunnisteet"]
EN_HEADERS = ["Segment", "Source", "Informant", "Text", "Suggested codes", "Accepted codes",
              "Accept", "Reject 1", "Reject 2", "Reject 3", "Add 1", "Add 2", "Add 3", "Valence", "Target", "Note",
              "segment_key", "text_hash", "suggested_ids", "accepted_ids"]
# column letters of the fi/en layout (same positions in both languages)
TEXT, SUGG, ACC, ACCEPT, REJ1, REJ2, ADD1, ADD2, ADD3, VALENCE, TARGET, NOTE = "DEFGHIKLMNOP"


@pytest.fixture
def codebook():
    return Codebook(codes=[
        Code("talous", "Talous"),
        Code("hinta", "Hinta", parent="talous", description="Puhe hinnoista ja kuluista."),
        Code("laatu", "Laatu"),
        Code("viestinta", "Viestintä"),
        Code("aikataulu", "Aikataulu"),
    ])


@pytest.fixture
def segments():
    return pd.DataFrame({
        "segment_id": [11, 12, 13, 14],
        "source_id": [1, 1, 2, 2],
        "source": ["h1.txt", "h1.txt", "h2.txt", "h2.txt"],
        "speaker": ["H1", "H1", "H2", None],
        "is_interviewer": [False] * 4,
        "text": ["Hinnoittelu tuntui aluksi sekavalta, mutta lopputulos oli hyvä.",
                 "Tilannetietoa tuli harvakseltaan ja valmistuminen myöhästyi.",
                 HYPERLINK,
                 "Asiakaspalvelija jaksoi selittää kaiken kahteen kertaan."],
    })


@pytest.fixture
def codings():
    rows = [
        (11, "hinta", "suggested", "auto"),
        (11, "laatu", "suggested", "auto"),
        (12, "viestinta", "suggested", "auto"),
        (12, "aikataulu", "suggested", "auto"),
        (12, "laatu", "accepted", "liisa"),     # liisa accepted a rule suggestion
        (12, "hinta", "manual", "liisa"),       # and coded hinta by hand
        (14, "laatu", "suggested", "auto"),
        (14, "laatu", "rejected", "matti"),
    ]
    frame = pd.DataFrame(rows, columns=["segment_id", "code_id", "status", "coder"])
    frame["rule"] = ["keyword:hinta", "keyword:laatu", "keyword:viesti", "pattern:0",
                     "keyword:laatu", None, "keyword:laatu", "keyword:laatu"]
    return frame


def write(tmp_path, segments, codings, codebook, **kw):
    return write_review_sheet(tmp_path / "tarkistus.xlsx", segments, codings, codebook, **kw)


def edit(path, sheet, cells: dict):
    """Open the workbook as a user's spreadsheet program would and type into cells."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)


def as_rows(frame):
    """The decisions as (segment, code, decision, note); the values are checked on their own."""
    return [tuple(r) for r in frame[["segment_id", "code_id", "decision", "note"]].itertuples(index=False)]


# --------------------------------------------------------------------------- writing
def test_written_sheet_layout_fi(tmp_path, segments, codings, codebook):
    path = write(tmp_path, segments, codings, codebook, lang="fi", coder="liisa")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Tarkistus", "Koodit", "Ohje"]
    ws = wb["Tarkistus"]
    assert [c.value for c in ws[1]] == FI_HEADERS
    assert [c.value for c in ws[2]][:7] == [
        11, "h1.txt", "H1", segments.text[0], "hinta, laatu", None, None]
    # coder liisa sees her accepted code apart from the open suggestions
    assert (ws["E3"].value, ws["F3"].value) == ("viestinta, aikataulu", "hinta, laatu")
    # matti's rejection is not liisa's: for her the suggestion is still open
    assert ws["E5"].value == "laatu" and ws["C5"].value is None
    assert ws["Q2"].value == 11 and ws["R2"].value == text_hash(segments.text[0])
    for letter in "QRST":
        assert ws.column_dimensions[letter].hidden
    assert not ws.column_dimensions["D"].hidden
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:P5"
    assert ws["D2"].alignment.wrap_text
    assert ws.column_dimensions["D"].width == 80

    dvs = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert dvs['"kaikki,ei mitään"'] == "G2:G5"
    assert dvs["'Koodit'!$A$2:$A$6"] == "K2:K5 L2:L5 M2:M5"
    assert dvs['"hinta,laatu"'] == "H2 I2 J2"
    assert dvs['"viestinta,aikataulu,hinta,laatu"'] == "H3 I3 J3"
    assert dvs['"laatu"'] == "H5 I5 J5"
    assert len(dvs) == 6                       # row 4 has no codes: no reject dropdown (+ valence)

    codes = wb["Koodit"]
    assert [[c.value for c in row] for row in codes.iter_rows()] == [
        ["Koodi", "Nimi", "Teema", "Kuvaus"],
        ["talous", "Talous", "Talous", None],
        ["hinta", "Hinta", "Talous", "Puhe hinnoista ja kuluista."],
        ["laatu", "Laatu", "Laatu", None],
        ["viestinta", "Viestintä", "Viestintä", None],
        ["aikataulu", "Aikataulu", "Aikataulu", None],
    ]


def test_coder_filter_hides_other_coders_decisions(tmp_path, segments, codings, codebook):
    path = write(tmp_path, segments, codings, codebook, coder="matti")
    ws = openpyxl.load_workbook(path)["Tarkistus"]
    # liisa's acceptance is hidden from matti: laatu is a plain suggestion for him, and her
    # manual coding is not shown at all
    assert (ws["E3"].value, ws["F3"].value) == ("laatu, viestinta, aikataulu", None)
    # matti rejected laatu on segment 14 himself: nothing is left to review there
    assert ws["E5"].value is None
    # without a coder every human decision counts
    path = write(tmp_path, segments, codings, codebook)
    ws = openpyxl.load_workbook(path)["Tarkistus"]
    assert (ws["E3"].value, ws["F3"].value, ws["E5"].value) == (
        "viestinta, aikataulu", "hinta, laatu", None)


def test_formula_like_text_is_a_literal_string(tmp_path, segments, codings, codebook):
    segs = segments.copy()
    segs.loc[3, "text"] = "-1 on huono arvosana"
    segs.loc[1, "text"] = "@kaikki: kokous siirtyy"
    path = write(tmp_path, segs, codings, codebook)
    ws = openpyxl.load_workbook(path)["Tarkistus"]
    assert ws["D4"].value == HYPERLINK and ws["D4"].data_type == "s"
    assert ws["D5"].value == "-1 on huono arvosana" and ws["D5"].data_type == "s"
    assert ws["D3"].value == "@kaikki: kokous siirtyy" and ws["D3"].quotePrefix
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    # an untouched sheet imports cleanly: the literal text matches its hash
    assert read_review_sheet(path, segs, codebook).empty


def test_write_replaces_file_and_leaves_no_temp_files(tmp_path, segments, codings, codebook):
    target = tmp_path / "tarkistus.xlsx"
    target.write_bytes(b"old content")
    write(tmp_path, segments, codings, codebook)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tarkistus.xlsx"]
    assert openpyxl.load_workbook(target).sheetnames[0] == "Tarkistus"


# --------------------------------------------------------------------------- reading
def test_round_trip_decisions_fi(tmp_path, segments, codings, codebook):
    path = write(tmp_path, segments, codings, codebook, coder="liisa")
    edit(path, "Tarkistus", {
        f"{ACCEPT}2": "kaikki",                       # segment 11: all suggestions apply
        f"{ACCEPT}3": "viestinta",                    # segment 12: one accepted, one rejected
        f"{REJ1}3": "aikataulu",
        f"{NOTE}3": "Aikataulusta puhutaan vain ohimennen.",
        f"{ADD1}5": "hinta",                          # segment 14: two codes via dropdowns
        f"{ADD2}5": "viestinta",
        f"{REJ1}5": "laatu",
    })
    got = read_review_sheet(path, segments, codebook)
    assert list(got.columns) == DECISION_COLUMNS
    assert as_rows(got) == [
        (11, "hinta", "accept", ""),
        (11, "laatu", "accept", ""),
        (12, "viestinta", "accept", "Aikataulusta puhutaan vain ohimennen."),
        (12, "aikataulu", "reject", "Aikataulusta puhutaan vain ohimennen."),
        (14, "hinta", "add", ""),
        (14, "viestinta", "add", ""),
        (14, "laatu", "reject", ""),
    ]
    assert got.dtypes.astype(str).tolist() == ["int64"] + ["object"] * 5


def test_none_typed_lists_and_shortcuts(tmp_path, segments, codings, codebook):
    path = write(tmp_path, segments, codings, codebook, coder="liisa")
    edit(path, "Tarkistus", {
        f"{ACCEPT}2": "Ei mitään",                    # rejects both suggestions
        f"{ADD1}2": "aikataulu",
        f"{ACCEPT}3": "laatu, Aikataulu; talous",     # already accepted / suggested / new
        f"{ADD1}3": "viestinta",                      # adding a suggested code accepts it
        f"{ADD2}3": "hinta",                          # already coded by hand: nothing to do
        f"{NOTE}4": "Linkki, ei haastattelupuhetta.",  # a note alone
    })
    got = read_review_sheet(path, segments, codebook, lang="fi")
    assert as_rows(got) == [
        (11, "aikataulu", "add", ""),
        (11, "hinta", "reject", ""),
        (11, "laatu", "reject", ""),
        (12, "aikataulu", "accept", ""),
        (12, "talous", "add", ""),
        (12, "viestinta", "accept", ""),
        (13, None, "note", "Linkki, ei haastattelupuhetta."),
    ]


def test_bad_rows_are_all_listed_and_nothing_is_returned(tmp_path, segments, codings, codebook):
    path = write(tmp_path, segments, codings, codebook)
    edit(path, "Tarkistus", {
        f"{ACCEPT}2": "hinta",
        f"{REJ1}2": "hinta",                                   # row 2: accepted and rejected
        f"{TEXT}3": "Tilannetietoa tuli usein.",               # row 3: text edited
        f"{ACCEPT}3": "kaikki",
        f"{ADD3}5": "hinnat",                                  # row 5: unknown code
        f"{ACCEPT}5": "kaikki",
        f"{SUGG}4": "hinta",                                   # row 4: suggestions edited
    })
    with pytest.raises(QualcodeError) as err:
        read_review_sheet(path, segments, codebook)
    assert str(err.value) == (
        f"{path}: 4 rows of sheet 'Tarkistus' need fixing before import (nothing was "
        "imported); fix them and import again:\n"
        "  row 2: code 'hinta' is both accepted and rejected; keep it in only one of the columns\n"
        "  row 3: the 'Teksti' cell was edited; restore the original text (write comments in "
        "the note column)\n"
        "  row 4: the 'Ehdotetut koodit' cell was edited; restore it and use the 'Hylkää 1' "
        "columns to reject a code\n"
        "  row 5: unknown code 'hinnat' in column 'Lisää 3'; pick a code from the 'Koodit' sheet"
    )
    assert err.value.path == str(path)


def test_all_plus_reject_is_a_conflict_and_none_plus_codes_too(tmp_path, segments, codings,
                                                               codebook):
    path = write(tmp_path, segments, codings, codebook)
    edit(path, "Tarkistus", {f"{ACCEPT}2": "kaikki", f"{REJ2}2": "laatu",
                             f"{ACCEPT}3": "ei mitään, viestinta"})
    with pytest.raises(QualcodeError) as err:
        read_review_sheet(path, segments, codebook)
    msg = str(err.value)
    assert "  row 2: code 'laatu' is both accepted and rejected; keep it in only one of the " \
           "columns" in msg
    assert "  row 3: column 'Hyväksy' says 'ei mitään' and also accepts codes; keep only one " \
           "of them" in msg
    assert msg.count("\n  row ") == 2


def test_segment_missing_from_project_and_text_changed_in_project(tmp_path, segments, codings,
                                                                  codebook):
    path = write(tmp_path, segments, codings, codebook)
    project = segments[segments.segment_id != 12].copy()
    project.loc[project.segment_id == 14, "text"] = "Asiakaspalvelija selitti kaiken kerran."
    with pytest.raises(QualcodeError) as err:
        read_review_sheet(path, project, codebook)
    assert str(err.value).endswith(
        "fixing before import (nothing was imported); fix them and import again:\n"
        "  row 3: segment 12 is not in this project; delete the row or export a new sheet from "
        "this project\n"
        "  row 5: the text of segment 14 has changed in the project since the sheet was written; "
        "export a new review sheet")
    other_project = segments.assign(segment_id=segments.segment_id + 100)
    with pytest.raises(QualcodeError, match=r"none of the 4 segments in sheet 'Tarkistus' "
                                            r"belong to this project"):
        read_review_sheet(path, other_project, codebook)


def test_wrong_file_is_reported_by_missing_headers(tmp_path, segments, codebook):
    path = tmp_path / "haastateltavat.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Koodi", "Rooli", "Päivämäärä"])
    wb.active.append(["H1", "asiakas", "2024-03-01"])
    wb.save(path)
    with pytest.raises(QualcodeError) as err:
        read_review_sheet(path, segments, codebook)
    assert str(err.value) == (
        f"{path}:1: sheet 'Sheet' is not a qualcode review sheet: header row 1 lacks "
        "'Segmentti', 'Teksti', 'Hyväksy', 'segmentin_tunniste', 'tekstin_tiiviste', "
        "'ehdotetut_tunnisteet', 'hyvaksytyt_tunnisteet'; export a sheet with "
        "`qualcode review export` and fill in that one")
    bad = tmp_path / "not.xlsx"
    bad.write_text("Segmentti;Teksti\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match="cannot be opened as an Excel workbook"):
        read_review_sheet(bad, segments, codebook)


def test_round_trip_english_with_detected_language(tmp_path, segments, codings, codebook):
    path = write(tmp_path, segments, codings, codebook, lang="en", coder="liisa")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Review", "Codes", "Instructions"]
    ws = wb["Review"]
    assert [c.value for c in ws[1]] == EN_HEADERS
    dvs = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert {'"all,none"', "'Codes'!$A$2:$A$6"} <= dvs
    assert [c.value for c in wb["Codes"][1]] == ["Code", "Name", "Theme", "Description"]
    edit(path, "Review", {
        f"{ACCEPT}2": "all",
        f"{ACCEPT}3": "none",
        f"{ADD1}3": "Talous",                    # a code name, typed: resolved to its id
        f"{ADD1}5": "talous",
        f"{TEXT}4": "changed",                   # the =HYPERLINK text cell edited
        f"{ADD2}5": "nope",
    })
    with pytest.raises(QualcodeError) as err:
        read_review_sheet(path, segments, codebook)
    assert str(err.value).endswith(
        "  row 4: the 'Text' cell was edited; restore the original text (write comments in the "
        "note column)\n"
        "  row 5: unknown code 'nope' in column 'Add 2'; pick a code from the 'Codes' sheet")
    edit(path, "Review", {f"{TEXT}4": HYPERLINK, f"{ADD2}5": None})
    got = read_review_sheet(path, segments, codebook)
    assert as_rows(got) == [
        (11, "hinta", "accept", ""),
        (11, "laatu", "accept", ""),
        (12, "talous", "add", ""),
        (12, "viestinta", "reject", ""),
        (12, "aikataulu", "reject", ""),
        (14, "talous", "add", ""),
    ]


def test_rare_reject_lists_fall_back_to_the_code_list(tmp_path, segments, codings, codebook,
                                                      monkeypatch):
    import qualcode.coding.review as review

    monkeypatch.setattr(review, "_MAX_REJECT_LISTS", 1)
    path = write(tmp_path, segments, codings, codebook)
    ws = openpyxl.load_workbook(path)["Tarkistus"]
    dvs = sorted((dv.formula1, str(dv.sqref), dv.promptTitle)
                 for dv in ws.data_validations.dataValidation)
    # every row has its own list; only the first (largest, then sheet order) is kept literally
    assert dvs == [
        ('"Positiivinen,Negatiivinen,Neutraali,Ristiriitainen,Kehitysidea"', "N2:N5", "Valenssi"),
        ('"hinta,laatu"', "H2 I2 J2", None),
        ('"kaikki,ei mitään"', "G2:G5", "Hyväksy"),
        ("'Koodit'!$A$2:$A$6", "H3 I3 J3", None),          # row 5 has no codes
        ("'Koodit'!$A$2:$A$6", "K2:K5 L2:L5 M2:M5", "Lisää"),
    ]
