"""Words shown to users for an incident's date and place, with their precision.

Shared by the map's tooltips and the passage panel, so that both say the same thing:
a month-precise date reads "May 2023 (month)", never "2023-05-01".
"""

import datetime as dt

import pandas as pd

from mapapp.vocabulary import GEO_PRECISIONS

# Radius in metres drawn around a point that stands for a municipality or a wider region.
# A country-level point (5) is only a label position: it gets a hollow marker, no radius.
UNCERTAINTY_RADIUS_M = {3: 8_000, 4: 25_000}


def _date(value):
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def date_label(start, end, precision):
    """'2023-09-24 (day)', 'May 2023 (month)', '2023-09-24 – 2023-09-30 (week)', 'undated'."""
    start, end = _date(start), _date(end)
    if start is None or precision == "unknown":
        return "undated"
    if precision == "day" or end is None or end == start:
        return f"{start.isoformat()} ({precision})"
    if precision == "month":
        return f"{start.strftime('%B %Y')} (month)"
    if precision == "year":
        return f"{start.year} (year)"
    return f"{start.isoformat()} – {end.isoformat()} ({precision})"


def place_label(location, geo_precision):
    """'northern Kosovo · wider region (~25 km)': the place as the source gives it, and how precise."""
    words = GEO_PRECISIONS.get(int(geo_precision), f"precision {geo_precision}")
    radius = UNCERTAINTY_RADIUS_M.get(int(geo_precision))
    if radius:
        words += f" (~{radius // 1000} km)"
    elif int(geo_precision) == 5:
        words += " (label point)"
    return f"{location} · {words}" if location else words


SUB_TYPE_UNKNOWN = "sub-type unknown"


def type_label(event_type, sub_event_type):
    """'Riots / Mob violence'; 'Explosions/Remote violence / sub-type unknown' when the source
    names no sub-type."""
    return f"{event_type} / {sub_event_type or SUB_TYPE_UNKNOWN}"


def with_labels(frame):
    """The frame with the words shown to users as columns date_label, place_label, type_label.

    Computed once when the incidents are loaded, not on every rerun of the app.
    """
    frame = frame.copy()
    frame["date_label"] = _per_distinct(date_label, frame["date_start"], frame["date_end"], frame["date_precision"])
    frame["place_label"] = _per_distinct(place_label, frame["location"], frame["geo_precision"])
    frame["type_label"] = _per_distinct(type_label, frame["event_type"], frame["sub_event_type"])
    return frame


def _per_distinct(label, *columns):
    """label(*values) for every row, computed once per distinct combination: 100,000 imported
    incidents share a few thousand dates and places."""
    labels = {}
    return [
        labels[key] if key in labels else labels.setdefault(key, label(*key))
        for key in zip(*(column.tolist() for column in columns))
    ]
