"""Rule matching on Finnish and English text: lemmas, compounds, phrases, patterns,
exclusions and exact offsets."""
import re
from pathlib import Path

import pytest

from qualcode.codebook import codebook_from_dict
from qualcode.coding.matcher import Match, RuleMatcher, required_literal
from qualcode.nlp import Annotation, Annotator

from baselines import substring_baseline


@pytest.fixture(scope="module")
def fi():
    return Annotator("fi")


def matcher(codes, annotator, language="fi"):
    return RuleMatcher(codebook_from_dict({"language": language, "codes": codes}), annotator)


def spans(text, matches):
    return [(m.code_id, text[m.start:m.end], m.rule) for m in matches]


def test_inflected_keyword_forms(fi):
    m = matcher([{"id": "viestinta", "keywords": ["viestintä"]}], fi)
    text = "Viestintä parani, viestinnän sävy muuttui ja viestintään panostettiin."
    assert m.match(text) == [
        Match("viestinta", 0, 9, "keyword:viestintä"),
        Match("viestinta", 18, 28, "keyword:viestintä"),
        Match("viestinta", 45, 56, "keyword:viestintä"),
    ]
    assert [text[x.start:x.end] for x in m.match(text)] == ["Viestintä", "viestinnän", "viestintään"]


def test_keyword_given_inflected_is_lemmatised(fi):
    m = matcher([{"id": "lasku", "keywords": ["laskuja"]}], fi)
    assert spans("Lasku tuli myöhään.", m.match("Lasku tuli myöhään.")) == [
        ("lasku", "Lasku", "keyword:laskuja")]


def test_compound_final_match_only_when_enabled(fi):
    text = "Tilannepäivityksiä tuli harvoin, päivitys kerran kuussa."
    on = matcher([{"id": "t", "keywords": ["päivitys"], "compound": True}], fi)
    off = matcher([{"id": "t", "keywords": ["päivitys"]}], fi)
    assert on.match(text) == [Match("t", 0, 18, "compound:päivitys"),
                              Match("t", 33, 41, "keyword:päivitys")]
    assert off.match(text) == [Match("t", 33, 41, "keyword:päivitys")]


def test_compound_unknown_to_the_lemmatiser_found_by_suffix(fi):
    # simplemma does not know this compound; its last part is lemmatised instead
    assert fi.lemmatizer.lemma("etätuesta") == "etätuesta"
    m = matcher([{"id": "t", "keywords": ["tuki"], "compound": True}], fi)
    text = "Etätuesta oli apua."
    assert spans(text, m.match(text)) == [("t", "Etätuesta", "compound:tuki")]


def test_compound_needs_a_real_prefix(fi):
    # "tuki" at the start of a word, or after a 1-2 letter prefix, is not a compound part
    m = matcher([{"id": "tuki", "keywords": ["tuki"], "compound": True}], fi)
    assert m.match("tukijalka ja xtuki") == []
    assert spans("asiakastuki", m.match("asiakastuki")) == [
        ("tuki", "asiakastuki", "compound:tuki")]


def test_inflected_phrase_lemma_by_lemma(fi):
    m = matcher([{"id": "t", "phrases": ["pitää ajan tasalla"]}], fi)
    text = "Meidät pidettiin ajan tasalla koko ajan."
    assert m.match(text) == [Match("t", 7, 29, "phrase:pitää ajan tasalla")]
    assert text[7:29] == "pidettiin ajan tasalla"
    # an inserted word breaks the phrase (phrases are contiguous)
    assert m.match("Ne pitää meidät ajan tasalla.") == []


def test_phrase_does_not_cross_text_boundaries(fi):
    m = matcher([{"id": "t", "phrases": ["ajan tasalla"]}], fi)
    texts = ["Mentiin ajan", "tasalla oltiin.", "Ajan tasalla."]
    assert m.match_many(texts) == [[], [], [Match("t", 0, 12, "phrase:ajan tasalla")]]


def test_multiword_keyword_is_a_phrase(fi):
    m = matcher([{"id": "h", "keywords": ["hinta taso"]}], fi)
    assert m.match("Hinnan taso nousi.") == [Match("h", 0, 11, "phrase:hinta taso")]


def test_patterns_are_case_insensitive_regexes_on_raw_text(fi):
    m = matcher([{"id": "v", "patterns": [r"\bviikko(viesti|raportti)"]}], fi)
    text = "Viikkoraportti ja VIIKKOVIESTI, mutta ei joka viikko."
    assert spans(text, m.match(text)) == [
        ("v", "Viikkoraportti", r"pattern:\bviikko(viesti|raportti)"),
        ("v", "VIIKKOVIESTI", r"pattern:\bviikko(viesti|raportti)"),
    ]


