"""docs/architecture.md's rules, checked on the package, and each shown to catch a planted
violation (a checker that never fails would prove nothing)."""
import archrules as rules
import pytest

MODULES = rules.read_package()


def test_imports_flow_one_way():
    assert rules.layer_violations(MODULES) == []


def test_no_import_circle():
    assert rules.import_cycles(MODULES) == []


def test_only_the_store_runs_sql():
    assert rules.sql_outside_store(MODULES) == []


def test_no_function_longer_than_the_limit():
    assert rules.long_functions(MODULES) == []


def _with(extra: dict) -> dict:
    return {**MODULES, **extra}


@pytest.mark.parametrize("module, source, expected", [
    ("qualcode.store.leak", "from ..report import xlsx\n", "store may not import report"),
    ("qualcode.analysis.leak", "def f():\n    from qualcode.project import Project\n",
     "analysis may not import project"),
    ("qualcode.ingest.leak", "from ..coding.matcher import RuleMatcher\n", "ingest may not import coding"),
    ("qualcode.helpers", "", "is in no stage of the module table"),
])
def test_a_forbidden_import_is_reported(module, source, expected):
    found = rules.layer_violations(_with({module: source}))
    assert any(expected in line and module in line for line in found), found


def test_the_cli_may_not_reach_past_the_project():
    found = rules.layer_violations(_with({"qualcode.cli": "from .coding.review import write_review_sheet\n"}))
    assert any("cli may not import coding" in line for line in found)
    found = rules.layer_violations(_with({"qualcode.cli": "from .fileutil import atomic_output\n"}))
    assert any("goes through the project" in line for line in found)


def test_a_circle_is_reported():
    found = rules.import_cycles(_with({"qualcode.report.a": "from . import b\n",
                                       "qualcode.report.b": "def f():\n    from .a import x\n"}))
    assert ["qualcode.report.a", "qualcode.report.b"] in found


def test_sql_outside_the_store_is_reported():
    found = rules.sql_outside_store({"qualcode.analysis.leak":
                                     "def f(store):\n    return store.conn.execute('SELECT 1')\n"})
    assert sorted(found) == ["qualcode.analysis.leak:2 .conn", "qualcode.analysis.leak:2 .execute"]
    assert rules.sql_outside_store({"qualcode.report.leak": "import sqlite3\n"}) == [
        "qualcode.report.leak:1 imports sqlite3"]
    assert rules.sql_outside_store({"qualcode.store.x": "def f(c):\n    c.execute('x')\n"}) == []


def test_a_long_function_is_reported():
    body = "def f():\n" + "    x = 1\n" * 130
    assert rules.long_functions({"qualcode.x": body}) == ["qualcode.x.f (131 lines)"]


def _documented_table() -> dict[str, str]:
    """Stage → its 'may import' cell, from the module table of docs/architecture.md."""
    doc = (rules.PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("stage", "---"):
            for stage in cells[0].split(", "):
                rows[stage] = cells[3]
    return rows


def test_the_documented_module_table_is_the_enforced_one():
    # every stage the checker knows has a row in the document, and a row whose 'may import'
    # cell is a plain list says exactly what the checker allows
    documented = _documented_table()
    assert set(rules.ALLOWED) - {"root"} <= set(documented), set(rules.ALLOWED) - set(documented)
    for stage, cell in documented.items():
        if cell == "—":
            assert rules.ALLOWED[stage] == set(), stage
        elif all(part.isidentifier() for part in cell.split(", ")):
            assert rules.ALLOWED[stage] == set(cell.split(", ")), (stage, cell)
