"""Finnish inflection of proper names, for finding every form of a name from the key.

The generator is deliberately generous: it produces the regular singular and plural case
forms of a name (with vowel harmony and consonant gradation) and, where a name could follow
more than one pattern (``Kivi`` → ``Kiven`` or ``Kivin``), the forms of every pattern.
Producing a form that Finnish does not use costs nothing — it is only ever compared with
words of the text — while missing a real form would leave a name in a pseudonymised text.

>>> forms = inflected_forms("Virtanen")
>>> [f for f in ("Virtasen", "Virtaselle", "Virtasta", "Virtasella") if f in forms]
['Virtasen', 'Virtaselle', 'Virtasta', 'Virtasella']
>>> forms["Virtaselle"], case_ending(forms["Virtaselle"], "Virtanen")
('all', 'lle')
>>> "Datasillan" in inflected_forms("Datasilta"), "Datasiltaan" in inflected_forms("Datasilta")
(True, True)
>>> sorted(f for f in inflected_forms("Laine") if f in ("Laineen", "Lainetta", "Laineelle"))
['Laineelle', 'Laineen', 'Lainetta']
"""
from __future__ import annotations

from functools import lru_cache

VOWELS = set("aeiouyäöåAEIOUYÄÖÅ")
_BACK = set("aouAOU")
_FRONT = set("äöyÄÖY")

#: Case → the ending written after the pseudonym (``H1:n``); ``A``/``O``/``U`` follow the
#: vowel harmony of the original name.
CASE_ENDINGS: dict[str, str] = {
    "nom": "", "gen": "n", "par": "tA", "ill": "een", "ine": "ssA", "ela": "stA",
    "ade": "llA", "abl": "ltA", "all": "lle", "ess": "nA", "tra": "ksi", "abe": "ttA",
    "pl.nom": "t", "pl.gen": "ien", "pl.par": "iA", "pl.ill": "ihin", "pl.ine": "issA",
    "pl.ela": "istA", "pl.ade": "illA", "pl.abl": "iltA", "pl.all": "ille", "pl.ess": "inA",
    "pl.tra": "iksi", "pl.com": "ineen",
}

# Endings attached to a stem that is already in its right grade (A = a/ä).
_CLOSED = {"ine": "ssA", "ela": "stA", "ade": "llA", "abl": "ltA", "all": "lle", "tra": "ksi",
           "abe": "ttA"}
_PL_CLOSED = {"pl.ine": "ssA", "pl.ela": "stA", "pl.ade": "llA", "pl.abl": "ltA",
              "pl.all": "lle", "pl.tra": "ksi", "pl.ess": "nA", "pl.com": "neen"}

# Consonant gradation, strong → weak, of the consonants just before a final vowel.
_WEAKEN = [("kk", "k"), ("pp", "p"), ("tt", "t"), ("nk", "ng"), ("mp", "mm"), ("lt", "ll"),
           ("nt", "nn"), ("rt", "rr"), ("ht", "hd"), ("lk", "l"), ("rk", "r"), ("hk", "h"),
           ("lp", "lv"), ("rp", "rv")]
_WEAKEN_SINGLE = {"t": "d", "p": "v", "k": ""}
# Weak → strong, for stems that are weak in the nominative (Rinne → Rinteen, Ahokas → Ahokkaan).
_STRENGTHEN = [("ng", "nk"), ("mm", "mp"), ("ll", "lt"), ("nn", "nt"), ("rr", "rt"), ("hd", "ht")]
_STRENGTHEN_SINGLE = {"k": "kk", "p": "pp", "t": "tt", "d": "t", "v": "p"}


def is_back(word: str) -> bool:
    """True when ``word`` takes back-vowel endings (``-ssa``), by its last a/o/u or ä/ö/y.

    >>> is_back("Virtanen"), is_back("Mäkelä"), is_back("Kivimäki"), is_back("Niemi")
    (True, False, False, False)
    """
    for ch in reversed(word):
        if ch in _BACK:
            return True
        if ch in _FRONT:
            return False
    return False


def harmonise(ending: str, back: bool) -> str:
    """Fill the harmony placeholders ``A``, ``O``, ``U`` of an ending."""
    table = {"A": "a", "O": "o", "U": "u"} if back else {"A": "ä", "O": "ö", "U": "y"}
    return "".join(table.get(ch, ch) for ch in ending)


def case_ending(case: str, name: str) -> str:
    """The ending written after a pseudonym for ``case`` (harmony of the original ``name``).

    >>> case_ending("ade", "Virtanen"), case_ending("ade", "Mäkelä"), case_ending("nom", "Laine")
    ('lla', 'llä', '')
    """
    return harmonise(CASE_ENDINGS.get(case, ""), is_back(name))


def _match_case(template: str, piece: str) -> str:
    return piece.upper() if template.isupper() and len(template) > 1 else piece


