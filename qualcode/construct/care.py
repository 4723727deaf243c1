"""Care models (asiakkuuden hoitomalli) and the other parts of ``hoitomallit.yaml``: the
quarterly timeline, the KAM plan form, role descriptions, message templates, the checklist
of operating principles and development proposals by level.

A care model per segment lists actions with content, frequency (``1krt/kk`` …),
responsible role, channel and lifecycle stage; each action may cite the codes or themes
(trend ids) of the project that support it, so the model stays traceable to the data
(:func:`link_evidence`).

>>> plan = parse_plan({"care_models": [{"segment": "KAM", "actions": [
...     {"action": "Kvartaalitapaaminen", "frequency": "1krt/kvartaali", "responsible": "asiakkuusvastaava"}]}]})
>>> a = plan.care_models[0].actions[0]
>>> a.frequency.token, a.frequency.per_year
('1krt/kvartaali', 4.0)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence, Union

import pandas as pd

from ..labels import label
from .common import ConstructError, Where, as_text, is_missing, line_of, norm
from .journey import JourneyStage, check_journey_stages, parse_journey
from .timeunits import (Frequency, FrequencyTokenError, Quarter, QuarterTokenError, looks_like_quarter,
                        parse_frequency, parse_quarter, quarter_range)

PLAN_KEYS = ("language", "title", "stages", "care_models", "timeline", "kam_plan", "roles", "templates",
             "checklist", "proposals", "journey")
MODEL_KEYS = ("segment", "title", "description", "roles", "actions")
ACTION_KEYS = ("id", "action", "content", "frequency", "responsible", "channel", "stage", "evidence", "note")
EVIDENCE_KEYS = ("codes", "themes", "trends")
TIMELINE_KEYS = ("title", "quarters", "rows")
ROW_KEYS = ("segment", "follow_up")
KAM_KEYS = ("segment", "accounts", "responsible", "sections", "values")
SECTION_KEYS = ("title", "fields")
ROLE_KEYS = ("name", "description", "tasks")
TEMPLATE_KEYS = ("id", "name", "trigger", "stage", "recipient", "subject", "body")
CHECKLIST_KEYS = ("title", "items")
PROPOSAL_KEYS = ("level", "proposal", "basis", "themes", "codes", "responsible")


# --------------------------------------------------------------------------- dataclasses

@dataclass
class Evidence:
    """Code and theme ids (a trend id is the id of the theme or code it stands for)."""

    codes: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    line: Optional[int] = None

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(self.codes + self.themes))

    def __bool__(self) -> bool:
        return bool(self.codes or self.themes)


@dataclass
class CareAction:
    action: str
    content: str = ""
    frequency: Optional[Frequency] = None
    responsible: str = ""
    channel: str = ""
    stages: list[str] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)
    note: str = ""
    id: str = ""
    line: Optional[int] = None


@dataclass
class CareModel:
    """The care model of one customer segment."""

    segment: str
    actions: list[CareAction]
    title: str = ""
    description: str = ""
    roles: list[str] = field(default_factory=list)
    line: Optional[int] = None
    path: Optional[str] = None

    def to_frame(self, lang: str = "fi") -> pd.DataFrame:
        return care_model_table([self], lang)


@dataclass
class TimelineRow:
    segment: str
    cells: dict[Quarter, str]
    follow_up: str = ""
    line: Optional[int] = None


@dataclass
class Timeline:
    """Quarterly rollout: rows per segment, one column per quarter, then responsibility."""

    quarters: list[Quarter]
    rows: list[TimelineRow]
    title: str = ""

    def header(self, lang: str = "fi") -> list[str]:
        return [""] + [str(q) for q in self.quarters] + [label("construct.follow_up", lang)]

    def table_rows(self) -> list[list[str]]:
        return [[r.segment] + [r.cells.get(q, "") for q in self.quarters] + [r.follow_up] for r in self.rows]

    def to_frame(self, lang: str = "fi") -> pd.DataFrame:
        return pd.DataFrame(self.table_rows(), columns=self.header(lang))


@dataclass
class KamSection:
    title: str
    fields: list[str]


@dataclass
class KamPlanSpec:
    """The KAM plan form: which segment's customers get one, and its sections and fields."""

    segment: Optional[str] = None
    accounts: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    sections: Optional[list[KamSection]] = None      # None: the default two sections
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    line: Optional[int] = None

    def resolved_sections(self, lang: str = "fi") -> list[KamSection]:
        if self.sections:
            return self.sections
        hist = ["organisation", "contracts", "orders", "invoicing", "contacts", "cooperation"]
        fut = ["needs", "forecast", "growth", "goals"]
        return [KamSection(label("construct.kam.history", lang), [label(f"construct.kam.f.{k}", lang) for k in hist]),
                KamSection(label("construct.kam.future", lang), [label(f"construct.kam.f.{k}", lang) for k in fut])]