def test_pattern_without_literal_and_anchored(fi):
    m = matcher([{"id": "n", "patterns": [r"^\d+"]}, {"id": "s", "patterns": ["nps|suos"]}], fi)
    assert spans("42 pistettä", m.match("42 pistettä")) == [("n", "42", r"pattern:^\d+")]
    assert spans("NPS oli hyvä", m.match("NPS oli hyvä")) == [("s", "NPS", "pattern:nps|suos")]


def test_a_pattern_is_compiled_only_when_a_text_has_its_literals(fi, monkeypatch):
    import qualcode.coding.matcher as matcher_module

    compiled = []
    real = matcher_module.compile_pattern
    monkeypatch.setattr(matcher_module, "compile_pattern", lambda p: compiled.append(p) or real(p))
    m = matcher([{"id": "v", "patterns": [r"\bviikko(viesti|raportti)", r"laskutu\w*\s+virhe"]}], fi)
    assert compiled == []
    text = "Viikkoraportti tuli taas myöhässä."
    assert spans(text, m.match(text)) == [("v", "Viikkoraportti", r"pattern:\bviikko(viesti|raportti)")]
    assert compiled == [r"\bviikko(viesti|raportti)"]   # no text has "laskutu": never compiled
    m.match("Viikkoviesti ja viikkoraportti.")
    assert compiled == [r"\bviikko(viesti|raportti)"]   # compiled once


def test_a_pattern_without_literals_finds_the_matches_of_each_text_on_its_own(fi):
    # such a pattern runs over many texts at once: an anchor must see each text's start,
    # and a match that would run from one text into the next must not hide the next one's
    anchored = matcher([{"id": "n", "patterns": [r"^\d+"]}], fi)
    texts = ["ei lukuja", "42 pistettä", "7 ja 8"]
    assert [[(m.start, m.end) for m in ms] for ms in anchored.match_many(texts)] == [[], [(0, 2)], [(0, 1)]]
    greedy = matcher([{"id": "g", "patterns": [r"[^.]+\d"]}], fi)
    texts = ["ab", "c1", "."]
    assert [[(m.start, m.end) for m in ms] for ms in greedy.match_many(texts)] == [[], [(0, 2)], []]


def test_required_literal():
    assert required_literal(r"\bviikko(viesti|raportti)") == "viikko"
    assert required_literal(r"(?i)NPS\b") == "nps"
    assert required_literal(r"a|bc") is None
    assert required_literal(r"x[0-9]+yz") == "yz"


def test_exclusion_removes_the_code_from_the_segment(fi):
    m = matcher([{"id": "v", "keywords": ["viestintä"], "compound": True,
                  "exclude": ["markkinointiviestintä"]},
                 {"id": "h", "keywords": ["hinta"]}], fi)
    texts = ["Markkinointiviestinnästä en tiedä, mutta viestintä toimi ja hinta oli ok.",
             "Viestintä toimi."]
    out = m.match_many(texts)
    assert spans(texts[0], out[0]) == [("h", "hinta", "keyword:hinta")]
    assert out[1] == [Match("v", 0, 9, "keyword:viestintä")]


def test_exclusion_phrase(fi):
    m = matcher([{"id": "t", "keywords": ["tuki"], "exclude": ["tukea saada"]}], fi)
    assert m.match("Tukea saatiin, tuki oli hyvä.") == []
    assert m.match("Tuki oli hyvä.") == [Match("t", 0, 4, "keyword:tuki")]


def test_keyword_matching_is_case_insensitive(fi):
    m = matcher([{"id": "p", "keywords": ["Portaali"]}], fi)
    assert spans("PORTAALISSA", m.match("PORTAALISSA")) == [("p", "PORTAALISSA", "keyword:Portaali")]


def test_english_inflections():
    en = Annotator("en")
    m = matcher([{"id": "u", "keywords": ["update"]}], en, language="en")
    text = "Updates came weekly; they updated us and each update helped."
    assert spans(text, m.match(text)) == [
        ("u", "Updates", "keyword:update"),
        ("u", "updated", "keyword:update"),
        ("u", "update", "keyword:update"),
    ]


def test_english_phrase():
    en = Annotator("en")
    m = matcher([{"id": "k", "phrases": ["keep up to date"]}], en, language="en")
    text = "They kept us up to date? No: they kept up to date themselves."
    assert spans(text, m.match(text)) == [("k", "kept up to date", "phrase:keep up to date")]


