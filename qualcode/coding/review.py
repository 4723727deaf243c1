"""Excel review sheet round trip: export suggested codings, import the reviewer's decisions.

The sheet (``Tarkistus`` / ``Review``) has one row per segment::

    Segmentti | Lähde | Haastateltava | Teksti | Ehdotetut koodit | Hyväksytyt koodit |
    Hyväksy | Hylkää 1..3 | Lisää 1..3 | Valenssi | Kohde | Huomio |
    (hidden: key, text hash, suggested, accepted)
    | Pisteet (only when there are ranked suggestions, ``qualcode suggest``)

* The ranked suggestions (coder ``semantic``) are suggestions like the keyword coder's: a
  row lists them best score first, and ``Pisteet`` (Scores) gives each code's score (a
  keyword suggestion without one says so).  On import they are accepted, rejected or left
  open exactly like the others.

* ``Hyväksy`` (Accept) has a dropdown ``kaikki`` / ``ei mitään`` (all / none); the reviewer may
  also type code ids separated by commas (the dropdown does not block typed values).
* ``Hylkää 1..3`` (Reject) offer a dropdown of the codes on that row (suggested or accepted);
  ``Lisää 1..3`` (Add) a dropdown of every code on the ``Koodit`` sheet.  Excel list validation
  holds one value per cell, hence three columns each; a cell may still hold ``a, b``.
* ``Valenssi`` (a dropdown of the valences' names) and ``Kohde`` (whom the remark concerns, a
  person or role) give the row's accepted and added codes their own valence and target; on a
  row that only fills them they go to the codes accepted before (a ``value`` decision).
* Hidden columns keep the segment id, a short hash of the text as written, and the suggested
  and accepted code ids, so that an edited text or an edited suggestion list is detected on
  import.  The sheet is not write-protected: protection would stop sorting and resizing, and
  the hash catches edits anyway.

Meaning of a row on import (see :func:`read_review_sheet`): ``kaikki`` accepts every suggested
code; ``ei mitään`` rejects every suggested code; listed codes are accepted (a listed code that
was not suggested becomes an ``add``); rejected codes become ``reject``; added codes become
``add`` (an added code that was suggested is an ``accept``).  An empty row decides nothing.

>>> import pandas as pd, tempfile, pathlib
>>> from qualcode.model import Code, Codebook
>>> cb = Codebook(codes=[Code("talous", "Talous"), Code("hinta", "Hinta", parent="talous")])
>>> segs = pd.DataFrame({"segment_id": [1], "source": ["h1.txt"], "speaker": ["H1"],
...                      "text": ["Hinta oli liian korkea."]})
>>> cods = pd.DataFrame({"segment_id": [1], "code_id": ["hinta"], "status": ["suggested"],
...                      "coder": ["auto"]})
>>> p = write_review_sheet(pathlib.Path(tempfile.mkdtemp()) / "r.xlsx", segs, cods, cb)
>>> read_review_sheet(p, segs, cb).empty     # nothing decided yet
True
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import xml_safe
from ..labels import LANGS, label
from ..model import VALENCES, Codebook
from ..sheets import (MAX_CELL_CHARS, fill, freeze_header, header_cell, is_blank_row, read_sheet_table,
                      save_workbook, set_column_widths, write_text_cell)

#: Number of ``Hylkää n`` and ``Lisää n`` columns written.
N_REJECT = 3
N_ADD = 3
#: Columns of the frame returned by :func:`read_review_sheet`.
DECISION_COLUMNS = ["segment_id", "code_id", "decision", "note", "valence", "target"]

_SPLIT = re.compile(r"[,;\n]+")
_ACCEPT_VALIDATION_MAX = 255          # Excel's limit for a literal list in data validation
_MAX_REJECT_LISTS = 200               # distinct per-row reject dropdowns written

_WIDTHS = {"segment": 10, "source": 18, "informant": 14, "text": 80, "suggested": 22, "score": 22,
           "accepted": 20, "accept": 14, "reject": 14, "add": 14, "valence": 16, "target": 18, "note": 30,
           "key": 10, "hash": 12, "suggested_ids": 12, "accepted_ids": 12}
_HEADER_FILL = "DDDDDD"
_INPUT_FILL = "FFF2CC"


# ----------------------------------------------------------------------------- small helpers
def normalise_text(text: Any) -> str:
    """Text as compared on import: NFC, ``\\n`` line breaks, no surrounding whitespace.

    >>> normalise_text("  a\\r\\nb ")
    'a\\nb'
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFC", str(text))
    return s.replace("\r\n", "\n").replace("\r", "\n").strip()


def cell_text(text: Any) -> str:
    """The text as written into a cell: control characters removed, cut to the cell limit.

    >>> cell_text("a\\x00b")
    'ab'
    """
    if text is None or (isinstance(text, float) and text != text):
        text = ""
    s = xml_safe(text)
    return s if len(s) <= MAX_CELL_CHARS else s[: MAX_CELL_CHARS - 1] + "…"


