"""Synthetic transcripts for benchmarks: Finnish interview turns built from a small phrase
bank with a fixed seed, so every run measures the same text."""
from __future__ import annotations

import random
from pathlib import Path

OPENERS = ["No tota", "Siis", "Joo", "Öö", "Niinku", "No", "Kyllä", "Ehkä", "Tavallaan", "Mun mielestä"]
PHRASES = [
    "viestinnän kanssa on ollut haasteita", "tilannepäivityksiä ei tullut tarpeeksi usein",
    "projektipäällikkö vastasi aina nopeasti", "asiakasportaalia en ole juurikaan käyttänyt",
    "laskutuksessa oli virheitä kahtena kuukautena", "hinta on mielestäni kohtuullinen",
    "tukeen saa yhteyden helposti puhelimella", "integraatiossa ilmeni ongelmia käyttöönoton jälkeen",
    "kehittäjät ovat todella osaavia", "koulutusta kaivattaisiin uusille työntekijöille",
    "sopimuksen ehdot olivat selkeät", "suosittelisin palvelua muillekin yrityksille",
    "yhteyshenkilö vaihtui kolme kertaa vuoden aikana", "raportit säästävät meiltä paljon aikaa",
    "perehdytys jäi vähän kesken", "viikkoviesti olisi hyvä lisä projekteihin",
    "kilpailija tarjosi halvempaa ratkaisua", "tietoturva-asiat on hoidettu hyvin",
]


def turn(rng: random.Random, words: int) -> str:
    out: list[str] = []
    n = 0
    while n < words:
        sentence = f"{rng.choice(OPENERS)}, {rng.choice(PHRASES)}."
        out.append(sentence)
        n += len(sentence.split())
    return " ".join(out)


def write_corpus(folder: Path, total_words: int, words_per_file: int = 2500, seed: int = 7) -> int:
    """Write plain-text transcripts totalling about ``total_words`` words; return files written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_files = max(1, total_words // words_per_file)
    for i in range(n_files):
        lines, n = [], 0
        while n < words_per_file:
            q = "Haastattelija: Miten yhteistyö on sujunut?"
            a = turn(rng, rng.randint(40, 120))
            lines += [q, f"H{i % 12 + 1}: {a}", ""]
            n += len(a.split()) + 5
        (folder / f"haastattelu_{i:04d}.txt").write_text("\n".join(lines), encoding="utf-8")
    return n_files
