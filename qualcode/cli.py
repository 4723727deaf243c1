"""The ``qualcode`` command: a thin click layer over :class:`qualcode.project.Project`.

Every command works inside a project folder or with ``--project DIR``; a user's mistake
prints one sentence and exits with code 2 (``--debug`` shows the traceback).
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .errors import QualcodeError, as_user_error
from .labels import label

#: ``qualcode daemon start``: minutes without a command before the daemon stops.
IDLE_MINUTES = 30


class Context:
    """What every command shares: the project folder given with --project, --debug, and the
    project once opened (closed when the command ends)."""

    def __init__(self, project_dir: Optional[str], debug: bool, quiet: bool = False):
        self.project_dir = project_dir
        self.debug = debug
        self.progress = not quiet   # progress bars (shown only on a terminal or in a notebook)
        self._project = None

    def project(self):
        from .project import Project

        if self._project is None:
            self._project = Project.open(self.project_dir)
            click.get_current_context().call_on_close(self._project.close)
        return self._project


# -- options several commands share ---------------------------------------------------
def lang_option(help_text: str = "Label language (default: the project's)."):
    return click.option("--lang", type=click.Choice(["fi", "en"]), default=None, help=help_text)


def coder_option(help_text: str):
    return click.option("--coder", default=None, help=help_text)


def output_option(help_text: str):
    return click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help=help_text)


def include_suggested_option(help_text: str = "Count undecided automatic suggestions too."):
    return click.option("--include-suggested", is_flag=True, help=help_text)


def key_option(help_text: str = "Key file (default: key_file in qualcode.toml)."):
    return click.option("--key", type=click.Path(dir_okay=False), default=None, help=help_text)


def pseudonymise_options(fn):
    """--pseudonymise/--no-pseudonymise and --key, passed on as one ``pseudonymise`` value:
    False, a key file, True (the project's key) or None (qualcode.toml decides)."""
    @click.option("--pseudonymise/--no-pseudonymise", "flag", default=None,
                  help="Replace names from the key (key_file in qualcode.toml, or --key) and identifying "
                       "details (default: pseudonymise in qualcode.toml).")
    @key_option("Pseudonymisation key file.")
    @functools.wraps(fn)
    def wrapper(*args, flag=None, key=None, **kwargs):
        choice = False if flag is False else key or (True if flag else None)
        return fn(*args, pseudonymise=choice, **kwargs)
    return wrapper


#: Exit code of a bug in qualcode (2 is a mistake in the input, 1 a check that found something).
INTERNAL_ERROR_EXIT = 3


def handle_errors(fn):
    """Turn QualcodeError — and the faults of the machine a user can fix (a busy, read-only,
    full or damaged store; a file that cannot be written) — into one line on stderr and exit
    code 2.  Exit code 1 means "found something" (``check anonymity``); a real bug gives 3."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = bool(ctx.find_object(Context) and ctx.find_object(Context).debug)
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was written.", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            error = as_user_error(exc)
            if error is not None:
                click.echo(f"Error: {error}", err=True)
                sys.exit(error.exit_code)
            click.echo(f"Internal error: {exc.__class__.__name__}: {exc}. This is a bug in qualcode; "
                       "rerun with --debug and report the traceback.", err=True)
            sys.exit(INTERNAL_ERROR_EXIT)
    return wrapper


def echo_warnings(warnings) -> None:
    for w in warnings:
        click.echo(f"Warning: {w}", err=True)


def table_format_options(fn):
    """--json / --csv: print the command's table for a program instead of a person (and
    nothing else on standard output)."""
    @click.option("--json", "table_format", flag_value="json", default=None,
                  help="Print the table as JSON records.")
    @click.option("--csv", "table_format", flag_value="csv", help="Print the table as CSV.")
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def print_data(frame, table_format: str) -> None:
    """The frame as JSON records or CSV on standard output (columns as named in the frame)."""
    if frame.index.name:
        frame = frame.reset_index()
    if table_format == "json":
        click.echo(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
    else:
        click.echo(frame.to_csv(index=False), nl=False)


def print_records(rows: list[dict], table_format: str) -> None:
    """:func:`print_data` for plain rows (dicts with the same keys)."""
    if table_format == "json":
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
    else:
        import csv
        import io

        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)


def print_rows(rows: list[dict], title: str = "") -> None:
    """:func:`print_table` for plain rows (dicts with the same keys); numbers right-aligned.
    Piped output gets plain columns (and the command does not wait for rich to load)."""
    columns = list(rows[0]) if rows else []
    numeric = {c: all(isinstance(r[c], (int, float)) for r in rows) for c in columns}
    if not sys.stdout.isatty():
        cells = [columns] + [["" if r[c] is None else str(r[c]) for c in columns] for r in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
        if title:
            click.echo(title)
        for row in cells:
            click.echo("  ".join(v.rjust(w) if numeric[c] else v.ljust(w)
                                 for v, w, c in zip(row, widths, columns)).rstrip())
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(100, Console().width))
    table = Table(title=title or None, show_lines=False)
    for col in columns:
        table.add_column(str(col), justify="right" if numeric[col] else "left")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(table)


def print_table(frame, title: str = "") -> None:
    """Print a DataFrame as a table (rich on a terminal, plain text otherwise)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(100, Console().width))
    table = Table(title=title or None, show_lines=False)
    index_name = frame.index.name
    if index_name:
        table.add_column(str(index_name))
    for col in frame.columns:
        table.add_column(str(col), justify="right" if frame[col].dtype.kind in "if" else "left")
    for idx, row in frame.iterrows():
        cells = [("" if v is None else str(v)) for v in row.tolist()]
        table.add_row(*([str(idx)] if index_name else []), *cells)
    console.print(table)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project", "project_dir", type=click.Path(file_okay=False), default=None,
              help="Project folder (default: the one containing the working directory).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("-q", "--quiet", is_flag=True, help="Show no progress bars.")
