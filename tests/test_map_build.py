"""The folium map, built and rendered without a browser."""

import json
import re

import folium
import pandas as pd
import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string, generate_js_hash

from mapapp import map_build, offline_assets
from mapapp.filters import Filters, incident_frame
from tests.payloads import SCRIPT_PAYLOADS, hostile_incidents

# The only addresses the page may name: the opt-in OpenStreetMap layer and its attribution link.
ALLOWED_URLS = {
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "https://www.openstreetmap.org/copyright",
}
DATA_CALL = re.compile(r"window\.mapappDrawIncidents\([\w]+, (.*)\);\s*$", re.MULTILINE)


@pytest.fixture
def frame(store):
    return incident_frame(store.rows())


def rendered(m):
    return m.get_root().render()


def layer_data(script):
    """The incident data of a rendered incident layer, parsed back from its JavaScript."""
    (payload,) = DATA_CALL.findall(script)
    return json.loads(payload)


# -- offline ----------------------------------------------------------------------------------


def test_map_names_no_address_but_the_opt_in_tile_layer(frame):
    html = rendered(map_build.build_map(frame))
    urls = {u.rstrip("\\") for u in re.findall(r"https?://[^\s\"'<>)]+", html)}
    assert urls == ALLOWED_URLS


def test_scripts_and_styles_come_from_the_static_folder(frame):
    html = rendered(map_build.build_map(frame))
    sources = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sources == [
        "/app/static/leaflet/leaflet.js",
        "/app/static/markercluster/leaflet.markercluster.js",
        "/app/static/mapapp/base_layers.js",
        "/app/static/mapapp/incidents.js",
        "/app/static/leaflet/leaflet.css",
        "/app/static/markercluster/MarkerCluster.css",
        "/app/static/mapapp/map.css",
    ]
    # The map's own code is in those files, not in the page: the page only calls it with data.
    assert "function showTowns" not in html and "L.markerClusterGroup" not in html
    for cdn_only in ("bootstrap", "awesome", "jquery", "glyphicons", "d3.min.js", "d3.v4"):
        assert cdn_only not in html.lower()


def test_the_osm_layer_is_an_overlay_that_starts_hidden(frame):
    m = map_build.base_map()
    (tiles,) = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert (tiles.overlay, tiles.show, tiles.control) == (True, False, True)
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())


def test_only_instances_are_localised_not_folium_classes():
    before = list(folium.Map.default_js)
    map_build.base_map()
    assert folium.Map.default_js == before
    assert any("cdn.jsdelivr.net" in url for _, url in folium.Map.default_js)


def test_install_copies_real_files(tmp_path):
    static = offline_assets.install(tmp_path / "static")
    own = [offline_assets.BASE_LAYERS_JS, offline_assets.INCIDENTS_JS, offline_assets.MAP_STYLE_CSS]
    for _, url in offline_assets.MAP_JS + offline_assets.MAP_CSS + [offline_assets.JQUERY_JS] + own:
        path = static / url.removeprefix(offline_assets.STATIC_URL + "/")
        assert path.is_file() and not path.is_symlink() and path.stat().st_size > 500
    # leaflet.css loads the layer-control icon relative to itself.
    assert (static / "leaflet" / "images" / "layers.png").is_file()
    offline_assets.install(tmp_path / "static")  # a second start-up changes nothing


# -- a stable base map ---------------------------------------------------------------------------


def test_base_map_script_is_the_same_on_every_build(frame):
    """streamlit-folium remounts the map (losing pan and zoom) when this hash changes."""
    hashes = {generate_js_hash(_get_map_string(map_build.base_map()), "map") for _ in range(3)}
    assert len(hashes) == 1


def test_incidents_do_not_change_the_base_map(frame):
    m = map_build.base_map()
    before = generate_js_hash(_get_map_string(m), "map")
    _get_feature_group_string(map_build.incident_layer(frame.head(2)), m)
    other = map_build.base_map()
    assert generate_js_hash(_get_map_string(other), "map") == before


