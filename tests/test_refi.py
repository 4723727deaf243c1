"""REFI-QDA exchange: .qdpx round trip, a hand-made archive, .qdc, and hostile archives."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from qualcode.errors import QualcodeError
from qualcode.interop.qdpx_data import DATA_NOTE_NAME
from qualcode.interop.qdpx_import import import_qdpx
from qualcode.interop.refi import CODEBOOK_XSD, NS, PROJECT_XSD, export_qdc, import_qdc
from qualcode.model import AUTO_CODER, Coding, Memo
from qualcode.project import Project

xmlschema = pytest.importorskip("xmlschema")
ET = pytest.importorskip("defusedxml.ElementTree")

DATA = Path(__file__).parent / "data" / "refi"
N = f"{{{NS}}}"

H1_TEXT = (
    "Haastattelija: Miten projektin aloitus sujui?\n"
    "H1: Aloitus oli nopea 🚀 ja viestintä selkeää.\n"
    "\n"
    "Laskutus sen sijaan aiheutti päänvaivaa, koska laskut tulivat myöhässä.\n"
    "Haastattelija: Mitä toivoisit jatkossa?\n"
    "H1: Viikoittainen tilannekatsaus sähköpostilla olisi hyvä.\n"
)
H2_TEXT = (
    "I: How would you describe the price?\n"
    "H2: The price felt fair for what we got.\n"
    "H2: Support answered quickly, which I liked.\n"
)
INFORMANTS = (
    "code,role,organisation,date,mode,duration_min,age,segment\n"
    "H1,asiakas,Yritys Oy,2024-03-01,etä,45,41,pk-yritys\n"
    "H2,customer,Acme Ltd,2024-03-05,kasvokkain,30.5,29,enterprise\n"
)
CODEBOOK_YAML = """\
language: fi
codes:
  - id: kokemus
    name: Asiakaskokemus
    parent: null
    description: Miten asiakas koki palvelun kokonaisuutena.
    origin: theory
  - id: nopeus
    name: Nopeus
    parent: kokemus
    keywords: [nopea]
    color: "#33AA33"
  - id: laskutus
    name: Laskutus ja hinnoittelu
    parent: kokemus
    keywords: [lasku, hinta]
    valence: negative
  - id: toiveet
    name: Kehitystoiveet
    parent: null
    description: Ehdotukset palvelun parantamiseksi.
