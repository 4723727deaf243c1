"""Customer segmentation (asiakassegmentointi): ordered rules over customer attributes, or
ABC tiers by one numeric attribute.

Rules (``segmentointi.yaml``)::

    customers: asiakkaat.csv          # optional; default asiakkaat.csv / asiakkaat.xlsx
    id: asiakas                       # the customer id column; default the first column
    segments:                         # ordered: the first segment whose rule matches wins
      - name: KAM
        when:                         # a mapping = all conditions; a list of mappings = any of them
          - {liikevaihto: ">=150000", toimeksiannot: ">=20"}
          - {potentiaali: korkea, elinkaari: [uusi, kasvava]}
    default: Muut                     # customers no rule matches

Conditions: ``">=100000"`` (also ``>``, ``<=``, ``<``, ``==``, ``!=``), ``"10..50"`` (an
inclusive range), a list (any of these values), or a plain value (equal, case-insensitive).

ABC tiers::

    abc:
      by: liikevaihto
      share_of: customers             # or value (cumulative share of the attribute's total)
      tiers: [{name: A, share: 20%}, {name: B, share: 30%}, {name: C}]
      # or thresholds: [{name: A, min: 100000}, {name: B, min: 20000}, {name: C}]

>>> import pandas as pd
>>> customers = pd.DataFrame({"asiakas": ["AS-1", "AS-2", "AS-3"], "liikevaihto": [200000, 5000, 90000],
...                           "potentiaali": ["matala", "korkea", "keski"]})
>>> spec = {"segments": [{"name": "KAM", "when": [{"liikevaihto": ">=150000"}, {"potentiaali": "korkea"}]}],
...         "default": "Muut"}
>>> seg = segment_customers(customers, spec)
>>> seg.table[["customer", "segment", "basis"]].values.tolist()
[['AS-1', 'KAM', 'Liikevaihto (€) ≥ 150\\xa0000'], ['AS-2', 'KAM', 'Potentiaali = korkea'], ['AS-3', 'Muut', 'ei täytä muiden segmenttien ehtoja']]
>>> seg.summary()
'KAM 2 / Muut 1'
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Union

import pandas as pd

from ..labels import attribute_header, format_amount, label
from .common import ConstructError, Where, as_text, is_missing, line_of, norm

PathLike = Union[str, Path]

CUSTOMER_FILE_STEMS = ("asiakkaat", "customers")
SEGMENTATION_KEYS = ("customers", "id", "name", "segments", "default", "abc", "language", "title", "description")
SEGMENT_KEYS = ("name", "when", "basis", "description")
ABC_KEYS = ("by", "share_of", "tiers")
TIER_KEYS = ("name", "share", "min", "description")

_OP = re.compile(r"^\s*(>=|<=|==|!=|>|<|≥|≤|=)\s*(.*?)\s*$")
_OP_LIKE = re.compile(r"^\s*[<>=!≥≤~]")
_RANGE = re.compile(r"^\s*(-?[\d\s.,]+?)\s*\.\.\s*(-?[\d\s.,]+?)\s*$")
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}
_SHOW_OP = {">=": "≥", "<=": "≤", "==": "=", "!=": "≠", ">": ">", "<": "<"}


# --------------------------------------------------------------------------- numbers

def to_number(value: Any) -> Optional[float]:
    """A number from a cell: ``120000``, ``"120 000"``, ``"1 200,50"``, ``"95 000 €"``; None
    when the value is empty or not a number.

    >>> to_number("1 200,50 €"), to_number("abc"), to_number(7)
    (1200.5, None, 7.0)
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s*(€|eur|e|kpl|%)$", "", text, flags=re.IGNORECASE).replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    elif "," in text and "." in text:
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _show_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _show_amount(x: float, lang: str) -> str:
    """A number as the report tables print it: ``150 000`` (fi), ``150,000`` (en), its decimals kept."""
    shown = _show_number(x)
    decimals = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
    return format_amount(float(x), lang, decimals)


# --------------------------------------------------------------------------- customers

