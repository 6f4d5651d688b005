"""Filtering the seed incidents: each filter keeps exactly the rows the seed data predicts."""

import dataclasses
import datetime as dt

import pytest

from mapapp.filters import FILTERS, Choice, Filters, filters_class, incident_frame
from mapapp.seeds import seed_incidents
from mapapp.url_state import from_params, to_params

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


# -- one declaration per filter ------------------------------------------------------------------


# A filter the app does not have (actor 1 only; the app's "actors" filter reads both columns).
ACTOR = Choice("first_actors", key="actor1", column="actor1", label="Actor 1", placeholder="All actors")
WithActor = filters_class(FILTERS + (ACTOR,))


@pytest.fixture(scope="module")
def acted():
    incidents = [
        dataclasses.replace(incident, actor1="KFOR" if incident.id in ("seed-000-02", "seed-000-06") else "")
        for incident in seed_incidents()
    ]
    return incident_frame(incident.as_row() for incident in incidents)


def test_a_filter_declared_once_is_in_the_url_and_narrows_the_incidents(acted):
    """Declaring ACTOR is the only edit: Filters, URL state and filtering follow from it."""
    chosen = WithActor(first_actors=("KFOR",), include_undated=False)
    assert to_params(chosen) == {"undated": "0", "actor1": ["KFOR"]}
    assert from_params({"actor1": ["KFOR", " "], "undated": "0"}, WithActor) == (chosen, None)
    assert chosen.apply(acted)["id"].tolist() == ["seed-000-06"]
    assert WithActor(first_actors=("KFOR",)).apply(acted)["id"].tolist() == ["seed-000-02", "seed-000-06"]
    assert WithActor().apply(acted)["id"].tolist() == ALL


def test_a_declared_filter_is_a_command_line_option(capsys):
    """The command line's filter options come from the declarations too: --actor1 exists and
    reads as the URL does; a bad value of any filter stops with a message naming it."""
    import argparse

    from mapapp.filter_options import add_filter_options, filters_from_args

    parser = argparse.ArgumentParser(prog="export")
    add_filter_options(parser, WithActor)
    args = parser.parse_args(["--actor1", "KFOR", "--actor1", "UNMIK", "--undated", "0", "--geo", "2"])
    assert filters_from_args(args, WithActor) == WithActor(
        first_actors=("KFOR", "UNMIK"), include_undated=False, geo_precisions=(2,))
    for option, value, expected in [
        ("--actor1", " ", "expected a value, got ' '"),
        ("--geo", "7", "expected one of 1, 2, 3, 4, 5, got '7'"),
        ("--when", "soon", "expected one of day, week, month, year, unknown, got 'soon'"),
        ("--since", "24/09/2023", "expected a date as YYYY-MM-DD, got '24/09/2023'"),
        ("--fatalities", "-1", "expected a whole number such as 1, got '-1'"),
        ("--undated", "no", "expected 0 or 1, got 'no'"),
    ]:
        with pytest.raises(SystemExit) as stopped:
            parser.parse_args([option, value])
        assert stopped.value.code == 2
        assert f"argument {option}: {expected}" in capsys.readouterr().err


def test_a_declared_filter_gets_its_sidebar_widget_and_narrows_the_map(store):
    """The sidebar and the app's column masks come from the declarations too: a new toggle on
    a column the map's columns hold (date_end) is drawn, and narrows them, with no other edit."""
    from streamlit.testing.v1 import AppTest

    def script():
        import sqlite3

        import streamlit as st

        from mapapp import columns as incident_columns
        from mapapp import filter_widgets
        from mapapp.filters import FILTERS, Toggle, filters_class
        from mapapp.store import db_path
        from mapapp.url_state import to_params

        ended = Toggle("include_open_ended", key="open", column="date_end", label="Include incidents without an end")
        with_ended = filters_class(FILTERS + (ended,))
        columns = incident_columns.load(sqlite3.connect(db_path()))
        if "restored" not in st.session_state:  # as the app does with the URL's filters
            st.session_state["restored"] = True
            filter_widgets.restore(with_ended(), columns)
        chosen = filter_widgets.sidebar(columns, {}, with_ended)
        st.write(f"{int(columns.mask(chosen).sum())} {to_params(chosen)}")

    at = AppTest.from_function(script, default_timeout=60).run()
    widget = at.toggle(key="f_include_open_ended")
    assert (widget.label, widget.value) == ("Include incidents without an end", True)
    assert at.markdown[-1].value == "8 {}"
    widget.set_value(False).run()
    assert at.markdown[-1].value == "3 {'open': '0'}"


