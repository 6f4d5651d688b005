"""The folium map, built and rendered without a browser."""

import base64
import concurrent.futures
import functools
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import threading

import folium
import numpy as np
import pytest
from streamlit_folium import generate_js_hash

from mapapp import columns as incident_columns
from mapapp import map_build, map_payload, offline_assets
from mapapp.filters import Filters
from mapapp.store import Store
from tests.map_scripts import layer_script, map_script
from tests.payloads import SCRIPT_PAYLOADS, hostile_incidents

# The only addresses the page may name: the opt-in OpenStreetMap layer and its attribution link.
ALLOWED_URLS = {
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "https://www.openstreetmap.org/copyright",
}
DATA_CALL = re.compile(r"window\.mapappIncidents\.draw\([\w]+, (.*)\);\s*$", re.MULTILINE)


@pytest.fixture
def columns(store):
    with store.reading() as snapshot:
        return incident_columns.load(snapshot.db)


@pytest.fixture
def args(store, columns):
    details = map_payload.detail_rows(incident_columns.read_rows(store.path, columns.rowid))
    return map_build.inline_args(columns, columns.mask(Filters()), details)


def rendered(m):
    return m.get_root().render()


def layer_data(script):
    """The incident data of a rendered incident layer, parsed back from its JavaScript."""
    (payload,) = DATA_CALL.findall(script)
    return json.loads(payload)


# -- offline ----------------------------------------------------------------------------------


def test_map_names_no_address_but_the_opt_in_tile_layer(args):
    html = rendered(map_build.build_map(args))
    urls = {u.rstrip("\\") for u in re.findall(r"https?://[^\s\"'<>)]+", html)}
    assert urls == ALLOWED_URLS


def test_scripts_and_styles_come_from_the_static_folder(args):
    html = rendered(map_build.build_map(args))
    sources = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sources == [
        # The map's own scripts in one file: streamlit-folium loads scripts one at a time.
        "/app/static/leaflet/leaflet.js",
        "/app/static/mapapp/map.js",
        "/app/static/leaflet/leaflet.css",
        "/app/static/mapapp/map.css",
        "/app/static/mapapp/place_labels.css",
        "/app/static/mapapp/tools.css",
    ]
    # The map's own code is in those files, not in the page: the page only calls it with data.
    assert "function overlaps" not in html and "L.markerClusterGroup" not in html
    for cdn_only in ("bootstrap", "awesome", "jquery", "glyphicons", "d3.min.js", "d3.v4"):
        assert cdn_only not in html.lower()


def test_place_labels_know_the_region():
    from mapapp import place_labels

    labels = place_labels.labels()
    by_name = {}
    for label in labels:
        by_name.setdefault(label[0], label)  # the most important of equally named places
    # North Mitrovica, the four northern municipalities and the crossings come first, from the
    # opening zoom (7-8) or the next ones on.
    assert [label[0] for label in labels[:8]] == [
        "Leposavić", "North Mitrovica", "Zubin Potok", "Zvečan",
        "Brnjak crossing", "Jarinje crossing", "Merdare crossing", "Mutivode crossing",
    ]
    assert all(by_name[name][4] <= 7 for name in ("North Mitrovica", "Zvečan", "Zubin Potok", "Leposavić"))
    assert by_name["Jarinje crossing"][4] == 9
    # Villages from zoom 12, rivers and lakes in their own style.
    assert by_name["Veliko Rudare"][3:] == [30, 12, "place"]
    assert by_name["Brnjak"][4] == 12
    assert by_name["Gazivode Lake"][5] == "water" and by_name["Ibar"][5] == "water"
    # One label per place: a town in two files, or in two languages at one point, is named once.
    assert "Leposaviq" not in by_name and "Pejë" not in by_name and "Gazivodsko Jezero" not in by_name
    assert len(labels) == len({(label[1], label[2]) for label in labels})
    assert 1000 < len(labels) < 1500


