"""The report's tables as plain data, in one language: each artefact is a
:class:`Table` (sheet name, caption title, header, rows, optional footer rows).  The
xlsx, docx and markdown writers only lay these out, so every format shows the same
content under the same labels.  Every builder takes the study's frames
(:class:`~qualcode.analysis.study.StudyFrames`) or their :class:`~qualcode.analysis.study.Analyses`
(pass the analyses to share results between tables and figures).

>>> from qualcode.analysis.study import StudyFrames
>>> import pandas as pd
>>> inf = pd.DataFrame({"code": ["H2", "H1"], "role": ["Talousjohtaja", "Toimitusjohtaja"],
...                     "date": ["2021-05-13", "2021-05-12"], "mode": "Haastattelu",
...                     "duration_min": [53, 36]})
>>> t = interviews_table(StudyFrames(informants=inf), "fi")
>>> t.header, t.rows[0]
(['PVM:', 'Haastattelun tapa:', 'Kesto:', 'Titteli:', 'Koodi:'], ['12.5.2021', 'Haastattelu', '36min', 'Toimitusjohtaja', 'H1'])
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import pandas as pd

from ..analysis.study import Analyses, StudyFrames
from ..analysis.themes import natural_key, prepare_codings, roll_up
from ..analysis.valence import effective_valence
from ..fileutil import is_missing
from ..labels import audit_action, label
from ..model import VALENCES
from ..fileutil import as_date
from .finnish import as_minutes, count_phrase, format_date, format_minutes, format_number, format_percent

#: What a table builder takes: the frames, or their analyses (shared between builders).
Source = Union[StudyFrames, Analyses]


@dataclass
class Table:
    """One artefact: ``rows`` under ``header``; ``footer`` rows (a summary) are shown
    below the table, outside its filter range.  ``kind`` is ``table`` or ``grid``
    (the SWOT 2×2: the first column and the header are labels)."""

    key: str
    sheet: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    footer: list[list[Any]] = field(default_factory=list)
    kind: str = "table"
    wide: tuple[int, ...] = ()       # indices of columns holding long text

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.header)


def _text(v: Any) -> str:
    return "" if is_missing(v) else str(v)


def _natural(v: Any) -> tuple:
    return natural_key(v)


def _frames(source: Source) -> StudyFrames:
    return source.frames if isinstance(source, Analyses) else source


def _lower_role(role: str) -> str:
    """A title in running text: ``Projektipäällikkö`` → ``projektipäällikkö`` (acronyms kept)."""
    if len(role) > 1 and role[0].isupper() and not role[1].isupper():
        return role[0].lower() + role[1:]
    return role


# --------------------------------------------------------------------------- A1 interviews

def interview_rows(source: Source, lang: str = "fi") -> list[dict]:
    """One record per interview: informants with a date, mode or duration.  Informants
    who speak in exactly the same sources on the same date (a group interview) form one
    interview whose title lists the roles with counts (``2 projektipäällikköä``)."""
    frames = _frames(source)
    inf = frames.informants
    if inf is None or not len(inf) or "code" not in inf.columns:
        return []
    sources_of: dict[str, frozenset] = {}
    seg = frames.segments
    if seg is not None and len(seg) and {"speaker", "source"} <= set(seg.columns):
        s = seg
        if "is_interviewer" in s.columns:
            s = s[~s["is_interviewer"].fillna(False).astype(bool)]
        for spk, grp in s.groupby(s["speaker"].astype(str)):
            sources_of[spk] = frozenset(grp["source"].astype(str))
    groups: dict[tuple, list[dict]] = {}
    order: list[tuple] = []
    for rec in inf.to_dict("records"):
        code = _text(rec.get("code"))
        date = as_date(rec.get("date"))
        mode = _text(rec.get("mode")).strip()
        minutes = as_minutes(rec.get("duration_min"))
        if date is None and not mode and minutes is None:
            continue
        srcs = sources_of.get(code)
        key = (date, mode, minutes, srcs) if srcs else (date, mode, minutes, code)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append({"code": code, "role": _text(rec.get("role")).strip(), "date": date,
                            "mode": mode, "minutes": minutes})
    out = []
    for key in order:
        members = sorted(groups[key], key=lambda r: _natural(r["code"]))
        first = members[0]
        if len(members) == 1:
            title = first["role"]
        else:
            counts: dict[str, int] = {}
            for m in members:
                counts[m["role"]] = counts.get(m["role"], 0) + 1
            title = ", ".join(count_phrase(n, _lower_role(r), lang) for r, n in counts.items() if r)
        out.append({"date": first["date"], "mode": first["mode"], "minutes": first["minutes"],
                    "title": title, "codes": ", ".join(m["code"] for m in members)})
    out.sort(key=lambda r: (r["date"] is None, r["date"] or dt.date.min, _natural(r["codes"].split(",")[0])))
    return out


def interviews_table(source: Source, lang: str = "fi", show_codes: bool = True) -> Table:
    """A1: ``PVM: | Haastattelun tapa: | Kesto: | Titteli: [| Koodi:]``, sorted by date,
    dates ``d.m.yyyy``, durations ``36min``, and a summary row (n, total, mean)."""
    keys = ["date", "mode", "duration", "title"] + (["code"] if show_codes else [])
    header = [label(f"report.interviews.{k}", lang) for k in keys]
    recs = interview_rows(source, lang)
    rows = []
    for r in recs:
        row = [format_date(r["date"]), r["mode"], format_minutes(r["minutes"], lang), r["title"]]
        if show_codes:
            row.append(r["codes"])
        rows.append(row)
    footer = []
    minutes = [r["minutes"] for r in recs if r["minutes"] is not None]
    if recs:
        total = sum(minutes)
        mean = total / len(minutes) if minutes else None
        summary = label("report.interviews.summary", lang, n=len(recs),
                        total=format_minutes(total, lang) if minutes else "–",
                        mean=format_minutes(mean, lang) if mean is not None else "–")
        frow = [""] * len(header)
        frow[0] = summary
        footer.append(frow)
    return Table("interviews", label("report.sheet.interviews", lang), label("report.title.interviews", lang),
                 header, rows, footer, wide=(3,))


# --------------------------------------------------------------------------- A27 codebook

def _code_name(codebook: Any, cid: Any) -> str:
    if codebook is None or cid is None:
        return _text(cid)
    code = codebook.get(cid)
    return (code.name or code.id) if code is not None else str(cid)


def codebook_table(source: Source, lang: str = "fi") -> Table:
    """A27: ``Koodi | Teema | Määritelmä | Lähtökohta (aineisto/teoria) | Avainsanat | Esimerkki``."""
    keys = ["code", "theme", "definition", "origin", "keywords", "example"]
    header = [label(f"codebook.{k}", lang) for k in keys]
    rows = []
    cb = _frames(source).codebook
    for c in (cb.codes if cb is not None else []):
        origin = label(f"codebook.origin_{c.origin}", lang) if c.origin in ("data", "theory") else _text(c.origin)
        name = c.name or c.id
        theme = _code_name(cb, cb.root_of(c.id))
        rows.append([name, theme, c.description or "", origin, ", ".join(c.keywords),
                     " / ".join(c.examples)])
    return Table("codebook", label("sheet.codebook", lang), label("report.title.codebook", lang),
                 header, rows, wide=(2, 5))


# --------------------------------------------------------------------------- themes matrix

def themes_table(source: Source, lang: str = "fi") -> Table:
    """Informant × code matrix of coded segments (codes in use, codebook order), with
    each informant's title and a total column and row."""
    frames = _frames(source)
    mat = Analyses.of(source).informant_matrix(include_unused=False)
    roles = {}
    inf = frames.informants
    if inf is not None and len(inf) and "role" in inf.columns:
        roles = {str(c): _text(r) for c, r in zip(inf["code"], inf["role"])}
    header = ([label("report.informant", lang), label("report.interviews.title", lang).rstrip(":")]
              + [_code_name(frames.codebook, c) for c in mat.columns] + [label("report.total", lang)])
    rows = [[str(i), roles.get(str(i), "")] + [int(v) for v in mat.loc[i]] + [int(mat.loc[i].sum())]
            for i in mat.index]
    footer = []
    if len(mat.index):
        footer = [[label("report.total", lang), ""] + [int(v) for v in mat.sum(axis=0)]
                  + [int(mat.values.sum())]]
    return Table("themes", label("report.sheet.themes", lang), label("report.title.themes", lang),
                 header, rows, footer)


