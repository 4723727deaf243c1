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
        frames are changed in place; the store is not touched).  Coding offsets move with
        the text."""
        from ..pseudonym import pseudonymise_frame, pseudonymise_frames

        k = self.key(key)
        lang = self._config.language
        texts = {int(s): self._store.source_text(int(s)) for s in frames.segments["source_id"].unique()}
        frames.segments, frames.codings = pseudonymise_frames(frames.segments, frames.codings, k,
                                                              lang=lang, source_texts=texts)
        frames.informants = pseudonymise_frame(frames.informants, k)
        frames.sources = pseudonymise_frame(frames.sources, k)
        frames.audit = pseudonymise_frame(frames.audit, k)
        import pandas as pd

        frames.title = pseudonymise_frame(pd.DataFrame({"t": [frames.title]}), k)["t"].iloc[0]

    def pseudonymise(self, key=None) -> pd.DataFrame:
        """Replace the key's names (in every inflected form), e-mails, phone numbers, identity
        codes, IBANs and URLs in the stored texts, in one transaction.  Segments, turns and
        every coding are moved with the text, so they point at the same words afterwards.
        The original files in transcripts/ are not touched.  Returns replacements per source."""
        import pandas as pd

        from ..coding.engine import forget_coding_state
        from ..pseudonym import pseudonymise_text, pseudonymise_value, remap_span

        k = self.key(key)
        lang = self._config.language

        def rewrite_text(text: str):
            pseudo = pseudonymise_text(text, k, lang=lang)
            if not pseudo.replacements:
                return None
            return pseudo.text, lambda a, b: remap_span(a, b, pseudo), len(pseudo.replacements)

        with self._store.transaction():
            rewritten = self._store.rewrite_texts(rewrite_text, lambda v: pseudonymise_value(v, k, lang))
            forget_coding_state(self._store)   # re-match everything next time
            rows = [{"source": name, "replacements": result[2]} for name, result in rewritten]
            self._project._log("pseudonymise", f"{len(rows)} sources",
                               details={"replacements": int(sum(r["replacements"] for r in rows))})
        return pd.DataFrame(rows, columns=["source", "replacements"])

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
        store_hits = pd.DataFrame(rows, columns=ANONYMITY_COLUMNS)
        frames = [f for f in (hits, store_hits) if f is not None and len(f)]
        return pd.concat(frames, ignore_index=True) if frames else store_hits
