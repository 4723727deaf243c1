"""Finding and replacing identifying details, with offsets kept consistent.

Replacement convention (see ``docs/anonymity.md``):

* a name from the key becomes its pseudonym; a Finnish case ending is kept after a colon
  (``Virtasen`` → ``H1:n``, ``Virtaselle`` → ``H1:lle``, ``Virtanen`` → ``H1``), a clitic
  after it (``Virtasenkin`` → ``H1:nkin``);
* a name that starts a compound keeps the rest of the word after a hyphen
  (``Datasiltatiimi`` → ``Yritys X -tiimi``, ``Virtasen-tiimi`` → ``H1:n-tiimi``); without a
  hyphen, only an organisation's name counts in the nominative; other names need the genitive
  (``Virtasentiimi``), because a nominative + word is usually another surname (``Lainemaa``);
* e-mail addresses, phone numbers, personal identity codes, IBANs and URLs become a label in
  brackets: ``[sähköposti]``, ``[puhelin]``, ``[henkilötunnus]``, ``[IBAN]``, ``[URL]``
  (English: ``[email]``, ``[phone]``, ``[personal id]``, ``[IBAN]``, ``[URL]``).

>>> p = pseudonymise_text("Virtaselle soitettiin.", {"Virtanen": "H1"})
>>> p.text, p.remap(0, 10)
('H1:lle soitettiin.', (0, 6))
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from typing import NamedTuple, Optional

import simplemma

from ..labels import label
from .inflect import case_ending, compound_tags, guess_case, inflected_forms, name_parts
from .key import KeyEntry, PseudonymKey
from .patterns import PATTERN_KINDS, find_patterns

CLITICS = ("kaan", "kään", "kin", "han", "hän", "pas", "päs", "ko", "kö", "pa", "pä")
_TOKEN = re.compile(r"[^\W\d_]\w*(?:[:’'][^\W\d_]+)?")


class Hit(NamedTuple):
    """One replaced (or found) stretch of the ORIGINAL text."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str


@dataclass
class PseudonymisedText:
    """The pseudonymised ``text``, the ``replacements`` made (offsets into the original text)
    and ``offset_map``: ``(orig_start, orig_end, new_start, new_end)`` per replacement."""

    text: str
    replacements: list[Hit] = field(default_factory=list)
    offset_map: list[tuple[int, int, int, int]] = field(default_factory=list)
    original: str = ""

    def remap(self, start: int, end: int) -> tuple[int, int]:
        """A span of the original text mapped onto this text (see :func:`remap_span`)."""
        return remap_span(start, end, self)

    def __str__(self) -> str:
        return self.text


def _map(offset_map, pos: int, end: bool) -> int:
    starts = [m[0] for m in offset_map]
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0:
        os_, oe, ns, ne = offset_map[i]
        if os_ < pos < oe:                       # inside a replaced name: snap to its edge
            return ne if end else ns
        if pos >= oe:
            return pos + (ne - oe)
        # pos == os_: the replacement starts here; everything before it is shifted
        return ns
    return pos


def remap_span(start: int, end: int, pseudo: PseudonymisedText) -> tuple[int, int]:
    """Map a span of the original text onto the pseudonymised text.

    Spans before a replacement stay, spans after it shift by the change in length, spans
    covering a replacement grow or shrink with it, and a span starting or ending inside a
    replaced stretch snaps outwards to the replacement's edges.
    """
    if start > end:
        raise ValueError(f"span start {start} is after its end {end}")
    s = _map(pseudo.offset_map, start, False)
    e = _map(pseudo.offset_map, end, True)
    return s, max(s, e)


# ------------------------------------------------------------------------------ matcher


@functools.lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    return simplemma.lemmatize(word, lang="fi")


@functools.lru_cache(maxsize=65536)
def _known_word(word: str) -> bool:
    if len(word) < 3:
        return False
    return simplemma.is_known(word, lang="fi") or simplemma.is_known(simplemma.lemmatize(word, lang="fi"),
                                                                      lang="fi")


def _inflection_rest(word: str, lemma: str) -> bool:
    """True when what follows the shared beginning of ``word`` and ``lemma`` looks like an
    inflection (``Mäkelöitä``), not a second word of a compound (``Laine`` + ``maa``)."""
    n = 0
    while n < min(len(word), len(lemma)) and word[n].lower() == lemma[n].lower():
        n += 1
    rest = word[n:].lower()
    if len(rest) > 8:
        return False
    if len(rest) >= 3 and _known_word(rest) and len(_lemma(rest)) >= 3:
        return False
    return True


