"""The standalone map file in Chromium: opened from disk, no server, every network request
refused; it shows the markers and, on a click, the incident's passage."""

from mapapp import PROJECT_DIR
from mapapp.filters import incident_frame
from mapapp.ingest.importer import commit, plan_import
from mapapp.standalone import standalone_html
from mapapp.store import Store
from tests.browser.conftest import ARTIFACTS, VIEWPORT

FIXTURES = PROJECT_DIR / "tests" / "fixtures"
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
MAP_WIDTH = VIEWPORT["width"] - 360  # the passage panel takes the rest


def _frame(tmp_path):
    with Store(tmp_path / "mapapp.db") as store:
        for name in ("same_event_acled.csv", "same_event_ucdp.csv", "same_event_log.csv"):
            commit(plan_import((FIXTURES / name).read_bytes(), name, store), store)
        return incident_frame(store.rows())


def test_the_file_opens_offline_with_markers_and_a_passage(chromium, tmp_path):
    frame = _frame(tmp_path)
    frame.loc[frame["id"] == "log-102", "passage"] = HOSTILE
    rows = frame.set_index("id", drop=False)
    path = tmp_path / "incident-map.html"
    # The view of "Show on map" on the Zubin Potok shooting, opened.
    path.write_text(standalone_html(frame, rows.loc["log-102"], center=(42.95, 20.73), zoom=12), encoding="utf-8")

    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    requested, dialogs = [], []
    page.route("**/*", lambda route: (
        route.continue_() if route.request.url.startswith(("file:", "data:")) else
        (requested.append(route.request.url), route.abort())
    ))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => window.mapappIncidents && window.mapappIncidents.state().draws > 0")
        state = page.evaluate("() => window.mapappIncidents.state()")
        assert state["shown"] == 14
        # The opened incident: ringed, its passage shown as text.
        assert state["selected"]["shown"] and state["selected"]["pos"] == frame.index[frame["id"] == "log-102"][0]
        assert page.locator("#r-id").text_content() == "log-102"
        assert page.locator("#r-passage").text_content() == HOSTILE
        # A click on another single marker shows its passage.
        box = page.locator(".leaflet-container").bounding_box()
        single = next(s for s in state["singles"]
                      if s["pos"] != state["selected"]["pos"] and 60 < s["x"] < MAP_WIDTH - 60 and 60 < s["y"] < 700)
        other = frame["id"].iloc[single["pos"]]
        page.mouse.click(box["x"] + single["x"], box["y"] + single["y"])
        page.wait_for_function(f"document.getElementById('r-id').textContent === {other!r}")
        assert page.locator("#r-passage").text_content() == rows.loc[other, "passage"]
        # Zoomed out, every incident of the file is drawn: singles, clusters, region/country places.
        draws = page.evaluate("() => window.mapappIncidents.state().draws")
        page.evaluate("""() => Object.values(window).find(v => v instanceof L.Map).setView([43.3, 20.9], 7)""")
        page.wait_for_function(f"() => window.mapappIncidents.state().draws > {draws}")
        state = page.evaluate("() => window.mapappIncidents.state()")
        singles = {s["pos"] for s in state["singles"]} | {state["selected"]["pos"]}
        drawn = len(singles) + sum(c["n"] for c in state["clusters"]) + sum(a["n"] for a in state["areas"])
        assert drawn == 14
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "standalone_map.png"))
        assert requested == [] and dialogs == []
    finally:
        context.close()
