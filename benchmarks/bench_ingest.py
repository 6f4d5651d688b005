"""Ingest benchmark (issue 13): ACLED-shaped CSVs of 100,000 and 1,000,000 rows, pandas.read_csv
alone vs the whole import (plan_import + commit, durable), side by side in one run.

    .venv/bin/python -m benchmarks.bench_ingest [--rows 100000 1000000] [--repeat 3]

For each size, each side runs in a fresh child process, so that its time and peak memory
(ru_maxrss) are its own: `pandas.read_csv(path, dtype=str)` (the baseline of issue 13; the
default read is printed beside it), reading the file's bytes + `plan_import` + `commit` into a
new SQLite store, and `python -m mapapp ingest FILE` with its start-up. Each time is printed with
the CPU time of its process (user + system), which a busy machine disturbs less. At 100,000
rows two floors are timed too: the store's own write of the planned rows and document, and the
least SQLite can do with one row per incident. Every row has coordinates, so no geocoding
happens. Sizes above 100,000 rows run once (no floors).
Targets (issue 13): the import takes at most 2x pandas.read_csv(dtype=str) at every size; the
import of 1,000,000 rows peaks under 3 GB. Exit status 1 when a target is missed.
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
MAX_RATIO = 2.0
MAX_PEAK_MB = 3072

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

    started, cpu = time.perf_counter(), time.process_time()
    # as_text: every cell as a string, as an importer needs them (no number inference).
    frame = pd.read_csv(path, dtype=str) if as_text else pd.read_csv(path)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu": time.process_time() - cpu, "rows": len(frame)}


def _planned_values(plan):
    """The store rows of the plan's new incidents (a batch view hands them over in bulk)."""
    from mapapp.store import _incident_values

    if hasattr(plan.new, "store_rows"):
        return list(plan.new.store_rows())
    return [tuple(_incident_values(incident)) for incident in plan.new]


def child_store_floor(path, db):
    """The store's own floor: the time to write the already-planned incidents and the upload's
    document as commit writes them (Writer.write: the rows in bulk, the indexes made again) in
    one durable transaction, with no parsing and no identity rules in the timed part. No import
    into this store can be faster than this."""
    from mapapp.ingest.importer import plan_import
    from mapapp.store import Store

    store = Store(db)
    plan = plan_import(Path(path).read_bytes(), Path(path).name, store)
    document = plan.document
    with store.transaction():  # warm-up write of nothing, so the timed part is only the batch
        pass
    started, cpu = time.perf_counter(), time.process_time()
    with store.transaction() as writer:
        writer.write([document], plan.new, replace=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu": time.process_time() - cpu, "rows": len(plan.new),
            "document_mb": len(document.text.encode()) / 1024 / 1024}


def child_bare_floor(path, db):
    """The least SQLite can do for one row per incident: the same values into a table with no
    key, no index and no document, with synchronous=OFF (not durable). A lower bound for any
    importer that stores incidents as rows, whatever it does before."""
    import sqlite3

    from mapapp.ingest.importer import plan_import
    from mapapp.store import INCIDENT_COLUMNS, Store

    plan = plan_import(Path(path).read_bytes(), Path(path).name, Store(Path(db).with_suffix(".plan.db")))
    values = _planned_values(plan)
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute(f"CREATE TABLE incidents ({', '.join(INCIDENT_COLUMNS)})")
    sql = f"INSERT INTO incidents VALUES ({', '.join('?' for _ in INCIDENT_COLUMNS)})"
    started, cpu = time.perf_counter(), time.process_time()
    connection.execute("BEGIN")
    connection.executemany(sql, values)
    connection.execute("COMMIT")
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "rows": len(values)}


def child_ingest(path, db):
    from mapapp.ingest.importer import commit, plan_import, read_upload
    from mapapp.ingest.reading import COMMAND_LINE_MAX_MB, Limits
    from mapapp.store import Store

    store = Store(db)
    before = store.count()
    started, cpu = time.perf_counter(), time.process_time()
    data = Path(path).read_bytes()
    # As `ingest` does: the command line's size limit, and the bytes let go once read.
    table = read_upload(data, Limits.from_env(default_megabytes=COMMAND_LINE_MAX_MB))
    del data
    plan = plan_import(table, Path(path).name, store)
    del table
    planned = time.perf_counter()
    commit(plan, store)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
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
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "exit": done.returncode, "cli_peak_mb": usage.ru_maxrss / 1024,
            "cli_cpu": usage.ru_utime + usage.ru_stime,
            "first_lines": done.stdout.splitlines()[:4]}