def test_the_osm_layer_is_an_overlay_that_starts_hidden(args):
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
    own = [offline_assets.MAPAPP_JS, offline_assets.MAP_STYLE_CSS]
    for _, url in offline_assets.MAP_JS + offline_assets.MAP_CSS + [offline_assets.JQUERY_JS] + own:
        path = static / url.removeprefix(offline_assets.STATIC_URL + "/")
        assert path.is_file() and not path.is_symlink() and path.stat().st_size > 500
    # map.js is the map's own scripts, in the order they build on each other.
    bundled = (static / "mapapp" / "map.js").read_text(encoding="utf-8")
    starts = [bundled.index((offline_assets.ASSETS_DIR / name).read_text(encoding="utf-8"))
              for name in ("base_layers.js", "place_labels.js", "incidents.js", "playback.js", "density.js", "tools.js")]
    assert starts == sorted(starts)
    # leaflet.css loads the layer-control icon relative to itself.
    assert (static / "leaflet" / "images" / "layers.png").is_file()
    offline_assets.install(tmp_path / "static")  # a second start-up changes nothing


def test_installs_into_one_fresh_folder_at_once_all_succeed(tmp_path):
    """Servers starting at once on a fresh install each install the assets: none renames
    another's half-written file away, and every file ends whole."""
    static = tmp_path / "static"
    start = threading.Barrier(8)

    def install(_):
        start.wait()
        return offline_assets.install(static)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(install, range(8))) == [static] * 8
    assert [path.name for path in static.rglob("*.partial")] == []
    assert (static / "mapapp" / "map.js").read_text(encoding="utf-8") == offline_assets.mapapp_script()
    leaflet = static / offline_assets.LEAFLET_JS[1].removeprefix(offline_assets.STATIC_URL + "/")
    assert leaflet.read_bytes() == offline_assets.source_file(offline_assets.LEAFLET_JS[1]).read_bytes()
    assert oct(leaflet.stat().st_mode & 0o777) == oct(0o644)


# -- a stable base map ---------------------------------------------------------------------------


def test_base_map_script_is_the_same_on_every_build(args):
    """streamlit-folium remounts the map (losing pan and zoom) when this hash changes."""
    hashes = {generate_js_hash(map_script(map_build.base_map()), "map") for _ in range(3)}
    assert len(hashes) == 1


def test_incidents_do_not_change_the_base_map(args):
    m = map_build.base_map()
    before = generate_js_hash(map_script(m), "map")
    layer_script(map_build.incident_layer(args), m)
    other = map_build.base_map()
    assert generate_js_hash(map_script(other), "map") == before


# -- the incident layer ----------------------------------------------------------------------


def decode_base(data, n):
    """base.bin as the browser reads it: {row: (lat, lon, type, geo precision, undated)}."""
    lat = np.frombuffer(data, "<f4", n, 0)
    lon = np.frombuffer(data, "<f4", n, 4 * n)
    kind = np.frombuffer(data, np.uint8, n, 8 * n)
    flags = np.frombuffer(data, np.uint8, n, 9 * n)
    return [(float(a), float(b), int(t), int(f & 7), int(f >> 3)) for a, b, t, f in zip(lat, lon, kind, flags)]


def test_every_seed_incident_is_in_the_base_payload(store, columns):
    ids = [row["id"] for row in store.rows()]
    data = map_payload.base_bytes(columns)
    assert len(data) == 10 * len(ids) == 80
    by_id = dict(zip(ids, decode_base(data, len(ids))))
    assert by_id["seed-000-07"] == (pytest.approx(42.9767), pytest.approx(20.7764), 5, 1, 1)
    assert by_id["seed-000-05"] == (pytest.approx(42.977), pytest.approx(20.761), 0, 4, 0)
    assert sum(row[4] for row in by_id.values()) == 5


def test_the_filter_is_one_bit_per_incident(store, columns):
    ids = np.array([row["id"] for row in store.rows()])
    keep = columns.mask(Filters(event_types=("Battles", "Strategic developments"), include_undated=False))
    bits = map_payload.mask_bytes(keep)
    assert len(bits) == 1
    shown = np.unpackbits(np.frombuffer(bits, np.uint8), bitorder="little")[: len(ids)].astype(bool)
    assert sorted(ids[shown]) == ["seed-000-04", "seed-000-05", "seed-000-06"]


def test_tooltip_texts_say_date_and_place_with_precision(store, columns):
    rows = map_payload.detail_rows(incident_columns.read_rows(store.path, columns.rowid))
    tips = {row[0]: row[1:] for row in rows}
    assert tips["seed-000-04"][1] == "May 2023 (month)"
    assert tips["seed-000-06"][1] == "2023-09-24 – 2023-09-30 (week)"
    assert tips["seed-000-05"][:3] == ["Armed clash", "2023-09-24 (day)", "northern Kosovo"]
    assert tips["seed-000-07"][1] == "undated"


