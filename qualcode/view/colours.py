"""A colour per code: each theme its own hue (the codebook's ``color`` or a palette), the
codes under it lighter and darker shades of that hue, so a mark's colour says its theme at a
glance and its code on a closer look.  A code with its own ``color`` keeps it.

>>> from qualcode.model import Code, Codebook
>>> cb = Codebook([Code("t", color="#1f77b4"), Code("a", parent="t"), Code("b", parent="t"), Code("u")])
>>> colours = code_colours(cb)
>>> colours["t"], colours["u"]
('#1f77b4', '#d55e00')
>>> len({colours["a"], colours["b"], colours["t"]})
3
"""
from __future__ import annotations

import colorsys
import re
from typing import Iterable, Optional

from ..model import Codebook

#: Theme hues when the codebook gives none: Okabe and Ito's palette, readable with the common
#: colour-vision deficiencies (yellow left out: too pale for a line under text).
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#7f3c8d", "#3d6b35")
#: Codings of a code the codebook no longer has.
UNKNOWN = "#777777"
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def _hex(value: Optional[str]) -> Optional[str]:
    m = _HEX.match(str(value or "").strip())
    return f"#{m.group(1).lower()}" if m else None


def shade(colour: str, i: int, n: int) -> str:
    """The ``i``-th of ``n`` shades of ``colour``: lightness spread from dark to light,
    alternating ends so that neighbours in the codebook differ most."""
    r, g, b = (int(colour[k:k + 2], 16) / 255 for k in (1, 3, 5))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    order = [(j // 2) if j % 2 == 0 else n - 1 - j // 2 for j in range(n)]
    step = order[i] / max(1, n - 1)
    r, g, b = colorsys.hls_to_rgb(h, 0.28 + 0.34 * step, max(0.45, s))
    return "#" + "".join(f"{round(v * 255):02x}" for v in (r, g, b))


def code_colours(codebook: Codebook) -> dict[str, str]:
    """``{code id: '#rrggbb'}`` for every code of the codebook."""
    out: dict[str, str] = {}
    themes = [c for c in codebook if not c.parent or c.parent not in codebook]
    for n, theme in enumerate(themes):
        base = _hex(theme.color) or PALETTE[n % len(PALETTE)]
        out[theme.id] = base
        below = [c for c in codebook if c.id != theme.id and codebook.root_of(c.id) == theme.id]
        for i, code in enumerate(below):
            out[code.id] = _hex(code.color) or shade(base, i, len(below))
    for code in codebook:   # a code in a parent cycle has no root: still coloured
        out.setdefault(code.id, _hex(code.color) or UNKNOWN)
    return out


def colour_css(classes: dict[str, str], colours: dict[str, str], scope: str = ".qcv") -> str:
    """CSS rules giving each code class its line colour ``--c`` and background tint ``--t``."""
    rules = [f"{scope} .k-none{{--c:{UNKNOWN};--t:{_tint(UNKNOWN)}}}"]
    for code_id, cls in classes.items():
        colour = colours.get(code_id, UNKNOWN)
        rules.append(f"{scope} .{cls}{{--c:{colour};--t:{_tint(colour)}}}")
    return "\n".join(rules)


def _tint(colour: str, alpha: float = 0.16) -> str:
    r, g, b = (int(colour[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def code_classes(code_ids: Iterable[str]) -> dict[str, str]:
    """A CSS class per code id (``k0``, ``k1`` … in the order given): ids may hold any
    character, classes may not."""
    return {cid: f"k{i}" for i, cid in enumerate(dict.fromkeys(code_ids))}