def test_match_many_with_stored_annotations_equals_fresh(fi):
    m = matcher([{"id": "v", "keywords": ["viestintä", "päivitys"], "compound": True,
                  "phrases": ["ajan tasalla"], "patterns": ["viikko"]}], fi)
    texts = ["Viestinnässä ongelmia.", "", "Tilannepäivitykset ajan tasalla viikkoraportissa.",
             "Ei mitään."]
    fresh = m.match_many(texts)
    stored = [Annotation.from_bytes(a.to_bytes()) for a in fi.annotate_many(texts)]
    assert m.match_many(texts, stored) == fresh
    assert [len(x) for x in fresh] == [1, 0, 3, 0]


def test_every_match_in_text_order_with_several_codes(fi):
    m = matcher([{"id": "a", "keywords": ["hinta"]}, {"id": "b", "keywords": ["kallis"],
                 "patterns": ["hinta on"]}], fi)
    text = "Hinta on kova ja palvelu kallis."
    assert m.match(text) == [Match("a", 0, 5, "keyword:hinta"),
                             Match("b", 0, 8, "pattern:hinta on"),
                             Match("b", 25, 31, "keyword:kallis")]


def test_mismatched_lengths_rejected(fi):
    m = matcher([{"id": "a", "keywords": ["hinta"]}], fi)
    with pytest.raises(ValueError, match="same length"):
        m.match_many(["a", "b"], [fi.annotate("a")])


def test_substring_baseline():
    cb = codebook_from_dict({"codes": [{"id": "h", "keywords": ["hinta"]},
                                       {"id": "t", "phrases": ["ajan tasalla"]}]})
    assert substring_baseline(cb, "HINTA ja ajan tasalla") == {"h", "t"}
    assert substring_baseline(cb, "hinnat nousi") == set()


def test_codes_of_pattern_rule(fi):
    m = matcher([{"id": "a", "patterns": [r"\bnps\b"], "keywords": ["hinta"]},
                 {"id": "b", "patterns": [r"\bnps\b", "kaatu"]}, {"id": "c", "keywords": ["laatu"]}], fi)
    assert m.codes_of_pattern_rule() == {r"pattern:\bnps\b": ["a", "b"], "pattern:kaatu": ["b"]}
    assert matcher([{"id": "c", "keywords": ["laatu"]}], fi).codes_of_pattern_rule() == {}


def _demo_segment_texts(corpus, folder):
    from qualcode.project import Project

    project = Project.init(folder)
    project.ingest([Path(__file__).resolve().parents[1] / "corpora" / corpus / "transcripts"])
    texts = project.segments()["text"].tolist()
    project.close()
    return texts


@pytest.mark.parametrize("corpus,lang", [("asiakaskokemus", "fi"), ("customer-voice", "en")])
def test_words_found_from_tokens_are_those_found_in_the_texts(corpus, lang, tmp_path):
    # the pattern prefilter's word index made from the tokens finds, for every literal, the
    # same texts as the index made by reading the texts (including words the tokenizer split
    # into touching tokens, "10km" -> "10", "km")
    from qualcode.coding.matcher import _PatternScan
    from qualcode.nlp.packing import PackedAnnotations

    texts = _demo_segment_texts(corpus, tmp_path / "p") + ["Matka oli 10km ja 5kg.", "ΟΔΟΣ ΚΑΛΟΣ", "e-mail; www.x.fi/a_b?q=1 12:30"]
    annotator = Annotator(lang, lemmatizer="simplemma")
    packed = PackedAnnotations.from_annotations(annotator.annotate_many(texts))
    by_tokens, by_texts = _PatternScan(texts, packed), _PatternScan(texts)
    words = {w for t in texts for w in re.findall(r"\w+", t.lower())}
    literals = sorted(words)[::7] + [w[1:4] for w in sorted(words)[::11] if len(w) > 4] + ["0km", "mail", "a_b", "zzzq"]
    assert len(literals) > 200
    for literal in literals:
        assert by_tokens._texts_with_word_literal(literal) == by_texts._texts_with_word_literal(literal), literal
    assert by_tokens._texts_with_word_literal("0km") == {len(texts) - 3}
    # a literal with other characters is looked for through its longest word run: the same
    # texts as a search of every text lowercased
    from qualcode.coding.matcher import RuleMatcher as Matcher

    others = ["e-mail", "www.x.fi/a_b", "12:30", "5kg.", "ja 5", "οδος κ", "zz-top", "?q=", ", ja", "-aloitt"]
    others += [w[:3] + " " + v[:2] for w, v in zip(sorted(words)[::37], sorted(words)[5::37])]
    for literal in others:
        folded = set(Matcher._texts_containing(by_texts._folded(), literal, by_texts.bounds))
        assert by_tokens._texts_with(literal) == folded == by_texts._texts_with(literal), literal
    assert by_tokens._texts_with("e-mail") == {len(texts) - 1}


