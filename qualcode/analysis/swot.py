"""SWOT (nelikenttä): codings aggregated into strengths, weaknesses, opportunities and
threats by the ``swot`` attribute of their code (inherited from the nearest ancestor
that sets it; a ``swot`` column on the codings, when present and set, wins: a coding's
own quadrant beats the codebook's).  The researcher's conclusions and action list come
from a project file (``swot.yaml``, checked by :func:`parse_swot_plan`).

>>> import pandas as pd
>>> from qualcode.model import Code, Codebook
>>> cb = Codebook(codes=[Code("tek", "Teknologinen edelläkävijyys", swot="S"),
...                      Code("kil", "Kilpailijat väliin", swot="T")])
>>> c = pd.DataFrame({"segment_id": [1, 2, 3], "code_id": ["tek", "tek", "kil"],
...                   "status": "accepted", "speaker": ["H1", "H2", "H1"],
...                   "quote": ["Olette edelläkävijöitä.", "Tekniikka on huippua.", "Muut tulevat väliin."]})
>>> r = swot(c, cb)
>>> r.to_frame()[["quadrant", "code_id", "segments", "informants"]].values.tolist()
[['S', 'tek', 2, 2], ['T', 'kil', 1, 1]]
>>> r.grid().loc["internal", "helpful"].splitlines()[0]
'Vahvuudet'
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable, Optional

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..labels import label
from ..model import SWOT_FIELDS, Codebook
from ..yamlutil import line_of
from .quotes import centre_column, sentence_excerpt
from .themes import code_frame, code_name, natural_key, prepare_codings

FRAME_COLUMNS = ["quadrant", "code_id", "name", "segments", "informants", "quotes"]
EVIDENCE_COLUMNS = ["quadrant", "code_id", "speaker", "segment_id", "quote"]
#: (row, column) of each quadrant in the 2×2 grid.
GRID = {"S": ("internal", "helpful"), "W": ("internal", "harmful"),
        "O": ("external", "helpful"), "T": ("external", "harmful")}


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_quote(quote: str, speaker: Optional[str], limit: int = 240) -> str:
    """A quote as shown in reports: ``"text" (H1)``; without a speaker just ``"text"``."""
    q = f"\u201d{_short(quote, limit)}\u201d"
    return f"{q} ({speaker})" if speaker else q


@dataclass
class SwotResult:
    """The four quadrants with their codes and evidence.

    ``items`` has columns quadrant, code_id, name, segments, informants and
    ``quote_list`` (formatted quotes); ``evidence`` one row per coded segment.
    """

    items: pd.DataFrame
    evidence: pd.DataFrame
    lang: str = "fi"

    def to_frame(self) -> pd.DataFrame:
        """Columns quadrant (S/W/O/T), code_id, name, segments, informants, quotes
        (the evidence quotes joined by line breaks)."""
        out = self.items.copy()
        out["quotes"] = [("\n".join(q)) for q in out["quote_list"]]
        return out[FRAME_COLUMNS].reset_index(drop=True)

    def quadrant(self, q: str) -> pd.DataFrame:
        """The rows of one quadrant (``S``, ``W``, ``O`` or ``T``)."""
        f = self.to_frame()
        return f[f["quadrant"] == q].reset_index(drop=True)

    def title(self, q: str) -> str:
        return label(f"analysis.swot.{q}", self.lang)

    def grid(self, counts: bool = True) -> pd.DataFrame:
        """The 2×2 grid: rows ``internal`` / ``external``, columns ``helpful`` /
        ``harmful``; each cell the quadrant title and one line per code
        (``- name (segments)``)."""
        cells: dict[tuple[str, str], str] = {}
        for q in SWOT_FIELDS:
            lines = [self.title(q)]
            for _, r in self.items[self.items["quadrant"] == q].iterrows():
                lines.append(f"- {r['name']} ({r['segments']})" if counts else f"- {r['name']}")
            cells[GRID[q]] = "\n".join(lines)
        return pd.DataFrame([[cells[("internal", "helpful")], cells[("internal", "harmful")]],
                             [cells[("external", "helpful")], cells[("external", "harmful")]]],
                            index=["internal", "external"], columns=["helpful", "harmful"])

    def __repr__(self) -> str:
        n = {q: int((self.items["quadrant"] == q).sum()) for q in SWOT_FIELDS}
        return "SwotResult(" + ", ".join(f"{q}={n[q]}" for q in SWOT_FIELDS) + ")"

    def _repr_html_(self) -> str:
        def cell(q: str) -> str:
            rows = self.items[self.items["quadrant"] == q]
            lis = "".join(
                f"<li>{html.escape(str(r['name']))} ({r['segments']})"
                + ("<br><small>" + "<br>".join(html.escape(x) for x in r["quote_list"][:1]) + "</small>"
                   if r["quote_list"] else "") + "</li>"
                for _, r in rows.iterrows())
            return (f"<td style='vertical-align:top;border:1px solid #999;padding:6px;width:50%'>"
                    f"<b>{html.escape(self.title(q))}</b><ul>{lis}</ul></td>")
        caption = html.escape(label("analysis.swot.title", self.lang))
        return (f"<table style='border-collapse:collapse'><caption>{caption}</caption>"
                f"<tr>{cell('S')}{cell('W')}</tr><tr>{cell('O')}{cell('T')}</tr></table>")


def _evidence_quotes(recs: list, limit: int, used: set) -> list:
    """Up to ``limit`` codings to quote for one SWOT item: those closest to the item's centre
    first (``_centre``), one per informant before a second, quotes without an informant code
    and segments quoted for an earlier item only when nothing else is left; in informant order.  ``used`` collects the segments."""
    ranked = sorted(recs, key=lambda r: (r["segment_id"] in used, r["speaker"] is None, -r.get("_centre", 0.0)))
    picked, seen = [], set()
    for r in ranked:                      # one per informant first …
        if r["speaker"] not in seen and len(picked) < limit:
            picked.append(r)
            seen.add(r["speaker"])
    for r in ranked:                      # … then fill up
        if len(picked) >= limit:
            break
        if r not in picked:
            picked.append(r)
    used.update(r["segment_id"] for r in picked)
    return sorted(picked, key=lambda r: (natural_key(r["speaker"]), r["segment_id"]))


def swot(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
         segments: Optional[pd.DataFrame] = None, informants: Optional[pd.DataFrame] = None,
         max_quotes: int = 3, include_suggested: bool = False, lang: str = "fi",
         lemmatize: Optional[Callable[[str], str]] = None) -> SwotResult:
    """Aggregate codings into the SWOT quadrants.  Per quadrant (S, W, O, T) the codes
    with coded segments and informants, most segments first (ties: codebook order),
    each with up to ``max_quotes`` evidence quotes ending in the informant code: those
    closest to the item's centre (TF-IDF over the content-word lemmas, ``lemmatize``),
    one per informant first, a segment already quoted for another item only when nothing
    else is left, in whole sentences.  Codes without a SWOT field are left out.  When ``informants`` is
    given, only its codes count as informants.

    >>> import pandas as pd
    >>> from qualcode.model import Code, Codebook
    >>> r = swot(pd.DataFrame(columns=["code_id", "status"]), Codebook(codes=[Code("a", swot="S")]))
    >>> r.to_frame().empty, list(r.grid().columns)
    (True, ['helpful', 'harmful'])
    """
    cods = prepare_codings(codings, segments, include_suggested)
    frame = code_frame(codebook)
    by_code = dict(zip(frame["id"], frame["swot"]))
    own = cods["swot"] if "swot" in cods.columns else pd.Series([None] * len(cods), index=cods.index)
    cods["quadrant"] = [str(o).upper() if not is_missing(o) and str(o).upper() in SWOT_FIELDS
                        else (by_code.get(c) if by_code.get(c) in SWOT_FIELDS else None)
                        for o, c in zip(own, cods["code_id"])]
    cods = cods[cods["quadrant"].notna()].drop_duplicates(["segment_id", "code_id"])
    words = codebook.language if codebook is not None and codebook.language else lang
    cods = cods.assign(_centre=centre_column(cods.assign(_k=list(zip(cods["quadrant"], cods["code_id"]))),
                                             lemmatize, words, group="_k"))
    valid = None
    if informants is not None and len(informants) and "code" in informants.columns:
        valid = {str(c) for c in informants["code"] if not is_missing(c)}
    pos = {c.id: i for i, c in enumerate(codebook.codes)} if codebook is not None else {}
    big = 10 ** 9
    grouped: dict = {q: {} for q in SWOT_FIELDS}     # quadrant → code → its codings, in order
    for r in cods.to_dict("records"):
        grouped[r["quadrant"]].setdefault(r["code_id"], []).append(r)
    items, evidence, used = [], [], set()
    for q in SWOT_FIELDS:
        rows = []
        for cid, code_recs in grouped[q].items():
            recs = sorted(code_recs, key=lambda r: (natural_key(r["speaker"]), r["segment_id"]))
            speakers = {r["speaker"] for r in recs if r["speaker"] is not None
                        and (valid is None or r["speaker"] in valid)}
            rows.append({"quadrant": q, "code_id": cid, "name": code_name(codebook, cid),
                         "segments": len(recs), "informants": len(speakers),
                         "_k": (pos.get(cid, big), natural_key(cid)), "_recs": recs})
        rows.sort(key=lambda r: (-r["segments"], r["_k"]))
        for row in rows:
            picked = _evidence_quotes(row["_recs"], max_quotes, used)
            row["quote_list"] = [format_quote(sentence_excerpt(r["quote"]), r["speaker"], 244) for r in picked]
            evidence += [{"quadrant": q, "code_id": row["code_id"], "speaker": r["speaker"],
                          "segment_id": r["segment_id"], "quote": r["quote"]} for r in row.pop("_recs")]
        items += rows
    item_frame = pd.DataFrame(items, columns=["quadrant", "code_id", "name", "segments", "informants",
                                              "quote_list", "_k"]).drop(columns="_k")
    item_frame = item_frame.astype({"segments": "int64", "informants": "int64"})
    return SwotResult(items=item_frame, evidence=pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS), lang=lang)


# --------------------------------------------------------------------------- conclusions and actions
@dataclass(frozen=True)
class SwotAction:
    """One action of the action list: what, who is responsible, when, and the SWOT
    quadrants (S/W/O/T) or code ids it rests on."""

    action: str
    owner: str = ""
    when: str = ""
    based_on: tuple = ()


@dataclass(frozen=True)
class SwotPlan:
    """The researcher's conclusions from the SWOT and the actions that follow."""

    conclusions: tuple = ()
    actions: tuple = ()

    def basis_text(self, action: SwotAction, codebook: Optional[Codebook], lang: str = "fi") -> str:
        """What an action rests on in words: quadrant titles and code names."""
        return ", ".join(label(f"analysis.swot.{b}", lang) if b in SWOT_FIELDS else code_name(codebook, b)
                         for b in action.based_on)


