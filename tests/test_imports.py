"""What a command loads in a fresh process: the heavy libraries only where the command needs
them.  Each command runs in its own Python process (as a user starts it) and reports the
top-level modules it imported, so a stray module-level import anywhere on the path fails here."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from test_report_common import build_study

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"spacy", "pandas", "scipy", "matplotlib", "networkx", "openpyxl", "docx", "simplemma"}

PROBE = textwrap.dedent("""\
    import json, sys
    from qualcode.cli import main
    try:
        main(sys.argv[2:], prog_name="qualcode")
    except SystemExit as exc:
        code = exc.code
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}, f)
    """)

TYPE_RULES = "types:\n  - name: Tilannetietoa kaipaavat\n    rules: {codes_any: [tilannetieto]}\n"


def loaded(folder: Path, *args) -> set[str]:
    """The heavy top-level modules that ``qualcode ARGS`` imported, run in ``folder`` in a
    process of its own; the command must succeed."""
    out = folder.parent / "modules.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-c", PROBE, str(out), *map(str, args)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["code"] in (0, None), proc.stdout[-2000:] + proc.stderr[-2000:]
    return set(result["modules"]) & HEAVY


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """The small report study, coded once by the codebook (so every word type has its stored
    lemma), with type rules (so its typology needs no clustering)."""
    p = build_study(tmp_path_factory.mktemp("imports"))
    (p.root / "tyypit.yaml").write_text(TYPE_RULES, encoding="utf-8")
    p.code()
    root = p.root
    p.close()
    return root


def test_status_loads_no_data_or_language_library(coded):
    assert loaded(coded, "status") == set()
    assert loaded(coded, "status", "--json") == set()


def test_recode_after_a_keyword_is_added_loads_neither_spacy_nor_pandas(coded, tmp_path):
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(coded, folder)
    path = folder / "codebooks" / "koodit.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ruled = next(c for c in data["codes"] if c.get("keywords"))
    ruled["keywords"] = list(ruled["keywords"]) + ["palaveri"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert loaded(folder, "code") == set()


def test_xlsx_report_loads_no_spacy_figures_graphs_or_clustering(coded, tmp_path):
    # every word type has its stored lemma, the types come from tyypit.yaml and the workbook
    # has no figures: no spaCy, lemmatiser, scipy, matplotlib, networkx or python-docx
    assert loaded(coded, "report", "-o", tmp_path / "x.xlsx") == {"pandas", "openpyxl"}
    assert (tmp_path / "x.xlsx").stat().st_size > 0


def test_docx_report_loads_no_spacy_nor_openpyxl(coded, tmp_path):
    # the figures are drawn by matplotlib in the figure process:
    # the report's own process loads neither
    got = loaded(coded, "report", "-o", tmp_path / "x.docx")
    assert got == {"docx", "pandas"}
    assert b"word/media/image1.png" in (tmp_path / "x.docx").read_bytes()      # and the figures are in it


def test_review_export_without_ranked_suggestions_loads_no_ranking_models(coded, tmp_path):
    # the Scores column needs the ranking models only when `suggest` has stored suggestions
    got = loaded(coded, "review", "export", tmp_path / "r.xlsx")
    assert {"pandas", "openpyxl"} <= got and not got & {"scipy", "spacy", "matplotlib", "networkx"}


def test_reports_with_clustered_types_load_no_scipy(coded, tmp_path):
    # without tyypit.yaml the typology clusters the informants: by our own average linkage
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(coded, folder)
    (folder / "tyypit.yaml").unlink()
    assert loaded(folder, "report", "-o", tmp_path / "x.xlsx") == {"pandas", "openpyxl"}
    got = loaded(folder, "report", "-o", tmp_path / "x.docx")
    assert "scipy" not in got and "openpyxl" not in got
