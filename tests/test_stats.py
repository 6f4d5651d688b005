"""Counts per municipality, month and type (`stats`), with the municipality rule pinned."""

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest

from mapapp import PROJECT_DIR
from mapapp.cli import main
from mapapp.filters import incident_frame
from mapapp.municipalities import UNASSIGNED, admin_note, at_points, by_name, derived_admin, municipality_of
from mapapp.stats import compare, counts, month_keys
from mapapp.store import Store
from tests.command import run

FIXTURES = PROJECT_DIR / "tests" / "fixtures"


def run_cli(*args, db):
    return run(*args, "--db", db)


@pytest.mark.parametrize(("admin2", "expected"), [
    ("Zvecan", "Zvečan"),
    ("Звечан", "Zvečan"),
    ("Srbica municipality", "Srbica"),
    ("Kosovska Mitrovica municipality", "Mitrovica"),
    ("Mitrovica North", "North Mitrovica"),
    ("Opština Zvečan", "Zvečan"),
    ("Komuna e Leposaviqit", "Leposavić"),
    ("Raska", "Raška"),
    ("Kosovo province", None),
    ("", None),
])
def test_admin_column_spellings(admin2, expected):
    found = by_name(admin2)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(("admin2", "location", "lat", "lon", "precision", "expected"), [
    # The dataset's admin column wins, even over a region-level point.
    ("Raska", "Raska", 43.2872, 20.6153, 4, "Raška"),
    # Gazetteer: a village's GeoNames municipality code.
    ("", "Banjska", 42.97333, 20.78083, 1, "Zvečan"),
    ("", "Donji Prekaz village", 42.759167, 20.808889, 1, "Srbica"),
    # A supplement place listed in data/municipalities.csv.
    ("", "Jarinje crossing", 43.22589, 20.69641, 1, "Leposavić"),
    ("", "North Mitrovica", 42.8914, 20.866, 1, "North Mitrovica"),
    # A seat in Serbia, by its name.
    ("", "Rudnica", 43.2368, 20.6844, 1, "Raška"),
    # Regions and countries are in no municipality.
    ("", "northern Kosovo", 42.977, 20.761, 4, UNASSIGNED),
    ("", "Kosovo", 42.593587, 20.860719, 5, UNASSIGNED),
    # A place on a municipal line is not decided.
    ("", "Ibar bridge", 42.8903, 20.8669, 1, UNASSIGNED),
    # The name's place is 100 km from the incident's point: not the incident's place.
    ("", "Zvecan", 44.0, 20.0, 1, UNASSIGNED),
    # An unknown name and no admin column.
    ("", "the old quarry road", 42.9, 20.8, 2, UNASSIGNED),
])
def test_municipality_rule(admin2, location, lat, lon, precision, expected):
    assert municipality_of(admin2, location, lat, lon, precision) == expected


def test_month_keys_never_spread_a_range():
    frame = pd.DataFrame({
        "date_start": pd.to_datetime(["2023-05-29", "2023-05-01", "2023-05-29", "1998-01-01", None]),
        "date_end": pd.to_datetime(["2023-05-29", "2023-05-31", "2023-06-04", "1998-12-31", None]),
    })
    assert list(month_keys(frame)) == ["2023-05", "2023-05", "2023-05/2023-06", "1998-01/1998-12", "undated"]


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("stats") / "mapapp.db"
    for name in ("acled_kosovo.csv", "ucdp_ged_kosovo.csv"):
        assert main(["ingest", str(FIXTURES / name), "--db", str(path)]) in (0, 1)
    return path


def stats(capsys, db, *args):
    """`mapapp stats ARGS` in this process: (exit status, stdout)."""
    capsys.readouterr()
    status = main(["stats", *args, "--db", str(db)])
    return status, capsys.readouterr().out


