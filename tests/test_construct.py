"""Issue 11: from findings to a customer care model (segmentation, care models with
evidence, KAM plans, timeline, roles, templates, checklist, proposals) and their sheets
and appendices."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from qualcode.construct import (ConstructError, Frequency, load_constructs, parse_frequency, parse_plan,
                                parse_quarter, segment_customers)
from qualcode.analysis.study import StudyFrames
from qualcode.report.construct_sheets import add_construct_appendices, add_construct_sheets
from qualcode.sheets import safe_sheet_title

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "asiakaskokemus"
DEMO_CODEBOOK = ROOT / "codebooks" / "asiakaskokemus_fi.yaml"

CUSTOMERS = """asiakas;nimi;liikevaihto;toimeksiannot;potentiaali;elinkaari
AS-001;Yritys 1;250 000;30;keski;vakiintunut
AS-002;Yritys 2;12000;3;korkea;uusi
AS-003;Yritys 3;60000;8;korkea;kasvava
AS-004;Yritys 4;8000;1;matala;hiipuva
AS-005;Yritys 5;170000;4;matala;vakiintunut
"""

SEGMENTATION = """\
segments:
  - name: KAM
    when:
      - {liikevaihto: ">=150000", toimeksiannot: ">=12"}
      - {potentiaali: korkea, elinkaari: [uusi, kasvava], liikevaihto: ">=40000"}
default: Muut
"""

PLAN = """\
stages: [uusi, kasvava, vakiintunut]
care_models:
  - segment: KAM
    roles: [asiakkuusvastaava]
    actions:
      - action: Viikkoviesti
        content: Tilanne ja seuraavat askeleet
        frequency: 1krt/vk
        responsible: projektipäällikkö
        channel: sähköposti
        stage: [uusi, kasvava]
        evidence: {codes: [tilannetiedon_puute]}
      - action: Kvartaalitapaaminen
        frequency: 1krt/kvartaali
        responsible: asiakkuusvastaava
        channel: tapaaminen
        stage: vakiintunut
        evidence: {themes: [viestinta]}
  - segment: Muut
    actions:
      - action: Yhteydenotto
        frequency: 2krt/vuosi
        responsible: myynti
        channel: puhelin
timeline:
  quarters: [Q3/2025, Q4/2025, Q1/2026]
  rows:
    - segment: KAM
      Q3/2025: KAM-suunnitelmat
      Q4/2025: Tapaamiset
      Q1/2026: Arviointi
      follow_up: asiakkuusryhmä 1krt/kk
    - segment: Muut
      Q3/2025: Yhteydenotot
      Q4/2025: Seuranta
      Q1/2026: Seuranta
      follow_up: myynti
kam_plan:
  segment: KAM
  values:
    AS-001: {Kasvusuunnitelma: Uudet yksiköt mukaan}
roles:
  - name: asiakkuusvastaava
    tasks: [Laatii suunnitelman, Vetää tapaamiset]
templates:
  - id: viikkoviesti
    name: Viikkoviesti
    trigger: joka perjantai
    subject: "<projekti>, viikko __"
    recipient: "<yhteyshenkilö>"
    body: "Asiakasnumero <asiakasnumero>. Tehty: __"
checklist:
  items: [Yksi, Kaksi, Kolme, Neljä, Viisi]
proposals:
  - {level: Johto, proposal: Asiakkaiden jako, themes: [viestinta], responsible: johtaja}
  - {level: Tiimi, proposal: Viikkoviesti, basis: Työpaja 1, responsible: PP}
  - {level: Yksilö, proposal: Koulutus, responsible: PP}
"""

CODEBOOK = """\
language: fi
codes:
  - id: viestinta
    name: Viestintä
  - id: tilannetiedon_puute
    name: Tilannetiedon puute
    parent: viestinta
  - id: viikkoviesti_toive
    name: Viikkoviesti
    parent: viestinta
  - id: hinta
    name: Hinta
"""

TRANSCRIPT = """\
Haastattelija: Miten viestintä toimii?
H1: Emme tiedä koskaan, missä vaiheessa projekti on menossa.