# -- the incident layer ----------------------------------------------------------------------


def test_every_seed_incident_is_in_the_layer(frame):
    data = layer_data(rendered(map_build.build_map(frame)))
    assert sorted(data["id"]) == [f"seed-000-0{n}" for n in range(1, 9)]
    by_id = dict(zip(data["id"], zip(data["lat"], data["lon"], data["p"], data["u"])))
    assert by_id["seed-000-07"] == (pytest.approx(42.9767), pytest.approx(20.7764), 1, 1)
    assert by_id["seed-000-05"] == (pytest.approx(42.977), pytest.approx(20.761), 4, 0)
    assert sum(data["u"]) == 5


def test_regions_get_one_uncertainty_area_per_point(frame):
    data = map_build.incident_data(frame)
    # northern Kosovo (seed 05 and 06, same point) and the border regions (seed 02): 25 km each.
    # Country points (geo_precision 5) get a hollow marker, no area; Banjska (1) none either.
    assert sorted(data["areas"]) == sorted([[42.98, 20.76, 25000], [42.99, 21.16, 25000]])


def test_areas_closer_than_a_kilometre_are_drawn_once(frame):
    # 3,000 region-level incidents scattered over 0.004° (~400 m) around one point, and one
    # municipality-level incident 5 km away: two areas, not 3,001 stacked circles.
    rows = frame[frame["id"] == "seed-000-05"]
    many = rows.loc[rows.index.repeat(3000)].reset_index(drop=True)
    many["id"] = [f"x{k}" for k in range(3000)]
    many["latitude"] = 42.9801 + (many.index % 40) * 0.0001
    many["longitude"] = 20.7601 + (many.index % 37) * 0.0001
    other = rows.assign(id="y", latitude=43.02, longitude=20.76, geo_precision=3)
    data = map_build.incident_data(pd.concat([many, other], ignore_index=True))
    assert sorted(data["areas"]) == [[42.98, 20.76, 25000], [43.02, 20.76, 8000]]


def test_tooltip_text_says_date_and_place_with_precision(frame):
    data = map_build.incident_data(frame)
    tips = dict(zip(data["id"], data["tip"]))
    assert tips["seed-000-04"][0] == "May 2023 (month)"
    assert tips["seed-000-06"][0] == "2023-09-24 – 2023-09-30 (week)"
    assert tips["seed-000-05"][:2] == ["2023-09-24 (day)", "northern Kosovo"]
    assert tips["seed-000-07"][0] == "undated"


def test_labels_computed_at_load_time_are_the_same(frame):
    from mapapp.labels import with_labels

    assert map_build.incident_data(with_labels(frame)) == map_build.incident_data(frame)


def test_filtered_layer_has_only_the_filtered_incidents(frame):
    battles = Filters(event_types=("Battles",)).apply(frame)
    assert map_build.incident_data(battles)["id"] == ["seed-000-05"]


def test_selected_incident_gets_a_ring_even_when_filtered_out(frame):
    banjska = frame[frame["id"] == "seed-000-07"].iloc[0]
    data = layer_data(_get_feature_group_string(map_build.incident_layer(frame.head(0), banjska), map_build.base_map()))
    assert data["id"] == []
    assert data["sel"] == {"id": "seed-000-07", "lat": pytest.approx(42.9767), "lon": pytest.approx(20.7764)}


def test_a_layer_from_kept_json_is_the_layer_built_afresh(frame):
    # The app keeps incident_json per filter and splices in the selection of each click.
    banjska = frame[frame["id"] == "seed-000-07"].iloc[0]
    kept = map_build.incident_json(frame)
    base = map_build.base_map()
    fresh = layer_data(_get_feature_group_string(map_build.incident_layer(frame, banjska), base))
    reused = layer_data(_get_feature_group_string(map_build.incident_layer(None, banjska, data_json=kept), base))
    assert reused == fresh
    assert reused["sel"]["id"] == "seed-000-07" and sorted(reused["id"]) == sorted(frame["id"])
    assert layer_data(_get_feature_group_string(map_build.incident_layer(None, None, data_json=kept), base))["sel"] is None


