"""The folium map: a constant offline base map, and the layer of (filtered) incidents.

The base map never changes between reruns, so streamlit-folium keeps the same Leaflet map
(same pan, same zoom) and only swaps the incident layer passed as `feature_group_to_add`.

The JavaScript and CSS that draw it are files in mapapp/assets/ (base_layers.js,
incidents.js, map.css), served offline like Leaflet; this module passes them data.
Untrusted text (places, summaries, ids from imported files) never becomes JavaScript code
or HTML: it travels as JSON data (`safe_json`) and the browser puts it into the page with
`textContent`. folium's own Popup/Tooltip/GeoJsonTooltip would insert it as raw HTML.
"""

import functools
import json
import re

import numpy as np
import folium
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from mapapp import boundary, offline_assets, place_labels
from mapapp.map_tools import MapTools
from mapapp.labels import UNCERTAINTY_RADIUS_M
from mapapp.vocabulary import EVENT_TYPES, GEO_PRECISIONS

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
TYPE_COLOURS = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#56B4E9",
    "Riots": "#009E73",
    "Strategic developments": "#0072B2",
}

# Opening view: northern Kosovo and the boundary in the middle, Kosovo and southern Serbia
# (with the seed incidents' label points of both countries) around it.
CENTRE = (43.3, 20.95)
START_ZOOM = 8
# Zoom used to show one incident, by geo_precision: a street for an exact place, the whole
# region for "northern Kosovo".
FOCUS_ZOOM = {1: 13, 2: 12, 3: 11, 4: 10, 5: 8}

ATTRIBUTION = "Outlines: Natural Earth · Town names: GeoNames (CC BY 4.0)"

_JSON_ESCAPES = {
    # Inside a <script> element (a standalone export of the map) "</script>" would end it.
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
    # Harmless inside a JSON string, but nothing that looks like a template literal, a
    # quote or a Jinja expression ({{'x'}}, which streamlit-folium rewrites) should survive.
    "'": "\\u0027", "`": "\\u0060", "$": "\\u0024",
    # Line terminators that older JavaScript engines refuse inside string literals.
    "\u2028": "\\u2028", "\u2029": "\\u2029",
}
# folium renders every script twice, the second time as a Jinja template (branca Element):
# "{{7*7}}" in a place name would come out as "49", and Jinja expressions reach Python
# objects on the server. JSON structure never puts "{", "%" or "#" after "{", so a "{"
# followed by one of them is inside a string, where its \u escape means the same.
_JINJA_OPENERS = re.compile(r"\{(?=[{%#])")


def safe_json(value):
    """JSON that is inert wherever it is pasted: in JavaScript, an HTML <script>, a Jinja template."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # str.replace per character: ten times faster than str.translate on a 2 MB layer.
    for char, escaped in _JSON_ESCAPES.items():
        if char in text:
            text = text.replace(char, escaped)
    return _JINJA_OPENERS.sub(r"\\u007b", text)


# -- base map ---------------------------------------------------------------------------------
# The map's JavaScript and CSS are files in mapapp/assets/, served from the static folder like
# Leaflet (offline_assets); the elements below only pass data to the functions they define.


class _BaseLayers(JSCSSMixin, MacroElement):
    """Kosovo and Serbia outlines, the boundary, town labels, legend: no tiles needed."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        mapappBaseLayers({{ this._parent.get_name() }}, {{ this.data_json }});
        {% endmacro %}
        """
    )
    default_js = [offline_assets.MAPAPP_JS]
    default_css = [offline_assets.MAP_STYLE_CSS]

    def __init__(self):
        super().__init__()
        self._name = "BaseLayers"
        self.data_json = safe_json(_base_data())


class _FrameSize(MacroElement):
    """The map's height in its frame (assets/map_frame.css), as a style in the map's head: a
    linked stylesheet applies only after streamlit-folium has made the map at its fixed height,
    and the resize that follows moves the map's centre by a fraction of a pixel, which the map
    reports as a new view (one more run of the page)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "FrameSize"
        self.css = _frame_css()


@functools.cache
def _frame_css():
    """assets/map_frame.css, read once: the base map is built on every run of the page."""
    return (offline_assets.ASSETS_DIR / "map_frame.css").read_text(encoding="utf-8")


