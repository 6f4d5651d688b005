"""The SQLite store of documents and incidents: one file, every write one transaction."""

import contextlib
import datetime as dt
import operator
import os
import sqlite3
from pathlib import Path

from mapapp import DATA_DIR
from mapapp.errors import InvalidIncident
from mapapp.incident import CONTRACT_COLUMNS, Document, Incident

DEFAULT_DB = DATA_DIR / "mapapp.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY,
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT NOT NULL,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    location TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    geo_precision INTEGER NOT NULL,
    border_distance_km REAL,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id),
    passage_start INTEGER NOT NULL,
    passage_end INTEGER NOT NULL,
    -- Kept beside the offsets (checked equal to the document's span on every write) so that
    -- reading 100,000 incidents does not slice a large document 100,000 times.
    passage TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    source_timestamp INTEGER,
    fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents(fingerprint);
CREATE INDEX IF NOT EXISTS incidents_document ON incidents(document_id, passage_start);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

INCIDENT_COLUMNS = CONTRACT_COLUMNS + ("source_timestamp", "fingerprint")


def db_path(explicit=None):
    """The store's path: the explicit one (--db), else $MAPAPP_DB, else data/mapapp.db."""
    return Path(explicit or os.environ.get("MAPAPP_DB") or DEFAULT_DB)


def fingerprint(incident):
    """What makes two incidents the same event when their ids differ: date, type, place, summary."""
    parts = (
        incident.date_start.isoformat() if incident.date_start else "",
        incident.event_type,
        incident.location,
        incident.description,
    )
    return "\x1f".join(" ".join(part.casefold().split()) for part in parts)


class Store:
    """Documents and incidents in one SQLite file.

    WAL mode lets the app read while an import writes; the busy timeout makes a second
    writer wait for the first instead of failing; synchronous=FULL makes a committed import
    survive a power cut. A new store starts with the seed incidents in it.
    """

    def __init__(self, path=None, seed=True):
        self.path = db_path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are opened explicitly, each write is exactly one.
        self._db = sqlite3.connect(
            self.path, timeout=60, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 60000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
        if seed:
            self._ensure_seeded()

    def close(self):
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextlib.contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception: all or nothing."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _ensure_seeded(self):
        from mapapp.seeds import seed_documents, seed_incidents

        if self.meta("seeded"):
            return
        documents = seed_documents()
        incidents = seed_incidents(documents)
        with self.transaction() as db:
            # Re-checked inside the transaction: another process may have seeded meanwhile.
            if db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
                return
            self._write(db, documents.values(), incidents, replace=False)
            db.execute("INSERT INTO meta (key, value) VALUES ('seeded', ?)", (dt.date.today().isoformat(),))

    def meta(self, key):
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def add(self, documents=(), incidents=(), updates=()):
        """Store new documents and incidents, and replace `updates` by id, in one transaction.

        A document whose id is already stored must have the same text (re-importing a file
        is harmless); every passage must equal its document's span. Any failure rolls back
        the whole call, so the store is as before it or as after it.
        """
        with self.transaction() as db:
            self._write(db, documents, incidents, replace=False)
            self._write(db, (), updates, replace=True)

    def _write(self, db, documents, incidents, replace):
        texts = {}
        for document in documents:
            stored = db.execute("SELECT text FROM documents WHERE id = ?", (document.id,)).fetchone()
            if stored is None:
                db.execute(
                    "INSERT INTO documents (id, title, source, text) VALUES (?, ?, ?, ?)",
                    (document.id, document.title, document.source, document.text),
                )
            elif stored["text"] != document.text:
                raise InvalidIncident(
                    "document_id", document.id, "a new document id: a different text is stored under this one"
                )
            texts[document.id] = document.text
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        sql = (
            f"{verb} INTO incidents ({', '.join(INCIDENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in INCIDENT_COLUMNS)})"
        )

        def checked_values():
            for incident in incidents:
                if incident.document_id not in texts:
                    row = db.execute("SELECT text FROM documents WHERE id = ?", (incident.document_id,)).fetchone()
                    if row is None:
                        raise InvalidIncident("document_id", incident.document_id, "the id of a stored document")
                    texts[incident.document_id] = row["text"]
                text = texts[incident.document_id]
                if text[incident.passage_start : incident.passage_end] != incident.passage:
                    raise InvalidIncident(
                        "passage", incident.passage, f"the text of {incident.document_id!r} at its offsets"
                    )
                yield _incident_values(incident)

        # One executemany for the whole batch (an upload can hold 100,000 incidents); an
        # exception raised by the generator aborts it, and the caller's transaction rolls back.
        db.executemany(sql, checked_values())

    # -- reading -------------------------------------------------------------------------

    def count(self):
        return self._db.execute("SELECT count(*) FROM incidents").fetchone()[0]

    def rows(self):
        """Every incident as a dict of contract columns (dates as ISO strings), oldest first."""
        cursor = self._db.execute(
            f"SELECT {', '.join(CONTRACT_COLUMNS)} FROM incidents "
            "ORDER BY date_start IS NULL, date_start, id"
        )
        return [dict(row) for row in cursor]

    def incidents(self):
        """Every incident as an Incident value, oldest first."""
        return [_incident(row) for row in self._db.execute(
            f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents ORDER BY date_start IS NULL, date_start, id"
        )]

    def incident(self, incident_id):
        row = self._db.execute(
            f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        return _incident(row) if row else None

    def incidents_in_document(self, document_id):
        cursor = self._db.execute(
            f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE document_id = ? ORDER BY passage_start, id",
            (document_id,),
        )
        return [_incident(row) for row in cursor]

    def document(self, document_id):
        row = self._db.execute(
            "SELECT id, title, source, text FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        return Document(**dict(row)) if row else None

    def documents(self):
        """(id, title, source) of every document, without the texts."""
        return [dict(row) for row in self._db.execute("SELECT id, title, source FROM documents ORDER BY id")]

    def source_timestamps(self, ids):
        """{id: source_timestamp} for those of `ids` already stored."""
        return self._lookup("id", "source_timestamp", ids)

    def known_fingerprints(self, fingerprints):
        """The subset of `fingerprints` already stored."""
        return set(self._lookup("fingerprint", "fingerprint", fingerprints))

    def _lookup(self, key, value, keys):
        keys = list(dict.fromkeys(keys))
        found = {}
        # Chunks stay under SQLite's limit on bound parameters.
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            cursor = self._db.execute(
                f"SELECT {key} AS k, {value} AS v FROM incidents WHERE {key} IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            found.update((row["k"], row["v"]) for row in cursor)
        return found


_CONTRACT_VALUES = operator.attrgetter(*CONTRACT_COLUMNS)
_DATE_POSITIONS = (CONTRACT_COLUMNS.index("date_start"), CONTRACT_COLUMNS.index("date_end"))


def _incident_values(incident):
    """The values of INCIDENT_COLUMNS for an incident: dates as ISO text or NULL."""
    values = list(_CONTRACT_VALUES(incident))
    for position in _DATE_POSITIONS:
        values[position] = values[position].isoformat() if values[position] else None
    values.append(incident.source_timestamp)
    values.append(fingerprint(incident))
    return values


def _incident(row):
    values = {key: row[key] for key in row.keys() if key != "fingerprint"}
    for key in ("date_start", "date_end"):
        values[key] = dt.date.fromisoformat(values[key]) if values[key] else None
    return Incident(**values)
