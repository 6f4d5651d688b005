"""The PostgreSQL/PostGIS store: the same documents and incidents, for a team on one database.

Chosen by a postgresql:// URL (mapapp.store.open_store). The logic is the SQLite store's
(BaseStore, Snapshot, Writer); this module brings the connection, the transactions, the schema
and a bulk load with COPY. The incidents table has a PostGIS point (SRID 4326) computed from
latitude and longitude, with a spatial index, so GIS tools open it as a layer.

Writers take one transaction-scoped advisory lock, so that writes follow each other as they do on
SQLite (an import's decisions, taken on what is stored, hold until it commits); readers never
wait for it and each read runs in one REPEATABLE READ snapshot.
"""

import contextlib
import functools
import re

import numpy as np
import psycopg
from psycopg.types.string import TextLoader

from mapapp import store
from mapapp.errors import InvalidIncident, StoreError
from mapapp.filters import search_needles
from mapapp.search import haystack

# pg_advisory_xact_lock key of the one writer lock ("mapa" in ASCII).
_WRITE_LOCK = 0x6D617061

# The search's index: trigrams of the folded text answer LIKE '%needle%' from the index. pg_trgm
# is a trusted extension (any user who may create in the database can add it).
_SEARCH_INDEX = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS incidents_search ON incidents USING GIN (search_text gin_trgm_ops);
"""

# Ids are compared and ordered byte by byte (COLLATE "C"), as SQLite does, whatever the
# database's locale: the same store lists in the same order on both.
_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE IF NOT EXISTS documents (
    id TEXT COLLATE "C" PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS incidents (
    id TEXT COLLATE "C" PRIMARY KEY,
    date_start DATE,
    date_end DATE,
    date_precision TEXT NOT NULL,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    location TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    geo_precision INTEGER NOT NULL,
    border_distance_km DOUBLE PRECISION,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    document_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id),
    passage_start INTEGER NOT NULL,
    passage_end INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor1 TEXT NOT NULL DEFAULT '',
    actor2 TEXT NOT NULL DEFAULT '',
    fatalities INTEGER,
    admin1 TEXT NOT NULL DEFAULT '',
    admin2 TEXT NOT NULL DEFAULT '',
    source_timestamp BIGINT,
    fingerprint TEXT NOT NULL,
    -- A row number as SQLite's rowid, which the app's columns and search refer to rows by.
    rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- Kept by the database from the coordinates: GIS tools read this column.
    geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED,
    -- The text the app's search looks in, folded (no case, accents or alphabet) by Python as
    -- the app folds its queries; written with the row (since schema version 4).
    search_text TEXT
);
CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents(fingerprint);
CREATE INDEX IF NOT EXISTS incidents_document ON incidents(document_id, passage_start);
CREATE INDEX IF NOT EXISTS incidents_date ON incidents(date_start);
CREATE INDEX IF NOT EXISTS incidents_geom ON incidents USING GIST (geom);
CREATE TABLE IF NOT EXISTS replaced_incidents (
    LIKE incidents EXCLUDING GENERATED EXCLUDING CONSTRAINTS,
    replaced_by TEXT NOT NULL
);
ALTER TABLE replaced_incidents DROP COLUMN IF EXISTS geom, DROP COLUMN IF EXISTS rowid,
    DROP COLUMN IF EXISTS search_text;
CREATE INDEX IF NOT EXISTS replaced_by_upload ON replaced_incidents(replaced_by);
CREATE TABLE IF NOT EXISTS corrections (
    seq BIGSERIAL PRIMARY KEY,
    incident_id TEXT COLLATE "C" NOT NULL,
    at_utc TEXT NOT NULL,
    user_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    fields TEXT NOT NULL,
    undoes BIGINT,
    kind TEXT NOT NULL DEFAULT 'correction'
);
CREATE INDEX IF NOT EXISTS corrections_incident ON corrections(incident_id, seq);
CREATE TABLE IF NOT EXISTS audit (
    seq BIGSERIAL PRIMARY KEY,
    at_utc TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
-- SQLite's julianday(), which the corroboration rule's SQL uses.
CREATE OR REPLACE FUNCTION julianday(day date) RETURNS double precision
    LANGUAGE SQL IMMUTABLE AS $$ SELECT extract(julian FROM day)::double precision $$;
-- An editor's decisions on proposed links between reports of one event (mapapp.corroboration).
CREATE TABLE IF NOT EXISTS links (
    a TEXT COLLATE "C" NOT NULL,
    b TEXT COLLATE "C" NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'rejected')),
    decided_at TEXT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
-- seq: the order rows were first written (SQLite's rowid), the order uploads are listed in.
CREATE TABLE IF NOT EXISTS meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL, seq BIGSERIAL);
""" + _SEARCH_INDEX


def shown_url(url):
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


