"""Render a ``StoppingReport`` for the terminal (used by ``nlp-review status``)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nlp_review.stopping.estimate import RelevantEstimate
from nlp_review.stopping.report import StoppingReport


def _pct(x: float | None) -> str:
    return "?" if x is None else f"{x:.1%}"


def estimate_line(est: RelevantEstimate) -> str:
    """One line: estimated recall with its interval, and how it was obtained."""
    conf = f"{est.confidence:.0%}"
    if est.method == "random-sample":
        return (f"estimated recall {_pct(est.recall)} ({conf} interval {_pct(est.recall_low)}"
                f" - {_pct(est.recall_high)}); relevant in all ~{est.total:.0f} "
                f"({est.total_low}-{est.total_high}); {est.note}")
    if est.method == "counting-process":
        return (f"model-based (counting process): estimated recall {_pct(est.recall)} ({conf} "
                f"interval {_pct(est.recall_low)} - {_pct(est.recall_high)}); relevant in all "
                f"~{est.total:.0f} ({est.total_low}-{est.total_high}); {est.note}")
    if est.method == "ranked-tail":
        return (f"recall at least {_pct(est.recall_low)} ({conf} confidence, assuming the "
                "ranking beats chance); no random sample yet for an unbiased estimate")
    if est.method == "complete":
        return "recall 100% (every record screened)"
    return "no decisions yet: no estimate of recall"


def render_stopping(report: StoppingReport) -> RenderableType:
    """The stopping part of ``status``: counts, estimated recall, each rule's verdict."""
    head = Text()
    head.append(f"records {report.records}   screened {report.screened}   included "
                f"{report.included}   since last include {report.since_last_include}")
    if report.random_sample:
        head.append(f"   drawn at random {report.random_sample}")
    table = Table(title="Stopping rules", title_justify="left")
    table.add_column("rule")
    table.add_column("verdict")
    table.add_column("reason")
    for spec, d in report.verdicts:
        verdict = ("[bold green]stop[/]" if d.stop else
                   "[yellow]sample at random[/]" if d.wants_random_sample else "continue")
        table.add_row(spec, verdict, d.reason)
    recall = (estimate_line(report.estimate) if report.records else
              "no records yet: import search results with `nlp-review import FILE`")
    parts: list[RenderableType] = [head, Text(recall)]
    if report.model_estimate is not None:
        parts.append(Text(estimate_line(report.model_estimate)))
    parts.append(table)
    if report.wants_random_sample:
        parts.append(Text("`nlp-review screen` now shows records drawn at random from the "
                          "unscreened pool, for the statistical stopping test.", style="yellow"))
    return Group(*parts)
