"""The map in a real browser: markers, clicks, filters, offline, untrusted text from a URL, and
everyday use: the map names the region, a shared link reopens the same map, a choice in the
table moves the map, an import asks what a file's values mean. (Untrusted text in the map's
incidents: test_map_scale, whose 100,000 incidents carry a script payload in every text field.)

Screenshots (tests/artifacts/, git-ignored), for a person to look at: the map at 1366x768 as
opened, with a passage, filtered; the opening view and zoom 12 around Zvečan at 1366x768 and
1920x1080; the import's value step.
"""

import json
import time
from pathlib import Path

import pytest

from mapapp import PROJECT_DIR
from tests.browser.conftest import MAP_FRAME, Page, settle

BANJSKA_PASSAGE = (
    "In a separate incident, a group of masked gunmen reportedly breached the grounds of the "
    "Banska Orthodox monastery, raising questions about religious and cultural security in the territory."
)

# What the incident layer has drawn (mapapp/assets/incident_layer.js): single incidents and the
# open one (by position in the data), clusters and region/country areas (with their counts).
STATE = "() => window.mapappIncidents ? window.mapappIncidents.state() : null"


def drawn(page):
    return page.leaflet().evaluate(STATE)


def visible(page):
    """({"markers": ids of single incidents drawn, "clusters": counts, "areas": counts}, total)."""
    state = drawn(page)
    if not state or not state["draws"]:
        return {"markers": [], "clusters": [], "areas": []}, 0
    positions = [s["pos"] for s in state["singles"] + state["fan"]]
    if state["selected"] and state["selected"]["shown"]:
        positions.append(state["selected"]["pos"])
    ids = page.leaflet().evaluate("(p) => window.mapappIncidents.ids(p)", positions) if positions else []
    shown = {
        "markers": sorted(ids),
        "clusters": [c["n"] for c in state["clusters"]],
        "areas": [a["n"] for a in state["areas"]],
    }
    return shown, len(ids) + sum(shown["clusters"]) + sum(shown["areas"])


def wait_for_total(page, expected, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        shown, total = visible(page)
        if total == expected or time.monotonic() > deadline:
            return shown, total
        pause(page, 0.25)


def click_map(page, x, y):
    """Click the map at container pixel (x, y) (the layer draws on a canvas: no element to click)."""
    frame = page.page.locator(MAP_FRAME).bounding_box()
    origin = page.leaflet().evaluate("() => { const r = window.map.getContainer().getBoundingClientRect(); return [r.x, r.y]; }")
    page.page.mouse.click(frame["x"] + origin[0] + x, frame["y"] + origin[1] + y)


def hover_map(page, x, y):
    frame = page.page.locator(MAP_FRAME).bounding_box()
    origin = page.leaflet().evaluate("() => { const r = window.map.getContainer().getBoundingClientRect(); return [r.x, r.y]; }")
    page.page.mouse.move(frame["x"] + origin[0] + x, frame["y"] + origin[1] + y)


def single_at(page, incident_id):
    """The drawn single incident of this id: {pos, x, y}, or None."""
    state = drawn(page)
    singles = state["singles"] + state["fan"]
    if not singles:
        return None
    ids = page.leaflet().evaluate("(p) => window.mapappIncidents.ids(p)", [s["pos"] for s in singles])
    return next((s for s, i in zip(singles, ids) if i == incident_id), None)


def wait_for_text(page, text, timeout=60_000):
    page.page.get_by_text(text).first.wait_for(timeout=timeout)


def wait_for_url(page, fragment, timeout=30):
    deadline = time.monotonic() + timeout
    while fragment not in page.page.url and time.monotonic() < deadline:
        pause(page, 0.2)
    return page.page.url


def pause(page, seconds):
    """Wait while Playwright keeps handling the page's events (time.sleep would stall them,
    and page.url would never change)."""
    page.page.wait_for_timeout(seconds * 1000)


def test_the_seed_map_a_click_a_narrower_date_range_and_online_tiles_only_when_ticked(page):
    """One page, in turn (a page load is the browser tests' largest cost): the seed incidents,
    the legend and the offline base map; a click on an incident reads its passage and "Show on
    map" comes back to it; a narrower date range and no undated incidents; the online tiles."""
    _the_seed_map(page)
    _click_an_incident_to_read_its_passage(page)
    _narrowing_the_dates_removes_markers_and_keeps_the_view(page)
    # Online tiles only when ticked.
    page.map_frame().get_by_label("OpenStreetMap tiles (online)").check()
    deadline = time.monotonic() + 10
    while not page.external and time.monotonic() < deadline:
        pause(page, 0.2)
    assert page.external, "ticking the layer requests tiles"
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in page.external)