@dataclass
class Role:
    name: str
    tasks: list[str]
    description: str = ""
    line: Optional[int] = None


_BLANK = re.compile(r"_{2,}")
_NAMED = re.compile(r"<([^<>\n]{1,60})>")


@dataclass
class RenderedMessage:
    subject: str
    recipient: str
    body: str

    def __str__(self) -> str:
        return f"{self.subject}\n{self.recipient}\n\n{self.body}"


@dataclass
class MessageTemplate:
    """A customer message: ``Otsikko:`` (subject), ``Viestin vastaanottaja:`` (recipient) and the
    body, with placeholders ``__`` (blanks, filled in order) and ``<name>`` (filled by name)."""

    id: str
    name: str
    subject: str = ""
    recipient: str = ""
    body: str = ""
    trigger: str = ""
    stage: str = ""
    line: Optional[int] = None

    def _parts(self) -> list[tuple[str, str]]:
        return [("subject", self.subject), ("recipient", self.recipient), ("body", self.body)]

    @property
    def placeholders(self) -> list[str]:
        """The named placeholders, in order of first appearance (``<asiakasnumero>`` → ``asiakasnumero``)."""
        out: list[str] = []
        for _, text in self._parts():
            for m in _NAMED.finditer(text):
                if m.group(1).strip() not in out:
                    out.append(m.group(1).strip())
        return out

    @property
    def blanks(self) -> int:
        """How many ``__`` blanks the template has (subject, recipient, body in that order)."""
        return sum(len(_BLANK.findall(text)) for _, text in self._parts())

    def render(self, values: Optional[dict] = None, blanks: Optional[Sequence[Any]] = None,
               lang: str = "fi") -> RenderedMessage:
        """Fill the placeholders: ``values`` by name, ``blanks`` in order.  A placeholder left
        unfilled (or an empty value) is an error naming it and the field it is in."""
        values = {norm(k).strip("<>"): v for k, v in (values or {}).items()}
        blanks = list(blanks or [])
        pos = 0
        out = {}
        field_labels = {"subject": "construct.subject", "recipient": "construct.recipient", "body": "construct.body"}
        for key, text in self._parts():
            def named(m, _key=key):
                name = m.group(1).strip()
                v = values.get(norm(name))
                if v is None or as_text(v).strip() == "":
                    raise ConstructError(
                        f"the template '{self.id}' has the placeholder <{name}> unfilled in "
                        f"'{label(field_labels[_key], lang)}'; give a value for {name}")
                return as_text(v)

            def blank(m, _key=key):
                nonlocal pos
                if pos >= len(blanks) or as_text(blanks[pos]).strip() == "":
                    raise ConstructError(
                        f"the template '{self.id}' has blank {pos + 1} (__) unfilled in "
                        f"'{label(field_labels[_key], lang)}'; it has {self.blanks} blanks, give "
                        f"{self.blanks} values in order")
                pos += 1
                return as_text(blanks[pos - 1])

            out[key] = _BLANK.sub(blank, _NAMED.sub(named, text))
        if pos < len(blanks):
            raise ConstructError(f"the template '{self.id}' has {self.blanks} blanks (__), but {len(blanks)} values "
                                 "were given; give one value per blank")
        return RenderedMessage(out["subject"], out["recipient"], out["body"])

    def field_rows(self, lang: str = "fi") -> list[list[str]]:
        return [[label("construct.subject", lang), self.subject],
                [label("construct.recipient", lang), self.recipient],
                [label("construct.body", lang), self.body]]


