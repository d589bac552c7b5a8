from __future__ import annotations

from pathlib import Path

import pytest

from nlp_review.formats import parse
from nlp_review.formats.writers import record_to_row, write_csv
from nlp_review.living.replay import Replay, make_replay
from nlp_review.records import Record
from nlp_review.screening.session import label_works
from nlp_review.store.living import add_search
from nlp_review.workflows.deduplicating import run_dedupe
from nlp_review.workflows.importing import import_file

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO / ".." / "shared" / "datasets" / "screening" / "ecec_adult_child_ratio.csv"


def read_labelled(path: Path) -> list[Record]:
    return parse(path.read_bytes(), str(path)).records


def write_export(records: list[Record], path: Path) -> Path:
    path.write_text(write_csv(record_to_row(r) for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def ecec_replay() -> Replay:
    if not DATASET.is_file():
        pytest.fail(f"{DATASET} not found; ../shared must sit beside the repository")
    return make_replay(read_labelled(DATASET), first_share=0.6, n_duplicates=60, seed=3)


def records_by_source_id(conn) -> dict[str, tuple[int, int]]:
    """source_id -> (record id, current group id)."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT source_id, id, group_id FROM records")}


@pytest.fixture
def screened_first(project, tmp_path, ecec_replay):
    """The first search imported, deduplicated and fully screened by the simulated reviewer."""
    first = write_export(ecec_replay.first, tmp_path / "first.csv")
    s1 = add_search(project.conn, database="ERIC", search_date="2025-01-15",
                    query='("adult-child ratio" OR "class size") AND preschool*', hits=700)
    import_file(project, first, search_id=s1)
    run_dedupe(project.conn)
    ids = records_by_source_id(project.conn)
    label_works(project.conn, [(rid, ecec_replay.truth[sid]) for sid, (rid, _) in ids.items()],
                reviewer="simulated", origin="simulate")
    return project


TITLES = [
    "Acupuncture and counselling for depression in primary care",
    "Peer mentoring for adolescents leaving foster care",
    "Family group conferencing and school attendance",
    "A cohort study of class size in early childhood education",
    "Parenting programmes delivered by health visitors",
    "Outdoor play and social skills in preschool children",
]


@pytest.fixture
def screened(project, tmp_path):
    """Six records: three included, two excluded, one not yet screened."""
    recs = [Record(title=t, abstract=f"{t}. A study of children and their families.",
                   year=2020, source_id=f"r{i}",
                   doi="10.1371/journal.pmed.1001518" if i == 0 else None)
            for i, t in enumerate(TITLES)]
    import_file(project, write_export(recs, tmp_path / "search.csv"))
    run_dedupe(project.conn)
    ids = [r[0] for r in project.conn.execute("SELECT id FROM records ORDER BY id")]
    label_works(project.conn, [(ids[0], 1), (ids[1], 1), (ids[2], 1), (ids[3], 0),
                               (ids[4], 0)], reviewer="team", origin="screen")
    return project, ids
