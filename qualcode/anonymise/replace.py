"""Replacing names from the key and identifiers found by their shape, with an offset map.

Convention (see ``docs/anonymity.md``): a name becomes its pseudonym; when the name was
inflected, the case ending follows after a colon, the way Finnish inflects abbreviations
(``Virtasen`` → ``H1:n``, ``Virtaselle`` → ``H1:lle``, ``Datasillan`` → ``Yritys X:n``); a name
as the first part of a compound keeps the rest after a hyphen (``Virtasen-tiimi`` →
``H1:n-tiimi``, ``Datasiltatiimi`` → ``Yritys X -tiimi``).  Identifiers become bracketed
labels: ``[sähköposti]``, ``[puhelin]``, ``[henkilötunnus]``, ``[IBAN]``, ``[URL]``.

>>> key = PseudonymKey.from_dict({"Virtanen": "H1"})
>>> p = pseudonymise_text("Kysyin Virtaselta, ja Virtasen mukaan asia on selvä.", key)
>>> p.text
'Kysyin H1:lta, ja H1:n mukaan asia on selvä.'
>>> remap_span(22, 30, p.offset_map)     # "Virtasen" → "H1:n"
(18, 22)
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, NamedTuple, Optional, Sequence, Union

import pandas as pd

from ..labels import label
from .inflect import CASE_ENDINGS, case_ending, harmonise, inflected_forms, is_back, nen_tails
from .key import KeyEntry, PseudonymKey
from .patterns import find_patterns

#: Legal-form words that may end an organisation's name; the name is also found without them.
LEGAL_FORMS = frozenset({"oy", "oyj", "ab", "abp", "ay", "ky", "ry", "rf", "tmi", "ltd", "inc",
                         "gmbh", "llc", "plc", "corp", "co", "sa", "as", "asa", "aps"})
_CLITICS = ("kaan", "kään", "kin", "han", "hän", "pa", "pä", "ko", "kö")
_WORD = re.compile(r"[^\W_](?:[^\W_]|[-:'’](?=[^\W_]))*")
_MIN_COMPOUND_NAME = 4    # a name shorter than this is not looked for as the first part of a word
_MIN_COMPOUND_REST = 3


class Replacement(NamedTuple):
    """One replacement: ``text[start:end] == original`` in the original text."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str


@dataclass(frozen=True)
class Hit:
    """A name or identifier found in a text (offsets into that text)."""

    start: int
    end: int
    found: str
    kind: str
    replacement: str
    pseudonym: str = ""


# ----------------------------------------------------------------------------- offsets


@dataclass
class OffsetMap:
    """Where every replaced stretch of the original text went in the new text.

    ``spans`` holds ``(old_start, old_end, new_start, new_end)`` in order.  Positions outside a
    replacement shift by the length changes before them; a position inside one moves to the
    replacement's start (for a span's start) or end (for a span's end), so a span that covered
    part of a name covers all of its pseudonym.
    """

    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    old_length: int = 0
    new_length: int = 0

    def __post_init__(self) -> None:
        self._starts = [s[0] for s in self.spans]
        self._ends = [s[1] for s in self.spans]
        self._delta = [0]
        for s, e, ns, ne in self.spans:
            self._delta.append(self._delta[-1] + (ne - ns) - (e - s))

    def position(self, pos: int, side: str = "start") -> int:
        """The new position of old position ``pos``; ``side`` is ``start`` or ``end``."""
        if side == "start":
            j = bisect.bisect_right(self._starts, pos) - 1
            if j >= 0 and self.spans[j][0] <= pos < self.spans[j][1]:
                return self.spans[j][2]
            return pos + self._delta[bisect.bisect_right(self._ends, pos)]
        j = bisect.bisect_left(self._ends, pos)          # first replacement ending at or after pos
        if j < len(self.spans) and self.spans[j][0] < pos < self.spans[j][1]:
            return self.spans[j][3]
        return pos + self._delta[bisect.bisect_right(self._ends, pos)]

    def span(self, start: int, end: int) -> tuple[int, int]:
        new_start = self.position(start, "start")
        new_end = self.position(end, "end")
        return new_start, max(new_start, new_end)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.spans, columns=["old_start", "old_end", "new_start", "new_end"])


