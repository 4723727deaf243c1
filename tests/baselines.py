"""Naive baselines the tests (and benchmarks) compare the rule matcher with."""
from __future__ import annotations

from qualcode.model import Codebook


def substring_baseline(codebook: Codebook, text: str) -> set[str]:
    """Codes whose keywords or phrases occur in ``text`` as plain, case-insensitive
    substrings (no lemmas, no exclusions): the naive baseline for quality comparisons."""
    low = text.lower()
    return {c.id for c in codebook.codes
            if any(t.lower() in low for t in [*c.keywords, *c.phrases])}
