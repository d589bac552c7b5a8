"""Tagging commands: tag, show, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from nlp_review.cli.common import (BaseModelOption, ModelsOption, ProjectOption, console,
                                   err_console, progress, project_at, warn)
from nlp_review.errors import ConfigError, InputError

NProcessOption = typer.Option(1, "--n-process", min=1, help="Worker processes for spaCy.")


SpancatOption = typer.Option(None, "--spancat", help="Run this trained model (`nlp-review "
                             "train-tagger`) after the rules: it adds the spans they miss.")


def tagging_pipeline(models: Optional[Path], base_model: Optional[str],
                     spancat: Optional[Path] = None):
    """The tagging pipeline of `tag`, `show` and `fulltext tag`: the rules of ``models``
    (the bundled ones if None), on ``base_model`` if given, with the span model ``spancat``
    after them if given."""
    from nlp_review.tagging.pipeline import build_pipeline

    if spancat is not None:
        from nlp_review.annotate.train import build_combined_pipeline
        from nlp_review.tagging.patterns import default_models_dir

        return build_combined_pipeline(models or default_models_dir(), spancat,
                                       base_model=base_model)
    return build_pipeline(models, base_model=base_model)


def tagging_fingerprint(models: Optional[Path], base_model: Optional[str],
                        spancat: Optional[Path] = None) -> str:
    """What stored tags record they were made with (see ``tagging_pipeline``): a changed
    fingerprint makes `tag` / `fulltext tag` tag again."""
    from nlp_review.tagging.patterns import default_models_dir, patterns_fingerprint

    extra = ""
    if spancat is not None:
        from nlp_review.annotate.train import model_fingerprint

        extra = f"+spancat:{model_fingerprint(spancat)}"
    return patterns_fingerprint(models or default_models_dir()) + (
        f"+{base_model}" if base_model else "") + extra


def tag_cmd(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Tag this file instead of "
                                         "a project: JSONL with \"text\" (and \"id\") per line, "
                                         "or CSV with title/abstract columns."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="JSONL file to write "
                                          "with --input (one line per text, spans with "
                                          "character offsets)."),
    n_process: int = NProcessOption,
    force: bool = typer.Option(False, "--force", help="Re-tag every work, even unchanged ones."),
    spancat: Optional[Path] = SpancatOption,
    models: Optional[Path] = ModelsOption,
    base_model: Optional[str] = BaseModelOption,
    project: Path = ProjectOption,
) -> None:
    """Tag mechanisms, populations, settings, interventions and outcomes.

    In a project: tags every work's title and abstract and stores the spans; only works whose
    text or the patterns changed are tagged again. With --input/--output: tags a file."""
    from nlp_review.tagging.run import tag_file, tag_project

    if input is not None or output is not None:
        if input is None or output is None:
            raise ConfigError("--input and --output go together",
                              hint="nlp-review tag --input texts.jsonl --output tags.jsonl")
        nlp = tagging_pipeline(models, base_model, spancat)
        with progress() as bar:
            task = bar.add_task(f"tagging {input.name}", total=None)
            n = tag_file(nlp, input, output, n_process=n_process,
                         on_record=lambda k: bar.update(task, completed=k))
        console.print(f"Tagged {n} texts from {input} into {output}", soft_wrap=True)
        return
    with project_at(project) as proj:
        nlp = tagging_pipeline(models, base_model, spancat)
        with progress() as bar:
            task = bar.add_task("tagging works", total=None)
            report = tag_project(proj.conn, nlp, tagging_fingerprint(models, base_model, spancat),
                                 force=force,
                                 n_process=n_process,
                                 on_progress=lambda k, t: bar.update(task, completed=k, total=t))
    console.print(f"{report.works} works: {report.tagged} tagged ({report.spans} spans), "
                  f"{report.unchanged} unchanged since last run" + (
                      " (--force: all tagged again)" if force else
                      f" ({report.repatterned} tagged again because the patterns, models or "
                      "options differ from their last run)" if report.repatterned else ""))


def show_cmd(
    record_id: Optional[int] = typer.Argument(None, help="Record id in the project (a "
                                              "duplicate shows its group's work)."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Show texts of this "
                                         "JSONL/CSV file instead of a project work."),
    select: Optional[str] = typer.Option(None, "--id", help="With --input: only the text with "
                                         "this id."),
    limit: int = typer.Option(50, "--limit", min=1, help="With --input: at most this many "
                              "texts."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="HTML file to write "
                                          "(default: tags-ID.html or tags.html)."),
    models: Optional[Path] = ModelsOption,
    base_model: Optional[str] = BaseModelOption,
    project: Path = ProjectOption,
) -> None:
    """Write a self-contained HTML page showing the tags (displaCy spans, one section per
    group) for reading and checking."""
    import itertools

    from nlp_review.io import atomic_write_text
    from nlp_review.store.records import work_id_of
    from nlp_review.tagging.render import render_page
    from nlp_review.tagging.run import read_texts, tag_stream, work_text_and_tags

    nlp = tagging_pipeline(models, base_model)
    if input is not None:
        items = read_texts(input)
        if select is not None:
            items = (it for it in items if it[0] == select)
        chosen = list(tag_stream(nlp, itertools.islice(items, limit)))
        if not chosen:
            raise ConfigError(f"no text with id {select!r} in {input}" if select else
                              f"{input} holds no texts")
        page = render_page(nlp, chosen, title=f"Tags: {input.name}")
        output = output or Path("tags.html")
    else:
        if record_id is None:
            raise ConfigError("give a work ID, or --input FILE",
                              hint="nlp-review show 12 --project review/")
        with project_at(project) as proj:
            work_id = work_id_of(proj.conn, record_id)
            if work_id is not None and work_id != record_id:
                console.print(f"record {record_id} is a duplicate within work {work_id}; "
                              f"showing work {work_id}")
                record_id = work_id
            text, spans, current, stored_with = work_text_and_tags(proj.conn, record_id)
        if spans is None or not current:
            warn(f"work {record_id} has no stored tags for its current text; showing fresh "
                 "tags (run `nlp-review tag` to store them)")
            _, _, spans = next(tag_stream(nlp, [(str(record_id), text)]))
        elif stored_with != tagging_fingerprint(models, base_model):
            warn(f"work {record_id}'s stored tags were made with other patterns (or models) "
                 "than these; showing the stored tags, which the evidence table uses (run "
                 "`nlp-review tag` to bring them up to date)")
        page = render_page(nlp, [(record_id, text, spans)], title=f"Tags: work {record_id}")
        output = output or Path(f"tags-{record_id}.html")
    atomic_write_text(output, page)
    console.print(f"Wrote {output}")


def evaluate_cmd(
    gold: Optional[List[Path]] = typer.Argument(None, help="Gold JSONL files ({id, text, "
                                                "spans, meta}); or use --stored."),
    errors: Optional[Path] = typer.Option(None, "--errors", help="Write every miss and false "
                                          "hit (overlap matching) to this JSONL file."),
    show_errors: int = typer.Option(0, "--show-errors", min=0, help="Print this many misses "
                                    "and false hits per group on the terminal."),
    labels: bool = typer.Option(True, "--labels/--no-labels", help="Also print the per-label "
                                "table."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the scores as JSON."),
    stored: bool = typer.Option(False, "--stored", help="Score against the project's "
                                "adjudicated gold (see `annotate adjudicate`) instead of files."),
    annotator: Optional[str] = typer.Option(None, "--annotator", help="With --stored: score "
                                            "against this annotator's annotations."),
    patterns: bool = typer.Option(False, "--patterns", help="Also report, per label, the "
                                  "pattern ids with most false hits and the gold phrases no "
                                  "pattern reaches."),
    patterns_json: Optional[Path] = typer.Option(None, "--patterns-json", help="Write the "
                                                 "full pattern report as JSON (implies "
                                                 "--patterns)."),
    spancat: Optional[Path] = SpancatOption,
    models: Optional[Path] = ModelsOption,
    base_model: Optional[str] = BaseModelOption,
    project: Path = ProjectOption,
) -> None:
    """Score the tagger on gold files (or the project's stored gold): precision, recall and
    F1 per group and per label, for overlapping spans with the same label and for exact
    spans."""
    import json

    from nlp_review.io import atomic_open, atomic_write_text
    from nlp_review.tagging.evaluate import evaluate, iter_error_lines
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy

    taxonomy = load_taxonomy((models or default_models_dir()) / "taxonomy.json")
    if stored or annotator:
        from nlp_review.cli.annotate_cmds import stored_gold_texts

        source = f"annotator {annotator}'s annotations" if annotator else "stored gold"
        texts, gold = stored_gold_texts(project, annotator), [Path(f"{project} ({source})")]
    elif not gold:
        raise ConfigError("give gold files, or --stored", hint="nlp-review evaluate "
                          "annotations/gold/test.jsonl")
    else:
        texts = [g for path in gold for g in _read_gold_file(path, taxonomy)]
    nlp = tagging_pipeline(models, base_model, spancat)
    ev = evaluate(nlp, texts, {k: v.group for k, v in taxonomy.items()})
    console.print(f"{ev.n_texts} texts from {', '.join(str(p) for p in gold)}", soft_wrap=True)
    console.print(_table("group", ev.by_group))
    if labels:
        console.print(_table("label", ev.by_label))
    attr = Table(title="evidence attributes (on overlap-matched spans)")
    for col in ("attribute", "P", "R", "F1", "pred", "gold"):
        attr.add_column(col, justify="right" if col != "attribute" else "left")
    for name, c in ev.attributes.items():
        attr.add_row(name, f"{c.precision:.2f}", f"{c.recall:.2f}", f"{c.f1:.2f}",
                     str(c.n_pred), str(c.n_gold))
    console.print(attr)
    if show_errors:
        by_group: dict[str, int] = {}
        for e in sorted(ev.errors, key=lambda e: (e["group"], e["kind"], e["label"])):
            if by_group.get(e["group"], 0) >= show_errors:
                continue
            by_group[e["group"]] = by_group.get(e["group"], 0) + 1
            console.print(f"{e['kind']:9} {e['label']:24} {e['id']}: {e['context']}",
                          highlight=False, markup=False)
    if errors:
        with atomic_open(errors) as handle:
            for line in iter_error_lines(ev):
                handle.write(line + "\n")
        err_console.print(f"{len(ev.errors)} misses and false hits written to {errors}")
    if json_out:
        atomic_write_text(json_out, json.dumps(ev.as_dict(), indent=1))
    if patterns or patterns_json:
        from nlp_review.cli.annotate_cmds import print_pattern_report

        print_pattern_report(nlp, texts, {k: v.group for k, v in taxonomy.items()},
                             patterns_json)


def _read_gold_file(path: Path, taxonomy: dict) -> list:
    """One gold file's texts; a file that is not UTF-8 or holds no texts is an InputError
    (it used to end in a traceback, or in a table of zeros scored on nothing)."""
    from nlp_review.formats.decode import line_of
    from nlp_review.tagging.evaluate import read_gold

    hint = 'one JSON object per line: {"id", "text", "spans": [...]} (annotations/GUIDELINES.md)'
    try:
        texts = read_gold(path, taxonomy)
    except UnicodeDecodeError as exc:
        data, line = path.read_bytes(), None
        try:  # the streamed read's offset is within a chunk: find the line in the whole file
            data.decode("utf-8")
        except UnicodeDecodeError as whole:
            line = line_of(data, whole.start)
        raise InputError(f"not UTF-8 text ({exc.reason})", file=path, line=line,
                         hint="save the gold file as UTF-8; " + hint) from None
    if not texts:
        raise InputError("the gold file holds no texts", file=path, hint=hint)
    return texts


def _table(kind: str, rows_by_mode: dict) -> Table:
    table = Table(title=f"per {kind}: precision / recall / F1 (overlap | exact)")
    # in a narrow terminal a long label folds onto a second line; the figures never shrink
    table.add_column(kind, overflow="fold")
    for col in ("P", "R", "F1", "P ex", "R ex", "F1 ex", "pred", "gold"):
        table.add_column(col, justify="right", no_wrap=True, min_width=4)
    for key in sorted(rows_by_mode["overlap"]):
        o, e = rows_by_mode["overlap"][key], rows_by_mode["exact"][key]
        table.add_row(key, f"{o.precision:.2f}", f"{o.recall:.2f}", f"{o.f1:.2f}",
                      f"{e.precision:.2f}", f"{e.recall:.2f}", f"{e.f1:.2f}",
                      str(o.n_pred), str(o.n_gold))
    return table


def register(app: typer.Typer) -> None:
    app.command("tag")(tag_cmd)
    app.command("show")(show_cmd)
    app.command("evaluate")(evaluate_cmd)
