"""Evidence table exports: CSV, XLSX (evidence, matrix, for-whom and sentence sheets) and a
self-contained HTML report in which every cell links to its highlighted sentences. Files are
written atomically (never half-written)."""

from __future__ import annotations

import csv
import html
from collections import Counter
from pathlib import Path

from nlp_review.evidence.build import (SCOPES, EvidenceRow, EvidenceTable, Sentence, Study,
                                       count_studies)
from nlp_review.io import atomic_open

COLUMNS = ("study_id", "study", "source", "mechanism", "status", "n_sentences", "sections",
           "populations", "settings", "interventions", "outcomes", "sentences", "notices")


def _counts(counter: Counter) -> str:
    return "; ".join(f"{label} ({n})" for label, n in sorted(counter.items(),
                                                              key=lambda kv: (-kv[1], kv[0])))


def sections_of(row: EvidenceRow) -> str:
    """Where the row's supporting sentences are, by section: 'results (2); introduction (1)'.
    A mechanism met only in an introduction is likely another study's finding."""
    return _counts(Counter(s.section for s in row.sentences))


def _where(s: Sentence) -> str:
    page = f" p.{s.page}" if s.page else ""
    return f"{s.source}/{s.section}{page}"


#: The status of a study's one row when it has no mechanism (by its source).
NO_MECHANISM = "no mechanism tagged"
NOTHING_TAGGED = "nothing tagged yet"


def flat_rows(table: EvidenceTable) -> list[dict]:
    """One dict per study x mechanism row, lists joined as text (for CSV and XLSX), in study
    order. A study with no mechanism gets one row with an empty mechanism and the status
    "no mechanism tagged" ("nothing tagged yet" when neither its full text nor its abstract
    is tagged), so that no study of the table is missing from the file."""
    by_study: dict[int, list[EvidenceRow]] = {}
    for r in table.rows:
        by_study.setdefault(r.study_id, []).append(r)
    out: list[dict] = []
    for st in table.studies:
        notices = notice_note(st)
        if st.id not in by_study:
            out.append({"study_id": st.id, "study": st.label, "source": st.source,
                        "mechanism": "", "n_sentences": 0, "sections": "", "populations": "",
                        "settings": "", "interventions": "", "outcomes": "", "sentences": "",
                        "status": NOTHING_TAGGED if st.source == "none" else NO_MECHANISM,
                        "notices": notices})
        out.extend({
            "study_id": r.study_id, "study": r.study, "source": r.source,
            "mechanism": r.mechanism, "status": r.status, "n_sentences": r.n_sentences,
            "sections": sections_of(r), "notices": notices,
            "populations": _counts(r.populations), "settings": _counts(r.settings),
            "interventions": _counts(r.interventions), "outcomes": _counts(r.outcomes),
            "sentences": " | ".join(f"[{_where(s)}] {s.text}" for s in r.sentences),
        } for r in by_study.get(st.id, []))
    return out


def notice_note(study: Study) -> str:
    """'retraction notice linked' (etc.) for a study with notices linked, else ''."""
    return "; ".join(f"{kind} notice linked" for kind in dict.fromkeys(study.notices))


def write_csv(table: EvidenceTable, path: Path) -> int:
    rows = flat_rows(table)
    with atomic_open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _fw_cell(sentences: list[Sentence], mechanism: str) -> int | str:
    """A for-whom cell: the studies, and those whose mentions are all negated apart."""
    if not sentences:
        return ""
    n, negated = count_studies(sentences, mechanism)
    return f"{n} + {negated} negated" if negated else n


#: Excel's limit on the characters of one cell.
XLSX_CELL_MAX = 32767


