"""Everyday use in a real browser: the map knows the region, a shared link reopens the same
map, a choice in the table moves the map, an import asks what a file's values mean.

Screenshots (tests/artifacts/, git-ignored): the opening view and zoom 12 around Zvečan at
1366x768 and 1920x1080, and the import's value step at 1366x768.
"""

import time


from mapapp import PROJECT_DIR
from tests.browser.conftest import MAP_FRAME, Page
from tests.browser.test_map_browser import pause, wait_for_text, wait_for_total, wait_for_url

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


def test_the_region_is_named_as_you_zoom_in_on_a_laptop_and_a_large_screen(chromium, app_server):
    """At 1366x768, then in the same page made 1920x1080 with the map back at its opening view."""
    page = Page(chromium, app_server.url, SIZES["1366"])
    try:
        page.open()
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
        assert page.external == []
    finally:
        page.close()


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


def test_a_link_reopens_the_map_where_it_was_a_table_row_moves_it_and_an_import_asks_for_values(chromium, page):
    """One page, in turn (a page load is the browser tests' largest cost): the map moved and its
    link opened in another page; a table row chosen; a file's import up to its value step."""
    _a_shared_link_reopens_the_map_where_it_was(chromium, page)
    _a_table_row_moves_the_map_and_shows_the_passage(page)
    _the_value_step_of_an_import(page)
    assert page.external == []


def _a_shared_link_reopens_the_map_where_it_was(chromium, page):
    page.open()
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