def _cluster(stem: str) -> tuple[int, str]:
    """Start index and text of the consonant run before the final vowel of ``stem``."""
    i = len(stem) - 1
    j = i
    while j > 0 and stem[j - 1] not in VOWELS:
        j -= 1
    return j, stem[j:i]


def weaken(stem: str) -> str:
    """Weak grade of a vowel-final stem (``Datasilta`` → ``Datasilla``, ``Mikko`` → ``Miko``).

    >>> weaken("Datasilta"), weaken("Aalto"), weaken("Satu"), weaken("Koivisto"), weaken("Lahte")
    ('Datasilla', 'Aallo', 'Sadu', 'Koivisto', 'Lahde')
    """
    if len(stem) < 3 or stem[-1] not in VOWELS or stem[-2] in VOWELS:
        return stem
    j, cl = _cluster(stem)
    if j == 0:
        return stem
    low = cl.lower()
    for strong, weak in _WEAKEN:
        if low == strong:
            return stem[:j] + _match_case(cl, weak) + stem[-1]
    if low in _WEAKEN_SINGLE and stem[j - 1] in VOWELS:
        return stem[:j] + _match_case(cl, _WEAKEN_SINGLE[low]) + stem[-1]
    return stem


def strengthen(stem: str) -> str:
    """Strong grade of a stem that is weak in the nominative (``Rinne`` → ``Rinte``).

    >>> strengthen("Rinne"), strengthen("Ahoka"), strengthen("Laine")
    ('Rinte', 'Ahokka', 'Laine')
    """
    if len(stem) < 3 or stem[-1] not in VOWELS or stem[-2] in VOWELS:
        return stem
    j, cl = _cluster(stem)
    if j == 0:
        return stem
    low = cl.lower()
    for weak, strong in _STRENGTHEN:
        if low == weak:
            return stem[:j] + _match_case(cl, strong) + stem[-1]
    if low in _STRENGTHEN_SINGLE and stem[j - 1] in VOWELS:
        return stem[:j] + _match_case(cl, _STRENGTHEN_SINGLE[low]) + stem[-1]
    return stem


class _Forms:
    def __init__(self, name: str):
        self.name = name
        self.back = is_back(name)
        self.upper = name.isupper() and len(name) > 1
        self.out: dict[str, str] = {name: "nom"}

    def add(self, stem: str, ending: str, case: str) -> None:
        """Add ``stem`` + ``ending``; only the ending carries harmony placeholders."""
        ending = harmonise(ending, self.back)
        form = (stem + ending).upper() if self.upper else stem + ending
        self.out.setdefault(form, case)

    def singular(self, weak: str, strong: str, par: list[tuple[str, str]],
                 ill: list[tuple[str, str]]) -> None:
        """``par``/``ill``: (stem, ending) pairs."""
        self.add(weak, "n", "gen")
        for stem, end in par:
            self.add(stem, end, "par")
        for stem, end in ill:
            self.add(stem, end, "ill")
        for case, end in _CLOSED.items():
            self.add(weak, end, case)
        self.add(strong, "nA", "ess")

    def plural(self, weak_i: str, strong: list[tuple[str, str, str]]) -> None:
        """``weak_i``: the weak plural stem ending in -i; ``strong``: (stem, ending, case)."""
        for case, end in _PL_CLOSED.items():
            self.add(weak_i, end, case)
        for stem, end, case in strong:
            self.add(stem, end, case)


def _nen(f: _Forms, w: str) -> None:
    base = w[:-3]
    se, s = base + "se", base + "s"
    f.singular(se, se, [(s, "tA")], [(se, "en")])
    f.add(se, "t", "pl.nom")
    f.plural(base + "si", [(s, "ten", "pl.gen"), (base + "si", "en", "pl.gen"),
                           (base + "si", "A", "pl.par"), (base + "si", "in", "pl.ill")])


def _vowel_final(f: _Forms, w: str) -> None:
    last = w[-1]
    two = len(w) >= 2 and w[-2] in VOWELS               # Myllymaa, Tapio, Maria
    long_end = two and w[-2].lower() == last.lower()
    weak = weaken(w)
    par: list[tuple[str, str]] = []
    ill: list[tuple[str, str]] = []
    if not long_end:
        par.append((w, last if last.lower() in "aä" else "A"))
        ill.append((w, last + "n"))
    if two:
        par.append((w, "tA"))
        ill.append((w, "h" + last + "n"))
    for stem in {weak, w}:
        f.singular(stem, w, par, ill)
        f.add(stem, "t", "pl.nom")
    low = last.lower()
    if two:
        f.plural(w + "i", [(w, "iden", "pl.gen"), (w, "itA", "pl.par"), (w, "ihin", "pl.ill")])
    elif low in "aä":
        sw = w[:-1]
        oi = "oi" if f.back else "öi"
        for head in {weak[:-1], sw}:
            f.plural(head + "i", [])
            f.plural(head + oi, [])
        f.plural(weak[:-1] + "i", [(sw + oi, "den", "pl.gen"), (sw + oi, "tten", "pl.gen"),
                                   (sw, "ojen" if f.back else "öjen", "pl.gen"),
                                   (sw, "ien", "pl.gen"), (sw + oi, "tA", "pl.par"),
                                   (sw, "ojA" if f.back else "öjä", "pl.par"),
                                   (sw, "iA", "pl.par"), (sw + oi, "hin", "pl.ill"),
                                   (sw, "ihin", "pl.ill")])
    elif low == "i":
        f.plural(weak, [(w, "en", "pl.gen"), (w, "A", "pl.par"), (w, "in", "pl.ill")])
    else:
        f.plural(weak + "i", [(w, "jen", "pl.gen"), (w, "jA", "pl.par"), (w, "ihin", "pl.ill")])


