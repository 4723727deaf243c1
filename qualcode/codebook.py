"""Codebooks: load, validate and save (YAML, or an xlsx sheet ``Koodikirja``).

Every validation error names the file, the line (the xlsx row) and the code id, and
says what to fix.

>>> cb = codebook_from_dict({"codes": [
...     {"id": "viestinta", "keywords": ["viestintä"]},
...     {"id": "tiedotteet", "parent": "viestinta", "compound": True}]})
>>> codebook_to_frame(cb)[["id", "theme", "level"]].values.tolist()
[['viestinta', 'viestinta', 0], ['tiedotteet', 'viestinta', 1]]
>>> len(codebook_hash(cb))
64
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Optional

import yaml

from .errors import CodebookError
from .yamlutil import LineDict, read_yaml
from .sheets import RISKY_PREFIXES, write_text_cell
from .labels import LANGS, label
from .model import SWOT_FIELDS, VALENCES, Code, Codebook

#: Keys a code entry may have, in the order they are written.
CODE_KEYS = ("id", "name", "parent", "description", "origin", "keywords", "phrases",
             "patterns", "exclude", "compound", "valence", "swot", "examples", "color")
#: Keys allowed at the top level of a codebook file.
TOP_KEYS = ("language", "name", "description", "codes")
ORIGINS = ("data", "theory")
#: Most terms one list of a code (keywords, phrases, patterns, exclude, examples) may hold, most
#: codes a codebook may hold, longest pattern: far beyond a real codebook, small enough that
#: matching stays fast and memory small.
MAX_TERMS_PER_LIST = 1000
MAX_CODES = 2000
MAX_PATTERN_CHARS = 500
#: Most terms (keywords, phrases, patterns, exclusions) all codes together may hold: 100
#: codes of 1,000 keywords are coded in about 10 s on two cores; MAX_CODES times
#: MAX_TERMS_PER_LIST would take many minutes.
MAX_TERMS_TOTAL = 100_000
#: Characters a code id cannot hold: the xlsx sheets and review sheets list ids separated by them.
ID_SEPARATORS = re.compile(r"[,;|\n\r\t]")
_LIST_KEYS = ("keywords", "phrases", "patterns", "exclude", "examples")
# Finnish spellings researchers write in the xlsx "Lähtökohta" column.
_ORIGIN_ALIASES = {"aineisto": "data", "aineistolähtöinen": "data",
                   "teoria": "theory", "teorialähtöinen": "theory"}
# xlsx column key -> label key, in sheet order: the thesis columns first, then the rest.
SHEET_COLUMNS = (
    ("id", "codebook.code"), ("theme", "codebook.theme"),
    ("description", "codebook.definition"), ("origin", "codebook.origin"),
    ("keywords", "codebook.keywords"), ("examples", "codebook.example"),
    ("name", "codebook.name"), ("parent", "codebook.parent"),
    ("phrases", "codebook.phrases"), ("patterns", "codebook.patterns"),
    ("exclude", "codebook.exclude"), ("compound", "codebook.compound"),
    ("valence", "codebook.valence"), ("swot", "codebook.swot"), ("color", "codebook.color"),
)


# --------------------------------------------------------------------- validation


def _fail(msg: str, path: str, line: Optional[int]) -> CodebookError:
    return CodebookError(msg, path=path, line=line or None)


def _key_line(entry: Any, key: str) -> int:
    lines = getattr(entry, "key_lines", None) or {}
    return lines.get(key, getattr(entry, "line", 0))


def _as_list(value: Any, key: str, cid: str, path: str, line: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        raise _fail(f"code {cid!r}: {key} must be a list of texts, not {type(value).__name__}",
                    path, line)
    out = []
    for item in value:
        if isinstance(item, bool):
            raise _fail(f"code {cid!r}: an item of {key} was read as {item!r}{_BOOL_HINT}", path, line)
        if not isinstance(item, (str, int, float)):
            raise _fail(f"code {cid!r}: every item of {key} must be text, "
                        f"not {item!r}", path, line)
        text = str(item).strip()
        if text:
            out.append(text)
    return out


#: YAML reads unquoted yes/no/on/off/true/false (Finnish "no" too) as booleans.
_BOOL_HINT = ("; YAML reads an unquoted yes, no, on, off, true or false as a truth value — put the "
              "word in quotes, e.g. 'no'")


def _check_text_keys(entry: dict, cid: str, path: str) -> None:
    for key in ("id", "name", "parent", "description", "color"):
        if isinstance(entry.get(key), bool):
            raise _fail(f"code {cid!r}: {key} was read as {entry[key]!r}{_BOOL_HINT}", path,
                        _key_line(entry, key))


def _as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _choice(value: Any, allowed: tuple, key: str, cid: str, path: str, line: int,
            aliases: Optional[dict] = None, upper: bool = False) -> Optional[str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    text = text.upper() if upper else text.lower()
    text = (aliases or {}).get(text, text)
    if text not in allowed:
        raise _fail(f"code {cid!r}: {key} {value!r} is not allowed; use one of "
                    f"{', '.join(allowed)}", path, line)
    return text


def _as_bool(value: Any, cid: str, path: str, line: int) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "kyllä", "1", "x"):
        return True
    if text in ("false", "no", "ei", "0"):
        return False
    raise _fail(f"code {cid!r}: compound must be true or false, not {value!r}", path, line)


def _code_from_entry(entry: Any, path: str, index: int) -> Code:
    line = getattr(entry, "line", 0)
    if not isinstance(entry, dict):
        raise _fail(f"codes entry {index + 1} must be a mapping with at least an id, "
                    f"not {entry!r}", path, line)
    cid = _as_text(entry.get("id"))
    _check_text_keys(entry, cid, path)
    if not cid:
        raise _fail(f"codes entry {index + 1} has no id; give every code an id", path, line)
    for key in entry:
        if key not in CODE_KEYS:
            raise _fail(f"code {cid!r}: unknown key {key!r}; allowed keys are "
                        f"{', '.join(CODE_KEYS)}", path, _key_line(entry, key))
    if ID_SEPARATORS.search(cid):
        raise _fail(f"code id {cid!r} contains a separator (, ; | tab or line break); use letters, "
                    "digits, - or _ in ids", path, _key_line(entry, "id"))
    lists = {k: _as_list(entry.get(k), k, cid, path, _key_line(entry, k)) for k in _LIST_KEYS}
    for key, items in lists.items():
        if len(items) > MAX_TERMS_PER_LIST:
            raise _fail(f"code {cid!r} has {len(items)} {key}; at most {MAX_TERMS_PER_LIST} are "
                        "allowed — split the code or use a pattern", path, _key_line(entry, key))
    for pattern in lists["patterns"]:
        _check_pattern(pattern, cid, path, _key_line(entry, "patterns"))
    parent = _as_text(entry.get("parent")) or None
    return Code(
        id=cid,
        name=_as_text(entry.get("name")),
        parent=parent,
        description=_as_text(entry.get("description")),
        origin=_choice(entry.get("origin"), ORIGINS, "origin", cid, path,
                       _key_line(entry, "origin"), _ORIGIN_ALIASES) or "data",
        keywords=lists["keywords"], phrases=lists["phrases"], patterns=lists["patterns"],
        exclude=lists["exclude"], examples=lists["examples"],
        compound=_as_bool(entry.get("compound"), cid, path, _key_line(entry, "compound")),
        valence=_choice(entry.get("valence"), VALENCES, "valence", cid, path,
                        _key_line(entry, "valence")),
        swot=_choice(entry.get("swot"), SWOT_FIELDS, "swot", cid, path,
                     _key_line(entry, "swot"), upper=True),
        color=_as_text(entry.get("color")) or None,
        line=line,
    )


def _check_pattern(pattern: str, cid: str, path: str, line: int) -> None:
    """A pattern must compile, be at most :data:`MAX_PATTERN_CHARS` long and hold no nested
    unbounded quantifier (``(a+)+``), the shape that makes matching take exponential time."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise _fail(f"code {cid!r}: pattern of {len(pattern)} characters; at most "
                    f"{MAX_PATTERN_CHARS} are allowed", path, line)
    # Parsing finds the syntax errors, with re's messages that say where the problem starts;
    # the ``regex`` compile the coder needs comes when a run matches the pattern (a load
    # of the codebook for a re-run that matches nothing new does not pay for it).
    try:
        parsed_pattern(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        raise _fail(f"code {cid!r}: bad regular expression {pattern!r} ({exc}); "
                    "fix or quote the pattern", path, line) from None
    if nested_quantifier(pattern):
        raise _fail(f"code {cid!r}: pattern {pattern!r} repeats a group that itself repeats "
                    "(like (a+)+); such patterns can take hours on one sentence — write it "
                    "without the outer repetition", path, line)


@functools.lru_cache(maxsize=4096)
def nested_quantifier(pattern: str) -> bool:
    """True when ``pattern`` repeats (``+``, ``*``, ``{n,}``, ``{n,m}`` with m ≥ 10) something that
    itself holds such a repetition: catastrophic backtracking's usual shape.

    >>> [nested_quantifier(p) for p in (r"(a+)+$", r"(\\w+\\s?)*x", "(ab|cd)+", r"\\d{2}(-\\d+)?", r"(\\d{2}\\.)+")]
    [True, True, False, False, False]
    """
    return _repeat_inside(parsed_pattern(pattern), sre_parser(), outer=False)


def sre_parser():
    """The standard library's regular-expression parser module."""
    try:
        from re import _parser as sre_parse   # Python ≥ 3.11
    except ImportError:                       # pragma: no cover
        import sre_parse                      # type: ignore[no-redef]
    return sre_parse


@functools.lru_cache(maxsize=4096)
def parsed_pattern(pattern: str):
    """The parse tree of a pattern (:mod:`re` syntax), parsed once per process: the
    codebook check and the coder's literal prefilter both read it (the tree is not changed)."""
    return sre_parser().parse(pattern)


def compile_pattern(pattern: str):
    """A codebook pattern compiled with the ``regex`` package (the syntax of :mod:`re`,
    case-insensitive), whose matching can be stopped by a time budget.  ``regex`` keeps
    compiled patterns, so a process compiles each pattern once.

    >>> rx = compile_pattern("(a|aa)+$"); rx.search("a" * 40 + "b", timeout=0.05)
    Traceback (most recent call last):
    TimeoutError: regex timed out
    """
    import regex

    return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)


