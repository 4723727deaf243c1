"""Rule matching: a codebook's keywords, phrases and patterns → suggested codings.

Keywords and exclusion terms are compared by lemma (so inflected forms match) and,
for codes with ``compound: true``, also as the last part of a compound word.  Phrases
are compared lemma by lemma; patterns are case-insensitive regular expressions on the
raw text.  The rules are evaluated once per *word type* (distinct lowercase form) and
remembered, so coding a corpus is a vectorised look-up per token plus Python work only
for the few tokens that hit a rule.

>>> from qualcode.codebook import codebook_from_dict
>>> from qualcode.nlp import Annotator
>>> cb = codebook_from_dict({"codes": [{"id": "viestinta", "keywords": ["päivitys"],
...                                     "compound": True}]})
>>> text = "Tilannepäivityksiä tuli harvoin."
>>> m = RuleMatcher(cb, Annotator("fi")).match(text)
>>> m, text[m[0].start:m[0].end]
([Match(code_id='viestinta', start=0, end=18, rule='compound:päivitys')], 'Tilannepäivityksiä')
"""
from __future__ import annotations

import functools
import re
from typing import NamedTuple, Optional, Sequence

import numpy as np

from ..errors import CodebookError
from ..codebook import compile_pattern, parsed_pattern, sre_parser
from ..model import Codebook
from ..nlp.annotate import Annotation, Annotator, Lexicon
from ..nlp.arrays import sorted_unique

# A compound's first part must be at least this long ("non-trivial prefix"), so that
# e.g. keyword "hinta" does not hit "ahinta"-like spelling accidents.
MIN_PREFIX = 3
# Keywords shorter than this never match as compound parts (too many false hits).
MIN_COMPOUND_KEYWORD = 4


class Match(NamedTuple):
    """A rule hit: ``text[start:end]`` of the segment text, for ``code_id``, by ``rule``."""

    code_id: str
    start: int
    end: int
    rule: str


class _Phrase(NamedTuple):
    code_id: str
    rule: str          # "" for an exclusion phrase
    lemmas: tuple      # lemma of each token
    forms: tuple       # lowercase form of each token


class _TypeRules(NamedTuple):
    hits: tuple        # ((code_id, rule), ...) for keyword/compound hits of this type
    excludes: tuple    # code ids excluded by this type
    phrases: tuple     # phrases that may start with this type


class _Table:
    """Per-lexicon cache: rule hits of every word type, and a flag array for numpy."""

    def __init__(self) -> None:
        self.entries: list[Optional[_TypeRules]] = []
        self.flags = np.zeros(1024, dtype=bool)