def test_colours_and_legend_cover_every_event_type():
    from mapapp.vocabulary import EVENT_TYPES

    assert set(map_build.TYPE_COLOURS) == set(EVENT_TYPES)
    assert len(set(map_build.TYPE_COLOURS.values())) == len(EVENT_TYPES)
    legend = map_build._base_data()["legend"]
    assert [name for name, _ in legend["types"]] == list(EVENT_TYPES)


@pytest.mark.parametrize(("precision", "zoom"), [(1, 13), (4, 10), (5, 8)])
def test_focus_zoom_follows_location_precision(precision, zoom):
    centre, got = map_build.focus_view({"latitude": 42.9, "longitude": 20.8, "geo_precision": precision})
    assert (centre, got) == ((42.9, 20.8), zoom)


# -- untrusted text ----------------------------------------------------------------------------


@pytest.fixture
def hostile_frame():
    _, incidents = hostile_incidents()
    return incident_frame([incident.as_row() for incident in incidents])


def test_hostile_text_never_appears_raw_in_the_page(hostile_frame):
    html = rendered(map_build.build_map(hostile_frame))
    (payload,) = DATA_CALL.findall(html)
    for dangerous in ("<", ">", "`", "${", "'", "</script"):
        assert dangerous not in payload
    # Every payload is only in the JSON data, which the browser puts in with textContent.
    assert ".innerHTML = " not in html.replace("r.innerHTML = svg;", "")


def test_hostile_text_is_data_that_comes_back_unchanged(hostile_frame):
    data = layer_data(rendered(map_build.build_map(hostile_frame)))
    assert [tip[1] for tip in data["tip"]] == list(SCRIPT_PAYLOADS)
    assert [tip[2] for tip in data["tip"]] == [p if len(p) <= 160 else p[:157] + "…" for p in SCRIPT_PAYLOADS]


def test_hostile_text_survives_streamlit_folium_unchanged(hostile_frame):
    """streamlit-folium rewrites variable names and {{'...'}} in the script it sends."""
    script = _get_feature_group_string(map_build.incident_layer(hostile_frame), map_build.base_map())
    data = layer_data(script)
    assert [tip[1] for tip in data["tip"]] == list(SCRIPT_PAYLOADS)
    assert data["id"] == [f"xss-{n}" for n in range(len(SCRIPT_PAYLOADS))]


@pytest.mark.parametrize(
    "text", ["</script>", "${x}", "`", "'", "\u2028", "{{'x'}}", "\\`", "{{7*7}}", "{% if 1 %}x{% endif %}", "{#c#}", "{{{"]
)
def test_safe_json_is_inert_and_exact(text):
    encoded = map_build.safe_json({"t": text, "n": [{}, {"a": {}}]})
    for char in "<>`$'\u2028":
        assert char not in encoded
    for jinja in ("{{", "{%", "{#"):
        assert jinja not in encoded
    assert json.loads(encoded) == {"t": text, "n": [{}, {"a": {}}]}


def test_template_syntax_in_data_is_not_evaluated(frame):
    """folium renders each script a second time as a Jinja template: data must not be code.

    Unescaped, "{{7*7}}" came out as "49", and Jinja expressions can reach Python objects.
    """
    hostile = frame.head(1).assign(location="{{7*7}}", description="{% for x in range(3) %}x{% endfor %}")
    data = layer_data(rendered(map_build.build_map(hostile)))
    assert data["tip"][0][1:] == ["{{7*7}}", "{% for x in range(3) %}x{% endfor %}"]


# -- size ----------------------------------------------------------------------------------------


def test_layer_stays_small_per_incident(frame):
    script = _get_feature_group_string(map_build.incident_layer(frame), map_build.base_map())
    assert len(script.encode()) < 8 * 400  # the benchmark checks 10,000 incidents < 3 MB
