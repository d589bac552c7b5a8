"""Build the evidence table from stored tags.

For each study (a work) the source is its tagged full text(s) if any, else its tagged title
and abstract ("abstract", marked as such). Spans are grouped into sentences; each mechanism
mention yields a supporting sentence, and the populations, settings, interventions and
outcomes in the same sentence or paragraph co-occur with it. A mechanism's status in a study
is "reported" if any mention is neither hedged nor negated, else "hedged", else "negated"."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from nlp_review.errors import NotFoundError, ProjectError
from nlp_review.records import Record
from nlp_review.store.decisions import current_decisions
from nlp_review.store.fulltexts import document_text
from nlp_review.store.records import row_to_record

CONTEXT_GROUPS = ("population", "setting", "intervention", "outcome")


@dataclass
class Sentence:
    """One sentence holding tags, with where it is."""

    id: str  # "s<study>-<n>": anchor in the HTML report
    study_id: int
    source: str  # "fulltext" or "abstract"
    fulltext_id: int | None
    section: str
    page: int | None
    text: str
    # (group, label, status) of each span in the sentence; status: reported/hedged/negated
    tags: list[tuple[str, str, str]] = field(default_factory=list)
    #: (start, end, group, label, status) of each span, offsets within ``text``.
    spans: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    paragraph: int | None = None
    #: Labels of each context group anywhere in the sentence's paragraph.
    paragraph_labels: dict[str, set[str]] = field(default_factory=dict)

    def labels(self, group: str) -> list[str]:
        return sorted({label for g, label, _ in self.tags if g == group})


@dataclass
class EvidenceRow:
    """One study x mechanism row."""

    study_id: int
    study: str
    source: str
    mechanism: str
    status: str
    n_sentences: int
    populations: Counter = field(default_factory=Counter)
    settings: Counter = field(default_factory=Counter)
    interventions: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    sentences: list[Sentence] = field(default_factory=list)

    def context(self, group: str) -> Counter:
        return {"population": self.populations, "setting": self.settings,
                "intervention": self.interventions, "outcome": self.outcomes}[group]


@dataclass
class Study:
    id: int
    record: Record
    source: str  # "fulltext", "abstract" or "none" (nothing tagged)
    sentences: list[Sentence]
    #: Notices linked to the study (retraction, correction, erratum, expression of concern):
    #: flagged in every output; their text is not evidence.
    notices: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        first = (self.record.authors[0].split(",")[0] if self.record.authors else "")
        who = f"{first} {self.record.year or ''}".strip()
        title = (self.record.title or "")[:60].strip()
        return ": ".join(part for part in (who, title) if part) or f"record {self.id}"


#: What each scope of the table holds, in words for its outputs.
SCOPES = {"included": "studies included in screening",
          "all": "every work in the project (--all), whatever its screening decision",
          "study": "one study asked for by id (--study)"}


@dataclass
class EvidenceTable:
    studies: list[Study]
    rows: list[EvidenceRow]
    #: Which studies the table holds: "included", "all" or "study" (see SCOPES).
    scope: str = "included"
    #: Ids of the table's studies with a linked full text not tagged yet (their abstract is
    #: used meanwhile), and the number of the project's full texts linked to no record.
    untagged: list[int] = field(default_factory=list)
    unlinked_fulltexts: int = 0

    def warnings(self) -> list[str]:
        """What the table does not use yet, with what to run."""
        out = []
        bare = sum(1 for st in self.studies if st.source == "none")
        if bare:
            out.append(f"{bare} of these studies ha{'s' if bare == 1 else 've'} nothing tagged "
                       "yet (neither full text nor title and abstract): run `nlp-review tag`")
        if self.untagged:
            n = len(self.untagged)
            out.append(f"{n} of these studies ha{'s' if n == 1 else 've'} a full text not "
                       "tagged yet (the abstract is used meanwhile): run `nlp-review fulltext "
                       "tag`")
        if self.unlinked_fulltexts:
            n = self.unlinked_fulltexts
            out.append(f"{n} full text{' is' if n == 1 else 's are'} linked to no record and "
                       "not used: `nlp-review fulltext list --status unlinked`, then `nlp-review"
                       " fulltext add FILE --record ID`")
        return out

    def without_mechanism(self) -> list[Study]:
        """Studies in the table with no mechanism tagged (they have no row)."""
        with_rows = {r.study_id for r in self.rows}
        return [st for st in self.studies if st.id not in with_rows]

    def describe(self) -> str:
        """The table's scope and counts in one sentence, for every output."""
        n, bare = len(self.studies), len(self.without_mechanism())
        what = {"included": f"{n} included stud{'y' if n == 1 else 'ies'}",
                "all": f"all {n} works in the project (--all: included or not)",
                "study": f"{n} study asked for by id"}[self.scope]
        flagged = sum(1 for st in self.studies if st.notices)
        return (f"{what}: {n - bare} with a mechanism tagged ({len(self.rows)} study x "
                f"mechanism rows), {bare} with none" + (
                    f"; {flagged} with a retraction or other notice linked" if flagged else ""))

    def matrix(self) -> tuple[list[str], dict[int, dict[str, EvidenceRow]]]:
        """Mechanisms (columns) and {study id: {mechanism: row}}."""
        mechanisms = sorted({r.mechanism for r in self.rows})
        cells: dict[int, dict[str, EvidenceRow]] = defaultdict(dict)
        for r in self.rows:
            cells[r.study_id][r.mechanism] = r
        return mechanisms, cells

    def for_whom(self, group: str) -> dict[tuple[str, str], list[Sentence]]:
        """{(mechanism, population or setting label): supporting sentences} where the two
        co-occur in a sentence or paragraph."""
        out: dict[tuple[str, str], list[Sentence]] = defaultdict(list)
        for r in self.rows:
            for label in r.context(group):
                for s in r.sentences:
                    if label in _paragraph_labels(s, r, group):
                        out[(r.mechanism, label)].append(s)
        return out