def xlsx_value(value: object) -> object:
    """A value a worksheet cell takes: control characters (in real exports' abstracts) are
    dropped - openpyxl refuses them - and text over Excel's cell limit is cut, saying so."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > XLSX_CELL_MAX:
        keep = XLSX_CELL_MAX - 100  # the note below is shorter than 100 characters
        value = (value[:keep] + f" [... cut at Excel's cell limit: {len(value) - keep} more "
                 "characters; see the sentences sheet]")
    return value


def write_xlsx(table: EvidenceTable, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "evidence"
    ws.append(list(COLUMNS))
    rows = flat_rows(table)
    for r in rows:
        ws.append([xlsx_value(r[c]) for c in COLUMNS])
    mechanisms, cells = table.matrix()
    mx = wb.create_sheet("matrix")
    mx.append(["study_id", "study", "source", "notices", *mechanisms])
    for st in table.studies:
        mx.append([st.id, xlsx_value(st.label), st.source, notice_note(st), *[
            f"{cells[st.id][m].status} ({cells[st.id][m].n_sentences})"
            if m in cells.get(st.id, {}) else "" for m in mechanisms]])
    for group in ("population", "setting"):
        fw = wb.create_sheet(f"for whom - {group}")
        pairs = table.for_whom(group)
        labels = sorted({label for _, label in pairs})
        fw.append(["mechanism", *labels])
        for m in mechanisms:
            fw.append([m, *[_fw_cell(pairs.get((m, label), []), m) for label in labels]])
        fw.append([])
        fw.append(["cells count studies in which the mechanism and the label co-occur in a "
                   "sentence or paragraph; '+ N negated': N more studies in which every such "
                   "mention of the mechanism is negated"])
    ss = wb.create_sheet("sentences")
    ss.append(["sentence_id", "study_id", "source", "section", "page", "text", "tags"])
    for st in table.studies:
        for s in st.sentences:
            ss.append([s.id, s.study_id, s.source, s.section, s.page, xlsx_value(s.text),
                       "; ".join(f"{g}:{label}" + ("" if status == "reported" else
                                                   f" ({status})")
                                 for g, label, status in s.tags)])
    about = wb.create_sheet("about")
    about.append(["what", "value"])
    about.append(["studies", table.describe()])
    about.append(["scope", SCOPES[table.scope]])
    for message in table.warnings():
        about.append(["not used yet", message])
    about.append(["evidence sheet", "one row per study and mechanism; a study with no "
                  f"mechanism has one row with an empty mechanism and status '{NO_MECHANISM}'"
                  f" ('{NOTHING_TAGGED}' when nothing of it is tagged)"])
    about.append(["status", "reported: at least one mention neither hedged nor negated; "
                  "hedged: none such, at least one hedged; negated: every mention negated"])
    about.append(["counts", "(n) after a population, setting, intervention or outcome: the "
                  "number of the row's supporting sentences in whose sentence or paragraph "
                  "it occurs"])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    with atomic_open(path, "wb") as fh:
        wb.save(fh)
    return len(rows)


# -- HTML ------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 6px;
vertical-align:top;font-size:90%}th{background:#f3f3f3}a{color:#0645ad}
mark{padding:0 2px;border-radius:3px}.g-mechanism{background:#ffe08a}.g-population{background:#b9e6ff}
.g-setting{background:#c8f2c2}.g-intervention{background:#f5c6ff}.g-outcome{background:#ffd0c2}
.negated{text-decoration:line-through}.hedged{font-style:italic}.src{color:#777;font-size:85%}
li{margin:.3em 0}.reported{color:#116611}.status-hedged{color:#996600}.status-negated{color:#aa2222}
"""


def highlight(sentence: Sentence) -> str:
    """The sentence as HTML with its spans marked (overlaps: the first, longest span wins)."""
    out, pos = [], 0
    for start, end, group, label, status in sorted(sentence.spans,
                                                   key=lambda s: (s[0], -(s[1] - s[0]))):
        if start < pos:
            continue
        out.append(html.escape(sentence.text[pos:start]))
        cls = f"g-{group}" + ("" if status == "reported" else f" {status}")
        out.append(f'<mark class="{cls}" title="{html.escape(label)} ({status})">'
                   f"{html.escape(sentence.text[start:end])}</mark>")
        pos = end
    out.append(html.escape(sentence.text[pos:]))
    return "".join(out)


def _notice_html(study: Study) -> str:
    note = notice_note(study)
    return f' <b class="status-negated">{html.escape(note)}</b>' if note else ""


def _links(sentences: list[Sentence]) -> str:
    return " ".join(f'<a href="#{s.id}">{i}</a>' for i, s in enumerate(sentences, 1))


def _anchor(*parts: object) -> str:
    return "-".join(str(p) for p in parts).replace(" ", "_")


