"""Inflected forms of Finnish proper names, for finding names from the key in running text.

The generator is deliberately generous: it over-generates a few forms that do not exist
(harmless: nobody writes them) rather than miss a real one.  Names it cannot inflect are
still caught by the lemma fallback in :mod:`qualcode.pseudonym.replace`.

Every form carries a case tag; :data:`ENDINGS` turns the tag into the ending written after
the pseudonym and a colon (``Virtasen`` → ``H1:n``).

>>> forms = inflected_forms("Virtanen")
>>> [f for f in ("Virtasen", "Virtaselle", "Virtasta", "Virtaseen", "Virtaset") if f in forms]
['Virtasen', 'Virtaselle', 'Virtasta', 'Virtaseen', 'Virtaset']
>>> forms["Virtaselle"], case_ending("Virtaselle", forms["Virtaselle"])
('allat', 'lle')
>>> sorted(f for f in inflected_forms("Datasilta") if f.startswith("Datasill"))[:3]
['Datasillaksi', 'Datasillalla', 'Datasillalle']
"""
from __future__ import annotations

import re

BACK = set("aouAOU")
FRONT = set("äöyÄÖY")
VOWELS = set("aeiouyäöAEIOUYÄÖ")

#: Case tag → (ending for back-vowel words, ending for front-vowel words) written after the
#: pseudonym and a colon.  Nominative has no ending.
ENDINGS: dict[str, tuple[str, str]] = {
    "nom": ("", ""),
    "gen": ("n", "n"),
    "part": ("ta", "tä"),
    "ess": ("na", "nä"),
    "transl": ("ksi", "ksi"),
    "iness": ("ssa", "ssä"),
    "elat": ("sta", "stä"),
    "ill": ("een", "een"),
    "adess": ("lla", "llä"),
    "ablat": ("lta", "ltä"),
    "allat": ("lle", "lle"),
    "abess": ("tta", "ttä"),
    "comit": ("ineen", "ineen"),
    "pl_nom": ("t", "t"),
    "pl_gen": ("ien", "ien"),
    "pl_part": ("ia", "iä"),
    "pl_ess": ("ina", "inä"),
    "pl_transl": ("iksi", "iksi"),
    "pl_iness": ("issa", "issä"),
    "pl_elat": ("ista", "istä"),
    "pl_ill": ("iin", "iin"),
    "pl_adess": ("illa", "illä"),
    "pl_ablat": ("ilta", "iltä"),
    "pl_allat": ("ille", "ille"),
}

#: Case endings as they appear at the end of an inflected word, longest first, for guessing
#: the case of a word the lemmatiser (not the generator) recognised.
_SURFACE = [
    ("ineen", "comit"), ("lle", "allat"), ("lla", "adess"), ("llä", "adess"), ("lta", "ablat"),
    ("ltä", "ablat"), ("ssa", "iness"), ("ssä", "iness"), ("sta", "elat"), ("stä", "elat"),
    ("tta", "abess"), ("ttä", "abess"), ("ksi", "transl"), ("seen", "ill"), ("na", "ess"),
    ("nä", "ess"), ("ta", "part"), ("tä", "part"), ("n", "gen"), ("t", "pl_nom"),
    ("a", "part"), ("ä", "part"),
]

#: Strong → weak consonant gradation of the consonants before the final vowel (for the
#: genitive stem: Datasilta → Datasillan, Aalto → Aallon, Heikki → Heikin, Lampi → Lammen).
_GRADATION_CLUSTERS = [
    ("kk", "k"), ("pp", "p"), ("tt", "t"), ("lt", "ll"), ("nt", "nn"), ("rt", "rr"),
    ("mp", "mm"), ("nk", "ng"), ("ht", "hd"), ("lk", "lj"), ("rk", "rj"), ("lp", "lv"),
    ("rp", "rv"),
]
_SINGLE = [("k", ""), ("p", "v"), ("t", "d")]

#: Legal-form words of organisations; a key entry ``Datasilta Oy`` is also found as
#: ``Datasilta``, ``Datasillan`` … without them.
LEGAL_FORMS = {"oy", "oyj", "ab", "ky", "ry", "tmi", "ltd", "inc", "gmbh", "as", "osk", "kommandiittiyhtiö",
               "avoin yhtiö", "llc", "plc", "corp", "co"}
PARTICLES = {"von", "van", "de", "der", "af", "la", "le", "di", "da", "du"}


def is_front(word: str) -> bool:
    """Vowel harmony: True when the word takes front endings (ä, ö, y)."""
    last = re.split(r"[-\s]", word.strip())[-1] or word
    if any(ch in BACK for ch in last):
        return False
    return True


def case_ending(word: str, tag: str) -> str:
    """The ending written after the pseudonym for a form of ``word`` with case ``tag``."""
    back, front = ENDINGS.get(tag, ("", ""))
    return front if is_front(word) else back


def guess_case(word: str, lemma: str) -> str:
    """The case tag of ``word`` whose lemma is ``lemma`` (for words the lemmatiser found)."""
    if word == lemma:
        return "nom"
    low = word.lower()
    for surface, tag in _SURFACE:
        if low.endswith(surface) and len(low) - len(surface) >= 2:
            return tag
    return "nom"


