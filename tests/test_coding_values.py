"""A coding's own values (valence, target, SWOT quadrant): the store, the API, the review
sheet, the REFI data note and the analyses that prefer them over the code's defaults."""
import sqlite3

import openpyxl
import pytest

from qualcode.errors import QualcodeError
from qualcode.project import Project
from conftest import coded_study

CODEBOOK = """\
language: fi
name: Arvot
codes:
  - id: palvelu
    name: Palvelu
    keywords: [palvelu]
    valence: positive
    swot: S
  - id: viestinta
    name: Viestintä
    keywords: [viestintä]
    valence: negative
    swot: W
"""

TRANSCRIPT = (
    "Haastattelija: Kertoisitko palvelusta?\n"
    "H1: Palvelu oli hidasta, myyjä ei vastannut viesteihin.\n"
    "H1: Viestintä toimi hyvin projektipäällikön kanssa.\n"
    "H2: Palvelu oli nopeaa ja ystävällistä.\n"
)


@pytest.fixture
def coded(project):
    return coded_study(project, CODEBOOK, {"ryhma.txt": TRANSCRIPT},
                       informants="code,role\nH1,asiakas\nH2,kumppani\n")


def suggestion(project, code_id, starts):
    c = project.codings()
    hit = c[(c["code_id"] == code_id) & c["segment_text"].str.startswith(starts)]
    return hit.iloc[0]


def mine(project, coder="researcher"):
    c = project.codings()
    return c[c["coder"] == coder]


def test_a_schema_3_store_gains_the_two_columns_once(tmp_path):
    from qualcode.store import SCHEMA_VERSION, SQLiteStore

    path = tmp_path / "old.db"
    SQLiteStore(path, create=True).close()
    conn = sqlite3.connect(path)                # what a schema-3 store's codings looked like
    conn.execute("ALTER TABLE codings DROP COLUMN target")
    conn.execute("ALTER TABLE codings DROP COLUMN swot")
    conn.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    columns = {r[1] for r in store.conn.execute("PRAGMA table_info(codings)")}
    assert store.schema_version() == SCHEMA_VERSION == 5 and {"target", "swot"} <= columns
    store.close()
    # a store that already has the columns (e.g. a crashed upgrade re-run) upgrades without error
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert store.schema_version() == 5
    assert list(store.codings_frame().columns).count("target") == 1
    store.close()


def test_set_value_accepts_a_suggestion_and_then_changes_it_in_place(coded):
    s = suggestion(coded, "palvelu", "Palvelu oli hidasta")
    held = coded.coding.set_value(int(s["coding_id"]), valence="negative", target=" myyjä ")
    row = mine(coded).set_index("coding_id").loc[held]
    assert (row["status"], row["valence"], row["target"], row["start"]) == ("accepted", "negative", "myyjä",
                                                                           s["start"])
    assert coded.coding.set_value(held, swot="w") == held            # own decision: changed in place
    row = mine(coded).set_index("coding_id").loc[held]
    assert (row["valence"], row["target"], row["swot"]) == ("negative", "myyjä", "W")   # the rest kept
    coded.coding.set_value(held, valence=None)
    assert mine(coded).set_index("coding_id").loc[held, "valence"] is None
    assert coded.audit()["action"].tolist()[-3:] == ["value", "value", "value"]
    with pytest.raises(QualcodeError, match="unknown valence 'bad'"):
        coded.coding.set_value(held, valence="bad")
    with pytest.raises(QualcodeError, match="unknown SWOT quadrant 'X'"):
        coded.coding.set_value(held, swot="x")
    with pytest.raises(QualcodeError, match="no coding 999"):
        coded.coding.set_value(999, valence="neutral")


