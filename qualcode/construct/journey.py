"""The customer journey with its care touchpoints (A20): ``journey:`` in ``hoitomallit.yaml``
names the stages with their touchpoints and metrics; the care actions of each stage (the
care models' ``stage``) and the messages sent in it (the templates' ``stage``) fill the
other rows.  Stage columns × rows ``Kosketuspiste | Toimenpide | Viesti | Mittari``.

>>> from qualcode.construct.common import Where, parse_yaml
>>> data = parse_yaml("journey:\\n  - stage: uusi\\n    touchpoints: [sopimus]\\n    metrics: [NPS]\\n", "h.yaml")
>>> stages = parse_journey(data["journey"], data, Where("h.yaml"))
>>> journey_frame(stages, [], [], "fi").to_dict("list")
{'': ['Kosketuspiste', 'Toimenpide', 'Viesti', 'Mittari'], 'uusi': ['sopimus', '', '', 'NPS']}
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import pandas as pd

from ..labels import label
from .common import Where, line_of, norm

STAGE_KEYS = ("stage", "touchpoints", "metrics")
ROWS = ("touchpoint", "action", "message", "metric")


@dataclass
class JourneyStage:
    stage: str
    touchpoints: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    line: Optional[int] = None


def parse_journey(raw: Any, data: dict, where: Where) -> list[JourneyStage]:
    """``journey:`` a list of stages in journey order, each with ``touchpoints`` and ``metrics``."""
    items = where.sequence(raw, "'journey'", data, "journey")
    if not items:
        raise where.fail("'journey' is empty; list the stages of the customer journey", data, "journey")
    out, seen = [], set()
    for i, s in enumerate(items):
        what = f"journey stage {i + 1}"
        s = where.mapping(s, what, items, i)
        where.check_keys(s, STAGE_KEYS, what)
        name = where.text(s, "stage", what, required=True)
        if norm(name) in seen:
            raise where.fail(f"the journey has the stage '{name}' twice; merge them", s, "stage")
        seen.add(norm(name))
        out.append(JourneyStage(name, where.texts(s, "touchpoints", f"the stage '{name}'"),
                                where.texts(s, "metrics", f"the stage '{name}'"), line_of(s)))
    return out


def check_journey_stages(stages: Sequence[JourneyStage], known: Sequence[str], where: Where) -> None:
    """Every journey stage must be one of the plan's ``stages`` when the plan lists them."""
    names = {norm(s) for s in known}
    for s in stages:
        if names and norm(s.stage) not in names:
            raise where.fail(f"the journey stage '{s.stage}' is not among the stages ({', '.join(known)}); fix it",
                             line=s.line)


def journey_frame(stages: Sequence[JourneyStage], models: Sequence[Any], templates: Sequence[Any],
                  lang: str) -> pd.DataFrame:
    """Stage columns; rows touchpoints, care actions (``action (segment)``), messages and
    metrics, the items of one cell on lines of their own."""
    cells: dict[str, dict[str, list[str]]] = {s.stage: {"touchpoint": list(s.touchpoints), "action": [],
                                                         "message": [], "metric": list(s.metrics)} for s in stages}
    by_norm = {norm(s): s for s in cells}
    for m in models:
        for a in m.actions:
            for st in a.stages:
                if norm(st) in by_norm:
                    cells[by_norm[norm(st)]]["action"].append(f"{a.action} ({m.segment})")
    for t in templates:
        if t.stage and norm(t.stage) in by_norm:
            cells[by_norm[norm(t.stage)]]["message"].append(t.name)
    out = {"": [label(f"artefact.journey.{r}", lang) for r in ROWS]}
    for s, rows in cells.items():
        out[s] = ["\n".join(rows[r]) for r in ROWS]
    return pd.DataFrame(out)