class _PlaceLabels(JSCSSMixin, MacroElement):
    """Place names by importance without overlaps (place_labels), and a notice when the online
    tiles are ticked but cannot load."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        mapappPlaceLabels({{ this._parent.get_name() }}, {{ this.data_json }});
        mapappTileNotice({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [offline_assets.MAPAPP_JS]
    default_css = [offline_assets.PLACE_LABELS_CSS]

    def __init__(self):
        super().__init__()
        self._name = "PlaceLabels"
        self.data_json = safe_json(place_labels.labels())


class _IncidentRenderer(JSCSSMixin, MacroElement):
    """The incident layer's code (assets/incidents.js, loaded with the base map) and its
    constant configuration. Each rerun's layer is then one call holding file names
    (_IncidentData), whatever the number of incidents: see map_payload."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.mapappIncidents.configure({{ this.config_json }});
        {% endmacro %}
        """
    )
    default_js = [offline_assets.MAPAPP_JS]

    def __init__(self):
        super().__init__()
        self._name = "IncidentRenderer"
        self.config_json = safe_json({
            "types": list(EVENT_TYPES),
            "colours": [TYPE_COLOURS[t] for t in EVENT_TYPES],
            "precisions": {str(p): words for p, words in GEO_PRECISIONS.items()},
            "radius": {str(p): metres for p, metres in UNCERTAINTY_RADIUS_M.items()},
        })


# One call drawing the incidents into the feature group that holds the element.
_DRAW_TEMPLATE = Template(
    """
    {% macro script(this, kwargs) %}
    window.mapappIncidents.draw({{ this._parent.get_name() }}, {{ this.data_json }});
    {% endmacro %}
    """
)


class _IncidentData(Element):
    """The incidents of a layer sent to streamlit-folium, which takes the script macro's text.

    A plain Element, not a MacroElement: a MacroElement would also put its script into the page
    through a new branca Element, which compiles the text as a Jinja template, for a page
    streamlit-folium never uses.
    """

    _template = _DRAW_TEMPLATE

    def __init__(self, data_json):
        super().__init__()
        self._name = "IncidentData"
        self.data_json = data_json


class _PageIncidentData(MacroElement):
    """The same call in a standalone page (build_map), where the script must be in the page."""

    _template = _DRAW_TEMPLATE

    def __init__(self, data_json):
        super().__init__()
        self._name = "IncidentData"
        self.data_json = data_json


_SWATCH = (
    '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" '
    'fill="COLOUR" stroke="#fff" stroke-width="1.5"/></svg>'
)
_SHAPES = (
    ("Exact or near a place",
     '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" fill="#666" '
     'stroke="#fff" stroke-width="1.5"/></svg>'),
    ("Municipality: hollow, 8 km area",
     '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7.3" fill="#3d4f63" '
     'fill-opacity="0.13" stroke="#3d4f63" stroke-opacity="0.35"/><circle cx="8" cy="8" r="4" '
     'fill="#fff" stroke="#666" stroke-width="2.5"/></svg>'),
    ("Region (25 km) / country: own count",
     '<svg width="14" height="14" viewBox="0 0 16 16"><rect x="1" y="4" width="14" height="8" fill="#fff" '
     'stroke="#3d4f63" stroke-width="1.5"/><rect x="1" y="10" width="14" height="2" fill="#666"/></svg>'),
    ("Undated: dashed outline",
     '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="5.5" fill="#666" '
     'fill-opacity="0.55" stroke="#222" stroke-width="2" stroke-dasharray="3 2"/></svg>'),
    ("Cluster: types ring, count",
     '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="5.5" fill="#fff" '
     'stroke="#D55E00" stroke-width="3" stroke-dasharray="17 18"/><circle cx="8" cy="8" r="5.5" fill="none" '
     'stroke="#56B4E9" stroke-width="3" stroke-dasharray="0 17 18"/></svg>'),
    ("Kosovo–Serbia boundary",
     '<svg width="14" height="14" viewBox="0 0 16 16"><line x1="0" y1="8" x2="16" y2="8" '
     'stroke="#b03a2e" stroke-width="3" stroke-dasharray="5 3"/></svg>'),
)


@functools.cache
def _base_data():
    outlines = boundary.outlines()
    # ~100 m simplification: the 1:10m outlines are not more precise than that, and it
    # keeps the base map small.
    features = [
        {
            "type": "Feature",
            "properties": {"fill": fill},
            "geometry": shapely.geometry.mapping(shapely.simplify(outlines[code], 0.001)),
        }
        for code, fill in (("SRB", "#ebe5d5"), ("KOS", "#faf7ee"))
    ]
    line = shapely.simplify(boundary.boundary_line(), 0.0005)
    return {
        "attribution": ATTRIBUTION,
        "outlines": {"type": "FeatureCollection", "features": _rounded(features)},
        "boundary": [[round(lat, 5), round(lon, 5)] for lon, lat in line.coords],
        "countries": [["Kosovo", 42.45, 20.75], ["Serbia", 43.95, 20.6]],
        # The towns named from the opening zoom (the live map draws place_labels itself; the
        # PNG export draws these).
        "towns": [[label[0], label[1], label[2], label[4]] for label in place_labels.labels() if label[4] <= 9],
        "legend": {
            "types": [[t, TYPE_COLOURS[t]] for t in EVENT_TYPES],
            "swatch": _SWATCH,
            "shapes": [list(s) for s in _SHAPES],
        },
    }


def _rounded(value):
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def base_map(height=None, tools=True, view=None):
    """The constant part of the map: outlines, boundary, towns, legend, an opt-in OSM layer,
    and (`tools`) playback and density (a small preview map goes without them).

    Built the same way on every call with the same `view` (lat, lon, zoom: where it opens), so
    that streamlit-folium keeps the map mounted; offline: the only URL in it is the
    OpenStreetMap layer, off until ticked.
    """
    latitude, longitude, zoom = view or (*CENTRE, START_ZOOM)
    m = folium.Map(
        location=(latitude, longitude),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        height=height or "100%",
        font_size="12px",
        # Without a tile layer Leaflet has no maxZoom: the incident layer's clusters need one.
        maxZoom=18,
        minZoom=5,
    )
    offline_assets.localise(m)
    _FrameSize().add_to(m)
    _BaseLayers().add_to(m)
    _PlaceLabels().add_to(m)
    _IncidentRenderer().add_to(m)
    if tools:
        MapTools().add_to(m)
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap tiles (online)",
        overlay=True,
        show=False,
        control=True,
        max_zoom=18,
    ).add_to(m)
    folium.LayerControl(collapsed=False, position="bottomleft").add_to(m)
    return m


# -- incident layer ---------------------------------------------------------------------------


def incident_layer(args, page=False):
    """A FeatureGroup drawing the incidents of `args` (MapData.layer_args, or inline_args for
    a standalone map); pass it to st_folium(feature_group_to_add=...). Its script is one call
    holding file names and the open incident, whatever the number of incidents. `page` makes
    a layer for a standalone page (build_map) instead.
    """
    group = folium.FeatureGroup(name="Incidents", control=False)
    (_PageIncidentData if page else _IncidentData)(safe_json(args)).add_to(group)
    return group


def inline_args(columns, keep, details, selected=None):
    """Layer arguments carrying the data itself (base64) instead of file names: for a map
    without the app's server (tests, a map handed to someone as one HTML file). `details` are
    the texts of every incident (map_payload.detail_rows)."""
    import base64

    from mapapp import map_payload

    return {
        "inline": {
            "base": base64.b64encode(map_payload.base_bytes(columns)).decode("ascii"),
            "mask": base64.b64encode(map_payload.mask_bytes(keep)).decode("ascii"),
            "dates": base64.b64encode(map_payload.dates_bytes(columns)).decode("ascii"),
            "details": details,
        },
        "n": len(columns),
        "shown": int(keep.sum()),
        "chunk": max(1, len(columns)),
        "sel": selected,
    }


def build_map(args, height=None):
    """A standalone map with the incidents of `args` (inline_args) on it."""
    m = base_map(height=height)
    incident_layer(args, page=True).add_to(m)
    return m


def fit_view(latitudes, longitudes, geo_precisions=None, size=(820, 540)):
    """(latitude, longitude, zoom) that shows these points on a map of `size` pixels: the
    opening view. Country-level points (label positions only) count only when they are all
    there is; no point at all gives the default view."""
    latitudes, longitudes = np.asarray(latitudes, dtype=float), np.asarray(longitudes, dtype=float)
    precisions = np.ones(len(latitudes), dtype=int) if geo_precisions is None else np.asarray(geo_precisions, dtype=int)
    placed = precisions < 5
    if placed.any():
        latitudes, longitudes, precisions = latitudes[placed], longitudes[placed], precisions[placed]
    if not len(latitudes):
        return (*CENTRE, START_ZOOM)
    # A municipality or a region is its whole uncertainty area, not its centre point.
    by_precision = np.zeros(max(precisions.max(), max(UNCERTAINTY_RADIUS_M)) + 1)
    for precision, metres in UNCERTAINTY_RADIUS_M.items():
        by_precision[precision] = metres / 1000
    radius_km = by_precision[precisions]
    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * np.cos(np.radians(latitudes)))
    south, north = float((latitudes - dlat).min()), float((latitudes + dlat).max())
    west, east = float((longitudes - dlon).min()), float((longitudes + dlon).max())

    def mercator_y(lat):
        return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))

    # Pixels per world width at zoom z: 256 * 2**z. A margin of a tenth on each side.
    width, height = size[0] * 0.8, size[1] * 0.8
    spans = []
    if east > west:
        spans.append(np.log2(width * 360 / ((east - west) * 256)))
    if north > south:
        spans.append(np.log2(height * 2 * np.pi / ((mercator_y(north) - mercator_y(south)) * 256)))
    zoom = int(np.floor(min(spans))) if spans else FOCUS_ZOOM[2]
    zoom = max(5, min(zoom, FOCUS_ZOOM[2]))
    centre_y = (mercator_y(north) + mercator_y(south)) / 2
    centre_lat = float(np.degrees(2 * np.arctan(np.exp(centre_y)) - np.pi / 2))
    return round(centre_lat, 5), round((east + west) / 2, 5), zoom


def focus_view(row):
    """(centre, zoom) that shows one incident at the scale its location is known to."""
    return (float(row["latitude"]), float(row["longitude"])), FOCUS_ZOOM.get(int(row["geo_precision"]), 10)
