"""REFI-QDA without loss, on the demo study after the researcher's review: export → import
into the same project keeps everything and changes nothing, into a fresh project gives the
same decisions and codebook, and conflicts are refused through the CLI with the store as it was."""
from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from qualcode.interop.qdpx_data import code_fields
from qualcode.interop.refi import PROJECT_XSD
from qualcode.project import Project

xmlschema = pytest.importorskip("xmlschema")

def run_cli(args, cwd=None):
    """The CLI in-process (click's runner), with errors going the way a user sees them."""
    from click.testing import CliRunner

    from qualcode.cli import main

    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


DECISION_COLUMNS = ["source", "code_id", "start", "end", "status", "coder", "rule", "valence", "note", "created_at"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study (the gold coding applied as the review) and its export."""
    folder = tmp_path_factory.mktemp("lossless") / "demo"
    code, out = run_cli(["demo", folder])
    assert code == 0, out
    code, out = run_cli(["export", "qdpx", "p.qdpx"], cwd=folder)
    assert code == 0, out
    return folder


@pytest.fixture
def copy(demo, tmp_path):
    """A copy of the demo project to change."""
    target = tmp_path / "demo"
    shutil.copytree(demo, target)
    return target


def _decisions(root: Path) -> list:
    project = Project.open(root)
    try:
        return sorted(map(tuple, project.codings()[DECISION_COLUMNS].astype(str).values.tolist()))
    finally:
        project.close()


def _codebook(root: Path) -> tuple:
    project = Project.open(root)
    try:
        cb = project.codebook()
        return cb.name, cb.language, [code_fields(c) for c in cb.codes]
    finally:
        project.close()


def _dump(root: Path, skip=("audit",)) -> dict:
    """Every table of the store, row by row (``skip``: tables left out), and every file."""
    conn = sqlite3.connect(f"file:{root / '.qualcode' / 'project.db'}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2').fetchall() for t in tables if t not in skip}
    finally:
        conn.close()
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
             if p.is_file() and ".qualcode" not in p.parts}
    return {"tables": rows, "files": files}


def _rewrite_qde(source: Path, target: Path, edit) -> Path:
    """A copy of an archive with ``edit(qde text) -> qde text`` applied, or with ``edit``
    given as ``{member: bytes}`` replacing members."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if isinstance(edit, dict):
                data = edit.get(name, data)
            elif name == "project.qde":
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(name, data)
    return target


def _member_of(path: Path, source_name: str) -> str:
    qde = zipfile.ZipFile(path).read("project.qde").decode("utf-8")
    m = re.search(rf'<TextSource guid="[^"]+" name="{re.escape(source_name)}" plainTextPath="internal://([^"]+)"', qde)
    return "sources/" + m.group(1)


def test_demo_export_is_schema_valid_and_carries_every_decision(demo):
    with zipfile.ZipFile(demo / "p.qdpx") as zf:
        qde = zf.read("project.qde")
    xmlschema.XMLSchema(str(PROJECT_XSD)).validate(io.BytesIO(qde))
    statuses = {s: qde.count(f'"status":"{s}"'.encode()) for s in ("accepted", "manual", "rejected", "suggested")}
    decisions = _decisions(demo)
    assert statuses == {s: sum(d[4] == s for d in decisions) for s in statuses}
    assert statuses["rejected"] > 0 and statuses["accepted"] > 0 and statuses["suggested"] > 0


def test_round_trip_into_the_same_project_keeps_everything(copy):
    decisions, codebook = _decisions(copy), _codebook(copy)
    before = _dump(copy)
    code, out = run_cli(["import", "qdpx", "p.qdpx"], cwd=copy)
    assert code == 0, out
    assert "Imported 0 sources" in out and "already in the project" in out
    assert "new version" not in out and "version 2" not in out
    # nothing changed but the audit trail: same sources (no new version), codings, memos, codebook file
    assert _dump(copy) == before
    assert _decisions(copy) == decisions and _codebook(copy) == codebook
    code, out = run_cli(["export", "qdpx", "again.qdpx"], cwd=copy)
    assert code == 0, out
    assert (copy / "again.qdpx").read_bytes() == (copy / "p.qdpx").read_bytes()


def test_round_trip_into_a_fresh_project_gives_the_same_decisions_and_codebook(demo, tmp_path):
    fresh = tmp_path / "fresh"
    assert run_cli(["init", fresh])[0] == 0
    code, out = run_cli(["import", "qdpx", demo / "p.qdpx"], cwd=fresh)
    assert code == 0, out
    assert _decisions(fresh) == _decisions(demo)
    assert _codebook(fresh) == _codebook(demo)
    # ids as the researcher gave them, not rebuilt from names; the rules and SWOT came along
    ids = [c["id"] for c in _codebook(fresh)[2]]
    assert ids == [c["id"] for c in _codebook(demo)[2]]
    assert any(c["keywords"] for c in _codebook(fresh)[2]) and any(c["swot"] for c in _codebook(fresh)[2])
    # importing it again merges: nothing is added
    before = _dump(fresh)
    assert run_cli(["import", "qdpx", demo / "p.qdpx"], cwd=fresh)[0] == 0
    assert _dump(fresh) == before


def _refused(root: Path, archive: Path, *needles: str) -> str:
    before = _dump(root, skip=())
    code, out = run_cli(["import", "qdpx", archive], cwd=root)
    assert code == 2, out
    assert "Traceback" not in out and str(archive.name) in out
    for needle in needles:
        assert needle in out, out
    assert _dump(root, skip=()) == before       # every table, the audit trail too, and every file
    return out


def test_a_source_with_another_text_is_refused_unless_a_new_version_is_asked(copy):
    member = _member_of(copy / "p.qdpx", "transcripts/H1.docx")
    text = zipfile.ZipFile(copy / "p.qdpx").read(member).decode("utf-8")
    changed = _rewrite_qde(copy / "p.qdpx", copy / "changed.qdpx", {member: (text + "\nLisäys.\n").encode("utf-8")})
    _refused(copy, changed, "transcripts/H1.docx", "different text")
    code, out = run_cli(["import", "qdpx", "changed.qdpx", "--new-version"], cwd=copy)
    assert code == 0, out
    project = Project.open(copy)
    try:
        versions = project.store.source_versions()
    finally:
        project.close()
    assert versions["transcripts/H1.docx"] == 2


def test_a_code_with_other_rules_is_refused(copy):
    path = copy / "codebooks" / "asiakaskokemus_fi.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("perehdytys, perehdyttää", "perehdytys, opastus, perehdyttää", 1),
                    encoding="utf-8")
    assert path.read_text(encoding="utf-8") != text
    _refused(copy, copy / "p.qdpx", "code 'kayttoonotto'", "keywords")