def text_hash(text: Any) -> str:
    """Short hash of a segment text as written in the sheet (10 hex digits).

    >>> text_hash("Hinta oli korkea.") == text_hash("Hinta oli korkea.\\n")
    True
    """
    data = normalise_text(cell_text(text)).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:10]


def set_text(cell, value: Any) -> None:
    """Write ``value`` into an openpyxl ``cell`` as a literal string, never as a formula.

    >>> from openpyxl import Workbook
    >>> c = Workbook().active["A1"]; set_text(c, "=1+1"); (c.value, c.data_type)
    ('=1+1', 's')
    """
    write_text_cell(cell, cell_text(value))


def split_codes(value: Any) -> list[str]:
    """Code tokens typed into one cell (comma, semicolon or line separated).

    >>> split_codes("hinta, laatu;  ") , split_codes(None), split_codes(3.0)
    (['hinta', 'laatu'], [], ['3'])
    """
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [t.strip() for t in _SPLIT.split(str(value)) if t.strip()]


def _join(ids: Iterable[str]) -> str:
    return ", ".join(ids)


def _columns(lang: str, scored: bool = False) -> list[tuple[str, str]]:
    """(kind, header) of every column, in sheet order (``scored``: with the column of the
    ranked suggestions' scores)."""
    cols = [(k, label(f"review.{k}", lang)) for k in
            ("segment", "source", "informant", "text", "suggested", "accepted", "accept")]
    cols += [("reject", label("review.reject", lang, n=i)) for i in range(1, N_REJECT + 1)]
    cols += [("add", label("review.add", lang, n=i)) for i in range(1, N_ADD + 1)]
    cols += [(k, label(f"review.{k}", lang)) for k in
             ("valence", "target", "note", "key", "hash", "suggested_ids", "accepted_ids")]
    if scored:   # last, after the hidden columns (it shows beside the note): the others keep their letters
        cols.append(("score", label("review.score", lang)))
    return cols


def _code_order(codebook: Codebook) -> dict[str, int]:
    return {c.id: i for i, c in enumerate(codebook)}


def _sorted_codes(ids: Iterable[str], order: dict[str, int]) -> list[str]:
    return sorted(set(ids), key=lambda c: (order.get(c, len(order)), c))


def segment_code_sets(codings: pd.DataFrame, coder: str = "",
                      codebook: Optional[Codebook] = None
                      ) -> dict[int, tuple[list[str], list[str]]]:
    """Per segment: (suggested code ids still open, accepted/manual code ids).

    With ``coder`` only that coder's human decisions count, so that a second coder does not see
    the first coder's choices: another coder's accepted/rejected coding that came from a rule
    (``rule`` not empty) is shown as a plain suggestion.  A code this coder (or, without
    ``coder``, anybody) already accepted or rejected is no longer "suggested".

    >>> f = pd.DataFrame({"segment_id": [1, 1, 1], "code_id": ["a", "b", "b"],
    ...                   "status": ["suggested", "suggested", "accepted"],
    ...                   "coder": ["auto", "auto", "liisa"]})
    >>> segment_code_sets(f)
    {1: (['a'], ['b'])}
    """
    order = _code_order(codebook) if codebook is not None else {}
    if codings is None or len(codings) == 0:
        return {}
    rules = codings["rule"] if "rule" in codings.columns else [None] * len(codings)
    offered: dict[int, set] = {}
    accepted: dict[int, set] = {}
    rejected: dict[int, set] = {}
    for seg, code, status, who, rule in zip(codings["segment_id"], codings["code_id"],
                                            codings["status"], codings["coder"], rules):
        seg = int(seg)
        mine = not coder or who == coder
        if status == "suggested":
            offered.setdefault(seg, set()).add(code)
        elif status in ("accepted", "manual", "rejected") and mine:
            target = rejected if status == "rejected" else accepted
            target.setdefault(seg, set()).add(code)
        elif status in ("accepted", "rejected") and isinstance(rule, str) and rule:
            # another coder's decision on a rule suggestion: still open for this coder
            offered.setdefault(seg, set()).add(code)
    out: dict[int, tuple[list[str], list[str]]] = {}
    for seg in dict.fromkeys(list(offered) + list(accepted) + list(rejected)):
        acc = accepted.get(seg, set())
        sugg = offered.get(seg, set()) - acc - rejected.get(seg, set())
        out[seg] = (_sorted_codes(sugg, order), _sorted_codes(acc, order))
    return out


# ----------------------------------------------------------------------------- writing
#: Columns a reviewer fills in (shaded) and the hidden columns kept for the import check.
_INPUT_KINDS = {"accept", "reject", "add", "valence", "target", "note"}
_HIDDEN_KINDS = {"key", "hash", "suggested_ids", "accepted_ids"}
_WRAPPED_KINDS = ("text", "suggested", "score", "accepted", "target", "note")


