"""Issue 18, the missing artefacts: the research process (A21), the interview entries of the
reference list (A22), the reliability and ethics evaluation (A29), workshop records (A16),
the maturity ladder (A26), the customer journey (A20), the type comparison, the current
state (A10) and the workgroups (A17) — from the project files and the data, in fi and en,
as workbook sheets and Word appendices; the Word pages rendered with LibreOffice."""
from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import openpyxl
import pytest

from conftest import reviewed_demo, soffice_pdf
import yaml

from qualcode.construct import ConstructError, load_constructs
from qualcode.construct.common import parse_yaml
from qualcode.construct.journey import parse_journey
from qualcode.construct.records import parse_maturity, parse_workshops
from qualcode.construct.research import parse_events, parse_reliability

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "asiakaskokemus"


def _rows(ws, first=3):
    """The data rows of a sheet (caption row 1, header row 2) up to the first empty row."""
    out = []
    for row in ws.iter_rows(min_row=first, values_only=True):
        if not any(v not in (None, "") for v in row):
            break
        out.append(list(row))
    return out


def _header(ws):
    return [c.value for c in ws[2] if c.value is not None]


def _day(d) -> str:
    return f"{d.day}.{d.month}.{d.year}"


# --------------------------------------------------------------------------- the files' mistakes

@pytest.mark.parametrize("parser, text, line, words", [
    (parse_workshops, "workshops:\n  - type: työpaja\n    sections: {A: [x]}\n", 2, "no readable 'date'"),
    (parse_workshops, "workshops:\n  - date: 2025-05-21\n    sections:\n      Yleisesti:\n        - a: b\n", 5,
     "must be text"),
    (parse_maturity, "levels: [a, b, c]\ncurrent: 4\n", 2, "level number 1–3"),
    (parse_maturity, "levels: [a]\ncurrent: 1\n", 1, "at least two"),
    (parse_reliability, "vakuuttavuus: x\nluotettavuus: y\n", 2, "unknown aspect 'luotettavuus'"),
    (parse_events, "events:\n  - {date: 2025-05-02, end: 2025-05-01, event: x}\n", 2, "on or after"),
])
def test_a_mistake_in_a_record_file_names_the_file_and_line(parser, text, line, words):
    with pytest.raises(ConstructError) as err:
        parser(parse_yaml(text, "tiedosto.yaml"), "tiedosto.yaml")
    assert f"tiedosto.yaml:{line}:" in str(err.value) and words in str(err.value)


def test_a_journey_stage_must_be_a_lifecycle_stage(tmp_path):
    (tmp_path / "hoitomallit.yaml").write_text("stages: [uusi, kasvava]\njourney:\n  - stage: uusi\n"
                                               "  - stage: vanha\n", encoding="utf-8")
    with pytest.raises(ConstructError, match=r"hoitomallit.yaml:4: the journey stage 'vanha'"):
        load_constructs(tmp_path)


def test_current_state_falls_back_to_the_workshop_sections(tmp_path):
    (tmp_path / "tyopajat.yaml").write_text(textwrap.dedent("""\
        workshops:
          - date: 15.2.2023
            sections:
              Nykytila: [Asiakkuuksia on paljon, Vastuut ovat epäselviä]
              Kehitykseen: [Toimintamallit yhtenäisiksi]
        """), encoding="utf-8")
    c = load_constructs(tmp_path)
    state = c.records.current_state("fi")
    assert [s.title for s in state.sections] == ["Työpaja 1 (15.2.2023)"]
    assert state.sections[0].items == ["Asiakkuuksia on paljon", "Vastuut ovat epäselviä"]
    assert c.records.maturity is None and c.records.workgroups is None


