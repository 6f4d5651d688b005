"""The store of documents and incidents: every write one transaction, on SQLite or PostgreSQL.

`open_store(target)` picks the backend: a postgresql:// URL opens mapapp.store_postgres, a path
(the default) an SQLite file. Both share BaseStore, Snapshot and Writer below, which hold the
logic; a backend brings its connections, transactions, schema and faults.

No connection is shared: every operation opens its own, so the sessions of the app (threads of
one server) and other processes never commit or roll back each other's work. A read runs in a
read transaction (one consistent snapshot, without the write lock); a write in BEGIN IMMEDIATE.
"""

import contextlib
import copy
import datetime as dt
import json
import operator
import os
import sqlite3
import stat
import time
from pathlib import Path

from mapapp import STORE_DIR, corrections
from mapapp.errors import InvalidIncident, StoreError
from mapapp.incident import CONTRACT_COLUMNS, Document, Incident, passage_at
from mapapp.roles import LOCAL, SYSTEM, NotAllowed

DEFAULT_DB = STORE_DIR / "mapapp.db"
# How long a write waits for another process's write to finish, and the steps it waits in.
BUSY_SECONDS = 60
BUSY_STEP_MS = 100

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
# meta key of a counter that every write transaction increments: the app re-reads the store
# when it changed, whichever process wrote.
_VERSION = VERSION_KEY = "version"
# meta key of a PostgreSQL store's schema version (SQLite keeps it in PRAGMA user_version). A
# release opens a store of an older version by upgrading it (BaseStore._create) and refuses a
# newer one; see _MIGRATIONS.
_SCHEMA_KEY = "schema"

# Corrections (each a new version of an incident: who, when, why, old and new values) and the
# audit log of every write; `seq` numbers them in order. Since schema version 2.
_HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    seq INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL,
    at_utc TEXT NOT NULL,
    user_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    fields TEXT NOT NULL,
    undoes INTEGER
);
CREATE INDEX IF NOT EXISTS corrections_incident ON corrections(incident_id, seq);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at_utc TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""

# The page size of a new SQLite store (SQLite's default is 4096).
PAGE_SIZE = 16384

# From this many new incidents of one upload (and at least as many as are stored), SQLite's
# indexes of the incidents are made again after the insert rather than kept up to date by it.
_BULK_ROWS = 10_000

# Statements both backends run as they are.
_INSERT_INCIDENT = f"INSERT INTO incidents ({_COLUMN_LIST}) VALUES ({', '.join('?' for _ in INCIDENT_COLUMNS)})"
_SET_META = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
_BUMP_VERSION = (
    "INSERT INTO meta (key, value) VALUES (?, '1') "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
)

# SELECT lists in contract order; the passage is a placeholder filled in from the document.
_CONTRACT_SELECT = ", ".join("'' AS passage" if name == "passage" else name for name in CONTRACT_COLUMNS)
_INCIDENT_SELECT = _CONTRACT_SELECT + ", source_timestamp"


# A --db or $MAPAPP_DB starting with one of these is a PostgreSQL URL; anything else a path.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target):
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def db_path(explicit=None):
    """The store: the explicit one (--db), else $MAPAPP_DB, else data/mapapp.db. A Path, or
    the URL as a string for PostgreSQL."""
    target = explicit or os.environ.get("MAPAPP_DB") or DEFAULT_DB
    return target if is_postgres_url(target) else Path(target)


def open_store(target=None, seed=True):
    """The store at `target` (see db_path): PostgreSQL for a postgresql:// URL, else SQLite."""
    target = db_path(target)
    if is_postgres_url(target):
        from mapapp.store_postgres import PostgresStore

        return PostgresStore(target, seed=seed)
    return Store(target, seed=seed)


# What each SQLite failure means to the person who sees it (sqlite3 error names).
_PROBLEMS = {
    "SQLITE_NOTADB": "is not an SQLite database (or it is damaged); expected the app's store file",
    "SQLITE_CORRUPT": "is damaged (database disk image is malformed); restore it from a backup",
    "SQLITE_READONLY": "is read-only: nothing can be written to it",
    "SQLITE_FULL": "could not be written: the disk is full; nothing was written",
    "SQLITE_IOERR": "could not be read or written (a disk error); nothing was written",
    "SQLITE_CANTOPEN": "cannot be opened (is its folder writable?)",
    "SQLITE_BUSY": "is locked by another program; try again",
    "SQLITE_LOCKED": "is locked by another program; try again",
    "SQLITE_PERM": "cannot be opened: permission denied",
}


def _problem(err):
    name = getattr(err, "sqlite_errorname", "") or ""
    for prefix, problem in _PROBLEMS.items():
        if name.startswith(prefix):
            return problem
    return f"failed: {err}"


@contextlib.contextmanager
def _faults(path):
    """SQLite failures as a StoreError naming the store (one line, no traceback)."""
    try:
        yield
    except sqlite3.Error as err:
        raise StoreError(path, _problem(err)) from err
    except MemoryError as err:
        raise StoreError(path, "could not be read: out of memory") from err