# What each PostgreSQL failure means to the person who sees it (SQLSTATE classes and codes).
_PROBLEMS = {
    "08": "cannot be reached (is the server running, and the URL right?)",
    "28": "refused the sign-in (user or password wrong)",
    "3D": "does not exist: create the database first (createdb)",
    "42501": "refused the access: permission denied",
    "53100": "could not be written: the server's disk is full; nothing was written",
    "53": "is out of resources (too many connections or memory); try again",
    "57P": "was shut down or restarted during the work; nothing was written",
    "58": "could not be read or written (a disk error on the server); nothing was written",
    "40": "gave up a transaction (a deadlock or serialisation failure); nothing was written; try again",
}


def _problem(err):
    code = getattr(err, "sqlstate", None) or ""
    for prefix, problem in _PROBLEMS.items():
        if code.startswith(prefix):
            return problem
    if isinstance(err, psycopg.OperationalError) and not code:
        return "cannot be reached: " + " ".join(str(err).split())[:200]
    return "failed: " + " ".join(str(err).split())[:200]


@contextlib.contextmanager
def _faults(url):
    try:
        yield
    except psycopg.Error as err:
        raise StoreError(shown_url(url), _problem(err)) from err


@functools.lru_cache(maxsize=256)
def _pg(sql):
    """The store's SQL (qmark parameters) in psycopg's style: ? -> %s, a literal % -> %%."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Row(tuple):
    """A row readable by position and by column name, as sqlite3.Row is."""

    def __new__(cls, names, values):
        row = tuple.__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self):
        return self._names.keys()


def _row_factory(cursor):
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return functools.partial(_Row, names)


class _Db:
    """A psycopg connection that takes the store's SQL as sqlite3 does (execute, executemany)."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, parameters=()):
        return self.connection.execute(_pg(sql), tuple(parameters))

    def executemany(self, sql, rows):
        cursor = self.connection.cursor()
        cursor.executemany(_pg(sql), rows)
        return cursor

    def copy(self, sql):
        return self.connection.cursor().copy(sql)

    def close(self):
        self.connection.close()


class PostgresSnapshot(store.Snapshot):
    ADDED_ORDER = "m.seq"

    def _among(self, column, keys):
        """One condition: `column` = ANY of the keys, passed as one array parameter."""
        keys = list(dict.fromkeys(keys))
        return [(f"{column} = ANY(?)", (keys,))] if keys else []


# From this many rows a COPY merges the search index's new entries once, at its end.
_BULK_ROWS = 5_000