def test_the_filters_read_before_the_widgets_are_those_the_widgets_then_show(store):
    """The page draws its map from filter_widgets.current, before the sidebar: on a first run,
    after a URL, after a widget change and after a choice stops being offered, they are the
    Filters the widgets then return."""
    from streamlit.testing.v1 import AppTest

    def script():
        import datetime as dt
        import sqlite3

        import streamlit as st

        from mapapp import columns as incident_columns
        from mapapp import filter_widgets
        from mapapp.filters import Filters
        from mapapp.store import db_path
        from mapapp.url_state import to_params

        columns = incident_columns.load(sqlite3.connect(db_path()))
        if st.session_state.pop("url", False):  # as the app does with a URL's filters
            filter_widgets.restore(Filters(event_types=("Battles",), since=dt.date(2023, 6, 1)), columns)
        before = filter_widgets.current(columns)
        drawn = filter_widgets.sidebar(columns, {})
        st.write(f"{before == drawn} {to_params(before)}")

    at = AppTest.from_function(script, default_timeout=60).run()
    assert at.markdown[-1].value == "True {}"
    at.multiselect(key="f_event_types").set_value(["Protests"]).run()
    assert at.markdown[-1].value == "True {'type': ['Protests']}"
    at.multiselect(key="f_sub_event_types").set_value(["Peaceful protest"]).run()
    assert at.markdown[-1].value == "True {'type': ['Protests'], 'sub': ['Peaceful protest']}"
    # Its type deselected, the sub-type is no longer offered: it leaves the choice before the map.
    at.multiselect(key="f_event_types").set_value(["Battles"]).run()
    assert at.markdown[-1].value == "True {'type': ['Battles']}"
    at.session_state["url"] = True
    at.run()
    assert at.markdown[-1].value == "True {'since': '2023-06-01', 'type': ['Battles']}"


def test_widgets_first_drawn_a_run_after_their_state_was_set_show_that_state(store):
    """A session's first run sets the widgets' state before the map and draws them after it;
    when that run stops before the sidebar (a rerun asked for meanwhile), the widgets drawn by
    the next run still carry the state's values to the browser. Without them the browser shows
    each widget's own default (the border slider at 0 km, undated incidents off) and sends that
    back with its next run."""
    from streamlit.testing.v1 import AppTest

    def script():
        import sqlite3

        import streamlit as st

        from mapapp import columns as incident_columns
        from mapapp import filter_widgets
        from mapapp.store import db_path

        columns = incident_columns.load(sqlite3.connect(db_path()))
        filter_widgets.current(columns)
        if st.session_state.setdefault("runs", 0) == 0:
            st.session_state["runs"] = 1
            st.stop()  # as a run stopped for a rerun before the sidebar
        filter_widgets.sidebar(columns, {})

    at = AppTest.from_function(script, default_timeout=60).run()
    assert len(at.sidebar.slider) == 0
    at.run()
    sent = {w.key: (w.proto.set_value, w.value) for w in (*at.sidebar.slider, *at.sidebar.toggle)}
    assert sent == {
        "f_dates": (True, (dt.date(2023, 5, 1), dt.date(2023, 9, 30))),
        "f_include_undated": (True, True),
        "f_max_border_km": (True, 14.0),
    }
    # Once the browser has them, later runs leave the widgets' values to the browser; a
    # browser that builds a widget from such a run's message shows its default: the state's value.
    at.run()
    assert {w.key: w.proto.set_value for w in (*at.sidebar.slider, *at.sidebar.toggle)} == {
        "f_dates": False, "f_include_undated": False, "f_max_border_km": False,
    }
    assert at.toggle(key="f_include_undated").proto.default is True
    assert list(at.slider(key="f_max_border_km").proto.default) == [14.0]