def remap_span(start: int, end: int, offset_map: OffsetMap) -> tuple[int, int]:
    """Move a span (a coding's ``start``/``end``) from the original text onto the
    pseudonymised one, so that it covers the same words."""
    return offset_map.span(int(start), int(end))


def remap_frame(df: pd.DataFrame, maps: Union[OffsetMap, Mapping[object, OffsetMap]], *,
                by: Optional[str] = None, start: str = "start", end: str = "end") -> pd.DataFrame:
    """A copy of ``df`` (e.g. the ``codings`` frame) with ``start``/``end`` remapped; with
    ``by="source_id"``, ``maps`` gives one :class:`OffsetMap` per value of that column (rows
    whose value has no map keep their offsets)."""
    out = df.copy()
    if out.empty:
        return out
    new_s, new_e = [], []
    for row_key, s, e in zip(out[by] if by else [None] * len(out), out[start], out[end]):
        m = maps if isinstance(maps, OffsetMap) else maps.get(row_key)
        if m is None:
            new_s.append(int(s))
            new_e.append(int(e))
        else:
            a, b = m.span(int(s), int(e))
            new_s.append(a)
            new_e.append(b)
    out[start] = new_s
    out[end] = new_e
    return out


# ----------------------------------------------------------------------------- names


@dataclass(frozen=True)
class _Variant:
    entry: KeyEntry
    head: tuple[str, ...]          # casefolded words before the inflected last word
    last: str                      # the last word as written in the key
    forms: tuple[tuple[str, str], ...]  # (casefolded form, case)

    @property
    def any_case(self) -> bool:    # a key name written in lower case matches in any case
        first = (self.head[0] if self.head else self.last)[:1]
        return bool(first) and not first.isupper() and first.isalpha()


def _variants(entry: KeyEntry) -> list[_Variant]:
    words = entry.real.split()
    out: list[tuple[str, ...]] = [tuple(words)]
    if len(words) > 1 and words[-1].casefold().strip(".") in LEGAL_FORMS:
        out.append(tuple(words[:-1]))
    if entry.kind == "person" and len(words) > 1 and len(words[-1]) >= 3:
        out.append((words[-1],))        # the surname alone
    result = []
    for ws in out:
        last = ws[-1]
        if last.casefold().strip(".") in LEGAL_FORMS:
            forms = ((last.casefold(), "nom"),)
        else:
            forms = tuple((f.casefold(), c) for f, c in inflected_forms(last).items())
        result.append(_Variant(entry, tuple(w.casefold() for w in ws[:-1]), last, forms))
    return result


class _Found(NamedTuple):
    variant: _Variant
    name_end: int                  # characters of the token that belong to the name
    ending: str                    # rendered ending (case ending + clitic, or ":xx"/"'s")
    joiner: str                    # "" | "-" (compound without a hyphen) | " " (pseudonym before "-")
    rank: int                      # lower is better


@lru_cache(maxsize=65536)
def _lemma(word: str, lang: str) -> str:
    try:
        import simplemma
    except ImportError:  # pragma: no cover - simplemma is a core dependency
        return word.casefold()
    try:
        return simplemma.lemmatize(word, lang=lang).casefold()
    except Exception:  # noqa: BLE001 - an unknown language or word: no lemma
        return word.casefold()


_SURFACE_ENDINGS = sorted({harmonise(e, b) for e in CASE_ENDINGS.values() if e for b in (True, False)}
                          | {"a", "ä", "seen", "lle"}, key=len, reverse=True)


