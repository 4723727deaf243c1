"""Named-entity suggestions for the key: names the key does not list yet.

Only available when a spaCy pipeline with an entity recogniser is installed (Finnish:
``spacy_fi_experimental_web_md`` from the optional ``fi`` extra; English:
``en_core_web_sm``).  Suggestions are never applied: the researcher copies the ones that
are real names into the key file.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping, Optional, Union

import pandas as pd

from .key import PseudonymKey

PIPELINES = {"fi": "spacy_fi_experimental_web_md", "en": "en_core_web_sm"}
COLUMNS = ["candidate", "kind", "count"]
_KINDS = {"PERSON": "person", "PER": "person", "ORG": "organisation", "GPE": "place", "LOC": "place",
          "FAC": "place", "NORP": "other"}


def _empty(note: str) -> pd.DataFrame:
    df = pd.DataFrame(columns=COLUMNS)
    df.attrs["note"] = note
    object.__setattr__(df, "note", note)
    return df


def load_pipeline(lang: str = "fi"):
    """The spaCy pipeline for ``lang``, or None when it (or spaCy) is not installed."""
    name = PIPELINES.get(lang)
    if name is None:
        return None
    import spacy   # slow to import; only the suggestions need it

    try:
        return spacy.load(name)
    except (OSError, ImportError, ValueError):   # the optional pipeline is not installed
        return None


def suggest_key_entries(texts: Union[str, Iterable[str], Mapping[str, str]], lang: str = "fi", *,
                        key=None, nlp=None) -> pd.DataFrame:
    """Candidate names (``candidate``, ``kind``, ``count``) found by named-entity recognition
    and not in ``key`` yet, most frequent first.

    Without the pipeline the frame is empty and its ``note`` attribute (also
    ``df.attrs["note"]``) says what to install.
    """
    if nlp is None:
        nlp = load_pipeline(lang)
    if nlp is None:
        return _empty(f"named-entity suggestions need the spaCy pipeline {PIPELINES.get(lang, '?')} "
                      f"(pip install 'qualcode[{lang}]'); it is not installed, so nothing was suggested")
    if isinstance(texts, str):
        texts = [texts]
    elif isinstance(texts, Mapping):
        texts = list(texts.values())
    known: set[str] = set()
    if key is not None:
        known = set(PseudonymKey.coerce(key).as_mapping())
    counts: Counter = Counter()
    for doc in nlp.pipe(str(t) for t in texts):
        for ent in doc.ents:
            kind = _KINDS.get(ent.label_)
            if kind is None:
                continue
            name = " ".join(ent.text.split())
            lemma = " ".join((ent.lemma_ or ent.text).split()) if hasattr(ent, "lemma_") else name
            cand = lemma if lemma and lemma[0].isupper() else name
            if cand in known or name in known:
                continue
            counts[(cand, kind)] += 1
    rows = sorted(((c, k, n) for (c, k), n in counts.items()), key=lambda r: (-r[2], r[0]))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs["note"] = ""
    return df


def has_pipeline(lang: str = "fi") -> Optional[str]:
    """The pipeline name when it can be imported, else None (cheap check, no loading)."""
    import importlib.util

    name = PIPELINES.get(lang)
    return name if name and importlib.util.find_spec(name) is not None else None
