"""Every report states its coding basis: the reviewed codings it counts and the suggestions it
leaves out; counting suggestions, or having nothing reviewed, is a warning on the command line
and on every analysis table.  And the Word template option."""
import zipfile

import docx
import openpyxl
import pytest

ANALYSIS_SHEETS = ("Teemat", "Lainaukset", "Kokemukset", "SWOT", "Trendit", "Pelkistys")


@pytest.fixture
def coded(project):
    """Two transcripts coded automatically: three suggestions, nothing reviewed yet."""
    (project.root / "codebooks" / "cb.yaml").write_text(
        "language: fi\ncodes:\n  - {id: hinta, name: Hinta, keywords: [hinta], valence: negative, swot: W}\n"
        "  - {id: tuki, name: Tuki, keywords: [tuki], valence: positive, swot: S}\n", encoding="utf-8")
    (project.root / "informants.csv").write_text(
        "code,role,date,mode,duration_min\nH1,Controller,3.8.2021,Teams,36\nH2,Talousjohtaja,4.8.2021,Teams,40\n")
    (project.root / "transcripts" / "H1.txt").write_text(
        "H1: Hinta nousi yllättäen.\n\nH1: Tuki vastasi nopeasti.\n", encoding="utf-8")
    (project.root / "transcripts" / "H2.txt").write_text("H2: Hinta on liian korkea.\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    project.code()
    assert len(project.coding.resolved(include_suggested=True)) == 3
    return project


def _sheet_captions(path):
    wb = openpyxl.load_workbook(path, rich_text=True)
    return {ws.title: str(ws["A1"].value) for ws in wb.worksheets}


def _doc_text(path):
    return "\n".join(p.text for p in docx.Document(path).paragraphs)


def test_nothing_reviewed_warns_on_the_command_line_and_in_every_report(coded, cli, tmp_path):
    code, out = cli(["--project", coded.root, "report", "-o", tmp_path / "r.xlsx"])
    assert code == 0 and "Warning: r.xlsx: Ei tarkistettuja koodauksia" in out
    assert "3 automaattista ehdotusta odottaa tarkistusta" in out
    captions = _sheet_captions(tmp_path / "r.xlsx")
    assert all("Ei tarkistettuja koodauksia" in captions[s] for s in ANALYSIS_SHEETS if s in captions)
    assert "Ei tarkistettuja" in captions["Haastattelut"]
    code, out = cli(["--project", coded.root, "report", "-o", tmp_path / "r.docx"])
    assert code == 0 and "Warning:" in out
    first = docx.Document(tmp_path / "r.docx").paragraphs[1]
    assert first.text.startswith("Ei tarkistettuja koodauksia") and first.runs[0].bold


def test_include_suggested_warns_on_every_analysis_table(coded, cli, tmp_path):
    code, out = cli(["--project", coded.root, "report", "--include-suggested", "-o", tmp_path / "r.xlsx"])
    assert code == 0 and "Warning: r.xlsx: HUOM: mukana 3 tarkistamatonta" in out
    captions = _sheet_captions(tmp_path / "r.xlsx")
    present = [s for s in ANALYSIS_SHEETS if s in captions]
    assert len(present) >= 5 and all("HUOM: mukana 3 tarkistamatonta" in captions[s] for s in present)
    assert "HUOM" not in captions["Koodikirja"] and "HUOM" not in captions["Analyysiloki"]
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Haastattelut"]
    footer = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("0 tarkistettua koodausta" in v and "3 tarkistamatonta automaattista ehdotusta" in v for v in footer)
    cli(["--project", coded.root, "report", "--include-suggested", "-o", tmp_path / "r.docx"])
    assert _doc_text(tmp_path / "r.docx").count("HUOM: mukana 3 tarkistamatonta") >= 2   # first page, results
    cli(["--project", coded.root, "report", "--include-suggested", "-o", tmp_path / "r.html"])
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("HUOM: mukana 3") >= 5


def test_reviewed_codings_are_the_basis_without_warnings(coded, cli, tmp_path):
    c = coded.codings()
    first = c.iloc[0]
    coded.coding.accept(int(first["segment_id"]), first["code_id"])
    code, out = cli(["--project", coded.root, "report", "-o", tmp_path / "r.docx"])
    assert code == 0 and "Warning" not in out
    text = _doc_text(tmp_path / "r.docx")
    assert "Analyysit perustuvat 1 tarkistettuun koodaukseen (researcher); 2 tarkistamatonta ehdotusta" in text
    assert "HUOM" not in text
    out = coded.report(tmp_path / "r.md", lang="en")
    # one reviewed coding reads in the singular
    assert "The analyses count 1 reviewed coding (researcher); not counted: 2 unreviewed suggestions." \
        in out.read_text(encoding="utf-8")
    details = coded.audit()["details"].iloc[-1]
    assert '"reviewed": 1' in details and '"suggestions": 2' in details


def test_word_template_dotx_and_its_errors(coded, cli, tmp_path):
    from docx.shared import Cm

    template = docx.Document()
    template.sections[0].left_margin = Cm(4.0)
    template.add_paragraph("Pohjan ohjeteksti, joka ei kuulu raporttiin")
    template.save(tmp_path / "pohja.docx")
    dotx = tmp_path / "pohja.dotx"          # the same as a Word template: another content type
    with zipfile.ZipFile(tmp_path / "pohja.docx") as src, zipfile.ZipFile(dotx, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            dst.writestr(name, data)
    code, out = cli(["--project", coded.root, "report", "--template", dotx, "-o", tmp_path / "r.docx"])
    assert code == 0, out
    doc = docx.Document(tmp_path / "r.docx")
    assert round(doc.sections[0].left_margin.cm, 1) == 4.0 and "ohjeteksti" not in _doc_text(tmp_path / "r.docx")
    code, out = cli(["--project", coded.root, "report", "--template", tmp_path / "puuttuu.docx",
                     "-o", tmp_path / "s.docx"])
    assert code == 2 and "puuttuu.docx: the Word template does not exist" in out
    assert not (tmp_path / "s.docx").exists() and "Traceback" not in out
    (tmp_path / "rikki.docx").write_text("ei zip", encoding="utf-8")
    code, out = cli(["--project", coded.root, "report", "--template", tmp_path / "rikki.docx",
                     "-o", tmp_path / "s.docx"])
    assert code == 2 and "rikki.docx: this is not a Word file" in out
    code, out = cli(["--project", coded.root, "report", "--template", dotx, "-o", tmp_path / "s.xlsx"])
    assert code == 2 and "shapes docx reports only" in out and not (tmp_path / "s.xlsx").exists()


def test_default_word_pages_are_a4_with_repeated_headers(coded, tmp_path):
    with pytest.warns(UserWarning, match="HUOM"):
        out = coded.report(tmp_path / "r.docx", include_suggested=True)
    doc = docx.Document(out)
    assert {(round(s.page_width.cm, 1), round(s.page_height.cm, 1)) for s in doc.sections} == {(21.0, 29.7)}
    from qualcode.report.docxutil import is_repeated_header

    assert doc.tables and all(is_repeated_header(t.rows[0]) for t in doc.tables[:1])
