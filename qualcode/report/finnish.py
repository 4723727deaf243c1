"""Small Finnish (and English) formatting helpers for reports: the partitive singular
of role nouns (the form that follows a numeral above one, ``2 tiimivalmentajaa``),
dates as ``d.m.yyyy`` and durations as ``36min``.

The partitive rules cover the endings that job titles and roles actually have; an
explicit form (``partitive:`` in a YAML file) always wins over the rules.

>>> partitive("projektipäällikkö"), partitive("asiakasneuvoja"), partitive("asiakas")
('projektipäällikköä', 'asiakasneuvojaa', 'asiakasta')
>>> count_phrase(1, "vakuutusasiantuntija"), count_phrase(2, "tiimivalmentaja")
('1 vakuutusasiantuntija', '2 tiimivalmentajaa')
>>> format_date("2021-08-03"), format_minutes(36.0)
('3.8.2021', '36min')
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Optional

from ..fileutil import as_date
from ..labels import NBSP, format_amount  # noqa: F401  (their home is the label catalogue)

BACK = set("aouAOU")
FRONT = set("äöyÄÖY")
VOWELS = set("aeiouyäöAEIOUYÄÖ")


def is_back(word: str) -> bool:
    """Vowel harmony of a (compound) word: decided by the harmonic vowel nearest to the
    end, so the last part of a compound wins (``tietohallintopäällikkö`` is front,
    ``asiakasneuvoja`` back).  Words with only neutral vowels (e, i) are front.

    >>> is_back("ohjelmistokehittäjä"), is_back("controller"), is_back("sihteeri")
    (False, True, False)
    """
    for ch in reversed(word):
        if ch in BACK:
            return True
        if ch in FRONT:
            return False
    return False


def _a(word: str) -> str:
    return "a" if is_back(word) else "ä"


def _match_case(new: str, old: str) -> str:
    return new.upper() if old.isupper() and len(old) > 1 else new


def _partitive_word(word: str) -> str:
    """Partitive singular of one word (see :func:`partitive`)."""
    if not word or not word[-1].isalpha():
        return word
    w = word
    low = w.lower()
    a = _a(low)
    if low.endswith("nen"):                      # -inen → -ista, -lainen → -laista
        return w[:-3] + "s" + "t" + a
    if low.endswith("mies"):                     # esimies → esimiestä
        return w + "t" + a
    if re.search(r"[aeiouyäö]s$", low):          # -us/-ys → -usta/-ystä, asiakas → asiakasta
        return w + "t" + a
    if re.search(r"(en|in|an|än|ton|tön)$", low) and _looks_native(low):
        return w + "t" + a                       # jäsen → jäsentä
    if low.endswith("e") and not re.search(r"[aeiouyäö]e$", low):
        return w + "tt" + a                      # -e → -että/-etta
    if re.search(r"([aeiouyäö])\1$", low) or re.search(r"(ie|uo|yö|ei|ai|oi|ui|äi|öi|ey|äy|öy|au|ou|eu|iu)$", low):
        return w + "t" + a                       # long vowel or diphthong: puu → puuta
    if low[-1] in VOWELS:                        # -ja → -jaa, -kkö → -kköä, -ri → -riä/-ria
        return w + a
    # consonant-final loanword: controller → controlleria, manager → manageria
    return w + "i" + a


def _looks_native(low: str) -> bool:
    """Heuristic: consonant-final words with a Finnish shape (-en, -in, -ton) take -tA;
    loanwords such as 'designer', 'consultant' or 'coach' take -iA."""
    if re.search(r"(tt|nt|ch|sh|ck|gn|ng|er|or|ist|ant|ent)$", low):
        return False
    return bool(re.search(r"[aeiouyäö][^aeiouyäö]*(en|in|an|än|on|ön)$", low)) and not low.endswith(("ian", "ean"))


#: Attributes that agree with the noun: -inen adjectives and -va/-vä participles.
_ATTRIBUTE = re.compile(r"(?i)(nen|va|vä)$")


def partitive(role: str, override: Optional[str] = None) -> str:
    """The Finnish partitive singular of a role noun or short role phrase.

    The last word is inflected; a preceding adjective (``tekninen``, ``vastaava``)
    agrees with it, while a genitive attribute (``hallituksen``) stays as it is.
    ``override`` (from a ``partitive:`` key in YAML) is returned unchanged when given.

    >>> [partitive(r) for r in ["ohjelmistokehittäjä", "tiimivalmentaja", "insinööri",
    ...                         "controller", "tekninen johtaja", "hallituksen jäsen"]]
    ['ohjelmistokehittäjää', 'tiimivalmentajaa', 'insinööriä', 'controlleria', 'teknistä johtajaa', 'hallituksen jäsentä']
    """
    if override:
        return str(override)
    text = str(role).strip()
    if not text:
        return text
    # keep a parenthesised note at the end: "projektipäällikkö (integraatiot)"
    note = ""
    m = re.match(r"^(.*?)(\s*\(.*\))$", text)
    if m and m.group(1).strip():
        text, note = m.group(1).strip(), m.group(2)
    words = text.split(" ")
    out = list(words)
    out[-1] = _partitive_with_hyphen(words[-1])
    for i in range(len(words) - 2, -1, -1):
        if _ATTRIBUTE.search(words[i]):
            out[i] = _partitive_with_hyphen(words[i])
        else:
            break
    return " ".join(out) + note


def _partitive_with_hyphen(word: str) -> str:
    # "talous- ja laskutusvastaava" is handled word by word; a trailing hyphen is left alone
    if word.endswith("-"):
        return word
    return _partitive_word(word)


def count_phrase(count: Any, role: str, lang: str = "fi", override: Optional[str] = None,
                 plural: Optional[str] = None) -> str:
    """``"2 tiimivalmentajaa"``: a count and a role, the role in the partitive after a
    numeral other than one (Finnish); in English the ``plural`` given, else the role."""
    n = _int(count)
    return f"{n} {role_after_count(n, role, lang, override, plural)}"


def role_after_count(count: Any, role: str, lang: str = "fi", override: Optional[str] = None,
                     plural: Optional[str] = None) -> str:
    """The role as it reads after ``count``: nominative after 1, partitive otherwise
    (Finnish); English uses ``plural`` when given for counts other than 1.

    >>> role_after_count(1, "asiakkuuspäällikkö"), role_after_count(4, "asiakasneuvoja")
    ('asiakkuuspäällikkö', 'asiakasneuvojaa')
    """
    n = _int(count)
    if lang == "en":
        return plural if (plural and n != 1) else role
    return role if n == 1 else partitive(role, override)


def _int(value: Any) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0
    return int(f) if not math.isnan(f) else 0


def format_date(value: Any) -> str:
    """``d.m.yyyy`` without zero padding (``3.8.2021``); empty text when there is no date.

    >>> format_date(dt.date(2021, 10, 9)), format_date(None)
    ('9.10.2021', '')
    """
    d = as_date(value)
    return f"{d.day}.{d.month}.{d.year}" if d else ""


def as_minutes(value: Any) -> Optional[float]:
    """Minutes as a float from ``36``, ``36.0``, ``"36"`` or ``"36min"``; ``None`` if empty."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return None if (isinstance(value, float) and math.isnan(value)) else float(value)
    m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(?:min)?\s*", str(value))
    return float(m.group(1).replace(",", ".")) if m else None


