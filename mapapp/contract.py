"""Rows of the data contract (CSV / dict of strings) to incidents, and back."""

import dataclasses
import datetime as dt
import math

import numpy as np

from mapapp.boundary import distance_km
from mapapp.errors import InvalidIncident
from mapapp.incident import Incident


def incident_from_row(row, document_text=None):
    """Build an Incident from a contract row of strings; raise InvalidIncident naming the field.

    `border_distance_km` is always recomputed from the coordinates, so a stale or forged
    value in a file cannot disagree with the map. When `document_text` is given the
    passage is taken from it, so that `passage` always equals the document's span.
    """
    start = _int(row, "passage_start")
    end = _int(row, "passage_end")
    if document_text is not None:
        if not (0 <= start < end <= len(document_text)):
            raise InvalidIncident(
                "passage_start/passage_end",
                (start, end),
                f"offsets inside the document ({len(document_text)} characters)",
            )
        passage = document_text[start:end]
        given = row.get("passage")
        if given not in (None, "") and given != passage:
            raise InvalidIncident(
                "passage", given, f"the document's text between {start} and {end}: {passage!r}"
            )
    else:
        passage = row.get("passage") or ""
    latitude = _float(row, "latitude")
    longitude = _float(row, "longitude")
    incident = Incident(
        id=_text(row, "id"),
        date_start=_date(row, "date_start"),
        date_end=_date(row, "date_end"),
        date_precision=_text(row, "date_precision") or "unknown",
        event_type=_text(row, "event_type"),
        sub_event_type=_text(row, "sub_event_type"),
        location=_text(row, "location"),
        latitude=latitude,
        longitude=longitude,
        geo_precision=_int(row, "geo_precision"),
        description=_text(row, "description"),
        source=_text(row, "source"),
        document_id=_text(row, "document_id"),
        passage_start=start,
        passage_end=end,
        passage=passage,
        border_distance_km=None,
        note=_text(row, "note"),
        actor1=_text(row, "actor1"),
        actor2=_text(row, "actor2"),
        fatalities=_int(row, "fatalities") if _text(row, "fatalities") else None,
        admin1=_text(row, "admin1"),
        admin2=_text(row, "admin2"),
    )
    return with_border_distance(incident)


def with_border_distance(incident):
    """The incident with border_distance_km computed from its coordinates (rounded to 10 m).

    A country-level point (geo_precision 5) is only a label position, so its distance to the
    boundary would be meaningless: it is left empty rather than shown as if measured.
    """
    (km,) = border_distances_km([incident.latitude], [incident.longitude], [incident.geo_precision])
    return dataclasses.replace(incident, border_distance_km=km)


def border_distances_km(latitudes, longitudes, geo_precisions):
    """border_distance_km for many points at once, by the rule of with_border_distance:
    rounded to 10 m, None for a country-level point. One vectorised call for a whole upload."""
    if not len(latitudes):
        return []
    distances = distance_km(np.asarray(latitudes, dtype=float), np.asarray(longitudes, dtype=float))
    return [
        None if precision >= 5 else round(float(km), 2)
        for km, precision in zip(np.atleast_1d(distances), geo_precisions)
    ]


def _text(row, name):
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _date(row, name):
    value = _text(row, name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise InvalidIncident(name, value, "an ISO date such as 2023-09-24") from err


def _int(row, name):
    value = _text(row, name)
    try:
        number = float(value)
        if number != int(number):
            raise ValueError(value)
        return int(number)
    except (ValueError, OverflowError) as err:
        raise InvalidIncident(name, value, "a whole number") from err


def _float(row, name):
    value = _text(row, name)
    try:
        return float(value)
    except ValueError as err:
        raise InvalidIncident(name, value, "a decimal number such as 42.9") from err