class RuleMatcher:
    """Compile a codebook's rules once; match them on annotated texts.

    ``annotator`` supplies the tokenizer and lemmatiser; keywords and phrases are
    lemmatised with the same backend as the texts.
    """

    def __init__(self, codebook: Codebook, annotator: Optional[Annotator] = None) -> None:
        self.codebook = codebook
        self.annotator = annotator or Annotator(codebook.language or "fi")
        self.lemmatizer = self.annotator.lemmatizer
        self._tables: dict[int, _Table] = {}
        self._compile()

    # ------------------------------------------------------------ compiling

    def _tokens(self, term: str) -> tuple[tuple, tuple]:
        return self.annotator.term_tokens(term)

    def _compile(self) -> None:
        # key (lemma or lowercase form) -> [(code_id, rule, is_exclude)]
        self._exact: dict[str, list[tuple[str, str, bool]]] = {}
        # keyword lemma -> [(code_id, rule, is_exclude)] for compound-final matching
        self._compound: dict[str, list[tuple[str, str, bool]]] = {}
        self._phrases_by_first: dict[str, list[_Phrase]] = {}
        self._phrases: list[_Phrase] = []
        patterns: list[tuple[str, str, re.Pattern]] = []
        self.annotator.prepare_terms(t for code in self.codebook.codes
                                     for t in (*code.keywords, *code.exclude, *code.phrases))
        for code in self.codebook.codes:
            terms = [(k, f"keyword:{k}", False) for k in code.keywords]
            terms += [(x, "", True) for x in code.exclude]
            for term, rule, is_ex in terms:
                lemmas, forms = self._tokens(term)
                if len(lemmas) != 1:  # a multi-word keyword is a phrase
                    self._add_phrase(_Phrase(code.id, rule and f"phrase:{term}", lemmas, forms))
                    continue
                item = (code.id, rule, is_ex)
                for key in {lemmas[0], forms[0]}:
                    self._exact.setdefault(key, []).append(item)
                if code.compound and len(lemmas[0]) >= MIN_COMPOUND_KEYWORD:
                    crule = rule.replace("keyword:", "compound:", 1)
                    self._compound.setdefault(lemmas[0], []).append((code.id, crule, is_ex))
            for phrase in code.phrases:
                lemmas, forms = self._tokens(phrase)
                if lemmas:
                    self._add_phrase(_Phrase(code.id, f"phrase:{phrase}", lemmas, forms))
            for pattern in code.patterns:
                patterns.append((code.id, f"pattern:{pattern}", _LazyRegex(pattern, self._compiled, code.id),
                                 required_literal_groups(pattern)))
        self._patterns = patterns
        self._compound_lengths = sorted({len(k) for k in self._compound})
        # Heads of compound keywords: Finnish inflection (consonant gradation, stem
        # vowels) changes the last few letters of a stem, not its start, so the last
        # part of an inflected compound starts with the keyword minus its last 4 letters
        # ("päivitys" -> "päiv…": "tilannepäivityksiä").  Keyed by the first 2 letters.
        self._compound_heads: dict[str, list[tuple[str, str]]] = {}
        for key in self._compound:
            head = key[: max(2, len(key) - 4)]
            self._compound_heads.setdefault(key[:2], []).append((head, key))

    def _compiled(self, code_id: str, pattern: str):
        import regex

        try:
            return compile_pattern(pattern)
        except (regex.error, RecursionError, OverflowError, ValueError) as exc:
            raise CodebookError(f"code {code_id!r}: bad regular expression {pattern!r} ({exc}); "
                                "fix or quote the pattern", path=self.codebook.path or "codebook") from None

    def _add_phrase(self, phrase: _Phrase) -> None:
        self._phrases.append(phrase)
        for key in {phrase.lemmas[0], phrase.forms[0]}:
            self._phrases_by_first.setdefault(key, []).append(phrase)

    # ------------------------------------------------------------ per word type

    def _compound_keys(self, form: str, lemma: str, parts: Sequence[str],
                       suffix_search: bool = True) -> set[str]:
        """Compound keyword lemmas that ``form`` ends with (as a compound's last part);
        ``parts`` are the lemmatiser's compound parts of the form.  ``suffix_search=False``
        skips the lemmatising of possible last parts (the caller knows that no keyword head
        occurs inside the form)."""
        found = set()
        for n in self._compound_lengths:
            if len(lemma) - n >= MIN_PREFIX and lemma[-n:] in self._compound:
                found.add(lemma[-n:])
        if len(parts) > 1 and parts[-1] in self._compound:
            found.add(parts[-1])
        if not parts and suffix_search:
            # The lemmatiser did not know the compound: lemmatise its possible last parts
            # (through the lexicon, so the project store keeps these lemmas too).
            heads = self._compound_heads
            lemma_of = self.annotator.lexicon.lemma
            for k in range(MIN_PREFIX, len(form) - 1):
                for head, key in heads.get(form[k:k + 2], ()):
                    if form.startswith(head, k) and lemma_of(form[k:]) == key:
                        found.add(key)
        return found

    def _parts(self, lexicon: Lexicon, gid: int) -> Sequence[str]:
        if lexicon is self.annotator.lexicon:
            return lexicon.compound_parts(gid)   # kept in the project store
        return self.lemmatizer.compound_parts(lexicon.forms[gid])

    def _type_rules(self, form: str, lemma: str, parts: Sequence[str] = (),
                    suffix_search: bool = True) -> Optional[_TypeRules]:
        items = []
        for key in dict.fromkeys((lemma, form)):
            items.extend(self._exact.get(key, ()))
        exact_codes = {(c, ex) for c, _, ex in items}
        if self._compound:
            for key in self._compound_keys(form, lemma, parts, suffix_search):
                if key == lemma:
                    continue
                items.extend(i for i in self._compound[key] if (i[0], i[2]) not in exact_codes)
        phrases: list = []   # phrases are matched by _match_phrases, vectorised over all tokens
        if not items:
            return None
        hits = tuple(dict.fromkeys((c, r) for c, r, ex in items if not ex))
        excludes = tuple(dict.fromkeys(c for c, _, ex in items if ex))
        return _TypeRules(hits, excludes, tuple(phrases))

    def _table(self, lexicon: Lexicon) -> _Table:
        table = self._tables.get(id(lexicon))
        if table is None:
            table = self._tables[id(lexicon)] = _Table()
        n = len(lexicon)
        if len(table.entries) < n:
            if len(table.flags) < n:
                grown = np.zeros(max(n, 2 * len(table.flags)), dtype=bool)
                grown[: len(table.flags)] = table.flags
                table.flags = grown
            forms, lemmas = lexicon.forms, lexicon.lemmas
            first = len(table.entries)
            searchable = self._suffix_candidates(forms, first, n)
            # only the types a rule may hit go through _type_rules (a few hundred of thousands
            # of types): the lemma or form is a term, a compound keyword ends the lemma, is
            # the last compound part, or may be found by lemmatising the form's last part
            maybe = searchable | self._lemma_suffix_candidates(lemmas, first, n)
            exact, compound = self._exact, self._compound
            entries = table.entries
            for gid in range(first, n):
                parts = self._parts(lexicon, gid) if compound else ()
                if (gid in maybe or lemmas[gid] in exact or forms[gid] in exact
                        or (len(parts) > 1 and parts[-1] in compound)):
                    entry = self._type_rules(forms[gid], lemmas[gid], parts, gid in searchable)
                else:
                    entry = None
                entries.append(entry)
                if entry is not None:
                    table.flags[gid] = True
        return table

    def _lemma_suffix_candidates(self, lemmas: list[str], first: int, last: int) -> set[int]:
        """Ids (``first`` ≤ id < ``last``) of the word types whose lemma ends with a compound
        keyword after at least :data:`MIN_PREFIX` characters: one ``str.find`` scan per
        keyword over the lemmas joined by NUL (each lemma found by its length, so a NUL in
        a lemma could only add a type that :meth:`_type_rules` then turns down)."""
        if not self._compound or first >= last:
            return set()
        from bisect import bisect_right

        chunk = lemmas[first:last]
        joined = "\x00".join(chunk) + "\x00"
        ends = np.cumsum([len(lemma) + 1 for lemma in chunk]).tolist()   # end (+1) of each lemma
        found: set[int] = set()
        for key in self._compound:
            needle = key + "\x00"
            pos = joined.find(needle)
            while pos != -1:
                i = bisect_right(ends, pos)
                if pos - (ends[i - 1] if i else 0) >= MIN_PREFIX:
                    found.add(first + i)
                pos = joined.find(needle, pos + 1)
        return found

    def _suffix_candidates(self, forms: list[str], first: int, last: int) -> set[int]:
        """Ids (``first`` ≤ id < ``last``) of the word types that contain the head of a compound
        keyword after a non-trivial prefix: only these need their last parts lemmatised.
        One ``str.find`` scan per head over all forms joined, instead of a loop per type."""
        if not self._compound or first >= last:
            return set()
        from bisect import bisect_right

        chunk = forms[first:last]
        joined = "\n".join(chunk)
        ends = np.cumsum([len(f) + 1 for f in chunk]).tolist()   # end (+1) of each form
        found: set[int] = set()
        heads = {head for pairs in self._compound_heads.values() for head, _ in pairs}
        for head in heads:
            pos = joined.find(head)
            while pos != -1:
                i = bisect_right(ends, pos)
                start = ends[i - 1] if i else 0
                if pos - start >= MIN_PREFIX:
                    found.add(first + i)
                pos = joined.find(head, pos + 1)
        return found

    # ------------------------------------------------------------ matching

    def match(self, text: str, annotation: Optional[Annotation] = None) -> list[Match]:
        """Every rule hit in ``text`` (annotated if ``annotation`` is not given), in text
        order; codes excluded in this text get none."""
        if annotation is None:
            annotation = self.annotator.annotate(text)
        return self.match_many([text], [annotation])[0]

    def match_many(self, texts: Sequence[str], annotations=None, *, skip_patterns: Optional[set] = None,
                   extra: Optional[Sequence[Sequence[Match]]] = None) -> list[list[Match]]:
        """:meth:`match` for many texts at once (annotations computed when not given).

        ``skip_patterns`` names pattern rules not to run, and ``extra`` gives further matches
        per text (e.g. those patterns' matches from a cache); exclusions apply to them too.

        ``annotations`` is a list of :class:`Annotation` or one
        :class:`~qualcode.nlp.packing.PackedAnnotations` (the tokens of all texts in flat
        arrays, as the project store keeps them: the fast path)."""
        from ..nlp.packing import PackedAnnotations

        if annotations is None:
            annotations = self.annotator.annotate_many(texts)
        if len(texts) != len(annotations):
            raise ValueError("texts and annotations must have the same length")
        out: list[list[Match]] = [[] for _ in range(len(texts))]   # (texts may be read lazily)
        excluded: dict[int, set] = {}
        if isinstance(annotations, PackedAnnotations):
            groups = [(list(range(len(texts))), annotations)]
        else:
            by_lexicon: dict[int, list[int]] = {}
            for i, ann in enumerate(annotations):
                by_lexicon.setdefault(id(ann.lexicon), []).append(i)
            groups = [(idx, PackedAnnotations.from_annotations([annotations[i] for i in idx]))
                      for idx in by_lexicon.values()]
        for indices, packed in groups:
            self._match_tokens(packed, indices, out, excluded)
        if self._patterns:
            wanted = {r for _, r, _, _ in self._patterns} - set(skip_patterns or ())
            if wanted:
                self._match_patterns(list(texts), out, only=wanted)
        if extra is not None:
            for i, more in enumerate(extra):
                if more:
                    out[i].extend(more)
        for i, hits in enumerate(out):
            if not hits:   # most texts: nothing to filter or sort
                continue
            if excluded.get(i):
                ex = excluded[i]
                hits = [m for m in hits if m.code_id not in ex]
            hits.sort(key=lambda m: (m.start, m.end, m.code_id, m.rule))
            out[i] = hits
        return out

    def _match_tokens(self, packed, indices: list[int], out: list[list[Match]],
                      excluded: dict[int, set]) -> None:
        # All tokens of all texts are in flat arrays: a rule hit is one vectorised look-up
        # of the type ids; Python runs only for the few tokens that hit a rule.
        tids = packed.type_ids
        if not len(tids) or packed.lexicon is None:
            return
        lexicon = packed.lexicon
        table = self._table(lexicon)
        if self._phrases:
            self._match_phrases(packed, indices, lexicon, out, excluded)
        pos = np.flatnonzero(table.flags[tids])
        if not len(pos):
            return
        text_of = (np.searchsorted(packed.offsets, pos, side="right") - 1).tolist()
        entries = table.entries
        # the hits' offsets as Python ints in one step each (not a numpy scalar per hit)
        for s, e, k, gid in zip(packed.starts[pos].tolist(), packed.ends[pos].tolist(), text_of,
                                tids[pos].tolist()):
            entry = entries[gid]
            seg = indices[k]
            if entry.hits:
                for code_id, rule in entry.hits:
                    out[seg].append(Match(code_id, s, e, rule))
            if entry.excludes:
                excluded.setdefault(seg, set()).update(entry.excludes)

    def _phrase_masks(self, lexicon: Lexicon) -> list[list[np.ndarray]]:
        """Per phrase and position, a boolean array over word types: does this type fit?
        (Its lemma or its lowercase form equals the phrase's word.)  Cached per lexicon size."""
        key = (id(lexicon), len(lexicon))
        cached = self.__dict__.setdefault("_mask_cache", {})
        if key not in cached:
            cached.clear()
            # the types of each lemma a phrase has, in one pass over the lexicon's lemmas
            types_of: dict[str, list[int]] = {lemma: [] for ph in self._phrases for lemma in ph.lemmas}
            for gid, lemma in enumerate(lexicon.lemmas):
                if lemma in types_of:
                    types_of[lemma].append(gid)
            masks = []
            for ph in self._phrases:
                per_word = []
                for lemma, form in zip(ph.lemmas, ph.forms):
                    m = np.zeros(len(lexicon), dtype=bool)
                    m[types_of[lemma]] = True
                    gid = lexicon.ids.get(form)
                    if gid is not None:
                        m[gid] = True
                    per_word.append(m)
                masks.append(per_word)
            cached[key] = masks
        return cached[key]

    def _match_phrases(self, packed, indices: list[int], lexicon: Lexicon,
                       out: list[list[Match]], excluded: dict[int, set]) -> None:
        tids = packed.type_ids
        offsets = packed.offsets
        all_masks = self._phrase_masks(lexicon)
        # one pass over all tokens finds where any phrase may start; each phrase then looks
        # only at those positions
        starts_any = np.zeros(len(lexicon), dtype=bool)
        for masks in all_masks:
            starts_any |= masks[0]
        candidates = np.flatnonzero(starts_any[tids])
        for ph, masks in zip(self._phrases, all_masks):
            n = len(masks)
            pos = candidates[masks[0][tids[candidates]]]
            pos = pos[pos + n - 1 < len(tids)]
            for k in range(1, n):
                if not len(pos):
                    break
                pos = pos[masks[k][tids[pos + k]]]
            if not len(pos):
                continue
            first = np.searchsorted(offsets, pos, side="right") - 1     # the text of each token
            last = np.searchsorted(offsets, pos + n - 1, side="right") - 1
            keep = first == last                                        # not across two texts
            pos, text_of = pos[keep], first[keep].tolist()
            for p, t in zip(pos.tolist(), text_of):
                if ph.rule:
                    out[indices[t]].append(Match(ph.code_id, int(packed.starts[p]),
                                                 int(packed.ends[p + n - 1]), ph.rule))
                else:
                    excluded.setdefault(indices[t], set()).add(ph.code_id)

    def _match_patterns(self, texts: Sequence[str], out: list[list[Match]],
                        only: Optional[set] = None) -> None:
        """Run the patterns (all, or the pattern texts in ``only``) over ``texts``."""
        scan = _PatternScan(texts)
        for code_id, rule, rx, groups in self._patterns:
            if only is None or rule in only:
                for i, start, end in self._timed(code_id, rx, scan.run(rx, groups)):
                    out[i].append(Match(code_id, start, end, rule))

    def _timed(self, code_id: str, rx, hits):
        """``hits`` of one pattern, or the one-sentence refusal when it ran over its time budget."""
        try:
            yield from hits
        except TimeoutError:
            raise CodebookError(
                f"code {code_id!r}: pattern {rx.pattern!r} took longer than its time budget "
                f"({PATTERN_SECONDS:g} s + {PATTERN_SECONDS_PER_MB:g} s per MB of text); simplify it "
                "(avoid repeating a group that itself repeats)", path=self.codebook.path or "codebook") from None

    def pattern_rules(self) -> list[str]:
        """The rule ids (``pattern:<regex>``) of the compiled patterns, in codebook order."""
        return [rule for _, rule, _, _ in self._patterns]

    def codes_of_pattern_rule(self) -> dict[str, list[str]]:
        """Pattern rule id → the ids of the codes that have that pattern, in codebook order
        (a cached hit of one pattern counts for each of them).

        >>> from qualcode.codebook import codebook_from_dict
        >>> cb = codebook_from_dict({"codes": [{"id": "a", "patterns": ["nps"]},
        ...                                    {"id": "b", "patterns": ["nps", "kaatu"]}]})
        >>> RuleMatcher(cb, Annotator("fi")).codes_of_pattern_rule()
        {'pattern:nps': ['a', 'b'], 'pattern:kaatu': ['b']}
        """
        codes_of: dict[str, list[str]] = {}
        for code_id, rule, _, _ in self._patterns:
            codes_of.setdefault(rule, []).append(code_id)
        return codes_of

    def pattern_spans(self, rule: str, texts: Sequence[str], scan=None) -> list[tuple[int, int, int]]:
        """(text index, start, end) of every match of one pattern rule in ``texts``: the
        unit the project store caches per source version.  Pass the same ``scan``
        (:meth:`prepare_texts`) for several rules over the same texts."""
        scan = scan or _PatternScan(texts)
        for _, r, rx, groups in self._patterns:
            if r == rule:
                return list(self._timed(_, rx, scan.run(rx, groups)))
        raise KeyError(rule)

    @staticmethod
    def prepare_texts(texts: Sequence[str], annotations=None):
        """Texts prepared once (lowercased and joined) for running many patterns; with their
        ``annotations`` (one per text, e.g. a :class:`~qualcode.nlp.packing.PackedAnnotations`)
        the words in them are found from the tokens instead of by reading the texts again."""
        return _PatternScan(texts, annotations)

    @staticmethod
    def _texts_containing(joined: str, literal: str, bounds: list[int]) -> list[int]:
        from bisect import bisect_right

        found: list[int] = []
        pos = joined.find(literal)
        while pos != -1:
            i = bisect_right(bounds, pos)
            found.append(i)
            pos = joined.find(literal, bounds[i])   # next text: one hit per text is enough
        return found


