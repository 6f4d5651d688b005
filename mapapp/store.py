"""The SQLite store of documents and incidents: one file, every write one transaction."""

import contextlib
import datetime as dt
import operator
import os
import sqlite3
from pathlib import Path

from mapapp import STORE_DIR
from mapapp.errors import InvalidIncident
from mapapp.incident import CONTRACT_COLUMNS, Document, Incident

DEFAULT_DB = STORE_DIR / "mapapp.db"

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
    -- No passage column: a passage is its document's text between the offsets, sliced when
    -- read, so an upload's text is stored once rather than twice.
    note TEXT NOT NULL DEFAULT '',
    actor1 TEXT NOT NULL DEFAULT '',
    actor2 TEXT NOT NULL DEFAULT '',
    fatalities INTEGER,
    admin1 TEXT NOT NULL DEFAULT '',
    admin2 TEXT NOT NULL DEFAULT '',
    source_timestamp INTEGER,
    fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents(fingerprint);
CREATE INDEX IF NOT EXISTS incidents_document ON incidents(document_id, passage_start);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Uploaded files are documents with ids of this form (mapapp.ingest.importer); only they can be
# removed again. Seed documents cannot.
UPLOAD_PREFIX = "upload-"
# meta key prefix of the time (UTC, ISO 8601) a document was added.
_ADDED = "added:"
# meta key prefix of a remembered type word (mapapp.ingest.value_map).
_VALUE = "value:"

