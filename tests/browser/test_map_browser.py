"""The map in a real browser: markers, clicks, filters, offline, untrusted text.

Screenshots at 1366x768 are written to tests/artifacts/ (git-ignored) for a person to look at.
"""

import json
import time
from pathlib import Path

import pytest

from tests.browser.conftest import MAP_FRAME, Page, settle, start_server
from tests.payloads import SCRIPT_PAYLOADS, hostile_incidents

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


@pytest.fixture(scope="module")
def hostile_server(chromium, tmp_path_factory):
    document, incidents = hostile_incidents()
    server = start_server(tmp_path_factory, "hostile-app", [document], incidents)
    yield server
    server.stop()


def test_hostile_text_stays_text(chromium, hostile_server):
    page = Page(chromium, hostile_server.url)
    try:
        page.open("?incident=xss-1")
        mark = page.page.locator("mark#passage-selected")
        mark.wait_for(timeout=30_000)
        assert mark.inner_text() == SCRIPT_PAYLOADS[1]
        frame = page.map_frame()
        leaflet = page.leaflet()
        size = leaflet.evaluate("() => [window.map.getSize().x, window.map.getSize().y]")
        # Close enough to draw the incidents (1 km apart) as markers of their own.
        leaflet.evaluate("() => window.map.setView([42.925, 20.825], 13, {animate: false})")
        deadline = time.monotonic() + 20
        while len(drawn(page)["singles"]) < 5 and time.monotonic() < deadline:
            pause(page, 0.25)
        tips = []
        for single in drawn(page)["singles"]:
            if not (40 < single["x"] < size[0] - 40 and 40 < single["y"] < size[1] - 80):
                continue  # under the zoom buttons or the layer box
            hover_map(page, single["x"], single["y"])
            pause(page, 0.3)
            # The tooltip's texts are fetched on the first hover ("…" until they arrive).
            for _ in range(40):
                tip = frame.locator(".incident-tip").inner_text()
                if not tip.rstrip().endswith("…"):
                    break
                pause(page, 0.25)
            tips.append(tip)
        assert len(tips) >= 4
        # The tooltip shows the payload (place and summary) as text, and its id.
        assert all(any(tip.count(payload) == 2 for payload in SCRIPT_PAYLOADS) for tip in tips), tips
        # Open another hostile incident by clicking it on the map (the one nearest the middle,
        # away from the map's controls).
        first = min(drawn(page)["singles"], key=lambda s: abs(s["x"] - size[0] / 2) + abs(s["y"] - size[1] / 2))
        click_map(page, first["x"], first["y"])
        pause(page, 2)
        leaflet = page.leaflet()
        for context in (page.page, leaflet):
            assert context.evaluate("() => window.pwned === undefined && !document.getElementById('pwned')")
        assert page.dialogs == []
        page.screenshot("map_hostile.png")
        # The clicked incident's passage is shown, as text. (That the panel escapes every
        # payload is tested without a browser: test_passage_view, test_map_build.)
        mark = page.page.locator("mark#passage-selected")
        mark.wait_for(timeout=30_000)
        assert mark.inner_text().strip() in {payload.strip() for payload in SCRIPT_PAYLOADS}
        assert page.page.evaluate("() => window.pwned === undefined && !document.getElementById('pwned')")
        assert page.dialogs == []
        assert page.external == []
    finally:
        page.close()


def test_text_from_the_url_is_shown_as_plain_text(page):
    from urllib.parse import quote

    # What Markdown would make links or an icon of, all in one id: an address with and without
    # its scheme, an e-mail address, an icon code and a link.
    incident = "https://example.org see www.example.net or mail@example.com :material/home: [login](https://example.org/login)"
    page.open("?incident=" + quote(incident, safe=""))
    wait_for_text(page, "No incident with the id in this link is stored:")
    shown = page.page.locator('[data-testid="stText"]').filter(has_text="example")
    shown.first.wait_for(timeout=30_000)
    assert shown.first.inner_text() == incident
    # No link, no e-mail link, no icon: Markdown never saw the text.
    for selector in ('a[href*="example"]', 'a[href^="mailto:"]', '[data-testid="stAlertContainer"] [data-testid="stIconMaterial"]'):
        assert page.page.locator(selector).count() == 0, selector
    assert page.external == []