@dataclass
class Checklist:
    items: list[str]
    title: str = ""


@dataclass
class Proposal:
    level: str
    proposal: str
    basis: str = ""
    themes: list[str] = field(default_factory=list)
    responsible: str = ""
    line: Optional[int] = None


@dataclass
class CarePlan:
    """Everything in ``hoitomallit.yaml``; parts the file does not have are None."""

    care_models: Optional[list[CareModel]] = None
    timeline: Optional[Timeline] = None
    kam_plan: Optional[KamPlanSpec] = None
    roles: Optional[list[Role]] = None
    templates: Optional[list[MessageTemplate]] = None
    checklist: Optional[Checklist] = None
    proposals: Optional[list[Proposal]] = None
    journey: Optional[list[JourneyStage]] = None         # A20, see construct/journey.py
    stages: list[str] = field(default_factory=list)
    title: str = ""
    language: Optional[str] = None
    path: str = "<dict>"

    def template(self, template_id: str) -> MessageTemplate:
        for t in self.templates or []:
            if norm(t.id) == norm(template_id) or norm(t.name) == norm(template_id):
                return t
        known = ", ".join(t.id for t in self.templates or []) or "none"
        raise ConstructError(f"no message template '{template_id}'; the templates are {known}", path=self.path)


# --------------------------------------------------------------------------- parsing

def _evidence(raw: Any, where: Where, entry: dict, what: str) -> Evidence:
    if raw is None:
        return Evidence()
    line = line_of(entry, "evidence")
    if isinstance(raw, (list, str)):
        return Evidence(codes=where.texts(entry, "evidence", what), line=line)
    raw = where.mapping(raw, f"'evidence' of {what}", entry, "evidence")
    where.check_keys(raw, EVIDENCE_KEYS, f"'evidence' of {what}")
    themes = where.texts(raw, "themes", what) + where.texts(raw, "trends", what)
    return Evidence(codes=where.texts(raw, "codes", what), themes=themes, line=line)


def _frequency(entry: dict, where: Where, what: str) -> Optional[Frequency]:
    raw = entry.get("frequency")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_frequency(raw)
    except FrequencyTokenError as exc:
        raise where.fail(f"{what}: {exc}", entry, "frequency") from None


def _parse_model(entry: Any, i: int, items: list, where: Where) -> CareModel:
    entry = where.mapping(entry, f"care model {i + 1}", items, i)
    where.check_keys(entry, MODEL_KEYS, f"care model {i + 1}")
    segment = where.text(entry, "segment", f"care model {i + 1}", required=True)
    what = f"the care model of '{segment}'"
    raw_actions = where.sequence(entry.get("actions"), f"'actions' of {what}", entry, "actions")
    if not raw_actions:
        raise where.fail(f"{what} has no actions; list at least one action", entry,
                         "actions" if "actions" in entry else None)
    actions = []
    for j, a in enumerate(raw_actions):
        a = where.mapping(a, f"action {j + 1} of {what}", raw_actions, j)
        where.check_keys(a, ACTION_KEYS, f"action {j + 1} of {what}")
        name = where.text(a, "action", f"action {j + 1} of {what}", required=True)
        awhat = f"action '{name}' of {what}"
        actions.append(CareAction(
            action=name, content=where.text(a, "content", awhat), frequency=_frequency(a, where, awhat),
            responsible=where.text(a, "responsible", awhat), channel=where.text(a, "channel", awhat),
            stages=where.texts(a, "stage", awhat), evidence=_evidence(a.get("evidence"), where, a, awhat),
            note=where.text(a, "note", awhat), id=where.text(a, "id", awhat), line=line_of(a)))
    return CareModel(segment, actions, where.text(entry, "title", what), where.text(entry, "description", what),
                     where.texts(entry, "roles", what), line_of(entry), where.path)