_PLAN_KEYS = {"conclusions": "conclusions", "johtopaatokset": "conclusions", "johtopäätökset": "conclusions",
              "actions": "actions", "toimenpiteet": "actions"}
_ACTION_KEYS = {"action": "action", "toimenpide": "action", "owner": "owner", "vastuu": "owner",
                "when": "when", "aikataulu": "when", "based_on": "based_on", "perustuu": "based_on"}


def parse_swot_plan(data, path: str, codebook: Optional[Codebook] = None) -> SwotPlan:
    """The conclusions and actions of a parsed ``swot.yaml``: ``johtopäätökset`` /
    ``conclusions`` (a list of texts) and ``toimenpiteet`` / ``actions`` (entries with
    ``toimenpide``/``action``, ``vastuu``/``owner``, ``aikataulu``/``when`` and
    ``perustuu``/``based_on``: quadrants S/W/O/T or code ids).  A mistake is one error naming
    the file and line.

    >>> from qualcode.yamlutil import parse_yaml
    >>> text = "johtopäätökset: [Viestintä on heikkous.]\\ntoimenpiteet:\\n  - toimenpide: Viikkoviesti\\n    perustuu: [w]\\n"
    >>> parse_swot_plan(parse_yaml(text, "swot.yaml"), "swot.yaml")
    SwotPlan(conclusions=('Viestintä on heikkous.',), actions=(SwotAction(action='Viikkoviesti', owner='', when='', based_on=('W',)),))
    """
    if data is None:
        return SwotPlan()
    if not isinstance(data, dict):
        raise QualcodeError("a SWOT file holds 'johtopäätökset:' and 'toimenpiteet:' (or 'conclusions:' and "
                            "'actions:')", path=path, line=line_of(data))
    fields = {}
    for key, value in data.items():
        if key not in _PLAN_KEYS:
            raise QualcodeError(f"unknown key '{key}'; a SWOT file holds johtopäätökset and toimenpiteet "
                                "(conclusions and actions)", path=path, line=line_of(data, key))
        fields[_PLAN_KEYS[key]] = value
    conclusions = fields.get("conclusions") or []
    if not isinstance(conclusions, list):
        raise QualcodeError("the conclusions are a list of texts", path=path, line=line_of(data))
    for n, c in enumerate(conclusions):
        if not (isinstance(c, str) and c.strip()):
            raise QualcodeError(f"conclusion {n + 1} is not a text; put a text with a colon (:) in quotes",
                                path=path, line=line_of(conclusions, n))
    actions = fields.get("actions") or []
    if not isinstance(actions, list):
        raise QualcodeError("the actions are a list of entries with an action", path=path, line=line_of(data))
    known = {c.id for c in codebook.codes} if codebook is not None else None
    return SwotPlan(tuple(" ".join(c.split()) for c in conclusions),
                    tuple(_action(a, n, line_of(actions, n - 1), path, known) for n, a in enumerate(actions, 1)))