_WORD_RUN = re.compile(r"\w+")
#: The characters whose lowercase form is longer than they are (Python's Unicode tables:
#: "İ" -> "i̇"); tests/test_matcher.py checks the whole code space.
_LONGER_LOWERCASE = ("\u0130",)


def _word_runs_from_texts(folded: str) -> dict[str, list[list[int]]]:
    """Each distinct run of word characters of the NUL-joined lowercased texts → the
    indices of the texts it occurs in (as a list of index collections)."""
    texts_of: dict[str, list[int]] = {}
    for i, words in enumerate(map(_WORD_RUN.findall, folded.split("\x00"))):
        for w in set(words):
            texts_of.setdefault(w, []).append(i)
    return {w: [texts] for w, texts in texts_of.items()}


def _word_runs_from_tokens(packed, texts: Sequence[str]) -> dict[str, list]:
    """:func:`_word_runs_from_texts` from the texts' tokens, without reading every word of
    every text again: each word type's runs are found once and the texts of each type come
    from one sort of (type, text) pairs.  A run of word characters that the tokenizer split
    into touching tokens ("10km" → "10", "km") is no token's: the few texts with such
    a split are read whole."""
    forms = packed.lexicon.forms
    n = len(packed)
    counts = np.diff(np.asarray(packed.offsets, dtype=np.int64))
    text_of = np.repeat(np.arange(n, dtype=np.int64), counts)
    tids = np.asarray(packed.type_ids, dtype=np.int64)
    ptype, ptext = _type_text_pairs(tids, text_of, n)
    cut = np.flatnonzero(np.diff(ptype)) + 1
    texts_of: dict[str, list] = {}
    size = int(tids.max()) + 1 if len(tids) else 0
    starts_w, ends_w = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    bounds = np.r_[0, cut, len(ptext)].tolist()
    for k, t in enumerate(ptype[np.r_[0, cut]].tolist() if len(ptype) else []):
        form = forms[t]
        starts_w[t], ends_w[t] = bool(_WORD_RUN.match(form)), bool(_WORD_RUN.match(form[-1:]))
        group = _TextsOfType(ptext, bounds[k], bounds[k + 1])   # made into a list only if looked up
        for w in set(_WORD_RUN.findall(form)):
            texts_of.setdefault(w, []).append(group)
    starts, ends = np.asarray(packed.starts), np.asarray(packed.ends)
    touching = ((starts[1:] == ends[:-1]) & (text_of[1:] == text_of[:-1])
                & ends_w[tids[:-1]] & starts_w[tids[1:]])
    for i in sorted_unique(text_of[1:][touching]).tolist():
        for w in set(_WORD_RUN.findall(texts[i].lower())):
            texts_of.setdefault(w, []).append([i])
    return texts_of