"""


# ----------------------------------------------------------------------------- helpers


def _make_project(root: Path) -> Project:
    project = Project.init(root, title="Vientipilotti")
    (root / "transcripts" / "H1.txt").write_text(H1_TEXT, encoding="utf-8")
    (root / "transcripts" / "H2.txt").write_text(H2_TEXT, encoding="utf-8")
    (root / "informants.csv").write_text(INFORMANTS, encoding="utf-8")
    (root / "codebooks" / "pilotti.yaml").write_text(CODEBOOK_YAML, encoding="utf-8")
    project.ingest([root / "transcripts"])
    project.codebook(root / "codebooks" / "pilotti.yaml")
    return project


def _seg(project: Project, text_start: str) -> dict:
    segs = project.segments()
    row = segs[segs["text"].str.startswith(text_start)].iloc[0]
    return {k: (int(row[k]) if k in ("segment_id", "source_id", "start", "end") else row[k])
            for k in ("segment_id", "source_id", "start", "end", "text")}


def _code_project(project: Project) -> None:
    a = _seg(project, "Aloitus oli nopea")
    b = _seg(project, "Laskutus sen sijaan")
    c = _seg(project, "Viikoittainen")
    d = _seg(project, "The price felt fair")
    e = _seg(project, "Support answered")
    project.coding.add(a["segment_id"], "kokemus")                              # whole segment
    fast = a["text"].index("nopea 🚀")
    project.coding.add(a["segment_id"], "nopeus", coder="toinen",
                start=a["start"] + fast, end=a["start"] + fast + len("nopea 🚀"), note="Emoji mukana.")
    project.coding.add(b["segment_id"], "laskutus")
    project.coding.add(c["segment_id"], "toiveet")
    project.coding.add(d["segment_id"], "laskutus", coder="toinen")
    # an automatic suggestion nobody decided on, and one a human rejected
    project.store.add_codings([
        Coding("nopeus", e["segment_id"], e["start"], e["end"], "suggested", AUTO_CODER, "keyword:quick",
               source_id=e["source_id"]),
        Coding("toiveet", d["segment_id"], d["start"], d["end"], "suggested", AUTO_CODER, "keyword:x",
               source_id=d["source_id"]),
    ])
    project.coding.reject(d["segment_id"], "toiveet")
    project.store.add_memo(Memo("Koko projektin muistio.", "project", None, "researcher"))
    project.store.add_memo(Memo("Lähteen muistio.", "source", "transcripts/H2.txt", "researcher"))
    project.store.add_memo(Memo("Kappaleen muistio.", "segment", str(b["segment_id"]), "toinen"))
    project.store.add_memo(Memo("Koodin muistio.", "code", "toiveet", "researcher"))


def _zip_dir(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    return target


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


def _validate(xml: bytes, xsd: Path) -> None:
    xmlschema.XMLSchema(str(xsd)).validate(io.BytesIO(xml))


def _coding_set(project: Project) -> set:
    df = project.codings()
    cb = project.codebook()
    return {(r.source, int(r.start), int(r.end), cb[r.code_id].name, r.coder, r.quote)
            for r in df.itertuples(index=False) if r.status in ("accepted", "manual")}


DECISION_COLUMNS = ["source", "code_id", "start", "end", "status", "coder", "rule", "valence", "note", "created_at"]


def _decisions(project: Project) -> list:
    """Every coding with all its fields but the row and segment ids, in a fixed order."""
    return sorted(map(tuple, project.codings()[DECISION_COLUMNS].astype(str).values.tolist()))


def _tree(project: Project) -> set:
    cb = project.codebook()
    return {(c.name, cb[c.parent].name if c.parent else None, c.description) for c in cb}


def _state(project: Project) -> dict:
    """What a failed import must leave unchanged."""
    q = project.store.conn.execute
    return {
        "counts": project.store.counts(),
        "memos": q("SELECT COUNT(*) FROM memos").fetchone()[0],
        "all_sources": q("SELECT COUNT(*) FROM sources").fetchone()[0],
        "codebooks": q("SELECT COUNT(*) FROM codebooks").fetchone()[0],
        "meta": q("SELECT key, value FROM meta ORDER BY key").fetchall(),
        "files": sorted(p.relative_to(project.root).as_posix() for p in project.root.rglob("*")
                        if ".qualcode" not in p.parts),
    }


# -------------------------------------------------------------------------- round trip


def test_export_validates_and_is_byte_identical(tmp_path):
    project = _make_project(tmp_path / "study")
    _code_project(project)
    first = project.exchange.export_qdpx(tmp_path / "a.qdpx")
    second = project.exchange.export_qdpx(tmp_path / "b.qdpx")
    assert first.read_bytes() == second.read_bytes()
    xml = _qde(first)
    _validate(xml, PROJECT_XSD)
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        assert names[0] == "project.qde"
        root = ET.fromstring(xml)
        for ts in root.iter(f"{N}TextSource"):
            member = "sources/" + ts.get("plainTextPath")[len("internal://"):]
            assert member in names
            text = zf.read(member).decode("utf-8")
            assert text == project.source_text(ts.get("name"))
    assert not list(tmp_path.glob(".*.tmp"))
    project.close()


def test_export_carries_users_codes_cases_notes(tmp_path):
    project = _make_project(tmp_path / "study")
    _code_project(project)
    root = ET.fromstring(_qde(project.exchange.export_qdpx(tmp_path / "a.qdpx")))
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{N}User")}
    assert {"researcher", "toinen", AUTO_CODER} <= set(users)
    top = root.find(f"{N}CodeBook/{N}Codes")
    assert [c.get("name") for c in top.findall(f"{N}Code")] == ["Asiakaskokemus", "Kehitystoiveet"]
    kids = top.find(f"{N}Code").findall(f"{N}Code")
    assert [(c.get("name"), c.get("color")) for c in kids] == [("Nopeus", "#33AA33"),
                                                               ("Laskutus ja hinnoittelu", None)]
    assert top.find(f"{N}Code/{N}Description").text == "Miten asiakas koki palvelun kokonaisuutena."
    # exact offsets and creating users
    h1 = next(t for t in root.iter(f"{N}TextSource") if t.get("name") == "transcripts/H1.txt")
    fast = H1_TEXT.index("nopea 🚀")
    sel = next(s for s in h1.findall(f"{N}PlainTextSelection") if s.get("startPosition") == str(fast))
    assert sel.get("endPosition") == str(fast + len("nopea 🚀"))
    coding = sel.find(f"{N}Coding")
    assert coding.get("creatingUser") == users["toinen"]
    # variables and typed values per case
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{N}Variable")}
    assert variables == {"role": "Text", "organisation": "Text", "date": "Date", "mode": "Text",
                         "duration_min": "Float", "age": "Integer", "segment": "Text"}
    case = next(c for c in root.iter(f"{N}Case") if c.get("name") == "H2")
    values = {v.find(f"{N}VariableRef").get("targetGUID"): v[1] for v in case.findall(f"{N}VariableValue")}
    by_name = {v.get("name"): v.get("guid") for v in root.iter(f"{N}Variable")}
    assert (values[by_name["age"]].tag, values[by_name["age"]].text) == (f"{N}IntegerValue", "29")
    assert (values[by_name["date"]].tag, values[by_name["date"]].text) == (f"{N}DateValue", "2024-03-05")
    assert values[by_name["duration_min"]].text == "30.5"
    # the case points at the selections of its own speech
    sel_by_guid = {s.get("guid"): s for s in root.iter(f"{N}PlainTextSelection")}
    spans = sorted((int(sel_by_guid[r.get("targetGUID")].get("startPosition")),
                    int(sel_by_guid[r.get("targetGUID")].get("endPosition")))
                   for r in case.findall(f"{N}SelectionRef"))
    assert [H2_TEXT[s:e] for s, e in spans] == ["The price felt fair for what we got.",
                                                 "Support answered quickly, which I liked."]
    # notes: one per memo plus the coding's note, each referenced where it belongs
    notes = {n.get("guid"): n.find(f"{N}PlainTextContent").text for n in root.iter(f"{N}Note")
                 if n.get("name") != DATA_NOTE_NAME}
    assert sorted(notes.values()) == sorted(["Koko projektin muistio.", "Lähteen muistio.",
                                             "Kappaleen muistio.", "Koodin muistio.", "Emoji mukana."])
    assert notes[root.find(f"{N}NoteRef").get("targetGUID")] == "Koko projektin muistio."
    assert notes[coding.find(f"{N}NoteRef").get("targetGUID")] == "Emoji mukana."
    project.close()


def test_suggestions_only_on_request_and_rejected_never(tmp_path):
    project = _make_project(tmp_path / "study")
    _code_project(project)

    def auto_codings(path):
        root = ET.fromstring(_qde(path))
        auto = next(u.get("guid") for u in root.iter(f"{N}User") if u.get("name") == AUTO_CODER)
        return [(s.get("startPosition"), s.get("endPosition")) for s in root.iter(f"{N}PlainTextSelection")
                for c in s.findall(f"{N}Coding") if c.get("creatingUser") == auto]

    assert auto_codings(project.exchange.export_qdpx(tmp_path / "human.qdpx")) == []
    e = _seg(project, "Support answered")
    # the rejected suggestion (toiveet on "The price felt fair…") stays out
    assert auto_codings(project.exchange.export_qdpx(tmp_path / "all.qdpx", include_suggested=True)) == [
        (str(e["start"]), str(e["end"]))]
    project.close()


def test_round_trip_into_fresh_project(tmp_path):
    project = _make_project(tmp_path / "study")
    _code_project(project)
    first = project.exchange.export_qdpx(tmp_path / "a.qdpx")
    fresh = Project.init(tmp_path / "copy", title="Kopio")
    report = fresh.exchange.import_qdpx(first)
    # five human codings, two suggestions and one rejection: every coding travels
    assert (report.sources, report.codes, report.codings, report.informants) == (2, 4, 8, 2)
    assert report.codebook_path == fresh.root / "codebooks" / "vientipilotti.yaml"
    assert report.codebook_path.is_file()
    # same texts, exactly
    for name in ("transcripts/H1.txt", "transcripts/H2.txt"):
        assert fresh.source_text(name) == project.source_text(name)
    # same codes and hierarchy (by name) and same human codings: offsets, code, coder, quote
    assert _tree(fresh) == _tree(project)
    assert _coding_set(fresh) == _coding_set(project)
    assert _decisions(fresh) == _decisions(project)
    assert sorted(fresh.codings()["status"]) == ["manual"] * 5 + ["rejected"] + ["suggested"] * 2
    # the coding note came back on the coding
    notes = fresh.codings().set_index("quote")["note"]
    assert notes["nopea 🚀"] == "Emoji mukana."
    # segments were rebuilt like an ingest: same spans and speakers
    cols = ["source", "speaker", "is_interviewer", "start", "end", "text"]
    assert fresh.segments()[cols].values.tolist() == project.segments()[cols].values.tolist()
    # cases → informants with their fields and typed attributes
    a = project.informants().set_index("code").sort_index()
    b = fresh.informants().set_index("code").sort_index()
    assert a.to_dict() == b[a.columns].to_dict()
    raw = fresh.store.conn.execute("SELECT attributes FROM informants WHERE code='H1'").fetchone()[0]
    assert json.loads(raw) == {"age": 41, "segment": "pk-yritys"}     # typed: an Integer stays an int
    # memos came back where they were attached
    memos = fresh.store.memos_frame()
    got = {(r.target_type, r.text) for r in memos.itertuples(index=False)}
    assert got == {("project", "Koko projektin muistio."), ("source", "Lähteen muistio."),
                   ("segment", "Kappaleen muistio."), ("code", "Koodin muistio.")}
    seg_memo = memos[memos["target_type"] == "segment"].iloc[0]
    seg_text = fresh.segments().set_index("segment_id").loc[int(seg_memo["target_id"]), "text"]
    assert seg_text.startswith("Laskutus sen sijaan")
    # a second export of the copy carries the same content
    second = fresh.exchange.export_qdpx(tmp_path / "b.qdpx")
    _validate(_qde(second), PROJECT_XSD)

    def content(path):
        root = ET.fromstring(_qde(path))
        codes = {c.get("guid"): c.get("name") for c in root.iter(f"{N}Code")}
        users = {u.get("guid"): u.get("name") for u in root.iter(f"{N}User")}
        with zipfile.ZipFile(path) as zf:
            texts = {t.get("name"): zf.read("sources/" + t.get("plainTextPath")[11:]).decode()
                     for t in root.iter(f"{N}TextSource")}
        codings = {(t.get("name"), s.get("startPosition"), s.get("endPosition"),
                    codes[c.find(f"{N}CodeRef").get("targetGUID")], users[c.get("creatingUser")])
                   for t in root.iter(f"{N}TextSource") for s in t.findall(f"{N}PlainTextSelection")
                   for c in s.findall(f"{N}Coding")}
        cases = sorted(c.get("name") for c in root.iter(f"{N}Case"))
        variables = sorted((v.get("name"), v.get("typeOfVariable")) for v in root.iter(f"{N}Variable"))
        return texts, codings, sorted(codes.values()), cases, variables

    assert content(first) == content(second)
    # the code GUIDs survive the trip (they were remembered on import)
    guids = lambda p: sorted(c.get("guid") for c in ET.fromstring(_qde(p)).iter(f"{N}Code"))  # noqa: E731
    assert guids(first) == guids(second)
    project.close()
    fresh.close()


# ------------------------------------------------------------------- hand-made archive


def test_handmade_archive_imports_with_codings_intact(tmp_path):
    archive = _zip_dir(DATA / "handmade", tmp_path / "handmade.qdpx")
    project = Project.init(tmp_path / "study", title="Tuonti")
    report = project.exchange.import_qdpx(archive)
    df = project.codings().sort_values(["source", "start", "end"])
    got = [(r.source, r.start, r.end, r.code_id, r.coder, r.quote) for r in df.itertuples(index=False)]
    assert got == [
        ("Interview Anna", 58, 82, "speed", "Maria", "the onboarding was quick"),
        ("Interview Anna", 88, 112, "billing_invoices", "Maria", "the invoices confused me"),
        ("Interview Anna", 92, 157, "toiveet", "Jussi",
         "invoices confused me.\r\n\r\nAnna: I would like a weekly status email"),
        ("Kysely K2", 29, 69, "billing_invoices", "Jussi", "Hinnoittelu tuntui kuitenkin epäselvältä"),
    ]
    # the coding across two paragraphs hangs on the segment holding its start
    segs = project.segments().set_index("segment_id")
    cross = df[df["start"] == 92].iloc[0]
    seg = segs.loc[int(cross["segment_id"])]
    assert seg["start"] <= 92 < seg["end"] and seg["speaker"] == "Anna"
    assert cross["end"] > seg["end"]
    # codebook: ascii ids, hierarchy, colours, descriptions
    cb = project.codebook()
    assert [(c.id, c.name, c.parent, c.color) for c in cb] == [
        ("experience", "Experience", None, None), ("speed", "Speed", "experience", "#00AA00"),
        ("billing_invoices", "Billing & invoices", "experience", "#C00"), ("toiveet", "Toiveet", None, None)]
    assert cb["toiveet"].description == "Asiakkaan kehitysehdotukset."
    assert report.code_ids["c0de0000-0000-4000-8000-000000000003"] == "billing_invoices"
    # cases → informants; the survey text belongs to K2 by its SourceRef
    inf = project.informants().set_index("code")
    assert inf.loc["Anna", "date"].isoformat() == "2023-04-18"
    assert int(inf.loc["Anna", "Age"]) == 34 and inf.loc["Anna", "Segment"] == "small business"
    assert bool(inf.loc["K2", "Returning"]) is True
    assert set(segs[segs["source"] == "Kysely K2"]["speaker"]) == {"K2"}
    assert segs[segs["source"] == "Interview Anna"]["speaker"].tolist() == ["Interviewer", "Anna", "Anna"]
    # notes: one on a selection → segment memo, one on the project
    memos = project.store.memos_frame()
    seg_memo = memos[memos["target_type"] == "segment"].iloc[0]
    assert seg_memo["text"] == "Compare with the second round of interviews." and seg_memo["coder"] == "Maria"
    assert segs.loc[int(seg_memo["target_id"]), "text"].startswith("Honestly")
    assert memos[memos["target_type"] == "project"]["text"].tolist() == ["Coding round one finished."]
    # what qualcode does not model is kept and named in the warnings
    warnings = " ".join(report.warnings)
    for word in ("Sets", "description", "PictureSource"):
        assert word in warnings
    extra = json.loads(project.store.get_meta("refi_extra"))
    assert len(extra["project"]) == 2 and len(extra["sources"]) == 1
    # … and written back on export, valid, with the other program's GUIDs
    out = project.exchange.export_qdpx(tmp_path / "again.qdpx")
    xml = _qde(out)
    _validate(xml, PROJECT_XSD)
    root = ET.fromstring(xml)
    assert root.find(f"{N}Description").text == "Pilot study of customer onboarding, two informants."
    member = root.find(f"{N}Sets/{N}Set/{N}MemberCode").get("targetGUID")
    billing = next(c for c in root.iter(f"{N}Code") if c.get("name") == "Billing & invoices")
    assert member.lower() == billing.get("guid").lower() == "c0de0000-0000-4000-8000-000000000003"
    assert [p.get("name") for p in root.iter(f"{N}PictureSource")] == ["Whiteboard photo"]
    anna = next(t for t in root.iter(f"{N}TextSource") if t.get("name") == "Interview Anna")
    assert anna.get("guid") == "6d1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8"
    with zipfile.ZipFile(out) as zf:
        assert zf.read(f"sources/{anna.get('guid')}.txt") == (
            DATA / "handmade" / "sources" / "6D1A2B3C-4D5E-4F60-8172-93A4B5C6D7E8.txt").read_bytes()
    project.close()


def test_failed_import_writes_nothing(tmp_path, monkeypatch):
    archive = _zip_dir(DATA / "handmade", tmp_path / "handmade.qdpx")
    project = Project.init(tmp_path / "study", title="Tuonti")
    before = _state(project)

    def boom(*a, **k):
        raise QualcodeError("simulated failure while writing memos")

    monkeypatch.setattr(project.store, "add_memo", boom)
    with pytest.raises(QualcodeError, match="simulated"):
        project.exchange.import_qdpx(archive)
    assert _state(project) == before
    project.close()


# ---------------------------------------------------------------------------- codebook


def test_qdc_round_trip(tmp_path):
    project = _make_project(tmp_path / "study")
    cb = project.codebook()
    path = export_qdc(cb, tmp_path / "cb.qdc")
    _validate(path.read_bytes(), CODEBOOK_XSD)
    again = import_qdc(path)
    assert [(c.id, c.name, c.parent, c.description, c.color) for c in again] == [
        ("asiakaskokemus", "Asiakaskokemus", None, "Miten asiakas koki palvelun kokonaisuutena.", None),
        ("nopeus", "Nopeus", "asiakaskokemus", "", "#33AA33"),
        ("laskutus_ja_hinnoittelu", "Laskutus ja hinnoittelu", "asiakaskokemus", "", None),
        ("kehitystoiveet", "Kehitystoiveet", None, "Ehdotukset palvelun parantamiseksi.", None)]
    assert export_qdc(cb, tmp_path / "cb2.qdc").read_bytes() == path.read_bytes()
    project.close()


def test_qdc_with_entities_is_refused(tmp_path):
    bad = tmp_path / "bad.qdc"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                   '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{0}" name="&a;" '
                   'isCodable="true"/></Codes></CodeBook>'.replace("{0}", "00000000-0000-4000-8000-000000000000"))
    with pytest.raises(QualcodeError, match="contains an XML entity declaration; qualcode refuses it for safety"):
        import_qdc(bad)


# ----------------------------------------------------------------------- pseudonymising


def test_pseudonymised_export_hides_names_and_moves_offsets(tmp_path):
    project = Project.init(tmp_path / "study", title="Nimet")
    (project.root / "transcripts" / "H1.txt").write_text(
        "Haastattelija: Kuka hoiti asiasi?\n"
        "H1: Minua palveli Matti Virtanen, ja Virtasen vastaukset olivat nopeita.\n", encoding="utf-8")
    (project.root / "codebooks" / "cb.yaml").write_text("codes:\n  - id: nopeus\n    name: Nopeus\n",
                                                        encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    seg = _seg(project, "Minua palveli")
    quote = "vastaukset olivat nopeita"
    start = seg["start"] + seg["text"].index(quote)
    project.coding.add(seg["segment_id"], "nopeus", start=start, end=start + len(quote))
    project.coding.add(seg["segment_id"], "nopeus", coder="toinen")          # whole segment
    out = project.exchange.export_qdpx(tmp_path / "p.qdpx", pseudonymise={"Matti": "[nimi]", "Virtanen": "[sukunimi]",
                                                                  "Virtasen": "[sukunimi]"})
    with zipfile.ZipFile(out) as zf:
        blobs = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    for blob in blobs.values():
        assert "Matti" not in blob and "Virta" not in blob
    _validate(blobs["project.qde"].encode("utf-8"), PROJECT_XSD)
    root = ET.fromstring(blobs["project.qde"].encode("utf-8"))
    text = next(v for k, v in blobs.items() if k.startswith("sources/"))
    quotes = sorted(text[int(s.get("startPosition")):int(s.get("endPosition"))]
                    for s in root.iter(f"{N}PlainTextSelection") if s.find(f"{N}Coding") is not None)
    assert quotes == sorted(["vastaukset olivat nopeita",
                             # the genitive ending stays with the pseudonym (docs/anonymity.md)
                             "Minua palveli [nimi] [sukunimi], ja [sukunimi]:n vastaukset olivat nopeita."])
    # the data note's codings moved with the text too: imported, they quote the same spans
    fresh = Project.init(tmp_path / "copy")
    fresh.exchange.import_qdpx(out)
    assert sorted(fresh.codings()["quote"]) == quotes
    project.close()
    fresh.close()


# ------------------------------------------------------------------------ hostile input


def _minimal_qde() -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="x"><Sources>'
            '<TextSource guid="11111111-1111-4111-8111-111111111111" name="a" '
            'plainTextPath="internal://11111111-1111-4111-8111-111111111111.txt"/></Sources></Project>'
            ).encode("utf-8")


@pytest.fixture
def victim(tmp_path):
    project = _make_project(tmp_path / "victim")
    _code_project(project)
    yield project
    project.close()


def _assert_untouched(project, before, tmp_path):
    assert _state(project) == before
    assert not (tmp_path / "evil.txt").exists()
    assert not (project.root / "evil.txt").exists()


def test_zip_slip_member_is_refused(tmp_path, victim):
    bad = tmp_path / "slip" / "slip.qdpx"
    bad.parent.mkdir()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", _minimal_qde())
        zf.writestr("sources/11111111-1111-4111-8111-111111111111.txt", "H1: hei\n")
        zf.writestr("../evil.txt", "pwned")
    before = _state(victim)
    with pytest.raises(QualcodeError, match=r"'\.\./evil\.txt' points outside the archive"):
        victim.exchange.import_qdpx(bad)
    _assert_untouched(victim, before, tmp_path)


@pytest.mark.parametrize("name", ["/etc/evil.txt", "C:/evil.txt", "sources\\..\\evil.txt"])
def test_absolute_drive_and_backslash_members_are_refused(tmp_path, victim, name):
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", _minimal_qde())
        zf.writestr(zipfile.ZipInfo(name), "pwned")
    with zipfile.ZipFile(bad) as zf:   # zipfile itself must not have cleaned the name up
        if name not in zf.namelist():
            pytest.skip("this Python normalises the member name on write")
    before = _state(victim)
    with pytest.raises(QualcodeError, match="points outside the archive"):
        victim.exchange.import_qdpx(bad)
    _assert_untouched(victim, before, tmp_path)


def test_billion_laughs_is_refused(tmp_path, victim):
    lol = ['<?xml version="1.0"?>', "<!DOCTYPE Project [", ' <!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = f"&lol{i - 1};" if i > 1 else "&lol;"
        lol.append(f' <!ENTITY lol{i} "{prev * 10}">')
    lol.append("]>")
    lol.append(f'<Project xmlns="{NS}" name="&lol9;"/>')
    bad = tmp_path / "lol.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", "\n".join(lol))
    before = _state(victim)
    with pytest.raises(QualcodeError, match="contains an XML entity declaration; qualcode refuses it for safety"):
        victim.exchange.import_qdpx(bad)
    _assert_untouched(victim, before, tmp_path)


def test_member_declaring_10_gb_is_refused_before_reading(tmp_path, victim, monkeypatch):
    bad = tmp_path / "big.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", _minimal_qde())
        zf.writestr("sources/11111111-1111-4111-8111-111111111111.txt", "H1: pieni\n")
        # the central directory is written at close from this record: it now declares 10 GB (zip64)
        zf.getinfo("sources/11111111-1111-4111-8111-111111111111.txt").file_size = 10 * 1024 ** 3
    with zipfile.ZipFile(bad) as zf:
        assert zf.getinfo("sources/11111111-1111-4111-8111-111111111111.txt").file_size == 10 * 1024 ** 3
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or 1 / 0)
    before = _state(victim)
    with pytest.raises(QualcodeError, match="would unpack to more than 500 MB"):
        victim.exchange.import_qdpx(bad)
    assert opened == []          # refused from the declared sizes, nothing was decompressed
    _assert_untouched(victim, before, tmp_path)


def test_too_many_members_and_understated_sizes_are_refused(tmp_path, victim):
    many = tmp_path / "many.qdpx"
    with zipfile.ZipFile(many, "w") as zf:
        zf.writestr("project.qde", _minimal_qde())
        for i in range(30):
            zf.writestr(f"sources/x{i}.txt", "x")
    before = _state(victim)
    with pytest.raises(QualcodeError, match="31 members, more than the limit of 20"):
        import_qdpx(many, max_members=20)
    # a member that unpacks to more than the budget is stopped while reading
    big = tmp_path / "big.qdpx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _minimal_qde())
        zf.writestr("sources/11111111-1111-4111-8111-111111111111.txt", "H1: " + "a" * 200_000)
    with pytest.raises(QualcodeError, match="would unpack to more than"):
        import_qdpx(big, max_bytes=100_000)
    # a member whose central directory understates its size: reading stops at the declared size
    liar = tmp_path / "liar.qdpx"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _minimal_qde())
        zf.writestr("sources/11111111-1111-4111-8111-111111111111.txt", "H1: " + "a" * 200_000)
        zf.getinfo("sources/11111111-1111-4111-8111-111111111111.txt").file_size = 10
    with pytest.raises(QualcodeError, match="more than it declares|is damaged"):
        import_qdpx(liar, max_bytes=100_000)
    _assert_untouched(victim, before, tmp_path)


def test_not_a_zip_and_missing_project_qde(tmp_path, victim):
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"this is not a zip file at all")
    before = _state(victim)
    with pytest.raises(QualcodeError, match="not a readable zip archive"):
        victim.exchange.import_qdpx(junk)
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(QualcodeError, match="no project.qde"):
        victim.exchange.import_qdpx(empty)
    _assert_untouched(victim, before, tmp_path)


def test_suggestions_come_back_as_suggestions_of_auto(tmp_path):
    project = _make_project(tmp_path / "study")
    _code_project(project)
    out = project.exchange.export_qdpx(tmp_path / "all.qdpx", include_suggested=True)
    fresh = Project.init(tmp_path / "copy")
    fresh.exchange.import_qdpx(out)
    df = fresh.codings()
    auto = df[df["coder"] == AUTO_CODER]
    # the data note brings both suggestions back, also the one a human rejected
    assert sorted(auto[["code_id", "status", "quote"]].values.tolist()) == [
        ["nopeus", "suggested", "Support answered quickly, which I liked."],
        ["toiveet", "suggested", "The price felt fair for what we got."]]
    assert _decisions(fresh) == _decisions(project)
    # without the data note (as another program writes it) the Coding elements alone give
    # the suggestion nobody decided on back as a suggestion of auto, the others as manual
    bare = _without_data_note(out, tmp_path / "bare.qdpx")
    other = Project.init(tmp_path / "other")
    other.exchange.import_qdpx(bare)
    df = other.codings()
    auto = df[df["coder"] == AUTO_CODER]
    assert auto[["code_id", "status", "quote"]].values.tolist() == [
        ["nopeus", "suggested", "Support answered quickly, which I liked."]]
    assert set(df[df["coder"] != AUTO_CODER]["status"]) == {"manual"}
    project.close()
    fresh.close()
    other.close()


def _without_data_note(path: Path, target: Path) -> Path:
    """A copy of an export without qualcode's data note."""
    import re

    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(target, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "project.qde":
                data = re.sub(rb'\s*<Note [^>]*name="qualcode data">.*?</Note>', b"", data, flags=re.S)
                assert b"qualcode data" not in data
            zout.writestr(name, data)
    return target


def test_read_pseudonym_key(tmp_path):
    from qualcode.pseudonym import load_key

    key = tmp_path / "key.csv"
    key.write_text("nimi,pseudonyymi\nMatti Virtanen,H1\nAcme Oy,Yritys A\n", encoding="utf-8")
    assert load_key(key).as_mapping() == {"Matti Virtanen": "H1", "Acme Oy": "Yritys A"}
    key.write_text("Matti\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"key.csv:1: every row"):
        load_key(key)
