"""Export in the data contract: CSV and GeoJSON, filtered, with formulas neutralised."""

import csv
import io
import json

import pytest

from mapapp import SEEDS_DIR
from mapapp.export import neutralise_formula
from mapapp.incident import CONTRACT_COLUMNS
from tests.command import run

SEED_TEXT = (SEEDS_DIR / "000_5c3697c2ad0ae6c3.txt").read_bytes().decode("utf-8")


def run_cli(*args, db):
    return run(*args, "--db", db)


def test_csv_export_of_a_fresh_store_lists_the_seed_incidents(tmp_path):
    result = run_cli("export", "--format", "csv", db=tmp_path / "fresh.db")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CONTRACT_COLUMNS
    assert [row["id"] for row in rows] == [
        "seed-000-04", "seed-000-05", "seed-000-06",
        "seed-000-01", "seed-000-02", "seed-000-03", "seed-000-07", "seed-000-08",
    ]
    for row in rows:
        assert SEED_TEXT[int(row["passage_start"]) : int(row["passage_end"])] == row["passage"]
    shooting = rows[1]
    assert (shooting["date_start"], shooting["date_end"], shooting["date_precision"]) == ("2023-09-24", "2023-09-24", "day")
    assert (shooting["geo_precision"], shooting["border_distance_km"]) == ("4", "12.58")


@pytest.mark.parametrize(
    "args, expected_ids",
    [
        (["--since", "2023-06-01"], ["seed-000-05", "seed-000-06", "seed-000-01", "seed-000-02", "seed-000-03", "seed-000-07", "seed-000-08"]),
        (["--type", "Battles"], ["seed-000-05"]),
        (["--document", "000_5c3697c2ad0ae6c3", "--type", "Battles"], ["seed-000-05"]),
        (["--document", "upload-0000000000000000"], []),
        (["--until", "2023-05-15", "--type", "Strategic developments"],
         ["seed-000-04", "seed-000-01", "seed-000-02", "seed-000-03", "seed-000-07", "seed-000-08"]),
    ],
)
def test_export_filters(tmp_path, args, expected_ids):
    result = run_cli("export", *args, db=tmp_path / "s.db")
    assert [row["id"] for row in csv.DictReader(io.StringIO(result.stdout))] == expected_ids


def test_geojson_export_is_points_with_contract_properties(tmp_path):
    result = run_cli("export", "--format", "geojson", "--type", "Battles", db=tmp_path / "s.db")
    collection = json.loads(result.stdout)
    (feature,) = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [20.761, 42.977]}
    assert set(feature["properties"]) == set(CONTRACT_COLUMNS)
    assert feature["properties"]["border_distance_km"] == 12.58


def test_a_bad_date_is_refused_with_the_value_shown(tmp_path):
    result = run_cli("export", "--since", "24/09/2023", db=tmp_path / "s.db")
    assert result.returncode == 2
    assert "expected a date as YYYY-MM-DD, got '24/09/2023'" in result.stderr


@pytest.mark.parametrize(
    "text, expected",
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1+cmd", "'+1+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("Zvečan", "Zvečan"), ("a=b", "a=b"), ("", ""),
     # Plain numbers are no formulas: a coordinate stays a number.
     ("-20.5", "-20.5"), ("+1", "+1"), ("-2,5", "-2,5")],
)
def test_formula_prefixes_are_neutralised(text, expected):
    assert neutralise_formula(text) == expected