# --------------------------------------------------------------------------- A6 quotes

def quote_records(source: Source) -> pd.DataFrame:
    """Effective codings with ``theme`` (root id), ``valence`` (effective) and the quote,
    one row per (segment, code), in theme → code (codebook order) → informant order."""
    frames = _frames(source)
    cods = prepare_codings(frames.codings, frames.segments, frames.include_suggested)
    if not len(cods):
        return cods.assign(theme=pd.Series(dtype=object))
    cods = cods.drop_duplicates(["segment_id", "code_id"]).copy()
    cods["valence"] = effective_valence(cods, frames.codebook)
    cb = frames.codebook
    cods["theme"] = [roll_up(cb, c, "theme") for c in cods["code_id"]]
    pos = {c.id: i for i, c in enumerate(cb.codes)} if cb is not None else {}
    big = 10 ** 9
    keys = [(pos.get(t, big), _natural(t), pos.get(c, big), _natural(c), _natural(s), int(g))
            for t, c, s, g in zip(cods["theme"], cods["code_id"], cods["speaker"], cods["segment_id"])]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return cods.iloc[order].reset_index(drop=True)


def _valence_label(v: Any, lang: str) -> str:
    return label(f"analysis.valence.{v}", lang) if isinstance(v, str) and v else ""


def quotes_table(source: Source, lang: str = "fi") -> Table:
    """A6: ``Teema | Lainaus | Koodi | Valenssi | Lähde`` (the informant code), plus the file."""
    frames = _frames(source)
    keys = ["theme", "quote", "code", "valence", "source", "file"]
    header = [label(f"report.quotes.{k}", lang) for k in keys]
    recs = quote_records(frames)
    rows = [[_code_name(frames.codebook, r["theme"]), _text(r["quote"]), _code_name(frames.codebook, r["code_id"]),
             _valence_label(r["valence"], lang), _text(r["speaker"]), _text(r["source"])]
            for r in recs.to_dict("records")]
    return Table("quotes", label("report.sheet.quotes", lang), label("report.title.quotes", lang),
                 header, rows, wide=(1,))