def write_review_sheet(path: Union[str, Path], segments: pd.DataFrame, codings: pd.DataFrame,
                       codebook: Codebook, lang: str = "fi", coder: str = "") -> Path:
    """Write the review workbook to ``path`` (atomically: temp file, then moved into place).

    ``segments`` and ``codings`` are frames as in ``docs/architecture.md``; one row is written
    per segment, in the order given.  Returns the path written.

    >>> import pandas as pd, tempfile, pathlib, openpyxl
    >>> from qualcode.model import Code, Codebook
    >>> segs = pd.DataFrame({"segment_id": [7], "source": ["a.txt"], "speaker": [None],
    ...                      "text": ["=SUM(A1)"]})
    >>> p = write_review_sheet(pathlib.Path(tempfile.mkdtemp()) / "r.xlsx", segs,
    ...                        pd.DataFrame(columns=["segment_id", "code_id", "status", "coder"]),
    ...                        Codebook(codes=[Code("a")]), lang="en")
    >>> ws = openpyxl.load_workbook(p)["Review"]
    >>> (ws["D1"].value, ws["D2"].value, ws["D2"].data_type)
    ('Text', '=SUM(A1)', 's')
    """
    from openpyxl import Workbook

    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    scores = suggestion_scores(codings)
    cols = _columns(lang, scored=bool(scores))
    col_of: dict[str, list[int]] = {}
    for i, (kind, _) in enumerate(cols, start=1):
        col_of.setdefault(kind, []).append(i)

    wb = Workbook()
    ws = wb.active
    ws.title = label("review.sheet", lang)
    _write_review_header(ws, cols)
    sets = _by_score(segment_code_sets(codings, coder, codebook), scores)
    reject_lists = _write_review_rows(ws, segments, sets, cols, lang)
    codes_sheet = label("review.sheet_codes", lang)
    if ws.max_row >= 2:
        _add_review_dropdowns(ws, col_of, reject_lists, codebook, lang, codes_sheet)
    freeze_header(ws, 1, col_of["note"][0], max(ws.max_row, 1))

    _write_codes_sheet(wb.create_sheet(codes_sheet), codebook, lang)    # the dropdowns name this sheet
    help_ws = wb.create_sheet(label("review.sheet_help", lang))
    for r, line in enumerate(label("review.help", lang).split("\n"), start=1):
        set_text(help_ws.cell(row=r, column=1), line)
    help_ws.column_dimensions["A"].width = 120
    wb.properties.creator = "qualcode"
    if coder:
        wb.properties.lastModifiedBy = coder
    return save_workbook(wb, path, make_parents=True)


def _write_review_header(ws, cols: list[tuple[str, str]]) -> None:
    """Row 1: the headers (input columns shaded), column widths, hidden check columns."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    wrap_top = Alignment(wrap_text=True, vertical="top")
    for i, (kind, head) in enumerate(cols, start=1):
        colour = _INPUT_FILL if kind in _INPUT_KINDS else _HEADER_FILL
        header_cell(ws.cell(row=1, column=i), head, colour, alignment=wrap_top)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS[kind]
        ws.column_dimensions[letter].hidden = kind in _HIDDEN_KINDS


def suggestion_scores(codings: pd.DataFrame) -> dict[int, dict[str, float]]:
    """segment id → code → the best score of a ranked suggestion still open there (from the
    ``score`` column the project layer adds; none without it).

    >>> f = pd.DataFrame({"segment_id": [1, 1], "code_id": ["a", "b"], "status": ["suggested"] * 2,
    ...                   "score": [2.5, float("nan")]})
    >>> suggestion_scores(f)
    {1: {'a': 2.5}}
    """
    if codings is None or "score" not in codings.columns or codings.empty:
        return {}
    ranked = codings[(codings["status"] == "suggested") & codings["score"].notna()]
    out: dict[int, dict[str, float]] = {}
    for seg, code, score in zip(ranked["segment_id"], ranked["code_id"], ranked["score"]):
        mine = out.setdefault(int(seg), {})
        mine[code] = max(float(score), mine.get(code, float("-inf")))
    return out


def _by_score(sets: dict, scores: dict[int, dict[str, float]]) -> dict:
    """Each segment's suggested codes best score first (codes without a score keep their
    codebook order after them), with the scores: seg → (suggested, accepted, scores)."""
    out = {}
    for seg, (suggested, accepted) in sets.items():
        mine = {c: v for c, v in scores.get(seg, {}).items() if c in suggested}
        ranked = sorted(mine, key=lambda c: -mine[c]) + [c for c in suggested if c not in mine]
        out[seg] = (ranked, accepted, mine)
    return out


def _score_text(suggested: list[str], scores: dict[str, float], lang: str) -> str:
    """``code 2.31`` per ranked suggestion and ``code (keyword)`` for the keyword coder's."""
    keyword = label("review.score_keyword", lang)
    return "\n".join(f"{c} {scores[c]:.2f}" if c in scores else f"{c} ({keyword})" for c in suggested) \
        if scores else ""


