"""Pseudonymisation through the project: store texts, reports and exports, with codings kept
on the same words, the anonymity check, and the key never travelling with the data."""
import zipfile

import docx
import openpyxl
import pytest

TRANSCRIPT = (
    "Haastattelija: Kuka teitä palveli?\n"
    "H1: Minua palveli Matti Virtanen. Virtasen kanssa sovimme, että Virtaselle lähetetään "
    "viikkoviesti osoitteeseen matti.virtanen@esimerkki.fi.\n"
    "H1: Datasillan projektipäällikkö soitti numerosta 040 123 4567, ja Datasilta-tiimi oli nopea.\n"
    "H1: Henkilötunnukseni 131052-308T kysyttiin turhaan.\n"
)


@pytest.fixture
def named(project, tmp_path):
    key = tmp_path / "avain.csv"            # outside the project folder
    key.write_text("real,pseudonym,kind\nMatti Virtanen,H1,person\nDatasilta Oy,Yritys X,organisation\n",
                   encoding="utf-8")
    (project.root / "codebooks" / "cb.yaml").write_text(
        "language: fi\ncodes:\n  - {id: viestinta, name: Viestintä, keywords: [viikkoviesti]}\n"
        "  - {id: tiimi, name: Tiimi, keywords: [tiimi], compound: true}\n", encoding="utf-8")
    (project.root / "transcripts" / "H1.txt").write_text(TRANSCRIPT, encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    project.code()
    seg = {r.text[:5]: int(r.segment_id) for r in project.segments().itertuples()}
    project.coding.add(seg["Minua"], "viestinta")                     # a human coding on the whole segment
    return project, key


def test_store_texts_are_pseudonymised_and_codings_stay_on_their_words(named, cli):
    project, key = named
    before = project.codings()[["coding_id", "code_id", "quote"]]
    code, out = cli(["--project", project.root, "pseudonymise", "--key", key])
    assert code == 0, out
    text = project.source_text("transcripts/H1.txt")
    for secret in ("Matti", "Virta", "Datasil", "@esimerkki", "040 123", "131052"):
        assert secret not in text
    assert "H1:lle lähetetään" in text and "Yritys X:n projektipäällikkö" in text
    after = project.codings().set_index("coding_id")
    quotes = dict(zip(before["coding_id"], before["quote"]))
    assert after.loc[before.loc[before["code_id"] == "viestinta", "coding_id"].iloc[0], "quote"] == "viikkoviesti"
    whole = after[after["status"] == "manual"]["quote"].iloc[0]
    assert whole.startswith("Minua palveli H1.") and "[sähköposti]" in whole
    assert len(after) == len(quotes)
    for row in project.segments().itertuples():   # offsets still exact
        assert text[row.start:row.end] == row.text
    # reports and exports written afterwards carry no names
    xlsx = project.report(project.root / "r.xlsx", include_suggested=True)
    code, out = cli(["--project", project.root, "check", "anonymity", "--key", key, xlsx])
    assert code == 0 and "No names from the key" in out


def test_reports_and_qdpx_pseudonymised_on_request_and_checked(named, cli, tmp_path):
    project, key = named
    plain = project.report(tmp_path / "plain.xlsx", include_suggested=True)
    code, out = cli(["--project", project.root, "check", "anonymity", "--key", key, plain])
    assert code == 1 and "Virta" in out
    xlsx = project.report(tmp_path / "p.xlsx", include_suggested=True, pseudonymise=key)
    docx_path = project.report(tmp_path / "p.docx", include_suggested=True, pseudonymise=key)
    qdpx = project.exchange.export_qdpx(tmp_path / "p.qdpx", include_suggested=True, pseudonymise=key)
    cells = [str(c.value) for ws in openpyxl.load_workbook(xlsx) for row in ws.iter_rows() for c in row if c.value]
    paras = [p.text for p in docx.Document(docx_path).paragraphs]
    with zipfile.ZipFile(qdpx) as z:
        members = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
    for blob in ("\n".join(cells), "\n".join(paras), *members.values()):
        for secret in ("Virta", "Matti", "Datasil", "131052-308T", "esimerkki.fi"):
            assert secret not in blob
    assert any("H1:n kanssa" in c for c in cells)
    # the key file itself never goes into an export
    assert not any("avain" in n for n in members)
    code, out = cli(["--project", project.root, "check", "anonymity", "--key", key, xlsx, docx_path, qdpx])
    assert code == 1    # the store still has the real names (only the exports were pseudonymised) …
    hits = project.privacy.check_anonymity([xlsx, docx_path, qdpx], key)
    assert len(hits) and hits["file"].str.startswith("store:").all()   # … and only the store is listed


def test_key_inside_the_project_is_refused(named, cli):
    project, key = named
    inside = project.root / "avain.csv"
    inside.write_text(key.read_text(encoding="utf-8"), encoding="utf-8")
    code, out = cli(["--project", project.root, "pseudonymise", "--key", inside])
    assert code == 2 and "outside the project" in out
    assert "Matti" in project.source_text("transcripts/H1.txt")      # nothing changed
    code, out = cli(["--project", project.root, "pseudonymise"])
    assert code == 2 and "key_file" in out
