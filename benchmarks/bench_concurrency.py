"""Overlapping imports, updates, removals and reads: count the anomalies (issue 9, points 1, 2, 5, 6).

Each scenario runs many trials on a fresh copy of a store and checks the end state (and what
readers saw on the way) against what some serial order of the same operations would give.
Scenarios with threads share one Store, as the app's sessions do; scenarios with processes run
`python -m mapapp`. Every scenario runs in a child process against this tree and, for the
side-by-side figure, against the baseline commit (before issue 9).

    python benchmarks/bench_concurrency.py                 # 50 trials each, with the baseline
    python benchmarks/bench_concurrency.py --trials 5 --no-baseline

tests/test_concurrency.py runs the same scenarios with few trials and small files.
"""

import argparse
import csv
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# The last commit on main before the store and importer were made safe for overlap.
BASELINE = "bc25cd3"

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp"
).split(",")
CONTRACT_HEADER = ["id", "date_start", "date_end", "date_precision", "event_type", "sub_event_type",
                   "location", "latitude", "longitude", "geo_precision", "description", "source", "passage"]


# -- files -------------------------------------------------------------------------------------


def write_acled(path, rows, timestamp, prefix="XKX9"):
    """An ACLED export of `rows` events with ids prefix00000..., all with `timestamp`."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_HEADER)
        for n in range(rows):
            record = dict.fromkeys(ACLED_HEADER, "")
            record.update({
                "event_id_cnty": f"{prefix}{n:06d}", "event_date": f"{n % 28 + 1} May 2023", "year": "2023",
                "time_precision": "1", "event_type": "Protests", "sub_event_type": "Peaceful protest",
                "actor1": "Protesters (Kosovo)", "country": "Kosovo", "admin1": "Mitrovica", "admin2": "Zvecan",
                "location": "Zvecan", "latitude": f"{42.9075 + n * 1e-5:.5f}", "longitude": "20.8403",
                "geo_precision": "1", "source": "Koha Ditore",
                "notes": f"On {n % 28 + 1} May 2023, residents of Zvecan protested "
                f"(event {prefix}{n}, version {timestamp}).",
                "fatalities": "0", "timestamp": str(timestamp),
            })
            writer.writerow([record[name] for name in ACLED_HEADER])
    return path


def write_log(path, rows, prefix, trailer=""):
    """A file in the app's own format with `rows` incidents (coordinates given: no geocoding).
    `trailer` is appended at the end: two files that differ only by it hold the same events."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONTRACT_HEADER)
        for n in range(rows):
            writer.writerow([f"{prefix}-{n:06d}", f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}", "", "day", "Protests",
                             "Peaceful protest", "Zvečan", 42.9075 + n * 1e-5, 20.84028, 1,
                             f"{prefix} protest number {n}", "test log", f"Report {n} of a protest in Zvečan."])
        handle.write(trailer)
    return path


def pristine_store(folder, name="pristine.db"):
    """A checkpointed store with the seed incidents only, to copy for each trial."""
    from mapapp.store import Store

    path = Path(folder) / name
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


def fresh_copy(pristine, folder, trial):
    db = Path(folder) / f"trial{trial}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(pristine, db)
    return db


def read_state(db):
    """{id: source_timestamp} of every stored incident, read with plain sqlite3."""
    connection = sqlite3.connect(db)
    try:
        return dict(connection.execute("SELECT id, source_timestamp FROM incidents"))
    finally:
        connection.close()


# -- scenarios with threads on one Store (the app's sessions) -------------------------------------


def threads_remove_during_commit(trials, rows, seed=1):
    """One session adds a large upload while another removes an earlier upload and a third
    keeps reading, as its reruns do. Anomalies: a reader sees a state that no serial order has
    (part of an import), the end state disagrees with what the calls reported, a call fails
    with anything but a MapAppError."""

    rng = random.Random(seed)
    anomalies = 0
    with tempfile.TemporaryDirectory() as folder:
        pristine = pristine_store(folder)
        small = write_log(Path(folder) / "small.csv", 50, "earlier").read_bytes()
        big = write_log(Path(folder) / "big.csv", rows, "big").read_bytes()
        for trial in range(trials):
            db = fresh_copy(pristine, folder, trial)
            anomalies += _remove_during_commit_trial(db, small, big, rows, rng.uniform(0, 0.05))
    return anomalies