class _TextsOfType:
    """The texts one word type occurs in (ascending): a slice of the sorted (type, text)
    pairs, turned into a list of ints when iterated (most types no literal looks for)."""

    __slots__ = ("_texts", "_lo", "_hi")

    def __init__(self, texts: np.ndarray, lo: int, hi: int) -> None:
        self._texts, self._lo, self._hi = texts, lo, hi

    def __iter__(self):
        return iter(self._texts[self._lo:self._hi].tolist())


def _type_text_pairs(tids: np.ndarray, text_of: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each (word type, text) of the tokens once, ordered by type and then text (``text_of``:
    each token's text, ascending).  With fewer than 65,536 types a stable radix sort of the
    types keeps each type's texts in order: three times faster than sorting the pairs.

    >>> [a.tolist() for a in _type_text_pairs(np.array([5, 2, 5, 5, 2]), np.array([0, 0, 0, 1, 1]), 2)]
    [[2, 2, 5, 5], [0, 1, 0, 1]]
    >>> [a.tolist() for a in _type_text_pairs(np.array([70000, 2, 70000, 70000]), np.array([0, 0, 0, 1]), 2)]
    [[2, 70000, 70000], [0, 0, 1]]
    """
    if len(tids) and int(tids.max()) < 65536:
        order = np.argsort(tids.astype(np.uint16), kind="stable")
        ptype, ptext = tids[order], text_of[order]
        keep = np.ones(len(order), dtype=bool)
        keep[1:] = (ptype[1:] != ptype[:-1]) | (ptext[1:] != ptext[:-1])
        return ptype[keep], ptext[keep]
    pairs = sorted_unique(tids * max(n, 1) + text_of)
    return pairs // max(n, 1), pairs % max(n, 1)


class _PatternScan:
    """Texts prepared once for running many patterns over them, both ways at C speed:
    a pattern with required literals runs only on the texts that contain one of each set
    (found with ``str.find`` over the distinct words of the lowercased texts, or over those
    texts joined once for literals with other characters); a pattern without them runs on
    every text.  The texts a pattern runs on are searched joined by NUL when that gives each
    text's own matches (:func:`boundary_safe`), else one by one."""

    def __init__(self, texts: Sequence[str], annotations=None):
        self.texts = texts
        self.annotations = annotations
        self.bounds = np.cumsum([len(t) + 1 for t in texts]).tolist()   # end (+1) of each text
        self._joined_folded: Optional[str] = None
        self._kept: Optional[bool] = None
        self._with: dict[str, set[int]] = {}   # literal -> texts containing it
        self._runs: Optional[list[list[int]]] = None   # distinct runs of word characters -> texts
        self._runs_joined = ""
        self._run_bounds: list[int] = []

    def _lengths_kept(self) -> bool:
        """Whether lowercasing keeps the length of every text, so that offsets into the
        lowercased texts are offsets into the texts: known without lowercasing them all, as
        only the characters of :data:`_LONGER_LOWERCASE` grow (the texts are lowercased
        only when a literal with other than word characters needs them)."""
        if self._kept is None:
            self._kept = not any(c in t for t in self.texts for c in _LONGER_LOWERCASE)
        return self._kept

    def _folded(self) -> str:
        """The lowercased texts joined by NUL (made when a literal first needs them; offsets
        in it are those of the texts where :meth:`_lengths_kept`)."""
        if self._joined_folded is None:
            self._joined_folded = "\x00".join(t.lower() for t in self.texts)
        return self._joined_folded

    def _texts_with(self, literal: str) -> set[int]:
        """Indices of the texts whose lowercased form contains ``literal``."""
        hit = self._with.get(literal)
        if hit is None:
            pieces = _WORD_RUN.findall(literal)
            if pieces == [literal]:
                hit = self._texts_with_word_literal(literal)
            elif pieces:
                # A literal with other characters ("oma-aloitt"): the texts with its longest
                # run of word characters, each read to see if it holds the whole literal;
                # lowercasing every text for one such literal took longer.
                texts = self.texts
                hit = {i for i in self._texts_with(max(pieces, key=len)) if literal in texts[i].lower()}
            else:
                hit = set(RuleMatcher._texts_containing(self._folded(), literal, self.bounds))
            self._with[literal] = hit
        return hit

    def _texts_with_word_literal(self, literal: str) -> set[int]:
        # A literal of word characters only lies inside one run of word characters, so it is
        # looked for in the distinct runs (a few thousand) instead of in the whole text.
        if self._runs is None:
            if self.annotations is not None and len(self.annotations) == len(self.texts):
                texts_of = _word_runs_from_tokens(self.annotations, self.texts)
            else:
                texts_of = _word_runs_from_texts(self._folded())
            self._runs = list(texts_of.values())
            self._runs_joined = "\n".join(texts_of)
            self._run_bounds = np.cumsum([len(w) + 1 for w in texts_of]).tolist()
        found: set[int] = set()
        for r in RuleMatcher._texts_containing(self._runs_joined, literal, self._run_bounds):
            for texts in self._runs[r]:
                found.update(texts)
        return found

    def run(self, rx: re.Pattern, groups: Optional[list[list[str]]]):
        """(text index, start, end) of every match of ``rx``.  ``groups`` are sets of
        literals of which every match contains one of each (:func:`required_literal_groups`):
        only the texts that contain them all are searched."""
        if groups and self._lengths_kept():
            hits: Optional[set[int]] = None
            for group in sorted(groups, key=len):
                found = set().union(*(self._texts_with(lit) for lit in group))
                hits = found if hits is None else hits & found
                if not hits:
                    break
            candidates = sorted(hits or ())
        else:   # no literal to look for: every text is a candidate
            candidates = list(range(len(self.texts)))
        if len(candidates) > 1 and boundary_safe(rx.pattern):
            yield from self._run_joined(rx, candidates)
        else:   # an anchor or lookaround would see the texts beside it: each text on its own
            for i in candidates:
                yield from self._run_one(rx, i)

    def _run_one(self, rx: re.Pattern, i: int):
        """(i, start, end) of every match of ``rx`` in text ``i`` on its own."""
        text = self.texts[i]
        for m in rx.finditer(text, timeout=pattern_budget(len(text))):
            if m.end() > m.start():
                yield i, m.start(), m.end()

    def _run_joined(self, rx: re.Pattern, candidates: list[int]):
        """:meth:`_run_one` for each of the ``candidates`` (text indices, ascending), in one
        search over them joined by NUL: one call instead of one per text (with a time budget,
        each call costs two clock system calls, which was most of the cost of a pattern over
        thousands of short texts).  For a :func:`boundary_safe` pattern a match that does not
        contain a NUL is the match of the text on its own; the texts a match runs across are
        searched again on their own, as the joined search skipped part of them."""
        from bisect import bisect_right

        texts = self.texts
        joined = "\x00".join([texts[i] for i in candidates])
        ends = np.cumsum([len(texts[i]) + 1 for i in candidates]).tolist()   # end (+1) of each
        found: list[tuple[int, int, int]] = []
        redo: set[int] = set()
        for m in rx.finditer(joined, timeout=pattern_budget(len(joined))):
            a, b = m.span()
            if b <= a:
                continue
            k = bisect_right(ends, a)
            if b >= ends[k]:   # across the NUL after text k: texts k.. the match ends in
                redo.update(range(k, bisect_right(ends, b - 1) + 1))
                continue
            offset = ends[k - 1] if k else 0
            found.append((k, a - offset, b - offset))
        out = [(candidates[k], a, b) for k, a, b in found if k not in redo]
        for k in sorted(redo):
            out.extend(self._run_one(rx, candidates[k]))
        out.sort()
        return out


@functools.lru_cache(maxsize=4096)
def boundary_safe(pattern: str) -> bool:
    r"""Whether ``pattern`` behaves at a NUL between two texts as at the ends of a text: it
    has no lookaround and no anchor other than ```` and ``\B`` (a NUL is not a word
    character, as the start and end of a text are not), so each match that contains no NUL
    is the match the text on its own gives.

    >>> [boundary_safe(p) for p in (r"(?i)pime(ä|e)(ssä|s)", r"foo\w*$", r"(?<=a)b", r"\p{L}+")]
    [True, False, False, False]
    """
    try:
        items = parsed_pattern(pattern)
    except Exception:   # syntax only the regex package knows: searched text by text
        return False
    return _no_outside_look(list(items), sre_parser())


def _no_outside_look(items: list, sre_parse) -> bool:
    safe_at = {sre_parse.AT_BOUNDARY, sre_parse.AT_NON_BOUNDARY}
    for op, arg in items:
        if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            return False
        if op is sre_parse.AT and arg not in safe_at:
            return False
        if op is sre_parse.SUBPATTERN:
            inner = [arg[-1]]
        elif op is sre_parse.BRANCH:
            inner = arg[1]
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None)):
            inner = [arg[2]]
        elif op is getattr(sre_parse, "ATOMIC_GROUP", None):
            inner = [arg]
        elif op is sre_parse.GROUPREF_EXISTS:
            inner = [b for b in arg[1:] if b is not None]
        else:
            continue
        if not all(_no_outside_look(list(sub), sre_parse) for sub in inner):
            return False
    return True


