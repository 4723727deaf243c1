"""Build the tutorial notebooks (stored without outputs). Run: python notebooks/_make.py"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
# A fresh copy of the bundled demo study in a temporary folder, so the notebook can be re-run.
import tempfile, pathlib
from qualcode import Project
from qualcode.demo import copy_demo_study

folder = copy_demo_study(pathlib.Path(tempfile.mkdtemp()) / "asiakaskokemus")
project = Project(folder)
project"""


def nb(cells):
    book = new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [new_markdown_cell(c[3:]) if c.startswith("md:") else new_code_cell(c) for c in cells]
    return book


NOTEBOOKS = {
    "01_quickstart.ipynb": [
        "md:# 01 · Quickstart\n\nOpen a project, read transcripts and the informant list, and look at what "
        "qualcode made of them. Every result is a pandas DataFrame.",
        SETUP,
        "md:## Ingest\n\nAll files are read and checked before anything is written. Running the same "
        "ingest again skips unchanged files.",
        'report = project.ingest([folder / "transcripts"])\nreport.files',
        "report.warnings  # e.g. a paragraph pasted twice in a row",
        'again = project.ingest([folder / "transcripts"])\nassert set(again.files["status"]) == {"skipped"}\nproject.status()',
        "md:## Sources, turns, segments, informants",
        "project.sources()",
        'segments = project.segments()\nsegments[["source", "speaker", "theme", "start", "end", "text"]].head(10)',
        "md:Offsets are code points into the source's plain text, so a segment can always be found again:",
        'row = segments.iloc[5]\ntext = project.source_text(int(row.source_id))\nassert text[row.start:row.end] == row.text\ntext[row.start:row.end]',
        "project.informants()",
        'segments[~segments["is_interviewer"]].groupby("speaker").size().sort_values(ascending=False).head()',
    ],
    "02_coding_and_review.ipynb": [
        "md:# 02 · Automatic coding and human review\n\nThe codebook's keywords are lemmas, so inflected "
        "forms and compounds are found (`päivitys` finds `tilannepäivityksiä`).",
        SETUP,
        'project.ingest([folder / "transcripts"])\ncodebook = project.codebook()\nfrom qualcode.codebook import codebook_to_frame\ncodebook_to_frame(codebook).head()',
        "summary = project.code()\nsummary.sort_values('segments', ascending=False).head(10)",
        'codings = project.codings()\ncodings[["source", "speaker", "code_id", "quote", "rule"]].head(10)',
        "md:## Decisions in code\n\nAccept, reject or add codings; automatic re-runs never touch them.",
        'first = codings.iloc[0]\nproject.coding.accept(int(first.segment_id), first.code_id)\nsecond = codings.iloc[1]\nproject.coding.reject(int(second.segment_id), second.code_id)\nproject.codings().query("coder != \'auto\'")[["code_id", "status", "coder", "quote"]]',
        "project.code()  # a re-run keeps the human decisions\nproject.codings().query(\"coder != 'auto'\")[[\"code_id\", \"status\"]]",
        "md:## The Excel review sheet\n\nExport, let the reviewer fill in the accept/reject/add columns "
        "(here we edit it with openpyxl as a reviewer would), import.",
        'import openpyxl\nsheet = project.coding.review_export(folder / "tarkistus.xlsx")\nwb = openpyxl.load_workbook(sheet)\nws = wb.worksheets[0]\nheaders = {c.value: c.column for c in ws[1] if c.value}\nws.cell(2, headers["Hyväksy"]).value = "kaikki"\nwb.save(sheet)\nproject.coding.review_import(sheet)',
        'project.coding.resolved()[["source", "speaker", "code_id", "status", "quote"]].head()',
        "md:## Agreement between the automatic coder and the researcher",
        'project.agreement.table(["auto", project.config.coder], reviewed_only=True).head()',
    ],
    "03_themes_types_swot_network.ipynb": [
        "md:# 03 · Themes, types, SWOT and the network\n\nThe analyses count the researcher's decisions "
        "(accepted and added codings); `include_suggested=True` adds the automatic suggestions nobody "
        "has decided on. Here the demo's gold coding plays the researcher's review of one third of the "
        "segments, and the rest counts its suggestions.",
        SETUP,
        'project.ingest([folder / "transcripts"])\nproject.code()\nproject.coding.apply_gold(folder / "gold" / "gold_coding.csv")',
        "themes = project.analyse.themes(include_suggested=True)\nthemes.head(10)",
        'project.analyse.themes(level="theme", include_suggested=True)',
        'project.analyse.group_matrix(by="segment", value="share", include_suggested=True).round(2)',
        "md:## Reduction table (sisällönanalyysi)",
        "project.analyse.reduction(include_suggested=True).head()",
        "md:## Types (tyypittely)\n\nFound from the data by clustering informants on their code profiles; "
        "a YAML file of rules gives researcher-defined types instead.",
        'types = project.analyse.types(include_suggested=True)\nfor t in types.types:\n    print(t.name, t.members)\ntypes.comparison().round(2).head()',
        'rules = {"types": [{"name": "Kumppani", "rules": {"attributes": {"segment": "KAM", "score": ">=8"}}},\n                   {"name": "Epävarma", "rules": {"attributes": {"score": "<=5"}}}]}\nproject.analyse.types(rules, include_suggested=True).to_frame()',
        "md:## Experiences, SWOT, trends, scores",
        "project.analyse.experiences(include_suggested=True)",
        "swot = project.analyse.swot(include_suggested=True)\nswot",
        "project.analyse.trends(include_suggested=True)[['trend', 'shared', 'comment']].head()",
        "project.analyse.scores().stats()",
        "md:## Co-occurrence network",
        'import networkx as nx\ngraph = project.analyse.network(include_suggested=True)\nfrom qualcode.analysis.network import edge_frame\nedge_frame(graph).head()',
        'from qualcode.analysis.network import write_graphml\nwrite_graphml(graph, folder / "verkosto.graphml")\nsorted((folder).glob("*.graphml"))',
    ],
    "04_reports_and_exchange.ipynb": [
        "md:# 04 · Reports and exchange\n\nThe workshop workbook, the thesis appendices, figures, and a "
        "REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder.",
        SETUP,
        'project.ingest([folder / "transcripts"])\nproject.code()\nproject.coding.apply_gold(folder / "gold" / "gold_coding.csv")',
        'xlsx = project.report(folder / "raportti.xlsx", include_suggested=True)\nimport openpyxl\nopenpyxl.load_workbook(xlsx).sheetnames',
        'docx_path = project.report(folder / "liitteet.docx", include_suggested=True, figures_dir=folder / "kuviot")\nimport docx\n[p.text for p in docx.Document(docx_path).paragraphs if p.text.startswith("Liite")]',
        'project.report(folder / "report.md", lang="en", include_suggested=True).read_text(encoding="utf-8")[:600]',
        "md:## The care model built from the findings\n\nSegmentation, care models and the timeline come "
        "from YAML files in the project; every care action is linked to the coded data behind it.",
        'project.constructs.segmentation().summary()',
        'project.constructs.care_evidence(include_suggested=True)[["segment", "action", "segments", "informants"]].head()',
        "md:## REFI-QDA round trip",
        'qdpx = project.exchange.export_qdpx(folder / "asiakaskokemus.qdpx")\nfrom qualcode import Project\nother = Project.init(folder.parent / "tuonti")\nreport = other.exchange.import_qdpx(qdpx)\nreport.to_frame()',
        '# every coding comes back with its status, coder and rule: rejected ones and suggestions too\nassert other.codings()["status"].value_counts().to_dict() == project.codings()["status"].value_counts().to_dict()\nother.codings()[["source", "code_id", "status", "coder", "quote"]].head()',
        "md:## Agreement and the audit trail",
        'project.agreement.table(["auto", project.config.coder]).tail(1)',
        "project.audit(lang=\"fi\").tail(8)",
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(nb(cells), HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