def _remove_during_commit_trial(db, small, big, rows, delay):
    """One trial of threads_remove_during_commit: True when it shows an anomaly."""
    from mapapp.errors import MapAppError
    from mapapp.ingest.importer import commit, plan_import
    from mapapp.store import Store

    store = Store(db)  # one object for every "session", as st.cache_resource shares it
    base = store.count()
    earlier = plan_import(small, "small.csv", store)
    commit(earlier, store)
    plan = plan_import(big, "big.csv", store)
    valid = {base + 50, base, base + 50 + rows, base + rows}
    outcome = {}
    stop = threading.Event()
    seen = []

    def add():
        try:
            outcome["add"] = commit(plan, store)["added"]
        except MapAppError as err:
            outcome["add"] = err
        except Exception as err:  # noqa: BLE001 - an unexpected failure is an anomaly
            outcome["add_crash"] = err

    def remove():
        time.sleep(delay)
        try:
            outcome["remove"] = store.remove_upload(earlier.document.id)["removed"]
        except MapAppError as err:
            outcome["remove"] = err
        except Exception as err:  # noqa: BLE001
            outcome["remove_crash"] = err

    def read():
        while not stop.is_set():
            try:
                seen.append(store.count())
            except Exception as err:  # noqa: BLE001
                outcome["read_crash"] = err
                return

    workers = [threading.Thread(target=add), threading.Thread(target=remove)]
    reader = threading.Thread(target=read)
    reader.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stop.set()
    reader.join()
    final = len(read_state(db))
    return (
        any(key.endswith("_crash") for key in outcome)
        or final != base + rows
        or any(count not in valid for count in seen)
        or outcome.get("add") != rows  # nothing makes this add fail when run alone
        or outcome.get("remove") != 50
    )


