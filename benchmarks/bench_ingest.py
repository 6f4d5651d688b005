"""Ingest benchmark: a 100,000-row ACLED-shaped CSV, pandas.read_csv alone vs plan_import + commit.

    .venv/bin/python benchmarks/bench_ingest.py [--rows 100000] [--keep DIR]

Both sides run in one invocation, each in a fresh child process so that its peak memory
(ru_maxrss) is its own: `pandas.read_csv(path)` with default options, and reading the file's
bytes + `plan_import` + `commit` into a new SQLite store in a temporary directory. Every row
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


def child_pandas(path):
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(path)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(frame)}


def child_ingest(path, db):
    sys.path.insert(0, str(PROJECT))
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


def run_child(kind, *args):
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, *map(str, args)],
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
        result = child_pandas(*rest) if kind == "pandas" else child_ingest(*rest)
        # ru_maxrss is in kilobytes on Linux: the peak of this child process alone.
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acled_100k.csv"
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1024 / 1024
        pandas_runs = [run_child("pandas", path) for _ in range(args.repeat)]
        ingest_runs = [run_child("ingest", path, Path(folder) / f"bench{k}.db") for k in range(args.repeat)]
    pandas_best = min(pandas_runs, key=lambda run: run["seconds"])
    ingest_best = min(ingest_runs, key=lambda run: run["seconds"])
    ratio = ingest_best["seconds"] / pandas_best["seconds"]
    peak = max(run["peak_mb"] for run in ingest_runs)
    print(f"file: {args.rows:,} rows, {size_mb:.1f} MB")
    print(f"pandas.read_csv     : {pandas_best['seconds']:.2f} s  peak {pandas_best['peak_mb']:.0f} MB  "
          f"(runs: {_seconds(pandas_runs)})")
    print(f"plan_import + commit: {ingest_best['seconds']:.2f} s  peak {peak:.0f} MB  "
          f"(plan {ingest_best['plan_seconds']:.2f} s, commit {ingest_best['commit_seconds']:.2f} s; "
          f"runs: {_seconds(ingest_runs)})")
    print(f"stored {ingest_best['stored']:,} incidents; counts {ingest_best['counts']}")
    print(f"ratio: {ratio:.2f}x (target <= {MAX_RATIO:g}x); peak memory {peak:.0f} MB (target <= {MAX_PEAK_MB} MB)")
    ok = ratio <= MAX_RATIO and peak <= MAX_PEAK_MB and ingest_best["stored"] == args.rows
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
