"""The review of a read report: marked text, rows, rows back to incidents."""

import dataclasses
import datetime as dt

import pytest

from mapapp.errors import InvalidIncident
from mapapp.reports import extract
from mapapp.reports.review import rows, segments, sentence_row, text_html, to_incidents

TEXT = "Kosovo Police arrested a man at the Jarinje crossing point on Sunday. Nothing else <b>happened</b>."


@pytest.fixture(scope="module")
def extraction():
    return extract(TEXT, published=dt.date(2024, 3, 18))


def test_segments_cover_the_text_and_mark_places_and_dates(extraction):
    parts = segments(extraction)
    assert "".join(chunk for chunk, _, _ in parts) == TEXT
    marked = [(chunk, kind) for chunk, kind, _ in parts if kind]
    assert ("Jarinje crossing point", "place") in marked and ("on Sunday", "date") in marked


def test_text_html_is_escaped(extraction):
    html = text_html(extraction)
    assert "&lt;b&gt;happened&lt;/b&gt;" in html and "<b>" not in html


def test_rows_back_to_incidents(extraction):
    (row,) = rows(extraction)
    (incident,) = to_incidents(extraction, [row])
    assert (incident.sub_event_type, incident.date_start, incident.location) == (
        "Arrests", dt.date(2024, 3, 17), "Jarinje crossing point")
    assert to_incidents(extraction, [dataclasses.replace(row, accept=False)]) == []


def test_an_invalid_row_names_itself(extraction):
    (row,) = rows(extraction)
    bad = dataclasses.replace(row, date_start=dt.date(2024, 3, 17), date_end=dt.date(2024, 3, 1))
    with pytest.raises(InvalidIncident, match="proposal 1: date_end"):
        to_incidents(extraction, [bad])


def test_a_sentence_coded_by_hand(extraction):
    row = sentence_row(extraction, 1, "Strategic developments / Other")
    assert (row.passage_start, row.confidence, row.place.name) == (TEXT.index("Nothing"), None, "Kosovo")
    (incident,) = to_incidents(extraction, [row])
    assert incident.passage == "Nothing else <b>happened</b>."