H1: Viikoittainen tilannekatsaus auttaisi meitä paljon.
Haastattelija: Entä hinta?
H2: Hinta on kohtuullinen.

H2: Joudumme aina itse kysymään projektin tilannetta.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def study(tmp_path):
    root = tmp_path / "kohde"
    root.mkdir()
    write(root, "asiakkaat.csv", CUSTOMERS)
    write(root, "segmentointi.yaml", SEGMENTATION)
    write(root, "hoitomallit.yaml", PLAN)
    return root


# --------------------------------------------------------------------------- frequencies and quarters

@pytest.mark.parametrize("token,canonical,per_year", [
    ("1krt/vk", "1krt/vk", 52.0), ("1krt/kk", "1krt/kk", 12.0), ("1krt/kvartaali", "1krt/kvartaali", 4.0),
    ("1krt/puolivuosi", "1krt/puolivuosi", 2.0), ("1krt/vuosi", "1krt/vuosi", 1.0),
    ("2krt/vuosi", "2krt/vuosi", 2.0), ("2 KRT / VUOSI", "2krt/vuosi", 2.0), ("tarvittaessa", "tarvittaessa", None),
    ("1x/month", "1krt/kk", 12.0),
])
def test_frequency_tokens(token, canonical, per_year):
    f = parse_frequency(token)
    assert isinstance(f, Frequency)
    assert f.token == canonical and f.per_year == per_year


def test_frequency_labels():
    assert parse_frequency("1krt/kk").label("fi") == "1krt/kk"
    assert parse_frequency("2krt/vuosi").label("en") == "2×/year"
    assert parse_frequency("tarvittaessa").label("en") == "as needed"


def test_bad_frequency_token_names_file_line_and_forms(tmp_path):
    bad = PLAN.replace("frequency: 1krt/kvartaali", "frequency: kerran kuussa")
    path = write(tmp_path, "hoitomallit.yaml", bad)
    with pytest.raises(ConstructError) as err:
        load_constructs(tmp_path)
    msg = str(err.value)
    line = bad.splitlines().index("        frequency: kerran kuussa") + 1
    assert msg.startswith(f"{path}:{line}: ")
    assert "'kerran kuussa' is not a frequency" in msg
    for form in ("1krt/vk", "1krt/kk", "1krt/kvartaali", "1krt/puolivuosi", "1krt/vuosi", "2krt/vuosi",
                 "tarvittaessa"):
        assert form in msg


def test_quarters():
    assert str(parse_quarter(" q2 / 2025 ")) == "Q2/2025"
    with pytest.raises(ValueError, match="not a quarter"):
        parse_quarter("Q5/2025")


# --------------------------------------------------------------------------- segmentation

def test_rules_segmentation(study):
    c = load_constructs(study)
    seg = c.segmentation
    assert seg.summary() == "KAM 2 / Muut 3"
    table = seg.to_frame("fi")
    assert list(table.columns)[:3] == ["Asiakas", "Segmentti", "Peruste"]
    assert "liikevaihto" in table.columns and "potentiaali" in table.columns
    rows = table.set_index("Asiakas")
    assert rows.loc["AS-001", "Segmentti"] == "KAM"
    # the basis names the attributes by their column headers and groups the amounts (no-break space)
    assert rows.loc["AS-001", "Peruste"] == "Liikevaihto (€) ≥ 150\u00a0000 ja Toimeksiannot (kpl) ≥ 12"
    assert rows.loc["AS-003", "Peruste"].startswith("Potentiaali = korkea ja Elinkaaren vaihe = (uusi tai kasvava)")
    assert rows.loc["AS-005", "Segmentti"] == "Muut"      # big revenue but few orders
    assert rows.loc["AS-001", "liikevaihto"] == 250000     # "250 000" read as a number
    assert seg.counts().values.tolist() == [["KAM", 2], ["Muut", 3]]


def test_demo_segmentation_gives_8_and_80():
    c = load_constructs(DEMO)
    assert c.segmentation.summary() == "KAM 8 / Muut 80"
    assert len(c.kam_accounts()) == 8
    assert all(a.startswith("AS-") for a in c.kam_accounts())


