"""Leaflet, markercluster, jQuery and the map's own JS/CSS served by the app itself: no CDN.

folium points its maps at CDNs (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers).
The files come instead from pinned PyPI packages (XStatic-*), are copied at start-up into
`static/` beside the entry script (git-ignored; Streamlit's static serving refuses symlinks that leave the
folder) and are served at `/app/static/...`. Only the *instances* of the map and of plugins
are pointed there: changing folium's class attributes would leak into every map in the process.
"""

import contextlib
import filecmp
import os
import tempfile
from pathlib import Path

import xstatic.pkg.jquery
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster

from mapapp import PACKAGE_DIR, PROJECT_DIR

# The map's own scripts and styles (mapapp/assets/), served beside Leaflet.
ASSETS_DIR = PACKAGE_DIR / "assets"
STATIC_DIR = PROJECT_DIR / "static"
# Where Streamlit serves the folder `static/` next to the main script (enableStaticServing).
STATIC_URL = "/app/static"

# (package data folder, file or folder inside it, target folder under static/)
_SOURCES = (
    (xstatic.pkg.leaflet.BASE_DIR, "leaflet.js", "leaflet"),
    (xstatic.pkg.leaflet.BASE_DIR, "leaflet.css", "leaflet"),
    # leaflet.css refers to images/layers.png (layer control) relative to itself.
    (xstatic.pkg.leaflet.BASE_DIR, "images", "leaflet"),
    (xstatic.pkg.leaflet_markercluster.BASE_DIR, "leaflet.markercluster.js", "markercluster"),
    (xstatic.pkg.leaflet_markercluster.BASE_DIR, "MarkerCluster.css", "markercluster"),
    (xstatic.pkg.leaflet_markercluster.BASE_DIR, "MarkerCluster.Default.css", "markercluster"),
    (xstatic.pkg.jquery.BASE_DIR, "jquery.min.js", "jquery"),
    (ASSETS_DIR, "map.css", "mapapp"),
    (ASSETS_DIR, "tools.css", "mapapp"),
    (ASSETS_DIR, "place_labels.css", "mapapp"),
)

# The map's own scripts (mapapp/assets/), in the order they build on each other. streamlit-folium
# loads a map's scripts one after another, each a round trip before the map can be drawn, so
# they are served as one file, written by install(): static/mapapp/map.js.
MAP_SCRIPTS = ("base_layers.js", "place_labels.js", "incidents.js", "playback.js", "density.js", "tools.js")

LEAFLET_JS = ("leaflet", f"{STATIC_URL}/leaflet/leaflet.js")
LEAFLET_CSS = ("leaflet_css", f"{STATIC_URL}/leaflet/leaflet.css")
MARKERCLUSTER_JS = ("markerclusterjs", f"{STATIC_URL}/markercluster/leaflet.markercluster.js")
MARKERCLUSTER_CSS = ("markerclustercss", f"{STATIC_URL}/markercluster/MarkerCluster.css")
# jQuery is copied for plugins that need it (folium.Popup); the incident map itself does not.
JQUERY_JS = ("jquery", f"{STATIC_URL}/jquery/jquery.min.js")

# The map's own: every element of map_build and map_tools names the one script file (MAP_SCRIPTS),
# which loads once, after Leaflet.
MAPAPP_JS = ("mapapp_js", f"{STATIC_URL}/mapapp/map.js")
MAP_STYLE_CSS = ("mapapp_map_css", f"{STATIC_URL}/mapapp/map.css")
TOOLS_CSS = ("mapapp_tools_css", f"{STATIC_URL}/mapapp/tools.css")
PLACE_LABELS_CSS = ("mapapp_place_labels_css", f"{STATIC_URL}/mapapp/place_labels.css")

# What the incident map loads: Leaflet (the incident layer clusters and draws itself). No
# jQuery, Bootstrap or Font Awesome: the map uses no folium.Popup and no folium.Icon.
MAP_JS = [LEAFLET_JS]
MAP_CSS = [LEAFLET_CSS]


def mapapp_script():
    """The text of static/mapapp/map.js: the files of MAP_SCRIPTS one after the other."""
    return "".join(
        f"/* {name} */\n{(ASSETS_DIR / name).read_text(encoding='utf-8')}\n;\n" for name in MAP_SCRIPTS
    )


def source_text(url):
    """The text of the packaged file served at `url` (a /app/static/... address), or None."""
    if url == MAPAPP_JS[1]:
        return mapapp_script()
    path = source_file(url)
    return path.read_text(encoding="utf-8") if path is not None and path.is_file() else None


def source_file(url):
    """The packaged file served at `url` (a /app/static/... address), or None."""
    for base_dir, name, folder in _SOURCES:
        prefix = f"{STATIC_URL}/{folder}/"
        rest = url[len(prefix):] if url.startswith(prefix) else None
        if rest and (rest == name or rest.startswith(name + "/")):
            return Path(base_dir) / rest
    return None


def install(static_dir: Path = STATIC_DIR) -> Path:
    """Copy the asset files into `static_dir` (real files, not links); cheap when up to date."""
    for base_dir, name, folder in _SOURCES:
        source = Path(base_dir) / name
        target = Path(static_dir) / folder / name
        if source.is_dir():
            for file in sorted(source.iterdir()):
                _copy(file, target / file.name)
        else:
            _copy(source, target)
    _write_text(Path(static_dir) / MAPAPP_JS[1].removeprefix(STATIC_URL + "/"), mapapp_script())
    return Path(static_dir)


def _copy(source: Path, target: Path):
    if target.is_file() and not target.is_symlink() and filecmp.cmp(source, target, shallow=False):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_whole(target, source.read_bytes())


def _write_text(target: Path, text: str):
    if target.is_file() and not target.is_symlink() and target.read_text(encoding="utf-8") == text:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_whole(target, text.encode("utf-8"))


def write_whole(target: Path, data: bytes):
    """Write `data` to a file of this writer's own beside `target`, then rename it to `target`:
    a browser loading the page meanwhile never gets half a file, and two servers starting at
    once on a fresh install (both installing) do not rename each other's file away."""
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(partial, 0o644)  # (mkstemp makes it readable by its owner only)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise


def localise(element, js=MAP_JS, css=MAP_CSS):
    """Point this one element's JS/CSS links at the local copies; returns the element."""
    element.default_js = list(js)
    element.default_css = list(css)
    return element
