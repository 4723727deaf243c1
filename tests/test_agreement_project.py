"""Two coders in one project: agreement through the CLI, the disagreement sheet, consensus."""
import openpyxl
import pytest


@pytest.fixture
def two_coders(project):
    (project.root / "codebooks" / "cb.yaml").write_text(
        "language: fi\ncodes:\n  - {id: a, name: A}\n  - {id: b, name: B}\n", encoding="utf-8")
    (project.root / "transcripts" / "t.txt").write_text(
        "Haastattelija: Kysymys?\nH1: Yksi.\nH1: Kaksi.\nH2: Kolme.\nH2: Neljä.\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    seg = {r.text: int(r.segment_id) for r in project.segments().itertuples()}
    s1, s2, s3, s4 = seg["Yksi."], seg["Kaksi."], seg["Kolme."], seg["Neljä."]
    for s in (s1, s2):
        project.coding.add(s, "a", coder="liisa")
    for s in (s1, s3):
        project.coding.add(s, "a", coder="matti")
    project.coding.add(s4, "b", coder="liisa")
    project.coding.add(s4, "b", coder="matti")
    return project, (s1, s2, s3, s4)


def test_agreement_per_code_worked_by_hand(two_coders, cli):
    project, _ = two_coders
    table = project.agreement.table(["liisa", "matti"]).set_index("code_id")
    # code a: liisa 1,1,0,0 and matti 1,0,1,0 over the four informant segments
    assert table.loc["a", "units"] == 4 and table.loc["a", "percent_agreement"] == pytest.approx(50.0)
    assert table.loc["a", "cohen_kappa"] == pytest.approx(0.0)      # po = .5, pe = .5
    assert table.loc["b", "percent_agreement"] == pytest.approx(100.0)
    assert table.loc["b", "cohen_kappa"] == pytest.approx(1.0)
    code, out = cli(["--project", project.root, "agreement", "--coders", "liisa", "--coders", "matti"])
    assert code == 0 and "Koodaajien yhteneväisyys" in out and "Cohenin" in out


def test_disagreement_sheet_and_consensus(two_coders, cli, tmp_path):
    project, (s1, s2, s3, s4) = two_coders
    sheet = tmp_path / "erot.xlsx"
    code, out = cli(["--project", project.root, "agreement", "--coders", "liisa", "--coders", "matti",
                     "--disagreements", sheet])
    assert code == 0, out
    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    header_row = next(r for r in range(1, 4) if "Sovittu" in [c.value for c in ws[r]])
    heads = {c.value: c.column for c in ws[header_row]}
    rows = list(range(header_row + 1, ws.max_row + 1))
    texts = [ws.cell(r, heads["Teksti"]).value for r in rows]
    assert sorted(texts) == ["Kaksi.", "Kolme."]          # the two segments where code a differs
    for r in rows:   # the meeting agrees that "Kaksi." has code a and "Kolme." does not
        ws.cell(r, heads["Sovittu"]).value = "kyllä" if ws.cell(r, heads["Teksti"]).value == "Kaksi." else "ei"
    wb.save(sheet)
    code, out = cli(["--project", project.root, "agreement", "consensus", sheet, "--reason", "palaveri 1"])
    assert code == 0 and "Recorded 2 consensus decisions" in out
    c = project.codings()
    consensus = c[c["coder"] == "consensus"].set_index("segment_id")["status"].to_dict()
    assert consensus == {s2: "accepted", s3: "rejected"}
    resolved = project.coding.resolved()
    assert sorted(resolved.loc[resolved["code_id"] == "a", "segment_id"]) == [s1, s2]
    log = project.audit()
    assert (log["action"] == "consensus").sum() == 2 and "palaveri 1" in set(log["reason"])


def test_consensus_sheet_errors_are_row_by_row(two_coders, cli, tmp_path):
    project, _ = two_coders
    sheet = tmp_path / "erot.xlsx"
    project.agreement.write_disagreements(sheet, ["liisa", "matti"])
    code, out = cli(["--project", project.root, "agreement", "consensus", sheet])   # Sovittu left empty
    assert code == 2 and "row" in out and "kyllä" in out
    assert (project.codings()["coder"] == "consensus").sum() == 0
    code, out = cli(["--project", project.root, "agreement", "consensus", tmp_path / "puuttuu.xlsx"])
    assert code == 2 and "does not exist" in out


def test_memos_from_the_cli_reach_the_store_and_the_audit_trail(two_coders, cli):
    project, (s1, *_rest) = two_coders
    code, out = cli(["--project", project.root, "memo", "Tarkista tämä vielä.", "--segment", s1])
    assert code == 0 and "Memo 1 saved (segment" in out
    code, out = cli(["--project", project.root, "memo", "Koodi a on liian laaja.", "--code", "a"])
    assert code == 0
    memos = project.coding.memos()
    assert memos[["target_type", "target_id", "text"]].values.tolist() == [
        ["segment", str(s1), "Tarkista tämä vielä."], ["code", "a", "Koodi a on liian laaja."]]
    assert (project.audit()["action"] == "memo").sum() == 2
    code, out = cli(["--project", project.root, "memo", "x", "--segment", 99999])
    assert code == 2 and "no segment 99999" in out
    code, out = cli(["--project", project.root, "memo", "x", "--code", "zz"])
    assert code == 2 and "unknown code 'zz'" in out
