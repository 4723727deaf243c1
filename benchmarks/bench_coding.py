"""Speed of lexical auto-coding against spaCy's blank tokenizer, in one run.

    python benchmarks/bench_coding.py            # 1,000,000 words
    python benchmarks/bench_coding.py --words 100000

Builds Finnish text by shuffling the gold segments (and any demo corpus transcripts
under corpora/*/transcripts/*.txt) with a fixed seed, then measures:

1. tokens/s of ``spacy.blank("fi").tokenizer.pipe`` alone;
2. tokens/s of qualcode coding from raw text (tokenise + lemmatise + match);
3. their ratio (quality bar: >= 0.4);
4. a re-code with a changed codebook reusing annotations that went through
   ``to_bytes``/``from_bytes`` as the store keeps them, and the speed-up (bar: >= 10x);
5. peak memory (max RSS from getrusage; tracemalloc would slow the timed code).
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualcode.codebook import codebook_from_dict, load_codebook  # noqa: E402
from qualcode.coding.matcher import RuleMatcher  # noqa: E402
from qualcode.nlp import Annotation, Annotator, get_lemmatizer  # noqa: E402

GOLD = ROOT / "tests" / "data" / "gold"


def source_paragraphs() -> list[str]:
    """Gold segments plus paragraphs of any demo transcripts (speaker labels kept)."""
    data = yaml.safe_load((GOLD / "segments_fi.yaml").read_text(encoding="utf-8"))
    paras = [s["text"] for s in data["segments"]]
    for path in sorted(ROOT.glob("corpora/*/transcripts/*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        paras += [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return paras


def build_segments(words: int, seed: int = 7) -> list[str]:
    """Segments of 2-6 shuffled source paragraphs until ``words`` words are reached."""
    rnd = random.Random(seed)
    paras = source_paragraphs()
    out, total = [], 0
    while total < words:
        seg = " ".join(rnd.choice(paras) for _ in range(rnd.randint(2, 6)))
        out.append(seg)
        total += len(seg.split())
    return out


def changed_codebook(codebook):
    """The gold codebook with one code dropped and keywords added to two others."""
    data = yaml.safe_load((GOLD / "codebook_fi.yaml").read_text(encoding="utf-8"))
    codes = [c for c in data["codes"] if c["id"] != "suosittelu"]
    for c in codes:
        if c["id"] == "vasteaika":
            c["keywords"] = c.get("keywords", []) + ["nopea", "hidas"]
        if c["id"] == "osaaminen":
            c["keywords"] = c.get("keywords", []) + ["tietotaito", "osata"]
    return codebook_from_dict({**data, "codes": codes}, path="<changed>")


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    import spacy

    texts = build_segments(args.words, args.seed)
    n_words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(texts):,} segments, {n_words:,} words, "
          f"{sum(map(len, texts)):,} characters")

    rss_corpus = _max_rss_mb()
    nlp = spacy.blank("fi")
    t0 = time.perf_counter()
    n_tokens = sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000))
    t_tok = time.perf_counter() - t0

    codebook = load_codebook(GOLD / "codebook_fi.yaml")
    # simplemma loads its Finnish dictionary on the first lookup: a one-time cost per
    # process, reported on its own line rather than inside the coding rate.
    t0 = time.perf_counter()
    get_lemmatizer("simplemma", "fi").lemma("viestintä")
    t_warm = time.perf_counter() - t0
    annotator = Annotator("fi", lemmatizer="simplemma")
    annotator.tokenizer   # spaCy is loaded on first use: outside the timed coding, as above
    t0 = time.perf_counter()
    matcher = RuleMatcher(codebook, annotator)
    annotations = annotator.annotate_many(texts)
    matches = matcher.match_many(texts, annotations)
    t_code = time.perf_counter() - t0
    n_matches = sum(map(len, matches))

    t0 = time.perf_counter()
    blobs = [a.to_bytes() for a in annotations]
    t_dump = time.perf_counter() - t0
    del annotations
    t0 = time.perf_counter()
    loaded = [Annotation.from_bytes(b) for b in blobs]
    t_load = time.perf_counter() - t0

    changed = changed_codebook(codebook)
    t0 = time.perf_counter()
    rematcher = RuleMatcher(changed, annotator)
    rematches = rematcher.match_many(texts, loaded)
    t_recode = time.perf_counter() - t0

    tok_rate = n_tokens / t_tok
    code_rate = n_tokens / t_code
    print(f"spaCy blank fi tokenizer:       {tok_rate:12,.0f} tokens/s ({t_tok:.2f} s, "
          f"{n_tokens:,} tokens)")
    print(f"lemmatiser warm-up (one-time):  {t_warm:12.2f} s (simplemma maps its lemma table)")
    print(f"qualcode coding from raw text:  {code_rate:12,.0f} tokens/s ({t_code:.2f} s, "
          f"{n_matches:,} matches)")
    print(f"ratio coding/tokenizer:         {code_rate / tok_rate:12.2f}   (bar >= 0.40)")
    print(f"annotations to_bytes:           {t_dump:12.2f} s ({sum(map(len, blobs)) / 1e6:.1f} MB,"
          f" {sum(map(len, blobs)) / n_tokens:.1f} bytes/token)")
    print(f"annotations from_bytes:         {t_load:12.2f} s")
    print(f"re-code, changed codebook:      {t_recode:12.3f} s "
          f"({sum(map(len, rematches)):,} matches)")
    print(f"speed-up first/re-code:         {t_code / t_recode:12.1f}x  (bar >= 10x)")
    print(f"speed-up incl. from_bytes:      {t_code / (t_recode + t_load):12.1f}x")
    print(f"max RSS:                        {_max_rss_mb():12.0f} MB "
          f"({rss_corpus:.0f} MB after building the corpus text)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
