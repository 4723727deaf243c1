"""The per-machine cache of prepared NLP data: simplemma's lemma tables as memory-mapped
MARISA tries, and the special cases of spaCy's tokenizer.

simplemma ships its dictionaries lzma-compressed; decoding the Finnish one costs about 5 s
of CPU and 400 MB on every process start.  A trie built once per machine (≈ 18 MB for
Finnish) is memory-mapped instead: the first lemma of a fresh process takes milliseconds,
and lookups run simplemma's own strategies on it, so the lemmas are exactly simplemma's.

The folder is ``$QUALCODE_CACHE_DIR`` when set, else the user's cache folder
(``platformdirs``, or ``$XDG_CACHE_HOME``/``~/.cache``) + ``qualcode``.  Each entry is named
by the versions it was built from, so a new simplemma or spaCy version builds a new one.

>>> saved = dict(os.environ)
>>> os.environ[CACHE_ENV] = os.path.join("somewhere", "cache")
>>> cache_dir() == Path("somewhere", "cache")
True
>>> os.environ.clear(); os.environ.update(saved)
"""
from __future__ import annotations

import os
import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, ContextManager, Iterable, Optional

from ..fileutil import CACHE_ENV, cache_dir

def write_atomic(path: Path, write: Callable[[str], object]) -> bool:
    """Let ``write(temporary path)`` make the file, then move it into place, so a reader in
    another process never sees half a file.  False (and nothing written) when the folder
    cannot be written: the caller then keeps its data in memory."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError:
        return False
    try:
        write(tmp)
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# -- simplemma lemma tables ----------------------------------------------------------------

def trie_folder() -> Path:
    """Where this simplemma + marisa-trie version keeps its tries."""
    from importlib.metadata import version

    return cache_dir() / f"simplemma-{version('simplemma')}-marisa-{version('marisa-trie')}"


def simplemma_lemmatizer(notice: Optional[Callable[[str], ContextManager]] = None):
    """A ``simplemma.Lemmatizer`` whose dictionaries are memory-mapped tries from the cache
    (built on first use; ``notice(lang)`` wraps the one-time build, e.g. to show progress).
    simplemma's own in-memory dictionaries are used when marisa-trie is not installed."""
    import simplemma
    from simplemma.strategies import DefaultStrategy

    try:
        factory = _trie_factory(notice)
    except ImportError:
        return simplemma.Lemmatizer()
    return simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=factory))


def _trie_factory(notice):
    from marisa_trie import BytesTrie
    from simplemma.strategies.dictionaries.dictionary_factory import CachingDictionaryFactory
    from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieWrapDict

    class MappedTrieFactory(CachingDictionaryFactory):
        """simplemma dictionaries as memory-mapped tries in qualcode's cache."""

        def _get_dictionary_uncached(self, lang: str):
            path = trie_folder() / f"{lang}.dic"
            if path.is_file():
                try:
                    return TrieWrapDict(BytesTrie().mmap(str(path)))
                except Exception:  # a damaged file: build it again
                    pass
            with (notice(lang) if notice else nullcontext()):
                trie = BytesTrie(_dictionary_items(lang))
                if write_atomic(path, trie.save):
                    _forget_old_tries(path.parent)
            return TrieWrapDict(trie)

    return MappedTrieFactory()


def _dictionary_items(lang: str) -> Iterable[tuple[str, bytes]]:
    """simplemma's dictionary of ``lang`` as (form, lemma bytes), streamed record by record
    (half the peak memory of decoding it into a dict first); simplemma's own dict loader
    when its stream format is not the one known here."""
    from simplemma.strategies.dictionaries import dictionary_factory, frontcode

    try:
        data = dictionary_factory._read_decompressed(lang)
        reverse, count, pos = frontcode._read_header(data)
        if reverse:
            raise ValueError("reversed keys")
        records = frontcode._iter_records(data, pos)
    except (AttributeError, ValueError):
        if lang not in dictionary_factory.SUPPORTED_LANGUAGES:
            raise
        return ((k.decode(), v) for k, v in dictionary_factory._load_dictionary_from_disk(lang).items())
    return ((key.decode(), value) for _, key, value in records)