def _guess_ending(word: str, name: str) -> str:
    low = word.casefold()
    if low.startswith(name.casefold()[:-1]) and len(low) <= len(name):
        return ""
    for clitic in _CLITICS:
        if low.endswith(clitic) and len(low) > len(clitic) + 3:
            return _guess_ending(word[: -len(clitic)], name) + clitic
    for end in _SURFACE_ENDINGS:
        if low.endswith(end):
            for case, tmpl in CASE_ENDINGS.items():
                if harmonise(tmpl, is_back(name)) == end or harmonise(tmpl, not is_back(name)) == end:
                    return case_ending(case, name)
            return "een" if end == "seen" else case_ending("par", name) if end in ("a", "ä") else end
    return ""


def _ending_by_prefix(word: str, v: _Variant) -> str:
    """The ending of a form the generator does not know (``Virtasilleen``): the case of the
    longest known form it starts with, plus what follows (``ille`` + ``en``)."""
    low = word.casefold()
    best = max(((f, c) for f, c in v.forms if low.startswith(f) and len(f) < len(low)),
               key=lambda fc: len(fc[0]), default=None)
    if best is None or best[1] == "nom" and len(best[0]) < len(v.last):
        return _guess_ending(word, v.last)
    return case_ending(best[1], v.last) + word[len(best[0]):]