def test_abc_tiers_by_share_and_threshold():
    customers = pd.DataFrame({"asiakas": [f"A{i}" for i in range(10)], "liikevaihto": [100 - 10 * i for i in range(10)]})
    seg = segment_customers(customers, {"abc": {"by": "liikevaihto", "tiers": [
        {"name": "A", "share": "20%"}, {"name": "B", "share": 0.3}, {"name": "C"}]}})
    assert seg.summary() == "A 2 / B 3 / C 5"
    assert seg.table.loc[0, "basis"] == "Liikevaihto (€) 100, sija 1/10 (ylimmät 20 %)"
    seg = segment_customers(customers, {"abc": {"by": "liikevaihto", "tiers": [
        {"name": "A", "min": 80}, {"name": "B", "min": 50}, {"name": "C"}]}})
    assert seg.summary() == "A 3 / B 3 / C 4"
    assert seg.table.loc[0, "basis"] == "Liikevaihto (€) ≥ 80"
    big = pd.DataFrame({"asiakas": ["A", "B"], "liikevaihto": [392000, 1500.5]})
    seg = segment_customers(big, {"abc": {"by": "liikevaihto", "share_of": "value", "tiers": [
        {"name": "A", "share": "80%"}, {"name": "B"}]}}, lang="en")
    assert seg.table["basis"].tolist()[0].startswith("Turnover (€) 392,000, cumulative")
    assert seg.table["basis"].tolist()[1].startswith("Turnover (€) 1,500.5, cumulative")


def test_unknown_attribute_names_file_and_line(study):
    path = write(study, "segmentointi.yaml", SEGMENTATION.replace("toimeksiannot", "tilaukset"))
    with pytest.raises(ConstructError) as err:
        load_constructs(study)
    assert str(err.value).startswith(f"{path}:4: unknown attribute 'tilaukset'")
    assert "asiakas, nimi, liikevaihto, toimeksiannot" in str(err.value)


def test_bad_operator_names_file_and_line(study):
    path = write(study, "segmentointi.yaml", SEGMENTATION.replace('">=150000"', '"=>150000"'))
    with pytest.raises(ConstructError) as err:
        load_constructs(study)
    assert str(err.value).startswith(f"{path}:4: '=>150000' on 'liikevaihto' has an unknown operator")


def test_empty_segment_list(study):
    path = write(study, "segmentointi.yaml", "segments: []\ndefault: Muut\n")
    with pytest.raises(ConstructError, match="segment list is empty") as err:
        load_constructs(study)
    assert str(err.value).startswith(f"{path}:1: ")


def test_missing_default(study):
    write(study, "segmentointi.yaml", SEGMENTATION.replace("default: Muut\n", ""))
    with pytest.raises(ConstructError, match="no 'default' segment"):
        load_constructs(study)


# --------------------------------------------------------------------------- plan checks

def test_unknown_segment_in_care_model(study):
    bad = PLAN.replace("  - segment: Muut\n    actions:", "  - segment: Pienet\n    actions:")
    path = write(study, "hoitomallit.yaml", bad)
    with pytest.raises(ConstructError) as err:
        load_constructs(study)
    assert "unknown segment 'Pienet' in a care model; the segmentation has KAM, Muut" in str(err.value)
    line = bad.splitlines().index("  - segment: Pienet") + 1
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_empty_quarter_is_an_error(study):
    path = write(study, "hoitomallit.yaml", PLAN.replace("      Q4/2025: Seuranta\n", ""))
    with pytest.raises(ConstructError) as err:
        load_constructs(study)
    assert str(err.value).startswith(f"{path}:")
    assert "segment 'Muut' has no action for Q4/2025; write 'Seuranta' or remove the quarter" in str(err.value)
    write(study, "hoitomallit.yaml", PLAN.replace("      Q4/2025: Seuranta\n", "      Q4/2025: ''\n"))
    with pytest.raises(ConstructError, match="'Muut' has no action for Q4/2025"):
        load_constructs(study)