def _syllables(word: str) -> int:
    return len(re.findall(r"[aeiouyäöAEIOUYÄÖ]+", word))


def weak_stems(word: str) -> list[str]:
    """Weak-grade variants of a stem ending in one vowel (``Datasilta`` → ``['Datasilla']``).

    Clusters and double consonants always weaken; a single k/p/t weakens only in a word of
    two syllables, and then both the weak and the unchanged stem are returned (``Mäki`` →
    ``Mäi`` and ``Mäki``) because names differ.
    """
    m = re.search(r"([^aeiouyäöAEIOUYÄÖ\W\d]+)([aeiouyäöAEIOUYÄÖ])$", word)
    if not m or len(word) < 3 or word[-2] in VOWELS:
        return [word]
    cons, vowel = m.group(1), m.group(2)
    head = word[:m.start(1)]
    for strong, weak in _GRADATION_CLUSTERS:
        if cons.endswith(strong) and (len(cons) == len(strong) or cons[-len(strong) - 1] not in "s"):
            return [head + cons[: -len(strong)] + weak + vowel]
    if _syllables(word) == 2 and len(cons) <= 2:
        for strong, weak in _SINGLE:
            if cons.endswith(strong) and not cons.endswith("s" + strong):
                return [head + cons[:-1] + weak + vowel, word]
    return [word]


def _add(out: dict, form: str, tag: str) -> None:
    if form and form not in out:
        out[form] = tag


def _vowel_stem_forms(out: dict, strong: str, weak: list[str], a: str) -> None:
    """Forms of a word whose nominative ends in one vowel (Mäkelä, Koivisto, Datasilta)."""
    last = strong[-1]
    long_end = len(strong) >= 2 and strong[-1] == strong[-2] and strong[-1] in VOWELS
    _add(out, strong, "nom")
    for w in weak:
        _add(out, w + "n", "gen")
        _add(out, w + "ksi", "transl")
        _add(out, w + "ss" + a, "iness")
        _add(out, w + "st" + a, "elat")
        _add(out, w + "ll" + a, "adess")
        _add(out, w + "lt" + a, "ablat")
        _add(out, w + "lle", "allat")
        _add(out, w + "tt" + a, "abess")
        _add(out, w + "t", "pl_nom")
    if long_end:
        _add(out, strong + "t" + a, "part")
        _add(out, strong + "seen", "ill")
    else:
        _add(out, strong + a, "part")
        _add(out, strong + last + "n", "ill")
    _add(out, strong + "n" + a, "ess")


def _foreign_i_stem(out: dict, word: str, a: str) -> None:
    """Names ending in a consonant (Rajobit, Microsoft): an -i- is added (Rajobitin)."""
    _add(out, word, "nom")
    stem = word + "i"
    _add(out, stem + "n", "gen")
    _add(out, stem + a, "part")
    _add(out, stem + "in", "ill")
    for suffix, tag in (("n" + a, "ess"), ("ksi", "transl"), ("ss" + a, "iness"), ("st" + a, "elat"),
                        ("ll" + a, "adess"), ("lt" + a, "ablat"), ("lle", "allat"), ("tt" + a, "abess")):
        _add(out, stem + suffix, tag)
    _add(out, word + "it", "pl_nom")


