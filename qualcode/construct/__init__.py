"""From findings to a customer care model: segmentation (A12), care models per segment
(A13) traceable to the coded data, KAM plan forms (A14), the quarterly timeline (A15),
role descriptions (A18), message templates (A19), the checklist of operating principles
(A24) and development proposals by level (A11).

Everything is read from files in the project folder:

* ``asiakkaat.csv`` / ``asiakkaat.xlsx`` — the customer list (one row per customer);
* ``segmentointi.yaml`` — segmentation rules or ABC tiers;
* ``hoitomallit.yaml`` — care models, timeline, KAM plan, roles, templates, checklist, proposals.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "asiakkaat.csv").write_text("asiakas,liikevaihto\\nAS-1,200000\\nAS-2,1000\\n", encoding="utf-8")
>>> _ = (root / "segmentointi.yaml").write_text(
...     "segments:\\n  - name: KAM\\n    when: {liikevaihto: '>=100000'}\\ndefault: Muut\\n", encoding="utf-8")
>>> c = load_constructs(root)
>>> c.segmentation.summary(), c.plan is None
('KAM 1 / Muut 1', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import pandas as pd

from ..labels import attribute_header, format_amount, label
from .care import (CareAction, CareModel, CarePlan, Checklist, Evidence, KamPlanSpec, KamSection, MessageTemplate,
                   Proposal, RenderedMessage, Role, Timeline, TimelineRow, care_model_table, check_codes,
                   check_segments, frequency_frame, link_evidence, parse_plan, stage_matrix)
from .common import ConstructError, as_text, norm, read_yaml
from .journey import JourneyStage, journey_frame
from .records import (CURRENT_STATE_FILES, MATURITY_FILES, WORKGROUP_FILES, WORKSHOP_FILES, CurrentState, Maturity,
                      Workgroup, Workshop, current_state_frame, current_state_from_workshops, maturity_frame,
                      parse_current_state, parse_maturity, parse_workgroups, parse_workshops, workgroups_frame,
                      workshops_frame)
from .research import (EVENT_FILES, RELIABILITY_FILES, Event, ReliabilityAnswers, StudyFacts, anonymisation_text,
                       parse_events, parse_reliability, process_frame, reliability_facts, reliability_frame)
from .segmentation import (Segmentation, SegmentationSpec, find_customer_file, load_customers,
                           parse_segmentation, segment_customers, to_number)
from .timeunits import (ALLOWED_FREQUENCIES, Frequency, FrequencyTokenError, Quarter, QuarterTokenError,
                        parse_frequency, parse_quarter, quarter_range)

__all__ = [
    "Constructs", "load_constructs", "KamPlanForm", "ConstructError",
    "Segmentation", "SegmentationSpec", "parse_segmentation", "segment_customers", "load_customers",
    "find_customer_file", "to_number",
    "CarePlan", "CareModel", "CareAction", "Evidence", "Timeline", "TimelineRow", "KamPlanSpec", "KamSection",
    "Role", "MessageTemplate", "RenderedMessage", "Checklist", "Proposal", "parse_plan", "care_model_table",
    "frequency_frame", "stage_matrix", "link_evidence", "check_segments", "check_codes",
    "Frequency", "FrequencyTokenError", "parse_frequency", "ALLOWED_FREQUENCIES",
    "Quarter", "QuarterTokenError", "parse_quarter", "quarter_range",
    "SEGMENTATION_FILES", "PLAN_FILES",
    # the researcher's records and the research process (A10, A16, A17, A20, A21, A26, A29)
    "Records", "Workshop", "CurrentState", "Workgroup", "Maturity", "Event", "ReliabilityAnswers", "JourneyStage",
    "workshops_frame", "current_state_frame", "workgroups_frame", "maturity_frame", "journey_frame",
    "process_frame", "reliability_facts", "reliability_frame", "RECORD_FILES", "StudyFacts", "anonymisation_text",
]

PathLike = Union[str, Path]

SEGMENTATION_FILES = ("segmentointi.yaml", "segmentointi.yml", "segmentation.yaml", "segmentation.yml")
PLAN_FILES = ("hoitomallit.yaml", "hoitomallit.yml", "care_models.yaml", "care_models.yml")


#: The optional record files: part of :class:`Records` → the file names read for it.
RECORD_FILES = {"workshops": WORKSHOP_FILES, "current_state": CURRENT_STATE_FILES, "workgroups": WORKGROUP_FILES,
                "maturity": MATURITY_FILES, "events": EVENT_FILES, "reliability": RELIABILITY_FILES}
_RECORD_PARSERS = {"workshops": parse_workshops, "current_state": parse_current_state,
                   "workgroups": parse_workgroups, "maturity": parse_maturity, "events": parse_events,
                   "reliability": parse_reliability}


@dataclass
class Records:
    """The researcher's records of the development work and the research process, each
    None when its file is absent: workshops (A16), the current state (A10), workgroups
    (A17), the maturity assessment (A26), the research events (A21) and the answers of the
    reliability and ethics evaluation (A29)."""

    workshops: Optional[list[Workshop]] = None
    current_state_file: Optional[CurrentState] = None
    workgroups: Optional[list[Workgroup]] = None
    maturity: Optional[Maturity] = None
    events: Optional[list[Event]] = None
    reliability: Optional[ReliabilityAnswers] = None

    def current_state(self, lang: str = "fi") -> Optional[CurrentState]:
        """A10 from ``nykytila.yaml``, else from the workshop records' current-state sections."""
        if self.current_state_file is not None:
            return self.current_state_file
        return current_state_from_workshops(self.workshops or [], lang)

    def is_empty(self) -> bool:
        return all(getattr(self, k) is None for k in ("workshops", "current_state_file", "workgroups",
                                                      "maturity", "events", "reliability"))


