"""The SQLite store: created and seeded on first use, every write all or nothing."""

import dataclasses
import sqlite3

import pytest

from mapapp.errors import InvalidIncident
from mapapp.incident import Document
from mapapp.seeds import seed_incidents
from mapapp.store import Store, db_path


@pytest.fixture
def store(backend_store):
    """These cases run on SQLite and on PostgreSQL alike."""
    return backend_store


def _incident(**changes):
    base = seed_incidents()[0]
    return dataclasses.replace(base, **changes)


def test_a_new_store_holds_the_seed_incidents(store):
    assert store.count() == 8
    assert [row["id"] for row in store.rows()][:3] == ["seed-000-04", "seed-000-05", "seed-000-06"]
    assert store.document("000_5c3697c2ad0ae6c3").text.startswith("News outlets report")


def test_seeding_is_idempotent(db_path):
    for _ in range(3):
        with Store(db_path) as store:
            assert store.count() == 8


def test_a_stored_incident_reads_back_equal(store):
    for incident in seed_incidents():
        assert store.incident(incident.id) == incident


def test_default_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPAPP_DB", str(tmp_path / "env.db"))
    assert db_path() == tmp_path / "env.db"
    assert db_path(tmp_path / "explicit.db") == tmp_path / "explicit.db"
    monkeypatch.delenv("MAPAPP_DB")
    assert db_path().name == "mapapp.db" and db_path().parent.name == "data"


def test_store_uses_wal_and_a_busy_timeout(db_path):
    Store(db_path)
    connection = sqlite3.connect(db_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_new_store_has_large_pages_and_an_older_one_keeps_its_own(tmp_path):
    Store(tmp_path / "new.db")
    assert sqlite3.connect(tmp_path / "new.db").execute("PRAGMA page_size").fetchone()[0] == 16384
    older = sqlite3.connect(tmp_path / "older.db")
    older.execute("PRAGMA page_size = 4096")
    older.execute("CREATE TABLE made_before (x)")
    older.commit()
    older.close()
    store = Store(tmp_path / "older.db")
    assert store.count() == 8
    assert sqlite3.connect(tmp_path / "older.db").execute("PRAGMA page_size").fetchone()[0] == 4096


def test_add_stores_documents_and_incidents_together(store):
    document = Document(id="doc-1", title="Report", text="Shots fired at Jarinje.")
    incident = _incident(id="new-1", document_id="doc-1", passage_start=0, passage_end=12, passage="Shots fired ")
    store.add([document], [incident])
    assert store.count() == 9
    assert store.incident("new-1") == incident
    assert [i.id for i in store.incidents_in_document("doc-1")] == ["new-1"]


def test_a_failing_add_leaves_the_store_as_before(store):
    before = store.rows()
    document = Document(id="doc-2", title="Report", text="Shots fired at Jarinje.")
    good = _incident(id="ok", document_id="doc-2", passage_start=0, passage_end=5, passage="Shots")
    wrong_passage = _incident(id="bad", document_id="doc-2", passage_start=0, passage_end=5, passage="Shoot")
    with pytest.raises(InvalidIncident, match="passage"):
        store.add([document], [good, wrong_passage])
    assert store.rows() == before
    assert store.document("doc-2") is None


def test_a_duplicate_id_rolls_back_the_whole_add(store):
    before = store.rows()
    with pytest.raises(InvalidIncident, match="seed-000-02"):
        store.add([], [_incident(id="fresh"), _incident(id="seed-000-02")])
    assert store.rows() == before


def test_a_different_text_under_a_stored_document_id_is_refused(store):
    with pytest.raises(InvalidIncident, match="000_5c3697c2ad0ae6c3"):
        store.add([Document(id="000_5c3697c2ad0ae6c3", title="x", text="other text")], [])


def test_updates_replace_by_id(store):
    changed = _incident(description="Corrected summary.", source_timestamp=1700000000)
    store.add(updates=[changed])
    assert store.incident(changed.id).description == "Corrected summary."
    assert store.source_timestamps([changed.id, "missing"]) == {changed.id: 1700000000}
    assert store.count() == 8


@pytest.mark.parametrize("extra", [0, 20])
def test_lookups_by_key_give_the_stored_ones_only(store, extra):
    """A few keys are looked up one by one, more keys than stored incidents by reading them
    all: the same answers."""
    seeds = seed_incidents()
    missing = [f"missing-{k}" for k in range(extra)]
    assert store.source_timestamps([seeds[0].id, seeds[1].id, *missing]) == {
        seeds[0].id: seeds[0].source_timestamp, seeds[1].id: seeds[1].source_timestamp}
    assert store.known_fingerprints([seeds[2].fingerprint, *missing]) == {seeds[2].fingerprint}
    with store.reading() as snapshot:
        matches = snapshot.fingerprint_matches([seeds[3].fingerprint, *missing])
    assert list(matches) == [seeds[3].fingerprint]
    assert [match.id for match in matches[seeds[3].fingerprint]] == [seeds[3].id]
