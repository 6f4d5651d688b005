"""Ingest benchmark: a 100,000-row ACLED-shaped CSV, pandas.read_csv alone vs plan_import + commit.

    .venv/bin/python -m benchmarks.bench_ingest [--rows 100000] [--keep DIR]

Both sides run in one invocation, each in a fresh child process so that its peak memory
(ru_maxrss) is its own: `pandas.read_csv(path)` with default options, and reading the file's
bytes + `plan_import` + `commit` into a new SQLite store in a temporary directory. Two floors
are timed beside them: the store's own write of the planned incidents and document, and the
least SQLite can do with one row per incident (no key, no index, no document, not durable). Every row
has coordinates, so no geocoding happens. Targets (issue 4): ingest <= 5x pandas, peak <= 1 GB.
Exit status 1 when a target is missed.
"""

import argparse
import csv
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MAX_RATIO = 5.0
MAX_PEAK_MB = 1024

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)

PLACES = (
    ("Kosovo", "Mitrovica", "Zvecan", "Zvecan", 42.9075, 20.8403),
    ("Kosovo", "Mitrovica", "Leposavic", "Leposavic", 43.1039, 20.8028),
    ("Kosovo", "Mitrovica", "Mitrovica North", "North Mitrovica", 42.8914, 20.8660),
    ("Kosovo", "Mitrovica", "Zubin Potok", "Zubin Potok", 42.9144, 20.6897),
    ("Kosovo", "Mitrovica", "Leposavic", "Jarinje", 43.2003, 20.7206),
    ("Kosovo", "Mitrovica", "Zvecan", "Banjska", 42.9733, 20.7808),
    ("Kosovo", "Pristina", "Podujevo", "Podujevo", 42.9106, 21.1931),
    ("Serbia", "Raska", "Raska", "Raska", 43.2872, 20.6153),
    ("Serbia", "Raska", "Novi Pazar", "Novi Pazar", 43.1367, 20.5122),
    ("Serbia", "Toplica", "Kursumlija", "Kursumlija", 43.1383, 21.2734),
)

TYPES = (
    ("Protests", "Peaceful protest", "Demonstrations", "Protesters (Kosovo)", 6),
    ("Protests", "Protest with intervention", "Demonstrations", "Protesters (Kosovo)", 6),
    ("Riots", "Mob violence", "Political violence; Demonstrations", "Rioters (Kosovo)", 5),
    ("Riots", "Violent demonstration", "Demonstrations", "Rioters (Kosovo)", 5),
    ("Battles", "Armed clash", "Political violence", "Unidentified Armed Group (Kosovo)", 3),
    ("Violence against civilians", "Attack", "Political violence", "Unidentified Armed Group (Kosovo)", 3),
    ("Explosions/Remote violence", "Grenade", "Political violence", "Unidentified Armed Group (Kosovo)", 3),
    ("Strategic developments", "Arrests", "Strategic developments", "Police Forces of Kosovo (2008-)", 1),
    ("Strategic developments", "Looting/property destruction", "Strategic developments", "Rioters (Kosovo)", 5),
)


def generate(path, rows, seed=20230529):
    """An ACLED-shaped export: every column, realistic cell lengths, unique notes per row."""
    rng = random.Random(seed)
    first = dt.date(2018, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_COLUMNS)
        for number in range(rows):
            country, admin1, admin2, location, lat, lon = rng.choice(PLACES)
            event_type, sub_type, disorder, actor, inter = rng.choice(TYPES)
            day = first + dt.timedelta(days=rng.randrange(2000))
            iso = 688 if country == "Serbia" else 0
            prefix = "SRB" if country == "Serbia" else "XKX"
            notes = (
                f"On {day.day} {day:%B %Y}, in {location} ({admin1}), {actor.split(' (')[0].lower()} "
                f"were reported in a {sub_type.lower()} event near the municipal building; "
                f"local media report number {number} in this series, with police present and "
                f"no further details given on injuries or arrests."
            )
            writer.writerow((
                f"{prefix}{100000 + number}", f"{day.day} {day:%B %Y}", day.year, rng.choice((1, 1, 1, 2, 3)),
                disorder, event_type, sub_type, actor, "Serb Ethnic Group (Kosovo)", inter,
                "Police Forces of Kosovo (2008-)", "", 1, f"{min(inter, 1)}{max(inter, 1)}", "",
                iso, "Europe", country, admin1, admin2, "", location,
                f"{lat + rng.uniform(-0.02, 0.02):.4f}", f"{lon + rng.uniform(-0.02, 0.02):.4f}",
                rng.choice((1, 1, 2, 3)), "Kosovo Online; Koha Ditore", "National", notes,
                rng.choice((0, 0, 0, 1, 2)), "crowd size=no report", 1600000000 + number,
            ))