def _parse_timeline(raw: Any, data: dict, where: Where) -> Timeline:
    raw = where.mapping(raw, "'timeline'", data, "timeline")
    where.check_keys(raw, TIMELINE_KEYS, "'timeline'")
    rows_raw = where.sequence(raw.get("rows"), "'rows' of the timeline", raw, "rows")
    if not rows_raw:
        raise where.fail("the timeline has no rows; give one row per segment", raw,
                         "rows" if "rows" in raw else None)
    quarters: list[Quarter] = []
    q_raw = raw.get("quarters")
    try:
        if isinstance(q_raw, str) and ".." in q_raw:
            first, last = q_raw.split("..", 1)
            quarters = quarter_range(first, last)
        elif q_raw is not None:
            items = where.sequence(q_raw, "'quarters' of the timeline", raw, "quarters", allow_scalar=True)
            for k, q in enumerate(items):
                try:
                    quarters.append(parse_quarter(q))
                except QuarterTokenError as exc:
                    raise where.fail(f"the timeline: {exc}", line=line_of(items, k) or line_of(raw, "quarters")) \
                        from None
    except QuarterTokenError as exc:
        raise where.fail(f"the timeline: {exc}", raw, "quarters") from None
    if q_raw is None:   # the quarters are the row keys that look like quarters, in time order
        found = set()
        for r in rows_raw:
            if isinstance(r, dict):
                for k in r:
                    if looks_like_quarter(k):
                        try:
                            found.add(parse_quarter(k))
                        except QuarterTokenError as exc:
                            raise where.fail(f"the timeline: {exc}", r, k) from None
        quarters = sorted(found)
    if not quarters:
        raise where.fail("the timeline has no quarters; give e.g. quarters: [Q3/2025, Q4/2025]", raw,
                         "quarters" if "quarters" in raw else None)
    if len(set(quarters)) != len(quarters):
        dup = next(q for q in quarters if quarters.count(q) > 1)
        raise where.fail(f"the quarter {dup} is listed twice in the timeline; keep one", raw, "quarters")
    if quarters != sorted(quarters):
        raise where.fail("the timeline's quarters must be in time order (e.g. Q3/2025, Q4/2025, Q1/2026)",
                         raw, "quarters")
    rows, seen = [], {}
    for i, r in enumerate(rows_raw):
        r = where.mapping(r, f"timeline row {i + 1}", rows_raw, i)
        segment = where.text(r, "segment", f"timeline row {i + 1}", required=True)
        if norm(segment) in seen:
            raise where.fail(f"the timeline has two rows for '{segment}'; merge them", r, "segment")
        seen[norm(segment)] = True
        cells: dict[Quarter, str] = {}
        for key, value in r.items():
            if key in ROW_KEYS:
                continue
            if not looks_like_quarter(key):
                raise where.fail(f"unknown key '{key}' in the timeline row of '{segment}'; use segment, "
                                 "follow_up and quarters like Q3/2025", r, key)
            try:
                q = parse_quarter(key)
            except QuarterTokenError as exc:
                raise where.fail(f"the timeline row of '{segment}': {exc}", r, key) from None
            if q not in quarters:
                raise where.fail(f"the timeline row of '{segment}' has {q}, which is not among the timeline's "
                                 f"quarters ({', '.join(map(str, quarters))}); add it to 'quarters' or remove it",
                                 r, key)
            if isinstance(value, (list, dict)):
                raise where.fail(f"the cell {q} of '{segment}' must be text", r, key)
            cells[q] = as_text(value).strip()
        for q in quarters:
            if not cells.get(q):
                raise where.fail(f"segment '{segment}' has no action for {q}; write 'Seuranta' or remove the "
                                 "quarter", r, str(q) if str(q) in r else None)
        rows.append(TimelineRow(segment, cells, where.text(r, "follow_up", f"timeline row '{segment}'"), line_of(r)))
    return Timeline(quarters, rows, where.text(raw, "title", "the timeline"))


