"""Pseudonymisation and anonymity checks (issue 10).

A *key file* kept outside the project lists real names and their pseudonyms.
:func:`pseudonymise_text` replaces every inflected form of those names (and e-mail
addresses, phone numbers, personal identity codes, IBANs and URLs) and keeps a map of
offsets so that codings can be moved onto the new text with :func:`remap_span`.
:func:`check_anonymity` scans written files (xlsx, docx, qdpx, md, txt, csv, html) and
lists every hit; an empty frame means nothing was found.

See ``docs/anonymity.md`` for the conventions.
"""
from __future__ import annotations

from .inflect import case_ending, inflected_forms
from .key import KeyEntry, PseudonymKey, check_key_location, load_key, save_key
from .patterns import PATTERN_KINDS, find_patterns, valid_henkilotunnus, valid_iban
from .replace import Hit, PseudonymisedText, find_hits, pseudonymise_text, remap_span
from .scan import check_anonymity, scan_file, scan_text
from .frames import pseudonymise_frame, pseudonymise_frames, pseudonymise_value
from .ner import suggest_key_entries

__all__ = [
    "KeyEntry", "PseudonymKey", "load_key", "save_key", "check_key_location",
    "inflected_forms", "case_ending",
    "PATTERN_KINDS", "find_patterns", "valid_henkilotunnus", "valid_iban",
    "Hit", "PseudonymisedText", "find_hits", "pseudonymise_text", "remap_span",
    "scan_text", "scan_file", "check_anonymity", "suggest_key_entries",
    "pseudonymise_value", "pseudonymise_frame", "pseudonymise_frames",
]