def test_stats_by_municipality_counts_the_unassigned(filled_db):
    # The command as a pipeline runs it, once.
    result = run_cli("stats", "--by", "municipality", db=filled_db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    # 8 seed incidents (one in Zvečan: Banjska monastery; seven region- or country-level),
    # 5 ACLED rows and the 6 readable UCDP rows.
    assert rows == [
        ["municipality", "count"],
        ["unassigned", "9"],  # 7 seeds, UCDP's country- and province-level rows
        ["Zvečan", "3"],
        ["Leposavić", "2"],
        ["Mitrovica", "1"],
        ["North Mitrovica", "1"],
        ["Podujevo", "1"],
        ["Raška", "1"],  # ACLED's region-level row: its admin2 says Raska
        ["Srbica", "1"],
    ]
    assert sum(int(n) for _, n in rows[1:]) == 19


def test_stats_takes_the_export_filters_and_writes_json(filled_db, capsys):
    status, out = stats(capsys, filled_db, "--by", "municipality", "--since", "2023-01-01", "--format", "json")
    assert status == 0
    assert json.loads(out) == [
        {"municipality": "unassigned", "count": 7},
        {"municipality": "Zvečan", "count": 2},
        {"municipality": "Leposavić", "count": 1},
        {"municipality": "North Mitrovica", "count": 1},
        {"municipality": "Raška", "count": 1},
    ]
    _, out = stats(capsys, filled_db, "--by", "type", "--type", "Protests", "--type", "Riots")
    assert out.splitlines() == ["type,count", "Protests,3", "Riots,1"]


def test_stats_by_month_in_time_order(filled_db, capsys):
    _, out = stats(capsys, filled_db, "--by", "month", "--until", "1999-12-31", "--format", "json")
    assert json.loads(out) == [
        {"month": "1998-01/1998-12", "count": 1},
        {"month": "1998-03", "count": 1},
        {"month": "1998-08", "count": 1},
        {"month": "1999-03", "count": 1},
        {"month": "1999-04", "count": 1},
        {"month": "1999-06", "count": 1},
        {"month": "undated", "count": 5},
    ]


def test_stats_rejects_an_unknown_grouping(filled_db, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["stats", "--by", "district", "--db", str(filled_db)])
    assert exited.value.code == 2
    assert "invalid choice: 'district'" in capsys.readouterr().err


def test_two_periods_compared(filled_db):
    with Store(filled_db) as store:
        frame = incident_frame(store.rows())
    rows = compare(frame, "type", (dt.date(1998, 1, 1), dt.date(1998, 12, 31)), (dt.date(2023, 1, 1), dt.date(2023, 12, 31)))
    # 1998: UCDP Donji Prekaz, the province in August and the year-long country-level row.
    # 2023: ACLED's May rows and Raska in September, the seed's May, 24 and 24-30 September rows.
    assert rows == [
        {"key": "Strategic developments", "first": 0, "second": 3, "difference": 3},
        {"key": "Battles", "first": 3, "second": 1, "difference": -2},
        {"key": "Protests", "first": 0, "second": 2, "difference": 2},
        {"key": "Riots", "first": 0, "second": 1, "difference": 1},
    ]
    assert counts(frame.iloc[0:0], "municipality") == []


def test_municipality_table_and_monthly_counts(filled_db):
    from mapapp.stats import monthly, municipality_table

    with Store(filled_db) as store:
        frame = incident_frame(store.rows())
    table = municipality_table(frame)
    assert list(table.columns) == ["Battles", "Violence against civilians", "Protests", "Riots",
                                   "Strategic developments", "total"]
    assert table.loc["Zvečan"].to_dict() == {
        "Battles": 1, "Violence against civilians": 0, "Protests": 0, "Riots": 1,
        "Strategic developments": 1, "total": 3,
    }
    assert list(table.index) == ["Zvečan", "Leposavić", "Mitrovica", "North Mitrovica", "Podujevo",
                                 "Raška", "Srbica", "unassigned"]
    assert table["total"].sum() == 19
    long, left_out = monthly(frame)
    # 19 incidents: 5 undated and the year-long UCDP row cannot go in one month.
    assert left_out == 6
    assert long["incidents"].sum() == 13
    assert long[long["municipality"] == "Leposavić"].to_dict("records") == [
        {"municipality": "Leposavić", "month": "2022-12", "type": "Protests", "incidents": 1},
        {"municipality": "Leposavić", "month": "2023-05", "type": "Protests", "incidents": 1},
    ]


def test_counts_from_the_apps_columns(filled_db):
    import sqlite3

    from mapapp import columns as incident_columns
    from mapapp.municipalities import assign_columns
    from mapapp.stats import frame_from_columns, municipality_table

    db = sqlite3.connect(filled_db)
    columns = incident_columns.load(db)
    db.close()
    municipality = assign_columns(str(filled_db), columns)
    keep = columns.date_start != incident_columns.NO_DAY  # dated only
    frame = frame_from_columns(columns, keep, municipality)
    assert len(frame) == 14
    assert frame["date_start"].isna().sum() == 0
    with Store(filled_db) as store:
        expected = municipality_table(incident_frame(store.rows()).loc[lambda f: f["date_start"].notna()])
    assert municipality_table(frame).to_dict() == expected.to_dict()


def test_the_dates_file_of_the_map(filled_db):
    import sqlite3

    import numpy as np

    from mapapp import columns as incident_columns
    from mapapp.map_payload import dates_bytes

    db = sqlite3.connect(filled_db)
    columns = incident_columns.load(db)
    db.close()
    data = np.frombuffer(dates_bytes(columns), dtype="<i4")
    n = len(columns)
    assert len(data) == 2 * n
    first = incident_columns.day_number(dt.date(1998, 1, 1))
    assert data[0] == first and data[n] == incident_columns.day_number(dt.date(1998, 12, 31))  # UCDP's 1998
    assert (data[:n] == incident_columns.NO_DAY).sum() == 5  # the undated seeds


@pytest.mark.parametrize(
    "lat, lon, expected",
    [
        (42.9075, 20.84028, "Zvečan"),  # the town
        (42.9175, 20.8431, "Zvečan"),  # Rudare, a village of it
        (43.2872, 20.6153, "Raška"),  # a Serbian seat: its own name is its municipality
        # 0.2 km inside Serbia; the nearest village (0.5 km) is Leposavić's, across the line.
        (43.23, 20.70, None),
        (43.5, 20.9, None),  # no place with a known municipality within MAX_POINT_KM
    ],
)
def test_a_point_is_put_in_the_municipality_of_its_nearest_place(lat, lon, expected):
    assert at_points([lat], [lon]).tolist() == [expected]


def test_admin_areas_a_file_lacks_are_derived_and_marked():
    admin1, admin2 = derived_admin(
        ["", "", "Kosovo province", ""],
        ["", "Zvecan", "", ""],
        ["Rudare", "", "Banjska", "northern Kosovo"],
        [42.9175, 42.9075, 42.97333, 42.98],
        [20.8431, 20.84028, 20.78083, 20.76],
        [1, 1, 1, 4],
    )
    # Row 1: both from the place; row 2: the file's admin2 is kept, its district filled in;
    # row 3: the file's admin1 is kept; row 4: a region is put in no municipality.
    assert admin1 == ["Mitrovica District", "Mitrovica District", "", ""]
    assert admin2 == ["Zvečan", "", "Zvečan", ""]
    assert admin_note("Mitrovica District", "") == (
        "Admin areas derived, not in the file: admin1 'Mitrovica District' "
        "(from the place and the gazetteer, data/municipalities.csv).")
    assert admin_note("", "") == ""
