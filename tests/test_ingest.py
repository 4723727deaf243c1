"""Ingestion of every supported format, with exact offsets, and every bad input."""
import datetime as dt
import os
import zipfile

import pytest

from qualcode.errors import QualcodeError
from qualcode.ingest.decode import decode_bytes, normalise_text
from qualcode.ingest.readers import read_document
from qualcode.project import Project

FI_TEXT = (
    "TEEMA 1 Viestintä\n"
    "Haastattelija: Miten viestintä on toiminut?\n"
    "H1: No tota, viestinnän kanssa on ollut haasteita.\n"
    "Tilannepäivityksiä ei ole tullut ollenkaan.\n"
    "\n"
    "H2: Meillä taas kaikki on sujunut hyvin.\n"
)


def assert_offsets(project):
    """text[start:end] of every segment equals the segment's text."""
    segs = project.segments()
    assert len(segs) > 0
    for _, row in segs.iterrows():
        full = project.source_text(int(row["source_id"]))
        assert full[row["start"]:row["end"]] == row["text"]
    return segs


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# -- formats ------------------------------------------------------------------------

def test_txt_turns_speakers_themes_and_offsets(project):
    f = write(project.root / "transcripts" / "ryhma.txt", FI_TEXT)
    project.ingest([f])
    segs = assert_offsets(project)
    assert segs["text"].tolist() == [
        "Miten viestintä on toiminut?",
        "No tota, viestinnän kanssa on ollut haasteita.",
        "Tilannepäivityksiä ei ole tullut ollenkaan.",
        "Meillä taas kaikki on sujunut hyvin.",
    ]
    assert segs["speaker"].tolist() == ["Haastattelija", "H1", "H1", "H2"]
    assert segs["is_interviewer"].tolist() == [True, False, False, False]
    assert set(segs["theme"]) == {"TEEMA 1 Viestintä"}
    turns = project.segments(unit="turn")
    assert turns["speaker"].tolist() == ["Haastattelija", "H1", "H2"]
    # exact offsets: "No tota" starts right after "H1: " on line 3
    text = project.source_text("transcripts/ryhma.txt")
    assert segs.loc[1, "start"] == text.index("No tota")
    assert project.sources().loc[0, "kind"] == "group_interview"


def test_label_forms_markdown_timestamps_and_roles(project):
    md = ("# Haastattelu\n\n## Theme: Onboarding\n\n**Interviewer:** How did it start?\n\n"
          "**R:** It started well.\n\n[00:01:02] H3: Aikaleima edessä.\n\nI: Kiitos.\n\n"
          "Respondent: Thanks.\n")
    f = write(project.root / "t" / "a.md", md)
    project.ingest([f])
    segs = assert_offsets(project)
    assert segs["speaker"].tolist() == ["Interviewer", "R", "H3", "I", "Respondent"]
    assert segs["is_interviewer"].tolist() == [True, False, False, True, False]
    assert segs["text"].tolist()[:3] == ["How did it start?", "It started well.", "Aikaleima edessä."]
    assert segs["theme"].iloc[0] == "Theme: Onboarding"
    assert project.segments(unit="turn")["timestamp"].tolist()[2] == "00:01:02"


def test_user_speaker_pattern(project):
    f = write(project.root / "t" / "b.txt", "Asiakas A: Hyvä palvelu.\nAsiakas B: Huono palvelu.\n")
    project.ingest([f], speaker_pattern=r"Asiakas [A-Z]")
    segs = assert_offsets(project)
    assert segs["speaker"].tolist() == ["Asiakas A", "Asiakas B"]
    assert segs["text"].tolist() == ["Hyvä palvelu.", "Huono palvelu."]


def test_docx_headings_and_paragraphs(project):
    import docx

    d = docx.Document()
    d.add_paragraph("Haastattelu H1", style="Title")
    d.add_heading("TEEMA 2 Viestintä ja yhteydenpito", level=2)
    d.add_paragraph("Haastattelija: Kerro viestinnästä.")
    d.add_paragraph("H1: Viestintä toimii hyvin.")
    d.add_paragraph("Toinen kappale samalta puhujalta.")
    path = project.root / "transcripts" / "H1.docx"
    path.parent.mkdir(exist_ok=True)
    d.save(path)
    project.ingest([path])
    segs = assert_offsets(project)
    assert segs["text"].tolist() == ["Kerro viestinnästä.", "Viestintä toimii hyvin.",
                                     "Toinen kappale samalta puhujalta."]
    assert segs["speaker"].tolist() == ["Haastattelija", "H1", "H1"]
    assert segs["theme"].tolist() == ["TEEMA 2 Viestintä ja yhteydenpito"] * 3


