"""spaCy's tokenizer in a process of its own, on the second core.

``import spacy`` and ``spacy.blank(lang)`` take about a second, most of a small project's first
coding run.  The run starts this process first thing (:func:`start_tokenizer`); it loads spaCy
while the run's own process reads the codebook and the texts and runs the codebook's
regular expressions, whose hits do not depend on tokens.  The texts go in batch by batch,
and the tokens come back per batch as what :func:`~qualcode.nlp.annotate.spacy_tokens` gives
(token starts and lengths, the distinct LOWER hashes, each token's index into them, tokens
per text) as raw arrays, with the forms of the hashes the process has not sent before; the
run's process lemmatises them and does everything else (:class:`~qualcode.nlp.annotate.
PendingAnnotations`).  The tokens are the same arrays as tokenising in the run's process.

The process is a :class:`~qualcode.workers.WorkerProcess` (``sys.executable -P -m
qualcode.nlp.token_worker <lang>``); each request and reply is one frame.  A text request
is ``T``, the number of texts, their lengths in code points and their UTF-8; the reply
header :data:`_HEAD` says how long each array is.  Any failure (the process ended or hung,
spaCy could not be loaded) comes back as an error here: nothing is written then.

>>> texts = ["Esim. hinta 10 €!", "", "😀 ym."]
>>> request = encode_texts(texts)
>>> decode_texts(request) == texts
True

This module imports neither numpy nor spaCy until a process needs them, so that the run can
start the process before it imports anything heavy.
"""
from __future__ import annotations

import struct
import sys
from typing import TYPE_CHECKING, Optional, Sequence

from ..workers import WorkerProcess, can_start, exception_of, serve

if TYPE_CHECKING:
    from .annotate import SpacyTokens

#: How long the run waits for one batch's tokens at most (seconds; the first waits for spaCy).
TIMEOUT_S = 300
#: texts, tokens, distinct hashes, new forms
_HEAD = struct.Struct("<IIII")
_COUNT = struct.Struct("<I")


class TokenizerProcessError(RuntimeError):
    """The tokenizer process failed: it ended or hung before it had answered, or it met an
    error (a bug, not something in the user's input)."""


class TokenWorker:
    """The tokenizer process of ``lang``: :meth:`submit` sends a batch of texts,
    :meth:`tokens` waits for its tokens, :meth:`close` stops the process whatever state it is
    in.  Use it as a context manager."""

    def __init__(self, lang: str, timeout: float = TIMEOUT_S):
        self.lang = lang
        self.timeout = timeout
        self._worker = WorkerProcess(__name__, (lang,), name="tokenizer")

    def __enter__(self) -> "TokenWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, texts: Sequence[str]) -> int:
        """Send a batch of texts; the number of its reply, for :meth:`tokens`."""
        self._worker.send(encode_texts(texts))
        return self._worker.sent - 1

    def tokens(self, request: int) -> tuple["SpacyTokens", dict[int, str]]:
        """The tokens of the batch ``request`` and the forms of the LOWER hashes the process
        had not sent before (hash -> form)."""
        return decode_tokens(self._reply(request, f"tokenising batch {request + 1}"))

    def ready(self, request: int) -> bool:
        """Whether the reply to ``request`` has come (or the process has ended)."""
        return self._worker.received() > request or self._worker.ended

    def specials(self) -> list[str]:
        """The special cases of the process's tokenizer (as kept in the per-machine cache)."""
        self._worker.send(b"S")
        data = self._reply(self._worker.sent - 1, "sending its special cases")
        return data.decode("utf-8").split("\n") if data else []

    def close(self) -> None:
        """End the process at once (nothing it does is worth waiting for) and let go of its
        pipes and files."""
        self._worker.close(kill=True)

    def _reply(self, request: int, doing: str) -> bytes:
        worker = self._worker
        if not worker.wait(request + 1, self.timeout):
            message = worker.missing(doing, "its tokens", self.timeout)
            self.close()
            raise TokenizerProcessError(message)
        ok, data = worker.reply(request)
        if not ok:
            import json

            raise exception_of(json.loads(data), lambda error: TokenizerProcessError(
                f"the tokenizer process failed at {doing}: {error}"))
        return data


def start_tokenizer(lang: str, in_process: bool = False) -> Optional[TokenWorker]:
    """The tokenizer process of ``lang`` (a :class:`TokenWorker`), started now; None when
    asked to tokenise in this process, when there is no second core, when no process can be
    started (no interpreter to start, e.g. in a frozen app), or when spaCy is loaded here
    already (e.g. in a notebook that coded before: the process is there to load it)."""
    if not can_start(in_process) or _spacy_loaded():
        return None
    try:
        return TokenWorker(lang)
    except OSError:
        return None