def test_map_data_writes_the_files_the_layer_names(store, columns, tmp_path):
    data = map_payload.MapData(columns, functools.partial(incident_columns.read_rows, store.path),
                               static_dir=tmp_path, static_url="/app/static")
    assert data.details_done.wait(30)
    folder = map_payload.process_folder(tmp_path / map_payload.FOLDER) / data.token
    assert data.folder == folder
    # gzip-compressed: Streamlit's server serves application/gzip as it is (no compression per request).
    assert gzip.decompress((folder / "base.bin.gz").read_bytes()) == map_payload.base_bytes(columns)
    assert gzip.decompress((folder / "dates.bin.gz").read_bytes()) == map_payload.dates_bytes(columns)
    args = data.layer_args(columns.mask(Filters(event_types=("Battles",))), {"id": "seed-000-07", "pos": 2})
    assert args["base"] == f"/app/static/{map_payload.FOLDER}/{folder.parent.name}/{data.token}/base.bin.gz"
    assert (args["n"], args["shown"], args["sel"]) == (8, 1, {"id": "seed-000-07", "pos": 2})
    # The filter's bits travel in the arguments: the map draws a new filter without a request.
    bits = map_payload.mask_bytes(columns.mask(Filters(event_types=("Battles",))))
    assert base64.b64decode(args["bits"]) == bits
    assert args["mask"] == "m-" + hashlib.blake2b(bits, digest_size=12).hexdigest()
    assert sorted(f.name for f in folder.iterdir() if f.name.startswith("m-")) == []
    details = json.loads(gzip.decompress((folder / "d-0.json.gz").read_bytes()))
    assert [row[0] for row in details] == [row["id"] for row in store.rows()]
    # 128 random bits per process: the folder cannot be guessed, but stays the same for the
    # same incidents (a rerun keeps the browser's copy).
    assert len(data.token) == 32
    again = map_payload.MapData(columns, functools.partial(incident_columns.read_rows, store.path),
                                static_dir=tmp_path, static_url="/app/static")
    assert again.token == data.token


def test_older_versions_are_pruned(store, columns, tmp_path):
    versions = map_payload.process_folder(tmp_path / map_payload.FOLDER)
    for k in range(4):
        (versions / f"old{k}").mkdir()
        os.utime(versions / f"old{k}", (1_000_000 + k, 1_000_000 + k))
    data = map_payload.MapData(columns, functools.partial(incident_columns.read_rows, store.path), static_dir=tmp_path)
    data.details_done.wait(30)
    assert sorted(f.name for f in versions.iterdir()) == sorted(["old2", "old3", data.token])


def test_sessions_making_their_first_map_data_at_once_share_the_process_folder(tmp_path):
    root = tmp_path / map_payload.FOLDER
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        folders = list(pool.map(lambda _: map_payload.process_folder(root), range(8)))
    assert len(set(folders)) == 1 and folders[0].is_dir()


# Another server process: its map data folder, kept until stdin closes.
OTHER_SERVER = """
import sys
from pathlib import Path
from mapapp import map_payload
print(map_payload.process_folder(Path(sys.argv[1])).name, flush=True)
sys.stdin.read()
"""