class _Matcher:
    def __init__(self, key: PseudonymKey):
        self.words: dict[str, tuple[KeyEntry, str, str]] = {}     # form -> (entry, tag, base name)
        self.phrases: dict[str, tuple[KeyEntry, str, str]] = {}
        self.lemmas: dict[str, tuple[KeyEntry, str]] = {}
        for with_parts in (False, True):       # whole names first, then their parts
            for entry in key.entries:
                for name in entry.names():
                    if with_parts:
                        names = name_parts(name, entry.kind)
                    else:
                        names = [name]
                    for base in names:
                        for form, tag in inflected_forms(base, entry.kind, with_parts=False).items():
                            target = self.phrases if re.search(r"\W", form) else self.words
                            target.setdefault(form, (entry, tag, base))
                            up = form.upper()
                            if up != form and len(form) > 2:
                                target.setdefault(up, (entry, tag, base))
                        if " " not in base and len(base) >= 3:
                            self.lemmas.setdefault(base, (entry, base))
        # the lemmatiser is asked only about words that begin like a name in the key
        self.lemma_heads = {name[:2].lower() for name in self.lemmas}
        alts = sorted(self.phrases, key=lambda f: (-len(f), f))
        self.phrase_rx = (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts)
                                     + r")") if alts else None)

    # -- helpers
    def _tail(self, text: str, end: int) -> Optional[tuple[int, str, str]]:
        """What follows a matched form at ``end``: (new end, written ending with its colon or
        apostrophe, clitic) or None when the form runs on into a longer word."""
        if end >= len(text) or not (text[end].isalnum() or text[end] in ":’'"):
            return end, "", ""
        m = re.match(r"[:’'][^\W\d_]+(?!\w)", text[end:])
        if m:
            return end + m.end(), m.group(0), ""
        if text[end] in ":’'":
            return end, "", ""
        m = re.match(r"(" + "|".join(CLITICS) + r")(?!\w)", text[end:])
        if m:
            return end + m.end(), "", m.group(1)
        return None

    @staticmethod
    def _replacement(entry: KeyEntry, base: str, tag: str, written: str, clitic: str, original: str) -> str:
        if written:                 # an ending the text already wrote: Oy:n, HSL:lle, Smith's
            return entry.pseudonym + written + clitic
        ending = case_ending(base if tag == "nom" else original, tag)
        out = entry.pseudonym + (":" + ending if ending else "")
        if clitic:
            out += clitic if ending else ":" + clitic
        return out

    def find(self, text: str, blocked: list[tuple[int, int]]) -> list[Hit]:
        hits: list[Hit] = []
        taken = sorted(blocked)

        def free(s: int, e: int) -> bool:
            # ``taken`` holds non-overlapping spans sorted by start: only neighbours can overlap
            i = bisect.bisect_left(taken, (s, s))
            return all(not (ts < e and s < te) for ts, te in taken[max(0, i - 1):i + 2]) \
                and not (s == e and any(ts < s < te for ts, te in taken[max(0, i - 1):i + 1]))

        def add(s: int, e: int, repl: str, kind: str) -> None:
            hits.append(Hit(s, e, text[s:e], repl, kind))
            bisect.insort(taken, (s, e))

        if self.phrase_rx is not None:
            for m in self.phrase_rx.finditer(text):
                form = " ".join(m.group(0).split())
                tail = self._tail(text, m.end())
                if tail is None or form not in self.phrases or not free(m.start(), tail[0]):
                    continue
                entry, tag, base = self.phrases[form]
                add(m.start(), tail[0], self._replacement(entry, base, tag, tail[1], tail[2], form), entry.kind)

        for m in _TOKEN.finditer(text):
            tok = m.group(0)
            s = m.start()
            if not tok[0].isupper() or not free(s, m.end()):
                continue
            found = self._token(text, tok, s)
            if found is None:
                continue
            e, repl, kind = found
            if free(s, e):
                add(s, e, repl, kind)
        hits.sort()
        return hits

    def _token(self, text: str, tok: str, s: int) -> Optional[tuple[int, str, str]]:
        word = re.split(r"[:’']", tok, maxsplit=1)[0]
        end = s + len(word)
        # 1. a generated form, possibly with a colon ending or a clitic
        for cand in (word, word.capitalize() if word.isupper() else None):
            if cand and cand in self.words:
                tail = self._tail(text, end)
                if tail is not None:
                    entry, tag, base = self.words[cand]
                    e = self._hyphen(text, tail[0], entry)
                    repl = self._replacement(entry, base, tag, tail[1], tail[2], cand)
                    return e, repl + (" -" if e > tail[0] else ""), entry.kind
        # 2. a form + clitic written together (Virtasenkin)
        for cl in CLITICS:
            if word.endswith(cl) and word[: -len(cl)] in self.words:
                entry, tag, base = self.words[word[: -len(cl)]]
                return end, self._replacement(entry, base, tag, "", cl, word[: -len(cl)]), entry.kind
        # 3. the name starts a compound (Datasiltatiimi, Virtasenpoika)
        tags = compound_tags()
        for cut in range(len(word) - 3, 1, -1):
            head, rest = word[:cut], word[cut:]
            if head in self.words and self.words[head][1] in tags and rest.isalpha() and rest.islower() \
                    and _known_word(rest):
                entry, tag, base = self.words[head]
                if entry.kind != "organisation" and tag == "nom":
                    continue    # Laine + maa = Lainemaa, another surname: needs the genitive
                repl = self._replacement(entry, base, tag, "", "", head)
                return s + cut, repl + (" -" if " " in entry.pseudonym else "-"), entry.kind
        # 4. fallback: the lemmatiser says the word is a form of a name in the key
        if len(word) > 3 and word[:2].lower() in self.lemma_heads:
            lemma = _lemma(word)
            if lemma != word and lemma in self.lemmas and _inflection_rest(word, lemma):
                entry, base = self.lemmas[lemma]
                tail = self._tail(text, end)
                if tail is not None:
                    tag = guess_case(word, lemma)
                    return tail[0], self._replacement(entry, base, tag, tail[1], tail[2], word), entry.kind
        return None

    @staticmethod
    def _hyphen(text: str, end: int, entry: KeyEntry) -> int:
        """Include a compound hyphen (``Datasilta-projekti``) when the pseudonym has a space,
        so that the replacement can be written ``Yritys X -projekti``."""
        if " " in entry.pseudonym and end + 1 < len(text) and text[end] == "-" and text[end + 1].isalpha():
            return end + 1
        return end