def find_customer_file(root: PathLike) -> Optional[Path]:
    """``asiakkaat.csv`` / ``.xlsx`` (or ``customers.*``) in the project folder, if any."""
    root = Path(root)
    for stem in CUSTOMER_FILE_STEMS:
        for suffix in (".xlsx", ".csv"):
            p = root / f"{stem}{suffix}"
            if p.is_file():
                return p
    return None


def load_customers(path: PathLike) -> pd.DataFrame:
    """Read the customer list (csv with ``,`` or ``;``, or the first sheet of an xlsx).

    Numeric columns become numbers; a ``_line`` column keeps the file line (csv) or the
    sheet row (xlsx) of each customer for error messages."""
    path = Path(path)
    if not path.is_file():
        raise ConstructError("the customer list does not exist; check the path", path=str(path))
    if path.suffix.lower() == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=object)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a user's file problem
            raise ConstructError(f"the customer list cannot be read as Excel ({exc}); save it again as .xlsx",
                                 path=str(path)) from None
        frame["_line"] = range(2, len(frame) + 2)
    elif path.suffix.lower() in (".csv", ".txt"):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        first = text.splitlines()[0] if text.strip() else ""
        sep = ";" if first.count(";") > first.count(",") else ("\t" if first.count("\t") > first.count(",") else ",")
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
        lines = [i + 1 for i, r in enumerate(rows) if any(c.strip() for c in r)]
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            raise ConstructError("the customer list is empty; give a header row and one row per customer",
                                 path=str(path))
        header = [h.strip() for h in rows[0]]
        body = []
        for r, line in zip(rows[1:], lines[1:]):
            if len(r) > len(header):
                raise ConstructError(f"the row has {len(r)} cells but the header has {len(header)}; "
                                     "remove the extra cells or quote text that holds the separator",
                                     path=str(path), line=line)
            body.append([c.strip() for c in r] + [""] * (len(header) - len(r)))
        frame = pd.DataFrame(body, columns=header, dtype=object)
        frame["_line"] = lines[1:]
    else:
        raise ConstructError("the customer list must be a .csv or .xlsx file", path=str(path))
    frame.columns = [str(c).strip() for c in frame.columns]
    dup = [c for c in frame.columns if list(frame.columns).count(c) > 1]
    if dup:
        raise ConstructError(f"the column '{dup[0]}' appears twice in the header; rename one",
                             path=str(path), line=1)
    for col in frame.columns:
        if col == "_line":
            continue
        vals = frame[col].map(lambda v: None if is_missing(v) or str(v).strip() == "" else v)
        nums = vals.map(to_number)
        present = vals.notna()
        if present.any() and nums[present].notna().all() and not vals[present].map(
                lambda v: isinstance(v, str) and v.strip().startswith("0") and len(v.strip()) > 1
                and v.strip()[1:2].isdigit()).any():
            frame[col] = [(int(n) if n is not None and float(n).is_integer() else n) for n in nums]
        else:
            frame[col] = vals.map(lambda v: None if v is None else str(v).strip())
    frame.attrs["path"] = str(path)
    return frame


# --------------------------------------------------------------------------- conditions

@dataclass
class Condition:
    """One test on one attribute."""

    attribute: str
    kind: str                      # op | range | in | eq
    op: str = ""
    number: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    values: tuple = ()
    line: Optional[int] = None

    def text(self, lang: str = "fi", raw: bool = False) -> str:
        """The test as a report states it (``Liikevaihto (€) ≥ 150 000``: the attribute's
        header, the number grouped), or ``raw`` as the rule file has it (``liikevaihto ≥ 150000``)."""
        a = self.attribute if raw else attribute_header(self.attribute, lang)
        shown = _show_number if raw else (lambda x: _show_amount(x, lang))
        if self.kind == "op":
            return f"{a} {_SHOW_OP[self.op]} {shown(self.number)}"
        if self.kind == "range":
            return f"{a} {shown(self.low)}–{shown(self.high)}"
        if self.kind == "ne":
            return f"{a} ≠ {self.values[0]}"
        values = label("construct.or", lang).join(as_text(v) for v in self.values)
        return f"{a} = ({values})" if len(self.values) > 1 else f"{a} = {values}"

    def test(self, value: Any, fail: Callable[[str], ConstructError]) -> bool:
        if self.kind in ("op", "range"):
            if is_missing(value) or str(value).strip() == "":
                return False
            x = to_number(value)
            if x is None:
                raise fail(f"the value {value!r} of '{self.attribute}' is not a number, but the rule "
                           f"'{self.text(raw=True)}' compares numbers; fix the value or the rule")
            if self.kind == "range":
                return self.low <= x <= self.high
            return _OPS[self.op](x, self.number)
        if self.kind == "ne":
            return _same(value, self.values[0]) is False
        return any(_same(value, v) for v in self.values)