def test_odt(project):
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    doc = OpenDocumentText()
    doc.text.addElement(H(outlinelevel=2, text="TEEMA 3 Tuki"))
    doc.text.addElement(P(text="Haastattelija: Entä tuki?"))
    doc.text.addElement(P(text="H4: Tukeen saa nopeasti yhteyden."))
    path = project.root / "transcripts" / "H4.odt"
    path.parent.mkdir(exist_ok=True)
    doc.save(str(path))
    project.ingest([path])
    segs = assert_offsets(project)
    assert segs["text"].tolist() == ["Entä tuki?", "Tukeen saa nopeasti yhteyden."]
    assert segs["theme"].tolist() == ["TEEMA 3 Tuki", "TEEMA 3 Tuki"]


def test_vtt_voice_tags_merge_consecutive_cues(project):
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Haastattelija>Miten meni?</v>\n\n"
           "00:00:03.500 --> 00:00:06.000\n<v H3>Ihan hyvin.</v>\n\n"
           "00:00:06.000 --> 00:00:09.000\n<v H3>Portaalia en ole käyttänyt.</v>\n\n"
           "01:02:03.000 --> 01:02:05.000\n<v Haastattelija>Kiitos.</v>\n")
    f = write(project.root / "t" / "H3.vtt", vtt)
    project.ingest([f])
    segs = assert_offsets(project)
    assert segs["speaker"].tolist() == ["Haastattelija", "H3", "Haastattelija"]
    assert segs["text"].tolist()[1] == "Ihan hyvin. Portaalia en ole käyttänyt."
    assert project.segments(unit="turn")["timestamp"].tolist() == ["00:00:01", "00:00:03", "01:02:03"]


def test_srt_labels_in_cue_text(project):
    srt = ("1\n00:00:01,000 --> 00:00:04,000\nInterviewer: How was support?\n\n"
           "2\n00:00:04,500 --> 00:00:08,000\nC5: Slow at first.\n\n"
           "3\n00:00:08,000 --> 00:00:10,000\nThen better.\n")
    f = write(project.root / "t" / "C5.srt", srt)
    project.ingest([f])
    segs = assert_offsets(project)
    assert segs["speaker"].tolist() == ["Interviewer", "C5"]
    assert segs["text"].tolist()[1] == "Slow at first. Then better."


def test_pdf_text_layer(project, tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "H1: Laskutus on ollut selkeää.", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, "H2: Hinta on liian korkea.", new_x="LMARGIN", new_y="NEXT")
    path = project.root / "t" / "notes.pdf"
    path.parent.mkdir(exist_ok=True)
    pdf.output(str(path))
    project.ingest([path])
    segs = assert_offsets(project)
    assert segs["speaker"].tolist() == ["H1", "H2"]
    assert segs["text"].tolist() == ["Laskutus on ollut selkeää.", "Hinta on liian korkea."]


def test_csv_survey_answers_become_turns_and_respondents(project):
    # the second answer spans two lines inside quotes
    csv_text = 'id;ikä;vastaus\nV1;34;Palvelu on nopeaa.\nV2;51;"Laskutus oli sekavaa.\nHinta nousi."\n'
    f = write(project.root / "kysely.csv", csv_text)
    project.ingest([f])
    segs = assert_offsets(project)
    assert segs["speaker"].tolist() == ["V1", "V2", "V2"]
    assert segs["text"].tolist() == ["Palvelu on nopeaa.", "Laskutus oli sekavaa.", "Hinta nousi."]
    inf = project.informants().set_index("code")
    assert inf.loc["V2", "ikä"] == 51
    assert project.sources().loc[0, "kind"] == "survey"