def _repeat_inside(items, sre_parse, outer: bool) -> bool:
    repeats = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None))
    for op, arg in items:
        if op in repeats:
            _, high, body = arg
            big = high == sre_parse.MAXREPEAT or high >= 10
            if big and outer:
                return True
            if _repeat_inside(body, sre_parse, outer or big):
                return True
        elif op is sre_parse.SUBPATTERN:
            if _repeat_inside(arg[-1], sre_parse, outer):
                return True
        elif op is sre_parse.BRANCH:
            if any(_repeat_inside(b, sre_parse, outer) for b in arg[1]):
                return True
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            if _repeat_inside(arg[1], sre_parse, outer):
                return True
    return False


def _same_id(cid: str) -> str:
    """The form two ids are compared in: ``Hinta`` and ``hinta``, or ``ä`` written as one
    character and as ``a`` + combining diaeresis, are the same id to a reader."""
    return unicodedata.normalize("NFC", cid).casefold()


def _check_hierarchy(codes: list[Code], path: str) -> None:
    if len(codes) > MAX_CODES:
        raise _fail(f"the codebook has {len(codes)} codes; at most {MAX_CODES} are allowed", path, None)
    terms = sum(len(c.keywords) + len(c.phrases) + len(c.patterns) + len(c.exclude) for c in codes)
    if terms > MAX_TERMS_TOTAL:
        raise _fail(f"the codebook has {terms:,} keywords, phrases, patterns and exclusions in all; at most "
                    f"{MAX_TERMS_TOTAL:,} are allowed: split it into smaller codebooks", path, None)
    first: dict[str, Code] = {}
    for code in codes:
        if code.id in first:
            raise _fail(f"code {code.id!r}: duplicate id (first defined on line "
                        f"{first[code.id].line}); give each code its own id", path, code.line)
        first[code.id] = code
    alike: dict[str, Code] = {}
    for code in codes:
        other = alike.setdefault(_same_id(code.id), code)
        if other is not code:
            raise _fail(f"code {code.id!r} differs from {other.id!r} (line {other.line}) only by case "
                        "or Unicode form; give each code a clearly different id", path, code.line)
    for code in codes:
        if code.parent is not None and code.parent not in first:
            raise _fail(f"code {code.id!r}: parent {code.parent!r} does not exist; "
                        "add that code or fix the parent id", path, code.line)
    for code in codes:
        seen = [code.id]
        cur = code
        while cur.parent is not None:
            if cur.parent == code.id:
                cycle = " -> ".join(seen + [code.id])
                raise _fail(f"code {code.id!r}: parent cycle {cycle}; a code cannot be "
                            "its own ancestor", path, code.line)
            if cur.parent in seen:
                break  # a cycle further up; reported for the codes that form it
            seen.append(cur.parent)
            cur = first[cur.parent]


