"""The Streamlit app driven headlessly with AppTest (the map itself is tested in a browser).

AppTest cannot render the streamlit-folium component, so `st_folium` is replaced by a fake
that records what the app passes to it: the incident layer, centre and zoom.
"""

import datetime as dt
import html
import json
import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mapapp import PROJECT_DIR
from mapapp.store import Store
from tests import map_scripts

APP = str(PROJECT_DIR / "streamlit_app.py")
BANJSKA_PASSAGE = (
    "In a separate incident, a group of masked gunmen reportedly breached the grounds of the "
    "Banska Orthodox monastery, raising questions about religious and cultural security in the territory."
)
DATA_CALL = re.compile(r"window\.mapappIncidents\.draw\([\w]+, (.*)\);\s*$", re.MULTILINE)


def mask_ids(args):
    """The ids of the incidents a layer's bits show, as the browser would read them."""
    import base64

    import numpy as np

    from mapapp.store import db_path, open_store

    data = base64.b64decode(args["bits"])
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")[: args["n"]]
    with open_store(db_path()) as store:
        ids = [row["id"] for row in store.rows()]
    return [ids[k] for k in np.flatnonzero(bits)]


class FakeFolium:
    """Records the calls; like the browser's map, it reports (an empty value) once drawn, so
    that the first run draws the whole page (app.page_ready). `reports=False`: a map that has
    not reported yet."""

    def __init__(self, reports=True):
        self.calls = []
        self.reports = reports

    def __call__(self, fig, **kwargs):
        self.calls.append(dict(kwargs, opens_at=(tuple(fig.location), fig.options["zoom"])))
        if self.reports:
            st.session_state.setdefault(kwargs["key"], {})
        return None

    @property
    def last(self):
        return self.calls[-1]

    @property
    def view(self):
        """(centre, zoom) the map shows after the last call: where it was moved, else where it opens."""
        if self.last["center"] is not None:
            return self.last["center"], self.last["zoom"]
        return self.last["opens_at"]

    def layer_ids(self):
        """The ids in the incident layer of the last call, as the browser would get them."""
        script = map_scripts.layer_script(self.last["feature_group_to_add"], _base_map())
        return mask_ids(json.loads(DATA_CALL.search(script).group(1)))


def _base_map():
    from mapapp.map_build import base_map

    return base_map()


@pytest.fixture
def app(db_path, folium_calls):
    """An AppTest of the app on a fresh seeded store (not run yet: set query params first)."""
    return AppTest.from_file(APP, default_timeout=60)


