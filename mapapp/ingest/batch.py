"""Planned incidents held in columns (a pyarrow table) instead of one object per row.

An IncidentBatch holds the incidents an upload would store, in file order, with their row
numbers and cells; `view(positions)` is a sequence of some of them (the new ones, the updated
ones) that makes an Incident only for the items read (a preview shows the first hundred) and
hands the store its rows in bulk (`store_rows`). `candidates()` is the same for the identity
rules (identity.Candidate, with the ids and fingerprints as lists for their first pass).
"""

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from mapapp.incident import Incident
from mapapp.ingest import identity
from mapapp.ingest.arrow_csv import pylist

# The store's columns (store.INCIDENT_COLUMNS) and their types, then the batch's own.
SCHEMA = pa.schema([
    ("id", pa.string()), ("date_start", pa.string()), ("date_end", pa.string()),
    ("date_precision", pa.string()), ("event_type", pa.string()), ("sub_event_type", pa.string()),
    ("location", pa.string()), ("latitude", pa.float64()), ("longitude", pa.float64()),
    ("geo_precision", pa.int64()), ("border_distance_km", pa.float64()), ("description", pa.string()),
    ("source", pa.string()), ("document_id", pa.string()), ("passage_start", pa.int64()),
    ("passage_end", pa.int64()), ("note", pa.string()), ("actor1", pa.string()), ("actor2", pa.string()),
    ("fatalities", pa.int64()), ("admin1", pa.string()), ("admin2", pa.string()),
    ("source_timestamp", pa.int64()), ("fingerprint", pa.string()),
    ("row_number", pa.int64()), ("has_source_id", pa.bool_()),
])
STORE_COLUMNS = tuple(SCHEMA.names[:24])
_CHUNK = 20_000


class IncidentBatch:
    """`table` (SCHEMA) in file order; `text` the upload's document text the passages are in;
    `values(positions)` the file's cells of those rows; `dataset` the upload's format label."""

    def __init__(self, table, text, values, dataset):
        self.table = table
        self.text = text
        self._values = values
        self.dataset = dataset

    def identity_columns(self):
        """(ids, has_source_id flags, fingerprints) as pyarrow columns, for identity.sort_positions
        (no Python object per row: the rules count repeats on the columns)."""
        table = self.table
        return table.column("id"), table.column("has_source_id"), table.column("fingerprint")

    def __len__(self):
        return self.table.num_rows

    def incident(self, position):
        return self.incidents([position])[0]

    def incidents(self, positions):
        if not len(positions):
            return []
        table = self.table.take(pa.array(positions, pa.int64()))
        names = table.column_names
        return [self._incident(dict(zip(names, row)))
                for row in zip(*(pylist(table.column(name)) for name in names))]

    def _incident(self, row):
        fingerprint = row.pop("fingerprint")
        row.pop("row_number")
        row.pop("has_source_id")
        for key in ("date_start", "date_end"):
            row[key] = dt.date.fromisoformat(row[key]) if row[key] else None
        row["passage"] = self.text[row["passage_start"] : row["passage_end"]]
        incident = Incident(**row)
        incident.__dict__["_fingerprint"] = fingerprint
        return incident

    def values(self, positions):
        return self._values(positions)

    def row_numbers(self, positions):
        return pylist(self.table.column("row_number").take(pa.array(positions, pa.int64())))

    def view(self, positions):
        return IncidentView(self, list(positions))

    def candidates(self):
        return BatchCandidates(self)


class IncidentView:
    """Some incidents of a batch, in order: a sequence of Incidents made as they are read."""

    def __init__(self, batch, positions):
        self.batch = batch
        self.positions = positions

    def __len__(self):
        return len(self.positions)

    def __bool__(self):
        return bool(self.positions)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.batch.incidents(self.positions[key])
        return self.batch.incident(self.positions[key])

    def __iter__(self):
        for start in range(0, len(self.positions), _CHUNK):
            yield from self.batch.incidents(self.positions[start : start + _CHUNK])

    def __eq__(self, other):
        return list(self) == list(other)

    @property
    def document_ids(self):
        return set(pylist(pc.unique(self._column("document_id"))))

    def id_documents(self):
        """[(id, document_id)] of the incidents."""
        return list(zip(pylist(self._column("id")), pylist(self._column("document_id"))))

    def passage_bounds(self):
        """(smallest passage_start, largest passage_end), or None when empty."""
        if not self.positions:
            return None
        return pc.min(self._column("passage_start")).as_py(), pc.max(self._column("passage_end")).as_py()

    def store_rows(self):
        """Tuples of the store's columns (store.INCIDENT_COLUMNS), made a chunk at a time."""
        table = self.batch.table
        # Every row of the batch, in order (a new file into a store that has none of it): the
        # chunks are slices of the table, not copies.
        whole = len(self.positions) == len(table) and self.positions == list(range(len(table)))
        for start in range(0, len(self.positions), _CHUNK):
            if whole:
                chunk = table.slice(start, _CHUNK)
            else:
                chunk = table.take(pa.array(self.positions[start : start + _CHUNK], pa.int64()))
            yield from zip(*(pylist(chunk.column(name)) for name in STORE_COLUMNS))

    def _column(self, name):
        """One column of these incidents (a copy of that column only)."""
        return self.batch.table.column(name).take(pa.array(self.positions, pa.int64()))


class BatchCandidates:
    """The batch as identity.Candidates, made only for the rows the identity rules read."""

    def __init__(self, batch):
        self.batch = batch
        self._made = {}

    def identity_columns(self):
        return self.batch.identity_columns()

    def __len__(self):
        return len(self.batch)

    def prefetch(self, positions):
        """Make the Candidates at `positions` in bulk (the rows the identity rules will read)."""
        batch = self.batch
        for start in range(0, len(positions), _CHUNK):
            chunk = positions[start : start + _CHUNK]
            has_ids = batch.table.column("has_source_id").take(pa.array(chunk, pa.int64())).to_pylist()
            for position, incident, number, values, has_id in zip(
                chunk, batch.incidents(chunk), batch.row_numbers(chunk), batch.values(chunk), has_ids
            ):
                self._made[position] = identity.Candidate(incident, number, values, has_id, batch.dataset)

    def __getitem__(self, position):
        if position not in self._made:
            self.prefetch([position])
        return self._made[position]

    def __iter__(self):
        return (self[position] for position in range(len(self)))