def _write_review_rows(ws, segments: pd.DataFrame, sets: dict, cols: list[tuple[str, str]], lang: str = "fi"
                       ) -> dict[str, list[int]]:
    """One row per segment from row 2; returns the rows of each distinct reject dropdown list
    (``'"a,b"'`` → rows), for the codes a row offers to reject."""
    from openpyxl.styles import Alignment

    wrap_top, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    input_fill = fill(_INPUT_FILL)
    reject_lists: dict[str, list[int]] = {}
    for r, seg in enumerate(segments.itertuples(index=False), start=2):
        seg_id = int(seg.segment_id)
        suggested, accepted, scores = sets.get(seg_id, ([], [], {}))
        values = _row_values(seg, seg_id, suggested, accepted)
        values["score"] = _score_text(suggested, scores, lang)
        for i, (kind, _) in enumerate(cols, start=1):
            cell = ws.cell(row=r, column=i)
            v = values.get(kind)
            if isinstance(v, int):
                cell.value = v
            elif v:
                set_text(cell, v)
            cell.alignment = wrap_top if kind in _WRAPPED_KINDS else top
            if kind in _INPUT_KINDS:
                cell.fill = input_fill
        options = suggested + [c for c in accepted if c not in suggested]
        formula = '"' + ",".join(options) + '"'
        if options and len(formula) <= _ACCEPT_VALIDATION_MAX and not any(
                ("," in o or '"' in o) for o in options):
            reject_lists.setdefault(formula, []).append(r)
    return reject_lists


def _row_values(seg, seg_id: int, suggested: list[str], accepted: list[str]) -> dict[str, Any]:
    """kind → the value written in that column of a segment's row."""
    text = getattr(seg, "text", "")
    return {
        "segment": seg_id,
        "source": cell_text(getattr(seg, "source", "")),
        "informant": cell_text(getattr(seg, "speaker", None)),
        "text": text,
        "suggested": _join(suggested),
        "accepted": _join(accepted),
        "key": seg_id,
        "hash": text_hash(text),
        "suggested_ids": _join(suggested),
        "accepted_ids": _join(accepted),
    }


