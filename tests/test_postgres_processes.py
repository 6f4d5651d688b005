"""Several processes on one PostgreSQL store: concurrent imports give exact totals, and an import
killed with SIGKILL leaves the store as it was (its transaction dies with its connection)."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from benchmarks.bench_ingest import generate
from mapapp.seeds import seed_incidents
from mapapp.store import open_store

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = len(seed_incidents())


def _acled_file(path, rows, series):
    """An ACLED export of `rows` events whose ids and notes belong to `series` only."""
    generate(path, rows, seed=sum(map(ord, series)))
    with open(path, encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    for row in table[1:]:
        row[0] = f"{series}{row[0]}"
        row[27] = f"Series {series}: {row[27]}"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    return path


def _ingest(url, path):
    return subprocess.Popen(
        [sys.executable, "-m", "mapapp", "ingest", str(path), "--db", url],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _finish(process):
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, err
    return out


def test_two_processes_importing_at_once_store_every_row_once(postgres_url, tmp_path):
    first = _acled_file(tmp_path / "first.csv", 1500, "A")
    second = _acled_file(tmp_path / "second.csv", 1500, "B")
    # Neither process finds a store: both make the schema and seeds at the same moment too.
    runs = [_ingest(postgres_url, first), _ingest(postgres_url, second)]
    outputs = [_finish(run) for run in runs]
    assert all("accepted: 1,500" in out for out in outputs), outputs
    store = open_store(postgres_url)
    assert store.count() == SEEDS + 3000
    assert sorted(upload["incidents"] for upload in store.uploads()) == [1500, 1500]

    # The same file from two processes at once: stored once, the other run finds duplicates.
    third = _acled_file(tmp_path / "third.csv", 1000, "C")
    outputs = [_finish(run) for run in [_ingest(postgres_url, third), _ingest(postgres_url, third)]]
    assert store.count() == SEEDS + 4000
    assert sorted(out.count("accepted: 1,000") for out in outputs) == [0, 1]
    assert len(store.uploads()) == 3


def _write_lock_held(url):
    with psycopg.connect(url) as db:
        return db.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted").fetchone()[0]


def test_an_import_killed_mid_transaction_leaves_the_store_as_before(postgres_url, tmp_path):
    store = open_store(postgres_url)
    before, version = store.rows(), store.version()
    big = _acled_file(tmp_path / "big.csv", 8000, "K")
    run = _ingest(postgres_url, big)
    deadline = time.monotonic() + 120
    while not _write_lock_held(postgres_url):
        assert run.poll() is None, "the import ended before it was seen writing"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL
    # The server ends the dead client's transaction when it sees the connection gone.
    deadline = time.monotonic() + 30
    while _write_lock_held(postgres_url):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert store.rows() == before
    assert store.version() == version
    assert store.uploads() == []
    # Nothing is left half-done: the same import now goes through.
    assert "accepted: 8,000" in _finish(_ingest(postgres_url, big))
    assert store.count() == SEEDS + 8000


def _remove(url, upload):
    return subprocess.Popen(
        [sys.executable, "-m", "mapapp", "remove-upload", upload, "--db", url],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_a_removal_racing_an_import_leaves_a_consistent_store(postgres_url, tmp_path):
    first = _acled_file(tmp_path / "first.csv", 500, "R")
    _finish(_ingest(postgres_url, first))
    store = open_store(postgres_url)
    (upload,) = [row["id"] for row in store.uploads()]
    second = _acled_file(tmp_path / "second.csv", 3000, "S")
    runs = [_ingest(postgres_url, second), _remove(postgres_url, upload)]
    outputs = [_finish(run) for run in runs]
    assert "accepted: 3,000" in outputs[0]
    assert f"removed {upload}: 500 incident(s) removed" in outputs[1]
    assert store.count() == SEEDS + 3000
    assert [row["incidents"] for row in store.uploads()] == [3000]
    assert [entry["action"] for entry in store.audit_log(limit=3)][:2] in (["add", "remove"], ["remove", "add"])