def test_xlsx_survey(project):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["vastaaja", "ryhmä", "teksti"])
    ws.append(["A1", "KAM", "Yhteistyö sujuu."])
    ws.append(["A2", "muu", None])
    ws.append(["A3", "muu", "Tukeen on vaikea saada yhteyttä."])
    path = project.root / "vastaukset.xlsx"
    wb.save(path)
    project.ingest([path])
    segs = assert_offsets(project)
    assert segs["speaker"].tolist() == ["A1", "A3"]


def test_informant_list_csv_dates_and_attributes(project):
    write(project.root / "informants.csv",
          "code,role,organisation,date,mode,duration_min,segment,score\n"
          "H1,Toimitusjohtaja,Yritys A,3.8.2021,Teams,36min,KAM,8\n"
          "H2,Controller,Yritys B,2021-08-04,Puhelin,40,muu,6\n")
    f = write(project.root / "transcripts" / "x.txt", "H1: Hei.\nH2: Moi.\nH9: Kuka minä olen?\n")
    report = project.ingest([f])
    inf = project.informants().set_index("code")
    assert inf.loc["H1", "date"] == dt.date(2021, 8, 3)
    assert inf.loc["H1", "duration_min"] == 36.0
    assert inf.loc["H2", "segment"] == "muu" and inf.loc["H1", "score"] == 8
    # an unknown speaker code is reported with file and line
    assert any("x.txt:3: speaker 'H9' is not in the informant list" in w for w in report.warnings)


def test_informant_list_errors_name_file_and_line(project):
    write(project.root / "lista" / "informants.csv", "code,date\nH1,3.8.2021\nH1,4.8.2021\n")
    f = write(project.root / "transcripts" / "x.txt", "H1: Hei.\n")
    with pytest.raises(QualcodeError, match=r"informants.csv:3: the informant code 'H1' appears twice"):
        project.ingest([project.root / "lista", f])
    assert project.sources().empty
    write(project.root / "lista" / "informants.csv", "code,date\nH1,31.2.2021\n")
    with pytest.raises(QualcodeError, match=r"informants.csv:2: the date '31.2.2021' is not a date"):
        project.ingest([project.root / "lista", f])
    assert project.sources().empty and project.informants().empty


def test_xlsx_informants_with_real_dates(project):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["koodi", "titteli", "pvm", "kesto"])
    ws.append(["H1", "Controller", dt.datetime(2025, 3, 5), 31])
    wb.save(project.root / "informants.xlsx")
    f = write(project.root / "transcripts" / "H1.txt", "Tämä tiedosto ei sisällä puhujia.\n")
    report = project.ingest([f])
    inf = project.informants().set_index("code")
    assert inf.loc["H1", "role"] == "Controller" and inf.loc["H1", "date"] == dt.date(2025, 3, 5)
    # file named after an informant, with no labels: the informant speaks
    assert project.segments()["speaker"].tolist() == ["H1"]
    assert any("no speaker labels found" in w and "informant H1" in w for w in report.warnings)


# -- text clean-up ------------------------------------------------------------------

def test_encodings_utf8_bom_utf16_cp1252(project):
    sentence = "H1: Yhteistyö sujui hyvin ja päivitykset tulivat ajallaan.\n"
    write(project.root / "t" / "bom.txt", b"\xef\xbb\xbf" + sentence.encode("utf-8"))
    write(project.root / "t" / "u16.txt", sentence.replace("hyvin", "hyvin!").encode("utf-16"))
    write(project.root / "t" / "u16le.txt", sentence.replace("hyvin", "hyvin!!").encode("utf-16-le"))
    write(project.root / "t" / "win.txt", sentence.replace("hyvin", "hienosti").encode("cp1252"))
    write(project.root / "t" / "latin1.txt", sentence.replace("hyvin", "kivasti").encode("latin-1"))
    project.ingest([project.root / "t"])
    segs = assert_offsets(project)
    assert all(t.startswith("Yhteistyö sujui") for t in segs["text"])
    enc = dict(zip(project.sources()["source"], project.sources()["encoding"]))
    assert enc["t/bom.txt"] == "utf-8-sig" and enc["t/u16.txt"] == "utf-16"
    assert enc["t/u16le.txt"] == "utf-16-le" and enc["t/win.txt"] == "cp1252"


