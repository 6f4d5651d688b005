"""Filtering in columns (mapapp.columns + the FTS5 index of mapapp.search) keeps exactly the
incidents that Filters.apply keeps on a frame, filter by filter, on the seed incidents and the
imported fixture files."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from mapapp import columns as incident_columns
from mapapp.errors import StoreChanged
from mapapp.filters import Filters, incident_frame
from mapapp.ingest.importer import commit, plan_import
from mapapp.roles import Person
from mapapp.search import TextIndex
from mapapp.store import Store
from tests.payloads import SCRIPT_PAYLOADS, hostile_incidents

FIXTURES = Path(__file__).parent / "fixtures"
FILES = ("acled_kosovo.csv", "ucdp_ged_kosovo.csv", "contract_own_format.csv", "serbian_log_cp1250.csv",
         "acled_actors_fatalities.csv", "albanian_log.csv")

FILTERS = [
    Filters(),
    Filters(include_undated=False),
    Filters(since=dt.date(2023, 5, 15), until=dt.date(2023, 5, 20), include_undated=False),
    Filters(since=dt.date(2023, 6, 1)),
    Filters(until=dt.date(2023, 6, 1)),
    Filters(since=dt.date(2023, 9, 30), include_undated=False),
    Filters(since=dt.date(2020, 1, 1), until=dt.date(2022, 12, 31)),
    Filters(event_types=("Battles",)),
    Filters(event_types=("Protests", "Riots"), include_undated=False),
    Filters(sub_event_types=("Political statement",)),
    Filters(sub_event_types=("Armed clash", "Peaceful protest")),
    Filters(geo_precisions=(1,)),
    Filters(geo_precisions=(3, 4, 5)),
    Filters(date_precisions=("month", "week")),
    Filters(date_precisions=("unknown",)),
    Filters(max_border_km=13.0),
    Filters(max_border_km=0.0),
    Filters(text="MONASTERY"),
    Filters(text="kfor"),
    Filters(text="no such words"),
    Filters(text="Zvečan"),
    Filters(text="ZVEČAN"),
    Filters(text="ka"),
    Filters(text=" police "),
    Filters(text="*"),
    Filters(text="[a]"),
    Filters(text="50%"),
    Filters(documents=("000_5c3697c2ad0ae6c3",)),
    Filters(documents=("upload-0000000000000000",)),
    Filters(event_types=("Riots",), text="script", max_border_km=40.0, geo_precisions=(1,)),
    Filters(text="Звечан"),
    Filters(text="Zveçan"),
    Filters(text="Leposaviq"),
    Filters(text="XKX3002"),
    Filters(text="koha ditore"),
    Filters(actors=("Police Forces of Kosovo (2008-)",)),
    Filters(actors=("Unidentified Armed Group (Kosovo)", "UCK")),
    Filters(min_fatalities=1),
    Filters(min_fatalities=5, text="zvecan"),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A store with the seeds, every fixture file imported, and the hostile incidents."""
    path = tmp_path_factory.mktemp("columns") / "mapapp.db"
    with Store(path) as store:
        for name in FILES:
            commit(plan_import((FIXTURES / name).read_bytes(), name, store), store)
        document, incidents = hostile_incidents()
        store.add([document], incidents)
        frame = incident_frame(store.rows())
        with store.reading() as snapshot:  # the connection, to read the columns through
            columns = incident_columns.load(snapshot.db)
    index = TextIndex(path)
    index.sync()
    return frame, columns, index


def test_the_store_holds_every_kind_of_row(loaded):
    frame, columns, _ = loaded
    assert len(frame) == len(columns) == 48
    assert set(frame["date_precision"]) >= {"day", "week", "month", "unknown"}
    assert set(frame["geo_precision"]) >= {1, 2, 4, 5}


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_columns_keep_what_the_frame_filter_keeps(loaded, filters):
    frame, columns, index = loaded
    expected = filters.apply(frame)["id"].tolist()
    rowids = index.rowids(filters.text) if filters.text.strip() else None
    keep = columns.mask(filters, rowids)
    ids = frame["id"].to_numpy()
    # Same rows in the same order: the columns are in the order of Store.rows().
    assert ids[keep].tolist() == expected


def test_the_other_dated_filters_agree_on_every_day_boundary(loaded):
    frame, columns, _ = loaded
    ids = frame["id"].to_numpy()
    for day in (dt.date(2023, 5, 1), dt.date(2023, 5, 31), dt.date(2023, 9, 24), dt.date(2023, 9, 30)):
        for filters in (Filters(since=day), Filters(until=day), Filters(since=day, until=day)):
            assert ids[columns.mask(filters)].tolist() == filters.apply(frame)["id"].tolist(), filters


def test_search_finds_a_payload_in_any_field_and_nothing_else(loaded):
    frame, columns, index = loaded
    found = set(frame["id"].to_numpy()[np.isin(columns.rowid, index.rowids("window.pwned=8"))])
    assert found == {"xss-7"}
    assert SCRIPT_PAYLOADS[7].count("window.pwned=8") == 1


