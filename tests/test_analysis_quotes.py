import os
import sys

import pandas as pd
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import near_duplicate_quotes, normalise_quote, unattributed_quotes  # noqa: E402
from qualcode.errors import QualcodeError  # noqa: E402


def test_near_duplicates_across_informants_by_hand():
    d = near_duplicate_quotes(st.codings())
    # segment 1 (H1) "tilannepäivitykset puuttuivat projektista" (41 chars normalised) and
    # segment 8 (no speaker) adds " kokonaan" (50 chars): ratio = 2 * 41 / 91
    assert d[["segment_id_a", "speaker_a", "segment_id_b"]].values.tolist() == [[1, "H1", 8]]
    assert pd.isna(d.loc[0, "speaker_b"])
    assert d.loc[0, "similarity"] == round(82 / 91, 4)
    assert near_duplicate_quotes(st.codings(), threshold=0.95).empty


def test_ngram_method_and_same_informant_skipped():
    c = pd.DataFrame({"segment_id": [1, 2, 3], "code_id": "a", "status": "accepted",
                      "speaker": ["T1", "I1", "T1"],
                      "quote": ["asiantuntemusta pitäisi jakaa asiakkaalle oma-aloitteisesti ja usein",
                                "asiantuntemusta pitäisi jakaa asiakkaalle oma-aloitteisesti ja usein. I1",
                                "asiantuntemusta pitäisi jakaa asiakkaalle oma-aloitteisesti ja usein"]})
    # 1 and 3 are the same informant -> not reported; the trailing code "I1" is ignored
    d = near_duplicate_quotes(c, method="ngram", threshold=0.9)
    assert d[["segment_id_a", "segment_id_b", "similarity"]].values.tolist() == [[1, 2, 1.0], [2, 3, 1.0]]
    # word 3-grams: 8 words -> 6 grams; dropping the last word leaves 5 shared of 6 -> 5/6
    c2 = c.iloc[:2].copy()
    c2.loc[1, "quote"] = "asiantuntemusta pitäisi jakaa asiakkaalle oma-aloitteisesti ja"
    d2 = near_duplicate_quotes(c2, method="ngram", threshold=0.5)
    assert d2.loc[0, "similarity"] == round(5 / 6, 4)
    with pytest.raises(QualcodeError):
        near_duplicate_quotes(c, method="cosine")


def test_normalise_quote():
    assert normalise_quote("Piti odottaa. H1") == "piti odottaa"
    assert normalise_quote("Soitin H1 ja H2") == "soitin h1 ja h2"      # not after final punctuation


def test_unattributed_quotes():
    u = unattributed_quotes(st.codings(), st.informants())
    assert u[["coding_id", "segment_id", "code_id", "reason"]].values.tolist() == [[10, 8, "paivitykset", "no_speaker"]]
    c = pd.concat([st.codings(), pd.DataFrame([{"coding_id": 30, "segment_id": 9, "code_id": "viestinta",
                                                "status": "manual", "speaker": "Haastattelija",
                                                "quote": "Miten viestintä toimi?"}])], ignore_index=True)
    u2 = unattributed_quotes(c, st.informants())
    assert u2[["coding_id", "reason"]].values.tolist() == [[10, "no_speaker"], [30, "unknown_informant"]]
    assert unattributed_quotes(c)["coding_id"].tolist() == [10]          # no informant list: only no speaker


def test_empty_inputs():
    assert near_duplicate_quotes(st.empty_codings()).empty
    assert list(near_duplicate_quotes(None).columns)[-1] == "similarity"
    u = unattributed_quotes(st.empty_codings(), pd.DataFrame())
    assert u.empty and list(u.columns)[-1] == "reason"


# --------------------------------------------------------------------------- closest to the code's centre
def test_the_quote_closest_to_the_codes_centre_is_chosen_and_not_repeated():
    import pandas as pd

    from qualcode.analysis import swot
    from qualcode.analysis.quotes import centre_scores
    from qualcode.model import Code, Codebook
    from qualcode.nlp import get_lemmatizer

    lemma = get_lemmatizer("simplemma", "fi").lemma
    texts = ["Kesällä oli lomia, ja kahvikin loppui.",               # H1: coded, but off the topic
             "Tuki vastasi nopeasti ja ongelma ratkesi.",          # H1: typical of the code
             "Tukeen sai yhteyden nopeasti, ongelmat ratkesivat.",  # H2
             "Nopea tuki ratkaisi ongelman samana päivänä."]        # H3
    scores = centre_scores({"tuki": texts}, lemma)["tuki"]
    assert sorted(range(4), key=lambda i: -scores[i]) == [1, 2, 3, 0]
    cb = Codebook(codes=[Code("tuki", "Nopea tuki", swot="S"), Code("arvo", "Arvo", swot="S")])
    c = pd.DataFrame({"segment_id": [1, 2, 3, 4, 2, 4], "code_id": ["tuki"] * 4 + ["arvo"] * 2,
                      "status": "accepted", "speaker": ["H1", "H1", "H2", "H3", "H1", "H3"],
                      "quote": texts + [texts[1], texts[3]]})
    quotes = dict(zip(*swot(c, cb, max_quotes=1, lemmatize=lemma).items[["code_id", "quote_list"]].T.values))
    # H1's first coded paragraph is off the topic: the central one is quoted instead; 'arvo'
    # does not repeat the paragraph already quoted for 'tuki'
    assert quotes == {"tuki": ["\u201dTuki vastasi nopeasti ja ongelma ratkesi.\u201d (H1)"],
                      "arvo": ["\u201dNopea tuki ratkaisi ongelman samana päivänä.\u201d (H3)"]}


def test_the_reduction_draft_drops_fillers_and_transcription_marks():
    from qualcode.analysis import draft_reduction
    from qualcode.nlp import get_lemmatizer

    lemma = get_lemmatizer("simplemma", "fi").lemma
    text = "[naurua] No niinku tota, (tauko) laskut tuli aina myöhässä naurahtaa. [tauko]"
    assert draft_reduction(text, lemmatize=lemma) == "lasku tulla aina myöhässä"
