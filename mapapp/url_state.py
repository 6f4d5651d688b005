"""The view in the URL: Filters (and the open incident) to query parameters and back.

Only what differs from the default view is written, so the plain URL shows everything.
Lists become repeated keys (`?type=Battles&type=Riots`). Reading is forgiving: a link
edited by hand with a bad date or an unknown type opens the app with that part ignored,
never with an error.
"""

import datetime as dt
import math

from mapapp.filters import Filters
from mapapp.vocabulary import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, SUB_EVENT_TYPES

_SUB_TYPES = frozenset(s for subs in SUB_EVENT_TYPES.values() for s in subs)
MAX_TEXT = 200

# Query parameter names, in the order they are written.
SINCE, UNTIL, UNDATED, TYPE, SUB_TYPE, WHEN, GEO, BORDER, TEXT, DOCUMENT, INCIDENT = (
    "since", "until", "undated", "type", "sub", "when", "geo", "border", "q", "doc", "incident",
)


def to_params(filters, incident=None):
    """{name: str or [str]} for st.query_params: only the filters that are set."""
    params = {}
    if filters.since is not None:
        params[SINCE] = filters.since.isoformat()
    if filters.until is not None:
        params[UNTIL] = filters.until.isoformat()
    if not filters.include_undated:
        params[UNDATED] = "0"
    if filters.event_types:
        params[TYPE] = list(filters.event_types)
    if filters.sub_event_types:
        params[SUB_TYPE] = list(filters.sub_event_types)
    if filters.date_precisions:
        params[WHEN] = list(filters.date_precisions)
    if filters.geo_precisions:
        params[GEO] = [str(p) for p in filters.geo_precisions]
    if filters.max_border_km is not None:
        params[BORDER] = _number(filters.max_border_km)
    if filters.text.strip():
        params[TEXT] = filters.text.strip()
    if filters.documents:
        params[DOCUMENT] = list(filters.documents)
    if incident:
        params[INCIDENT] = str(incident)
    return params


def from_params(params):
    """(Filters, incident id or None) from {name: str or [str]}; bad values are ignored."""
    filters = Filters(
        since=_date(_first(params, SINCE)),
        until=_date(_first(params, UNTIL)),
        include_undated=_flag(_first(params, UNDATED), default=True),
        event_types=_known(_all(params, TYPE), EVENT_TYPES),
        sub_event_types=_known(_all(params, SUB_TYPE), _SUB_TYPES),
        date_precisions=_known(_all(params, WHEN), DATE_PRECISIONS),
        geo_precisions=tuple(
            dict.fromkeys(int(v) for v in _all(params, GEO) if v.strip().isdigit() and int(v) in GEO_PRECISIONS)
        ),
        max_border_km=_km(_first(params, BORDER)),
        text=(_first(params, TEXT) or "").strip()[:MAX_TEXT],
        # Any id is read here; the app keeps those of documents it has.
        documents=tuple(dict.fromkeys(v.strip() for v in _all(params, DOCUMENT) if v.strip())),
    )
    incident = (_first(params, INCIDENT) or "").strip() or None
    return filters, incident


def _all(params, key):
    value = params.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _first(params, key):
    values = _all(params, key)
    return values[0] if values else None


def _known(values, allowed):
    return tuple(dict.fromkeys(v for v in values if v in allowed))


def _date(value):
    try:
        return dt.date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def _flag(value, default):
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def _km(value):
    try:
        km = float(value) if value else None
    except ValueError:
        return None
    return km if km is not None and math.isfinite(km) and km >= 0 else None


def _number(value):
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
