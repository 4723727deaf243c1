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
from .errors import QualcodeError


class Context:
    def __init__(self, project_dir: Optional[str], debug: bool):
        self.project_dir = project_dir
        self.debug = debug
        self._project = None

    def project(self):
        from .project import Project

        if self._project is None:
            self._project = Project.open(self.project_dir)
        return self._project


def handle_errors(fn):
    """Turn QualcodeError into one line on stderr and exit code 2."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = bool(ctx.find_object(Context) and ctx.find_object(Context).debug)
        try:
            return fn(*args, **kwargs)
        except QualcodeError as exc:
            if debug:
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was written.", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"Internal error: {exc.__class__.__name__}: {exc}. This is a bug in qualcode; "
                       "rerun with --debug and report the traceback.", err=True)
            sys.exit(1)
    return wrapper


def echo_warnings(warnings) -> None:
    for w in warnings:
        click.echo(f"Warning: {w}", err=True)


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
@click.version_option(__version__, prog_name="qualcode")
@click.pass_context
def main(ctx, project_dir, debug):
    """qualcode: code and analyse interview transcripts (Finnish and English)."""
    ctx.obj = Context(project_dir, debug)


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
                            progress=True)
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
@click.pass_obj
@handle_errors
def status(obj):
    """What is in the project: sources, words, informants, segments, codings."""
    project = obj.project()
    frame = project.status()
    print_table(frame, title=project.config.title)


if __name__ == "__main__":  # pragma: no cover
    main()
