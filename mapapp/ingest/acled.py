"""Rows of an ACLED export (acleddata.com) to Drafts."""

import datetime as dt

from mapapp.ingest.draft import Draft, RowFormat, one_line
from mapapp.ingest.values import Rejected, check_coordinates, first_sentence, match_types, parse_date, parse_int, parse_number

# The columns that identify an ACLED export (PRODUCT.md lists them all; these are the ones read).
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


class AcledRows(RowFormat):
    name = "acled"
    label = "ACLED export"

    def passage(self, values):
        return self.cell(values, "notes")

    def heading(self, values):
        cell = self.cell
        actors = " / ".join(a for a in (cell(values, "actor1"), cell(values, "actor2")) if a)
        parts = [
            f"ACLED {cell(values, 'event_id_cnty')}",
            cell(values, "event_date"),
            cell(values, "location"),
            f"{cell(values, 'event_type')}: {cell(values, 'sub_event_type')}",
        ]
        if actors:
            parts.append(actors)
        if cell(values, "fatalities"):
            parts.append(f"fatalities {cell(values, 'fatalities')}")
        return one_line(" · ".join(parts))

    def source(self, values):
        return self.cell(values, "source")

    def draft(self, values):
        cell = self.cell
        event_id = cell(values, "event_id_cnty")
        if not event_id:
            raise Rejected("event_id_cnty: the ACLED event id is empty")
        day, _, precision = parse_date(cell(values, "event_date"), "event_date")
        if precision != "day":
            raise Rejected(f"event_date: expected the day ACLED coded, got {cell(values, 'event_date')!r}")
        time_precision = parse_int(cell(values, "time_precision"), "time_precision", TIME_PRECISIONS)
        date_precision = TIME_PRECISIONS[time_precision]
        if date_precision == "day":
            start = end = day
        elif date_precision == "week":
            start, end = day - dt.timedelta(days=3), day + dt.timedelta(days=3)
        else:
            start = day.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        event_type, sub_event_type = match_types(cell(values, "event_type"), cell(values, "sub_event_type"))
        latitude_text, longitude_text = cell(values, "latitude"), cell(values, "longitude")
        if latitude_text or longitude_text:
            latitude = parse_number(latitude_text, "latitude")
            longitude = parse_number(longitude_text, "longitude")
            check_coordinates(latitude, longitude)
            geo_precision = GEO_PRECISIONS[parse_int(cell(values, "geo_precision"), "geo_precision", GEO_PRECISIONS)]
        else:
            latitude = longitude = geo_precision = None
        notes = cell(values, "notes")
        timestamp = cell(values, "timestamp")
        return Draft(
            id=event_id,
            date_start=start,
            date_end=end,
            date_precision=date_precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=cell(values, "location"),
            latitude=latitude,
            longitude=longitude,
            geo_precision=geo_precision,
            description=first_sentence(notes) if notes else f"{sub_event_type} in {cell(values, 'location')}",
            source=cell(values, "source") or "ACLED",
            source_timestamp=parse_int(timestamp, "timestamp") if timestamp else None,
        )
