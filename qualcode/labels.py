"""The label catalogue: every user-visible Finnish/English label in one place.

Reports, sheets, captions and codebook columns look labels up here by key, never as
scattered literals.

>>> label("sheet.codebook", "fi"), label("sheet.codebook", "en")
('Koodikirja', 'Codebook')
"""
from __future__ import annotations

import math
from typing import Optional

from .errors import QualcodeError

LANGS = ("fi", "en")


def check_language(lang: Optional[str], default: str = "fi", *, error: type = QualcodeError,
                   path: Optional[str] = None, line: Optional[int] = None) -> str:
    """``lang`` (or ``default`` when it is None) if qualcode speaks it, else one clear error:
    ``error`` (a :class:`QualcodeError` subclass) naming ``path`` and ``line`` when given.

    >>> check_language("en"), check_language(None)
    ('en', 'fi')
    >>> check_language("sv", path="qualcode.toml")
    Traceback (most recent call last):
    ...
    qualcode.errors.QualcodeError: qualcode.toml: language must be fi or en, not 'sv'
    """
    lang = default if lang is None else lang
    if lang not in LANGS:
        raise error(f"language must be fi or en, not '{lang}'", path=path, line=line)
    return lang

# key -> (Finnish, English).  Keep sections in pipeline order.
LABELS: dict[str, tuple[str, str]] = {
    # --- general ---
    "caption.table": ("Taulukko {n}. {title}", "Table {n}. {title}"),
    "caption.figure": ("Kuvio {n}. {title}", "Figure {n}. {title}"),
    "caption.appendix": ("Liite {n}. {title}", "Appendix {n}. {title}"),
    # --- status / ingest ---
    "status.count": ("Määrä", "Count"),
    "status.sources": ("Lähteet", "Sources"),
    "status.words": ("Sanat", "Words"),
    "status.informants": ("Haastateltavat", "Informants"),
    "status.segments": ("Segmentit", "Segments"),
    "status.codings": ("Koodaukset", "Codings"),
    "status.lemmatizer": ("Perusmuotoistaja", "Lemmatiser"),
    "status.daemon": ("Taustaprosessi", "Daemon"),
    "status.daemon.on": ("käynnissä (pid {pid}): komennot ajetaan siinä", "running (pid {pid}): commands run in it"),
    "status.daemon.bypassed": ("käynnissä (pid {pid}), mutta QUALCODE_DAEMON=off: komennot ajetaan omina prosesseinaan",
                               "running (pid {pid}), but QUALCODE_DAEMON=off: commands run on their own"),
    "status.daemon.off": ("ei käynnissä (qualcode daemon start käynnistää)", "not running (qualcode daemon start starts it)"),
    "status.lemmatizer.set": ("{backend}", "{backend}"),
    "status.lemmatizer.voikko": ("{backend} (valittu automaattisesti)", "{backend} (chosen automatically)"),
    "status.lemmatizer.no-voikko": ("{backend} (automaattinen valinta: Voikkoa tai sen suomen sanastoa "
                                    "ei ole asennettu)",
                                    "{backend} (automatic choice: Voikko or its Finnish dictionary is not "
                                    "installed)"),
    "status.lemmatizer.language": ("{backend} (automaattinen valinta kielelle {language})",
                                   "{backend} (automatic choice for language {language})"),
    # --- progress ---
    "progress.lemma_table": ("Rakennetaan perusmuotojen hakutaulukkoa (kerran tällä koneella, noin 10 s)…",
                             "Building the lemma table (once on this machine, about 10 s)…"),
    "progress.annotate": ("Tokenisoidaan ja perusmuotoistetaan", "Tokenising and lemmatising"),
    "progress.code": ("Koodataan", "Coding"),
    # progress of reports (issue 16)
    "progress.report": ("Kirjoitetaan raporttia", "Writing the report"),
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
        "Valenssi ja Kohde: rivin hyväksyttyjen ja lisättyjen koodien oma valenssi ja se, kenestä "
        "(henkilö tai rooli) palaute kertoo; tyhjä = koodin valenssi ja puhujan rooli.\n"
        "Tyhjä rivi jättää ehdotukset ennalleen. Älä muokkaa tekstiä: muutettu teksti estää tuonnin.",
        "One row is one segment. Edit only the yellow columns.\n"
        "Accept: all = every suggested code applies; none = no suggestion applies; "
        "or type the codes to accept, separated by commas.\n"
        "Reject 1–3: a code that does not apply to the segment (suggested or accepted earlier).\n"
        "Add 1–3: a code that was not suggested but applies.\n"
        "Valence and Target: the own valence of the row's accepted and added codes, and whom (person or "
        "role) the remark concerns; empty = the code's valence and the speaker's role.\n"
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
    "agreement.title": ("Koodaajien yhteneväisyys", "Intercoder agreement"),
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
    # --- constructs ---
    # (construct helper: segmentation, care models, KAM plans, timeline, roles, templates; qualcode/construct/)
    "construct.sheet.segmentation": ("Segmentointi", "Segmentation"),
    "construct.sheet.care": ("Hoitomallit", "Care models"),
    "construct.sheet.evidence": ("Hoitomallin perusteet", "Care model evidence"),
    "construct.sheet.timeline": ("Aikataulu", "Timeline"),
    "construct.sheet.kam": ("KAM {account}", "KAM {account}"),
    "construct.sheet.roles": ("Roolit", "Roles"),
    "construct.sheet.templates": ("Viestipohjat", "Message templates"),
    "construct.sheet.checklist": ("Muistilista", "Checklist"),
    "construct.sheet.proposals": ("Kehitysehdotukset", "Proposals"),
    "construct.title.segmentation": ("Asiakassegmentointi.", "Customer segmentation."),
    "construct.title.care": ("Asiakkuuden hoitomallit.", "Customer care models."),
    "construct.title.evidence": ("Hoitomallin toimenpiteiden perustelut aineistosta.",
                                 "Evidence in the data for the care model actions."),
    "construct.title.timeline": ("Aikataulu ja eteneminen.", "Schedule and progress."),
    "construct.title.kam": ("KAM-suunnitelma: {account}.", "KAM plan: {account}."),
    "construct.title.kam_template": ("KAM-suunnitelman pohja", "KAM plan template"),
    "construct.title.roles": ("Roolikuvaukset.", "Role descriptions."),
    "construct.title.templates": ("Viestipohjat.", "Message templates."),
    "construct.title.checklist": ("Muistilista toimintaperiaatteista.", "Checklist of operating principles."),
    "construct.title.proposals": ("Kehitysehdotukset tasoittain.", "Development proposals by level."),
    "construct.customer": ("Asiakas", "Customer"),
    "construct.segment": ("Segmentti", "Segment"),
    "construct.basis": ("Peruste", "Basis"),
    "construct.customers": ("Asiakkaita", "Customers"),
    "construct.counts": ("Asiakkaita segmenteittäin: {counts}", "Customers by segment: {counts}"),
    "construct.and": (" ja ", " and "),
    "construct.or": (" tai ", " or "),
    "construct.basis.default": ("ei täytä muiden segmenttien ehtoja", "matches no other segment"),
    "construct.basis.rest": ("muut asiakkaat", "the remaining customers"),
    "construct.basis.abc_share": ("{attribute} {value}, sija {rank}/{n}", "{attribute} {value}, rank {rank}/{n}"),
    "construct.basis.abc_top": (" (ylimmät {share} %)", " (top {share}%)"),
    "construct.basis.abc_value": ("{attribute} {value}, kertymä {cum} % kokonaismäärästä",
                                  "{attribute} {value}, cumulative {cum}% of the total"),
    "construct.action": ("Toimenpide", "Action"),
    "construct.content": ("Sisältö", "Content"),
    "construct.frequency": ("Tiheys", "Frequency"),
    "construct.per_year": ("Kertaa vuodessa", "Times a year"),
    "construct.responsible": ("Vastuu", "Responsible"),
    "construct.channel": ("Kanava", "Channel"),
    "construct.stage": ("Elinkaaren vaihe", "Lifecycle stage"),
    "construct.evidence.codes": ("Koodit ja teemat", "Codes and themes"),
    "construct.evidence.segments": ("Segmenttejä", "Segments"),
    "construct.evidence.informants": ("Haastateltavat", "Informants"),
    "construct.evidence.quotes": ("Esimerkkilainaukset", "Example quotes"),
    "construct.freq.as_needed": ("tarvittaessa", "as needed"),
    "construct.freq.pattern": ("{n}krt/{unit}", "{n}×/{unit}"),
    "construct.freq.unit.vk": ("vk", "week"),
    "construct.freq.unit.kk": ("kk", "month"),
    "construct.freq.unit.kvartaali": ("kvartaali", "quarter"),
    "construct.freq.unit.puolivuosi": ("puolivuosi", "half-year"),
    "construct.freq.unit.vuosi": ("vuosi", "year"),
    "construct.follow_up": ("Vastuu ja seuranta", "Responsibility and follow-up"),
    "construct.timeline.heading": ("AIKATAULU JA ETENEMINEN", "SCHEDULE AND PROGRESS"),
    "construct.role": ("Rooli", "Role"),
    "construct.number": ("Nro", "No."),
    "construct.task": ("Tehtävä", "Task"),
    "construct.template": ("Viestipohja", "Template"),
    "construct.trigger": ("Lähetyshetki", "Trigger"),
    "construct.subject": ("Otsikko:", "Subject:"),
    "construct.recipient": ("Viestin vastaanottaja:", "Recipient:"),
    "construct.body": ("Viesti:", "Message:"),
    "construct.field": ("Kenttä", "Field"),
    "construct.entry": ("Tieto", "Entry"),
    "construct.principle": ("Toimintaperiaate", "Principle"),
    "construct.level": ("Taso", "Level"),
    "construct.proposal": ("Kehitysehdotus", "Development proposal"),
    "construct.proposal_basis": ("Peruste/teema", "Basis/theme"),
    "construct.kam.basics": ("Perustiedot", "Basic data"),
    "construct.kam.history": ("Historia ja nykytila", "History and current state"),
    "construct.kam.future": ("Tulevaisuuden potentiaalinen kuvaus", "Description of future potential"),
    "construct.kam.accounts": ("KAM-asiakkaat: {accounts}", "Key accounts: {accounts}"),
    "construct.kam.responsible": ("Vastuuhenkilöt", "Responsible persons"),
    "construct.kam.f.organisation": ("Asiakas ja sen organisaatio", "The customer and its organisation"),
    "construct.kam.f.contracts": ("Voimassa olevat sopimukset ja käytössä olevat palvelut",
                                  "Contracts in force and services in use"),
    "construct.kam.f.orders": ("Toimeksiannot viideltä viime vuodelta (määrät ja tyypit)",
                               "Orders over the last five years (counts and types)"),
    "construct.kam.f.invoicing": ("Laskutus viideltä viime vuodelta", "Invoicing over the last five years"),
    "construct.kam.f.contacts": ("Yhteyshenkilöt ja roolit (aktiiviset / ei-aktiiviset)",
                                 "Contact persons and roles (active / inactive)"),
    "construct.kam.f.cooperation": ("Nykyinen yhteistyö: palvelut, volyymi, työkalut ja hoitomalli",
                                    "Current cooperation: services, volume, tools and care model"),
    "construct.kam.f.needs": ("Tarpeet, joihin palvelumme voisi vastata", "Needs our service could meet"),
    "construct.kam.f.forecast": ("Volyymiennuste tai -tavoite", "Volume forecast or target"),
    "construct.kam.f.growth": ("Kasvusuunnitelma", "Growth plan"),
    "construct.kam.f.goals": ("Tavoitteet ja seurannan mittarit", "Goals and follow-up metrics"),
    # --- reports ---
    # (report helper: report labels, qualcode/report/)
    "report.sheet.interviews": ("Haastattelut", "Interviews"),
    "report.sheet.themes": ("Teemat", "Themes"),
    "report.sheet.quotes": ("Lainaukset", "Quotes"),
    "report.sheet.experiences": ("Kokemukset", "Experiences"),
    "report.sheet.training": ("Koulutustarpeet", "Training needs"),
    "report.sheet.swot": ("SWOT", "SWOT"),
    "report.sheet.swot_evidence": ("SWOT-perusteet", "SWOT evidence"),
    "report.title.swot_evidence": ("SWOT-analyysin tekijät ja niiden perusteet aineistossa.",
                                   "SWOT factors and their evidence in the data."),
    "report.swot.quadrant": ("Nelikenttä", "Quadrant"),
    "report.swot.item": ("Tekijä", "Factor"),
    "report.swot.quotes": ("Esimerkkilainaukset", "Example quotes"),
    "report.swot.informants": ("{n}, {segments}", "{n}, {segments}"),      # counted phrases
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
    "report.doc.basis": ("Koodausperusta", "Coding basis"),
    # {reviewed}, {suggestions}: counted phrases (count.*), singular after 1
    "report.basis.reviewed": ("Analyysit perustuvat {reviewed} ({coders}); {suggestions} ei ole laskettu mukaan.",
                              "The analyses count {reviewed} ({coders}); not counted: {suggestions}."),
    "report.basis.with_suggested": ("Analyyseissä on laskettu mukaan {reviewed} ({coders}) ja {suggestions}.",
                                    "The analyses count {reviewed} ({coders}) and {suggestions}."),
    "report.basis.warn_suggested": ("HUOM: mukana {suggestions}; tulokset ovat luonnos.",
                                    "NOTE: includes {suggestions}; the results are a draft."),
    "report.basis.none": ("Ei tarkistettuja koodauksia: analyysit ovat tyhjiä. {suggestions} odottaa tarkistusta.",
                          "No reviewed codings: the analyses are empty. Awaiting review: {suggestions}."),
    "report.doc.no_quotes": ("Teemaan ei ole koodattu lainauksia.", "No quotes are coded under this theme."),
    "report.frame.individual": ("Haastattelurunko", "Interview guide"),
    "report.frame.group": ("Ryhmäteemahaastattelun runko", "Group theme interview guide"),
    "report.frame.participants": ("Osallistujat:", "Participants:"),
    "report.frame.theme": ("TEEMA {n}", "THEME {n}"),
    "report.frame.scale": ("({scale})", "({scale})"),
    "report.frame.results": ("Ryhmäteemahaastattelun tulokset", "Group theme interview results"),
    "report.frame.trends": ("Trendit ja kommentit", "Trends and comments"),
    # --- transcript view (qualcode view, project.show; qualcode/view/) ---
    "view.title": ("Litteraatit ja koodaukset", "Transcripts and codings"),
    "view.summary": ("{sources} lähdettä, {codings} koodausta", "{sources} sources, {codings} codings"),
    "view.skip": ("Siirry tekstiin", "Skip to the text"),
    "view.filters": ("Haku ja suodatus", "Search and filters"),
    "view.back": ("← Kaikki lähteet", "← All sources"),
    "view.source": ("Lähde", "Source"),
    "view.informant": ("Haastateltavat", "Informants"),
    "view.date": ("Päivämäärä", "Date"),
    "view.words": ("Sanoja", "Words"),
    "view.words_n": ("{n} sanaa", "{n} words"),
    "view.codings_n": ("{n} koodausta", "{n} codings"),
    "view.minutes": ("{n} min", "{n} min"),
    "view.more": ("ja {n} muuta", "and {n} more"),
    "view.interviewer": ("haastattelija", "interviewer"),
    "view.line": ("rivi {n}", "line {n}"),
    "view.kind.interview": ("haastattelu", "interview"),
    "view.kind.group_interview": ("ryhmähaastattelu", "group interview"),
    "view.kind.workshop": ("työpaja", "workshop"),
    "view.kind.survey": ("kysely", "survey"),
    "view.kind.document": ("asiakirja", "document"),
    "view.search": ("Hae tekstistä", "Search the text"),
    "view.search_sources": ("Hae lähteistä", "Search the sources"),
    "view.next_hit": ("Seuraava osuma (Enter)", "Next match (Enter)"),
    "view.hits_one": ("{n} kappale osuu", "{n} paragraph matches"),
    "view.hits_many": ("{n} kappaletta osuu", "{n} paragraphs match"),
    "view.sources_one": ("{n} lähde", "{n} source"),
    "view.sources_many": ("{n} lähdettä", "{n} sources"),
    "view.only_coded": ("Vain koodatut puheenvuorot", "Coded turns only"),
    "view.status": ("Tila", "Status"),
    "view.status.suggested": ("ehdotettu", "suggested"),
    "view.status.accepted": ("hyväksytty", "accepted"),
    "view.status.manual": ("lisätty", "added"),
    "view.status.rejected": ("hylätty", "rejected"),
    "view.codes": ("Koodit", "Codes"),
    "view.all": ("Kaikki", "All"),
    "view.none": ("Ei mitään", "None"),
    "view.not_in_codebook": ("Ei koodikirjassa", "Not in the codebook"),
    "view.legend": ("Merkinnät", "Legend"),
    "view.legend.suggested": ("automaattinen ehdotus, tarkistamatta: katkoviiva",
                              "automatic suggestion, not reviewed: dashed line"),
    "view.legend.accepted": ("tarkistettu ja hyväksytty: yhtenäinen viiva", "reviewed and accepted: solid line"),
    "view.legend.manual": ("tutkijan itse lisäämä: kaksoisviiva", "added by a researcher: double line"),
    "view.legend.rejected": ("tarkistettu ja hylätty: pisteviiva, yliviivattu",
                             "reviewed and rejected: dotted line, struck through"),
    "view.overlap": ("päällekkäin", "overlapping"),
    "view.legend.overlap": ("jokaisella koodauksella oma viivansa; vie osoitin tai kohdistus tekstiin, niin näet "
                            "koodit, koodaajan ja säännön",
                            "each coding has a line of its own; point at or focus the text to see the codes, "
                            "the coder and the rule"),
    "view.whole": ("Koko kappaleen koodaukset", "Codings of the whole paragraph"),
    "view.rule": ("sääntö", "rule"),
    "view.valence": ("valenssi", "valence"),
    "view.pseudonymised": ("Pseudonymisoitu näkymä: avaimen nimet ja tunnistetiedot on korvattu.",
                           "Pseudonymised view: the key's names and identifying details are replaced."),
    "view.filtered": ("suodatettu", "filtered"),
    "view.coding": ("Koodaus", "Coding"),
    "view.code": ("Koodi", "Code"),
    "view.speaker": ("Puhuja", "Speaker"),
    "view.context": ("Kohta", "Passage"),
    "view.review.title": ("Tarkistus: {coder}", "Review: {coder}"),
    "view.review.keys": ("n / p seuraava / edellinen ehdotus · a hyväksy · r hylkää · u kumoa · Delete poista oma",
                         "n / p next / previous suggestion · a accept · r reject · u undo · Delete remove your own"),
    "view.review.accept": ("Hyväksy", "Accept"),
    "view.review.reject": ("Hylkää", "Reject"),
    "view.review.remove": ("Poista", "Remove"),
    "view.review.nothing_here": ("Siirry merkittyyn kohtaan (Tab tai n), niin sen koodaukset näkyvät tässä.",
                                 "Move to a marked passage (Tab or n) to see its codings here."),
    "view.review.add": ("Koodaa valitsemasi sanat", "Code the words you select"),
    "view.review.add_button": ("Lisää", "Add"),
    "view.review.select_first": ("Valitse ensin sanat tekstistä.", "Select words in the text first."),
    "view.review.selected": ("Valittu: {text}", "Selected: {text}"),
    "view.review.memo": ("Muistio kohdistetusta kappaleesta", "Memo on the focused paragraph"),
    "view.review.memo_button": ("Tallenna muistio", "Save the memo"),
    "view.review.undo": ("Kumoa viimeisin", "Undo the last"),
    "view.review.saving": ("Tallennetaan…", "Saving…"),
    "view.first_rows": ("{shown} ensimmäistä {total} koodauksesta", "the first {shown} of {total} codings"),
    # --- per-coding values (valence, target, SWOT quadrant), trends and SWOT files (issue 18) ---
    "review.valence": ("Valenssi", "Valence"),
    "review.target": ("Kohde", "Target"),
    "review.valence_prompt": ("Valitse tämän rivin hyväksyttyjen ja lisättyjen koodien valenssi (tyhjä: koodin oma).",
                              "Choose the valence of this row's accepted and added codes (empty: the code's own)."),
    "view.target": ("kohde", "target"),
    "view.target_placeholder": ("kenestä (henkilö tai rooli)", "whom (person or role)"),
    "analysis.trend.breadth.all": ("{theme}: kaikki haastateltavat nostivat aiheen esiin ({shared}).",
                                   "{theme}: every informant raised it ({shared})."),
    "analysis.trend.breadth.most": ("{theme}: lähes kaikki haastateltavat nostivat aiheen esiin ({shared}).",
                                    "{theme}: nearly every informant raised it ({shared})."),
    "analysis.trend.breadth.majority": ("{theme}: suurin osa haastateltavista nosti aiheen esiin ({shared}).",
                                        "{theme}: most informants raised it ({shared})."),
    "analysis.trend.breadth.some": ("{theme}: osa haastateltavista nosti aiheen esiin ({shared}).",
                                    "{theme}: some informants raised it ({shared})."),
    "analysis.trend.breadth.few": ("{theme}: muutama haastateltava nosti aiheen esiin ({shared}).",
                                   "{theme}: a few informants raised it ({shared})."),
    "analysis.trend.breadth.one": ("{theme}: yksi haastateltava nosti aiheen esiin ({shared}).",
                                   "{theme}: one informant raised it ({shared})."),
    "report.trends.draft": ("LUONNOS: trendit ja kommentit on muotoiltu koodauksista. Kirjoita omat "
                            "trendisi ja kommenttisi tiedostoon trendit.yaml.",
                            "DRAFT: the trends and comments are drafted from the codings. Write your own "
                            "trends and comments in trendit.yaml."),
    "report.trends.draft_title": ("Trendit ja kommentit (luonnos).", "Trends and comments (draft)."),
    "report.trends.individual": ("Yksilöhaastattelujen trendit ja kommentit",
                                 "Trends and comments from the individual interviews"),
    "report.trends.group": ("Ryhmähaastattelun trendit ja kommentit", "Trends and comments from the group interview"),
    "report.trends.mixed": ("Yksilö- ja ryhmähaastattelujen trendit ja kommentit",
                            "Trends and comments from the individual and group interviews"),
    "report.sheet.swot_plan": ("SWOT-toimenpiteet", "SWOT actions"),
    "report.title.swot_plan": ("SWOT-analyysin johtopäätökset ja toimenpiteet.",
                               "Conclusions and actions from the SWOT analysis."),
    "report.swot.kind": ("Laji", "Kind"),
    "report.swot.text": ("Sisältö", "Content"),
    "report.swot.conclusion": ("Johtopäätös", "Conclusion"),
    "report.swot.conclusions": ("Johtopäätökset", "Conclusions"),
    "report.swot.action": ("Toimenpide", "Action"),
    "report.swot.actions": ("Toimenpiteet", "Actions"),
    "report.swot.owner": ("Vastuu", "Responsible"),
    "report.swot.when": ("Aikataulu", "Schedule"),
    "report.swot.based_on": ("Perustuu", "Based on"),
    # the audit trail's actions as a report names them (an action without a label is shown as stored)
    "audit.action.init": ("projekti luotu", "project created"),
    "audit.action.informants": ("haastateltavat luettu", "informants read"),
    "audit.action.ingest": ("litterointi luettu", "transcript read"),
    "audit.action.code": ("automaattinen koodaus", "automatic coding"),
    "audit.action.suggest": ("koodiehdotukset", "code suggestions"),
    "audit.action.accepted": ("hyväksytty", "accepted"),
    "audit.action.rejected": ("hylätty", "rejected"),
    "audit.action.add": ("koodattu käsin", "coded by hand"),
    "audit.action.remove": ("koodaus poistettu", "coding removed"),
    "audit.action.value": ("valenssi tai kohde asetettu", "valence or target set"),
    "audit.action.undo": ("kumottu", "undone"),
    "audit.action.memo": ("muistio", "memo"),
    "audit.action.consensus": ("konsensuspäätös", "consensus decision"),
    "audit.action.review export": ("tarkistustaulukko kirjoitettu", "review sheet written"),
    "audit.action.review import": ("tarkistukset tuotu", "review decisions imported"),
    "audit.action.disagreements export": ("erimielisyydet kirjoitettu", "disagreements written"),
    "audit.action.report": ("raportti kirjoitettu", "report written"),
    "audit.action.export qdpx": ("REFI-QDA-vienti", "REFI-QDA export"),
    "audit.action.import qdpx": ("REFI-QDA-tuonti", "REFI-QDA import"),
    "audit.action.pseudonymise": ("pseudonymisointi", "pseudonymisation"),
    "audit.action.view": ("litterointinäkymä kirjoitettu", "transcript view written"),
    # counted phrases: "{n} …" with the noun as it reads after the number (.one after 1)
    "count.reviewed_to": ("{n} tarkistettuun koodaukseen", "{n} reviewed codings"),
    "count.reviewed_to.one": ("{n} tarkistettuun koodaukseen", "{n} reviewed coding"),
    "count.reviewed": ("{n} tarkistettua koodausta", "{n} reviewed codings"),
    "count.reviewed.one": ("{n} tarkistettu koodaus", "{n} reviewed coding"),
    "count.unreviewed": ("{n} tarkistamatonta ehdotusta", "{n} unreviewed suggestions"),
    "count.unreviewed.one": ("{n} tarkistamaton ehdotus", "{n} unreviewed suggestion"),
    "count.unreviewed_auto": ("{n} tarkistamatonta automaattista ehdotusta", "{n} unreviewed automatic suggestions"),
    "count.unreviewed_auto.one": ("{n} tarkistamaton automaattinen ehdotus", "{n} unreviewed automatic suggestion"),
    "count.auto": ("{n} automaattista ehdotusta", "{n} automatic suggestions"),
    "count.auto.one": ("{n} automaattinen ehdotus", "{n} automatic suggestion"),
    "count.informants": ("{n} haastateltavaa", "{n} informants"),
    "count.informants.one": ("{n} haastateltava", "{n} informant"),
    "count.segments": ("{n} segmenttiä", "{n} segments"),
    "count.segments.one": ("{n} segmentti", "{n} segment"),
    # attribute headers: informant and customer columns as a report heads them (others: capitalised)
    "attribute.asiakas": ("Asiakas", "Customer"),
    "attribute.nimi": ("Nimi", "Name"),
    "attribute.liikevaihto": ("Liikevaihto (€)", "Turnover (€)"),
    "attribute.toimeksiannot": ("Toimeksiannot (kpl)", "Assignments"),
    "attribute.potentiaali": ("Potentiaali", "Potential"),
    "attribute.elinkaari": ("Elinkaaren vaihe", "Lifecycle stage"),
    "attribute.palvelutarve": ("Palvelutarve", "Service need"),
    "attribute.segmentti": ("Segmentti", "Segment"),
    "attribute.segment": ("Segmentti", "Segment"),
    "attribute.titteli": ("Titteli", "Title"),
    "attribute.role": ("Titteli", "Title"),
    "attribute.organisaatio": ("Organisaatio", "Organisation"),
    "attribute.organisation": ("Organisaatio", "Organisation"),
    "attribute.suositteluarvosana": ("Suositteluarvosana (1–10)", "Recommendation score (1–10)"),
    "attribute.score": ("Suositteluarvosana (1–10)", "Recommendation score (1–10)"),
    "attribute.kesto": ("Kesto (min)", "Duration (min)"),
    "attribute.duration_min": ("Kesto (min)", "Duration (min)"),
    "attribute.haastattelutapa": ("Haastattelutapa", "Interview mode"),
    "attribute.mode": ("Haastattelutapa", "Interview mode"),
    "attribute.paivamaara": ("Päivämäärä", "Date"),
    "attribute.date": ("Päivämäärä", "Date"),
    # --- ranked suggestions (qualcode suggest; review sheet score column, view) ---
    "review.score": ("Pisteet", "Scores"),
    "review.score_keyword": ("avainsana", "keyword"),
    "view.score_title": ("Merkityksen mukaan ehdotettu, pisteet {score}",
                         "Suggested by meaning, score {score}"),
    # --- anonymity ---
    # --- the missing artefacts (issue 18): A10, A16, A17, A20, A21, A22, A26, A29, type comparison;
    # qualcode/construct/records.py, research.py, journey.py and qualcode/report/artefacts.py ---
    "artefact.missing": ("{title} puuttuu: projektikansiossa ei ole tiedostoa {file}.",
                         "{title} is left out: the project folder has no {file}."),
    "artefact.missing.answers": ("Tutkijan vastaukset puuttuvat luotettavuuden arvioinnista: projektikansiossa "
                                 "ei ole tiedostoa luotettavuus.yaml.",
                                 "The researcher's answers are missing from the reliability evaluation: the "
                                 "project folder has no luotettavuus.yaml."),
    "artefact.sheet.reliability": ("Luotettavuus", "Reliability"),
    "artefact.title.reliability": ("Luotettavuuden ja eettisyyden arviointi.", "Reliability and ethics evaluation."),
    "artefact.reliability.aspect": ("Näkökulma", "Aspect"),
    "artefact.reliability.kind": ("Peruste", "Basis"),
    "artefact.reliability.text": ("Sisältö", "Content"),
    "artefact.reliability.answer": ("Tutkijan arvio", "Researcher's assessment"),
    "artefact.reliability.facts": ("Qualcoden laskemat tiedot", "Facts computed by qualcode"),
    "artefact.aspect.credibility": ("Vakuuttavuus", "Credibility"),
    "artefact.aspect.validity": ("Pätevyys", "Validity"),
    "artefact.aspect.usability": ("Käyttökelpoisuus", "Usability"),
    "artefact.aspect.impact": ("Vaikuttavuus", "Impact"),
    "artefact.aspect.ethics": ("Eettisyys", "Ethics"),
    "artefact.fact.informants": ("Haastateltavat", "Informants"),
    "artefact.fact.dates": ("Ajankohta", "Dates"),
    "artefact.fact.durations": ("Kestot", "Durations"),
    "artefact.fact.basis": ("Koodauksen peruste", "Coding basis"),
    "artefact.fact.agreement": ("Koodaajien yhtäpitävyys", "Intercoder agreement"),
    "artefact.fact.codebook": ("Koodikirjan lähtökohta", "Origin of the codebook"),
    "artefact.fact.anonymisation": ("Anonymisointi", "Anonymisation"),
    "artefact.fact.none": ("ei haastateltavaluetteloa", "no informant list"),
    "artefact.fact.informants.text": ("{n} haastateltavaa; roolit: {roles}.", "{n} informants; roles: {roles}."),
    "artefact.fact.dates.text": ("{n} haastattelua aikavälillä {span}.", "{n} interviews between {span}."),
    "artefact.fact.durations.text": ("Yhteensä {total} min, keskimäärin {mean} min (lyhin {low} min, pisin "
                                     "{high} min).",
                                     "{total} min in all, {mean} min on average (shortest {low} min, longest "
                                     "{high} min)."),
    "artefact.fact.agreement.none": ("Ei laskettu: aineistoa ei ole koodannut kaksi koodaajaa.",
                                     "Not computed: no data was coded by two coders."),
    "artefact.fact.agreement.text": ("{coders}: {units} segmenttiä, yhtäpitävyys {percent} %, Cohenin kappa "
                                     "{kappa}, Krippendorffin alfa {alpha}.",
                                     "{coders}: {units} segments, agreement {percent} %, Cohen's kappa {kappa}, "
                                     "Krippendorff's alpha {alpha}."),
    "artefact.coder.auto": ("automaattinen koodaus", "automatic coding"),
    "artefact.fact.codebook.none": ("Ei koodikirjaa.", "No codebook."),
    "artefact.fact.codebook.text": ("{n} koodia ({origins}); analyysi {mode}.", "{n} codes ({origins}); "
                                    "the analysis is {mode}."),
    "artefact.fact.mode.theory-guided": ("teoriaohjaava", "theory-guided"),
    "artefact.fact.mode.data-driven": ("aineistolähtöinen", "data-driven"),
    "artefact.fact.mode.theory-driven": ("teorialähtöinen", "theory-driven"),
    "artefact.anon.stored": ("Tallennetut tekstit pseudonymisoitu {date}; raportissa haastateltavat esiintyvät "
                             "koodeilla.",
                             "The stored texts were pseudonymised on {date}; the report names informants by "
                             "their codes."),
    "artefact.anon.reports": ("Raportit pseudonymisoidaan avaintiedostolla (qualcode.toml: pseudonymise); "
                              "haastateltavat esiintyvät koodeilla.",
                              "Reports are pseudonymised with a key file (qualcode.toml: pseudonymise); "
                              "informants appear by their codes."),
    "artefact.anon.none": ("Tekstejä ei ole pseudonymisoitu; haastateltavat esiintyvät koodeilla, mutta "
                           "litteroinneissa voi olla nimiä.",
                           "The texts are not pseudonymised; informants appear by their codes, but the "
                           "transcripts may contain names."),
    "artefact.sheet.references": ("Lähdeluettelo", "References"),
    "artefact.title.references": ("Haastattelut lähdeluettelossa.", "Interviews in the reference list."),
    "artefact.references.heading": ("Haastattelut", "Interviews"),
    "artefact.references.line": ("Lähdeluettelon merkintä", "Reference-list entry"),
    "artefact.references.interview": ("Haastattelu", "Interview"),
    "artefact.references.group": ("Ryhmäteemahaastattelu", "Group theme interview"),
    "artefact.references.single": ("Teemahaastattelu", "Theme interview"),
    "artefact.sheet.process": ("Eteneminen", "Process"),
    "artefact.title.process": ("Tutkimuksen eteneminen.", "Research process."),
    "artefact.process.date": ("Pvm", "Date"),
    "artefact.process.phase": ("Vaihe/tapahtuma", "Phase/event"),
    "artefact.process.participants": ("Osallistujat", "Participants"),
    "artefact.process.result": ("Tulos", "Result"),
    "artefact.process.phase.data": ("Aineiston keruu", "Data collection"),
    "artefact.process.interviews": ("Yksilöhaastattelut ({n})", "Individual interviews ({n})"),
    "artefact.process.interviews.result": ("{n} haastattelua, yhteensä {minutes} min",
                                           "{n} interviews, {minutes} min in all"),
    "artefact.process.group": ("Ryhmähaastattelu", "Group interview"),
    "artefact.process.group.result": ("{n} osallistujaa", "{n} participants"),
    "artefact.process.once": ("kerran analyysilokissa", "once in the audit trail"),
    "artefact.process.times": ("{n} kertaa analyysilokissa", "{n} times in the audit trail"),
    "artefact.process.step.informants": ("Haastateltavaluettelon tuonti", "Informant list imported"),
    "artefact.process.step.informants.phase": ("Aineiston käsittely", "Data preparation"),
    "artefact.process.step.ingest": ("Litterointien sisäänluku", "Transcripts read in"),
    "artefact.process.step.ingest.phase": ("Aineiston käsittely", "Data preparation"),
    "artefact.process.step.code": ("Koodaus koodikirjalla", "Coding with the codebook"),
    "artefact.process.step.code.phase": ("Analyysi", "Analysis"),
    "artefact.process.step.review import": ("Koodausten tarkistus", "Review of the codings"),
    "artefact.process.step.review import.phase": ("Analyysi", "Analysis"),
    "artefact.process.step.apply gold": ("Tutkijan koodausten tuonti", "Researcher's codings imported"),
    "artefact.process.step.apply gold.phase": ("Analyysi", "Analysis"),
    "artefact.process.step.consensus": ("Konsensuskokouksen päätökset", "Consensus decisions"),
    "artefact.process.step.consensus.phase": ("Analyysi", "Analysis"),
    "artefact.process.step.pseudonymise": ("Pseudonymisointi", "Pseudonymisation"),
    "artefact.process.step.pseudonymise.phase": ("Aineiston käsittely", "Data preparation"),
    "artefact.process.step.report": ("Raporttien kirjoitus", "Reports written"),
    "artefact.process.step.report.phase": ("Raportointi", "Reporting"),
    "artefact.sheet.workshops": ("Työpajat", "Workshops"),
    "artefact.title.workshops": ("Työpajojen ja palaverien tulokset.", "Results of the workshops and meetings."),
    "artefact.workshop.caption": ("{n}. workshopin tulokset", "Results of workshop {n}"),
    "artefact.workshop.name": ("Työpaja {n}", "Workshop {n}"),
    "artefact.workshop.workshop": ("Työpaja", "Workshop"),
    "artefact.workshop.date": ("Pvm", "Date"),
    "artefact.workshop.type": ("Tyyppi", "Type"),
    "artefact.workshop.participants": ("Osallistujat", "Participants"),
    "artefact.workshop.section": ("Osio", "Section"),
    "artefact.workshop.result": ("Tulos", "Result"),
    "artefact.workshop.place": ("Paikka", "Place"),
    "artefact.sheet.current": ("Nykytila", "Current state"),
    "artefact.title.current": ("Nykytilan kuvaus.", "Current-state description."),
    "artefact.current.section": ("Osio", "Section"),
    "artefact.current.item": ("Havainto", "Observation"),
    "artefact.current.from_workshops": ("Koottu työpajojen muistiinpanoista: {sources}.",
                                        "Compiled from the workshop notes: {sources}."),
    "artefact.sheet.workgroups": ("Työryhmät", "Workgroups"),
    "artefact.title.workgroups": ("Kehitystyöryhmät.", "Development workgroups."),
    "artefact.workgroup.group": ("Ryhmä", "Group"),
    "artefact.workgroup.focus": ("Painopiste", "Focus"),
    "artefact.workgroup.members": ("Jäsenet", "Members"),
    "artefact.sheet.maturity": ("Maturiteetti", "Maturity"),
    "artefact.title.maturity": ("Maturiteettiarvio.", "Maturity assessment."),
    "artefact.maturity.level": ("Taso", "Level"),
    "artefact.maturity.name": ("Nimi", "Name"),
    "artefact.maturity.description": ("Kuvaus", "Description"),
    "artefact.maturity.current": ("Nykytaso", "Current level"),
    "artefact.maturity.here": ("◀ nykytaso", "◀ current level"),
    "artefact.maturity.summary": ("Nykytaso: {level}/{n} {name}.", "Current level: {level}/{n} {name}."),
    "artefact.maturity.justification": ("Perustelu", "Justification"),
    "artefact.maturity.model": ("Malli", "Model"),
    "artefact.sheet.journey": ("Asiakkaan matka", "Customer journey"),
    "artefact.title.journey": ("Asiakkaan matka ja hoitosuunnitelma.", "Customer journey and care plan."),
    "artefact.journey.touchpoint": ("Kosketuspiste", "Touchpoint"),
    "artefact.journey.action": ("Toimenpide", "Action"),
    "artefact.journey.message": ("Viesti", "Message"),
    "artefact.journey.metric": ("Mittari", "Metric"),
    "artefact.sheet.type_comparison": ("Tyyppivertailu", "Type comparison"),
    "artefact.title.type_comparison": ("Tyyppien vertailu.", "Comparison of the types."),
    "artefact.types.feature": ("Piirre", "Feature"),
    "artefact.types.n": ("Haastateltavia", "Informants"),
    "artefact.types.note": ("Osuus tyypin haastateltavista, joiden puheessa koodi esiintyy.",
                            "Share of the type's informants whose talk has the code."),
    # (pseudonymisation: replacement labels and the anonymity check table; qualcode/pseudonym/)
    "anonymity.email": ("[sähköposti]", "[email]"),
    "anonymity.phone": ("[puhelin]", "[phone]"),
    "anonymity.personal_id": ("[henkilötunnus]", "[personal id]"),
    "anonymity.iban": ("[IBAN]", "[IBAN]"),
    "anonymity.url": ("[URL]", "[URL]"),
    "anonymity.file": ("Tiedosto", "File"),
    "anonymity.location": ("Sijainti", "Location"),
    "anonymity.found": ("Löydös", "Found"),
    "anonymity.kind": ("Laji", "Kind"),
}