def read_records(root: Path, files: Optional[dict] = None) -> Records:
    """Read the record files found in ``root`` (see :data:`RECORD_FILES`); ``files`` collects
    the paths read."""
    out = Records()
    for part, names in RECORD_FILES.items():
        path = _first(root, names)
        if path is None:
            continue
        value = _RECORD_PARSERS[part](read_yaml(path), str(path))
        setattr(out, "current_state_file" if part == "current_state" else part, value)
        if files is not None:
            files[part] = path
    return out


def _first(root: Path, names: tuple) -> Optional[Path]:
    for n in names:
        if (root / n).is_file():
            return root / n
    return None


@dataclass
class KamPlanForm:
    """One key account's plan as a fill-in form: basic data (prefilled from the customer
    list) and the sections with their fields (prefilled from ``kam_plan.values``)."""

    account: str
    name: str
    basics: list[tuple[str, Any]]
    sections: list[tuple[str, list[tuple[str, str]]]]

    @property
    def display(self) -> str:
        return f"{self.account} {self.name}".strip()

    def to_frame(self) -> pd.DataFrame:
        rows = [(label_, f, v) for label_, fields in [("", self.basics)] + self.sections for f, v in fields]
        return pd.DataFrame(rows, columns=["section", "field", "value"])


def _attribute_fields(row, columns, lang: str) -> list[tuple[str, str]]:
    """A customer's own attributes as a KAM form shows them: the catalogue's header
    (``Liikevaihto (€)``) and the value, amounts grouped as in the tables (``392 000``)."""
    fields = []
    for col in columns:
        value = row[col]
        value = value.item() if hasattr(value, "item") else value    # numpy → Python
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
        shown = (format_amount(value, lang, 0 if float(value).is_integer() else 1) if number
                 else as_text(value))
        fields.append((attribute_header(col, lang), shown))
    return fields


