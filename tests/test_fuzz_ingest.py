"""Property tests of the CSV import: whatever the bytes, a clear refusal or a row-by-row account."""

import csv
import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mapapp.errors import UnusableFile
from mapapp.incident import CONTRACT_COLUMNS
from mapapp.ingest.importer import commit, plan_import
from mapapp.ingest.reading import Limits
from mapapp.store import Store

ACLED_HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
UCDP_HEADER = [
    "id", "relid", "year", "type_of_violence", "conflict_name", "side_a", "side_b", "source_article",
    "source_headline", "where_prec", "where_description", "adm_1", "adm_2", "latitude", "longitude", "country",
    "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low",
]
HEADERS = [list(CONTRACT_COLUMNS), ACLED_HEADER, UCDP_HEADER, ["date", "type", "place", "notes"]]

# Small limits keep each example fast; the limits themselves are part of what is exercised.
LIMITS = Limits(max_bytes=64_000, max_rows=200)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Cells that look like what the columns hold, mixed with arbitrary Unicode.
plausible_cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "2023-05-29", "29 May 2023", "29/05/2023", "29.05.2023.", "31/02/2023", "1",
                     "2", "3", "7", "42.9", "20,8", "42.9, 20.8", "200", "-91", "nan", "inf", "Zvečan",
                     "Banska", "Paris Hilton", "Battles", "Protests", "Armed clash", "Peaceful protest",
                     "day", "unknown", "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "1700000000"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("fuzz") / "fuzz.db") as opened:
        yield opened


def account_for_every_row(plan):
    counts = plan.counts
    assert counts["new"] + counts["duplicate"] + counts["updated"] + counts["rejected"] == counts["rows"]
    for result in plan.rejected:
        assert result.reason.strip(), result
    return counts


def plan_or_refusal(data, store):
    try:
        return plan_import(data, "fuzz.csv", store, geocode=None, limits=LIMITS)
    except UnusableFile as refusal:
        assert str(refusal).strip()
        return None


@FUZZ
@given(
    header=st.sampled_from(HEADERS + [[]]),
    body=st.binary(max_size=4000),
)
def test_random_bytes_are_refused_or_accounted_for(store, header, body):
    # Behind a real header line, random bytes reach the row reader, not only the sniffers.
    prefix = (",".join(header) + "\n").encode() if header else b""
    plan = plan_or_refusal(prefix + body, store)
    event("refused" if plan is None else "read")
    if plan is not None:
        account_for_every_row(plan)


@FUZZ
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(st.lists(plausible_cells, min_size=0, max_size=32), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "cp1252"]),
)
def test_random_csv_shapes_never_crash_and_every_row_is_accepted_or_rejected(store, header, rows, delimiter, encoding):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    plan = plan_or_refusal(data, store)
    event("refused" if plan is None else "read")
    if plan is not None:
        account_for_every_row(plan)


def mostly(valid, other):
    """Valid values most of the time, so that rows do get accepted and committed."""
    return st.one_of(valid, valid, valid, other)


@FUZZ
@given(rows=st.lists(st.fixed_dictionaries({
    "id": st.text(min_size=1, max_size=12),
    "date_start": mostly(st.dates().map(str), plausible_cells),
    "date_end": mostly(st.just(""), plausible_cells),
    "date_precision": mostly(st.just("day"), st.sampled_from(["month", "unknown", "", "decade"])),
    "event_type": mostly(st.just("Riots"), st.sampled_from(["Battles", "Protests", "", "Skirmish"])),
    "sub_event_type": mostly(st.just("Mob violence"), st.sampled_from(["Armed clash", "", "Other"])),
    "location": mostly(st.sampled_from(["Zvečan", "Jarinje", "Leposaviq"]), st.text(max_size=20)),
    "latitude": mostly(st.floats(42.0, 43.5).map(str), plausible_cells),
    "longitude": mostly(st.floats(20.0, 21.8).map(str), plausible_cells),
    "geo_precision": mostly(st.sampled_from(["1", "2", "3", "4"]), st.sampled_from(["5", "0", "", "x"])),
    "description": mostly(st.text(min_size=1, max_size=40).filter(str.strip), st.text(max_size=40)),
    "source": st.text(max_size=20),
}), min_size=1, max_size=8))
def test_random_unicode_rows_commit_exactly_what_the_plan_says(tmp_path_factory, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with Store(tmp_path_factory.mktemp("commit") / "s.db") as store:
        before = store.count()
        plan = plan_or_refusal(out.getvalue().encode("utf-8"), store)
        if plan is None:
            assert store.count() == before
            return
        counts = account_for_every_row(plan)
        event(f"new rows: {'some' if counts['new'] else 'none'}")
        commit(plan, store)
        assert store.count() == before + counts["new"]