def _e_stem(f: _Forms, nom_stem: str) -> None:
    """An e-stem noun: ``Laine`` → ``Lainee-``, ``Rinne`` → ``Rintee-`` (and partitive ``Lainetta``)."""
    strong = strengthen(nom_stem)
    ee = strong + strong[-1]
    f.singular(ee, ee, [(nom_stem, "ttA")], [(ee, "seen")])
    f.add(ee, "t", "pl.nom")
    ei = strong + "i"
    f.plural(ei, [(ei, "den", "pl.gen"), (ei, "tten", "pl.gen"), (ei, "tA", "pl.par"),
                  (ei, "siin", "pl.ill"), (ei, "hin", "pl.ill")])


def _i_to_e(f: _Forms, w: str) -> None:
    """Old i-final words with an e-stem: ``Lahti`` → ``Lahden``, ``Mäki`` → ``Mäen``."""
    strong = w[:-1] + "e"
    weak = weaken(strong)
    f.singular(weak, strong, [(strong, "A")], [(strong, "en")])
    f.add(weak, "t", "pl.nom")


def _consonant_final(f: _Forms, w: str) -> None:
    low = w.lower()
    # foreign names: Smith → Smithin, Smithiä, Smithille
    f.singular(w + "i", w + "i", [(w, "iA")], [(w, "iin")])
    f.plural(w + "ei", [(w, "ejA", "pl.par"), (w, "ien", "pl.gen")])
    if low.endswith("s") and len(w) > 2:                  # Markus → Markuksen, Markusta
        kse, ksi = w[:-1] + "kse", w[:-1] + "ksi"
        f.singular(kse, kse, [(w, "tA")], [(kse, "en")])
        f.add(kse, "t", "pl.nom")
        f.plural(ksi, [(ksi, "en", "pl.gen"), (ksi, "A", "pl.par"), (ksi, "in", "pl.ill")])
        if low[-2:] in ("as", "äs") and len(w) > 3 and w[-3] not in VOWELS:
            aa = strengthen(w[:-1]) + w[-2]               # Ahokas → Ahokkaan
            ai = aa[:-1] + "i"
            f.singular(aa, aa, [(w, "tA")], [(aa, "seen")])
            f.add(aa, "t", "pl.nom")
            f.plural(ai, [(ai, "den", "pl.gen"), (ai, "tA", "pl.par"), (ai, "siin", "pl.ill")])


@lru_cache(maxsize=4096)
def _inflect(word: str) -> tuple[tuple[str, str], ...]:
    f = _Forms(word)
    low = word.lower()
    if len(word) < 2 or not word[-1].isalpha():
        return tuple(f.out.items())
    if low.endswith("nen") and len(word) > 4:
        _nen(f, word)
    elif word[-1] in VOWELS:
        if low.endswith("e"):
            _e_stem(f, word)
        if low.endswith("i") and len(word) > 2 and word[-2] not in VOWELS:
            _i_to_e(f, word)
        _vowel_final(f, word)
    else:
        _consonant_final(f, word)
    return tuple(f.out.items())


def inflected_forms(word: str) -> dict[str, str]:
    """Every singular and plural case form of one name word, ``form → case``.

    Only the end of the word changes, so a multi-part word (``Keski-Suomi``) inflects its
    last part.  The nominative is the word itself.
    """
    return dict(_inflect(word))


def nen_tails() -> frozenset[str]:
    """What follows a stem in the forms of a ``-nen`` / ``-inen`` name (``nen``, ``selle``,
    ``iselle`` …): a word that is a name plus one of these is another surname
    (``Salo`` → ``Salonen``), not a compound of the name."""
    return _NEN_TAILS


def _build_tails() -> frozenset[str]:
    tails: set[str] = set()
    for probe in ("Xanen", "Xänen"):
        for form in inflected_forms(probe):
            tails.add(form[2:].lower())       # drop "X" and the stem vowel
    tails |= {"i" + t for t in tails}
    return frozenset(tails)


_NEN_TAILS = _build_tails()