def _action(item, n: int, line: Optional[int], path: str, known: Optional[set]) -> SwotAction:
    if not isinstance(item, dict):
        item = {"action": item} if isinstance(item, str) else None
    if item is None:
        raise QualcodeError(f"action {n} is not an entry with an action", path=path, line=line)
    fields = {}
    for key, value in item.items():
        if key not in _ACTION_KEYS:
            raise QualcodeError(f"action {n} has an unknown key '{key}'; use toimenpide, vastuu, aikataulu and "
                                "perustuu (action, owner, when, based_on)", path=path, line=line_of(item, key) or line)
        fields[_ACTION_KEYS[key]] = value
    text = " ".join(str(fields.get("action") or "").split())
    if not text:
        raise QualcodeError(f"action {n} has no text; write it after 'toimenpide:' (or 'action:')", path=path, line=line)
    basis = fields.get("based_on") or []
    basis = [basis] if isinstance(basis, str) else basis
    out = []
    for b in basis:
        b = str(b).strip()
        if b.upper() in SWOT_FIELDS:
            out.append(b.upper())
        elif known is None or b in known:
            out.append(b)
        else:
            raise QualcodeError(f"action {n} rests on '{b}', which is neither S, W, O, T nor a code of the codebook",
                                path=path, line=line)
    return SwotAction(text, " ".join(str(fields.get("owner") or "").split()),
                      " ".join(str(fields.get("when") or "").split()), tuple(out))
