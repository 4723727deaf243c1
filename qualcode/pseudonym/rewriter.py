"""A text rewriter for exports: one pseudonymisation key applied to values and to texts whose
offsets must follow.

Exporters (e.g. the REFI-QDA export) take it duck-typed, so they need not import this
package: ``rewrite(value)`` for a name, a title or a cell, ``rewrite_with_map(text)`` for a
source text that selections point into.

>>> rw = TextRewriter({"Virtanen": "H1"})
>>> rw.rewrite("Virtaselle soitettiin."), rw.rewrite(3)
('H1:lle soitettiin.', 3)
>>> text, new_offset = rw.rewrite_with_map("Soita Virtaselle nyt.")
>>> text, text[new_offset(6):new_offset(16, True)], text[new_offset(17):]
('Soita H1:lle nyt.', 'H1:lle', 'nyt.')
"""
from __future__ import annotations

from typing import Any, Callable

from .key import PseudonymKey
from .frames import pseudonymise_file_name
from .replace import pseudonymise_text, remap_span


class TextRewriter:
    """Replace every inflected form of the key's names (``Virtaselle`` → ``H1:lle``),
    e-mails, phone numbers, identity codes, IBANs and URLs; ``lang`` chooses the labels of
    the replaced patterns (``[sähköposti]`` / ``[email]``).

    ``key`` is a :class:`~qualcode.pseudonym.PseudonymKey`, a ``{name: pseudonym}`` mapping
    or a key-file path.
    """

    def __init__(self, key, lang: str = "fi"):
        self.key = PseudonymKey.coerce(key)
        self.lang = lang

    def rewrite(self, value: Any) -> Any:
        """``value`` pseudonymised when it is a non-empty text, else unchanged."""
        if not isinstance(value, str) or not value:
            return value
        return pseudonymise_text(value, self.key, lang=self.lang).text

    def rewrite_name(self, value: Any) -> Any:
        """A source or file name pseudonymised: underscores and hyphens count as spaces and
        names in lower case count too (``virtanen_matti.docx``)."""
        return pseudonymise_file_name(value, self.key, self.lang)

    def rewrite_with_map(self, text: str) -> tuple[str, Callable[..., int]]:
        """The pseudonymised text and ``new_offset(pos, end=False)``, which maps an offset of
        ``text`` onto it (``end=True`` for an exclusive span end)."""
        pseudo = pseudonymise_text(text, self.key, lang=self.lang)

        def new_offset(pos: int, end: bool = False) -> int:
            if end:
                return remap_span(max(pos - 1, 0), pos, pseudo)[1]
            return remap_span(pos, min(pos + 1, len(text)), pseudo)[0]

        return pseudo.text, new_offset