def test_bad_quarter_token(study):
    path = write(study, "hoitomallit.yaml", PLAN.replace("quarters: [Q3/2025, Q4/2025, Q1/2026]",
                                                         "quarters: [Q3/2025, Q5/2025, Q1/2026]"))
    with pytest.raises(ConstructError) as err:
        load_constructs(study)
    line = PLAN.splitlines().index("  quarters: [Q3/2025, Q4/2025, Q1/2026]") + 1
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert "'Q5/2025' is not a quarter" in str(err.value)
    write(study, "hoitomallit.yaml", PLAN.replace("      Q1/2026: Arviointi", "      Q2/2026: Arviointi"))
    with pytest.raises(ConstructError, match="Q2/2026, which is not among the timeline's quarters"):
        load_constructs(study)


def test_unknown_code_id_at_load_and_in_link(study):
    from qualcode.codebook import codebook_from_dict
    import yaml

    cb = codebook_from_dict(yaml.safe_load(CODEBOOK))
    bad = PLAN.replace("codes: [tilannetiedon_puute]", "codes: [tilannetiedon_puut]")
    path = write(study, "hoitomallit.yaml", bad)
    with pytest.raises(ConstructError) as err:
        load_constructs(study, codebook=cb)
    line = bad.splitlines().index("        evidence: {codes: [tilannetiedon_puut]}") + 1
    assert str(err.value).startswith(f"{path}:{line}: unknown code id 'tilannetiedon_puut'")
    c = load_constructs(study)      # without a codebook the ids are checked when linking
    with pytest.raises(ConstructError, match="unknown code id 'tilannetiedon_puut' in the evidence of the action "
                                             "'Viikkoviesti'"):
        c.link(codings=pd.DataFrame(columns=["segment_id", "code_id", "status"]), codebook=cb)


def test_missing_files_give_none_parts(tmp_path):
    c = load_constructs(tmp_path)
    assert c.segmentation is None and c.plan is None and c.customers is None and c.care_models is None
    assert c.is_empty()
    wb = __import__("openpyxl").Workbook()
    assert add_construct_sheets(wb, c, "fi", 4) == 4


# --------------------------------------------------------------------------- templates

def test_message_template_render_and_unfilled_placeholder(study):
    c = load_constructs(study)
    tpl = c.plan.template("viikkoviesti")
    assert tpl.placeholders == ["projekti", "yhteyshenkilö", "asiakasnumero"] and tpl.blanks == 2
    msg = c.render("viikkoviesti", {"projekti": "Integraatio", "<yhteyshenkilö>": "Liisa", "asiakasnumero": "AS-1"},
                   ["23", "testit"])
    assert msg.subject == "Integraatio, viikko 23"
    assert msg.recipient == "Liisa"
    assert msg.body == "Asiakasnumero AS-1. Tehty: testit"
    with pytest.raises(ConstructError, match=r"placeholder <asiakasnumero> unfilled in 'Viesti:'"):
        c.render("viikkoviesti", {"projekti": "X", "yhteyshenkilö": "Y"}, ["1", "2"])
    with pytest.raises(ConstructError, match=r"blank 2 \(__\) unfilled"):
        c.render("viikkoviesti", {"projekti": "X", "yhteyshenkilö": "Y", "asiakasnumero": "1"}, ["1"])
    with pytest.raises(ConstructError, match="no message template 'uutiskirje'"):
        c.render("uutiskirje")


def test_parse_plan_unknown_key():
    with pytest.raises(ConstructError, match="unknown key 'frekvenssi'"):
        parse_plan({"care_models": [{"segment": "KAM", "actions": [{"action": "A", "frekvenssi": "1krt/kk"}]}]})


# --------------------------------------------------------------------------- evidence on a real project

@pytest.fixture
def coded(study):
    from qualcode.project import Project

    project = Project.init(study, title="Hoitomalli")
    write(study / "codebooks", "koodit.yaml", CODEBOOK)
    write(study / "transcripts", "H1.txt", TRANSCRIPT)
    project.ingest([study / "transcripts"])
    segs = project.segments().set_index("text")["segment_id"]
    project.coding.add(int(segs["Emme tiedä koskaan, missä vaiheessa projekti on menossa."]), "tilannetiedon_puute")
    project.coding.add(int(segs["Joudumme aina itse kysymään projektin tilannetta."]), "tilannetiedon_puute")
    project.coding.add(int(segs["Viikoittainen tilannekatsaus auttaisi meitä paljon."]), "viikkoviesti_toive")
    project.coding.add(int(segs["Hinta on kohtuullinen."]), "hinta")
    yield project
    project.close()


