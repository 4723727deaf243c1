"""Quote checks before reporting: the same quote attributed to different informants
(near-duplicates), and coded quotes that carry no informant code.

>>> import pandas as pd
>>> c = pd.DataFrame({"segment_id": [1, 2, 3], "code_id": "a", "status": "accepted",
...                   "speaker": ["H1", "H2", None],
...                   "quote": ["Asiakasportaali on hyvä mutta harva käyttää sitä.",
...                             "Asiakasportaali on hyvä, mutta harva käyttää sitä!",
...                             "Jotain aivan muuta tässä sanotaan kyllä."]})
>>> d = near_duplicate_quotes(c)
>>> d.segment_id_a.tolist(), d.segment_id_b.tolist(), d.similarity.tolist()
([1], [2], [1.0])
>>> unattributed_quotes(c)[["segment_id", "reason"]].values.tolist()
[[3, 'no_speaker']]
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from typing import Any, Callable, Mapping, Optional, Sequence

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..labels import is_filler
from .themes import natural_key, prepare_codings

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+")
_BRACKETED = re.compile(r"\s*\[[^\]]*\]\s*")


def sentence_excerpt(text: str, limit: int = 240) -> str:
    """A quote for a table cell in whole sentences: transcription marks in brackets
    (``[naurua]``) dropped, then as many whole sentences as fit in ``limit`` characters; a
    first sentence longer than that is cut after its last whole word with ``…`` (never
    inside a word).

    >>> sentence_excerpt("[tauko] Alku oli hyvä. Sitten tuli ongelmia, paljon ongelmia.", 30)
    'Alku oli hyvä.'
    >>> sentence_excerpt("Yksi pitkä lause ilman loppua ja vielä lisää sanoja", 25)
    'Yksi pitkä lause ilman…'
    """
    text = " ".join(_BRACKETED.sub(" ", str(text)).split())
    if len(text) <= limit:
        return text
    out = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    if out:
        return out
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"


_TERM = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def _terms(text: str, lemmatize, lang: str, known: Optional[dict] = None) -> list[str]:
    """The content-word lemmas of ``text``; ``known`` keeps each word's answer (its lemma, or
    None when it is left out) for the next text."""
    from .reduction import STOPWORDS_EN, STOPWORDS_FI

    stop = STOPWORDS_EN if lang == "en" else STOPWORDS_FI
    known = {} if known is None else known
    out = []
    for word in _TERM.findall(_BRACKETED.sub(" ", str(text)).lower()):
        if word not in known:
            lemma = lemmatize(word).lower() if lemmatize is not None else word
            keep = word not in stop and lemma not in stop and not is_filler(word, lang) and not is_filler(lemma, lang)
            known[word] = lemma if keep else None
        if known[word] is not None:
            out.append(known[word])
    return out


def centre_scores(groups: Mapping[Any, Sequence[str]], lemmatize: Optional[Callable[[str], str]] = None,
                  lang: str = "fi") -> dict[Any, list[float]]:
    """How close each text is to the centre of its group (e.g. a code's reviewed segments):
    the cosine between the text's TF-IDF vector and the group's centroid.  Terms are the
    content-word lemmas (``lemmatize``; the lowercase words without one), fillers and
    transcription marks left out; IDF counts over all texts of all groups, so the words
    that set a code apart weigh most.  Returns the scores in the groups' text order.

    >>> s = centre_scores({"portaali": ["Portaali on kätevä ja nopea.", "Portaali nopea, kätevä.",
    ...                                 "Laskutus oli sekaisin."]})
    >>> [round(x, 2) for x in s["portaali"]]
    [0.89, 0.89, 0.45]
    """
    known: dict = {}
    docs = {g: [Counter(_terms(t, lemmatize, lang, known)) for t in texts] for g, texts in groups.items()}
    df: Counter = Counter()
    n = 0
    for counts in docs.values():
        for c in counts:
            df.update(c.keys())
            n += 1
    idf = {w: math.log((1 + n) / (1 + k)) + 1.0 for w, k in df.items()}
    out: dict[Any, list[float]] = {}
    for g, counts in docs.items():
        vectors = []
        for c in counts:
            v = {w: tf * idf[w] for w, tf in c.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            vectors.append({w: x / norm for w, x in v.items()})
        centre: Counter = Counter()
        for v in vectors:
            centre.update(v)
        size = math.sqrt(sum(x * x for x in centre.values())) or 1.0
        out[g] = [sum(x * centre[w] for w, x in v.items()) / size for v in vectors]
    return out


def centre_column(rows: pd.DataFrame, lemmatize: Optional[Callable[[str], str]] = None, lang: str = "fi",
                  group: str = "code_id", text: str = "quote") -> pd.Series:
    """:func:`centre_scores` of every row among the rows of its ``group`` (aligned to
    ``rows``), for choosing the quotes closest to each code's centre.

    >>> import pandas as pd
    >>> r = pd.DataFrame({"code_id": ["a", "a", "a"], "quote": ["hinta kallis", "hinta kallis liian", "sää"]})
    >>> centre_column(r).round(2).tolist()
    [0.82, 0.82, 0.47]
    """
    if not len(rows):
        return pd.Series(dtype=float, index=rows.index)
    keys = list(rows[group])
    order: dict[Any, list] = {}
    for i, (k, t) in enumerate(zip(keys, rows[text])):
        order.setdefault(k, []).append((i, "" if is_missing(t) else str(t)))
    scores = centre_scores({k: [t for _, t in v] for k, v in order.items()}, lemmatize, lang)
    out = [0.0] * len(rows)
    for k, v in order.items():
        for (i, _), score in zip(v, scores[k]):
            out[i] = score
    return pd.Series(out, index=rows.index, dtype=float)


DUPLICATE_COLUMNS = ["segment_id_a", "speaker_a", "quote_a", "segment_id_b", "speaker_b", "quote_b",
                     "similarity"]
UNATTRIBUTED_COLUMNS = ["coding_id", "segment_id", "source", "code_id", "speaker", "quote", "reason"]
_TRAILING_CODE = re.compile(r"\s+[A-ZÅÄÖ]{1,3}\d{0,3}\s*$")
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)


def normalise_quote(text: str) -> str:
    """Lower-case, NFC, punctuation removed, whitespace collapsed, and a trailing
    informant code after the final punctuation (``… odottamaan. H1``) dropped.

    >>> normalise_quote("  Piti  odottaa, tosi kauan!  H1")
    'piti odottaa tosi kauan'
    """
    text = unicodedata.normalize("NFC", str(text))
    stripped = text.rstrip()
    m = _TRAILING_CODE.search(stripped)
    if m and re.search(r"[.!?…”\"]\s*$", stripped[: m.start()]):
        stripped = stripped[: m.start()]
    text = _NON_WORD.sub(" ", stripped.lower())
    return " ".join(text.split())


def _ngrams(text: str, n: int = 3) -> set:
    words = text.split()
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def near_duplicate_quotes(codings: Optional[pd.DataFrame], *, threshold: float = 0.85,
                          method: str = "ratio", min_chars: int = 20,
                          segments: Optional[pd.DataFrame] = None,
                          include_suggested: bool = False) -> pd.DataFrame:
    """Pairs of coded quotes from *different* informants (or with an unknown speaker)
    whose normalised texts are at least ``threshold`` similar.  ``method="ratio"`` uses
    difflib's ratio, ``method="ngram"`` the Jaccard index of word 3-grams.  Quotes
    shorter than ``min_chars`` (normalised) are skipped.  One row per pair of segments
    (a is the lower segment id), most similar first.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": "a", "status": "manual",
    ...                   "speaker": ["H1", "H1"], "quote": ["Sama lause toistuu tässä.", "Sama lause toistuu tässä."]})
    >>> near_duplicate_quotes(c).empty
    True
    """
    if method not in ("ratio", "ngram"):
        raise QualcodeError(f"unknown method {method!r}; use 'ratio' or 'ngram'")
    cods = prepare_codings(codings, segments, include_suggested)
    cods = cods.drop_duplicates(["segment_id", "quote"]).sort_values("segment_id", kind="mergesort")
    items = []
    for r in cods.to_dict("records"):
        norm = normalise_quote(r["quote"])
        if len(norm) >= min_chars:
            items.append((r["segment_id"], r["speaker"], r["quote"], norm))
    rows = []
    grams = [_ngrams(it[3]) for it in items] if method == "ngram" else []
    for i in range(len(items)):
        sa, pa, qa, na = items[i]
        for j in range(i + 1, len(items)):
            sb, pb, qb, nb = items[j]
            if sa == sb or (pa is not None and pa == pb):
                continue
            if method == "ratio":
                if 2 * min(len(na), len(nb)) / (len(na) + len(nb)) < threshold:
                    continue
                m = SequenceMatcher(None, na, nb, autojunk=False)
                if m.real_quick_ratio() < threshold or m.quick_ratio() < threshold:
                    continue
                sim = m.ratio()
            else:
                ga, gb = grams[i], grams[j]
                sim = len(ga & gb) / len(ga | gb) if ga | gb else 0.0
            if sim >= threshold:
                a, b = ((sa, pa, qa), (sb, pb, qb)) if sa <= sb else ((sb, pb, qb), (sa, pa, qa))
                rows.append({"segment_id_a": a[0], "speaker_a": a[1], "quote_a": a[2],
                             "segment_id_b": b[0], "speaker_b": b[1], "quote_b": b[2],
                             "similarity": round(float(sim), 4)})
    rows = list({(r["segment_id_a"], r["segment_id_b"]): r for r in rows}.values())
    rows.sort(key=lambda r: (-r["similarity"], r["segment_id_a"], r["segment_id_b"]))
    return pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)


def unattributed_quotes(codings: Optional[pd.DataFrame], informants: Optional[pd.DataFrame] = None, *,
                        segments: Optional[pd.DataFrame] = None,
                        include_suggested: bool = False) -> pd.DataFrame:
    """Coded quotes that cannot be credited to an informant: no speaker
    (``reason="no_speaker"``) or a speaker missing from a non-empty informant list
    (``reason="unknown_informant"``).  One row per coding, in segment order.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": "a", "status": "accepted",
    ...                   "speaker": ["H1", "X9"], "quote": ["q", "r"]})
    >>> unattributed_quotes(c, pd.DataFrame({"code": ["H1"]}))[["speaker", "reason"]].values.tolist()
    [['X9', 'unknown_informant']]
    """
    cods = prepare_codings(codings, segments, include_suggested)
    known = None
    if informants is not None and len(informants) and "code" in informants.columns:
        known = {str(c) for c in informants["code"] if not is_missing(c)}
    reasons = []
    for spk in cods["speaker"]:
        if spk is None:
            reasons.append("no_speaker")
        elif known is not None and spk not in known:
            reasons.append("unknown_informant")
        else:
            reasons.append(None)
    cods = cods.assign(reason=reasons)
    cods = cods[cods["reason"].notna()]
    keys = [(r["segment_id"], natural_key(r["code_id"]), natural_key(r["coding_id"]))
            for r in cods.to_dict("records")]
    cods = cods.iloc[sorted(range(len(keys)), key=keys.__getitem__)]
    return cods.reindex(columns=UNATTRIBUTED_COLUMNS).reset_index(drop=True)
