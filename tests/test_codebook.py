"""Codebook loading, validation errors (file, line, code id), saving and round trips."""
from pathlib import Path

import openpyxl
import pytest

from qualcode.codebook import (codebook_from_dict, codebook_hash, codebook_to_frame,
                               load_codebook, save_codebook)
from qualcode.errors import CodebookError

GOLD = Path(__file__).parent / "data" / "gold" / "codebook_fi.yaml"

GOOD = """\
language: fi
codes:
  - id: viestinta
    name: Viestintä
    origin: theory
  - id: tiedotteet
    parent: viestinta
    keywords: [tiedote, päivitys]
    phrases: ["pitää ajan tasalla"]
    patterns: ['\\bviikko(viesti|raportti)']
    exclude: [markkinointiviestintä]
    compound: true
    valence: negative
    swot: W
    examples: ["Tiedotteita tuli harvoin."]
"""


def write(tmp_path, text, name="cb.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    return str(info.value).replace(str(path), "FILE"), info.value


def test_load_good_codebook(tmp_path):
    cb = load_codebook(write(tmp_path, GOOD))
    code = cb["tiedotteet"]
    assert (code.parent, code.keywords, code.phrases, code.patterns, code.exclude) == (
        "viestinta", ["tiedote", "päivitys"], ["pitää ajan tasalla"],
        [r"\bviikko(viesti|raportti)"], ["markkinointiviestintä"])
    assert (code.compound, code.valence, code.swot, code.origin, code.line) == (
        True, "negative", "W", "data", 6)
    assert cb["viestinta"].origin == "theory" and cb["viestinta"].line == 3
    assert cb.language == "fi"


def test_unknown_key_names_line_key_and_allowed_keys(tmp_path):
    msg, err = error_of(tmp_path, GOOD.replace("    compound: true", "    compund: true"))
    assert msg == ("FILE:12: code 'tiedotteet': unknown key 'compund'; allowed keys are id, "
                   "name, parent, description, origin, keywords, phrases, patterns, exclude, "
                   "compound, valence, swot, examples, color")
    assert err.line == 12 and err.exit_code == 2


def test_duplicate_id(tmp_path):
    msg, _ = error_of(tmp_path, GOOD + "  - id: viestinta\n")
    assert msg == ("FILE:16: code 'viestinta': duplicate id (first defined on line 3); "
                   "give each code its own id")


def test_missing_parent(tmp_path):
    msg, _ = error_of(tmp_path, GOOD.replace("parent: viestinta", "parent: viestintä"))
    assert msg == ("FILE:6: code 'tiedotteet': parent 'viestintä' does not exist; "
                   "add that code or fix the parent id")


def test_cycle(tmp_path):
    text = "codes:\n  - id: a\n    parent: b\n  - id: b\n    parent: a\n"
    msg, _ = error_of(tmp_path, text)
    assert msg == "FILE:2: code 'a': parent cycle a -> b -> a; a code cannot be its own ancestor"


def test_bad_regex_shows_the_regex_error(tmp_path):
    msg, _ = error_of(tmp_path, GOOD.replace("raportti)'", "raportti'"))
    assert msg == ("FILE:10: code 'tiedotteet': bad regular expression "
                   "'\\\\bviikko(viesti|raportti' (missing ), unterminated subpattern at "
                   "position 8); fix or quote the pattern")


@pytest.mark.parametrize("key,value,allowed", [
    ("valence", "bad", "positive, negative, neutral, mixed, development_idea"),
    ("swot", "X", "S, W, O, T"),
    ("origin", "intuition", "data, theory"),
])
def test_wrong_choice_values(tmp_path, key, value, allowed):
    text = f"codes:\n  - id: a\n    {key}: {value}\n"
    msg, _ = error_of(tmp_path, text)
    assert msg == f"FILE:3: code 'a': {key} {value!r} is not allowed; use one of {allowed}"


def test_yaml_syntax_error_has_its_line(tmp_path):
    msg, err = error_of(tmp_path, "codes:\n  - id: a\n    keywords: [x, y\n  - id: b\n")
    assert err.line == 4
    assert msg.startswith("FILE:4: YAML syntax error (")
    assert msg.endswith("; fix the YAML syntax there")


def test_missing_id_and_duplicate_key(tmp_path):
    msg, _ = error_of(tmp_path, "codes:\n  - name: x\n")
    assert msg == "FILE:2: codes entry 1 has no id; give every code an id"
    msg, _ = error_of(tmp_path, "codes:\n  - id: a\n    keywords: [x]\n    keywords: [y]\n")
    assert msg == "FILE:4: the key 'keywords' appears twice in the same entry; keep one"


def test_unknown_top_level_key(tmp_path):
    msg, _ = error_of(tmp_path, "langauge: fi\ncodes: []\n")
    assert msg == ("FILE:1: unknown top-level key 'langauge'; allowed keys are language, "
                   "name, description, codes")


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="codebook file not found; check the path"):
        load_codebook(tmp_path / "nope.yaml")


