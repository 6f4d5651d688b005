"""An ACLED export planned in columns (mapapp.ingest.column_plan) is planned exactly as row by
row: the same incidents, document, reasons for every kind of bad value, duplicates and
possible duplicates; and committing it stores the same rows."""

import csv
import io
from pathlib import Path

import pytest

from benchmarks.bench_ingest import ACLED_COLUMNS, generate
from mapapp.ingest.batch import IncidentView
from mapapp.ingest.importer import commit, plan_import
from mapapp.ingest.reading import ColumnTable, Limits, read_table
from mapapp.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

GOOD = {
    "event_id_cnty": "XKX9001", "event_date": "29 May 2023", "year": "2023", "time_precision": "1",
    "disorder_type": "Political violence", "event_type": "Riots", "sub_event_type": "Mob violence",
    "actor1": "Rioters (Kosovo)", "actor2": "KFOR: Kosovo Force (2023-)", "admin1": "Mitrovica",
    "admin2": "Zvecan", "location": "Zvecan", "latitude": "42.9075", "longitude": "20.8403",
    "geo_precision": "1", "source": "Koha Ditore", "notes": "On 29 May 2023, in Zvecan (Mitrovica), "
    "rioters clashed with KFOR soldiers. About 30 soldiers were injured.", "fatalities": "0",
    "timestamp": "1685989234",
}

# (changes to GOOD) for every kind of value the row-by-row planner rejects, reads another way
# (a decimal comma, a place to look up) or folds in Python (non-ASCII text).
VARIANTS = [
    {}, {"event_id_cnty": ""}, {"event_id_cnty": "  XKX9002  "}, {"event_date": ""},
    {"event_date": "32 May 2023"}, {"event_date": "May 2023"}, {"event_date": "2023-05-28"},
    {"event_date": "1 January 2999"}, {"event_date": "1 May 1899"}, {"time_precision": "4"},
    {"time_precision": ""}, {"time_precision": "2"}, {"time_precision": "3"}, {"event_type": "Riot!"},
    {"sub_event_type": "Armed clash"}, {"event_type": "", "sub_event_type": ""},
    {"event_type": "", "sub_event_type": "Peaceful protest"}, {"event_type": "riots", "sub_event_type": ""},
    {"latitude": ""}, {"latitude": "", "longitude": ""}, {"latitude": "abc"}, {"latitude": "42,9075"},
    {"latitude": "-42.9"}, {"latitude": "91.0"}, {"latitude": "20.8403", "longitude": "42.9075"},
    {"latitude": "0", "longitude": "0"}, {"latitude": "1" * 40}, {"latitude": " 42.9 "},
    {"latitude": "", "longitude": "", "location": "Zvečan"},
    {"latitude": "", "longitude": "", "location": "Nowhere At All"}, {"latitude": "", "longitude": "", "location": ""},
    {"geo_precision": ""}, {"geo_precision": "4"}, {"geo_precision": "x"}, {"geo_precision": "2.0"},
    {"geo_precision": "3"}, {"fatalities": "-1"}, {"fatalities": "x"}, {"fatalities": "2.0"}, {"fatalities": ""},
    {"fatalities": " 3 "}, {"timestamp": "1e30"}, {"timestamp": "-5"}, {"timestamp": "x"}, {"timestamp": ""},
    {"timestamp": "99999999999999999999"}, {"timestamp": "0012"}, {"notes": ""}, {"notes": "   "},
    {"notes": "Kratko."}, {"notes": "  Na dan 29. maja 2023. u Zvečanu   došlo je do sukoba.\tViše u nastavku. "},
    {"notes": "x" * 300}, {"notes": "A sentence that is long enough. " * 10},
    {"location": "Straße", "actor1": "İSTANBUL group"}, {"actor1": "", "actor2": ""}, {"actor2": ""},
    {"actor1": "", "actor2": "Police"}, {"source": ""}, {"source": "  Koha\t Ditore  "},
    {"event_id_cnty": "XKX9001"}, {"event_id_cnty": "XKX9003"}, {"event_id_cnty": "XKX9004", "actor2": "Police"},
]


