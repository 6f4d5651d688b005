"""Every stored incident as a few numpy columns: what the map, the filters and the counts need.

A million incidents as Incident objects or a DataFrame of every contract column would take
gigabytes and seconds per filter; as columns of codes they take about 50 bytes each, and a
filter is a handful of vectorised comparisons. Texts (descriptions, passages, ids) stay in
the store and are read for the few rows shown (a table page, a tooltip, the open incident).

Rows are in the order of `Store.rows()`: oldest first, undated last, then by id.
"""

import datetime as dt
import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mapapp.errors import StoreChanged
from mapapp.store import open_store
from mapapp.vocabulary import DATE_PRECISIONS, EVENT_TYPES

# Day number of a missing date: compares as False with every real day in both directions of
# the filters (as pandas' NaT does).
NO_DAY = np.iinfo(np.int32).min
_EPOCH = dt.date(1970, 1, 1)

_SELECT = """
SELECT rowid, latitude, longitude, event_type, sub_event_type, geo_precision, date_precision,
       date_start, date_end, border_distance_km, document_id, actor1, actor2, fatalities
FROM incidents ORDER BY date_start IS NULL, date_start, id
"""


def day_number(day):
    """Days since 1970-01-01 of a date."""
    return (day - _EPOCH).days


@dataclass(frozen=True)
class IncidentColumns:
    """Columns of every incident (one entry per incident, in display order)."""

    rowid: np.ndarray  # int64: the store's rowid, to read a row's texts
    latitude: np.ndarray  # float64
    longitude: np.ndarray  # float64
    event_type: np.ndarray  # uint8: index into EVENT_TYPES
    sub_event_type: np.ndarray  # int16: index into sub_event_types
    sub_event_types: tuple  # the distinct sub-event types
    geo_precision: np.ndarray  # uint8: 1..5
    date_precision: np.ndarray  # uint8: index into DATE_PRECISIONS
    date_start: np.ndarray  # int32 day numbers, NO_DAY when undated
    date_end: np.ndarray  # int32 day numbers, NO_DAY when missing
    border_km: np.ndarray  # float64, NaN for country-level places
    document: np.ndarray  # int32: index into documents
    documents: tuple  # the distinct document ids
    # Actors and fatalities; None in columns made without them (then those filters keep all).
    actor1: np.ndarray | None = None  # int32: index into actors ("" is none)
    actor2: np.ndarray | None = None
    actors: tuple = ()  # the distinct actors, "" among them
    fatalities: np.ndarray | None = None  # int32, -1 when unknown
    # Figures of the whole columns (spans, counts per value) that every run of the page asks
    # for again: computed once per columns, which are made once per store version.
    _memo: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self):
        return len(self.rowid)

    def memo(self, key, compute):
        """compute(), kept under `key` for the life of these columns (they never change)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def undated(self):
        return self.date_start == NO_DAY

    def position_of_rowid(self):
        """An array giving each rowid's position (-1 for none): rowid -> row of these columns."""
        table = np.full(int(self.rowid.max(initial=0)) + 1, -1, dtype=np.int32)
        table[self.rowid] = np.arange(len(self.rowid), dtype=np.int32)
        return table

    def date_span(self):
        """(first start, last end) as dates, or (None, None) when nothing is dated."""
        return self.memo("date_span", self._date_span)

    def _date_span(self):
        dated = self.date_start[self.date_start != NO_DAY]
        if not len(dated):
            return None, None
        ends = self.date_end[self.date_end != NO_DAY]
        last = int(ends.max()) if len(ends) else int(dated.max())
        return _date(int(dated.min())), _date(last)

    def border_max(self):
        """The greatest distance to the boundary, rounded up to a whole km (at least 1)."""
        return self.memo("border_max", self._border_max)

    def _border_max(self):
        km = self.border_km[~np.isnan(self.border_km)]
        return float(max(1, np.ceil(km.max()))) if len(km) else 1.0

    def actor_counts(self):
        """{actor: incidents naming it as actor 1 or 2}, most frequent first, without ""."""
        if self.actor1 is None:
            return {}
        size = len(self.actors)
        both = np.bincount(self.actor1, minlength=size) + np.bincount(self.actor2, minlength=size)
        order = np.argsort(-both, kind="stable")
        return {self.actors[i]: int(both[i]) for i in order if both[i] and self.actors[i]}

    def total_fatalities(self, keep=None):
        """The sum of the known fatalities (of the rows where `keep` is True)."""
        if self.fatalities is None:
            return 0
        values = self.fatalities if keep is None else self.fatalities[keep]
        return int(values[values > 0].sum())

    def counts(self, column, labels):
        """{label: number of incidents} of a coded column."""
        found = np.bincount(getattr(self, column), minlength=len(labels))
        return {label: int(n) for label, n in zip(labels, found) if n}

    def mask(self, filters, text_rowids=None):
        """A boolean array: True where an incident passes every filter.

        The rules are the filters' own declarations (mapapp.filters), the same that
        Filters.apply uses on a frame (tests/test_columns.py checks both agree); the text
        filter is given as the rowids that match it (mapapp.search).
        """
        return filters.column_mask(self, text_rowids)

    def coded(self, column):
        """(codes, labels) of a contract column: row i's value is labels[codes[i]], or codes[i]
        itself when labels is None."""
        return {
            "event_type": (self.event_type, EVENT_TYPES),
            "sub_event_type": (self.sub_event_type, self.sub_event_types),
            "date_precision": (self.date_precision, DATE_PRECISIONS),
            "geo_precision": (self.geo_precision, None),
            "document_id": (self.document, self.documents),
            "border_distance_km": (self.border_km, None),
            "actor1": (self.actor1, self.actors),
            "actor2": (self.actor2, self.actors),
            "fatalities": (self.fatalities, None),
        }[column]

    def missing(self, column):
        """True where the incident has no value in a contract column (only dates can lack one)."""
        return {"date_start": self.date_start, "date_end": self.date_end}[column] == NO_DAY


