"""Rows of a UCDP Georeferenced Event Dataset (GED) export to Drafts."""

import datetime as dt

from mapapp.ingest.draft import Draft, RowFormat, one_line
from mapapp.ingest.values import Rejected, check_coordinates, parse_date, parse_int, parse_number, precision_of_range

REQUIRED_COLUMNS = (
    "id", "type_of_violence", "date_prec", "date_start", "date_end", "where_prec",
    "latitude", "longitude", "source_headline", "source_article",
)

# UCDP date_prec: 1 the exact day; 2 a range of 2-6 days; 3 the week; 4 the month (8-30
# days); 5 the year (31-365 days). UCDP gives the range itself in date_start/date_end, so the
# dates are kept as given and only the words change.
DATE_PRECISIONS = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}

# UCDP where_prec -> the contract's geo_precision:
#   1 exact location                              -> 1 exact place
#   2 within about 25 km of a known point         -> 2 near a named place
#   3 second-order administrative division        -> 3 municipality
#   4 first-order administrative division         -> 4 wider region
#   5 a linear feature (road, river) or "between" -> 4 wider region (no one place is meant)
#   6 only the country                            -> 5 country
#   7 international waters or airspace            -> 5 country (the coarsest the contract has)
GEO_PRECISIONS = {1: 1, 2: 2, 3: 3, 4: 4, 5: 4, 6: 5, 7: 5}

# UCDP type_of_violence -> ACLED (event_type, sub_event_type). UCDP counts organised violence
# only: state-based (a government and another armed party) and non-state (two organised
# armed groups) are both armed clashes in ACLED's terms; one-sided violence is an organised
# actor attacking civilians.
TYPES_OF_VIOLENCE = {
    1: ("state-based", "Battles", "Armed clash"),
    2: ("non-state", "Battles", "Armed clash"),
    3: ("one-sided", "Violence against civilians", "Attack"),
}


class UcdpRows(RowFormat):
    name = "ucdp"
    label = "UCDP GED export"

    def passage(self, values):
        return self.cell(values, "source_headline") or self.cell(values, "source_article")

    def heading(self, values):
        cell = self.cell
        parts = [
            f"UCDP GED {cell(values, 'id')}",
            f"{cell(values, 'date_start')} – {cell(values, 'date_end')}",
            self._location(values),
            cell(values, "conflict_name"),
            f"{cell(values, 'side_a')} / {cell(values, 'side_b')}",
        ]
        if cell(values, "best"):
            parts.append(f"deaths {cell(values, 'best')} (low {cell(values, 'low')}, high {cell(values, 'high')})")
        return one_line(" · ".join(part for part in parts if part.strip(" /–")))

    def source(self, values):
        # The headline is the passage; the article citation is kept beside it.
        return self.cell(values, "source_article") if self.cell(values, "source_headline") else ""

    def _location(self, values):
        for column in ("where_coordinates", "where_description", "adm_2", "adm_1", "country"):
            if self.cell(values, column):
                return self.cell(values, column)
        return ""

    def draft(self, values):
        cell = self.cell
        event_id = cell(values, "id")
        if not event_id:
            raise Rejected("id: the UCDP event id is empty")
        violence = parse_int(cell(values, "type_of_violence"), "type_of_violence", TYPES_OF_VIOLENCE)
        kind, event_type, sub_event_type = TYPES_OF_VIOLENCE[violence]
        start = _day(cell(values, "date_start"), "date_start")
        end = _day(cell(values, "date_end"), "date_end")
        if end < start:
            raise Rejected(f"date_end: {end.isoformat()} is before date_start {start.isoformat()}")
        date_prec = parse_int(cell(values, "date_prec"), "date_prec", DATE_PRECISIONS)
        precision = DATE_PRECISIONS[date_prec]
        notes = [f"UCDP type_of_violence {violence} ({kind}) coded as {event_type} / {sub_event_type}."]
        if precision == "day" and end != start:
            precision = precision_of_range(start, end)
            notes.append(f"date_prec 1 with a {(end - start).days + 1}-day range: coded as that range.")
        latitude = parse_number(cell(values, "latitude"), "latitude")
        longitude = parse_number(cell(values, "longitude"), "longitude")
        check_coordinates(latitude, longitude)
        where_prec = parse_int(cell(values, "where_prec"), "where_prec", GEO_PRECISIONS)
        sides = " vs ".join(side for side in (cell(values, "side_a"), cell(values, "side_b")) if side)
        best = cell(values, "best")
        description = cell(values, "conflict_name") or sides or f"UCDP event {event_id}"
        if sides and sides != description:
            description += f": {sides}"
        if best:
            description += f", {best} deaths (best estimate)"
        return Draft(
            id=event_id,
            date_start=start,
            date_end=end,
            date_precision=precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=self._location(values),
            latitude=latitude,
            longitude=longitude,
            geo_precision=GEO_PRECISIONS[where_prec],
            description=description,
            source=cell(values, "source_article") or "UCDP GED",
            note=" ".join(notes),
        )


def _day(text, field):
    start, end, precision = parse_date(text, field)
    if precision != "day":
        raise Rejected(f"{field}: expected a day such as 2023-05-29, got {text!r}")
    return start
