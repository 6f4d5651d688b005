"""PostgreSQL/PostGIS beside SQLite: importing 100,000 ACLED rows, and filtering 1,000,000 incidents.

Run: python -m benchmarks.bench_postgres [--rows 100000] [--total 1000000]

1. Import: the same ACLED-shaped file (benchmarks.bench_ingest.generate) read, checked, geocoded
   and committed (plan_import + commit, as `ingest` does) into a new store on each backend.
2. Filters at `--total` incidents: the imported rows are copied inside each database (new ids)
   until the store holds that many; then each filter is timed as a query on each backend
   (best of 3): what the app's sidebar filters ask of the data (a date span and event types,
   a map box, a word in the descriptions) and reading the columns the map needs; then what the
   app itself does per store change (load its numpy columns, bring the text search index up to
   date: FTS5 beside SQLite; on PostgreSQL the trigram index of incidents.search_text is kept by
   every write, so there is nothing to do) and per search.
The PostgreSQL server is a throw-away cluster (tests/pg_cluster.py) with its default durability
(fsync on), as SQLite runs with the store's settings (WAL, synchronous=FULL).
"""

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.bench_ingest import generate
from mapapp.ingest.importer import commit, plan_import
from mapapp.store import INCIDENT_COLUMNS, open_store
from tests.pg_cluster import Cluster

# (name, SQL for SQLite, SQL for PostgreSQL): the same question in each dialect.
FILTERS = (
    (
        "date span + 2 event types (count)",
        "SELECT count(*) FROM incidents WHERE date_start >= '2019-01-01' AND date_end <= '2019-12-31' "
        "AND event_type IN ('Riots', 'Protests')",
        "SELECT count(*) FROM incidents WHERE date_start >= '2019-01-01' AND date_end <= '2019-12-31' "
        "AND event_type IN ('Riots', 'Protests')",
    ),
    (
        "map box around Zvecan (count)",
        "SELECT count(*) FROM incidents WHERE latitude BETWEEN 42.89 AND 42.93 AND longitude BETWEEN 20.82 AND 20.86",
        "SELECT count(*) FROM incidents WHERE geom && ST_MakeEnvelope(20.82, 42.89, 20.86, 42.93, 4326)",
    ),
    (
        "word in descriptions (count)",
        "SELECT count(*) FROM incidents WHERE description LIKE '%number 4242 %'",
        "SELECT count(*) FROM incidents WHERE description LIKE '%number 4242 %'",
    ),
    (
        "one day, every field (rows)",
        "SELECT * FROM incidents WHERE date_start = '2020-06-01'",
        "SELECT * FROM incidents WHERE date_start = '2020-06-01'",
    ),
    (
        "map columns of every incident (rows)",
        "SELECT id, latitude, longitude, event_type, date_start, date_end, geo_precision FROM incidents",
        "SELECT id, latitude, longitude, event_type, date_start, date_end, geo_precision FROM incidents",
    ),
)


def timed(action):
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def import_file(target, path):
    store = open_store(target)
    data = Path(path).read_bytes()

    def run():
        plan = plan_import(data, Path(path).name, store)
        return commit(plan, store)

    seconds, stored = timed(run)
    assert stored["added"] > 0.99 * int(store.count() - 8), stored
    return seconds, store


