"""The researcher's own records of the development work, each from a file in the project
folder: workshop and meeting records (A16, ``tyopajat.yaml``), the current-state
description (A10, ``nykytila.yaml``, else the current-state sections of the workshop
records), the workgroups (A17, ``tyoryhmat.yaml``) and the maturity assessment (A26,
``maturiteetti.yaml``).  Each parser checks its file and names the line of every mistake;
each ``*_frame`` gives the content as a DataFrame with the report's headers.

>>> from qualcode.construct.common import parse_yaml
>>> ws = parse_workshops(parse_yaml('''
... workshops:
...   - date: 2025-05-21
...     type: työpaja
...     participants: [toimitusjohtaja, myyntipäällikkö]
...     sections:
...       Yleisesti: [Asiakkuuksia hoidetaan kuka ehtii -periaatteella.]
...       Kehitykseen: [Viikkoviesti kaikkiin projekteihin.]
... ''', "tyopajat.yaml"), "tyopajat.yaml")
>>> ws[0].number, ws[0].caption("fi"), [s.title for s in ws[0].sections]
(1, '1. workshopin tulokset', ['Yleisesti', 'Kehitykseen'])
>>> workshops_frame(ws, "fi").columns.tolist()
['Työpaja', 'Pvm', 'Tyyppi', 'Osallistujat', 'Osio', 'Tulos']
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import pandas as pd

from ..fileutil import as_date
from ..labels import label
from .common import Where, line_of, norm

WORKSHOP_FILES = ("tyopajat.yaml", "tyopajat.yml", "workshops.yaml", "workshops.yml")
CURRENT_STATE_FILES = ("nykytila.yaml", "nykytila.yml", "current_state.yaml", "current_state.yml")
WORKGROUP_FILES = ("tyoryhmat.yaml", "tyoryhmat.yml", "workgroups.yaml", "workgroups.yml")
MATURITY_FILES = ("maturiteetti.yaml", "maturiteetti.yml", "maturity.yaml", "maturity.yml")

WORKSHOP_KEYS = ("number", "title", "date", "type", "place", "participants", "heading", "caption", "sections")
SECTION_KEYS = ("title", "items")
GROUP_KEYS = ("name", "focus", "members")
LEVEL_KEYS = ("name", "description")
MATURITY_KEYS = ("title", "model", "levels", "current", "justification")
#: Section titles of a workshop record that describe the current state (A10's fallback).
CURRENT_STATE_TITLES = ("nykytila", "nykytilan kuvaus", "nykytila-analyysi", "current state")


def format_day(value: Any) -> str:
    """``d.m.yyyy`` without zero padding, the thesis style (empty when there is no date)."""
    d = as_date(value)
    return f"{d.day}.{d.month}.{d.year}" if d else ""


@dataclass
class Section:
    """A titled list of bullets."""

    title: str
    items: list[str]
    line: Optional[int] = None


def _sections(raw: Any, where: Where, container: Any, key: str, what: str) -> list[Section]:
    """Sections given as a mapping ``title: [bullets]`` or as a list of ``{title, items}``."""
    if isinstance(raw, dict):
        out = []
        for title, items in raw.items():
            bullets = where.texts(raw, title, f"the section '{title}' of {what}")
            out.append(Section(str(title).strip(), bullets, line_of(raw, title)))
        return out
    out = []
    items = where.sequence(raw, f"'{key}' of {what}", container, key)
    for i, s in enumerate(items):
        s = where.mapping(s, f"section {i + 1} of {what}", items, i)
        where.check_keys(s, SECTION_KEYS, f"section {i + 1} of {what}")
        title = where.text(s, "title", f"section {i + 1} of {what}", required=True)
        out.append(Section(title, where.texts(s, "items", f"the section '{title}' of {what}"), line_of(s)))
    return out


# --------------------------------------------------------------------------- A16 workshops

@dataclass
class Workshop:
    """One workshop or meeting record: when, what kind, who took part, and its results
    by section."""

    number: int
    date: Optional[dt.date]
    type: str = ""
    title: str = ""
    place: str = ""
    participants: list[str] = field(default_factory=list)
    heading: str = ""
    caption_text: str = ""
    sections: list[Section] = field(default_factory=list)
    line: Optional[int] = None

    def caption(self, lang: str) -> str:
        """The figure title: the record's own caption, else ``<n>. workshopin tulokset``."""
        return self.caption_text or label("artefact.workshop.caption", lang, n=self.number)

    def name(self, lang: str) -> str:
        return self.title or label("artefact.workshop.name", lang, n=self.number)


def parse_workshops(data: Any, path: str) -> list[Workshop]:
    """Validate ``tyopajat.yaml``: ``workshops:`` a list of records, each with a ``date`` and
    ``sections`` (``title: [bullets]``)."""
    where = Where(path)
    out = []
    for i, (what, w) in enumerate(where.records(data, "workshops", "the workshop file", "workshop", WORKSHOP_KEYS)):
        date = where.date(w, what)
        number = w.get("number", i + 1)
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise where.fail(f"'number' of {what} must be a whole number such as 3", w, "number")
        sections = _sections(w.get("sections"), where, w, "sections", what)
        if not sections:
            raise where.fail(f"{what} has no 'sections'; give its results as 'title: [bullets]'", w)
        out.append(Workshop(number, date, where.text(w, "type", what), where.text(w, "title", what),
                            where.text(w, "place", what), where.texts(w, "participants", what),
                            where.text(w, "heading", what), where.text(w, "caption", what), sections, line_of(w)))
    return out


