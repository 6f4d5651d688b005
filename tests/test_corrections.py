"""Corrections with history, undo, the audit log and the roles' rights, on both stores."""

import datetime as dt
from pathlib import Path

import pytest

from mapapp.cli import main
from mapapp.errors import InvalidIncident
from mapapp.ingest.importer import commit, plan_import
from mapapp.roles import NotAllowed, Person

FIXTURES = Path(__file__).parent / "fixtures"
EDITOR = Person("erin@example.org", "editor")
VIEWER = Person("vic@example.org", "viewer")
INCIDENT = "seed-000-05"


@pytest.fixture
def store(backend_store):
    return backend_store


def test_a_correction_is_a_new_version_with_who_when_and_why(store):
    before = store.incident(INCIDENT)
    version = store.version()
    editor = store.acting(EDITOR)
    seq = editor.correct(
        INCIDENT,
        {"date_start": dt.date(2023, 5, 1), "date_end": dt.date(2023, 5, 31), "date_precision": "month"},
        "the report says 'in May'",
    )
    after = store.incident(INCIDENT)
    assert (after.date_start, after.date_end, after.date_precision) == (dt.date(2023, 5, 1), dt.date(2023, 5, 31), "month")
    assert after.description == before.description
    assert store.version() > version
    (entry,) = store.history(INCIDENT)
    assert entry["seq"] == seq and entry["user"] == "erin@example.org"
    assert entry["reason"] == "the report says 'in May'"
    assert entry["fields"] == {
        "date_start": [before.date_start.isoformat(), "2023-05-01"],
        "date_end": [before.date_end.isoformat(), "2023-05-31"],
        "date_precision": [before.date_precision, "month"],
    }
    assert dt.datetime.fromisoformat(entry["at"]).tzinfo == dt.timezone.utc
    assert entry["undoes"] is None and entry["undone_by"] is None
    # Exports read the current version.
    row = next(row for row in store.rows() if row["id"] == INCIDENT)
    assert (row["date_start"], row["date_precision"]) == ("2023-05-01", "month")


def test_a_new_point_moves_the_place_and_its_border_distance(store):
    before = store.incident(INCIDENT)
    store.correct(INCIDENT, {"location": "Jarinje", "latitude": 43.2003, "longitude": 20.7206, "geo_precision": 1},
                  "crossing named in the second paragraph")
    after = store.incident(INCIDENT)
    assert (after.location, after.latitude, after.longitude, after.geo_precision) == ("Jarinje", 43.2003, 20.7206, 1)
    assert after.border_distance_km != before.border_distance_km
    assert after.border_distance_km == 3.46  # Jarinje, the crossing, by the boundary file
    assert set(store.history(INCIDENT)[0]["fields"]) >= {"location", "latitude", "longitude", "border_distance_km"}


def test_a_passage_span_follows_other_text_of_the_document(store):
    incident = store.incident(INCIDENT)
    text = store.document(incident.document_id).text
    start, end = 0, 40
    store.correct(INCIDENT, {"passage_start": start, "passage_end": end}, "the event is told in the first lines")
    after = store.incident(INCIDENT)
    assert after.passage == text[start:end]
    assert store.history(INCIDENT)[0]["fields"]["passage"] == [incident.passage, text[start:end]]


@pytest.mark.parametrize(("changes", "reason", "message"), [
    ({"id": "other"}, "x", "field: expected one of date_start"),
    ({"date_start": dt.date(2023, 6, 2), "date_end": dt.date(2023, 6, 1), "date_precision": "week"}, "x",
     "date_end: expected a date on or after date_start 2023-06-02"),
    ({"event_type": "Picnic"}, "x", "event_type"),
    ({"latitude": 123.0}, "x", "latitude: expected decimal degrees between -90 and 90"),
    ({"passage_start": 5, "passage_end": 10**7}, "x", "passage_start/passage_end"),
    ({"description": "New words."}, "   ", "reason: expected a few words"),
    ({}, "x", "changes: expected at least one value different"),
])
def test_a_wrong_correction_is_refused_and_changes_nothing(store, changes, reason, message):
    before, version = store.rows(), store.version()
    with pytest.raises(InvalidIncident, match=message):
        store.correct(INCIDENT, changes, reason)
    assert store.rows() == before and store.version() == version
    assert store.history(INCIDENT) == []