class _LazyRegex:
    """A codebook pattern, compiled (with the ``regex`` package) the first time a text is
    searched with it: the literal prefilter leaves many patterns no text to search (in three
    of the demo's interviews, 35 of its codebook's 85), and each compile costs about a
    millisecond.  The codebook check has parsed every pattern already (``regex`` accepts all
    that :mod:`re` does); one it still refuses is refused when first run, before any coding
    is stored."""

    __slots__ = ("pattern", "_compile", "_code_id", "_rx")

    def __init__(self, pattern: str, compile_, code_id: str) -> None:
        self.pattern = pattern
        self._compile = compile_
        self._code_id = code_id
        self._rx = None

    def finditer(self, text: str, timeout: Optional[float] = None):
        if self._rx is None:
            self._rx = self._compile(self._code_id, self.pattern)
        return self._rx.finditer(text, timeout=timeout)


def required_literal_groups(pattern: str, min_len: int = 3) -> list[list[str]]:
    r"""Sets of literal texts (lowercased) such that every match of ``pattern`` contains one
    text of each set; ``[]`` when none is found.  A text that lacks any set cannot match.

    >>> required_literal_groups(r"(?i)(tuki|apu)\w*[^.!?]{0,60}\b(nopea|heti)")
    [['tuki', 'apu'], ['nopea', 'heti']]
    >>> required_literal_groups(r"a|b"), required_literal_groups(r"(?i)\bteams\w*")
    ([], [['teams']])
    """
    sre_parse = sre_parser()
    try:
        items = parsed_pattern(pattern)
    except Exception:
        return []
    groups = _literal_groups(list(items), sre_parse, min_len)
    return [sorted({a.lower() for a in g}, key=lambda a: (-len(a), a)) for g in groups]