def test_nfc_and_hyphenation_repair():
    decomposed = "pa\u0308ivitys"  # a + combining diaeresis
    assert normalise_text(decomposed) == "päivitys"
    assert normalise_text("tehtiin laske-\nmalla kaikki") == "tehtiin laskemalla kaikki"
    assert normalise_text("linja-\nAuto") == "linja-\nAuto"  # capital after break: keep


def test_duplicate_paragraph_warning(project):
    para = "Tämä kappale on liitetty tiedostoon vahingossa kahteen kertaan."
    f = write(project.root / "t" / "dup.txt", f"H1: {para}\n{para}\nH1: Uusi asia.\n")
    report = project.ingest([f])
    assert any("dup.txt:2: this paragraph repeats the one just before it" in w for w in report.warnings)


# -- idempotence and versions -------------------------------------------------------

def test_same_file_twice_is_skipped_and_changed_file_is_new_version(project):
    f = write(project.root / "transcripts" / "H1.txt", "H1: Ensimmäinen versio.\nH1: Pysyy samana.\n")
    first = project.ingest([f])
    again = project.ingest([f])
    assert first.files["status"].tolist() == ["new"]
    assert again.files["status"].tolist() == ["skipped"]
    # a human coding on the unchanged paragraph moves to the new version
    seg = project.segments().iloc[1]
    from qualcode.model import Coding
    project.store.add_codings([Coding("koodi", int(seg.segment_id), int(seg.start), int(seg.end), "manual",
                                      "tutkija", source_id=int(seg.source_id))])
    write(f, "H1: Toinen versio.\nH1: Pysyy samana.\n")
    third = project.ingest([f])
    assert third.files["status"].tolist() == ["new version"] and third.files["version"].tolist() == [2]
    assert project.sources()["version"].tolist() == [2]
    codings = project.codings()
    assert len(codings) == 1 and codings.loc[0, "quote"] == "Pysyy samana."
    assert codings.loc[0, "status"] == "manual"
    assert len(project.codings(all_versions=True)) == 2  # the old one is kept too
    actions = project.audit()["action"].tolist()
    assert actions.count("ingest") == 2


# -- bad input: exit 2, one sentence naming the file, store unchanged ----------------

def _store_snapshot(root):
    from qualcode.project import Project
    with Project(root) as p:
        return p.store.counts(), len(p.audit())


