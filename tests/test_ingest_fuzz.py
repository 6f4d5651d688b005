"""Property tests: whatever bytes arrive, the import never crashes and never loses a row.

Either the whole file is refused with UnusableFile (nothing stored), or every row ends in
exactly one of new / duplicate / updated / rejected, each rejection with a reason.
"""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapapp.errors import UnusableFile
from mapapp.ingest.importer import commit, plan_import
from mapapp.ingest.reading import Limits
from mapapp.store import Store

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
LIMITS = Limits(max_bytes=64 * 1024, max_rows=200)

ACLED_HEADER = [
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "location", "latitude", "longitude", "geo_precision", "source", "notes", "timestamp",
]
CUSTOM_HEADER = ["Date", "Place", "Type", "Subtype", "Coordinates", "Summary", "Source"]

# Cells that look almost right, mixed with arbitrary text.
plausible_cells = st.one_of(
    st.sampled_from([
        "", "1", "2", "3", "4", "0", "-1", "42.9", "42,9", "20.8", "42.9, 20.8", "20.8, 42.9", "91", "nan",
        "2023-05-29", "29 May 2023", "29.05.2023.", "31/02/2023", "May 2023", "2999-01-01",
        "Riots", "Mob violence", "Protests", "Peaceful protest", "Skirmish",
        "Zvecan", "Zvečan", "Banjska", "Atlantis", "northern Kosovo", "XKX1", "=1+1", "'", '"',
    ]),
    st.text(max_size=30),
)


def outcome_is_complete(plan):
    counts = plan.counts
    assert counts["new"] + counts["duplicate"] + counts["updated"] + counts["rejected"] == counts["rows"]
    assert all(result.reason for result in plan.rejected + plan.duplicates)
    rows = sorted(result.row_number for result in plan.rejected + plan.duplicates)
    assert len(rows) == len(set(rows))
    # Whatever was rejected can be written back out.
    plan.rejected_csv.decode("utf-8-sig")


def plan_or_refuse(data, store):
    try:
        return plan_import(data, "fuzz.csv", store, limits=LIMITS)
    except UnusableFile as err:
        assert str(err)
        return None


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("fuzz") / "fuzz.db") as store:
        yield store


@SETTINGS
@given(data=st.binary(max_size=2048))
def test_random_bytes(shared_store, data):
    plan = plan_or_refuse(data, shared_store)
    if plan is not None:
        outcome_is_complete(plan)


@SETTINGS
@given(text=st.text(max_size=1024), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "cp1251", "iso-8859-2", "utf-16"]))
def test_random_unicode_in_any_encoding(shared_store, text, encoding):
    plan = plan_or_refuse(text.encode(encoding, errors="replace"), shared_store)
    if plan is not None:
        outcome_is_complete(plan)


def _csv_bytes(header, rows, delimiter):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    return out.getvalue().encode("utf-8")


@SETTINGS
@given(
    header=st.sampled_from([ACLED_HEADER, CUSTOM_HEADER]),
    rows=st.lists(st.lists(plausible_cells, min_size=0, max_size=15), min_size=1, max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_random_rows_under_a_known_header(shared_store, header, rows, delimiter):
    plan = plan_or_refuse(_csv_bytes(header, rows, delimiter), shared_store)
    if plan is not None:
        outcome_is_complete(plan)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(plausible_cells, min_size=7, max_size=7), min_size=1, max_size=8))
def test_whatever_is_accepted_can_be_committed(tmp_path, rows):
    with Store(tmp_path / "commit.db") as store:
        before = store.count()
        plan = plan_or_refuse(_csv_bytes(CUSTOM_HEADER, rows, ","), store)
        if plan is None:
            return
        outcome_is_complete(plan)
        result = commit(plan, store)
        assert store.count() == before + result["added"]
        # The same file again adds nothing.
        again = plan_import(_csv_bytes(CUSTOM_HEADER, rows, ","), "fuzz.csv", store, limits=LIMITS)
        assert again.counts["new"] == 0
