"""Lemmas once per word type: the per-machine lemma table, the lemmas kept in the project
store, and what a fresh process loads when it re-codes."""
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import simplemma

from qualcode.nlp import Annotator
from qualcode.nlp import cache
from qualcode.project import Project

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "asiakaskokemus"


@pytest.fixture(scope="module")
def demo_words(tmp_path_factory):
    """Every token of the demo study's transcripts as written, and lowercased."""
    folder = tmp_path_factory.mktemp("demo") / "study"
    project = Project.init(folder)
    project.ingest([DEMO / "transcripts"])
    texts = project.segments()["text"].tolist()
    project.close()
    tokenizer = Annotator("fi", "simplemma").tokenizer
    words = {t.text for doc in tokenizer.pipe(texts) for t in doc if not t.is_space}
    return sorted(words | {w.lower() for w in words})


def test_trie_gives_exactly_simplemmas_lemmas_on_the_demo_word_types(demo_words):
    assert len(demo_words) > 5000
    table = cache.simplemma_lemmatizer()
    reference = simplemma.Lemmatizer()      # simplemma's own dictionary, decoded in memory
    differ = [w for w in demo_words if table.lemmatize(w, "fi") != reference.lemmatize(w, "fi")]
    assert differ == []
    english = ["Updates", "were", "updated", "children", "went", "better", "analyses", "qualcode"]
    assert [table.lemmatize(w, "en") for w in english] == [reference.lemmatize(w, "en") for w in english]


def test_table_is_built_once_per_machine_and_mapped_after(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    built = []

    class Notice:
        def __init__(self, lang):
            built.append(lang)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    lemma = cache.simplemma_lemmatizer(Notice).lemmatize("bukunya", "ms")   # Malay: a small dictionary
    path = cache.trie_folder() / "ms.dic"
    assert path.is_file() and path.parent.parent == tmp_path / "cache" and built == ["ms"]
    # a fresh lemmatiser (as in a new process) maps the file and builds nothing
    assert cache.simplemma_lemmatizer(Notice).lemmatize("bukunya", "ms") == lemma
    assert built == ["ms"]
    # a damaged file is built again; tables of older versions are removed then
    old = tmp_path / "cache" / "simplemma-0.1-marisa-0.1"
    old.mkdir()
    path.write_bytes(b"not a trie")
    assert cache.simplemma_lemmatizer(Notice).lemmatize("bukunya", "ms") == lemma
    assert built == ["ms", "ms"] and not old.exists()
    assert [p.name for p in path.parent.iterdir()] == ["ms.dic"]   # no temporary file left


def test_unwritable_cache_still_lemmatises(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))   # a folder below a file
    assert cache.simplemma_lemmatizer().lemmatize("bukunya", "ms") == simplemma.lemmatize("bukunya", "ms")


def test_cache_folder_defaults_to_the_users_cache(monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV)
    assert cache.cache_dir().name == "qualcode"
    monkeypatch.setenv(cache.CACHE_ENV, "/somewhere/else")
    assert cache.cache_dir() == Path("/somewhere/else")


def test_plain_word_terms_tokenise_as_spacy_does(demo_words):
    annotator = Annotator("fi", "simplemma")
    tokenizer = annotator.tokenizer          # loads spaCy and caches its special cases
    assert cache.read_tokenizer_specials("fi") >= {"ettei", "Ettei", "esim."}
    fresh = Annotator("fi", "simplemma")     # as in a new process: spaCy not loaded by it
    fresh._nlp = None
    plain = [w for w in demo_words if fresh._is_one_token(w)]
    assert fresh._nlp is None and len(plain) > 0.8 * len(demo_words)
    for word in plain + [w.capitalize() for w in plain]:
        assert [t.text for t in tokenizer(word)] == [word]
    for word in ["ettei", "Ettei", "e-lasku", "esim.", "3D", "asiakas tuki", "k:lla"]:
        assert not fresh._is_one_token(word)
    # every term gives spaCy's tokens, whichever way it is found
    for term in ["Laskuja", "olla  tyytyväinen", "ettei", "e-lasku", "kick-off", "3D-tulostus", "esim. näin"]:
        lemmas, forms = fresh.term_tokens(term)
        tokens = [t for t in tokenizer(term) if not t.is_space]
        assert forms == tuple(t.lower_ for t in tokens)
        assert lemmas == tuple(annotator.lexicon.lemma(t.lower_) for t in tokens)
    # the tokens of terms with punctuation are kept per machine: a new process reads them
    again = Annotator("fi", "simplemma")
    again._nlp = None
    assert again.term_tokens("kick-off")[1] == fresh.term_tokens("kick-off")[1] and again._nlp is None


