"""The seed incidents: every passage is the seed text at its offsets; dates as the text supports."""

import csv
import datetime as dt

import pytest

from mapapp import SEEDS_DIR
from mapapp.seeds import SEED_INCIDENTS_FILE, seed_documents, seed_incidents

SEED_ID = "000_5c3697c2ad0ae6c3"
SEED_TEXT = (SEEDS_DIR / f"{SEED_ID}.txt").read_bytes().decode("utf-8")


def test_seed_document_is_read_byte_exact():
    documents = seed_documents()
    assert list(documents) == [SEED_ID]
    assert documents[SEED_ID].text == SEED_TEXT
    assert len(SEED_TEXT) == 4541


def test_every_passage_in_the_data_file_is_the_seed_text_at_its_offsets():
    with open(SEED_INCIDENTS_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    for row in rows:
        start, end = int(row["passage_start"]), int(row["passage_end"])
        assert SEED_TEXT[start:end] == row["passage"], row["id"]
        # Passages are whole sentences: they start a sentence and end with its full stop.
        assert row["passage"][0].isupper() and row["passage"].endswith("."), row["id"]


@pytest.mark.parametrize(
    "incident_id, words_in_passage, date_start, date_end, precision, event_type, sub_event_type, location, geo_precision",
    [
        ("seed-000-01", "does not plan to order Serbian soldiers", None, None, "unknown",
         "Strategic developments", "Political statement", "Serbia", 5),
        ("seed-000-02", "reduce the number of Serb troops stationed in the border regions", None, None, "unknown",
         "Strategic developments", "Change to group/activity", "the border regions", 4),
        ("seed-000-03", "previously authorized the use of NATO’s Kosovo Force", None, None, "unknown",
         "Strategic developments", "Change to group/activity", "Kosovo", 5),
        ("seed-000-04", "released in May 2023", dt.date(2023, 5, 1), dt.date(2023, 5, 31), "month",
         "Strategic developments", "Change to group/activity", "Kosovo", 5),
        ("seed-000-05", "night of September 24, unidentified gunmen opened fire", dt.date(2023, 9, 24),
         dt.date(2023, 9, 24), "day", "Battles", "Armed clash", "northern Kosovo", 4),
        ("seed-000-06", "quickly stated their willingness to engage", dt.date(2023, 9, 24), dt.date(2023, 9, 30),
         "week", "Strategic developments", "Political statement", "northern Kosovo", 4),
        ("seed-000-07", "breached the grounds of the Banska Orthodox monastery", None, None, "unknown",
         "Strategic developments", "Other", "Banska Orthodox monastery", 1),
        ("seed-000-08", "had faced detention", None, None, "unknown",
         "Strategic developments", "Arrests", "Kosovo", 5),
    ],
)
def test_seed_incident_is_coded_as_the_text_supports(
    incident_id, words_in_passage, date_start, date_end, precision, event_type, sub_event_type, location, geo_precision
):
    incident = {i.id: i for i in seed_incidents()}[incident_id]
    assert words_in_passage in incident.passage
    assert SEED_TEXT[incident.passage_start : incident.passage_end] == incident.passage
    assert (incident.date_start, incident.date_end, incident.date_precision) == (date_start, date_end, precision)
    assert (incident.event_type, incident.sub_event_type) == (event_type, sub_event_type)
    assert (incident.location, incident.geo_precision) == (location, geo_precision)
    assert incident.document_id == SEED_ID


def test_inferred_year_is_said_in_a_note():
    shooting = {i.id: i for i in seed_incidents()}["seed-000-05"]
    assert "Year inferred" in shooting.note
    assert "2023" not in shooting.passage


def test_banjska_monastery_is_an_exact_place_in_northern_kosovo():
    monastery = {i.id: i for i in seed_incidents()}["seed-000-07"]
    assert (monastery.latitude, monastery.longitude) == pytest.approx((42.9767, 20.7764), abs=0.001)
    assert monastery.border_distance_km == pytest.approx(13.65, abs=0.01)


def test_country_level_incidents_have_no_border_distance():
    by_id = {i.id: i for i in seed_incidents()}
    assert by_id["seed-000-01"].border_distance_km is None
    assert by_id["seed-000-02"].border_distance_km == 0.0


@pytest.mark.parametrize("incident", seed_incidents(), ids=lambda incident: incident.id)
def test_seed_places_are_where_the_gazetteer_puts_them(incident):
    from mapapp.geocoders import resolve

    match = resolve(incident.location)
    assert match is not None, incident.location
    assert match.geo_precision == incident.geo_precision
    assert (match.lat, match.lon) == pytest.approx((incident.latitude, incident.longitude), abs=0.005)
