"""Pseudonymisation and anonymity checks.

* :func:`load_key` / :func:`save_key` read and write the key (real name → pseudonym, kind);
  :func:`check_key_location` refuses a key inside the project folder.
* :func:`pseudonymise_text` replaces every inflected form of the key's names, and e-mail
  addresses, phone numbers, personal identity codes, IBANs and URLs; its offset map moves
  codings onto the new text (:func:`remap_span`, :func:`remap_frame`).
* :func:`scan_text`, :func:`scan_file` and :func:`check_anonymity` list what is left to hide
  (an empty frame means nothing was found).
* :func:`suggest_key_entries` proposes names for the key when the Finnish spaCy pipeline is
  installed; it never changes anything by itself.

See ``docs/anonymity.md``.
"""
from __future__ import annotations

from .inflect import case_ending, inflected_forms, is_back
from .key import KINDS, KeyEntry, PseudonymKey, check_key_location, find_key, load_key, save_key
from .ner import ner_available, suggest_key_entries
from .patterns import PATTERN_KINDS, find_patterns, valid_henkilotunnus, valid_iban
from .replace import (
    Hit,
    OffsetMap,
    PseudonymisedText,
    Replacement,
    find_hits,
    pseudonymise_frame,
    pseudonymise_text,
    pseudonymise_value,
    remap_frame,
    remap_span,
)
from .scan import SCAN_SUFFIXES, check_anonymity, scan_file, scan_text

__all__ = [
    "KINDS", "KeyEntry", "PseudonymKey", "load_key", "save_key", "check_key_location", "find_key",
    "inflected_forms", "case_ending", "is_back",
    "PATTERN_KINDS", "find_patterns", "valid_henkilotunnus", "valid_iban",
    "Hit", "OffsetMap", "PseudonymisedText", "Replacement", "find_hits", "pseudonymise_text",
    "pseudonymise_value", "pseudonymise_frame", "remap_span", "remap_frame",
    "SCAN_SUFFIXES", "scan_text", "scan_file", "check_anonymity",
    "ner_available", "suggest_key_entries",
]
