"""Suggestions for the key from named-entity recognition (optional).

Only when the Finnish spaCy pipeline ``spacy_fi_experimental_web_md`` (the ``fi`` extra) is
installed; otherwise :func:`suggest_key_entries` returns an empty frame.  Suggestions are
never applied: the researcher copies the right ones into the key.
"""
from __future__ import annotations

import importlib.util
from collections import Counter
from typing import Iterable, Optional, Union

import pandas as pd

from .key import PseudonymKey

PIPELINE = "spacy_fi_experimental_web_md"
COLUMNS = ["real", "kind", "count", "example"]
_LABELS = {"PERSON": "person", "PER": "person", "ORG": "organisation", "GPE": "place", "LOC": "place"}


def ner_available() -> bool:
    """True when the Finnish spaCy pipeline can be imported."""
    try:
        return importlib.util.find_spec(PIPELINE) is not None
    except (ImportError, ValueError):
        return False


def _load():
    import importlib

    return importlib.import_module(PIPELINE).load()


def suggest_key_entries(texts: Union[str, Iterable[str]], key=None, *, nlp=None,
                        min_count: int = 1) -> pd.DataFrame:
    """Candidate people, organisations and places for the key: ``real`` (the lemma of the
    entity), ``kind``, ``count``, ``example`` (the first form seen).  Names already in ``key``
    are left out.  Empty when no Finnish NER pipeline is installed (pass ``nlp`` to use
    another spaCy pipeline)."""
    if nlp is None:
        if not ner_available():
            return pd.DataFrame(columns=COLUMNS)
        nlp = _load()
    if isinstance(texts, str):
        texts = [texts]
    known = {e.real.casefold() for e in PseudonymKey.coerce(key)}
    counts: Counter = Counter()
    examples: dict[tuple[str, str], str] = {}
    for doc in nlp.pipe(list(texts)):
        for ent in doc.ents:
            kind = _LABELS.get(ent.label_)
            if kind is None:
                continue
            real = " ".join((ent.lemma_ or ent.text).split())
            real = real[:1].upper() + real[1:] if real else real
            if not real or real.casefold() in known or ent.text.casefold() in known:
                continue
            counts[(real, kind)] += 1
            examples.setdefault((real, kind), ent.text)
    rows = [(r, k, n, examples[(r, k)]) for (r, k), n in counts.items() if n >= min_count]
    rows.sort(key=lambda t: (-t[2], t[0], t[1]))
    return pd.DataFrame(rows, columns=COLUMNS)