def _date(number):
    return _EPOCH + dt.timedelta(days=number)


def load(connection):
    """IncidentColumns of every incident, read on a store's connection (a Snapshot's `db`:
    SQLite or PostgreSQL)."""
    return from_frame(_frame(connection.execute(_SELECT)))


def _frame(cursor):
    """A DataFrame of a cursor's rows, named by its columns (pandas reads only SQLite itself)."""
    names = [column[0] for column in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=names)


def from_frame(frame):
    """IncidentColumns from a frame with the columns of _SELECT (dates as ISO text or None)."""
    def categories(column, known=None):
        values = frame[column].fillna("").astype(str)
        cat = pd.Categorical(values, categories=known) if known is not None else pd.Categorical(values)
        if known is not None and (cat.codes < 0).any():
            bad = values[cat.codes < 0].iloc[0]
            raise ValueError(f"{column} {bad!r} is not one of {', '.join(known)}")
        return cat.codes, tuple(cat.categories)

    event_type, _ = categories("event_type", EVENT_TYPES)
    sub_event_type, sub_event_types = categories("sub_event_type")
    date_precision, _ = categories("date_precision", DATE_PRECISIONS)
    document, documents = categories("document_id")
    # Both actor columns share one list of actors, so a filter compares codes. A frame without
    # them (a caller's own selection of columns) gives columns without them.
    if "actor1" in frame:
        actors = pd.Categorical(pd.concat([frame["actor1"], frame["actor2"]]).fillna("").astype(str))
        actor1 = np.asarray(actors.codes[: len(frame)], dtype=np.int32)
        actor2 = np.asarray(actors.codes[len(frame):], dtype=np.int32)
        actor_names = tuple(actors.categories)
    else:
        actor1 = actor2 = None
        actor_names = ()
    fatalities = (
        pd.to_numeric(frame["fatalities"]).fillna(-1).to_numpy(dtype=np.int64).astype(np.int32)
        if "fatalities" in frame else None
    )
    return IncidentColumns(
        rowid=frame["rowid"].to_numpy(dtype=np.int64),
        latitude=frame["latitude"].to_numpy(dtype=np.float64),
        longitude=frame["longitude"].to_numpy(dtype=np.float64),
        event_type=event_type.astype(np.uint8),
        sub_event_type=sub_event_type.astype(np.int16),
        sub_event_types=sub_event_types,
        geo_precision=frame["geo_precision"].to_numpy(dtype=np.uint8),
        date_precision=date_precision.astype(np.uint8),
        date_start=_days(frame["date_start"]),
        date_end=_days(frame["date_end"]),
        border_km=pd.to_numeric(frame["border_distance_km"]).to_numpy(dtype=np.float64),
        document=document.astype(np.int32),
        documents=documents,
        actor1=actor1,
        actor2=actor2,
        actors=actor_names,
        fatalities=fatalities,
    )


