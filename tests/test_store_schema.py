"""Schema versions: an older store is upgraded when opened, a newer one refused; the backend is
chosen by the store's name; the PostgreSQL incidents table is a PostGIS layer."""

import sqlite3

import psycopg
import pytest

from mapapp.errors import StoreError
from mapapp.store import SCHEMA_VERSION, Store, db_path, open_store
from mapapp.store_postgres import PostgresStore


def test_a_url_opens_postgresql_and_a_path_sqlite(postgres_url, tmp_path, monkeypatch):
    assert isinstance(open_store(postgres_url), PostgresStore)
    assert type(open_store(tmp_path / "x.db")) is Store
    monkeypatch.setenv("MAPAPP_DB", postgres_url)
    assert db_path() == postgres_url
    assert isinstance(open_store(), PostgresStore)


def test_a_new_store_records_the_current_schema(store_target):
    assert open_store(store_target).schema_version() == SCHEMA_VERSION


def test_a_store_from_a_newer_release_is_refused_and_left_alone(store_target):
    store = open_store(store_target)
    with store.transaction() as writer:
        store._set_version(writer, SCHEMA_VERSION + 1)
    rows = store.rows()
    with pytest.raises(StoreError, match=rf"newer release of mapapp \(schema version {SCHEMA_VERSION + 1}; "
                                         rf"this release reads versions up to {SCHEMA_VERSION}\)"):
        open_store(store_target)
    assert store.rows() == rows


def _make_version_0(path):
    """A store as the first releases made it: no schema version, no actor columns, no table of
    replaced versions, no corrections or audit log."""
    with Store(path) as store:
        count = store.count()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 0")
    db.execute("DROP TABLE corrections")
    db.execute("DROP TABLE audit")
    db.execute("DROP TABLE replaced_incidents")
    for column in ("actor1", "actor2", "fatalities", "admin1", "admin2"):
        db.execute(f"ALTER TABLE incidents DROP COLUMN {column}")
    db.commit()
    db.close()
    return count


def test_a_version_0_sqlite_store_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    count = _make_version_0(path)
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.count() == count
    assert store.incidents()[0].actor1 == ""
    columns = {row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(replaced_incidents)")}
    assert {"actor1", "fatalities", "replaced_by"} <= columns
    assert store.audit_log(limit=1)[0]["detail"] == f"schema version 0 -> schema version {SCHEMA_VERSION}"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_postgresql_incidents_are_a_postgis_layer(postgres_url):
    store = open_store(postgres_url)
    incident = store.incidents()[0]
    with psycopg.connect(postgres_url) as db:
        layer = db.execute(
            "SELECT f_geometry_column, srid, type FROM geometry_columns WHERE f_table_name = 'incidents'"
        ).fetchone()
        assert layer == ("geom", 4326, "POINT")
        point = db.execute("SELECT ST_X(geom), ST_Y(geom) FROM incidents WHERE id = %s", (incident.id,)).fetchone()
        assert point == (incident.longitude, incident.latitude)
        index = db.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'incidents_geom'").fetchone()[0]
        assert "USING gist (geom)" in index


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path):
    url = f"postgresql://analyst:secret@/mapapp?host={tmp_path}"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "secret" not in message and "\n" not in message
    assert message.startswith(f"the store 'postgresql://analyst:***@/mapapp?host={tmp_path}' cannot be reached")
