"""`mapapp export` with the app's filters, named as in the app's URL; the older names still work."""

import csv
import io
from pathlib import Path

import pytest

from mapapp.cli import main
from mapapp.ingest.importer import commit, plan_import
from mapapp.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "store.db"
    with Store(path) as store:
        plan = plan_import((FIXTURES / "acled_actors_fatalities.csv").read_bytes(), "acled.csv", store)
        commit(plan, store)
    return path, plan.document.id


def exported(capsys, db, *args):
    capsys.readouterr()
    assert main(["export", "--db", str(db[0]), *args]) == 0
    return [row["id"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--actor", "Police Forces of Kosovo (2008-)"), ["XKX3004", "XKX3001"]),
        (("--actor", "Police Forces of Kosovo (2008-)", "--fatalities", "1"), ["XKX3001"]),
        (("--q", "Banjska", "--type", "Battles"), ["XKX3001", "XKX3002"]),
        (("--q", "Руд"), ["XKX3003"]),  # Cyrillic for Rudare
        (("--sub", "Arrests", "--geo", "1", "--when", "day"), ["XKX3004"]),
        (("--border", "13", "--since", "2023-09-01", "--undated", "0"), ["seed-000-05", "seed-000-06"]),
    ],
)
def test_app_filters(capsys, db, args, expected):
    assert exported(capsys, db, *args) == expected


def test_doc_and_document_are_one_filter(capsys, db):
    by_doc = exported(capsys, db, "--doc", db[1])
    assert by_doc == ["XKX3004", "XKX3003", "XKX3001", "XKX3002"]
    assert exported(capsys, db, "--document", db[1]) == by_doc


def test_a_bad_filter_value_is_named(capsys, db):
    with pytest.raises(SystemExit):
        main(["export", "--db", str(db[0]), "--border", "near"])
    assert "expected a distance in km such as 10, got 'near'" in capsys.readouterr().err
