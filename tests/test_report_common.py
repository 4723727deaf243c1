"""A small study shared by the report tests, and tests of the study frames a report reads
and the Finnish helpers (partitive, dates, durations)."""
from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

HYPER = '=HYPERLINK("http://example.org","klikkaa")'

CODEBOOK = textwrap.dedent("""\
    language: fi
    name: Pilottikoodit
    codes:
      - id: viestinta
        name: Viestintä
        description: Miten asiakasta informoidaan.
        origin: theory
        keywords: [viestintä, tiedottaa]
        examples: ["Tietoa ei tullut."]
      - id: tilannetieto
        name: Tilannetiedon puute
        parent: viestinta
        description: Asiakas ei tiedä projektin tilaa.
        origin: data
        valence: negative
        swot: W
      - id: laatu
        name: Palvelun laatu
        description: Kokemukset palvelun toimivuudesta.
        origin: theory
        keywords: [laatu]
      - id: osaaminen
        name: Asiantunteva kehittäjä
        parent: laatu
        description: Kehittäjä on osaava ja puhuu selkeästi.
        origin: data
        valence: positive
        swot: S
      - id: kilpailu
        name: Kilpailijat
        description: Muut toimittajat.
        origin: data
        swot: T
    """)

INFORMANTS = textwrap.dedent("""\
    code,role,organisation,date,mode,duration_min,segment,score
    H1,Toimitusjohtaja,Yritys A,2021-05-12,Haastattelu,36,KAM,9
    H2,Talousjohtaja,Yritys B,3.8.2021,Haastattelu,45,Muu,6
    H3,Controller,Yritys C,2021-08-03,Haastattelu,40,Muu,10
    PP1,Projektipäällikkö,Datasilta,2021-10-09,Ryhmähaastattelu,60,,
    PP2,Projektipäällikkö,Datasilta,2021-10-09,Ryhmähaastattelu,60,,
    KE1,Ohjelmistokehittäjä,Datasilta,2021-10-09,Ryhmähaastattelu,60,,
    """)

TRANSCRIPTS = {
    "H1.txt": ("Haastattelija: Miten viestintä on toiminut?\n"
               "H1: Emme ole saaneet mitään tilannepäivityksiä, joudumme aina kysymään itse.\n\n"
               f"{HYPER} oli linkki, jonka lähetin.\n"
               "Haastattelija: Entä kehittäjät?\n"
               "H1: Kehittäjä oli todella osaava ja puhui selkeää kieltä.\n"),
    "H2.txt": ("Haastattelija: Kertoisitko palvelun laadusta?\n"
               "H2: Laatu on ollut hyvää, kehittäjä tuntee järjestelmämme.\n\n"
               "Kilpailijat tarjoavat samaa halvemmalla.\n"),
    "H3.txt": ("Haastattelija: Mitä kuuluu?\n"
               "H3: Tilannetietoa ei tule, sitä pitää aina erikseen pyytää.\n"),
    "ryhma.txt": ("Haastattelija: Miten asiakkuuksia hoidetaan?\n"
                  "PP1: Kuka ehtii, se hoitaa.\n"
                  "PP2: Viikkoviesti auttaisi asiakasta.\n"
                  "KE1: Me kehittäjät emme aina tiedä, kuka asiakkaan yhteyshenkilö on.\n"),
}

INDIVIDUAL_FRAME = textwrap.dedent("""\
    title: Haastattelurunko
    kind: individual
    intro: "Keskustelemme kokemuksistasi asiakkaana."
    themes:
      - title: Asiakkuuden alku
        questions: ["Miten asiakkuus alkoi?", "Millainen käyttöönotto oli?"]
      - title: Viestintä
        questions: ["Kuinka usein teihin ollaan yhteydessä?"]
    closing:
      - text: "Asteikolla 1–10, kuinka todennäköisesti suosittelisit palvelua?"
        scale: "1-10"
      - text: "Haluatko lisätä jotain?"
    """)