def _parse_kam(raw: Any, data: dict, where: Where) -> KamPlanSpec:
    raw = where.mapping(raw, "'kam_plan'", data, "kam_plan")
    where.check_keys(raw, KAM_KEYS, "'kam_plan'")
    sections = None
    if raw.get("sections") is not None:
        items = where.sequence(raw["sections"], "'sections' of kam_plan", raw, "sections")
        sections = []
        for i, s in enumerate(items):
            s = where.mapping(s, f"KAM plan section {i + 1}", items, i)
            where.check_keys(s, SECTION_KEYS, f"KAM plan section {i + 1}")
            title = where.text(s, "title", f"KAM plan section {i + 1}", required=True)
            fields = where.texts(s, "fields", f"KAM plan section '{title}'")
            if not fields:
                raise where.fail(f"KAM plan section '{title}' has no fields; list the fields to fill in", s)
            sections.append(KamSection(title, fields))
        if not sections:
            raise where.fail("'sections' of kam_plan is empty; list sections or leave the key out", raw, "sections")
    values: dict[str, dict[str, str]] = {}
    if raw.get("values") is not None:
        vals = where.mapping(raw["values"], "'values' of kam_plan", raw, "values")
        for account, fields in vals.items():
            fields = where.mapping(fields, f"the values of account '{account}'", vals, account)
            values[str(account)] = {str(k): as_text(v) for k, v in fields.items()}
    return KamPlanSpec(where.text(raw, "segment", "kam_plan") or None, where.texts(raw, "accounts", "kam_plan"),
                       where.texts(raw, "responsible", "kam_plan"), sections, values, line_of(data, "kam_plan"))


def _parse_roles(raw: Any, data: dict, where: Where) -> list[Role]:
    items = where.sequence(raw, "'roles'", data, "roles")
    out = []
    for i, r in enumerate(items):
        r = where.mapping(r, f"role {i + 1}", items, i)
        where.check_keys(r, ROLE_KEYS, f"role {i + 1}")
        name = where.text(r, "name", f"role {i + 1}", required=True)
        tasks = where.texts(r, "tasks", f"the role '{name}'")
        if not tasks:
            raise where.fail(f"the role '{name}' has no tasks; list its tasks", r)
        out.append(Role(name, tasks, where.text(r, "description", f"the role '{name}'"), line_of(r)))
    return out


def _parse_templates(raw: Any, data: dict, where: Where) -> list[MessageTemplate]:
    items = where.sequence(raw, "'templates'", data, "templates")
    out, seen = [], set()
    for i, t in enumerate(items):
        t = where.mapping(t, f"template {i + 1}", items, i)
        where.check_keys(t, TEMPLATE_KEYS, f"template {i + 1}")
        tid = where.text(t, "id", f"template {i + 1}", required=True)
        if norm(tid) in seen:
            raise where.fail(f"two templates have the id '{tid}'; give each its own id", t, "id")
        seen.add(norm(tid))
        what = f"the template '{tid}'"
        tpl = MessageTemplate(tid, where.text(t, "name", what) or tid, where.text(t, "subject", what),
                              where.text(t, "recipient", what), where.text(t, "body", what, required=True),
                              where.text(t, "trigger", what), where.text(t, "stage", what), line_of(t))
        out.append(tpl)
    return out