# The columns of the incidents table: the contract's, except the passage, which is read from
# the document.
INCIDENT_COLUMNS = tuple(name for name in CONTRACT_COLUMNS if name != "passage") + (
    "source_timestamp",
    "fingerprint",
)
# Earlier versions of incidents that an upload replaced (an ACLED row with a newer timestamp),
# kept so that removing that upload puts them back.
_REPLACED_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS replaced_incidents ({', '.join(INCIDENT_COLUMNS)}, replaced_by TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS replaced_by_upload ON replaced_incidents(replaced_by);
"""
_COLUMN_LIST = ", ".join(INCIDENT_COLUMNS)

# SELECT lists in contract order; the passage is a placeholder filled in from the document.
_CONTRACT_SELECT = ", ".join("'' AS passage" if name == "passage" else name for name in CONTRACT_COLUMNS)
_INCIDENT_SELECT = _CONTRACT_SELECT + ", source_timestamp"


def db_path(explicit=None):
    """The store's path: the explicit one (--db), else $MAPAPP_DB, else data/mapapp.db."""
    return Path(explicit or os.environ.get("MAPAPP_DB") or DEFAULT_DB)


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
            for statement in (SCHEMA + _REPLACED_SCHEMA).split(";"):
                if statement.strip():
                    self._db.execute(statement)
            _upgrade(self._db)
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

    def remembered_values(self):
        """{value_map.key: (event_type, sub_event_type)}: the type words mapped in earlier imports."""
        rows = self._db.execute("SELECT key, value FROM meta WHERE key LIKE ? || '%'", (_VALUE,))
        found = {}
        for row in rows:
            event_type, _, sub_event_type = row["value"].partition("\x1f")
            found[row["key"][len(_VALUE):]] = (event_type, sub_event_type)
        return found

    def remember_values(self, choices):
        """Keep {value: (event_type, sub_event_type)} for the next file that uses these words."""
        from mapapp.ingest.value_map import key

        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(_VALUE + key(value), f"{event}\x1f{sub}") for value, (event, sub) in choices.items()],
            )

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
            self._keep_replaced(db, updates)
            self._write(db, (), updates, replace=True)

    def _keep_replaced(self, db, updates):
        """Copy the stored versions of `updates` into replaced_incidents, each marked with the
        document of the version that replaces it."""
        replacing = {incident.id: incident.document_id for incident in updates}
        ids = list(replacing)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = db.execute(
                f"SELECT {_COLUMN_LIST} FROM incidents WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
            ).fetchall()
            db.executemany(
                f"INSERT INTO replaced_incidents ({_COLUMN_LIST}, replaced_by) "
                f"VALUES ({', '.join('?' for _ in INCIDENT_COLUMNS)}, ?)",
                [(*row, replacing[row["id"]]) for row in rows],
            )

    def uploads(self):
        """Every uploaded file's document, in the order they were added: id, title, source,
        `added` (UTC, ISO 8601; empty for stores older than that record), `incidents` (how many
        cite it) and `replaced` (how many earlier versions of incidents it replaced)."""
        rows = self._db.execute(
            """
            SELECT d.id, d.title, d.source, coalesce(m.value, '') AS added,
                   (SELECT count(*) FROM incidents i WHERE i.document_id = d.id) AS incidents,
                   (SELECT count(*) FROM replaced_incidents r WHERE r.replaced_by = d.id) AS replaced
            FROM documents d LEFT JOIN meta m ON m.key = ? || d.id
            WHERE d.id LIKE ? || '%' ORDER BY m.rowid IS NULL, m.rowid, d.id
            """,
            (_ADDED, UPLOAD_PREFIX),
        )
        return [dict(row) for row in rows]

    def remove_upload(self, document_id):
        """Remove an uploaded file: its document, every incident citing it, and put back the
        versions it replaced. One transaction. Returns {"removed": n, "restored": m}.

        Raises InvalidIncident when `document_id` is not a stored upload (seed documents
        cannot be removed)."""
        with self.transaction() as db:
            if not (document_id.startswith(UPLOAD_PREFIX) and self._has_document(db, document_id)):
                stored = [row["id"] for row in self.uploads()]
                raise InvalidIncident(
                    "document_id", document_id,
                    "the id of an uploaded file: " + (", ".join(stored) if stored else "none is stored"),
                )
            removed = db.execute("DELETE FROM incidents WHERE document_id = ?", (document_id,)).rowcount
            # Versions this upload replaced come back, unless a later upload replaced it in turn
            # (then the later version stays).
            restored = db.execute(
                f"INSERT INTO incidents ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM replaced_incidents "
                "WHERE replaced_by = ? AND id NOT IN (SELECT id FROM incidents)",
                (document_id,),
            ).rowcount
            db.execute(
                "DELETE FROM replaced_incidents WHERE replaced_by = ? OR document_id = ?", (document_id, document_id)
            )
            db.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            db.execute("DELETE FROM meta WHERE key = ?", (_ADDED + document_id,))
        return {"removed": removed, "restored": restored}

    @staticmethod
    def _has_document(db, document_id):
        return db.execute("SELECT 1 FROM documents WHERE id = ?", (document_id,)).fetchone() is not None

    def _write(self, db, documents, incidents, replace):
        texts = {}
        for document in documents:
            stored = db.execute("SELECT text FROM documents WHERE id = ?", (document.id,)).fetchone()
            if stored is None:
                db.execute(
                    "INSERT INTO documents (id, title, source, text) VALUES (?, ?, ?, ?)",
                    (document.id, document.title, document.source, document.text),
                )
                # When it was added, in meta: the documents table keeps the shape it had.
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (_ADDED + document.id, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
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
            isoformats = _IsoDates()
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
                yield _incident_values(incident, isoformats)

        # One executemany for the whole batch (an upload can hold 100,000 incidents); an
        # exception raised by the generator aborts it, and the caller's transaction rolls back.
        db.executemany(sql, checked_values())

    # -- reading -------------------------------------------------------------------------

    def count(self):
        return self._db.execute("SELECT count(*) FROM incidents").fetchone()[0]

    def rows(self):
        """Every incident as a dict of contract columns (dates as ISO strings), oldest first."""
        cursor = self._db.execute(
            f"SELECT {_CONTRACT_SELECT} FROM incidents ORDER BY date_start IS NULL, date_start, id"
        )
        rows = [dict(row) for row in cursor]
        self._fill_passages(rows)
        return rows

    def incidents(self):
        """Every incident as an Incident value, oldest first."""
        return self._incidents(
            f"SELECT {_INCIDENT_SELECT} FROM incidents ORDER BY date_start IS NULL, date_start, id"
        )

    def incident(self, incident_id):
        found = self._incidents(f"SELECT {_INCIDENT_SELECT} FROM incidents WHERE id = ?", (incident_id,))
        return found[0] if found else None

    def incidents_in_document(self, document_id):
        return self._incidents(
            f"SELECT {_INCIDENT_SELECT} FROM incidents WHERE document_id = ? ORDER BY passage_start, id",
            (document_id,),
        )

    def _incidents(self, sql, parameters=()):
        rows = [dict(row) for row in self._db.execute(sql, parameters)]
        self._fill_passages(rows)
        for row in rows:
            for key in ("date_start", "date_end"):
                row[key] = dt.date.fromisoformat(row[key]) if row[key] else None
        return [Incident(**row) for row in rows]

    def _fill_passages(self, rows):
        """Set each row's `passage` to its document's text between the offsets; each document's
        text is read once per call (an upload is one document of up to tens of megabytes)."""
        texts = {}
        for row in rows:
            document_id = row["document_id"]
            text = texts.get(document_id)
            if text is None:
                found = self._db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
                text = texts[document_id] = found["text"]
            row["passage"] = text[row["passage_start"] : row["passage_end"]]

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


# Columns added after stores were first made, with the definition an older store gets in place
# (ALTER TABLE ... ADD COLUMN keeps every row; the new cells start empty / unknown).
_ADDED_COLUMNS = {
    "actor1": "TEXT NOT NULL DEFAULT ''",
    "actor2": "TEXT NOT NULL DEFAULT ''",
    "fatalities": "INTEGER",
    "admin1": "TEXT NOT NULL DEFAULT ''",
    "admin2": "TEXT NOT NULL DEFAULT ''",
}


def _upgrade(db):
    """Add the columns an older store lacks, inside the opening transaction."""
    for table in ("incidents", "replaced_incidents"):
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column, definition in _ADDED_COLUMNS.items():
            if column not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


# INCIDENT_COLUMNS start with the id and the two dates, which are stored as ISO text or NULL;
# every other column is stored as the incident holds it.
_HEAD_VALUES = operator.attrgetter("id", "date_start", "date_end")
_REST_VALUES = operator.attrgetter(*INCIDENT_COLUMNS[3:])
assert INCIDENT_COLUMNS[:3] == ("id", "date_start", "date_end")


class _IsoDates(dict):
    """{date: ISO text, None: None}, each date formatted once: an upload of 100,000 incidents
    has a few thousand distinct days, and formatting each of them per row cost 0.2 s."""

    def __missing__(self, day):
        text = self[day] = day.isoformat() if day else None
        return text


def _incident_values(incident, isoformats=None):
    """The values of INCIDENT_COLUMNS for an incident (a tuple): dates as ISO text or NULL.

    `isoformats`, an _IsoDates shared by the incidents of one write, saves formatting a date
    again."""
    identifier, start, end = _HEAD_VALUES(incident)
    if isoformats is None:
        isoformats = _IsoDates()
    return (identifier, isoformats[start], isoformats[end]) + _REST_VALUES(incident)
