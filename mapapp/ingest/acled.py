"""Rows of an ACLED export (acleddata.com) to Drafts."""

import datetime as dt

from mapapp.ingest.draft import Draft, RowFormat
from mapapp.ingest.values import (
    Rejected, first_sentence, match_types, parse_coordinates, parse_date, parse_int,
)
from mapapp.text import one_line

# The columns that identify an ACLED export (ACLED's codebook lists them all).
REQUIRED_COLUMNS = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
    "location", "latitude", "longitude", "geo_precision", "source", "notes",
)

# ACLED codes an event known only to a week at the middle of that week, and one known only to
# a month at the middle of the month (ACLED codebook, "time precision"); the incident spans the
# whole week (event_date - 3 ... + 3 days) or the whole calendar month.
TIME_PRECISIONS = {1: "day", 2: "week", 3: "month"}

# ACLED geo_precision 1 is the coordinates of the named town or village: an exact place (1).
# 2 is "near" a town or a part of a region: near a named place (2). 3 is "a larger region"
# (the closest natural location or a provincial capital stands for it), which is coarser than
# a municipality, so it is a wider region (4), drawn as such on the map.
GEO_PRECISIONS = {1: 1, 2: 2, 3: 4}
_GEO_CODES = tuple(GEO_PRECISIONS)
_TIME_CODES = tuple(TIME_PRECISIONS)


class AcledRows(RowFormat):
    name = "acled"
    label = "ACLED export"
    columns = (
        "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
        "actor1", "actor2", "location", "latitude", "longitude", "geo_precision", "source",
        "notes", "fatalities", "timestamp", "admin1", "admin2",
    )

    def passage(self, cells):
        return cells.notes

    def heading(self, cells):
        actors = " / ".join(actor for actor in (cells.actor1, cells.actor2) if actor)
        parts = [
            f"ACLED {cells.event_id_cnty}",
            cells.event_date,
            cells.location,
            f"{cells.event_type}: {cells.sub_event_type}",
        ]
        if actors:
            parts.append(actors)
        if cells.fatalities:
            parts.append(f"fatalities {cells.fatalities}")
        return one_line(" · ".join(parts))

    def source(self, cells):
        return cells.source

    def draft(self, cells):
        if not cells.event_id_cnty:
            raise Rejected("event_id_cnty: the ACLED event id is empty")
        start, end, date_precision = self.memo(_dates, cells.event_date, cells.time_precision)
        event_type, sub_event_type = match_types(cells.event_type, cells.sub_event_type)
        latitude, longitude = parse_coordinates(cells.latitude, cells.longitude)
        geo_precision = (
            None if latitude is None
            else GEO_PRECISIONS[self.memo(parse_int, cells.geo_precision, "geo_precision", _GEO_CODES)]
        )
        return Draft(
            id=cells.event_id_cnty,
            date_start=start,
            date_end=end,
            date_precision=date_precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=cells.location,
            latitude=latitude,
            longitude=longitude,
            geo_precision=geo_precision,
            description=first_sentence(cells.notes) if cells.notes else f"{sub_event_type} in {cells.location}",
            source=cells.source or "ACLED",
            actor1=cells.actor1,
            actor2=cells.actor2,
            fatalities=self.memo(parse_int, cells.fatalities, "fatalities") if cells.fatalities else None,
            admin1=cells.admin1,
            admin2=cells.admin2,
            source_timestamp=parse_int(cells.timestamp, "timestamp") if cells.timestamp else None,
        )


def _dates(event_date, time_precision):
    """(date_start, date_end, date_precision) of an ACLED event_date and time_precision."""
    day, _, precision = parse_date(event_date, "event_date")
    if precision != "day":
        raise Rejected(f"event_date: expected the day ACLED coded, got {event_date!r}")
    precision = TIME_PRECISIONS[parse_int(time_precision, "time_precision", _TIME_CODES)]
    if precision == "day":
        return day, day, precision
    if precision == "week":
        return day - dt.timedelta(days=3), day + dt.timedelta(days=3), precision
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last, precision