def test_a_different_decision_by_the_same_coder_is_refused(copy):
    project = Project.open(copy)
    try:
        df = project.codings()
        row = df[df["status"] == "rejected"].iloc[0]
        project.coding.accept(int(row["segment_id"]), row["code_id"], coder=row["coder"])
    finally:
        project.close()
    _refused(copy, copy / "p.qdpx", f"code '{row['code_id']}'", "status")


def test_a_damaged_data_note_is_refused(copy):
    broken = _rewrite_qde(copy / "p.qdpx", copy / "broken.qdpx",
                          lambda qde: qde.replace('"status":"rejected"', '"status":"maybe"', 1))
    _refused(copy, broken, "qualcode data note is damaged", "status")


def test_a_new_decision_made_elsewhere_is_added(copy, tmp_path):
    """A colleague's copy with one more decision: the import adds just that one."""
    other = tmp_path / "other"
    shutil.copytree(copy, other)
    project = Project.open(other)
    try:
        df = project.codings()
        row = df[df["status"] == "suggested"].iloc[0]
        project.coding.accept(int(row["segment_id"]), row["code_id"], coder="kollega")
        project.exchange.export_qdpx(other / "kollega.qdpx")
    finally:
        project.close()
    decisions = _decisions(copy)
    code, out = run_cli(["import", "qdpx", other / "kollega.qdpx"], cwd=copy)
    assert code == 0, out
    after = _decisions(copy)
    assert len(after) == len(decisions) + 1
    added = sorted(set(after) - set(decisions))
    assert [(d[1], d[4], d[5]) for d in added] == [(row["code_id"], "accepted", "kollega")]
