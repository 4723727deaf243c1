"""`qualcode pseudonymise` and `qualcode import qdpx` killed (SIGKILL, in a real process) before
their commit, in the middle of their writes and after their commit: the store then equals,
table for table, the store before the command or the store a completed run leaves — never
something between."""
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.project import Project
from test_hostile import dump

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = """\
language: fi
codes:
  - id: viestinta
    name: Viestintä
    description: Matti Virtasen toive viikkoviestistä
    keywords: [viestintä, viikkoviesti]
  - id: laskutus
    name: Laskutus
    keywords: [lasku, laskutus]
    compound: true
"""
TRANSCRIPT = (
    "Haastattelija: Miten viestintä on toiminut?\n\n"
    "H1: Matti Virtanen lähetti viikkoviestin, ja Virtasen laskut tulivat ajallaan.\n\n"
    "H2: Liisa Korhosen kanssa viestintä toimi, mutta laskutuksessa oli virheitä.\n"
)
KEY = "real,pseudonym,kind\nMatti Virtanen,H7,person\nLiisa Korhonen,H8,person\n"
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^\"',]*")


def comparable(tables: dict, folder: Path) -> dict:
    """The dump with the times of the run and the folder's path taken out (two runs of the same
    command differ only in those)."""
    def clean(v):
        if isinstance(v, str):
            return _TIME.sub("<time>", v.replace(str(folder), "<folder>"))
        return v
    return {name: [tuple(clean(v) for v in row) for row in rows] for name, rows in tables.items()}


def run(root: Path, *args, env=None):
    """The real qualcode command in a fresh process: (exit code, output)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "qualcode.cli", "--project", str(root), *map(str, args)],
                          capture_output=True, text=True, env=full_env, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """A coded study with names, a key outside it, a review note and a memo; and a .qdpx of it."""
    base = tmp_path_factory.mktemp("kill")
    p = Project.init(base / "study", title="Tapaus Virtanen")
    (p.root / "codebooks" / "koodit.yaml").write_text(CODEBOOK, encoding="utf-8")
    (p.root / "transcripts" / "virtanen_matti.txt").write_text(TRANSCRIPT, encoding="utf-8")
    p.ingest([p.root / "transcripts"])
    p.code()
    seg = int(p.segments().query("speaker == 'H2'")["segment_id"].iloc[0])
    p.coding.add(seg, "laskutus", note="Korhonen toisti tämän")
    p.coding.memo("Virtasen haastattelu", target_type="source", target_id="transcripts/virtanen_matti.txt")
    qdpx = p.exchange.export_qdpx(base / "projekti.qdpx", include_suggested=True)
    p.close()
    key = base / "avain.csv"
    key.write_text(KEY, encoding="utf-8")
    return p.root, key, qdpx


def _expect(tmp_path, study: Path, args, point: str):
    """Run ``args`` completed on a copy and killed at ``point`` on another copy; compare."""
    done, killed = tmp_path / "done", tmp_path / "killed"
    shutil.copytree(study, done)
    shutil.copytree(study, killed)
    before = comparable(dump(killed), killed)
    code, out = run(done, *[str(a).replace(str(study), str(done)) for a in args])
    assert code == 0, out
    after = comparable(dump(done), done)
    assert after != before
    code, out = run(killed, *[str(a).replace(str(study), str(killed)) for a in args],
                    env={"QUALCODE_FAULT_AT": point})
    assert code == -signal.SIGKILL, out
    now = comparable(dump(killed), killed)
    assert now == (after if point.startswith("after") else before), point
    return killed


@pytest.mark.parametrize("point", ["before-commit:1", "mid-write:1", "mid-write:6", "after-commit:1"])
def test_pseudonymise_killed_leaves_before_or_after(tmp_path, named, point):
    study, key, _ = named
    killed = _expect(tmp_path, study, ["pseudonymise", "--key", key], point)
    names = [r[1] for r in dump(killed)["sources"]]
    assert names == (["transcripts/H7.txt"] if point.startswith("after") else ["transcripts/virtanen_matti.txt"])


@pytest.mark.parametrize("point", ["before-commit:1", "mid-write:1", "after-commit:1"])
def test_import_qdpx_killed_leaves_before_or_after(tmp_path, named, point):
    _, _, qdpx = named
    fresh = Project.init(tmp_path / "fresh", title="Tuonti")
    fresh.close()
    killed = _expect(tmp_path, fresh.root, ["import", "qdpx", qdpx], point)
    codings = dump(killed)["codings"]
    assert (len(codings) > 0) == point.startswith("after")