def test_journey_rows_come_from_the_care_models_and_templates():
    c = load_constructs(DEMO)
    plan = yaml.safe_load((DEMO / "hoitomallit.yaml").read_text(encoding="utf-8"))
    frame = c.journey_table("fi")
    assert frame[""].tolist() == ["Kosketuspiste", "Toimenpide", "Viesti", "Mittari"]
    assert list(frame.columns[1:]) == [s["stage"] for s in plan["journey"]]
    new = frame.set_index("")["uusi"]
    assert new["Kosketuspiste"].split("\n") == plan["journey"][0]["touchpoints"]
    assert new["Mittari"].split("\n") == plan["journey"][0]["metrics"]
    welcome = [t["name"] for t in plan["templates"] if t.get("stage") == "uusi"]
    assert new["Viesti"].split("\n") == welcome
    wanted = [f"{a['action']} (" + m["segment"] + ")" for m in plan["care_models"] for a in m["actions"]
              if "uusi" in ([a["stage"]] if isinstance(a.get("stage"), str) else a.get("stage", []))]
    assert new["Toimenpide"].split("\n") == wanted
    # the documented stage matrix: stages × segments, the same actions
    matrix = c.stage_matrix()
    assert list(matrix.index) == plan["stages"] and list(matrix.columns) == ["KAM", "Muut"]
    assert matrix.at["uusi", "KAM"] == "Viikkoviesti käynnissä olevista projekteista"


# --------------------------------------------------------------------------- the demo

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study ingested, coded and reviewed (the gold applied), reports in fi and en."""
    project = reviewed_demo(tmp_path_factory.mktemp("artefacts") / "tutkimus")
    folder = project.root
    out = folder / "out"
    out.mkdir()
    reports = {(fmt, lang): project.report(out / f"raportti_{lang}.{fmt}", lang=lang)
               for fmt in ("xlsx", "docx") for lang in ("fi", "en")}
    yield project, reports
    project.close()


@pytest.fixture(scope="module")
def book(demo):
    return openpyxl.load_workbook(demo[1][("xlsx", "fi")])


def _informants(folder):
    ws = openpyxl.load_workbook(folder / "informants.xlsx")["Haastateltavat"]
    head = [c.value for c in ws[1]]
    return [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def test_a22_one_reference_line_per_interview_from_the_informant_list(demo, book):
    project, _ = demo
    ws = book["Lähdeluettelo"]
    assert ws["A1"].value.endswith("Haastattelut lähdeluettelossa.") and _header(ws) == ["Lähdeluettelon merkintä"]
    lines = [r[0] for r in _rows(ws)]
    people = _informants(project.root)
    single = [p for p in people if not str(p["code"]).startswith(("PP", "KE", "AP", "TA"))]
    for p in single:
        want = (f"Teemahaastattelu. {p['role']} ({p['code']}). Haastattelu {_day(p['date'])}. "
                f"{p['organisation']}.")
        assert want in lines, want
    group = [x for x in lines if x.startswith("Ryhmäteemahaastattelu. ")]
    assert len(lines) == len(single) + 1 and len(group) == 1
    assert "Haastattelu 7.5.2025. Datasilta Oy." in group[0] and "2 projektipäällikköä" in group[0]


def test_a21_process_merges_events_interviews_and_the_audit_trail(demo, book):
    project, _ = demo
    ws = book["Eteneminen"]
    assert _header(ws) == ["Pvm", "Vaihe/tapahtuma", "Osallistujat", "Tulos"]
    rows = _rows(ws)
    events = yaml.safe_load((project.root / "tutkimusprosessi.yaml").read_text(encoding="utf-8"))["events"]
    for e in events:
        row = next(r for r in rows if r[1].startswith(f"{e['phase']}: {e['event']}"))
        date = (f"{e['date'].day}.{e['date'].month}.–{_day(e['end'])}" if e.get("end") else _day(e["date"]))
        assert row[0] == date and row[3] == e["result"]
    dates = sorted(p["date"] for p in _informants(project.root) if str(p["code"]).startswith("H"))
    interviews = next(r for r in rows if r[1] == f"Aineiston keruu: Yksilöhaastattelut ({len(dates)})")
    assert interviews[0] == f"{dates[0].day}.{dates[0].month}.–{_day(dates[-1])}"
    assert any(r[1] == "Aineiston käsittely: Litterointien sisäänluku" and r[3] == "15 kertaa analyysilokissa"
               for r in rows)
    assert any(r[1] == "Analyysi: Koodaus koodikirjalla" and r[3] == "kerran analyysilokissa" for r in rows)
    # in date order
    firsts = [_start(r[0]) for r in rows]
    assert firsts == sorted(firsts)


def _start(span: str) -> tuple:
    """(year, month, day) of a span's first day: ``3.3.–23.4.2025`` → (2025, 3, 3)."""
    parts = [p for p in span.split("–")[0].split(".") if p]
    if len(parts) == 2:
        parts.append(span.rsplit(".", 1)[-1])
    return int(parts[2]), int(parts[1]), int(parts[0])


