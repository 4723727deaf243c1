"""Tokenisation and lemmatisation: spaCy's blank tokenizer plus a lemmatiser backend.

>>> from qualcode.nlp import Annotator
>>> [t.lemma for t in Annotator("fi").annotate("Viestinnän laatu")]
['viestintä', 'laatu']
"""
from .annotate import Annotation, Annotator, Lexicon, Token
from .lemmatizers import (
    Lemmatizer,
    available_lemmatizers,
    get_lemmatizer,
    lemmatizer_choice,
    register_lemmatizer,
    resolve_lemmatizer,
)

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