def run_child(kind, *args):
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_ingest", "--child", kind, *map(str, args)],
        check=True, capture_output=True, text=True, cwd=PROJECT,
    ).stdout
    return json.loads(output)


def _seconds(runs):
    return ", ".join(f"{run['seconds']:.2f}" for run in runs)


def _line(label, run, runs, extra=""):
    cpu = run.get("cli_cpu", run.get("cpu", 0))
    peak = run.get("cli_peak_mb", run.get("peak_mb", 0))
    return (f"  {label:42} {run['seconds']:7.2f} s  cpu {cpu:6.2f} s  peak {peak:5.0f} MB"
            f"{extra}  (runs {_seconds(runs)})")


def measure(rows, repeat, folder):
    """Print one size's figures; returns (ratio, cpu ratio, peak MB of the import, stored all)."""
    path = Path(folder) / f"acled_{rows}.csv"
    generate(path, rows)
    size_mb = path.stat().st_size / 1024 / 1024
    small = rows <= 100_000
    kinds = ["pandas_text", "pandas", "ingest", "cli"] + (["floor", "bare"] if small else [])
    runs = {kind: [] for kind in kinds}
    # Interleaved, so that a busy moment on the machine does not fall on one side only.
    for k in range(repeat if small else 1):
        for kind in kinds:
            extra = () if kind.startswith("pandas") else (Path(folder) / f"{kind}{rows}-{k}.db",)
            runs[kind].append(run_child(kind, path, *extra))
    path.unlink()
    best = {kind: min(results, key=lambda run: run["seconds"]) for kind, results in runs.items()}
    base, ingest = best["pandas_text"], best["ingest"]
    peak = max(run["peak_mb"] for run in runs["ingest"])
    ratio = ingest["seconds"] / base["seconds"]
    cpu_ratio = ingest["cpu"] / base["cpu"]
    print(f"{rows:,} ACLED-shaped rows, {size_mb:.0f} MB; best of {len(runs['ingest'])} run(s), "
          "each in a fresh process")
    print(_line("pandas.read_csv(path, dtype=str)  [baseline]", base, runs["pandas_text"]))
    print(_line("pandas.read_csv(path)", best["pandas"], runs["pandas"]))
    print(_line("plan_import + commit", ingest, runs["ingest"],
                f"  (plan {ingest['plan_seconds']:.2f} s + commit {ingest['commit_seconds']:.2f} s)"))
    cli = best["cli"]
    print(_line("python -m mapapp ingest (with start-up)", cli, runs["cli"],
                f"  exit {cli['exit']}: {' | '.join(cli['first_lines'][1:3])}"))
    if small:
        print(_line("store floor: the store's write of the plan", best["floor"], runs["floor"],
                    f"  (document {best['floor']['document_mb']:.0f} MB)"))
        print(_line("bare floor: no key/index/document, not durable", best["bare"], runs["bare"]))
    print(f"  stored {ingest['stored']:,} incidents; counts {ingest['counts']}")
    verdict = "PASS" if ratio <= MAX_RATIO else "FAIL"
    print(f"  import / pandas.read_csv(dtype=str): {ratio:.2f}x wall, {cpu_ratio:.2f}x cpu "
          f"(target <= {MAX_RATIO:g}x: {verdict}); cli / pandas: {cli['seconds'] / base['seconds']:.2f}x wall")
    if small:
        print(f"  floors / pandas.read_csv(dtype=str): store {best['floor']['seconds'] / base['seconds']:.2f}x, "
              f"bare {best['bare']['seconds'] / base['seconds']:.2f}x wall "
              "(no import into this store / into SQLite can do better)")
    return ratio, cpu_ratio, peak, ingest["stored"] == rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each side up to 100,000 rows; the fastest counts")
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
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["peak_mb"] = usage.ru_maxrss / 1024
        result["cpu"] = usage.ru_utime + usage.ru_stime if "cpu" not in result else result["cpu"]
        print(json.dumps(result))
        return 0

    ok = True
    summary = []
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            ratio, cpu_ratio, peak, stored = measure(rows, args.repeat, folder)
            summary.append((rows, ratio, cpu_ratio, peak))
            ok = ok and ratio <= MAX_RATIO and stored and (rows < 1_000_000 or peak <= MAX_PEAK_MB)
    print("issue 13 targets: import <= 2x pandas.read_csv(dtype=str); 1,000,000 rows peak <= 3072 MB")
    for rows, ratio, cpu_ratio, peak in summary:
        print(f"  {rows:>9,} rows: {ratio:5.2f}x wall, {cpu_ratio:5.2f}x cpu, import peak {peak:5.0f} MB")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
