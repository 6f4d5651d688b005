"""Writes that land between an import's plan and its commit (another process, for real)."""

import subprocess
import sys
from pathlib import Path

import pytest

from mapapp import PROJECT_DIR
from mapapp.errors import StoreChanged
from mapapp.ingest.importer import commit, plan_import
from mapapp.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


def mapapp(*args):
    done = subprocess.run([sys.executable, "-m", "mapapp", *map(str, args)], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def ids(store):
    return sorted(row["id"] for row in store.rows())


def test_the_same_file_imported_meanwhile_is_not_stored_twice(tmp_path):
    db = tmp_path / "mapapp.db"
    data = (FIXTURES / "acled_kosovo.csv").read_bytes()
    with Store(db) as store:
        plan = plan_import(data, "acled_kosovo.csv", store)
        assert len(plan.new) == 5
        mapapp("ingest", FIXTURES / "acled_kosovo.csv", "--db", db)  # another process, meanwhile
        before = ids(store)
        assert len(before) == 8 + 5
        # The commit decides again against the store as it is: the five are duplicates now.
        assert commit(plan, store) == {"added": 0, "updated": 0, "kept": 0}
        assert (len(plan.new), len(plan.duplicates)) == (0, 5)
        assert ids(store) == before


def test_a_document_removed_meanwhile_makes_the_commit_fail_whole(tmp_path):
    """A re-import of an export cites the upload's document; the upload is taken back by
    another process before the commit: StoreChanged, and nothing of the plan is stored."""
    db = tmp_path / "mapapp.db"
    upload = mapapp("ingest", FIXTURES / "acled_kosovo.csv", "--db", db).split("stored as upload ")[1].split()[0]
    exported = mapapp("export", "--db", db, "--document", upload).encode()
    with Store(db) as store:
        plan = plan_import(exported, "export.csv", store)
        assert (plan.counts["new"], plan.counts["duplicate"]) == (0, 5)
        mapapp("remove-upload", upload, "--db", db)
        before = ids(store)
        assert len(before) == 8
        with pytest.raises(StoreChanged) as raised:
            commit(plan, store)
        assert str(raised.value).startswith("the store changed since this upload was checked (document_id: ")
        assert str(raised.value).endswith("nothing was added: check the file again")
        assert isinstance(raised.value, RuntimeError)
        assert ids(store) == before
