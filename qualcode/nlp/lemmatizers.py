"""Lemmatiser backends, registered by name (in the spirit of spaCy's registry).

Every backend turns one word into its dictionary form.  ``simplemma`` is pure Python and
needs no model download; ``voikko`` and ``spacy-fi`` give better Finnish lemmas when the
optional ``fi`` extra is installed.  ``auto`` (the project default) is Voikko for Finnish
when it is installed and has its dictionary, else simplemma.

A backend is cheap to create: its dictionary or model is loaded on the first lemma, so a
run whose word types all have their lemmas in the project store loads none.

>>> lem = get_lemmatizer("simplemma", "fi")
>>> lem.lemma("viestinnän"), lem.compound_parts("tilannepäivityksiä")
('viestintä', [])
>>> "simplemma" in available_lemmatizers()
True
"""
from __future__ import annotations

import importlib.util
import re
from contextlib import contextmanager
from typing import Callable, Optional, Sequence

from ..errors import QualcodeError

#: The backend name that picks the best installed backend for the language.
AUTO = "auto"
#: name -> factory(lang) -> lemmatiser instance
_REGISTRY: dict[str, Callable[[str], "Lemmatizer"]] = {}
#: (name, lang) -> instance; instances are shared so their memo caches are shared too
_INSTANCES: dict[tuple[str, str], "Lemmatizer"] = {}
#: lang -> (backend name, reason) chosen for "auto", decided once per process
_AUTO_CHOICE: dict[str, tuple[str, str]] = {}