def _same(value: Any, wanted: Any) -> bool:
    if is_missing(value):
        return False
    a, b = to_number(value), to_number(wanted)
    if a is not None and b is not None:
        return a == b
    return norm(as_text(value)) == norm(as_text(wanted))


def parse_condition(attribute: str, spec: Any, where: Where, container: Any) -> Condition:
    """Parse one ``attribute: spec`` pair (``container`` gives the line for errors)."""
    if isinstance(spec, dict):
        raise where.fail(f"the condition on '{attribute}' must be a value, a list or a comparison "
                         "like \">=100000\", not a mapping", container, attribute)
    if isinstance(spec, list):
        if not spec:
            raise where.fail(f"the list of values for '{attribute}' is empty; give at least one value",
                             container, attribute)
        for item in spec:
            if isinstance(item, (list, dict)):
                raise where.fail(f"the list for '{attribute}' must hold plain values", container, attribute)
        return Condition(attribute, "in", values=tuple(spec))
    if isinstance(spec, str):
        m = _OP.match(spec)
        if m:
            op, rhs = m.group(1), m.group(2)
            op = {"≥": ">=", "≤": "<=", "=": "=="}.get(op, op)
            if spec.strip().startswith(("=>", "=<", "><", "<>", "!>", "!<")) or op not in _OPS:
                raise _bad_operator(spec, attribute, where, container)
            number = to_number(rhs)
            if number is None:
                if op in ("==", "!=") and rhs and not _OP_LIKE.match(rhs):
                    return Condition(attribute, "in" if op == "==" else "ne", values=(rhs,))
                if _OP_LIKE.match(rhs):
                    raise _bad_operator(spec, attribute, where, container)
                raise where.fail(f"the comparison '{spec}' on '{attribute}' needs a number after "
                                 f"'{op}'; write e.g. \"{op}100000\"", container, attribute)
            return Condition(attribute, "op", op=op, number=number)
        if _OP_LIKE.match(spec):
            raise _bad_operator(spec, attribute, where, container)
        r = _RANGE.match(spec)
        if r:
            low, high = to_number(r.group(1)), to_number(r.group(2))
            if low is None or high is None or low > high:
                raise where.fail(f"the range '{spec}' on '{attribute}' must be low..high with numbers",
                                 container, attribute)
            return Condition(attribute, "range", low=low, high=high)
    if spec is None:
        raise where.fail(f"the condition on '{attribute}' is empty; give a value", container, attribute)
    return Condition(attribute, "in", values=(spec,))


def _bad_operator(spec: str, attribute: str, where: Where, container: Any) -> ConstructError:
    return where.fail(f"'{spec}' on '{attribute}' has an unknown operator; use one of >=, >, <=, <, ==, != "
                      "followed by a number (e.g. \">=100000\"), or low..high for a range", container, attribute)


@dataclass
class Rule:
    """All conditions must hold (an AND of conditions)."""

    conditions: list[Condition]
    line: Optional[int] = None

    def text(self, lang: str = "fi") -> str:
        return label("construct.and", lang).join(c.text(lang) for c in self.conditions)