@click.version_option(__version__, prog_name="qualcode")
@click.pass_context
def main(ctx, project_dir, debug, quiet):
    """qualcode: code and analyse interview transcripts (Finnish and English)."""
    ctx.obj = Context(project_dir, debug, quiet)


@main.command()
@click.argument("folder", type=click.Path())
@click.option("--title", default="", help="Project title (default: the folder name).")
@click.option("--lang", "language", type=click.Choice(["fi", "en"]), default="fi", show_default=True,
              help="Language of the transcripts and of the labels.")
@click.option("--coder", default="researcher", show_default=True, help="Your coder name.")
@handle_errors
def init(folder, title, language, coder):
    """Make a project folder: qualcode.toml, transcripts/, codebooks/ and an empty store."""
    from .project import Project

    existed = (Path(folder) / "qualcode.toml").exists()
    project = Project.init(folder, title=title, language=language, coder=coder)
    if existed:
        click.echo(f"{project.root} is already a qualcode project; nothing changed.")
    else:
        click.echo(f"Created project '{project.config.title}' in {project.root}")
        click.echo("Next: put transcripts in transcripts/ and run 'qualcode ingest transcripts'.")
        from . import daemon

        if daemon.supported() and daemon.status() is None:
            click.echo("Tip: 'qualcode daemon start' loads qualcode once in the background, so that every "
                       "command after it starts in a fraction of a second.")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--informants", type=click.Path(), default=None,
              help="Informant list (.csv/.xlsx); informants.csv/.xlsx are found by name anyway.")
@click.option("--kind", type=click.Choice(["interview", "group_interview", "workshop", "survey", "document"]),
              default=None, help="Kind of source (default: guessed from the file name).")
@click.option("--speaker-pattern", default=None,
              help="Extra regular expression for speaker labels, e.g. 'Asiakas [A-Z]'.")
