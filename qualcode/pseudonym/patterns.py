"""Identifying details found by pattern: e-mail addresses, URLs, phone numbers, Finnish personal
identity codes (henkilötunnus, check character validated) and IBANs (mod-97 validated).

>>> valid_henkilotunnus("131052-308T"), valid_henkilotunnus("131052-308U")
(True, False)
>>> valid_iban("FI21 1234 5600 0007 85"), valid_iban("FI22 1234 5600 0007 85")
(True, False)
>>> [(kind, text) for _, _, text, kind in find_patterns("Soita 040 123 4567 tai maili@example.fi")]
[('phone', '040 123 4567'), ('email', 'maili@example.fi')]
"""
from __future__ import annotations

import datetime as dt
import re

#: Pattern kinds → label keys in :mod:`qualcode.labels` (``[sähköposti]`` / ``[email]`` …).
PATTERN_KINDS = {
    "email": "anonymity.email",
    "url": "anonymity.url",
    "phone": "anonymity.phone",
    "personal_id": "anonymity.personal_id",
    "iban": "anonymity.iban",
}
#: Which kind wins when two hits overlap (lower first).
_PRIORITY = {"email": 0, "url": 1, "personal_id": 2, "iban": 3, "phone": 4}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]*\w@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_URL = re.compile(
    r"(?<![\w@/])(?:(?:https?|ftp)://|www\.)[^\s<>\"']+"
    r"|(?<![\w@/.-])(?:[\w-]+\.)+(?:fi|com|org|net|eu|io|se|info|biz|ax|ee|de|uk)(?:/[^\s<>\"']*)?(?![\w@-])",
    re.IGNORECASE)
_HETU = re.compile(r"(?<![\w-])(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])(?!\w)")
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {"+": 1800, "-": 1900, "U": 1900, "V": 1900, "W": 1900, "X": 1900, "Y": 1900,
            "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}
_IBAN = re.compile(r"(?<![\w])([A-Z]{2}\d{2})((?:[ ]?[A-Z0-9]){8,32})")
_IBAN_LENGTHS = {
    "FI": 18, "AX": 18, "SE": 24, "NO": 15, "DK": 18, "EE": 20, "LV": 21, "LT": 20, "DE": 22, "GB": 22,
    "FR": 27, "NL": 18, "BE": 16, "ES": 24, "IT": 27, "AT": 20, "CH": 21, "PL": 28, "IE": 22, "PT": 25,
    "LU": 20, "IS": 26, "CZ": 24, "SK": 24, "HU": 28, "GR": 27,
}
# Finnish numbers start with 0 (040 123 4567, 09-123 4567) or +358 / 00358; other
# international numbers start with + and a country code.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)358[\s-]?(?:\(0\)\s?)?\d|\+(?!358)[1-9]\d{0,2}[\s-]?\d|0\d)"
    r"(?:[\s-]?\d){5,11}(?!\w|-\w)")


def valid_henkilotunnus(code: str) -> bool:
    """True for a Finnish personal identity code with a real date and the right check character."""
    m = _HETU.fullmatch(code.strip())
    if not m:
        return False
    dd, mm, yy, sep, num, check = m.groups()
    try:
        dt.date(_CENTURY[sep] + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return _HETU_CHECK[int(dd + mm + yy + num) % 31] == check


def valid_iban(text: str) -> bool:
    """True for an IBAN whose length (for known countries) and mod-97 checksum are right."""
    s = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", s):
        return False
    want = _IBAN_LENGTHS.get(s[:2])
    if want is not None and len(s) != want:
        return False
    digits = "".join(str(int(ch, 36)) for ch in s[4:] + s[:4])
    return int(digits) % 97 == 1


def _ibans(text: str):
    for m in _IBAN.finditer(text):
        # the greedy match may run into a following word in capitals: try shorter candidates,
        # cut at group boundaries and at the country's IBAN length
        body = m.group(0)
        ends = {i for i, ch in enumerate(body) if ch == " "} | {len(body)}
        want = _IBAN_LENGTHS.get(body[:2])
        if want:
            count = 0
            for i, ch in enumerate(body):
                count += ch != " "
                if count == want:
                    ends.add(i + 1)
                    break
        for e in sorted(ends, reverse=True):
            cand = body[:e].rstrip()
            stop = m.start() + len(cand)
            if valid_iban(cand) and (stop == len(text) or not text[stop].isalnum()):
                yield m.start(), stop, cand, "iban"
                break


def _phones(text: str):
    for m in _PHONE.finditer(text):
        s = m.group(0).rstrip(" -")
        digits = re.sub(r"\D", "", s)
        if s.startswith("+358") or s.startswith("00358"):
            ok = 10 <= len(digits) <= 14
        elif s.startswith("+"):
            ok = 8 <= len(digits) <= 15
        else:
            ok = 7 <= len(digits) <= 11
        # a run of separated groups like "0 1 2 3 4 5 6" or a date is not a phone number
        if ok and not re.search(r"\d[\s-]\d[\s-]\d[\s-]", s):
            yield m.start(), m.start() + len(s), s, "phone"


def _urls(text: str):
    for m in _URL.finditer(text):
        s = m.group(0)
        while s and s[-1] in ".,;:!?)]}'\"":
            if s[-1] == ")" and s.count("(") >= s.count(")"):
                break
            s = s[:-1]
        if s:
            yield m.start(), m.start() + len(s), s, "url"


def find_patterns(text: str) -> list[tuple[int, int, str, str]]:
    """Every pattern hit as ``(start, end, text, kind)``, sorted, overlaps resolved (an e-mail
    wins over the URL inside it, a longer hit over a shorter one)."""
    hits = []
    hits += [(m.start(), m.end(), m.group(0), "email") for m in _EMAIL.finditer(text)]
    hits += list(_urls(text))
    hits += [(m.start(), m.end(), m.group(0), "personal_id") for m in _HETU.finditer(text)
             if valid_henkilotunnus(m.group(0))]
    hits += list(_ibans(text))
    hits += list(_phones(text))
    hits.sort(key=lambda h: (_PRIORITY[h[3]], h[0], -(h[1] - h[0])))
    chosen: list[tuple[int, int, str, str]] = []
    for h in hits:
        if all(h[1] <= c[0] or h[0] >= c[1] for c in chosen):
            chosen.append(h)
    return sorted(chosen)