class Lemmatizer:
    """Base class of lemmatiser backends.

    Subclasses set :attr:`name` and :attr:`version` and implement :meth:`_lemma`.
    :meth:`lemma` memoises per lowercase word form (the per-word-type lemma cache)
    because interview text repeats the same forms over and over.  A *contextual* backend
    (spaCy's Finnish pipeline) also lemmatises whole texts: :meth:`lemmas_in_texts`.
    """

    name = "base"
    #: True when lemmas come from whole texts (:meth:`lemmas_in_texts`) rather than one word
    contextual = False

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

    def lemmas_in_texts(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """(lowercase form, lemma) of every token of each text, in context.  Only
        contextual backends implement it."""
        raise NotImplementedError(f"{self.name} lemmatises words, not texts")


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
    """A (shared) lemmatiser instance of backend ``name`` (or ``auto``) for language
    ``lang``; a :class:`~qualcode.errors.QualcodeError` when the backend is unknown or not
    installed."""
    if name == AUTO:
        name = resolve_lemmatizer(AUTO, lang)
    if name not in _REGISTRY:
        raise QualcodeError(
            f"unknown lemmatiser {name!r}; available: {', '.join(sorted([AUTO, *_REGISTRY]))}"
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


def resolve_lemmatizer(name: str, lang: str) -> str:
    """The backend ``name`` stands for: itself, or for ``auto`` Voikko when ``lang`` is
    Finnish and Voikko works here, else simplemma.

    >>> resolve_lemmatizer("simplemma", "fi"), resolve_lemmatizer("auto", "en")
    ('simplemma', 'simplemma')
    """
    return lemmatizer_choice(name, lang)[0]


def lemmatizer_choice(name: str, lang: str) -> tuple[str, str]:
    """(backend, why) for ``name`` in ``lang``: why is ``"set"`` for a backend named in
    the settings, else the reason ``auto`` chose it (``"voikko"``: Voikko works; ``"no-voikko"``:
    Voikko or its Finnish dictionary is not installed; ``"language"``: not Finnish)."""
    if name != AUTO:
        return name, "set"
    if lang not in _AUTO_CHOICE:
        if lang != "fi":
            _AUTO_CHOICE[lang] = ("simplemma", "language")
        else:
            try:
                get_lemmatizer("voikko", lang)
                _AUTO_CHOICE[lang] = ("voikko", "voikko")
            except QualcodeError:
                _AUTO_CHOICE[lang] = ("simplemma", "no-voikko")
    return _AUTO_CHOICE[lang]


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _package_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


@register_lemmatizer("simplemma")
class SimplemmaLemmatizer(Lemmatizer):
    """Dictionary lookup with simplemma (pure Python, no model download).  The dictionary
    is a memory-mapped trie from the per-machine cache (:mod:`qualcode.nlp.cache`), built
    the first time a language is used on a machine."""

    name = "simplemma"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self._pkg_version = _package_version("simplemma")
        self._lemmatizer = None

    @property
    def version(self) -> str:
        return f"simplemma-{self._pkg_version}-{self.lang}"

    @classmethod
    def available(cls) -> bool:
        return _installed("simplemma")

    def _lemma(self, word: str) -> str:
        if self._lemmatizer is None:
            from .cache import simplemma_lemmatizer

            self._lemmatizer = simplemma_lemmatizer(_building_notice)
        return self._lemmatizer.lemmatize(word, lang=self.lang)


@contextmanager
def _building_notice(lang: str):
    """The one-time message while a lemma table is built."""
    from ..labels import label
    from ..progress import progress_note

    with progress_note(label("progress.lemma_table", "fi" if lang == "fi" else "en")):
        yield


_WORDBASE = re.compile(r"\+([^+(]*)\(([^)]*)\)")


def parse_wordbases(wordbases: str) -> list[str]:
    """Base forms of the word parts in a Voikko ``WORDBASES`` string.  A derivational
    suffix (a base starting with ``+``) belongs to the part before it, which then is the
    derived word itself: Voikko gives ``tilannepäivitys`` as ``tilanne`` + ``päivit``
    (of *päivittää*) + ``ys``, whose parts are the nouns ``tilanne`` and ``päivitys``.

    >>> parse_wordbases("+tilanne(tilanne)+päivit(päivittää)+ys(+ys)")
    ['tilanne', 'päivitys']
    >>> parse_wordbases("+asiakas(asiakas)+tuki(tuki)"), parse_wordbases("+kirjautu(kirjautua)+minen(+minen)")
    (['asiakas', 'tuki'], ['kirjautuminen'])
    """
    parts: list[list] = []   # [surface, base or None when derived]
    for form, base in _WORDBASE.findall(wordbases):
        if base.startswith("+"):
            if parts:
                parts[-1] = [parts[-1][0] + form, None]
            continue
        parts.append([form, base or form])
    return [base if base is not None else surface for surface, base in parts]


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
        self._parts[word] = self._compound_parts(analyses)   # one analysis gives both
        return analyses[0].get("BASEFORM", word) if analyses else word

    def compound_parts(self, word: str) -> list[str]:
        key = word.lower()
        if key not in self._parts:
            self._parts[key] = self._compound_parts(self._voikko.analyze(key))
        return list(self._parts[key])

    @staticmethod
    def _compound_parts(analyses: list[dict]) -> list[str]:
        if not analyses:
            return []
        # Among the readings of the lemma, the one with the fewest parts: a word in the
        # dictionary ("palaveri") beats a chance split of it ("pala" + "veri").
        base = analyses[0].get("BASEFORM")
        readings = [parse_wordbases(a.get("WORDBASES", "")) for a in analyses if a.get("BASEFORM") == base]
        parts = min(readings, key=len)
        return [p.lower() for p in parts] if len(parts) > 1 else []


@register_lemmatizer("spacy-fi")
class SpacyFiLemmatizer(Lemmatizer):
    """Lemmas from the installed ``spacy_fi_experimental_web_md`` pipeline, in context:
    the annotator runs whole segments through it (:meth:`lemmas_in_texts`)."""

    name = "spacy-fi"
    package = "spacy_fi_experimental_web_md"
    contextual = True

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self._pkg_version = _package_version(self.package.replace("_", "-"))
        self._nlp = None

    @property
    def version(self) -> str:
        return f"spacy-fi-{self._pkg_version}-{self.lang}"

    @classmethod
    def available(cls) -> bool:
        return _installed(cls.package)

    def _pipeline(self):
        if self._nlp is None:
            import spacy

            # Only what the lemmatiser needs; loading an installed package downloads nothing.
            self._nlp = spacy.load(self.package, exclude=["parser", "ner"])
        return self._nlp

    def _lemma(self, word: str) -> str:
        doc = self._pipeline()(word)
        return doc[0].lemma_ if len(doc) else word

    def lemmas_in_texts(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        return [[(t.lower_, (t.lemma_ or t.lower_).lower()) for t in doc]
                for doc in self._pipeline().pipe(texts, batch_size=64)]


def cached_backend(lemmatizer: Optional[Lemmatizer | str], lang: str) -> Lemmatizer:
    """Accept a backend name (or ``auto``) or an instance and return an instance."""
    if isinstance(lemmatizer, Lemmatizer):
        return lemmatizer
    return get_lemmatizer(lemmatizer or "simplemma", lang)