@click.pass_obj
@handle_errors
def ingest(obj, paths, informants, kind, speaker_pattern):
    """Read transcripts (files or folders) and the informant list into the project."""
    project = obj.project()
    report = project.ingest(paths, informants=informants, kind=kind, speaker_pattern=speaker_pattern,
                            progress=obj.progress)
    echo_warnings(report.warnings)
    files = report.files
    for _, row in files.iterrows():
        if row["status"] == "skipped":
            click.echo(f"  skipped      {row['file']} ({row['note']})")
        else:
            tag = "new version" if row["status"] == "new version" else "new"
            click.echo(f"  {tag:<12} {row['file']} (v{row['version']}: {row['turns']} turns, "
                       f"{row['segments']} segments, {row['words']} words)")
    n_new = int((files["status"] != "skipped").sum())
    click.echo(f"Ingested {n_new} file(s), skipped {len(files) - n_new} unchanged"
               + (f"; {report.informants} informants read." if report.informants else "."))


@main.command()
@table_format_options
@click.pass_obj
@handle_errors
def status(obj, table_format):
    """What is in the project: sources, words, informants, segments, codings."""
    project = obj.project()
    lang = project.config.language
    # the store's counts as plain rows (the same as project.status()): status loads no pandas
    counts = project.store.counts()
    if table_format:
        return print_records([{"item": k, "count": v} for k, v in counts.items()], table_format)
    print_rows([{" ": label(f"status.{k}", lang), label("status.count", lang): v} for k, v in counts.items()],
               title=project.config.title)
    from .project import lemmatizer_in_use

    backend, why = lemmatizer_in_use(project.config)
    click.echo(f"{label('status.lemmatizer', lang)}: "
               f"{label(f'status.lemmatizer.{why}', lang, backend=backend, language=project.config.language)}")
    from . import daemon

    if daemon.supported():
        warm = daemon.status()
        state = ("off" if warm is None else "on" if daemon.wanted() else "bypassed")
        state = label(f"status.daemon.{state}", lang, pid=(warm or {}).get("pid"))
        click.echo(f"{label('status.daemon', lang)}: {state}")


@main.command()
@click.option("--codebook", type=click.Path(), default=None,
              help="Codebook (.yaml or .xlsx); default: the one in codebooks/ or qualcode.toml.")
@click.option("--include-interviewer", is_flag=True, help="Code interviewer turns too.")
@click.option("--watch", is_flag=True,
              help="Then keep watching the codebook file and code again each time it is saved "
                   "(Ctrl-C stops).")
@table_format_options
@click.pass_obj
@handle_errors
def code(obj, codebook, include_interviewer, watch, table_format):
    """Suggest codings by the codebook's keyword, phrase and pattern rules."""
    project = obj.project()
    if watch:
        if table_format:
            raise QualcodeError("--watch prints for a person as the codebook changes; "
                                "leave out --json and --csv, or --watch")
        return watch_codebook(project, codebook, include_interviewer, obj.progress)
    # plain rows, not a frame: a re-code of a few changed codes then never loads pandas
    rows = project.coding.code_rows(codebook, include_interviewer=include_interviewer,
                                        progress=obj.progress and not table_format)
    if table_format:
        return print_records(rows, table_format)
    print_code_summary(rows)


def print_code_summary(rows: list[dict]) -> None:
    print_rows(rows, title="Suggested codings")
    used = sum(1 for r in rows if r["segments"] > 0)
    click.echo(f"{sum(r['segments'] for r in rows)} suggestions for {used} of {len(rows)} codes. "
               "Review them with 'qualcode review export FILE.xlsx'.")