RECODE = """
import json, sys
from qualcode.nlp.lemmatizers import _INSTANCES
from qualcode.project import Project
project = Project(sys.argv[1])
summary = project.code(sys.argv[2])
lemmatizers = [lem for lem in _INSTANCES.values()]
print(json.dumps({"spacy": "spacy" in sys.modules, "marisa": "marisa_trie" in sys.modules,
                  "table": any(getattr(l, "_lemmatizer", None) is not None for l in lemmatizers),
                  "suggestions": int(summary["segments"].sum())}))
"""


@pytest.fixture
def coded(tmp_path):
    folder = tmp_path / "study"
    project = Project.init(folder)
    for name in ("H2.txt", "H5.txt"):
        shutil.copy(DEMO / "transcripts" / name, folder / "transcripts" / name)
    config = folder / "qualcode.toml"
    config.write_text(re.sub(r'lemmatizer = "[^"]*"', 'lemmatizer = "simplemma"', config.read_text()))
    project.close()
    project = Project(folder)
    project.ingest([folder / "transcripts"])
    book = folder / "codebooks" / "koodit.yaml"
    book.write_text((ROOT / "codebooks" / "asiakaskokemus_fi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    project.code(book)
    project.close()
    return folder, book


def recode(folder, book):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", RECODE, str(folder), str(book)], capture_output=True,
                         text=True, env=env, check=True)
    return json.loads(out.stdout)


def test_recoding_in_a_fresh_process_loads_no_tokenizer_or_lemma_table(coded):
    folder, book = coded
    first = recode(folder, book)     # the first run in a process of its own
    assert (first["spacy"], first["marisa"], first["table"]) == (False, False, False)
    assert first["suggestions"] > 20
    # keywords whose word types the store knows: still nothing to load
    text = book.read_text(encoding="utf-8")
    book.write_text(text.replace("keywords: [vaihtuvuus]", "keywords: [vaihtuvuus, palaverissa, laskut]", 1),
                    encoding="utf-8")
    after = recode(folder, book)
    assert (after["spacy"], after["table"]) == (False, False)
    assert after["suggestions"] > first["suggestions"]
    # a new compound keyword is lemmatised, and so are the possible last parts of words that
    # contain its head; the store keeps them all
    book.write_text(text.replace("keywords: [viestintä,", "keywords: [viestintä, määrä,", 1), encoding="utf-8")
    assert recode(folder, book)["table"] is True
    assert recode(folder, book)["table"] is False
    # a term with punctuation needs the tokenizer; an unseen word needs the lemma table
    term = f"e-kirje{uuid.uuid4().hex[:6]}"      # new to this machine's cache of term tokens too
    book.write_text(text.replace("keywords: [viestintä,", f"keywords: [viestintä, {term}, kvanttihyppy,", 1),
                    encoding="utf-8")
    after = recode(folder, book)
    assert (after["spacy"], after["table"]) == (True, True)
    # ... once: the store keeps those word types now
    assert recode(folder, book)["table"] is False


def test_recoding_gives_what_a_fresh_coding_gives(coded, tmp_path):
    folder, book = coded
    text = book.read_text(encoding="utf-8").replace("keywords: [viestintä,", "keywords: [viestintä, palaveri,", 1)
    book.write_text(text, encoding="utf-8")
    recode(folder, book)
    again = Project(folder)
    recoded = again.codings()[["segment_id", "code_id", "start", "end", "rule"]].values.tolist()
    again.close()
    fresh_folder = tmp_path / "fresh"
    shutil.copytree(folder, fresh_folder, ignore=shutil.ignore_patterns(".qualcode"))
    fresh = Project(fresh_folder)
    fresh.ingest([fresh_folder / "transcripts"])
    fresh.code(fresh_folder / "codebooks" / "koodit.yaml")
    first = fresh.codings()[["segment_id", "code_id", "start", "end", "rule"]].values.tolist()
    fresh.close()
    assert sorted(map(tuple, recoded)) == sorted(map(tuple, first)) and len(first) > 20


def test_store_lemmas_serve_the_reduction_without_a_lemmatiser(coded):
    folder, _ = coded
    project = Project(folder)
    annotator = project._annotator()
    stored = {form: lemma for _, form, lemma, _ in project.store.word_types(annotator.backend)}
    assert stored["laskutuksen"] == "laskutus"        # from an informant turn (coded segments only)
    annotator.lemmatizer._lemmatizer = None     # the shared backend, as in a fresh process
    annotator.lemmatizer._memo.clear()
    assert annotator.lemma("Laskutuksen") == "laskutus"
    assert annotator.lemmatizer._lemmatizer is None
    project.close()
