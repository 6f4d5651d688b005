"""Rows in the app's own data contract (its CSV export, or a log kept in the same columns)."""

from mapapp.ingest.draft import Draft, RowFormat, one_line
from mapapp.ingest.values import Rejected, check_coordinates, match_types, parse_date, parse_int, parse_number, precision_of_range
from mapapp.vocabulary import DATE_PRECISIONS, GEO_PRECISIONS

REQUIRED_COLUMNS = (
    "id", "date_start", "date_end", "date_precision", "event_type", "sub_event_type",
    "location", "latitude", "longitude", "geo_precision", "description",
)


class ContractRows(RowFormat):
    """Contract rows. A row whose passage is already in a stored document (an export of this
    app re-imported) keeps pointing there; any other passage goes into the upload's document.
    """

    name = "contract"
    label = "the app's own format (data contract)"

    def __init__(self, header, filename="", document_text=None):
        super().__init__(header, filename)
        # document_text(id) -> the text of a stored document, or None.
        self.document_text = document_text or (lambda document_id: None)

    def passage(self, values):
        return self.cell(values, "passage") or self.cell(values, "description")

    def heading(self, values):
        cell = self.cell
        dates = cell(values, "date_start")
        if cell(values, "date_end") and cell(values, "date_end") != dates:
            dates += f" – {cell(values, 'date_end')}"
        parts = [cell(values, "id") or "(no id)", dates or "(no date)", cell(values, "location")]
        if cell(values, "document_id"):
            parts.append(f"from document {cell(values, 'document_id')} "
                         f"{cell(values, 'passage_start')}–{cell(values, 'passage_end')}")
        return one_line(" · ".join(parts))

    def source(self, values):
        return self.cell(values, "source")

    def draft(self, values):
        cell = self.cell
        start_text, end_text = cell(values, "date_start"), cell(values, "date_end")
        precision = cell(values, "date_precision").casefold()
        if precision and precision not in DATE_PRECISIONS:
            raise Rejected(f"date_precision: expected one of {', '.join(DATE_PRECISIONS)}, got {cell(values, 'date_precision')!r}")
        if start_text:
            start, end, parsed_precision = parse_date(start_text, "date_start")
            if end_text:
                end = parse_date(end_text, "date_end")[1]
            precision = precision or (parsed_precision if not end_text else precision_of_range(start, end))
        elif end_text:
            raise Rejected(f"date_start: empty while date_end is {end_text!r}")
        else:
            start = end = None
            precision = precision or "unknown"
        event_type, sub_event_type = match_types(cell(values, "event_type"), cell(values, "sub_event_type"))
        latitude_text, longitude_text = cell(values, "latitude"), cell(values, "longitude")
        if latitude_text or longitude_text:
            latitude = parse_number(latitude_text, "latitude")
            longitude = parse_number(longitude_text, "longitude")
            check_coordinates(latitude, longitude)
        else:
            latitude = longitude = None
        geo_text = cell(values, "geo_precision")
        geo_precision = parse_int(geo_text, "geo_precision", GEO_PRECISIONS) if geo_text else None
        return Draft(
            id=cell(values, "id"),
            date_start=start,
            date_end=end,
            date_precision=precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=cell(values, "location"),
            latitude=latitude,
            longitude=longitude,
            geo_precision=geo_precision,
            description=cell(values, "description"),
            source=cell(values, "source") or self.default_source(),
            note=cell(values, "note"),
            link=self._link(values),
        )

    def _link(self, values):
        cell = self.cell
        document_id = cell(values, "document_id")
        if not document_id:
            return None
        try:
            start = int(cell(values, "passage_start"))
            end = int(cell(values, "passage_end"))
        except ValueError:
            return None
        text = self.document_text(document_id)
        if text is None or not 0 <= start < end <= len(text):
            return None
        passage = cell(values, "passage")
        if passage and text[start:end].strip() != passage:
            return None
        return document_id, start, end