def count_studies(sentences: list[Sentence], mechanism: str) -> tuple[int, int]:
    """Of the studies behind a for-whom cell: (how many have a mention of the mechanism that
    is not negated, how many only negated mentions). A study whose text says the mechanism
    did *not* happen for that group is not evidence that it did."""
    supported: dict[int, bool] = {}
    for s in sentences:
        statuses = {st for g, label, st in s.tags if g == "mechanism" and label == mechanism}
        supported[s.study_id] = supported.get(s.study_id, False) or statuses != {"negated"}
    n = sum(supported.values())
    return n, len(supported) - n


def _paragraph_labels(sentence: Sentence, row: EvidenceRow, group: str) -> set[str]:
    return set(sentence.labels(group)) | sentence.paragraph_labels.get(group, set())


def _status(negated: int, hedged: int) -> str:
    return "negated" if negated else "hedged" if hedged else "reported"


def _study_ids(conn: sqlite3.Connection, study: int | None, include_all: bool) -> list[int]:
    if study is not None:
        row = conn.execute("SELECT r.group_id FROM records r WHERE r.id = ?", (study,)).fetchone()
        if row is None:
            raise NotFoundError(f"no study with id {study}",
                                hint="ids are the record ids `nlp-review export` shows")
        return [row[0] or study]
    if include_all:
        return [r[0] for r in conn.execute("SELECT id FROM works ORDER BY id")]
    included = sorted(w for w, d in current_decisions(conn).items() if d.label == 1)
    if not included:
        raise ProjectError("no included studies yet",
                           hint="screen first, or pass --all to use every work")
    return included


def _fulltext_sentences(conn: sqlite3.Connection, study_id: int) -> list[Sentence]:
    rows = conn.execute(
        "SELECT f.id FROM fulltexts f JOIN records r ON r.id = f.record_id WHERE"
        " f.status = 'linked' AND f.notice IS NULL AND (r.group_id = ? OR r.id = ?) AND f.id IN"
        " (SELECT fulltext_id FROM fulltext_tagged) ORDER BY f.id", (study_id, study_id))
    sentences: list[Sentence] = []
    for (fid,) in rows.fetchall():
        text = document_text(conn, fid)
        by_sent: dict[tuple[int, int], Sentence] = {}
        for t in conn.execute("SELECT * FROM fulltext_tags WHERE fulltext_id = ? ORDER BY"
                              " sent_start, start", (fid,)):
            key = (t["sent_start"], t["sent_end"])
            if key not in by_sent:
                by_sent[key] = Sentence("", study_id, "fulltext", fid, t["section_kind"],
                                        t["page"], text[key[0]:key[1]],
                                        paragraph=t["paragraph_id"])
            status = _status(t["negated"], t["hedged"])
            by_sent[key].tags.append((t["tag_group"], t["label"], status))
            by_sent[key].spans.append((t["start"] - key[0], t["end"] - key[0], t["tag_group"],
                                       t["label"], status))
        sentences.extend(by_sent[k] for k in sorted(by_sent))
    return sentences


def _notices(conn: sqlite3.Connection, study_id: int) -> list[str]:
    """The kinds of the notices (retraction, correction, ...) linked to the study."""
    return [r[0] for r in conn.execute(
        "SELECT f.notice FROM fulltexts f JOIN records r ON r.id = f.record_id WHERE"
        " f.status = 'linked' AND f.notice IS NOT NULL AND (r.group_id = ? OR r.id = ?)"
        " ORDER BY f.id", (study_id, study_id))]


