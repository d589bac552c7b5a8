"""The project's schema, as named migrations applied in order (see ``store.db.migrate``).

Append new migrations at the end with a new name; never edit a released one.

Design notes:
- ``records`` keeps every imported record with its provenance; nothing is ever deleted.
- ``records.group_id`` is the id of the group's face record (dedupe sets it; a record
  that is nobody's duplicate is its own group). ``works`` holds each group's face with its
  missing fields filled from the other members; screening and tagging read ``works``.
- Decisions, tags and annotations are keyed by record id; the group they belong to is the
  record's current group, so merging or splitting groups never rewrites them.
- ``decisions`` is append-only: undo is a new row with ``label`` NULL, so the full history
  of who decided what and when is kept.
"""

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_foundation",
        """
        CREATE TABLE project_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_hash TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL,
            n_records INTEGER NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            source_ref INTEGER NOT NULL REFERENCES sources(id),
            source_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            title TEXT,
            abstract TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            year INTEGER,
            journal TEXT,
            volume TEXT,
            issue TEXT,
            pages TEXT,
            doi TEXT,
            pmid TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',
            type TEXT,
            language TEXT,
            url TEXT,
            group_id INTEGER,
            imported_at TEXT NOT NULL,
            UNIQUE (source_ref, position)
        );
        CREATE INDEX records_group ON records(group_id);
        CREATE INDEX records_doi ON records(doi);
        CREATE INDEX records_pmid ON records(pmid);
        CREATE TABLE works (
            id INTEGER PRIMARY KEY REFERENCES records(id),
            title TEXT,
            abstract TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            year INTEGER,
            journal TEXT,
            volume TEXT,
            issue TEXT,
            pages TEXT,
            doi TEXT,
            pmid TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',
            type TEXT,
            language TEXT,
            url TEXT,
            n_records INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE dedup_pairs (
            record_a INTEGER NOT NULL REFERENCES records(id),
            record_b INTEGER NOT NULL REFERENCES records(id),
            score REAL NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('auto', 'grey', 'same', 'different')),
            reason TEXT,
            decided_by TEXT,
            decided_at TEXT,
            PRIMARY KEY (record_a, record_b),
            CHECK (record_a < record_b)
        );
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            record_id INTEGER NOT NULL REFERENCES records(id),
            label INTEGER CHECK (label IN (0, 1) OR label IS NULL),
            reviewer TEXT NOT NULL,
            origin TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX decisions_record ON decisions(record_id);
        """,
    ),
    (
        "0003_tagging",
        """
        CREATE TABLE tagged_texts (
            record_id INTEGER PRIMARY KEY REFERENCES records(id),
            text_hash TEXT NOT NULL,
            patterns_hash TEXT NOT NULL,
            n_spans INTEGER NOT NULL,
            tagged_at TEXT NOT NULL
        );
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            record_id INTEGER NOT NULL REFERENCES records(id),
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            label TEXT NOT NULL,
            tag_group TEXT NOT NULL,
            negated INTEGER NOT NULL CHECK (negated IN (0, 1)),
            hedged INTEGER NOT NULL CHECK (hedged IN (0, 1)),
            sent_start INTEGER NOT NULL,
            sent_end INTEGER NOT NULL
        );
        CREATE INDEX tags_record ON tags(record_id);
        CREATE INDEX tags_label ON tags(label);
        """,
    ),
    (
        "0004_fulltext",
        """
        CREATE TABLE fulltexts (
            id INTEGER PRIMARY KEY,
            record_id INTEGER REFERENCES records(id),
            file_name TEXT NOT NULL,
            file_hash TEXT NOT NULL UNIQUE,
            format TEXT,
            pages INTEGER,
            status TEXT NOT NULL CHECK (status IN ('linked', 'unlinked', 'failed')),
            message TEXT,
            title TEXT,
            doi TEXT,
            pmid TEXT,
            notice TEXT,
            link_method TEXT CHECK (link_method IN ('doi', 'pmid', 'title', 'hand')
                                    OR link_method IS NULL),
            link_score REAL,
            n_paragraphs INTEGER NOT NULL DEFAULT 0,
            seconds REAL,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX fulltexts_record ON fulltexts(record_id);
        CREATE TABLE fulltext_paragraphs (
            id INTEGER PRIMARY KEY,
            fulltext_id INTEGER NOT NULL REFERENCES fulltexts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            block TEXT NOT NULL CHECK (block IN ('text', 'table', 'figure')),
            section_kind TEXT NOT NULL,
            heading TEXT,
            page INTEGER,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            taggable INTEGER NOT NULL CHECK (taggable IN (0, 1)),
            UNIQUE (fulltext_id, position)
        );
        """,
    ),
    (
        "0002_screening",
        """
        CREATE TABLE criteria (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            set_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0005_fulltext_tags",
        """
        CREATE TABLE fulltext_tagged (
            fulltext_id INTEGER PRIMARY KEY REFERENCES fulltexts(id) ON DELETE CASCADE,
            text_hash TEXT NOT NULL,
            patterns_hash TEXT NOT NULL,
            n_sentences INTEGER NOT NULL,
            n_spans INTEGER NOT NULL,
            tagged_at TEXT NOT NULL
        );
        CREATE TABLE fulltext_tags (
            id INTEGER PRIMARY KEY,
            fulltext_id INTEGER NOT NULL REFERENCES fulltexts(id) ON DELETE CASCADE,
            paragraph_id INTEGER NOT NULL REFERENCES fulltext_paragraphs(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            label TEXT NOT NULL,
            tag_group TEXT NOT NULL,
            negated INTEGER NOT NULL CHECK (negated IN (0, 1)),
            hedged INTEGER NOT NULL CHECK (hedged IN (0, 1)),
            sent_start INTEGER NOT NULL,
            sent_end INTEGER NOT NULL,
            section_kind TEXT NOT NULL,
            page INTEGER
        );
        CREATE INDEX fulltext_tags_fulltext ON fulltext_tags(fulltext_id);
        CREATE INDEX fulltext_tags_label ON fulltext_tags(label);
        """,
    ),
    (
        "0008_living_review",
        """
        CREATE TABLE searches (
            id INTEGER PRIMARY KEY,
            database TEXT NOT NULL,
            search_date TEXT NOT NULL,
            query TEXT NOT NULL,
            hits INTEGER CHECK (hits >= 0 OR hits IS NULL),
            notes TEXT,
            created_at TEXT NOT NULL
        );
        ALTER TABLE sources ADD COLUMN search_id INTEGER REFERENCES searches(id);
        CREATE TABLE updates (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            first_record INTEGER,
            last_record INTEGER,
            summary TEXT NOT NULL
        );
        CREATE TABLE update_sources (
            update_id INTEGER NOT NULL REFERENCES updates(id),
            source_id INTEGER NOT NULL REFERENCES sources(id),
            PRIMARY KEY (update_id, source_id)
        );
        CREATE TABLE evidence_snapshots (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            n_studies INTEGER NOT NULL,
            n_rows INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        """,
    ),
    (
        "0007_annotations",
        """
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            text_key TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            annotator TEXT NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('accept', 'reject')),
            spans TEXT NOT NULL,
            source_file TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX annotations_key ON annotations(text_key, annotator);
        CREATE TABLE gold (
            text_key TEXT PRIMARY KEY,
            text_hash TEXT NOT NULL,
            spans TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            method TEXT NOT NULL,
            annotators TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0009_fulltext_page_breaks",
        """
        ALTER TABLE fulltext_paragraphs ADD COLUMN page_breaks TEXT NOT NULL DEFAULT '[]';
        """,
    ),
    (
        "0010_annotation_tool_ids",
        """
        -- an annotation tool's own ids for an imported task (Prodigy's _input_hash and
        -- _task_hash), as JSON, written back when the same text is exported again
        ALTER TABLE annotations ADD COLUMN tool_ids TEXT NOT NULL DEFAULT '{}';
        """,
    ),
    (
        "0011_update_steps",
        """
        -- the steps of an `nlp-review update` done after its records were imported and
        -- counted ('ranked': estimates stored in the summary, 'tagged', 'completed'); an
        -- update without 'completed' was interrupted and is finished by the next `update`
        CREATE TABLE update_steps (
            update_id INTEGER NOT NULL REFERENCES updates(id),
            step TEXT NOT NULL CHECK (step IN ('ranked', 'tagged', 'completed')),
            done_at TEXT NOT NULL,
            PRIMARY KEY (update_id, step)
        );
        -- updates from before this table: their summary was stored when the records were
        -- counted and again at the very end (with the stopping estimate), so one with
        -- neither the stopping estimate nor a threshold stopped before it finished
        INSERT INTO update_steps(update_id, step, done_at)
            SELECT id, 'completed', started_at FROM updates
            WHERE json_extract(summary, '$.estimated_relevant_total') IS NOT NULL
               OR json_extract(summary, '$.threshold') IS NOT NULL;
        """,
    ),
    (
        "0012_screen_claims",
        """
        -- the record each running `nlp-review screen` session is showing, so that two
        -- reviewers screening one project at once are shown different records; a claim
        -- older than the claim time (store.screening.CLAIM_SECONDS) no longer counts
        CREATE TABLE screen_claims (
            work_id INTEGER PRIMARY KEY,
            session TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            claimed_at REAL NOT NULL
        );
        CREATE INDEX screen_claims_session ON screen_claims(session);
        """,
    ),
]