def _inflect_word(word: str) -> dict[str, str]:
    """All generated forms of one capitalised word → case tag."""
    out: dict[str, str] = {}
    if not word or not word[0].isalpha():
        return {word: "nom"} if word else out
    a = "ä" if is_front(word) else "a"
    low = word.lower()
    if low.endswith("nen") and len(word) > 4:
        base = word[:-3]
        v = base + "se"
        pl = base + "si"
        _add(out, word, "nom")
        _add(out, v + "n", "gen")
        _add(out, base + "st" + a, "part")
        for suffix, tag in (("n" + a, "ess"), ("ksi", "transl"), ("ss" + a, "iness"), ("st" + a, "elat"),
                            ("en", "ill"), ("ll" + a, "adess"), ("lt" + a, "ablat"), ("lle", "allat"),
                            ("tt" + a, "abess"), ("t", "pl_nom")):
            _add(out, v + suffix, tag)
        _add(out, base + "sine", "comit")
        _add(out, base + "sten", "pl_gen")
        _add(out, pl + "en", "pl_gen")
        for suffix, tag in ((a, "pl_part"), ("n" + a, "pl_ess"), ("ksi", "pl_transl"), ("ss" + a, "pl_iness"),
                            ("st" + a, "pl_elat"), ("in", "pl_ill"), ("ll" + a, "pl_adess"),
                            ("lt" + a, "pl_ablat"), ("lle", "pl_allat")):
            _add(out, pl + suffix, tag)
        return out
    if low.endswith("e") and len(word) > 2 and word[-2] not in VOWELS:
        # hame-type (Laine → Laineen, Lainetta, Laineeseen) and vowel-stem first names
        # (Kalle → Kallen, Kallea); both are generated.
        v = word + "e"
        _add(out, word, "nom")
        _add(out, v + "n", "gen")
        _add(out, word + "tt" + a, "part")
        _add(out, v + "seen", "ill")
        for suffix, tag in (("n" + a, "ess"), ("ksi", "transl"), ("ss" + a, "iness"), ("st" + a, "elat"),
                            ("ll" + a, "adess"), ("lt" + a, "ablat"), ("lle", "allat"), ("tt" + a, "abess"),
                            ("t", "pl_nom")):
            _add(out, v + suffix, tag)
        _vowel_stem_forms(out, word, weak_stems(word), a)
        return out
    if low[-1] in "aeiouyäö":
        _vowel_stem_forms(out, word, weak_stems(word), a)
        if low.endswith("i") and len(word) > 2 and word[-2] not in VOWELS:
            # old e-stem names: Niemi → Niemen, Mäki → Mäen, Lahti → Lahden, Lampi → Lammen
            strong_e = word[:-1] + "e"
            weak_e = [w[:-1] + "e" for w in weak_stems(word)]
            for w in weak_e:
                for suffix, tag in (("n", "gen"), ("ksi", "transl"), ("ss" + a, "iness"), ("st" + a, "elat"),
                                    ("ll" + a, "adess"), ("lt" + a, "ablat"), ("lle", "allat"),
                                    ("tt" + a, "abess"), ("t", "pl_nom")):
                    _add(out, w + suffix, tag)
            _add(out, strong_e + a, "part")
            _add(out, strong_e + "en", "ill")
            _add(out, strong_e + "n" + a, "ess")
        return out
    if re.search(r"[aeiouyäö]s$", low) and len(word) > 3:
        # Yritys → Yrityksen, Yritystä, Yritykseen; Kallas → also Kallaan, Kallaaseen
        stem = word[:-1] + "kse"
        _add(out, word, "nom")
        _add(out, word + "t" + a, "part")
        _add(out, stem + "en", "ill")
        for suffix, tag in (("n", "gen"), ("n" + a, "ess"), ("ksi", "transl"), ("ss" + a, "iness"),
                            ("st" + a, "elat"), ("ll" + a, "adess"), ("lt" + a, "ablat"), ("lle", "allat"),
                            ("tt" + a, "abess"), ("t", "pl_nom")):
            _add(out, stem + suffix, tag)
        if low[-2] in "aä":
            long = word[:-1] + word[-2]
            _add(out, long + "n", "gen")
            _add(out, long + "seen", "ill")
            for suffix, tag in (("n" + a, "ess"), ("ksi", "transl"), ("ss" + a, "iness"), ("st" + a, "elat"),
                                ("ll" + a, "adess"), ("lt" + a, "ablat"), ("lle", "allat")):
                _add(out, long + suffix, tag)
        _foreign_i_stem(out, word, a)
        return out
    _foreign_i_stem(out, word, a)
    return out


def name_parts(name: str, kind: str = "person") -> list[str]:
    """The parts of a multi-word name that are also searched alone: a person's first and last
    names, an organisation's name without its legal form (``Datasilta Oy`` → ``Datasilta``)."""
    words = name.split()
    if len(words) < 2:
        return []
    core = [w for w in words if w.lower().strip(".,") not in LEGAL_FORMS]
    parts: list[str] = []
    if len(core) < len(words) and core:
        parts.append(" ".join(core))
    if kind in ("person", "other") or len(core) == 1:
        parts += [w for w in core if len(w) >= 3 and w.lower() not in PARTICLES and w[0].isupper()]
    out: list[str] = []
    for p in parts:
        if p not in out and p != name:
            out.append(p)
    return out


def inflected_forms(name: str, kind: str = "person", *, with_parts: bool = True) -> dict[str, str]:
    """Every generated surface form of ``name`` → case tag.

    A one-word name is inflected as a whole (``Virtanen`` → ``Virtasen`` …).  In a name of
    several words only the last word is inflected (``Matti Virtanen`` → ``Matti Virtasen``);
    the parts from :func:`name_parts` are added with their own forms.  A legal form at the end
    takes its ending after a colon (``Datasilta Oy:n``), which the matcher handles for every
    form.
    """
    name = " ".join(name.split())
    out: dict[str, str] = {}
    if not name:
        return out
    words = name.split(" ")
    if len(words) == 1:
        out.update(_inflect_word(name))
    else:
        head = " ".join(words[:-1])
        if words[-1].lower().strip(".,") in LEGAL_FORMS:
            _add(out, name, "nom")
        else:
            for form, tag in _inflect_word(words[-1]).items():
                _add(out, head + " " + form, tag)
    for part in (name_parts(name, kind) if with_parts else []):
        for form, tag in inflected_forms(part, kind="other").items():
            _add(out, form, tag)
    return out


def compound_tags() -> set[str]:
    """Case tags whose forms may start a compound word (``Datasiltatiimi``, ``Virtasenpoika``)."""
    return {"nom", "gen"}
