"""The text search on both stores: the FTS5 index beside an SQLite file and the scan index used
for PostgreSQL find the same incidents; the app's columns read the same from both."""

import pytest

from mapapp import columns
from mapapp.search import ScanIndex, TextIndex, text_index
from mapapp.store import open_store

# (query, the seed incidents whose description, passage or place contain it)
QUERIES = [
    ("MONASTERY", ["seed-000-07"]),
    ("kfor", ["seed-000-03", "seed-000-04"]),
    ("police", ["seed-000-05"]),
    ("no such words", []),
]


def _ids(store, rowids):
    with store.reading() as snapshot:
        return sorted(
            row[0] for rowid in rowids.tolist()
            for row in snapshot.db.execute("SELECT id FROM incidents WHERE rowid = ?", (rowid,))
        )


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_search_finds_the_same_incidents_on_both_stores(store_target, query, expected):
    store = open_store(store_target)
    index = text_index(store_target)
    assert isinstance(index, TextIndex if store_target.__class__.__name__.endswith("Path") else ScanIndex)
    index.sync()
    assert _ids(store, index.rowids(query)) == expected
    scan = ScanIndex(store_target)
    scan.sync()
    assert _ids(store, scan.rowids(query)) == expected


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