# --------------------------------------------------------------------------- A7 experiences

def experiences_table(source: Source, lang: str = "fi") -> Table:
    """A7: themes × valence (coded segments) with totals."""
    vt = Analyses.of(source).experiences()
    header = ([label("report.quotes.theme", lang)] + [label(f"analysis.valence.{v}", lang) for v in VALENCES]
              + [label("report.total", lang)])
    rows = [[r["name"]] + [int(r[v]) for v in VALENCES] + [int(r["total"])] for r in vt.to_dict("records")]
    footer = []
    if len(vt):
        footer = [[label("report.total", lang)] + [int(vt[v].sum()) for v in VALENCES] + [int(vt["total"].sum())]]
    return Table("experiences", label("report.sheet.experiences", lang), label("report.title.experiences", lang),
                 header, rows, footer)


def training_table(source: Source, lang: str = "fi") -> Table:
    """A7 digest: negative experiences per target (the informants' role by default)."""
    frames = _frames(source)
    by = frames.group_by
    inf = frames.informants
    if inf is not None and len(inf) and by not in inf.columns:
        by = "role"
    ts = Analyses.of(source).training_needs_summary(by=by, lang=lang)
    header = [label("report.target", lang), label("report.quotes.code", lang), label("report.segments", lang),
              label("report.informants", lang)]
    rows = [[_text(r["target"]), _text(r["name"]), int(r["segments"]), int(r["informants"])]
            for r in ts.to_dict("records")]
    return Table("training", label("report.sheet.training", lang), label("report.title.training", lang),
                 header, rows)


# --------------------------------------------------------------------------- A8 SWOT

