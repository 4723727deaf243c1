"""Typification (tyypittely) and type descriptions (tyyppikuvaukset).

Two ways to form types of informants:

* :func:`rule_types` — types the researcher defines with rules (a YAML-able dict);
* :func:`cluster_types` — types found in the data by clustering informants on their
  code profiles (agglomerative clustering with Jaccard distance, deterministic).

Both return a :class:`Typology`: per type its members, defining codes (share of
members with the code minus share of the other informants), representative quotes and
a generated type description, plus a comparison table of types × features.

Rule language (``spec``)::

    match: first                   # first (default): an informant gets the first type it
                                   # matches; all: every type it matches
    types:
      - name: Tyytyväinen kumppani # required, unique
        description: …             # optional, the researcher's own words
        rules:                     # every given rule must hold (AND); all are optional
          codes_all: [a, b]        # has every one of these codes
          codes_any: [c, d]        # has at least one of these codes
          codes_none: [e]          # has none of these codes
          attributes:              # informant-list columns
            segment: KAM           # equal (case-insensitive; numbers compare as numbers)
            role: [asiakas, kumppani]  # any of these values
            score: ">=8"           # comparison: >=, <=, >, <, ==, != and a number

"Has a code" means the informant speaks a segment with an effective coding of that
code or of any code below it in the hierarchy (so a theme id covers its codes).
Informants that match no type are *untyped*.

>>> import pandas as pd
>>> inf = pd.DataFrame({"code": ["H1", "H2", "H3"], "score": [9, 6, 10]})
>>> c = pd.DataFrame({"segment_id": [1, 2, 3], "code_id": ["kiitos", "moite", "kiitos"],
...                   "status": "accepted", "speaker": ["H1", "H2", "H3"]})
>>> spec = {"types": [{"name": "Tyytyväinen", "rules": {"codes_any": ["kiitos"],
...                                                     "attributes": {"score": ">=9"}}}]}
>>> t = rule_types(c, inf, spec)
>>> t.members("Tyytyväinen"), t.untyped
(['H1', 'H3'], ['H2'])
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..labels import label
from ..model import Codebook
from .themes import (code_name, code_order, informant_universe, natural_key,
                     prepare_codings, roll_up)

RULE_KEYS = ("codes_all", "codes_any", "codes_none", "attributes")
TYPE_KEYS = ("name", "rules", "description")
SPEC_KEYS = ("types", "match")
_OP = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:[.,]\d+)?)\s*$")


# --------------------------------------------------------------------------- result

@dataclass
class TypeInfo:
    """One type: its members and what characterises them."""

    name: str
    members: list[str]
    defining_codes: pd.DataFrame
    quotes: pd.DataFrame
    text: str
    description: str = ""
    rules: dict = field(default_factory=dict)


@dataclass
class Typology:
    """Types of informants (from rules or clustering).

    ``assignments`` has one row per (informant, type); untyped informants have type
    ``None``.  ``silhouette`` is the mean silhouette width of a clustering (``None``
    for rule types or when undefined).
    """

    types: list[TypeInfo]
    assignments: pd.DataFrame
    comparison_table: pd.DataFrame
    method: str = "rules"
    silhouette: Optional[float] = None
    lang: str = "fi"

    @property
    def untyped(self) -> list[str]:
        """Informants that got no type."""
        a = self.assignments
        return [i for i in a.loc[a["type"].isna(), "informant"]]

    def names(self) -> list[str]:
        """Type names, in order."""
        return [t.name for t in self.types]

    def get(self, name: str) -> TypeInfo:
        """The type called ``name`` (``KeyError`` when there is none)."""
        for t in self.types:
            if t.name == name:
                return t
        raise KeyError(name)

    def members(self, name: str) -> list[str]:
        """Informant codes of the type called ``name``."""
        return list(self.get(name).members)

    def descriptions(self) -> dict[str, str]:
        """Generated type descriptions, ``{type name: text}``."""
        return {t.name: t.text for t in self.types}

    def comparison(self) -> pd.DataFrame:
        """Types × features: ``n`` members, then the share of members with each code
        (and each attribute value / the mean of a numeric attribute)."""
        return self.comparison_table.copy()

    def to_frame(self) -> pd.DataFrame:
        """One row per type: ``type``, ``n``, ``members`` ("H1, H2"), ``defining_codes``
        (ids, strongest first), ``description`` (researcher's) and ``text`` (generated)."""
        rows = [{"type": t.name, "n": len(t.members), "members": ", ".join(t.members),
                 "defining_codes": ", ".join(t.defining_codes["code_id"]),
                 "description": t.description, "text": t.text} for t in self.types]
        return pd.DataFrame(rows, columns=["type", "n", "members", "defining_codes",
                                           "description", "text"])

    def __repr__(self) -> str:
        return (f"Typology({self.method}, {len(self.types)} types, "
                f"{len(self.untyped)} untyped)")

    def _repr_html_(self) -> str:
        parts = []
        for t in self.types:
            parts.append(f"<h4>{html.escape(t.name)}</h4><p>{html.escape(t.text)}</p>")
        if self.silhouette is not None:
            parts.append(f"<p>silhouette = {self.silhouette:.3f}</p>")
        if self.untyped:
            parts.append(f"<p>{html.escape(label('analysis.type.untyped', self.lang))}: "
                         f"{html.escape(', '.join(self.untyped))}</p>")
        parts.append(self.comparison_table.to_html(float_format=lambda v: f"{v:.2f}"))
        return "\n".join(parts)


# --------------------------------------------------------------------------- validation

def _as_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise QualcodeError(f"{where} must be a list of code ids")


def _parse_condition(value: Any, where: str):
    """A condition as ``(op, operand)``: ``("in", [..])``, ``("eq", x)`` or a comparison."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise QualcodeError(f"{where} is an empty list; give at least one value")
        return ("in", list(value))
    if isinstance(value, str):
        m = _OP.match(value)
        if m:
            return (m.group(1), float(m.group(2).replace(",", ".")))
        if value.strip()[:1] in "<>=!" and value.strip():
            raise QualcodeError(f"{where}: cannot read the comparison {value!r}; "
                                "write e.g. '>=8' or '<5'")
    if isinstance(value, Mapping) or value is None:
        raise QualcodeError(f"{where} must be a value, a list of values or a comparison like '>=8'")
    return ("eq", value)


def validate_type_rules(spec: Any, codebook: Optional[Codebook] = None,
                        informants: Optional[pd.DataFrame] = None) -> dict:
    """Check a type specification and return it normalised (``match`` plus ``types``, each
    with ``name``, ``description`` and parsed ``rules``).  Errors name the type and rule.

    >>> validate_type_rules({"types": [{"name": "A", "rules": {"codes_al": ["x"]}}]})
    Traceback (most recent call last):
    ...
    qualcode.errors.QualcodeError: type 'A': unknown rule 'codes_al'; use one of codes_all, codes_any, codes_none, attributes
    """
    if isinstance(spec, (list, tuple)):
        spec = {"types": list(spec)}
    if not isinstance(spec, Mapping):
        raise QualcodeError("a type specification must be a mapping with a 'types' list")
    unknown = [k for k in spec if k not in SPEC_KEYS]
    if unknown:
        raise QualcodeError(f"unknown key {unknown[0]!r} in the type specification; "
                            f"use {', '.join(SPEC_KEYS)}")
    match = spec.get("match", "first")
    if match not in ("first", "all"):
        raise QualcodeError(f"match must be 'first' or 'all', not {match!r}")
    types = spec.get("types")
    if not isinstance(types, (list, tuple)):
        raise QualcodeError("the type specification needs a 'types' list")
    out, names = [], set()
    for i, t in enumerate(types, 1):
        if not isinstance(t, Mapping):
            raise QualcodeError(f"type number {i} must be a mapping with a name and rules")
        name = t.get("name")
        if not isinstance(name, str) or not name.strip():
            raise QualcodeError(f"type number {i} has no name")
        where = f"type {name!r}"
        if name in names:
            raise QualcodeError(f"{where} is defined twice; type names must be unique")
        names.add(name)
        bad = [k for k in t if k not in TYPE_KEYS]
        if bad:
            raise QualcodeError(f"{where}: unknown key {bad[0]!r}; use {', '.join(TYPE_KEYS)}")
        rules = t.get("rules") or {}
        if not isinstance(rules, Mapping):
            raise QualcodeError(f"{where}: 'rules' must be a mapping")
        for key in rules:
            if key not in RULE_KEYS:
                raise QualcodeError(f"{where}: unknown rule {key!r}; use one of {', '.join(RULE_KEYS)}")
        parsed: dict[str, Any] = {}
        for key in ("codes_all", "codes_any", "codes_none"):
            codes = _as_list(rules.get(key), f"{where}, rule {key}")
            if codebook is not None and len(codebook):
                for cid in codes:
                    if cid not in codebook:
                        raise QualcodeError(f"{where}, rule {key}: code {cid!r} is not in the codebook")
            parsed[key] = codes
        attrs = rules.get("attributes") or {}
        if not isinstance(attrs, Mapping):
            raise QualcodeError(f"{where}, rule attributes must map attribute names to conditions")
        parsed["attributes"] = {}
        for attr, cond in attrs.items():
            w = f"{where}, rule attributes.{attr}"
            if informants is not None and len(informants) and attr not in informants.columns:
                raise QualcodeError(f"{w}: the informant list has no attribute {attr!r}")
            parsed["attributes"][str(attr)] = _parse_condition(cond, w)
        desc = t.get("description") or ""
        out.append({"name": name, "description": str(desc).strip(), "rules": parsed,
                    "raw_rules": dict(rules)})
    return {"match": match, "types": out}


# --------------------------------------------------------------------------- profiles

def _num(value: Any) -> Optional[float]:
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _holds(cond: tuple, value: Any) -> bool:
    op, operand = cond
    if is_missing(value):
        return False
    if op == "in":
        return any(_holds(("eq", v), value) for v in operand)
    if op == "eq":
        a, b = _num(value), _num(operand)
        if a is not None and b is not None:
            return a == b
        return str(value).strip().casefold() == str(operand).strip().casefold()
    x = _num(value)
    if x is None:
        return False
    return {">=": x >= operand, "<=": x <= operand, ">": x > operand, "<": x < operand,
            "==": x == operand, "!=": x != operand}[op]


def _profiles(cods: pd.DataFrame, universe: list[str], codebook: Optional[Codebook],
              with_ancestors: bool) -> dict[str, set]:
    prof: dict[str, set] = {i: set() for i in universe}
    for spk, cid in zip(cods["speaker"], cods["code_id"]):
        if spk in prof:
            prof[spk].add(cid)
            if with_ancestors and codebook is not None and cid in codebook:
                prof[spk].update(codebook.ancestors(cid))
    return prof


def _attr_table(informants: Optional[pd.DataFrame], universe: list[str]) -> dict[str, dict]:
    if informants is None or not len(informants) or "code" not in informants.columns:
        return {i: {} for i in universe}
    recs = {str(r["code"]): r for r in informants.to_dict("records") if not is_missing(r.get("code"))}
    return {i: recs.get(i, {}) for i in universe}


# --------------------------------------------------------------------------- type details

def _defining(members: list[str], universe: list[str], prof: dict[str, set], codes: list[str],
              codebook: Optional[Codebook], n_codes: int, min_share: float) -> pd.DataFrame:
    cols = ["code_id", "name", "share_in", "share_out", "difference"]
    others = [i for i in universe if i not in set(members)]
    rows = []
    for pos, cid in enumerate(codes):
        if not members:
            break
        share_in = sum(cid in prof.get(m, ()) for m in members) / len(members)
        share_out = (sum(cid in prof.get(o, ()) for o in others) / len(others)) if others else 0.0
        diff = share_in - share_out
        if share_in >= min_share and diff > 0:
            rows.append({"code_id": cid, "name": code_name(codebook, cid), "share_in": share_in,
                         "share_out": share_out, "difference": diff, "_pos": pos})
    rows.sort(key=lambda r: (-round(r["difference"], 12), -r["share_in"], r["_pos"]))
    out = pd.DataFrame(rows[:n_codes], columns=cols + ["_pos"]).drop(columns="_pos")
    return out.astype({"share_in": "float64", "share_out": "float64", "difference": "float64"})


def _quotes(cods: pd.DataFrame, members: list[str], defining: pd.DataFrame, n_quotes: int) -> pd.DataFrame:
    cols = ["code_id", "speaker", "segment_id", "quote"]
    if not len(defining) or not len(cods) or n_quotes <= 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    pool = cods[cods["speaker"].isin(members) & cods["code_id"].isin(list(defining["code_id"]))]
    pool = pool.drop_duplicates(["segment_id", "code_id"])
    chosen, used_segments, used_speakers = [], set(), set()
    by_code: dict = {}          # each code's codings, from one pass over the pool
    for r in pool[cols].to_dict("records"):
        by_code.setdefault(r["code_id"], []).append(r)
    candidates = [sorted(by_code.get(cid, []), key=lambda r: (natural_key(r["speaker"]), r["segment_id"]))
                  for cid in defining["code_id"]]
    # first pass: one quote per defining code, preferring a speaker not yet quoted
    for recs in candidates:
        fresh = [r for r in recs if r["segment_id"] not in used_segments]
        pick = next((r for r in fresh if r["speaker"] not in used_speakers), fresh[0] if fresh else None)
        if pick is not None and len(chosen) < n_quotes:
            chosen.append(pick)
            used_segments.add(pick["segment_id"])
            used_speakers.add(pick["speaker"])
    # then fill up in code order
    for recs in candidates:
        for r in recs:
            if len(chosen) >= n_quotes:
                break
            if r["segment_id"] not in used_segments:
                chosen.append(r)
                used_segments.add(r["segment_id"])
    return pd.DataFrame([{c: r[c] for c in cols} for r in chosen], columns=cols)


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + label("analysis.and", lang) + items[-1]


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe_type(members: list[str], defining: pd.DataFrame, quotes: pd.DataFrame,
                  description: str = "", lang: str = "fi") -> str:
    """A short templated type description (tyyppikuvaus) in ``lang``.

    >>> import pandas as pd
    >>> d = pd.DataFrame({"code_id": ["a"], "name": ["Viestinnän puute"], "share_in": [1.0]})
    >>> describe_type(["H1", "H2"], d, pd.DataFrame(columns=["quote", "speaker"]))
    'Tyyppiin kuuluu 2 haastateltavaa (H1, H2). Heille tyypillistä on Viestinnän puute (2/2).'
    """
    n = len(members)
    if n == 0:
        return label("analysis.type.members_none", lang)
    key = "analysis.type.members_one" if n == 1 else "analysis.type.members"
    parts = [label(key, lang, n=n, members=", ".join(members))]
    if len(defining):
        feats = [f"{r['name']} ({int(round(r['share_in'] * n))}/{n})" for _, r in defining.iterrows()]
        key = "analysis.type.typical_one" if n == 1 else "analysis.type.typical"
        parts.append(label(key, lang, features=_join(feats, lang)))
    else:
        parts.append(label("analysis.type.no_features", lang))
    if description:
        parts.append(description if description.endswith((".", "!", "?")) else description + ".")
    if len(quotes):
        q = quotes.iloc[0]
        parts.append(label("analysis.type.example", lang, quote=f"\u201d{_short(q['quote'])}\u201d",
                           speaker=q["speaker"] if q["speaker"] is not None else "?"))
    return " ".join(parts)


def _comparison(types: list[tuple[str, list[str]]], prof: dict[str, set], codes: list[str],
                attrs: dict[str, dict], attributes: list[str]) -> pd.DataFrame:
    rows, index = [], []
    attr_values: dict[str, list] = {}
    numeric: dict[str, bool] = {}
    for a in attributes:
        vals = [r.get(a) for r in attrs.values() if not is_missing(r.get(a))]
        numeric[a] = bool(vals) and all(_num(v) is not None for v in vals)
        attr_values[a] = sorted({str(v) for v in vals}, key=natural_key)
    for name, members in types:
        n = len(members)
        row: dict[str, Any] = {"n": n}
        for cid in codes:
            row[cid] = (sum(cid in prof.get(m, ()) for m in members) / n) if n else 0.0
        for a in attributes:
            if numeric[a]:
                nums = [_num(attrs.get(m, {}).get(a)) for m in members]
                nums = [x for x in nums if x is not None]
                row[f"{a} (mean)"] = float(np.mean(nums)) if nums else float("nan")
            else:
                for v in attr_values[a]:
                    hit = sum(str(attrs.get(m, {}).get(a)) == v and not is_missing(attrs.get(m, {}).get(a))
                              for m in members)
                    row[f"{a}={v}"] = hit / n if n else 0.0
        rows.append(row)
        index.append(name)
    columns = ["n"] + codes
    for a in attributes:
        columns += [f"{a} (mean)"] if numeric[a] else [f"{a}={v}" for v in attr_values[a]]
    out = pd.DataFrame(rows, index=pd.Index(index, name="type", dtype=object), columns=columns)
    return out.astype({"n": "int64"}) if len(out) else out


def _build(method: str, named: list[tuple[str, list[str], str, dict]], assignments: list[tuple[str, Optional[str]]],
           universe: list[str], cods: pd.DataFrame, codebook: Optional[Codebook], level: str,
           informants: Optional[pd.DataFrame], attributes: list[str], n_codes: int, n_quotes: int,
           min_share: float, lang: str, silhouette: Optional[float] = None) -> Typology:
    prof = _profiles(cods, universe, codebook, with_ancestors=False)
    used = [c for c in code_order(codebook, cods.loc[cods["speaker"].isin(universe), "code_id"], level,
                                  include_unused=False)]
    attrs = _attr_table(informants, universe)
    infos = []
    for name, members, desc, rules in named:
        defining = _defining(members, universe, prof, used, codebook, n_codes, min_share)
        quotes = _quotes(cods, members, defining, n_quotes)
        infos.append(TypeInfo(name=name, members=members, defining_codes=defining, quotes=quotes,
                              text=describe_type(members, defining, quotes, desc, lang),
                              description=desc, rules=rules))
    comp = _comparison([(n, m) for n, m, _, _ in named], prof, used, attrs, attributes)
    assign = pd.DataFrame(assignments, columns=["informant", "type"], dtype=object)
    return Typology(types=infos, assignments=assign, comparison_table=comp, method=method,
                    silhouette=silhouette, lang=lang)


# --------------------------------------------------------------------------- rule types

def rule_types(codings: Optional[pd.DataFrame], informants: Optional[pd.DataFrame], spec: Any,
               codebook: Optional[Codebook] = None, *, match: Optional[str] = None,
               segments: Optional[pd.DataFrame] = None, attributes: Optional[list[str]] = None,
               include_suggested: bool = False, n_codes: int = 3, n_quotes: int = 3,
               min_share: float = 0.5, lang: str = "fi") -> Typology:
    """Types defined by rules (see the module docstring for the rule language).

    ``match`` (``first``/``all``) overrides the spec's ``match``.  ``attributes`` are
    the informant columns shown in the comparison table (default: those the rules use).

    >>> import pandas as pd
    >>> inf = pd.DataFrame({"code": ["H1", "H2"], "segment": ["KAM", "muu"]})
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["a", "a"], "status": "accepted",
    ...                   "speaker": ["H1", "H2"]})
    >>> spec = {"types": [{"name": "KAM", "rules": {"attributes": {"segment": "kam"}}},
    ...                   {"name": "Kaikki A", "rules": {"codes_all": ["a"]}}]}
    >>> rule_types(c, inf, spec).assignments.values.tolist()
    [['H1', 'KAM'], ['H2', 'Kaikki A']]
    >>> rule_types(c, inf, spec, match="all").assignments.values.tolist()
    [['H1', 'KAM'], ['H1', 'Kaikki A'], ['H2', 'Kaikki A']]
    """
    norm = validate_type_rules(spec, codebook, informants)
    mode = match or norm["match"]
    if mode not in ("first", "all"):
        raise QualcodeError(f"match must be 'first' or 'all', not {mode!r}")
    cods = prepare_codings(codings, segments, include_suggested)
    universe = informant_universe(informants, segments, cods)
    prof = _profiles(cods, universe, codebook, with_ancestors=True)
    attrs = _attr_table(informants, universe)
    members: dict[str, list[str]] = {t["name"]: [] for t in norm["types"]}
    assignments: list[tuple[str, Optional[str]]] = []
    for inf in universe:
        hits = []
        for t in norm["types"]:
            r = t["rules"]
            have = prof[inf]
            ok = (all(c in have for c in r["codes_all"])
                  and (not r["codes_any"] or any(c in have for c in r["codes_any"]))
                  and not any(c in have for c in r["codes_none"])
                  and all(_holds(cond, attrs[inf].get(a)) for a, cond in r["attributes"].items()))
            if ok:
                hits.append(t["name"])
                if mode == "first":
                    break
        for h in hits:
            members[h].append(inf)
            assignments.append((inf, h))
        if not hits:
            assignments.append((inf, None))
    if attributes is None:
        attributes = list(dict.fromkeys(a for t in norm["types"] for a in t["rules"]["attributes"]))
        if informants is not None:
            attributes = [a for a in attributes if a in informants.columns]
    named = [(t["name"], members[t["name"]], t["description"], t["raw_rules"]) for t in norm["types"]]
    return _build("rules", named, assignments, universe, cods, codebook, "code", informants,
                  attributes, n_codes, n_quotes, min_share, lang)


# --------------------------------------------------------------------------- clustering

def _silhouette(dist: np.ndarray, labels: np.ndarray) -> Optional[float]:
    """Mean silhouette width from a square distance matrix (singletons score 0)."""
    n = len(labels)
    ks = np.unique(labels)
    if len(ks) < 2 or len(ks) >= n:
        return None
    scores = []
    for i in range(n):
        same = labels == labels[i]
        if same.sum() == 1:
            scores.append(0.0)
            continue
        a = dist[i, same & (np.arange(n) != i)].mean()
        b = min(dist[i, labels == k].mean() for k in ks if k != labels[i])
        scores.append(0.0 if max(a, b) == 0 else (b - a) / max(a, b))
    return float(np.mean(scores))


def jaccard_distances(x: np.ndarray) -> np.ndarray:
    """The square Jaccard distance matrix of the rows of the boolean matrix ``x``: the share
    of the codes either row has that only one has (0 between two empty rows), as
    ``scipy.spatial.distance.pdist(x, "jaccard")`` computes it.

    >>> jaccard_distances(np.array([[1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=bool)).tolist()
    [[0.0, 0.5, 1.0], [0.5, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """
    a = x.astype(np.int64)
    both = a @ a.T
    sizes = a.sum(axis=1)
    either = sizes[:, None] + sizes[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (either - both) / either
    return np.where(either == 0, 0.0, d)


def average_linkage(dist: np.ndarray) -> list[tuple[int, int, float]]:
    """The merges of average-linkage (UPGMA) clustering of the square distance matrix
    ``dist``, lowest first, each ``(a, b, height)`` naming one member of each merged
    cluster.  The nearest-neighbour chain as scipy's ``linkage(method="average")`` runs
    it (ties to the lower index, the previous link of the chain first), so tied distances
    make the same tree; written here because importing scipy's clustering costs a report
    about half a second, more than the clustering of a study's informants ever takes.

    >>> d = jaccard_distances(np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=bool))
    >>> average_linkage(d)
    [(0, 1, 0.5), (1, 2, 1.0)]
    """
    n = len(dist)
    d = np.array(dist, dtype=float)
    size = [1] * n
    alive = np.ones(n, dtype=bool)
    merges, chain = [], []
    for _ in range(n - 1):
        if not chain:
            chain.append(int(np.flatnonzero(alive)[0]))
        while True:
            x = chain[-1]
            row = np.where(alive, d[x], np.inf)
            row[x] = np.inf
            y = int(np.argmin(row))                        # the lowest index among ties
            if len(chain) > 1 and row[chain[-2]] <= row[y]:
                y = chain[-2]                              # the previous link wins a tie
                break
            chain.append(y)
        height = float(d[x, y])
        del chain[-2:]
        x, y = min(x, y), max(x, y)
        nx_, ny_ = size[x], size[y]
        merges.append((x, y, height))
        # Lance-Williams update for average linkage: the new cluster lives in slot y
        d[y, :] = d[:, y] = (nx_ * d[x] + ny_ * d[y]) / (nx_ + ny_)
        d[y, y] = 0.0
        alive[x] = False
        size[x], size[y] = 0, nx_ + ny_
    return sorted(merges, key=lambda m: m[2])             # stable: ties keep their order


def flat_clusters(merges: list[tuple[int, int, float]], n: int, k: int) -> np.ndarray:
    """Cluster numbers (1…) of ``n`` points cut from the tree ``merges`` at the lowest merge
    height that leaves at most ``k`` clusters (as scipy's ``fcluster(criterion="maxclust")``:
    tied heights are cut together, so fewer than ``k`` may remain).

    >>> flat_clusters([(0, 1, 0.5), (1, 2, 1.0)], 3, 2).tolist()
    [1, 1, 2]
    """
    if k >= n:
        return np.arange(1, n + 1)
    heights = [h for _, _, h in merges]
    cut = next((h for i, h in enumerate(heights) if n - 1 - i <= k and (i + 1 == len(heights)
                                                                         or heights[i + 1] > h)),
               heights[-1] if heights else 0.0)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, h in merges:
        if h <= cut:
            parent[root(a)] = root(b)
    roots = [root(i) for i in range(n)]
    number = {r: i for i, r in enumerate(dict.fromkeys(roots), 1)}
    return np.array([number[r] for r in roots], dtype=int)


def _cluster_labels(x: np.ndarray, k: Optional[int], max_k: int,
                    method: str) -> tuple[np.ndarray, Optional[float]]:
    """Cluster numbers (1…) of the rows of the boolean profile matrix ``x`` and the mean
    silhouette: ``k`` clusters, or the k in 2…``max_k`` with the best silhouette."""
    n = len(x)
    if n < 2:
        return np.zeros(n, dtype=int), None
    square = jaccard_distances(x)
    if np.all(square == 0):
        labels = np.ones(n, dtype=int)
    else:
        tree = _linkage(square, method)
        if k is None:
            best = (None, 1)
            for kk in range(2, min(max_k, n - 1) + 1):
                lab = tree(kk)
                s = _silhouette(square, lab)
                if s is not None and (best[0] is None or s > best[0] + 1e-12):
                    best = (s, kk)
            kk = best[1]
        else:
            kk = min(int(k), n)
        labels = tree(kk) if kk > 1 else np.ones(n, dtype=int)
    return labels, _silhouette(square, labels)


def _linkage(square: np.ndarray, method: str):
    """A function of k giving the flat clusters of the ``method`` linkage tree: our own
    average linkage (the default), scipy's for the other methods."""
    n = len(square)
    if method == "average":
        merges = average_linkage(square)
        return lambda kk: flat_clusters(merges, n, kk)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    z = linkage(squareform(square, checks=False), method=method)
    return lambda kk: fcluster(z, kk, criterion="maxclust")


def cluster_types(codings: Optional[pd.DataFrame], informants: Optional[pd.DataFrame] = None,
                  codebook: Optional[Codebook] = None, *, k: Optional[int] = None,
                  max_k: int = 6, method: str = "average", level: str = "code",
                  segments: Optional[pd.DataFrame] = None, attributes: Optional[list[str]] = None,
                  include_suggested: bool = False, n_codes: int = 3, n_quotes: int = 3,
                  min_share: float = 0.5, lang: str = "fi") -> Typology:
    """Data-driven types: informants clustered on their code profiles (which codes, or
    themes with ``level="theme"``, they mention) by agglomerative clustering on Jaccard
    distance: ``method`` linkage, by default average (:func:`average_linkage`, the same
    tree as scipy's; the other methods are scipy's).

    ``k`` types; by default the k in 2…``max_k`` (below the number of profiled
    informants) with the best mean silhouette, ties to the smaller k (one type when
    fewer than three informants have codings).  Informants without any coding stay
    untyped.  Types are named ``Tyyppi 1``… (``Type 1``…) by size, largest first.
    The result's ``silhouette`` is reported when defined.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": range(1, 7), "status": "accepted",
    ...                   "code_id": ["a", "b", "a", "b", "c", "d"],
    ...                   "speaker": ["H1", "H1", "H2", "H2", "H3", "H3"]})
    >>> t = cluster_types(c, k=2)
    >>> [t.members(n) for n in t.names()]
    [['H1', 'H2'], ['H3']]
    """
    if k is not None and (not isinstance(k, (int, np.integer)) or k < 1):
        raise QualcodeError(f"k must be a positive whole number, not {k!r}")
    cods = prepare_codings(codings, segments, include_suggested)
    cods["code_id"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    universe = informant_universe(informants, segments, cods)
    prof = _profiles(cods, universe, codebook, with_ancestors=False)
    profiled = [i for i in universe if prof[i]]
    codes = code_order(codebook, cods["code_id"], level, include_unused=False)
    x = np.array([[c in prof[i] for c in codes] for i in profiled], dtype=bool)
    labels, sil = _cluster_labels(x, k, max_k, method)
    groups: dict[int, list[str]] = {}
    for inf, lab in zip(profiled, labels):
        groups.setdefault(int(lab), []).append(inf)
    ordered = sorted(groups.values(), key=lambda m: (-len(m), natural_key(m[0])))
    named = [(label("analysis.type.default_name", lang, n=i), m, "", {})
             for i, m in enumerate(ordered, 1)]
    which = {m: name for name, members, _, _ in named for m in members}
    assignments = [(i, which.get(i)) for i in universe]
    return _build("clusters", named, assignments, universe, cods, codebook, level, informants,
                  list(attributes or []), n_codes, n_quotes, min_share, lang, silhouette=sil)