def test_a29_facts_computed_and_the_researchers_answers(demo, book):
    project, _ = demo
    ws = book["Luotettavuus"]
    assert _header(ws) == ["Näkökulma", "Peruste", "Sisältö"]
    rows = _rows(ws)
    assert list(dict.fromkeys(r[0] for r in rows)) == ["Vakuuttavuus", "Pätevyys", "Käyttökelpoisuus",
                                                        "Vaikuttavuus", "Eettisyys"]
    facts = {r[1]: r[2] for r in rows if r[1] != "Tutkijan arvio"}
    people = _informants(project.root)
    assert facts["Haastateltavat"].startswith(f"{len(people)} haastateltavaa; roolit: ")
    dates = sorted(p["date"] for p in people)
    assert f"aikavälillä {dates[0].day}.{dates[0].month}.–{_day(dates[-1])}." in facts["Ajankohta"]
    assert facts["Koodauksen peruste"].startswith("Analyysit perustuvat 465 tarkistettuun koodaukseen")
    units = sorted(set(project.codings().query("coder == 'tutkija'")["segment_id"]))
    overall = project.agreement.table(["auto", "tutkija"], units=units).iloc[-1]
    kappa = f"{overall['cohen_kappa']:.2f}".replace(".", ",")
    assert f"{int(overall['units'])} segmenttiä" in facts["Koodaajien yhtäpitävyys"]
    assert f"Cohenin kappa {kappa}" in facts["Koodaajien yhtäpitävyys"]
    origins = [c.origin for c in project.codebook()]
    assert facts["Koodikirjan lähtökohta"] == (f"{len(origins)} koodia (teoria {origins.count('theory')}, "
                                               f"aineisto {origins.count('data')}); analyysi teoriaohjaava.")
    assert facts["Anonymisointi"].startswith("Tekstejä ei ole pseudonymisoitu")
    answers = yaml.safe_load((project.root / "luotettavuus.yaml").read_text(encoding="utf-8"))
    got = [r[2] for r in rows if r[0] == "Eettisyys" and r[1] == "Tutkijan arvio"]
    assert got == answers["eettisyys"]