def watch_codebook(project, codebook, include_interviewer: bool, progress: bool) -> None:
    """``code --watch``: the first run's table, then a line per later run with the codes
    whose counts changed; a codebook error is shown and the next save tried again."""
    import time

    before: Optional[dict[str, int]] = None     # segments per code after the last run that coded
    runs = project.coding.watch(codebook, include_interviewer=include_interviewer, progress=progress)
    try:
        for run in runs:
            stamp = time.strftime("%H:%M:%S")
            if run.error:
                click.echo(f"{stamp} Error: {run.error}", err=True)
            elif before is None:
                print_code_summary(run.rows)
                click.echo("Watching the codebook: save it to code again, Ctrl-C to stop.")
            else:
                click.echo(f"{stamp} +{run.added} -{run.removed} suggestions ({run.seconds:.2f} s)")
                for r in run.rows:
                    if before.get(r["code_id"]) != r["segments"]:
                        click.echo(f"  {r['code_id']}: {before.get(r['code_id'], 0)} -> {r['segments']}")
            if not run.error:
                before = {r["code_id"]: r["segments"] for r in run.rows}
    except KeyboardInterrupt:
        click.echo("Stopped watching; every finished run is saved.", err=True)


@main.command()
@click.option("--backend", type=click.Choice(["bm25", "semantic", "bm25+semantic"]), default="bm25",
              show_default=True,
              help="bm25: word statistics over lemmas (no extra); semantic: sentence embeddings "
                   "(pip install 'qualcode[semantic]'); bm25+semantic: both, scores averaged (best).")
@click.option("--top-k", type=int, default=3, show_default=True, help="Codes to rank per segment.")
@click.pass_obj
@handle_errors
def suggest(obj, backend, top_k):
    """Ranked suggestions beyond keywords, learning from your accepted, added and rejected codings."""
    table = obj.project().coding.suggest(backend=backend, top_k=top_k, progress=obj.progress)
    click.echo(f"{len(table)} ranked suggestions by {backend}; they are in the review sheet with the "
               "keyword suggestions.")


@main.command()
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("--level", type=click.Choice(["code", "theme"]), default="code", show_default=True,
              help="Compare codes, or themes (a neighbouring code of the right theme counts).")
@click.option("--backend", "backends", multiple=True, type=click.Choice(["bm25", "semantic", "bm25+semantic"]),
              help="Also score a ranked suggester (repeat for both): hit@1, hit@5, precision, recall.")
@click.option("--simulate", type=int, default=0, show_default=True,
              help="With --backend: the first N gold-coded sources count as reviewed, the rest are scored.")
@click.pass_obj
@handle_errors
def evaluate(obj, gold, level, backends, simulate):
    """How well the automatic suggestions match a gold coding you made by reading
    (csv/xlsx: source, segment_index, text, codes): precision, recall and F1 per code."""
    project = obj.project()
    if not Path(gold).is_file():
        raise QualcodeError("the gold file does not exist; check the path", path=gold)
    if backends:
        table = project.coding.evaluate(gold, backends=list(backends), simulate=simulate)
        print_table(table.round(3), title=f"Suggesters vs {Path(gold).name}")
        return
    scores = project.coding.evaluate(gold, level=level)
    print_table(scores.round(3), title=f"Automatic coding vs {Path(gold).name}")
    micro = scores.set_index("code_id").loc["__micro__"]
    click.echo(f"micro-F1 {micro['f1']:.3f} (precision {micro['precision']:.3f}, recall {micro['recall']:.3f}) "
               f"over {int(micro['support'])} gold codings.")


@main.group()
def review():
    """Review suggested codings in an Excel sheet (export, fill in, import)."""


@review.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@coder_option("Whose sheet this is (default: coder in qualcode.toml).")
@lang_option("Sheet labels.")
@pseudonymise_options
@click.pass_obj
@handle_errors
def review_export(obj, file, coder, lang, pseudonymise):
    """Write the review sheet FILE.xlsx (--pseudonymise: the codebook's texts too, after
    'qualcode pseudonymise')."""
    project = obj.project()
    out = project.coding.review_export(file, coder=coder, lang=lang, pseudonymise=pseudonymise)
    click.echo(f"Wrote {out}. Fill in the accept/reject/add columns, then run "
               f"'qualcode review import {file}'.")


