"""Automatic coding through the project store: offsets, re-runs, human decisions, review sheet."""
import openpyxl
import pytest

from qualcode.errors import QualcodeError
from conftest import coded_study

CODEBOOK = """\
language: fi
name: Testikoodikirja
codes:
  - id: viestinta
    name: Viestintä
    parent: null
    keywords: [viestintä, tiedottaa]
    phrases: ["pitää ajan tasalla"]
    patterns: ['\\bviikko(viesti|raportti)']
  - id: paivitykset
    name: Tilannepäivitykset
    parent: viestinta
    keywords: [päivitys]
    compound: true
    exclude: [ohjelmistopäivitys]
  - id: laskutus
    name: Laskutus
    parent: null
    keywords: [lasku, laskutus]
    compound: true
"""

TRANSCRIPT = (
    "Haastattelija: Miten viestintä on toiminut?\n"
    "H1: No tota, viestinnän kanssa on ollut ongelmia. Tilannepäivityksiä ei tullut.\n"
    "H1: Viikkoviesti olisi hyvä.\n"
    "H2: Ohjelmistopäivitys rikkoi integraation, ja laskutuksessa oli virheitä.\n"
    "H2: Meidät pidettiin ajan tasalla koko ajan.\n"
)


@pytest.fixture
def coded(project):
    return coded_study(project, CODEBOOK, {"ryhma.txt": TRANSCRIPT})


def quotes(project, code_id, status="suggested"):
    c = project.codings()
    c = c[(c["code_id"] == code_id) & (c["status"] == status)]
    return c["quote"].tolist()


def test_suggestions_at_the_right_offsets(coded):
    c = coded.codings()
    assert set(c["status"]) == {"suggested"} and set(c["coder"]) == {"auto"}
    # interviewer turns are not coded
    assert "Miten viestintä on toiminut?" not in set(c["segment_text"])
    assert quotes(coded, "viestinta") == ["viestinnän", "Viikkoviesti", "pidettiin ajan tasalla"]
    assert quotes(coded, "paivitykset") == ["Tilannepäivityksiä"]          # compound, inflected
    assert quotes(coded, "laskutus") == ["laskutuksessa"]
    for row in c.itertuples():   # offsets point into the source text
        assert coded.source_text(int(row.source_id))[row.start:row.end] == row.quote
    rules = dict(zip(c["quote"], c["rule"]))
    assert rules["Tilannepäivityksiä"] == "compound:päivitys"
    assert rules["Viikkoviesti"].startswith("pattern:")


def test_exclusion_blocks_the_code_in_that_segment(coded):
    seg = coded.codings()
    h2 = seg[seg["segment_text"].str.startswith("Ohjelmistopäivitys")]
    assert "paivitykset" not in set(h2["code_id"])


def test_rerun_with_changed_codebook_keeps_human_decisions(coded):
    c = coded.codings()
    laskutus_seg = int(c.loc[c["code_id"] == "laskutus", "segment_id"].iloc[0])
    viesti_seg = int(c.loc[c["quote"] == "viestinnän", "segment_id"].iloc[0])
    coded.coding.accept(viesti_seg, "viestinta", coder="liisa")
    coded.coding.reject(laskutus_seg, "laskutus", coder="liisa")
    coded.coding.add(viesti_seg, "laskutus", coder="liisa")
    # the codebook changes: laskutus loses its keywords, viestinta gets a new one
    new = CODEBOOK.replace("keywords: [lasku, laskutus]", "keywords: [hinta]").replace(
        "keywords: [viestintä, tiedottaa]", "keywords: [viestintä, tiedottaa, integraatio]")
    (coded.root / "codebooks" / "koodit.yaml").write_text(new, encoding="utf-8")
    coded.code()
    c = coded.codings()
    human = c[c["coder"] == "liisa"].sort_values("code_id")
    assert human[["code_id", "status"]].values.tolist() == [
        ["laskutus", "manual"], ["laskutus", "rejected"], ["viestinta", "accepted"]]
    assert quotes(coded, "laskutus") == []               # the automatic one is gone …
    # … the human one stays, on the whole segment (the unit of review)
    assert quotes(coded, "laskutus", "rejected") == [
        "Ohjelmistopäivitys rikkoi integraation, ja laskutuksessa oli virheitä."]
    assert "integraation" in quotes(coded, "viestinta")     # the new keyword found its word
    resolved = coded.coding.resolved()
    assert sorted(resolved["code_id"]) == ["laskutus", "viestinta"]
    assert set(resolved["status"]) == {"accepted", "manual"}
    log = coded.audit()
    assert log["action"].tolist().count("code") == 2
    assert '"codebook_hash"' in log[log["action"] == "code"]["details"].iloc[-1]


