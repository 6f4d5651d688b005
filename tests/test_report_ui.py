"""The "Add a report" section driven headlessly (AppTest): read, review, edit, store."""

import pytest
from streamlit.testing.v1 import AppTest

from mapapp.store import Store

REPORT = (
    "Kosovo Police arrested a Serbian citizen at the Jarinje crossing point on Sunday.\n"
    "Late on Saturday, unknown persons threw a hand grenade at a police base near Zubin Potok.\n"
    "Analysts say the north remains tense."
)


def _section():
    import os

    from mapapp.report_ui import report_section
    from mapapp.store import Store

    with Store(os.environ["MAPAPP_DB"]) as store:
        report_section(store)


@pytest.fixture
def app(db_path):
    Store(db_path).close()  # seeded
    at = AppTest.from_function(_section, default_timeout=60)
    at.run()
    return at


def _read(at, text, published="2024-03-18"):
    import datetime as dt

    at.text_area[0].set_value(text)
    at.date_input[0].set_value(dt.date.fromisoformat(published) if published else None)
    at.button[0].click().run()


def test_read_edit_and_store_a_report(app, db_path):
    _read(app, REPORT)
    assert not app.exception
    assert [c.value for c in app.checkbox] == [True, True]
    html = app.get("html")[0].proto.body
    assert '<mark class="report-place" title="Jarinje crossing (exact place)">Jarinje crossing point</mark>' in html
    assert '<mark class="report-date"' in html
    # Reject the grenade, move the arrest to another reading of a place, and store.
    app.checkbox[1].uncheck()
    place = app.selectbox(key="report-1-place-1")
    assert place.options[0].startswith("Jarinje crossing point → Jarinje crossing · exact place")
    place.select_index(next(i for i, label in enumerate(place.options) if label.startswith("Zubin Potok"))).run()
    store_button = next(b for b in app.button if b.label.startswith("Store the report"))
    assert store_button.label == "Store the report and 1 accepted incident(s)"
    store_button.click().run()
    assert not app.exception
    assert "Stored the report with 1 incident(s)" in app.success[0].value
    with Store(db_path) as store:
        (upload,) = store.uploads()
        (incident,) = store.incidents_in_document(upload["id"])
    assert (incident.sub_event_type, incident.location, incident.date_start.isoformat()) == (
        "Arrests", "Zubin Potok", "2024-03-17")
    assert incident.passage == "Kosovo Police arrested a Serbian citizen at the Jarinje crossing point on Sunday."
    assert "changed by hand: place" in incident.note


def test_a_report_without_incident_can_be_coded_by_hand(app, db_path):
    _read(app, "The Municipality of Zvečan has announced that the autumn fair will take place on 14 October.")
    assert "No incident found in this report" in app.info[0].value
    app.button(key="report-add-0").click().run()
    assert [c.value for c in app.checkbox] == [True]
    next(b for b in app.button if b.label.startswith("Store the report")).click().run()
    with Store(db_path) as store:
        (upload,) = store.uploads()
        (incident,) = store.incidents_in_document(upload["id"])
    assert incident.location == "Zvečan" and "coded by hand" in incident.note


@pytest.mark.parametrize("text, message", [
    ("   ", "has no text"),
    ("<script>alert(1)</script><img src=x onerror=alert(2)>", "has no text"),
    ("Police\x00arrested", "control character"),
])
def test_bad_input_is_a_message_and_nothing_is_stored(app, db_path, text, message):
    with Store(db_path) as store:
        before = store.count()
    _read(app, text)
    assert "cannot be read" in app.error[0].value
    assert message in app.text[0].value
    with Store(db_path) as store:
        assert store.count() == before


def test_report_text_is_shown_inert(app):
    _read(app, '<p>Police arrested a man in Zvečan on 3 May 2024. <b onclick="alert(1)">x</b></p>'
               "<script>alert('no')</script><p>&lt;script&gt;alert(3)&lt;/script&gt; was written.</p>")
    html = app.get("html")[0].proto.body
    assert "<script>" not in html and "onclick" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