def test_a16_a10_a17_a26_sheets_hold_their_files(demo, book):
    project, _ = demo
    root = project.root
    ws = book["Työpajat"]
    assert _header(ws) == ["Työpaja", "Pvm", "Tyyppi", "Osallistujat", "Osio", "Tulos"]
    records = yaml.safe_load((root / "tyopajat.yaml").read_text(encoding="utf-8"))["workshops"]
    want = [[w["title"], _day(w["date"]), w["type"], s, item] for w in records for s, items in w["sections"].items()
            for item in items]
    assert [[r[0], r[1], r[2], r[4], r[5]] for r in _rows(ws)] == want
    ws = book["Nykytila"]
    state = yaml.safe_load((root / "nykytila.yaml").read_text(encoding="utf-8"))
    assert ws["A1"].value.endswith(state["title"] + ".") and _header(ws) == ["Osio", "Havainto"]
    assert _rows(ws) == [[s, item] for s, items in state["sections"].items() for item in items]
    ws = book["Työryhmät"]
    groups = yaml.safe_load((root / "tyoryhmat.yaml").read_text(encoding="utf-8"))["groups"]
    assert _header(ws) == ["Ryhmä", "Painopiste", "Jäsenet"]
    assert _rows(ws) == [[g["name"], "; ".join(g["focus"]), ", ".join(g["members"])] for g in groups]
    ws = book["Maturiteetti"]
    m = yaml.safe_load((root / "maturiteetti.yaml").read_text(encoding="utf-8"))
    rows = _rows(ws)
    assert [r[1] for r in rows] == [lv["name"] for lv in reversed(m["levels"])]       # highest on top
    current = [r for r in rows if r[3]]
    assert [r[1] for r in current] == [m["current"]]
    i = rows.index(current[0]) + 3
    assert ws.cell(row=i, column=2).font.bold and ws.cell(row=i, column=2).fill.fgColor.rgb.endswith("FFE699")
    assert not ws.cell(row=i + 1, column=2).font.bold
    # the justification wraps over the ladder's columns, below it
    spans = [str(r) for r in ws.merged_cells.ranges]
    justification = 4 + len(rows) + 1
    assert f"A{justification}:D{justification}" in spans
    assert ws.cell(row=justification, column=1).value.startswith("Perustelu: " + m["justification"][:40])


def test_journey_and_type_comparison_sheets(demo, book):
    project, _ = demo
    ws = book["Asiakkaan matka"]
    assert [r[0] for r in _rows(ws)] == ["Kosketuspiste", "Toimenpide", "Viesti", "Mittari"]
    ws = book["Tyyppivertailu"]
    typ = project.analyse.types()
    assert _header(ws) == ["Piirre"] + [t.name for t in typ.types]
    rows = {r[0]: r[1:] for r in _rows(ws)}
    assert [int(x) for x in rows["Haastateltavia"]] == [len(t.members) for t in typ.types]
    comp = typ.comparison()
    code = next(c for c in comp.columns if c != "n")
    name = project.codebook().get(code).name
    assert rows[name] == [f"{round(v * 100)} %" for v in comp[code]]


def test_english_reports_carry_the_english_labels(demo):
    import docx

    _, reports = demo
    wb = openpyxl.load_workbook(reports[("xlsx", "en")])
    assert {"Process", "Workshops", "Current state", "Workgroups", "Maturity", "Customer journey",
            "Type comparison", "Reliability", "References"} <= set(wb.sheetnames)
    assert _header(wb["Reliability"]) == ["Aspect", "Basis", "Content"]
    assert [r[0] for r in _rows(wb["Reliability"])][0] == "Credibility"
    assert _header(wb["Workgroups"]) == ["Group", "Focus", "Members"]
    text = "\n".join(p.text for p in docx.Document(reports[("docx", "en")]).paragraphs)
    assert re.search(r"Figure \d+\. Results of workshop 1\.", text)
    assert "Appendix" in text and "Theme interview. " in text


def test_a_missing_file_is_said_in_one_line(demo, tmp_path):
    """Without the maturity file the report leaves A26 out and says so on its first page and sheet."""
    import docx

    project, _ = demo
    moved = project.root / "maturiteetti.yaml"
    shutil.move(moved, tmp_path / "m.yaml")
    try:
        out = project.report(tmp_path / "r.docx")
        xlsx = project.report(tmp_path / "r.xlsx")
    finally:
        shutil.move(tmp_path / "m.yaml", moved)
    text = [p.text for p in docx.Document(out).paragraphs]
    line = "Maturiteettiarvio puuttuu: projektikansiossa ei ole tiedostoa maturiteetti.yaml."
    assert text.count(line) == 1 and not any("Maturiteetti" in t and t.startswith("Liite") for t in text)
    wb = openpyxl.load_workbook(xlsx)
    assert "Maturiteetti" not in wb.sheetnames
    first = [c.value for row in wb.worksheets[0].iter_rows() for c in row if c.value]
    assert line in first


