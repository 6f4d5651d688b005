"""Filtering the seed incidents: each filter keeps exactly the rows the seed data predicts."""

import datetime as dt

import pytest

from mapapp.filters import Filters, incident_frame
from mapapp.seeds import seed_incidents

ALL = [f"seed-000-0{n}" for n in range(1, 9)]
UNDATED = ["seed-000-01", "seed-000-02", "seed-000-03", "seed-000-07", "seed-000-08"]


@pytest.fixture(scope="module")
def frame():
    return incident_frame(incident.as_row() for incident in seed_incidents())


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(), ALL),
        (Filters(include_undated=False), ["seed-000-04", "seed-000-05", "seed-000-06"]),
        # The May 2023 month overlaps a range that starts mid-May.
        (Filters(since=dt.date(2023, 5, 15), until=dt.date(2023, 5, 20), include_undated=False), ["seed-000-04"]),
        (Filters(since=dt.date(2023, 6, 1)), ["seed-000-05", "seed-000-06"] + UNDATED),
        # The week of 24-30 September overlaps 30 September; the single day does not.
        (Filters(since=dt.date(2023, 9, 30), include_undated=False), ["seed-000-06"]),
        (Filters(event_types=("Battles",)), ["seed-000-05"]),
        (Filters(sub_event_types=("Political statement",)), ["seed-000-01", "seed-000-06"]),
        (Filters(geo_precisions=(1,)), ["seed-000-07"]),
        (Filters(date_precisions=("month", "week")), ["seed-000-04", "seed-000-06"]),
        (Filters(date_precisions=("unknown",)), UNDATED),
        (Filters(max_border_km=13.0), ["seed-000-02", "seed-000-05", "seed-000-06"]),
        (Filters(text="MONASTERY"), ["seed-000-07"]),
        (Filters(text="kfor"), ["seed-000-03", "seed-000-04"]),
        (Filters(text="no such words"), []),
        (Filters(documents=("000_5c3697c2ad0ae6c3",)), ALL),
        (Filters(documents=("upload-0000000000000000",)), []),
    ],
)
def test_filters_keep_what_the_seed_data_predicts(frame, filters, expected):
    assert sorted(filters.apply(frame)["id"]) == sorted(expected)
