"""Store faults are one-line messages with the documented exit code, never a traceback (issue 9).

A folder, a device or an uncreatable path as the store, a corrupt, truncated or read-only
file, a disk that refuses a write during the commit, Ctrl-C, a closed stdout pipe. Real files
and real processes; the read-only case drops root's override of file permissions.
"""

import contextlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.bench_concurrency import write_log
from mapapp import PROJECT_DIR
from mapapp.errors import StoreError
from mapapp.store import Store


def mapapp(*args, env=None, prefix=(), **kwargs):
    return subprocess.run(
        [*prefix, sys.executable, "-m", "mapapp", *map(str, args)], cwd=PROJECT_DIR, capture_output=True,
        text=True, env={**os.environ, **(env or {})}, timeout=120, **kwargs,
    )


def one_line_error(result, *fragments):
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def ids(path):
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT id FROM incidents")}
    finally:
        connection.close()


NOT_A_STORE = "is not an SQLite database (or it is damaged); expected the app's store file"


def checkpoint(path):
    """Move the WAL's commits into the file, on a connection closed before any file is touched
    (a connection left to the garbage collector would still hold the -shm being deleted)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture
def seeded(tmp_path):
    """A checkpointed seeded store (no -wal or -shm file left)."""
    path = tmp_path / "store" / "mapapp.db"
    Store(path).close()
    checkpoint(path)
    for suffix in ("-wal", "-shm"):
        os.unlink(f"{path}{suffix}") if os.path.exists(f"{path}{suffix}") else None
    return path


@pytest.mark.parametrize(("make", "problem"), [
    (lambda p: p.mkdir(), "is a folder; expected an SQLite file (or a path where one can be created)"),
    (lambda p: p.write_bytes(os.urandom(8192)), NOT_A_STORE),
    (lambda p: p.write_text("id,date\n1,2023-05-29\n"), NOT_A_STORE),
])
def test_a_store_path_that_is_no_store_is_named(tmp_path, make, problem):
    path = tmp_path / "bad.db"
    make(path)
    with pytest.raises(StoreError) as caught:
        Store(path).rows()
    assert str(caught.value) == f"the store {str(path)!r} {problem}"
    assert str(path) not in caught.value.public
    result = mapapp("export", "--db", path)
    assert result.returncode == 2
    assert one_line_error(result) == f"error: the store {str(path)!r} {problem}"


def test_a_device_or_an_uncreatable_path_is_named(tmp_path):
    with pytest.raises(StoreError, match="'/dev/null' is not a regular file"):
        Store("/dev/null")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="'/proc/sub/mapapp.db' cannot be created: its folder cannot be made"):
        Store("/proc/sub/mapapp.db")
    with pytest.raises(StoreError, match="mapapp.db' cannot be opened: Not a directory"):
        Store(blocker / "sub" / "mapapp.db")
    result = mapapp("uploads", "--db", blocker / "mapapp.db")
    assert result.returncode == 2
    one_line_error(result, "cannot be opened: Not a directory")


def test_a_truncated_store_is_reported_not_traced(seeded, tmp_path):
    with Store(seeded) as store:
        document = store.document("000_5c3697c2ad0ae6c3")
    # Enough incidents that the table spans many pages, then cut the file in half.
    from mapapp.ingest.importer import commit, plan_import

    with Store(seeded) as store:
        commit(plan_import(write_log(tmp_path / "log.csv", 3000, "t").read_bytes(), "log.csv", store), store)
    checkpoint(seeded)
    size = os.path.getsize(seeded)
    with open(seeded, "r+b") as handle:
        handle.truncate(size // 2)
    assert document is not None
    result = mapapp("export", "--db", seeded)
    assert result.returncode == 2
    one_line_error(result, f"the store {str(seeded)!r} is damaged")


def _without_root_override():
    # Root ignores file permissions; without CAP_DAC_OVERRIDE it obeys them like anyone.
    return ("setpriv", "--bounding-set", "-dac_override,-dac_read_search") if os.geteuid() == 0 else ()


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="needs setpriv to drop root's override")
@pytest.mark.parametrize("folder_writable", [False, True])
def test_a_read_only_store_is_read_and_not_written(seeded, tmp_path, folder_writable):
    os.chmod(seeded, 0o444)
    if not folder_writable:
        os.chmod(seeded.parent, 0o555)
    try:
        before = ids(seeded)
        exported = mapapp("export", "--db", seeded, prefix=_without_root_override())
        assert exported.returncode == 0, exported.stderr
        assert len(exported.stdout.strip().splitlines()) == 1 + 8
        listed = mapapp("uploads", "--db", seeded, prefix=_without_root_override())
        assert (listed.returncode, listed.stdout) == (0, "no uploaded files are stored\n")
        log = write_log(tmp_path / "log.csv", 5, "ro")
        added = mapapp("ingest", log, "--db", seeded, prefix=_without_root_override())
        assert added.returncode == 2
        one_line_error(added, f"the store {str(seeded)!r} is read-only")
        assert ids(seeded) == before
    finally:
        os.chmod(seeded.parent, 0o755)
        os.chmod(seeded, 0o644)


def test_a_disk_that_refuses_a_write_during_the_commit_leaves_the_store_as_it_was(seeded, tmp_path):
    log = write_log(tmp_path / "log.csv", 3000, "full")
    before = ids(seeded)
    limit = os.path.getsize(seeded) + 64 * 1024

    def small_disk():
        # Writes past `limit` bytes in any file fail (EFBIG) instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = mapapp("ingest", log, "--db", seeded, preexec_fn=small_disk)
    assert result.returncode == 2
    one_line_error(result, f"the store {str(seeded)!r} could not be")
    assert ids(seeded) == before
    assert sqlite3.connect(seeded).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _wait_until_waiting(pid, timeout=60):
    """Until the process has slept without using the CPU for a second (it waits for the write
    lock): a fixed delay would, on a busy machine, interrupt it while it is still starting."""
    deadline, last, quiet = time.monotonic() + timeout, None, 0
    while time.monotonic() < deadline and quiet < 5:
        # /proc/PID/stat after the command name: state, ..., utime and stime (fields 14 and 15).
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used = int(fields[11]) + int(fields[12])
        quiet = quiet + 1 if fields[0] == "S" and used == last else 0
        last = used
        time.sleep(0.2)
    assert quiet == 5, "the command never waited for the write lock"


def test_ctrl_c_exits_130_without_a_traceback(tmp_path, seeded):
    log = write_log(tmp_path / "log.csv", 200, "int")
    # The test holds the write lock, so the ingest cannot finish before the interrupt, however
    # fast the machine: it reads, plans, then waits for the lock until Ctrl-C comes.
    lock = sqlite3.connect(seeded, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        # As from a terminal: Ctrl-C not ignored (a shell's background job, or a test runner's worker,
        # would pass on an ignored SIGINT, and Python would then never raise KeyboardInterrupt).
        process = subprocess.Popen([sys.executable, "-m", "mapapp", "ingest", str(log), "--db", str(seeded)],
                                   cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        _wait_until_waiting(process.pid)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert process.returncode == 130, (out, err)
    assert err.strip() == "interrupted: nothing more was done"
    assert ids(seeded) == {f"seed-000-0{n}" for n in range(1, 9)}
    assert sqlite3.connect(seeded).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_closed_stdout_pipe_exits_quietly(seeded):
    read, write = os.pipe()
    os.close(read)  # whoever reads the output has gone away (`mapapp export | head -0`)
    try:
        result = subprocess.run([sys.executable, "-m", "mapapp", "export", "--db", str(seeded)], cwd=PROJECT_DIR,
                                stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert result.returncode == 141
    assert result.stderr == ""


def test_reading_does_not_take_the_write_lock(seeded):
    writer = sqlite3.connect(seeded, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with Store(seeded) as store:
            assert store.count() == 8
        assert time.monotonic() - started < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