def _commit_together(store, plans, delays):
    """Commit `plans` from one thread each, after `delays`; the exceptions raised."""
    from mapapp.ingest.importer import commit

    errors = []

    def run(plan, delay):
        time.sleep(delay)
        try:
            commit(plan, store)
        except Exception as err:  # noqa: BLE001 - any failure is an anomaly
            errors.append(err)

    workers = [threading.Thread(target=run, args=(plan, delay)) for plan, delay in zip(plans, delays)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def threads_newer_timestamp_wins(trials, rows, seed=2):
    """Two uploads of the same ACLED events (timestamps 200 and 300) planned against a store
    holding them at 100, committed at the same time by two sessions. Anomaly: the store ends
    with any event at 200 (the older version), whatever the order of the commits."""
    from mapapp.ingest.importer import commit, plan_import
    from mapapp.store import Store

    rng = random.Random(seed)
    anomalies = 0
    with tempfile.TemporaryDirectory() as folder:
        pristine = pristine_store(folder)
        old = write_acled(Path(folder) / "v100.csv", rows, 100).read_bytes()
        older = write_acled(Path(folder) / "v200.csv", rows, 200).read_bytes()
        newer = write_acled(Path(folder) / "v300.csv", rows, 300).read_bytes()
        for trial in range(trials):
            db = fresh_copy(pristine, folder, trial)
            store = Store(db)
            commit(plan_import(old, "v100.csv", store), store)
            plans = [plan_import(older, "v200.csv", store), plan_import(newer, "v300.csv", store)]
            errors = _commit_together(store, plans, [rng.uniform(0, 0.02), rng.uniform(0, 0.02)])
            stamps = {value for key, value in read_state(db).items() if key.startswith("XKX9")}
            anomalies += bool(errors or stamps != {300})
    return anomalies


def threads_same_events_at_once(trials, rows, seed=3):
    """Two files holding the same events (they differ by a trailing blank line, so they are
    different uploads) committed by two sessions at the same moment. Anomaly: the events are
    stored twice, or lost."""
    from mapapp.ingest.importer import plan_import
    from mapapp.store import Store

    rng = random.Random(seed)
    anomalies = 0
    with tempfile.TemporaryDirectory() as folder:
        pristine = pristine_store(folder)
        one = write_log(Path(folder) / "one.csv", rows, "same").read_bytes()
        two = write_log(Path(folder) / "two.csv", rows, "same", trailer="\r\n").read_bytes()
        for trial in range(trials):
            db = fresh_copy(pristine, folder, trial)
            store = Store(db)
            base = store.count()
            plans = [plan_import(one, "one.csv", store), plan_import(two, "two.csv", store)]
            errors = _commit_together(store, plans, [rng.uniform(0, 0.02), rng.uniform(0, 0.02)])
            anomalies += bool(errors or len(read_state(db)) != base + rows)
    return anomalies


# -- scenarios with processes ---------------------------------------------------------------------


def _mapapp(*args):
    # The working folder is the tree under test (the child runs there), so -m finds its mapapp.
    return subprocess.Popen([sys.executable, "-m", "mapapp", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process, timeout=300):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def processes_newer_timestamp_wins(trials, rows, seed=4):
    """`ingest` of the same ACLED events at timestamps 200 and 300, started together against a
    store holding them at 100. Anomaly: any event ends at 200, an exit status other than 0, or
    a traceback."""
    rng = random.Random(seed)
    anomalies = 0
    with tempfile.TemporaryDirectory() as folder:
        pristine = pristine_store(folder)
        old = write_acled(Path(folder) / "v100.csv", rows, 100)
        files = [write_acled(Path(folder) / "v200.csv", rows, 200), write_acled(Path(folder) / "v300.csv", rows, 300)]
        with_old = Path(folder) / "with_old.db"
        shutil.copy(pristine, with_old)
        assert _finish(_mapapp("ingest", old, "--db", with_old))[0] == 0
        sqlite3.connect(with_old).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        for trial in range(trials):
            db = fresh_copy(with_old, folder, trial)
            order = files if rng.random() < 0.5 else files[::-1]
            processes = [_mapapp("ingest", path, "--db", db) for path in order]
            results = [_finish(process) for process in processes]
            stamps = {value for key, value in read_state(db).items() if key.startswith("XKX9")}
            anomalies += bool(stamps != {300} or any(code != 0 or "Traceback" in err for code, _, err in results))
    return anomalies


def processes_same_events_at_once(trials, rows, seed=5):
    """`ingest` of two files with the same events, started together. Anomaly: stored twice
    (or lost), accepted counts that do not add up to the events, a traceback."""
    anomalies = 0
    with tempfile.TemporaryDirectory() as folder:
        pristine = pristine_store(folder)
        files = [write_log(Path(folder) / "one.csv", rows, "same"),
                 write_log(Path(folder) / "two.csv", rows, "same", "\r\n")]
        base = len(read_state(pristine))
        for trial in range(trials):
            db = fresh_copy(pristine, folder, trial)
            results = [_finish(process) for process in [_mapapp("ingest", path, "--db", db) for path in files]]
            accepted = sum(
                int(line.split(":")[1].replace(",", "")) for _, out, _ in results for line in out.splitlines()
                if line.startswith("accepted:")
            )
            anomalies += bool(
                len(read_state(db)) != base + rows or accepted != rows
                or any(code != 0 or "Traceback" in err for code, _, err in results)
            )
    return anomalies


def processes_remove_during_import(trials, rows, seed=6):
    """`ingest` of a large file while `remove-upload` takes back an earlier upload. Anomaly:
    either command fails, or the store is not seeds + the large file."""
    rng = random.Random(seed)
    anomalies = 0
    with tempfile.TemporaryDirectory() as folder:
        pristine = pristine_store(folder)
        small = write_log(Path(folder) / "small.csv", 50, "earlier")
        big = write_log(Path(folder) / "big.csv", rows, "big")
        with_small = Path(folder) / "with_small.db"
        shutil.copy(pristine, with_small)
        assert _finish(_mapapp("ingest", small, "--db", with_small))[0] == 0
        upload = subprocess.run([sys.executable, "-m", "mapapp", "uploads", "--db", with_small],
                                capture_output=True, text=True, check=True).stdout.split("\t")[0]
        sqlite3.connect(with_small).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        base = len(read_state(pristine))
        for trial in range(trials):
            db = fresh_copy(with_small, folder, trial)
            ingest = _mapapp("ingest", big, "--db", db)
            time.sleep(rng.uniform(0.5, 2.0))
            remove = _mapapp("remove-upload", upload, "--db", db)
            results = [_finish(ingest), _finish(remove)]
            anomalies += bool(
                len(read_state(db)) != base + rows
                or any(code != 0 or "Traceback" in err for code, _, err in results)
            )
    return anomalies


def processes_readers_not_blocked(trials, rows=0, seed=7, patience=20.0):
    """`export` and `uploads` while another process holds the write lock (a long import
    committing). Anomaly: either waits more than `patience` seconds (the writer holds the lock
    longer than that; the baseline waited for its 60 s busy timeout), or fails."""
    anomalies = 0
    with tempfile.TemporaryDirectory() as folder:
        pristine = pristine_store(folder)
        for trial in range(trials):
            db = fresh_copy(pristine, folder, trial)
            writer = sqlite3.connect(db, isolation_level=None)
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO meta (key, value) VALUES ('held', 'x')")
            bad = False
            for command in ("export", "uploads"):
                process = _mapapp(command, "--db", db)
                try:
                    code, out, err = _finish(process, timeout=patience)
                    bad = bad or code != 0 or "Traceback" in err
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.communicate()
                    bad = True
            writer.execute("ROLLBACK")
            writer.close()
            anomalies += bad
    return anomalies


SCENARIOS = {
    "threads: remove an upload while another commits, a third reads": (threads_remove_during_commit, 20_000),
    "threads: ACLED timestamps 200 and 300 committed together": (threads_newer_timestamp_wins, 5_000),
    "threads: the same events from two files at once": (threads_same_events_at_once, 5_000),
    "processes: ACLED timestamps 200 and 300 ingested together": (processes_newer_timestamp_wins, 2_000),
    "processes: the same events from two files at once": (processes_same_events_at_once, 2_000),
    "processes: remove-upload during an ingest": (processes_remove_during_import, 20_000),
    "processes: export and uploads while another process writes": (processes_readers_not_blocked, 0),
}


def _child(name, trials):
    function, rows = SCENARIOS[name]
    started = time.perf_counter()
    anomalies = function(trials, rows)
    print(json.dumps({"anomalies": anomalies, "trials": trials, "seconds": time.perf_counter() - started}))


def _run(project, name, trials):
    """Run one scenario in a child process whose `mapapp` (and `python -m mapapp`) is `project`'s."""
    process = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", name, "--trials", str(trials)],
        cwd=project, capture_output=True, text=True, env={**_env(), "PYTHONPATH": str(project)},
    )
    if process.returncode != 0:
        return {"error": (process.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(process.stdout.strip().splitlines()[-1])


def _env():
    import os

    return dict(os.environ)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--baseline-trials", type=int, default=None, help="default: as --trials")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # started in the measured tree, whose mapapp it imports (PYTHONPATH)
        return _child(args.child, args.trials)
    names = [name for name in SCENARIOS if not args.only or args.only in name]
    baseline_dir = None
    if not args.no_baseline:
        baseline_dir = Path(tempfile.mkdtemp(prefix="mapapp-baseline-"))
        archive = subprocess.run(
            ["git", "-C", str(PROJECT), "archive", BASELINE], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(baseline_dir)], input=archive, check=True)
    print(f"{'scenario':64} {'this tree':>22} {'baseline ' + BASELINE:>22}")
    for name in names:
        mine = _run(PROJECT, name, args.trials)
        theirs = _run(baseline_dir, name, args.baseline_trials or args.trials) if baseline_dir else None
        print(f"{name:64} {_cell(mine):>22} {_cell(theirs):>22}", flush=True)
    if baseline_dir:
        shutil.rmtree(baseline_dir, ignore_errors=True)


def _cell(result):
    if result is None:
        return "-"
    if "error" in result:
        return "error: " + result["error"][:14]
    return f"{result['anomalies']}/{result['trials']} ({result['seconds']:.0f} s)"


if __name__ == "__main__":
    main()
