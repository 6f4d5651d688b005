"""An ingest killed at any moment leaves the store as before or as after it; two ingests both land."""

import csv
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mapapp import PROJECT_DIR
from mapapp.store import Store

SEED_COUNT = 8
ROWS = 3000
# Kills per test run, spread evenly over one ingest from start-up to after the commit.
RUNS = 10


def write_log(path, prefix, rows=ROWS):
    """A contract-format incident log with coordinates (no geocoding), `rows` incidents."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date_start", "date_end", "date_precision", "event_type", "sub_event_type",
                         "location", "latitude", "longitude", "geo_precision", "description", "source", "passage"])
        for n in range(rows):
            writer.writerow([f"{prefix}-{n:05d}", f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}", "", "day",
                             "Protests", "Peaceful protest", "Zvečan", 42.9075 + n * 1e-5, 20.84028, 1,
                             f"{prefix} protest number {n}", "test log", f"Report {n} of a protest in Zvečan."])
    return path


def start_ingest(log, db):
    return subprocess.Popen(
        [sys.executable, "-m", "mapapp", "ingest", str(log), "--db", str(db)],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def stored_ids(db):
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in connection.execute("SELECT id FROM incidents")}
    finally:
        connection.close()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A store holding only the seed incidents, copied before every run."""
    path = tmp_path_factory.mktemp("pristine") / "pristine.db"
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


def cpu_seconds(pid):
    """CPU time the process has used so far (user + system, all its threads)."""
    # /proc/PID/stat after the command name: utime and stime are fields 14 and 15.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_an_ingest_killed_at_random_moments_leaves_the_store_before_or_after(tmp_path, pristine):
    log = write_log(tmp_path / "log.csv", "crash")
    all_ids = {f"crash-{n:05d}" for n in range(ROWS)}

    # How much CPU a whole ingest takes, so that kills spread over all of it. CPU time, not wall
    # time: on a busy machine an ingest takes several times longer, but the same CPU.
    db = tmp_path / "timing.db"
    shutil.copy(pristine, db)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert start_ingest(log, db).wait(timeout=120) == 0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert len(stored_ids(db)) == SEED_COUNT + ROWS

    rng = random.Random(20261127)
    outcomes = []
    for run in range(RUNS):
        db = tmp_path / f"run{run}.db"
        shutil.copy(pristine, db)
        process = start_ingest(log, db)
        # Spread over 0 .. 1.25 x the measured CPU, jittered: kills land while starting,
        # reading, writing and committing (past the end, the ingest has finished).
        target = cpu * (run * 1.25 / (RUNS - 1) + rng.uniform(-0.03, 0.03)) if run else 0
        while process.poll() is None and cpu_seconds(process.pid) < target:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        ids = stored_ids(db) - {f"seed-000-0{n}" for n in range(1, 9)}
        assert ids in (set(), all_ids), f"run {run}: {len(ids)} of {ROWS} incidents stored"
        with Store(db) as store:
            assert store.count() in (SEED_COUNT, SEED_COUNT + ROWS)
        outcomes.append("after" if ids else "before")
    print("outcomes:", outcomes, "CPU seconds of one ingest:", round(cpu, 2))
    # Both ends were reached, so the kills really covered the whole ingest.
    assert "before" in outcomes and "after" in outcomes, outcomes


def test_two_concurrent_ingests_both_land_completely(tmp_path, pristine):
    db = tmp_path / "shared.db"
    shutil.copy(pristine, db)
    first = write_log(tmp_path / "first.csv", "first")
    second = write_log(tmp_path / "second.csv", "second")
    processes = [start_ingest(first, db), start_ingest(second, db)]
    results = [process.communicate(timeout=180) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], results
    ids = stored_ids(db)
    assert len(ids) == SEED_COUNT + 2 * ROWS
    assert {f"first-{n:05d}" for n in range(ROWS)} <= ids
    assert {f"second-{n:05d}" for n in range(ROWS)} <= ids