def format_number(value: float, lang: str = "fi", decimals: int = 1) -> str:
    """A number with at most ``decimals`` decimals; a decimal comma in Finnish.

    >>> format_number(38.846, "fi"), format_number(38.846, "en"), format_number(40.0)
    ('38,8', '38.8', '40')
    """
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(1).scaleb(-decimals)
    text = str(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "fi" else text


def format_percent(share: Any, lang: str = "fi", decimals: int = 1) -> str:
    """A share (0–1) as a percentage: ``8,3 %`` in Finnish (a no-break space before the sign,
    as Finnish writes it), ``8.3%`` in English.

    >>> format_percent(0.083).replace(NBSP, " "), format_percent(0.083, "en"), format_percent(1)
    ('8,3 %', '8.3%', '100\xa0%')
    """
    if share is None or isinstance(share, bool):
        return ""
    number = format_number(float(share) * 100, lang, decimals)
    return f"{number}{NBSP}%" if lang == "fi" else f"{number}%"


def format_minutes(value: Any, lang: str = "fi") -> str:
    """A duration as ``36min`` (no space, the thesis style); empty when unknown.

    >>> format_minutes("45"), format_minutes(38.8), format_minutes(None)
    ('45min', '38,8min', '')
    """
    m = as_minutes(value)
    return "" if m is None else f"{format_number(m, lang)}min"