# --------------------------------------------------------------------------- rendered

@pytest.fixture(scope="module")
def pages(demo, tmp_path_factory):
    """The Finnish Word report as LibreOffice prints it: the text of each page."""
    import pypdf

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed (the CI script installs it)")
    out = tmp_path_factory.mktemp("pdf")
    path = demo[1][("docx", "fi")]
    return [p.extract_text() for p in pypdf.PdfReader(soffice_pdf(path, out)).pages]


def _appendix_pages(pages, title):
    start = next(i for i, t in enumerate(pages) if re.search(rf"Liite \d+\. {title}", t))
    end = next((i for i in range(start + 1, len(pages)) if re.search(r"Liite \d+\. ", pages[i])), len(pages))
    return pages[start:end]


def test_rendered_a16_each_record_with_its_caption_on_one_page(demo, pages):
    project, _ = demo
    records = yaml.safe_load((project.root / "tyopajat.yaml").read_text(encoding="utf-8"))["workshops"]
    got = _appendix_pages(pages, "Työpajojen ja palaverien tulokset")
    for w in records:
        page = next(t for t in got if w["heading"].upper() in t)
        assert re.search(rf"Kuvio \d+\. {w['number']}\. workshopin tulokset\.", page)
        assert f"Pvm: {_day(w['date'])}" in page
        for items in w["sections"].values():
            assert all(item[:30] in " ".join(page.split()) for item in items)
    numbers = [int(n) for t in pages for n in re.findall(r"Kuvio (\d+)\.", t)]
    assert numbers == list(range(1, len(numbers) + 1))          # numbered after the report's figures


def test_rendered_a26_ladder_highest_first(demo, pages):
    project, _ = demo
    m = yaml.safe_load((project.root / "maturiteetti.yaml").read_text(encoding="utf-8"))
    page = " ".join(_appendix_pages(pages, "Asiakaskokemuksen johtamisen maturiteetti")[0].split())
    where = [page.index(lv["name"]) for lv in reversed(m["levels"])]
    assert where == sorted(where)
    assert f"Nykytaso: 2/5 {m['current']}." in page


def test_rendered_a29_every_aspect_with_facts_and_answers(demo, pages):
    text = " ".join(" ".join(_appendix_pages(pages, "Luotettavuuden ja eettisyyden arviointi")).split())
    heads = [text.index(h) for h in ("Vakuuttavuus", "Pätevyys", "Käyttökelpoisuus", "Vaikuttavuus", "Eettisyys")]
    assert heads == sorted(heads)
    assert "Haastateltavat: 19 haastateltavaa" in text and "Cohenin kappa" in text
    assert "Tutkijan kaksoisrooli" in text


def test_anonymisation_and_agreement_wording():
    import pandas as pd

    from qualcode.construct.research import _agreement_text, anonymisation_text

    audit = pd.DataFrame({"time": ["2025-06-01T10:00:00"], "action": ["pseudonymise"]})
    assert anonymisation_text(audit, False, "fi").startswith("Tallennetut tekstit pseudonymisoitu 1.6.2025")
    assert anonymisation_text(audit.iloc[:0], True, "en").startswith("Reports are pseudonymised")
    assert anonymisation_text(None, False, "fi").startswith("Tekstejä ei ole pseudonymisoitu")
    text = _agreement_text({"coders": ["liisa", "matti"], "units": 40, "percent": 92.5, "kappa": float("nan"),
                            "alpha": 0.8123}, "fi")
    assert text == ("liisa – matti: 40 segmenttiä, yhtäpitävyys 92,5 %, Cohenin kappa –, "
                    "Krippendorffin alfa 0,81.")
    assert _agreement_text(None, "en") == "Not computed: no data was coded by two coders."