def test_undo_puts_the_old_values_back_as_a_new_version(store):
    before = store.incident(INCIDENT)
    first = store.correct(INCIDENT, {"description": "First fix."}, "typo")
    second = store.correct(INCIDENT, {"description": "Second fix."}, "better")
    with pytest.raises(InvalidIncident, match="later one changed them"):
        store.undo(first)
    undo = store.undo(second)
    assert store.incident(INCIDENT).description == "First fix."
    assert store.undo(first) > undo
    assert store.incident(INCIDENT) == before
    history = store.history(INCIDENT)
    assert [(entry["seq"], entry["undoes"], entry["undone_by"]) for entry in history] == [
        (first, None, history[3]["seq"]), (second, None, undo), (undo, second, None), (history[3]["seq"], first, None),
    ]
    assert history[2]["reason"] == f"undo of correction {second}"
    with pytest.raises(InvalidIncident, match="not undone yet"):
        store.undo(second)
    with pytest.raises(InvalidIncident, match="the number of a stored correction"):
        store.undo(99999)


def test_each_role_may_do_only_its_writes(store):
    upload = plan_import((FIXTURES / "acled_kosovo.csv").read_bytes(), "acled_kosovo.csv", store)
    before = store.rows()
    viewer, editor = store.acting(VIEWER), store.acting(EDITOR)
    with pytest.raises(NotAllowed, match="'vic@example.org' is a viewer and may not add reports or uploads"):
        commit(upload, viewer)
    with pytest.raises(NotAllowed, match="may not correct incidents"):
        viewer.correct(INCIDENT, {"description": "x"}, "x")
    assert store.rows() == before
    commit(upload, editor)
    document_id = upload.document.id
    with pytest.raises(NotAllowed, match="'erin@example.org' is an? editor and may not remove uploads"):
        editor.remove_upload(document_id)
    with pytest.raises(NotAllowed, match="may not read the audit log"):
        editor.audit_log()
    assert store.remove_upload(document_id)["removed"] == 5


