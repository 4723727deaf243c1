"""Pseudonymisation and anonymity checks (qualcode.anonymise)."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from qualcode.anonymise import (
    KeyEntry,
    PseudonymKey,
    check_anonymity,
    check_key_location,
    find_patterns,
    inflected_forms,
    load_key,
    ner_available,
    pseudonymise_frame,
    pseudonymise_text,
    remap_frame,
    remap_span,
    save_key,
    scan_file,
    scan_text,
    suggest_key_entries,
    valid_henkilotunnus,
    valid_iban,
)
from qualcode.errors import QualcodeError


@pytest.fixture
def key():
    return PseudonymKey([
        KeyEntry("Virtanen", "H1"),
        KeyEntry("Korhonen", "H2"),
        KeyEntry("Mäkelä", "H3"),
        KeyEntry("Laine", "H4"),
        KeyEntry("Anna Salo", "H5"),
        KeyEntry("Datasilta Oy", "Yritys X", "organisation"),
        KeyEntry("Tampere", "Kaupunki A", "place"),
    ])


def _pt(text, key, **kw):
    return pseudonymise_text(text, key, **kw).text


# ----------------------------------------------------------------------------- inflection


@pytest.mark.parametrize("name, forms", [
    ("Virtanen", ["Virtasen", "Virtaselle", "Virtasta", "Virtasella", "Virtaseen", "Virtaset", "Virtasille"]),
    ("Korhonen", ["Korhosen", "Korhoselta", "Korhosesta"]),
    ("Mäkelä", ["Mäkelän", "Mäkelälle", "Mäkelää", "Mäkelään", "Mäkelässä"]),
    ("Laine", ["Laineen", "Lainetta", "Laineelle", "Laineeseen"]),
    ("Datasilta", ["Datasillan", "Datasiltaan", "Datasillalla", "Datasiltaa"]),
    ("Aalto", ["Aallon", "Aaltoa", "Aaltoon"]),
    ("Rinne", ["Rinteen", "Rinnettä"]),
    ("Lahti", ["Lahden", "Lahdessa", "Lahteen"]),
    ("Ahokas", ["Ahokkaan", "Ahokasta"]),
    ("Markus", ["Markuksen", "Markusta"]),
])
def test_inflected_forms_include_the_real_finnish_forms(name, forms):
    generated = inflected_forms(name)
    assert [f for f in forms if f not in generated] == []


def test_vowel_harmony_follows_the_name():
    assert "Mäkelällä" in inflected_forms("Mäkelä") and "Mäkelälla" not in inflected_forms("Mäkelä")
    assert "Virtasella" in inflected_forms("Virtanen") and "Virtasellä" not in inflected_forms("Virtanen")
    assert "Niemisellä" in inflected_forms("Nieminen")


# ----------------------------------------------------------------------------- names in text


def test_inflected_names_become_pseudonym_with_case_ending(key):
    text = "Virtanen, Virtasen, Virtaselle, Virtasta, Virtasella; Korhonen ja Korhosen."
    assert _pt(text, key) == "H1, H1:n, H1:lle, H1:ta, H1:lla; H2 ja H2:n."
    assert _pt("Mäkelä, Mäkelän ja Mäkelälle.", key) == "H3, H3:n ja H3:lle."
    assert _pt("Laine, Laineen ja Lainetta.", key) == "H4, H4:n ja H4:ta."
    assert _pt("Virtasenkin mielestä", key) == "H1:nkin mielestä"


def test_organisation_with_and_without_legal_form_and_in_compounds(key):
    text = ("Datasilta Oy, Datasilta Oy:n, Datasillan, Datasiltaan, Datasilta-projekti, "
            "Datasiltatiimi ja Virtasen-tiimi.")
    assert _pt(text, key) == ("Yritys X, Yritys X:n, Yritys X:n, Yritys X:een, Yritys X -projekti, "
                              "Yritys X -tiimi ja H1:n-tiimi.")


def test_double_barrelled_names_are_both_replaced(key):
    assert _pt("Korhonen-Virtasen perhe", key) == "H2-H1:n perhe"
    assert _pt("Datasilta-Korhosen sopimus", key) == "Yritys X -H2:n sopimus"


def test_full_name_surname_alone_and_place(key):
    text = "Anna Salo kertoi, että Salon tiimi on Tampereella. Anna minulle aikaa."
    assert _pt(text, key) == "H5 kertoi, että H5:n tiimi on Kaupunki A:lla. Anna minulle aikaa."


def test_other_names_and_common_words_are_left_alone(key):
    # Salonen and Salomaa are other surnames; a lower-case "laine" is a wave; "Anna" is a verb.
    text = "Salonen ja Salomaa puhuivat. Iso laine tuli. Anna tilaa."
    p = pseudonymise_text(text, key)
    assert p.text == text and p.replacements == []
    assert _pt("virtanen kirjoitti", key, ignore_case=True) == "H1 kirjoitti"
    assert _pt("VIRTANEN kirjoitti", key) == "H1 kirjoitti"


def test_lemma_fallback_for_forms_the_generator_lacks(key):
    # a possessive suffix: not generated, found through simplemma and the nearest known form
    assert _pt("Virtasilleen kerrottiin.", key) == "H1:illeen kerrottiin."


def test_english_text_and_labels():
    key = PseudonymKey.from_dict({"Virtanen": "P1"})
    assert _pt("Virtanen's team wrote to anna@example.com", key, lang="en") == "P1's team wrote to [email]"


# ----------------------------------------------------------------------------- identifiers


def test_personal_identity_code_check_character():
    assert valid_henkilotunnus("131052-308T")
    assert not valid_henkilotunnus("131052-308U")          # wrong check character
    assert not valid_henkilotunnus("311352-308T")          # no such date
    assert valid_henkilotunnus("010594Y9032")              # new century signs (2023)
    text = "Tunnus 131052-308T, virheellinen 131052-308U."
    assert _pt(text, None) == "Tunnus [henkilötunnus], virheellinen 131052-308U."


def test_iban_checksum():
    assert valid_iban("FI21 1234 5600 0007 85") and valid_iban("FI2112345600000785")
    assert not valid_iban("FI21 1234 5600 0007 86")
    assert not valid_iban("FI21 1234 5600 0007 8")          # a digit short
    assert _pt("Tili FI21 1234 5600 0007 85 ja FI21 1234 5600 0007 86.", None) == \
        "Tili [IBAN] ja FI21 1234 5600 0007 86."


@pytest.mark.parametrize("phone", ["040 123 4567", "040-1234567", "0401234567", "09 1234 567",
                                   "(09) 123 4567", "+358 40 123 4567", "+358401234567",
                                   "+44 20 7946 0958", "00358 50 765 4321"])
def test_phone_numbers(phone):
    assert _pt(f"Soita numeroon {phone}, kiitos.", None) == "Soita numeroon [puhelin], kiitos."


@pytest.mark.parametrize("text", ["Vuonna 2021 klo 10:30", "päivä 3.8.2021", "hinta 1 000 000 euroa",
                                  "[00:01:02] H1: niin", "sivut 12-15", "versio 1.2.3"])
def test_numbers_that_are_not_identifiers(text):
    assert find_patterns(text) == []


def test_bare_domains_need_a_web_domain_and_lower_case():
    assert [h.text for h in find_patterns("loppu.Se alkoi, ks. raportti.docx tai hämeenlinna.fi")] == \
        ["hämeenlinna.fi"]


def test_emails_and_urls(key):
    text = ("Kirjoita anna.virtanen@datasilta.fi tai anna(at)datasilta.fi; katso "
            "https://datasilta.fi/virtanen. ja www.example.com sekä datasilta.fi.")
    assert _pt(text, key) == ("Kirjoita [sähköposti] tai [sähköposti]; katso [URL]. ja [URL] sekä [URL].")


# ----------------------------------------------------------------------------- offsets


def _span(text, words, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return start, start + len(words)


def test_codings_point_at_the_same_words_after_replacement(key):
    text = ("Haastattelija kysyi Virtaselta palautteesta. Virtasen mukaan Datasillan "
            "tiimi vastasi nopeasti, ks. anna@example.com tai 040 123 4567. Loppu hyvin.")
    p = pseudonymise_text(text, key)
    new = p.text
    assert new == ("Haastattelija kysyi H1:lta palautteesta. H1:n mukaan Yritys X:n "
                   "tiimi vastasi nopeasti, ks. [sähköposti] tai [puhelin]. Loppu hyvin.")

    def moved(span):
        s, e = remap_span(*span, p.offset_map)
        return new[s:e]

    # before any replacement, between replacements, after all of them
    assert moved(_span(text, "Haastattelija kysyi")) == "Haastattelija kysyi"
    assert moved(_span(text, "palautteesta")) == "palautteesta"
    assert moved(_span(text, "tiimi vastasi nopeasti")) == "tiimi vastasi nopeasti"
    assert moved(_span(text, "Loppu hyvin.")) == "Loppu hyvin."
    # exactly a name, across names, and a coding that started or ended inside a name
    assert moved(_span(text, "Virtasen")) == "H1:n"
    assert moved(_span(text, "Virtasen mukaan Datasillan tiimi")) == "H1:n mukaan Yritys X:n tiimi"
    s, e = _span(text, "Virtasen mukaan")
    assert new[slice(*remap_span(s + 3, e, p.offset_map))] == "H1:n mukaan"
    s, e = _span(text, "kysyi Virtaselta")
    assert new[slice(*remap_span(s, e - 4, p.offset_map))] == "kysyi H1:lta"
    assert moved(_span(text, "anna@example.com tai 040 123 4567")) == "[sähköposti] tai [puhelin]"
    # a coding inside a name covers its pseudonym; an empty span stays empty
    s, _ = _span(text, "Datasillan")
    assert new[slice(*remap_span(s + 2, s + 5, p.offset_map))] == "Yritys X:n"
    a, b = remap_span(s, s, p.offset_map)
    assert a == b == new.index("Yritys X:n")


def test_remap_frame_per_source(key):
    texts = {1: "Virtasen mukaan hyvä.", 2: "Ei nimiä tässä."}
    done = {sid: pseudonymise_text(t, key) for sid, t in texts.items()}
    codings = pd.DataFrame({"source_id": [1, 2], "start": [9, 3], "end": [20, 8]})
    out = remap_frame(codings, {sid: p.offset_map for sid, p in done.items()}, by="source_id")
    assert done[1].text[out.loc[0, "start"]:out.loc[0, "end"]] == "mukaan hyvä"
    assert done[2].text[out.loc[1, "start"]:out.loc[1, "end"]] == "nimiä"
    assert list(codings["start"]) == [9, 3]               # the input is not changed


def test_replacements_table_and_frame(key):
    p = pseudonymise_text("Virtaselle 040 123 4567", key)
    df = p.to_frame()
    assert list(df.columns) == ["start", "end", "original", "replacement", "kind"]
    assert df.values.tolist() == [[0, 10, "Virtaselle", "H1:lle", "person"],
                                  [11, 23, "040 123 4567", "[puhelin]", "phone"]]
    frame = pd.DataFrame({"Lainaus": ["Korhosen mielestä", None], "n": [1, 2]})
    out = pseudonymise_frame(frame, key)
    assert out["Lainaus"].tolist()[0] == "H2:n mielestä" and out["n"].tolist() == [1, 2]


# ----------------------------------------------------------------------------- key file


def test_key_round_trip_xlsx_and_csv(tmp_path, key):
    for name in ("avain.xlsx", "avain.csv"):
        path = save_key(key, tmp_path / name)
        back = load_key(path)
        assert [(e.real, e.pseudonym, e.kind) for e in back] == [(e.real, e.pseudonym, e.kind) for e in key]
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "avain.xlsx").sheetnames == ["Avain"]


def test_key_with_finnish_headers_and_kinds(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Muistiinpanot"
    ws = wb.create_sheet("Avain")
    ws.append(["Oikea nimi", "Pseudonyymi", "Laji"])
    ws.append(["Virtanen", "H1", "henkilö"])
    ws.append(["Datasilta Oy", "Yritys X", "yritys"])
    ws.append(["Tampere", "Kaupunki A", "paikka"])
    wb.save(tmp_path / "k.xlsx")
    key = load_key(tmp_path / "k.xlsx")
    assert [(e.real, e.pseudonym, e.kind) for e in key] == [
        ("Virtanen", "H1", "person"), ("Datasilta Oy", "Yritys X", "organisation"),
        ("Tampere", "Kaupunki A", "place")]


def test_key_errors_name_the_line(tmp_path):
    bad = tmp_path / "k.csv"
    bad.write_text("real,pseudonym,kind\nVirtanen,H1,person\nKorhonen,,person\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"k\.csv:3: .*real name and a pseudonym"):
        load_key(bad)
    bad.write_text("real,pseudonym,kind\nVirtanen,H1,alien\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"k\.csv:2: unknown kind 'alien'"):
        load_key(bad)
    bad.write_text("real,pseudonym\nVirtanen,H1\nVirtanen,H2\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match="two pseudonyms"):
        load_key(bad)


def test_key_inside_the_project_is_refused(tmp_path):
    project = tmp_path / "study"
    (project / "secret").mkdir(parents=True)
    inside = project / "secret" / "avain.xlsx"
    with pytest.raises(QualcodeError, match="inside the project folder.*outside.*key_file"):
        check_key_location(inside, project)
    outside = tmp_path / "home" / "avain.xlsx"
    assert check_key_location(outside, project) == outside.resolve()
    # a relative path that climbs back into the project is still inside
    with pytest.raises(QualcodeError):
        check_key_location(project / "secret" / ".." / "avain.csv", project)


def test_find_key_uses_the_setting_and_checks_it(tmp_path):
    from qualcode.anonymise import find_key

    project = tmp_path / "study"
    project.mkdir()
    home_key = tmp_path / "home" / "avain.csv"
    home_key.parent.mkdir()
    home_key.write_text("real,pseudonym\nVirtanen,H1\n", encoding="utf-8")
    assert find_key(project, "../home/avain.csv") == home_key.resolve()
    assert find_key(project, "", explicit=home_key) == home_key.resolve()
    with pytest.raises(QualcodeError, match="no pseudonymisation key is set"):
        find_key(project, "")
    with pytest.raises(QualcodeError, match="does not exist"):
        find_key(project, str(tmp_path / "home" / "puuttuu.csv"))
    (project / "avain.csv").write_text("real,pseudonym\nVirtanen,H1\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match="inside the project folder"):
        find_key(project, "avain.csv")


# ----------------------------------------------------------------------------- scanning


def test_scan_text_lists_names_and_identifiers(key):
    df = scan_text("H1: hyvä\nSovin Virtasen kanssa, puh. 040 123 4567", key)
    assert df[["location", "found", "kind"]].values.tolist() == [
        ["line 2", "Virtasen", "person"], ["line 2", "040 123 4567", "phone"]]
    assert scan_text("Puhuimme H1:n kanssa.", key).empty


def test_pseudonymised_text_scans_clean(key):
    text = ("Virtanen ja Korhosen tiimi Datasillalla (Datasilta Oy:n projekti) Tampereella; "
            "sähköposti anna.virtanen@datasilta.fi, tunnus 131052-308T, tili FI21 1234 5600 0007 85.")
    assert not scan_text(text, key).empty
    assert scan_text(pseudonymise_text(text, key).text, key).empty


def _xlsx(path, value):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Teemat"
    wb.active["A1"] = "Teema"
    ws = wb.create_sheet("Lainaukset")
    ws["A1"] = "Lainaus"
    ws["B3"] = value
    wb.save(path)


def _docx(path, paragraph, cell):
    import docx

    doc = docx.Document()
    doc.add_paragraph("Liite 1. Haastattelut")
    doc.add_paragraph(paragraph)
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Koodi"
    table.cell(1, 1).text = cell
    doc.save(path)


def _qdpx(path, case_name, source_text):
    qde = ('<?xml version="1.0" encoding="utf-8"?>\n'
           '<Project name="Testi" xmlns="urn:QDA-XML:project:1.0">\n'
           f'  <Cases><Case guid="c1" name="{case_name}"/></Cases>\n'
           '</Project>\n')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("sources/A.txt", source_text)


def test_scan_file_finds_a_planted_name_in_each_format(tmp_path, key):
    _xlsx(tmp_path / "r.xlsx", "Korhosen mielestä hyvä")
    _docx(tmp_path / "r.docx", "Virtaselle kerrottiin.", "Datasillan edustaja")
    _qdpx(tmp_path / "r.qdpx", "Mäkelä", "H1: hyvä\nLaineen mukaan\n")
    (tmp_path / "r.md").write_text("# Tulokset\n\nH1 ja Tampereella\n", encoding="utf-8")

    def rows(name):
        df = scan_file(tmp_path / name, key)
        assert list(df.columns) == ["file", "location", "found", "kind"]
        assert set(df["file"]) == {str(tmp_path / name)}
        return df[["location", "found", "kind"]].values.tolist()

    assert rows("r.xlsx") == [["Lainaukset!B3", "Korhosen", "person"]]
    assert rows("r.docx") == [["paragraph 2", "Virtaselle", "person"],
                              ["table 1 row 2 cell 2", "Datasillan", "organisation"]]
    assert rows("r.qdpx") == [["project.qde line 3", "Mäkelä", "person"],
                              ["sources/A.txt line 2", "Laineen", "person"]]
    assert rows("r.md") == [["line 3", "Tampereella", "place"]]


def test_scan_file_passes_clean_files(tmp_path, key):
    _xlsx(tmp_path / "c.xlsx", "H2:n mielestä hyvä")
    _docx(tmp_path / "c.docx", "H1:lle kerrottiin.", "Yritys X:n edustaja")
    _qdpx(tmp_path / "c.qdpx", "H3", "H1: hyvä\nH4:n mukaan\n")
    (tmp_path / "c.md").write_text("# Tulokset\n\nH1 ja Kaupunki A\n", encoding="utf-8")
    for name in ("c.xlsx", "c.docx", "c.qdpx", "c.md"):
        assert scan_file(tmp_path / name, key).empty, name


def test_docx_metadata_and_comments_are_checked(tmp_path, key):
    import docx

    doc = docx.Document()
    doc.add_paragraph("Puhdas teksti.")
    doc.core_properties.author = "Anna Salo"
    doc.save(tmp_path / "m.docx")
    df = scan_file(tmp_path / "m.docx", key)
    assert df[["location", "found"]].values.tolist() == [["properties: author", "Anna Salo"]]


def test_check_anonymity_over_folder_and_store(tmp_path, key):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "clean.md").write_text("H1 sanoi.\n", encoding="utf-8")
    (out / "sub" / "dirty.csv").write_text("koodi,teksti\nH1,soita 040 123 4567\n", encoding="utf-8")
    (out / "kuva.png").write_bytes(b"\x89PNG")               # not a text type: skipped
    df = check_anonymity([out], key, store_texts={"A.txt": "Virtasen mukaan"})
    assert df.values.tolist() == [[str(out / "sub" / "dirty.csv"), "line 2", "040 123 4567", "phone"],
                                  ["store:A.txt", "line 1", "Virtasen", "person"]]
    assert check_anonymity(out / "clean.md", key).empty
    with pytest.raises(QualcodeError, match="does not exist"):
        check_anonymity([tmp_path / "nowhere.md"], key)
    with pytest.raises(QualcodeError, match="cannot check this file type"):
        check_anonymity([out / "kuva.png"], key)


def test_ignore_case_finds_lower_case_names(key):
    assert scan_text("tapasin virtasen eilen", key).empty
    assert scan_text("tapasin virtasen eilen", key, ignore_case=True)["found"].tolist() == ["virtasen"]


# ----------------------------------------------------------------------------- NER


@pytest.mark.skipif(ner_available(), reason="the Finnish NER pipeline is installed")
def test_ner_suggestions_are_empty_without_the_pipeline():
    df = suggest_key_entries(["Virtanen kävi Tampereella."])
    assert df.empty and list(df.columns) == ["real", "kind", "count", "example"]


def test_ner_suggestions_with_the_finnish_pipeline():
    pytest.importorskip("spacy_fi_experimental_web_md")
    df = suggest_key_entries(["Matti Virtanen työskentelee Nokialla Helsingissä."],
                             key=PseudonymKey.from_dict({"Helsinki": "Kaupunki A"}))
    assert "person" in set(df["kind"])
    assert "Helsinki" not in set(df["real"])


def test_ner_suggestions_with_a_given_pipeline():
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("fi")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Virtanen"}, {"label": "ORG", "pattern": "Datasilta"}])
    df = suggest_key_entries(["Virtanen ja Datasilta.", "Virtanen taas."], nlp=nlp,
                             key=PseudonymKey.from_dict({"Datasilta": "Yritys X"}))
    assert df.values.tolist() == [["Virtanen", "person", 2, "Virtanen"]]