def variants_file():
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    for number, changes in enumerate(VARIANTS):
        row = {**GOOD, "event_id_cnty": f"XKX{9100 + number}", **changes}
        writer.writerow([row.get(column, "") for column in ACLED_COLUMNS])
    text = out.getvalue()
    # A blank line, a row of another width, trailing empty cells.
    lines = text.splitlines(keepends=True)
    lines.insert(5, "\n")
    lines.insert(9, "XKX1,29 May 2023,too few\n")
    lines.insert(12, lines[1].rstrip("\n") + ",,\n")
    return "".join(lines).encode()


def planned(data, store, columns):
    table = read_table(data, Limits(), columns=columns)
    assert isinstance(table, ColumnTable) == columns
    return plan_import(table, "acled.csv", store)


def summary(plan):
    def results(items):
        return [(r.row_number, list(r.values), r.status, r.reason, r.rule) for r in items]

    def incidents(items):
        return [(i, i.fingerprint, i.source_timestamp) for i in items]

    return {
        "counts": plan.counts, "document": (plan.document.id, plan.document.title, plan.document.text),
        "new": incidents(plan.new), "updated": incidents(plan.updated), "rejected": results(plan.rejected),
        "duplicates": results(plan.duplicates), "possible": results(plan.possible),
    }


@pytest.mark.parametrize("name", ["variants", "acled_kosovo.csv", "acled_actors_fatalities.csv",
                                  "acled_kosovo_update.csv", "same_event_acled.csv", "generated"])
def test_planned_in_columns_as_row_by_row(tmp_path, name):
    if name == "variants":
        data = variants_file()
    elif name == "generated":
        path = tmp_path / "generated.csv"
        generate(path, 300)
        data = path.read_bytes()
    else:
        data = (FIXTURES / name).read_bytes()
    store = Store(tmp_path / "store.db")
    by_columns, by_rows = planned(data, store, True), planned(data, store, False)
    assert isinstance(by_columns.new, IncidentView)
    assert summary(by_columns) == summary(by_rows)


def test_every_kind_of_bad_value_gets_the_row_planners_reason(tmp_path):
    plan = planned(variants_file(), Store(tmp_path / "store.db"), True)
    reasons = {reason.split(":")[0] for _, reason in ((r.row_number, r.reason) for r in plan.rejected)}
    assert plan.counts["rejected"] >= 30
    assert {"event_id_cnty", "event_date", "time_precision", "event_type", "latitude", "geo_precision",
            "fatalities"} <= reasons


def test_committed_in_columns_as_row_by_row(tmp_path):
    data = variants_file()
    stored = []
    for columns in (True, False):
        store = Store(tmp_path / f"store-{columns}.db")
        plan = planned(data, store, columns)
        assert commit(plan, store) == {"added": len(plan.new), "updated": 0, "kept": 0}
        again = planned(data, store, columns)
        assert again.counts["new"] == 0
        assert again.counts["duplicate"] == len(plan.new) + plan.counts["duplicate"]
        stored.append((store.rows(), [(d["id"], d["title"]) for d in store.uploads()]))
    assert stored[0] == stored[1]


def test_an_update_with_newer_timestamps_in_columns_as_row_by_row(tmp_path):
    stored = []
    for columns in (True, False):
        store = Store(tmp_path / f"store-{columns}.db")
        commit(planned((FIXTURES / "acled_kosovo.csv").read_bytes(), store, columns), store)
        plan = planned((FIXTURES / "acled_kosovo_update.csv").read_bytes(), store, columns)
        assert plan.counts["updated"] > 0
        result = commit(plan, store)
        stored.append((summary(plan), result, store.rows()))
        _, update = [upload["id"] for upload in store.uploads()]
        store.remove_upload(update)
        stored[-1] += (store.rows(),)
    assert stored[0] == stored[1]


def test_a_plan_sorted_before_another_commit_is_sorted_again_when_committed(tmp_path):
    store = Store(tmp_path / "store.db")
    data = (FIXTURES / "acled_kosovo.csv").read_bytes()
    first, second = planned(data, store, True), planned(data, store, True)
    assert commit(first, store) == {"added": 5, "updated": 0, "kept": 0}
    # The store moved on since `second` was sorted: its rows are now duplicates by id.
    assert commit(second, store) == {"added": 0, "updated": 0, "kept": 0}
    assert second.duplicates[0].reason == (
        "same id: id 'XKX2301' is already stored (stored timestamp 1685989234, this row's 1685989234: not newer)")
    assert len(second.new) == 0 and len(second.duplicates) == 5