def _parse_checklist(raw: Any, data: dict, where: Where) -> Checklist:
    if isinstance(raw, list):
        items = where.texts(data, "checklist", "the checklist")
        title = ""
    else:
        raw = where.mapping(raw, "'checklist'", data, "checklist")
        where.check_keys(raw, CHECKLIST_KEYS, "'checklist'")
        items = where.texts(raw, "items", "the checklist")
        title = where.text(raw, "title", "the checklist")
    if not items:
        raise where.fail("the checklist has no items; list the principles", data, "checklist")
    return Checklist(items, title)


def _parse_proposals(raw: Any, data: dict, where: Where) -> list[Proposal]:
    items = where.sequence(raw, "'proposals'", data, "proposals")
    out = []
    for i, p in enumerate(items):
        p = where.mapping(p, f"proposal {i + 1}", items, i)
        where.check_keys(p, PROPOSAL_KEYS, f"proposal {i + 1}")
        what = f"proposal {i + 1}"
        out.append(Proposal(where.text(p, "level", what, required=True), where.text(p, "proposal", what, required=True),
                            where.text(p, "basis", what), where.texts(p, "themes", what) + where.texts(p, "codes", what),
                            where.text(p, "responsible", what), line_of(p)))
    return out


def parse_plan(data: Any, path: str = "<dict>") -> CarePlan:
    """Validate and parse the content of ``hoitomallit.yaml`` (every part optional)."""
    where = Where(path)
    if data is None:
        return CarePlan(path=path)
    data = where.mapping(data, "the care model file")
    where.check_keys(data, PLAN_KEYS, "the care model file")
    plan = CarePlan(path=path, title=where.text(data, "title", "the care model file"),
                    language=where.text(data, "language", "the care model file") or None,
                    stages=where.texts(data, "stages", "the care model file"))
    if plan.language not in (None, "fi", "en"):
        raise where.fail(f"language must be fi or en, not '{plan.language}'", data, "language")
    if "care_models" in data:
        items = where.sequence(data["care_models"], "'care_models'", data, "care_models")
        if not items:
            raise where.fail("'care_models' is empty; give one care model per segment", data, "care_models")
        plan.care_models = [_parse_model(e, i, items, where) for i, e in enumerate(items)]
        seen: dict[str, int] = {}
        for m in plan.care_models:
            if norm(m.segment) in seen:
                raise where.fail(f"two care models for the segment '{m.segment}'; merge them", line=m.line)
            seen[norm(m.segment)] = 1
        if plan.stages:
            known = {norm(s) for s in plan.stages}
            for m in plan.care_models:
                for a in m.actions:
                    for s in a.stages:
                        if norm(s) not in known:
                            raise where.fail(f"the action '{a.action}' has the lifecycle stage '{s}', which is not "
                                             f"among the stages ({', '.join(plan.stages)}); fix it", line=a.line)
    if data.get("timeline") is not None:
        plan.timeline = _parse_timeline(data["timeline"], data, where)
    if data.get("kam_plan") is not None:
        plan.kam_plan = _parse_kam(data["kam_plan"], data, where)
    if data.get("roles") is not None:
        plan.roles = _parse_roles(data["roles"], data, where)
    if data.get("templates") is not None:
        plan.templates = _parse_templates(data["templates"], data, where)
    if data.get("checklist") is not None:
        plan.checklist = _parse_checklist(data["checklist"], data, where)
    if data.get("proposals") is not None:
        plan.proposals = _parse_proposals(data["proposals"], data, where)
    if data.get("journey") is not None:
        plan.journey = parse_journey(data["journey"], data, where)
        check_journey_stages(plan.journey, plan.stages, where)
    return plan


# --------------------------------------------------------------------------- checks

def check_segments(plan: CarePlan, segment_names: Iterable[str]) -> None:
    """Every segment named by a care model, the timeline or the KAM plan must be a segment
    of the segmentation."""
    names = list(segment_names)
    known = {norm(n): n for n in names}
    where = Where(plan.path)
    shown = ", ".join(names)

    def check(name: str, what: str, line: Optional[int]) -> None:
        if norm(name) not in known:
            raise where.fail(f"unknown segment '{name}' in {what}; the segmentation has {shown}", line=line)

    for m in plan.care_models or []:
        check(m.segment, "a care model", m.line)
    if plan.timeline:
        for r in plan.timeline.rows:
            check(r.segment, "the timeline", r.line)
    if plan.kam_plan and plan.kam_plan.segment:
        check(plan.kam_plan.segment, "kam_plan", plan.kam_plan.line)