# --- spoken fillers and transcription marks (issue 18) ---
# The one home of the words a transcript holds that are not what the informant means: left
# out of drafted reductions and of the words that place a quote near its code's centre.
#: Spoken fillers per language (surface forms and lemmas).
FILLERS: dict[str, frozenset] = {
    "fi": frozenset("""
        no tota toi tuota tuo niinku niinkun niinkuin niinq öö ööh ää äh ähm hmm hm mm mmm joo juu jaa
        aa ai okei ok okay nii niin siis sillee silleen tavallaan ikään kuin ihan tosi aika just justiin
        kyl kyllä varmaan kai ehkä elikkä eli noin näin sit sitte sitten vaan vain mut
        """.split()),
    "en": frozenset("""
        um uh er erm ah hmm mm like yeah yes well okay ok oh actually basically really kind sort know mean
        """.split()),
}
#: Marks transcribers write for what is not speech (``[tauko]``, ``(naurahtaa)``), as words.
TRANSCRIPTION_MARKS = frozenset("""
    tauko tauon tauolla naurahtaa naurahdus naurahtaen nauraa naurua nauru nauraen yskii yskäisee yskähdys
    huokaa huokaus huokaisee epäselvä epäselvää päällekkäin keskeytys keskeyttää hiljaisuus taukoa
    pause laughs laughter laughing inaudible unclear crosstalk coughs cough sighs sigh silence
    """.split())


