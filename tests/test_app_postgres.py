"""The app on a PostgreSQL store (MAPAPP_DB=postgresql://...): the same page as on SQLite."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import APP, count_line, passage_html, table_ids, url


@pytest.fixture
def app(postgres_url, folium_calls):
    return AppTest.from_file(APP, default_timeout=60)


def test_the_app_shows_searches_and_opens_incidents_of_a_postgresql_store(app, folium_calls):
    at = app.run()
    assert not at.exception
    assert count_line(at) == "**8 of 8 incidents · 0 fatalities**"
    assert sorted(folium_calls.layer_ids()) == sorted(table_ids(at))
    at.text_input(key="f_text").input("monastery").run()
    assert table_ids(at) == ["seed-000-07"]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["incident"] = "seed-000-05"
    at.run()
    assert not at.exception
    at.button(key="other-seed-000-06").click().run()
    assert "NATO forces operating in the region" in passage_html(at)
    assert url(at)["incident"] == ["seed-000-06"]


def test_an_upload_in_the_app_goes_into_postgresql(app, postgres_url, folium_calls):
    from mapapp.store import open_store

    at = app.run()
    data = (Path(__file__).parent / "fixtures" / "acled_kosovo.csv").read_bytes()
    at.file_uploader[0].set_value(("acled_kosovo.csv", data, "text/csv")).run()
    (add,) = [button for button in at.button if button.label.startswith("Add ")]
    add.click().run()
    assert not at.exception
    assert count_line(at) == "**13 of 13 incidents · 0 fatalities**"
    assert open_store(postgres_url).count() == 13
    assert sorted(folium_calls.layer_ids()) == sorted(table_ids(at))


def test_links_are_proposed_and_confirmed_on_a_postgresql_store(app, postgres_url):
    """The links section pairs the page's columns by rowid and names the shown pairs through the
    store: PostgreSQL's rowid column does for it what SQLite's rowid does."""
    from mapapp.ingest.importer import commit, plan_import
    from mapapp.store import open_store

    store = open_store(postgres_url)
    for name in ("same_event_acled.csv", "same_event_ucdp.csv", "same_event_log.csv"):
        data = (Path(__file__).parent / "fixtures" / name).read_bytes()
        commit(plan_import(data, name, store), store)
    store.decide_link("XKX2311", "log-101", "rejected")
    at = app.run()
    assert not at.exception
    proposed = [b.key for b in at.button if b.key.startswith("confirm-")]
    assert proposed[0] == "confirm-200201\x1flog-101"  # the same point; then three pairs 0.36 km apart
    assert sorted(proposed[1:]) == [
        "confirm-200201\x1fXKX2310", "confirm-200201\x1fXKX2311", "confirm-XKX2310\x1flog-101",
    ]
    at.button(key="confirm-200201\x1flog-101").click().run()
    assert store.links("confirmed") == [("200201", "log-101", "confirmed")]
    # XKX2311 was rejected against log-101, so now against its whole event, 200201 included;
    # XKX2310 is still proposed against the event, through either of its reports.
    assert sorted(b.key for b in at.button if b.key.startswith("confirm-")) == [
        "confirm-200201\x1fXKX2310", "confirm-XKX2310\x1flog-101",
    ]