GROUP_FRAME = textwrap.dedent("""\
    title: Ryhmäteemahaastattelun runko
    kind: group
    unit: Datasilta Oy, asiakkuudet
    date: 2025-05-07
    participants:
      - {count: 2, role: projektipäällikkö}
      - {count: 3, role: ohjelmistokehittäjä}
      - {count: 1, role: asiakkuuspäällikkö}
      - {count: 2, role: IT-tuki, partitive: IT-tukea}
    themes:
      - title: Asiakkuudenhoidon nykytila
        questions: ["Kuka vastaa asiakkuudesta?", "Mikä toimii hyvin?"]
      - title: Viestintä
        questions: ["Miten asiakas saa tilannetiedon?"]
    """)


def _segment(segs, speaker, startswith):
    hit = segs[(segs["speaker"] == speaker) & segs["text"].str.startswith(startswith)]
    assert len(hit) == 1, (speaker, startswith, segs[["speaker", "text"]].values.tolist())
    return int(hit.iloc[0]["segment_id"])


def build_study(root: Path, language: str = "fi", frames: bool = True):
    """Make, ingest and hand-code the small study; returns the open Project."""
    from qualcode.project import Project

    p = Project.init(root / "study", title="Pilottitutkimus", language=language)
    folder = p.root
    (folder / "codebooks" / "koodit.yaml").write_text(CODEBOOK, encoding="utf-8")
    (folder / "informants.csv").write_text(INFORMANTS, encoding="utf-8")
    for name, text in TRANSCRIPTS.items():
        (folder / "transcripts" / name).write_text(text, encoding="utf-8")
    if frames:
        (folder / "haastattelurunko.yaml").write_text(INDIVIDUAL_FRAME, encoding="utf-8")
        (folder / "ryhmahaastattelun_runko.yaml").write_text(GROUP_FRAME, encoding="utf-8")
    p.ingest([folder / "transcripts"])
    segs = p.segments()
    p.coding.add(_segment(segs, "H1", "Emme ole"), "tilannetieto")
    p.coding.add(_segment(segs, "H1", "=HYPERLINK"), "viestinta", valence="neutral")
    p.coding.add(_segment(segs, "H1", "Kehittäjä oli"), "osaaminen")
    p.coding.add(_segment(segs, "H2", "Laatu on"), "osaaminen")
    p.coding.add(_segment(segs, "H2", "Kilpailijat"), "kilpailu", valence="negative")
    p.coding.add(_segment(segs, "H3", "Tilannetietoa"), "tilannetieto")
    p.coding.add(_segment(segs, "KE1", "Me kehittäjät"), "tilannetieto")
    p.coding.add(_segment(segs, "PP2", "Viikkoviesti"), "viestinta", valence="development_idea")
    return p


@pytest.fixture
def study(tmp_path):
    p = build_study(tmp_path)
    yield p
    p.close()


@pytest.fixture
def inputs(study):
    return study.analyse.frames(report=True)


# --------------------------------------------------------------------------- tests

PARTITIVES = [
    ("projektipäällikkö", "projektipäällikköä"),
    ("ohjelmistokehittäjä", "ohjelmistokehittäjää"),
    ("asiakkuuspäällikkö", "asiakkuuspäällikköä"),
    ("asiakasneuvoja", "asiakasneuvojaa"),
    ("tiimivalmentaja", "tiimivalmentajaa"),
    ("vakuutusasiantuntija", "vakuutusasiantuntijaa"),
    ("tietohallintopäällikkö", "tietohallintopäällikköä"),
    ("insinööri", "insinööriä"),
    ("koordinaattori", "koordinaattoria"),
    ("opiskelija", "opiskelijaa"),
    ("asiakas", "asiakasta"),
    ("kuntalainen", "kuntalaista"),
    ("tutkimus", "tutkimusta"),
    ("esimies", "esimiestä"),
    ("controller", "controlleria"),
    ("manager", "manageria"),
    ("konsultti", "konsulttia"),
    ("jäsen", "jäsentä"),
    ("tekninen johtaja", "teknistä johtajaa"),
    ("hallituksen jäsen", "hallituksen jäsentä"),
    ("analyytikko", "analyytikkoa"),
    ("myyjä", "myyjää"),
    ("Toimitusjohtaja", "Toimitusjohtajaa"),
]


