"""The research process (A21) and the reliability and ethics evaluation (A29).

* ``tutkimusprosessi.yaml`` lists the researcher's own dated events (planning, workshops,
  the seminar …); :func:`process_frame` merges them with what qualcode knows: the interview
  dates of the informant list and the steps of the audit trail.
* ``luotettavuus.yaml`` holds the researcher's answers per aspect (``vakuuttavuus``,
  ``pätevyys``, ``käyttökelpoisuus``, ``vaikuttavuus``, ``eettisyys``);
  :func:`reliability_frame` puts them after the facts qualcode computes
  (:func:`reliability_facts`): informants, dates, durations, coding basis, agreement,
  anonymisation and the codebook's origin.

>>> from qualcode.construct.common import parse_yaml
>>> ev = parse_events(parse_yaml("events:\\n  - {date: 2025-02-10, event: Tutkimussuunnitelma hyväksytty, "
...                               "phase: Suunnittelu}\\n", "t.yaml"), "t.yaml")
>>> ev[0].date.isoformat(), ev[0].phase
('2025-02-10', 'Suunnittelu')
>>> ans = parse_reliability(parse_yaml("pätevyys: Rungon teemat johdettiin teoriasta.\\n", "l.yaml"), "l.yaml")
>>> ans.answers
{'validity': ['Rungon teemat johdettiin teoriasta.']}
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import pandas as pd

from ..fileutil import as_date, is_missing
from ..labels import label
from .common import Where, line_of, norm
from .records import format_day

EVENT_FILES = ("tutkimusprosessi.yaml", "tutkimusprosessi.yml", "research_process.yaml", "research_process.yml")
RELIABILITY_FILES = ("luotettavuus.yaml", "luotettavuus.yml", "reliability.yaml", "reliability.yml")
EVENT_KEYS = ("date", "end", "phase", "event", "participants", "result", "method")
#: The aspects of A29 in the order of the section, with the keys a file may use for each.
ASPECTS = {
    "credibility": ("vakuuttavuus", "credibility"),
    "validity": ("pätevyys", "patevyys", "validity"),
    "usability": ("käyttökelpoisuus", "kayttokelpoisuus", "usability"),
    "impact": ("vaikuttavuus", "impact"),
    "ethics": ("eettisyys", "ethics"),
}
#: Audit actions that mark a phase of the research process, in process order.
PROCESS_ACTIONS = ("informants", "ingest", "code", "review import", "apply gold", "consensus", "pseudonymise",
                   "report")


# --------------------------------------------------------------------------- A21 process

@dataclass
class Event:
    date: dt.date
    event: str
    phase: str = ""
    end: Optional[dt.date] = None
    participants: str = ""
    result: str = ""
    method: str = ""
    line: Optional[int] = None


def parse_events(data: Any, path: str) -> list[Event]:
    """Validate ``tutkimusprosessi.yaml``: ``events:`` each with a ``date`` and an ``event``;
    ``end``, ``phase``, ``participants``, ``result`` and ``method`` are optional."""
    where = Where(path)
    out = []
    for what, e in where.records(data, "events", "the research process file", "event", EVENT_KEYS):
        date = where.date(e, what)
        end = as_date(e.get("end")) if e.get("end") is not None else None
        if e.get("end") is not None and (end is None or end < date):
            raise where.fail(f"'end' of {what} must be a date on or after its 'date'", e, "end")
        out.append(Event(date, where.text(e, "event", what, required=True), where.text(e, "phase", what), end,
                         ", ".join(where.texts(e, "participants", what)), where.text(e, "result", what),
                         where.text(e, "method", what), line_of(e)))
    return out


def _span(start: Optional[dt.date], end: Optional[dt.date]) -> str:
    if start is None:
        return ""
    if end is None or end == start:
        return format_day(start)
    if end.year == start.year:          # 3.3.–23.4.2025, the thesis style (and narrower)
        return f"{start.day}.{start.month}.–{format_day(end)}"
    return f"{format_day(start)}–{format_day(end)}"


def _interview_rows(interviews: Sequence[dict], lang: str) -> list[tuple]:
    """The interviews as process rows: the individual interviews as one row over their date
    span, each group interview (several informants) as a row of its own."""
    single = [r for r in interviews if r.get("date") and "," not in r.get("codes", "")]
    groups = [r for r in interviews if r.get("date") and "," in r.get("codes", "")]
    rows = []
    if single:
        dates = [r["date"] for r in single]
        minutes = sum(r["minutes"] or 0 for r in single)
        rows.append((min(dates), max(dates), label("artefact.process.phase.data", lang),
                     label("artefact.process.interviews", lang, n=len(single)),
                     ", ".join(dict.fromkeys(r["title"] for r in single if r.get("title"))),
                     label("artefact.process.interviews.result", lang, n=len(single), minutes=int(minutes))))
    for r in groups:
        rows.append((r["date"], None, label("artefact.process.phase.data", lang),
                     label("artefact.process.group", lang), r.get("title", ""),
                     label("artefact.process.group.result", lang, n=len(r["codes"].split(",")))))
    return rows


def _audit_rows(audit: Optional[pd.DataFrame], lang: str) -> list[tuple]:
    """The first and last time of each process step in the audit trail, with how often it ran."""
    if audit is None or not len(audit) or not {"time", "action"} <= set(audit.columns):
        return []
    rows = []
    for action in PROCESS_ACTIONS:
        hits = audit[audit["action"] == action]
        if not len(hits):
            continue
        times = [as_date(str(t)[:10]) for t in hits["time"] if not is_missing(t)]
        times = [t for t in times if t is not None]
        if not times:
            continue
        rows.append((min(times), max(times), label(f"artefact.process.step.{action}.phase", lang),
                     label(f"artefact.process.step.{action}", lang), "",
                     label("artefact.process.once" if len(hits) == 1 else "artefact.process.times", lang,
                           n=len(hits))))
    return rows


def process_frame(interviews: Sequence[dict], audit: Optional[pd.DataFrame], events: Sequence[Event],
                  lang: str) -> pd.DataFrame:
    """A21: ``Pvm | Vaihe/tapahtuma | Osallistujat | Tulos`` in date order, from the
    researcher's events, the interviews (``interviews``: records with ``date``, ``title``,
    ``codes``, ``minutes`` as the interview table has them) and the audit trail."""
    rows = [(e.date, e.end, e.phase, e.event + (f" ({e.method})" if e.method else ""), e.participants, e.result)
            for e in events]
    rows += _interview_rows(interviews, lang) + _audit_rows(audit, lang)
    rows.sort(key=lambda r: (r[0], r[1] or r[0]))
    cols = [label(f"artefact.process.{k}", lang) for k in ("date", "phase", "participants", "result")]
    return pd.DataFrame([[_span(a, b), f"{phase}: {what}" if phase else what, who, result]
                         for a, b, phase, what, who, result in rows], columns=cols)


# --------------------------------------------------------------------------- A29 reliability

@dataclass
class ReliabilityAnswers:
    """The researcher's answers per aspect (key of :data:`ASPECTS` → paragraphs)."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    path: str = ""


