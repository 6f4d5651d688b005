"""A store made by the previous release opens in this one: migrated by its schema version (SQLite's
PRAGMA user_version, PostgreSQL's meta row), every row kept, the new columns added."""

import sqlite3
from pathlib import Path

import psycopg
import pytest

from mapapp.errors import StoreError
from mapapp.export import contract_records
from mapapp.filters import incident_frame
from mapapp.search import text_index
from mapapp.store import SCHEMA_VERSION, Store, open_store

PREVIOUS_RELEASE = Path(__file__).parent / "fixtures" / "store_release_bc25cd3.sql"
# A PostgreSQL store of schema version 3 (pg_dump of what the release before version 4 made).
POSTGRES_SCHEMA_3 = Path(__file__).parent / "fixtures" / "store_pg_schema3.sql"


def previous_release_store(path):
    db = sqlite3.connect(path)
    db.executescript(PREVIOUS_RELEASE.read_text(encoding="utf-8"))
    db.close()
    return path


def test_a_previous_release_store_is_upgraded_in_place(tmp_path):
    path = previous_release_store(tmp_path / "old.db")
    with sqlite3.connect(path) as db:
        old_rows = {row[0]: row for row in db.execute("SELECT id, date_start, description, latitude FROM incidents")}
        assert "actor1" not in {row[1] for row in db.execute("PRAGMA table_info(incidents)")}
        assert db.execute("PRAGMA user_version").fetchone() == (0,)
    with Store(path) as store:
        rows = store.rows()
        # Every incident is there with what it had; the new columns are empty / unknown.
        assert {row["id"]: (row["id"], row["date_start"] or None, row["description"], row["latitude"])
                for row in rows} == old_rows
        assert len(rows) == 13
        assert {(row["actor1"], row["actor2"], row["admin1"], row["fatalities"]) for row in rows} == {("", "", "", None)}
        # The upload and the earlier version it replaced are kept: taking it back restores that version.
        uploads = {upload["id"]: upload for upload in store.uploads()}
        assert sorted(uploads) == ["upload-2b6392df2d20a4b2", "upload-ffd99f8529720d56"]
        assert uploads["upload-ffd99f8529720d56"]["replaced"] == 1
        assert store.remove_upload("upload-ffd99f8529720d56") == {"removed": 1, "restored": 1}
        # The upgraded store exports like a new one (the earlier version is back in place of the update).
        assert len(contract_records(incident_frame(store.rows()))) == 13
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"corrections", "audit"} <= tables
        # Version 4: each history line has a kind.
        assert "kind" in {row[1] for row in db.execute("PRAGMA table_info(corrections)")}
        for table in ("incidents", "replaced_incidents"):
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            assert {"actor1", "actor2", "fatalities", "admin1", "admin2"} <= columns
        # Version 2: the links table of corroboration decisions, empty.
        assert db.execute("SELECT count(*) FROM links").fetchone() == (0,)


def test_a_new_store_starts_at_the_current_version_and_is_not_migrated_again(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        db.execute("UPDATE incidents SET note = 'kept' WHERE id = 'seed-000-01'")
    with Store(path) as store:  # opened again: nothing to do, nothing rewritten
        assert store.incident("seed-000-01").note == "kept"


def test_a_version_1_store_gets_the_links_table(tmp_path):
    path = tmp_path / "v1.db"
    Store(path).close()
    with sqlite3.connect(path) as db:  # as the release before corroboration left it
        db.execute("DROP TABLE links")
        db.execute("PRAGMA user_version = 1")
    with Store(path) as store:
        assert store.links() == []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert db.execute("SELECT count(*) FROM links").fetchone() == (0,)


def _postgres_schema_3(url):
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(POSTGRES_SCHEMA_3.read_text(encoding="utf-8"))


def _search_ids(store, url, query):
    return sorted(store.incident_id(int(rowid)) for rowid in text_index(url).rowids(query))


def test_a_postgres_store_of_schema_version_3_is_upgraded_in_place(postgres_url):
    _postgres_schema_3(postgres_url)
    with psycopg.connect(postgres_url) as db:
        before = db.execute("SELECT id, description, rowid FROM incidents ORDER BY id").fetchall()
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("3",)
        assert db.execute("SELECT to_regclass('incidents_search')").fetchone() == (None,)
    assert len(before) == 13

    store = open_store(postgres_url)
    assert store.schema_version() == SCHEMA_VERSION == 4
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT id, description, rowid FROM incidents ORDER BY id").fetchall() == before
        assert db.execute("SELECT count(*) FROM incidents WHERE search_text IS NULL").fetchone() == (0,)
        assert db.execute("SELECT to_regclass('incidents_search')::text").fetchone() == ("incidents_search",)
    assert store.audit_log(limit=1)[0]["detail"] == "schema version 3 -> schema version 4"
    # The correction made before the upgrade is a correction, and can be undone.
    (entry,) = store.history("XKX2302")
    assert (entry["kind"], entry["user"], entry["reason"]) == ("correction", "erin@example.org", "the report says so")
    # The search reads the upgraded store: the corrected text, and a place in other spellings.
    assert _search_ids(store, postgres_url, "leposavic (corrected)") == ["XKX2302"]
    assert _search_ids(store, postgres_url, "Звечан") == ["XKX2301"]
    store.undo(entry["seq"])
    assert _search_ids(store, postgres_url, "leposavic (corrected)") == []
    # The update kept from version 3 can still be taken back, restoring what it replaced.
    update = next(upload["id"] for upload in store.uploads() if upload["replaced"] == 1)
    assert store.remove_upload(update) == {"removed": 1, "restored": 1}
    assert _search_ids(store, postgres_url, "about 30 soldiers") == ["XKX2301"]
    # Opened again: nothing left to do.
    assert open_store(postgres_url).audit_log(limit=1)[0]["action"] == "remove"


def test_a_postgres_store_of_a_version_no_release_made_is_refused_and_left_alone(postgres_url):
    store = open_store(postgres_url)
    with store.transaction() as writer:
        store._set_version(writer, 2)
    rows = store.rows()
    with pytest.raises(StoreError, match="has schema version 2, which no release made on PostgreSQL"):
        open_store(postgres_url)
    assert store.rows() == rows