def check_codes(plan: CarePlan, codebook) -> None:
    """Every code or theme id cited as evidence (or as a proposal's theme) must be in the codebook."""
    where = Where(plan.path)
    known = {c.id for c in codebook}
    for m in plan.care_models or []:
        for a in m.actions:
            for cid in a.evidence.ids:
                if cid not in known:
                    raise where.fail(f"unknown code id '{cid}' in the evidence of the action '{a.action}'; "
                                     "use a code or theme id of the codebook", line=a.evidence.line or a.line)
    for p in plan.proposals or []:
        for cid in p.themes:
            if cid not in known:
                raise where.fail(f"unknown code id '{cid}' in a proposal; use a code or theme id of the codebook",
                                 line=p.line)


# --------------------------------------------------------------------------- tables

def care_model_table(models: Sequence[CareModel], lang: str = "fi") -> pd.DataFrame:
    """A13: one row per action: ``Segmentti``, ``Toimenpide``, ``Sisältö``, ``Tiheys``, ``Vastuu``,
    ``Kanava``, ``Elinkaaren vaihe``."""
    cols = [label(k, lang) for k in ("construct.segment", "construct.action", "construct.content",
                                      "construct.frequency", "construct.responsible", "construct.channel",
                                      "construct.stage")]
    rows = []
    for m in models:
        for a in m.actions:
            rows.append([m.segment, a.action, a.content, a.frequency.label(lang) if a.frequency else "",
                         a.responsible, a.channel, ", ".join(a.stages)])
    return pd.DataFrame(rows, columns=cols)


def frequency_frame(models: Sequence[CareModel]) -> pd.DataFrame:
    """The structured frequencies: segment, action, token, times, unit, per_year."""
    rows = []
    for m in models:
        for a in m.actions:
            f = a.frequency
            rows.append({"segment": m.segment, "action": a.action, "token": f.token if f else None,
                         "times": f.times if f else None, "unit": f.unit if f else None,
                         "per_year": f.per_year if f else None})
    return pd.DataFrame(rows, columns=["segment", "action", "token", "times", "unit", "per_year"])


def stage_matrix(models: Sequence[CareModel], stages: Sequence[str] = ()) -> pd.DataFrame:
    """Lifecycle stage × segment: the actions done in each stage (actions without a stage are
    left out).  Stages follow ``stages`` when given, else their order of appearance."""
    order = list(stages)
    for m in models:
        for a in m.actions:
            for s in a.stages:
                if s not in order:
                    order.append(s)
    segs = [m.segment for m in models]
    out = pd.DataFrame("", index=pd.Index(order, name="stage"), columns=segs)
    for m in models:
        for a in m.actions:
            for s in a.stages:
                cell = out.at[s, m.segment]
                out.at[s, m.segment] = f"{cell}\n{a.action}" if cell else a.action
    return out


# --------------------------------------------------------------------------- evidence

EVIDENCE_COLUMNS = ["segment", "action", "evidence", "segments", "informants", "quotes", "quote_text"]


