"""The REFI-QDA exchange without a project: an import plan read from an archive, the export
written from plain data, the store methods that apply a plan, and the text rewriter."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from qualcode.errors import QualcodeError
from qualcode.interop.qdpx_data import DATA_NOTE_NAME
from qualcode.interop.qdpx_export import ExchangeData, export_qdpx
from qualcode.interop.qdpx_import import StagedCodebook, import_qdpx
from qualcode.interop.refi import NS
from qualcode.model import AuditEvent, Code, Codebook, Coding, Memo, Segment, Source, Turn
from qualcode.project import Project
from qualcode.pseudonym.rewriter import TextRewriter
from qualcode.store import SQLiteStore

ET = pytest.importorskip("defusedxml.ElementTree")

DATA = Path(__file__).parent / "data" / "refi"
N = f"{{{NS}}}"
ANNA_TEXT = (DATA / "handmade" / "sources" / "6D1A2B3C-4D5E-4F60-8172-93A4B5C6D7E8.txt").read_bytes().decode("utf-8")


def _handmade(tmp_path: Path) -> Path:
    target = tmp_path / "handmade.qdpx"
    folder = DATA / "handmade"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    return target


# ------------------------------------------------------------------------- the plan


def test_plan_is_read_from_an_archive_without_a_project(tmp_path):
    archive = _handmade(tmp_path)
    plan = import_qdpx(archive, language="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handmade.qdpx"]     # nothing written
    # sources: the texts exactly, split into segments with speakers (K2 by its SourceRef)
    names = [s.source.name for s in plan.sources]
    assert names == ["Interview Anna", "Kysely K2"]
    anna, survey = plan.sources
    assert anna.source.text == ANNA_TEXT and anna.source.version == 1 and anna.source.id is None
    assert anna.guid == "6d1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8"
    assert [(g.speaker, g.text[:14]) for g in anna.segments] == [
        ("Interviewer", "How did the on"), ("Anna", "Honestly \U0001f600 the"), ("Anna", "I would like a")]
    assert all(anna.source.text[g.start:g.end] == g.text for g in anna.segments)
    assert {g.speaker for g in survey.segments} == {"K2"}
    # codings: the file's exact offsets, each on the segment holding its start
    got = [(names[i], j, c.start, c.end, c.code_id, c.coder, c.status, c.created_at)
           for i, j, c in plan.codings]
    assert got == [
        ("Interview Anna", 1, 58, 82, "speed", "Maria", "manual", "2023-05-04T10:00:00+00:00"),
        ("Interview Anna", 1, 88, 112, "billing_invoices", "Maria", "manual", "2023-05-04T10:02:00+00:00"),
        ("Interview Anna", 1, 92, 157, "toiveet", "Jussi", "manual", "2023-05-05T08:30:00+00:00"),
        ("Kysely K2", 1, 29, 69, "billing_invoices", "Jussi", "manual", "2023-05-05T08:40:00+00:00")]
    assert ANNA_TEXT[58:82] == "the onboarding was quick"
    assert all(c.segment_id is None and c.source_id is None for _, _, c in plan.codings)
    # the codebook: ascii ids, hierarchy, colours, in the project's language
    assert [(c.id, c.name, c.parent, c.color) for c in plan.codebook.codes] == [
        ("experience", "Experience", None, None), ("speed", "Speed", "experience", "#00AA00"),
        ("billing_invoices", "Billing & invoices", "experience", "#C00"), ("toiveet", "Toiveet", None, None)]
    assert (plan.codebook.language, plan.codebook.name) == ("en", "Onboarding pilot")
    assert plan.code_ids["c0de0000-0000-4000-8000-000000000003"] == "billing_invoices"
    # informants, memos (the selection's note points at Anna's segment), kept elements
    assert [(i.code, i.date.isoformat() if i.date else None, i.attributes) for i in plan.informants] == [
        ("Anna", "2023-04-18", {"Age": 34, "Segment": "small business"}),
        ("K2", None, {"Segment": "kuluttaja", "Returning": True})]
    assert [(m.text, m.target_type, m.target_id, m.coder, where) for m, where in plan.memos] == [
        ("Coding round one finished.", "project", None, "Jussi", None),
        ("Compare with the second round of interviews.", "segment", None, "Maria", (0, 1))]
    assert plan.guids["source"] == {"Interview Anna": "6d1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8",
                                    "Kysely K2": "5b000000-0000-4000-8000-000000000002"}
    assert len(plan.extras["project"]) == 2 and len(plan.extras["sources"]) == 1
    assert any("PictureSource" in w for w in plan.warnings)
    report = plan.report()
    assert (report.sources, report.codes, report.codings, report.informants, report.variables, report.memos) == \
        (2, 4, 4, 2, 4, 2)


def test_plan_takes_the_project_state_as_arguments(tmp_path):
    archive = _handmade(tmp_path)
    plan = import_qdpx(archive, source_versions={"Kysely K2": 3}, interviewer_labels=["Anna"])
    versions = {s.source.name: s.source.version for s in plan.sources}
    assert versions == {"Interview Anna": 1, "Kysely K2": 4}
    assert any("already has a source 'Kysely K2'; the imported text becomes version 4" in w for w in plan.warnings)
    assert [g.is_interviewer for g in plan.sources[0].segments] == [True, True, True]
    many = tmp_path / "many.qdpx"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(31):
            zf.writestr(f"x{i}.txt", "x")
    with pytest.raises(QualcodeError, match="31 members, more than the limit of 20"):
        import_qdpx(many, max_members=20)


def test_applying_the_plan_stores_what_it_says(tmp_path):
    archive = _handmade(tmp_path)
    plan = import_qdpx(archive)
    project = Project.init(tmp_path / "study", title="Tuonti")
    report = project.exchange.import_qdpx(archive)
    # the same codings, now on stored segments: the segment at the planned index of its source
    segs = project.segments()
    by_index = {(r.source, r.index): int(r.segment_id) for r in segs.itertuples(index=False)}
    names = [s.source.name for s in plan.sources]
    expected = sorted((names[i], c.start, c.end, c.code_id, c.coder, by_index[(names[i], j)])
                      for i, j, c in plan.codings)
    stored = sorted((r.source, r.start, r.end, r.code_id, r.coder, r.segment_id)
                    for r in project.codings().itertuples(index=False))
    assert stored == expected
    memo = project.coding.memos().set_index("target_type").loc["segment"]
    assert int(memo["target_id"]) == by_index[("Interview Anna", 1)]
    # the report counts what the plan held; the codebook file appeared after the commit
    assert (report.sources, report.codings, report.memos) == (2, 4, 2)
    assert report.codebook_path == project.root / "codebooks" / "onboarding-pilot.yaml"
    assert [c.id for c in project.codebook()] == [c.id for c in plan.codebook.codes]
    assert json.loads(project.store.get_meta("refi_guids"))["code"]["toiveet"] == \
        "c0de0000-0000-4000-8000-000000000004"
    # a second import merges: the same texts are the same versions, nothing is added twice,
    # and the codebook (the same codes) is not written again
    before = (project.store.counts(), project.coding.memos().shape, sorted(p.name for p in (project.root /
                                                                                          "codebooks").iterdir()))
    merged = project.exchange.import_qdpx(archive)
    assert (merged.sources, merged.merged_sources, merged.codings, merged.memos) == (0, 2, 0, 0)
    assert merged.codebook_path is None and merged.already_there == 6
    assert (project.store.counts(), project.coding.memos().shape,
            sorted(p.name for p in (project.root / "codebooks").iterdir())) == before
    assert project.store.source_versions() == {"Interview Anna": 1, "Kysely K2": 1}
    # asked for new versions: new source versions, a second codebook file, the other one named
    again = project.exchange.import_qdpx(archive, new_version=True)
    assert again.codebook_path.name == "onboarding-pilot-2.yaml"
    assert any("next to onboarding-pilot.yaml" in w for w in again.warnings)
    versions = project.store.source_versions()
    assert versions == {"Interview Anna": 2, "Kysely K2": 2}
    # kept elements are not doubled
    assert len(project.store.exchange_extras()["project"]) == 2
    project.close()


# ------------------------------------------------------------------- the store part


def _source(name: str, text: str):
    seg = Segment(None, None, 0, 0, 0, len(text), text, "H1")
    return Source(None, name, text, "txt", name), [Turn(None, 0, 0, len(text), "H1")], [seg]


def test_store_import_is_all_or_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "p.db", create=True)
    before = store.counts(), store.memos_frame().shape, store.get_meta("refi_guids")
    bad_memo = (Memo("x", "segment"), (0, 5))        # no segment with index 5: fails after the codings
    with pytest.raises(KeyError):
        store.add_exchange_import(
            sources=[_source("a.txt", "Hei.")], codings=[(0, 0, Coding("k", None, 0, 3, "manual", "m"))],
            informants=[], memos=[bad_memo], codebook=None, guids={"source": {"a.txt": "g"}},
            extras={"project": [], "sources": [], "files": {}}, event=AuditEvent("import qdpx"))
    assert (store.counts(), store.memos_frame().shape, store.get_meta("refi_guids")) == before
    store.close()


def test_store_remembers_guids_and_keeps_extras_once(tmp_path):
    store = SQLiteStore(tmp_path / "p.db", create=True)
    kept = {"project": ["<Sets/>"], "sources": ["<PictureSource/>"], "files": {"sources/p.jpg": "AA=="}}
    for name, guid in (("a.txt", "g1"), ("b.txt", "g2")):
        store.add_exchange_import(sources=[_source(name, "Hei.")], codings=[], informants=[], memos=[],
                                  codebook=None, guids={"source": {name: guid}, "code": {}}, extras=kept,
                                  event=AuditEvent("import qdpx"))
    assert store.exchange_guids() == {"source": {"a.txt": "g1", "b.txt": "g2"}}    # no empty kinds
    assert store.exchange_extras() == kept
    assert [r[1] for r in store.exchange_sources()] == ["a.txt", "b.txt"]
    store.set_meta("refi_guids", "not json")
    assert store.exchange_guids() == {}
    store.close()


def test_staged_codebook_appears_only_when_the_block_succeeds(tmp_path):
    cb = Codebook(codes=[Code("nopeus", name="Nopeus")], name="Pilotti", language="fi")
    with pytest.raises(RuntimeError):
        with StagedCodebook(cb, tmp_path / "codebooks"):
            raise RuntimeError("the store failed")
    assert list((tmp_path / "codebooks").iterdir()) == []
    with StagedCodebook(cb, tmp_path / "codebooks") as staged:
        assert not staged.path.exists()
    assert staged.path.name == "pilotti.yaml" and staged.path.is_file() and staged.warnings == []
    with StagedCodebook(Codebook(codes=[]), tmp_path / "empty") as none:
        pass
    assert none.path is None and not (tmp_path / "empty").exists()


# -------------------------------------------------------------------------- export


def _data(**kw) -> ExchangeData:
    text = "H1: Matti Virtanen vastasi nopeasti.\n"
    values = dict(
        title="Pilotti Virtanen", coder="researcher", created_at="2024-03-01T09:00:00+00:00",
        codes=[Code("nopeus", name="Nopeus")],
        sources=[(1, "H1.txt", text, "2024-03-01T09:00:00+00:00", {"kieli": "fi"})],
        informants=[("H1", {"role": "asiakas", "age": 41})],
        segments=pd.DataFrame({"segment_id": [7], "source_id": [1], "start": [4], "end": [len(text) - 1],
                               "speaker": ["H1"], "is_interviewer": [False]}),
        codings=pd.DataFrame({
            "coding_id": [1, 2], "segment_id": [7, 7], "source_id": [1, 1], "code_id": ["nopeus", "muu"],
            "start": [27, 4], "end": [35, 36], "status": ["manual", "suggested"], "coder": ["researcher", "auto"],
            "created_at": ["2024-03-02T10:00:00+00:00"] * 2, "note": ["Virtanen kiitti.", ""]}),
        memos=pd.DataFrame({"memo_id": [1], "target_type": ["segment"], "target_id": ["7"],
                            "text": ["Virtasen muistio."], "coder": ["researcher"],
                            "created_at": ["2024-03-03T10:00:00+00:00"]}),
        origin="qualcode test")
    values.update(kw)
    return ExchangeData(**values)


def _archive(path: Path):
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        text = zf.read(next(n for n in zf.namelist() if n.startswith("sources/"))).decode("utf-8")
    return root, text


def test_export_from_plain_data(tmp_path):
    warnings: list[str] = []
    root, text = _archive(export_qdpx(_data(), tmp_path / "a.qdpx", include_suggested=True, warn=warnings.append))
    assert root.get("name") == "Pilotti Virtanen" and root.get("origin") == "qualcode test"
    assert warnings == ["code 'muu' is used by codings but is not in the codebook; exported as a top-level code"]
    spans = sorted((int(s.get("startPosition")), int(s.get("endPosition")), len(s.findall(f"{N}Coding")))
                   for s in root.iter(f"{N}PlainTextSelection"))
    assert spans == [(4, 36, 1), (27, 35, 1)]      # the case's whole segment, with the suggestion
    assert text[27:35] == "nopeasti"
    assert sorted(n.find(f"{N}PlainTextContent").text for n in root.iter(f"{N}Note")
                  if n.get("name") != DATA_NOTE_NAME) == [
        "Virtanen kiitti.", "Virtasen muistio."]
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{N}Variable")}
    assert variables == {"role": "Text", "age": "Integer", "kieli": "Text"}
    # without suggestions: the automatic coding and its unknown code stay out
    root, _ = _archive(export_qdpx(_data(), tmp_path / "b.qdpx"))
    assert [c.get("name") for c in root.iter(f"{N}Code")] == ["Nopeus"]


def test_export_with_a_rewriter_moves_offsets(tmp_path):
    out = export_qdpx(_data(), tmp_path / "p.qdpx", pseudonymiser=TextRewriter({"Matti Virtanen": "H9"}))
    root, text = _archive(out)
    assert text == "H1: H9 vastasi nopeasti.\n"
    sel = next(s for s in root.iter(f"{N}PlainTextSelection") if s.find(f"{N}Coding") is not None)
    assert text[int(sel.get("startPosition")):int(sel.get("endPosition"))] == "nopeasti"
    notes = sorted(n.find(f"{N}PlainTextContent").text for n in root.iter(f"{N}Note")
                  if n.get("name") != DATA_NOTE_NAME)
    assert notes == ["H9 kiitti.", "H9:n muistio."] and root.get("name") == "Pilotti H9"


def test_text_rewriter():
    rw = TextRewriter({"Virtanen": "H1"}, lang="en")
    assert rw.rewrite(None) is None and rw.rewrite("") == "" and rw.rewrite(7) == 7
    assert rw.rewrite("Mail virtanen@example.com") == "Mail [email]"
    text, new_offset = rw.rewrite_with_map("Virtasen kanssa.")
    assert text == "H1:n kanssa." and text[new_offset(9):new_offset(15, True)] == "kanssa"
    assert (new_offset(0), new_offset(8, True)) == (0, 4)