def test_another_process_keeps_its_versions_until_it_ends(store, columns, tmp_path):
    """Two servers started from the same directory share its static folder: neither prunes the
    other's map data while it runs; a folder whose process has ended goes when the next one starts."""
    root = tmp_path / map_payload.FOLDER
    other = subprocess.Popen([sys.executable, "-c", OTHER_SERVER, str(root)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    others = other.stdout.readline().strip()
    (root / "0123abcd").mkdir()  # a version folder of an older release, straight under the root
    data = map_payload.MapData(columns, functools.partial(incident_columns.read_rows, store.path), static_dir=tmp_path)
    data.details_done.wait(30)
    ours = data.folder.parent.name
    assert sorted(f.name for f in root.iterdir() if f.is_dir()) == sorted([others, ours])
    other.stdin.close()
    assert other.wait(30) == 0
    third = subprocess.run([sys.executable, "-c", OTHER_SERVER, str(root)], input="", capture_output=True, text=True)
    assert third.returncode == 0, third.stderr
    assert sorted(f.name for f in root.iterdir() if f.is_dir()) == sorted([ours, third.stdout.strip()])
    assert (data.folder / "base.bin.gz").is_file()


def test_the_layer_script_is_small_and_holds_no_incident(store, columns, tmp_path):
    """Whatever the number of incidents, the script streamlit-folium re-renders names files
    and holds a bit per incident."""
    rng = np.random.default_rng(13)
    keep = rng.random(1_000_000) < 0.2  # a filter that keeps a fifth, scattered
    data = map_payload.MapData(columns, functools.partial(incident_columns.read_rows, store.path),
                               static_dir=tmp_path, static_url="/app/static")
    data.details_done.wait(30)
    mask, shown, bits = data.mask_args(keep)
    assert shown == int(keep.sum())
    args = {"base": "/app/static/x/base.bin", "mask": mask, "bits": bits, "details": "/app/static/x",
            "n": 1_000_000, "shown": shown, "chunk": 1024, "sel": {"id": "seed-000-07", "pos": 5, "lat": 42.9, "lon": 20.7}}
    script = layer_script(map_build.incident_layer(args), map_build.base_map())
    assert len(script.encode()) < 1000 + 4 / 3 * 1_000_000 / 8
    assert layer_data(script) == args


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
def hostile_args(tmp_path):
    with Store(tmp_path / "hostile.db", seed=False) as store:
        document, incidents = hostile_incidents()
        store.add([document], incidents)
        with store.reading() as snapshot:
            columns = incident_columns.load(snapshot.db)
        details = map_payload.detail_rows(incident_columns.read_rows(store.path, columns.rowid))
    return map_build.inline_args(columns, columns.mask(Filters()), details)


def test_hostile_text_never_appears_raw_in_a_standalone_map(hostile_args):
    html = rendered(map_build.build_map(hostile_args))
    (payload,) = DATA_CALL.findall(html)
    for dangerous in ("<", ">", "`", "${", "'", "</script"):
        assert dangerous not in payload
    # Every payload is only in the JSON data, which the browser puts in with textContent.
    script = (offline_assets.ASSETS_DIR / "incidents.js").read_text()
    assert "innerHTML" not in script and "eval(" not in script


def test_hostile_text_is_data_that_comes_back_unchanged(hostile_args):
    data = layer_data(layer_script(map_build.incident_layer(hostile_args), map_build.base_map()))
    details = data["inline"]["details"]
    assert [row[0] for row in details] == [f"xss-{n}" for n in range(len(SCRIPT_PAYLOADS))]
    assert [row[3] for row in details] == list(SCRIPT_PAYLOADS)
    assert [row[4] for row in details] == [p if len(p) <= 160 else p[:157] + "…" for p in SCRIPT_PAYLOADS]


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


def test_template_syntax_in_data_is_not_evaluated(columns):
    """folium renders each script a second time as a Jinja template: data must not be code.

    Unescaped, "{{7*7}}" came out as "49", and Jinja expressions can reach Python objects.
    """
    details = [["x", "s", "undated", "{{7*7}}", "{% for x in range(3) %}x{% endfor %}"]] * len(columns)
    data = layer_data(rendered(map_build.build_map(map_build.inline_args(columns, columns.mask(Filters()), details))))
    assert data["inline"]["details"][0][3:] == ["{{7*7}}", "{% for x in range(3) %}x{% endfor %}"]


@pytest.mark.parametrize(
    "points, expected",
    [
        # Zvečan and Leposavić: the northern municipalities fill the map.
        (([42.9075, 43.10389], [20.84028, 20.80278], [1, 1]), (43.00577, 20.82153, 11)),
        # Seeds: northern Kosovo and the border area with their 25 km areas; the two countries'
        # label points do not count.
        (([42.977, 42.988, 42.593587, 44.189919], [20.761, 21.157, 20.860719, 20.787989], [4, 4, 5, 5]),
         (42.98293, 20.95903, 9)),
        # One point: the zoom of an exact place.
        (([42.9075], [20.84028], [1]), (42.9075, 20.84028, 12)),
        # Nothing shown: the default view.
        (([], [], []), (43.3, 20.95, 8)),
    ],
)
def test_the_opening_view_fits_the_incidents(points, expected):
    assert map_build.fit_view(*points) == expected