def test_the_type_table_runs_the_rules_only_where_they_may_hit(fi, monkeypatch):
    # the per-type table looks only at the types a rule may hit; with every type looked at,
    # the same matches come out
    codes = [{"id": "viestinta", "keywords": ["päivitys", "viestintä"], "compound": True, "exclude": ["kiitos"]},
             {"id": "tuki", "keywords": ["tuki", "apu"], "compound": True, "phrases": ["ottaa yhteyttä"]},
             {"id": "hinta", "keywords": ["hinta", "lasku"], "exclude": ["ilmainen lounas"]}]
    texts = ["Tilannepäivityksiä tuli harvoin, asiakastuki vastasi.", "Laskutuksessa virheitä, hinnat nousivat.",
             "Kiitos viestinnästä ja päivityksistä!", "Otimme yhteyttä tukeen; ilmainen lounas.",
             "Ohjelmistopäivitykset ja käyttötukipalvelu", "Apua saatiin, laskut tulivat."]
    fast = matcher(codes, Annotator("fi")).match_many(texts)
    monkeypatch.setattr(RuleMatcher, "_lemma_suffix_candidates", lambda self, lemmas, first, last: set(range(first, last)))
    assert matcher(codes, Annotator("fi")).match_many(texts) == fast
    assert {m.code_id for ms in fast for m in ms} == {"viestinta", "tuki", "hinta"}


def test_patterns_over_joined_candidates_match_as_text_by_text(tmp_path):
    # a boundary-safe pattern runs once over its candidate texts joined by NUL; every match
    # must be the one the text gives on its own, also where a match would run on into the
    # next text (greedy repeats, negated classes, \b at the join), which is searched again alone
    import random

    from qualcode.codebook import compile_pattern, load_codebook
    from qualcode.coding.matcher import _PatternScan, boundary_safe

    root = Path(__file__).resolve().parents[1]
    texts = _demo_segment_texts("asiakaskokemus", tmp_path / "p")
    random.Random(7).shuffle(texts)
    texts = texts[:400] + ["perehdytys oli", "hyvin selkeä, perehdytys", "ohuehko", "kaatui", "jumi jumi",
                           "Tiedotus on toiminut", "ihan hyvin.", "ei", "ollut mitään ongelmia", "x", ""]
    patterns = [p for c in load_codebook(root / "codebooks" / "asiakaskokemus_fi.yaml") for p in c.patterns]
    patterns += [r"(?i)\bjumi\w*\s*", r"(?i)[^.!?]{0,80}ongelm\w*", r"(?i)(kaatu|ohue)\w*[^x]*", r"(?i)hyvin\W*"]
    scan = _PatternScan(texts)
    joined_runs = 0
    for pattern in patterns:
        rx = compile_pattern(pattern)
        candidates = list(range(len(texts)))
        alone = [hit for i in candidates for hit in scan._run_one(rx, i)]
        if boundary_safe(pattern):
            joined_runs += 1
            assert scan._run_joined(rx, candidates) == alone, pattern
    assert joined_runs >= len(patterns) - 2
    # a match across a join ("perehdytys oli" + NUL + "hyvin ...") is no text's own: both
    # texts are searched alone again, and neither matches
    rx = compile_pattern(r"(?i)perehdy\w*[^.!?]{0,60}\b(hyvin|hyvä)")
    pair = [len(texts) - 11, len(texts) - 10]
    assert rx.search("\x00".join(texts[i] for i in pair)) is not None
    assert scan._run_joined(rx, pair) == [] == [hit for i in pair for hit in scan._run_one(rx, i)]
    assert not boundary_safe(r"foo\w*$") and not boundary_safe(r"(?<!a)b") and not boundary_safe(r"\p{L}")


def test_only_the_listed_characters_grow_when_lowercased():
    # the pattern prefilter trusts offsets into lowercased texts unless a text holds one of these
    from qualcode.coding.matcher import _LONGER_LOWERCASE

    assert tuple(chr(i) for i in range(0x110000) if len(chr(i).lower()) != 1) == _LONGER_LOWERCASE


def test_patterns_on_texts_whose_lowercase_is_longer(fi):
    # "İ" lowercases to two characters: the offsets stay those of the text itself
    m = matcher([{"id": "k", "patterns": [r"(?i)\bkick[- ]?off", r"(?i)istanbul\w*"]}], fi)
    text = "İstanbul: kick-off İİ ja kick off."
    assert [(text[x.start:x.end], x.rule) for x in m.match(text)] == [
        ("İstanbul", "pattern:(?i)istanbul\\w*"), ("kick-off", "pattern:(?i)\\bkick[- ]?off"),
        ("kick off", "pattern:(?i)\\bkick[- ]?off")]
