"""The map with 100,000 incidents, every text field of them carrying a script payload:
clusters open to single markers and to lists, a click reaches the passage, nothing runs."""

import re
import time

import pytest

from tests.browser.conftest import AppServer, Page, settle
from tests.browser.test_map_browser import click_map, drawn, hover_map, pause
from tests.payloads import SCRIPT_PAYLOADS
from tests.scale import build_store

COUNT = 100_000
ZVECAN = (42.9075, 20.84028)  # a town point: ACLED-style exact incidents stack on it


@pytest.fixture(scope="module")
def scale_server(chromium, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale-app")
    db = folder / "mapapp.db"
    build_store(db, COUNT, payloads=SCRIPT_PAYLOADS)
    server = AppServer(db, folder / "streamlit.log")
    yield server
    server.stop()


def wait_for_draw(page, check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = drawn(page)
        if state and state["draws"] and check(state):
            return state
        pause(page, 0.2)
    raise AssertionError(f"not drawn as expected: {drawn(page)}")


def ids_of(page, positions):
    return page.leaflet().evaluate("(p) => window.mapappIncidents.ids(p)", positions)


def in_view(page, spot, margin=60):
    size = page.leaflet().evaluate("() => [window.map.getSize().x, window.map.getSize().y]")
    return margin < spot["x"] < size[0] - margin and margin < spot["y"] < size[1] - margin - 30


def test_a_click_in_a_cluster_reaches_its_passage_at_100000(chromium, scale_server):
    page = Page(chromium, scale_server.url)
    try:
        page.open()
        state = wait_for_draw(page, lambda s: s["shown"] == COUNT + 8, timeout=90)
        # Everything shown is drawn once: clusters, single markers, region and country areas.
        total = sum(c["n"] for c in state["clusters"]) + sum(a["n"] for a in state["areas"]) + len(state["singles"])
        assert total == COUNT + 8
        # A cluster holds its type mix.
        biggest = max(state["clusters"], key=lambda c: c["n"])
        assert sum(biggest["types"]) == biggest["n"] and sum(1 for t in biggest["types"] if t) >= 5

        # Click spread clusters until single markers show, then click one.
        leaflet = page.leaflet()
        for _ in range(10):
            singles = [s for s in state["singles"] if in_view(page, s)]
            if singles:
                break
            spread = [c for c in state["clusters"] if not c["stack"] and in_view(page, c)]
            target = max(spread, key=lambda c: c["n"])
            zoom = leaflet.evaluate("() => window.map.getZoom()")
            click_map(page, target["x"], target["y"])
            state = wait_for_draw(page, lambda s, z=zoom: leaflet.evaluate("() => window.map.getZoom()") > z)
            pause(page, 0.3)
            state = drawn(page)
        single = singles[0]
        (incident_id,) = ids_of(page, [single["pos"]])
        number = int(re.match(r"XKX(\d{7})", incident_id).group(1))
        # Where that marker is once the page has settled: a run the zoom asked for (the map
        # reports its view) may draw the layer again meanwhile.
        settle(page)
        single = next(s for s in drawn(page)["singles"] if s["pos"] == single["pos"])
        click_map(page, single["x"], single["y"])
        mark = page.page.locator("mark#passage-selected")
        mark.wait_for(timeout=30_000)
        assert f"event {number}:" in mark.inner_text()
        assert SCRIPT_PAYLOADS[number % len(SCRIPT_PAYLOADS)] in mark.inner_text()
        ring = wait_for_draw(page, lambda s: s["selected"] is not None)["selected"]
        assert (ring["pos"], ring["x"], ring["y"]) == (single["pos"], pytest.approx(single["x"], abs=1),
                                                         pytest.approx(single["y"], abs=1))

        # A stack of thousands on one town point becomes a list; an item of it opens its passage.
        leaflet.evaluate(f"() => window.map.setView([{ZVECAN[0]}, {ZVECAN[1]}], 18, {{animate: false}})")
        state = wait_for_draw(page, lambda s: any(c["stack"] and c["n"] > 1000 for c in s["clusters"]))
        stack = max((c for c in state["clusters"] if c["stack"]), key=lambda c: c["n"])
        click_map(page, stack["x"], stack["y"])
        items = page.map_frame().locator(".incident-list-item")
        items.first.wait_for(timeout=15_000)
        assert items.count() == 50
        heading = page.map_frame().locator(".incident-list-head").inner_text()
        assert heading.startswith(f"{stack['n']} incidents at one point")
        deadline = time.monotonic() + 15
        while "…" in items.nth(3).inner_text() and time.monotonic() < deadline:
            pause(page, 0.2)
        position = int(items.nth(3).get_attribute("data-position"))
        (listed_id,) = ids_of(page, [position])
        items.nth(3).click()
        number = int(re.match(r"XKX(\d{7})", listed_id).group(1))
        deadline = time.monotonic() + 30
        while f"event {number}:" not in mark.inner_text() and time.monotonic() < deadline:
            pause(page, 0.25)
        assert f"event {number}:" in mark.inner_text()
        # The list stays open with the chosen item marked, and the ring is on the stack.
        assert page.map_frame().locator(".incident-list-item.selected").count() == 1
        assert drawn(page)["selected"]["pos"] == position

        # Tooltips show the payloads as text.
        page.map_frame().locator(".incident-list-close").click()
        leaflet.evaluate("() => window.map.setView([42.93, 20.85], 15, {animate: false})")
        state = wait_for_draw(page, lambda s: len([x for x in s["singles"] if in_view(page, x)]) >= 3)
        tips = []
        for single in [s for s in state["singles"] if in_view(page, s)][:5]:
            hover_map(page, single["x"], single["y"])
            tip = page.map_frame().locator(".incident-tip")
            deadline = time.monotonic() + 10
            while "XKX" not in tip.inner_text() and time.monotonic() < deadline:
                pause(page, 0.1)
            tips.append(tip.inner_text())
        assert all(any(payload in tip for payload in SCRIPT_PAYLOADS) for tip in tips), tips
        for context in (page.page, leaflet):
            assert context.evaluate("() => window.pwned === undefined && !document.getElementById('pwned')")
        assert page.dialogs == []
        assert page.external == []
        page.screenshot("map_100000.png")
    finally:
        page.close()