def _the_seed_map(page):
    page.open()
    shown, total = wait_for_total(page, 8)
    assert total == 8, shown
    wait_for_text(page, "8 of 8 incidents")
    frame = page.map_frame()
    legend = frame.locator(".map-legend")
    # On a 1366x768 screen the legend starts folded (it would cover a quarter of the map).
    assert legend.is_visible() and not frame.get_by_text("Undated: dashed outline").is_visible()
    box = legend.bounding_box()
    assert box["width"] < 100 and box["height"] < 30, box
    frame.get_by_role("button", name="Legend").click()
    for words in ("Battles", "Strategic developments", "Undated: dashed outline", "Kosovo–Serbia boundary"):
        assert words in legend.inner_text()
    # Offline base map: boundary line, town labels, outlines drawn from local data.
    assert frame.locator('path[stroke="#b03a2e"]').count() == 1
    labels = set(frame.locator(".place-label").all_inner_texts())
    assert {"North Mitrovica", "Zvečan", "Zubin Potok", "Leposavić", "Raška", "Novi Pazar"} <= labels
    # Regions and countries are a layer of their own (areas with a count), never clustered
    # with points: northern Kosovo (seed 05, 06), the border area (02), Kosovo (3), Serbia (1).
    assert sorted(shown["areas"]) == [1, 1, 2, 3]
    assert shown["markers"] == ["seed-000-07"] and shown["clusters"] == []
    page.screenshot("map_default.png")
    # The legend folds away again.
    frame.get_by_role("button", name="Legend").click()
    assert not frame.get_by_text("Undated: dashed outline").is_visible()
    assert page.external == []