@review.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@coder_option("Whose decisions these are (default: coder in qualcode.toml).")
@click.pass_obj
@handle_errors
def review_import(obj, file, coder):
    """Apply the decisions in a filled-in review sheet (all rows or none)."""
    project = obj.project()
    decisions = project.coding.review_import(file, coder=coder)
    counts = decisions["decision"].value_counts().to_dict() if len(decisions) else {}
    click.echo(f"Applied {counts.get('accept', 0)} accepted, {counts.get('reject', 0)} rejected and "
               f"{counts.get('add', 0)} added codings from {file}.")


@main.command()
@lang_option()
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx", "md", "html"]), default=None,
              help="Report format (default: from -o's suffix, else xlsx).")
@output_option("Output file (default: raportti.<format> / report.<format> in the project).")
@include_suggested_option()
@click.option("--hide-codes", is_flag=True, help="Leave informant codes out of the interview table.")
@click.option("--figures", "figures_dir", type=click.Path(file_okay=False), default=None,
              help="Also write PNG/SVG figures into this folder.")
@click.option("--template", type=click.Path(dir_okay=False), default=None,
              help="Word template (.docx/.dotx) whose page size, margins and styles a docx report uses.")
@pseudonymise_options
@click.pass_obj
@handle_errors
def report(obj, lang, fmt, output, include_suggested, hide_codes, figures_dir, template, pseudonymise):
    """Write the workshop workbook (xlsx), thesis appendices (docx) or a quick look (md/html)."""
    import warnings

    from .errors import ReportWarning

    check_report_name(output, fmt)
    project = obj.project()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReportWarning)
        out = project.report(output, fmt=fmt, lang=lang, include_suggested=include_suggested,
                             show_codes=not hide_codes, figures_dir=figures_dir,
                             pseudonymise=pseudonymise, template=template, progress=obj.progress)
    echo_warnings(w.message for w in caught if issubclass(w.category, ReportWarning))
    click.echo(f"Wrote {out}." + (f" Figures in {figures_dir}." if figures_dir else ""))


def check_report_name(output: Optional[str], fmt: Optional[str]) -> None:
    """Refuse ``-o`` names whose extension is not a report format, or not the ``--format`` given
    (a file named .pdf holding an xlsx would mislead whoever opens it)."""
    if output is None:
        return
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in ("xlsx", "docx", "md", "html"):
        raise QualcodeError(f"qualcode writes reports as .xlsx, .docx, .md or .html, not "
                            f"'{suffix or 'no extension'}'; change the file name", path=output)
    if fmt is not None and fmt != suffix:
        raise QualcodeError(f"--format {fmt} does not match the file name; name the file .{fmt}", path=output)


@main.command()
@lang_option()
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Folder to write (default: view/ in the project); an earlier view there is replaced.")
@pseudonymise_options
@click.pass_obj
@handle_errors
def view(obj, lang, output, pseudonymise):
    """Write the transcripts with every coding marked as HTML pages that open from the folder."""
    out = obj.project().view(output, lang=lang, pseudonymise=pseudonymise)
    click.echo(f"Wrote {out}; open it in a browser.")


@main.command()
@coder_option("Your coder name (default: coder in qualcode.toml).")
@lang_option()
@click.option("--port", type=int, default=0, help="Port to listen on (default: a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but this computer needs --allow-remote.")
@click.option("--allow-remote", is_flag=True, help="Allow an address other computers can reach (with a warning).")
@click.option("--no-browser", is_flag=True, help="Print the address but do not open a browser.")
@click.pass_obj
@handle_errors
def serve(obj, coder, lang, port, host, allow_remote, no_browser):
    """Review the codings in context in your browser: a local app on this computer, until Ctrl+C."""
    from .server import serve as run

    run(obj.project().root, host=host, port=port, coder=coder, lang=lang, open_browser=not no_browser,
        allow_remote=allow_remote, echo=click.echo)


