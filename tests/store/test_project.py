import sqlite3

import pytest

from nlp_review.errors import NotFoundError, ProjectError
from nlp_review.records import Record
from nlp_review.store.db import transaction
from nlp_review.store.decisions import add_decision, current_decisions, decision_history
from nlp_review.store.migrations import MIGRATIONS
from nlp_review.store.project import DB_NAME, init_project, open_project
from nlp_review.store.records import add_source, iter_works


def test_init_sets_wal_foreign_keys_busy_timeout_and_records_migrations(tmp_path):
    proj = init_project(tmp_path / "p")
    conn = proj.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS]
    proj.close()


def test_init_refuses_existing_project_and_open_refuses_non_project(tmp_path):
    init_project(tmp_path / "p").close()
    with pytest.raises(ProjectError, match="already a project"):
        init_project(tmp_path / "p")
    with pytest.raises(ProjectError, match="not an nlp-review project"):
        open_project(tmp_path)


def test_open_applies_new_migrations_to_an_old_project(tmp_path, monkeypatch):
    from nlp_review.store import db

    old = MIGRATIONS[:1]
    monkeypatch.setattr(db, "MIGRATIONS", old)
    init_project(tmp_path / "p").close()
    extra = ("9999_test_extra", "CREATE TABLE extra_table (id INTEGER PRIMARY KEY);")
    monkeypatch.setattr(db, "MIGRATIONS", [*MIGRATIONS, extra])
    proj = open_project(tmp_path / "p")
    names = [r[0] for r in proj.conn.execute("SELECT name FROM schema_migrations")]
    assert "9999_test_extra" in names
    proj.conn.execute("INSERT INTO extra_table DEFAULT VALUES")
    proj.close()


def test_failed_migration_leaves_no_trace(tmp_path, monkeypatch):
    from nlp_review.store import db

    init_project(tmp_path / "p").close()
    bad = ("9998_bad", "CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;")
    monkeypatch.setattr(db, "MIGRATIONS", [*MIGRATIONS, bad])
    with pytest.raises(ProjectError):
        open_project(tmp_path / "p")
    conn = sqlite3.connect(tmp_path / "p" / DB_NAME)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half" not in tables
    assert "9998_bad" not in {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}


def _add(proj, n=3):
    with transaction(proj.conn) as conn:
        _, ids = add_source(conn, name="db", file_name="f.ris", file_hash="h", format="ris",
                            records=[Record(title=f"T{i}") for i in range(n)])
    return ids


def test_transaction_rolls_back_on_error(project):
    with pytest.raises(RuntimeError):
        with transaction(project.conn) as conn:
            add_source(conn, name="db", file_name="f", file_hash="x", format="ris",
                       records=[Record(title="A")])
            raise RuntimeError("crash in the middle")
    assert project.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0
    assert project.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 0


def test_each_record_starts_as_its_own_work(project):
    ids = _add(project)
    works = [r["id"] for r in iter_works(project.conn)]
    assert works == ids


def test_decisions_are_append_only_and_undo_is_a_new_row(project):
    a, b, _ = _add(project)
    add_decision(project.conn, a, 1, reviewer="ann", origin="screen")
    add_decision(project.conn, b, 0, reviewer="ann", origin="screen")
    add_decision(project.conn, b, None, reviewer="ann", origin="screen")  # undo
    current = current_decisions(project.conn)
    assert {k: d.label for k, d in current.items()} == {a: 1}
    assert len(decision_history(project.conn)) == 3


def test_decision_is_committed_and_visible_to_another_connection(project):
    a, *_ = _add(project)
    add_decision(project.conn, a, 1, reviewer="ann", origin="screen")
    other = open_project(project.path)
    assert current_decisions(other.conn)[a].label == 1
    other.close()


def test_decision_on_unknown_record_is_refused(project):
    with pytest.raises(NotFoundError):
        add_decision(project.conn, 12345, 1, reviewer="ann", origin="screen")


def test_decisions_follow_the_group(project):
    a, b, _ = _add(project)
    add_decision(project.conn, b, 1, reviewer="ann", origin="screen")
    project.conn.execute("UPDATE records SET group_id = ? WHERE id IN (?, ?)", (a, a, b))
    assert current_decisions(project.conn)[a].label == 1


def test_an_emptied_store_is_refused_not_opened_as_a_new_empty_project(tmp_path):
    # a failed copy or sync can leave project.sqlite at 0 bytes: `status` used to show an
    # empty project (and any command would have started writing into it)
    (tmp_path / DB_NAME).write_bytes(b"")
    with pytest.raises(ProjectError, match="is empty") as caught:
        open_project(tmp_path)
    assert "restore project.sqlite from a backup" in caught.value.hint
    assert (tmp_path / DB_NAME).stat().st_size == 0


def test_a_damaged_store_says_what_to_do(tmp_path):
    (tmp_path / DB_NAME).write_text("this is not a database, a sync tool's conflict note\n")
    with pytest.raises(ProjectError, match="cannot be opened") as caught:
        open_project(tmp_path)
    assert "restore project.sqlite from a backup" in caught.value.hint
