"""Tokenisation and lemmatisation: spaCy's blank tokenizer plus a lemmatiser backend.

The annotator (and with it numpy) is imported on first use, so asking which lemmatiser a
project uses (:func:`lemmatizer_choice`) stays light.

>>> from qualcode.nlp import Annotator
>>> [t.lemma for t in Annotator("fi").annotate("Viestinnän laatu")]
['viestintä', 'laatu']
"""
from .lemmatizers import (
    Lemmatizer,
    available_lemmatizers,
    get_lemmatizer,
    lemmatizer_choice,
    register_lemmatizer,
    resolve_lemmatizer,
)

_LAZY = {"Annotation": "annotate", "Annotator": "annotate", "Token": "annotate", "Lexicon": "lexicon"}

__all__ = [
    "Annotation",
    "Annotator",
    "Lexicon",
    "Token",
    "Lemmatizer",
    "available_lemmatizers",
    "get_lemmatizer",
    "lemmatizer_choice",
    "register_lemmatizer",
    "resolve_lemmatizer",
]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