def render_html(table: EvidenceTable, title: str = "Evidence table") -> str:
    mechanisms, cells = table.matrix()
    h: list[str] = [f"<!doctype html><html><head><meta charset='utf-8'><title>"
                    f"{html.escape(title)}</title><style>{_CSS}</style></head><body>",
                    f"<h1>{html.escape(title)}</h1>",
                    f"<p>{html.escape(table.describe())}. The table holds "
                    f"{html.escape(SCOPES[table.scope])}; a study with no mechanism tagged "
                    "has an empty row in the matrix and its section below says so."
                    " Source <b>fulltext</b>: tagged full text; <b>abstract</b>: title and"
                    " abstract only (no full text tagged, or no tag in it). Status: reported,"
                    " hedged"
                    " (hypothesised) or negated; in the sentences a hedged mention is in"
                    " <i>italics</i> and a negated one <s>struck through</s>.</p>"]
    h += [f'<p class="status-negated">Not used yet: {html.escape(w)}.</p>'
          for w in table.warnings()]
    # Matrix
    h.append("<h2>Study x mechanism</h2><table><tr><th>study</th><th>source</th>")
    h += [f"<th>{html.escape(m)}</th>" for m in mechanisms] + ["</tr>"]
    for st in table.studies:
        h.append(f'<tr><td><a href="#study-{st.id}">{html.escape(st.label)}</a></td>'
                 f"<td>{st.source}{_notice_html(st)}</td>")
        for m in mechanisms:
            row = cells.get(st.id, {}).get(m)
            h.append("<td></td>" if row is None else
                     f'<td class="status-{row.status}"><a href="#{_anchor("row", st.id, m)}">'
                     f"{row.status} ({row.n_sentences})</a></td>")
        h.append("</tr>")
    h.append("</table>")
    # For whom
    for group in ("population", "setting"):
        pairs = table.for_whom(group)
        labels = sorted({label for _, label in pairs})
        h.append(f"<h2>For whom: mechanism x {group}</h2><p class='src'>Studies in which the"
                 f" mechanism and the {group} occur in one sentence or paragraph; '+ N negated':"
                 " N more studies in which every such mention of the mechanism is negated."
                 "</p>")
        if not labels:
            h.append(f"<p>No {group} co-occurs with a mechanism.</p>")
            continue
        h.append("<table><tr><th>mechanism</th>" +
                 "".join(f"<th>{html.escape(l)}</th>" for l in labels) + "</tr>")
        for m in mechanisms:
            h.append(f"<tr><td>{html.escape(m)}</td>")
            for label in labels:
                sents = pairs.get((m, label), [])
                n_studies, negated = count_studies(sents, m)
                h.append("<td></td>" if not sents else
                         f'<td><a href="#{_anchor("fw", group, m, label)}">{n_studies} '
                         f"stud{'y' if n_studies == 1 else 'ies'}"
                         + (f' <span class="status-negated">+ {negated} negated</span>'
                            if negated else "") + "</a></td>")
            h.append("</tr>")
        h.append("</table>")
        for (m, label), sents in sorted(pairs.items()):
            h.append(f'<div id="{_anchor("fw", group, m, label)}"><h4>{html.escape(m)} x '
                     f"{html.escape(label)}</h4><ul>")
            for s in {s.id: s for s in sents}.values():
                h.append(f'<li><a href="#{s.id}">{html.escape(_where(s))}, study {s.study_id}'
                         f"</a>: {highlight(s)}</li>")
            h.append("</ul></div>")
    # Rows
    h.append("<h2>Evidence by study and mechanism</h2>")
    for st in table.studies:
        h.append(f'<h3 id="study-{st.id}">{html.escape(st.label)} <span class="src">'
                 f"(record {st.id}, {st.source})</span>{_notice_html(st)}</h3>")
        rows = [r for r in table.rows if r.study_id == st.id]
        if not rows:
            h.append("<p>No mechanism tagged." + (" Nothing tagged yet: run `nlp-review tag`"
                                                  " or `nlp-review fulltext tag`."
                                                  if st.source == "none" else "") + "</p>")
        for r in rows:
            h.append(f'<div id="{_anchor("row", st.id, r.mechanism)}"><h4>{html.escape(r.mechanism)}'
                     f' <span class="status-{r.status}">{r.status}</span></h4><p>')
            for group, counter in (("populations", r.populations), ("settings", r.settings),
                                   ("interventions", r.interventions),
                                   ("outcomes", r.outcomes)):
                if counter:
                    h.append(f"<b>{group}</b>: {html.escape(_counts(counter))}<br>")
            h.append(f"</p><p>supporting sentences ({html.escape(sections_of(r))}): "
                     f"{_links(r.sentences)}</p></div>")
        if st.sentences:
            h.append("<ol>")
            for s in st.sentences:
                h.append(f'<li id="{s.id}"><span class="src">[{html.escape(_where(s))}]</span>'
                         f" {highlight(s)}</li>")
            h.append("</ol>")
    h.append("</body></html>")
    return "\n".join(h)


def write_html(table: EvidenceTable, path: Path, title: str = "Evidence table") -> None:
    with atomic_open(path, "w") as fh:
        fh.write(render_html(table, title))


def row_summary(row: EvidenceRow) -> str:
    parts = [f"{g}: {_counts(c)}" for g, c in (("populations", row.populations),
                                               ("settings", row.settings),
                                               ("interventions", row.interventions),
                                               ("outcomes", row.outcomes)) if c]
    return "; ".join(parts)