def _literal_groups(items: list, sre_parse, min_len: int) -> list[list[str]]:
    # Items at one level all take part in every match, in order (repeats and other items
    # are not looked into): each run of literal characters, each group's own required
    # sets, and each branch whose every alternative has a required literal.
    groups: list[list[str]] = []
    run: list[str] = []
    for op, arg in items + [(None, None)]:
        if op is sre_parse.LITERAL:
            run.append(chr(arg))
            continue
        if len(run) >= min_len:
            groups.append(["".join(run)])
        run = []
        if op is sre_parse.SUBPATTERN:
            groups.extend(_literal_groups(list(arg[-1]), sre_parse, min_len))
        elif op is sre_parse.BRANCH:
            per = [_literal_alternatives(list(b), sre_parse, min_len) for b in arg[1]]
            if all(per):
                groups.append([a for alts in per for a in alts])
    return groups


#: Time budget of one pattern over one run of texts: a fixed part and a part per MB of text
#: (a sane pattern scans a MB in milliseconds; a catastrophic one never finishes).
PATTERN_SECONDS = 2.0
PATTERN_SECONDS_PER_MB = 1.0


def pattern_budget(chars: int) -> float:
    """Seconds one pattern may take over ``chars`` characters of text.

    >>> pattern_budget(0), pattern_budget(10_000_000)
    (2.0, 12.0)
    """
    return PATTERN_SECONDS + PATTERN_SECONDS_PER_MB * chars / 1_000_000


