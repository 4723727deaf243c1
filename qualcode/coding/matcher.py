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

import re
from typing import NamedTuple, Optional, Sequence

import numpy as np

from ..model import Codebook
from ..nlp.annotate import Annotation, Annotator, Lexicon

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
        ann = self.annotator.annotate(term)
        return tuple(ann.lemmas), tuple(ann.lowers)

    def _compile(self) -> None:
        # key (lemma or lowercase form) -> [(code_id, rule, is_exclude)]
        self._exact: dict[str, list[tuple[str, str, bool]]] = {}
        # keyword lemma -> [(code_id, rule, is_exclude)] for compound-final matching
        self._compound: dict[str, list[tuple[str, str, bool]]] = {}
        self._phrases_by_first: dict[str, list[_Phrase]] = {}
        patterns: list[tuple[str, str, re.Pattern]] = []
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
                patterns.append((code.id, f"pattern:{pattern}",
                                 re.compile(pattern, re.IGNORECASE), required_literal(pattern)))
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

    def _add_phrase(self, phrase: _Phrase) -> None:
        for key in {phrase.lemmas[0], phrase.forms[0]}:
            self._phrases_by_first.setdefault(key, []).append(phrase)

    # ------------------------------------------------------------ per word type

    def _compound_keys(self, form: str, lemma: str) -> set[str]:
        """Compound keyword lemmas that ``form`` ends with (as a compound's last part)."""
        found = set()
        for n in self._compound_lengths:
            if len(lemma) - n >= MIN_PREFIX and lemma[-n:] in self._compound:
                found.add(lemma[-n:])
        parts = self.lemmatizer.compound_parts(form)
        if len(parts) > 1 and parts[-1] in self._compound:
            found.add(parts[-1])
        if not parts:
            # The lemmatiser did not know the compound: lemmatise its possible last parts.
            heads = self._compound_heads
            for k in range(MIN_PREFIX, len(form) - 1):
                for head, key in heads.get(form[k:k + 2], ()):
                    if form.startswith(head, k) and self.lemmatizer.lemma(form[k:]) == key:
                        found.add(key)
        return found

    def _type_rules(self, form: str, lemma: str) -> Optional[_TypeRules]:
        items = []
        for key in dict.fromkeys((lemma, form)):
            items.extend(self._exact.get(key, ()))
        exact_codes = {(c, ex) for c, _, ex in items}
        if self._compound:
            for key in self._compound_keys(form, lemma):
                if key == lemma:
                    continue
                items.extend(i for i in self._compound[key] if (i[0], i[2]) not in exact_codes)
        phrases = []
        for key in dict.fromkeys((lemma, form)):
            phrases.extend(self._phrases_by_first.get(key, ()))
        if not items and not phrases:
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
            for gid in range(len(table.entries), n):
                entry = self._type_rules(forms[gid], lemmas[gid])
                table.entries.append(entry)
                if entry is not None:
                    table.flags[gid] = True
        return table

    # ------------------------------------------------------------ matching

    def match(self, text: str, annotation: Optional[Annotation] = None) -> list[Match]:
        """Every rule hit in ``text`` (annotated if ``annotation`` is not given), in text
        order; codes excluded in this text get none."""
        if annotation is None:
            annotation = self.annotator.annotate(text)
        return self.match_many([text], [annotation])[0]

    def match_many(self, texts: Sequence[str],
                   annotations: Optional[Sequence[Annotation]] = None) -> list[list[Match]]:
        """:meth:`match` for many texts at once (annotations computed when not given)."""
        if annotations is None:
            annotations = self.annotator.annotate_many(texts)
        if len(texts) != len(annotations):
            raise ValueError("texts and annotations must have the same length")
        out: list[list[Match]] = [[] for _ in texts]
        excluded: dict[int, set] = {}
        by_lexicon: dict[int, list[int]] = {}
        for i, ann in enumerate(annotations):
            by_lexicon.setdefault(id(ann.lexicon), []).append(i)
        for indices in by_lexicon.values():
            self._match_tokens([annotations[i] for i in indices], indices, out, excluded)
        if self._patterns:
            self._match_patterns(texts, out)
        for i, hits in enumerate(out):
            if excluded.get(i):
                ex = excluded[i]
                hits = [m for m in hits if m.code_id not in ex]
            hits.sort(key=lambda m: (m.start, m.end, m.code_id, m.rule))
            out[i] = hits
        return out

    def _match_tokens(self, anns: list[Annotation], indices: list[int],
                      out: list[list[Match]], excluded: dict[int, set]) -> None:
        lexicon = anns[0].lexicon
        table = self._table(lexicon)
        # Only the type ids are concatenated (one numpy call for the whole corpus);
        # offsets of the few tokens that hit a rule are read from their annotation.
        tids = anns[0].type_ids if len(anns) == 1 else np.concatenate([a.type_ids for a in anns])
        if not len(tids):
            return
        pos = np.flatnonzero(table.flags[tids])
        if not len(pos):
            return
        bounds = np.cumsum([len(a) for a in anns])  # end of each text's tokens
        seg_of = np.searchsorted(bounds, pos, side="right").tolist()
        ends_of = bounds.tolist()
        entries = table.entries
        lemmas, forms = lexicon.lemmas, lexicon.forms
        for p, k, gid in zip(pos.tolist(), seg_of, tids[pos].tolist()):
            entry = entries[gid]
            seg = indices[k]
            ann = anns[k]
            i = p - (ends_of[k] - len(ann))
            if entry.hits:
                s, e = int(ann.starts[i]), int(ann.ends[i])
                for code_id, rule in entry.hits:
                    out[seg].append(Match(code_id, s, e, rule))
            if entry.excludes:
                excluded.setdefault(seg, set()).update(entry.excludes)
            for ph in entry.phrases:
                n = len(ph.lemmas)
                if i + n > len(ann):
                    continue  # would run past the end of this text
                following = ann.type_ids[i + 1:i + n].tolist()
                if all(lemmas[g] == lem or forms[g] == form
                       for g, lem, form in zip(following, ph.lemmas[1:], ph.forms[1:])):
                    if ph.rule:
                        out[seg].append(Match(ph.code_id, int(ann.starts[i]),
                                              int(ann.ends[i + n - 1]), ph.rule))
                    else:
                        excluded.setdefault(seg, set()).add(ph.code_id)

    def _match_patterns(self, texts: Sequence[str], out: list[list[Match]]) -> None:
        for i, text in enumerate(texts):
            folded = None
            for code_id, rule, rx, literal in self._patterns:
                if literal is not None:
                    # A substring test is ~30x cheaper than running the regex engine
                    # over the text, and most texts lack the pattern's literal part.
                    if folded is None:
                        folded = text.lower()
                    if literal not in folded:
                        continue
                for m in rx.finditer(text):
                    if m.end() > m.start():
                        out[i].append(Match(code_id, m.start(), m.end(), rule))


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


def substring_baseline(codebook: Codebook, text: str) -> set[str]:
    """Codes whose keywords or phrases occur in ``text`` as plain, case-insensitive
    substrings (no lemmas, no exclusions): the naive baseline for quality comparisons.

    >>> from qualcode.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"codes": [{"id": "v", "keywords": ["viestintä"]}]})
    >>> substring_baseline(cb, "Viestintä toimi"), substring_baseline(cb, "viestinnän taso")
    ({'v'}, set())
    """
    low = text.lower()
    return {c.id for c in codebook.codes
            if any(t.lower() in low for t in [*c.keywords, *c.phrases])}