def test_review_sheet_round_trip_edited_like_a_user(coded, tmp_path, cli):
    sheet = tmp_path / "tarkistus.xlsx"
    code, out = cli(["--project", coded.root, "review", "export", sheet])
    assert code == 0, out
    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    if "Segmentti" not in headers:       # a caption row may come first
        headers = [c.value for c in ws[2]]
    col = {h: i + 1 for i, h in enumerate(headers) if h}
    header_row = 1 if [c.value for c in ws[1]] == headers else 2
    rows = {ws.cell(r, col["Teksti"]).value: r for r in range(header_row + 1, ws.max_row + 1)}
    r1 = rows["No tota, viestinnän kanssa on ollut ongelmia. Tilannepäivityksiä ei tullut."]
    ws.cell(r1, col["Hyväksy"]).value = "kaikki"
    r2 = rows["Ohjelmistopäivitys rikkoi integraation, ja laskutuksessa oli virheitä."]
    ws.cell(r2, col["Hylkää 1"]).value = "laskutus"
    ws.cell(r2, col["Lisää 1"]).value = "viestinta"
    wb.save(sheet)
    code, out = cli(["--project", coded.root, "review", "import", sheet, "--coder", "liisa"])
    assert code == 0, out
    c = coded.codings()
    mine = c[c["coder"] == "liisa"].sort_values(["segment_text", "code_id"])
    assert mine[["code_id", "status"]].values.tolist() == [
        ["paivitykset", "accepted"], ["viestinta", "accepted"],
        ["laskutus", "rejected"], ["viestinta", "manual"]]
    # an unknown code and an edited text are reported row by row and nothing is applied
    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    r3 = rows["Viikkoviesti olisi hyvä."]
    ws.cell(r3, col["Lisää 1"]).value = "eiole"
    ws.cell(r2, col["Teksti"]).value = "Muutettu teksti."
    wb.save(sheet)
    before = len(coded.codings())
    code, out = cli(["--project", coded.root, "review", "import", sheet, "--coder", "maija"])
    assert code == 2
    assert f"row {r3}" in out and "eiole" in out and f"row {r2}" in out
    assert len(coded.codings()) == before


def test_code_without_codebook_is_a_clear_error(project, cli):
    (project.root / "transcripts" / "a.txt").write_text("H1: Hei.\n")
    project.ingest([project.root / "transcripts"])
    code, out = cli(["--project", project.root, "code"])
    assert code == 2 and "no codebook found" in out
    code, out = cli(["--project", project.root, "code", "--codebook", "puuttuu.yaml"])
    assert code == 2 and "puuttuu.yaml: the codebook file does not exist" in out


def test_api_add_rejects_unknown_code(coded):
    seg = int(coded.segments().iloc[1]["segment_id"])
    with pytest.raises(QualcodeError, match="unknown code 'eiole'"):
        coded.coding.add(seg, "eiole")


def test_recode_is_incremental_and_new_sources_are_coded(coded):
    import json

    before = coded.codings()[["segment_id", "code_id", "start", "end", "coding_id"]]
    coded.code()                                        # nothing changed: nothing re-matched
    details = json.loads(coded.audit()["details"].iloc[-1])
    assert details["codes_rematched"] == 0 and details["added"] == 0 and details["removed"] == 0
    assert coded.codings()[["segment_id", "code_id", "start", "end", "coding_id"]].equals(before)
    (coded.root / "transcripts" / "uusi.txt").write_text("H3: Laskutus on selkeää.\n", encoding="utf-8")
    coded.ingest([coded.root / "transcripts"])
    coded.code()                                        # unchanged codes run on the new source only
    details = json.loads(coded.audit()["details"].iloc[-1])
    assert details["codes_rematched"] == 0 and details["new_sources"] == 1 and details["added"] == 1
    assert quotes(coded, "laskutus") == ["laskutuksessa", "Laskutus"]
    # one changed code is re-matched everywhere, the others are left alone
    changed = CODEBOOK.replace("keywords: [lasku, laskutus]", "keywords: [lasku, laskutus, integraatio]")
    (coded.root / "codebooks" / "koodit.yaml").write_text(changed, encoding="utf-8")
    coded.code()
    details = json.loads(coded.audit()["details"].iloc[-1])
    # the new keyword comes first in that segment, so its suggestion moves to "integraation"
    assert details["codes_rematched"] == 1 and details["added"] == 1 and details["removed"] == 1
    assert quotes(coded, "laskutus") == ["integraation", "Laskutus"]
    # interviewer turns coded on request, and dropped again when not asked for
    coded.code(include_interviewer=True)
    assert "Miten viestintä on toiminut?" in set(coded.codings()["segment_text"])
    coded.code()
    assert "Miten viestintä on toiminut?" not in set(coded.codings()["segment_text"])