def test_sync_follows_removed_and_added_incidents(tmp_path):
    path = tmp_path / "mapapp.db"
    index = TextIndex(path)
    with Store(path) as store:
        assert index.sync() == (8, 0)
        assert index.sync() == (0, 0)
        plan = plan_import((FIXTURES / "acled_kosovo.csv").read_bytes(), "acled_kosovo.csv", store)
        commit(plan, store)
        added, removed = index.sync()
        assert (added, removed) == (len(plan.new), 0)
        assert len(index.rowids("zvecan")) > 0
        store.remove_upload(plan.document.id)
        assert index.sync() == (0, len(plan.new))
        assert index.rowids("monastery").tolist() == [store.rowid("seed-000-07")]


def test_a_store_made_anew_at_the_same_path_is_indexed_anew(tmp_path):
    path = tmp_path / "mapapp.db"
    with Store(path):
        pass
    TextIndex(path).sync()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Store(path, seed=False) as store:
        assert store.count() == 0
    index = TextIndex(path)
    assert index.sync() == (0, 8)
    assert index.rowids("monastery").tolist() == []


@pytest.mark.parametrize("filters", FILTERS[:16], ids=repr)
def test_the_timeline_counted_in_columns_is_the_frame_timeline(loaded, filters):
    from mapapp import timeline

    frame, columns, _ = loaded
    expected, unit = timeline.counts_by_period(filters.apply(frame))
    counted, counted_unit = timeline.counts_from_columns(columns, columns.mask(filters))
    assert counted_unit == unit
    assert counted.index.tolist() == expected.index.tolist()
    assert counted.to_dict() == expected.to_dict()


@pytest.mark.parametrize("span_days", [0, 20, 119, 121, 400, 1500, 3000])
def test_the_timeline_periods_agree_for_every_span(span_days):
    from mapapp import timeline

    rng = np.random.default_rng(span_days)
    start = dt.date(2011, 2, 3)
    rows = []
    for n in range(300):
        day = start + dt.timedelta(days=int(rng.integers(0, span_days + 1)))
        rows.append({"date_start": day.isoformat(), "date_end": day.isoformat(),
                     "event_type": ("Battles", "Riots", "Protests")[n % 3]})
    rows[0]["date_start"] = rows[0]["date_end"] = start.isoformat()
    rows[1]["date_start"] = rows[1]["date_end"] = (start + dt.timedelta(days=span_days)).isoformat()
    import pandas as pd

    frame = pd.DataFrame(rows)
    for column in ("date_start", "date_end"):
        frame[column] = pd.to_datetime(frame[column])
    columns = incident_columns.IncidentColumns(
        rowid=np.arange(300), latitude=np.zeros(300), longitude=np.zeros(300),
        event_type=np.array([incident_columns.EVENT_TYPES.index(t) for t in frame["event_type"]], dtype=np.uint8),
        sub_event_type=np.zeros(300, dtype=np.int16), sub_event_types=("",),
        geo_precision=np.ones(300, dtype=np.uint8), date_precision=np.zeros(300, dtype=np.uint8),
        date_start=incident_columns._days(frame["date_start"].dt.strftime("%Y-%m-%d")),
        date_end=incident_columns._days(frame["date_end"].dt.strftime("%Y-%m-%d")),
        border_km=np.zeros(300), document=np.zeros(300, dtype=np.int32), documents=("d",),
    )
    expected, unit = timeline.counts_by_period(frame)
    counted, counted_unit = timeline.counts_from_columns(columns, np.ones(300, dtype=bool))
    assert (counted_unit, counted.index.tolist()) == (unit, expected.index.tolist())
    assert counted.to_dict() == expected.to_dict()


def test_a_row_rewritten_since_its_rowid_was_read_reads_empty_or_is_left_out(tmp_path):
    """Another process corrects an incident between a page run's read of the rowids and of
    their rows: the correction gives the incident a new rowid, and its old one is gone."""
    path = tmp_path / "mapapp.db"
    ids = [f"seed-000-0{n}" for n in range(1, 9)]
    with Store(path) as store:
        rowids = [store.rowid(identifier) for identifier in ids]
        store.acting(Person("erin@example.org", "editor")).correct(
            "seed-000-05", {"description": "Corrected meanwhile."}, "a later report")
    fields = ("id", "geo_precision", "description")
    rows = incident_columns.read_rows(path, rowids, fields)
    assert rows["id"].tolist() == [identifier if identifier != "seed-000-05" else "" for identifier in ids]
    assert rows["geo_precision"].isna().tolist() == [identifier == "seed-000-05" for identifier in ids]
    kept = incident_columns.read_rows(path, rowids, fields, missing="drop")
    assert kept["id"].tolist() == [identifier for identifier in ids if identifier != "seed-000-05"]
    assert kept["geo_precision"].notna().all()
    # The downloads' records: refused as a whole, saying why, rather than short of the incident.
    with pytest.raises(StoreChanged, match=r"\(1 of the 8 incidents were rewritten or removed\): download again"):
        incident_columns.contract_records(path, rowids)
    with Store(path) as store:
        fresh = [store.rowid(identifier) for identifier in ids]
    records = incident_columns.contract_records(path, fresh)
    assert [record["id"] for record in records] == ids
    assert records[4]["description"] == "Corrected meanwhile."