def child_pandas(path, as_text=False):
    import pandas as pd

    started = time.perf_counter()
    # as_text: every cell as a string, as an importer needs them (no number inference).
    frame = pd.read_csv(path, dtype=str, keep_default_na=False) if as_text else pd.read_csv(path)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(frame)}


def child_store_floor(path, db):
    """The store's own floor: the time to write the already-planned incidents and the upload's
    document with one executemany in one durable transaction, with no parsing and no model
    objects in the timed part. No import into this store can be faster than this."""
    from mapapp.ingest.importer import plan_import
    from mapapp.store import INCIDENT_COLUMNS, Store, _incident_values

    store = Store(db)
    plan = plan_import(Path(path).read_bytes(), Path(path).name, store)
    values = [tuple(_incident_values(incident)) for incident in plan.new]
    document = plan.document
    sql = f"INSERT INTO incidents ({', '.join(INCIDENT_COLUMNS)}) VALUES ({', '.join('?' for _ in INCIDENT_COLUMNS)})"
    with store.transaction():  # warm-up write of nothing, so the timed part is only the batch
        pass
    started = time.perf_counter()
    with store.transaction() as writer:
        writer.db.execute(
            "INSERT INTO documents (id, title, source, text) VALUES (?, ?, ?, ?)",
            (document.id, document.title, document.source, document.text),
        )
        writer.db.executemany(sql, values)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(values), "document_mb": len(document.text.encode()) / 1024 / 1024}


def child_bare_floor(path, db):
    """The least SQLite can do for one row per incident: the same values into a table with no
    key, no index and no document, with synchronous=OFF (not durable). A lower bound for any
    importer that stores incidents as rows, whatever it does before."""
    import sqlite3

    from mapapp.ingest.importer import plan_import
    from mapapp.store import INCIDENT_COLUMNS, Store, _incident_values

    plan = plan_import(Path(path).read_bytes(), Path(path).name, Store(Path(db).with_suffix(".plan.db")))
    values = [tuple(_incident_values(incident)) for incident in plan.new]
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute(f"CREATE TABLE incidents ({', '.join(INCIDENT_COLUMNS)})")
    sql = f"INSERT INTO incidents VALUES ({', '.join('?' for _ in INCIDENT_COLUMNS)})"
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(sql, values)
    connection.execute("COMMIT")
    return {"seconds": time.perf_counter() - started, "rows": len(values)}


def child_ingest(path, db):
    from mapapp.ingest.importer import commit, plan_import
    from mapapp.store import Store

    store = Store(db)
    before = store.count()
    started = time.perf_counter()
    data = Path(path).read_bytes()
    plan = plan_import(data, Path(path).name, store)
    planned = time.perf_counter()
    commit(plan, store)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "plan_seconds": planned - started,
        "commit_seconds": seconds - (planned - started),
        "rows": plan.total_rows,
        "counts": plan.counts,
        "stored": store.count() - before,
    }


