"""What a row of any format becomes before it is checked as an Incident."""

import datetime as dt
from dataclasses import dataclass


@dataclass(slots=True)
class Draft:
    """The fields of an incident read from one row; coordinates may still need geocoding.

    `latitude`/`longitude` None means "geocode `location`"; `geo_precision` None means "take
    the gazetteer's". `link` is set for a contract row whose passage is already in a stored
    document: (document_id, passage_start, passage_end), kept instead of the upload's text.
    """

    id: str
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str
    event_type: str
    sub_event_type: str
    location: str
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    description: str
    source: str
    note: str = ""
    source_timestamp: int | None = None
    link: tuple | None = None


def one_line(text):
    """Text on one line, whitespace collapsed: for the heading of a row's block in a document."""
    return " ".join(text.split())


def column_key(name):
    """A header cell compared without case, BOM, surrounding space or inner spacing."""
    return "_".join(name.replace("\ufeff", "").casefold().split())


class RowFormat:
    """How the rows of one kind of file become Drafts; one subclass per format.

    `passage(values)` is the text of a row that goes into the upload's document (the notes of
    an ACLED row, the headline of a UCDP event); `draft(values)` reads the rest or raises
    Rejected with the reason.
    """

    name = ""
    label = ""

    def __init__(self, header, filename=""):
        self.filename = filename
        self.index = {}
        for position, column in enumerate(header):
            # The first of two equally named columns is the one read.
            self.index.setdefault(column_key(column), position)

    def cell(self, values, column):
        position = self.index.get(column)
        return values[position].strip() if position is not None else ""

    def passage(self, values):
        raise NotImplementedError

    def heading(self, values):
        """One line naming the row in the document: id, date, place."""
        raise NotImplementedError

    def source(self, values):
        return ""

    def draft(self, values):
        raise NotImplementedError

    def default_source(self):
        return f"uploaded file {self.filename}" if self.filename else "uploaded file"
