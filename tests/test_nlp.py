"""Tokenisation, lemmatiser registry, lemma cache and annotation serialisation."""
import importlib.util

import pytest

from qualcode.errors import QualcodeError
from qualcode.nlp import (Annotation, Annotator, Lemmatizer, available_lemmatizers,
                          get_lemmatizer, register_lemmatizer)
from qualcode.nlp.lemmatizers import parse_wordbases


@pytest.fixture(scope="module")
def fi():
    return Annotator("fi", lemmatizer="simplemma")


def test_tokens_have_code_point_offsets_and_lemmas(fi):
    text = "Viestinnän  laatu\n\noli, tilannepäivityksiä tuli."
    ann = fi.annotate(text)
    assert [(t.start, t.end, t.lower, t.lemma) for t in ann] == [
        (0, 10, "viestinnän", "viestintä"),
        (12, 17, "laatu", "laatu"),
        (19, 22, "oli", "olla"),
        (22, 23, ",", ","),
        (24, 42, "tilannepäivityksiä", "tilannepäivitys"),
        (43, 47, "tuli", "tulla"),
        (47, 48, ".", "."),
    ]
    assert all(text[t.start:t.end].lower() == t.lower for t in ann)


def test_inflected_forms_share_a_lemma(fi):
    ann = fi.annotate("viestintä viestinnän viestintään Viestinnästä")
    assert ann.lemmas == ["viestintä"] * 4


def test_english_lemmas():
    ann = Annotator("en").annotate("Updates were updated")
    assert ann.lemmas == ["update", "be", "update"]


def test_annotate_many_equals_one_by_one(fi):
    texts = ["Hinta on kova.", "", "  välilyöntejä alussa", "e-lasku :) ok\n\nesim. näin",
             "Asiakastuesta sai apua."]
    many = fi.annotate_many(texts)
    assert len(many) == len(texts)
    for text, ann in zip(texts, many):
        assert ann == fi.annotate(text)
    assert len(many[1]) == 0


def test_annotate_many_reports_progress(fi):
    done = []
    fi.annotate_many(["yksi", "kaksi", "kolme"], progress=done.append)
    assert sum(done) == 3


def test_serialisation_round_trip(fi):
    text = "Laskut tulee ajallaan, laskut on selkeitä ja laskutus toimii."
    ann = fi.annotate(text)
    blob = ann.to_bytes()
    back = Annotation.from_bytes(blob)
    assert back == ann
    assert back.backend == ann.backend == fi.lemmatizer.version
    assert list(back.starts) == list(ann.starts)
    # deterministic, and compact: under 12 bytes per token plus the type table
    assert blob == fi.annotate(text).to_bytes()
    assert len(blob) < 12 * len(ann) + 200


def test_empty_annotation_round_trip(fi):
    ann = fi.annotate("")
    assert len(Annotation.from_bytes(ann.to_bytes())) == 0


def test_from_bytes_rejects_garbage():
    with pytest.raises(ValueError, match="not a qualcode annotation blob"):
        Annotation.from_bytes(b"nonsense")


def test_backend_version_names_backend_and_language(fi):
    assert fi.backend.startswith("simplemma-") and fi.backend.endswith("-fi")


def test_lemma_cache_per_word_type():
    calls = []

    @register_lemmatizer("counting-test")
    class Counting(Lemmatizer):
        name = "counting-test"

        def _lemma(self, word):
            calls.append(word)
            return word.rstrip("s")

    lem = get_lemmatizer("counting-test", "en")
    assert get_lemmatizer("counting-test", "en") is lem
    assert [lem.lemma(w) for w in ["Cats", "cats", "CATS", "dogs"]] == ["cat", "cat", "cat", "dog"]
    assert calls == ["cats", "dogs"]
    assert "counting-test" in available_lemmatizers()
    assert lem.compound_parts("cats") == []


def test_registry_errors():
    assert "simplemma" in available_lemmatizers()
    with pytest.raises(QualcodeError, match="unknown lemmatiser 'nope'"):
        get_lemmatizer("nope", "fi")


def test_optional_backend_missing_is_one_clear_error():
    if importlib.util.find_spec("libvoikko") is not None:
        pytest.skip("libvoikko is installed here")
    with pytest.raises(QualcodeError, match="lemmatiser 'voikko' is not installed; install qualcode"):
        get_lemmatizer("voikko", "fi")