def parse_reliability(data: Any, path: str) -> ReliabilityAnswers:
    """Validate ``luotettavuus.yaml``: one key per aspect (Finnish or English), each a text or
    a list of paragraphs."""
    where = Where(path)
    data = where.mapping(data, "the reliability file")
    keys = {norm(k): aspect for aspect, names in ASPECTS.items() for k in names}
    allowed = [names[0] for names in ASPECTS.values()]
    out: dict[str, list[str]] = {}
    for key in data:
        aspect = keys.get(norm(key))
        if aspect is None:
            raise where.fail(f"unknown aspect '{key}' in the reliability file; use {', '.join(allowed)}", data, key)
        texts = where.texts(data, key, f"the aspect '{key}'")
        if texts:
            out[aspect] = texts
    if not out:
        raise where.fail(f"the reliability file has no answers; write them under {', '.join(allowed)}", data)
    return ReliabilityAnswers(out, path)


@dataclass
class StudyFacts:
    """What the reliability section needs from the project beyond the frames: the agreement
    figures (``coders``, ``units``, ``percent``, ``kappa``, ``alpha``; None without two
    coders), whether reports are pseudonymised, and the analysis mode of qualcode.toml."""

    agreement: Optional[dict] = None
    pseudonymise_reports: bool = False
    analysis_mode: str = ""


def anonymisation_text(audit: Optional[pd.DataFrame], pseudonymise_reports: bool, lang: str) -> str:
    """The anonymisation status: the stored texts pseudonymised (the audit trail says when),
    reports pseudonymised on output, or neither."""
    if audit is not None and len(audit) and "action" in audit.columns:
        done = audit[audit["action"] == "pseudonymise"]
        if len(done):
            return label("artefact.anon.stored", lang, date=format_day(str(done["time"].iloc[-1])[:10]))
    return label("artefact.anon.reports" if pseudonymise_reports else "artefact.anon.none", lang)