def test_codebook_from_dict_defaults():
    cb = codebook_from_dict({"codes": [{"id": "a", "keywords": "hinta", "origin": "teoria"}]})
    assert (cb["a"].keywords, cb["a"].origin, cb["a"].compound, cb.language) == (
        ["hinta"], "theory", False, "fi")


def test_to_frame_columns_theme_and_level():
    cb = load_codebook(GOLD)
    df = codebook_to_frame(cb)
    assert list(df.columns) == ["id", "name", "parent", "theme", "level", "description",
                                "origin", "keywords", "phrases", "patterns", "exclude",
                                "compound", "valence", "swot"]
    row = df.set_index("id").loc["tiedottaminen"]
    assert (row["parent"], row["theme"], row["level"]) == ("yhteistyo", "yhteistyo", 1)
    assert df.set_index("id").loc["yhteistyo", "level"] == 0


def test_hash_changes_with_rules_only():
    a = codebook_from_dict({"codes": [{"id": "x", "keywords": ["hinta"], "name": "A"},
                                      {"id": "y"}]})
    renamed = codebook_from_dict({"codes": [{"id": "y"},
                                            {"id": "x", "keywords": ["hinta"], "name": "B"}]})
    changed = codebook_from_dict({"codes": [{"id": "x", "keywords": ["hinnat"]}, {"id": "y"}]})
    assert codebook_hash(a) == codebook_hash(renamed)
    assert codebook_hash(a) != codebook_hash(changed)
    assert len(codebook_hash(a)) == 64


@pytest.mark.parametrize("lang,sheet,headers", [
    ("fi", "Koodikirja", ["Koodi", "Teema", "Määritelmä", "Lähtökohta (aineisto/teoria)",
                          "Avainsanat", "Esimerkki"]),
    ("en", "Codebook", ["Code", "Theme", "Definition", "Origin (data/theory)", "Keywords",
                        "Example"]),
])
def test_yaml_xlsx_yaml_round_trip(tmp_path, lang, sheet, headers):
    original = load_codebook(GOLD)
    xlsx = save_codebook(original, tmp_path / "cb.xlsx", lang=lang)
    ws = openpyxl.load_workbook(xlsx)[sheet]
    assert [c.value for c in ws[1]][:6] == headers
    back = load_codebook(xlsx)
    assert codebook_to_frame(back).equals(codebook_to_frame(original))
    assert codebook_hash(back) == codebook_hash(original)
    assert [c.examples for c in back] == [c.examples for c in original]
    assert (back.language, back.name) == (original.language, original.name)
    y1 = save_codebook(original, tmp_path / "a.yaml").read_text(encoding="utf-8")
    y2 = save_codebook(back, tmp_path / "b.yaml").read_text(encoding="utf-8")
    assert y1 == y2
    assert load_codebook(tmp_path / "b.yaml")["tiedottaminen"].patterns == [
        r"\bviikko(viesti|raport|palaveri)"]


def test_xlsx_origin_written_in_finnish_and_formula_like_cells_stay_text(tmp_path):
    cb = codebook_from_dict({"codes": [{"id": "a", "origin": "theory",
                                        "patterns": ["=SUM(A1)"]}]})
    path = save_codebook(cb, tmp_path / "cb.xlsx")
    ws = openpyxl.load_workbook(path)["Koodikirja"]
    assert ws["D2"].value == "teoria"
    cell = ws["J2"]
    assert (cell.value, cell.data_type) == ("=SUM(A1)", "s")
    assert load_codebook(path)["a"].patterns == ["=SUM(A1)"]


def test_xlsx_errors_name_sheet_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Koodikirja"
    ws.append(["Koodi", "Teema", "Määritelmä", "Lähtökohta (aineisto/teoria)", "Avainsanat"])
    ws.append(["hinta", None, "Hinnat", "aineisto", "hinta, kallis"])
    ws.append(["laskutus", "talous", None, "teoria", "lasku"])
    path = tmp_path / "cb.xlsx"
    wb.save(path)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert str(info.value) == (f"{path} [Koodikirja]:3: code 'laskutus': parent 'talous' "
                               "does not exist; add that code or fix the parent id")
    ws["A4"], ws["B4"] = "talous", None
    ws["D4"] = "kokemus"
    wb.save(path)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert str(info.value) == (f"{path} [Koodikirja]:4: code 'talous': origin 'kokemus' is "
                               "not allowed; use one of data, theory")
    ws["D4"] = "teoria"
    wb.save(path)
    cb = load_codebook(path)
    assert cb["hinta"].keywords == ["hinta", "kallis"]
    assert (cb["laskutus"].parent, cb["laskutus"].origin, cb["laskutus"].line) == (
        "talous", "theory", 3)


def test_xlsx_without_codebook_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Muu"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(CodebookError, match="no sheet named 'Koodikirja'; rename"):
        load_codebook(tmp_path / "x.xlsx")
