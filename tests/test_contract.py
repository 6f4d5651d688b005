"""One reader of the data contract: a seed or exported row becomes the Incident an upload of it would."""

import pytest

from mapapp.contract import incident_from_row
from mapapp.errors import InvalidIncident
from mapapp.incident import passage_at
from mapapp.ingest.values import Rejected

TEXT = "Shots were fired near Jarinje on 24 September 2023. Nobody was hurt."
ROW = {
    "id": "t-1", "date_start": "2023-09-24", "date_end": "2023-09-24", "date_precision": "day",
    "event_type": "Battles", "sub_event_type": "Armed clash", "location": "Jarinje",
    "latitude": "43.20028", "longitude": "20.72056", "geo_precision": "1", "border_distance_km": "999",
    "description": "Shots near Jarinje", "source": "test", "document_id": "doc", "passage_start": "0",
    "passage_end": "51", "passage": TEXT[:51], "note": "",
}


def test_a_contract_row_becomes_its_incident():
    incident = incident_from_row(ROW, TEXT)
    assert (incident.id, incident.event_type, incident.passage) == ("t-1", "Battles", TEXT[:51])
    # The distance is measured again, never taken from the file.
    assert incident.border_distance_km == 3.46


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"passage": "Something else entirely."}, InvalidIncident, "passage: expected the text of document 'doc' between 0 and 51"),
    ({"passage_end": "500"}, InvalidIncident, "passage: expected the text of document 'doc' between 0 and 500"),
    ({"date_start": "24/13/2023"}, Rejected, "date_start: "),
    ({"event_type": "Picnic"}, Rejected, "event_type: expected one of Battles"),
    ({"latitude": "", "longitude": ""}, Rejected, "latitude/longitude/geo_precision: "),
])
def test_a_bad_row_is_refused_naming_the_field(change, error, message):
    with pytest.raises(error) as raised:
        incident_from_row({**ROW, **change}, TEXT)
    assert str(raised.value).startswith(message), str(raised.value)


def test_dates_read_as_an_upload_reads_them():
    incident = incident_from_row({**ROW, "date_start": "24 September 2023", "date_end": ""}, TEXT)
    assert incident.date_start.isoformat() == "2023-09-24"


@pytest.mark.parametrize(("start", "end", "expected"), [
    (0, 5, "Shots"), (0, len(TEXT), TEXT), (5, 5, None), (-1, 3, None), (3, len(TEXT) + 1, None), ("0", 3, None),
])
def test_passage_at(start, end, expected):
    assert passage_at(TEXT, start, end) == expected
