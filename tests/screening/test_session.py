import pytest

from nlp_review.errors import InputErrors, NotFoundError
from nlp_review.screening.session import (ScreeningSession, criteria_terms, label_from_file,
                                          label_works, rank_works)
from nlp_review.store.db import connect, transaction
from nlp_review.store.decisions import current_decisions, decision_history
from nlp_review.store.project import DB_NAME
from nlp_review.store.screening import get_criteria, set_criteria


def test_decisions_are_committed_and_the_model_retrains(filled):
    project, ids, rows = filled
    session = ScreeningSession(project.conn, reviewer="ana")
    first = session.next_work()
    assert first.work_id == ids[0]  # no decisions, no criteria: import order
    relevant = [i for i, r in zip(ids, rows) if r["label_included"] == "1"]
    assert session.decide(relevant[0], 1, note="clear include")
    assert session.decide(first.work_id, 0)
    # committed: a second connection sees both decisions at once
    other = connect(project.path / DB_NAME)
    decided = current_decisions(other)
    assert decided[relevant[0]].label == 1 and decided[relevant[0]].reviewer == "ana"
    assert decided[relevant[0]].note == "clear include" and decided[first.work_id].origin == "screen"
    other.close()
    # trained on both classes now: the next records are rich in relevant ones (5 % overall,
    # so random order would show about 1 in 20)
    shown = []
    for _ in range(20):
        w = session.next_work()
        shown.append(w.work_id)
        session.decide(w.work_id, int(rows[ids.index(w.work_id)]["label_included"]))
    assert sum(rows[ids.index(w)]["label_included"] == "1" for w in shown) >= 4
    p = session.progress()
    assert p.screened == 22 and p.included >= 5 and p.works == len(ids)


def test_skip_and_undo(filled):
    project, ids, _ = filled
    session = ScreeningSession(project.conn, reviewer="ana")
    w = session.next_work()
    session.skip(w.work_id)
    assert session.next_work().work_id != w.work_id
    session.decide(ids[5], 0)
    assert session.undo() == ids[5]
    assert ids[5] not in current_decisions(project.conn)
    assert session.undo() is None
    assert session.progress().screened == 0


@pytest.fixture
def two_reviewers(filled):
    """Sessions of ana and ben on one project, each with its own connection."""
    project, ids, _ = filled
    conn2 = connect(project.path / DB_NAME)
    yield (project, ids, ScreeningSession(project.conn, reviewer="ana"),
           ScreeningSession(conn2, reviewer="ben"))
    conn2.close()


def test_two_sessions_never_both_decide_a_work(two_reviewers):
    project, ids, s1, s2 = two_reviewers
    w1 = s1.next_work()
    assert s1.decide(w1.work_id, 0) is True
    assert s2.decide(w1.work_id, 1) is False  # ana was first; ben's is not written
    rows = [r for r in decision_history(project.conn) if r["work_id"] == w1.work_id]
    assert len(rows) == 1 and rows[0]["reviewer"] == "ana" and rows[0]["label"] == 0
    # ben's next record is not the one ana decided
    assert s2.next_work().work_id != w1.work_id


def test_two_reviewers_at_once_are_shown_different_records(two_reviewers):
    project, ids, ana, ben = two_reviewers
    a1 = ana.next_work()
    b1 = ben.next_work()
    assert b1.work_id != a1.work_id  # ana is reading a1: ben gets the next best
    assert ben.ranking()[0].work_id == a1.work_id  # the ranking itself is unchanged
    # asking again (e.g. after a skip elsewhere) does not hand ana's record to ben
    assert ben.next_work().work_id != a1.work_id
    # once ana decides (or quits), her record is no longer kept from ben
    ana.close()
    assert ben.next_work().work_id == a1.work_id


def test_a_stale_claim_stops_counting_and_a_last_record_is_shown_anyway(two_reviewers):
    project, ids, ana, ben = two_reviewers
    a1 = ana.next_work()
    with transaction(project.conn):  # ana's terminal was left open for an hour
        project.conn.execute("UPDATE screen_claims SET claimed_at = claimed_at - 3600")
    assert ben.next_work().work_id == a1.work_id
    # only one undecided record left: both reviewers see it rather than nothing
    label_works(project.conn, [(w, 0) for w in ids if w != a1.work_id], reviewer="ana")
    assert ana.next_work().work_id == a1.work_id
    assert ben.next_work().work_id == a1.work_id


def test_duplicates_share_one_decision(filled):
    project, ids, _ = filled
    face, dup = ids[0], ids[1]
    with transaction(project.conn):  # as dedupe would: dup joins face's group
        project.conn.execute("UPDATE records SET group_id = ? WHERE id = ?", (face, dup))
        project.conn.execute("DELETE FROM works WHERE id = ?", (dup,))
    label_works(project.conn, [(dup, 1)], reviewer="ana")
    assert current_decisions(project.conn)[face].label == 1
    session = ScreeningSession(project.conn, reviewer="ben")
    assert face not in {r.work_id for r in session.ranking()}
    assert session.decide(face, 0) is False


def test_criteria_rank_matching_records_first(filled):
    project, ids, rows = filled
    set_criteria(project.conn, "Seasonal allergic rhinitis in children: efficacy of "
                 "loratadine", set_by="ana")
    assert get_criteria(project.conn).startswith("Seasonal")
    queue = rank_works(project.conn)
    top = [rows[ids.index(q.work_id)] for q in queue[:5]]
    assert sum("rhinitis" in (r["title"] + r["abstract"]).lower() for r in top) >= 4
    assert queue[0].score >= queue[-1].score and len(queue) == len(ids)
    assert "rhinitis" in criteria_terms(get_criteria(project.conn))
    assert "with" not in criteria_terms("children with asthma")


def test_label_from_file_is_all_or_nothing(filled, tmp_path):
    project, ids, _ = filled
    good = tmp_path / "d.csv"
    good.write_text(f"record_id,label_included,reason\n{ids[0]},1,x\n{ids[1]},0,y\n")
    assert label_from_file(project.conn, good, reviewer="ana") == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(f"record_id,label_included\n{ids[2]},1\n{ids[3]},maybe\n99999,0\n")
    with pytest.raises(InputErrors) as exc:
        label_from_file(project.conn, bad, reviewer="ana")
    assert "line 3" in str(exc.value)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(f"record_id,label_included\n{ids[2]},1\n99999,0\n")
    with pytest.raises(InputErrors) as exc:
        label_from_file(project.conn, unknown, reviewer="ana")
    assert "line 3" in str(exc.value) and "99999" in str(exc.value)
    assert set(current_decisions(project.conn)) == {ids[0], ids[1]}
    with pytest.raises(NotFoundError):
        label_works(project.conn, [(ids[4], 1), (424242, 0)], reviewer="ana")
    assert ids[4] not in current_decisions(project.conn)