def _frames(project):
    return StudyFrames(codings=project.coding.resolved(), segments=project.segments(), codebook=project.codebook())


def test_link_evidence(coded):
    from qualcode.construct import link_evidence

    c = load_constructs(coded.root, codebook=coded.codebook())
    ev = link_evidence(c.care_models, coded.coding.resolved(), coded.segments(), coded.codebook())
    assert list(ev["action"]) == ["Viikkoviesti", "Kvartaalitapaaminen"]    # Muut's action cites nothing
    weekly = ev.iloc[0]
    assert weekly["segments"] == 2 and weekly["informants"] == ["H1", "H2"]
    assert {q["informant"] for q in weekly["quotes"]} == {"H1", "H2"}      # two quotes, two informants
    assert all(q["quote"] for q in weekly["quotes"])
    quarterly = ev.iloc[1]                                                 # theme → all its codes
    assert quarterly["segments"] == 3 and quarterly["informants"] == ["H1", "H2"]
    assert len(quarterly["quotes"]) == 2
    assert "(H1)" in quarterly["quote_text"]
    # via the Constructs helper, and shown in the workbook
    c.link(_frames(coded))
    assert c.evidence["segments"].tolist() == [2, 3]


def test_sheets_and_appendices_round_trip(coded, tmp_path):
    from docx import Document
    from openpyxl import Workbook, load_workbook

    c = load_constructs(coded.root, codebook=coded.codebook())
    c.link(_frames(coded))
    wb = Workbook()
    wb.active.title = "Haastattelut"
    nxt = add_construct_sheets(wb, c, "fi", caption_start=2, codebook=coded.codebook())
    out = tmp_path / "raportti.xlsx"
    wb.save(out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Haastattelut", "Segmentointi", "Hoitomallit", "Hoitomallin perusteet", "Aikataulu",
                             "KAM AS-001", "KAM AS-003", "Roolit", "Viestipohjat", "Muistilista", "Kehitysehdotukset"]
    assert nxt == 2 + 10
    ws = wb["Segmentointi"]
    assert ws["A1"].value == "Taulukko 2. Asiakassegmentointi."
    # the customer list's columns headed from the catalogue, amounts grouped as a Finn writes them
    heads = [c.value for c in ws[2]]
    assert heads[:4] == ["Asiakas", "Segmentti", "Peruste", "Nimi"] and "Liikevaihto (€)" in heads
    turnover = [r[heads.index("Liikevaihto (€)")] for r in ws.iter_rows(min_row=3, max_row=7, values_only=True)]
    assert "250\u00a0000" in turnover and not any(isinstance(v, int) for v in turnover)
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["Asiakkaita segmenteittäin: KAM 2 / Muut 3"] == [v for v in values if v[0] and str(v[0]).startswith(
        "Asiakkaita")][0][:1]
    assert ["KAM", 2] in [v[:2] for v in values] and ["Muut", 3] in [v[:2] for v in values]
    ws = wb["Hoitomallit"]
    assert [c.value for c in ws[2]] == ["Segmentti", "Toimenpide", "Sisältö", "Tiheys", "Vastuu", "Kanava",
                                        "Elinkaaren vaihe"]
    assert [r[3] for r in ws.iter_rows(min_row=3, values_only=True)] == ["1krt/vk", "1krt/kvartaali", "2krt/vuosi"]
    ws = wb["Hoitomallin perusteet"]
    assert [c.value for c in ws[3]][:5] == ["KAM", "Viikkoviesti", "Tilannetiedon puute", 2, "H1, H2"]
    ws = wb["Aikataulu"]
    assert ws["A1"].value == "Taulukko 5. Aikataulu ja eteneminen."
    assert [c.value for c in ws[2]] == [None, "Q3/2025", "Q4/2025", "Q1/2026", "Vastuu ja seuranta"]
    assert [c.value for c in ws[4]][:3] == ["Muut", "Yhteydenotot", "Seuranta"]
    ws = wb["KAM AS-001"]
    col_a = [r[0] for r in ws.iter_rows(values_only=True)]
    assert "Historia ja nykytila" in col_a and "Tulevaisuuden potentiaalinen kuvaus" in col_a
    fields = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert fields["Kasvusuunnitelma"] == "Uudet yksiköt mukaan" and fields["Liikevaihto (€)"] == "250\u00a0000"
    assert "liikevaihto" not in fields and fields["Toimeksiannot (kpl)"] == "30"
    assert fields["Vastuuhenkilöt"] == "asiakkuusvastaava"
    ws = wb["Roolit"]
    assert [list(r) for r in ws.iter_rows(min_row=2, values_only=True)] == [
        ["Rooli", "Nro", "Tehtävä"], ["asiakkuusvastaava", 1, "Laatii suunnitelman"], [None, 2, "Vetää tapaamiset"]]
    ws = wb["Viestipohjat"]
    assert [c.value for c in ws[2]] == ["Viestipohja", "Lähetyshetki", "Otsikko:", "Viestin vastaanottaja:", "Viesti:"]
    ws = wb["Muistilista"]
    assert [r[0] for r in ws.iter_rows(min_row=3, values_only=True)] == [1, 2, 3, 4, 5]
    ws = wb["Kehitysehdotukset"]
    assert [c.value for c in ws[2]] == ["Taso", "Kehitysehdotus", "Peruste/teema", "Vastuu"]
    assert [r[0] for r in ws.iter_rows(min_row=3, values_only=True)] == ["Johto", "Tiimi", "Yksilö"]
    assert ws["C3"].value == "Viestintä"

    doc = Document()
    nxt = add_construct_appendices(doc, c, "fi", appendix_start=3, codebook=coded.codebook())
    path = tmp_path / "liitteet.docx"
    doc.save(path)
    doc = Document(path)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Liite 3. Asiakassegmentointi", "Liite 4. Asiakkuuden hoitomallit",
                        "Liite 5. Hoitomallin toimenpiteiden perustelut aineistosta", "Liite 6. Aikataulu ja eteneminen",
                        "Liite 7. KAM-suunnitelman pohja", "Liite 8. Roolikuvaukset", "Liite 9. Viestipohjat",
                        "Liite 10. Muistilista toimintaperiaatteista", "Liite 11. Kehitysehdotukset tasoittain"]
    assert nxt == 12
    texts = [p.text for p in doc.paragraphs]
    assert "AIKATAULU JA ETENEMINEN" in texts
    assert "1. Laatii suunnitelman" in texts and "5. Viisi" in texts
    assert "1. Johto" in texts and any(t.startswith("1.1 Asiakkaiden jako.") for t in texts)
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in doc.tables]
    timeline = next(t for t in tables if t[0][1:4] == ["Q3/2025", "Q4/2025", "Q1/2026"])
    assert timeline[0][0] == "" and timeline[0][4] == "Vastuu ja seuranta"
    assert timeline[2][:3] == ["Muut", "Yhteydenotot", "Seuranta"]
    care = next(t for t in tables if t[0][:2] == ["Segmentti", "Toimenpide"] and "Tiheys" in t[0])
    assert [r[3] for r in care[1:]] == ["1krt/vk", "1krt/kvartaali", "2krt/vuosi"]
    counts = next(t for t in tables if t[0] == ["Segmentti", "Asiakkaita"])
    assert counts[1:] == [["KAM", "2"], ["Muut", "3"]]
    assert any(["Historia ja nykytila"] == [p] for p in texts) or "Historia ja nykytila" in texts
    assert any(r == ["Otsikko:", "<projekti>, viikko __"] for t in tables for r in t)