@dataclass
class SegmentDef:
    """A segment: its rules (any of them places a customer here) and an optional fixed basis text."""

    name: str
    rules: list[Rule] = field(default_factory=list)
    basis: str = ""
    description: str = ""
    is_default: bool = False
    line: Optional[int] = None


@dataclass
class SegmentationSpec:
    """The parsed ``segmentointi.yaml``."""

    method: str                                   # rules | abc
    segments: list[SegmentDef]
    id_column: Optional[str] = None
    customers_file: Optional[str] = None
    abc: Optional[dict] = None
    path: str = "<dict>"
    title: str = ""
    name_column: Optional[str] = None

    @property
    def names(self) -> list[str]:
        out: list[str] = []
        for s in self.segments:
            if s.name not in out:
                out.append(s.name)
        return out


def parse_segmentation(data: Any, path: str = "<dict>") -> SegmentationSpec:
    """Validate the structure of a segmentation spec (attributes are checked against the
    customer list in :func:`segment_customers`)."""
    where = Where(path)
    if data is None:
        raise where.fail("the segmentation file is empty; give 'segments' and 'default', or 'abc'")
    data = where.mapping(data, "the segmentation file")
    where.check_keys(data, SEGMENTATION_KEYS, "the segmentation file")
    id_column = where.text(data, "id", "the segmentation file") or None
    customers = where.text(data, "customers", "the segmentation file") or None
    title = where.text(data, "title", "the segmentation file")
    name_column = where.text(data, "name", "the segmentation file") or None
    if "abc" in data:
        if "segments" in data:
            raise where.fail("give either 'segments' (rules) or 'abc' (tiers), not both", data, "abc")
        spec = _parse_abc(data["abc"], data, where, id_column, customers, title)
        spec.name_column = name_column
        return spec
    if "segments" not in data:
        raise where.fail("the segmentation file has no 'segments'; list the segments with their rules "
                         "(or give 'abc' tiers)", data)
    items = where.sequence(data["segments"], "'segments'", data, "segments")
    if not items:
        raise where.fail("the segment list is empty; give at least one segment with a 'when' rule",
                         data, "segments")
    segments: list[SegmentDef] = []
    for i, entry in enumerate(items):
        if isinstance(entry, str):
            raise where.fail(f"segment '{entry}' has no rule; write it as a mapping with 'name' and 'when'",
                             items, i)
        entry = where.mapping(entry, f"segment {i + 1}", items, i)
        where.check_keys(entry, SEGMENT_KEYS, f"segment {i + 1}")
        name = where.text(entry, "name", f"segment {i + 1}", required=True)
        if "when" not in entry or entry["when"] in (None, [], {}):
            raise where.fail(f"segment '{name}' has no 'when' rule; give its conditions "
                             "(e.g. when: {liikevaihto: \">=100000\"})", entry)
        raw = entry["when"]
        alternatives = raw if isinstance(raw, list) else [raw]
        rules = []
        for j, alt in enumerate(alternatives):
            holder = raw if isinstance(raw, list) else entry
            alt = where.mapping(alt, f"rule {j + 1} of segment '{name}'", holder, j if holder is raw else "when")
            if not alt:
                raise where.fail(f"rule {j + 1} of segment '{name}' has no conditions", holder,
                                 j if holder is raw else "when")
            conds = [parse_condition(str(k), v, where, alt) for k, v in alt.items()]
            for c in conds:
                c.line = line_of(alt, c.attribute)
            rules.append(Rule(conds, line_of(alt)))
        segments.append(SegmentDef(name, rules, where.text(entry, "basis", "segment"),
                                   where.text(entry, "description", "segment"), line=line_of(entry)))
    default = data.get("default")
    if default is None or (isinstance(default, str) and not default.strip()):
        raise where.fail("the segmentation has no 'default' segment for customers no rule matches; "
                         "add e.g. 'default: Muut'", data, "default" if "default" in data else None)
    if isinstance(default, dict):
        where.check_keys(default, ("name", "description", "basis"), "the default segment")
        dname = where.text(default, "name", "the default segment", required=True)
        segments.append(SegmentDef(dname, [], where.text(default, "basis", "default"),
                                   where.text(default, "description", "default"), True, line_of(default)))
    else:
        segments.append(SegmentDef(str(default).strip(), [], is_default=True, line=line_of(data, "default")))
    return SegmentationSpec("rules", segments, id_column, customers, path=path, title=title,
                            name_column=name_column)