def test_accept_and_add_record_the_values(coded):
    s = suggestion(coded, "viestinta", "Viestintä toimi")
    coded.coding.accept(int(s["segment_id"]), "viestinta", valence="positive", target="projektipäällikkö")
    h2 = suggestion(coded, "palvelu", "Palvelu oli nopeaa")
    coded.coding.add(int(h2["segment_id"]), "viestinta", swot="O")
    got = mine(coded).set_index("segment_text")
    assert got.loc["Viestintä toimi hyvin projektipäällikön kanssa.", ["status", "valence", "target"]].tolist() == [
        "accepted", "positive", "projektipäällikkö"]
    added = mine(coded)
    added = added[(added["segment_id"] == h2["segment_id"]) & (added["code_id"] == "viestinta")].iloc[0]
    assert (added["status"], added["swot"]) == ("manual", "O")


def test_the_analyses_use_the_coding_value_over_the_code_default(coded):
    slow = suggestion(coded, "palvelu", "Palvelu oli hidasta")
    good = suggestion(coded, "viestinta", "Viestintä toimi")
    fast = suggestion(coded, "palvelu", "Palvelu oli nopeaa")
    coded.coding.set_value(int(slow["coding_id"]), valence="negative", target="myyjä", swot="W")
    coded.coding.set_value(int(good["coding_id"]), valence="positive")
    coded.coding.accept(int(fast["segment_id"]), "palvelu")
    exp = coded.analyse.experiences(level="code").set_index("code_id")
    # the code says palvelu is positive and viestintä negative; the codings say otherwise
    assert exp.loc["palvelu", ["positive", "negative"]].tolist() == [1, 1]
    assert exp.loc["viestinta", ["positive", "negative"]].tolist() == [1, 0]
    needs = coded.analyse.training_needs()
    assert needs[["target", "code_id"]].values.tolist() == [["myyjä", "palvelu"]]   # not the speaker's role
    swot = coded.analyse.swot().to_frame()
    # palvelu is a strength by its code, but the slow-service coding was tagged a weakness
    assert swot[["quadrant", "code_id", "segments"]].values.tolist() == [
        ["S", "palvelu", 1], ["W", "palvelu", 1], ["W", "viestinta", 1]]


def test_the_review_sheet_carries_valence_and_target(coded, tmp_path):
    path = coded.coding.review_export(tmp_path / "tarkistus.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Tarkistus"]
    heads = [c.value for c in ws[1]]
    col = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(heads, start=1)}
    assert heads.index("Valenssi") == heads.index("Lisää 3") + 1 and heads[heads.index("Valenssi") + 1] == "Kohde"
    dvs = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert dvs[f"{col['Valenssi']}2:{col['Valenssi']}{ws.max_row}"].startswith('"Positiivinen,Negatiivinen')
    rows = {ws[f"{col['Teksti']}{r}"].value: r for r in range(2, ws.max_row + 1)}
    slow, good = rows["Palvelu oli hidasta, myyjä ei vastannut viesteihin."], rows[
        "Viestintä toimi hyvin projektipäällikön kanssa."]
    ws[f"{col['Hyväksy']}{slow}"] = "kaikki"
    ws[f"{col['Valenssi']}{slow}"] = "Negatiivinen"
    ws[f"{col['Kohde']}{slow}"] = "myyjä"
    ws[f"{col['Hyväksy']}{good}"] = "kaikki"
    wb.save(path)
    decided = coded.coding.review_import(path)
    assert decided[["decision", "valence", "target"]].values.tolist() == [
        ["accept", "negative", "myyjä"], ["accept", None, None]]
    got = mine(coded).set_index("segment_text")
    assert got.loc["Palvelu oli hidasta, myyjä ei vastannut viesteihin.", ["valence", "target"]].tolist() == [
        "negative", "myyjä"]

    # a later sheet gives only a new valence to a code accepted before: a 'value' decision
    path = coded.coding.review_export(tmp_path / "toinen.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    ws = wb["Review"]
    heads = [c.value for c in ws[1]]
    col = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(heads, start=1)}
    rows = {ws[f"{col['Text']}{r}"].value: r for r in range(2, ws.max_row + 1)}
    ws[f"{col['Valence']}{rows['Viestintä toimi hyvin projektipäällikön kanssa.']}"] = "positive"
    wb.save(path)
    decided = coded.coding.review_import(path)
    assert decided[["code_id", "decision", "valence"]].values.tolist() == [["viestinta", "value", "positive"]]
    got = mine(coded).set_index("segment_text")
    assert got.loc["Viestintä toimi hyvin projektipäällikön kanssa.", "valence"] == "positive"

    ws[f"{col['Valence']}{rows['Viestintä toimi hyvin projektipäällikön kanssa.']}"] = "great"
    wb.save(path)
    with pytest.raises(QualcodeError, match="unknown valence 'great'.*Positive, Negative"):
        coded.coding.review_import(path)