def test_appendix_tables_get_column_widths_from_their_contents(coded):
    from docx import Document
    from docx.oxml.ns import qn

    c = load_constructs(coded.root, codebook=coded.codebook())
    c.link(_frames(coded))
    doc = Document()
    add_construct_appendices(doc, c, "fi")
    care = next(t for t in doc.tables if [cell.text for cell in t.rows[0].cells][:2] == ["Segmentti", "Toimenpide"]
                and "Tiheys" in [cell.text for cell in t.rows[0].cells])
    header = [cell.text for cell in care.rows[0].cells]
    widths = dict(zip(header, (int(g.get(qn("w:w"))) for g in care._tbl.iter(qn("w:gridCol")))))
    assert not care.autofit
    assert widths["Toimenpide"] > widths["Kanava"]       # "Kvartaalitapaaminen" is not split

    # the KAM plan template is a form to fill in: its entry column takes the width the field
    # names leave (not a sliver sized for an empty cell), the sections' entries some height
    kam = [t for t in doc.tables if len(t.columns) == 2 and all(r.cells[1].text == "" for r in t.rows)]
    assert [t.rows[0].cells[0].text for t in kam][:2] == ["Asiakas", "Asiakas ja sen organisaatio"]
    for t in kam:
        names, entries = (int(g.get(qn("w:w"))) for g in t._tbl.iter(qn("w:gridCol")))
        assert entries > names and entries + names > 8000, (names, entries)    # twips: > 14 cm
    assert all(r.height is not None and r.height.cm > 1.19 for t in kam[1:] for r in t.rows)
    assert all(r.height is None for r in kam[0].rows)          # the basics: one line each