def _share(value: Any, where: Where, container: Any, key: str) -> float:
    x = to_number(value)
    if x is None:
        raise where.fail(f"the share {value!r} is not a number; write e.g. 20% or 0.2", container, key)
    if isinstance(value, str) and value.strip().endswith("%") or x > 1:
        x = x / 100.0
    if not 0 < x <= 1:
        raise where.fail(f"the share {value!r} must be between 0% and 100%", container, key)
    return x


def _parse_abc(raw: Any, data: dict, where: Where, id_column, customers, title) -> SegmentationSpec:
    raw = where.mapping(raw, "'abc'", data, "abc")
    where.check_keys(raw, ABC_KEYS, "'abc'")
    by = where.text(raw, "by", "'abc'", required=True)
    share_of = where.text(raw, "share_of", "'abc'", default="customers")
    if share_of not in ("customers", "value"):
        raise where.fail(f"share_of must be customers or value, not '{share_of}'", raw, "share_of")
    tiers = where.sequence(raw.get("tiers"), "'tiers'", raw, "tiers")
    if not tiers:
        raise where.fail("the tier list is empty; give tiers like [{name: A, share: 20%}, {name: B, share: 30%}, "
                         "{name: C}]", raw, "tiers" if "tiers" in raw else None)
    parsed, total, kinds = [], 0.0, set()
    for i, t in enumerate(tiers):
        t = where.mapping(t, f"tier {i + 1}", tiers, i)
        where.check_keys(t, TIER_KEYS, f"tier {i + 1}")
        name = where.text(t, "name", f"tier {i + 1}", required=True)
        last = i == len(tiers) - 1
        if "share" in t and "min" in t:
            raise where.fail(f"tier '{name}' has both 'share' and 'min'; give one", t)
        if "share" in t:
            share = _share(t["share"], where, t, "share")
            total += share
            kinds.add("share")
            parsed.append({"name": name, "share": share, "line": line_of(t)})
        elif "min" in t:
            m = to_number(t["min"])
            if m is None:
                raise where.fail(f"'min' of tier '{name}' must be a number", t, "min")
            kinds.add("min")
            parsed.append({"name": name, "min": m, "line": line_of(t)})
        elif last:
            parsed.append({"name": name, "rest": True, "line": line_of(t)})
        else:
            raise where.fail(f"tier '{name}' needs a 'share' (e.g. 20%) or a 'min' threshold; only the last "
                             "tier takes the rest", t)
    if len(kinds) > 1:
        raise where.fail("mix of 'share' and 'min' tiers; use shares for all tiers or thresholds for all",
                         raw, "tiers")
    if total > 1.0 + 1e-9:
        raise where.fail(f"the tier shares add up to {total * 100:g}%, more than 100%", raw, "tiers")
    mins = [p["min"] for p in parsed if "min" in p]
    if mins != sorted(mins, reverse=True):
        raise where.fail("threshold tiers must be listed from the highest 'min' down", raw, "tiers")
    segments = [SegmentDef(p["name"], line=p["line"], is_default=bool(p.get("rest"))) for p in parsed]
    spec = SegmentationSpec("abc", segments, id_column, customers, abc={"by": by, "share_of": share_of,
                                                                          "tiers": parsed,
                                                                          "line": line_of(raw, "by")},
                            path=where.path, title=title)
    return spec


# --------------------------------------------------------------------------- result

RESULT_COLUMNS = ["customer", "segment", "basis"]
_NAME_COLUMNS = {"nimi", "name", "asiakkaan nimi", "yritys", "yrityksen nimi", "company", "customer name"}


