"""The view in the URL: Filters <-> query parameters, both ways."""

import datetime as dt

import pytest

from mapapp.filters import Filters
from mapapp.url_state import from_params, to_params

ROUND_TRIPS = [
    Filters(),
    Filters(since=dt.date(2023, 6, 1)),
    Filters(since=dt.date(2023, 5, 15), until=dt.date(2023, 9, 24)),
    Filters(include_undated=False),
    Filters(event_types=("Battles",)),
    Filters(event_types=("Riots", "Explosions/Remote violence"), sub_event_types=("Mob violence", "Grenade")),
    Filters(sub_event_types=("Political statement",)),
    Filters(geo_precisions=(1, 4)),
    Filters(date_precisions=("day", "month")),
    Filters(max_border_km=5.0),
    Filters(max_border_km=0.25),
    Filters(text="Banjska monastery"),
    Filters(text="a&b=c #d ?e /f"),
    Filters(documents=("000_5c3697c2ad0ae6c3", "upload-2b6392df2d20a4b2")),
    Filters(since=dt.date(2023, 9, 1), include_undated=False, event_types=("Strategic developments",),
            geo_precisions=(4, 5), max_border_km=12.0, text="NATO"),
]


@pytest.mark.parametrize("filters", ROUND_TRIPS, ids=str)
def test_filters_survive_the_round_trip(filters):
    params = to_params(filters, incident="seed-000-07")
    assert from_params(params) == (filters, "seed-000-07")


@pytest.mark.parametrize(
    ("filters", "params"),
    [
        (Filters(), {}),
        (Filters(since=dt.date(2023, 6, 1)), {"since": "2023-06-01"}),
        (Filters(include_undated=False), {"undated": "0"}),
        (Filters(event_types=("Battles", "Riots")), {"type": ["Battles", "Riots"]}),
        (Filters(geo_precisions=(3,)), {"geo": ["3"]}),
        (Filters(date_precisions=("week",)), {"when": ["week"]}),
        (Filters(max_border_km=5.0), {"border": "5"}),
        (Filters(max_border_km=2.5), {"border": "2.5"}),
        (Filters(text="  NATO "), {"q": "NATO"}),
        (Filters(documents=("upload-2b6392df2d20a4b2",)), {"doc": ["upload-2b6392df2d20a4b2"]}),
    ],
)
def test_only_what_is_set_is_written(filters, params):
    assert to_params(filters) == params


def test_the_open_incident_is_written_and_read():
    assert to_params(Filters(), incident="seed-000-07") == {"incident": "seed-000-07"}
    assert from_params({"incident": ["seed-000-07"]}) == (Filters(), "seed-000-07")


def test_single_strings_and_lists_are_both_read():
    """st.query_params gives lists (get_all); a dict typed by hand gives strings."""
    assert from_params({"type": "Battles"})[0] == from_params({"type": ["Battles"]})[0]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"until": "2023-13-45"},
        {"type": "Skirmishes"},
        {"sub": "<script>"},
        {"geo": ["0", "6", "x", "-1"]},
        {"border": "-3"},
        {"border": "nan"},
        {"border": "inf"},
        {"border": "far"},
        {"unknown": "1"},
    ],
)
def test_bad_values_are_ignored_not_fatal(params):
    assert from_params(params) == (Filters(), None)


def test_known_values_are_kept_next_to_bad_ones():
    filters, _ = from_params({"type": ["Battles", "Skirmishes", "Battles"], "geo": ["4", "9"]})
    assert filters.event_types == ("Battles",)
    assert filters.geo_precisions == (4,)


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("false", False), ("off", False), ("1", True)])
def test_undated_flag(value, expected):
    assert from_params({"undated": value})[0].include_undated is expected


def test_search_text_is_capped():
    assert len(from_params({"q": "x" * 5000})[0].text) == 200


def test_actors_and_fatalities_round_trip():
    from mapapp.filters import Filters
    from mapapp.url_state import from_params, to_params

    filters = Filters(actors=("KFOR: Kosovo Force (2023-)", "Police Forces of Kosovo (2008-)"), min_fatalities=2)
    params = to_params(filters)
    assert params == {"actor": ["KFOR: Kosovo Force (2023-)", "Police Forces of Kosovo (2008-)"], "fatalities": "2"}
    assert from_params(params)[0] == filters
    assert from_params({"fatalities": "-1"})[0].min_fatalities is None
    assert from_params({"fatalities": "many"})[0].min_fatalities is None


@pytest.mark.parametrize(
    "params, view",
    [
        ({"lat": "42.91", "lon": "20.84", "z": "12"}, (42.91, 20.84, 12)),
        ({"lat": "42.91", "lon": "20.84"}, None),
        ({"lat": "142", "lon": "20.84", "z": "12"}, None),
        ({"lat": "42.91", "lon": "east", "z": "12"}, None),
        ({"lat": "42.91", "lon": "20.84", "z": "40"}, None),
    ],
)
def test_map_view_in_the_url(params, view):
    from mapapp.url_state import view_from_params, view_params

    assert view_from_params(params) == view
    if view:
        assert view_params(view) == {"lat": "42.91000", "lon": "20.84000", "z": "12"}
