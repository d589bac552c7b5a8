"""`nlp-review demo`: the main job on the bundled demo corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from nlp_review.cli.common import console, progress


def demo_cmd(
    out: Path = typer.Argument(Path("demo-project"), help="Folder for the demo project "
                               "(must not exist yet)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier demo project in OUT "
                               "(never any other folder)."),
    fulltexts: Optional[Path] = typer.Option(
        None, "--fulltexts", help="Folder of full texts (PDF, JATS XML, HTML) to add, link and "
        "tag. The demo corpus bundles none: its articles are not openly licensed."),
) -> None:
    """Run the whole path on the bundled demo corpus.

    Imports two overlapping search exports (RIS and CSV), removes duplicates, screens in the
    model's order with a simulated reviewer who answers from the demo's labels until the
    statistical stopping rule says stop, tags the records, adds any full texts given with
    --fulltexts, and writes the evidence report and the PRISMA 2020 flow diagram. Works
    offline."""
    from nlp_review.workflows.demo import run_demo

    with progress() as bar:
        task = bar.add_task("screening", total=None, visible=False)

        def step(text: str) -> None:
            bar.console.print(f"[bold]>[/bold] {text} ...", highlight=False, soft_wrap=True)

        def decided(n: int) -> None:
            bar.update(task, completed=n, visible=True)

        report = run_demo(out, force=force, fulltexts=fulltexts, step=step,
                          on_decision=decided)
    imported = ", ".join(f"{n} from {s}" for s, n in report.imported.items())
    console.print(f"\nImported {sum(report.imported.values())} records ({imported}); "
                  f"{report.duplicates} duplicates removed, {report.unique} unique.",
                  soft_wrap=True)
    share = report.screened / report.unique if report.unique else 0
    console.print(f"Screened {report.screened} of {report.unique} ({share:.0%}) and found "
                  f"{report.included_found} of the {report.included_total} studies the review "
                  f"included (the last at position {report.last_include_at}); stopped because "
                  f"{report.stop_reason}.", soft_wrap=True)
    console.print(f"Tagged {report.tagged} records: {report.spans} spans.", soft_wrap=True)
    if report.fulltexts:
        done = ", ".join(
            f"{n} {status}" + (f" ({', '.join(report.skipped)}: "
                               f"{'not an article' if n == 1 else 'not articles'})"
                               if status == "skipped" and report.skipped else "")
            for status, n in report.fulltexts.items() if n)
        console.print(f"Full texts: {done} (linked ones feed the evidence table).",
                      soft_wrap=True)
    else:
        console.print("Full texts: none added (the demo bundles none; pass --fulltexts DIR).",
                      soft_wrap=True)
    p = report.prisma
    if p is not None:
        console.print(f"PRISMA: {p.sentence()}", soft_wrap=True)
    console.print("\nOpen:", soft_wrap=True)
    for what, path in report.outputs.items():
        console.print(f"  {what}: {path.resolve()}", soft_wrap=True)
    console.print(f"\nCarry on with the project: nlp-review status -p {out}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