@dataclass
class Constructs:
    """The construct files of a project; a part is None when its file is absent.

    ``evidence`` is filled by :meth:`link` (or by assigning :func:`link_evidence`'s result)."""

    root: Optional[Path] = None
    customers: Optional[pd.DataFrame] = None
    segmentation: Optional[Segmentation] = None
    plan: Optional[CarePlan] = None
    language: str = "fi"
    evidence: Optional[pd.DataFrame] = None
    files: dict[str, Path] = field(default_factory=dict)
    records: Records = field(default_factory=Records)
    #: agreement figures and privacy settings for the reliability section (set for reports)
    facts: Optional[StudyFacts] = None

    # -- the plan's parts -----------------------------------------------------------
    @property
    def care_models(self) -> Optional[list[CareModel]]:
        return self.plan.care_models if self.plan else None

    @property
    def timeline(self) -> Optional[Timeline]:
        return self.plan.timeline if self.plan else None

    @property
    def kam_plan(self) -> Optional[KamPlanSpec]:
        return self.plan.kam_plan if self.plan else None

    @property
    def roles(self) -> Optional[list[Role]]:
        return self.plan.roles if self.plan else None

    @property
    def templates(self) -> Optional[list[MessageTemplate]]:
        return self.plan.templates if self.plan else None

    @property
    def checklist(self) -> Optional[Checklist]:
        return self.plan.checklist if self.plan else None

    @property
    def proposals(self) -> Optional[list[Proposal]]:
        return self.plan.proposals if self.plan else None

    @property
    def journey(self) -> Optional[list[JourneyStage]]:
        return self.plan.journey if self.plan else None

    def is_empty(self) -> bool:
        return self.segmentation is None and self.plan is None and self.records.is_empty()

    def stage_matrix(self) -> pd.DataFrame:
        """Lifecycle stage × segment: the care actions done in each stage (see :func:`stage_matrix`)."""
        return stage_matrix(self.care_models or [], self.plan.stages if self.plan else ())

    def journey_table(self, lang: Optional[str] = None) -> Optional[pd.DataFrame]:
        """A20: journey stages × touchpoints, care actions, messages and metrics (None without
        ``journey`` in the care model file)."""
        if not self.journey:
            return None
        return journey_frame(self.journey, self.care_models or [], self.templates or [], lang or self.language)

    # -- derived --------------------------------------------------------------------
    def care_table(self, lang: Optional[str] = None) -> pd.DataFrame:
        return care_model_table(self.care_models or [], lang or self.language)

    def kam_segment(self) -> Optional[str]:
        spec = self.kam_plan
        if spec is None:
            return None
        if spec.segment:
            return spec.segment
        if self.segmentation is not None:
            for n in self.segmentation.names:
                if norm(n).startswith("kam") or norm(n) in ("avainasiakkaat", "key accounts"):
                    return n
        return None

    def kam_accounts(self) -> list[str]:
        """The key accounts: ``kam_plan.accounts``, else the customers of the KAM segment."""
        spec = self.kam_plan
        if spec is None:
            return []
        if spec.accounts:
            return list(spec.accounts)
        seg = self.kam_segment()
        if seg is None or self.segmentation is None:
            return []
        wanted = norm(seg)
        return [c for c, s in zip(self.segmentation.table["customer"], self.segmentation.table["segment"])
                if norm(s) == wanted]

    def kam_plans(self, lang: Optional[str] = None) -> list[KamPlanForm]:
        """One fill-in form per key account."""
        lang = lang or self.language
        spec = self.kam_plan
        if spec is None:
            return []
        responsible = list(spec.responsible)
        seg_name = self.kam_segment()
        if not responsible and seg_name and self.care_models:
            model = next((m for m in self.care_models if norm(m.segment) == norm(seg_name)), None)
            responsible = list(model.roles) if model else []
        forms = []
        table = self.segmentation.table if self.segmentation is not None else None
        for account in self.kam_accounts():
            basics: list[tuple[str, str]] = [(label("construct.customer", lang), account)]
            name = ""
            if table is not None:
                hit = table[table["customer"] == account]
                if len(hit):
                    row = hit.iloc[0]
                    name = self.segmentation.name_of(account)
                    basics.append((label("construct.segment", lang), as_text(row["segment"])))
                    basics.append((label("construct.basis", lang), as_text(row["basis"])))
                    basics += _attribute_fields(row, table.columns[3:], lang)
            if responsible:
                basics.append((label("construct.kam.responsible", lang), ", ".join(responsible)))
            values = spec.values.get(account, {})
            vals = {norm(k): v for k, v in values.items()}
            sections = [(s.title, [(f, vals.get(norm(f), "")) for f in s.fields])
                        for s in spec.resolved_sections(lang)]
            forms.append(KamPlanForm(account, name, basics, sections))
        return forms

    def link(self, frames: Any = None, *, codings: Optional[pd.DataFrame] = None,
             segments: Optional[pd.DataFrame] = None, codebook=None, include_suggested: Optional[bool] = None,
             max_quotes: int = 2) -> pd.DataFrame:
        """Link the care model actions to the coded data (see :func:`link_evidence`) and keep
        the result in ``self.evidence``.

        ``frames`` is the study's :class:`~qualcode.analysis.study.StudyFrames` (resolved
        codings, segments, codebook, ``include_suggested``); ``codings``, ``segments``,
        ``codebook`` and ``include_suggested`` given explicitly take precedence over it."""
        if frames is not None:
            if not isinstance(getattr(frames, "codings", None), pd.DataFrame):
                raise TypeError("link() takes the study frames (StudyFrames) or codings=, segments=, codebook=")
            codings = frames.codings if codings is None else codings
            segments = frames.segments if segments is None else segments
            codebook = frames.codebook if codebook is None else codebook
            if include_suggested is None:
                include_suggested = frames.include_suggested
        self.evidence = link_evidence(self.care_models or [], codings, segments, codebook, max_quotes=max_quotes,
                                      include_suggested=bool(include_suggested))
        return self.evidence

    def render(self, template_id: str, values: Optional[dict] = None, blanks=None) -> RenderedMessage:
        if self.plan is None or not self.plan.templates:
            raise ConstructError("there are no message templates; add 'templates' to hoitomallit.yaml")
        return self.plan.template(template_id).render(values, blanks, self.language)

    def __repr__(self) -> str:
        parts = []
        if self.segmentation is not None:
            parts.append(self.segmentation.summary())
        if self.care_models:
            parts.append(f"{len(self.care_models)} care models")
        return f"<Constructs {'; '.join(parts) or 'empty'}>"


