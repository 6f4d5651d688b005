"""Rows in the app's own data contract (its CSV export, or a log kept in the same columns)."""

from mapapp.incident import passage_at
from mapapp.ingest.draft import Draft, RowFormat
from mapapp.ingest.values import (
    Rejected, match_types, parse_coordinates, parse_date, parse_int, precision_of_range,
)
from mapapp.text import one_line
from mapapp.vocabulary import DATE_PRECISIONS, GEO_PRECISIONS

REQUIRED_COLUMNS = (
    "id", "date_start", "date_end", "date_precision", "event_type", "sub_event_type",
    "location", "latitude", "longitude", "geo_precision", "description",
)


class ContractRows(RowFormat):
    """Contract rows. A row whose passage is already in a stored document (an export of this
    app re-imported) keeps pointing there; any other passage goes into the upload's document.
    `border_distance_km` is not read: it is always recomputed from the coordinates.
    """

    name = "contract"
    label = "the app's own format (data contract)"
    columns = (
        "id", "date_start", "date_end", "date_precision", "event_type", "sub_event_type",
        "location", "latitude", "longitude", "geo_precision", "description", "source",
        "document_id", "passage_start", "passage_end", "passage", "note",
        "actor1", "actor2", "fatalities", "admin1", "admin2",
    )

    def __init__(self, header, filename="", document_text=None):
        super().__init__(header, filename)
        # document_text(id) -> the text of a stored document, or None.
        self.document_text = document_text or (lambda document_id: None)

    def passage(self, cells):
        return cells.passage or cells.description

    def heading(self, cells):
        dates = cells.date_start
        if cells.date_end and cells.date_end != dates:
            dates += f" – {cells.date_end}"
        parts = [cells.id or "(no id)", dates or "(no date)", cells.location]
        if cells.document_id:
            parts.append(f"from document {cells.document_id} {cells.passage_start}–{cells.passage_end}")
        return one_line(" · ".join(parts))

    def source(self, cells):
        return cells.source

    def draft(self, cells):
        precision = cells.date_precision.casefold()
        if precision and precision not in DATE_PRECISIONS:
            expected = ", ".join(DATE_PRECISIONS)
            raise Rejected(f"date_precision: expected one of {expected}, got {cells.date_precision!r}")
        if cells.date_start:
            start, end, parsed_precision = self.memo(parse_date, cells.date_start, "date_start")
            if cells.date_end:
                end = self.memo(parse_date, cells.date_end, "date_end")[1]
                parsed_precision = precision_of_range(start, end) if end >= start else "day"
            precision = precision or parsed_precision
        elif cells.date_end:
            raise Rejected(f"date_start: empty while date_end is {cells.date_end!r}")
        else:
            start = end = None
            precision = precision or "unknown"
        event_type, sub_event_type = match_types(cells.event_type, cells.sub_event_type)
        latitude, longitude = parse_coordinates(cells.latitude, cells.longitude)
        geo_precision = (
            self.memo(parse_int, cells.geo_precision, "geo_precision", tuple(GEO_PRECISIONS))
            if cells.geo_precision else None
        )
        return Draft(
            id=cells.id,
            date_start=start,
            date_end=end,
            date_precision=precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=cells.location,
            latitude=latitude,
            longitude=longitude,
            geo_precision=geo_precision,
            description=one_line(cells.description),
            source=cells.source or self.default_source(),
            note=cells.note,
            actor1=cells.actor1,
            actor2=cells.actor2,
            fatalities=self.memo(parse_int, cells.fatalities, "fatalities") if cells.fatalities else None,
            admin1=cells.admin1,
            admin2=cells.admin2,
            link=self._link(cells),
        )

    def _link(self, cells):
        if not cells.document_id:
            return None
        try:
            start, end = int(cells.passage_start), int(cells.passage_end)
        except ValueError:
            return None
        text = self.document_text(cells.document_id)
        passage = None if text is None else passage_at(text, start, end)
        if passage is None or (cells.passage and passage.strip() != cells.passage):
            return None
        return cells.document_id, start, end