def url(at):
    """The app's query parameters, every value as a list."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def count_line(at):
    return at.sidebar.markdown[0].value


def table_ids(at):
    return at.dataframe[0].value["id"].tolist()


def passage_html(at):
    panels = [h.proto.body for h in at.get("html") if "passage-panel" in h.proto.body]
    return panels[0] if panels else None


def test_runs_and_shows_every_seed_incident(app, folium_calls):
    at = app.run()
    assert not at.exception
    assert count_line(at) == "**8 of 8 incidents · 0 fatalities**"
    assert sorted(table_ids(at)) == [f"seed-000-0{n}" for n in range(1, 9)]
    assert sorted(folium_calls.layer_ids()) == sorted(table_ids(at))
    assert folium_calls.last["returned_objects"] == ["last_active_drawing", "center", "zoom"]
    assert folium_calls.last["key"] == "map"
    assert passage_html(at) is None
    assert [b.label for b in at.get("download_button")] == [
        "Map as HTML file", "Map as PNG", "Download CSV", "Download GeoJSON",
    ]


def test_the_first_page_waits_for_its_map_before_the_sections_below(app, folium_calls):
    folium_calls.reports = False  # the browser has not drawn the map yet
    at = app.run()
    assert not at.exception
    assert count_line(at) == "**8 of 8 incidents · 0 fatalities**"
    assert len(folium_calls.calls) == 1
    assert at.dataframe == [] and at.get("download_button") == []
    assert "Incidents" not in [m.value for m in at.markdown]
    at.session_state["map"] = {"center": {"lat": 43.3, "lng": 20.95}, "zoom": 8}  # its report
    at.run()
    assert sorted(table_ids(at)) == [f"seed-000-0{n}" for n in range(1, 9)]
    assert [b.label for b in at.get("download_button")] == [
        "Map as HTML file", "Map as PNG", "Download CSV", "Download GeoJSON",
    ]
    folium_calls.calls.clear()
    at.run()  # once drawn whole, the page stays whole
    assert len(folium_calls.calls) == 1 and len(table_ids(at)) == 8


def test_undated_off_leaves_the_three_dated(app, folium_calls):
    at = app.run()
    at.toggle(key="f_include_undated").set_value(False).run()
    assert count_line(at) == "**3 of 8 incidents · 0 fatalities**"
    assert sorted(table_ids(at)) == ["seed-000-04", "seed-000-05", "seed-000-06"]
    assert sorted(folium_calls.layer_ids()) == ["seed-000-04", "seed-000-05", "seed-000-06"]
    assert url(at)["undated"] == ["0"]


def test_date_slider_narrows_to_september(app, folium_calls):
    at = app.run()
    assert at.slider(key="f_dates").value == (dt.date(2023, 5, 1), dt.date(2023, 9, 30))
    at.slider(key="f_dates").set_range(dt.date(2023, 6, 1), dt.date(2023, 9, 30)).run()
    # The two September incidents, and the five undated ones (included by default).
    assert count_line(at) == "**7 of 8 incidents · 0 fatalities**"
    assert "seed-000-04" not in table_ids(at)
    assert url(at)["since"] == ["2023-06-01"]
    assert "until" not in url(at)
    at.toggle(key="f_include_undated").set_value(False).run()
    assert sorted(table_ids(at)) == ["seed-000-05", "seed-000-06"]
    assert sorted(folium_calls.layer_ids()) == ["seed-000-05", "seed-000-06"]


def test_event_type_battles(app, folium_calls):
    at = app.run()
    at.multiselect(key="f_event_types").set_value(["Battles"]).run()
    assert count_line(at) == "**1 of 8 incidents · 0 fatalities**"
    assert table_ids(at) == ["seed-000-05"]
    assert folium_calls.layer_ids() == ["seed-000-05"]
    assert url(at)["type"] == ["Battles"]
    # Sub-types on offer follow the chosen type.
    assert at.multiselect(key="f_sub_event_types").options == [
        "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
    ]


def test_text_search_and_border_zone(app):
    at = app.run()
    at.text_input(key="f_text").input("monastery").run()
    assert table_ids(at) == ["seed-000-07"]
    at.text_input(key="f_text").input("").run()
    # Only the border regions (0 km) are within 5 km; country-level points have no distance.
    at.slider(key="f_max_border_km").set_value(5.0).run()
    assert table_ids(at) == ["seed-000-02"]
    assert url(at)["border"] == ["5"]


def test_query_params_restore_the_filters(app, folium_calls):
    app.query_params["since"] = "2023-06-01"
    app.query_params["undated"] = "0"
    app.query_params["type"] = ["Battles", "Strategic developments"]
    at = app.run()
    assert not at.exception
    assert at.slider(key="f_dates").value == (dt.date(2023, 6, 1), dt.date(2023, 9, 30))
    assert at.toggle(key="f_include_undated").value is False
    assert at.multiselect(key="f_event_types").value == ["Battles", "Strategic developments"]
    assert count_line(at) == "**2 of 8 incidents · 0 fatalities**"
    assert sorted(folium_calls.layer_ids()) == ["seed-000-05", "seed-000-06"]


def test_date_precision_filter_and_its_url(app, folium_calls):
    at = app.run()
    at.multiselect(key="f_date_precisions").set_value(["month", "week"]).run()
    assert count_line(at) == "**2 of 8 incidents · 0 fatalities**"
    assert sorted(table_ids(at)) == ["seed-000-04", "seed-000-06"]
    assert url(at)["when"] == ["month", "week"]
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["when"] = ["day"]
    again.run()
    assert again.multiselect(key="f_date_precisions").value == ["day"]
    assert count_line(again) == "**1 of 8 incidents · 0 fatalities**"


def test_bad_query_params_open_the_default_view(app):
    app.query_params["since"] = "not-a-date"
    app.query_params["type"] = "<script>alert(1)</script>"
    app.query_params["border"] = "-1"
    at = app.run()
    assert not at.exception
    assert count_line(at) == "**8 of 8 incidents · 0 fatalities**"


def test_incident_in_the_url_opens_its_passage(app, folium_calls):
    app.query_params["incident"] = "seed-000-07"
    at = app.run()
    assert not at.exception
    page = passage_html(at)
    marked = re.findall(r'<mark class="passage-selected" id="passage-selected">(.*?)</mark>', page, re.S)
    assert [html.unescape(m) for m in marked] == [BANJSKA_PASSAGE]
    assert "Banska Orthodox monastery · exact place" in page
    # The map opens centred on the incident at street scale (made there, not moved there), with
    # a ring around it.
    centre, zoom = folium_calls.view
    assert centre == pytest.approx((42.9767, 20.7764)) and round(zoom) == 13
    assert folium_calls.last["center"] is None
    # The other incidents of the same document can be opened from the panel.
    others = [b for b in at.button if b.key and b.key.startswith("other-")]
    assert len(others) == 7
    assert url(at)["incident"] == ["seed-000-07"]


def test_unknown_incident_in_the_url_is_reported_as_plain_text(app):
    """The id is shown with st.text, which the browser shows as it is: what Markdown would make
    a link, an e-mail link or an icon of stays text."""
    incident = ("https://example.org see www.example.net or mail@example.com :material/home: "
                "[login](https://example.org/login)")
    app.query_params["incident"] = incident
    at = app.run()
    assert not at.exception
    assert at.warning[0].value == "No incident with the id in this link is stored:"
    assert [element.value for element in at.text] == [incident]
    assert not [element for element in at.markdown if "example" in element.value]


def test_a_click_sent_as_a_position_in_the_map_data_opens_that_incident(app, folium_calls, db_path):
    """The browser knows positions in the map's data, not ids: the server looks the id up."""
    at = app.run()
    args = json.loads(DATA_CALL.search(layer_script(folium_calls)).group(1))
    with Store(db_path) as store:
        position = [row["id"] for row in store.rows()].index("seed-000-07")
    # A position in other data (an older version of the store) is ignored.
    at.session_state["map"] = {"last_active_drawing": {"properties": {
        "pos": position, "base": "/app/static/incident-data/0/base.bin", "click": 1}}}
    at.run()
    assert passage_html(at) is None
    at.session_state["map"] = {"last_active_drawing": {"properties": {
        "pos": position, "base": args["base"], "click": 2}}}
    at.run()
    assert BANJSKA_PASSAGE.split(",")[0] in html.unescape(passage_html(at))
    assert url(at)["incident"] == ["seed-000-07"]


