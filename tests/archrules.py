"""The rules of docs/architecture.md as code: which stage may import which, where SQL may
run, how long a function may be.  ``tests/test_architecture.py`` runs them on the package
and on planted violations (so a rule that could never fail would be noticed)."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "qualcode"

#: Modules every stage may use: the data model, errors, labels and small shared helpers.
BASE = {"model", "errors", "labels", "config", "fileutil", "yamlutil", "progress", "sheets",
        "safearchive"}
#: Stage -> the stages it may import (besides itself and the base).
ALLOWED = {
    "base": set(),
    "ingest": set(),
    "store": set(),
    "nlp": set(),
    "codebook": set(),
    "coding": {"nlp", "codebook"},
    "analysis": {"codebook"},
    "construct": {"analysis", "codebook"},
    "pseudonym": {"nlp"},
    "report": {"analysis", "construct", "codebook"},
    "interop": {"codebook", "ingest"},
    "view": set(),
    "suggest": {"nlp", "codebook"},
    "project": {"ingest", "store", "nlp", "codebook", "coding", "analysis", "construct", "pseudonym",
                "report", "interop", "view", "suggest"},
    "server": {"project", "view"},
    "demo": {"project"},
    "daemon": set(),
    "cli": {"project", "demo", "server", "daemon"},
    "launch": {"cli", "daemon"},     # the console script: the daemon, else the command line
    "root": {"project"},    # `qualcode.Project`, imported on first use
}
#: What the command line may import from the base: only the error and label modules (and
#: the package's version); everything else goes through the project.
CLI_BASE = {"errors", "labels"}
#: SQL runs only here.
SQL_HOME = "store"
SQL_CALLS = {"execute", "executemany", "executescript"}
MAX_FUNCTION_LINES = 120


def read_package(root: Path = PACKAGE) -> dict[str, str]:
    """``{dotted module name: source text}`` of every module under ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path.read_text(encoding="utf-8")
    return out


def stage_of(module: str) -> str:
    """The stage a dotted module name belongs to (``qualcode.report.xlsx`` -> ``report``)."""
    top = _top(module)
    if top == "qualcode":
        return "root"
    if top in BASE:
        return "base"
    if top in ("project", "facade"):
        return "project"
    if top == "__main__":   # `python -m qualcode` is the console script
        return "launch"
    return top


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "qualcode"


def imports_of(module: str, source: str, is_package: bool) -> set[str]:
    """Every qualcode module ``source`` imports, at the top or inside a function."""
    found = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "qualcode"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "qualcode":
                continue
            found.add(target)
            for alias in node.names:   # `from . import markdown` imports a module
                found.add(f"{target}.{alias.name}")
    return found


def import_graph(modules: dict[str, str]) -> nx.DiGraph:
    """Module -> imported module, for the modules that exist."""
    graph = nx.DiGraph()
    packages = {m for m in modules if any(o.startswith(m + ".") for o in modules)}
    for name, source in modules.items():
        graph.add_node(name)
        for target in imports_of(name, source, name in packages):
            while target not in modules and "." in target:   # `from .x import name`
                target = target.rpartition(".")[0]
            if target in modules and target != name:
                graph.add_edge(name, target)
    return graph


def layer_violations(modules: dict[str, str]) -> list[str]:
    """One sentence per import that crosses the stages the wrong way."""
    bad = [f"{m} is in no stage of the module table" for m in modules if stage_of(m) not in ALLOWED]
    for a, b in import_graph(modules).edges:
        sa, sb = stage_of(a), stage_of(b)
        if sb == "root" and sa != "root":
            if sa not in ("cli", "demo"):    # the version string only
                bad.append(f"{a} imports {b}: only the command line imports the package root")
        elif sa in ("cli", "demo") and sb == "base" and _top(b) not in CLI_BASE:
            bad.append(f"{a} imports {b}: the {sa} layer goes through the project")
        elif sb not in ("base", sa) and sb not in ALLOWED.get(sa, set()):
            bad.append(f"{a} imports {b}: {sa} may not import {sb}")
    return sorted(bad)


def import_cycles(modules: dict[str, str]) -> list[list[str]]:
    """Every import circle between modules, in-function imports included."""
    graph = import_graph(modules)
    # a package's __init__ re-exporting its own modules is not a circle of design
    graph.remove_edges_from([(a, b) for a, b in list(graph.edges) if b.startswith(a + ".")])
    return [sorted(c) for c in nx.simple_cycles(graph)]


def sql_outside_store(modules: dict[str, str]) -> list[str]:
    """``module:line`` of every SQL call or store-connection access outside the store."""
    bad = []
    for name, source in modules.items():
        if _top(name) == SQL_HOME:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and (node.attr in SQL_CALLS or node.attr == "conn"):
                bad.append(f"{name}:{node.lineno} .{node.attr}")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if "sqlite3" in names:
                    bad.append(f"{name}:{node.lineno} imports sqlite3")
    return bad


def long_functions(modules: dict[str, str], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``module.function (n lines)`` for every function longer than ``limit`` lines."""
    bad = []
    for name, source in modules.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    bad.append(f"{name}.{node.name} ({n} lines)")
    return bad
