"""What a row of any format becomes before it is checked as an Incident."""

import collections
import datetime as dt
import operator
from dataclasses import dataclass

from mapapp.incident import Incident
from mapapp.ingest.values import Rejected


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
    actor1: str = ""
    actor2: str = ""
    fatalities: int | None = None
    admin1: str = ""
    admin2: str = ""
    source_timestamp: int | None = None
    link: tuple | None = None

    def incident(self, id, document_id, passage_start, passage_end, passage, border_distance_km):
        """The Incident of this draft, its passage at [passage_start, passage_end) of the
        document; raises InvalidIncident naming the field the contract does not allow."""
        return Incident(
            id=id, date_start=self.date_start, date_end=self.date_end, date_precision=self.date_precision,
            event_type=self.event_type, sub_event_type=self.sub_event_type, location=self.location,
            latitude=self.latitude, longitude=self.longitude, geo_precision=self.geo_precision,
            description=self.description, source=self.source, document_id=document_id,
            passage_start=passage_start, passage_end=passage_end, passage=passage,
            border_distance_km=border_distance_km, note=self.note, actor1=self.actor1, actor2=self.actor2,
            fatalities=self.fatalities, admin1=self.admin1, admin2=self.admin2,
            source_timestamp=self.source_timestamp,
        )


def column_key(name):
    """A header cell compared without case, BOM, surrounding space or inner spacing."""
    return "_".join(name.replace("\ufeff", "").casefold().split())


class RowFormat:
    """How the rows of one kind of file become Drafts; one subclass per format.

    A subclass names the `columns` it reads; `cells(values)` picks them out of a row (stripped,
    "" for a column the file lacks) as a named tuple, so the methods read `cells.notes`.
    `passage(cells)` is the row's text for the upload's document (the notes of an ACLED row,
    the headline of a UCDP event); `draft(cells)` reads the rest or raises Rejected.
    """

    name = ""
    label = ""
    columns = ()

    def __init__(self, header, filename="", positions=None):
        self.filename = filename
        if positions is None:
            index = {}
            for position, column in enumerate(header):
                # The first of two equally named columns is the one read.
                index.setdefault(column_key(column), position)
            positions = [index.get(column) for column in self.columns]
        # A missing column reads the "" the planner appends to every row (at len(header)).
        positions = [len(header) if position is None else position for position in positions]
        self.positions = dict(zip(self.columns, positions))  # column -> its cell (len(header): none)
        self._pick = operator.itemgetter(*positions, len(header))
        self._cells = collections.namedtuple(f"{type(self).__name__}Cells", self.columns)._make
        self._memo = {}

    def cells(self, values):
        """The cells this format reads from `values` (a row with "" appended), stripped."""
        return self._cells(map(str.strip, self._pick(values)[:-1]))

    def memo(self, parse, *args):
        """parse(*args), remembered for this file: dates and codes repeat across thousands of
        rows. A Rejected is remembered too and raised again for every row that has it."""
        key = (parse, args)
        try:
            result = self._memo[key]
        except KeyError:
            try:
                result = parse(*args)
            except Rejected as err:
                result = err
            self._memo[key] = result
        if isinstance(result, Rejected):
            raise Rejected(str(result))
        return result

    def prepare(self, rows):
        """Look at all the rows (lists of cells) before any is drafted; nothing by default."""

    def passage(self, cells):
        raise NotImplementedError

    def heading(self, cells):
        """One line naming the row in the document: id, date, place."""
        raise NotImplementedError

    def source(self, cells):
        return ""

    def draft(self, cells):
        raise NotImplementedError

    def default_source(self):
        return f"uploaded file {self.filename}" if self.filename else "uploaded file"