@dataclass
class Segmentation:
    """The result: ``table`` has ``customer``, ``segment``, ``basis`` (the rule that placed
    the customer) and then the customer attributes."""

    table: pd.DataFrame
    spec: SegmentationSpec
    id_column: str
    lang: str = "fi"
    name_column: Optional[str] = None

    @property
    def names(self) -> list[str]:
        return self.spec.names

    def counts(self) -> pd.DataFrame:
        """Customers per segment, in the spec's order (segments with no customer show 0)."""
        vc = self.table["segment"].value_counts()
        return pd.DataFrame({"segment": self.names, "customers": [int(vc.get(n, 0)) for n in self.names]})

    def summary(self) -> str:
        """``KAM 8 / Muut 80``."""
        return " / ".join(f"{r.segment} {r.customers}" for r in self.counts().itertuples())

    def members(self, segment: str) -> list[str]:
        return self.table.loc[self.table["segment"] == segment, "customer"].tolist()

    def name_of(self, customer: str) -> str:
        """The customer's name (pseudonym) when the list has a name column, else ''."""
        if not self.name_column:
            return ""
        hit = self.table.loc[self.table["customer"] == customer, self.name_column]
        return as_text(hit.iloc[0]) if len(hit) else ""

    def segment_of(self, customer: str) -> Optional[str]:
        hit = self.table.loc[self.table["customer"] == customer, "segment"]
        return hit.iloc[0] if len(hit) else None

    def to_frame(self, lang: Optional[str] = None) -> pd.DataFrame:
        """The result table with localised headers (``Asiakas``, ``Segmentti``, ``Peruste``, …)."""
        lang = lang or self.lang
        names = {"customer": label("construct.customer", lang), "segment": label("construct.segment", lang),
                 "basis": label("construct.basis", lang)}
        return self.table.rename(columns=names)

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.to_frame()._repr_html_()

    def __repr__(self) -> str:
        return f"<Segmentation {self.summary()}>"


def segment_customers(customers: pd.DataFrame, spec: Union[SegmentationSpec, dict],
                      lang: str = "fi", path: Optional[str] = None) -> Segmentation:
    """Place every customer in one segment: by the ordered rules (first match wins, else the
    default) or by ABC tiers.  Unknown attributes and non-numeric values compared as numbers
    are errors naming the file and line."""
    if not isinstance(spec, SegmentationSpec):
        spec = parse_segmentation(spec, path or "<dict>")
    where = Where(spec.path)
    cust_path = customers.attrs.get("path", "<customers>")
    columns = [c for c in customers.columns if c != "_line"]
    if not columns:
        raise ConstructError("the customer list has no columns", path=cust_path)
    id_column = spec.id_column or columns[0]
    if id_column not in columns:
        raise ConstructError(f"the id column '{id_column}' is not in the customer list; its columns are "
                             f"{', '.join(columns)}", path=spec.path)
    name_column = spec.name_column
    if name_column is not None and name_column not in columns:
        raise ConstructError(f"the name column '{name_column}' is not in the customer list; its columns are "
                             f"{', '.join(columns)}", path=spec.path)
    if name_column is None:
        name_column = next((c for c in columns if norm(c) in _NAME_COLUMNS and c != id_column), None)
    lines = customers["_line"].tolist() if "_line" in customers.columns else [None] * len(customers)
    ids = [as_text(v) for v in customers[id_column]]
    for i, cid in enumerate(ids):
        if not cid:
            raise ConstructError(f"a customer has no '{id_column}'; give every customer an id",
                                 path=cust_path, line=lines[i])
    seen: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if cid in seen:
            raise ConstructError(f"the customer id '{cid}' appears twice; give each customer its own id",
                                 path=cust_path, line=lines[i])
        seen[cid] = i
    by_norm = {norm(c): c for c in columns}

    def column(attr: str, line: Optional[int]) -> str:
        col = attr if attr in columns else by_norm.get(norm(attr))
        if col is None:
            raise where.fail(f"unknown attribute '{attr}'; the customer list has the columns "
                             f"{', '.join(columns)}", line=line)
        return col

    records = customers.to_dict("records")
    seg_out, basis_out = [], []
    if spec.method == "abc":
        by = column(spec.abc["by"], spec.abc.get("line"))
        seg_out, basis_out = _abc(records, lines, by, spec, cust_path, lang)
    else:
        resolved: list[tuple[SegmentDef, list[tuple[Rule, list[tuple[Condition, str]]]]]] = []
        for seg in spec.segments:
            rules = []
            for rule in seg.rules:
                rules.append((rule, [(c, column(c.attribute, c.line or rule.line)) for c in rule.conditions]))
            resolved.append((seg, rules))
        for rec, line in zip(records, lines):
            def fail(msg: str, _line=line) -> ConstructError:
                return ConstructError(msg, path=cust_path, line=_line)
            placed = None
            for seg, rules in resolved:
                if seg.is_default:
                    continue
                for rule, conds in rules:
                    if all(c.test(rec.get(col), fail) for c, col in conds):
                        placed = (seg, rule)
                        break
                if placed:
                    break
            if placed is None:
                default = next(s for s in spec.segments if s.is_default)
                seg_out.append(default.name)
                basis_out.append(default.basis or label("construct.basis.default", lang))
            else:
                seg_out.append(placed[0].name)
                basis_out.append(placed[0].basis or placed[1].text(lang))
    table = pd.DataFrame({"customer": ids, "segment": seg_out, "basis": basis_out})
    attrs = [c for c in columns if c != id_column]
    for c in attrs:
        table[c] = customers[c].tolist()
    return Segmentation(table, spec, id_column, lang, name_column)