BAD_INPUTS = {
    "empty.txt": (b"", "the file is empty"),
    "notes.rtf": (b"{\\rtf1 hello}", "qualcode cannot read '.rtf' files"),
    "broken.docx": (b"this is not a zip at all", "not a valid .docx file (it is not a zip package)"),
    "garbage.txt": (bytes(range(256)) * 50, "binary file, not text"),
    "H1.vtt": (b"00:00:01.000 --> 00:00:02.000\nhello\n", "this is not a WebVTT file"),
    "fake.pdf": (b"hello", "this is not a PDF file"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_files_exit_2_with_one_sentence(project, cli, name):
    data, message = BAD_INPUTS[name]
    good = write(project.root / "transcripts" / "good.txt", "H1: Hyvä tiedosto.\n")
    bad = write(project.root / "bad" / name, data)
    before = _store_snapshot(project.root)
    code, out = cli(["--project", project.root, "ingest", good, bad])
    assert code == 2
    lines = [l for l in out.strip().splitlines() if l]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and name in lines[0] and message in lines[0]
    assert "Traceback" not in out
    assert _store_snapshot(project.root) == before  # the good file was not half-ingested


def test_zip_that_is_not_docx(project, cli, tmp_path):
    path = project.root / "bad" / "archive.docx"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not word")
    code, out = cli(["--project", project.root, "ingest", path])
    assert code == 2 and "archive.docx" in out and "is not a Word document" in out


def test_missing_path_and_empty_folder(project, cli):
    code, out = cli(["--project", project.root, "ingest", project.root / "nope.txt"])
    assert code == 2 and "nope.txt: this file or folder does not exist" in out
    (project.root / "empty").mkdir()
    write(project.root / "empty" / "sound.mp3", b"ID3")
    code, out = cli(["--project", project.root, "ingest", project.root / "empty"])
    assert code == 2 and "this folder has no files qualcode can read" in out


def test_latin1_text_is_read_not_refused(project, cli):
    f = write(project.root / "t" / "vanha.txt", "H1: Päivitykset tulivat myöhässä.\n".encode("latin-1"))
    code, out = cli(["--project", project.root, "ingest", f])
    assert code == 0
    assert project.segments()["text"].tolist() == ["Päivitykset tulivat myöhässä."]


def test_200_mb_file_is_refused_without_reading_it(project, cli):
    big = project.root / "t" / "huge.txt"
    big.parent.mkdir()
    with open(big, "wb") as fh:  # sparse file: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)
    code, out = cli(["--project", project.root, "ingest", big])
    assert code == 2 and "huge.txt: the file is 200 MB, more than the 50 MB limit" in out
    assert project.sources().empty


def test_transcript_with_no_labels_is_one_turn_unknown_speaker(project, cli):
    f = write(project.root / "t" / "muistio.txt", "Ensimmäinen kappale.\n\nToinen kappale.\n")
    code, out = cli(["--project", project.root, "ingest", f])
    assert code == 0
    assert "muistio.txt: no speaker labels found, so the whole file is one turn by one unknown speaker" in out
    turns = project.segments(unit="turn")
    assert len(turns) == 1 and turns.loc[0, "speaker"] is None
    assert project.segments()["text"].tolist() == ["Ensimmäinen kappale.", "Toinen kappale."]


def test_project_folder_missing_or_not_a_project(tmp_path, cli):
    code, out = cli(["--project", tmp_path / "nope", "status"])
    assert code == 2 and "nope: the project folder does not exist" in out
    code, out = cli(["status"], cwd=tmp_path)
    assert code == 2 and "no qualcode project here" in out


def test_store_from_newer_schema_is_refused(project, cli):
    project.store.conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    project.close()
    code, out = cli(["--project", project.root, "status"])
    assert code == 2 and "written by a newer qualcode (store schema 99" in out and "project.db" in out


def test_cli_init_ingest_status_from_inside_project(tmp_path, cli):
    code, out = cli(["init", tmp_path / "s", "--lang", "en"])
    assert code == 0 and "Created project" in out
    write(tmp_path / "s" / "transcripts" / "C1.txt", "Interviewer: Hi.\nC1: Hello there.\n")
    code, out = cli(["ingest", "transcripts"], cwd=tmp_path / "s")
    assert code == 0 and "new          transcripts/C1.txt (v1: 2 turns, 2 segments, 3 words)" in out
    code, out = cli(["status"], cwd=tmp_path / "s" / "transcripts")  # found from a subfolder
    assert code == 0 and "Segments" in out and "Count" in out and "2" in out


def test_store_of_an_older_schema_is_migrated_forward(project):
    from qualcode.store import SCHEMA_VERSION

    conn = project.store.conn
    conn.execute("DROP TABLE pattern_hits")          # what a schema-1 store looked like
    conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    project.close()
    reopened = Project(project.root)
    assert reopened.store.schema_version() == SCHEMA_VERSION == 5
    tables = {r[0] for r in reopened.store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "pattern_hits" in tables
    reopened.close()


def test_tables_for_programs_json_and_csv(tmp_path, cli):
    import csv
    import io
    import json

    folder = tmp_path / "p"
    assert cli(["init", folder])[0] == 0
    (folder / "transcripts" / "H1.txt").write_text("H1: Tuki vastasi nopeasti.\n", encoding="utf-8")
    assert cli(["--project", folder, "ingest", folder / "transcripts"])[0] == 0
    code, out = cli(["--project", folder, "status", "--json"])
    assert code == 0, out
    counts = {row["item"]: row["count"] for row in json.loads(out)}
    assert counts["sources"] == 1 and counts["segments"] == 1
    code, out = cli(["--project", folder, "status"])
    assert code == 0 and "Perusmuotoistaja: " in out      # the lemmatiser in use, and why
    code, out = cli(["--project", folder, "audit", "--csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["action"] for r in rows] == ["init", "ingest"]


def test_a_bug_is_exit_code_3_with_one_sentence_not_a_traceback(tmp_path, cli, monkeypatch):
    from qualcode.store.sqlite import SQLiteStore

    folder = tmp_path / "p"
    assert cli(["init", folder])[0] == 0

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(SQLiteStore, "counts", broken)     # what `status` reads
    code, out = cli(["--project", folder, "status"])
    assert code == 3 and "This is a bug in qualcode" in out and "Traceback" not in out