def load_constructs(project_root: PathLike, codebook=None, lang: Optional[str] = None,
                    segmentation_file: Optional[PathLike] = None, plan_file: Optional[PathLike] = None,
                    customers_file: Optional[PathLike] = None) -> Constructs:
    """Read the construct files of a project folder and check them against each other:
    the segments the care models, timeline and KAM plan name must exist in the
    segmentation; KAM accounts must be customers; with ``codebook`` every cited code or
    theme id must be in it.  A part whose file is absent is None."""
    root = Path(project_root)
    if not root.is_dir():
        raise ConstructError("the project folder does not exist", path=str(root))
    files: dict[str, Path] = {}

    def resolve(p: Optional[PathLike]) -> Optional[Path]:
        if p is None:
            return None
        p = Path(p)
        p = p if p.is_absolute() or p.exists() else root / p
        if not p.is_file():
            raise ConstructError("the file does not exist; check the path", path=str(p))
        return p

    seg_path = resolve(segmentation_file) or _first(root, SEGMENTATION_FILES)
    plan_path = resolve(plan_file) or _first(root, PLAN_FILES)
    spec = parse_segmentation(read_yaml(seg_path), str(seg_path)) if seg_path else None
    cust_path = resolve(customers_file)
    if cust_path is None and spec is not None and spec.customers_file:
        cand = root / spec.customers_file
        if not cand.is_file():
            raise ConstructError(f"the customer list '{spec.customers_file}' named in the segmentation file does "
                                 "not exist; check the name", path=str(seg_path))
        cust_path = cand
    cust_path = cust_path or find_customer_file(root)
    plan = parse_plan(read_yaml(plan_path), str(plan_path)) if plan_path else None
    if lang is None:
        lang = plan.language if plan and plan.language else _project_language(root)
    customers = load_customers(cust_path) if cust_path else None
    segmentation = None
    if spec is not None:
        if customers is None:
            raise ConstructError("the segmentation needs a customer list; put asiakkaat.csv or asiakkaat.xlsx in "
                                 "the project folder or name it with 'customers:'", path=str(seg_path))
        segmentation = segment_customers(customers, spec, lang=lang)
    for key, p in (("segmentation", seg_path), ("plan", plan_path), ("customers", cust_path)):
        if p is not None:
            files[key] = p
    out = Constructs(root, customers, segmentation, plan, lang, files=files, records=read_records(root, files))
    if plan is not None:
        if segmentation is not None:
            check_segments(plan, segmentation.names)
        if codebook is not None:
            check_codes(plan, codebook)
        if plan.kam_plan is not None:
            known = set(segmentation.table["customer"]) if segmentation is not None else (
                {as_text(v) for v in customers.iloc[:, 0]} if customers is not None else None)
            for acc in plan.kam_plan.accounts:
                if known is not None and acc not in known:
                    raise ConstructError(f"the KAM account '{acc}' is not in the customer list; fix the id",
                                         path=plan.path, line=plan.kam_plan.line)
            if not plan.kam_plan.accounts and segmentation is not None and out.kam_segment() is None:
                raise ConstructError("kam_plan does not say which segment holds the key accounts; add "
                                     "'segment: KAM' (or list 'accounts')", path=plan.path, line=plan.kam_plan.line)
    return out


def _project_language(root: Path) -> str:
    try:
        from ..config import CONFIG_NAME, load_config

        cfg = root / CONFIG_NAME
        if cfg.is_file():
            return load_config(cfg).language
    except Exception:  # noqa: BLE001 - a broken config is reported by Project, not here
        pass
    return "fi"