def _add_review_dropdowns(ws, col_of: dict[str, list[int]], reject_lists: dict[str, list[int]],
                          codebook: Codebook, lang: str, codes_sheet: str) -> None:
    """The dropdowns: all/none in the accept column, each row's own codes in the reject
    columns, every code of the codes sheet in the add columns."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import MultiCellRange
    from openpyxl.worksheet.datavalidation import DataValidation

    last = ws.max_row

    def ranges(kind: str, rows: Optional[list[int]] = None) -> MultiCellRange:
        out = []
        for c in col_of[kind]:
            letter = get_column_letter(c)
            if rows is None:
                out.append(f"{letter}2:{letter}{last}")
            else:
                out.extend(f"{letter}{a}:{letter}{b}" for a, b in _runs(rows))
        return MultiCellRange(" ".join(out))

    accept_dv = DataValidation(
        type="list",
        formula1='"{},{}"'.format(label("review.all", lang), label("review.none", lang)),
        allow_blank=True, showErrorMessage=False, showInputMessage=True,
        promptTitle=label("review.accept", lang), prompt=label("review.accept_prompt", lang))
    accept_dv.sqref = ranges("accept")
    ws.add_data_validation(accept_dv)
    all_codes = f"'{codes_sheet}'!$A$2:$A${len(codebook) + 1}"
    for formula, rows in _reject_lists(reject_lists, all_codes if len(codebook) else None).items():
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
        dv.sqref = ranges("reject", rows)
        ws.add_data_validation(dv)
    if len(codebook):
        add_dv = DataValidation(
            type="list", formula1=all_codes, allow_blank=True, showErrorMessage=False, showInputMessage=True,
            promptTitle=label("review.add", lang, n="").strip(), prompt=label("review.code_prompt", lang))
        add_dv.sqref = ranges("add")
        ws.add_data_validation(add_dv)
    # the coding's own valence: one of the valences' names in the sheet's language
    valence_dv = DataValidation(
        type="list", formula1='"' + ",".join(label(f"analysis.valence.{v}", lang) for v in VALENCES) + '"',
        allow_blank=True, showErrorMessage=False, showInputMessage=True,
        promptTitle=label("review.valence", lang), prompt=label("review.valence_prompt", lang))
    valence_dv.sqref = ranges("valence")
    ws.add_data_validation(valence_dv)


def _reject_lists(reject_lists: dict[str, list[int]], all_codes: Optional[str]) -> dict[str, list[int]]:
    """One dropdown per distinct code list; beyond ``_MAX_REJECT_LISTS`` lists the rarest ones
    fall back to the whole code list (``all_codes``), to keep the file small.

    >>> _reject_lists({'"a"': [2, 3], '"b"': [4]}, "'Koodit'!$A$2:$A$3")
    {'"a"': [2, 3], '"b"': [4]}
    """
    common = sorted(reject_lists.items(), key=lambda kv: -len(kv[1]))
    fallback = [r for _, rows in common[_MAX_REJECT_LISTS:] for r in rows]
    keep = dict(common[:_MAX_REJECT_LISTS])
    if fallback and all_codes:
        keep[all_codes] = sorted(fallback)
    return keep


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs.

    >>> _runs([2, 3, 4, 7, 9, 10])
    [(2, 4), (7, 7), (9, 10)]
    """
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def _write_codes_sheet(ws, codebook: Codebook, lang: str) -> None:
    from openpyxl.styles import Alignment

    heads = [label(f"review.code_{k}", lang) for k in ("id", "name", "theme", "description")]
    for i, h in enumerate(heads, start=1):
        header_cell(ws.cell(row=1, column=i), h, _HEADER_FILL)
    for r, code in enumerate(codebook, start=2):
        root = codebook.get(codebook.root_of(code.id))
        theme = (root.name or root.id) if root is not None else ""
        for i, v in enumerate((code.id, code.name, theme, code.description), start=1):
            cell = ws.cell(row=r, column=i)
            if v:
                set_text(cell, v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    set_column_widths(ws, (18, 30, 24, 60))
    freeze_header(ws, 1, 4, max(ws.max_row, 1))


# ----------------------------------------------------------------------------- reading
_REQUIRED = ("segment", "text", "accept", "key", "hash", "suggested_ids", "accepted_ids")


def _header_kinds(lang: str) -> dict[str, str]:
    """Exact header text -> kind for the fixed columns of ``lang``."""
    return {label(f"review.{k}", lang): k for k in
            ("segment", "source", "informant", "text", "suggested", "accepted", "accept",
             "valence", "target", "note", "key", "hash", "suggested_ids", "accepted_ids")}


def _numbered_pattern(key: str, lang: str) -> re.Pattern:
    stem = label(key, lang, n="\x00").split("\x00")
    return re.compile("^" + re.escape(stem[0].strip()) + r"\s*(\d+)\s*$")


def map_headers(headers: list[Any], lang: str) -> dict[str, list[tuple[int, str]]]:
    """kind -> [(0-based column, header)] for the header row of a review sheet in ``lang``.

    >>> m = map_headers(["Segmentti", "Teksti", "Lisää 1", "Lisää 4"], "fi")
    >>> m["add"], m["text"]
    ([(2, 'Lisää 1'), (3, 'Lisää 4')], [(1, 'Teksti')])
    """
    fixed = _header_kinds(lang)
    rej, add = _numbered_pattern("review.reject", lang), _numbered_pattern("review.add", lang)
    out: dict[str, list[tuple[int, str]]] = {}
    for i, h in enumerate(headers):
        if h is None:
            continue
        h = str(h).strip()
        kind = fixed.get(h)
        if kind is None and rej.match(h):
            kind = "reject"
        elif kind is None and add.match(h):
            kind = "add"
        if kind is not None:
            out.setdefault(kind, []).append((i, h))
    return out


def detect_language(headers: list[Any]) -> Optional[str]:
    """The language whose review headers the header row holds best (None if no header fits).

    >>> detect_language(["Segment", "Source", "Text", "Accept"]), detect_language(["x"])
    ('en', None)
    """
    scores = {lg: len(map_headers(headers, lg)) for lg in LANGS}
    best = max(LANGS, key=lambda lg: scores[lg])
    return best if scores[best] else None


def _int_or_none(v: Any) -> Optional[int]:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, (int,)):
        return int(v)
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    s = str(v).strip()
    return int(s) if re.fullmatch(r"\d+", s) else None


class _CodeResolver:
    """Maps what a reviewer typed to a code id: exact id, then case-insensitive id or name."""

    def __init__(self, codebook: Codebook):
        self.ids = {c.id for c in codebook}
        self.by_lower: dict[str, Optional[str]] = {}
        for c in codebook:
            for key in {c.id.lower(), (c.name or "").strip().lower()} - {""}:
                prev = self.by_lower.get(key, c.id)
                self.by_lower[key] = c.id if prev == c.id else None   # None = ambiguous

    def __call__(self, token: str) -> Optional[str]:
        if token in self.ids:
            return token
        return self.by_lower.get(token.lower())


