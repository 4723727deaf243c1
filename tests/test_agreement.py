"""Intercoder agreement: reference values (published worked examples) and
hand-computed tables on small coding frames."""
from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from qualcode.analysis.agreement import (
    OVERALL, TABLE_COLUMNS, agreement_table, cohen_kappa, disagreements, krippendorff_alpha,
    label_agreement_table, percent_agreement, read_consensus_xlsx, write_disagreements_xlsx,
)
from qualcode.errors import QualcodeError

nan = np.nan

# R1: Krippendorff (2011), 4 coders x 12 units, missing data
R1 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
# R2: 3 coders x 15 units, many missing
R2 = [
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
]
# R3a: binary, contingency [[20, 20], [10, 50]]
R3A = ([0] * 40 + [1] * 60, [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50)
# R3b: three categories
R3B = ([0] * 46 + [1] * 44 + [2] * 10, [0] * 52 + [1] * 32 + [2] * 16)
# R4: 50 proposals; yes/yes 20, A yes/B no 5, A no/B yes 10, no/no 15
R4 = (["yes"] * 25 + ["no"] * 25, ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15)


# --------------------------------------------------------------------------- coefficients
def test_krippendorff_reference_values():
    assert round(krippendorff_alpha(R1), 3) == 0.743
    assert round(krippendorff_alpha(R2), 6) == 0.691358
    assert round(krippendorff_alpha(R1, level="ordinal"), 3) == 0.815
    assert round(krippendorff_alpha(R2, level="interval"), 6) == 0.810845
    # labels need not be numbers for nominal data
    words = [[None if isinstance(v, float) and math.isnan(v) else f"k{v}" for v in row]
             for row in R1]
    assert round(krippendorff_alpha(words), 3) == 0.743
    # the two-coder tables, as alpha
    assert round(krippendorff_alpha(list(R3A)), 4) == 0.3440
    assert round(krippendorff_alpha(list(R3B)), 4) == 0.8005


def test_cohen_kappa_reference_values():
    assert round(cohen_kappa(*R3A), 3) == 0.348
    assert round(cohen_kappa(*R3B), 3) == 0.801
    assert round(cohen_kappa(*R4), 2) == 0.40
    # symmetric, and identical ratings agree perfectly
    assert cohen_kappa(R3A[1], R3A[0]) == pytest.approx(cohen_kappa(*R3A))
    assert cohen_kappa(R3A[0], R3A[0]) == 1.0
    # the product rule Pe = Pyes * Pno (a known mistake) would give a different value
    assert round(cohen_kappa(*R4), 3) != round((0.70 - 0.5 * 0.6) / (1 - 0.5 * 0.6), 3)


def test_percent_agreement_reference_values():
    assert percent_agreement(*R3A) == pytest.approx(70.0)
    assert percent_agreement(*R3B) == pytest.approx(88.0)
    assert percent_agreement(*R4) == pytest.approx(70.0)
    # the coders × units form gives the same for two coders
    assert percent_agreement(list(R3A)) == pytest.approx(70.0)


def test_percent_agreement_three_coders_by_hand():
    # unit 1: 3 of 3 pairs agree; unit 2: 1 of 3; unit 3: single value, not pairable
    data = [[1, 1, 0], [1, 1, nan], [1, 0, nan]]
    assert percent_agreement(data) == pytest.approx(100 * (1 + 1 / 3) / 2)


def test_perfect_agreement_with_variation_is_one():
    data = [[0, 1, 2, 1], [0, 1, 2, 1]]
    assert krippendorff_alpha(data) == 1.0
    assert cohen_kappa(*data) == 1.0
    assert percent_agreement(data) == 100.0


def test_one_category_only_is_undefined_not_an_error():
    data = [[1, 1, 1], [1, 1, 1]]
    assert math.isnan(krippendorff_alpha(data))
    assert math.isnan(cohen_kappa(*data))
    assert percent_agreement(data) == 100.0
    # variation only in a value nobody else coded: still no pairable variation
    assert math.isnan(krippendorff_alpha([[1, 1, 2], [1, 1, nan]]))


def test_unit_coded_by_one_coder_is_not_pairable():
    without_unit_12 = [row[:11] for row in R1]
    assert krippendorff_alpha(without_unit_12) == pytest.approx(krippendorff_alpha(R1))
    extra = [row + [v] for row, v in zip(R1, [9, nan, nan, nan])]   # lone new category
    assert krippendorff_alpha(extra) == pytest.approx(krippendorff_alpha(R1))
    assert percent_agreement([[1, 0, 1], [1, 0, nan]]) == 100.0
    assert math.isnan(krippendorff_alpha([[1, nan], [nan, 2]]))     # nothing pairable
    assert math.isnan(percent_agreement([[1, nan], [nan, 2]]))


def test_kappa_drops_missing_pairs_and_checks_lengths():
    assert cohen_kappa([0, 1, None, 1], [0, 1, 1, nan]) == 1.0
    assert math.isnan(cohen_kappa([None], [1]))
    with pytest.raises(ValueError, match=r"differ in length \(2 and 3\)"):
        cohen_kappa([0, 1], [0, 1, 1])


# --------------------------------------------------------------------------- tables
def make_codings(rows):
    return pd.DataFrame(rows, columns=["segment_id", "code_id", "status", "coder"])


@pytest.fixture
def segments():
    return pd.DataFrame({
        "segment_id": [1, 2, 3, 4, 5, 6],
        "source": ["a.txt"] * 3 + ["b.txt"] * 3,
        "speaker": ["H1", "H1", None, "H2", "H2", "H2"],
        "text": ["Raportit tulivat ajallaan.", "Viikkopalaverit auttoivat.",
                 "+ hyvä yhteishenki", "Budjetti ylittyi hieman.", "Vastaukset viipyivät.",
                 "Ei muuta lisättävää."],
    })


@pytest.fixture
def codings():
    return make_codings([
        (1, "x", "accepted", "anna"), (2, "x", "manual", "anna"), (3, "x", "accepted", "anna"),
        (4, "y", "manual", "anna"),
        (6, "y", "rejected", "anna"),               # rejected: does not count
        (1, "x", "accepted", "ben"), (2, "x", "accepted", "ben"), (4, "x", "manual", "ben"),
        (4, "y", "accepted", "ben"), (5, "y", "manual", "ben"),
        (6, "x", "suggested", "auto"),              # automatic coder: left out
        (6, "x", "accepted", "auto"),
        (99, "x", "manual", "anna"),                # a segment outside the frame: ignored
    ])


def test_agreement_table_two_coders_by_hand(segments, codings):
    t = agreement_table(codings, segments)
    assert list(t.columns) == TABLE_COLUMNS
    assert list(t.code_id) == ["x", "y", OVERALL]
    assert list(t.units) == [6, 6, 6] and list(t.coders) == [2, 2, 2]
    assert list(t.n_coded) == [4, 2, 6]
    # x: anna 111000, ben 110100 -> 4/6 agree; Pe = .5*.5 + .5*.5
    # y: anna 000100, ben 000110 -> 5/6 agree; Pe = 1/6*2/6 + 5/6*4/6 = 22/36
    # pooled: 12 decisions, 9 agree; Pe = 4/12*5/12 + 8/12*7/12 = 76/144
    assert t.percent_agreement.round(3).tolist() == [66.667, 83.333, 75.0]
    assert t.cohen_kappa.round(4).tolist() == [round(1 / 3, 4), round(8 / 14, 4),
                                               round(32 / 68, 4)]
    # alpha = 1 - Do/De with n values, n1 ones, n0 zeros, d disagreeing units:
    # Do = 2d/n, De = 2*n1*n0/(n(n-1))
    def alpha(n, n1, d):
        return 1 - (2 * d / n) / (2 * n1 * (n - n1) / (n * (n - 1)))
    assert t.krippendorff_alpha.round(4).tolist() == [round(alpha(12, 6, 2), 4),
                                                      round(alpha(12, 3, 1), 4),
                                                      round(alpha(24, 9, 3), 4)]
    assert round(t.krippendorff_alpha[0], 3) == 0.389


def test_agreement_table_with_coverage_and_three_coders(segments, codings):
    more = pd.concat([codings, make_codings([(1, "x", "manual", "cecilia")])],
                     ignore_index=True)
    coverage = pd.DataFrame(
        [(s, "anna") for s in range(1, 7)] + [(s, "ben") for s in range(1, 6)]
        + [(1, "cecilia"), (2, "cecilia")], columns=["segment_id", "coder"])
    t = agreement_table(more, segments, coverage=coverage, codes=["x"])
    assert list(t.code_id) == ["x", OVERALL]
    row = t.iloc[0]
    assert (row.units, row.coders, row.n_coded) == (5, 3, 4)     # segment 6: anna only
    # units: [1,1,1] [1,1,0] [1,0,.] [0,1,.] [0,0,.] -> pair shares 1, 1/3, 0, 0, 1
    assert row.percent_agreement == pytest.approx(100 * (1 + 1 / 3 + 0 + 0 + 1) / 5)
    assert math.isnan(row.cohen_kappa)                            # three coders
    # coincidences: o11 = 4, o10 = o01 = 3, o00 = 2; n = 12, n1 = 7, n0 = 5
    assert row.krippendorff_alpha == pytest.approx(1 - (6 / 12) / (2 * 7 * 5 / (12 * 11)))
    # two of them, by name; cecilia's coverage limits nothing then
    t2 = agreement_table(more, segments, coders=["anna", "ben"], coverage=coverage,
                         codes=["x"])
    # x over units 1..5: anna 11100, ben 11010 -> 3/5; Pe = .6*.6 + .4*.4 = .52
    assert t2.iloc[0].units == 5
    assert t2.iloc[0].percent_agreement == pytest.approx(60.0)
    assert t2.iloc[0].cohen_kappa == pytest.approx((0.6 - 0.52) / 0.48)


def test_agreement_table_auto_only_when_named(segments, codings):
    t = agreement_table(codings, segments, coders=["anna", "auto"], codes=["x"])
    # x: anna 111000, auto 000001 -> 2/6 agree
    assert t.iloc[0].percent_agreement == pytest.approx(100 * 2 / 6)
    assert t.iloc[0].n_coded == 4


def test_agreement_needs_two_coders(segments, codings):
    with pytest.raises(QualcodeError) as err:
        agreement_table(codings[codings.coder != "ben"], segments)
    assert str(err.value) == (
        "agreement needs codings by at least two coders (found: anna); let a second coder "
        "review the segments, or name the coders to compare with --coders")


def test_code_nobody_used_and_labels(segments, codings):
    t = agreement_table(codings, segments, codes=["x", "z"])
    z = t[t.code_id == "z"].iloc[0]
    assert z.percent_agreement == 100.0 and z.n_coded == 0
    assert math.isnan(z.cohen_kappa) and math.isnan(z.krippendorff_alpha)
    fi = label_agreement_table(t, "fi")
    assert list(fi.columns) == ["Koodi", "Yksiköt", "Koodaajat", "Yhteneväisyys %",
                                "Cohenin kappa", "Krippendorffin alfa", "Koodattuja yksiköitä"]
    assert fi.iloc[-1, 0] == "Kaikki koodit yhteensä"
    assert label_agreement_table(t, "en").iloc[-1, 0] == "All codes pooled"


# --------------------------------------------------------------------------- disagreements
def test_disagreements_two_coders(segments, codings):
    d = disagreements(codings, segments)
    assert list(d.columns) == ["segment_id", "source", "speaker", "text", "code_id", "anna", "ben"]
    assert d.values.tolist() == [
        [3, "a.txt", None, "+ hyvä yhteishenki", "x", 1, 0],
        [4, "b.txt", "H2", "Budjetti ylittyi hieman.", "x", 0, 1],
        [5, "b.txt", "H2", "Vastaukset viipyivät.", "y", 0, 1],
    ]


def test_disagreements_with_unreviewed_segments(segments, codings):
    more = pd.concat([codings, make_codings([(1, "x", "manual", "cecilia")])],
                     ignore_index=True)
    coverage = pd.DataFrame([(s, "anna") for s in range(1, 7)] + [(s, "ben") for s in range(1, 6)]
                            + [(1, "cecilia"), (2, "cecilia")], columns=["segment_id", "coder"])
    d = disagreements(more, segments, coverage=coverage)
    assert d[["segment_id", "code_id", "anna", "ben", "cecilia"]].values.tolist() == [
        [2, "x", 1, 1, 0],
        [3, "x", 1, 0, None],
        [4, "x", 0, 1, None],
        [5, "y", 0, 1, None],
    ]


def test_consensus_sheet_round_trip_fi(tmp_path, segments, codings):
    path = write_disagreements_xlsx(disagreements(codings, segments), tmp_path / "sovitaan.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Erimielisyydet"]
    assert [c.value for c in ws[1]] == ["Segmentti", "Lähde", "Haastateltava", "Teksti", "Koodi",
                                        "anna", "ben", "Sovittu", "Huomio"]
    assert [c.value for c in ws[2]] == [3, "a.txt", None, "+ hyvä yhteishenki", "x", 1, 0,
                                        None, None]
    assert ws["D2"].data_type == "s" and ws["D2"].quotePrefix
    dv = ws.data_validations.dataValidation[0]
    assert (dv.formula1, str(dv.sqref)) == ('"kyllä,ei"', "H2:H4")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I4"
    ws["H2"], ws["H3"], ws["H4"] = "kyllä", "ei", "Kyllä"
    ws["I3"] = "Budjetti ei ole tässä pääasia."
    wb.save(path)
    got = read_consensus_xlsx(path)
    assert got.values.tolist() == [[3, "x", True], [4, "x", False], [5, "y", True]]
    assert got.dtypes.astype(str).tolist() == ["int64", "object", "bool"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sovitaan.xlsx"]


def test_consensus_sheet_errors_list_rows(tmp_path, segments, codings):
    path = write_disagreements_xlsx(disagreements(codings, segments), tmp_path / "c.xlsx",
                                   lang="en")
    wb = openpyxl.load_workbook(path)
    ws = wb["Disagreements"]
    assert [c.value for c in ws[1]][-2:] == ["Agreed", "Note"]
    ws["H2"] = "maybe"
    ws["A3"], ws["H3"] = "abc", "yes"
    # row 4 left empty
    wb.save(path)
    with pytest.raises(QualcodeError) as err:
        read_consensus_xlsx(path)
    assert str(err.value) == (
        f"{path}: 3 rows of sheet 'Disagreements' need fixing (nothing was imported):\n"
        "  row 2: 'Agreed' is 'maybe'; write yes or no\n"
        "  row 3: 'Segment' is not a segment number; restore it from the exported sheet\n"
        "  row 4: 'Agreed' is empty; write yes or no, or delete the row")


def test_consensus_wrong_file(tmp_path):
    path = tmp_path / "muu.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Segmentti", "Koodi", "Huomio"])
    wb.save(path)
    with pytest.raises(QualcodeError) as err:
        read_consensus_xlsx(path)
    assert str(err.value) == (
        f"{path}:1: sheet 'Sheet' is not a consensus sheet: header row 1 lacks 'Sovittu'; "
        "fill in the sheet written by qualcode's disagreement export")
