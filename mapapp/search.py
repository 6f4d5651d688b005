"""Text search over descriptions, passages, places, actors, sources and ids through an SQLite
FTS5 trigram index.

The search matches what Filters.apply matches: any of the query's needles (filters.
search_needles: the folded query and the gazetteer's other spellings of the place it names)
anywhere in the folded text of an incident. A trigram index answers a substring query
(GLOB '*needle*') from the index for needles of three characters or more, instead of reading
a million passages. Texts are folded in Python (filters.fold_text: no case, accents or
alphabet) before they are indexed, so the index itself compares exactly.

The index lives in its own file beside the store (`<store>.search`), brought up to date by
`sync` from the store's rows: the store's writes stay as they are, and an app that only reads
the store never takes its write lock. A row is indexed under its rowid and id; a rowid that
was removed and reused for another incident is re-indexed. Imports (the command line's
`ingest`, the app's "Add") sync right after they commit, so a search never waits for a million
incidents to be indexed; the index remembers the store version it has seen, so a sync of an
unchanged store costs a query or two.
"""

import sqlite3
import threading
import time
from pathlib import Path

import numpy as np

from mapapp.filters import fold_text, search_needles, searched_text
from mapapp.store import VERSION_KEY

# Bumped whenever what is indexed changes (the folding, the columns): an index file of another
# version is emptied and built again.
VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS s.indexed (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS s.haystack USING fts5(
    text, tokenize = 'trigram case_sensitive 1', detail = 'none'
);
CREATE TABLE IF NOT EXISTS s.store_state (state TEXT NOT NULL);
"""
_BATCH = 20_000
# How long a sync waits for another process's sync of the same index.
_BUSY_SECONDS = 60
_GLOB_SPECIALS = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})


def index_path(store_path):
    return Path(f"{store_path}.search")


def haystack(description, passage, location, actor1="", actor2="", source="", incident_id=""):
    """The folded text an incident is searched in (as Filters.apply builds it)."""
    return fold_text(searched_text(description, passage, location, actor1, actor2, source, incident_id))


class TextIndex:
    """The search index of one store file."""

    def __init__(self, store_path):
        self.store_path = Path(store_path)
        self.path = index_path(store_path)
        self._lock = threading.Lock()

    def _connect(self):
        db = sqlite3.connect(self.store_path, timeout=60, isolation_level=None, check_same_thread=False)
        db.execute("ATTACH DATABASE ? AS s", (str(self.path),))
        db.execute("PRAGMA s.journal_mode = WAL")
        if db.execute("PRAGMA s.user_version").fetchone()[0] != VERSION:
            db.execute("DROP TABLE IF EXISTS s.haystack")
            db.execute("DROP TABLE IF EXISTS s.indexed")
            db.execute(f"PRAGMA s.user_version = {VERSION}")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        return db

    def sync(self):
        """Index the store's incidents that are not indexed yet and drop those that are gone.
        Returns (added, removed)."""
        with self._lock:
            deadline = time.monotonic() + _BUSY_SECONDS
            while True:
                db = self._connect()
                try:
                    return self._sync(db)
                except sqlite3.OperationalError as err:
                    # Another process (an import, another app) is writing the index: its
                    # transaction began before this one's could write, so wait and start over.
                    if "locked" not in str(err) or time.monotonic() > deadline:
                        raise
                finally:
                    db.close()
                time.sleep(0.1)

    def _sync(self, db):
        # Deferred: the first write takes the index's lock only; the store is only read.
        db.execute("BEGIN")
        state = _store_state(db)
        if db.execute("SELECT state FROM s.store_state").fetchone() == (state,):
            db.execute("COMMIT")
            return 0, 0
        stale = [row[0] for row in db.execute(
            "SELECT x.rowid FROM s.indexed x LEFT JOIN incidents i ON i.rowid = x.rowid AND i.id = x.id "
            "WHERE i.rowid IS NULL"
        )]
        fresh = db.execute(
            "SELECT i.rowid, i.id, i.description, i.location, i.document_id, i.passage_start, i.passage_end, "
            "i.actor1, i.actor2, i.source "
            "FROM incidents i LEFT JOIN s.indexed x ON x.rowid = i.rowid AND x.id = i.id "
            "WHERE x.rowid IS NULL ORDER BY i.document_id"
        )
        try:
            for first in range(0, len(stale), 500):
                chunk = stale[first:first + 500]
                marks = ", ".join("?" for _ in chunk)
                db.execute(f"DELETE FROM s.haystack WHERE rowid IN ({marks})", chunk)
                db.execute(f"DELETE FROM s.indexed WHERE rowid IN ({marks})", chunk)
            added = 0
            texts = _DocumentTexts(self.store_path)
            while True:
                rows = fresh.fetchmany(_BATCH)
                if not rows:
                    break
                db.executemany("INSERT INTO s.indexed (rowid, id) VALUES (?, ?)", [(r[0], r[1]) for r in rows])
                db.executemany(
                    "INSERT INTO s.haystack (rowid, text) VALUES (?, ?)",
                    [(r[0], haystack(r[2], texts.get(r[4])[r[5]:r[6]], r[3], r[7], r[8], r[9], r[1])) for r in rows],
                )
                added += len(rows)
            texts.close()
            db.execute("DELETE FROM s.store_state")
            db.execute("INSERT INTO s.store_state (state) VALUES (?)", (state,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return added, len(stale)

    def rowids(self, text):
        """The rowids of the incidents whose folded text contains one of the needles of `text`,
        as an int64 array."""
        needles = search_needles(text) or ("",)
        where = " OR ".join("text GLOB ?" for _ in needles)
        with self._lock:
            db = self._connect()
            try:
                found = db.execute(
                    f"SELECT rowid FROM s.haystack WHERE {where}",
                    [f"*{needle.translate(_GLOB_SPECIALS)}*" for needle in needles],
                ).fetchall()
            finally:
                db.close()
        return np.fromiter((row[0] for row in found), dtype=np.int64, count=len(found))


def _store_state(db):
    """What the index last saw of the store, read in the sync's transaction: its write counter
    (Store.version), how many incidents it holds and its largest rowid. The counter alone does
    not tell a store made anew at the same path from the one it replaced."""
    try:
        row = db.execute("SELECT value FROM main.meta WHERE key = ?", (VERSION_KEY,)).fetchone()
    except sqlite3.OperationalError:
        row = None
    count, last = db.execute("SELECT count(*), max(rowid) FROM main.incidents").fetchone()
    return f"{row[0] if row else ''}:{count}:{last}"


class _DocumentTexts:
    """Each document's text, read once while its incidents are indexed (rows come ordered by
    document, so only the current one is kept)."""

    def __init__(self, store_path):
        self._db = sqlite3.connect(store_path, timeout=60)
        self._id = None
        self._text = ""

    def get(self, document_id):
        if document_id != self._id:
            row = self._db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
            self._id, self._text = document_id, (row[0] if row else "")
        return self._text

    def close(self):
        self._db.close()


def text_index(store_target):
    """The search index of a store: TextIndex beside an SQLite file; for a PostgreSQL store the
    database's own trigram index (store_postgres.TextSearch)."""
    from mapapp.store import is_postgres_url

    target = str(store_target)
    if is_postgres_url(target):
        from mapapp.store_postgres import TextSearch

        return TextSearch(target)
    return TextIndex(target)


def index_written(store):
    """Bring the text index of `store` (a Store) up to date after an import committed, so that
    no search in the app waits for the incidents it added. A PostgreSQL store indexes its texts
    itself. Returns (added, removed)."""
    from mapapp.store import is_postgres_url

    if is_postgres_url(str(store.path)) or getattr(store, "read_only", False):
        return 0, 0
    try:
        return TextIndex(store.path).sync()
    except sqlite3.OperationalError:
        # The import is stored; the app's first search brings the index up to date instead.
        return 0, 0