class NameMatcher:
    """Finds the names of a key in texts (all inflected forms, compounds, a lemma fallback)."""

    def __init__(self, entries: Iterable[KeyEntry]):
        self.single: dict[str, list[tuple[_Variant, str]]] = {}
        self.multi: dict[str, list[_Variant]] = {}
        self.lemmas: dict[str, _Variant] = {}
        self.tails = nen_tails()
        self.max_form = 0
        for entry in entries:
            for v in _variants(entry):
                if v.head:
                    self.multi.setdefault(v.head[0], []).append(v)
                    continue
                for form, case in v.forms:
                    self.single.setdefault(form, []).append((v, case))
                    self.max_form = max(self.max_form, len(form))
                if v.last.casefold().strip(".") not in LEGAL_FORMS and len(v.last) >= 3:
                    self.lemmas.setdefault(v.last.casefold(), v)
        for vs in self.multi.values():
            vs.sort(key=lambda v: -len(v.head))

    def __bool__(self) -> bool:
        return bool(self.single or self.multi)

    # -- one word against the forms of a last word -----------------------------------
    @staticmethod
    def _cap_ok(word: str, v: _Variant, ignore_case: bool) -> bool:
        return ignore_case or v.any_case or word[:1].isupper()

    def _match_word(self, word: str, table: Mapping[str, list[tuple[_Variant, str]]],
                    ignore_case: bool, lang: str, max_form: Optional[int] = None) -> Optional[_Found]:
        low = word.casefold()
        best: Optional[_Found] = None

        def consider(found: _Found) -> None:
            nonlocal best
            if not self._cap_ok(word, found.variant, ignore_case):
                return
            if best is None or (found.rank, -found.name_end) < (best.rank, -best.name_end):
                best = found

        for v, case in table.get(low, ()):
            consider(_Found(v, len(word), case_ending(case, v.last), "", 0))
        if best is not None:
            return best
        for clitic in _CLITICS:
            if low.endswith(clitic) and len(low) > len(clitic) + 1:
                for v, case in table.get(low[: -len(clitic)], ()):
                    consider(_Found(v, len(word), case_ending(case, v.last) + clitic, "", 1))
        if best is not None:
            return best
        for sep in (":", "'", "’"):
            if sep in word:
                base, rest = word.split(sep, 1)
                for v, case in table.get(base.casefold(), ()):
                    if case == "nom" and rest.isalpha():
                        ending = ":" + rest if sep == ":" else "'" + rest
                        consider(_Found(v, len(word), ending, "", 2))
        if best is not None:
            return best
        if "-" in word:                                    # Virtasen-tiimi, Datasilta-projekti
            cut = len(word)
            while True:
                cut = word.rfind("-", 0, cut)
                if cut <= 0:
                    break
                for v, case in table.get(low[:cut], ()):
                    consider(_Found(v, cut, case_ending(case, v.last), "", 3))
                if best is not None:
                    return best
        # Datasiltatiimi, Virtasentiimi: a nominative or genitive form, then a lower-case word
        top = min(len(word) - _MIN_COMPOUND_REST,
                  self.max_form if max_form is None else max_form)
        for k in range(top, _MIN_COMPOUND_NAME - 1, -1):
            rest = low[k:]
            if not word[k].isalpha() or not word[k].islower() or rest in self.tails:
                continue
            if "-" in rest or ":" in rest:
                continue
            for v, case in table.get(low[:k], ()):
                # people's names join a compound with a hyphen only (Salo ≠ Salomaa)
                if (case in ("nom", "gen") and len(v.last) >= _MIN_COMPOUND_NAME
                        and v.entry.kind != "person"):
                    consider(_Found(v, k, case_ending(case, v.last), "-", 4))
            if best is not None:
                return best
        return None

    def _match_lemma(self, word: str, lang: str, ignore_case: bool) -> Optional[_Found]:
        if not self.lemmas or len(word) < 3 or not (ignore_case or word[:1].isupper()):
            return None
        for cand in {_lemma(word, lang), _lemma(word.casefold(), lang)}:
            v = self.lemmas.get(cand)
            if v is not None and (ignore_case or v.any_case or word[:1].isupper()):
                return _Found(v, len(word), _ending_by_prefix(word, v), "", 5)
        return None

    # -- a whole text ------------------------------------------------------------------
    def find(self, text: str, *, ignore_case: bool = False, lang: str = "fi",
             blocked: Sequence[tuple[int, int]] = ()) -> list[Hit]:
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        blocked = sorted(blocked)
        bstarts = [b[0] for b in blocked]

        def is_blocked(s: int, e: int) -> bool:
            j = bisect.bisect_right(bstarts, e - 1) - 1
            return j >= 0 and blocked[j][1] > s

        hits: list[Hit] = []
        i = 0
        n = len(words)
        while i < n:
            s, e, w = words[i]
            if is_blocked(s, e):
                i += 1
                continue
            found, used = None, 1
            for v in self.multi.get(w.casefold(), ()):
                k = len(v.head)
                if i + k >= n:
                    continue
                ok = all(words[i + j][2].casefold() == v.head[j] for j in range(1, k))
                ok = ok and all(re.fullmatch(r"[ \t]{1,3}\n?[ \t]*|\n", text[words[i + j][1]:words[i + j + 1][0]])
                                for j in range(k))
                if not ok:
                    continue
                last = words[i + k]
                low_last = last[2].casefold()
                table = {form: [(v, case)] for form, case in v.forms if low_last.startswith(form)}
                f = self._match_word(last[2], table, ignore_case or v.any_case or w[:1].isupper(), lang,
                                     max(map(len, table), default=0))
                if f is not None and not is_blocked(s, last[0] + f.name_end):
                    found, used = f, k + 1
                    break
            if found is None:
                found = self._match_word(w, self.single, ignore_case, lang) if self.single else None
                if found is None and self.lemmas and "-" not in w and ":" not in w:
                    found = self._match_lemma(w, lang, ignore_case)
            if found is None:
                i += 1
                continue
            last_start = words[i + used - 1][0]
            end = last_start + found.name_end
            pseudo = found.variant.entry.pseudonym
            repl = _render(pseudo, found.ending, found.joiner, text, end)
            hits.append(Hit(s, end, text[s:end], found.variant.entry.kind, repl, pseudo))
            last_end = words[i + used - 1][1]
            i += used
            rest = end + 1 if text[end:end + 1] == "-" else end
            if last_end - rest >= 2:          # Virtanen-Korhonen: look at the rest of the word too
                words.insert(i, (rest, last_end, text[rest:last_end]))
                n += 1
        return hits


