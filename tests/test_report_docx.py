"""The Word report: table caption above the table, figure captions below figures,
appendices (interview guide, group frame with partitive roles, TRENDI | KOMMENTTI),
quotes ending in the informant code; Finnish and English."""
from __future__ import annotations

import docx
import pytest
from docx.oxml.ns import qn

from test_report_common import HYPER, inputs, study  # noqa: F401  (fixtures)


def _body(doc):
    """Body elements in order as ('p', text, style, has_picture) / ('tbl', rows)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            p = Paragraph(el, doc)
            out.append(("p", p.text, p.style.name, bool(el.findall(".//" + qn("w:drawing")))))
        elif el.tag == qn("w:tbl"):
            t = Table(el, doc)
            out.append(("tbl", [[c.text for c in r.cells] for r in t.rows]))
    return out


@pytest.fixture
def doc_fi(inputs, tmp_path):
    from qualcode.report import write_docx_report

    return docx.Document(str(write_docx_report(inputs, tmp_path / "liitteet.docx")))


@pytest.fixture
def doc_en(inputs, tmp_path):
    from qualcode.report import write_docx_report

    return docx.Document(str(write_docx_report(inputs, tmp_path / "appendices.docx", lang="en")))


def _index(body, text):
    for i, item in enumerate(body):
        if item[0] == "p" and item[1] == text:
            return i
    raise AssertionError(f"{text!r} not in document: {[b[1] for b in body if b[0] == 'p']}")


def test_interview_table_caption_above(doc_fi):
    body = _body(doc_fi)
    i = _index(body, "Taulukko 1. Haastattelut.")
    assert body[i][2] == "Caption"
    assert body[i + 1][0] == "tbl"
    rows = body[i + 1][1]
    assert rows[0] == ["PVM:", "Haastattelun tapa:", "Kesto:", "Titteli:", "Koodi:"]
    assert rows[1] == ["12.5.2021", "Haastattelu", "36min", "Toimitusjohtaja", "H1"]


def test_figures_captioned_below(doc_fi):
    body = _body(doc_fi)
    captions = [(i, b[1]) for i, b in enumerate(body) if b[0] == "p" and b[1].startswith("Kuvio ")]
    assert [c for _, c in captions] == ["Kuvio 1. SWOT-analyysi.", "Kuvio 2. Koodien esiintyminen ryhmittäin.",
                                        "Kuvio 3. Koodien yhteisesiintyminen."]
    for i, _ in captions:
        assert body[i - 1][0] == "p" and body[i - 1][3], "a picture must come right before the caption"
        assert body[i][2] == "Caption"


def test_quotes_end_with_informant_code(doc_fi):
    texts = [b[1] for b in _body(doc_fi) if b[0] == "p"]
    assert "Emme ole saaneet mitään tilannepäivityksiä, joudumme aina kysymään itse. H1" in texts
    assert "Me kehittäjät emme aina tiedä, kuka asiakkaan yhteyshenkilö on. KE1" in texts
    assert f"{HYPER} oli linkki, jonka lähetin. H1" in texts
    assert "Teeman toi esiin 4/6 haastateltavaa." in texts


def test_individual_frame_appendix(doc_fi):
    body = _body(doc_fi)
    i = _index(body, "Liite 1. Haastattelurunko")
    assert body[i][2] == "Heading 1"
    texts = [b[1] for b in body[i:] if b[0] == "p"]
    assert "1. Miten asiakkuus alkoi?" in texts
    assert "3. Kuinka usein teihin ollaan yhteydessä?" in texts
    assert "4. Asteikolla 1–10, kuinka todennäköisesti suosittelisit palvelua? (1–10)" in texts
    assert "5. Haluatko lisätä jotain?" in texts


def test_group_frame_appendix(doc_fi):
    body = _body(doc_fi)
    i = _index(body, "Liite 2. Ryhmäteemahaastattelun runko")
    j = _index(body, "RYHMÄTEEMAHAASTATTELUN RUNKO")
    assert j == i + 1
    assert [b[1] for b in body[j + 1:j + 4]] == ["Datasilta Oy, asiakkuudet", "7.5.2025", "Osallistujat:"]
    assert body[j + 4] == ("tbl", [["2", "projektipäällikköä"], ["3", "ohjelmistokehittäjää"],
                                   ["1", "asiakkuuspäällikkö"], ["2", "IT-tukea"]])
    t1 = _index(body, "TEEMA 1")
    assert body[t1 + 1][1] == "Asiakkuudenhoidon nykytila"
    assert body[t1 + 2][1:3] == ("Kuka vastaa asiakkuudesta?", "List Bullet")
    assert body[_index(body, "TEEMA 2") + 1][1] == "Viestintä"


def test_trend_appendix(doc_fi):
    body = _body(doc_fi)
    # the title follows the data (individual and group interviews here); without trendit.yaml
    # the trends are drafts from the codings, and the appendix says so above the table
    i = _index(body, "Liite 3. Yksilö- ja ryhmähaastattelujen trendit ja kommentit")
    assert body[i + 1][1].startswith("LUONNOS: trendit ja kommentit on muotoiltu koodauksista.")
    assert body[i + 2][0] == "tbl"
    rows = body[i + 2][1]
    assert rows[0] == ["TRENDI", "KOMMENTTI"]
    assert rows[1][0] == "Viestintä: suurin osa haastateltavista nosti aiheen esiin (4/6)."
    assert rows[1][1].endswith("(H1)")


def test_english_document(doc_en):
    body = _body(doc_en)
    texts = [b[1] for b in body if b[0] == "p"]
    i = _index(body, "Table 1. Interviews.")
    assert body[i + 1][1][0] == ["Date:", "Interview mode:", "Duration:", "Title:", "Code:"]
    assert "Figure 1. SWOT analysis." in texts
    assert "Appendix 1. Interview guide" in texts
    assert "Appendix 2. Group theme interview guide" in texts
    assert "GROUP THEME INTERVIEW GUIDE" in texts
    assert "Participants:" in texts and "THEME 1" in texts
    k = _index(body, "Appendix 3. Trends and comments from the individual and group interviews")
    assert body[k + 1][1].startswith("DRAFT: the trends and comments are drafted")
    assert body[k + 2][1][0] == ["TREND", "COMMENT"]
    assert not any(t.startswith(("Taulukko", "Kuvio", "Liite")) for t in texts)


def test_without_frames_or_codings(tmp_path):
    from qualcode.project import Project
    from qualcode.report import write_docx_report

    p = Project.init(tmp_path / "empty", title="Tyhjä")
    try:
        out = write_docx_report(p.analyse.frames(report=True), tmp_path / "tyhja.docx")
    finally:
        p.close()
    texts = [para.text for para in docx.Document(str(out)).paragraphs]
    assert texts[0] == "Tyhjä"
    assert not any(t.startswith(("Liite", "Kuvio", "Taulukko")) for t in texts)


def test_failed_docx_write_keeps_old_file(inputs, tmp_path, monkeypatch):
    from docx.document import Document

    from qualcode.report import write_docx_report

    old = tmp_path / "old.docx"
    old.write_bytes(b"previous")

    def broken(self, path):
        open(path, "wb").write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Document, "save", broken)
    with pytest.raises(OSError):
        write_docx_report(inputs, old)
    assert old.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.docx", "study"]