def test_map_click_opens_the_passage_and_the_url(app):
    at = app.run()
    at.session_state["map"] = {"last_active_drawing": {"properties": {"id": "seed-000-05", "click": "1-1"}}}
    at.run()
    assert "unidentified gunmen opened fire" in passage_html(at)
    assert url(at)["incident"] == ["seed-000-05"]
    # Closing, then clicking the same incident again (a new click token) opens it again.
    at.button(key="close_button").click().run()
    assert passage_html(at) is None
    at.session_state["map"] = {"last_active_drawing": {"properties": {"id": "seed-000-05", "click": "1-2"}}}
    at.run()
    assert "unidentified gunmen opened fire" in passage_html(at)


def test_other_incident_button_and_show_on_map(app, folium_calls):
    app.query_params["incident"] = "seed-000-05"
    at = app.run()
    at.button(key="other-seed-000-06").click().run()
    assert "NATO forces operating in the region" in passage_html(at)
    assert url(at)["incident"] == ["seed-000-06"]
    at.button(key="focus_button").click().run()
    # northern Kosovo is a region: the map shows the region, not a street.
    assert folium_calls.last["center"] == pytest.approx((42.977, 20.761))
    assert round(folium_calls.last["zoom"]) == 10


def test_filtered_out_incident_still_opens(app):
    app.query_params["incident"] = "seed-000-07"
    app.query_params["undated"] = "0"
    at = app.run()
    assert "seed-000-07" not in table_ids(at)
    assert any("hidden by the current filters" in c.value for c in at.caption)
    assert BANJSKA_PASSAGE.split(",")[0] in html.unescape(passage_html(at))


