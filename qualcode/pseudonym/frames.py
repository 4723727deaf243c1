"""Pseudonymising the frames handed between stages (``segments``, ``codings``, ``informants``)
with code-point offsets kept consistent — what a pseudonymised report or export writes.

Offsets are moved per source: every replacement found in a segment's text is placed at its
position in the source (segment start + offset), so segment and coding ``start``/``end`` stay
code-point offsets into the *pseudonymised* source text, and ``text[start:end]`` of a coding
is still the coded words with the names replaced.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional

import pandas as pd

from .key import PseudonymKey
from .replace import Hit, PseudonymisedText, find_hits, pseudonymise_text, remap_span


def pseudonymise_value(value, key, lang: str = "fi"):
    """A cell value with names and patterns replaced; non-strings are returned as they are.
    Underscores count as spaces, so file names such as ``Virtanen_haastattelu.docx`` are
    caught as well."""
    if not isinstance(value, str) or not value:
        return value
    probe = value.replace("_", " ")          # same length: offsets stay valid for ``value``
    return _splice(value, find_hits(probe, key, lang=lang))


def pseudonymise_file_name(value, key, lang: str = "fi"):
    """A source or file name pseudonymised: as :func:`pseudonymise_value`, and names written
    in lower case count too (``matti_virtanen.docx``), since file names often are.

    >>> pseudonymise_file_name("transcripts/virtanen_matti.docx", {"Matti Virtanen": "H1"})
    'transcripts/H1.docx'
    """
    if not isinstance(value, str) or not value:
        return value
    probe = _WORD_START.sub(lambda m: m.group(0).upper(), re.sub(r"[_-]", " ", value))
    if len(probe) != len(value):             # a letter whose capital is longer: no probe
        return pseudonymise_value(value, key, lang)
    return _splice(value, find_hits(probe, key, lang=lang))


def _splice(value: str, hits) -> str:
    """``value`` with the hits (found in a same-length probe of it) replaced; a person named
    twice in a row ("Virtanen_Matti") is one replacement, not "H1_H1"."""
    if not hits:
        return value
    out, last, previous = [], 0, None
    for h in hits:
        gap = value[last:h.start]
        if previous == h.replacement and _JOINER.fullmatch(gap):
            last = h.end
            continue
        out.append(gap)
        out.append(h.replacement)
        last, previous = h.end, h.replacement
    out.append(value[last:])
    return "".join(out)


_JOINER = re.compile(r"[ _-]+")
_WORD_START = re.compile(r"(?<![^\W\d_])[^\W\d_]")


def pseudonymise_frame(df: pd.DataFrame, key, columns: Optional[Iterable[str]] = None,
                       lang: str = "fi") -> pd.DataFrame:
    """A copy of ``df`` whose text cells (in ``columns``, default every object column) are
    pseudonymised with :func:`pseudonymise_value`."""
    key = PseudonymKey.coerce(key)
    out = df.copy()
    cols = list(columns) if columns is not None else [c for c in out.columns
                                                      if pd.api.types.is_object_dtype(out[c])
                                                      or pd.api.types.is_string_dtype(out[c])]
    for c in cols:
        if c in out.columns:
            out[c] = out[c].map(lambda v: pseudonymise_value(v, key, lang))
    return out


def source_maps(segments: pd.DataFrame, key, lang: str = "fi",
                source_texts: Optional[Mapping[int, str]] = None) -> dict[int, PseudonymisedText]:
    """One :class:`PseudonymisedText` per ``source_id``: from the full source text when
    ``source_texts`` has it, else assembled from the segments' texts (the gaps between
    segments are then left as they are, and ``text`` holds only the segments)."""
    key = PseudonymKey.coerce(key)
    maps: dict[int, PseudonymisedText] = {}
    texts = dict(source_texts or {})
    for sid, group in segments.groupby("source_id", sort=False):
        sid = int(sid)
        if sid in texts:
            maps[sid] = pseudonymise_text(texts[sid], key, lang=lang)
            continue
        hits: list[Hit] = []
        for start, text in zip(group["start"], group["text"]):
            for h in find_hits(str(text or ""), key, lang=lang):
                hits.append(Hit(h.start + int(start), h.end + int(start), h.original, h.replacement, h.kind))
        hits.sort()
        offset_map, delta = [], 0
        for h in hits:
            offset_map.append((h.start, h.end, h.start + delta, h.start + delta + len(h.replacement)))
            delta += len(h.replacement) - (h.end - h.start)
        maps[sid] = PseudonymisedText("", hits, offset_map, "")
    return maps


def pseudonymise_frames(segments: pd.DataFrame, codings: Optional[pd.DataFrame], key, lang: str = "fi",
                        source_texts: Optional[Mapping[int, str]] = None,
                        ) -> tuple[pd.DataFrame, Optional[pd.DataFrame]]:
    """Pseudonymised copies of the ``segments`` and ``codings`` frames (see
    ``docs/architecture.md``): texts replaced, ``start``/``end`` remapped, ``source`` and
    ``speaker`` replaced too."""
    key = PseudonymKey.coerce(key)
    maps = source_maps(segments, key, lang, source_texts)
    seg = segments.copy()
    new_text: dict[int, str] = {}
    starts, ends, texts = [], [], []
    for sid, s, e, t in zip(seg["source_id"], seg["start"], seg["end"], seg["text"]):
        ns, ne = remap_span(int(s), int(e), maps[int(sid)])
        starts.append(ns)
        ends.append(ne)
        texts.append(pseudonymise_text(str(t or ""), key, lang=lang).text)
    seg["start"], seg["end"], seg["text"] = starts, ends, texts
    if "segment_id" in seg.columns:
        new_text = dict(zip(seg["segment_id"].astype(int), texts))
    seg = _pseudonymise_names(seg, key, lang)
    if codings is None:
        return seg, None
    cod = codings.copy()
    if len(cod):
        seg_start = dict(zip(segments["segment_id"].astype(int), segments["start"].astype(int))) \
            if "segment_id" in segments.columns else {}
        new_start = dict(zip(seg["segment_id"].astype(int), seg["start"].astype(int))) \
            if "segment_id" in seg.columns else {}
        starts, ends, quotes = [], [], []
        for row in cod.itertuples(index=False):
            sid = int(row.source_id)
            pseudo = maps.get(sid)
            s, e = int(row.start), int(row.end)
            if pseudo is None:
                starts.append(s)
                ends.append(e)
                quotes.append(pseudonymise_text(str(getattr(row, "quote", "") or ""), key, lang=lang).text)
                continue
            ns, ne = remap_span(s, e, pseudo)
            starts.append(ns)
            ends.append(ne)
            seg_id = int(row.segment_id) if hasattr(row, "segment_id") else None
            if seg_id in new_text and seg_id in seg_start and seg_start[seg_id] <= s:
                # cut the quote from the pseudonymised segment text: the same words, names replaced
                off = new_start[seg_id]
                quotes.append(new_text[seg_id][ns - off:ne - off])
            elif pseudo.text:
                quotes.append(pseudo.text[ns:ne])
            else:
                quotes.append(pseudonymise_text(str(getattr(row, "quote", "") or ""), key, lang=lang).text)
        cod["start"], cod["end"] = starts, ends
        if "quote" in cod.columns:
            cod["quote"] = quotes
        if "segment_text" in cod.columns and "segment_id" in cod.columns:
            cod["segment_text"] = [new_text.get(int(i), pseudonymise_text(str(t or ""), key, lang=lang).text)
                                   for i, t in zip(cod["segment_id"], cod["segment_text"])]
        cod = _pseudonymise_names(cod, key, lang)
    return seg, cod



def _pseudonymise_names(df: pd.DataFrame, key, lang: str) -> pd.DataFrame:
    """The ``source`` (a file name) and ``speaker`` columns pseudonymised."""
    if "source" in df.columns:
        df["source"] = df["source"].map(lambda v: pseudonymise_file_name(v, key, lang))
    if "speaker" in df.columns:
        df["speaker"] = df["speaker"].map(lambda v: pseudonymise_value(v, key, lang))
    return df