def swot_table(source: Source, lang: str = "fi") -> Table:
    """A8 as a 2×2 grid: header ``| Myönteiset | Kielteiset``, rows internal / external,
    each cell the quadrant title followed by ``- code (segments)`` lines."""
    res = Analyses.of(source).swot(lang)
    grid = res.grid(counts=True)
    header = ["", label("analysis.swot.helpful", lang), label("analysis.swot.harmful", lang)]
    rows = [[label("analysis.swot.internal", lang), grid.loc["internal", "helpful"], grid.loc["internal", "harmful"]],
            [label("analysis.swot.external", lang), grid.loc["external", "helpful"], grid.loc["external", "harmful"]]]
    return Table("swot", label("report.sheet.swot", lang), label("report.title.swot", lang), header, rows,
                 kind="grid", wide=(1, 2))


#: Representative quotes shown per SWOT item.
SWOT_QUOTES = 2
_EDGE_MARKS = re.compile(r"^(\s*\[[^\]]*\])+|(\[[^\]]*\]\s*)+$")
_QUOTE_TAIL = re.compile(r"^[”\"]?(?P<text>.*?)[”\"]?\s*(?P<who>\([^()]*\))?\s*$", re.S)


def whole_sentences(quote: str) -> str:
    """A quote cut short (``…``) back to its last whole sentence, the informant code kept.

    >>> whole_sentences('”Alku oli hyvä. Me saatiin se mitä luvattiin, vähän myö…” (H1)')
    '”Alku oli hyvä.” (H1)'
    >>> whole_sentences('”[tauko] Kuus. Ehkä. [naurahtaa]” (H3)')
    '”Kuus. Ehkä.” (H3)'
    >>> whole_sentences('”Ei vielä pistettä…” (H2)')
    '”Ei vielä pistettä…” (H2)'
    """
    m = _QUOTE_TAIL.match(quote.strip())
    text, who = (m.group("text"), m.group("who") or "") if m else (quote, "")
    text = _EDGE_MARKS.sub("", text).strip()      # [tauko] before, [naurahtaa] after the words
    if text.endswith("…"):
        ends = [i for i, ch in enumerate(text[:-1]) if ch in ".!?" and (i + 1 == len(text) or text[i + 1] == " ")]
        if ends:
            text = text[: ends[-1] + 1]
    return f"”{text}” {who}".strip()


def swot_evidence_table(source: Source, lang: str = "fi") -> Optional[Table]:
    """A8 with its evidence: per quadrant and item, how many informants and segments raise
    it and up to :data:`SWOT_QUOTES` quotes (whole sentences, each with its informant code)."""
    res = Analyses.of(source).swot(lang)
    items = res.items
    if not len(items):
        return None
    header = [label(k, lang) for k in ("report.swot.quadrant", "report.swot.item", "report.informants",
                                        "report.segments", "report.swot.quotes")]
    rows = []
    for q in ("S", "W", "O", "T"):
        for r in items[items["quadrant"] == q].to_dict("records"):
            quotes = [whole_sentences(x) for x in list(r.get("quote_list") or [])[:SWOT_QUOTES]]
            rows.append([res.title(q), r["name"], int(r["informants"]), int(r["segments"]), "\n".join(quotes)])
    return Table("swot_evidence", label("report.sheet.swot_evidence", lang), label("report.title.swot_evidence", lang),
                 header, rows, wide=(1, 4))


def swot_plan_table(source: Source, lang: str = "fi") -> Optional[Table]:
    """The researcher's conclusions from the SWOT and the actions that follow (``swot.yaml``),
    one row each: kind, content, responsible, schedule, what it rests on; None without the file."""
    frames = _frames(source)
    plan = frames.swot_plan
    if plan is None or not (plan.conclusions or plan.actions):
        return None
    header = [label(k, lang) for k in ("report.swot.kind", "report.swot.text", "report.swot.owner",
                                        "report.swot.when", "report.swot.based_on")]
    rows = [[label("report.swot.conclusion", lang), c, "", "", ""] for c in plan.conclusions]
    rows += [[label("report.swot.action", lang), a.action, a.owner, a.when, plan.basis_text(a, frames.codebook, lang)]
             for a in plan.actions]
    return Table("swot_plan", label("report.sheet.swot_plan", lang), label("report.title.swot_plan", lang),
                 header, rows, wide=(1, 4))