def test_timeline_follows_the_filters(app):
    at = app.run()
    chart = at.get("vega_lite_chart")[0]  # the timeline; the municipality charts follow
    colour = json.loads(chart.proto.spec)["encoding"]["color"]["scale"]
    assert json.loads(chart.proto.spec)["encoding"]["x"]["sort"] == ["2023-05", "2023-06", "2023-07", "2023-08", "2023-09"]
    # Coloured as on the map.
    assert colour == {"domain": ["Battles", "Strategic developments"], "range": ["#D55E00", "#0072B2"]}
    assert any("5 undated incident(s)" in c.value for c in at.caption)
    at.multiselect(key="f_event_types").set_value(["Riots"]).run()
    assert any("No dated incident" in c.value for c in at.caption)


def test_filters_left_open_include_incidents_imported_later(app, store):
    """After an import the slider spans the new dates and, if it showed everything, still does."""
    import dataclasses

    at = app.run()
    at.multiselect(key="f_event_types").set_value(["Battles"]).run()
    assert count_line(at) == "**1 of 8 incidents · 0 fatalities**"
    later = dataclasses.replace(
        store.incident("seed-000-05"), id="later-01", date_start=dt.date(2024, 3, 2), date_end=dt.date(2024, 3, 2),
        description="A later clash.", geo_precision=1, latitude=43.2, longitude=20.72,
    )
    store.add(incidents=[later])
    at.run()
    assert at.slider(key="f_dates").value == (dt.date(2023, 5, 1), dt.date(2024, 3, 2))
    assert count_line(at) == "**2 of 9 incidents · 0 fatalities**"
    assert sorted(table_ids(at)) == ["later-01", "seed-000-05"]
    # The border slider also grows with the data and stays at "no limit".
    assert at.slider(key="f_max_border_km").value == at.slider(key="f_max_border_km").max


def test_an_upload_in_the_app_adds_incidents_to_the_map_and_the_table(app, folium_calls):
    """Job 4 end to end in the app: upload the ACLED fixture, add it, see it on the map."""
    from pathlib import Path

    at = app.run()
    assert count_line(at) == "**8 of 8 incidents · 0 fatalities**"
    data = (Path(__file__).parent / "fixtures" / "acled_kosovo.csv").read_bytes()
    at.file_uploader[0].set_value(("acled_kosovo.csv", data, "text/csv")).run()
    assert count_line(at) == "**8 of 8 incidents · 0 fatalities**"  # the preview stores nothing
    (add,) = [button for button in at.button if button.label.startswith("Add ")]
    assert add.label == "Add 5 incidents"
    add.click().run()
    assert not at.exception
    assert count_line(at) == "**13 of 13 incidents · 0 fatalities**"
    added = sorted(set(table_ids(at)) - {f"seed-000-0{n}" for n in range(1, 9)})
    assert len(added) == 5
    assert sorted(folium_calls.layer_ids()) == sorted(table_ids(at))


def test_a_large_set_is_listed_a_page_at_a_time_and_mapped_whole(app, store, folium_calls):
    """The table sends at most TABLE_ROWS rows to the browser and pages through the rest; the
    map and downloads have all."""
    import dataclasses

    from mapapp.app import TABLE_ROWS

    seed = store.incident("seed-000-05")
    store.add(incidents=[
        dataclasses.replace(seed, id=f"bulk-{k:05d}", description=f"Bulk incident {k}.")
        for k in range(TABLE_ROWS + 100)
    ])
    at = app.run()
    assert not at.exception
    total = TABLE_ROWS + 108
    assert count_line(at) == f"**{total:,} of {total:,} incidents · 0 fatalities**"
    first_page = table_ids(at)
    assert len(first_page) == TABLE_ROWS
    assert (
        f"Rows 1–{TABLE_ROWS:,} of {total:,} incidents (oldest first), {TABLE_ROWS:,} per page. "
        "The downloads hold all of them."
    ) in [caption.value for caption in at.caption]
    mapped = folium_calls.layer_ids()
    assert len(mapped) == total
    at.number_input(key="table_page").set_value(2).run()
    second_page = table_ids(at)
    assert len(second_page) == 108
    assert first_page + second_page == mapped  # every incident once, oldest first


