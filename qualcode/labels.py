"""The label catalogue: every user-visible Finnish/English label in one place.

Reports, sheets, captions and codebook columns look labels up here by key, never as
scattered literals.

>>> label("sheet.codebook", "fi"), label("sheet.codebook", "en")
('Koodikirja', 'Codebook')
"""
from __future__ import annotations

LANGS = ("fi", "en")

# key -> (Finnish, English).  Keep sections in pipeline order.
LABELS: dict[str, tuple[str, str]] = {
    # --- general ---
    "caption.table": ("Taulukko {n}. {title}", "Table {n}. {title}"),
    "caption.figure": ("Kuvio {n}. {title}", "Figure {n}. {title}"),
    "caption.appendix": ("Liite {n}. {title}", "Appendix {n}. {title}"),
    # --- status / ingest ---
    "status.sources": ("Lähteet", "Sources"),
    "status.words": ("Sanat", "Words"),
    "status.informants": ("Haastateltavat", "Informants"),
    "status.segments": ("Segmentit", "Segments"),
    "status.codings": ("Koodaukset", "Codings"),
    # --- codebook ---
    "sheet.codebook": ("Koodikirja", "Codebook"),
    # (codebook helper: add codebook column labels below this line)
    "codebook.code": ("Koodi", "Code"),
    "codebook.theme": ("Teema", "Theme"),
    "codebook.definition": ("Määritelmä", "Definition"),
    "codebook.origin": ("Lähtökohta (aineisto/teoria)", "Origin (data/theory)"),
    "codebook.keywords": ("Avainsanat", "Keywords"),
    "codebook.example": ("Esimerkki", "Example"),
    "codebook.name": ("Nimi", "Name"),
    "codebook.parent": ("Yläkoodi", "Parent"),
    "codebook.phrases": ("Fraasit", "Phrases"),
    "codebook.patterns": ("Säännölliset lausekkeet", "Patterns"),
    "codebook.exclude": ("Poissulkevat sanat", "Exclude"),
    "codebook.compound": ("Yhdyssanan loppuosa", "Compound"),
    "codebook.valence": ("Valenssi", "Valence"),
    "codebook.swot": ("SWOT", "SWOT"),
    "codebook.color": ("Väri", "Colour"),
    "codebook.origin_data": ("aineisto", "data"),
    "codebook.origin_theory": ("teoria", "theory"),
    "codebook.yes": ("kyllä", "yes"),
    "codebook.no": ("ei", "no"),
    # --- review ---
    # (review helper: add review sheet labels below this line)
    "review.sheet": ("Tarkistus", "Review"),
    "review.sheet_codes": ("Koodit", "Codes"),
    "review.sheet_help": ("Ohje", "Instructions"),
    "review.segment": ("Segmentti", "Segment"),
    "review.source": ("Lähde", "Source"),
    "review.informant": ("Haastateltava", "Informant"),
    "review.text": ("Teksti", "Text"),
    "review.suggested": ("Ehdotetut koodit", "Suggested codes"),
    "review.accepted": ("Hyväksytyt koodit", "Accepted codes"),
    "review.accept": ("Hyväksy", "Accept"),
    "review.reject": ("Hylkää {n}", "Reject {n}"),
    "review.add": ("Lisää {n}", "Add {n}"),
    "review.note": ("Huomio", "Note"),
    "review.key": ("segmentin_tunniste", "segment_key"),
    "review.hash": ("tekstin_tiiviste", "text_hash"),
    "review.suggested_ids": ("ehdotetut_tunnisteet", "suggested_ids"),
    "review.accepted_ids": ("hyvaksytyt_tunnisteet", "accepted_ids"),
    "review.all": ("kaikki", "all"),
    "review.none": ("ei mitään", "none"),
    "review.code_id": ("Koodi", "Code"),
    "review.code_name": ("Nimi", "Name"),
    "review.code_theme": ("Teema", "Theme"),
    "review.code_description": ("Kuvaus", "Description"),
    "review.accept_prompt": (
        "Valitse kaikki tai ei mitään, tai kirjoita koodit pilkuin eroteltuina.",
        "Pick all or none, or type code ids separated by commas.",
    ),
    "review.code_prompt": (
        "Valitse koodi listasta (koodit ovat Koodit-välilehdellä).",
        "Pick a code from the list (the codes are on the Codes sheet).",
    ),
    "review.help": (
        "Yksi rivi on yksi segmentti. Muokkaa vain keltaisia sarakkeita.\n"
        "Hyväksy: kaikki = kaikki ehdotetut koodit pätevät; ei mitään = yksikään ehdotus ei päde; "
        "tai kirjoita hyväksyttävät koodit pilkuin eroteltuina.\n"
        "Hylkää 1–3: koodi, joka ei päde segmenttiin (ehdotettu tai aiemmin hyväksytty).\n"
        "Lisää 1–3: koodi, jota ei ehdotettu mutta joka pätee.\n"
        "Tyhjä rivi jättää ehdotukset ennalleen. Älä muokkaa tekstiä: muutettu teksti estää tuonnin.",
        "One row is one segment. Edit only the yellow columns.\n"
        "Accept: all = every suggested code applies; none = no suggestion applies; "
        "or type the codes to accept, separated by commas.\n"
        "Reject 1–3: a code that does not apply to the segment (suggested or accepted earlier).\n"
        "Add 1–3: a code that was not suggested but applies.\n"
        "An empty row leaves the suggestions as they are. Do not edit the text: an edited text stops the import.",
    ),
    # --- analysis ---
    # (analysis helper: add analysis labels below this line)
    # --- agreement / audit ---
    # (agreement helper: add agreement and audit labels below this line)
    "agreement.overall": ("Kaikki koodit yhteensä", "All codes pooled"),
    "agreement.code_id": ("Koodi", "Code"),
    "agreement.units": ("Yksiköt", "Units"),
    "agreement.coders": ("Koodaajat", "Coders"),
    "agreement.percent_agreement": ("Yhteneväisyys %", "Agreement %"),
    "agreement.cohen_kappa": ("Cohenin kappa", "Cohen's kappa"),
    "agreement.krippendorff_alpha": ("Krippendorffin alfa", "Krippendorff's alpha"),
    "agreement.n_coded": ("Koodattuja yksiköitä", "Coded units"),
    "agreement.sheet_disagreements": ("Erimielisyydet", "Disagreements"),
    "agreement.segment": ("Segmentti", "Segment"),
    "agreement.source": ("Lähde", "Source"),
    "agreement.informant": ("Haastateltava", "Informant"),
    "agreement.text": ("Teksti", "Text"),
    "agreement.code": ("Koodi", "Code"),
    "agreement.agreed": ("Sovittu", "Agreed"),
    "agreement.note": ("Huomio", "Note"),
    "agreement.yes": ("kyllä", "yes"),
    "agreement.no": ("ei", "no"),
    "agreement.agreed_prompt": (
        "Kyllä = koodi pätee segmenttiin, ei = koodi ei päde.",
        "Yes = the code applies to the segment, no = it does not.",
    ),
    # --- reports ---
}


def label(key: str, lang: str = "fi", **fmt: object) -> str:
    """The label for ``key`` in ``lang`` (``fi`` or ``en``), formatted with ``fmt``."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    fi, en = LABELS[key]
    text = fi if lang == "fi" else en
    return text.format(**fmt) if fmt else text


def labels_for(prefix: str, lang: str = "fi") -> dict[str, str]:
    """All labels whose key starts with ``prefix``, as ``{key_suffix: text}``."""
    return {k[len(prefix):]: label(k, lang) for k in LABELS if k.startswith(prefix)}