def _expand(ids: Iterable[str], codebook) -> set[str]:
    out: set[str] = set()
    for cid in ids:
        out.add(cid)
        if codebook is not None:
            stack = [cid]
            while stack:
                for child in codebook.children(stack.pop()):
                    if child.id not in out:
                        out.add(child.id)
                        stack.append(child.id)
    return out


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link_evidence(model: Union[CareModel, Sequence[CareModel], CarePlan, Any], codings: Optional[pd.DataFrame],
                  segments: Optional[pd.DataFrame] = None, codebook=None, *, max_quotes: int = 2,
                  include_suggested: bool = False, include_interviewer: bool = False) -> pd.DataFrame:
    """For each action that cites evidence: how many coded segments support it, which
    informants, and up to ``max_quotes`` quotes (each with its informant code).

    ``codings`` is the project's (resolved) codings frame; ``segments`` the segments frame
    (to leave out interviewer turns and fill in speakers); ``codebook`` expands a theme to
    its codes and validates the ids — an id that is neither in the codebook nor (without a
    codebook) in any coding is an error.  Columns: ``segment`` (customer segment),
    ``action``, ``evidence`` (the cited ids), ``segments`` (count), ``informants`` (list),
    ``quotes`` (list of ``{"quote", "informant"}``) and ``quote_text`` (formatted)."""
    from ..analysis import effective_codings
    from ..analysis.trends import representative_quote

    if isinstance(model, CareModel):
        models = [model]
    elif isinstance(model, CarePlan):
        models = model.care_models or []
    elif hasattr(model, "care_models") and not isinstance(model, (list, tuple)):
        models = model.care_models or []
    else:
        models = list(model)
    cods = codings if codings is not None else pd.DataFrame(columns=["segment_id", "code_id", "status"])
    if len(cods) and "status" in cods.columns:
        cods = effective_codings(cods, include_suggested=include_suggested)
    if codebook is not None:
        known = {c.id for c in codebook}
        hint = "use a code or theme id of the codebook"
    else:
        known = set(cods["code_id"]) if len(cods) else set()
        hint = "no coding uses it and no codebook was given to check it"
    seg_info: dict[int, tuple] = {}
    if segments is not None and len(segments):
        for r in segments.itertuples(index=False):
            seg_info[int(r.segment_id)] = (getattr(r, "speaker", None), bool(getattr(r, "is_interviewer", False)),
                                           getattr(r, "text", ""))
    rows = []
    for m in models:
        for a in m.actions:
            if not a.evidence:
                continue
            for cid in a.evidence.ids:
                if cid not in known:
                    raise ConstructError(f"unknown code id '{cid}' in the evidence of the action '{a.action}' "
                                         f"(segment '{m.segment}'); {hint}", path=m.path,
                                         line=a.evidence.line or a.line)
            wanted = _expand(a.evidence.ids, codebook)
            hits = cods[cods["code_id"].isin(wanted)] if len(cods) else cods
            by_segment: dict[int, tuple[str, str]] = {}
            for r in hits.to_dict("records"):
                sid = int(r["segment_id"])
                speaker, interviewer, text = seg_info.get(sid, (None, False, ""))
                if interviewer and not include_interviewer:
                    continue
                spk = r.get("speaker") if not is_missing(r.get("speaker")) else speaker
                quote = r.get("segment_text") if not is_missing(r.get("segment_text")) else None
                quote = quote or (r.get("quote") if not is_missing(r.get("quote")) else None) or text or ""
                by_segment.setdefault(sid, (as_text(spk), str(quote)))
            ordered = [by_segment[k] for k in sorted(by_segment)]
            informants = sorted({s for s, _ in ordered if s}, key=_natural)
            quotes: list[dict] = []
            pool = list(ordered)
            while pool and len(quotes) < max_quotes:
                used = {q["informant"] for q in quotes}
                candidates = [p for p in pool if p[0] not in used] or pool
                i = representative_quote([q for _, q in candidates])
                spk, q = candidates[i]
                quotes.append({"quote": _short(q), "informant": spk})
                pool.remove(candidates[i])
            rows.append({"segment": m.segment, "action": a.action, "evidence": a.evidence.ids,
                         "segments": len(ordered), "informants": informants, "quotes": quotes,
                         "quote_text": "\n".join(f"\u201d{q['quote']}\u201d ({q['informant']})" if q["informant"]
                                                 else f"\u201d{q['quote']}\u201d" for q in quotes)})
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)


def _natural(value: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(value)))
