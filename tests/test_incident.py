"""Incidents refuse invalid values on creation, with a message that shows the bad value."""

import dataclasses
import datetime as dt

import pytest

from mapapp.errors import InvalidIncident, MapAppError
from mapapp.incident import Document, Incident

VALID = dict(
    id="t-1",
    date_start=dt.date(2023, 9, 24),
    date_end=dt.date(2023, 9, 24),
    date_precision="day",
    event_type="Battles",
    sub_event_type="Armed clash",
    location="Banjska",
    latitude=42.97333,
    longitude=20.78083,
    geo_precision=1,
    description="Gunmen fire on police.",
    source="test",
    document_id="doc",
    passage_start=0,
    passage_end=5,
    passage="Gunme",
)


def test_a_valid_incident_is_created():
    incident = Incident(**VALID)
    assert incident.as_row()["date_start"] == "2023-09-24"
    with pytest.raises(dataclasses.FrozenInstanceError):
        incident.latitude = 1.0



def test_fingerprint_ignores_case_and_spacing_and_is_pinned():
    # Stored fingerprints are compared with those of later uploads: the value must not drift.
    plain = Incident(**VALID)
    spaced = Incident(**{**VALID, "location": " banjska\u3000", "description": "gunmen  FIRE on\tpolice."})
    assert plain.fingerprint == spaced.fingerprint == "d38b16e61c8487e6b509913b3f70ab69"
    other = Incident(**{**VALID, "location": " BANJSKA\u3000 ", "description": "Gunmen  FIRE on\tpolice…"})
    assert other.fingerprint == "e5386ca06a949bef4218c6746bd08a13"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (dict(date_end=dt.date(2023, 9, 20), date_precision="week"), "date_end",
         "date_end: expected a date on or after date_start 2023-09-24, got '2023-09-20'"),
        (dict(date_end=dt.date(2023, 9, 25)), "date_end",
         "date_end: expected equal to date_start 2023-09-24 for a day-precise event, got '2023-09-25'"),
        (dict(latitude=142.0), "latitude", "latitude: expected decimal degrees between -90 and 90, got 142.0"),
        (dict(longitude=float("nan")), "longitude", "got nan"),
        (dict(event_type="Skirmish"), "event_type", "got 'Skirmish'"),
        (dict(sub_event_type="Peaceful protest"), "sub_event_type",
         "expected a sub-event type of 'Battles': Armed clash, Government regains territory, "
         "Non-state actor overtakes territory, got 'Peaceful protest'"),
        (dict(date_precision="decade"), "date_precision", "got 'decade'"),
        (dict(date_precision="unknown"), "date_start", "no date when the precision is 'unknown'"),
        (dict(date_start=None, date_end=None), "date_start", "a date for a day-precise event, got None"),
        (dict(geo_precision=6), "geo_precision", "an integer 1-5 (1 exact place ... 5 country), got 6"),
        (dict(id=" "), "id", "got ' '"),
        (dict(passage_start=5, passage_end=5), "passage_start/passage_end", "got (5, 5)"),
        (dict(passage="Gunmen"), "passage", "5 characters, as its offsets say"),
    ],
)
def test_invalid_values_are_refused_with_the_bad_value_shown(changes, field, message):
    with pytest.raises(InvalidIncident) as caught:
        Incident(**{**VALID, **changes})
    assert caught.value.field == field
    assert message in str(caught.value)
    assert isinstance(caught.value, (MapAppError, ValueError))


def test_undated_incident_has_no_dates():
    incident = Incident(**{**VALID, "date_start": None, "date_end": None, "date_precision": "unknown"})
    assert incident.as_row()["date_start"] == ""


def test_document_passage_checks_offsets():
    document = Document(id="d", title="t", text="Hello world.")
    assert document.passage(6, 11) == "world"
    with pytest.raises(InvalidIncident, match=r"0 <= start < end <= 12 in document 'd'"):
        document.passage(6, 40)
