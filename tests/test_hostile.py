"""Hostile inputs through the command line: each class of abuse gives exit code 2, one sentence
naming the file, no traceback, and a store equal table for table to the one before."""
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from qualcode.project import Project

ROOT = Path(__file__).resolve().parents[1]

CODEBOOK = """\
language: fi
codes:
  - id: viestinta
    name: Viestintä
    keywords: [viestintä, tiedottaa]
    patterns: ['\\bviikko(viesti|raportti)']
  - id: laskutus
    name: Laskutus
    keywords: [lasku, laskutus]
    compound: true
"""

TRANSCRIPT = (
    "Haastattelija: Miten viestintä on toiminut?\n"
    "H1: Viestinnän kanssa on ollut ongelmia ja laskutuksessa virheitä.\n"
    "H2: Viikkoviesti olisi hyvä, ja laskut tulivat myöhässä.\n"
)


# ----------------------------------------------------------------------------- helpers
def dump(root: Path) -> dict:
    """Every table of the store, every row in rowid order (what 'the store unchanged' means)."""
    conn = sqlite3.connect(root / ".qualcode" / "project.db")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()


def run(root: Path, *args, env=None, timeout=300):
    """The real qualcode command in a fresh process: (exit code, stdout + stderr)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "qualcode.cli", "--project", str(root), *map(str, args)],
                          capture_output=True, text=True, env=full_env, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def refused(cli, root: Path, args, *needles):
    """Run ``args`` in-process; assert exit 2, one 'Error:' sentence holding ``needles``, no
    traceback and the store unchanged; returns the output."""
    before = dump(root)
    code, out = cli(["--project", root, *args])
    assert code == 2, out
    assert "Traceback" not in out and "This is a bug" not in out, out
    assert out.startswith("Error: ") or "\nError: " in out, out
    for needle in needles:
        assert needle in out, out
    assert dump(root) == before
    return out


@pytest.fixture
def study(tmp_path):
    p = Project.init(tmp_path / "study", title="Vihamielinen")
    (p.root / "codebooks" / "koodit.yaml").write_text(CODEBOOK, encoding="utf-8")
    (p.root / "transcripts" / "ryhma.txt").write_text(TRANSCRIPT, encoding="utf-8")
    p.ingest([p.root / "transcripts"])
    p.code()
    root = p.root
    p.close()
    return root


# ----------------------------------------------------------------------------- formula injection
HOSTILE = ["=HYPERLINK(\"http://x\",\"klik\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "tavallinen"]


def test_audit_csv_and_xlsx_carry_no_live_formula(study, cli):
    for i, text in enumerate(HOSTILE):
        coder = HOSTILE[(i + 1) % len(HOSTILE)]
        code, out = cli(["--project", study, "memo", f"--coder={coder}", "--", text])
        assert code == 0, out
    assert cli(["--project", study, "audit", "-o", study / "log.csv"])[0] == 0
    assert cli(["--project", study, "audit", "-o", study / "log.xlsx"])[0] == 0
    with open(study / "log.csv", encoding="utf-8", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    for text in HOSTILE[:-1]:
        assert "'" + text in cells and text not in cells
    ws = openpyxl.load_workbook(study / "log.xlsx").active
    values = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in values if c.value.startswith(("=", "+", "-", "@", "\t"))]
    assert {c.value for c in risky} >= {t for t in HOSTILE[:-1]}
    assert all(c.data_type == "s" for c in risky)           # text cells, not formulas


# ----------------------------------------------------------------------------- catastrophic patterns
def test_nested_quantifier_refused_by_check_and_code(study, cli):
    bad = study / "codebooks" / "paha.yaml"
    bad.write_text("codes:\n  - id: pommi\n    patterns: ['(a+)+$']\n", encoding="utf-8")
    code, out = cli(["codebook", "check", bad])
    assert code == 2 and "paha.yaml:3" in out and "pommi" in out and "Traceback" not in out
    refused(cli, study, ["code", "--codebook", bad], "paha.yaml", "pommi")


def test_pattern_over_its_time_budget_is_refused_and_nothing_is_kept(study, cli, monkeypatch):
    from qualcode.coding import matcher

    monkeypatch.setattr(matcher, "PATTERN_SECONDS", 0.3)
    (study / "transcripts" / "pitka.txt").write_text("H3: " + "a" * 40 + "b\n", encoding="utf-8")
    assert cli(["--project", study, "ingest", study / "transcripts"])[0] == 0
    slow = study / "codebooks" / "hidas.yaml"          # one star level, still exponential
    slow.write_text("codes:\n  - id: hidas\n    patterns: ['(a|aa)+$']\n", encoding="utf-8")
    started = time.perf_counter()
    # the file is named once the engine passes the codebook path on to its matcher
    refused(cli, study, ["code", "--codebook", slow], "'hidas'", "time budget")
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize("text, needle", [
    ("codes: []\n", "no codes"),
    ("codes:\n  - id: päivä\n  - id: pa\u0308iva\u0308\n", "only by case or Unicode form"),
    ("codes:\n  - id: Hinta\n  - id: hinta\n", "only by case or Unicode form"),
    ("codes:\n  - id: hinta,laatu\n", "separator"),
    ("codes:\n  - id: tunne\n    keywords: [hyvä, no]\n", "put the word in quotes"),
    ("codes:\n  - id: paljon\n    keywords: [" + ", ".join(f"k{i}" for i in range(50_000)) + "]\n",
     "at most 1000"),
])
def test_codebook_abuse_is_refused(study, cli, text, needle):
    path = study / "codebooks" / "koe.yaml"
    path.write_text(text, encoding="utf-8")
    code, out = cli(["codebook", "check", path])
    assert code == 2 and "koe.yaml" in out and needle in out and "Traceback" not in out, out
    refused(cli, study, ["code", "--codebook", path], "koe.yaml", needle)


def test_a_codebook_over_the_total_term_limit_is_refused(study, cli, monkeypatch):
    # the real limit (100,000 terms) is a large file; the rule is the same at a small one
    monkeypatch.setattr("qualcode.codebook.MAX_TERMS_TOTAL", 10)
    path = study / "codebooks" / "koe.yaml"
    path.write_text("codes:\n" + "".join(f"  - id: k{c}\n    keywords: [{', '.join(f'w{c}x{i}' for i in range(6))}]\n"
                                         for c in range(2)), encoding="utf-8")
    code, out = cli(["codebook", "check", path])
    assert code == 2 and "koe.yaml" in out and "12 keywords, phrases, patterns and exclusions" in out, out
    refused(cli, study, ["code", "--codebook", path], "koe.yaml", "at most 10 are allowed")


# ----------------------------------------------------------------------------- store faults
def test_busy_store_waits_then_says_another_command_is_writing(study, cli, monkeypatch):
    from qualcode.store import sqlite as store_module

    monkeypatch.setattr(store_module, "BUSY_WAIT_SECONDS", 0.3)
    other = sqlite3.connect(study / ".qualcode" / "project.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        before = dump(study)    # a reader is not blocked by the writer (WAL)
        code, out = cli(["--project", study, "memo", "muistiinpano"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 2 and "another qualcode command is writing to this project" in out, out
    assert "project.db" in out and dump(study) == before


def _wrap_connect(monkeypatch, after):
    from qualcode.store import sqlite as store_module

    real = sqlite3.connect

    def connect(path, *a, **kw):
        return after(real, path, *a, **kw)
    monkeypatch.setattr(store_module.sqlite3, "connect", connect)


def test_read_only_store(study, cli, monkeypatch):
    def read_only(real, path, *a, **kw):
        return real(f"file:{path}?mode=ro", *a, uri=True, **kw)
    before = dump(study)
    _wrap_connect(monkeypatch, read_only)
    code, out = cli(["--project", study, "memo", "muistiinpano"])
    monkeypatch.undo()
    assert code == 2 and "read-only" in out and "project.db" in out and "Traceback" not in out, out
    assert dump(study) == before


def test_full_disk_leaves_the_store_as_it_was(study, cli, monkeypatch):
    def full(real, path, *a, **kw):
        conn = real(path, *a, **kw)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 1}")   # SQLITE_FULL, as on a full disk
        return conn
    before = dump(study)
    _wrap_connect(monkeypatch, full)
    code, out = cli(["--project", study, "memo", "x" * 200_000])
    monkeypatch.undo()
    assert code == 2 and "the disk is full" in out and "as it was" in out and "broken" not in out, out
    assert dump(study) == before


@pytest.mark.parametrize("damage, needle", [
    ("empty", "empty file (0 bytes)"),
    ("garbage", "not a qualcode store"),
    ("drop_table", "table codings is missing"),
    ("schema_row", "schema version is missing"),
])
def test_damaged_store_is_never_recreated(study, cli, damage, needle):
    db = study / ".qualcode" / "project.db"
    if damage == "empty":
        db.write_bytes(b"")
    elif damage == "garbage":
        db.write_bytes(os.urandom(8192))
    else:
        conn = sqlite3.connect(db)
        conn.execute("DROP TABLE codings" if damage == "drop_table" else "DELETE FROM meta WHERE key='schema_version'")
        conn.commit()
        conn.close()
    size = db.stat().st_size
    code, out = cli(["--project", study, "status"])
    assert code == 2 and needle in out and "project.db" in out and "backup" in out and "Traceback" not in out, out
    assert db.stat().st_size == size


def test_bad_pages_are_reported_as_damage(study, cli):
    db = study / ".qualcode" / "project.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for p in range(2, len(data) // page):          # every page but the first: the tables' pages
        data[p * page: p * page + 100] = b"\xff" * 100
    db.write_bytes(bytes(data))
    code, out = cli(["--project", study, "status"])
    assert code == 2 and "damaged" in out and "backup" in out and "Traceback" not in out, out


def test_mistyped_config_value_names_key_value_and_type(study, cli):
    cfg = study / "qualcode.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("max_file_mb = 50.0", 'max_file_mb = "50"'),
                   encoding="utf-8")
    refused(cli, study, ["status"], "qualcode.toml", "max_file_mb = '50'", "a number")


# ----------------------------------------------------------------------------- decoding
SENTENCE = "H1: Viestintä toimi hyvin ja päivitykset tulivat ajallaan, kiitos yhteistyöstä.\n"


def test_one_stray_byte_keeps_utf8_and_names_the_line(study, cli):
    folder = study / "uudet"
    folder.mkdir()
    (folder / "sekaisin.txt").write_bytes((SENTENCE * 5).encode() + b"H2: hinta \x96 sopiva\n")
    code, out = cli(["--project", study, "ingest", folder])
    assert code == 0, out
    assert "sekaisin.txt: 1 byte sequence(s) that are not UTF-8 on line(s) 6" in out
    p = Project.open(study)
    try:
        texts = p.segments()["text"].tolist()
        assert any("Viestintä toimi" in t for t in texts) and not any("Ã" in t for t in texts)
        assert dict(zip(p.sources()["source"], p.sources()["encoding"]))["uudet/sekaisin.txt"] == "utf-8"
    finally:
        p.close()


def test_mixed_encodings_are_refused_with_lines(study, cli):
    path = study / "sekava.txt"
    path.write_bytes((SENTENCE * 3).encode() + (SENTENCE * 12).encode("cp1252"))
    refused(cli, study, ["ingest", path], "sekava.txt", "mixes UTF-8", "save it again as UTF-8")


def test_legacy_encoding_is_detected_and_reported(study, cli):
    path = study / "vanha_mac.txt"
    path.write_bytes((SENTENCE * 4).encode("mac_roman"))
    code, out = cli(["--project", study, "ingest", path])
    assert code == 0 and "vanha_mac.txt: not UTF-8; read as mac_roman" in out, out
    p = Project.open(study)
    try:
        assert any("Viestintä toimi" in t for t in p.segments()["text"])
    finally:
        p.close()


# ----------------------------------------------------------------------------- nothing silent
def test_unsupported_files_in_a_folder_are_named_with_what_to_do(study, cli):
    folder = study / "kansio"
    folder.mkdir()
    (folder / "H5.txt").write_text(SENTENCE, encoding="utf-8")
    (folder / "H6.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (folder / "H7.mp3").write_bytes(b"ID3 audio")
    code, out = cli(["--project", study, "ingest", folder])
    assert code == 0, out
    assert "H6.doc: not read (.doc); save it as .docx" in out
    assert "H7.mp3: not read (.mp3); transcribe the recording first" in out


def test_postal_code_stays_text(study, cli):
    (study / "informants.csv").write_text("code,postinumero,ika\nH1,00100,42\nH2,33100,37\n", encoding="utf-8")
    assert cli(["--project", study, "ingest", study / "transcripts"])[0] == 0
    p = Project.open(study)
    try:
        frame = p.informants().set_index("code")
        column = "postinumero" if "postinumero" in frame else "attributes"
        assert "00100" in str(frame.loc["H1", column])
    finally:
        p.close()


@pytest.mark.parametrize("name, needle", [("x.pdf", "not 'pdf'"), ("raportti", "no extension")])
def test_report_with_an_unsupported_extension_is_refused(study, cli, name, needle):
    refused(cli, study, ["report", "-o", study / name], name, needle)
    assert not (study / name).exists()


def test_report_format_and_name_must_agree(study, cli):
    refused(cli, study, ["report", "--format", "docx", "-o", study / "r.xlsx"], "r.xlsx", "--format docx")


# ----------------------------------------------------------------------------- review sheets
def _review_sheet(study, cli):
    sheet = study / "tarkistus.xlsx"
    assert cli(["--project", study, "review", "export", sheet])[0] == 0
    return sheet


def test_contradictory_duplicate_rows_are_refused_with_row_numbers(study, cli):
    sheet = _review_sheet(study, cli)
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Tarkistus"]
    headers = [c.value for c in ws[1]]
    accept = headers.index("Hyväksy") + 1
    ws.cell(row=2, column=accept, value="kaikki")
    last = ws.max_row + 1
    for col in range(1, ws.max_column + 1):
        ws.cell(row=last, column=col, value=ws.cell(row=2, column=col).value)
    ws.cell(row=last, column=accept, value="ei mitään")
    wb.save(sheet)
    refused(cli, study, ["review", "import", sheet], "tarkistus.xlsx", f"row {last}", "also on row 2")


def test_decisions_on_another_sheet_are_not_ignored(study, cli):
    sheet = _review_sheet(study, cli)
    wb = openpyxl.load_workbook(sheet)
    copy = wb.copy_worksheet(wb["Tarkistus"])
    copy.title = "Kopio"
    headers = [c.value for c in copy[1]]
    copy.cell(row=2, column=headers.index("Hyväksy") + 1, value="kaikki")
    wb.save(sheet)
    refused(cli, study, ["review", "import", sheet], "tarkistus.xlsx", "sheet 'Kopio' also holds decisions")


def test_a_stray_cell_far_away_is_flagged_quickly(study, cli):
    sheet = _review_sheet(study, cli)
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Tarkistus"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("Hyväksy") + 1, value="kaikki")
    ws["XFD1048576"] = "x"
    wb.save(sheet)
    started = time.perf_counter()
    refused(cli, study, ["review", "import", sheet], "tarkistus.xlsx", "row 1048576", "cell XFD1048576",
            "to the right of the review columns", "'Huomio' column")
    assert time.perf_counter() - started < 30


def test_a_note_beside_the_review_columns_is_flagged(study, cli):
    sheet = _review_sheet(study, cli)
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Tarkistus"]
    width = len([c for c in ws[1] if c.value])
    ws.cell(row=2, column=width + 1, value="hyväksy kaikki")        # typed just right of the table
    wb.save(sheet)
    refused(cli, study, ["review", "import", sheet], "tarkistus.xlsx", "row 2:",
            f"cell {openpyxl.utils.get_column_letter(width + 1)}2", "delete it")


def test_a_stray_cell_far_below_is_flagged(study, cli):
    sheet = _review_sheet(study, cli)
    wb = openpyxl.load_workbook(sheet)
    wb["Tarkistus"]["B90000"] = "kaikki"
    wb.save(sheet)
    refused(cli, study, ["review", "import", sheet], "tarkistus.xlsx", "row 90000:", "delete this row")


# ----------------------------------------------------------------------------- inflating files
def test_inflating_docx_is_refused_before_parsing(study, cli):
    bomb = study / "pommi.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>" + " " * (60 * 1024 * 1024) + "</w:document>")
    assert bomb.stat().st_size < 1024 * 1024
    refused(cli, study, ["ingest", bomb], "pommi.docx", "would unpack to", "refuses it for safety")


# ----------------------------------------------------------------------------- tracebacks in a real process
def test_real_process_prints_one_sentence(study):
    (study / ".qualcode" / "project.db").write_bytes(b"")
    code, out = run(study, "status")
    assert code == 2 and out.count("\n") == 1 and "Traceback" not in out, out


# ----------------------------------------------------------------------------- killed at any point
@pytest.mark.parametrize("command", ["ingest", "code", "review import"])
@pytest.mark.parametrize("point", ["before-commit:1", "after-commit:1"])
def test_sigkill_leaves_the_store_before_or_after(tmp_path, study, command, point):
    """A real qualcode process killed (SIGKILL) just before and just after its commit: the store
    then equals the store before the command, or the store a completed run leaves."""
    import shutil

    args = {"ingest": ["ingest", study / "lisaa"], "code": ["code", "--codebook", study / "codebooks" / "uusi.yaml"],
            "review import": ["review", "import", study / "tarkistus.xlsx"]}[command]
    (study / "lisaa").mkdir()
    (study / "lisaa" / "H9.txt").write_text(SENTENCE * 3, encoding="utf-8")
    (study / "codebooks" / "uusi.yaml").write_text(CODEBOOK.replace("tiedottaa", "toimia"), encoding="utf-8")
    assert run(study, "review", "export", study / "tarkistus.xlsx")[0] == 0
    wb = openpyxl.load_workbook(study / "tarkistus.xlsx")
    ws = wb["Tarkistus"]
    ws.cell(row=2, column=[c.value for c in ws[1]].index("Hyväksy") + 1, value="kaikki")
    wb.save(study / "tarkistus.xlsx")
    twin = tmp_path / "twin"
    shutil.copytree(study, twin)
    before = dump(study)
    code, out = run(twin, *[str(a).replace(str(study), str(twin)) for a in args])
    assert code == 0, out
    after = _renamed(dump(twin), str(twin), str(study))    # paths in the audit trail name the twin
    assert after != before
    code, out = run(study, *args, env={"QUALCODE_FAULT_AT": point})
    assert code == -signal.SIGKILL, out
    now = dump(study)
    expected = before if point.startswith("before") else after
    strip = {"audit": 1, "sources": 9, "codebooks": 4, "codings": 9}   # times differ between runs
    assert _timeless(now, strip) == _timeless(expected, strip)


def _renamed(tables: dict, old: str, new: str) -> dict:
    return {name: [tuple(v.replace(old, new) if isinstance(v, str) else v for v in r) for r in rows]
            for name, rows in tables.items()}


def _timeless(tables: dict, columns: dict) -> dict:
    out = {}
    for name, rows in tables.items():
        col = columns.get(name)
        out[name] = [tuple(v for i, v in enumerate(r) if i != col) for r in rows] if col is not None else rows
    return out


def test_a_broken_codebook_file_is_an_error_not_replaced_by_the_stored_copy(tmp_path, cli):
    from qualcode.project import Project

    folder = tmp_path / "p"
    assert cli(["init", folder])[0] == 0
    (folder / "transcripts" / "H1.txt").write_text("H1: Tuki vastasi nopeasti.\n", encoding="utf-8")
    book = folder / "codebooks" / "koodit.yaml"
    book.write_text("language: fi\ncodes:\n  - {id: tuki, name: Tuki, keywords: [tuki]}\n", encoding="utf-8")
    assert cli(["--project", folder, "ingest", folder / "transcripts"])[0] == 0
    assert cli(["--project", folder, "code"])[0] == 0
    book.write_text("language: fi\ncodes:\n  - {id: tuki, name: Tuki, keywords: [tuki]\n", encoding="utf-8")
    code, out = cli(["--project", folder, "code"])
    assert code == 2 and "koodit.yaml" in out and "Traceback" not in out
    book.unlink()                       # no file at all: the codebook of the last coding
    with Project(folder) as project:
        assert [c.id for c in project.codebook()] == ["tuki"]
