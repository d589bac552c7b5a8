"""The ``nlp-review`` command line. Each stage's commands live in their own module and
register themselves on ``app``; this module only assembles them and turns the library's
errors into a message and a non-zero exit, in one place."""

from __future__ import annotations

import importlib
import inspect

import typer
from typer.core import TyperGroup

from nlp_review import __version__
from nlp_review.errors import NlpReviewError


class _Group(TyperGroup):
    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except NlpReviewError as exc:
            from nlp_review.cli.common import print_error

            print_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            # Ctrl-C: typer exited 130 without a word (`tag`, `dedupe`, `import`, ...).
            from nlp_review.cli.common import err_console

            err_console.print("[bold]Interrupted.[/bold] What was finished before Ctrl-C is "
                              "kept (each decision, tag, imported file and full text is "
                              "stored in its own transaction; output files are written "
                              "whole or not at all); the step under way was not stored. "
                              "Run the command again to go on.", highlight=False)
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_Group,
    help="Screen, deduplicate and tag the evidence for systematic reviews of social-support "
    "interventions for children and young people.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nlp-review {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Screen, deduplicate and tag the evidence for systematic reviews."""


#: Command modules, one per stage; each defines ``register(app)``.
COMMAND_MODULES = [
    "nlp_review.cli.demo_cmds",
    "nlp_review.cli.project_cmds",
    "nlp_review.cli.dedup_cmds",
    "nlp_review.cli.tagging_cmds",
    "nlp_review.cli.fulltext_cmds",
    "nlp_review.cli.evidence_cmds",
    "nlp_review.cli.stopping_cmds",
    "nlp_review.cli.screening_cmds",
    "nlp_review.cli.annotate_cmds",
    "nlp_review.cli.living_cmds",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def _reflowed(doc: str) -> str:
    """The docstring with each paragraph on one line: typer keeps single line breaks after
    the first paragraph, which the terminal then wraps again into ragged half-lines."""
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def _one_line_summaries(typer_app: typer.Typer) -> None:
    """Command lists show each command's first docstring paragraph on one line (not with
    the docstring's own line breaks)."""
    for info in typer_app.registered_commands:
        doc = info.help or (info.callback.__doc__ if info.callback else None)
        if info.short_help is None and doc:
            info.short_help = " ".join(doc.strip().split("\n\n")[0].split())
        if doc:
            info.help = _reflowed(doc)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _one_line_summaries(group.typer_instance)


_one_line_summaries(app)


def main() -> None:
    app()