def workshops_frame(workshops: Sequence[Workshop], lang: str) -> pd.DataFrame:
    """One row per result bullet: workshop, date, type, participants, section, result."""
    cols = [label(f"artefact.workshop.{k}", lang) for k in ("workshop", "date", "type", "participants",
                                                              "section", "result")]
    rows = [[w.name(lang), format_day(w.date), w.type, ", ".join(w.participants), s.title, item]
            for w in workshops for s in w.sections for item in s.items]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- A10 current state

@dataclass
class CurrentState:
    """The current-state description: sections of observations, each with its source."""

    title: str
    sections: list[Section]
    source: str = ""          # where the sections came from: the file, or the workshop records


def parse_current_state(data: Any, path: str) -> CurrentState:
    """Validate ``nykytila.yaml``: an optional ``title`` and ``sections`` (goals / target
    state, strengths, development areas, problems … — any titles)."""
    where = Where(path)
    data = where.mapping(data, "the current-state file")
    where.check_keys(data, ("title", "sections"), "the current-state file")
    sections = _sections(data.get("sections"), where, data, "sections", "the current-state file")
    if not sections:
        raise where.fail("the current-state file has no 'sections'; give them as 'title: [observations]'", data)
    return CurrentState(where.text(data, "title", "the current-state file"), sections)


def current_state_from_workshops(workshops: Sequence[Workshop], lang: str) -> Optional[CurrentState]:
    """The current-state sections of the workshop records (a section titled ``Nykytila``
    or ``current state``), or None when no record has one."""
    sections, sources = [], []
    for w in workshops:
        for s in w.sections:
            if norm(s.title) in CURRENT_STATE_TITLES:
                sections.append(Section(f"{w.name(lang)} ({format_day(w.date)})", s.items, s.line))
                sources.append(w.name(lang))
    if not sections:
        return None
    return CurrentState("", sections, ", ".join(sources))


def current_state_frame(state: CurrentState, lang: str) -> pd.DataFrame:
    cols = [label("artefact.current.section", lang), label("artefact.current.item", lang)]
    return pd.DataFrame([[s.title, item] for s in state.sections for item in s.items], columns=cols)


# --------------------------------------------------------------------------- A17 workgroups

@dataclass
class Workgroup:
    name: str
    focus: list[str]
    members: list[str]
    line: Optional[int] = None


def parse_workgroups(data: Any, path: str) -> list[Workgroup]:
    """Validate ``tyoryhmat.yaml``: ``groups:`` each with a ``name``, its ``focus`` (one or
    more areas) and ``members``."""
    where = Where(path)
    out = []
    for what, g in where.records(data, "groups", "the workgroup file", "workgroup", GROUP_KEYS):
        name = where.text(g, "name", what, required=True)
        focus = where.texts(g, "focus", f"the workgroup '{name}'")
        if not focus:
            raise where.fail(f"the workgroup '{name}' has no 'focus'; say what it works on", g)
        out.append(Workgroup(name, focus, where.texts(g, "members", f"the workgroup '{name}'"), line_of(g)))
    return out


def workgroups_frame(groups: Sequence[Workgroup], lang: str) -> pd.DataFrame:
    cols = [label(f"artefact.workgroup.{k}", lang) for k in ("group", "focus", "members")]
    return pd.DataFrame([[g.name, "; ".join(g.focus), ", ".join(g.members)] for g in groups], columns=cols)


# --------------------------------------------------------------------------- A26 maturity

@dataclass
class Maturity:
    """A maturity model's levels (lowest first) and the level the organisation is at."""

    title: str
    levels: list[tuple[str, str]]        # (name, description)
    current: int                         # 1-based
    justification: str = ""
    model: str = ""

    @property
    def current_name(self) -> str:
        return self.levels[self.current - 1][0]


def parse_maturity(data: Any, path: str) -> Maturity:
    """Validate ``maturiteetti.yaml``: ``levels`` (lowest first, each a name or ``{name,
    description}``), ``current`` (the level's number or name) and a ``justification``."""
    where = Where(path)
    data = where.mapping(data, "the maturity file")
    where.check_keys(data, MATURITY_KEYS, "the maturity file")
    items = where.sequence(data.get("levels"), "'levels'", data, "levels")
    if len(items) < 2:
        raise where.fail("the maturity model needs at least two 'levels', lowest first", data,
                         "levels" if "levels" in data else None)
    levels = []
    for i, lv in enumerate(items):
        if isinstance(lv, dict):
            where.check_keys(lv, LEVEL_KEYS, f"level {i + 1}")
            levels.append((where.text(lv, "name", f"level {i + 1}", required=True),
                           where.text(lv, "description", f"level {i + 1}")))
        elif lv is None or isinstance(lv, list) or not str(lv).strip():
            raise where.fail(f"level {i + 1} must be a name or {{name, description}}", items, i)
        else:
            levels.append((str(lv).strip(), ""))
    current = _current_level(data.get("current"), levels, where, data)
    return Maturity(where.text(data, "title", "the maturity file"), levels, current,
                    where.text(data, "justification", "the maturity file"), where.text(data, "model", "the maturity file"))


def _current_level(value: Any, levels: list[tuple[str, str]], where: Where, data: dict) -> int:
    names = [norm(n) for n, _ in levels]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(levels):
        return value
    if isinstance(value, str) and norm(value) in names:
        return names.index(norm(value)) + 1
    raise where.fail(f"'current' must be a level number 1–{len(levels)} or a level's name, not {value!r}",
                     data, "current" if "current" in data else None)


def maturity_frame(m: Maturity, lang: str) -> pd.DataFrame:
    """The ladder, highest level first (as drawn), the current level marked."""
    cols = [label(f"artefact.maturity.{k}", lang) for k in ("level", "name", "description", "current")]
    rows = [[i, name, text, label("artefact.maturity.here", lang) if i == m.current else ""]
            for i, (name, text) in reversed(list(enumerate(m.levels, 1)))]
    return pd.DataFrame(rows, columns=cols)