# --------------------------------------------------------------------------- A5 trends

def trends_table(source: Source, lang: str = "fi") -> Table:
    """A5: ``TRENDI | KOMMENTTI`` and how many informants share the trend (``5/7``): the
    researcher's trends (``trendit.yaml``) when given, else drafts from the codings, titled
    and footed as drafts.  The title names the interviews the trends come from."""
    analyses = Analyses.of(source)
    tf = analyses.trend_statements(lang)
    draft = bool(len(tf)) and bool(tf["draft"].all())
    header = [label("analysis.trend", lang), label("analysis.comment", lang), label("report.informants", lang)]
    rows = [[_text(r["trend"]), _text(r["comment"]), _text(r["shared"])] for r in tf.to_dict("records")]
    title = trend_title(analyses.frames, lang)
    if draft:
        title += " – " + label("report.trends.draft_title", lang)
    else:
        title += "."
    footer = [[label("report.trends.draft", lang)]] if draft else []
    return Table("trends", label("report.sheet.trends", lang), title, header, rows, footer=footer, wide=(0, 1))


def trend_title(frames: StudyFrames, lang: str = "fi") -> str:
    """The trend table's title by the data source: individual interviews, the group
    interview, or both (the kinds of the coded sources); a plain title otherwise."""
    kinds = set()
    sources, codings = frames.sources, frames.codings
    if sources is not None and len(sources) and "kind" in sources and codings is not None and len(codings):
        coded = set(codings["source_id"]) if "source_id" in codings else set()
        kinds = set(sources.loc[sources["source_id"].isin(coded), "kind"])
    individual, group = "interview" in kinds, "group_interview" in kinds
    key = ("report.trends.mixed" if individual and group else "report.trends.individual" if individual
           else "report.trends.group" if group else "report.frame.trends")
    return label(key, lang)


# --------------------------------------------------------------------------- A9 types

def typology(source: Source, lang: str = "fi"):
    """The researcher's rule types (``tyypit.yaml``) when given, else data-driven
    clusters (see :meth:`Analyses.types`); ``None`` when nothing is coded."""
    codings = _frames(source).codings
    if codings is None or not len(codings):
        return None
    return Analyses.of(source).types(lang=lang)


def types_table(source: Source, lang: str = "fi") -> Table:
    """A9: one row per type: name, n, members, defining codes and the description."""
    frames = _frames(source)
    header = [label(f"report.types.{k}", lang) for k in ("type", "n", "members", "defining", "description")]
    typ = typology(source, lang)
    rows = []
    if typ is not None:
        for t in typ.types:
            defining = ", ".join(_code_name(frames.codebook, c) for c in t.defining_codes["code_id"])
            text = t.text
            rows.append([t.name, len(t.members), ", ".join(t.members), defining, text])
    return Table("types", label("report.sheet.types", lang), label("report.title.types", lang),
                 header, rows, wide=(4,))


# --------------------------------------------------------------------------- reduction

def reduction_sheet(source: Source, lang: str = "fi") -> Table:
    """Reduction table: original → reduced → sub → upper → main category, with the
    code and the informant."""
    frames = _frames(source)
    rt = Analyses.of(source).reduction(lang=lang)
    names = list(rt.columns[:5])
    header = names + [label("report.quotes.code", lang), label("report.informant", lang)]
    rows = [[_text(r[n]) for n in names] + [_code_name(frames.codebook, r["code_id"]), _text(r["speaker"])]
            for r in rt.to_dict("records")]
    return Table("reduction", label("report.sheet.reduction", lang), label("report.title.reduction", lang),
                 header, rows, wide=(0, 1))


# --------------------------------------------------------------------------- A23 scores

