"""Taking an upload back: its incidents and document go, the versions it replaced come back."""

import datetime as dt
from pathlib import Path

import pytest

from mapapp.errors import InvalidIncident
from mapapp.ingest.importer import commit, plan_import

FIXTURES = Path(__file__).parent / "fixtures"
SEED_DOCUMENT = "000_5c3697c2ad0ae6c3"


@pytest.fixture
def store(backend_store):
    """These cases run on SQLite and on PostgreSQL alike."""
    return backend_store


def add(store, name):
    plan = plan_import((FIXTURES / name).read_bytes(), name, store)
    commit(plan, store)
    return plan.document.id


def test_an_upload_is_listed_and_removed_with_its_incidents(store):
    seeds = store.rows()
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    upload = add(store, "acled_kosovo.csv")
    (listed,) = store.uploads()
    added = dt.datetime.fromisoformat(listed.pop("added"))
    assert before <= added <= dt.datetime.now(dt.timezone.utc)
    assert listed == {
        "id": upload, "title": "Upload: acled_kosovo.csv", "source": "uploaded file acled_kosovo.csv (ACLED export)",
        "incidents": 5, "replaced": 0,
    }
    assert store.remove_upload(upload) == {"removed": 5, "restored": 0}
    assert store.rows() == seeds
    assert store.document(upload) is None
    assert store.uploads() == []


def test_removing_an_update_puts_the_replaced_versions_back(store):
    add(store, "acled_kosovo.csv")
    before_update = store.rows()
    update = add(store, "acled_kosovo_update.csv")
    assert store.incident("XKX2301").source == "Koha Ditore; Kosovo Online; NATO"
    listed = {row["id"]: (row["incidents"], row["replaced"]) for row in store.uploads()}
    assert listed[update] == (1, 1)
    assert store.remove_upload(update) == {"removed": 1, "restored": 1}
    # Exactly as before the update: the earlier XKX2301, its passage in the first upload.
    assert store.rows() == before_update
    assert store.incident("XKX2301").source_timestamp == 1685989234


def test_removing_the_first_upload_keeps_the_later_version_and_its_history_clean(store):
    first = add(store, "acled_kosovo.csv")
    update = add(store, "acled_kosovo_update.csv")
    # XKX2301 is now the update's; the first upload's other four incidents go.
    assert store.remove_upload(first) == {"removed": 4, "restored": 0}
    assert [row["id"] for row in store.rows() if not row["id"].startswith("seed-")] == ["XKX2301"]
    assert store.incident("XKX2301").document_id == update
    # The replaced version cited the removed document: it is gone, not restorable.
    assert store.remove_upload(update) == {"removed": 1, "restored": 0}
    assert store.count() == 8
    assert store.uploads() == []


def test_seed_documents_and_unknown_ids_cannot_be_removed(store):
    upload = add(store, "acled_kosovo.csv")
    rows = store.rows()
    for document_id in (SEED_DOCUMENT, "upload-0000000000000000", ""):
        with pytest.raises(InvalidIncident) as caught:
            store.remove_upload(document_id)
        assert str(caught.value) == (
            f"document_id: expected the id of an uploaded file: {upload}, got {document_id!r}"
        )
    assert store.rows() == rows


def test_uploads_are_listed_oldest_first(store):
    first = add(store, "ucdp_ged_kosovo.csv")
    second = add(store, "acled_kosovo.csv")
    listed = store.uploads()
    assert [row["id"] for row in listed] == [first, second]
    assert listed[0]["added"] <= listed[1]["added"]


def test_the_same_file_can_be_uploaded_again_after_removal(store):
    upload = add(store, "acled_kosovo.csv")
    store.remove_upload(upload)
    assert add(store, "acled_kosovo.csv") == upload
    assert store.count() == 13