def codebook_from_dict(data: Any, path: str = "<dict>") -> Codebook:
    """Validate a codebook given as plain data (as read from YAML) and build it.

    >>> codebook_from_dict({"codes": [{"id": "a", "keywordz": ["x"]}]})
    Traceback (most recent call last):
    ...
    qualcode.errors.CodebookError: <dict>: code 'a': unknown key 'keywordz'; allowed keys are id, name, parent, description, origin, keywords, phrases, patterns, exclude, compound, valence, swot, examples, color
    """
    if isinstance(data, list):  # a bare list of codes is accepted
        data = {"codes": data}
    if not isinstance(data, dict):
        raise _fail("a codebook must be a mapping with a 'codes' list", path, 1)
    for key in data:
        if key not in TOP_KEYS:
            raise _fail(f"unknown top-level key {key!r}; allowed keys are "
                        f"{', '.join(TOP_KEYS)}", path, _key_line(data, key))
    entries = data.get("codes")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise _fail("'codes' must be a list of code entries", path, _key_line(data, "codes"))
    codes = [_code_from_entry(e, path, i) for i, e in enumerate(entries)]
    _check_hierarchy(codes, path)
    language = _as_text(data.get("language")) or "fi"
    return Codebook(codes=codes, language=language, name=_as_text(data.get("name")),
                    path=None if path == "<dict>" else path)