def _abstract_sentences(conn: sqlite3.Connection, study_id: int, record: Record
                        ) -> list[Sentence]:
    text = record.text
    by_sent: dict[tuple[int, int], Sentence] = {}
    for t in conn.execute("SELECT * FROM tags WHERE record_id = ? ORDER BY sent_start, start",
                          (study_id,)):
        key = (t["sent_start"], t["sent_end"])
        if key not in by_sent:
            section = "title" if key[0] < len(record.title or "") else "abstract"
            by_sent[key] = Sentence("", study_id, "abstract", None, section, None,
                                    text[key[0]:key[1]], paragraph=0)
        status = _status(t["negated"], t["hedged"])
        by_sent[key].tags.append((t["tag_group"], t["label"], status))
        by_sent[key].spans.append((t["start"] - key[0], t["end"] - key[0], t["tag_group"],
                                   t["label"], status))
    return [by_sent[k] for k in sorted(by_sent)]


def build_evidence(conn: sqlite3.Connection, *, study: int | None = None,
                   include_all: bool = False) -> EvidenceTable:
    """The evidence table for the included studies (every work with ``include_all``; one
    study with ``study``)."""
    studies: list[Study] = []
    rows: list[EvidenceRow] = []
    for sid in _study_ids(conn, study, include_all):
        work = conn.execute("SELECT * FROM works WHERE id = ?", (sid,)).fetchone()
        if work is None:
            continue
        record = row_to_record(work)
        sentences = _fulltext_sentences(conn, sid)
        source = "fulltext"
        if not sentences:
            tagged = conn.execute("SELECT 1 FROM tagged_texts WHERE record_id = ?",
                                  (sid,)).fetchone()
            sentences = _abstract_sentences(conn, sid, record)
            source = "abstract" if tagged else "none"
        for i, s in enumerate(sentences, 1):
            s.id = f"s{sid}-{i}"
        st = Study(sid, record, source, sentences, _notices(conn, sid))
        studies.append(st)
        rows.extend(_rows_for(st))
    scope = "study" if study is not None else "all" if include_all else "included"
    return EvidenceTable(studies, rows, scope, _untagged(conn, [st.id for st in studies]),
                         conn.execute("SELECT COUNT(*) FROM fulltexts WHERE status ="
                                      " 'unlinked'").fetchone()[0])


def _untagged(conn: sqlite3.Connection, study_ids: list[int]) -> list[int]:
    """The studies among ``study_ids`` with a linked article (not a notice) not tagged."""
    wanted = set(study_ids)
    rows = conn.execute(
        "SELECT DISTINCT COALESCE(r.group_id, r.id) FROM fulltexts f JOIN records r"
        " ON r.id = f.record_id WHERE f.status = 'linked' AND f.notice IS NULL AND f.id NOT IN"
        " (SELECT fulltext_id FROM fulltext_tagged)")
    return sorted(sid for (sid,) in rows if sid in wanted)


def _rows_for(study: Study) -> list[EvidenceRow]:
    # Labels of every group per paragraph, for paragraph-level co-occurrence.
    para_labels: dict[tuple[int | None, int | None], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set))
    for s in study.sentences:
        for g, label, _ in s.tags:
            para_labels[(s.fulltext_id, s.paragraph)][g].add(label)
    rows: dict[str, EvidenceRow] = {}
    statuses: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, set[str]] = defaultdict(set)  # each row's sentences, spaces collapsed
    for s in study.sentences:
        mechs = {label for g, label, _ in s.tags if g == "mechanism"}
        same = " ".join(s.text.split())
        para = para_labels[(s.fulltext_id, s.paragraph)]
        s.paragraph_labels = {g: set(para.get(g, set())) for g in CONTEXT_GROUPS}
        for mech in sorted(mechs):
            row = rows.get(mech)
            if row is None:
                row = rows[mech] = EvidenceRow(study.id, study.label, study.source, mech, "",
                                               0)
            if same in seen[mech]:
                continue  # the same sentence again (an abstract repeated in the export)
            seen[mech].add(same)
            row.sentences.append(s)
            row.n_sentences += 1
            statuses[mech].update(st for g, label, st in s.tags
                                  if g == "mechanism" and label == mech)
            for group in CONTEXT_GROUPS:
                row.context(group).update(para.get(group, set()))
    for mech, row in rows.items():
        st = statuses[mech]
        row.status = "reported" if "reported" in st else "hedged" if "hedged" in st else "negated"
    return [rows[m] for m in sorted(rows)]