class PostgresWriter(store.Writer, PostgresSnapshot):
    ROWS_FROM_COLUMNS = False  # each row's search text is made from its Incident

    def _insert_incidents(self, values, current):
        """Insert with COPY (an upload of 100,000 rows in one stream), each row with its folded
        search text."""
        # Checking a row may read a document's text: done first, since the connection can do
        # nothing else while COPY streams.
        rows = [(*row, _search_text(current[0])) for row in values]
        bulk = len(rows) >= _BULK_ROWS
        if bulk:
            # The trigram index takes new rows into its pending list, which is merged into the
            # index each time it fills (4 MB by default): for a large load, one merge at the end,
            # with the memory to do it in one pass, instead of one per few thousand rows.
            self.db.execute("SET LOCAL gin_pending_list_limit = '2GB'")
            self.db.execute("SET LOCAL work_mem = '128MB'")
        try:
            with self.db.copy(f"COPY incidents ({store._COLUMN_LIST}, search_text) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation as err:
            found = re.search(r"\(id\)=\((.*)\) already exists", err.diag.message_detail or "")
            identifier = found.group(1) if found else current[0]
            raise InvalidIncident("id", identifier, "an id that is not stored yet") from None
        if bulk:
            self.db.execute("SELECT gin_clean_pending_list('incidents_search'::regclass)")
            self.db.execute("RESET gin_pending_list_limit")
            self.db.execute("RESET work_mem")

    def _renew_rowids(self, ids, high):
        """Nothing to do: an identity column never hands out a number twice."""

    def remove_upload(self, document_id):
        result = super().remove_upload(document_id)
        self.fill_search_texts()  # the versions put back
        return result

    def fill_search_texts(self):
        """Write the search text of every incident that lacks it (a version put back from
        replaced_incidents; every row of a store upgraded from schema version 3)."""
        rows = self.db.execute(
            f"SELECT rowid, {_SEARCHED_SELECT} FROM incidents WHERE search_text IS NULL ORDER BY document_id"
        ).fetchall()
        if not rows:
            return 0
        texts = {}
        self.db.execute("CREATE TEMPORARY TABLE search_fill (rowid BIGINT, text TEXT) ON COMMIT DROP")
        filled = []
        for row in rows:
            document_id = row["document_id"]
            if document_id not in texts:
                texts[document_id] = self.document(document_id).text
            passage = texts[document_id][row["passage_start"] : row["passage_end"]]
            filled.append((row["rowid"], haystack(row["description"], passage, row["location"], row["actor1"],
                                                  row["actor2"], row["source"], row["id"])))
        with self.db.copy("COPY search_fill (rowid, text) FROM STDIN") as copy:
            for row in filled:
                copy.write_row(row)
        self.db.execute("UPDATE incidents i SET search_text = f.text FROM search_fill f WHERE i.rowid = f.rowid")
        self.db.execute("DROP TABLE search_fill")
        return len(filled)


def _search_text(incident):
    return haystack(incident.description, incident.passage, incident.location, incident.actor1, incident.actor2,
                    incident.source, incident.id)


_SEARCHED_SELECT = "id, description, location, document_id, passage_start, passage_end, actor1, actor2, source"


class TextSearch:
    """The app's text search on a PostgreSQL store: the same matches as search.TextIndex (any
    of the query's needles, filters.search_needles, anywhere in the folded text), answered by
    the trigram index of incidents.search_text. The database keeps it with every write, so
    there is nothing to bring up to date."""

    def __init__(self, url):
        self.url = url

    def sync(self):
        return 0, 0

    def rowids(self, text):
        """The rowids of the incidents whose folded text contains a needle of `text` (int64)."""
        needles = search_needles(text) or ("",)
        where = " OR ".join("search_text LIKE ?" for _ in needles)
        patterns = ["%" + needle.translate(_LIKE_SPECIALS) + "%" for needle in needles]
        with PostgresStore(self.url, seed=False).reading() as snapshot:
            found = snapshot.db.execute(f"SELECT rowid FROM incidents WHERE {where}", patterns).fetchall()
        return np.fromiter((row[0] for row in found), dtype=np.int64, count=len(found))


_LIKE_SPECIALS = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


class PostgresStore(store.BaseStore):
    """Documents and incidents in a PostgreSQL database with PostGIS.

    A new database gets the schema (and the PostGIS extension, which needs the right to create
    it) and the seed incidents. Every method opens its own connection. Faults raise StoreError
    naming the URL without its password.
    """

    def __init__(self, url, seed=True):
        self.path = url
        self.shown = shown_url(url)
        if not self._is_ready(seed):
            self._create(seed)

    def __repr__(self):
        return f"PostgresStore({self.shown!r})"

    def _connect(self):
        options = {} if "options=" in self.path else {"options": "-c datestyle=ISO"}
        connection = psycopg.connect(self.path, autocommit=True, row_factory=_row_factory, **options)
        # Dates come back as the ISO text the SQLite store holds: one shape for the shared code.
        connection.adapters.register_loader("date", TextLoader)
        return _Db(connection)

    @contextlib.contextmanager
    def _connection(self):
        with _faults(self.path):
            db = self._connect()
            try:
                yield db
            finally:
                db.close()

    @contextlib.contextmanager
    def reading(self):
        """A Snapshot in one REPEATABLE READ, READ ONLY transaction: its reads agree with each
        other whatever commits meanwhile."""
        with self._connection() as db:
            db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield PostgresSnapshot(db)
            finally:
                with contextlib.suppress(psycopg.Error):
                    db.execute("ROLLBACK")

    @contextlib.contextmanager
    def transaction(self, person=None):
        """A Writer (for `person`, else self.person) in one transaction holding the write lock;
        ROLLBACK on any exception."""
        with self._connection() as db:
            db.execute("BEGIN")
            try:
                db.execute("SELECT pg_advisory_xact_lock(?)", (_WRITE_LOCK,))
                writer = PostgresWriter(db, person or self.person)
                yield writer
                writer.bump_version()
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(psycopg.Error):
                    db.execute("ROLLBACK")
                raise

    def _has_tables(self, snapshot):
        return snapshot.db.execute("SELECT to_regclass('incidents') IS NOT NULL").fetchone()[0]

    def _create_tables(self, writer):
        try:
            # Without parameters: several statements in one simple query.
            writer.db.connection.execute(_SCHEMA)
        except (psycopg.errors.UndefinedFile, psycopg.errors.FeatureNotSupported) as err:
            raise StoreError(self.shown, "has no PostGIS: install it on the server (postgresql-15-postgis-3)") from err
        except psycopg.errors.InsufficientPrivilege as err:
            raise StoreError(
                self.shown, "lacks PostGIS and this user may not add it: run CREATE EXTENSION postgis as its owner"
            ) from err

    def _stored_version(self, snapshot):
        return int(snapshot.meta(store._SCHEMA_KEY) or 0)

    def _set_version(self, writer, version):
        writer.set_meta(store._SCHEMA_KEY, str(version))

    def _migrate(self, writer, version):
        """Bring a store of schema `version` to `version + 1`, in the opening transaction.
        PostgreSQL stores began at version 3."""
        if version < 3:
            raise StoreError(self.shown, f"has schema version {version}, which no release made on PostgreSQL")
        # 3 -> 4: the kind of a history line (store._add_history_kind); the search's folded text
        # of every incident and its trigram index.
        writer.db.connection.execute(
            "ALTER TABLE corrections ADD COLUMN IF NOT EXISTS kind TEXT NOT NULL DEFAULT 'correction';"
            "ALTER TABLE incidents ADD COLUMN IF NOT EXISTS search_text TEXT;"
        )
        writer.fill_search_texts()
        try:
            writer.db.connection.execute(_SEARCH_INDEX)
        except psycopg.errors.InsufficientPrivilege as err:
            raise StoreError(
                self.shown, "lacks pg_trgm and this user may not add it: run CREATE EXTENSION pg_trgm as its owner"
            ) from err