def test_source_document_filter_and_its_url(app, db_path):
    """Only the incidents of one upload, and back from a shared link (unknown ids ignored)."""
    from pathlib import Path

    at = app.run()
    data = (Path(__file__).parent / "fixtures" / "acled_kosovo.csv").read_bytes()
    at.file_uploader[0].set_value(("acled_kosovo.csv", data, "text/csv")).run()
    next(button for button in at.button if button.label.startswith("Add ")).click().run()
    with Store(db_path) as store:
        (upload,) = [row["id"] for row in store.uploads()]
        seed_title = store.document("000_5c3697c2ad0ae6c3").title
    documents = at.multiselect(key="f_documents")
    # Long titles are cut for the narrow sidebar, at a word's end.
    assert seed_title.startswith("News outlets report that Serbian")
    assert sorted(documents.options) == sorted(["Upload: acled_kosovo.csv (5)", "News outlets report that… (8)"])
    documents.select(upload).run()
    assert count_line(at) == "**5 of 13 incidents · 0 fatalities**"
    assert sorted(table_ids(at)) == ["SRB2305", "XKX2301", "XKX2302", "XKX2303", "XKX2304"]
    assert url(at)["doc"] == [upload]
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["doc"] = [upload, "upload-ffffffffffffffff"]
    again.run()
    assert count_line(again) == "**5 of 13 incidents · 0 fatalities**"
    assert again.multiselect(key="f_documents").value == [upload]


def layer_script(folium_calls):
    """The incident layer's script as the last st_folium call received it."""
    return map_scripts.layer_script(folium_calls.last["feature_group_to_add"], _base_map())


def test_a_map_click_leaves_the_layer_as_it_was_and_other_selections_redraw_it(app, folium_calls):
    """streamlit-folium redraws the markers only when the layer's script changes."""
    at = app.run()
    first = layer_script(folium_calls)
    # A click: the browser rings the marker itself, so the same script goes out (no redraw).
    at.session_state["map"] = {"last_active_drawing": {"properties": {"id": "seed-000-05", "click": "1-1"}}}
    at.run()
    assert "unidentified gunmen opened fire" in passage_html(at)
    assert layer_script(folium_calls) == first
    # Another incident chosen with a button: the ring must move, so the layer is sent anew.
    at.button(key="other-seed-000-06").click().run()
    second = layer_script(folium_calls)
    assert json.loads(DATA_CALL.search(second).group(1))["sel"]["id"] == "seed-000-06"
    # Click seed-000-05 on the map, then close: the browser's ring is at 05 while the last
    # script had 06; closing sends a script with no ring (it differs from both).
    at.session_state["map"] = {"last_active_drawing": {"properties": {"id": "seed-000-05", "click": "1-2"}}}
    at.run()
    assert layer_script(folium_calls) == second
    at.button(key="close_button").click().run()
    closed_script = layer_script(folium_calls)
    assert closed_script != second
    assert json.loads(DATA_CALL.search(closed_script).group(1))["sel"] is None
    # Click 06 (the browser rings it), then clear the selection another way: the script with
    # no ring would equal the one already sent, so a redraw count makes it differ.
    at.session_state["map"] = {"last_active_drawing": {"properties": {"id": "seed-000-06", "click": "1-3"}}}
    at.run()
    assert layer_script(folium_calls) == closed_script
    at.session_state["incident"] = None
    at.run()
    cleared_script = layer_script(folium_calls)
    assert cleared_script != closed_script
    cleared = json.loads(DATA_CALL.search(cleared_script).group(1))
    assert cleared["sel"] is None and cleared["redraw"] > json.loads(DATA_CALL.search(closed_script).group(1))["redraw"]
    # A filter change sends new markers with the current ring.
    at.session_state["map"] = {"last_active_drawing": {"properties": {"id": "seed-000-05", "click": "1-4"}}}
    at.run()
    at.multiselect(key="f_event_types").set_value(["Battles"]).run()
    filtered = json.loads(DATA_CALL.search(layer_script(folium_calls)).group(1))
    assert (mask_ids(filtered), filtered["sel"]["id"]) == (["seed-000-05"], "seed-000-05")
    assert "redraw" not in filtered


