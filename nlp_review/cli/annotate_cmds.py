"""Annotation exchange commands: the ``annotate`` group (export, import, adjudicate) and the
top-level ``agreement`` and ``train-tagger``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table
from rich.text import Text

from nlp_review.cli.common import (ModelsOption, ProjectOption, console, default_reviewer,
                                   err_console, project_at, warn)

annotate_app = typer.Typer(help="Exchange tags with annotation tools (Prodigy, doccano, "
                           "Label Studio, brat) and adjudicate annotators' corrections.",
                           no_args_is_help=True)



def _taxonomy(models: Optional[Path]) -> dict:
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy

    return load_taxonomy((models or default_models_dir()) / "taxonomy.json")


def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


@annotate_app.command("export")
def export_cmd(
    fmt: str = typer.Option(..., "--format", "-f", help="prodigy | doccano | labelstudio | "
                            "brat."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write (a new folder for "
                             "brat; Label Studio also gets OUT.config.xml beside it)."),
    unit: str = typer.Option("records", "--unit", help="records (title + abstract of each "
                             "work) or paragraphs (taggable full-text paragraphs)."),
    which: str = typer.Option("all", "--which", help="all | included (current decision "
                              "include) | sample (all, sampled with --sample/--seed)."),
    sample: Optional[int] = typer.Option(None, "--sample", min=1, help="Draw this many of "
                                         "the texts --which picks at random (e.g. --which "
                                         "included --sample 20)."),
    seed: int = typer.Option(0, "--seed", help="Random seed for --sample."),
    least_confident: Optional[int] = typer.Option(None, "--least-confident", min=1,
                                                  help="Keep only the N texts whose rule "
                                                  "tags are least sure (largest share of "
                                                  "negated/hedged spans, then fewest spans "
                                                  "per word)."),
    models: Optional[Path] = ModelsOption,
    project: Path = ProjectOption,
) -> None:
    """Write the project's texts with their current tags as pre-annotations, in an
    annotation tool's own format."""
    from nlp_review.annotate.exchange import suffix_advice, write_export
    from nlp_review.annotate.texts import select_tasks

    taxonomy = _taxonomy(models)
    with project_at(project) as proj:
        tasks = select_tasks(proj.conn, unit=unit, which=which, sample=sample, seed=seed,
                             least_confident=least_confident)
    untagged = sum(1 for t in tasks if t.meta.get("untagged"))
    if untagged:
        warn(f"{untagged} text(s) have no tags for their current text (run `nlp-review "
             "tag`); they go out without pre-annotations")
    paths = write_export(tasks, fmt, out, taxonomy, _tokenizer())
    n_spans = sum(len(t.spans) for t in tasks)
    console.print(f"Wrote {len(tasks)} texts ({n_spans} pre-annotated spans) to "
                  + ", ".join(str(p) for p in paths))
    advice = suffix_advice(fmt, out)
    if advice:
        warn(advice)


@annotate_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="Annotation file (or brat folder) exported by "
                                "`annotate export` and edited in the tool."),
    annotator: str = typer.Option(..., "--annotator", "-a", help="Whose annotations these "
                                  "are."),
    fmt: str = typer.Option("auto", "--format", "-f", help="auto (read from the content) | "
                            "prodigy | doccano | labelstudio | brat."),
    tool_user: Optional[str] = typer.Option(None, "--tool-user", help="Read only this "
                                            "tool user's annotations, from a file holding "
                                            "several users' (Label Studio: the completed_by "
                                            "user id or email; Prodigy: the session name)."),
    models: Optional[Path] = ModelsOption,
    project: Path = ProjectOption,
) -> None:
    """Store an annotator's corrections. Every span is checked (offsets, label, text
    unchanged since export); any problem stops the whole file and is listed."""
    from nlp_review.annotate.exchange import import_annotations

    taxonomy = _taxonomy(models)
    with project_at(project) as proj:
        r = import_annotations(proj.conn, file, annotator, taxonomy, fmt, tool_user)
    console.print(f"{annotator}: {r.accepted} texts stored ({r.spans} spans), "
                  f"{r.rejected} rejected, {r.ignored} ignored"
                  + (f", {r.unchanged} unchanged since {annotator}'s last import (not stored "
                     "again)" if r.unchanged else "") + f", from {file}")
    if r.same_as:
        warn(f"{', '.join(r.same_as)} already hold(s) exactly these annotations, from a file "
             f"named {file.name}: was this file imported under another name? Agreement "
             f"between {annotator} and {r.same_as[0]} would compare the file with itself")


