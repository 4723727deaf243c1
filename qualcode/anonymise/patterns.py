"""Identifiers found by their shape: e-mail addresses, URLs, Finnish personal identity codes
(henkilötunnus, check character validated), IBANs (mod-97 validated) and phone numbers.

>>> valid_henkilotunnus("131052-308T"), valid_henkilotunnus("131052-308U")
(True, False)
>>> valid_iban("FI21 1234 5600 0007 85"), valid_iban("FI21 1234 5600 0007 86")
(True, False)
>>> [(m.kind, m.text) for m in find_patterns("Soita 040 123 4567 tai anna.v@example.fi")]
[('phone', '040 123 4567'), ('email', 'anna.v@example.fi')]
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Iterable, Optional

#: Pattern kinds in priority order: an earlier kind wins where two overlap.
PATTERN_KINDS = ("email", "url", "personal_id", "iban", "phone")

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
                 "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+%-]+(?:@|\s?[\(\[]at[\)\]]\s?)[^\W_](?:[\w-]*[^\W_])?"
    r"(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,}(?!\w)",
    re.IGNORECASE)
# Bare domains (no scheme, no www.) only with top-level domains that are not also common
# words after a missing space ("loppu.Se alkoi"), and written in lower case.
_TLDS = ("fi|com|org|net|eu|io|ax|ee|dk|de|nl|uk|info|biz|edu|gov|app|dev|online|site|tech")
_URL = re.compile(
    r"(?i:(?:https?|ftp)://|www\.)[^\s<>\"'()\[\]{}]+"
    r"|(?<![\w@.-])[A-Za-zÅÄÖåäö0-9](?:[a-zåäö0-9-]*[a-zåäö0-9])?"
    r"(?:\.[a-zåäö0-9](?:[a-zåäö0-9-]*[a-zåäö0-9])?)*"
    r"\.(?:" + _TLDS + r")(?![\w-])(?:/[^\s<>\"'()\[\]{}]*)?")
_HETU = re.compile(r"(?<![\w-])(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Ya-y])(?![\w])")
_IBAN = re.compile(r"(?<![\w])([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})(?![\w])")
_PHONE = re.compile(
    r"(?<![\w+.,/:-])"
    r"(?:(?:\+|00)\d{1,3}[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){1,4}"   # international
    r"|\(0\d{1,3}\)[ .-]?\d{2,4}(?:[ .-]?\d{2,4}){0,3}"                             # (09) 123 4567
    r"|0\d{1,3}(?:[ -]?\d{2,4}){1,4})"                                           # 040 123 4567
    r"(?![\w.,:/-]\d|\w)")

_IBAN_LENGTHS = {"FI": 18, "SE": 24, "NO": 15, "DK": 18, "EE": 20, "DE": 22, "GB": 22, "FR": 27,
                 "NL": 18, "BE": 16, "ES": 24, "IT": 27, "AT": 20, "CH": 21, "PL": 28, "LV": 21,
                 "LT": 20, "IE": 22, "PT": 25, "AX": 18, "IS": 26, "LU": 20}


@dataclass(frozen=True)
class PatternHit:
    start: int
    end: int
    text: str
    kind: str


def valid_henkilotunnus(code: str) -> bool:
    """True for a Finnish personal identity code with a real date and the right check character."""
    m = _HETU.fullmatch(code.strip())
    if not m:
        return False
    dd, mm, yy, sep, nnn, check = m.groups()
    try:
        _dt.date(_HETU_CENTURY[sep.upper()] + int(yy), int(mm), int(dd))
    except (ValueError, KeyError):
        return False
    if int(nnn) < 2:
        return False
    return _HETU_CHECK[int(dd + mm + yy + nnn) % 31] == check.upper()


def valid_iban(code: str) -> bool:
    """True for an IBAN whose length fits its country and whose mod-97 checksum is 1."""
    s = re.sub(r"\s+", "", code).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s):
        return False
    want = _IBAN_LENGTHS.get(s[:2])
    if want is not None and len(s) != want:
        return False
    digits = "".join(str(int(ch, 36)) for ch in s[4:] + s[:4])
    return int(digits) % 97 == 1


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _phone_ok(text: str) -> bool:
    n = _digits(text)
    if text.startswith(("+", "00")):
        return 8 <= n <= 15
    return 7 <= n <= 12


def _iter_kind(text: str, kind: str) -> Iterable[PatternHit]:
    if kind == "email":
        for m in _EMAIL.finditer(text):
            yield PatternHit(m.start(), m.end(), m.group(0), kind)
    elif kind == "url":
        for m in _URL.finditer(text):
            s, e = m.start(), m.end()
            while e > s and text[e - 1] in ".,;:!?":      # sentence punctuation after a URL
                e -= 1
            yield PatternHit(s, e, text[s:e], kind)
    elif kind == "personal_id":
        for m in _HETU.finditer(text):
            if valid_henkilotunnus(m.group(0)):
                yield PatternHit(m.start(), m.end(), m.group(0), kind)
    elif kind == "iban":
        for m in _IBAN.finditer(text):
            raw = m.group(1)
            # the greedy match may run into a following word of capitals/digits: shrink
            for end in range(len(raw), 14, -1):
                cand = raw[:end].rstrip()
                if valid_iban(cand):
                    yield PatternHit(m.start(), m.start() + len(cand), cand, kind)
                    break
    elif kind == "phone":
        for m in _PHONE.finditer(text):
            s, e = m.start(), m.end()
            while e > s and text[e - 1] in " .-":
                e -= 1
            if _phone_ok(text[s:e]):
                yield PatternHit(s, e, text[s:e], kind)


def find_patterns(text: str, kinds: Optional[Iterable[str]] = None) -> list[PatternHit]:
    """Every identifier in ``text``, without overlaps (earlier kinds in :data:`PATTERN_KINDS`
    win), sorted by position."""
    wanted = PATTERN_KINDS if kinds is None else tuple(k for k in PATTERN_KINDS if k in set(kinds))
    taken: list[PatternHit] = []
    for kind in wanted:
        for hit in _iter_kind(text, kind):
            if hit.end <= hit.start:
                continue
            if any(hit.start < t.end and t.start < hit.end for t in taken):
                continue
            taken.append(hit)
    return sorted(taken, key=lambda h: (h.start, h.end))