def test_voikko_without_dictionary_is_one_clear_error(monkeypatch):
    import sys
    import types

    from qualcode.nlp.lemmatizers import VoikkoLemmatizer

    class NoDictionary:
        def __init__(self, lang):
            raise OSError("no dictionary found")

    monkeypatch.setitem(sys.modules, "libvoikko", types.SimpleNamespace(Voikko=NoDictionary))
    with pytest.raises(QualcodeError, match="Voikko has no 'fi' dictionary .*no dictionary found"):
        VoikkoLemmatizer("fi")


def test_parse_wordbases():
    assert parse_wordbases("+asiakas(asiakas)+tuki(tuki)") == ["asiakas", "tuki"]
    # a derivational suffix makes the part before it the derived word
    assert parse_wordbases("+kirjautu(kirjautua)+minen(+minen)") == ["kirjautuminen"]
    assert parse_wordbases("+tilanne(tilanne)+päivit(päivittää)+ys(+ys)") == ["tilanne", "päivitys"]
    assert parse_wordbases("+kirjoit(kirjoittaa)+us(+us)+kone(kone)") == ["kirjoitus", "kone"]
    assert parse_wordbases("") == []


def test_voikko_backend_when_installed():
    pytest.importorskip("libvoikko")
    lem = get_lemmatizer("voikko", "fi")
    assert lem.lemma("viestinnän") == "viestintä"
    # Voikko analyses päivitys as päivit (of päivittää) + ys: the compound's head is the noun
    assert lem.compound_parts("tilannepäivityksiä") == ["tilanne", "päivitys"]
    assert lem.compound_parts("asiakasportaalissa") == ["asiakas", "portaali"]
    assert lem.compound_parts("palaveri") == []          # a dictionary word, not pala + veri
    assert lem.compound_parts("kirjautuminen") == []
    assert lem.version.startswith("voikko-")


def test_voikko_compound_keyword_matches_the_compounds_head():
    pytest.importorskip("libvoikko")
    from qualcode.codebook import codebook_from_dict
    from qualcode.coding.matcher import RuleMatcher

    cb = codebook_from_dict({"codes": [{"id": "v", "keywords": ["päivitys"], "compound": True}]})
    text = "Tilannepäivityksiä ei tullut, päivitykset myöhästyivät."
    matches = RuleMatcher(cb, Annotator("fi", "voikko")).match(text)
    assert [(text[m.start:m.end], m.rule) for m in matches] == [
        ("Tilannepäivityksiä", "compound:päivitys"), ("päivitykset", "keyword:päivitys")]


def test_auto_is_voikko_when_it_works_and_says_why():
    from qualcode.nlp.lemmatizers import lemmatizer_choice, resolve_lemmatizer

    assert lemmatizer_choice("simplemma", "fi") == ("simplemma", "set")
    assert lemmatizer_choice("auto", "en") == ("simplemma", "language")
    if importlib.util.find_spec("libvoikko") is not None:
        assert lemmatizer_choice("auto", "fi") == ("voikko", "voikko")
        assert get_lemmatizer("auto", "fi") is get_lemmatizer("voikko", "fi")
    else:
        assert lemmatizer_choice("auto", "fi") == ("simplemma", "no-voikko")
    assert resolve_lemmatizer("auto", "en") == "simplemma"


def test_spacy_fi_backend_when_installed():
    pytest.importorskip("spacy_fi_experimental_web_md")
    lem = get_lemmatizer("spacy-fi", "fi")
    assert lem.lemma("viestinnän") == "viestintä"
    assert lem.version.startswith("spacy-fi-")


def test_spacy_fi_lemmatises_whole_segments(monkeypatch):
    pytest.importorskip("spacy_fi_experimental_web_md")
    lem = get_lemmatizer("spacy-fi", "fi")
    piped, per_word = [], []
    real_pipe = lem._pipeline().pipe
    monkeypatch.setattr(lem._pipeline(), "pipe", lambda texts, **kw: real_pipe(piped.extend(texts) or texts, **kw))
    monkeypatch.setattr(lem, "_lemma", lambda word: per_word.append(word) or word)
    texts = ["Laskut tulivat myöhässä ja laskutus takkusi.", "Laskut tulivat.", "Kiitos laskuista."]
    anns = Annotator("fi", "spacy-fi").annotate_many(texts)
    assert per_word == []
    # only the texts where a new word type first occurs go through the pipeline
    assert piped == [texts[0], texts[2]]
    assert anns[0].lemmas[:3] == ["lasku", "tulla", "myöhässä"] and anns[2].lemmas[1] == "lasku"
