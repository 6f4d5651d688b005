"""A map to hand on: the current view as one offline HTML file and as a PNG image."""

import datetime as dt
import io
import json
import re

import pytest
from PIL import Image

from mapapp import PROJECT_DIR, map_build
from mapapp.filters import Filters, incident_frame
from mapapp.ingest.importer import commit, plan_import
from mapapp.png_export import _View, render_png
from mapapp.standalone import filters_summary, standalone_html

FIXTURES = PROJECT_DIR / "tests" / "fixtures"
HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}`${1}`"


@pytest.fixture
def frame(store):
    for name in ("same_event_acled.csv", "same_event_ucdp.csv", "same_event_log.csv"):
        commit(plan_import((FIXTURES / name).read_bytes(), name, store), store)
    return incident_frame(store.rows())


def _reports(page):
    return json.loads(re.search(r'<script type="application/json" id="mapapp-reports">(.*?)</script>', page, re.S).group(1))


def test_the_file_carries_everything_inline(frame):
    page = standalone_html(frame, summary="all incidents", now=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.timezone.utc))
    assert "/app/static" not in page
    assert not re.search(r"<script[^>]* src=", page) and not re.search(r"<link[^>]* href=", page)
    # Nothing that loads from the web: the only addresses in src/href/url() are credit links
    # (Leaflet's, OpenStreetMap's for the opt-in layer, which stays off until ticked).
    linked = {url.rstrip("\\") for url in re.findall(r"""(?:src|href)=\\?["']?(https?://[^"' ]+)""", page)}
    assert linked == {"https://leafletjs.com", "https://www.openstreetmap.org/copyright"}
    assert not re.findall(r"url\((?:https?:)?//", page)
    assert "window.mapappIncidents = {" in page and '"inline":' in page
    assert "url(data:image/png;base64," in page  # Leaflet's layer-control icon
    reports = _reports(page)
    assert len(reports) == 14
    acled = frame.set_index("id").loc["XKX2310"]
    assert reports["XKX2310"][5] == acled["passage"]
    assert reports["XKX2310"][:3] == ["2023-09-24 (day)", "Banjska · exact place", "Battles / Armed clash"]
    assert "14 incident(s) · all incidents · exported 2026-11-28 09:00 UTC" in page
    assert "Outlines: Natural Earth · Town names: GeoNames (CC BY 4.0)" in page


def test_hostile_text_stays_data(frame):
    frame = frame.copy()
    frame.loc[frame["id"] == "log-101", ["passage", "description", "source"]] = HOSTILE
    page = standalone_html(frame, summary=HOSTILE)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert _reports(page)["log-101"][5] == HOSTILE  # the text itself is kept, as data


def test_filters_in_words():
    assert filters_summary(Filters()) == "all incidents"
    assert filters_summary(Filters(since=dt.date(2023, 5, 1), event_types=("Battles", "Riots"), include_undated=False,
                                   max_border_km=5.0)) == (
        "2023-05-01 to …; dated only; types: Battles, Riots; within 5 km of the boundary"
    )


def test_png_draws_the_incidents_where_the_map_does(frame):
    centre, zoom = (42.975, 20.777), 12
    png = render_png(frame, centre, zoom, title="t", note="n")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1366, 768)
    view = _View(centre, zoom, image.size)
    # log-102: an exact Battles place; its marker is filled with the Battles colour.
    row = frame.set_index("id").loc["log-102"]
    x, y = view.xy(row["latitude"], row["longitude"])
    assert image.getpixel((round(x), round(y))) == (213, 94, 0)  # TYPE_COLOURS["Battles"] #D55E00
    # The Leposavić protest lies outside this view: no marker is drawn for it.
    row = frame.set_index("id").loc["XKX2312"]
    x, y = view.xy(row["latitude"], row["longitude"])
    assert not (0 <= x < 1366 and 0 <= y < 768)


def test_png_hollow_marker_for_a_region(frame):
    centre, zoom = (42.977, 20.761), 11
    image = Image.open(io.BytesIO(render_png(frame, centre, zoom))).convert("RGB")
    # seed-000-05 and -06, "northern Kosovo": hollow markers at the region's label point, the
    # later one (Strategic developments) on top.
    x, y = _View(centre, zoom, image.size).xy(42.977, 20.761)
    assert image.getpixel((round(x), round(y))) == (255, 255, 255)
    assert image.getpixel((round(x) + 6, round(y))) == tuple(
        int(map_build.TYPE_COLOURS["Strategic developments"][i : i + 2], 16) for i in (1, 3, 5)
    )
