"""Corrections of a stored incident: which fields an editor may change, the corrected Incident
(checked like any other), and the change as it is kept in the history (old and new values).

The store applies them (Writer.correct, Writer.undo); each correction is a new version of the
incident with who, when and why, and can be undone.
"""

import dataclasses
import datetime as dt
import json

from mapapp.errors import InvalidIncident
from mapapp.incident import CONTRACT_COLUMNS, passage_at

# What an editor may correct. The passage follows its offsets; the distance to the boundary
# follows the point.
CORRECTABLE = (
    "date_start", "date_end", "date_precision",
    "location", "latitude", "longitude", "geo_precision",
    "event_type", "sub_event_type",
    "description",
    "passage_start", "passage_end",
)
_DATES = ("date_start", "date_end")
# Kept in a change record besides CORRECTABLE: what follows from them.
_DERIVED = ("border_distance_km", "passage")


def corrected(incident, changes, document_text):
    """The incident with `changes` ({field: value}) applied, checked as a new Incident.

    Raises InvalidIncident for a field that cannot be corrected, a value the data contract
    refuses, offsets outside the document, or changes that change nothing."""
    for name in changes:
        if name not in CORRECTABLE:
            raise InvalidIncident("field", name, "one of " + ", ".join(CORRECTABLE))
    values = dict(changes)
    if "passage_start" in values or "passage_end" in values:
        start = values.get("passage_start", incident.passage_start)
        end = values.get("passage_end", incident.passage_end)
        passage = passage_at(document_text, start, end)
        if passage is None:
            raise InvalidIncident(
                "passage_start/passage_end", (start, end),
                f"offsets with 0 <= start < end <= {len(document_text)} in document {incident.document_id!r}",
            )
        values["passage"] = passage
    new = dataclasses.replace(incident, **values)
    if {"latitude", "longitude", "geo_precision"} & set(values):
        # Imported here: the store imports this module, and the boundary's geometry (shapely,
        # numpy) would slow the start of every command that never corrects.
        from mapapp.boundary import border_distances_km

        (distance,) = border_distances_km([new.latitude], [new.longitude], [new.geo_precision])
        new = dataclasses.replace(new, border_distance_km=distance)
    if not change(incident, new):
        raise InvalidIncident("changes", changes, "at least one value different from the stored one")
    return new


def change(old, new):
    """{field: [old value, new value]} of the fields that differ, as JSON-ready values."""
    return {
        name: [_plain(getattr(old, name)), _plain(getattr(new, name))]
        for name in CORRECTABLE + _DERIVED
        if getattr(old, name) != getattr(new, name)
    }


# What a source's newer version of an incident is compared on: every value of the contract
# except where its passage sits (the new version cites the new upload's document).
_SOURCE_FIELDS = tuple(
    name for name in CONTRACT_COLUMNS if name not in ("id", "document_id", "passage_start", "passage_end")
)


def source_change(current, newer):
    """{field: [current value, the source's value]} of the fields a source's newer version of
    an incident would change, as JSON-ready values."""
    return {
        name: [_plain(getattr(current, name)), _plain(getattr(newer, name))]
        for name in _SOURCE_FIELDS
        if getattr(current, name) != getattr(newer, name)
    }


def reverted(incident, fields):
    """The incident with the old values of a change record put back."""
    return dataclasses.replace(incident, **{name: _value(name, old) for name, (old, _) in fields.items()})


def still_current(incident, fields):
    """True when the incident still holds every new value of a change record."""
    return all(_plain(getattr(incident, name)) == new for name, (_, new) in fields.items())


def to_json(fields):
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def from_json(text):
    return json.loads(text)


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _value(name, plain):
    return dt.date.fromisoformat(plain) if name in _DATES and plain else plain