def _abc(records, lines, by, spec, cust_path, lang):
    values = []
    for rec, line in zip(records, lines):
        v = rec.get(by)
        x = to_number(v)
        if x is None and not (is_missing(v) or str(v).strip() == ""):
            raise ConstructError(f"the value {v!r} of '{by}' is not a number; ABC tiers need numbers",
                                 path=cust_path, line=line)
        values.append(x if x is not None else 0.0)
    n = len(values)
    order = sorted(range(n), key=lambda i: (-values[i], i))
    rank = {i: r + 1 for r, i in enumerate(order)}
    tiers = spec.abc["tiers"]
    seg = [""] * n
    basis = [""] * n
    if any("min" in t for t in tiers):
        for i, x in enumerate(values):
            for t in tiers:
                if t.get("rest") or x >= t["min"]:
                    seg[i] = t["name"]
                    basis[i] = (f"{attribute_header(by, lang)} ≥ {_show_amount(t['min'], lang)}" if "min" in t
                                else label("construct.basis.rest", lang))
                    break
        return seg, basis
    total = sum(values) or 1.0
    if spec.abc["share_of"] == "value":
        cum = 0.0
        for i in order:
            before = cum / total
            cum += values[i]
            acc = 0.0
            for t in tiers:
                acc += t.get("share", 0.0)
                if t.get("rest") or before < acc - 1e-12:
                    seg[i] = t["name"]
                    break
            basis[i] = label("construct.basis.abc_value", lang, attribute=attribute_header(by, lang),
                             value=_show_amount(values[i], lang),
                             cum=f"{round(cum / total * 100):g}")
        return seg, basis
    bounds, acc = [], 0.0
    for t in tiers:
        if t.get("rest"):
            bounds.append((t, n, None))
        else:
            acc += t["share"]
            bounds.append((t, int(round(acc * n)), acc))
    for i in range(n):
        r = rank[i]
        tier, top = bounds[-1][0], bounds[-1][2]
        for t, upto, cum_share in bounds:
            if r <= upto:
                tier, top = t, cum_share
                break
        seg[i] = tier["name"]
        basis[i] = label("construct.basis.abc_share", lang, attribute=attribute_header(by, lang),
                         value=_show_amount(values[i], lang),
                         rank=r, n=n)
        if top is not None:
            basis[i] += label("construct.basis.abc_top", lang, share=f"{round(top * 100):g}")
    return seg, basis
