"""`qualcode demo` end to end: outputs that open, and an audit trail of every step in order."""
import json

import openpyxl
import pytest


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from click.testing import CliRunner

    from qualcode.cli import main

    folder = tmp_path_factory.mktemp("demo") / "tutkimus"
    result = CliRunner().invoke(main, ["demo", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_demo_writes_outputs_that_open(demo):
    import docx

    folder, out = demo
    for name in ("raportti.xlsx", "liitteet.docx", "raportti.html", "asiakaskokemus.qdpx", "tarkistus.xlsx"):
        assert (folder / name).is_file(), name
        assert str(folder / name) in out
    wb = openpyxl.load_workbook(folder / "raportti.xlsx")
    assert {"Haastattelut", "Koodikirja", "Lainaukset", "SWOT", "Analyysiloki"} <= set(wb.sheetnames)
    assert wb["Haastattelut"]["A1"].value.startswith("Taulukko 1.")
    # quotes and trend comments are whole paragraphs, not the matched keyword alone
    comments = [r[1] for r in wb["Trendit"].iter_rows(min_row=3, values_only=True) if r[1]]
    assert comments and all(len(c.split()) >= 5 for c in comments)
    quotes = [r[1] for r in wb["Lainaukset"].iter_rows(min_row=3, values_only=True) if r[1]]
    assert sum(len(q.split()) >= 3 for q in quotes) > 0.9 * len(quotes)
    text = "\n".join(p.text for p in docx.Document(folder / "liitteet.docx").paragraphs)
    assert "Liite 1. " in text and "RYHMÄTEEMAHAASTATTELUN RUNKO" in text
    assert any((folder / "kuviot").glob("*.png"))


def test_demo_audit_trail_lists_every_step_in_order(demo):
    from qualcode.project import Project

    folder, _ = demo
    with Project(folder) as project:
        actions = project.audit()["action"].tolist()
    steps = ["informants", "ingest", "code", "review export", "report", "export qdpx"]
    positions = [actions.index(s) for s in steps]
    assert positions == sorted(positions), actions
    assert actions.count("ingest") == 15          # one entry per transcript
    assert actions.count("report") == 3            # xlsx, docx, html


def test_demo_codes_inflected_finnish(demo):
    from qualcode.project import Project

    folder, _ = demo
    with Project(folder) as project:
        c = project.codings()
        auto = c[c["coder"] == "auto"]
        assert len(auto) > 500
        # inflected and compound forms were found by their lemmas
        quotes = set(auto["quote"].str.lower())
        assert any(q.startswith("tilannepäivity") and q != "tilannepäivitys" for q in quotes)
        details = json.loads(project.audit().query("action == 'code'")["details"].iloc[0])
        assert details["codes_rematched"] == len(project.codebook())
