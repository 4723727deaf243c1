"""Pseudonymising what a report reads from the project's own files — the codebook, the
construct files (care models, message templates, checklists, plan forms …), the interview
frames, the type rules — once they are parsed: a copy of the object with every text in it
rewritten, identifiers left as they are so that the parts still refer to each other.

>>> from qualcode.model import Code, Codebook
>>> cb = Codebook([Code("alku", name="Alku", description="Matti Virtasen esimerkki")])
>>> new = pseudonymise_object(cb, lambda s: s.replace("Matti Virtasen", "H1:n"))
>>> new["alku"].description, cb["alku"].description
('H1:n esimerkki', 'Matti Virtasen esimerkki')
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import pandas as pd

#: fields whose texts are identifiers or settings, not prose: kept as they are (objects in
#: them are still walked)
KEPT_FIELDS = frozenset({
    "id", "parent", "code_id", "code_ids", "codes", "themes", "path", "color", "origin", "valence",
    "swot", "kind", "language", "segment", "stage", "stages", "rule", "unit_kind", "line",
})


def pseudonymise_object(value: Any, rewrite: Callable[[str], str], keep: bool = False) -> Any:
    """A copy of ``value`` (a dataclass, list, tuple, dict or text, nested) with ``rewrite``
    applied to every text, except those in :data:`KEPT_FIELDS` (and dict keys, which are
    identifiers; in a frame, every text cell); ``keep`` keeps this value's own texts.  Dataclasses are built again through
    their constructor, so indexes they keep (a codebook's codes by id) stay right; anything
    else (numbers, dates, paths) is returned as it is."""
    if isinstance(value, str):
        return value if keep else rewrite(value)
    if isinstance(value, list):
        return [pseudonymise_object(v, rewrite, keep) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(pseudonymise_object(v, rewrite, keep) for v in value)
    if isinstance(value, dict):
        return {k: pseudonymise_object(v, rewrite, keep) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_copy(value, rewrite)
    if isinstance(value, pd.DataFrame) and not keep:     # a customer list, a segmentation's table
        out = value.copy()
        for column in out.columns:
            if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
                out[column] = out[column].map(lambda v: rewrite(v) if isinstance(v, str) and v else v)
        return out
    return value


def _dataclass_copy(obj: Any, rewrite: Callable[[str], str]) -> Any:
    if getattr(type(obj), "__dataclass_params__").frozen:
        return obj                     # frozen values (frequencies, quarters) hold no prose
    values = {f.name: pseudonymise_object(getattr(obj, f.name), rewrite, f.name in KEPT_FIELDS)
              for f in dataclasses.fields(obj)}
    init = {f.name: values[f.name] for f in dataclasses.fields(obj) if f.init}
    new = type(obj)(**init)
    for f in dataclasses.fields(obj):
        if not f.init:
            setattr(new, f.name, values[f.name])
    return new
