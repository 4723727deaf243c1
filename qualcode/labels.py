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
    # --- audit trail (Analyysiloki) ---
    "sheet.audit": ("Analyysiloki", "Audit trail"),
    "audit.time": ("Aika", "Time"),
    "audit.coder": ("Toimija", "Actor"),
    "audit.action": ("Toiminto", "Action"),
    "audit.target": ("Kohde", "Target"),
    "audit.reason": ("Perustelu", "Reason"),
    "audit.details": ("Tiedot", "Details"),
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
    "analysis.missing": ("(ei tietoa)", "(missing)"),
    "analysis.and": (" ja ", " and "),
    "analysis.reduction.original": ("Alkuperäinen ilmaus", "Original expression"),
    "analysis.reduction.reduced": ("Pelkistetty ilmaus", "Reduced expression"),
    "analysis.reduction.subcategory": ("Alaluokka", "Subcategory"),
    "analysis.reduction.upper": ("Yläluokka", "Upper category"),
    "analysis.reduction.main": ("Pääluokka", "Main category"),
    "analysis.type.default_name": ("Tyyppi {n}", "Type {n}"),
    "analysis.type.untyped": ("Tyypittelemättömät", "Untyped"),
    "analysis.type.members": ("Tyyppiin kuuluu {n} haastateltavaa ({members}).",
                              "The type has {n} informants ({members})."),
    "analysis.type.members_one": ("Tyyppiin kuuluu yksi haastateltava ({members}).",
                                  "The type has one informant ({members})."),
    "analysis.type.members_none": ("Tyyppiin ei kuulu yhtään haastateltavaa.",
                                   "No informant belongs to the type."),
    "analysis.type.typical": ("Heille tyypillistä on {features}.", "Typical of them is {features}."),
    "analysis.type.typical_one": ("Hänelle tyypillistä on {features}.",
                                  "Typical of this informant is {features}."),
    "analysis.type.no_features": ("Mikään yksittäinen koodi ei erota tyyppiä muista.",
                                  "No single code sets the type apart from the others."),
    "analysis.type.example": ("Esimerkki: {quote} ({speaker})", "Example: {quote} ({speaker})"),
    "analysis.valence.positive": ("Positiivinen", "Positive"),
    "analysis.valence.negative": ("Negatiivinen", "Negative"),
    "analysis.valence.neutral": ("Neutraali", "Neutral"),
    "analysis.valence.mixed": ("Ristiriitainen", "Mixed"),
    "analysis.valence.development_idea": ("Kehitysidea", "Development idea"),
    "analysis.valence.title": ("Positiiviset ja negatiiviset kokemukset",
                               "Positive and negative experiences"),
    "analysis.training_needs": ("Koulutustarpeet", "Training needs"),
    "analysis.development_targets": ("Kehittämiskohteet", "Development targets"),
    "analysis.swot.title": ("SWOT-analyysi", "SWOT analysis"),
    "analysis.swot.S": ("Vahvuudet", "Strengths"),
    "analysis.swot.W": ("Heikkoudet", "Weaknesses"),
    "analysis.swot.O": ("Mahdollisuudet", "Opportunities"),
    "analysis.swot.T": ("Uhat", "Threats"),
    "analysis.swot.internal": ("Sisäiset tekijät", "Internal factors"),
    "analysis.swot.external": ("Ulkoiset tekijät", "External factors"),
    "analysis.swot.helpful": ("Myönteiset", "Helpful"),
    "analysis.swot.harmful": ("Kielteiset", "Harmful"),
    "analysis.trend": ("TRENDI", "TREND"),
    "analysis.comment": ("KOMMENTTI", "COMMENT"),
    "analysis.trend.paragraph": ("{n}. {trend} ({shared} haastateltavaa). {comment}",
                                 "{n}. {trend} ({shared} informants). {comment}"),
    "analysis.scores.title": ("Suositteluarvosanat", "Recommendation scores"),
    "analysis.scores.promoters": ("Suosittelijat", "Promoters"),
    "analysis.scores.passives": ("Neutraalit", "Passives"),
    "analysis.scores.detractors": ("Ei-suosittelijat", "Detractors"),
    "analysis.scores.nps": ("Nettosuositusluku (NPS)", "Net Promoter Score (NPS)"),
    "analysis.scores.no_nps": ("NPS-lukua ei laskettu: se lasketaan vain asteikolla 0–10, "
                               "ja tämän asteikko on {scale}.",
                               "NPS was not computed: it needs a 0–10 scale, and this one is {scale}."),
    "analysis.scores.no_answers": ("NPS-lukua ei laskettu, koska vastauksia ei ole.",
                                   "NPS was not computed because there are no answers."),
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
    # (report helper: report labels, qualcode/report/)
    "report.sheet.interviews": ("Haastattelut", "Interviews"),
    "report.sheet.themes": ("Teemat", "Themes"),
    "report.sheet.quotes": ("Lainaukset", "Quotes"),
    "report.sheet.experiences": ("Kokemukset", "Experiences"),
    "report.sheet.training": ("Koulutustarpeet", "Training needs"),
    "report.sheet.swot": ("SWOT", "SWOT"),
    "report.sheet.trends": ("Trendit", "Trends"),
    "report.sheet.types": ("Tyypit", "Types"),
    "report.sheet.reduction": ("Pelkistys", "Reduction"),
    "report.sheet.scores": ("Arvosanat", "Scores"),
    "report.sheet.audit": ("Analyysiloki", "Audit trail"),
    "report.title.interviews": ("Haastattelut.", "Interviews."),
    "report.title.codebook": ("Koodikirja.", "Codebook."),
    "report.title.themes": ("Koodatut segmentit haastateltavittain.", "Coded segments by informant."),
    "report.title.quotes": ("Lainaukset teemoittain.", "Quotes by theme."),
    "report.title.experiences": ("Positiiviset ja negatiiviset kokemukset teemoittain.",
                                 "Positive and negative experiences by theme."),
    "report.title.training": ("Koulutustarpeet kohteittain.", "Training needs by target."),
    "report.title.swot": ("SWOT-analyysi.", "SWOT analysis."),
    "report.title.trends": ("Trendit ja kommentit.", "Trends and comments."),
    "report.title.types": ("Tyyppikuvaukset.", "Type descriptions."),
    "report.title.reduction": ("Aineiston pelkistäminen ja luokittelu.", "Reduction and grouping of the data."),
    "report.title.scores": ("Suositteluarvosanat.", "Recommendation scores."),
    "report.title.audit": ("Analyysiloki.", "Audit trail."),
    "report.title.frequencies": ("Koodien esiintyminen ryhmittäin.", "Code frequencies by group."),
    "report.title.network": ("Koodien yhteisesiintyminen.", "Code co-occurrence."),
    "report.interviews.date": ("PVM:", "Date:"),
    "report.interviews.mode": ("Haastattelun tapa:", "Interview mode:"),
    "report.interviews.duration": ("Kesto:", "Duration:"),
    "report.interviews.title": ("Titteli:", "Title:"),
    "report.interviews.code": ("Koodi:", "Code:"),
    "report.interviews.summary": ("n = {n}; yhteensä {total}; keskimäärin {mean}",
                                  "n = {n}; total {total}; mean {mean}"),
    "report.quotes.theme": ("Teema", "Theme"),
    "report.quotes.quote": ("Lainaus", "Quote"),
    "report.quotes.code": ("Koodi", "Code"),
    "report.quotes.valence": ("Valenssi", "Valence"),
    "report.quotes.source": ("Lähde", "Source"),
    "report.quotes.file": ("Tiedosto", "File"),
    "report.informant": ("Haastateltava", "Informant"),
    "report.total": ("Yhteensä", "Total"),
    "report.segments": ("Segmenttejä", "Segments"),
    "report.informants": ("Haastateltavia", "Informants"),
    "report.target": ("Kohde", "Target"),
    "report.code_id": ("Koodin tunniste", "Code id"),
    "report.types.type": ("Tyyppi", "Type"),
    "report.types.n": ("Jäseniä", "Members (n)"),
    "report.types.members": ("Jäsenet", "Members"),
    "report.types.defining": ("Tyyppiä määrittävät koodit", "Defining codes"),
    "report.types.description": ("Tyyppikuvaus", "Type description"),
    "report.scores.value": ("Arvosana", "Score"),
    "report.scores.count": ("Vastauksia", "Answers"),
    "report.scores.share": ("Osuus", "Share"),
    "report.scores.statistic": ("Tunnusluku", "Statistic"),
    "report.scores.stat_value": ("Arvo", "Value"),
    "report.scores.n": ("Vastaajia", "Respondents"),
    "report.scores.mean": ("Keskiarvo", "Mean"),
    "report.scores.median": ("Mediaani", "Median"),
    "report.scores.min": ("Pienin", "Minimum"),
    "report.scores.max": ("Suurin", "Maximum"),
    "report.audit.time": ("Aika", "Time"),
    "report.audit.actor": ("Toimija", "Actor"),
    "report.audit.action": ("Toiminto", "Action"),
    "report.audit.target": ("Kohde", "Target"),
    "report.audit.reason": ("Perustelu", "Rationale"),
    "report.doc.interviews": ("Haastattelut", "Interviews"),
    "report.doc.results": ("Tulokset", "Results"),
    "report.doc.figures": ("Kuviot", "Figures"),
    "report.doc.appendices": ("Liitteet", "Appendices"),
    "report.doc.theme_share": ("Teeman toi esiin {shared} haastateltavaa.",
                               "The theme was raised by {shared} informants."),
    "report.doc.no_quotes": ("Teemaan ei ole koodattu lainauksia.", "No quotes are coded under this theme."),
    "report.frame.individual": ("Haastattelurunko", "Interview guide"),
    "report.frame.group": ("Ryhmäteemahaastattelun runko", "Group theme interview guide"),
    "report.frame.participants": ("Osallistujat:", "Participants:"),
    "report.frame.theme": ("TEEMA {n}", "THEME {n}"),
    "report.frame.scale": ("({scale})", "({scale})"),
    "report.frame.results": ("Ryhmäteemahaastattelun tulokset", "Group theme interview results"),
    "report.frame.trends": ("Trendit ja kommentit", "Trends and comments"),
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