def _import_acled_actors(db_path):
    from pathlib import Path

    from mapapp.ingest.importer import commit, plan_import

    data = (Path(__file__).parent / "fixtures" / "acled_actors_fatalities.csv").read_bytes()
    with Store(db_path) as store:
        commit(plan_import(data, "acled.csv", store), store)


def test_actor_and_fatalities_filters_total_and_url(app, db_path):
    _import_acled_actors(db_path)
    app.query_params["actor"] = "Police Forces of Kosovo (2008-)"
    app.query_params["fatalities"] = "1"
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="f_actors").value == ["Police Forces of Kosovo (2008-)"]
    assert at.number_input(key="f_min_fatalities").value == 1
    assert count_line(at) == "**1 of 12 incidents · 4 fatalities**"
    assert table_ids(at) == ["XKX3001"]
    # The actor list is the store's, most named first.
    assert at.multiselect(key="f_actors").options[:2] == [
        "Unidentified Armed Group (Kosovo) (3)", "Civilians (Kosovo) (2)"]
    at.number_input(key="f_min_fatalities").set_value(0).run()
    assert count_line(at) == "**2 of 12 incidents · 4 fatalities**"
    assert url(at) == {"actor": ["Police Forces of Kosovo (2008-)"]}
    assert any("2 incidents, 4 fatalities (of 12)" in m.value for m in at.markdown)


def test_a_moved_map_is_kept_in_the_url_and_reopened(app, folium_calls):
    at = app.run()
    # The opening view fits the incidents shown: northern Kosovo and the border area.
    assert folium_calls.view == ((42.98318, 20.95927), 9)
    # It opens there, not moved there: the browser's map reports one view, not a second.
    assert folium_calls.last["center"] is None
    assert "lat" not in url(at)
    at.session_state["map"] = {"center": {"lat": 42.91, "lng": 20.84}, "zoom": 12}
    at.run()
    assert {key: url(at)[key] for key in ("lat", "lon", "z")} == {"lat": ["42.91000"], "lon": ["20.84000"], "z": ["12"]}
    shared = AppTest.from_file(APP, default_timeout=60)
    for key, value in url(at).items():
        shared.query_params[key] = value
    shared.run()
    assert not shared.exception
    assert folium_calls.view == ((42.91, 20.84), 12)


def test_choosing_an_incident_of_the_document_moves_the_map_to_it(app, folium_calls):
    app.query_params["incident"] = "seed-000-05"
    at = app.run()
    (button,) = [b for b in at.button if b.key == "other-seed-000-07"]
    button.click().run()
    assert not at.exception
    assert at.session_state["incident"] == "seed-000-07"
    centre, zoom = folium_calls.last["center"], folium_calls.last["zoom"]
    # Banjska monastery, an exact place: the zoom of a street.
    assert (round(centre[0], 4), round(centre[1], 4), round(zoom)) == (42.9767, 20.7764, 13)
    assert "Banska Orthodox monastery" in passage_html(at)


def test_the_date_range_can_be_typed(app):
    at = app.run()
    typed = at.date_input(key="f_dates_typed")
    assert typed.value == (dt.date(2023, 5, 1), dt.date(2023, 9, 30))
    typed.set_value((dt.date(2023, 9, 1), dt.date(2023, 9, 30))).run()
    assert not at.exception
    assert at.slider(key="f_dates").value == (dt.date(2023, 9, 1), dt.date(2023, 9, 30))
    assert count_line(at) == "**7 of 8 incidents · 0 fatalities**"