def test_the_audit_log_says_who_did_what_when(store, capsys):
    upload = plan_import((FIXTURES / "acled_kosovo.csv").read_bytes(), "acled_kosovo.csv", store)
    commit(upload, store.acting(EDITOR))
    seq = store.acting(EDITOR).correct(INCIDENT, {"description": "Fixed."}, "typo")
    store.remove_upload(upload.document.id)
    log = store.audit_log()
    assert [(entry["user"], entry["action"], entry["target"]) for entry in log] == [
        ("local user", "remove", upload.document.id),
        ("erin@example.org", "correct", INCIDENT),
        ("erin@example.org", "add", upload.document.id),
        ("mapapp", "add", "seeds"),
        ("mapapp", "schema", "store"),
    ]
    assert log[0]["detail"] == "5 removed, 0 restored"
    assert log[1]["detail"] == f"#{seq} description: typo"
    assert log[2]["detail"] == "5 new, 0 updated"
    assert store.audit_log(limit=2) == log[:2]

    assert main(["audit", "--db", str(store.path), "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[1:] == ["local user", "remove", upload.document.id, "5 removed, 0 restored"]
    assert lines[1].split("\t")[1:] == ["erin@example.org", "correct", INCIDENT, f"#{seq} description: typo"]
    assert len(lines) == 2


def test_a_newer_source_version_of_a_corrected_incident_goes_into_its_history(store, capsys):
    """An editor corrected an ACLED incident; ACLED's newer version of it (a later timestamp) then
    arrives: the correction stays current, the source's version is listed in the history, and
    the import says so. Once the correction is undone, the newer version applies again."""
    commit(plan_import((FIXTURES / "acled_kosovo.csv").read_bytes(), "acled_kosovo.csv", store), store)
    original = store.incident("XKX2301")
    seq = store.acting(EDITOR).correct("XKX2301", {"description": "Clash at the Zvecan municipal building."}, "shorter")
    corrected = store.incident("XKX2301")
    data = (FIXTURES / "acled_kosovo_update.csv").read_bytes()

    plan = plan_import(data, "acled_kosovo_update.csv", store)
    assert ([incident.id for incident in plan.kept], plan.updated) == (["XKX2301"], [])
    assert plan.summary.endswith("; 1 incident has corrections; kept (the source's newer version goes into the history)")
    assert commit(plan, store) == {"added": 0, "updated": 0, "kept": 1}
    assert store.incident("XKX2301") == corrected
    correction, newer = store.history("XKX2301")
    assert (correction["seq"], correction["kind"]) == (seq, "correction")
    assert (newer["kind"], newer["user"], newer["undoes"]) == ("source", "local user", None)
    assert newer["reason"] == (f"a newer version from the source in {plan.document.id}; not applied: the incident "
                               "has corrections")
    update = next(incident for incident in plan.kept)
    assert newer["fields"] == {
        "description": ["Clash at the Zvecan municipal building.", original.description],
        "source": ["Koha Ditore; Kosovo Online", "Koha Ditore; Kosovo Online; NATO"],
        "passage": [original.passage, update.passage],
    }
    assert "93 soldiers" in update.passage
    # A source line cannot be undone; the same version imported again is not listed twice.
    with pytest.raises(InvalidIncident, match="the number of a stored correction"):
        store.undo(newer["seq"])
    assert main(["ingest", "--db", str(store.path), str(FIXTURES / "acled_kosovo_update.csv")]) == 0
    out = capsys.readouterr().out
    assert "corrected, kept: 1 (1 incident has corrections; kept (the source's newer version goes into the " \
           "history))" in out
    assert len(store.history("XKX2301")) == 2
    assert store.audit_log(limit=1)[0]["detail"] == "0 new, 0 updated, 1 corrected kept"

    # Without a current correction, the newer version applies as any update does.
    store.undo(seq)
    plan = plan_import(data, "acled_kosovo_update.csv", store)
    assert commit(plan, store) == {"added": 0, "updated": 1, "kept": 0}
    assert "93 soldiers" in store.incident("XKX2301").passage


def test_the_passage_panel_lists_a_kept_newer_version_in_the_history(db_path, folium_calls):
    from streamlit.testing.v1 import AppTest

    from mapapp.store import Store
    from tests.test_app import APP

    store = Store(db_path)
    commit(plan_import((FIXTURES / "acled_kosovo.csv").read_bytes(), "acled_kosovo.csv", store), store)
    seq = store.acting(EDITOR).correct("XKX2301", {"description": "Clash at the municipal building."}, "shorter")
    plan = plan_import((FIXTURES / "acled_kosovo_update.csv").read_bytes(), "acled_kosovo_update.csv", store)
    commit(plan, store)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["incident"] = "XKX2301"
    at.run()
    assert not at.exception
    captions = [caption.value for caption in at.caption]
    assert any(caption.startswith("Corrected by erin@example.org on ") and caption.endswith("(1 correction(s))")
               for caption in captions)
    assert "The source has 1 newer version(s), not applied: the corrections stay (see the history)." in captions
    lines = [text.value for text in at.text]
    newer = next(line for line in lines if line.startswith("Newer version from the source"))
    assert newer.startswith(f"Newer version from the source (#{seq + 1}, not applied), imported by local user at ")
    assert newer.endswith(f"{plan.document.id}; not applied: the incident has corrections")
    assert "source: 'Koha Ditore; Kosovo Online' -> 'Koha Ditore; Kosovo Online; NATO'" in [line.strip() for line in lines]
    # Undo is offered for the correction, not for the source's version.
    assert [button.key for button in at.button if button.key and button.key.startswith("undo-")] == [f"undo-{seq}"]