@annotate_app.command("adjudicate")
def adjudicate_cmd(
    prefer: Optional[str] = typer.Option(None, "--prefer", help="Take this annotator's "
                                         "version of every text they annotated."),
    rule: Optional[str] = typer.Option(None, "--rule", help="Merge all annotators: union | "
                                       "intersection | majority (exact spans)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who decides (default: your login "
                                     "name)."),
    project: Path = ProjectOption,
) -> None:
    """Make one final gold version per annotated text, recorded with who decided and how."""
    from nlp_review.annotate.agreement import adjudicate

    with project_at(project) as proj:
        r = adjudicate(proj.conn, decided_by=by or default_reviewer(), prefer=prefer,
                       rule=rule)
    console.print(f"Gold written for {r.texts} texts ({r.spans} spans); {r.skipped} skipped"
                  + (" (not annotated by that annotator, or annotated on different text "
                     "versions)" if r.skipped else ""))


def agreement_cmd(
    labels: bool = typer.Option(True, "--labels/--no-labels", help="Also print per-label "
                                "rows."),
    project: Path = ProjectOption,
) -> None:
    """Agreement between annotators on shared texts: span F1 (exact and overlap) and
    Cohen's kappa on token labels, overall, per group and per label."""
    from nlp_review.annotate.agreement import agreement
    from nlp_review.annotate.texts import current_text

    with project_at(project) as proj:
        pairs = agreement(proj.conn, lambda k: current_text(proj.conn, k), _tokenizer())
    for p in pairs:
        table = Table(title=f"{p.a} vs {p.b}: {p.n_texts} shared texts")
        for col in ("label", "F1 exact", "F1 overlap", f"spans {p.a}", f"spans {p.b}",
                    "kappa (tokens)"):
            table.add_column(col, justify="left" if col == "label" else "right")
        rows = ["*"] + (sorted(k for k in p.counts if k != "*") if labels else [])
        for key in rows:
            c = p.counts.get(key)
            if c is None:
                continue
            kappa = p.kappa_label.get(key)
            table.add_row("all labels" if key == "*" else key, f"{c.exact_f1:.2f}",
                          f"{c.overlap_f1:.2f}", str(c.n_a), str(c.n_b),
                          "" if kappa is None else f"{kappa:.2f}")
        console.print(table)
        groups = Table(title=f"{p.a} vs {p.b}: Cohen's kappa on token labels per group")
        groups.add_column("group")
        groups.add_column("kappa", justify="right")
        for g, k in p.kappa_group.items():
            groups.add_row(g, f"{k:.2f}")
        console.print(groups)


