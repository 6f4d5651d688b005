"""The text search on both stores: the FTS5 index beside an SQLite file and PostgreSQL's trigram
index of the folded text find the same incidents by the same rules (no case, accents or
alphabet; a place's other spellings; ids, actors and sources too), and follow every write."""

from pathlib import Path

import pytest

from mapapp import columns
from mapapp.ingest.importer import commit, plan_import
from mapapp.search import TextIndex, text_index
from mapapp.store import open_store
from mapapp.store_postgres import TextSearch

FIXTURES = Path(__file__).parent / "fixtures"
UPLOADS = ("serbian_log_cp1251.csv", "albanian_log.csv", "acled_kosovo.csv", "ucdp_ged_kosovo.csv")
# The two logs' rows are named by their upload's id, which the store gives when they are added.
SERBIAN, ALBANIAN = "{serbian}", "{albanian}"
ZVECAN = ["100103", "XKX2301", f"{SERBIAN}-row2", f"{ALBANIAN}-row2"]
# (query, the incidents found: seeds and the four uploads)
QUERIES = [
    ("Zvecan", ZVECAN),
    ("Zvečan", ZVECAN),
    ("Звечан", ZVECAN),  # the Serbian log writes Cyrillic
    ("Leposaviq", ["XKX2302", "XKX2304", f"{SERBIAN}-row3", f"{ALBANIAN}-row5"]),  # Albanian for Leposavić
    ("kfor", ["XKX2301", "seed-000-03", "seed-000-04", f"{SERBIAN}-row2", f"{ALBANIAN}-row2"]),
    ("MONASTERY", ["seed-000-07"]),
    ("Banjska", ["seed-000-07"]),  # the seed writes "Banska"
    ("seed-000-07", ["seed-000-07"]),  # ids
    ("Police Forces", ["XKX2302"]),  # actors
    ("a_b", ["100103"]),  # LIKE's wildcards are plain characters
    ("no such words", []),
]


def _ids(store, rowids):
    with store.reading() as snapshot:
        return sorted(
            row[0] for rowid in rowids.tolist()
            for row in snapshot.db.execute("SELECT id FROM incidents WHERE rowid = ?", (rowid,))
        )


def _search(store, target, query):
    index = text_index(target)
    index.sync()
    return _ids(store, index.rowids(query))


@pytest.fixture
def loaded(store_target):
    store = open_store(store_target)
    uploads = {}
    for name in UPLOADS:
        plan = plan_import((FIXTURES / name).read_bytes(), name, store)
        commit(plan, store)
        uploads[name] = plan.document.id
    return store, store_target, uploads


def test_the_search_finds_the_same_incidents_on_both_stores(loaded):
    store, target, uploads = loaded
    assert isinstance(text_index(target), TextSearch if store.__class__.__name__ == "PostgresStore" else TextIndex)
    named = {"serbian": uploads["serbian_log_cp1251.csv"], "albanian": uploads["albanian_log.csv"]}
    expected = {query: sorted(id.format(**named) for id in ids) for query, ids in QUERIES}
    assert {query: _search(store, target, query) for query, _ in QUERIES} == expected


def test_the_search_follows_corrections_updates_and_removals(loaded):
    store, target, _ = loaded
    assert _search(store, target, "Zanzibar") == []
    store.correct("seed-000-05", {"description": "Shots near Zanzibar."}, "test")
    assert _search(store, target, "zanzibar") == ["seed-000-05"]
    assert _search(store, target, "Unidentified gunmen opened fire on local police") == []
    # An ACLED update (newer timestamp) changes an incident's passage and source; taking the
    # update back restores the earlier version, and the search follows both.
    name = "acled_kosovo_update.csv"
    plan = plan_import((FIXTURES / name).read_bytes(), name, store)
    commit(plan, store)
    assert [incident.id for incident in plan.updated] == ["XKX2301"]
    assert _search(store, target, "93 soldiers") == ["XKX2301"]
    assert _search(store, target, "about 30 soldiers") == []
    assert _search(store, target, "Online; NATO") == ["XKX2301"]
    store.remove_upload(plan.document.id)
    assert _search(store, target, "93 soldiers") == []
    assert _search(store, target, "about 30 soldiers") == ["XKX2301"]


def test_postgres_answers_the_search_from_its_trigram_index(postgres_url):
    store = open_store(postgres_url)
    with store.reading() as snapshot:
        snapshot.db.execute("SET LOCAL enable_seqscan = off")
        plan = [row[0] for row in snapshot.db.execute("EXPLAIN SELECT rowid FROM incidents WHERE search_text LIKE ?",
                                                      ("%zvecan%",))]
        assert snapshot.db.execute("SELECT count(*) FROM incidents WHERE search_text IS NULL").fetchone()[0] == 0
    assert any("incidents_search" in line for line in plan), plan


def test_the_columns_read_the_same_from_both_stores(db_path, postgres_url):
    loaded = []
    for target in (db_path, postgres_url):
        store = open_store(target)
        with store.reading() as snapshot:
            found = columns.load(snapshot.db)
        rows = columns.read_rows(str(target), found.rowid, ("id", "date_start", "location"))
        loaded.append((found.latitude.tolist(), found.date_start.tolist(), found.documents, rows.to_dict("records")))
    assert loaded[0] == loaded[1]
    assert loaded[0][3][0] == {"id": "seed-000-04", "date_start": "2023-05-01", "location": "Kosovo"}


def test_a_bulk_load_into_postgres_is_found_at_once(postgres_url, monkeypatch):
    """A large COPY merges the trigram index's pending entries once, at its end (here from one
    row on): what it stored is found by the search right after."""
    from mapapp import store_postgres

    monkeypatch.setattr(store_postgres, "_BULK_ROWS", 1)
    store = open_store(postgres_url)
    commit(plan_import((FIXTURES / "acled_kosovo.csv").read_bytes(), "acled_kosovo.csv", store), store)
    assert _search(store, postgres_url, "Leposaviq") == ["XKX2302", "XKX2304"]
    with store.reading() as snapshot:
        assert snapshot.db.execute("SHOW gin_pending_list_limit").fetchone()[0] == "4MB"
