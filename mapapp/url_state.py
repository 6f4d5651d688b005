"""The view in the URL: Filters (and the open incident) to query parameters and back.

Each filter's declaration (filters.FILTERS) says how its value is written and read; this
module only adds the open incident. Only what differs from the default view is written, so
the plain URL shows everything. Lists become repeated keys (`?type=Battles&type=Riots`).
Reading is forgiving: a link edited by hand with a bad date or an unknown type opens the app
with that part ignored, never with an error.
"""

from mapapp.filters import MAX_TEXT, Filters

__all__ = ["INCIDENT", "MAX_TEXT", "from_params", "to_params", "view_from_params", "view_params"]

INCIDENT = "incident"
# The map's view once the user moved it: centre and zoom (`?lat=42.9&lon=20.8&z=12`).
LAT, LON, ZOOM = "lat", "lon", "z"


def to_params(filters, incident=None):
    """{name: str or [str]} for st.query_params: only the filters that are set."""
    params = {}
    for declaration in filters.declarations:
        params.update(declaration.to_params(filters))
    if incident:
        params[INCIDENT] = str(incident)
    return params


def from_params(params, filters_class=Filters):
    """(Filters, incident id or None) from {name: str or [str]}; bad values are ignored."""
    lists = {key: [value] if isinstance(value, str) else [str(v) for v in value] for key, value in params.items()
             if value is not None}
    values = {}
    for declaration in filters_class.declarations:
        values.update(declaration.from_params(lists))
    incident = (lists.get(INCIDENT, [""])[0] if lists.get(INCIDENT) else "").strip() or None
    return filters_class(**values), incident


def view_params(view):
    """{lat, lon, z} of a map view (latitude, longitude, zoom), rounded as a link needs."""
    latitude, longitude, zoom = view
    return {LAT: f"{latitude:.5f}", LON: f"{longitude:.5f}", ZOOM: str(int(round(zoom)))}


def view_from_params(params):
    """(latitude, longitude, zoom) of the map from a URL, or None when it has none (or a bad one)."""
    def first(key):
        value = params.get(key)
        return value if isinstance(value, str) or value is None else (list(value) or [None])[0]

    try:
        latitude, longitude, zoom = float(first(LAT)), float(first(LON)), int(first(ZOOM))
    except (TypeError, ValueError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180 and 1 <= zoom <= 18):
        return None
    return latitude, longitude, zoom
