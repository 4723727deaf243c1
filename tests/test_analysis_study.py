"""A small hand-built study shared by the analysis tests, and tests of effective_codings.

Codebook (codebook order):
  viestinta "Viestintä" (theme)
    paivitykset "Tilannepäivitykset" (negative, W)
      viikkoviesti "Viikkoviesti"
    portaali "Asiakasportaali" (positive, S)
  suositus "Suosittelu" (theme, O)
    referenssit "Referenssit" (positive)
  kilpailu "Kilpailijat" (theme, negative, T)
  kaytto "Käyttämätön" (theme, never used)

Informants H1–H4 (role asiakas/asiakas/kumppani/asiakas, segment KAM/muu/KAM/muu,
score 9/6/10/8).  Segments 1–8 (8 has no speaker, 9 is the interviewer).
"""
from __future__ import annotations

import pandas as pd

from qualcode.analysis import effective_codings
from qualcode.model import Code, Codebook

SEGMENTS = [
    # id, source, speaker, text
    (1, "a.txt", "H1", "Tilannepäivitykset puuttuivat projektista."),
    (2, "a.txt", "H1", "Asiakasportaali on kätevä."),
    (3, "a.txt", "H2", "Emme saaneet tilannepäivityksiä."),
    (4, "a.txt", "H2", "Suosittelisin teitä muille."),
    (5, "b.txt", "H3", "Portaali on hyvä ja suosittelen."),
    (6, "b.txt", "H3", "Kilpailijat tulevat väliin."),
    (7, "b.txt", "H4", "Viikkoviesti kertoisi etenemisestä."),
    (8, "b.txt", None, "Tilannepäivitykset puuttuivat projektista kokonaan."),
    (9, "a.txt", "Haastattelija", "Miten viestintä toimi?"),
]

CODINGS = [
    # coding_id, segment_id, code_id, status, valence, note, target
    (1, 1, "paivitykset", "accepted", None, "", None),
    (2, 2, "portaali", "manual", None, "", None),
    (3, 3, "paivitykset", "accepted", None, "", None),
    (4, 3, "paivitykset", "suggested", None, "", None),
    (5, 4, "referenssit", "accepted", None, "suosittelu muille", None),
    (6, 5, "portaali", "accepted", "mixed", "", None),
    (7, 5, "referenssit", "accepted", None, "", None),
    (8, 6, "kilpailu", "accepted", None, "", "myynti"),
    (9, 7, "viikkoviesti", "manual", "development_idea", "", None),
    (10, 8, "paivitykset", "accepted", None, "", None),
    (11, 1, "portaali", "rejected", None, "", None),
    (12, 6, "portaali", "suggested", None, "", None),
]


def codebook() -> Codebook:
    return Codebook(codes=[
        Code("viestinta", "Viestintä"),
        Code("paivitykset", "Tilannepäivitykset", parent="viestinta", valence="negative", swot="W"),
        Code("viikkoviesti", "Viikkoviesti", parent="paivitykset"),
        Code("portaali", "Asiakasportaali", parent="viestinta", valence="positive", swot="S"),
        Code("suositus", "Suosittelu", swot="O"),
        Code("referenssit", "Referenssit", parent="suositus", valence="positive"),
        Code("kilpailu", "Kilpailijat", valence="negative", swot="T"),
        Code("kaytto", "Käyttämätön"),
    ], language="fi")


def segments() -> pd.DataFrame:
    rows = []
    for i, (sid, src, spk, text) in enumerate(SEGMENTS):
        rows.append({"segment_id": sid, "source_id": 1 if src == "a.txt" else 2, "source": src,
                     "turn": i, "index": i, "speaker": spk, "is_interviewer": spk == "Haastattelija",
                     "theme": None, "start": 0, "end": len(text), "text": text, "line": i + 1})
    return pd.DataFrame(rows)


def codings() -> pd.DataFrame:
    seg = {s[0]: s for s in SEGMENTS}
    rows = []
    for cid, sid, code, status, valence, note, target in CODINGS:
        _, src, spk, text = seg[sid]
        rows.append({"coding_id": cid, "segment_id": sid, "source_id": 1 if src == "a.txt" else 2,
                     "source": src, "code_id": code, "start": 0, "end": len(text), "status": status,
                     "coder": "auto" if status == "suggested" else "tutkija", "rule": None,
                     "created_at": "2024-01-01T00:00:00+00:00", "valence": valence, "speaker": spk,
                     "quote": text, "segment_text": text, "note": note, "target": target})
    return pd.DataFrame(rows)


def informants() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["H1", "H2", "H3", "H4"],
        "role": ["asiakas", "asiakas", "kumppani", "asiakas"],
        "organisation": ["A", "B", "C", "D"], "date": None, "mode": "Teams",
        "duration_min": [40.0, 35.0, 50.0, 30.0],
        "segment": ["KAM", "muu", "KAM", "muu"], "score": [9, 6, 10, 8],
    })


def empty_codings() -> pd.DataFrame:
    return codings().iloc[0:0]


# --------------------------------------------------------------------------- tests

def test_effective_codings_default_keeps_accepted_and_manual_only():
    eff = effective_codings(codings())
    assert sorted(eff["coding_id"]) == [1, 2, 3, 5, 6, 7, 8, 9, 10]
    assert set(eff["status"]) == {"accepted", "manual"}


def test_effective_codings_with_suggested_never_rejected():
    eff = effective_codings(codings(), include_suggested=True)
    assert sorted(eff["coding_id"]) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert "rejected" not in set(eff["status"])


def test_effective_codings_empty_and_none_give_standard_columns():
    for frame in (None, pd.DataFrame(), empty_codings()):
        eff = effective_codings(frame)
        assert len(eff) == 0
        for col in ("segment_id", "code_id", "status", "speaker", "quote"):
            assert col in eff.columns


def test_the_analyses_of_one_study_prepare_its_codings_once(monkeypatch):
    """Every analysis prepares the codings (effective ones, segment fields filled): the
    analyses of one study do it once, each analysis working on its own copy."""
    from qualcode.analysis import themes
    from qualcode.analysis.study import Analyses, StudyFrames
    from qualcode.report.tables import all_tables

    made = []
    real = themes._prepare_codings
    monkeypatch.setattr(themes, "_prepare_codings", lambda *a: made.append(1) or real(*a))
    frames = StudyFrames(codings=codings(), segments=segments(), codebook=codebook(), informants=pd.DataFrame(
        {"code": ["H1", "H2", "H3", "H4"], "role": ["asiakas", "asiakas", "kumppani", "asiakas"]}))
    analyses = Analyses(frames)
    tables = all_tables(analyses, "fi")
    assert len(tables) > 8 and len(made) <= 2       # once by the analyses, once for the quote sheet
    before = len(made)
    with themes.prepared_once({}):
        first = themes.prepare_codings(frames.codings, frames.segments)
        first["code_id"] = "changed"                 # an analysis changes its copy …
        again = themes.prepare_codings(frames.codings, frames.segments)
        other = themes.prepare_codings(frames.codings, frames.segments, include_suggested=True)
    assert len(made) == before + 2
    assert "changed" not in set(again["code_id"])    # … the next one gets the prepared codings
    assert again.equals(themes.prepare_codings(frames.codings, frames.segments)) and len(other) > len(again)
