"""Reduction table of content analysis (sisällönanalyysi): original expression →
reduced expression → subcategory → upper category → main category.

The three category columns come from the code hierarchy of each coding:

* a code three or more levels deep: subcategory = the code, upper category = its
  parent, main category = its theme (root); intermediate levels are skipped;
* a code directly under a theme (depth 1): subcategory = upper category = the code,
  main category = the theme;
* a theme coded directly (depth 0) or a code missing from the codebook: the code
  fills all three.

The reduced expression is the researcher's when given (``reductions`` keyed by
``segment_id`` or by ``(segment_id, code_id)``, or a non-empty ``note`` on the coding);
otherwise it is drafted from the content-word lemmas of the original expression, see
:func:`draft_reduction`.  The lemmas come from the ``lemmatize`` function the caller gives
(a project passes its annotator's, which reads the lemmas its store keeps); this module
loads no lemmatiser of its own.

>>> import pandas as pd
>>> from qualcode.model import Code, Codebook
>>> from qualcode.nlp import get_lemmatizer
>>> cb = Codebook(codes=[Code("t", "Viestintä"), Code("a", "Tilannepäivitykset", parent="t")])
>>> c = pd.DataFrame({"segment_id": [1], "code_id": ["a"], "status": "accepted", "speaker": ["H1"],
...                   "quote": ["No tota, tilannepäivitykset puuttuivat projektista."]})
>>> reduction_table(c, cb, lemmatize=get_lemmatizer("simplemma", "fi").lemma).iloc[0, :5].tolist()
['No tota, tilannepäivitykset puuttuivat projektista.', 'tilannepäivitys puuttua projekti', 'Tilannepäivitykset', 'Tilannepäivitykset', 'Viestintä']
"""
from __future__ import annotations

import re
from typing import Callable, Mapping, Optional

import pandas as pd

from ..fileutil import is_missing
from ..labels import TRANSCRIPTION_MARKS, is_filler, label
from ..model import Codebook
from .themes import code_name, natural_key, prepare_codings

REDUCTION_KEYS = ("analysis.reduction.original", "analysis.reduction.reduced",
                  "analysis.reduction.subcategory", "analysis.reduction.upper",
                  "analysis.reduction.main")
EXTRA_COLUMNS = ["segment_id", "code_id", "speaker"]

# Function words and spoken fillers left out of drafted reductions (surface forms and
# lemmas are both checked).
STOPWORDS_FI = frozenset("""
ja tai sekä mutta vaan että kun jos koska vaikka kuin niin myös vielä jo sitten siis
no tota toi tuota niinku niinkun niinkuin öö ää äh hmm mm joo juu jaa ok okei nii niin
eli ikään kuin ihan tosi aika vähän kyllä ei en et emme ette eivät olla on oli ovat olen
olet olemme olette ollut olleet ole minä sinä hän me te he mä sä se ne tämä tuo nämä nuo
mikä kuka joka mitä jotka jota jossa josta johon siitä siinä sitä sen niitä niiden
meidän teidän heidän minun sinun hänen mun sun sen sitä tässä tästä tähän siellä täällä
nyt vain vaan kanssa kautta mukaan ilman yli alla päälle koko kaikki jokin joku mikään
kukaan muu muut toinen sama itse oma kai ehkä varmaan just juuri noin näin niinpä
""".split())
STOPWORDS_EN = frozenset("""
a an the and or but so if then than that this these those there here it its it's is are
was were be been being am do does did have has had having i you he she we they me him
her us them my your his our their what which who whom whose when where why how all any
both each few more most other some such no nor not only own same too very can will just
should now of in on at by for with about against between into through during before
after above below to from up down out off over under again further once um uh er erm
like yeah yes well okay ok oh hmm mm actually basically really kind sort know mean
would could might must shall may also
""".split())

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)
#: A transcriber's mark in brackets, or a bracketed mark word: ``[naurua]``, ``(tauko)``.
_MARKS = re.compile(r"\[[^\]]*\]|\((?:" + "|".join(sorted(TRANSCRIPTION_MARKS)) + r")[^)]*\)", re.IGNORECASE)