def read_review_sheet(path: Union[str, Path], segments: pd.DataFrame, codebook: Codebook,
                      lang: Optional[str] = None) -> pd.DataFrame:
    """Read a filled-in review sheet into decisions: ``segment_id, code_id, decision, note,
    valence, target`` (the row's own valence and target for its accepts and adds, or a
    ``value`` decision: new values for a code accepted before).

    ``decision`` is ``accept`` (a suggested code applies), ``reject`` (a suggested or accepted
    code does not apply), ``add`` (a code not suggested applies) or ``note`` (the row has only a
    note; ``code_id`` is None).  A row's note is repeated on each of its decisions.  Rows are in
    sheet order; within a row accepts, adds, then rejects.

    The whole sheet is validated first.  If any row is wrong (unknown code, segment not in
    ``segments``, text edited in the sheet or changed in the project, suggestion list edited,
    a code both accepted and rejected) one :class:`QualcodeError` lists every bad row with its
    sheet row number; nothing is returned.  A sheet without the review headers is an error too.
    ``lang`` is detected from the headers when not given.

    >>> import pandas as pd, tempfile, pathlib, openpyxl
    >>> from qualcode.model import Code, Codebook
    >>> cb = Codebook(codes=[Code("hinta"), Code("laatu")])
    >>> segs = pd.DataFrame({"segment_id": [1], "source": ["a.txt"], "speaker": ["H1"],
    ...                      "text": ["Kallista mutta hyvää."]})
    >>> cods = pd.DataFrame({"segment_id": [1], "code_id": ["hinta"], "status": ["suggested"],
    ...                      "coder": ["auto"]})
    >>> p = write_review_sheet(pathlib.Path(tempfile.mkdtemp()) / "r.xlsx", segs, cods, cb)
    >>> wb = openpyxl.load_workbook(p); ws = wb["Tarkistus"]
    >>> ws["G2"] = "kaikki"; ws["K2"] = "laatu"; wb.save(p)
    >>> read_review_sheet(p, segs, cb)[["segment_id", "code_id", "decision"]].values.tolist()
    [[1, 'hinta', 'accept'], [1, 'laatu', 'add']]
    """
    path = Path(path)
    where = str(path)
    title, rows, strays = read_sheet_table(path, "the review sheet written by `qualcode review export`",
                                           [label("review.sheet", lg) for lg in ([lang] if lang else LANGS)])
    lang, cols = _review_columns(list(rows[0]) if rows else [], lang, title, where)
    reader = _ReviewRows(cols, lang, segments, codebook)
    records: list[dict[str, Any]] = []
    problems: list[tuple[int, str]] = []
    unknown_segments = seen_rows = 0
    first_row: dict[int, tuple[int, list]] = {}     # segment id -> (sheet row, its decisions)
    for r, row in enumerate(rows[1:], start=2):
        if is_blank_row(row):
            continue
        seen_rows += 1
        decided, errs, unknown = reader.decisions(row)
        unknown_segments += unknown
        problems.extend((r, e) for e in errs)
        if decided and _duplicate_row(decided, r, first_row, problems):
            continue
        records.extend(decided)
    _check_other_sheets(path, title, lang, problems)
    _report_stray_cells(strays, lang, problems)
    if problems:
        _raise_row_problems(problems, title, where, unknown_segments, seen_rows)
    return pd.DataFrame({
        c: pd.Series([rec[c] for rec in records], dtype="int64" if c == "segment_id" else object)
        for c in DECISION_COLUMNS}, columns=DECISION_COLUMNS)


def _duplicate_row(decided: list[dict], r: int, first_row: dict, problems: list) -> bool:
    """True when the segment of ``decided`` is on an earlier row too: the same decisions are
    skipped, different ones are a problem naming both rows (never last-wins)."""
    seg_id = decided[0]["segment_id"]
    mine = sorted((d["code_id"] or "", d["decision"], d["note"], d["valence"] or "", d["target"] or "")
                  for d in decided)
    if seg_id not in first_row:
        first_row[seg_id] = (r, mine)
        return False
    earlier, theirs = first_row[seg_id]
    if theirs != mine:
        problems.append((r, f"segment {seg_id} is also on row {earlier} with other decisions; "
                            "keep one of the two rows"))
    return True


def _report_stray_cells(strays: list[tuple[int, str]], lang: str, problems: list) -> None:
    """A cell typed to the right of the review columns is not silently left out (data safety)."""
    for r, coordinate in strays:
        problems.append((r, f"cell {coordinate} is to the right of the review columns, where it is not read; "
                            f"move what it says into the '{label('review.note', lang)}' column or delete it"))


def _check_other_sheets(path: Path, title: str, lang: str, problems: list) -> None:
    """Decisions typed into a copy of the review sheet or another sheet are not silently left
    out: any other sheet with the review headers and a filled decision cell is a problem."""
    from ..sheets import other_sheets_rows

    skip = {title} | {label(k, lg) for k in ("review.sheet_codes", "review.sheet_help") for lg in LANGS}
    for other, rows in other_sheets_rows(path, "the review sheet", skip).items():
        cols = map_headers(list(rows[0]) if rows else [], lang)
        decision_cols = [i for kind in ("accept", "add", "reject", "note") for i, _ in cols.get(kind, [])]
        filled = [r for r, row in enumerate(rows[1:], start=2)
                  if any(i < len(row) and row[i] not in (None, "") for i in decision_cols)]
        if filled:
            problems.append((filled[0], f"sheet '{other}' also holds decisions ({len(filled)} rows); "
                                        f"move them onto sheet '{title}' or delete that sheet"))


