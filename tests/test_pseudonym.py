"""Issue 10: pseudonymisation key, inflected-name replacement, patterns, offset remapping,
anonymity checks of written files."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from qualcode.errors import QualcodeError
from qualcode.pseudonym import (
    pseudonymise_frame, pseudonymise_frames,
    KeyEntry, PseudonymKey, check_anonymity, check_key_location, find_patterns, inflected_forms, load_key,
    pseudonymise_text, remap_span, save_key, scan_file, scan_text, suggest_key_entries, valid_henkilotunnus,
    valid_iban,
)


@pytest.fixture
def key():
    return PseudonymKey([
        KeyEntry("Matti Virtanen", "H1", "person"),
        KeyEntry("Korhonen", "H2", "person"),
        KeyEntry("Mäkelä", "H3", "person"),
        KeyEntry("Laine", "H4", "person"),
        KeyEntry("Datasilta Oy", "Yritys X", "organisation"),
        KeyEntry("Lahti", "Kaupunki A", "place"),
    ])


# ------------------------------------------------------------------ inflection generator

@pytest.mark.parametrize("name, forms", [
    ("Virtanen", ["Virtanen", "Virtasen", "Virtaselle", "Virtasta", "Virtasella", "Virtasesta", "Virtaseen",
                  "Virtaset", "Virtasten", "Virtasia"]),
    ("Korhonen", ["Korhosen", "Korhoselle", "Korhosta", "Korhosessa", "Korhoseen"]),
    ("Mäkelä", ["Mäkelän", "Mäkelälle", "Mäkelää", "Mäkelässä", "Mäkelään", "Mäkelältä"]),
    ("Laine", ["Laineen", "Lainetta", "Laineelle", "Laineeseen", "Laineessa"]),
    ("Datasilta", ["Datasillan", "Datasiltaa", "Datasiltaan", "Datasillalla", "Datasillassa", "Datasiltana"]),
    ("Aalto", ["Aallon", "Aaltoa", "Aaltoon"]),          # lt -> ll
    ("Heikki", ["Heikin", "Heikkiä", "Heikkiin"]),       # kk -> k
    ("Lampi", ["Lammen", "Lammella"]),                   # mp -> mm, old e-stem
    ("Niemi", ["Niemen", "Niemeen", "Niemessä"]),
    ("Lahti", ["Lahden", "Lahdessa", "Lahteen"]),        # ht -> hd
    ("Yritys", ["Yrityksen", "Yritystä", "Yritykseen"]),
])
def test_inflected_forms(name, forms):
    got = inflected_forms(name)
    missing = [f for f in forms if f not in got]
    assert not missing


def test_inflection_harmony_and_tags():
    assert inflected_forms("Mäkelä")["Mäkelää"] == "part"
    assert "Mäkelaa" not in inflected_forms("Mäkelä")          # vowel harmony by the word
    assert inflected_forms("Virtanen")["Virtasta"] == "part"
    assert "Virtastä" not in inflected_forms("Virtanen")
    assert inflected_forms("Datasilta")["Datasillan"] == "gen"
    assert "Datasiltan" not in inflected_forms("Datasilta")    # the genitive takes the weak grade


def test_multiword_name_forms():
    forms = inflected_forms("Matti Virtanen")
    assert {"Matti Virtasen", "Virtasen", "Matin"} <= set(forms)
    org = inflected_forms("Datasilta Oy", kind="organisation")
    assert {"Datasilta Oy", "Datasillan", "Datasiltaan"} <= set(org)


# ------------------------------------------------------------------ replacement of names

def test_names_replaced_with_case_endings(key):
    text = ("Virtasen mukaan Virtaselle ei kerrottu. Virtanen itse ja Matti Virtaselle soitettiin. "
            "Korhosta ja Korhoselle. Mäkelää haastateltiin, Mäkelässä on. Laineen ja Lainetta.")
    out = pseudonymise_text(text, key).text
    assert out == ("H1:n mukaan H1:lle ei kerrottu. H1 itse ja H1:lle soitettiin. "
                   "H2:ta ja H2:lle. H3:tä haastateltiin, H3:ssä on. H4:n ja H4:ta.")


def test_organisation_forms_and_compounds(key):
    text = ("Datasilta Oy:n sopimus. Datasillan väki, Datasiltaa kehitetään, Datasiltaan mentiin, "
            "Datasillalla on. Datasilta-projekti, Datasiltatiimi ja Virtasen-tiimi.")
    p = pseudonymise_text(text, key)
    assert p.text == ("Yritys X:n sopimus. Yritys X:n väki, Yritys X:ta kehitetään, Yritys X:een mentiin, "
                      "Yritys X:lla on. Yritys X -projekti, Yritys X -tiimi ja H1:n-tiimi.")
    kinds = {h.original: h.kind for h in p.replacements}
    assert kinds["Datasillan"] == "organisation" and kinds["Virtasen"] == "person"


def test_no_false_positive_on_longer_names(key):
    text = "Korhosenkaan ei. Lainemaa ja Aaltonen ovat eri ihmisiä, samoin Mäkeläinen. Laineet lyövät."
    p = pseudonymise_text(text, PseudonymKey.from_mapping({"Aalto": "H9", "Laine": "H4", "Mäkelä": "H3"}))
    assert "Aaltonen" in p.text and "Lainemaa" in p.text and "Mäkeläinen" in p.text
    # the plural 'Laineet' is a form of the name (over-replacing is the safe side)
    assert "Laineet" not in p.text
    # a capitalised compound starting with a person's name in the genitive is caught
    assert pseudonymise_text("Virtasentiimi voitti.", key).text == "H1:n-tiimi voitti."


def test_clitic_uppercase_and_lemma_fallback(key):
    p = pseudonymise_text("Virtasenkin mielestä VIRTASEN kanssa; Mäkelöitä on kaksi.", key)
    assert p.text.startswith("H1:nkin mielestä H1:n kanssa")
    assert "Mäkelö" not in p.text            # plural partitive found by the lemmatiser fallback
    assert "H3" in p.text


def test_mapping_key_and_lowercase_words_left(key):
    p = pseudonymise_text("laine lyö rantaan, Laine ei.", {"Laine": "H4"})
    assert p.text == "laine lyö rantaan, H4 ei."
    # a plain mapping (kind unknown) still finds a person by surname alone
    assert pseudonymise_text("Virtaselle soitin.", {"Matti Virtanen": "H1"}).text == "H1:lle soitin."


# ------------------------------------------------------------------ patterns

def test_email_url_replaced():
    text = "Kirjoita matti.virtanen@datasilta.fi tai katso https://www.datasilta.fi/tiimi/. Myös www.esimerkki.com!"
    p = pseudonymise_text(text)
    assert p.text == "Kirjoita [sähköposti] tai katso [URL]. Myös [URL]!"
    en = pseudonymise_text(text, lang="en")
    assert en.text == "Kirjoita [email] tai katso [URL]. Myös [URL]!"


@pytest.mark.parametrize("phone", ["040 123 4567", "+358 40 1234567", "09-123 4567", "0401234567",
                                   "050-123 45 67", "+358401234567"])
def test_phones(phone):
    p = pseudonymise_text(f"Soita numeroon {phone} huomenna.")
    assert p.text == "Soita numeroon [puhelin] huomenna."


@pytest.mark.parametrize("text", ["Vuonna 2021 oli 1 234 567 euroa.", "Kello 10.30 ja 3.8.2021.",
                                  "[00:01:02] H1: kyllä", "Sivu 040 ja tunniste 12345."])
def test_no_phone_false_positives(text):
    assert find_patterns(text) == []


def test_personal_identity_code():
    assert valid_henkilotunnus("131052-308T")
    assert not valid_henkilotunnus("131052-308U")       # wrong check character
    assert not valid_henkilotunnus("311352-308T")       # no such date
    assert valid_henkilotunnus("010101A123N")           # born 2001, check char 010101123 mod 31
    assert not valid_henkilotunnus("010101A123M")
    p = pseudonymise_text("Hetu 131052-308T ja väärä 131052-308U.")
    assert p.text == "Hetu [henkilötunnus] ja väärä 131052-308U."
    assert pseudonymise_text("id 131052-308T", lang="en").text == "id [personal id]"


def test_identity_code_separators():
    # the same person born in 1852 (+), 1952 (-, U-Y) and 2052 (A-F): check char is over the 9 digits
    for sep in "+-UVWXYABCDEF":
        assert valid_henkilotunnus(f"131052{sep}308T"), sep
    assert not valid_henkilotunnus("131052G308T")


def test_iban():
    assert valid_iban("FI21 1234 5600 0007 85")
    assert valid_iban("FI2112345600000785")
    assert not valid_iban("FI21 1234 5600 0007 86")
    assert not valid_iban("FI21 1234 5600 0007")          # wrong length for Finland
    p = pseudonymise_text("Tilille FI21 1234 5600 0007 85 EUR, ei tilille FI21 1234 5600 0007 86.")
    assert p.text == "Tilille [IBAN] EUR, ei tilille FI21 1234 5600 0007 86."


# ------------------------------------------------------------------ offsets

def _words_after(text: str, key) -> str:
    return pseudonymise_text(text, key).text


def test_remap_spans_stay_on_the_same_words(key):
    text = ("Alussa kerrottiin. Virtasen mielestä Datasillan tuki on hyvä. "
            "Soita 040 123 4567. Lopuksi Mäkelää kiitettiin ja Laineelle soitettiin.")
    p = pseudonymise_text(text, key)
    spans = {
        "before": "Alussa kerrottiin.",
        "across": "Virtasen mielestä Datasillan tuki",
        "inside-between": "mielestä",
        "phone": "Soita 040 123 4567.",
        "after": "Laineelle soitettiin.",
        "just-name": "Mäkelää",
        "end": "soitettiin.",
    }
    for label, piece in spans.items():
        s = text.index(piece)
        e = s + len(piece)
        ns, ne = remap_span(s, e, p)
        assert p.text[ns:ne] == _words_after(piece, key), label


def test_remap_snaps_to_replacement_edges(key):
    text = "Kysyin Virtaselta asiaa."
    p = pseudonymise_text(text, key)
    assert p.text == "Kysyin H1:lta asiaa."
    s = text.index("Virtaselta")
    # a coding starting in the middle of the name and ending in the middle of it
    assert p.text[slice(*remap_span(s + 3, s + 5, p))] == "H1:lta"
    # a coding from inside the name to the end of the sentence
    ns, ne = remap_span(s + 4, len(text), p)
    assert p.text[ns:ne] == "H1:lta asiaa."
    # a coding ending inside the name
    ns, ne = remap_span(0, s + 2, p)
    assert p.text[ns:ne] == "Kysyin H1:lta"
    # offsets of an unchanged text are unchanged
    plain = pseudonymise_text("ei nimiä tässä", key)
    assert plain.replacements == [] and remap_span(3, 8, plain) == (3, 8)


def test_replacements_point_into_original(key):
    text = "Mäkelän ja Korhosen puhelin 09-123 4567."
    p = pseudonymise_text(text, key)
    for start, end, original, replacement, kind in p.replacements:
        assert text[start:end] == original
    assert [r.kind for r in p.replacements] == ["person", "person", "phone"]
    assert p.offset_map[0] == (0, 7, 0, 4)


# ------------------------------------------------------------------ key files

def test_key_round_trip_xlsx_and_csv(tmp_path, key):
    for name in ("avain.xlsx", "avain.csv"):
        path = save_key(key, tmp_path / name)
        back = load_key(path)
        assert back.to_frame().equals(key.to_frame())


def test_key_finnish_headers_and_kinds(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Muuta"
    ws = wb.create_sheet("Avain")
    ws.append(["Oikea nimi", "Pseudonyymi", "Laji"])
    ws.append(["Matti Virtanen", "H1", "henkilö"])
    ws.append(["Datasilta Oy", "Yritys X", "yritys"])
    wb.save(tmp_path / "k.xlsx")
    k = load_key(tmp_path / "k.xlsx")
    assert [(e.real, e.pseudonym, e.kind) for e in k] == [("Matti Virtanen", "H1", "person"),
                                                         ("Datasilta Oy", "Yritys X", "organisation")]
    (tmp_path / "k.csv").write_text("nimi;pseudonyymi;laji;muut muodot\nLaine;H4;henkilö;Lainen\n", "utf-8")
    k2 = load_key(tmp_path / "k.csv")
    assert k2.entries[0].aliases == ["Lainen"] and k2.entries[0].kind == "person"


def test_key_errors(tmp_path):
    (tmp_path / "bad.csv").write_text("real,pseudonym,kind\nVirtanen,,person\n", "utf-8")
    with pytest.raises(QualcodeError, match="real name and a pseudonym"):
        load_key(tmp_path / "bad.csv")
    (tmp_path / "kind.csv").write_text("real,pseudonym,kind\nVirtanen,H1,alien\n", "utf-8")
    with pytest.raises(QualcodeError, match="unknown kind"):
        load_key(tmp_path / "kind.csv")
    with pytest.raises(QualcodeError, match="contains the real name"):
        PseudonymKey.from_mapping({"Virtanen": "Virtanen X"})
    with pytest.raises(QualcodeError, match="does not exist"):
        load_key(tmp_path / "none.xlsx")


def test_key_refused_inside_project(tmp_path):
    root = tmp_path / "study"
    (root / "sub").mkdir(parents=True)
    with pytest.raises(QualcodeError, match="outside the project"):
        check_key_location(root / "sub" / "avain.xlsx", root)
    with pytest.raises(QualcodeError, match="key_file in qualcode.toml"):
        check_key_location(root / "avain.xlsx", root)
    outside = tmp_path / "home" / "avain.xlsx"
    assert check_key_location(outside, root) == outside.resolve()
    # a sibling folder whose name starts like the project is outside
    assert check_key_location(tmp_path / "study2" / "k.csv", root)


def test_key_repr_hides_names(key):
    assert "Virtanen" not in repr(key) and "Virtanen" not in key._repr_html_()


# ------------------------------------------------------------------ scanning

def test_scan_text(key):
    df = scan_text("Virtasen numero on 040 123 4567.", key)
    assert list(df.columns) == ["start", "end", "found", "kind"]
    assert df.to_dict("records") == [
        {"start": 0, "end": 8, "found": "Virtasen", "kind": "person"},
        {"start": 19, "end": 31, "found": "040 123 4567", "kind": "phone"},
    ]
    assert scan_text("H1:n mielestä [puhelin].", key).empty


def _xlsx(path, value):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Lainaukset"
    ws["A1"] = "Teksti"
    ws["B7"] = value
    wb.save(path)
    return path


def _docx(path, para, cell):
    import docx

    d = docx.Document()
    d.add_paragraph("Otsikko")
    d.add_paragraph(para)
    t = d.add_table(rows=2, cols=2)
    t.cell(1, 1).text = cell
    d.save(str(path))
    return path


def _qdpx(path, source_text, title="Projekti"):
    qde = ('<?xml version="1.0" encoding="utf-8"?>\n'
           f'<Project name="{title}" xmlns="urn:QDA-XML:project:1.0">\n'
           '  <Sources>\n'
           '    <TextSource guid="01234567-89ab-4cde-8f01-234567890abc" name="x" plainTextPath="internal://x.txt"/>\n'
           '  </Sources>\n'
           '</Project>\n')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/x.txt", source_text)
    return path


def test_scan_file_finds_planted_names(tmp_path, key):
    hits = scan_file(_xlsx(tmp_path / "a.xlsx", "Mäkelän mielestä hyvä"), key)
    assert hits[["location", "found", "kind"]].values.tolist() == [["Lainaukset!B7", "Mäkelän", "person"]]

    hits = scan_file(_docx(tmp_path / "a.docx", "H1: Virtaselle soitettiin.", "Datasiltaan"), key)
    assert hits[["location", "found"]].values.tolist() == [["paragraph 2", "Virtaselle"],
                                                          ["table 1 R2C2", "Datasiltaan"]]

    hits = scan_file(_qdpx(tmp_path / "a.qdpx", "rivi yksi\nKorhosen kanssa sovittiin\n"), key)
    assert hits[["location", "found"]].values.tolist() == [["sources/x.txt:2", "Korhosen"]]

    hits = scan_file(_qdpx(tmp_path / "b.qdpx", "puhdas\n", title="Laineen haastattelut"), key)
    assert hits[["location", "found"]].values.tolist() == [["project.qde:2", "Laineen"]]

    (tmp_path / "r.md").write_text("# Raportti\n\nTeksti.\nLähde: Lahdessa 12.3.\n", "utf-8")
    hits = scan_file(tmp_path / "r.md", key)
    assert hits.to_dict("records") == [{"file": str(tmp_path / "r.md"), "location": "line 4",
                                        "found": "Lahdessa", "kind": "place"}]


def test_scan_html_attributes_and_entities(tmp_path, key):
    (tmp_path / "r.html").write_text('<p>H1 &amp; <a href="mailto:m@datasilta.fi">posti</a></p>\n', "utf-8")
    hits = scan_file(tmp_path / "r.html", key)
    assert hits["kind"].tolist() == ["email"]


def test_clean_files_pass(tmp_path, key):
    files = [
        _xlsx(tmp_path / "c.xlsx", "H3:n mielestä hyvä"),
        _docx(tmp_path / "c.docx", "H1: H1:lle soitettiin.", "Yritys X:een"),
        _qdpx(tmp_path / "c.qdpx", "rivi yksi\nH2:n kanssa sovittiin\n"),
    ]
    (tmp_path / "c.md").write_text("# Raportti\n\nH4:n mielestä [puhelin].\n", "utf-8")
    files.append(tmp_path / "c.md")
    result = check_anonymity(files, key)
    assert isinstance(result, pd.DataFrame) and result.empty
    assert list(result.columns) == ["file", "location", "found", "kind"]


def test_check_anonymity_folder_and_texts(tmp_path, key):
    out = tmp_path / "out"
    out.mkdir()
    _xlsx(out / "a.xlsx", "Ei mitään")
    (out / "b.csv").write_text("teksti\nSoita 040 123 4567\n", "utf-8")
    (out / "kuva.png").write_bytes(b"\x89PNG")
    result = check_anonymity(out, key, texts={"lainaus 1": "hyvä\nMäkelän idea"})
    assert result.values.tolist() == [[str(out / "b.csv"), "line 2", "040 123 4567", "phone"],
                                      ["lainaus 1", "line 2", "Mäkelän", "person"]]


def test_pseudonymised_text_passes_check(key):
    text = "Virtasen mukaan Datasilta-projekti (puh. 040 123 4567, matti@datasilta.fi) oli Mäkelän idea."
    p = pseudonymise_text(text, key)
    assert check_anonymity([], key, texts=[p.text]).empty
    assert not check_anonymity([], key, texts=[text]).empty


def test_scan_refuses_unsafe_archive(tmp_path, key):
    path = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("../evil.txt", "Virtanen")
    with pytest.raises(QualcodeError, match="path traversal"):
        scan_file(path, key)


def test_scan_unsupported_file(tmp_path, key):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(QualcodeError, match="cannot check"):
        scan_file(tmp_path / "x.pdf", key)


# ------------------------------------------------------------------ NER suggestions

def test_suggestions_without_pipeline_say_why():
    from qualcode.pseudonym.ner import has_pipeline

    if has_pipeline("fi"):
        pytest.skip("the Finnish pipeline is installed here")
    df = suggest_key_entries(["Matti Virtanen kävi Helsingissä."], lang="fi")
    assert df.empty and list(df.columns) == ["candidate", "kind", "count"]
    assert "spacy_fi_experimental_web_md" in df.attrs["note"]


def test_suggestions_with_finnish_pipeline():
    pytest.importorskip("spacy_fi_experimental_web_md")
    df = suggest_key_entries(["Matti Virtanen kävi Helsingissä.", "Virtanen soitti."], lang="fi",
                             key={"Helsinki": "Kaupunki A"})
    assert "person" in set(df["kind"])
    assert "Helsinki" not in set(df["candidate"])


def test_suggestions_with_fake_pipeline():
    """The counting and the key filter, with a stand-in for spaCy."""

    class Ent:
        def __init__(self, text, label, lemma=None):
            self.text, self.label_, self.lemma_ = text, label, lemma or text

    class Doc:
        def __init__(self, ents):
            self.ents = ents

    class NLP:
        def pipe(self, texts):
            for t in texts:
                yield Doc([Ent(w.strip("."), "PER") for w in t.split() if w[0].isupper()])

    df = suggest_key_entries(["Anna ja Pekka.", "Pekka."], nlp=NLP(), key={"Anna": "H1"})
    assert df.values.tolist() == [["Pekka", "person", 2]]


def test_written_endings_hyphenated_names_and_key_changes():
    k = PseudonymKey([KeyEntry("Anna-Liisa", "H7", "person"), KeyEntry("Smith", "R1", "person"),
                      KeyEntry("HSL", "Organisaatio A", "organisation")])
    text = "Anna-Liisan mukaan Smith's view; HSL:lle ja HSL:n, Anna-Liisakin. Smith: hei"
    assert pseudonymise_text(text, k).text == ("H7:n mukaan R1's view; Organisaatio A:lle ja Organisaatio A:n, "
                                               "H7:kin. R1: hei")
    assert pseudonymise_text("Virtaselle", k).text == "Virtaselle"
    k.entries.append(KeyEntry("Virtanen", "H1", "person"))       # the cached matcher is rebuilt
    assert pseudonymise_text("Virtaselle", k).text == "H1:lle"


def test_long_text_is_quick(key):
    import time

    para = ("Haastateltava kertoi, että Virtasen tiimi ja Datasillan myynti tekivät yhteistyötä "
            "Lahdessa, ja Mäkelä soitti numeroon 040 123 4567 useasti. ") * 2000
    t0 = time.perf_counter()
    p = pseudonymise_text(para, key)
    assert time.perf_counter() - t0 < 20          # a generous bound; typically well under a second
    assert len(p.replacements) == 5 * 2000
    assert "Virta" not in p.text and "Datasil" not in p.text


# ------------------------------------------------------------------ frames (reports / exports)

def _frames():
    source = ("H: Miten Virtasen kanssa meni?\n"
              "H1: Virtaselle soitin, ja Datasillan tuki vastasi numerosta 040 123 4567 heti.\n"
              "H1: Mäkelä oli mukana myös.\n")
    lines = source.splitlines(keepends=True)
    segs, pos = [], 0
    for i, line in enumerate(lines):
        start = pos + line.index(":") + 2
        end = pos + len(line.rstrip("\n"))
        segs.append({"segment_id": i + 1, "source_id": 7, "source": "Virtanen_haastattelu.docx", "start": start,
                     "end": end, "text": source[start:end], "speaker": line.split(":")[0]})
        pos += len(line)
    segments = pd.DataFrame(segs)
    want = ["Virtaselle soitin", "Datasillan tuki vastasi numerosta 040 123 4567", "Mäkelä oli", "heti."]
    rows = []
    for n, piece in enumerate(want, start=1):
        s = source.index(piece)
        seg = next(r for r in segs if r["start"] <= s < r["end"])
        rows.append({"coding_id": n, "segment_id": seg["segment_id"], "source_id": 7,
                     "source": seg["source"], "code_id": "c", "start": s, "end": s + len(piece),
                     "quote": piece, "segment_text": seg["text"], "speaker": seg["speaker"]})
    return source, segments, pd.DataFrame(rows)


@pytest.mark.parametrize("with_source", [False, True])
def test_pseudonymise_frames_keeps_codings_on_their_words(key, with_source):
    source, segments, codings = _frames()
    texts = {7: source} if with_source else None
    seg, cod = pseudonymise_frames(segments, codings, key, source_texts=texts)
    assert cod["quote"].tolist() == ["H1:lle soitin", "Yritys X:n tuki vastasi numerosta [puhelin]",
                                     "H3 oli", "heti."]
    assert set(seg["source"]) == {"H1_haastattelu.docx"} and set(cod["source"]) == {"H1_haastattelu.docx"}
    # the offsets are offsets into the pseudonymised source text
    new_source = pseudonymise_text(source, key).text
    for r in seg.itertuples():
        assert new_source[r.start:r.end] == r.text
    for r in cod.itertuples():
        assert new_source[r.start:r.end] == r.quote
        assert r.segment_text == seg.set_index("segment_id").loc[r.segment_id, "text"]
    assert check_anonymity([], key, texts=list(seg["text"]) + list(cod["quote"]) + list(seg["source"])).empty


def test_pseudonymise_frame_cells(key):
    informants = pd.DataFrame({"code": ["H1", "H2"], "organisation": ["Datasilta Oy", "Lahden kaupunki"],
                               "duration_min": [45.0, 50.0]})
    out = pseudonymise_frame(informants, key)
    assert out["organisation"].tolist() == ["Yritys X", "Kaupunki A:n kaupunki"]
    assert out["duration_min"].tolist() == [45.0, 50.0]
    assert informants["organisation"][0] == "Datasilta Oy"      # the input is not changed
