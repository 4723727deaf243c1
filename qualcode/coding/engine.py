"""The incremental coding engine: a codebook's rules → automatic suggestions in the store.

A code's suggestions depend only on its own rules, the NLP backend and the text.  The engine
keeps a fingerprint of every code's rules in the store (the *coding state*); a later run
re-matches the codes whose rules changed on every segment, and the unchanged codes only on
the sources that are new since then.  Their other suggestions stay as they are, and nothing
a human decided (accepted, rejected, added) is ever touched.  Each source version is
tokenised and lemmatised once per NLP backend, and each regular expression's hits on it are
found once; both are kept in the store for later runs.

>>> import tempfile, pathlib
>>> from qualcode.codebook import codebook_from_dict
>>> from qualcode.model import Segment, Source
>>> from qualcode.nlp import Annotator
>>> from qualcode.store import SQLiteStore
>>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "project.db", create=True)
>>> text = "Laskutuksessa oli virheitä."
>>> _ = store.add_source(Source(None, "a.txt", text, "txt", "h", words=3), [],
...                      [Segment(None, None, 0, 0, 0, len(text), text, "H1")])
>>> cb = codebook_from_dict({"codes": [{"id": "laskutus", "name": "Laskutus", "keywords": ["laskutus"]}]})
>>> engine = CodingEngine(store, Annotator("fi"))
>>> engine.code(cb)
    code_id      name  segments  informants
0  laskutus  Laskutus         1           1
>>> store.codings_frame()[["code_id", "quote", "rule"]].values.tolist()
[['laskutus', 'Laskutuksessa', 'keyword:laskutus']]
>>> store.close()
"""
from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Optional

import numpy as np

from ..codebook import codebook_hash
from ..labels import LANGS, label
from ..model import AUTO_CODER, AuditEvent, Code, Codebook
from ..nlp.packing import PackedAnnotations, pack_sources, unpack_packed
from ..progress import progress_counter, progress_iter
from .matcher import Match, RuleMatcher

if TYPE_CHECKING:   # only the summary frame needs pandas: a re-code can run without it
    import pandas as pd

#: Columns of the per-code summary of a run.
SUMMARY_COLUMNS = ("code_id", "name", "segments", "informants")
#: Key of the coding state (rule fingerprints and coded sources) in the store's metadata.
CODING_STATE_KEY = "coding_state"
# Segments matched per call of the matcher: big enough for numpy, small enough for memory.
_CHUNK = 5000