def _review_columns(headers: list[Any], lang: Optional[str], title: str, where: str
                    ) -> tuple[str, dict[str, list[tuple[int, str]]]]:
    """(language, kind → columns) of a review sheet's header row (the language detected when
    not given); an error naming the missing headers when it is not a review sheet."""
    if lang is None:
        lang = detect_language(headers) or "fi"
    elif lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    cols = map_headers(headers, lang)
    missing = [label(f"review.{k}", lang) for k in _REQUIRED if k not in cols]
    if missing:
        raise QualcodeError(
            f"sheet '{title}' is not a qualcode review sheet: header row 1 lacks "
            f"{', '.join(repr(m) for m in missing)}; export a sheet with `qualcode review export` "
            "and fill in that one", path=where, line=1)
    return lang, cols


def _raise_row_problems(problems: list[tuple[int, str]], title: str, where: str, unknown_segments: int,
                        seen_rows: int) -> None:
    """One error listing every bad row (or saying the sheet is from another project)."""
    rows_bad = sorted({r for r, _ in problems})
    if unknown_segments and unknown_segments == seen_rows:
        raise QualcodeError(
            f"none of the {seen_rows} segments in sheet '{title}' belong to this project; "
            "import the sheet into the project it was exported from, nothing was imported",
            path=where)
    lines = "\n".join(f"  row {r}: {msg}" for r, msg in problems)
    raise QualcodeError(
        f"{len(rows_bad)} row{'s' if len(rows_bad) != 1 else ''} of sheet '{title}' "
        f"need{'s' if len(rows_bad) == 1 else ''} fixing before import (nothing was "
        f"imported); fix them and import again:\n{lines}", path=where)