def _render(pseudonym: str, ending: str, joiner: str, text: str, end: int) -> str:
    if ending.startswith((":", "'", "’")):
        out = pseudonym + ending
    elif ending:
        out = f"{pseudonym}:{ending}"
    else:
        out = pseudonym
    spaced = " " in pseudonym
    if joiner == "-":
        out += " -" if spaced else "-"
    elif spaced and text[end:end + 1] == "-" and not out.endswith(" "):
        out += " "
    return out


# ----------------------------------------------------------------------------- text


@dataclass
class PseudonymisedText:
    """The result of :func:`pseudonymise_text`."""

    text: str
    replacements: list[Replacement]
    offset_map: OffsetMap

    def __str__(self) -> str:
        return self.text

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.replacements, columns=list(Replacement._fields))

    def remap(self, start: int, end: int) -> tuple[int, int]:
        return remap_span(start, end, self.offset_map)


def find_hits(text: str, key=None, *, lang: str = "fi", patterns: Union[bool, Iterable[str]] = True,
              ignore_case: bool = False) -> list[Hit]:
    """Every name from ``key`` and (with ``patterns``) every identifier in ``text``, in order,
    without overlaps; identifiers win over names inside them (an e-mail address is replaced
    whole)."""
    key = PseudonymKey.coerce(key)
    lang = lang if lang in ("fi", "en") else "fi"
    hits: list[Hit] = []
    if patterns:
        kinds = None if patterns is True else list(patterns)
        for p in find_patterns(text, kinds):
            hits.append(Hit(p.start, p.end, p.text, p.kind, label(f"anonymity.{p.kind}", lang)))
    if key:
        hits.extend(key.matcher().find(text, ignore_case=ignore_case, lang=lang,
                                       blocked=[(h.start, h.end) for h in hits]))
    return sorted(hits, key=lambda h: (h.start, h.end))


def pseudonymise_text(text: str, key=None, lang: str = "fi", *, patterns: Union[bool, Iterable[str]] = True,
                      ignore_case: bool = False) -> PseudonymisedText:
    """Replace every name of ``key`` (in every inflected form, in compounds) and every e-mail
    address, phone number, personal identity code, IBAN and URL in ``text``.

    ``key``: a :class:`PseudonymKey`, a ``{real: pseudonym}`` dict, a key file path, or None
    (identifiers only).  ``lang`` picks the labels (``[sähköposti]`` / ``[email]``) and the
    lemmatiser of the fallback.  Names are matched when capitalised (or in capitals); with
    ``ignore_case`` also in lower case.
    """
    hits = find_hits(text, key, lang=lang, patterns=patterns, ignore_case=ignore_case)
    pieces: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    reps: list[Replacement] = []
    last, pos = 0, 0
    for h in hits:
        pieces.append(text[last:h.start])
        pos += h.start - last
        pieces.append(h.replacement)
        spans.append((h.start, h.end, pos, pos + len(h.replacement)))
        reps.append(Replacement(h.start, h.end, h.found, h.replacement, h.kind))
        pos += len(h.replacement)
        last = h.end
    pieces.append(text[last:])
    new = "".join(pieces)
    return PseudonymisedText(new, reps, OffsetMap(spans, len(text), len(new)))


def pseudonymise_value(value, key=None, lang: str = "fi", **kw):
    """``pseudonymise_text(value).text`` for a string; any other value unchanged."""
    if not isinstance(value, str) or not value:
        return value
    return pseudonymise_text(value, key, lang, **kw).text


def pseudonymise_frame(df: pd.DataFrame, key=None, lang: str = "fi", columns: Optional[Iterable[str]] = None,
                       **kw) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (of ``columns``, default all) pseudonymised;
    the column headers are not changed."""
    key = PseudonymKey.coerce(key)
    out = df.copy()
    for col in (list(columns) if columns is not None else list(out.columns)):
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: pseudonymise_value(v, key, lang, **kw))
    return out