def _days(values):
    """ISO date texts (or None) as int32 day numbers, NO_DAY for a missing one."""
    days = pd.to_datetime(values.replace("", None), format="ISO8601").to_numpy(dtype="datetime64[D]")
    numbers = days.astype(np.int64)
    numbers[np.isnat(days)] = NO_DAY
    return numbers.astype(np.int32)


DETAIL_FIELDS = ("id", "sub_event_type", "date_start", "date_end", "date_precision", "location", "description")


def read_rows(store_path, rowids, fields=DETAIL_FIELDS, missing="empty"):
    """A frame of `fields` of the incidents with these rowids, in that order. A rowid no longer
    stored (another process rewrote or removed its row since the rowids were read) gives a row
    of empty texts, or no row with `missing="drop"`. Its own connection: it runs in any thread."""
    rowids = [int(r) for r in rowids]
    with open_store(store_path, seed=False).reading() as snapshot:
        parts = []
        for first in range(0, len(rowids), 5000):
            chunk = rowids[first:first + 5000]
            parts.append(_frame(snapshot.db.execute(
                f"SELECT rowid, {', '.join(fields)} FROM incidents WHERE rowid IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )))
    found = pd.concat(parts) if parts else pd.DataFrame(columns=["rowid", *fields])
    frame = found.set_index("rowid").reindex(rowids)
    if missing == "drop":
        frame = frame[frame.index.isin(found["rowid"])]
    for field in fields:
        if not pd.api.types.is_numeric_dtype(frame[field]):  # texts (object or pandas' string dtype)
            frame[field] = frame[field].fillna("")
    return frame.reset_index(drop=True)


def contract_records(store_path, rowids):
    """The incidents with these rowids, in that order, as export.contract_records gives them
    (contract columns, ISO dates or "", None for a missing distance): for the downloads."""
    from mapapp.incident import CONTRACT_COLUMNS

    fields = [name for name in CONTRACT_COLUMNS if name != "passage"]
    frame = read_rows(store_path, rowids, fields, missing="drop")
    if len(frame) < len(rowids):
        # Rewritten or removed by another process since the rowids were read: an export without
        # them would look whole. The page's next run (the store watcher starts it) has the new rowids.
        raise StoreChanged(f"the store changed while the page was open ({len(rowids) - len(frame)} of the "
                           f"{len(rowids)} incidents were rewritten or removed): download again in a moment")
    texts = {}
    with open_store(store_path, seed=False).reading() as snapshot:
        for document_id in frame["document_id"].unique().tolist():
            row = snapshot.db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
            texts[document_id] = row[0] if row else ""
    records = []
    for row in frame.to_dict("records"):
        row["passage"] = texts[row["document_id"]][row["passage_start"]:row["passage_end"]]
        row["date_start"] = row["date_start"] or ""
        row["date_end"] = row["date_end"] or ""
        if row["border_distance_km"] is None or pd.isna(row["border_distance_km"]):
            row["border_distance_km"] = None
        records.append({name: row[name] for name in CONTRACT_COLUMNS})
    return records
