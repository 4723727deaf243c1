"""``project.privacy``: the pseudonymisation key, rewriting the stored texts, and the
anonymity check before files are shared."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..errors import QualcodeError
from . import Namespace

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd

ANONYMITY_COLUMNS = ["file", "location", "found", "kind"]


class ProjectPrivacy(Namespace):
    """Pseudonyms in the store, in reports and in exports."""

    _attr = "privacy"

    def key(self, key=None):
        """The pseudonymisation key: ``key`` (a path, a {name: pseudonym} mapping or a
        PseudonymKey) or ``key_file`` from qualcode.toml.  A key file inside the project folder
        is refused: it must never travel with the data."""
        from ..pseudonym import PseudonymKey, check_key_location, load_key

        if key is None or key is True:
            if not self._config.key_file:
                raise QualcodeError("no pseudonymisation key: set key_file in qualcode.toml to a file outside "
                                    "the project (e.g. in your home folder), or give a key file")
            key = self._config.key_file
        if not isinstance(key, (str, Path)):
            return PseudonymKey.coerce(key)
        path = Path(key).expanduser()
        if not path.is_absolute():
            path = self._project.root / path
        check_key_location(path, self._project.root)
        if not path.is_file():
            raise QualcodeError("the key file does not exist; check key_file in qualcode.toml", path=str(path))
        return load_key(path)

    def key_for_output(self, pseudonymise=None):
        """The key an output should use: ``pseudonymise`` (False, True, a key or a path) or,
        when it is None, qualcode.toml's ``pseudonymise``; None means no pseudonyms."""
        if pseudonymise is None:
            pseudonymise = self._config.pseudonymise
        return self.key(pseudonymise) if pseudonymise else None

    def pseudonymise_frames(self, frames, key=None) -> None:
        """Replace names and identifying details in everything a report or view shows (the
        frames are changed in place; the store and the project's files are not touched):
        texts, quotes and reviewers' notes (coding offsets move with the text), source and
        informant names, the audit trail, the title, and what was read from the project's
        files — the codebook, the construct files, the interview frames and the type rules."""
        from ..pseudonym import pseudonymise_frame, pseudonymise_frames, pseudonymise_value
        from ..pseudonym.frames import pseudonymise_file_name
        from ..pseudonym.objects import pseudonymise_object

        k = self.key(key)
        lang = self._config.language
        texts = {int(s): self._store.source_text(int(s)) for s in frames.segments["source_id"].unique()}
        frames.segments, frames.codings = pseudonymise_frames(frames.segments, frames.codings, k,
                                                              lang=lang, source_texts=texts)
        frames.codings = pseudonymise_frame(frames.codings, k, columns=["note", "coder", "target"], lang=lang)
        frames.informants = pseudonymise_frame(frames.informants, k, lang=lang)
        frames.sources = pseudonymise_frame(frames.sources, k, lang=lang)
        if "name" in frames.sources.columns:
            frames.sources["name"] = frames.sources["name"].map(lambda v: pseudonymise_file_name(v, k, lang))
        frames.audit = pseudonymise_frame(frames.audit, k, lang=lang)
        if "target" in frames.audit.columns:          # file names, often in lower case
            frames.audit["target"] = frames.audit["target"].map(lambda v: pseudonymise_file_name(v, k, lang))
        import pandas as pd

        frames.title = pseudonymise_frame(pd.DataFrame({"t": [frames.title]}), k)["t"].iloc[0]
        rewrite = lambda text: pseudonymise_value(text, k, lang)  # noqa: E731
        for part in ("codebook", "constructs", "interview_frames", "type_rules"):
            setattr(frames, part, pseudonymise_object(getattr(frames, part, None), rewrite))

    def sheet_codebook(self, codebook, segments: pd.DataFrame, key=True):
        """The codebook with its texts pseudonymised, for a review sheet of ``segments``;
        refused while the segments' texts or speakers still hold names from the key or other
        identifying details (a review
        sheet carries the texts as stored, for its import check)."""
        from ..pseudonym import find_hits, pseudonymise_value
        from ..pseudonym.objects import pseudonymise_object

        k = self.key(key)
        for row in segments.itertuples():
            for value in (row.text, row.speaker):
                if isinstance(value, str) and find_hits(value, k):
                    raise QualcodeError(f"segment {row.segment_id} of '{row.source}' still holds a name from the "
                                        "key or an identifying detail; pseudonymise the stored texts first, since a review sheet "
                                        "carries them as stored")
        return pseudonymise_object(codebook, lambda t: pseudonymise_value(t, k, self._config.language))

    def pseudonymise(self, key=None) -> pd.DataFrame:
        """Replace the key's names (in every inflected form), e-mails, phone numbers, identity
        codes, IBANs and URLs in everything the store holds, in one transaction: the source
        texts (segments, turns and every coding move with the text, so they point at the same
        words afterwards), memos, source names, reviewers' coding notes, the audit trail,
        speakers, themes, informants, the stored codebook copies and the word list.  The
        files in the project folder (transcripts, the codebook, the construct files) are not
        touched.  Returns one row per kind of field: ``field``, ``rewritten`` (how many
        changed) and ``replacements`` (names and details replaced in the source texts)."""
        import pandas as pd

        from ..coding.engine import forget_coding_state
        from ..pseudonym import pseudonymise_text, pseudonymise_value, remap_span
        from ..pseudonym.frames import pseudonymise_file_name

        k = self.key(key)
        lang = self._config.language

        def rewrite_text(text: str):
            pseudo = pseudonymise_text(text, k, lang=lang)
            if not pseudo.replacements:
                return None
            return pseudo.text, lambda a, b: remap_span(a, b, pseudo), len(pseudo.replacements)


        memos_before = self._store.memos_frame()["text"].tolist()
        with self._store.transaction():
            rewritten = self._store.rewrite_texts(rewrite_text, lambda v: pseudonymise_value(v, k, lang))
            memos = sum(a != b for a, b in zip(memos_before, self._store.memos_frame()["text"]))
            fields = self._store.rewrite_fields(lambda v: pseudonymise_value(v, k, lang),
                                                lambda v: pseudonymise_file_name(v, k, lang))
            forget_coding_state(self._store)   # re-match everything next time
            replaced = int(sum(result[2] for _, result in rewritten))
            rows = [{"field": "source texts", "rewritten": len(rewritten), "replacements": replaced},
                    {"field": "memos", "rewritten": int(memos), "replacements": 0}]
            rows += [{"field": what, "rewritten": n, "replacements": 0} for what, n in fields.items()]
            self._project._log("pseudonymise", f"{len(rewritten)} sources",
                               details={"replacements": replaced, **{r["field"]: r["rewritten"] for r in rows}})
        return pd.DataFrame(rows, columns=["field", "rewritten", "replacements"])

    def check_anonymity(self, paths=None, key=None) -> pd.DataFrame:
        """Every name from the key and every e-mail, phone number, identity code, IBAN and URL
        found in the given files (xlsx, docx, qdpx, md, txt, csv, html) and in the store."""
        import pandas as pd

        from ..pseudonym import check_anonymity, scan_text

        k = self.key(key)
        files = [Path(p) for p in (paths or [])]
        for f in files:
            if not f.exists():
                raise QualcodeError("this file does not exist; check the path", path=str(f))
        hits = check_anonymity(files, k) if files else None
        rows = []
        for name, text in self._store.active_source_texts():
            for hit in scan_text(text, k).itertuples():
                line = text.count("\n", 0, hit.start) + 1
                rows.append({"file": f"store:{name}", "location": f"line {line}", "found": hit.found,
                             "kind": hit.kind})
        for what, row, text in self._store.private_fields():   # names, notes, audit … (underscores as spaces)
            for hit in scan_text(text.replace("_", " "), k).itertuples():
                rows.append({"file": f"store:{what}", "location": f"row {row}", "found": text[hit.start:hit.end],
                             "kind": hit.kind})
        store_hits = pd.DataFrame(rows, columns=ANONYMITY_COLUMNS)
        frames = [f for f in (hits, store_hits) if f is not None and len(f)]
        return pd.concat(frames, ignore_index=True) if frames else store_hits