def is_filler(word: str, lang: str = "fi") -> bool:
    """Whether ``word`` (any case) is a spoken filler of ``lang`` or a transcription mark.

    >>> is_filler("Niinku"), is_filler("naurahtaa", "en"), is_filler("palvelu")
    (True, True, False)
    """
    w = word.lower()
    return w in TRANSCRIPTION_MARKS or w in FILLERS.get(lang, frozenset())


def counted(key: str, n: int, lang: str = "fi") -> str:
    """``n`` and the noun of ``key`` (a ``count.*`` label) as it reads after that number:
    the ``.one`` form after 1.

    >>> counted("count.unreviewed", 1), counted("count.unreviewed", 539), counted("count.segments", 1, "en")
    ('1 tarkistamaton ehdotus', '539 tarkistamatonta ehdotusta', '1 segment')
    """
    one = f"{key}.one"
    return label(one if n == 1 and one in LABELS else key, lang, n=n)


# -- numbers as a report prints them (thesis print layout); here, in the base layer, so that
# -- the constructs' own texts (a segment's basis) group thousands as the report tables do
#: Between the digit groups of a Finnish number and before its percent sign: a no-break space,
#: so that ``395 000`` and ``8,3 %`` never break across lines.
NBSP = "\u00a0"


def format_amount(value: object, lang: str = "fi", decimals: int = 0) -> str:
    """A number with its thousands grouped: ``395 000`` (no-break spaces) and a decimal comma
    in Finnish, ``395,000`` in English; text and missing values as they are.

    >>> format_amount(395000).replace(NBSP, " "), format_amount(395000, "en"), format_amount(1234.5, decimals=1)
    ('395 000', '395,000', '1\xa0234,5')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "dtype"):
        return "" if value is None else str(value)
    number = float(value)
    if math.isnan(number):
        return ""
    text = f"{number:,.{decimals}f}"
    if lang == "fi":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def attribute_header(column: str, lang: str = "fi") -> str:
    """An informant or customer attribute's column as a report heads it: the catalogue's
    header when it has one (``liikevaihto`` → ``Liikevaihto (€)``), else the name with a
    capital and spaces for underscores.

    >>> attribute_header("liikevaihto"), attribute_header("score", "en"), attribute_header("oma_sarake")
    ('Liikevaihto (€)', 'Recommendation score (1–10)', 'Oma sarake')
    """
    name = str(column)
    key = "attribute." + name.strip().lower().replace("ä", "a").replace("ö", "o")
    if key in LABELS:
        return label(key, lang)
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def audit_action(action: str, lang: str = "fi") -> str:
    """An audit trail action as a report names it in ``lang`` (unknown actions as stored).

    >>> audit_action("review import"), audit_action("accepted", "en"), audit_action("merge")
    ('tarkistukset tuotu', 'accepted', 'merge')
    """
    key = f"audit.action.{action}"
    return label(key, lang) if key in LABELS else action


def label(key: str, lang: str = "fi", **fmt: object) -> str:
    """The label for ``key`` in ``lang`` (``fi`` or ``en``), formatted with ``fmt``."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    fi, en = LABELS[key]
    text = fi if lang == "fi" else en
    return text.format(**fmt) if fmt else text