@dataclass
class Fact:
    aspect: str
    key: str
    text: str


def reliability_facts(interviews: Sequence[dict], informants: Optional[pd.DataFrame], basis_text: str,
                      agreement: Optional[dict], anonymisation: str, codebook: Any, analysis_mode: str,
                      lang: str) -> list[Fact]:
    """What qualcode knows about the study's reliability: the informants and their roles,
    the interview dates and durations, the coding basis, the agreement figures, the
    anonymisation status and where the codes came from."""
    facts = [Fact("credibility", "informants", _informants_text(informants, lang))]
    dates = [r["date"] for r in interviews if r.get("date")]
    minutes = [r["minutes"] for r in interviews if r.get("minutes") is not None]
    if dates:
        facts.append(Fact("credibility", "dates", label("artefact.fact.dates.text", lang, n=len(interviews),
                                                       span=_span(min(dates), max(dates)))))
    if minutes:
        facts.append(Fact("credibility", "durations", label(
            "artefact.fact.durations.text", lang, total=int(sum(minutes)), mean=_num(sum(minutes) / len(minutes), lang),
            low=int(min(minutes)), high=int(max(minutes)))))
    facts.append(Fact("validity", "basis", basis_text))
    facts.append(Fact("validity", "agreement", _agreement_text(agreement, lang)))
    facts.append(Fact("validity", "codebook", _codebook_text(codebook, analysis_mode, lang)))
    facts.append(Fact("ethics", "anonymisation", anonymisation))
    return facts


def _num(x: float, lang: str, digits: int = 1) -> str:
    """``40,2`` in Finnish, ``40.2`` in English; ``–`` when there is no value (a kappa of
    codes nobody varied on)."""
    if x is None or x != x:
        return "–"
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if lang == "fi" else text


def _informants_text(informants: Optional[pd.DataFrame], lang: str) -> str:
    if informants is None or not len(informants) or "code" not in informants.columns:
        return label("artefact.fact.none", lang)
    roles = informants["role"].dropna().astype(str).str.strip() if "role" in informants.columns else pd.Series([])
    counts = roles[roles != ""].value_counts()
    parts = ", ".join(f"{r.lower()} ({n})" for r, n in counts.items())
    return label("artefact.fact.informants.text", lang, n=len(informants), roles=parts or "–")


def _agreement_text(agreement: Optional[dict], lang: str) -> str:
    if not agreement:
        return label("artefact.fact.agreement.none", lang)
    coders = [label("artefact.coder.auto", lang) if c == "auto" else c for c in agreement["coders"]]
    return label("artefact.fact.agreement.text", lang, coders=" – ".join(coders), units=agreement["units"],
                 percent=_num(agreement["percent"], lang, 1), kappa=_num(agreement["kappa"], lang, 2),
                 alpha=_num(agreement["alpha"], lang, 2))


def _codebook_text(codebook: Any, analysis_mode: str, lang: str) -> str:
    codes = list(codebook.codes) if codebook is not None and hasattr(codebook, "codes") else []
    if not codes:
        return label("artefact.fact.codebook.none", lang)
    origins: dict[str, int] = {}
    for c in codes:
        origins[c.origin] = origins.get(c.origin, 0) + 1
    parts = ", ".join(f"{label('codebook.origin_' + o, lang) if o in ('data', 'theory') else o} {n}"
                      for o, n in origins.items())
    mode = label(f"artefact.fact.mode.{analysis_mode}", lang) if analysis_mode in (
        "theory-guided", "data-driven", "theory-driven") else analysis_mode
    return label("artefact.fact.codebook.text", lang, n=len(codes), origins=parts, mode=mode)


def reliability_frame(facts: Sequence[Fact], answers: Optional[ReliabilityAnswers], lang: str) -> pd.DataFrame:
    """A29: ``Näkökulma | Peruste | Sisältö``: per aspect, the facts qualcode computed, then
    the researcher's answers."""
    cols = [label(f"artefact.reliability.{k}", lang) for k in ("aspect", "kind", "text")]
    given = answers.answers if answers is not None else {}
    rows = []
    for aspect in ASPECTS:
        name = label(f"artefact.aspect.{aspect}", lang)
        rows += [[name, label(f"artefact.fact.{f.key}", lang), f.text] for f in facts if f.aspect == aspect]
        rows += [[name, label("artefact.reliability.answer", lang), text] for text in given.get(aspect, [])]
    return pd.DataFrame(rows, columns=cols)