def child_cli(path, db):
    """`python -m mapapp ingest FILE --db DB` as a user runs it: start-up included."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mapapp", "ingest", str(path), "--db", str(db)],
        capture_output=True, text=True, cwd=PROJECT,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "exit": done.returncode, "cli_peak_mb": peak,
            "first_lines": done.stdout.splitlines()[:4]}


def run_child(kind, *args):
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_ingest", "--child", kind, *map(str, args)],
        check=True, capture_output=True, text=True, cwd=PROJECT,
    ).stdout
    return json.loads(output)


def _seconds(runs):
    return ", ".join(f"{run['seconds']:.2f}" for run in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the fastest counts")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "pandas":
            result = child_pandas(*rest)
        elif kind == "pandas_text":
            result = child_pandas(*rest, as_text=True)
        elif kind == "floor":
            result = child_store_floor(*rest)
        elif kind == "bare":
            result = child_bare_floor(*rest)
        elif kind == "cli":
            result = child_cli(*rest)
        else:
            result = child_ingest(*rest)
        # ru_maxrss is in kilobytes on Linux: the peak of this child process alone.
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acled_100k.csv"
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1024 / 1024
        runs = {"pandas": [], "pandas_text": [], "ingest": [], "floor": [], "bare": [], "cli": []}
        # Interleaved, so that a busy moment on the machine does not fall on one side only.
        for k in range(args.repeat):
            runs["pandas"].append(run_child("pandas", path))
            runs["pandas_text"].append(run_child("pandas_text", path))
            runs["ingest"].append(run_child("ingest", path, Path(folder) / f"ingest{k}.db"))
            runs["floor"].append(run_child("floor", path, Path(folder) / f"floor{k}.db"))
            runs["bare"].append(run_child("bare", path, Path(folder) / f"bare{k}.db"))
            runs["cli"].append(run_child("cli", path, Path(folder) / f"cli{k}.db"))
    best = {kind: min(results, key=lambda run: run["seconds"]) for kind, results in runs.items()}
    pandas_s = best["pandas"]["seconds"]
    ingest = best["ingest"]
    ratio = ingest["seconds"] / pandas_s
    peak = max(run["peak_mb"] for run in runs["ingest"])
    print(f"file: {args.rows:,} ACLED-shaped rows, {size_mb:.1f} MB; best of {args.repeat} runs each, "
          "each run in a fresh process")
    print(f"  pandas.read_csv(path)                    {pandas_s:6.2f} s  peak {best['pandas']['peak_mb']:4.0f} MB  "
          f"(runs {_seconds(runs['pandas'])})")
    print(f"  pandas.read_csv(path, dtype=str)         {best['pandas_text']['seconds']:6.2f} s  "
          f"peak {best['pandas_text']['peak_mb']:4.0f} MB  (runs {_seconds(runs['pandas_text'])})")
    print(f"  plan_import + commit                     {ingest['seconds']:6.2f} s  peak {peak:4.0f} MB  "
          f"(plan {ingest['plan_seconds']:.2f} s + commit {ingest['commit_seconds']:.2f} s; "
          f"runs {_seconds(runs['ingest'])})")
    print(f"  store floor: one executemany + document  {best['floor']['seconds']:6.2f} s  "
          f"(document {best['floor']['document_mb']:.0f} MB; runs {_seconds(runs['floor'])})")
    print(f"  bare floor: no key, no index, no document, not durable "
          f"{best['bare']['seconds']:6.2f} s  (runs {_seconds(runs['bare'])})")
    cli = best["cli"]
    print(f"  python -m mapapp ingest (with start-up)  {cli['seconds']:6.2f} s  peak {cli['cli_peak_mb']:4.0f} MB  "
          f"exit {cli['exit']} (runs {_seconds(runs['cli'])}): {' | '.join(cli['first_lines'][1:3])}")
    print(f"stored {ingest['stored']:,} incidents; counts {ingest['counts']}")
    text_ratio = ingest["seconds"] / best["pandas_text"]["seconds"]
    print(f"issue 13: ingest / pandas.read_csv(dtype=str) {text_ratio:5.1f}x (target <= 2x: "
          f"{'PASS' if text_ratio <= 2 else 'FAIL'}); peak {peak:.0f} MB (target at 1,000,000 rows <= 3072 MB)")
    print(f"ratio ingest / pandas.read_csv:           {ratio:5.1f}x (target <= {MAX_RATIO:g}x)")
    print(f"ratio ingest / pandas.read_csv(dtype=str): {ingest['seconds'] / best['pandas_text']['seconds']:5.1f}x")
    print(f"ratio store floor / pandas.read_csv:      {best['floor']['seconds'] / pandas_s:5.1f}x "
          "(no import into this store can do better)")
    print(f"ratio bare floor / pandas.read_csv:       {best['bare']['seconds'] / pandas_s:5.1f}x "
          "(no import that stores a row per incident in SQLite can do better)")
    print(f"peak memory of the ingest process: {peak:.0f} MB (target <= {MAX_PEAK_MB} MB)")
    ok = ratio <= MAX_RATIO and peak <= MAX_PEAK_MB and ingest["stored"] == args.rows
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
