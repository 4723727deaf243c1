"""Frequency tokens (``1krt/kk``, ``2krt/vuosi``, ``tarvittaessa`` …) and quarter tokens
(``Q3/2025``) as structured values.

>>> f = parse_frequency("2 krt / vuosi")
>>> f.token, f.per_year, f.label("en")
('2krt/vuosi', 2.0, '2×/year')
>>> parse_frequency("tarvittaessa").per_year is None
True
>>> q = parse_quarter("q4/2025")
>>> str(q), str(q.next())
('Q4/2025', 'Q1/2026')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from ..labels import label

#: unit token -> (times a year per one occurrence, label key)
UNITS = {
    "vk": 52.0,
    "kk": 12.0,
    "kvartaali": 4.0,
    "puolivuosi": 2.0,
    "vuosi": 1.0,
}
_UNIT_ALIASES = {
    "vk": "vk", "viikko": "vk", "week": "vk", "wk": "vk",
    "kk": "kk", "kuukausi": "kk", "month": "kk", "mo": "kk",
    "kvartaali": "kvartaali", "q": "kvartaali", "quarter": "kvartaali", "neljännes": "kvartaali",
    "puolivuosi": "puolivuosi", "half-year": "puolivuosi", "halfyear": "puolivuosi", "half year": "puolivuosi",
    "vuosi": "vuosi", "v": "vuosi", "year": "vuosi", "yr": "vuosi",
}
AS_NEEDED = "tarvittaessa"
_AS_NEEDED_ALIASES = {"tarvittaessa", "as needed", "when needed", "as-needed"}
_FREQ = re.compile(r"^(\d{1,3})\s*(?:krt|kertaa|kerta|x|×|times|time)?\s*/\s*([a-zäö -]+?)\s*$", re.IGNORECASE)

#: the forms an error message lists
ALLOWED_FREQUENCIES = ("1krt/vk", "1krt/kk", "1krt/kvartaali", "1krt/puolivuosi", "1krt/vuosi",
                       "2krt/vuosi", "tarvittaessa")


@dataclass(frozen=True)
class Frequency:
    """How often an action recurs: ``times`` per ``unit`` (``None`` = as needed)."""

    times: Optional[int]
    unit: Optional[str]

    @property
    def token(self) -> str:
        """The canonical Finnish token: ``1krt/kk`` or ``tarvittaessa``."""
        if self.unit is None:
            return AS_NEEDED
        return f"{self.times}krt/{self.unit}"

    @property
    def per_year(self) -> Optional[float]:
        """Occurrences a year (``1krt/kvartaali`` → 4.0); ``None`` when as needed."""
        if self.unit is None:
            return None
        return self.times * UNITS[self.unit]

    def label(self, lang: str = "fi") -> str:
        if self.unit is None:
            return label("construct.freq.as_needed", lang)
        return label("construct.freq.pattern", lang, n=self.times,
                     unit=label(f"construct.freq.unit.{self.unit}", lang))

    def __str__(self) -> str:
        return self.token


class FrequencyTokenError(ValueError):
    """A frequency token that is not one of the allowed forms."""


def parse_frequency(value: Any) -> Frequency:
    """Parse a frequency token (case and spaces do not matter; ``1x/month``-style English
    forms are accepted too).  Raises :class:`FrequencyTokenError` for anything else."""
    if isinstance(value, Frequency):
        return value
    text = "" if value is None else str(value).strip()
    low = " ".join(text.lower().split())
    if low in _AS_NEEDED_ALIASES:
        return Frequency(None, None)
    m = _FREQ.match(low)
    if m:
        unit = _UNIT_ALIASES.get(m.group(2).strip())
        times = int(m.group(1))
        if unit is not None and times > 0:
            return Frequency(times, unit)
    raise FrequencyTokenError(
        f"'{text}' is not a frequency; write it like " + ", ".join(ALLOWED_FREQUENCIES)
        + " (another count works too, e.g. 3krt/vuosi)")


_QUARTER = re.compile(r"^q\s*([1-9]\d*)\s*/\s*(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, ordered by time."""

    year: int
    q: int

    def __str__(self) -> str:
        return f"Q{self.q}/{self.year}"

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.q == 4), 1 if self.q == 4 else self.q + 1)


class QuarterTokenError(ValueError):
    """A quarter token that is not ``Q1``–``Q4`` / year."""


def parse_quarter(value: Any) -> Quarter:
    """``Q3/2025`` (case and spaces do not matter) → :class:`Quarter`."""
    if isinstance(value, Quarter):
        return value
    text = "" if value is None else str(value).strip()
    m = _QUARTER.match(text)
    if not m or not 1 <= int(m.group(1)) <= 4:
        raise QuarterTokenError(f"'{text}' is not a quarter; write Q1/2025, Q2/2025, Q3/2025 or Q4/2025 "
                                "(Q1–Q4, a slash and a four-digit year)")
    return Quarter(int(m.group(2)), int(m.group(1)))


def looks_like_quarter(value: Any) -> bool:
    """True for anything that starts like a quarter token (``Q5/2025``, ``q3-2025`` …)."""
    return bool(re.match(r"^\s*q\s*\d", str(value), re.IGNORECASE))


def quarter_range(first: Any, last: Any) -> list[Quarter]:
    """All quarters from ``first`` to ``last`` inclusive."""
    a, b = parse_quarter(first), parse_quarter(last)
    if b < a:
        raise QuarterTokenError(f"the quarter range {a}..{b} runs backwards; write the earlier quarter first")
    out = [a]
    while out[-1] < b:
        out.append(out[-1].next())
    return out