@main.group("daemon")
def daemon_group():
    """A warm background process that runs your commands (Unix): each command then pays only
    for its own work, not for loading pandas and spaCy again."""


@daemon_group.command("start")
@click.option("--idle", type=click.FloatRange(min=0.05), default=IDLE_MINUTES, show_default=True,
              help="Minutes without a command before it stops by itself.")
@handle_errors
def daemon_start(idle):
    """Start the daemon; commands typed after it run in it."""
    from . import daemon

    if daemon.status() is None:
        click.echo("Starting the daemon: it loads qualcode, pandas and spaCy once ...", err=True)
    info, started = daemon.start(idle * 60)
    state = "started" if started else "was already running"
    click.echo(f"The qualcode daemon {state} (pid {info['pid']}); commands now run in it. "
               f"It stops after {idle:g} minutes without a command, or with 'qualcode daemon stop'.")


@daemon_group.command("status")
@handle_errors
def daemon_status():
    """Whether the daemon runs, and what it has done."""
    import time

    from . import daemon

    info = daemon.status()
    if info is None:
        click.echo("No daemon runs: each command starts on its own ('qualcode daemon start' starts one).")
        return
    minutes = (time.time() - info["started"]) / 60
    click.echo(f"The qualcode daemon runs (pid {info['pid']}, for {minutes:.0f} min): {info['served']} "
               f"commands served, {info['running']} running now.")


@daemon_group.command("stop")
@handle_errors
def daemon_stop():
    """Stop the daemon (commands it is running finish first)."""
    from . import daemon

    info = daemon.stop()
    click.echo("No daemon was running." if info is None else
               f"The qualcode daemon (pid {info['pid']}) stopped after {info['served']} commands.")


@main.group("export")
def export_group():
    """Write the project in an exchange format (REFI-QDA)."""