def draft_reduction(text: str, language: str = "fi", max_words: int = 6,
                    lemmatize: Optional[Callable[[str], str]] = None) -> str:
    """Draft a reduced expression: the content-word lemmas of ``text`` in order, without
    duplicates, function words, fillers or transcription marks (no, tota, niinku, um, like,
    ``[naurua]``, ``(tauko)``, naurahtaa: :data:`qualcode.labels.FILLERS` and
    :data:`~qualcode.labels.TRANSCRIPTION_MARKS`), at most
    ``max_words``.  ``lemmatize`` gives a word's lemma; without it the words are kept as
    they are (lowercased).

    >>> from qualcode.nlp import get_lemmatizer
    >>> fi, en = get_lemmatizer("simplemma", "fi").lemma, get_lemmatizer("simplemma", "en").lemma
    >>> draft_reduction("No tota, tilannepäivitykset puuttuivat projektista kokonaan.", lemmatize=fi)
    'tilannepäivitys puuttua projekti kokonaan'
    >>> draft_reduction("Well, um, the status updates were missing", language="en", lemmatize=en)
    'status update miss'
    >>> draft_reduction("No tota, tilannepäivitykset puuttuivat")
    'tilannepäivitykset puuttuivat'
    >>> draft_reduction("[naurua] Niinku tota, (tauko) portaali on hankala naurahtaa", lemmatize=fi)
    'portaali hankala'
    """
    if not isinstance(text, str) or not text.strip():
        return ""
    stop = STOPWORDS_EN if language == "en" else STOPWORDS_FI
    out: list[str] = []
    for match in _WORD.finditer(_MARKS.sub(" ", text)):      # [naurua], (tauko): not speech
        word = match.group(0).lower()
        if word in stop or len(word) < 2 or is_filler(word, language):
            continue
        lemma = lemmatize(word).lower() if lemmatize is not None else word
        if lemma in stop or lemma in out or is_filler(lemma, language):
            continue
        out.append(lemma)
        if len(out) >= max_words:
            break
    return " ".join(out)


def _categories(codebook: Optional[Codebook], code_id: str) -> tuple[str, str, str]:
    if codebook is None or code_id not in codebook:
        name = code_name(codebook, code_id)
        return name, name, name
    anc = codebook.ancestors(code_id)
    sub = code_name(codebook, code_id)
    if not anc:
        return sub, sub, sub
    main = code_name(codebook, anc[-1])
    upper = sub if len(anc) == 1 else code_name(codebook, anc[0])
    return sub, upper, main


def reduction_table(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                    reductions: Optional[Mapping] = None, segments: Optional[pd.DataFrame] = None,
                    lang: str = "fi", language: Optional[str] = None,
                    include_suggested: bool = False, max_words: int = 6,
                    lemmatize: Optional[Callable[[str], str]] = None) -> pd.DataFrame:
    """The reduction table: one row per (segment, code) of the effective codings.

    Columns (labels in ``lang``): original expression, reduced expression, subcategory,
    upper category, main category; then ``segment_id``, ``code_id``, ``speaker`` for
    tracing.  Rows are ordered by main category, upper category and subcategory in
    codebook order, then by segment.  ``language`` (default: the codebook's) selects
    the stopwords and ``lemmatize`` the lemmas of drafted reductions (see
    :func:`draft_reduction`).

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [7], "code_id": ["x"], "status": "manual",
    ...                   "quote": ["Portaali oli hankala."], "speaker": ["H2"]})
    >>> reduction_table(c, reductions={7: "portaali vaikea"}, lang="en").to_dict("records")[0]
    {'Original expression': 'Portaali oli hankala.', 'Reduced expression': 'portaali vaikea', 'Subcategory': 'x', 'Upper category': 'x', 'Main category': 'x', 'segment_id': 7, 'code_id': 'x', 'speaker': 'H2'}
    """
    headers = [label(k, lang) for k in REDUCTION_KEYS]
    columns = headers + EXTRA_COLUMNS
    cods = prepare_codings(codings, segments, include_suggested)
    if not len(cods):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    language = language or (codebook.language if codebook is not None else "fi")
    reductions = dict(reductions or {})
    has_note = "note" in cods.columns
    pos = {c.id: i for i, c in enumerate(codebook.codes)} if codebook is not None else {}
    rows = []
    seen = set()
    for rec in cods.sort_values(["segment_id"], kind="mergesort").to_dict("records"):
        key = (rec["segment_id"], rec["code_id"])
        original = rec["quote"]
        if key in seen:
            continue
        seen.add(key)
        reduced = reductions.get(key, reductions.get(rec["segment_id"]))
        if (reduced is None or not str(reduced).strip()) and has_note:
            note = rec.get("note")
            reduced = None if is_missing(note) or not str(note).strip() else str(note).strip()
        if reduced is None or not str(reduced).strip():
            reduced = draft_reduction(original, language, max_words, lemmatize)
        sub, upper, main = _categories(codebook, rec["code_id"])
        cid = rec["code_id"]
        anc = codebook.ancestors(cid) if codebook is not None and cid in codebook else []
        big = 10 ** 9
        sort = (pos.get(anc[-1], big) if anc else pos.get(cid, big),
                pos.get(anc[0], big) if len(anc) >= 2 else pos.get(cid, big),
                pos.get(cid, big), natural_key(cid), rec["segment_id"])
        rows.append(([original, str(reduced), sub, upper, main, rec["segment_id"], cid,
                      rec["speaker"]], sort))
    rows.sort(key=lambda r: r[1])
    return pd.DataFrame([r[0] for r in rows], columns=columns)
