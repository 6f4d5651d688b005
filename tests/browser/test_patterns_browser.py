"""Time playback and density hexagons in the app's map, in Chromium, on the data in the page.

Screenshots at 1366x768 go to tests/artifacts/ for a person to look at.
"""

import pytest

from mapapp import PROJECT_DIR
from mapapp.ingest.importer import commit, plan_import
from mapapp.store import Store
from tests.browser.conftest import AppServer, Page
from tests.browser.test_map_browser import pause, wait_for_url

FIXTURES = PROJECT_DIR / "tests" / "fixtures"
# Every incident of the store fits the map at this zoom: nothing is left undrawn off-screen.
ALL_IN_VIEW = "() => window.map.setView([43.4, 20.9], 6)"


@pytest.fixture(scope="module")
def patterns_server(chromium, tmp_path_factory):
    folder = tmp_path_factory.mktemp("patterns-app")
    with Store(folder / "mapapp.db") as store:
        for name in ("acled_kosovo.csv", "ucdp_ged_kosovo.csv", "same_event_acled.csv", "same_event_ucdp.csv",
                     "same_event_log.csv"):
            commit(plan_import((FIXTURES / name).read_bytes(), name, store), store)
        precisions = [row["geo_precision"] for row in store.rows()]
    server = AppServer(folder / "mapapp.db", folder / "streamlit.log")
    server.located = sum(1 for p in precisions if p <= 3)
    server.total = len(precisions)
    yield server
    server.stop()


@pytest.fixture
def page(chromium, patterns_server):
    opened = Page(chromium, patterns_server.url)
    yield opened
    opened.close()


def drawn_total(page):
    state = page.leaflet().evaluate("() => window.mapappIncidents.state()")
    singles = {s["pos"] for s in state["singles"] + state["fan"]}
    if state["selected"] and state["selected"]["shown"]:
        singles.add(state["selected"]["pos"])
    return len(singles) + sum(c["n"] for c in state["clusters"]) + sum(a["n"] for a in state["areas"])


def total_drawn_becomes(page, expected, timeout=15):
    """The drawn total once it is `expected`, or the last seen after `timeout` seconds (the map
    draws a frame on its next animation frame: later on a loaded machine)."""
    for _ in range(int(timeout / 0.25)):
        total = drawn_total(page)
        if total == expected:
            break
        pause(page, 0.25)
    return total


def tools(page):
    return page.map_frame().locator(".map-tools")


def test_a_link_reopens_the_paused_frame_then_playback_steps_through_months_and_density_cells(page, patterns_server):
    """One page (a page load is the browser tests' largest cost): a link's paused week, then
    playback by month, then the density cells."""
    _a_link_reopens_the_paused_frame(page)
    _playback_steps_through_months_and_shows_the_window(page, patterns_server)
    _density_cells_sum_to_the_located_incidents_shown(page, patterns_server)


def _a_link_reopens_the_paused_frame(page):
    page.open("?play=week:2023-09-25")
    frame = page.leaflet()
    frame.wait_for_function("() => window.mapappPlayback && window.mapappPlayback.state().last", timeout=30_000)
    last = frame.evaluate("() => window.mapappPlayback.state().last")
    # The week of Monday 25 September 2023: the Zubin Potok shooting of the 26th.
    assert last["window"] == ["2023-09-25", "2023-10-01"]
    assert last["shown"] == 1
    assert tools(page).locator("input[name=playback]").is_checked()


