"""Source documents and incidents: immutable values, checked when created."""

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field, fields

from mapapp.errors import InvalidIncident
from mapapp.text import one_line
from mapapp.vocabulary import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, SUB_EVENT_TYPES

# The columns of the data contract, in export order (README "Data contract"); `note` carries what was
# inferred rather than read, so that nothing looks more certain than its source.
CONTRACT_COLUMNS = (
    "id",
    "date_start",
    "date_end",
    "date_precision",
    "event_type",
    "sub_event_type",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "border_distance_km",
    "description",
    "source",
    "document_id",
    "passage_start",
    "passage_end",
    "passage",
    "note",
    "actor1",
    "actor2",
    "fatalities",
    "admin1",
    "admin2",
)


@dataclass(frozen=True)
class Document:
    """A source document: the text that passages point into."""

    id: str
    title: str
    text: str
    source: str = ""

    def __post_init__(self):
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidIncident("document_id", self.id, "a non-empty document id")
        if not isinstance(self.text, str):
            raise InvalidIncident("text", self.text, "the document text as a string")

    def passage(self, start, end):
        """The exact text between two character offsets, checked against the document."""
        if not (0 <= start < end <= len(self.text)):
            raise InvalidIncident(
                "passage_start/passage_end",
                (start, end),
                f"offsets with 0 <= start < end <= {len(self.text)} in document {self.id!r}",
            )
        return self.text[start:end]


@dataclass(frozen=True)
class Incident:
    """One coded incident, tied to the passage of the document that reports it."""

    id: str
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str
    event_type: str
    sub_event_type: str
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    description: str
    source: str
    document_id: str
    passage_start: int
    passage_end: int
    passage: str
    border_distance_km: float | None = None
    note: str = ""
    # As the dataset or the source names them (ACLED actor1/actor2, UCDP side_a/side_b).
    actor1: str = ""
    actor2: str = ""
    fatalities: int | None = None  # reported deaths; None when unknown (not 0)
    admin1: str = ""
    admin2: str = ""
    # ACLED's `timestamp` of the row this came from, to tell an update from a duplicate.
    source_timestamp: int | None = field(default=None, compare=False)

    # The checks run for every incident of an upload (100,000 of them), so each one is a plain
    # test and the message explaining a failure is only built when it fails.
    def __post_init__(self):
        if not (isinstance(self.id, str) and self.id.strip()):
            raise InvalidIncident("id", self.id, "a non-empty id")
        self._check_dates()
        if self.event_type not in EVENT_TYPES:
            raise InvalidIncident("event_type", self.event_type, "one of " + ", ".join(EVENT_TYPES))
        allowed = SUB_EVENT_TYPES[self.event_type]
        # "" is an honest "sub-type unknown": a log that says only "explosion".
        if self.sub_event_type and self.sub_event_type not in allowed:
            raise InvalidIncident(
                "sub_event_type",
                self.sub_event_type,
                f"a sub-event type of {self.event_type!r}: " + ", ".join(allowed),
            )
        self._check_place()
        if self.fatalities is not None and not (
            isinstance(self.fatalities, int) and not isinstance(self.fatalities, bool) and self.fatalities >= 0
        ):
            raise InvalidIncident("fatalities", self.fatalities, "a whole number of deaths (0 or more), or none")
        start, end = self.passage_start, self.passage_end
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            raise InvalidIncident("passage_start/passage_end", (start, end), "integer offsets with 0 <= start < end")
        if len(self.passage) != end - start:
            raise InvalidIncident("passage", self.passage, f"{end - start} characters, as its offsets say")
        stamp = self.source_timestamp
        # The store keeps it as an SQLite INTEGER (64 bits); an ACLED timestamp is seconds.
        if stamp is not None and not (isinstance(stamp, int) and 0 <= stamp < 2**63):
            raise InvalidIncident("timestamp", stamp, f"a whole number of seconds from 0 to {2**63 - 1}")

    def _check_dates(self):
        start, end, precision = self.date_start, self.date_end, self.date_precision
        if precision not in DATE_PRECISIONS:
            raise InvalidIncident("date_precision", precision, "one of " + ", ".join(DATE_PRECISIONS))
        if precision == "unknown":
            if not (start is None and end is None):
                raise InvalidIncident("date_start", start, "no date when the precision is 'unknown'")
            return
        for name, value in (("date_start", start), ("date_end", end)):
            if not isinstance(value, dt.date):
                raise InvalidIncident(name, value, f"a date for a {precision}-precise event")
        if not end >= start:
            raise InvalidIncident("date_end", end.isoformat(), f"a date on or after date_start {start.isoformat()}")
        if precision == "day" and end != start:
            raise InvalidIncident(
                "date_end", end.isoformat(), f"equal to date_start {start.isoformat()} for a day-precise event"
            )

    def _check_place(self):
        for name, value, low, high in (
            ("latitude", self.latitude, -90, 90),
            ("longitude", self.longitude, -180, 180),
        ):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high):
                raise InvalidIncident(name, value, f"decimal degrees between {low} and {high}")
        if self.geo_precision not in GEO_PRECISIONS:
            raise InvalidIncident("geo_precision", self.geo_precision, "an integer 1-5 (1 exact place ... 5 country)")

    @property
    def fingerprint(self):
        """What makes two incidents the same event when their ids differ: date, type, place and
        summary, compared without case or spacing; a short hash, as it is stored per incident.

        Computed once per incident: the importer looks it up and the store writes it. (Kept in
        the instance's __dict__ by hand: functools.cached_property takes a lock per first read
        on Python 3.11, a quarter of a second per 100,000 incidents.)
        """
        try:
            return self.__dict__["_fingerprint"]
        except KeyError:
            pass
        # The event type needs no folding: it is always one of EVENT_TYPES, spelled as there.
        # one_line(text) is " ".join(text.split()), without building the word list when there is
        # nothing to collapse (most descriptions: 0.1 s less per 100,000 incidents). It also
        # removes "\x1f" (whitespace to str.split), so the join is unambiguous.
        key = "\x1f".join((
            self.date_start.isoformat() if self.date_start else "",
            self.event_type,
            one_line(self.location.casefold()),
            one_line(self.description.casefold()),
        ))
        if self.actor1 or self.actor2:
            # ACLED codes a clash of three groups as rows that differ only in their actors:
            # distinct events. (Without actors the key is as it was, so stored prints hold.)
            key += "\x1f" + one_line(self.actor1.casefold()) + "\x1f" + one_line(self.actor2.casefold())
        value = self.__dict__["_fingerprint"] = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        return value

    def as_row(self):
        """The incident as a dict of contract columns, dates as ISO strings."""
        row = {name: getattr(self, name) for name in CONTRACT_COLUMNS}
        for name in ("date_start", "date_end"):
            row[name] = row[name].isoformat() if row[name] else ""
        return row


INCIDENT_FIELDS = tuple(f.name for f in fields(Incident))


def passage_at(text, start, end):
    """text[start:end] when [start, end) is a passage's place in ``text`` (0 <= start < end <=
    its length), else None: the one check of a passage's offsets against its document."""
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return None