def required_literals(pattern: str, min_len: int = 3) -> Optional[list[str]]:
    """Literal texts of which every match of ``pattern`` contains at least one (lowercased),
    or None when no such set is found; used to skip texts a pattern cannot match.

    Alternations count: ``(hyvä|selkeä)\\s+perehdy`` gives ``['perehdy']``, and
    ``\\bmeili\\w*|\\bsposti`` gives ``['meili', 'sposti']``.

    >>> required_literals(r"(?i)\\b(kaatu|jumi)\\w*"), required_literals(r"a|b")
    (['kaatu', 'jumi'], None)
    """
    sre_parse = sre_parser()
    try:
        items = parsed_pattern(pattern)
    except Exception:
        return None
    alts = _literal_alternatives(list(items), sre_parse, min_len)
    return sorted({a.lower() for a in alts}, key=lambda a: (-len(a), a)) if alts else None


def _literal_alternatives(items: list, sre_parse, min_len: int) -> Optional[list[str]]:
    # Items at one level all take part in every match, in order: a run of literal characters
    # is required text; a group or a branch whose every alternative has a required literal
    # gives a set of alternatives.  The candidate with the longest shortest member wins.
    best: Optional[list[str]] = None

    def consider(alts: Optional[list[str]]) -> None:
        nonlocal best
        if not alts or min(map(len, alts)) < min_len:
            return
        key = (min(map(len, alts)), -len(alts))
        if best is None or key > (min(map(len, best)), -len(best)):
            best = alts

    run: list[str] = []
    for op, arg in items + [(None, None)]:
        if op is sre_parse.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            consider(["".join(run)])
            run = []
        if op is sre_parse.SUBPATTERN:
            consider(_literal_alternatives(list(arg[-1]), sre_parse, min_len))
        elif op is sre_parse.BRANCH:
            per = [_literal_alternatives(list(b), sre_parse, min_len) for b in arg[1]]
            if all(per):
                consider([a for alts in per for a in alts])
    return best


def required_literal(pattern: str) -> Optional[str]:
    """The longest literal text every match of ``pattern`` must contain (lowercased),
    or None when there is none; used to skip texts a pattern cannot match.

    >>> required_literal(r"\\bviikko(viesti|raportti)"), required_literal(r"a|b")
    ('viikko', None)
    """
    try:
        from re import _parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse  # type: ignore[no-redef]
    try:
        items = list(sre_parse.parse(pattern))
    except Exception:
        return None
    best, run = "", []
    # Top-level items of a pattern all take part in every match, in order, so a run
    # of consecutive literal characters there is text every match contains.
    for op, arg in items + [(None, None)]:
        if op is sre_parse.LITERAL:
            run.append(chr(arg))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best.lower() if best else None