def _narrowing_the_dates_removes_markers_and_keeps_the_view(page):
    leaflet = page.leaflet()
    # (A move made while Leaflet still animates a zoom is undone when the animation ends.)
    leaflet.wait_for_function("() => !window.map._animatingZoom")
    # The user has moved the map: a filter change must neither reload it nor reset the view.
    leaflet.evaluate("() => { window.__kept = 'yes'; window.map.setView([43.4, 20.9], 8, {animate: false}); }")
    pause(page, 1)

    # Drag the start of the date range from May 2023 to a little over a third of the way.
    thumb = page.page.locator('input[aria-label="Date range — start"]').locator("xpath=../..")
    box = thumb.bounding_box()
    track = page.page.locator('[role="group"][aria-label="Date range"] > div').first.bounding_box()
    page.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.page.mouse.down()
    page.page.mouse.move(track["x"] + track["width"] * 0.4, box["y"] + box["height"] / 2, steps=8)
    page.page.mouse.up()
    # The May 2023 incident drops out; the September ones and the undated ones stay.
    wait_for_text(page, "7 of 8 incidents")
    shown, total = wait_for_total(page, 7)
    assert total == 7, shown
    assert "since=2023-0" in wait_for_url(page, "since=2023-0")

    page.page.get_by_text("Include undated incidents").click()
    wait_for_text(page, "2 of 8 incidents")
    shown, total = wait_for_total(page, 2)
    assert total == 2, shown

    state = leaflet.evaluate("() => [window.__kept, window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    assert state[0] == "yes", "the map was reloaded"
    # (within a few pixels: the map snaps its centre to whole pixels)
    assert state[1:] == [pytest.approx(43.4, abs=0.01), pytest.approx(20.9, abs=0.01), 8]
    page.screenshot("map_filtered.png")
    assert page.external == []


def _click_an_incident_to_read_its_passage(page):
    wait_for_total(page, 8)
    leaflet = page.leaflet()
    # Banjska (exact) is a marker of its own, apart from the northern Kosovo region 1.3 km away.
    banjska = single_at(page, "seed-000-07")
    assert banjska is not None
    leaflet.evaluate("() => { window.__layer = window.feature_group[window.feature_group.length - 1]; }")
    click_map(page, banjska["x"], banjska["y"])

    mark = page.page.locator("mark#passage-selected")
    mark.wait_for(timeout=30_000)
    assert mark.inner_text() == BANJSKA_PASSAGE
    assert "incident=seed-000-07" in wait_for_url(page, "incident=seed-000-07")
    # The click rang the marker in the browser, and the rerun left the layer on the map as it
    # was: not redrawn, so a stack the user opened is still open.
    pause(page, 1)
    selected = drawn(page)["selected"]
    assert (selected["x"], selected["y"]) == (pytest.approx(banjska["x"], abs=1), pytest.approx(banjska["y"], abs=1))
    assert leaflet.evaluate("() => Boolean(window.__layer._map) && window.feature_group.includes(window.__layer)")
    # Beside the map and in view at 1366x768 without scrolling the page.
    pause(page, 0.5)  # the panel scrolls its document to the passage
    box = mark.bounding_box()
    map_box = page.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box["x"] >= map_box["x"] + map_box["width"]
    assert 0 <= box["y"] and box["y"] + min(box["height"], 40) <= 768
    doc = page.page.locator("#passage-doc").bounding_box()
    assert doc["y"] <= box["y"] <= doc["y"] + doc["height"]
    assert page.page.evaluate("() => window.scrollY") == 0
    page.screenshot("map_passage.png")

    # Back to the map, focused on the incident.
    page.page.get_by_role("button", name="Show on map").click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        centre = leaflet.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
        if abs(centre[0] - 42.9767) < 1e-3 and abs(centre[1] - 20.7764) < 1e-3:
            break
        pause(page, 0.25)
    assert centre[0] == pytest.approx(42.9767, abs=1e-3) and centre[1] == pytest.approx(20.7764, abs=1e-3)
    assert centre[2] == 13
    assert drawn(page)["selected"]["pos"] == banjska["pos"]
    assert page.external == []


def test_a_shared_link_reopens_its_filters_and_incident_and_downloads_are_the_filtered_incidents(page):
    page.open("?type=Strategic%20developments&undated=0&incident=seed-000-06")
    wait_for_text(page, "2 of 8 incidents")
    shown, total = wait_for_total(page, 2)
    assert total == 2, shown
    mark = page.page.locator("mark#passage-selected")
    mark.wait_for(timeout=30_000)
    assert mark.inner_text().startswith("NATO forces operating in the region quickly stated")
    # A click during a rerun (the map reporting its view) would meet a button being replaced.
    settle(page)
    with page.page.expect_download() as download:
        page.page.get_by_role("button", name="Download CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,date_start,date_end,date_precision,event_type")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["seed-000-04", "seed-000-06"]
    with page.page.expect_download() as download:
        page.page.get_by_role("button", name="Download GeoJSON").click()
    collection = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert sorted(f["id"] for f in collection["features"]) == ["seed-000-04", "seed-000-06"]
    assert page.external == []


# -- everyday use: the region named, a link, a table row, an import's value step -----------

FIXTURES = PROJECT_DIR / "tests" / "fixtures"
SIZES = {"1366": {"width": 1366, "height": 768}, "1920": {"width": 1920, "height": 1080}}
ZVECAN = (42.9075, 20.84028)


def view(page):
    return page.leaflet().evaluate("() => [map.getCenter().lat, map.getCenter().lng, map.getZoom()]")


def labels(page):
    return set(page.map_frame().locator(".place-label").all_inner_texts())


# Share of the incident canvas (sampled) under the uncertainty areas' faint tint: painted, but
# far from opaque as dots, badges and edges are.
TINTED = """() => { const c = document.querySelector('.incident-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let tinted = 0, seen = 0;
  for (let i = 3; i < d.length; i += 4 * 13) { seen++; if (d[i] > 10 && d[i] < 60) tinted++; }
  return tinted / seen; }"""


def map_box(page):
    return page.page.locator(MAP_FRAME).bounding_box()


def region_note(page):
    return page.leaflet().evaluate("() => map.getContainer().getAttribute('data-region-note')")


def go_to(page, latitude, longitude, zoom):
    """Move the map without animation: its layers redraw on the move itself (moveend)."""
    page.leaflet().evaluate(f"() => map.setView([{latitude}, {longitude}], {zoom}, {{animate: false}})")
    pause(page, 0.2)


def wait_for_view(page, expected, digits=3, timeout=15):
    """The map's (latitude, longitude, zoom) once it is `expected` (rounded), or after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        latitude, longitude, zoom = view(page)
        now = (round(latitude, digits), round(longitude, digits), zoom)
        if now == expected or time.monotonic() > deadline:
            return now
        pause(page, 0.2)


def test_region_names_on_two_screens_a_link_to_the_view_a_table_row_and_an_import(chromium, page):
    """One page, in turn (a page load is the browser tests' largest cost): the region named as
    you zoom in at 1366x768, then with the page made 1920x1080; back at 1366x768, the map moved
    and its link opened in another page; a table row chosen; a file's import up to its value step."""
    page.open()
    opening = _the_region_is_named_as_you_zoom_in_on_a_laptop_and_a_large_screen(page)
    page.page.set_viewport_size(SIZES["1366"])
    go_to(page, *opening)
    _a_shared_link_reopens_the_map_where_it_was(chromium, page)
    _a_table_row_moves_the_map_and_shows_the_passage(page)
    _the_value_step_of_an_import(page)
    assert page.external == []


def _the_region_is_named_as_you_zoom_in_on_a_laptop_and_a_large_screen(page):
    """At 1366x768, then in the same page made 1920x1080 with the map back at its opening view;
    the opening view."""
    wait_for_total(page, 8)
    wait_for_text(page, "8 incidents, 0 fatalities")
    opening = view(page)
    for size in SIZES:
        if size != "1366":
            page.page.set_viewport_size(SIZES[size])
            # The page's style sizes the map's frame to the window.
            page.page.wait_for_function(
                f"() => document.querySelector('{MAP_FRAME}').offsetHeight >= {SIZES[size]['height'] - 130}")
            go_to(page, *opening)
        _the_region_is_named_as_you_zoom_in(page, size)
    return opening


def _the_region_is_named_as_you_zoom_in(page, size):
    # The map fills the window below the title line; the sidebar and the title stay in view.
    box, height = map_box(page), SIZES[size]["height"]
    assert box["y"] + box["height"] <= height and box["height"] >= height - 130, box
    assert page.page.get_by_text("Incidents in northern Kosovo and the Kosovo–Serbia border zone").is_visible()
    assert page.page.locator('[data-testid="stSidebar"]').get_by_text("Filters").is_visible()
    # The legend is open only where it takes little of the map.
    legend = page.map_frame().locator(".map-legend")
    legend_box = legend.bounding_box()
    if size == "1366":
        assert legend_box["width"] * legend_box["height"] < 0.01 * box["width"] * box["height"]
    else:
        assert "Undated: dashed outline" in legend.inner_text()
        assert legend_box["width"] * legend_box["height"] < 0.1 * box["width"] * box["height"]
    # The opening view: the northern municipalities and the crossings are named.
    assert view(page)[2] == 9
    # In this overview the 25 km area of "northern Kosovo" is tinted.
    assert page.leaflet().evaluate(TINTED) > 0.05
    opening = labels(page)
    assert {"North Mitrovica", "Zvečan", "Zubin Potok", "Leposavić", "Jarinje crossing"} <= opening
    page.screenshot(f"everyday_opening_{size}.png")
    # Zoom 12 around Zvečan: the villages too, none of the names overlapping.
    go_to(page, *ZVECAN, 12)
    page.screenshot(f"everyday_zoom12_zvecan_{size}.png")
    # Inside that area at zoom 12 the map is not veiled grey: only the area's dashed edge
    # and the dots are drawn; the area's badge ("2 · region") is in this view.
    assert page.leaflet().evaluate(TINTED) < 0.005
    assert region_note(page) == ""
    # Closer in, with the badge out of sight: a note says region-level incidents are around.
    go_to(page, 42.89, 20.87, 13)
    assert page.leaflet().evaluate(TINTED) < 0.005
    assert region_note(page) == "2 incidents known only to a wider region around this view: zoom out to see them"
    near = labels(page)
    # Villages: Lisica, Zasela, Shipol, Donje Korilje, Mali Zvečan (the hill), ...
    assert {"Zvečan", "North Mitrovica", "Lisica", "Zasela", "Shipol", "Donje Korilje", "Mali Zvečan"} <= near
    assert len(near) > 20
    boxes = page.map_frame().locator(".place-label").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 1 and a[2] > b[0] + 1 and a[1] < b[3] - 1 and a[3] > b[1] + 1), (a, b)


def _a_shared_link_reopens_the_map_where_it_was(chromium, page):
    wait_for_total(page, 8)
    go_to(page, 42.95, 20.7, 11)
    link = wait_for_url(page, "z=11")
    assert "lat=42.95000" in link and "lon=20.70000" in link
    other = Page(chromium, page.base_url)
    try:
        other.page.goto(link)
        other.map_frame().locator(".leaflet-container").wait_for(timeout=60_000)
        assert wait_for_view(other, (42.95, 20.7, 11)) == (42.95, 20.7, 11)
    finally:
        other.close()


def _a_table_row_moves_the_map_and_shows_the_passage(page):
    wait_for_total(page, 8)
    before = view(page)
    grid = page.page.locator('[data-testid="stDataFrame"]').first  # the incident table
    grid.scroll_into_view_if_needed()
    pause(page, 1)
    box = grid.bounding_box()
    # Rows are oldest first: seed-000-04 (May 2023), then seed-000-05 (24 September 2023):
    # "northern Kosovo", a wider region, shown at zoom 10.
    page.page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 + 17)
    mark = page.page.locator("mark#passage-selected")
    mark.wait_for(timeout=30_000)
    assert mark.inner_text().startswith("During the night of September 24, unidentified gunmen")
    assert "incident=seed-000-05" in wait_for_url(page, "incident=seed-000-05")
    assert wait_for_view(page, (42.98, 20.76, 10), digits=2) == (42.98, 20.76, 10) and before[2] != 10
    # The passage was brought into view although the table was scrolled to (a smooth scroll:
    # it may still be going on).
    page.page.wait_for_function(
        "() => { const r = document.getElementById('passage-doc').getBoundingClientRect();"
        " return 0 <= r.top && r.bottom <= window.innerHeight + 1; }", timeout=15_000)


def _the_value_step_of_an_import(page):
    """The screenshot of the value step, for a person to look at (tests/test_ingest_upload_ui.py
    checks the step's content)."""
    page.page.get_by_text("Add incidents from a CSV file").click()
    section = page.page.locator('[data-testid="stExpander"]', has_text="Add incidents from a CSV file")
    section.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(FIXTURES / "serbian_log_own_types_cp1250.csv"))
    step = page.page.get_by_text("What do the type words mean?")
    step.wait_for(timeout=120_000)  # the file is read, mapped and its places looked up
    wait_for_text(page, "Sukob · 1 row · proposed")
    step.evaluate("e => e.scrollIntoView()")
    pause(page, 0.5)
    page.screenshot("everyday_value_step.png")