def _matcher(key: PseudonymKey) -> _Matcher:
    """The key's compiled matcher, rebuilt when the key's entries changed."""
    sig = tuple((e.real, e.pseudonym, e.kind, tuple(e.aliases)) for e in key.entries)
    cached = getattr(key, "_matcher", None)
    if cached is None or cached[0] != sig:
        cached = (sig, _Matcher(key))
        key._matcher = cached
    return cached[1]


def find_hits(text: str, key=None, *, lang: str = "fi", names: bool = True, patterns: bool = True) -> list[Hit]:
    """Every identifying stretch of ``text`` with its replacement, sorted, not overlapping."""
    key = PseudonymKey.coerce(key)
    hits: list[Hit] = []
    if patterns:
        for s, e, found, kind in find_patterns(text):
            hits.append(Hit(s, e, found, label(PATTERN_KINDS[kind], lang), kind))
    if names and key.entries:
        hits += _matcher(key).find(text, [(h.start, h.end) for h in hits])
    hits.sort()
    return hits


def pseudonymise_text(text: str, key=None, *, lang: str = "fi", names: bool = True,
                      patterns: bool = True) -> PseudonymisedText:
    """Replace names from ``key`` (every inflected form) and identifying patterns in ``text``.

    ``key`` is a :class:`PseudonymKey`, a ``{name: pseudonym}`` mapping, a key-file path or
    None (patterns only).  ``lang`` chooses the pattern labels (``fi``/``en``).
    """
    hits = find_hits(text, key, lang=lang, names=names, patterns=patterns)
    pieces: list[str] = []
    offset_map: list[tuple[int, int, int, int]] = []
    last = 0
    new_len = 0
    for h in hits:
        pieces.append(text[last:h.start])
        new_len += h.start - last
        offset_map.append((h.start, h.end, new_len, new_len + len(h.replacement)))
        pieces.append(h.replacement)
        new_len += len(h.replacement)
        last = h.end
    pieces.append(text[last:])
    return PseudonymisedText("".join(pieces), hits, offset_map, text)
