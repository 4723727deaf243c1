"""One report reads the project once, and the project and its report agree: the codebook is
parsed once and each frame read once per report; project.analyse.types() and the workbook's Tyypit
sheet list the same types; a pseudonymised report links the care actions to pseudonymised
quotes."""
from __future__ import annotations

import textwrap

import openpyxl
import pytest

from test_report_common import build_study

TYPE_RULES = textwrap.dedent("""\
    types:
      - name: Tilannetietoa kaipaavat
        rules: {codes_any: [tilannetieto]}
      - name: Laatuun tyytyväiset
        rules: {codes_any: [osaaminen]}
    """)

CUSTOMERS = "asiakas;nimi;liikevaihto\nAS-1;Yritys A;200000\nAS-2;Yritys B;1000\n"
SEGMENTATION = "segments:\n  - name: KAM\n    when: {liikevaihto: '>=100000'}\ndefault: Muut\n"
PLAN = textwrap.dedent("""\
    care_models:
      - segment: KAM
        actions:
          - action: Viikkoviesti
            frequency: 1krt/vk
            evidence: {codes: [tilannetieto]}
    """)


@pytest.fixture
def study(tmp_path):
    p = build_study(tmp_path)
    (p.root / "tyypit.yaml").write_text(TYPE_RULES, encoding="utf-8")
    (p.root / "asiakkaat.csv").write_text(CUSTOMERS, encoding="utf-8")
    (p.root / "segmentointi.yaml").write_text(SEGMENTATION, encoding="utf-8")
    (p.root / "hoitomallit.yaml").write_text(PLAN, encoding="utf-8")
    yield p
    p.close()


def _count_calls(monkeypatch, owner, name: str, counts: dict) -> None:
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        counts[name] = counts.get(name, 0) + 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


def test_one_report_parses_the_codebook_once_and_reads_each_frame_once(study, tmp_path, monkeypatch):
    import qualcode.codebook
    from qualcode.store import SQLiteStore

    counts: dict[str, int] = {}
    for name in ("load_codebook", "codebook_from_dict"):
        _count_calls(monkeypatch, qualcode.codebook, name, counts)
    frames = ("segments_frame", "codings_frame", "informants_frame", "sources_frame", "audit_frame")
    for name in frames:
        _count_calls(monkeypatch, SQLiteStore, name, counts)
    out = study.report(tmp_path / "r.xlsx", figures_dir=tmp_path / "kuviot")
    # one file read and parsed (load_codebook builds the codebook with codebook_from_dict)
    assert (counts.get("load_codebook", 0), counts.get("codebook_from_dict", 0)) == (1, 1), counts
    assert {name: counts.get(name, 0) for name in frames} == {name: 1 for name in frames}
    # the report did use all of it: the constructs are linked to the codings
    assert "Hoitomallin perusteet" in openpyxl.load_workbook(out).sheetnames


def _types_sheet(path) -> dict[str, list[str]]:
    ws = openpyxl.load_workbook(path)["Tyypit"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    return {r[0]: r[2].split(", ") for r in rows if r[0]}


def test_project_types_and_the_workbook_agree_on_the_type_rules(study, tmp_path):
    typology = study.analyse.types()
    assert [t.name for t in typology.types] == ["Tilannetietoa kaipaavat", "Laatuun tyytyväiset"]
    from_project = {t.name: list(t.members) for t in typology.types}
    assert from_project == _types_sheet(study.report(tmp_path / "r.xlsx"))
    assert from_project["Tilannetietoa kaipaavat"] == ["H1", "H3", "KE1"]
    # asking for clusters still clusters
    assert all(t.name.startswith("Tyyppi") for t in study.analyse.types(k=2).types)


def test_broken_type_rules_name_the_file_and_line(study, tmp_path):
    from qualcode.errors import QualcodeError

    (study.root / "tyypit.yaml").write_text("types:\n  - name: [x\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"tyypit\.yaml:\d+: YAML syntax error"):
        study.report(tmp_path / "r.xlsx")


def test_pseudonymised_report_quotes_pseudonyms_in_the_care_evidence(study, tmp_path):
    key = tmp_path / "avain.csv"        # outside the project folder
    key.write_text("real,pseudonym,kind\nTilannetieto,Aihe,other\n", encoding="utf-8")

    def evidence(path) -> str:
        ws = openpyxl.load_workbook(path)["Hoitomallin perusteet"]
        return "".join(str(c.value) for row in ws.iter_rows() for c in row)

    assert "Tilannetietoa ei tule" in evidence(study.report(tmp_path / "plain.xlsx"))
    text = evidence(study.report(tmp_path / "p.xlsx", pseudonymise=key))
    assert "Tilannetieto" not in text and "Aihe:ta ei tule" in text