def train_tagger_cmd(
    gold: Optional[List[Path]] = typer.Option(None, "--gold", help="Train on these gold "
                                              "JSONL files instead of the project's "
                                              "adjudicated gold (repeat for several; "
                                              "each text once)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for the trained "
                                       "model (default: spancat/ in the project folder; "
                                       "the model shipped in models/spancat/ is never "
                                       "replaced unless named here)."),
    test: Optional[List[Path]] = typer.Option(None, "--test", help="Held-aside gold JSONL: "
                                              "report rules alone vs rules + model on it, "
                                              "per group (repeat for several files, each "
                                              "reported on its own)."),
    epochs: int = typer.Option(12, "--epochs", min=1, help="Most training passes tried; "
                               "cross-validation picks how many the final model gets."),
    folds: int = typer.Option(3, "--folds", min=2, help="Cross-validation folds over the "
                              "gold, for choosing passes, thresholds and deferral."),
    seed: int = typer.Option(0, "--seed", help="Random seed (folds, shuffling, weights)."),
    jobs: int = typer.Option(1, "--jobs", min=1, help="Processes training the folds and the "
                             "final model at once (the results do not depend on it)."),
    criterion: str = typer.Option("additions_bound", "--criterion", help="How the "
                                  "combination is chosen from the held-out predictions: "
                                  "additions_bound (per group the lowest threshold where "
                                  "enough held-out model additions, at the lower end of "
                                  "their precision's interval, keep rules + model precision "
                                  "within 0.025 of the rules') | held_out_gain (the largest "
                                  "held-out recall gain)."),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                              help="With --test: one model score threshold "
                                              "for every group instead of the combination "
                                              "chosen by cross-validation."),
    defer_to: Optional[str] = typer.Option(None, "--defer-to", help="With --test: the model "
                                           "adds no span overlapping a rule span with the "
                                           "same label | group | any, instead of the "
                                           "combination chosen by cross-validation."),
    unseen_rules: Optional[List[str]] = typer.Option(
        None, "--unseen-rules", help="FILE=DIR: the training texts of gold FILE were "
        "annotated after the rule files in models folder DIR were written (e.g. "
        "holdout.jsonl=old/models from `git archive COMMIT models`); the combination is "
        "judged against those rules on those texts, as on unseen text (repeatable)."),
    vectors: Optional[Path] = typer.Option(None, "--vectors", help="Word vectors the "
                                           "model reads besides its own hash embeddings: "
                                           "a folder built by benchmarks/tagger_training/"
                                           "vectors.py from unlabelled in-domain abstracts, "
                                           "or a span model trained with them (e.g. "
                                           "models/spancat); the saved model carries them."),
    suggest: Optional[Path] = typer.Option(None, "--suggest-patterns", help="Also write "
                                           "pattern JSONL lines for frequent gold phrases no "
                                           "pattern matches."),
    min_count: int = typer.Option(2, "--min-count", min=1, help="With --suggest-patterns: "
                                  "how often a phrase must occur."),
    models: Optional[Path] = ModelsOption,
    project: Path = ProjectOption,
) -> None:
    """Train a spaCy span categorizer on gold annotations, to run after the rules and add
    the spans they miss (passes and combination chosen by cross-validation on the gold)."""
    from nlp_review.annotate.measure import gold_from_files, gold_from_project
    from nlp_review.annotate.train import (CRITERIA, DEFAULT_DEFER_TO, DEFAULT_THRESHOLD,
                                           DEFER_TO,
                                           compare_saved, compare_thresholds,
                                           suggest_patterns, train_tagger,
                                           write_suggestions)
    from nlp_review.errors import unknown_name
    from nlp_review.tagging.patterns import default_models_dir

    if defer_to is not None and defer_to not in DEFER_TO:
        raise unknown_name("deferral", defer_to, DEFER_TO)
    if criterion not in CRITERIA:
        raise unknown_name("choice criterion", criterion, CRITERIA)
    models_dir = models or default_models_dir()
    taxonomy = _taxonomy(models)
    if gold:
        texts = gold_from_files(gold, taxonomy)
    else:
        with project_at(project) as proj:
            texts = gold_from_project(proj.conn, taxonomy)
    out = out or Path(project) / "spancat"
    test_texts = [(path, gold_from_files([path], taxonomy)) for path in test or []]
    snapshots = [_unseen_rules(value, taxonomy) for value in unseen_rules or []]
    result = train_tagger(texts, out, models_dir, folds=folds, epochs=epochs, seed=seed,
                          jobs=jobs, criterion=criterion, unseen_rules=snapshots,
                          vectors=vectors,
                          on_epoch=lambda stage, e, loss, f: err_console.print(
                              f"{stage} epoch {e}: loss {loss:.2f}"
                              + ("" if f != f else f", held-out span F1 {f:.3f}")))
    sources = ", ".join(f"{name} ({n})" for name, n in result.sources.items())
    console.print(f"Cross-validated on {result.n_texts} texts from {sources} ({result.folds} "
                  f"folds of {'/'.join(str(len(f)) for f in result.fold_ids)} texts, seed "
                  f"{seed}): {result.epochs} passes chosen, held-out P {result.cv_p:.2f} "
                  f"R {result.cv_r:.2f} F1 {result.cv_f:.2f}; final model trained on all "
                  f"{result.n_texts} texts, saved to {out}"
                  + (f" (with the word vectors of {vectors})" if vectors else ""))
    combination = result.combination
    gated = set(combination.get("gated_groups", []))
    used = ", ".join(f"{g} >= {t}" + (" (only in texts where the rules found the group)"
                                      if g in gated else "")
                     for g, t in combination["group_thresholds"].items())
    console.print(f"Combination chosen by cross-validation ({criterion}): defer to rule spans "
                  f"of the same {combination['defer_to']}; model spans for "
                  f"{used or 'no group'}")
    if suggest:
        rows = suggest_patterns(texts, models_dir, min_count=min_count)
        write_suggestions(rows, suggest)
        console.print(f"{len(rows)} suggested patterns written to {suggest}")
    for path, texts_of_file in test_texts:
        if threshold is None and defer_to is None:
            comparison = compare_saved(texts_of_file, models_dir, out)
            how = "combination chosen by cross-validation"
        else:
            one = DEFAULT_THRESHOLD if threshold is None else threshold
            deferral = defer_to or DEFAULT_DEFER_TO
            comparison = compare_thresholds(texts_of_file, models_dir, out, [one],
                                            deferral)[one]
            how = f"threshold {one} for every group, defer to {deferral}"
        table = Table(title=f"{path} ({len(texts_of_file)} texts): rules vs rules + model "
                            f"(overlap; {how})")
        for col in ("group", "P rules", "R rules", "F1 rules", "P +model", "R +model",
                    "F1 +model", "verdict"):
            table.add_column(col, justify="left" if col in ("group", "verdict") else "right")
        for row in comparison:
            table.add_row(row["group"], *(f"{row[k]:.3f}" for k in
                                          ("p_rules", "r_rules", "f_rules", "p_both",
                                           "r_both", "f_both")), row["verdict"])
        console.print(table)