def _playback_steps_through_months_and_shows_the_window(page, patterns_server):
    frame = page.leaflet()
    frame.evaluate(ALL_IN_VIEW)
    tools(page).locator("input[name=playback]").check()
    tools(page).locator(".playback-row select").first.select_option("month")
    frame.wait_for_function("() => window.mapappPlayback.state().unit === 'month' && window.mapappPlayback.state().last")
    # Drag to May 2023: ACLED's 26, 29 and 30 May and the seed's May-precise statement.
    index = frame.evaluate("""() => {
        window.mapappPlayback.show(0);
        for (let k = 0; k < window.mapappPlayback.state().frames; k++) {
            window.mapappPlayback.show(k);
            if (window.mapappPlayback.state().last.window[0] === '2023-05-01') { return k; }
        }
        return -1;
    }""")
    assert index > 0
    last = frame.evaluate("() => window.mapappPlayback.state().last")
    assert last["window"] == ["2023-05-01", "2023-05-31"]
    assert last["shown"] == 4
    # In no single month: UCDP's year-long 1998 row; undated: the five seed statements.
    assert (last["vague"], last["undated"]) == (1, 5)
    assert total_drawn_becomes(page, 4) == 4
    assert "2023-05-01 – 2023-05-31 · 4 incident(s)" in tools(page).locator(".playback-when").text_content()
    # Step forward: June 2023 has nothing; September holds the Banjska attack's reports.
    tools(page).locator(".playback-bar button").nth(2).click()
    frame.wait_for_function("() => window.mapappPlayback.state().last.window[0] !== '2023-05-01'", timeout=15_000)
    last = frame.evaluate("() => window.mapappPlayback.state().last")
    assert (last["window"], last["shown"]) == (["2023-06-01", "2023-06-30"], 0)
    assert total_drawn_becomes(page, 0) == 0
    # The paused frame is in the page's address, and comes back there after a rerun that began
    # before it was written has written the address without it.
    for _ in range(2):
        url = wait_for_url(page, "play=month")
        assert "play=month%3A2023-06-01" in url or "play=month:2023-06-01" in url
        pause(page, 2)
    # Play from the first month: the frames advance by themselves, each with its own count.
    frame.evaluate("() => window.mapappPlayback.show(0)")
    tools(page).locator(".playback-bar button").nth(1).click()
    frame.wait_for_function("() => window.mapappPlayback.state().frame >= 3", timeout=15_000)
    tools(page).locator(".playback-bar button").nth(1).click()
    state = frame.evaluate("() => window.mapappPlayback.state()")
    assert not state["playing"] and 3 <= state["frame"] < index
    assert total_drawn_becomes(page, state["last"]["shown"]) == state["last"]["shown"]
    page.screenshot("playback_month.png")
    # Off: every filtered incident is back.
    tools(page).locator("input[name=playback]").uncheck()
    assert total_drawn_becomes(page, patterns_server.total) == patterns_server.total


def _density_cells_sum_to_the_located_incidents_shown(page, patterns_server):
    """Density cells count every located incident shown, on screen or not, at any zoom, and
    only playback's window while it runs."""
    frame = page.leaflet()
    tools(page).locator("input[name=density]").check()
    frame.wait_for_function("() => window.mapappDensity.state() !== null")
    state = frame.evaluate("() => window.mapappDensity.state()")
    assert sum(n for _, _, n in state["cells"]) == state["counted"] == patterns_server.located
    assert state["leftOut"] == patterns_server.total - patterns_server.located
    legend = tools(page).locator(".density-legend").text_content()
    assert f"{patterns_server.located} located incident(s)" in legend
    assert f"{state['leftOut']} region- or country-level incident(s) left out" in legend
    # Another zoom, another grid: the cells change, their sum does not.
    frame.evaluate("() => window.map.setZoom(window.map.getZoom() + 2)")
    frame.wait_for_function(f"() => window.mapappDensity.state().zoom === {state['zoom'] + 2}")
    finer = frame.evaluate("() => window.mapappDensity.state()")
    assert len(finer["cells"]) >= len(state["cells"])
    assert sum(n for _, _, n in finer["cells"]) == patterns_server.located
    page.screenshot("density_hexagons.png")
    # With playback, the cells count the window's incidents only.
    tools(page).locator("input[name=playback]").check()
    tools(page).locator(".playback-row select").first.select_option("month")
    frame.wait_for_function("() => window.mapappPlayback.state().unit === 'month'")
    # Step to September 2023, again if a rerun of the page reset the playback meanwhile, until
    # the cells have been counted for that window (the layer redraws a moment later when busy).
    september = f"""() => {{
        const playback = window.mapappPlayback, density = window.mapappDensity;
        const at = () => playback.state().last && playback.state().last.window[0] === '2023-09-01';
        for (let k = 0; !at() && k < playback.state().frames; k++) {{ playback.show(k); }}
        const cells = density.state();
        return at() && cells !== null && cells.counted < {patterns_server.located} ? cells : null;
    }}"""
    frame.wait_for_function(september)
    shown = frame.evaluate(september)
    # September 2023: the Banjska reports (4, exact), log-102 and the Leposavić protest; the
    # seed's "northern Kosovo" clash and ACLED's month-precise Raska row are region-level.
    assert sum(n for _, _, n in shown["cells"]) == shown["counted"] == 6
    assert shown["leftOut"] == 3
