"""Lemmatiser backends, registered by name (in the spirit of spaCy's registry).

Every backend turns one word into its dictionary form.  ``simplemma`` is the
default because it is pure Python and needs no model download; ``voikko`` and
``spacy-fi`` give better Finnish lemmas when the optional ``fi`` extra is installed.

>>> lem = get_lemmatizer("simplemma", "fi")
>>> lem.lemma("viestinnän"), lem.compound_parts("tilannepäivityksiä")
('viestintä', [])
>>> "simplemma" in available_lemmatizers()
True
"""
from __future__ import annotations

import importlib.util
import re
from typing import Callable, Optional

from ..errors import QualcodeError

#: name -> factory(lang) -> lemmatiser instance
_REGISTRY: dict[str, Callable[[str], "Lemmatizer"]] = {}
#: (name, lang) -> instance; instances are shared so their memo caches are shared too
_INSTANCES: dict[tuple[str, str], "Lemmatizer"] = {}


class Lemmatizer:
    """Base class of lemmatiser backends.

    Subclasses set :attr:`name` and :attr:`version` and implement :meth:`_lemma`.
    :meth:`lemma` memoises per lowercase word form (the per-word-type lemma cache)
    because interview text repeats the same forms over and over.
    """

    name = "base"

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._memo: dict[str, str] = {}

    @property
    def version(self) -> str:
        """Backend and version; cached annotations are invalid when this changes."""
        return f"{self.name}-{self.lang}"

    @classmethod
    def available(cls) -> bool:
        """Whether the backend's package is installed."""
        return True

    def lemma(self, word: str) -> str:
        """The lowercase lemma of ``word`` (the word itself, lowercased, when unknown)."""
        key = word.lower()
        hit = self._memo.get(key)
        if hit is None:
            hit = (self._lemma(key) or key).lower()
            self._memo[key] = hit
        return hit

    def _lemma(self, word: str) -> str:
        return word

    def compound_parts(self, word: str) -> list[str]:
        """Lemmas of the parts of a compound word; ``[]`` when not a compound or unknown."""
        return []


def register_lemmatizer(name: str) -> Callable:
    """Class decorator registering a lemmatiser backend under ``name``.

    >>> @register_lemmatizer("upper-test")
    ... class Shout(Lemmatizer):
    ...     name = "upper-test"
    >>> get_lemmatizer("upper-test", "en").lemma("Cats")
    'cats'
    """

    def deco(factory):
        _REGISTRY[name] = factory
        return factory

    return deco


def get_lemmatizer(name: str, lang: str) -> Lemmatizer:
    """A (shared) lemmatiser instance of backend ``name`` for language ``lang``; a
    :class:`~qualcode.errors.QualcodeError` when the backend is unknown or not installed."""
    if name not in _REGISTRY:
        raise QualcodeError(
            f"unknown lemmatiser {name!r}; available: {', '.join(sorted(_REGISTRY))}"
        )
    factory = _REGISTRY[name]
    if hasattr(factory, "available") and not factory.available():
        raise QualcodeError(
            f"lemmatiser {name!r} is not installed; install qualcode[fi] or use 'simplemma'"
        )
    key = (name, lang)
    if key not in _INSTANCES:
        _INSTANCES[key] = factory(lang)
    return _INSTANCES[key]


def available_lemmatizers() -> list[str]:
    """Names of registered backends whose packages are installed, sorted."""
    return sorted(
        n for n, f in _REGISTRY.items() if not hasattr(f, "available") or f.available()
    )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@register_lemmatizer("simplemma")
class SimplemmaLemmatizer(Lemmatizer):
    """Dictionary lookup with simplemma (pure Python, no model download)."""

    name = "simplemma"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        import simplemma

        self._lemmatize = simplemma.lemmatize
        self._pkg_version = getattr(simplemma, "__version__", "?")

    @property
    def version(self) -> str:
        return f"simplemma-{self._pkg_version}-{self.lang}"

    @classmethod
    def available(cls) -> bool:
        return _installed("simplemma")

    def _lemma(self, word: str) -> str:
        return self._lemmatize(word, lang=self.lang)


def parse_wordbases(wordbases: str) -> list[str]:
    """Base forms of the word parts in a Voikko ``WORDBASES`` string; derivational
    suffixes (bases starting with ``+``) are not parts.

    >>> parse_wordbases("+tilanne(tilanne)+päivitys(päivitys)")
    ['tilanne', 'päivitys']
    >>> parse_wordbases("+kirjautu(kirjautua)+minen(+minen)")
    ['kirjautua']
    """
    parts = []
    for form, base in re.findall(r"\+([^+(]*)\(([^)]*)\)", wordbases):
        if base.startswith("+"):
            continue
        parts.append(base or form)
    return parts


@register_lemmatizer("voikko")
class VoikkoLemmatizer(Lemmatizer):
    """Finnish morphology with libvoikko: base forms and compound parts."""

    name = "voikko"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        import libvoikko  # optional dependency (qualcode[fi])

        try:
            self._voikko = libvoikko.Voikko(lang)
        except Exception as exc:  # libvoikko is installed but its dictionary is not
            raise QualcodeError(f"Voikko has no {lang!r} dictionary ({exc}); install the Voikko "
                                "dictionary or use 'simplemma'") from None
        try:
            self._pkg_version = libvoikko.Voikko.getVersion()
        except Exception:  # older bindings have no getVersion
            self._pkg_version = "?"
        self._parts: dict[str, list[str]] = {}

    @property
    def version(self) -> str:
        return f"voikko-{self._pkg_version}-{self.lang}"

    @classmethod
    def available(cls) -> bool:
        return _installed("libvoikko")

    def _lemma(self, word: str) -> str:
        analyses = self._voikko.analyze(word)
        return analyses[0].get("BASEFORM", word) if analyses else word

    def compound_parts(self, word: str) -> list[str]:
        key = word.lower()
        if key not in self._parts:
            analyses = self._voikko.analyze(key)
            parts = parse_wordbases(analyses[0].get("WORDBASES", "")) if analyses else []
            self._parts[key] = [p.lower() for p in parts] if len(parts) > 1 else []
        return list(self._parts[key])


@register_lemmatizer("spacy-fi")
class SpacyFiLemmatizer(Lemmatizer):
    """Lemmas from the installed ``spacy_fi_experimental_web_md`` pipeline."""

    name = "spacy-fi"
    package = "spacy_fi_experimental_web_md"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        import spacy

        # Only what the lemmatiser needs; loading an installed package downloads nothing.
        self._nlp = spacy.load(self.package, exclude=["parser", "ner"])
        self._pkg_version = self._nlp.meta.get("version", "?")

    @property
    def version(self) -> str:
        return f"spacy-fi-{self._pkg_version}-{self.lang}"

    @classmethod
    def available(cls) -> bool:
        return _installed(cls.package)

    def _lemma(self, word: str) -> str:
        doc = self._nlp(word)
        return doc[0].lemma_ if len(doc) else word


def cached_backend(lemmatizer: Optional[Lemmatizer | str], lang: str) -> Lemmatizer:
    """Accept a backend name or an instance and return an instance."""
    if isinstance(lemmatizer, Lemmatizer):
        return lemmatizer
    return get_lemmatizer(lemmatizer or "simplemma", lang)