def scores_table(source: Source, lang: str = "fi", column: str = "score") -> Optional[Table]:
    """A23: the score distribution, with the statistics (and NPS on 0–10) below.
    ``None`` when the informant list has no score column."""
    inf = _frames(source).informants
    if inf is None or not len(inf) or column not in inf.columns:
        return None
    s = Analyses.of(source).scores(column, lang=lang)
    header = [label("report.scores.value", lang), label("report.scores.count", lang),
              label("report.scores.share", lang)]
    rows = [[int(v) if float(v).is_integer() else float(v), int(c), format_percent(sh, lang)]      # 8,3 %
            for v, c, sh in zip(s.distribution["value"], s.distribution["count"], s.distribution["share"])]

    def num(x: Any) -> str:
        return "" if x is None else format_number(x, lang, 2)

    footer = [[label("report.scores.n", lang), s.n, ""],
              [label("report.scores.mean", lang), num(s.mean), ""],
              [label("report.scores.median", lang), num(s.median), ""],
              [label("report.scores.min", lang), num(s.min), ""],
              [label("report.scores.max", lang), num(s.max), ""]]
    if s.nps is not None:
        footer += [[label("analysis.scores.promoters", lang), s.promoters, ""],
                   [label("analysis.scores.passives", lang), s.passives, ""],
                   [label("analysis.scores.detractors", lang), s.detractors, ""],
                   [label("analysis.scores.nps", lang), num(s.nps), ""]]
    if s.note:
        footer.append([s.note, "", ""])
    return Table("scores", label("report.sheet.scores", lang), label("report.title.scores", lang),
                 header, rows, footer)


# --------------------------------------------------------------------------- A28 audit

def _audit_time(value: Any) -> str:
    text = _text(value)
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{t.day}.{t.month}.{t.year} {t.hour:02d}:{t.minute:02d}"


def audit_table(source: Source, lang: str = "fi") -> Table:
    """A28: ``Aika | Toimija | Toiminto | Kohde | Perustelu`` in chronological order."""
    header = [label(f"report.audit.{k}", lang) for k in ("time", "actor", "action", "target", "reason")]
    a = _frames(source).audit
    rows = []
    if a is not None and len(a):
        frame = a.sort_values("id", kind="mergesort") if "id" in a.columns else a
        for r in frame.to_dict("records"):
            reason = _text(r.get("reason"))
            rows.append([_audit_time(r.get("time")), _text(r.get("coder")), audit_action(_text(r.get("action")), lang),
                         _text(r.get("target")), reason])
    return Table("audit", label("report.sheet.audit", lang), label("report.title.audit", lang),
                 header, rows, wide=(3, 4))


# --------------------------------------------------------------------------- all

#: Builders in sheet order.
#: The tables that count codings: each carries the warning of a report that counts unreviewed
#: suggestions (or has nothing reviewed to count).
ANALYSIS_TABLES = ("themes", "quotes", "experiences", "training", "swot", "swot_evidence", "trends", "types",
                   "reduction")

BUILDERS: list[tuple[str, Callable]] = [
    ("interviews", interviews_table), ("codebook", codebook_table), ("themes", themes_table),
    ("quotes", quotes_table), ("experiences", experiences_table), ("training", training_table),
    ("swot", swot_table), ("swot_evidence", swot_evidence_table), ("swot_plan", swot_plan_table),
    ("trends", trends_table), ("types", types_table), ("reduction", reduction_sheet), ("scores", scores_table), ("audit", audit_table),
]


def all_tables(source: Source, lang: Optional[str] = None, show_codes: bool = True) -> list[Table]:
    """Every table of the workbook, in sheet order (tables without data to show, such
    as scores without a score column, are left out)."""
    analyses = Analyses.of(source)
    lang = lang or analyses.frames.language
    out = []
    for key, build in BUILDERS:
        t = build(analyses, lang, show_codes) if key == "interviews" else build(analyses, lang)
        if t is not None:
            out.append(t)
    return out


def details_text(details: Any) -> str:
    """Audit ``details`` JSON as short ``key=value`` text (for notebooks)."""
    try:
        d = json.loads(details) if isinstance(details, str) else (details or {})
    except ValueError:
        return _text(details)
    return ", ".join(f"{k}={v}" for k, v in d.items()) if isinstance(d, dict) else _text(d)