def _unseen_rules(value: str, taxonomy: dict):
    """``--unseen-rules FILE=DIR`` as a ``RuleSnapshot`` (FILE's text ids, DIR's rules)."""
    from nlp_review.annotate.measure import gold_from_files
    from nlp_review.annotate.train import RuleSnapshot
    from nlp_review.errors import ConfigError

    file, sep, folder = value.partition("=")
    if not sep or not file or not folder:
        raise ConfigError(f"--unseen-rules {value!r} is not FILE=DIR",
                          hint="e.g. --unseen-rules annotations/gold/holdout.jsonl=/tmp/r4/models")
    if not (Path(folder) / "taxonomy.json").is_file():
        raise ConfigError(f"--unseen-rules {value!r}: {folder} is not a models folder (no "
                          "taxonomy.json)",
                          hint="git archive COMMIT models | tar -x -C /tmp/old, then "
                               "FILE=/tmp/old/models")
    ids = frozenset(g.id for g in gold_from_files([Path(file)], taxonomy))
    return RuleSnapshot(Path(folder), ids, f"{Path(file).name}={folder}")


# -- helpers for `nlp-review evaluate` (tagging_cmds) ----------------------------------------
def stored_gold_texts(project: Path, annotator: Optional[str]) -> list:
    """``evaluate --stored``: the project's adjudicated gold (or one annotator's) as gold
    texts; texts annotated on an older version are left out with a warning."""
    from nlp_review.annotate.measure import stored_gold_texts as load

    with project_at(project) as proj:
        found = load(proj.conn, annotator)
    if found.stale:
        warn(f"{found.stale} annotated text(s) changed since annotation and are left out")
    if not found.texts:
        from nlp_review.errors import NotFoundError

        raise NotFoundError("no stored gold matches the current texts")
    return found.texts


def print_pattern_report(nlp, texts: list, group_of: dict, out: Optional[Path],
                         top: int = 5) -> None:
    """``evaluate --patterns``: per group and label, the patterns with most false hits and
    the gold phrases no pattern reaches; the full report as JSON to ``out``."""
    import json

    from nlp_review.annotate.measure import pattern_report
    from nlp_review.io import atomic_write_text

    report = pattern_report(nlp, texts, group_of).as_dict(top=max(top, 20))
    table = Table(title="patterns: false hits by pattern id, gold phrases no pattern reaches")
    for col in ("group", "label", "false hits (pattern id: n)", "unreached gold (phrase: n)"):
        table.add_column(col)
    for group in sorted(report):
        for label, r in sorted(report[group].items(),
                               key=lambda kv: -(kv[1]["n_false_hits"] + kv[1]["n_unreached"])):
            fh = ", ".join(f"{x['pattern_id']}: {x['false_hits']}"
                           for x in r["false_hits_by_pattern"][:top])
            un = ", ".join(f"{x['phrase']!r}: {x['count']}"
                           for x in r["unreached_gold_phrases"][:top])
            table.add_row(group, label, Text(fh or "-"), Text(un or "-"))
    console.print(table)
    if out is not None:
        atomic_write_text(out, json.dumps(report, indent=1, ensure_ascii=False))
        err_console.print(f"pattern report written to {out}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(annotate_app, name="annotate")
    app.command("agreement")(agreement_cmd)
    app.command("train-tagger")(train_tagger_cmd)
