"""The transcript view: every source with its codings marked at their exact offsets, as a
folder of HTML pages that opens from the disk (``qualcode view``) and as notebook output
(``project.show``).  It takes frames (:class:`ViewFrames`), never a project.

>>> import pandas as pd
>>> from qualcode.model import Code, Codebook
>>> segments = pd.DataFrame({"segment_id": [1], "source_id": [1], "source": ["H1.txt"], "turn": [0],
...     "index": [0], "speaker": ["H1"], "is_interviewer": [False], "theme": [None], "start": [4],
...     "end": [25], "text": ["Tuki <vastaa> 😀 hyvin"], "line": [1]})
>>> codings = pd.DataFrame({"coding_id": [7], "segment_id": [1], "source_id": [1], "source": ["H1.txt"],
...     "code_id": ["tuki"], "start": [20], "end": [25], "status": ["accepted"], "coder": ["tutkija"],
...     "rule": ["keyword:hyvin"], "valence": [None], "quote": ["hyvin"]})
>>> frames = ViewFrames(segments, codings, Codebook([Code("tuki", name="Tuki")]))
>>> html = show_source(frames, 1, lang="en").html
>>> '&lt;vastaa&gt; 😀 <span class="m k0 s-accepted d0 p" data-k="7"' in html
True
"""
from __future__ import annotations

from .frames import STATUSES, ViewFrames
from .marks import Mark, mark_text
from .notebook import Highlighted, select_codings, show_codings, show_source
from .output import write_view
from .pages import render_pages

__all__ = ["ViewFrames", "STATUSES", "Mark", "mark_text", "Highlighted", "select_codings", "show_source",
           "show_codings", "write_view", "render_pages"]