def _spacy_loaded() -> bool:
    return "spacy" in sys.modules


# --------------------------------------------------------------------------- the protocol

def encode_texts(texts: Sequence[str]) -> bytes:
    """A text request: ``T``, the number of texts, their lengths (code points) and their UTF-8."""
    from array import array

    lengths = array("I", map(len, texts))
    if sys.byteorder != "little":
        lengths.byteswap()
    return b"".join((b"T", _COUNT.pack(len(texts)), lengths.tobytes(),
                     "".join(texts).encode("utf-8", "surrogatepass")))


def decode_texts(request: bytes) -> list[str]:
    """The texts of a request of :func:`encode_texts`."""
    from array import array
    from itertools import accumulate

    (n,) = _COUNT.unpack_from(request, 1)
    lengths = array("I", request[1 + _COUNT.size:1 + _COUNT.size + 4 * n])
    if sys.byteorder != "little":
        lengths.byteswap()
    joined = request[1 + _COUNT.size + 4 * n:].decode("utf-8", "surrogatepass")
    ends = list(accumulate(lengths))
    return [joined[a:b] for a, b in zip([0, *ends[:-1]], ends)]


def encode_tokens(tokens: "SpacyTokens", strings, sent: set) -> bytes:
    """A reply: the arrays of ``tokens`` and the forms (from ``strings``, spaCy's StringStore)
    of the hashes not in ``sent`` (which gains them)."""
    import numpy as np

    uniq = tokens.uniq.tolist()
    new = [i for i, h in enumerate(uniq) if h not in sent]
    sent.update(uniq[i] for i in new)
    forms = [strings[uniq[i]] for i in new]
    return b"".join((
        _HEAD.pack(len(tokens.counts), len(tokens.starts), len(uniq), len(new)),
        tokens.counts.astype("<u4").tobytes(), tokens.starts.astype("<u4").tobytes(),
        tokens.lengths.astype("<u4").tobytes(), tokens.inverse.astype("<u4").tobytes(),
        tokens.uniq.astype("<u8").tobytes(), np.asarray(new, dtype="<u4").tobytes(),
        np.fromiter(map(len, forms), dtype="<u4", count=len(forms)).tobytes(),
        "".join(forms).encode("utf-8", "surrogatepass"),
    ))


def decode_tokens(data: bytes) -> tuple["SpacyTokens", dict[int, str]]:
    """The tokens of a reply of :func:`encode_tokens` and its new forms (hash -> form)."""
    import numpy as np

    from .annotate import SpacyTokens

    n_texts, n_tokens, n_uniq, n_new = _HEAD.unpack_from(data)
    pos = _HEAD.size

    def take(dtype: str, count: int) -> np.ndarray:
        nonlocal pos
        arr = np.frombuffer(data, dtype=dtype, count=count, offset=pos)
        pos += arr.nbytes
        return arr

    counts, starts, lengths, inverse = (take("<u4", n).astype(np.int64)
                                        for n in (n_texts, n_tokens, n_tokens, n_tokens))
    uniq = take("<u8", n_uniq).astype(np.uint64)
    new, form_lengths = take("<u4", n_new), take("<u4", n_new)
    joined = data[pos:].decode("utf-8", "surrogatepass")
    ends = np.cumsum(form_lengths).tolist()
    hashes = uniq[new].tolist()
    strings = {h: joined[a:b] for h, a, b in zip(hashes, [0, *ends[:-1]], ends)}
    return SpacyTokens(starts, lengths, uniq, inverse, counts, np.empty(0, dtype=np.int64)), strings


# --------------------------------------------------------------------------- the process itself

def main(lang: str, stdin=None, stdout=None) -> None:
    """Tokenise the batches of texts that come in on ``stdin`` and answer each on
    ``stdout``; return at the end of the input."""
    state: dict = {"sent": set()}

    def load() -> None:
        from .annotate import blank_pipeline

        state["nlp"] = blank_pipeline(lang)

    def handle(request: bytes) -> bytes:
        from .annotate import no_tokens, spacy_tokens

        tokenizer = state["nlp"].tokenizer
        if request[:1] == b"S":
            return "\n".join(sorted(s for s in tokenizer.rules if s and not any(c.isspace() for c in s))).encode("utf-8")
        if request[:1] != b"T":
            raise ValueError(f"unknown request {request[:1]!r}")
        texts = decode_texts(request)
        tokens = spacy_tokens(tokenizer, texts) if texts else no_tokens(0)
        return encode_tokens(tokens, tokenizer.vocab.strings, state["sent"])

    serve(handle, load, stdin, stdout)


if __name__ == "__main__":
    main(sys.argv[1])
    # every reply is flushed: end here, without the interpreter's clean-up of spaCy
    sys.stderr.flush()
    import os

    os._exit(0)
