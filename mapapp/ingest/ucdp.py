"""Rows of a UCDP Georeferenced Event Dataset (GED) export to Drafts."""

from mapapp.ingest.draft import Draft, RowFormat
from mapapp.ingest.values import (
    Rejected, check_coordinates, parse_date, parse_int, parse_number, precision_of_range,
)
from mapapp.text import one_line

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
    columns = (
        "id", "type_of_violence", "conflict_name", "side_a", "side_b", "source_article",
        "source_headline", "where_prec", "where_coordinates", "where_description", "adm_1",
        "adm_2", "country", "latitude", "longitude", "date_prec", "date_start", "date_end",
        "best", "high", "low",
    )

    def passage(self, cells):
        return cells.source_headline or cells.source_article

    def heading(self, cells):
        parts = [
            f"UCDP GED {cells.id}",
            f"{cells.date_start} – {cells.date_end}",
            _location(cells),
            cells.conflict_name,
            f"{cells.side_a} / {cells.side_b}",
        ]
        if cells.best:
            parts.append(f"deaths {cells.best} (low {cells.low}, high {cells.high})")
        return one_line(" · ".join(part for part in parts if part.strip(" /–")))

    def source(self, cells):
        # The headline is the passage; the article citation is kept beside it.
        return cells.source_article if cells.source_headline else ""

    def draft(self, cells):
        if not cells.id:
            raise Rejected("id: the UCDP event id is empty")
        violence = self.memo(parse_int, cells.type_of_violence, "type_of_violence", tuple(TYPES_OF_VIOLENCE))
        kind, event_type, sub_event_type = TYPES_OF_VIOLENCE[violence]
        start = self.memo(_day, cells.date_start, "date_start")
        end = self.memo(_day, cells.date_end, "date_end")
        if end < start:
            raise Rejected(f"date_end: {end.isoformat()} is before date_start {start.isoformat()}")
        date_prec = self.memo(parse_int, cells.date_prec, "date_prec", tuple(DATE_PRECISIONS))
        precision = DATE_PRECISIONS[date_prec]
        notes = [f"UCDP type_of_violence {violence} ({kind}) coded as {event_type} / {sub_event_type}."]
        if precision == "day" and end != start:
            precision = precision_of_range(start, end)
            notes.append(f"date_prec 1 with a {(end - start).days + 1}-day range: coded as that range.")
        latitude = parse_number(cells.latitude, "latitude")
        longitude = parse_number(cells.longitude, "longitude")
        check_coordinates(latitude, longitude)
        where_prec = self.memo(parse_int, cells.where_prec, "where_prec", tuple(GEO_PRECISIONS))
        sides = " vs ".join(side for side in (cells.side_a, cells.side_b) if side)
        description = cells.conflict_name or sides or f"UCDP event {cells.id}"
        if sides and sides != description:
            description += f": {sides}"
        if cells.best:
            description += f", {cells.best} deaths (best estimate)"
        return Draft(
            id=cells.id,
            date_start=start,
            date_end=end,
            date_precision=precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=_location(cells),
            latitude=latitude,
            longitude=longitude,
            geo_precision=GEO_PRECISIONS[where_prec],
            description=description,
            source=cells.source_article or "UCDP GED",
            note=" ".join(notes),
            actor1=cells.side_a,
            actor2=cells.side_b,
            fatalities=self.memo(parse_int, cells.best, "best") if cells.best else None,
            admin1=cells.adm_1,
            admin2=cells.adm_2,
        )


def _location(cells):
    """The most specific place name UCDP gives."""
    for name in (cells.where_coordinates, cells.where_description, cells.adm_2, cells.adm_1, cells.country):
        if name:
            return name
    return ""


def _day(text, field):
    start, end, precision = parse_date(text, field)
    if precision != "day":
        raise Rejected(f"{field}: expected a day such as 2023-05-29, got {text!r}")
    return start