def _forget_old_tries(current: Path) -> None:
    """Remove the tries of other simplemma/marisa versions (they are never read again)."""
    import shutil

    for other in current.parent.glob("simplemma-*-marisa-*"):
        if other != current and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


# -- spaCy's tokenizer: its special cases, and the tokens of codebook terms -------------------

def _spacy_path(lang: str, what: str) -> Optional[Path]:
    version = spacy_version()
    return cache_dir() / f"spacy-{version}-{lang}-{what}" if version else None


def spacy_version() -> Optional[str]:
    """The installed spaCy's version, read from its ``about.py`` without importing spaCy
    (``importlib.metadata`` scans every installed package: slower than a re-code's
    matching); None when spaCy is not installed.

    >>> spacy_version().count(".") >= 2
    True
    """
    import importlib.util
    import re

    try:
        spec = importlib.util.find_spec("spacy")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    about = Path(list(spec.submodule_search_locations)[0]) / "about.py"
    try:
        found = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", about.read_text(encoding="utf-8"), re.M)
    except OSError:
        found = None
    if found:
        return found.group(1)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spacy")
    except PackageNotFoundError:
        return None


def tokenizer_specials_path(lang: str) -> Optional[Path]:
    """Where the special cases of spaCy's ``lang`` tokenizer are kept (None without spaCy)."""
    return _spacy_path(lang, "specials.txt")


#: the term cache is split into this many files by a hash of the term, so a re-code reads
#: the few files of its own terms, not every term any codebook on this machine ever had
TERM_SHARDS = 256


def _term_shard(term: str) -> int:
    import zlib

    return zlib.crc32(term.encode("utf-8")) % TERM_SHARDS


def _term_shard_path(lang: str, shard: int) -> Optional[Path]:
    return _spacy_path(lang, f"terms-{shard:03d}.json")


def _read_shard(lang: str, shard: int) -> dict[str, list[str]]:
    import json

    path = _term_shard_path(lang, shard)
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}


def read_term_tokens(lang: str, terms: Iterable[str]) -> dict[str, list[str]]:
    """Codebook terms → the lowercase forms of their tokens, as spaCy's tokenizer of this
    version gave them, for those of ``terms`` that are cached (terms that are plain words
    need no entry)."""
    by_shard: dict[int, list[str]] = {}
    for term in dict.fromkeys(terms):
        by_shard.setdefault(_term_shard(term), []).append(term)
    out: dict[str, list[str]] = {}
    for shard, wanted in by_shard.items():
        cached = _read_shard(lang, shard)
        out.update({t: cached[t] for t in wanted if t in cached})
    return out


def save_term_tokens(lang: str, terms: dict[str, list[str]]) -> None:
    """Add terms' tokens to the cached ones."""
    import json

    by_shard: dict[int, dict[str, list[str]]] = {}
    for term, forms in terms.items():
        by_shard.setdefault(_term_shard(term), {})[term] = forms
    for shard, new in by_shard.items():
        path = _term_shard_path(lang, shard)
        if path is None:
            return
        text = json.dumps({**_read_shard(lang, shard), **new}, ensure_ascii=False, sort_keys=True)
        write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    legacy = _spacy_path(lang, "terms.json")   # one file of every term, before the shards
    if legacy is not None and legacy.is_file():
        legacy.unlink()


def read_tokenizer_specials(lang: str) -> Optional[frozenset[str]]:
    """The cached special-case strings of the tokenizer, or None when not cached yet."""
    path = tokenizer_specials_path(lang)
    try:
        return frozenset(path.read_text(encoding="utf-8").split("\n")) if path else None
    except OSError:
        return None


def save_tokenizer_specials(lang: str, specials: Iterable[str]) -> None:
    """Keep the special-case strings of a loaded tokenizer (those without whitespace)."""
    path = tokenizer_specials_path(lang)
    if path is None or path.is_file():
        return
    text = "\n".join(sorted(s for s in specials if s and not any(c.isspace() for c in s)))
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))