def _copies(total, have):
    return max(0, -(-(total - have) // have))


def grow_sqlite(path, total):
    """Copies of the stored incidents with new ids until `total` are stored."""
    db = sqlite3.connect(path, isolation_level=None)
    have = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
    rest = ", ".join(INCIDENT_COLUMNS[1:])
    db.execute("BEGIN")
    for copy in range(1, _copies(total, have) + 1):
        db.execute(
            f"INSERT INTO incidents (id, {rest}) SELECT id || '-c{copy}', {rest} FROM incidents "
            f"WHERE id NOT LIKE '%-c%' LIMIT ?", (total - db.execute("SELECT count(*) FROM incidents").fetchone()[0],)
        )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    count = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
    db.close()
    return count


def grow_postgres(url, total):
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        have = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
        # The copies' search text is the original's (its folded id included), as the searches
        # timed below look for words of the descriptions.
        rest = ", ".join(INCIDENT_COLUMNS[1:]) + ", search_text"
        for copy in range(1, _copies(total, have) + 1):
            need = total - db.execute("SELECT count(*) FROM incidents").fetchone()[0]
            db.execute(
                f"INSERT INTO incidents (id, {rest}) SELECT id || '-c{copy}', {rest} FROM incidents "
                f"WHERE id NOT LIKE '%%-c%%' LIMIT %s", (need,)
            )
        db.execute("VACUUM ANALYZE incidents")
        return db.execute("SELECT count(*) FROM incidents").fetchone()[0]


def best_of(run, repeat=3):
    return min(timed(run)[0] for _ in range(repeat))


def filter_times(sqlite_path, url):
    import psycopg

    lite = sqlite3.connect(sqlite_path)
    pg = psycopg.connect(url, autocommit=True)
    results = []
    for name, lite_sql, pg_sql in FILTERS:
        lite_seconds = best_of(lambda sql=lite_sql: lite.execute(sql).fetchall())
        pg_seconds = best_of(lambda sql=pg_sql: pg.execute(sql).fetchall())
        lite_answer = lite.execute(lite_sql).fetchall()
        pg_answer = pg.execute(pg_sql).fetchall()
        assert len(lite_answer) == len(pg_answer) and (len(lite_answer) != 1 or lite_answer == pg_answer), name
        answer = len(lite_answer) if len(lite_answer) > 1 else lite_answer[0][0]
        results.append((name, lite_seconds, pg_seconds, answer))
    lite.close()
    pg.close()
    return results


def app_times(sqlite_path, url):
    """What the app does with a store per change (load the columns, index the texts) and per
    search, on each backend: (name, SQLite seconds, PostgreSQL seconds, answer)."""
    from mapapp import columns
    from mapapp.search import text_index

    results = []
    loads, indexes = [], []
    for target in (sqlite_path, url):
        store = open_store(target, seed=False)

        def load(store=store):
            with store.reading() as snapshot:
                return columns.load(snapshot.db)

        seconds, loaded = timed(load)
        loads.append((seconds, len(loaded)))
        index = text_index(target)
        seconds, _ = timed(index.sync)
        indexes.append((seconds, index))
    results.append(("app: load the map's columns", loads[0][0], loads[1][0], loads[0][1]))
    results.append(("app: build the text search index", indexes[0][0], indexes[1][0], 0))
    for needle in ("number 4242 ", "zvecan"):
        found = [index.rowids(needle) for _, index in indexes]
        times = [best_of(lambda index=index, needle=needle: index.rowids(needle)) for _, index in indexes]
        assert len(found[0]) == len(found[1]), needle
        results.append((f"app: text search {needle.strip()!r}", times[0], times[1], len(found[0])))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--total", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Cluster(durable=True) as cluster:
        csv_path = Path(folder) / "acled.csv"
        generate(csv_path, args.rows)
        sqlite_path = Path(folder) / "bench.db"
        url = cluster.new_database()
        lite_import, _ = import_file(sqlite_path, csv_path)
        pg_import, _ = import_file(url, csv_path)
        print(f"import of {args.rows:,} ACLED rows (plan_import + commit)")
        print(f"  {'':40} {'SQLite':>10} {'PostgreSQL':>11}")
        print(f"  {'seconds':40} {lite_import:10.2f} {pg_import:11.2f}")
        lite_count = grow_sqlite(sqlite_path, args.total)
        pg_count = grow_postgres(url, args.total)
        assert lite_count == pg_count, (lite_count, pg_count)
        print(f"filters at {lite_count:,} incidents (seconds, best of 3)")
        print(f"  {'':40} {'SQLite':>10} {'PostgreSQL':>11}  answer")
        for name, lite_seconds, pg_seconds, answer in filter_times(sqlite_path, url) + app_times(sqlite_path, url):
            print(f"  {name:40} {lite_seconds:10.3f} {pg_seconds:11.3f}  {answer:,}")


if __name__ == "__main__":
    main()