@pytest.mark.parametrize("role,expected", PARTITIVES)
def test_partitive(role, expected):
    from qualcode.report.finnish import partitive

    assert partitive(role) == expected


def test_count_phrase_and_override():
    from qualcode.report.finnish import count_phrase

    assert count_phrase(1, "vakuutusasiantuntija") == "1 vakuutusasiantuntija"
    assert count_phrase(2, "tiimivalmentaja") == "2 tiimivalmentajaa"
    assert count_phrase(4, "asiakasneuvoja") == "4 asiakasneuvojaa"
    assert count_phrase(3, "IT-tuki", override="IT-tukea") == "3 IT-tukea"
    assert count_phrase(3, "developer", lang="en", plural="developers") == "3 developers"
    assert count_phrase(1, "developer", lang="en", plural="developers") == "1 developer"


def test_vowel_harmony_follows_last_part():
    from qualcode.report.finnish import is_back

    assert is_back("asiakasneuvoja") and not is_back("asiakaspäällikkö")
    assert not is_back("sihteeri") and is_back("tietohallintojohtaja")


def test_dates_and_minutes():
    from qualcode.report.finnish import format_date, format_minutes

    assert format_date(dt.date(2021, 8, 3)) == "3.8.2021"
    assert format_date("2021-10-09") == "9.10.2021"
    assert format_date("03.08.2021") == "3.8.2021"
    assert format_minutes(36) == "36min"
    assert format_minutes("36min") == "36min"
    assert format_minutes(38.85, "fi") == "38,9min"
    assert format_minutes(38.85, "en") == "38.9min"
    assert format_minutes(None) == ""


def test_inputs_from_project(study, inputs):
    assert inputs.title == "Pilottitutkimus"
    assert inputs.language == "fi"
    assert set(inputs.codings["code_id"]) == {"tilannetieto", "viestinta", "osaaminen", "kilpailu"}
    assert len(inputs.codings) == 8
    assert inputs.codebook is not None and "laatu" in inputs.codebook
    assert {"code", "role", "score"} <= set(inputs.informants.columns)
    assert len(inputs.audit) > 0 and len(inputs.sources) == 4
    kinds = [f.kind for f in inputs.interview_frames]
    assert kinds == ["individual", "group"]
    group = inputs.group_frames[0]
    assert group.date == dt.date(2025, 5, 7)
    assert [(p.count, p.role) for p in group.participants][:2] == [(2, "projektipäällikkö"),
                                                                  (3, "ohjelmistokehittäjä")]
    ind = inputs.individual_frames[0]
    assert [q.scale_text for q in ind.closing] == ["1–10", ""]
    assert len(ind.questions()) == 5
    en = study.analyse.frames(report=True, lang="en")
    assert en.language == "en"


def test_bad_frame_names_the_file(tmp_path):
    from qualcode.errors import QualcodeError
    from qualcode.report.inputs import find_frames

    (tmp_path / "haastattelurunko.yaml").write_text("title: x\nthemez: []\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match="haastattelurunko.yaml.*themez"):
        find_frames(tmp_path)


def test_interview_rows_merge_group(inputs):
    from qualcode.report.tables import interviews_table

    t = interviews_table(inputs, "fi")
    assert t.header == ["PVM:", "Haastattelun tapa:", "Kesto:", "Titteli:", "Koodi:"]
    # H1 12.5., then H2 and H3 on 3.8. (code order), then the group interview as one row
    assert [r[0] for r in t.rows] == ["12.5.2021", "3.8.2021", "3.8.2021", "9.10.2021"]
    assert [r[4] for r in t.rows] == ["H1", "H2", "H3", "KE1, PP1, PP2"]
    assert t.rows[3][3] == "1 ohjelmistokehittäjä, 2 projektipäällikköä"
    assert t.rows[0][2] == "36min"
    # n = 4 interviews, 36 + 45 + 40 + 60 = 181 min, mean 45.25
    assert t.footer[0][0] == "n = 4; yhteensä 181min; keskimäärin 45,3min"
    t_en = interviews_table(inputs, "en", show_codes=False)
    assert t_en.header == ["Date:", "Interview mode:", "Duration:", "Title:"]
    assert t_en.footer[0][0] == "n = 4; total 181min; mean 45.3min"
