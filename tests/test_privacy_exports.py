"""Nothing that leaves a pseudonymised project carries a real name: the demo study with real
names planted where reviewers and researchers write them (coding notes, memos, a codebook
description, a construct file, a source's file name, the audit trail), pseudonymised, and
every export checked with ``qualcode check anonymity``."""
import json
import shutil

import pytest

from conftest import run_cli
from qualcode.demo import copy_demo_study
from qualcode.project import Project

KEY = "real,pseudonym,kind\nMatti Virtanen,Asiakas A,person\nLiisa Korhonen,Työntekijä B,person\n"
SECRETS = ("Matti", "Virta", "Liisa", "Korho")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The demo, ingested and coded, with real names where people write them."""
    base = tmp_path_factory.mktemp("privacy")
    folder = copy_demo_study(base / "study")
    key = base / "avain.csv"                      # outside the project
    key.write_text(KEY, encoding="utf-8")
    (folder / "transcripts" / "Virtanen_Matti.txt").write_text(
        "Haastattelija: Kerro yhteistyöstä.\n\nH16: Liisa Korhonen soitti aina viikkoviestin jälkeen, "
        "ja yhteydenpito oli nopeaa.\n", encoding="utf-8")
    codebook = folder / "codebooks" / "asiakaskokemus_fi.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8").replace(
        "description: Asiakkuuden ensimmäiset viikot", "description: Matti Virtasen mukaan ensimmäiset viikot", 1),
        encoding="utf-8")
    care = folder / "hoitomallit.yaml"
    care.write_text(care.read_text(encoding="utf-8").replace(
        "Dashboardista koottu", "Liisa Korhosen dashboardista koottu", 1), encoding="utf-8")
    with Project(folder) as project:
        project.ingest([folder / "transcripts"])
        project.code()
        segments = project.segments()
        segment = int(segments[~segments["is_interviewer"]]["segment_id"].iloc[3])
        project.coding.add(segment, "kayttoonotto", note="Matti Virtanen sanoi saman puhelimessa")
        project.coding.memo("Korhosen Liisan kanssa sovittiin jatkohaastattelu")     # also an audit entry
        project.coding.memo("Virtasen haastattelu oli lyhyt", target_type="source",
                            target_id="transcripts/Virtanen_Matti.txt")
    return folder, key, base


def _exports(folder, key, out, store_pseudonymised: bool):
    """Write every export qualcode has (the pseudonymising ones with --pseudonymise) into
    ``out``; returns the files to check."""
    out.mkdir()
    flag = ["--pseudonymise", "--key", key]
    commands = [["report", "-o", out / f"raportti.{ext}", *flag] for ext in ("xlsx", "docx", "html", "md")]
    commands += [["report", "-o", out / "kuviot.xlsx", "--figures", out / "kuviot", *flag],
                 ["export", "qdpx", out / "projekti.qdpx", *flag],
                 ["view", "-o", out / "nakyma", *flag]]
    if store_pseudonymised:        # these carry the store as it is
        commands += [["audit", "-o", out / "loki.xlsx"], ["audit", "-o", out / "loki.csv"],
                     ["review", "export", out / "tarkistus.xlsx", *flag]]
    for args in commands:
        code, output = run_cli(["--project", folder, *args])
        assert code == 0, (args, output)
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix != ".png")


def test_exports_pseudonymised_on_request_carry_no_name(planted, tmp_path):
    folder, key, _ = planted
    files = _exports(folder, key, tmp_path / "out", store_pseudonymised=False)
    assert {p.suffix for p in files} >= {".xlsx", ".docx", ".html", ".md", ".qdpx", ".svg"}
    with Project(folder) as project:
        hits = project.privacy.check_anonymity(files, key)
    in_files = hits[~hits["file"].str.startswith("store:")]
    assert in_files.empty, in_files.to_string()
    # the store still has them (only the exports were pseudonymised), and the check says where
    stored = set(hits["file"])
    assert {"store:source names", "store:coding notes", "store:audit entries", "store:memo targets"} <= stored
    with Project(folder) as project:           # the real names are really in the plain report
        plain = project.report(tmp_path / "plain.xlsx")
        found = project.privacy.check_anonymity([plain], key)
    assert set(found[found["file"] == str(plain)]["found"]) >= {"Matti Virtasen", "Liisa Korhosen"}


def test_pseudonymise_rewrites_every_stored_field_and_nothing_leaks(planted, tmp_path):
    folder, key, _ = planted
    code, out = run_cli(["--project", folder, "pseudonymise", "--key", key])
    assert code == 0, out
    for said in ("source texts", "source names", "coding notes", "audit entries", "memos", "Not changed"):
        assert said in out
    with Project(folder) as project:
        names = project.sources()["source"].tolist()
        assert "transcripts/Asiakas A.txt" in names and not any("Virtanen" in n for n in names)
        notes = project.codings()["note"]
        assert notes.str.contains("Asiakas A sanoi saman").any()
        details = json.loads(project.audit().query("action == 'pseudonymise'")["details"].iloc[0])
        assert details["source names"] == 1 and details["coding notes"] == 1
        store_hits = project.privacy.check_anonymity([], key)
    assert store_hits.empty, store_hits.to_string()
    files = _exports(folder, key, tmp_path / "out", store_pseudonymised=True)
    code, out = run_cli(["--project", folder, "check", "anonymity", "--key", key, *files])
    assert code == 0 and "No names from the key" in out, out
    for path in files:                 # the check and a plain look at the bytes agree
        if path.suffix in (".md", ".html", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert not any(s in text for s in SECRETS), path


def test_review_sheet_pseudonymised_only_after_the_store(tmp_path, planted):
    _, key, base = planted
    fresh = base / "fresh"
    shutil.copytree(planted[0], fresh)
    shutil.rmtree(fresh / ".qualcode", ignore_errors=True)
    with Project(fresh) as project:
        project.ingest([fresh / "transcripts"])
    code, out = run_cli(["--project", fresh, "review", "export", tmp_path / "r.xlsx", "--pseudonymise", "--key", key])
    assert code == 2 and "pseudonymise the stored texts first" in out and "Traceback" not in out
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.parametrize("row, part", [("Matti Virtanen,Virtanen-1,person", "Virtanen"),
                                       ("Liisa Korhonen,Liisa K,person", "Liisa"),
                                       ("Datasilta Oy,Datasilta X,organisation", "Datasilta")])
def test_a_pseudonym_holding_a_real_name_part_is_refused(planted, tmp_path, row, part):
    folder = planted[0]
    bad = tmp_path / "avain.csv"
    bad.write_text("real,pseudonym,kind\nMikko Nieminen,H3,person\n" + row + "\n", encoding="utf-8")
    with Project(folder) as project:
        before = len(project.audit())
    code, out = run_cli(["--project", folder, "pseudonymise", "--key", bad])
    assert code == 2 and "Traceback" not in out
    assert f"{bad}:3" in out.replace("\n", "") and f"'{part}'" in out
    with Project(folder) as project:
        assert len(project.audit()) == before


def test_company_forms_are_no_name_part(tmp_path):
    from qualcode.pseudonym import PseudonymKey

    assert len(PseudonymKey.from_mapping({"Datasilta Oy": "Yritys Oy", "Matti Virtanen": "H1"})) == 2