class _ReviewRows:
    """Turns the rows of one review sheet into decisions, checking each against the project's
    segment texts and the codebook."""

    def __init__(self, cols: dict[str, list[tuple[int, str]]], lang: str, segments: pd.DataFrame,
                 codebook: Codebook):
        self.cols, self.lang, self.codebook = cols, lang, codebook
        self.seg_text = {int(s): t for s, t in zip(segments["segment_id"], segments["text"])}
        self.resolve = _CodeResolver(codebook)
        self.all_words = {label("review.all", lg).lower() for lg in LANGS}
        self.none_words = {label("review.none", lg).lower() for lg in LANGS}
        self.codes_sheet = label("review.sheet_codes", lang)
        self.valences = {v: v for v in VALENCES}
        self.valences.update({label(f"analysis.valence.{v}", lg).lower(): v for v in VALENCES for lg in LANGS})

    def get(self, row: tuple, kind: str) -> Any:
        spec = self.cols.get(kind)
        if not spec:
            return None
        i = spec[0][0]
        return row[i] if i < len(row) else None

    def decisions(self, row: tuple) -> tuple[list[dict], list[str], int]:
        """(decision records, errors, 1 when the segment is not in the project else 0) of a row;
        a row with errors decides nothing."""
        lang = self.lang
        seg_id = _int_or_none(self.get(row, "key"))
        if seg_id is None:
            return [], [f"the hidden column '{label('review.key', lang)}' has no segment "
                        "id; copy rows only from a sheet written by qualcode, or delete this row"], 0
        if seg_id not in self.seg_text:
            return [], [f"segment {seg_id} is not in this project; delete the row or "
                        "export a new sheet from this project"], 1
        errs = self._edit_errors(row, seg_id)
        suggested = split_codes(self.get(row, "suggested_ids"))
        accepted = split_codes(self.get(row, "accepted_ids"))
        positive, none_flag = self._accepted(row, suggested, errs)
        added = self._codes_in(row, "add", errs)
        rejected = self._codes_in(row, "reject", errs)
        if none_flag:
            rejected = suggested + rejected
        for code in [c for c in dict.fromkeys(positive + added) if c in set(rejected)]:
            errs.append(f"code '{code}' is both accepted and rejected; keep it in only one "
                        "of the columns")
        valence, target = self._values(row, errs)
        if (valence or target) and not (positive or added or [c for c in accepted if c not in rejected]):
            errs.append(f"the '{label('review.valence', lang)}' or '{label('review.target', lang)}' column is "
                        "filled but the row accepts no code; accept or add the codes they are for")
        if errs:
            return [], errs, 0
        note_v = self.get(row, "note")
        note = "" if note_v is None else str(note_v).strip()
        decided = _row_decisions(positive + added, rejected, suggested, accepted, note)
        if (valence or target) and not any(d in ("accept", "add") for _, d in decided):
            # only new values for codes accepted earlier
            decided = [(c, "value") for c in accepted if c not in rejected] + decided
        return [{"segment_id": seg_id, "code_id": c, "decision": d, "note": note,
                 "valence": valence if d in ("accept", "add", "value") else None,
                 "target": target if d in ("accept", "add", "value") else None}
                for c, d in decided], [], 0

    def _values(self, row: tuple, errs: list[str]) -> tuple[Optional[str], Optional[str]]:
        """The row's valence (a valence's name in either language, or its id) and target."""
        raw = self.get(row, "valence")
        valence = None
        if raw is not None and str(raw).strip():
            valence = self.valences.get(str(raw).strip().lower())
            if valence is None:
                names = ", ".join(label(f"analysis.valence.{v}", self.lang) for v in VALENCES)
                errs.append(f"unknown valence '{raw}' in column '{label('review.valence', self.lang)}'; "
                            f"pick one of {names}")
        raw = self.get(row, "target")
        target = " ".join(str(raw).split()) if raw is not None else ""
        return valence, target or None

    def _edit_errors(self, row: tuple, seg_id: int) -> list[str]:
        """The text cell edited, the segment changed in the project, the suggestions edited."""
        lang, errs = self.lang, []
        in_sheet = normalise_text(self.get(row, "text"))
        stored = self.get(row, "hash")
        stored_hash = "" if stored is None else str(stored).strip()
        if text_hash(in_sheet) != stored_hash:
            errs.append(f"the '{label('review.text', lang)}' cell was edited; restore the "
                        "original text (write comments in the note column)")
        elif text_hash(self.seg_text[seg_id]) != stored_hash:
            errs.append(f"the text of segment {seg_id} has changed in the project since the "
                        "sheet was written; export a new review sheet")
        suggested = split_codes(self.get(row, "suggested_ids"))
        if "suggested" in self.cols and set(split_codes(self.get(row, "suggested"))) != set(suggested):
            errs.append(f"the '{label('review.suggested', lang)}' cell was edited; restore it and "
                        f"use the '{label('review.reject', lang, n=1)}' columns to reject a code")
        return errs

    def _accepted(self, row: tuple, suggested: list[str], errs: list[str]) -> tuple[list[str], bool]:
        """(codes the accept column accepts, whether it says none) — all/none words or code ids."""
        lang = self.lang
        positive: list[str] = []
        all_flag = none_flag = False
        accept_head = label("review.accept", lang)
        for tok in split_codes(self.get(row, "accept")):
            low = tok.lower()
            if low in self.all_words:
                all_flag = True
            elif low in self.none_words:
                none_flag = True
            elif self.resolve(tok) is not None:
                positive.append(self.resolve(tok))
            else:
                errs.append(f"unknown code '{tok}' in column '{accept_head}'; write "
                            f"{label('review.all', lang)}, {label('review.none', lang)} or "
                            f"code ids from the '{self.codes_sheet}' sheet")
        if none_flag and (all_flag or positive):
            errs.append(f"column '{accept_head}' says '{label('review.none', lang)}' and also "
                        "accepts codes; keep only one of them")
            none_flag = False
        if all_flag:
            for code in suggested:
                if code not in self.codebook:
                    errs.append(f"suggested code '{code}' is no longer in the codebook; list the "
                                f"codes to accept instead of '{label('review.all', lang)}'")
            positive = suggested + positive
        return positive, none_flag

    def _codes_in(self, row: tuple, kind: str, errs: list[str]) -> list[str]:
        """The codes typed or picked in the ``kind`` columns (reject, add)."""
        out = []
        for i, head in self.cols.get(kind, []):
            for tok in split_codes(row[i] if i < len(row) else None):
                code = self.resolve(tok)
                if code is None:
                    errs.append(f"unknown code '{tok}' in column '{head}'; pick a code "
                                f"from the '{self.codes_sheet}' sheet")
                else:
                    out.append(code)
        return out


def _row_decisions(positive: list[str], rejected: list[str], suggested: list[str], accepted: list[str],
                   note: str) -> list[tuple[Optional[str], str]]:
    """(code, decision) of a valid row: accepts and adds (codes already accepted skipped), then
    rejects; a row with only a note is a ``note``.

    >>> _row_decisions(["a", "b", "c"], ["d"], ["a", "d"], ["c"], "")
    [('a', 'accept'), ('b', 'add'), ('d', 'reject')]
    """
    decided: list[tuple[Optional[str], str]] = []
    for code in dict.fromkeys(positive):
        if code in accepted:
            continue                     # already accepted: nothing to do
        decided.append((code, "accept" if code in suggested else "add"))
    decided.extend((code, "reject") for code in dict.fromkeys(rejected))
    if not decided and note:
        decided.append((None, "note"))
    return decided
