"""Drawing the PRISMA 2020 flow diagram (matplotlib, Agg backend) as SVG and PNG, with
its numbers as CSV beside them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from nlp_review.errors import ConfigError
from nlp_review.io import atomic_open, atomic_write_text
from nlp_review.living.prisma import PrismaCounts, prisma_csv

_MAIN_X, _SIDE_X, _W, _SIDE_W = 0.10, 0.60, 0.42, 0.38
_STAGE_COLOUR = "#d6e4f0"
_EDGE = "#333333"
_MUTED = "#777777"


def _box(ax, x: float, y: float, w: float, h: float, text: str, width_chars: int,
         muted: bool = False) -> None:
    """A box; ``muted`` (dashed, grey): a box whose count the project did not record."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y - h), w, h, boxstyle="round,pad=0.004,rounding_size=0.01",
                                facecolor="white", edgecolor=_MUTED if muted else _EDGE,
                                linewidth=1.1, linestyle="--" if muted else "-"))
    lines = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, width_chars) or [""])
    ax.text(x + 0.015, y - h / 2, "\n".join(lines), ha="left", va="center", fontsize=8.6,
            linespacing=1.35, color=_MUTED if muted else "black")


def _arrow(ax, x1: float, y1: float, x2: float, y2: float) -> None:
    ax.annotate("", xy=(x2, y2), xytext=(x1, y1),
                arrowprops={"arrowstyle": "-|>", "color": _EDGE, "lw": 1.1})


def _stage(ax, y_top: float, y_bottom: float, label: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((0.01, y_bottom), 0.055, y_top - y_bottom,
                                boxstyle="round,pad=0.002,rounding_size=0.01",
                                facecolor=_STAGE_COLOUR, edgecolor="none"))
    ax.text(0.0375, (y_top + y_bottom) / 2, label, rotation=90, ha="center", va="center",
            fontsize=9.5, fontweight="bold")


def draw_prisma(counts: PrismaCounts):
    """The diagram as a matplotlib Figure."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    n_src = len(counts.sources)
    fig = Figure(figsize=(8.5, 10.5))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    ax.text(0.5, 0.975, f"PRISMA 2020 flow diagram: {counts.title}", ha="center", va="center",
            fontsize=12, fontweight="bold")
    sources = "\n".join(f"  {name} (n = {n})" for name, n in counts.sources[:12])
    if n_src > 12:
        sources += f"\n  ... {n_src - 12} more sources (see the CSV)"
    id_h = 0.09 + 0.018 * min(n_src, 13)
    y = 0.93
    _stage(ax, y, y - id_h, "Identification")
    _box(ax, _MAIN_X, y, _W, id_h,
         f"Records identified (n = {counts.identified}) from:\n{sources}", 52)
    removed = f"Records removed before screening:\n  duplicate records (n = {counts.duplicates})"
    if counts.duplicates_of_earlier is not None:
        removed += (f"\n    of records from earlier searches (n = "
                    f"{counts.duplicates_of_earlier})\n    within this update (n = "
                    f"{counts.duplicates - counts.duplicates_of_earlier})")
    _box(ax, _SIDE_X, y - id_h / 2 + 0.04, _SIDE_W, 0.08 if counts.duplicates_of_earlier
         is None else 0.11, removed, 46)
    _arrow(ax, _MAIN_X + _W, y - id_h / 2, _SIDE_X, y - id_h / 2)
    gap, h = 0.045, 0.085
    ft = counts.fulltext_stage
    unknown = "not recorded (the project holds no full texts)"
    rows = [
        (f"Records screened (n = {counts.screened})"
         + (f"\n(not yet screened: n = {counts.awaiting})" if counts.awaiting else ""),
         f"Records excluded (n = {counts.excluded})", False),
        (f"Reports sought for retrieval (n = {counts.sought})\n(included at title/abstract "
         "screening)" if ft else f"Reports sought for retrieval: {unknown}",
         f"Reports not retrieved (n = {counts.not_retrieved})\n(no full text in the "
         "project: not obtained, or not added yet)" + (
             f"\n(+ {counts.unlinked} full text(s) linked to no record)"
             if counts.unlinked else "") if ft
         else "Reports not retrieved: not recorded", not ft),
        (f"Reports assessed for eligibility (n = {counts.assessed})\n(full text in the "
         "project)" if ft else f"Reports assessed for eligibility: {unknown}",
         "Reports excluded: not recorded (one decision per record, made at title/abstract "
         "screening)", not ft),
    ]
    top_screen = y - id_h - gap
    prev_bottom = y - id_h
    for main, side, muted in rows:
        y_box = prev_bottom - gap
        _arrow(ax, _MAIN_X + _W / 2, prev_bottom, _MAIN_X + _W / 2, y_box)
        _box(ax, _MAIN_X, y_box, _W, h, main, 50, muted)
        _box(ax, _SIDE_X, y_box, _SIDE_W, h, side, 44, muted or side.endswith("screening)"))
        _arrow(ax, _MAIN_X + _W, y_box - h / 2, _SIDE_X, y_box - h / 2)
        prev_bottom = y_box - h
    _stage(ax, top_screen, prev_bottom, "Screening")
    y_box = prev_bottom - gap
    _arrow(ax, _MAIN_X + _W / 2, prev_bottom, _MAIN_X + _W / 2, y_box)
    _box(ax, _MAIN_X, y_box, _W, h,
         f"Studies included in review (n = {counts.included})\n(included at title/abstract "
         "screening" + (f"; {counts.assessed} with a full text)" if ft else
                        "; no full texts in the project)"), 50)
    _stage(ax, y_box, y_box - h, "Included")
    foot = max(y_box - h - 0.03, 0.01)
    ax.text(0.5, foot,
            "Counts from the nlp-review project store; each box's number is also in the CSV.",
            ha="center", va="center", fontsize=7.5, color="#555555")
    bottom = max(foot - 0.02, 0.0)  # drop the empty space below: same scale, shorter page
    ax.set_ylim(bottom, 1)
    fig.set_size_inches(8.5, 10.5 * (1 - bottom))
    return fig


def write_prisma(counts: PrismaCounts, out_dir: Path, stem: str = "prisma") -> dict[str, Path]:
    """Write ``<stem>.svg``, ``<stem>.png`` and ``<stem>.csv`` into ``out_dir`` (each written
    whole or not at all). Returns {kind: path}."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"{out_dir} is a file; --out names a folder for the diagram",
                          hint="give a folder (created if missing), e.g. figures/")
    out_dir.mkdir(parents=True, exist_ok=True)
    fig = draw_prisma(counts)
    paths = {"svg": out_dir / f"{stem}.svg", "png": out_dir / f"{stem}.png",
             "csv": out_dir / f"{stem}.csv"}
    with atomic_open(paths["svg"], "wb") as handle:
        fig.savefig(handle, format="svg", bbox_inches="tight", pad_inches=0.15)
    with atomic_open(paths["png"], "wb") as handle:
        fig.savefig(handle, format="png", dpi=150, bbox_inches="tight",
                    pad_inches=0.15)
    atomic_write_text(paths["csv"], prisma_csv(counts))
    return paths
