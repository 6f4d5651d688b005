"""A write that lands between an import's plan and its commit: the import stores nothing and says why."""

import subprocess
import sys
from pathlib import Path

import pytest

from mapapp import PROJECT_DIR
from mapapp.errors import StoreChanged
from mapapp.ingest.importer import commit, plan_import
from mapapp.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


def test_an_import_that_lands_after_the_plan_makes_the_commit_fail_whole(tmp_path):
    db = tmp_path / "mapapp.db"
    data = (FIXTURES / "acled_kosovo.csv").read_bytes()
    with Store(db) as store:
        plan = plan_import(data, "acled_kosovo.csv", store)
        assert len(plan.new) == 5
        # Another process (the command line, another session of the app) imports the same
        # export meanwhile: its incidents are the plan's incidents.
        other = subprocess.run(
            [sys.executable, "-m", "mapapp", "ingest", str(FIXTURES / "acled_kosovo.csv"), "--db", str(db)],
            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
        )
        assert other.returncode == 0, other.stderr
        before = sorted(row["id"] for row in store.rows())
        assert len(before) == 8 + 5
        with pytest.raises(StoreChanged) as raised:
            commit(plan, store)
        assert str(raised.value).startswith("the store changed since this upload was checked (")
        assert str(raised.value).endswith("nothing was added: check the file again")
        assert isinstance(raised.value, RuntimeError)
        # Nothing of the plan went in; the other import's incidents are all there, once.
        assert sorted(row["id"] for row in store.rows()) == before
        # Checking the file again finds only duplicates, and committing that is a no-op.
        again = plan_import(data, "acled_kosovo.csv", store)
        assert (again.counts["new"], again.counts["duplicate"]) == (0, 5)
        assert commit(again, store) == {"added": 0, "updated": 0}