def rule_fingerprint(code: Code, salt: str) -> str:
    """Fingerprint of everything that decides where a code's rules match (``salt``: the NLP
    backend and the other settings of the run).

    >>> from qualcode.model import Code
    >>> a, b = Code("x", "X", keywords=["hinta"]), Code("x", "Toinen nimi", keywords=["hinta"])
    >>> rule_fingerprint(a, "s") == rule_fingerprint(b, "s") != rule_fingerprint(a, "t")
    True
    """
    rules = [code.id, code.keywords, code.phrases, code.patterns, code.exclude, bool(code.compound), salt]
    return hashlib.sha256(json.dumps(rules, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def codebook_snapshot(codebook: Codebook) -> dict:
    """A codebook as plain data, for the store's snapshot of the codebook used in each run
    (the codes' own values, as ``dataclasses.asdict`` gives them without copying them: the
    snapshot is only written as JSON).

    >>> from dataclasses import asdict
    >>> from qualcode.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"codes": [{"id": "x", "keywords": ["hinta"]}]})
    >>> snap = codebook_snapshot(cb)
    >>> snap["codes"] == [{k: v for k, v in asdict(c).items() if k != "line"} for c in cb]
    True
    """
    names = [f.name for f in fields(Code) if f.name != "line"]
    return {"language": codebook.language, "name": codebook.name,
            "codes": [{k: getattr(c, k) for k in names} for c in codebook]}


def forget_coding_state(store) -> None:
    """Make the next run re-match every code on every segment (e.g. after the texts changed)."""
    store.delete_meta(CODING_STATE_KEY)


@dataclass
class _Plan:
    """What one run matches: every changed code on all segments, the unchanged ones on the
    new sources only."""

    salt: str
    hashes: dict[str, str]              # code id → rule fingerprint, this run
    old_hashes: dict[str, str]          # the same from the last run ({} when everything re-runs)
    segments: "_Segments"               # every segment in scope
    sources: set[int]                   # every source in scope
    new_sources: set[int]               # sources not coded by the last run
    changed: list[Code]
    runs: list[tuple[list[Code], "_Segments"]]


@dataclass
class _Segments:
    """Segments to match, as parallel arrays: id, source id, start in the source text."""

    ids: np.ndarray
    sources: np.ndarray
    starts: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[tuple[int, int, int]]) -> "_Segments":
        arr = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
        return cls(arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy())

    def __len__(self) -> int:
        return len(self.ids)

    def as_lists(self) -> tuple[list[int], list[int], list[int], frozenset]:
        """(ids, source ids, starts) as lists and the ids as a set, made once (a watching
        engine matches its remembered segments run after run; the lists are not changed)."""
        made = self.__dict__.get("_lists")
        if made is None:
            ids = self.ids.tolist()
            made = self.__dict__["_lists"] = (ids, self.sources.tolist(), self.starts.tolist(), frozenset(ids))
        return made

    def of_sources(self, sources: set[int]) -> "_Segments":
        keep = np.isin(self.sources, np.fromiter(sources, dtype=np.int64, count=len(sources)))
        return _Segments(self.ids[keep], self.sources[keep], self.starts[keep])


class CodingEngine:
    """Suggest codings by a codebook's rules, incrementally, into ``store`` (a
    :class:`~qualcode.store.SQLiteStore`), with ``annotator``'s tokenizer and lemmatiser."""

    def __init__(self, store, annotator):
        self.store = store
        self.annotator = annotator
        # texts this run already read from the store (segment id -> text; their sources),
        # so the patterns do not read them a second time
        self._read_texts: dict[int, str] = {}
        self._read_sources: set[int] = set()
        #: what the last run did: suggestions added and removed, codes matched again
        self.last_run: dict[str, int] = {}
        # What an engine that codes again and again (``qualcode code --watch``) keeps between
        # its runs while nothing else writes to the store (its change token is the one after
        # the engine's own last step): the active segments, the counts of the last summary,
        # and the codes whose suggestions a run changed since, the only ones counted again.
        self._memo: dict = {}
        self._memo_token: Optional[tuple[int, int]] = None
        self._touched: set[str] = set()

    def code(self, codebook: Codebook, *, include_interviewer: bool = False,
             progress: bool = False) -> "pd.DataFrame":
        """Bring the automatic suggestions (status ``suggested``, coder ``auto``) in line with
        ``codebook``: add the new ones, drop those its rules no longer give, keep the rest.
        The suggestions, the coding state, the codebook snapshot and the audit event are
        written in one transaction.  Returns :meth:`summary`."""
        self.update(codebook, include_interviewer=include_interviewer, progress=progress)
        return self.summary(codebook)

    def update(self, codebook: Codebook, *, include_interviewer: bool = False, progress: bool = False) -> None:
        """:meth:`code` without the summary frame."""
        # A run makes many small objects and no reference cycles: the cyclic garbage
        # collector would only rescan the big heap again and again (a quarter of a second
        # of full collections while writing the suggestions of ~1M words).  It comes back
        # on once the run's own objects are gone.  What the run left (spaCy once loaded, the
        # lemmas) would all be in the youngest generation then, and its first pass would
        # scan them all only to find them alive (0.12 s after a first code of 1M words):
        # they are moved to the oldest generation instead, without a pass (freeze and
        # unfreeze), unless the process has frozen objects of its own.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._update(codebook, include_interviewer, progress)
        finally:
            self._read_texts, self._read_sources = {}, set()
            if gc_was_enabled:
                _to_oldest_generation()
                gc.enable()

    def _update(self, codebook: Codebook, include_interviewer: bool, progress: bool) -> None:
        plan = self._plan(codebook, include_interviewer)
        wanted: dict[tuple[int, str], tuple] = {}
        rule_counts: dict[str, int] = {}
        scope_segments: dict[str, set] = {}
        self._run_matchers(plan.runs, codebook, include_interviewer, progress, wanted, rule_counts,
                           scope_segments)
        drop, new = self._reconcile(plan, wanted, scope_segments)
        self._write(codebook, plan, drop, new, rule_counts)

    def summary(self, codebook: Codebook) -> "pd.DataFrame":
        """Per code: segments and informants with an automatic suggestion (active sources)."""
        import pandas as pd

        return pd.DataFrame(self.summary_rows(codebook), columns=list(SUMMARY_COLUMNS))

    def summary_rows(self, codebook: Codebook) -> list[dict]:
        """:meth:`summary` as plain rows (one dict per code, keys :data:`SUMMARY_COLUMNS`)."""
        counts = self._suggestion_counts()
        return [{"code_id": c.id, "name": c.name, "segments": counts.get(c.id, (0, 0))[0],
                 "informants": counts.get(c.id, (0, 0))[1]} for c in codebook]

    def _suggestion_counts(self) -> dict[str, tuple[int, int]]:
        """The store's :meth:`~qualcode.store.SQLiteStore.suggestion_counts`; after an earlier
        summary of this engine, only the codes its runs touched since are counted again, as
        long as no other connection has written to the store (then everything is)."""
        known = self._remembered().get("counts")
        if known is not None:
            counts = {c: n for c, n in known.items() if c not in self._touched}
            if self._touched:
                counts.update(self.store.suggestion_counts(sorted(self._touched)))
        else:
            counts = self.store.suggestion_counts()
        self._memo["counts"], self._touched = counts, set()
        self._memo_token = self.store.change_token()
        return counts

    def _remembered(self) -> dict:
        """What this engine keeps between runs, emptied first when something else has written
        to the store since the engine's own last step."""
        if self._memo and self.store.change_token() != self._memo_token:
            self._memo.clear()
        return self._memo

    def annotations(self, segments: _Segments, progress: bool = False) -> PackedAnnotations:
        """Annotations of the segments, in order, as one :class:`PackedAnnotations`.  Each
        source version's segments are annotated once per NLP backend and kept in the store
        (one blob per source); later runs only unpack it (a few numpy calls per source).
        Only the segments a run matches are annotated: interviewer turns, which a run
        without them never reads, are annotated when a run first includes them.  An engine
        that codes again keeps the annotations of its remembered segments while nothing
        else writes to the store (unpacking a million tokens' blobs took 0.05 s a run)."""
        memo = self._remembered()
        # only the remembered segments' annotations are kept (with interviewer turns or not)
        key = next((("annotations", flag) for flag in (False, True)
                    if segments is memo.get(("segments", flag))), None)
        if key in memo:
            return memo[key]
        anns = self._annotations(segments, progress)
        if key is not None:
            memo[key] = anns
        return anns

    def _annotations(self, segments: _Segments, progress: bool) -> PackedAnnotations:
        backend = self.annotator.backend
        # the sources in the order of the segments, so the selection below keeps rows in order
        uniq, first = np.unique(segments.sources, return_index=True)
        source_ids = uniq[np.argsort(first)].tolist()
        blobs = self.store.source_annotations(source_ids, backend)
        lexicon = self.annotator.lexicon
        types = self.annotator.type_table(self.store)
        gids = types.gid_array() if blobs else None
        unpacked = {sid: unpack_packed(blob, gids, lexicon) for sid, blob in blobs.items()}
        lacking = _lacking_segments(segments, unpacked)
        if lacking:
            annotated = list(self._annotate_segments(lacking, unpacked, progress))
            new_blobs = pack_sources(annotated, types)
            unpacked.update((sid, (seg_ids, packed)) for sid, seg_ids, packed in annotated)
            rows, new_parts = types.unsaved(lexicon)
            with self.store.transaction():
                self.store.add_word_types(rows, backend)
                self.store.set_word_type_parts(new_parts, backend)
                self.store.save_source_annotations(new_blobs, backend)
                types.written(self.store)
        in_order = [unpacked[sid] for sid in source_ids]
        everything = PackedAnnotations.concat([packed for _, packed in in_order])
        ids = np.fromiter((i for seg_ids, _ in in_order for i in seg_ids), dtype=np.int64)
        row_of = np.full(int(max(ids.max(), segments.ids.max())) + 1 if len(ids) else 1, -1, dtype=np.int64)
        row_of[ids] = np.arange(len(ids))   # segment id -> its row in the unpacked annotations
        return everything.select(row_of[segments.ids])

    def _annotate_segments(self, lacking: dict[int, set], unpacked: dict, progress: bool):
        """(source id, its annotated segment ids in text order, their annotations as one
        :class:`PackedAnnotations`) of each source with segments ``lacking`` annotations:
        those segments in one stream, so the tokenizer and lemmatiser work in big batches,
        joined with the source's stored ones."""
        source_ids = list(lacking)
        segments = self.store.segment_texts_in_order(source_ids)
        self._read_texts.update((seg_id, text) for sid in source_ids for seg_id, text in segments.get(sid, []))
        self._read_sources.update(source_ids)
        todo = [(sid, seg_id, text) for sid in source_ids for seg_id, text in segments.get(sid, [])
                if seg_id in lacking[sid]]
        with progress_counter(self._label("progress.annotate"), len(todo), enabled=progress) as advance:
            fresh = self.annotator.annotate_packed([text for _, _, text in todo], progress=advance)
        lo = 0
        for sid in source_ids:   # todo holds each source's segments together, in text order
            hi = lo
            while hi < len(todo) and todo[hi][0] == sid:
                hi += 1
            mine = fresh[lo:hi]
            fresh_ids = [seg_id for _, seg_id, _ in todo[lo:hi]]
            lo = hi
            old_ids, old = unpacked.get(sid, ([], None))
            if not old_ids:
                yield sid, fresh_ids, mine
                continue
            # stored and new segments interleave in text order: pick each one's row
            row = {seg_id: i for i, seg_id in enumerate(fresh_ids)}
            row.update((seg_id, len(fresh_ids) + i) for i, seg_id in enumerate(old_ids) if seg_id not in row)
            seg_ids = [seg_id for seg_id, _ in segments.get(sid, []) if seg_id in row]
            yield sid, seg_ids, PackedAnnotations.concat([mine, old]).select([row[i] for i in seg_ids])

    def _label(self, key: str) -> str:
        lang = self.annotator.lang
        return label(key, lang if lang in LANGS else "en")

    # -- one run, step by step --------------------------------------------------------
    def _plan(self, cb: Codebook, include_interviewer: bool) -> _Plan:
        salt = f"{self.annotator.backend}|{include_interviewer}|{cb.language}"
        hashes = {c.id: rule_fingerprint(c, salt) for c in cb}
        state = json.loads(self.store.get_meta(CODING_STATE_KEY) or "{}")
        old_hashes = state.get("codes", {}) if state.get("salt") == salt else {}
        memo = self._remembered()
        segs = memo.get(("segments", include_interviewer))
        if segs is None:
            segs = memo[("segments", include_interviewer)] = _Segments.from_rows(
                self.store.segment_rows(include_interviewer))
        coded_sources = set(state.get("sources", [])) if old_hashes else set()
        all_sources = set(np.unique(segs.sources).tolist())
        new_sources = all_sources - coded_sources
        changed = [c for c in cb if old_hashes.get(c.id) != hashes[c.id]]
        unchanged = [c for c in cb if old_hashes.get(c.id) == hashes[c.id]]
        runs = [(changed, segs)]
        if unchanged and new_sources:
            runs.append((unchanged, segs.of_sources(new_sources)))
        return _Plan(salt, hashes, old_hashes, segs, all_sources, new_sources, changed, runs)

    def _reconcile(self, plan: _Plan, wanted: dict[tuple[int, str], tuple],
                   scope_segments: dict[str, set]) -> tuple[list[int], list[tuple]]:
        """The stored suggestions to drop (ids) and the new ones to add (rows of ``wanted``,
        as :meth:`~qualcode.store.SQLiteStore.add_suggestions` takes them): a stored
        suggestion that this run found again at the same span by the same rule stays."""
        old_hashes, hashes = plan.old_hashes, plan.hashes
        if old_hashes:   # only the codes this run touched, and codes no longer in the codebook
            existing = self.store.auto_suggestions(list(scope_segments), list(hashes))
        else:
            existing = self.store.auto_suggestions()
        if not existing:   # a first run: everything it found is new
            return [], list(wanted.values())
        keep, drop = set(), []
        for cid, seg_id, code_id, start, end, rule in existing:
            if old_hashes and code_id in hashes and seg_id not in scope_segments.get(code_id, ()):
                continue  # outside this run's scope: unchanged rules on an already coded source
            want = wanted.get((seg_id, code_id))
            if want is not None and want[3:] == (start, end, rule) and (seg_id, code_id) not in keep:
                keep.add((seg_id, code_id))
            else:
                drop.append(cid)
        return drop, [w for key, w in wanted.items() if key not in keep]

    def _write(self, cb: Codebook, plan: _Plan, drop: list[int], new: list[tuple],
               rule_counts: dict[str, int]) -> None:
        digest = codebook_hash(cb)
        # the word types the matcher met (codebook terms, possible last parts of compounds)
        types = self.annotator.type_table(self.store)
        lexicon = self.annotator.lexicon
        rows, parts = types.absorb(lexicon).unsaved(lexicon)
        with self.store.transaction():
            self.store.add_word_types(rows, self.annotator.backend)
            self.store.set_word_type_parts(parts, self.annotator.backend)
            self.store.save_codebook(digest, cb.name, cb.language,
                                     json.dumps(codebook_snapshot(cb), ensure_ascii=False))
            self.store.delete_codings(drop)
            self.store.add_suggestions(new)
            self.store.set_meta(CODING_STATE_KEY, json.dumps(
                {"salt": plan.salt, "codes": plan.hashes, "sources": sorted(plan.sources)}))
            self.store.log(AuditEvent(
                action="code", target=cb.name or (cb.path or "codebook"), coder=AUTO_CODER,
                details={"codebook_hash": digest[:12], "segments": len(plan.segments),
                         "codes_rematched": len(plan.changed), "new_sources": len(plan.new_sources),
                         "added": len(new), "removed": len(drop),
                         "rule_counts": dict(sorted(rule_counts.items()))}))
            types.written(self.store)
        self.last_run = {"added": len(new), "removed": len(drop), "codes_rematched": len(plan.changed)}
        # the codes whose suggestions may have changed: the re-matched ones, every code when
        # it also ran on new sources, and the codes gone from the codebook
        self._touched |= {c.id for c in plan.changed} | set(plan.old_hashes).difference(plan.hashes)
        if plan.new_sources:
            self._touched |= set(plan.hashes)
        self._memo_token = self.store.change_token()

    def _run_matchers(self, runs, cb: Codebook, include_interviewer: bool, progress: bool,
                      wanted: dict, rule_counts: dict, scope_segments: dict) -> None:
        """Match each run's codes on its segments; fills ``wanted`` ((segment, code) → the
        suggestion row (segment, source, code, start, end, rule) of the first match),
        ``rule_counts`` and ``scope_segments`` (code → the segments it was matched on)."""
        for codes, part in runs:
            if not codes or not len(part):
                continue
            anns = self.annotations(part, progress)
            matcher = RuleMatcher(Codebook(codes=codes, language=cb.language, name=cb.name), self.annotator)
            # in_run: one set shared by the run's codes, not a copy per code
            seg_ids, src_ids, seg_starts, in_run = part.as_lists()
            # texts are read only when a pattern has to run on them (token rules need none)
            texts = _LazyTexts(self.store, seg_ids, src_ids, self._read_texts, self._read_sources)
            for code in codes:
                seen = scope_segments.get(code.id)
                scope_segments[code.id] = in_run if seen is None else seen | in_run
            extra, cached_rules = self._pattern_matches(matcher, texts, anns, seg_ids, src_ids, include_interviewer)
            for lo in progress_iter(range(0, len(texts), _CHUNK), self._label("progress.code"), enabled=progress):
                results = matcher.match_many(texts[lo:lo + _CHUNK], anns[lo:lo + _CHUNK],
                                             skip_patterns=cached_rules,
                                             extra=extra[lo:lo + _CHUNK] if extra is not None else None)
                for i, matches in enumerate(results, start=lo):
                    if not matches:
                        continue
                    seg_id, src_id, seg_start = seg_ids[i], src_ids[i], seg_starts[i]
                    for code_id, start, end, rule in matches:
                        rule_counts[rule] = rule_counts.get(rule, 0) + 1
                        key = (seg_id, code_id)
                        if key not in wanted:  # one suggestion per code and segment: its first match
                            wanted[key] = (seg_id, src_id, code_id, seg_start + start, seg_start + end, rule)

    def _pattern_matches(self, matcher: RuleMatcher, texts: "_LazyTexts", anns: PackedAnnotations,
                         seg_ids: list[int], src_ids: list[int],
                         include_interviewer: bool) -> tuple[Optional[list[list]], set]:
        """Matches of the matcher's regular expressions, per text (None when the codes have
        no pattern).  A pattern's hits on a source version never change, so they are kept in
        the store and reused by every later run that has the same pattern, whichever code it
        belongs to."""
        rules = list(dict.fromkeys(matcher.pattern_rules()))
        if not rules:
            return None, set()
        extra: list[list] = [[] for _ in range(len(texts))]
        codes_of = matcher.codes_of_pattern_rule()
        scope = "all" if include_interviewer else "informants"
        key = {rule: f"{scope}|{rule}" for rule in rules}
        sources = sorted(set(src_ids))
        cached = self.store.pattern_hits(list(key.values()), sources)
        seg_arr, src_arr = np.asarray(seg_ids, dtype=np.int64), np.asarray(src_ids, dtype=np.int64)
        row_of = np.full(int(seg_arr.max()) + 1 if len(seg_arr) else 1, -1, dtype=np.int64)
        row_of[seg_arr] = np.arange(len(seg_arr))   # segment id -> position in this run
        to_save = []
        scans: dict[frozenset, tuple] = {}   # the texts of one set of sources, prepared once
        every_source = frozenset(sources)
        with_hits = {pattern for pattern, _ in cached}   # pattern keys with some source's hits kept
        for rule in rules:
            missing = (frozenset(sid for sid in sources if (key[rule], sid) not in cached)
                       if key[rule] in with_hits else every_source)
            blob = None
            if missing:
                if missing not in scans:
                    idx = np.asarray([i for i, sid in enumerate(src_ids) if sid in missing], dtype=np.int64)
                    sub = texts.subset(idx.tolist())
                    scans[missing] = (idx, sub, matcher.prepare_texts(sub, anns.select(idx)))
                idx, sub, scan = scans[missing]
                blob, per_source = _hits_by_source(matcher.pattern_spans(rule, sub, scan), idx, seg_arr,
                                                   src_arr, sorted(missing))
                for sid, data in per_source:
                    cached[(key[rule], sid)] = data
                    to_save.append((key[rule], sid, data))
            if missing is not every_source:   # (else the blob is every source's hits, in order)
                blob = b"".join(cached[(key[rule], sid)] for sid in sources)
            hits = np.frombuffer(blob, dtype="<i8").reshape(-1, 3)
            hits = hits[hits[:, 0] < len(row_of)]
            rows = row_of[hits[:, 0]]
            for i, a, b in zip(rows[rows >= 0].tolist(), *hits[rows >= 0, 1:].T.tolist()):
                extra[i].extend(Match(code_id, a, b, rule) for code_id in codes_of[rule])
        if to_save:
            self.store.save_pattern_hits(to_save)
        return extra, set(rules)


def _to_oldest_generation() -> None:
    """Move every object the garbage collector tracks to its oldest generation without a
    collection (its next full collection still looks at them); nothing is done when the
    process has frozen objects (``gc.freeze``) that it means to keep frozen.

    >>> _to_oldest_generation(); gc.get_freeze_count()
    0
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _hits_by_source(spans: list, idx: np.ndarray, seg_arr: np.ndarray, src_arr: np.ndarray,
                    sources: list[int]) -> tuple[bytes, list[tuple[int, bytes]]]:
    """The packed int64 triples (segment id, start, end) of one pattern's spans (text index
    into the scanned texts ``idx``, start, end), ordered by source (``sources``, ascending),
    and (source id, its part of them) for every scanned source: one copy of the triples,
    cut into the sources' parts (a numpy slice and copy per source cost more than all else).

    >>> blob, parts = _hits_by_source([(0, 1, 2), (1, 3, 4)], np.array([0, 1]), np.array([7, 8]),
    ...                               np.array([5, 4]), [4, 5, 6])
    >>> [(sid, np.frombuffer(b, "<i8").tolist()) for sid, b in parts], len(blob)
    ([(4, [8, 3, 4]), (5, [7, 1, 2]), (6, [])], 48)
    """
    spans_arr = np.asarray(spans, dtype=np.int64).reshape(-1, 3)
    rows = idx[spans_arr[:, 0]]
    triples = np.column_stack([seg_arr[rows], spans_arr[:, 1], spans_arr[:, 2]]).astype("<i8")
    src = src_arr[rows]
    order = np.argsort(src, kind="stable")
    src, triples = src[order], triples[order]
    bounds = np.searchsorted(src, sources + [np.iinfo(np.int64).max]).tolist()
    blob = triples.tobytes()
    size = triples.itemsize * 3
    return blob, [(sid, blob[size * bounds[k]:size * bounds[k + 1]]) for k, sid in enumerate(sources)]


def _lacking_segments(segments: _Segments, unpacked: dict) -> dict[int, set]:
    """Source id → the ids of its segments in ``segments`` that ``unpacked`` (source id →
    (segment ids, annotations)) has no annotations for; sources lacking none are left out."""
    order = np.argsort(segments.sources, kind="stable")
    sources, ids = segments.sources[order], segments.ids[order]
    cut = np.flatnonzero(np.diff(sources)) + 1
    lacking = {}
    for sid, group in zip(sources[np.r_[0, cut]].tolist() if len(sources) else [], np.split(ids, cut)):
        have = unpacked.get(sid)
        need = set(group.tolist()) - set(have[0]) if have else set(group.tolist())
        if need:
            lacking[sid] = need
    return lacking


class _LazyTexts:
    """The texts of the segments being coded, read from the store on first use."""

    def __init__(self, store, seg_ids: list[int], src_ids: list[int],
                 texts: Optional[dict[int, str]] = None, sources: Optional[set[int]] = None):
        self.store, self.seg_ids, self.src_ids = store, seg_ids, src_ids
        # texts already read (segment id -> text) and the sources they are all the texts of
        self._texts: dict[int, str] = texts if texts is not None else {}
        self._loaded: set[int] = sources if sources is not None else set()

    def __len__(self) -> int:
        return len(self.seg_ids)

    def subset(self, idx: list[int]) -> list[str]:
        """The texts of the segments at these positions (their sources read once)."""
        needed = sorted({self.src_ids[i] for i in idx} - self._loaded)
        if needed:
            self._texts.update(self.store.segment_texts(needed))
            self._loaded.update(needed)
        return [self._texts[self.seg_ids[i]] for i in idx]

    def __getitem__(self, item):
        if isinstance(item, slice):
            return _TextsView(self, range(len(self))[item])
        return self.subset([item])[0]


class _TextsView:
    """A slice of :class:`_LazyTexts`; turned into real texts only if a pattern needs them."""

    def __init__(self, parent: _LazyTexts, rows: range):
        self.parent, self.rows = parent, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.parent.subset(list(self.rows)))

    def __getitem__(self, i):
        return self.parent.subset([self.rows[i]])[0]