def test_the_values_travel_through_refi_qda(coded, tmp_path):
    s = suggestion(coded, "palvelu", "Palvelu oli hidasta")
    coded.coding.set_value(int(s["coding_id"]), valence="negative", target="myyjä", swot="W")
    coded.exchange.export_qdpx(tmp_path / "arvot.qdpx")
    fresh = Project.init(tmp_path / "toinen", title="Toinen")
    fresh.exchange.import_qdpx(tmp_path / "arvot.qdpx")
    got = fresh.codings()
    got = got[got["coder"] == "researcher"].iloc[0]
    assert (got["valence"], got["target"], got["swot"]) == ("negative", "myyjä", "W")
    fresh.close()


SWOT_FILE = """\
johtopäätökset:
  - "Palvelu: nopeus on vahvuus, hitaus heikkous."
toimenpiteet:
  - toimenpide: Vastausaika sovitaan
    vastuu: tiiminvetäjä
    aikataulu: syksy 2025
    perustuu: [w, palvelu]
"""


def test_swot_conclusions_and_actions_from_the_project_file(coded, tmp_path):
    import docx

    slow = suggestion(coded, "palvelu", "Palvelu oli hidasta")
    coded.coding.set_value(int(slow["coding_id"]), swot="W")
    (coded.root / "swot.yaml").write_text(SWOT_FILE, encoding="utf-8")
    out = coded.report(tmp_path / "r.xlsx")
    rows = [r for r in openpyxl.load_workbook(out)["SWOT-toimenpiteet"].iter_rows(min_row=2, values_only=True)]
    assert rows == [("Laji", "Sisältö", "Vastuu", "Aikataulu", "Perustuu"),
                    ("Johtopäätös", "Palvelu: nopeus on vahvuus, hitaus heikkous.", None, None, None),
                    ("Toimenpide", "Vastausaika sovitaan", "tiiminvetäjä", "syksy 2025", "Heikkoudet, Palvelu")]
    out = coded.report(tmp_path / "r.docx")
    document = docx.Document(out)
    texts = [p.text for p in document.paragraphs]
    at = texts.index("Johtopäätökset")
    assert texts[at + 1] == "1. Palvelu: nopeus on vahvuus, hitaus heikkous." and texts[at + 2] == "Toimenpiteet"
    # the actions table follows the conclusions (the research artefacts' appendices come later)
    last = next(t for t in document.tables if t.rows[0].cells[0].text == "Toimenpide")
    assert [c.text for c in last.rows[1].cells] == ["Vastausaika sovitaan", "tiiminvetäjä", "syksy 2025",
                                                    "Heikkoudet, Palvelu"]
    # the slow-service coding's own quadrant puts palvelu among the weaknesses too
    weak = texts.index("Heikkoudet")
    assert texts[weak + 1].startswith("Palvelu (")


def test_a_mistake_in_the_swot_file_names_its_line(coded, tmp_path):
    (coded.root / "swot.yaml").write_text("toimenpiteet:\n  - toimenpide: X\n    perustuu: [Q]\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"swot.yaml:2: action 1 rests on 'Q', which is neither"):
        coded.report(tmp_path / "r.xlsx")
    (coded.root / "swot.yaml").write_text("johtopäätökset:\n  - Palvelu: hyvä\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"swot.yaml:2: conclusion 1 is not a text; put a text with a colon"):
        coded.report(tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()