@export_group.command("qdpx")
@click.argument("file", type=click.Path(dir_okay=False))
@include_suggested_option("Also export automatic suggestions nobody decided on.")
@pseudonymise_options
@click.pass_obj
@handle_errors
def export_qdpx_cmd(obj, file, include_suggested, pseudonymise):
    """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
    warnings: list[str] = []
    out = obj.project().exchange.export_qdpx(file, include_suggested=include_suggested,
                                             pseudonymise=pseudonymise, warn=warnings.append)
    echo_warnings(warnings)
    click.echo(f"Wrote {out}.")


@main.group("import")
def import_group():
    """Read a project from an exchange format (REFI-QDA)."""


@import_group.command("qdpx")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--new-version", is_flag=True,
              help="Import sources the project already has as their next version, and the file's codebook "
                   "beside the project's, instead of merging (needed when they differ).")
@click.pass_obj
@handle_errors
def import_qdpx_cmd(obj, file, new_version):
    """Read a REFI-QDA project (.qdpx): sources, codes, codings, cases, notes (all or nothing).
    Sources the project already has with the same text are merged: nothing is added twice."""
    r = obj.project().exchange.import_qdpx(file, new_version=new_version)
    echo_warnings(r.warnings)
    merged = f"; {r.merged_sources} sources merged with the project's" if r.merged_sources else ""
    click.echo(f"Imported {r.sources} sources, {r.codes} codes, {r.codings} codings, {r.informants} cases "
               f"and {r.memos} notes from {file}{merged}"
               + (f"; codebook: {r.codebook_path}" if r.codebook_path else "."))


@main.group()
def codebook():
    """Check and convert codebooks (YAML, xlsx sheet Koodikirja, REFI-QDA .qdc)."""


@codebook.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@handle_errors
def codebook_check(file):
    """Validate a codebook: keys, ids, parents, cycles, regular expressions."""
    from .project import read_codebook_file

    cb = read_codebook_file(file)
    themes = sum(1 for c in cb if not c.parent)
    click.echo(f"{file}: {len(cb)} codes ({themes} themes), language {cb.language}; no errors.")


@codebook.command("convert")
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("target", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["fi", "en"]), default="fi", show_default=True,
              help="Column labels of an xlsx codebook.")
@handle_errors
def codebook_convert(source, target, lang):
    """Convert between .yaml, .xlsx (sheet Koodikirja) and REFI-QDA .qdc (by the suffixes)."""
    from .project import convert_codebook

    out, cb = convert_codebook(source, target, lang=lang)
    click.echo(f"Wrote {out} ({len(cb)} codes).")


@main.group()
def construct():
    """Segmentation, care models, KAM plans and message templates (segmentointi.yaml, hoitomallit.yaml)."""


@construct.command("check")
@click.pass_obj
@handle_errors
def construct_check(obj):
    """Check the construct files and show segment counts, care model actions and their evidence."""
    project = obj.project()
    c = project.constructs.load()
    if c.is_empty():
        click.echo("No construct files (segmentointi.yaml, hoitomallit.yaml) in the project folder.")
        return
    if c.segmentation is not None:
        print_table(c.segmentation.counts(), title=c.segmentation.summary())
    if c.care_models:
        print_table(c.care_table(), title="Care models")
    if c.evidence is not None and len(c.evidence):
        print_table(c.evidence[["segment", "action", "segments", "informants"]], title="Evidence")


@construct.command("render")
@click.argument("template")
@click.option("--value", "values", multiple=True, help="name=value for a <name> placeholder (repeat).")
@click.option("--blank", "blanks", multiple=True, help="Value for the next __ blank (repeat, in order).")
@click.pass_obj
@handle_errors
def construct_render(obj, template, values, blanks):
    """Fill in a message template from hoitomallit.yaml and print it."""
    pairs = {}
    for v in values:
        if "=" not in v:
            raise QualcodeError(f"--value must be name=value, not '{v}'")
        k, val = v.split("=", 1)
        pairs[k.strip()] = val
    click.echo(str(obj.project().constructs.load(link=False).render(template, pairs, list(blanks))))


@main.command()
@key_option()
@click.pass_obj
@handle_errors
def pseudonymise(obj, key):
    """Replace names from the key and identifying details in the stored texts (codings move
    with the words; your original transcript files are not touched)."""
    project = obj.project()
    done = project.privacy.pseudonymise(key)
    changed = [f"{r.rewritten} {r.field}" + (f" ({r.replacements} replacements)" if r.replacements else "")
               for r in done.itertuples() if r.rewritten]
    click.echo(f"Pseudonymised in the store: {', '.join(changed) or 'nothing (no names from the key found)'}.")
    click.echo("Not changed: the files in the project folder (transcripts, codebook, construct files); "
               "write reports and exports with --pseudonymise so that their texts are pseudonymised too.")


@main.group("check")
def check_group():
    """Checks before sharing files."""


@check_group.command("anonymity")
@click.argument("files", nargs=-1, type=click.Path())
@key_option()
@click.pass_obj
@handle_errors
def check_anonymity_cmd(obj, files, key):
    """List every name from the key, e-mail, phone number, identity code, IBAN and URL in the
    store and in FILES (xlsx, docx, qdpx, md, txt, csv, html); exit 1 when anything is found."""
    hits = obj.project().privacy.check_anonymity(list(files), key)
    if hits.empty:
        click.echo("No names from the key and no identifying details found.")
        return
    print_table(hits, title="Found")
    click.echo(f"{len(hits)} identifying details found; run 'qualcode pseudonymise' or write the files "
               "again with --pseudonymise.")
    sys.exit(1)


@main.group(invoke_without_command=True)
@click.option("--coders", multiple=True, help="Coders to compare (repeat: --coders liisa --coders auto). "
              "Default: every human coder.")
@click.option("--reviewed-only", is_flag=True,
              help="Count only the segments each coder decided something on.")
@click.option("--disagreements", "disagreements_file", type=click.Path(dir_okay=False), default=None,
              help="Also write the disagreement list to this .xlsx for a consensus meeting.")
@output_option("Write the agreement table to .xlsx or .csv.")
@table_format_options
@click.pass_context
@handle_errors
def agreement(ctx, coders, reviewed_only, disagreements_file, output, table_format):
    """Intercoder agreement per code: percent agreement, Cohen's kappa, Krippendorff's alpha."""
    if ctx.invoked_subcommand is not None:
        return
    from .project import write_frame

    project = ctx.obj.project()
    lang = project.config.language
    coders = list(coders) or None
    if table_format:
        return print_data(project.agreement.table(coders, reviewed_only=reviewed_only), table_format)
    shown = project.agreement.table(coders, reviewed_only=reviewed_only, lang=lang)
    print_table(shown.round(3), title=label("agreement.title", lang))
    if output:
        write_frame(shown, output)
        click.echo(f"Wrote {output}")
    if disagreements_file:
        out = project.agreement.write_disagreements(disagreements_file, coders, reviewed_only)
        click.echo(f"Wrote the disagreements to {out}; fill in the agreed column and run "
                   f"'qualcode agreement consensus {disagreements_file}'.")


@agreement.command("consensus")
@click.argument("file", type=click.Path(dir_okay=False, exists=False))
@click.option("--reason", default="", help="Why (goes to the audit trail).")
@click.pass_obj
@handle_errors
def agreement_consensus(obj, file, reason):
    """Record the agreed codings of a filled-in disagreement sheet (coder 'consensus')."""
    decisions = obj.project().agreement.consensus_import(file, reason=reason)
    click.echo(f"Recorded {len(decisions)} consensus decisions.")


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.pass_obj
@handle_errors
def demo(obj, folder):
    """Run the whole pipeline on the bundled Finnish demo study (in FOLDER or a new folder here)."""
    from .demo import run_demo

    run_demo(Path(folder) if folder else None, echo=click.echo, progress=obj.progress)


@main.command()
@click.argument("text")
@click.option("--segment", type=int, default=None, help="Attach the memo to this segment id.")
@click.option("--code", "code_id", default=None, help="Attach the memo to this code id.")
@click.option("--source", default=None, help="Attach the memo to this source (file name).")
@click.option("--coder", default=None, help="Who writes it (default: coder in qualcode.toml).")
@click.pass_obj
@handle_errors
def memo(obj, text, segment, code_id, source, coder):
    """Write a memo (a note on the project, a segment, a code or a source); it goes into the
    store, the audit trail and REFI-QDA exports."""
    targets = [(k, v) for k, v in (("segment", segment), ("code", code_id), ("source", source)) if v is not None]
    if len(targets) > 1:
        raise QualcodeError("attach a memo to one thing: --segment, --code or --source")
    kind, target = targets[0] if targets else ("project", None)
    memo_id = obj.project().coding.memo(text, kind, target, coder=coder)
    click.echo(f"Memo {memo_id} saved ({kind}{' ' + str(target) if target is not None else ''}).")


@main.command()
@output_option("Write the trail to .xlsx or .csv instead of printing it.")
@table_format_options
@click.pass_obj
@handle_errors
def audit(obj, output, table_format):
    """The analysis log (Analyysiloki): every step with time, coder, action and target."""
    project = obj.project()
    trail = project.audit()
    if table_format and not output:
        return print_data(trail, table_format)
    if output:
        out = project.audit(lang=project.config.language, path=output)
        click.echo(f"Wrote {len(trail)} entries to {out}")
    else:
        print_table(trail.drop(columns=["id"]), title=label("sheet.audit", project.config.language))


if __name__ == "__main__":  # pragma: no cover
    main()