def _check_path(path):
    """Refuse a folder or a special file as the store; make the folder of a new store."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(path, f"cannot be created: its folder cannot be made ({err.strerror or err})") from None
        return False
    except ValueError:
        raise StoreError(path, "is not a usable path (it holds a NUL character)") from None
    except OSError as err:
        raise StoreError(path, f"cannot be opened: {err.strerror or err}") from None
    if stat.S_ISDIR(found.st_mode):
        raise StoreError(path, "is a folder; expected an SQLite file (or a path where one can be created)")
    if not stat.S_ISREG(found.st_mode):
        raise StoreError(path, "is not a regular file (a device, pipe or socket); expected an SQLite file")
    return True


class BaseStore:
    """What both backends share: readiness and creation (schema, migrations, seeds) and the
    one-call shortcuts. A backend provides `reading()` (a Snapshot) and `transaction()` (a
    Writer), each on a connection of its own, and its schema steps below."""

    read_only = False
    # Who the writes are done for: a roles.Person, or a function that tells it at the moment of
    # writing (see acting). The local user with every right unless the app signed someone in.
    _person = LOCAL

    def acting(self, person):
        """This store, its writes done for `person` and checked against their role.

        `person` may be a function returning the Person (or None: nobody signed in) that is
        called again for every write: the app passes one that reads the sign-in and the role
        config anew, so that a write from a page rendered earlier (a button's callback) is
        checked against the role the user has now, not the one they had then."""
        view = copy.copy(self)
        view._person = person
        return view

    @property
    def person(self):
        """Who the writes are done for, now; NotAllowed when nobody is signed in any more."""
        person = self._person() if callable(self._person) else self._person
        if person is None:
            raise NotAllowed("nobody is signed in: sign in to change the store")
        return person

    def close(self):
        """Nothing to close: no connection is kept between operations (kept for `with`)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- schema ---------------------------------------------------------------------------

    def _schema_version(self, snapshot):
        """The schema version the store holds (0: made before versions were kept), or None for
        an empty store."""
        if not self._has_tables(snapshot):
            return None
        return self._stored_version(snapshot)

    def _check_version(self, version):
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                self.path,
                f"was made by a newer release of mapapp (schema version {version}; this release "
                f"reads versions up to {SCHEMA_VERSION}): upgrade mapapp to open it",
            )

    def _is_ready(self, seed):
        """True when the schema is current (and the seeds there, if asked): nothing to write."""
        with self.reading() as snapshot:
            version = self._schema_version(snapshot)
            self._check_version(version)
            if version != SCHEMA_VERSION:
                if version is not None and self.read_only:
                    raise StoreError(
                        self.path,
                        f"was made by an older release (schema version {version}; this release "
                        f"needs {SCHEMA_VERSION}) and must be upgraded, but it is read-only",
                    )
                return False
            return not seed or snapshot.meta("seeded") is not None

    def _create(self, seed):
        """Schema, migrations and seeds, in one write transaction; re-checked inside it, since
        another process may have done them meanwhile."""
        from mapapp.seeds import seed_documents, seed_incidents

        self._prepare()
        documents = incidents = None
        if seed:
            documents = seed_documents()
            incidents = seed_incidents(documents)
        with self.transaction(SYSTEM) as writer:
            version = self._schema_version(writer)
            self._check_version(version)
            if not version:
                # A new store, or one made before versions were kept (which may lack a table):
                # CREATE ... IF NOT EXISTS makes what is missing.
                self._create_tables(writer)
            for step in range(SCHEMA_VERSION if version is None else version, SCHEMA_VERSION):
                self._migrate(writer, step)
            if version != SCHEMA_VERSION:
                self._set_version(writer, SCHEMA_VERSION)
                before = "a new store" if version is None else f"schema version {version}"
                writer.log("schema", "store", f"{before} -> schema version {SCHEMA_VERSION}")
            if seed and writer.meta("seeded") is None:
                writer.write(documents.values(), incidents, replace=False)
                writer.set_meta("seeded", dt.date.today().isoformat())
                writer.log("add", "seeds", f"{len(incidents)} seed incidents")

    def _prepare(self):
        """Anything to do outside a transaction before the schema is made."""

    # -- one-call shortcuts, each in its own snapshot or transaction --------------------------

    def add(self, documents=(), incidents=(), updates=()):
        """Writer.add in a transaction of its own."""
        with self.transaction() as writer:
            writer.add(documents, incidents, updates)

    def remove_upload(self, document_id):
        """Writer.remove_upload in a transaction of its own."""
        with self.transaction() as writer:
            return writer.remove_upload(document_id)

    def correct(self, incident_id, changes, reason):
        """Writer.correct in a transaction of its own."""
        with self.transaction() as writer:
            return writer.correct(incident_id, changes, reason)

    def undo(self, seq, reason=""):
        """Writer.undo in a transaction of its own."""
        with self.transaction() as writer:
            return writer.undo(seq, reason)

    def history(self, incident_id):
        with self.reading() as snapshot:
            return snapshot.history(incident_id)

    def audit_log(self, limit=None):
        """Snapshot.audit_log, for a person with the right to read it."""
        self.person.require("audit")
        with self.reading() as snapshot:
            return snapshot.audit_log(limit)

    def meta(self, key):
        with self.reading() as snapshot:
            return snapshot.meta(key)

    def remembered_values(self):
        with self.reading() as snapshot:
            return snapshot.remembered_values()

    def remember_values(self, choices):
        """Writer.remember_values in a transaction of its own."""
        with self.transaction() as writer:
            writer.remember_values(choices)

    def version(self):
        """A number that changes with every committed write, by any process."""
        with self.reading() as snapshot:
            return snapshot.version()

    def schema_version(self):
        with self.reading() as snapshot:
            return self._schema_version(snapshot)

    def count(self):
        with self.reading() as snapshot:
            return snapshot.count()

    def uploads(self):
        with self.reading() as snapshot:
            return snapshot.uploads()

    def rows(self):
        with self.reading() as snapshot:
            return snapshot.rows()

    def incidents(self):
        with self.reading() as snapshot:
            return snapshot.incidents()

    def incident(self, incident_id):
        with self.reading() as snapshot:
            return snapshot.incident(incident_id)

    def other_spans(self, incident, lo, hi):
        with self.reading() as snapshot:
            return snapshot.other_spans(incident, lo, hi)

    def count_others(self, incident):
        with self.reading() as snapshot:
            return snapshot.count_others(incident)

    def nearest_others(self, incident, limit):
        with self.reading() as snapshot:
            return snapshot.nearest_others(incident, limit)

    def rowid(self, incident_id):
        """The SQLite rowid of an incident, or None (mapapp.columns addresses incidents by it)."""
        with self.reading() as snapshot:
            found = snapshot.db.execute("SELECT rowid FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return found[0] if found else None

    def incident_id(self, rowid):
        """The id of the incident with this SQLite rowid, or None."""
        with self.reading() as snapshot:
            found = snapshot.db.execute("SELECT id FROM incidents WHERE rowid = ?", (rowid,)).fetchone()
        return found[0] if found else None

    def incidents_in_document(self, document_id):
        with self.reading() as snapshot:
            return snapshot.incidents_in_document(document_id)

    def document(self, document_id):
        with self.reading() as snapshot:
            return snapshot.document(document_id)

    def documents(self):
        with self.reading() as snapshot:
            return snapshot.documents()

    def source_timestamps(self, ids):
        with self.reading() as snapshot:
            return snapshot.source_timestamps(ids)

    def known_fingerprints(self, fingerprints):
        with self.reading() as snapshot:
            return snapshot.known_fingerprints(fingerprints)

    def links(self, status=None):
        with self.reading() as snapshot:
            return snapshot.links(status)

    def decide_link(self, a, b, status):
        """Writer.decide_link in a transaction of its own."""
        with self.transaction() as writer:
            writer.decide_link(a, b, status)


def _dataset(source):
    """The format of an upload from its document's source ("uploaded file x.csv (ACLED export)"
    -> "ACLED export"); "" for other documents (seed reports, extracted reports)."""
    if not source.startswith("uploaded file") or not source.endswith(")"):
        return ""
    return source[source.rfind("(") + 1 : -1]


class Store(BaseStore):
    """Documents and incidents in one SQLite file.

    WAL mode lets readers go on while an import writes; the busy timeout makes a second
    writer wait for the first instead of failing; synchronous=FULL makes a committed import
    survive a power cut. A new store starts with the seed incidents in it. A store that can
    only be read (a read-only file or folder) is opened for reading.

    Every method opens its own connection, so one Store can be used by many threads. Store
    faults raise StoreError.
    """

    def __init__(self, path=None, seed=True):
        self.path = Path(db_path(path))
        self._uri = None  # a file: URI when the store can only be read
        exists = _check_path(self.path)
        try:
            ready = self._is_ready(seed)
        except StoreError as err:
            if not (exists and _cannot_write(self.path) and _is_cantopen(err)):
                raise
            self._open_read_only()
            ready = self._is_ready(seed)
        if not ready:
            if self.read_only:
                raise StoreError(self.path, "is read-only and holds no complete incident store")
            self._create(seed)

    def _open_read_only(self):
        # Without write access to the folder SQLite cannot make the WAL index: read the file
        # as immutable then, which is exact as long as no WAL file holds newer commits.
        wal = Path(f"{self.path}-wal")
        mode = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
        self._uri = f"{self.path.absolute().as_uri()}?{mode}"
        self.read_only = True

    def _connect(self):
        if self._uri:
            db = sqlite3.connect(self._uri, uri=True, timeout=BUSY_SECONDS, isolation_level=None)
        else:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        return db

    @contextlib.contextmanager
    def reading(self):
        """A Snapshot: reads on one connection in one read transaction, so they agree with
        each other whatever commits meanwhile. Never takes the write lock."""
        with _faults(self.path):
            db = self._connect()
            try:
                db.execute("BEGIN")
                yield Snapshot(db)
                db.execute("COMMIT")
            finally:
                db.close()

    @contextlib.contextmanager
    def transaction(self, person=None):
        """A Writer (for `person`, else self.person) in BEGIN IMMEDIATE ... COMMIT on its own
        connection, or ROLLBACK on any exception: all or nothing, and nothing else can commit or
        roll it back."""
        with _faults(self.path):
            db = self._connect()
            try:
                _begin_immediate(db)
                try:
                    writer = Writer(db, person or self.person)
                    yield writer
                    writer.bump_version()
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            db.execute("ROLLBACK")
                    raise
            finally:
                db.close()

    def _has_tables(self, snapshot):
        found = {row[0] for row in snapshot.db.execute("SELECT name FROM sqlite_master")}
        return "incidents" in found

    def _prepare(self):
        with _faults(self.path):
            db = self._connect()
            try:
                # A new file only (an existing one keeps its page size): larger pages hold an
                # incident row and an upload's long document in fewer pages, so a bulk import
                # writes fewer pages and index cells.
                db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode = WAL")
            finally:
                db.close()

    def _create_tables(self, writer):
        for statement in (SCHEMA + _REPLACED_SCHEMA + _HISTORY_SCHEMA).split(";"):
            if statement.strip():
                writer.db.execute(statement)
        # Every step adds only what is missing: a new store gets what they add too.
        for migrate in _MIGRATIONS:
            migrate(writer.db)

    def _stored_version(self, snapshot):
        return snapshot.db.execute("PRAGMA user_version").fetchone()[0]

    def _set_version(self, writer, version):
        writer.db.execute(f"PRAGMA user_version = {int(version)}")

    def _migrate(self, writer, version):
        """Bring a store of schema `version` to `version + 1`, in the opening transaction."""
        _MIGRATIONS[version](writer.db)


def _begin_immediate(db):
    """BEGIN IMMEDIATE, waiting up to BUSY_SECONDS for another writer to finish. The wait is
    made of short SQLite waits with Python in between: inside one long SQLite wait Ctrl-C
    would only be noticed when the whole timeout had passed."""
    deadline = time.monotonic() + BUSY_SECONDS
    db.execute(f"PRAGMA busy_timeout = {BUSY_STEP_MS}")
    try:
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                if getattr(err, "sqlite_errorname", "") != "SQLITE_BUSY" or time.monotonic() >= deadline:
                    raise
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")


def _cannot_write(path):
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _is_cantopen(err):
    return getattr(err.__cause__, "sqlite_errorname", "").startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY"))


class Snapshot:
    """Reads on one connection inside one read transaction (Store.reading).

    The SQL is written once for both backends (PostgreSQL's connection takes the same `?`
    parameters, see store_postgres); what differs is a class attribute or method here."""

    # The order in which meta rows were written (the uploads' order).
    ADDED_ORDER = "m.rowid"

    def __init__(self, db):
        self.db = db

    def meta(self, key):
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def version(self):
        return int(self.meta(_VERSION) or 0)

    def state(self):
        """(version, incident count, largest rowid): the write counter alone does not tell a
        store made anew at the same path from the one it replaced."""
        count, last = self.db.execute("SELECT count(*), max(rowid) FROM incidents").fetchone()
        return self.version(), count, last

    def remembered_values(self):
        """{value_map.key: (event_type, sub_event_type)}: the type words mapped in earlier imports."""
        rows = self.db.execute("SELECT key, value FROM meta WHERE key LIKE ? || '%'", (_VALUE,))
        found = {}
        for row in rows:
            event_type, _, sub_event_type = row["value"].partition("\x1f")
            found[row["key"][len(_VALUE):]] = (event_type, sub_event_type)
        return found

    def count(self):
        return self.db.execute("SELECT count(*) FROM incidents").fetchone()[0]

    def history(self, incident_id):
        """The corrections of an incident, oldest first: seq, at (UTC, ISO 8601), user, reason,
        fields ({field: [old, new]}), undoes (the seq this one undid, or None) and undone_by."""
        rows = self.db.execute(
            "SELECT c.seq, c.at_utc AS at, c.user_name AS user, c.reason, c.fields, c.undoes, c.kind, "
            "(SELECT min(u.seq) FROM corrections u WHERE u.undoes = c.seq) AS undone_by "
            "FROM corrections c WHERE c.incident_id = ? ORDER BY c.seq",
            (incident_id,),
        )
        return [{**dict(row), "fields": corrections.from_json(row["fields"])} for row in rows]

    def corrected_ids(self, ids):
        """Those of `ids` whose incident holds a correction that is not undone."""
        keys = list(dict.fromkeys(ids))
        found = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = self.db.execute(
                "SELECT DISTINCT c.incident_id FROM corrections c WHERE c.kind = 'correction' "
                "AND c.undoes IS NULL AND NOT EXISTS (SELECT 1 FROM corrections u WHERE u.undoes = c.seq) "
                f"AND c.incident_id IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            found.update(row[0] for row in rows)
        return found

    def audit_log(self, limit=None):
        """Every write, newest first: seq, at (UTC, ISO 8601), user, action, target, detail."""
        sql = (
            "SELECT seq, at_utc AS at, user_name AS user, action, target, detail FROM audit "
            "ORDER BY seq DESC"
        )
        rows = self.db.execute(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
        return [dict(row) for row in rows]

    def uploads(self):
        """Every uploaded file's document, in the order they were added: id, title, source,
        `added` (UTC, ISO 8601; empty for stores older than that record), `incidents` (how many
        cite it) and `replaced` (how many earlier versions of incidents it replaced)."""
        rows = self.db.execute(
            """
            SELECT d.id, d.title, d.source, coalesce(m.value, '') AS added,
                   (SELECT count(*) FROM incidents i WHERE i.document_id = d.id) AS incidents,
                   (SELECT count(*) FROM replaced_incidents r WHERE r.replaced_by = d.id) AS replaced
            FROM documents d LEFT JOIN meta m ON m.key = ? || d.id
            WHERE d.id LIKE ? || '%' ORDER BY {order} IS NULL, {order}, d.id
            """.format(order=self.ADDED_ORDER),
            (_ADDED, UPLOAD_PREFIX),
        )
        return [dict(row) for row in rows]

    def has_document(self, document_id):
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (document_id,)).fetchone() is not None

    def rows(self):
        """Every incident as a dict of contract columns (dates as ISO strings), oldest first."""
        cursor = self.db.execute(
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

    def other_spans(self, incident, lo, hi):
        """[(passage_start, passage_end, id)] of the other incidents of the incident's document
        whose passages overlap lo..hi (the excerpt the passage panel shows)."""
        rows = self.db.execute(
            "SELECT passage_start, passage_end, id FROM incidents WHERE document_id = ? AND id != ? "
            "AND passage_start < ? AND passage_end > ?",
            (incident.document_id, incident.id, hi, lo),
        )
        return [tuple(row) for row in rows]

    def count_others(self, incident):
        """(how many other incidents cite the incident's document, how many of them its passage)."""
        total, same = self.db.execute(
            "SELECT count(*), coalesce(sum(CASE WHEN passage_start < ? AND passage_end > ? THEN 1 ELSE 0 END), 0) "
            "FROM incidents WHERE document_id = ? AND id != ?",
            (incident.passage_end, incident.passage_start, incident.document_id, incident.id),
        ).fetchone()
        return total, same

    def nearest_others(self, incident, limit):
        """Up to `limit` other incidents of the document (id, dates, precision, description):
        those of the same passage first, then the nearest in the text."""
        rows = self.db.execute(
            "SELECT id, date_start, date_end, date_precision, description FROM incidents "
            "WHERE document_id = ? AND id != ? "
            "ORDER BY NOT (passage_start < ? AND passage_end > ?), abs(passage_start - ?), rowid LIMIT ?",
            (incident.document_id, incident.id, incident.passage_end, incident.passage_start,
             incident.passage_start, limit),
        )
        return [dict(row) for row in rows]

    def incidents_in_document(self, document_id):
        return self._incidents(
            f"SELECT {_INCIDENT_SELECT} FROM incidents WHERE document_id = ? ORDER BY passage_start, id",
            (document_id,),
        )

    def _incidents(self, sql, parameters=()):
        rows = [dict(row) for row in self.db.execute(sql, parameters)]
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
                found = self.db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
                text = texts[document_id] = found["text"]
            row["passage"] = text[row["passage_start"] : row["passage_end"]]

    def document(self, document_id):
        row = self.db.execute(
            "SELECT id, title, source, text FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        return Document(**dict(row)) if row else None

    def documents(self):
        """(id, title, source) of every document, without the texts."""
        return [dict(row) for row in self.db.execute("SELECT id, title, source FROM documents ORDER BY id")]

    def source_timestamps(self, ids):
        """{id: source_timestamp} for those of `ids` already stored."""
        return self._lookup("id", "source_timestamp", ids)

    def known_fingerprints(self, fingerprints):
        """The subset of `fingerprints` already stored."""
        return set(self._lookup("fingerprint", "fingerprint", fingerprints))

    def fingerprint_matches(self, fingerprints, most=3):
        """{fingerprint: [identity.StoredMatch]} of the stored incidents with these fingerprints
        (at most `most` each): their ids, and the dataset of the upload each came from."""
        from mapapp.ingest.identity import StoredMatch

        found = {}
        conditions, wanted = self._among_or_all("i.fingerprint", fingerprints)
        for where, parameters in conditions:
            cursor = self.db.execute(
                "SELECT i.fingerprint, i.id, d.source FROM incidents i JOIN documents d ON d.id = i.document_id "
                f"WHERE {where} ORDER BY i.rowid",
                parameters,
            )
            for fingerprint, incident_id, source in cursor:
                if wanted is not None and fingerprint not in wanted:
                    continue
                matches = found.setdefault(fingerprint, [])
                if len(matches) < most:
                    matches.append(StoredMatch(incident_id, _dataset(source)))
        return found

    def _highest_rowid(self):
        return self.db.execute("SELECT coalesce(max(rowid), 0) FROM incidents").fetchone()[0]

    def _among_or_all(self, column, keys):
        """(conditions, wanted): _among's conditions and None; or, when the keys outnumber the
        stored incidents (a large upload into a small store), a condition every row meets and
        the keys as a set for the caller to keep the rows of: one read of every incident costs
        less than an index probe per key."""
        keys = set(keys)
        if len(keys) > self._highest_rowid():
            return [("1 = 1", ())], keys
        return self._among(column, keys), None

    def _among(self, column, keys):
        """[(condition, parameters)]: conditions that `column` is one of `keys`, which together
        cover them all. SQLite takes the keys as one JSON array (json_each), so that an upload of
        100,000 ids is one query and one index probe per id, not 200 statements."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return []
        return [(f"{column} IN (SELECT value FROM json_each(?))", (json.dumps(keys),))]
    def links(self, status=None):
        """The decided pairs between stored incidents, [(a, b, status)], optionally of one status."""
        sql = "SELECT a, b, status FROM links WHERE a IN (SELECT id FROM incidents) AND b IN (SELECT id FROM incidents)"
        rows = self.db.execute(sql + (" AND status = ?" if status else "") + " ORDER BY a, b",
                               (status,) if status else ())
        return [(row["a"], row["b"], row["status"]) for row in rows]

    def _lookup(self, key, value, keys):
        found = {}
        conditions, wanted = self._among_or_all(key, keys)
        for where, parameters in conditions:
            cursor = self.db.execute(f"SELECT {key} AS k, {value} AS v FROM incidents WHERE {where}", parameters)
            found.update((row["k"], row["v"]) for row in cursor if wanted is None or row["k"] in wanted)
        return found


class Writer(Snapshot):
    """Reads and writes on one connection inside one write transaction (Store.transaction):
    what it reads stays true until the commit, so decisions taken on it hold.

    Each write checks that its person's role allows it (roles.NotAllowed otherwise) and adds a
    line to the audit log, in the same transaction."""

    # New incidents of a batch.IncidentView are written from its columns in bulk (PostgreSQL
    # writes each incident's search text, made from the Incident: it reads them one by one).
    ROWS_FROM_COLUMNS = True

    def __init__(self, db, person=LOCAL):
        super().__init__(db)
        self.person = person

    def log(self, action, target, detail):
        self.db.execute(
            "INSERT INTO audit (at_utc, user_name, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (_now(), self.person.name, action, target, detail),
        )

    def add(self, documents=(), incidents=(), updates=()):
        """Store new documents and incidents, and replace `updates` by id.

        A document whose id is already stored must have the same text (re-importing a file
        is harmless); every passage must equal its document's span. Any failure rolls back
        the whole transaction, so the store is as before it or as after it.
        """
        self.person.require("add")
        documents, incidents, updates = list(documents), _listed(incidents), list(updates)
        # An editor's correction stays current over a newer version from the source (an ACLED
        # row with a newer timestamp): that version goes into the incident's history instead.
        corrected = self.corrected_ids([incident.id for incident in updates])
        kept = [incident for incident in updates if incident.id in corrected]
        updates = [incident for incident in updates if incident.id not in corrected]
        self.write(documents, incidents, replace=False)
        self._keep_replaced(updates)
        self.write((), updates, replace=True)
        for incident in kept:
            self._record_source_version(incident)
        target = ", ".join(document.id for document in documents) or "incidents"
        self.log("add", target, f"{len(incidents)} new, {len(updates)} updated"
                 + (f", {len(kept)} corrected kept" if kept else ""))
        return [incident.id for incident in kept]

    def _record_source_version(self, incident):
        """Keep a source's newer version of a corrected incident in its history (not applied):
        the values it would change. The same version is recorded once."""
        fields = corrections.to_json(corrections.source_change(self._stored(incident.id), incident))
        if fields == "{}" or self.db.execute(
            "SELECT 1 FROM corrections WHERE incident_id = ? AND kind = 'source' AND fields = ?", (incident.id, fields)
        ).fetchone():
            return
        self.db.execute(
            "INSERT INTO corrections (incident_id, at_utc, user_name, reason, fields, undoes, kind) "
            "VALUES (?, ?, ?, ?, ?, NULL, 'source')",
            (incident.id, _now(), self.person.name,
             f"a newer version from the source in {incident.document_id}; not applied: the incident has "
             "corrections", fields),
        )

    def correct(self, incident_id, changes, reason):
        """Correct a stored incident: `changes` {field: value} (corrections.CORRECTABLE) make
        a new version, kept in the history with who, when and `reason`. Returns its seq."""
        self.person.require("correct")
        reason = " ".join(str(reason or "").split())
        if not reason:
            raise InvalidIncident("reason", reason, "a few words on why the incident is corrected")
        incident = self._stored(incident_id)
        new = corrections.corrected(incident, changes, self.document(incident.document_id).text)
        return self._record(incident, new, reason, None)

    def undo(self, seq, reason=""):
        """Undo correction `seq`: its old values come back, as a new version. Refused when a
        later correction changed the same fields (undo that first) or it is undone already."""
        self.person.require("correct")
        row = self.db.execute("SELECT incident_id, fields, kind FROM corrections WHERE seq = ?", (seq,)).fetchone()
        if row is None or row["kind"] != "correction":
            raise InvalidIncident("correction", seq, "the number of a stored correction")
        if self.db.execute("SELECT 1 FROM corrections WHERE undoes = ?", (seq,)).fetchone():
            raise InvalidIncident("correction", seq, "a correction that is not undone yet")
        incident = self._stored(row["incident_id"])
        fields = corrections.from_json(row["fields"])
        if not corrections.still_current(incident, fields):
            raise InvalidIncident(
                "correction", seq, "the latest correction of its fields (a later one changed them: undo that first)"
            )
        new = corrections.reverted(incident, fields)
        return self._record(incident, new, " ".join(str(reason or "").split()) or f"undo of correction {seq}", seq)

    def _stored(self, incident_id):
        incident = self.incident(incident_id)
        if incident is None:
            raise InvalidIncident("incident_id", incident_id, "the id of a stored incident")
        return incident

    def _record(self, old, new, reason, undoes):
        self.write((), [new], replace=True)
        fields = corrections.change(old, new)
        cursor = self.db.execute(
            "INSERT INTO corrections (incident_id, at_utc, user_name, reason, fields, undoes) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            (old.id, _now(), self.person.name, reason, corrections.to_json(fields), undoes),
        )
        seq = cursor.fetchone()[0]
        names = ", ".join(name for name in fields if name in corrections.CORRECTABLE)
        action = "undo" if undoes else "correct"
        self.log(action, old.id, f"#{seq} {names}: {reason}")
        return seq

    def decide_link(self, a, b, status):
        """Record an editor's decision ("confirmed" or "rejected") on the pair a, b (replacing an
        earlier one). Raises InvalidIncident for an unknown status or id, a pair of one id, or two
        incidents of one source document (distinct events by the corroboration rule)."""
        from mapapp.corroboration import STATUSES, pair

        self.person.require("correct")
        if status not in STATUSES:
            raise InvalidIncident("status", status, "one of " + ", ".join(STATUSES))
        if a == b:
            raise InvalidIncident("id", b, f"an incident other than {a!r}")
        a, b = pair(a, b)
        documents = {}
        for identifier in (a, b):
            row = self.db.execute("SELECT document_id FROM incidents WHERE id = ?", (identifier,)).fetchone()
            if row is None:
                raise InvalidIncident("id", identifier, "the id of a stored incident")
            documents[identifier] = row["document_id"]
        if documents[a] == documents[b]:
            raise InvalidIncident("id", b, f"an incident of another source document than {a!r} ({documents[a]!r})")
        self.db.execute(
            "INSERT INTO links (a, b, status, decided_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(a, b) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at",
            (a, b, status, _now()),
        )
        self.log("link", f"{a} {b}", status)

    def remember_values(self, choices):
        """Keep {value: (event_type, sub_event_type)} for the next file that uses these words."""
        from mapapp.ingest.value_map import key

        self.person.require("add")
        self.db.executemany(
            _SET_META,
            [(_VALUE + key(value), f"{event}\x1f{sub}") for value, (event, sub) in choices.items()],
        )

    def _keep_replaced(self, updates):
        """Copy the stored versions of `updates` into replaced_incidents, each marked with the
        document of the version that replaces it."""
        db = self.db
        if hasattr(updates, "id_documents"):
            replacing = dict(updates.id_documents())
        else:
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

    def remove_upload(self, document_id):
        """Remove an uploaded file: its document, every incident citing it, and put back the
        versions it replaced. Returns {"removed": n, "restored": m}.

        Raises InvalidIncident when `document_id` is not a stored upload (seed documents
        cannot be removed)."""
        self.person.require("remove")
        db = self.db
        if not (str(document_id).startswith(UPLOAD_PREFIX) and self.has_document(document_id)):
            stored = [row["id"] for row in self.uploads()]
            raise InvalidIncident(
                "document_id", document_id,
                "the id of an uploaded file: " + (", ".join(stored) if stored else "none is stored"),
            )
        high = self._highest_rowid()
        removed = db.execute("DELETE FROM incidents WHERE document_id = ?", (document_id,)).rowcount
        # Versions this upload replaced come back, unless a later upload replaced it in turn
        # (then the later version stays).
        back = [row[0] for row in db.execute(
            "SELECT id FROM replaced_incidents WHERE replaced_by = ? AND id NOT IN (SELECT id FROM incidents)",
            (document_id,),
        )]
        restored = db.execute(
            f"INSERT INTO incidents ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM replaced_incidents "
            "WHERE replaced_by = ? AND id NOT IN (SELECT id FROM incidents)",
            (document_id,),
        ).rowcount
        self._renew_rowids(back, high)
        db.execute(
            "DELETE FROM replaced_incidents WHERE replaced_by = ? OR document_id = ?", (document_id, document_id)
        )
        db.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        db.execute("DELETE FROM meta WHERE key = ?", (_ADDED + document_id,))
        self.log("remove", document_id, f"{removed} removed, {restored} restored")
        return {"removed": removed, "restored": restored}

    def write(self, documents, incidents, replace):
        db = self.db
        texts = {}
        for document in documents:
            stored = db.execute("SELECT text FROM documents WHERE id = ?", (document.id,)).fetchone()
            if stored is None:
                db.execute(
                    "INSERT INTO documents (id, title, source, text) VALUES (?, ?, ?, ?)",
                    (document.id, document.title, document.source, document.text),
                )
                # When it was added, in meta: the documents table keeps the shape it had.
                self.set_meta(_ADDED + document.id, _now())
            elif stored["text"] != document.text:
                raise InvalidIncident(
                    "document_id", document.id, "a new document id: a different text is stored under this one"
                )
            texts[document.id] = document.text
        current = [None]
        if self.ROWS_FROM_COLUMNS and not replace and hasattr(incidents, "store_rows"):
            with self._indexes_rebuilt(len(incidents)):
                self._insert_incidents(self._batch_values(incidents, texts, current), current)
            return

        def checked_values():
            isoformats = _IsoDates()
            for incident in incidents:
                current[0] = incident
                if incident.document_id not in texts:
                    row = db.execute("SELECT text FROM documents WHERE id = ?", (incident.document_id,)).fetchone()
                    if row is None:
                        raise InvalidIncident("document_id", incident.document_id, "the id of a stored document")
                    texts[incident.document_id] = row["text"]
                text = texts[incident.document_id]
                if passage_at(text, incident.passage_start, incident.passage_end) != incident.passage:
                    raise InvalidIncident(
                        "passage", incident.passage, f"the text of {incident.document_id!r} at its offsets"
                    )
                yield _incident_values(incident, isoformats)

        ids = [incident.id for incident in incidents] if replace else []
        high = self._highest_rowid()
        if replace:
            # Deleted and inserted again rather than updated in place: the new version gets a new
            # rowid, so everything kept by rowid beside the store (the text index, the map's
            # files) takes it as the new row it is.
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                db.execute(f"DELETE FROM incidents WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
        self._insert_incidents(checked_values(), current)
        self._renew_rowids(ids, high)

    @contextlib.contextmanager
    def _indexes_rebuilt(self, rows):
        """Around an SQLite insert of `rows` new incidents: when they are many and at least as
        many as the stored ones, the incidents' indexes (but the id's) are dropped before and
        made again after, from all rows at once. A fingerprint is a hash, so each insert into its
        index lands at a random place of a large index; one sort of every row costs far less.
        All in the write transaction: a rollback brings the indexes back as they were."""
        indexes = []
        if rows >= max(_BULK_ROWS, self._highest_rowid()):
            indexes = self.db.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL"
            ).fetchall()
        for name, _ in indexes:
            self.db.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            self.db.execute(sql)

    def _renew_rowids(self, ids, high):
        """Give the rows of `ids` that were inserted again with a rowid of at most `high` (the
        largest before) a rowid never used: SQLite numbers a new row after the largest rowid
        left, which is the deleted row's own when it was the largest."""
        reused = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            reused += [row[0] for row in self.db.execute(
                f"SELECT id FROM incidents WHERE rowid <= ? AND id IN ({', '.join('?' for _ in chunk)})", (high, *chunk)
            )]
        for identifier in reused:
            self.db.execute("UPDATE incidents SET rowid = (SELECT max(rowid) FROM incidents) + 1 WHERE id = ?",
                            (identifier,))

    def _batch_values(self, incidents, texts, current):
        """The store rows of a batch.IncidentView, checked as `write` checks incidents one by
        one: each cites a document written here or stored, within its text (the passages are
        slices of that text by construction)."""
        documents = incidents.document_ids
        for document_id in documents:
            if document_id not in texts:
                row = self.db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
                if row is None:
                    raise InvalidIncident("document_id", document_id, "the id of a stored document")
                texts[document_id] = row["text"]
        bounds = incidents.passage_bounds()
        if bounds is not None:
            longest = min(len(texts[document_id]) for document_id in documents)
            if not (0 <= bounds[0] and bounds[1] <= longest):
                raise InvalidIncident("passage_start/passage_end", bounds, f"offsets within the text of {documents}")
        for values in incidents.store_rows():
            current[0] = values
            yield values

    def _insert_incidents(self, values, current):
        """Insert the rows `values` yields; `current[0]` is the incident (or the store row) being
        yielded, for the message of a duplicate id."""
        # One executemany for the whole batch (an upload can hold 100,000 incidents); an
        # exception raised by the generator aborts it, and the transaction rolls back.
        try:
            self.db.executemany(_INSERT_INCIDENT, values)
        except sqlite3.IntegrityError:
            row = current[0]
            raise InvalidIncident("id", row[0] if isinstance(row, tuple) else row.id,
                                  "an id that is not stored yet") from None

    def set_meta(self, key, value):
        self.db.execute(_SET_META, (key, value))

    def bump_version(self):
        self.db.execute(_BUMP_VERSION, (_VERSION,))


# Columns added after stores were first made, with the definition an older store gets in place
# (ALTER TABLE ... ADD COLUMN keeps every row; the new cells start empty / unknown).
_ADDED_COLUMNS = {
    "actor1": "TEXT NOT NULL DEFAULT ''",
    "actor2": "TEXT NOT NULL DEFAULT ''",
    "fatalities": "INTEGER",
    "admin1": "TEXT NOT NULL DEFAULT ''",
    "admin2": "TEXT NOT NULL DEFAULT ''",
}


def _add_contract_columns(db):
    """Version 0 → 1: add the columns an older store lacks (a store of a release between the
    two has some of them already)."""
    for table in ("incidents", "replaced_incidents"):
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column, definition in _ADDED_COLUMNS.items():
            if column not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def _add_links(db):
    """Version 1 → 2: the table of an editor's decisions on proposed links between reports of one
    event (mapapp.corroboration): the pair's ids in order. A decision is kept when an incident goes
    (an upload taken back and added again finds its decisions); reads leave out pairs whose
    incidents are not stored."""
    db.execute("""
        CREATE TABLE IF NOT EXISTS links (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('confirmed', 'rejected')),
            decided_at TEXT NOT NULL,
            PRIMARY KEY (a, b),
            CHECK (a < b)
        )
    """)


def _add_history_tables(db):
    """Version 2 → 3: the corrections and the audit log."""
    for statement in _HISTORY_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def _add_history_kind(db):
    """Version 3 → 4: a history line is a correction (or its undo), or a newer version from the
    source that was not applied because the incident has corrections ('source')."""
    present = {row[1] for row in db.execute("PRAGMA table_info(corrections)")}
    if "kind" not in present:
        db.execute("ALTER TABLE corrections ADD COLUMN kind TEXT NOT NULL DEFAULT 'correction'")


# The schema's version (an SQLite store keeps it in PRAGMA user_version, a PostgreSQL store in
# meta): 0 for a store made before versions were kept. _MIGRATIONS[n] brings an SQLite store
# from version n to n + 1.
_MIGRATIONS = (_add_contract_columns, _add_links, _add_history_tables, _add_history_kind)
SCHEMA_VERSION = len(_MIGRATIONS)


def _listed(incidents):
    """A list of the incidents, or a batch.IncidentView as it is (it hands over its rows in bulk)."""
    return incidents if hasattr(incidents, "store_rows") else list(incidents)


def _now():
    """The time of a write: UTC, ISO 8601, to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


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