def test_link_takes_frames_not_a_project(coded):
    c = load_constructs(coded.root, codebook=coded.codebook())
    with pytest.raises(TypeError, match="study frames"):
        c.link(coded)
    explicit = c.link(codings=coded.coding.resolved(), segments=coded.segments(), codebook=coded.codebook())
    assert explicit["segments"].tolist() == c.link(_frames(coded))["segments"].tolist() == [2, 3]


def test_english_labels(study, tmp_path):
    from openpyxl import Workbook, load_workbook

    c = load_constructs(study, lang="en")
    wb = Workbook()
    wb.remove(wb.active)
    add_construct_sheets(wb, c, "en")
    wb.save(tmp_path / "en.xlsx")
    wb = load_workbook(tmp_path / "en.xlsx")
    assert wb["Care models"]["D3"].value == "1×/week"
    assert [c.value for c in wb["Timeline"][2]][-1] == "Responsibility and follow-up"
    assert [c.value for c in wb["Segmentation"][2]][:3] == ["Customer", "Segment", "Basis"]
    assert wb["Segmentation"]["A1"].value == "Table 1. Customer segmentation."
    assert wb["Segmentation"]["C4"].value == "matches no other segment"
    assert wb["Segmentation"]["C5"].value.startswith("Potential = korkea and Lifecycle stage = (uusi or kasvava)")
    assert "Turnover (€) ≥ 150,000 and Assignments ≥ 12" == wb["Segmentation"]["C3"].value


def test_safe_sheet_titles():
    from openpyxl import Workbook

    wb = Workbook()
    title = safe_sheet_title("KAM [AS:1]/*?\\ hyvin pitkä asiakkaan nimi joka jatkuu", wb)
    assert len(title) <= 31 and not set("[]:*?/\\") & set(title)
    wb.create_sheet(title)
    assert safe_sheet_title("KAM [AS:1]/*?\\ hyvin pitkä asiakkaan nimi joka jatkuu", wb) != title


def test_demo_files_load_with_the_demo_codebook():
    from qualcode.codebook import load_codebook

    c = load_constructs(DEMO, codebook=load_codebook(DEMO_CODEBOOK))
    assert [m.segment for m in c.care_models] == ["KAM", "Muut"]
    assert [str(q) for q in c.timeline.quarters] == ["Q3/2025", "Q4/2025", "Q1/2026"]
    assert {r.name for r in c.roles} == {"asiakkuusvastaava", "projektipäällikkö"}
    assert {t.id for t in c.templates} == {"viikkoviesti", "tervetuloa"}
    assert len(c.checklist.items) == 5
    assert len({p.level for p in c.proposals}) == 3
    cited = {cid for m in c.care_models for a in m.actions for cid in a.evidence.ids}
    assert {"tilannetiedon_puute", "viikkoviesti_toive", "perehdytys_puutteellinen", "asiakasportaali_tuntematon",
            "proaktiivisuus_toive"} <= cited