# --------------------------------------------------------------------- xlsx


def _split_cell(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    text = str(value)
    if "\n" in text or key in ("patterns", "examples"):
        items = text.split("\n")  # regexes and quotes may contain commas
    else:
        items = re.split(r"[;,]", text)
    return [i.strip() for i in items if i.strip()]


def _join_cell(items: list[str], key: str) -> str:
    if key in ("patterns", "examples") or any("," in i or ";" in i for i in items):
        return "\n".join(items)
    return ", ".join(items)


def _sheet_headers(lang: str) -> list[str]:
    return [label(k, lang) for _, k in SHEET_COLUMNS]


def _load_xlsx(path: str) -> Codebook:
    import openpyxl

    from .safearchive import check_office_file

    check_office_file(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors: not a workbook
        raise _fail(f"cannot read the workbook ({exc}); save it again as .xlsx", path, None)
    try:
        names = {label("sheet.codebook", lg): lg for lg in LANGS}
        sheet_name = next((n for n in wb.sheetnames if n in names), None)
        if sheet_name is None:
            raise _fail(f"no sheet named {label('sheet.codebook', 'fi')!r}; rename the "
                        "codebook sheet", path, None)
        rows = list(wb[sheet_name].iter_rows(values_only=True))
        props_lang = (wb.properties.language or "").strip()
        props_name = (wb.properties.title or "").strip()
    finally:
        wb.close()
    where = f"{path} [{sheet_name}]"
    if not rows:
        raise _fail("the sheet is empty; add a header row", where, 1)
    header = [_as_text(h) for h in rows[0]]
    by_label = {}
    for lg in LANGS:
        for key, lab in SHEET_COLUMNS:
            by_label.setdefault(label(lab, lg).lower(), key)
    cols: dict[int, str] = {}
    for i, h in enumerate(header):
        if not h:
            continue
        key = by_label.get(h.lower())
        if key is None:
            raise _fail(f"unknown column {h!r}; allowed columns are "
                        f"{', '.join(_sheet_headers('fi'))}", where, 1)
        cols[i] = key
    if "id" not in cols.values():
        raise _fail(f"no {label('codebook.code', 'fi')!r} column; add the code ids", where, 1)
    codes: list[Code] = []
    for rownum, row in enumerate(rows[1:], start=2):
        values = {cols[i]: v for i, v in enumerate(row) if i in cols}
        if all(v is None or str(v).strip() == "" for v in values.values()):
            continue
        theme = values.pop("theme", None)
        entry = LineDict()
        entry.line, entry.key_lines = rownum, {}  # errors name the sheet row
        for key, value in values.items():
            entry[key] = _split_cell(value, key) if key in _LIST_KEYS else value
        if not _as_text(entry.get("parent")) and _as_text(theme) != _as_text(entry.get("id")):
            # Sheets written by hand often give only the theme: use it as the parent.
            entry["parent"] = _as_text(theme) or None
        codes.append(_code_from_entry(entry, where, len(codes)))
    _check_hierarchy(codes, where)
    lang = props_lang or ("en" if header and header[0] == label("codebook.code", "en") else "fi")
    return Codebook(codes=codes, language=lang, name=props_name, path=path)


def _save_xlsx(codebook: Codebook, path: Path, lang: str) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = label("sheet.codebook", lang)
    ws.append(_sheet_headers(lang))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in _sheet_rows(codebook, lang):
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            # A leading "=" would make Excel run the cell as a formula: keep it text.
            if isinstance(cell.value, str) and cell.value.startswith(RISKY_PREFIXES):
                write_text_cell(cell, cell.value)
    widths = (18, 18, 40, 14, 30, 40)
    for i, w in enumerate(widths):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = w
    ws.freeze_panes = "B2"
    wb.properties.language = codebook.language
    wb.properties.title = codebook.name or None
    # Fixed timestamps keep the file byte-stable for the same codebook.
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.save(path)


# --------------------------------------------------------------------- public API


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook from ``.yaml``/``.yml`` or ``.xlsx`` (sheet Koodikirja).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cb.yaml"
    >>> _ = p.write_text("codes:\\n  - id: hinta\\n    keywords: [hinta]\\n", encoding="utf-8")
    >>> load_codebook(p)["hinta"].keywords, load_codebook(p)["hinta"].line
    (['hinta'], 2)
    """
    p = Path(path)
    spath = str(path)
    if not p.is_file():
        raise _fail("codebook file not found; check the path", spath, None)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _not_empty(_load_xlsx(spath))
    if suffix not in (".yaml", ".yml"):
        raise _fail(f"unsupported codebook format {suffix or '(none)'!r}; use .yaml or .xlsx",
                    spath, None)
    data = read_yaml(p, CodebookError)
    if data is None:
        data = {"codes": []}
    return _not_empty(codebook_from_dict(data, path=spath))


def _not_empty(codebook: Codebook) -> Codebook:
    """A codebook file without codes is a mistake (coding by it would remove every suggestion)."""
    if not codebook.codes:
        raise _fail("the codebook has no codes; add codes under 'codes:' (or the rows of sheet "
                    "Koodikirja)", str(codebook.path), None)
    return codebook


def _code_to_dict(code: Code) -> dict[str, Any]:
    out: dict[str, Any] = {"id": code.id}
    if code.name:
        out["name"] = code.name
    out["parent"] = code.parent
    if code.description:
        out["description"] = code.description
    out["origin"] = code.origin
    for key in ("keywords", "phrases", "patterns", "exclude"):
        if getattr(code, key):
            out[key] = list(getattr(code, key))
    if code.compound:
        out["compound"] = True
    for key in ("valence", "swot", "color"):
        if getattr(code, key):
            out[key] = getattr(code, key)
    if code.examples:
        out["examples"] = list(code.examples)
    return out


def save_codebook(codebook: Codebook, path: str | Path, lang: str = "fi") -> Path:
    """Write ``codebook`` as YAML or xlsx (by the suffix); ``lang`` picks xlsx headers.

    >>> import tempfile, pathlib
    >>> cb = codebook_from_dict({"codes": [{"id": "hinta", "keywords": ["hinta"]}]})
    >>> p = save_codebook(cb, pathlib.Path(tempfile.mkdtemp()) / "cb.xlsx")
    >>> load_codebook(p)["hinta"].keywords
    ['hinta']
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        _save_xlsx(codebook, p, lang)
    elif suffix in (".yaml", ".yml"):
        data: dict[str, Any] = {"language": codebook.language}
        if codebook.name:
            data["name"] = codebook.name
        data["codes"] = [_code_to_dict(c) for c in codebook.codes]
        p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                     encoding="utf-8")
    else:
        raise CodebookError(f"cannot save a codebook as {suffix or '(no suffix)'!r}; "
                            "use .yaml or .xlsx", path=str(path))
    return p


def _sheet_rows(codebook: Codebook, lang: str) -> list[list]:
    """The rows of the xlsx sheet, one per code, in :data:`SHEET_COLUMNS` order."""
    rows = []
    for c in codebook.codes:
        origin = label(f"codebook.origin_{c.origin}", lang) if c.origin in ORIGINS else c.origin
        values = {
            "id": c.id, "theme": codebook.root_of(c.id), "description": c.description or None,
            "origin": origin, "name": c.name or None, "parent": c.parent,
            "compound": label("codebook.yes" if c.compound else "codebook.no", lang),
            "valence": c.valence, "swot": c.swot, "color": c.color,
        }
        for key in _LIST_KEYS:
            values[key] = _join_cell(getattr(c, key), key) or None
        rows.append([values[k] for k, _ in SHEET_COLUMNS])
    return rows


def codebook_to_frame(codebook: Codebook):
    """One row per code: id, name, parent, theme (root id), level (0 = theme) and rules.

    List columns hold Python lists.
    """
    import pandas as pd

    rows = [{
        "id": c.id, "name": c.name, "parent": c.parent, "theme": codebook.root_of(c.id),
        "level": codebook.depth(c.id), "description": c.description, "origin": c.origin,
        "keywords": list(c.keywords), "phrases": list(c.phrases),
        "patterns": list(c.patterns), "exclude": list(c.exclude),
        "compound": c.compound, "valence": c.valence, "swot": c.swot,
    } for c in codebook.codes]
    columns = ["id", "name", "parent", "theme", "level", "description", "origin", "keywords",
               "phrases", "patterns", "exclude", "compound", "valence", "swot"]
    return pd.DataFrame(rows, columns=columns)


def codebook_hash(codebook: Codebook) -> str:
    """sha256 of what decides codings: language, ids, hierarchy and rules (not names,
    descriptions, examples or order), so a changed hash means "re-code".

    >>> a = codebook_from_dict({"codes": [{"id": "x", "keywords": ["hinta"], "name": "A"}]})
    >>> b = codebook_from_dict({"codes": [{"id": "x", "keywords": ["hinta"], "name": "B"}]})
    >>> codebook_hash(a) == codebook_hash(b)
    True
    """
    content = {
        "language": codebook.language,
        "codes": sorted(
            ([c.id, c.parent, c.keywords, c.phrases, c.patterns, c.exclude, c.compound,
              c.valence] for c in codebook.codes),
            key=lambda r: r[0]),
    }
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
