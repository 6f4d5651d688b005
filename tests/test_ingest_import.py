"""plan_import + commit on the fixture files: exact counts, reasons, provenance, nothing lost."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from mapapp.errors import ConfigError, UnusableFile
from mapapp.geocoders import GazetteerGeocoder, get_geocoder
from mapapp.ingest.importer import commit, plan_import
from mapapp.ingest.reading import Limits
from mapapp.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
SEED_DOCUMENT = "000_5c3697c2ad0ae6c3"
DATE_EXPECTED = "expected a date such as 2023-05-29, 29 May 2023, 29/05/2023 or 29.05.2023"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def plan_fixture(store, name, **options):
    return plan_import(fixture(name), name, store, **options)


def reasons(results):
    return [(result.row_number, result.reason) for result in results]


def check_provenance(store, incident_ids):
    """Every stored incident's passage is exactly its document's text at its offsets."""
    for incident_id in incident_ids:
        incident = store.incident(incident_id)
        document = store.document(incident.document_id)
        assert document.text[incident.passage_start : incident.passage_end] == incident.passage


# -- ACLED ---------------------------------------------------------------------------------


def test_acled_export_is_added_with_its_codes_mapped(store):
    before = store.count()
    plan = plan_fixture(store, "acled_kosovo.csv")
    assert plan.format == "acled"
    assert plan.counts == {"rows": 5, "new": 5, "duplicate": 0, "updated": 0, "rejected": 0}
    assert commit(plan, store) == {"added": 5, "updated": 0, "kept": 0}
    assert store.count() == before + 5

    zvecan = store.incident("XKX2301")
    assert (zvecan.date_start, zvecan.date_end, zvecan.date_precision) == (dt.date(2023, 5, 29),) * 2 + ("day",)
    assert (zvecan.event_type, zvecan.sub_event_type) == ("Riots", "Mob violence")
    assert (zvecan.location, zvecan.latitude, zvecan.longitude, zvecan.geo_precision) == ("Zvecan", 42.9075, 20.8403, 1)
    assert zvecan.source == "Koha Ditore; Kosovo Online"
    assert zvecan.source_timestamp == 1685989234
    assert zvecan.description == (
        "On 29 May 2023, in Zvecan (Mitrovica), Kosovo Serbs gathered in front of the municipal "
        "building clashed with KFOR soldiers guarding it, throwing stones, bottles and Molotov cocktails."
    )
    assert zvecan.passage.startswith("On 29 May 2023, in Zvecan") and zvecan.passage.endswith("50 protesters were injured.")
    assert zvecan.border_distance_km == pytest.approx(22.23, abs=0.01)

    # time_precision 2: the 7-day week centred on the coded day; 3: the whole month.
    jarinje = store.incident("XKX2304")
    assert (jarinje.date_start, jarinje.date_end, jarinje.date_precision) == (dt.date(2022, 12, 7), dt.date(2022, 12, 13), "week")
    assert jarinje.geo_precision == 2
    raska = store.incident("SRB2305")
    assert (raska.date_start, raska.date_end, raska.date_precision) == (dt.date(2023, 9, 1), dt.date(2023, 9, 30), "month")
    assert raska.geo_precision == 4  # ACLED 3, "a larger region"
    check_provenance(store, ["XKX2301", "XKX2302", "XKX2303", "XKX2304", "SRB2305"])


def test_acled_upload_becomes_a_document_holding_every_passage(store):
    plan = plan_fixture(store, "acled_kosovo.csv")
    commit(plan, store)
    document = store.document(plan.document.id)
    assert document.id.startswith("upload-") and len(document.id) == len("upload-") + 16
    assert document.title == "Upload: acled_kosovo.csv"
    assert [incident.id for incident in store.incidents_in_document(document.id)] == [
        "XKX2301", "XKX2302", "XKX2303", "XKX2304", "SRB2305",
    ]
    # The block of a row starts with a heading that names it.
    assert "row 2 · ACLED XKX2301 · 29 May 2023 · Zvecan · Riots: Mob violence" in document.text


def test_uploading_the_same_file_twice_adds_nothing(store):
    commit(plan_fixture(store, "acled_kosovo.csv"), store)
    rows = store.rows()
    again = plan_fixture(store, "acled_kosovo.csv")
    assert again.counts == {"rows": 5, "new": 0, "duplicate": 5, "updated": 0, "rejected": 0}
    assert reasons(again.duplicates)[0] == (
        2, "same id: id \'XKX2301\' is already stored (stored timestamp 1685989234, this row's 1685989234: not newer)"
    )
    assert commit(again, store) == {"added": 0, "updated": 0, "kept": 0}
    assert store.rows() == rows


def test_acled_row_with_a_newer_timestamp_updates_the_stored_event(store):
    commit(plan_fixture(store, "acled_kosovo.csv"), store)
    count = store.count()
    plan = plan_fixture(store, "acled_kosovo_update.csv")
    assert plan.counts == {"rows": 2, "new": 0, "duplicate": 1, "updated": 1, "rejected": 0}
    assert reasons(plan.duplicates) == [
        (3, "same id: id \'XKX2302\' is already stored (stored timestamp 1685383634, this row's 1685383634: not newer)")
    ]
    assert commit(plan, store) == {"added": 0, "updated": 1, "kept": 0}
    assert store.count() == count
    updated = store.incident("XKX2301")
    assert updated.source_timestamp == 1686584420
    assert updated.source == "Koha Ditore; Kosovo Online; NATO"
    assert "93 soldiers" in updated.passage
    assert updated.document_id == plan.document.id
    check_provenance(store, ["XKX2301"])


def test_an_older_acled_version_does_not_overwrite_a_newer_one(store):
    commit(plan_fixture(store, "acled_kosovo_update.csv"), store)
    plan = plan_fixture(store, "acled_kosovo.csv")
    assert plan.counts["updated"] == 0
    assert reasons(plan.duplicates)[0] == (
        2, "same id: id \'XKX2301\' is already stored (stored timestamp 1686584420, this row's 1685989234: not newer)"
    )


# -- UCDP GED ------------------------------------------------------------------------------


def _ucdp_rows_with_coordinates():
    with open(FIXTURES / "ucdp_ged_kosovo.csv", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["latitude"] and row["longitude"]]


def test_ucdp_export_keeps_every_event_with_valid_coordinates_to_five_decimals(store):
    plan = plan_fixture(store, "ucdp_ged_kosovo.csv")
    assert plan.format == "ucdp"
    assert plan.counts == {"rows": 8, "new": 6, "duplicate": 0, "updated": 0, "rejected": 2}
    assert reasons(plan.rejected) == [
        (8, "latitude: expected a decimal number such as 42.9 or 42,9, got an empty cell"),
        (9, "latitude and longitude look swapped: (20.95, 42.8233) is outside the region, (42.8233, 20.95) is inside it"),
    ]
    commit(plan, store)
    stored = {row["id"]: row for row in store.rows()}
    valid = [row for row in _ucdp_rows_with_coordinates() if row["id"] != "100108"]  # 100108 is the swapped one
    assert len(valid) == 6
    for row in valid:
        assert row["id"] in stored, row["id"]
        assert round(stored[row["id"]]["latitude"], 5) == round(float(row["latitude"]), 5)
        assert round(stored[row["id"]]["longitude"], 5) == round(float(row["longitude"]), 5)
    assert stored["100101"]["latitude"] == 42.7591667 and stored["100101"]["longitude"] == 20.8088889


def test_every_imported_ucdp_event_reaches_the_map_layer(store):
    import numpy as np

    from mapapp import columns as incident_columns
    from mapapp.filters import Filters
    from mapapp.map_payload import base_bytes

    commit(plan_fixture(store, "ucdp_ged_kosovo.csv"), store)
    with store.reading() as snapshot:
        columns = incident_columns.load(snapshot.db)
    assert columns.mask(Filters()).all()
    n = len(columns)
    data = base_bytes(columns)
    lats = np.frombuffer(data, "<f4", n, 0).astype(float)
    lons = np.frombuffer(data, "<f4", n, 4 * n).astype(float)
    ids = incident_columns.read_rows(store.path, columns.rowid, ("id",))["id"]
    drawn = dict(zip(ids, zip(lats, lons)))
    for row in _ucdp_rows_with_coordinates():
        if row["id"] == "100108":  # the swapped pair, rejected
            assert row["id"] not in drawn
            continue
        # float32 on the map: within 1e-5 degrees (about a metre).
        assert drawn[row["id"]] == (
            pytest.approx(float(row["latitude"]), abs=1e-5), pytest.approx(float(row["longitude"]), abs=1e-5)
        )


@pytest.mark.parametrize(
    "event_id, dates, precision, types, geo_precision",
    [
        ("100101", ("1998-03-05", "1998-03-05"), "day", ("Battles", "Armed clash"), 1),
        ("100102", ("1999-04-14", "1999-04-17"), "week", ("Violence against civilians", "Attack"), 2),
        ("100103", ("1999-06-20", "1999-06-20"), "day", ("Battles", "Armed clash"), 2),
        ("100104", ("1998-08-01", "1998-08-31"), "month", ("Battles", "Armed clash"), 4),
        ("100105", ("1998-01-01", "1998-12-31"), "year", ("Battles", "Armed clash"), 5),
        # date_prec 1 but a three-day range: kept as the range UCDP gives, coded as a week.
        ("100106", ("1999-03-24", "1999-03-26"), "week", ("Battles", "Armed clash"), 1),
    ],
)
def test_ucdp_codes_map_to_the_contract(store, event_id, dates, precision, types, geo_precision):
    plan = plan_fixture(store, "ucdp_ged_kosovo.csv")
    incident = next(incident for incident in plan.new if incident.id == event_id)
    assert (incident.date_start.isoformat(), incident.date_end.isoformat()) == dates
    assert incident.date_precision == precision
    assert (incident.event_type, incident.sub_event_type) == types
    assert incident.geo_precision == geo_precision


def test_ucdp_headline_is_the_passage_and_the_article_the_source(store):
    plan = plan_fixture(store, "ucdp_ged_kosovo.csv")
    commit(plan, store)
    prekaz = store.incident("100101")
    assert prekaz.passage == "Serb police storm Drenica village; Dozens killed in Kosovo raid"
    assert prekaz.source == "Reuters,1998-03-06,Serb police storm Drenica village; AFP,1998-03-06,Dozens killed in Kosovo raid"
    assert prekaz.location == "Donji Prekaz village"
    assert prekaz.description == (
        "Serbia (Yugoslavia): Kosovo: Government of Serbia (Yugoslavia) vs UCK, 58 deaths (best estimate)"
    )
    assert prekaz.note == "UCDP type_of_violence 1 (state-based) coded as Battles / Armed clash."
    # A country-level point has no meaningful distance to the boundary.
    assert store.incident("100105").border_distance_km is None
    check_provenance(store, ["100101", "100102", "100103", "100104", "100105", "100106"])


# -- the app's own format -------------------------------------------------------------------


def test_contract_file_links_known_passages_and_geocodes_places(store):
    plan = plan_fixture(store, "contract_own_format.csv")
    assert plan.format == "contract"
    assert plan.counts == {"rows": 6, "new": 5, "duplicate": 1, "updated": 0, "rejected": 0}
    assert reasons(plan.duplicates) == [(4, "same id: id 'seed-000-02' is already stored")]
    # log-003 has an id of its own: the same words as the seed's incident make it a possible
    # duplicate to review, not a duplicate.
    assert reasons(plan.possible) == [
        (5, "same date, type, place and description as stored 'seed-000-02'; kept: its id differs")
    ]
    commit(plan, store)
    # A passage that is already in a stored document keeps pointing there.
    linked = store.incident("log-002")
    assert (linked.document_id, linked.passage_start, linked.passage_end) == (SEED_DOCUMENT, 0, 130)
    # A place without coordinates is resolved by the gazetteer, and the note says so.
    geocoded = store.incident("log-004")
    assert (geocoded.latitude, geocoded.longitude, geocoded.geo_precision) == (42.91444, 20.68972, 1)
    # The file gives no admin areas: the municipality and district come from the place, marked as derived.
    assert geocoded.note == (
        "Coordinates from the offline gazetteer: 'Zubin Potok' matched 'Zubin Potok' (geonames:XK:783802)."
        " Admin areas derived, not in the file: admin2 'Zubin Potok' and admin1 'Mitrovica District' (from the place and the gazetteer, data/municipalities.csv)."
    )
    assert (geocoded.admin2, geocoded.admin1) == ("Zubin Potok", "Mitrovica District")
    # A row without an id gets one from the upload's document and its row number.
    unnamed = store.incident(f"{plan.document.id}-row7")
    assert (unnamed.date_start, unnamed.date_end, unnamed.date_precision) == (dt.date(2023, 5, 1), dt.date(2023, 5, 31), "month")
    # border_distance_km in the file (9.99 for the duplicate) is never trusted: it is recomputed.
    banjska = store.incident("log-001")
    assert banjska.border_distance_km == pytest.approx(14.16, abs=0.01)
    check_provenance(store, ["log-001", "log-002", "log-004", f"{plan.document.id}-row7"])


def test_an_exported_store_reimported_is_all_duplicates(store, tmp_path):
    from mapapp.export import contract_records, to_csv
    from mapapp.filters import incident_frame

    commit(plan_fixture(store, "acled_kosovo.csv"), store)
    exported = to_csv(contract_records(incident_frame(store.rows()))).encode("utf-8")
    other = Store(tmp_path / "other.db")
    commit(plan_fixture(other, "acled_kosovo.csv"), other)
    plan = plan_import(exported, "export.csv", other)
    assert plan.counts == {"rows": 13, "new": 0, "duplicate": 13, "updated": 0, "rejected": 0}


# -- a semicolon-separated Windows-1250 log with a column mapping -----------------------------


def test_windows_1250_semicolon_log_with_decimal_commas(store):
    plan = plan_fixture(store, "serbian_log_cp1250.csv")
    assert (plan.format, plan.encoding, plan.delimiter) == ("other", "cp1250", ";")
    assert plan.mapping == {
        "id": None, "date": "Datum", "date_end": None, "event_type": "Vrsta",
        "sub_event_type": "Podvrsta", "location": "Mesto", "latitude": "Širina",
        "longitude": "Dužina", "coordinates": None, "geo_precision": None,
        "description": "Opis", "notes": None, "source": "Izvor",
        "actor1": None, "actor2": None, "fatalities": None, "admin1": None, "admin2": None, "country": None,
    }
    assert plan.counts == {"rows": 5, "new": 5, "duplicate": 0, "updated": 0, "rejected": 0}
    by_place = {incident.location: incident for incident in plan.new}
    assert sorted(by_place) == ["Banjska", "Jarinje", "Leposavić", "Raška", "Zvečan"]
    assert (by_place["Leposavić"].latitude, by_place["Leposavić"].longitude) == (43.10389, 20.80278)
    assert by_place["Leposavić"].description == "Policija upotrebila suzavac protiv građana ispred opštine"
    assert by_place["Zvečan"].date_start == dt.date(2023, 5, 29)  # "29.05.2023."
    assert by_place["Banjska"].date_start == dt.date(2023, 9, 24)  # "24. septembar 2023"
    # The quoted newline stays in the passage; the one-line description collapses it.
    assert by_place["Banjska"].passage == "Oružani sukob kod manastira Banjska,\r\nviše poginulih"
    assert by_place["Banjska"].description == "Oružani sukob kod manastira Banjska, više poginulih"
    # No precision column: coordinates from the file are taken as near the place, and said so.
    assert by_place["Zvečan"].geo_precision == 2
    assert by_place["Zvečan"].note == (
        "The file gives no location precision: coded as near the named place (2)."
        " Admin areas derived, not in the file: admin2 'Zvečan' and admin1 'Mitrovica District' (from the place and the gazetteer, data/municipalities.csv)."
    )
    # 10.12.2022 alone could be 12 October; the file's 29.05.2023. settles it, and the note says so.
    assert by_place["Jarinje"].date_start == dt.date(2022, 12, 10)
    assert by_place["Jarinje"].note.startswith("Datum '10.12.2022' read day first (10 December 2022), as the file writes '29.05.2023.'.")
    # No coordinates: the gazetteer knows Raška.
    assert (by_place["Raška"].latitude, by_place["Raška"].longitude, by_place["Raška"].geo_precision) == (43.28722, 20.61528, 1)
    commit(plan, store)
    check_provenance(store, [incident.id for incident in plan.new])


def test_windows_1251_cyrillic_log_is_read_mapped_and_geocoded(store):
    plan = plan_fixture(store, "serbian_log_cp1251.csv")
    assert (plan.format, plan.encoding, plan.delimiter) == ("other", "cp1251", ";")
    # Cyrillic headers match the same words as Latin ones.
    assert {role: column for role, column in plan.mapping.items() if column} == {
        "date": "Датум", "event_type": "Врста", "sub_event_type": "Подврста", "location": "Место",
        "latitude": "Ширина", "longitude": "Дужина", "description": "Опис", "source": "Извор",
    }
    assert plan.counts == {"rows": 5, "new": 4, "duplicate": 0, "updated": 0, "rejected": 1}
    assert reasons(plan.rejected) == [(6, "place 'Атлантида' not found in the gazetteer")]
    by_place = {incident.location: incident for incident in plan.new}
    assert sorted(by_place) == ["Јариње", "Звечан", "Лепосавић", "Северна Митровица"]  # code point order: Ј is U+0408
    assert (by_place["Звечан"].latitude, by_place["Звечан"].longitude) == (42.9075, 20.84028)
    assert by_place["Звечан"].date_start == dt.date(2023, 5, 29)  # "29.05.2023."
    assert by_place["Лепосавић"].date_start == dt.date(2023, 5, 26)  # "26. маја 2023."
    assert by_place["Северна Митровица"].date_start == dt.date(2023, 9, 25)  # "25. септембра 2023."
    # Cyrillic place names without coordinates are found in the gazetteer.
    assert (by_place["Лепосавић"].latitude, by_place["Лепосавић"].longitude) == (43.10389, 20.80278)
    assert (by_place["Северна Митровица"].latitude, by_place["Северна Митровица"].longitude) == (42.8936, 20.8656)
    assert by_place["Северна Митровица"].passage == "„Војска Србије“ појачала присуство у близини административне линије"
    assert by_place["Јариње"].source == "КоССев"
    commit(plan, store)
    check_provenance(store, [incident.id for incident in plan.new])


# -- day and month order of numeric dates --------------------------------------------------


def _log(*dates):
    rows = "".join(f"{date},Zvecan,Riots,Mob violence,Clash number {k}\n" for k, date in enumerate(dates))
    return ("Date,Place,Type,Subtype,Summary\n" + rows).encode()


def test_a_file_that_writes_month_first_is_read_month_first_and_says_so(store):
    plan = plan_import(_log("05/29/2023", "05/06/2023", "12/01/2022", "04/04/2023"), "us.csv", store)
    assert plan.counts == {"rows": 4, "new": 4, "duplicate": 0, "updated": 0, "rejected": 0}
    assert [incident.date_start for incident in plan.new] == [
        dt.date(2023, 5, 29), dt.date(2023, 5, 6), dt.date(2022, 12, 1), dt.date(2023, 4, 4),
    ]
    notes = [incident.note for incident in plan.new]
    assert notes[1].startswith("Date '05/06/2023' read month first (6 May 2023), as the file writes '05/29/2023'. ")
    assert notes[2].startswith("Date '12/01/2022' read month first (1 December 2022), as the file writes '05/29/2023'. ")
    # 05/29/2023 can only be read one way, and 04/04/2023 reads the same both ways: no date note.
    for note in (notes[0], notes[3]):
        assert note.startswith("Coordinates from the offline gazetteer: 'Zvecan' matched 'Zvečan'")
        assert "read month first" not in note


def test_a_file_without_evidence_reads_day_first_and_says_so(store):
    plan = plan_import(_log("03/04/2023"), "plain.csv", store)
    (incident,) = plan.new
    assert incident.date_start == dt.date(2023, 4, 3)
    assert incident.note.startswith(
        "Date '03/04/2023' read day first (3 April 2023), as dates are written in the region; "
        "no date in the file settles the order."
    )


def test_a_file_that_writes_both_orders_rejects_the_dates_it_cannot_settle(store):
    plan = plan_import(_log("29/05/2023", "05/29/2023", "03/04/2023", "04/04/2023"), "mixed.csv", store)
    assert plan.counts == {"rows": 4, "new": 3, "duplicate": 0, "updated": 0, "rejected": 1}
    assert reasons(plan.rejected) == [
        (4, "Date: '03/04/2023' could be day or month first: the file writes dates both ways ('29/05/2023', '05/29/2023')")
    ]


# -- good and bad rows together --------------------------------------------------------------


MIXED_REJECTED = [
    (4, f"Date: {DATE_EXPECTED}, got '31/02/2023'"),
    (5, "latitude and longitude look swapped: (20.8656, 42.8936) is outside the region, (42.8936, 20.8656) is inside it"),
    (6, "latitude 142.9 is out of range (-90 to 90)"),
    (7, "place 'Atlantis' not found in the gazetteer"),
    (8, "Type: 'Skirmish' is not mapped to an ACLED event type; map it in the import's value step "
        "(or with --values FILE)"),
    (9, "there is no text to cite: the notes, headline or description is empty"),
    (12, "the row has 8 cells, the header has 7"),
    (14, f"Date: {DATE_EXPECTED}, got 'not a date'"),
]


def test_mixed_file_accepts_the_good_rows_and_says_why_the_others_are_rejected(store):
    before = store.count()
    plan = plan_fixture(store, "mixed_good_bad.csv")
    assert plan.counts == {"rows": 13, "new": 4, "duplicate": 1, "updated": 0, "rejected": 8}
    assert reasons(plan.rejected) == MIXED_REJECTED
    assert reasons(plan.duplicates) == [(10, "same content: no id, and the same date, type, place and description as row 3")]
    assert sorted(incident.id.rsplit("-", 1)[1] for incident in plan.new) == ["row11", "row13", "row2", "row3"]
    commit(plan, store)
    assert store.count() == before + 4
    decimal_comma = store.incident(f"{plan.document.id}-row13")
    assert (decimal_comma.latitude, decimal_comma.longitude) == (42.9075, 20.84028)
    geocoded = store.incident(f"{plan.document.id}-row11")
    assert (geocoded.latitude, geocoded.longitude) == (42.8936, 20.8656)


def test_rejected_rows_download_with_their_original_cells_and_the_reason(store):
    plan = plan_fixture(store, "mixed_good_bad.csv")
    text = plan.rejected_csv.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Date", "Place", "Type", "Subtype", "Coordinates", "Summary", "Source", "extra_1", "reason"]
    assert len(rows) == 1 + 8
    assert rows[1] == [
        "31/02/2023", "Zubin Potok", "Protests", "Peaceful protest", "42.91444, 20.68972",
        "Protest in Zubin Potok", "RTS", "", f"Date: {DATE_EXPECTED}, got '31/02/2023'",
    ]
    # The long row keeps its extra cell.
    assert rows[7] == [
        "2023-06-06", "Zvecan", "Protests", "Peaceful protest", "42.9075, 20.84028",
        "Rally with an extra cell", "KoSSev", "EXTRA", "the row has 8 cells, the header has 7",
    ]
    # A formula in a text cell is neutralised for spreadsheets; numbers are left alone.
    assert rows[8][5] == "'=HYPERLINK(\"http://example.invalid\",\"click\")"
    assert [row[8] for row in rows[1:]] == [reason for _, reason in MIXED_REJECTED]


def test_rejected_rows_come_back_with_the_uploads_delimiter(store):
    data = "Datum;Mesto;Vrsta;Podvrsta;Opis;Širina;Dužina\n32.05.2023;Zvečan;Riots;Mob violence;Sukob;42,9;20,8\n"
    plan = plan_import(data.encode("utf-8"), "log.csv", store)
    assert plan.rejected_csv.decode("utf-8-sig").splitlines() == [
        "Datum;Mesto;Vrsta;Podvrsta;Opis;Širina;Dužina;reason",
        f"32.05.2023;Zvečan;Riots;Mob violence;Sukob;42,9;20,8;Datum: {DATE_EXPECTED}, got '32.05.2023'",
    ]


def test_one_good_and_one_bad_row(store):
    data = (
        b"Date,Place,Type,Subtype,Latitude,Longitude,Summary\n"
        b"2023-05-29,Zvecan,Riots,Mob violence,42.9075,20.84028,Clash at the municipal building\n"
        b"2023-05-29,Zvecan,Riots,Mob violence,42.9075,,Second clash\n"
    )
    plan = plan_import(data, "two.csv", store)
    assert plan.counts == {"rows": 2, "new": 1, "duplicate": 0, "updated": 0, "rejected": 1}
    assert reasons(plan.rejected) == [(3, "Longitude: expected a decimal number such as 42.9 or 42,9, got an empty cell")]


# -- unusable files: a clear message and the store unchanged -----------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (b" \r\n\r\n ", "the file is empty"),
        (b"Date,Place,Type,Summary\r\n", "the file has a header line but no rows"),
        (b"Date,Place,Type,Summary\n\n,,,\n", "the file has a header line but no rows"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "this is a ZIP archive or an Excel/ODS workbook: save the sheet as CSV first"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "this is a PNG image, not a CSV file"),
        (b"id,date\n1,\x00\x00\x002023", "the file contains NUL bytes: it is a binary file, not CSV text"),
        # 0x81 is no character in Windows-1250 or -1252, 0x98 none in Windows-1250 or -1251, and
        # both are control characters in ISO-8859-2.
        (bytes([0x81, 0x98, 0x41] * 20), "the file is not text in UTF-8, Windows-1250, Windows-1251, ISO-8859-2 or Windows-1252 (is it a spreadsheet or another binary file? save it as CSV)"),
        # Cyrillic letters glued to Latin ones in every reading: not text.
        (bytes([0x81, 0x90, 0x8D, 0x41] * 20), "the file is not text in UTF-8, Windows-1250, Windows-1251, ISO-8859-2 or Windows-1252 (is it a spreadsheet or another binary file? save it as CSV)"),
        (bytes(range(1, 32)) * 40, "the file is full of control characters: it is binary data, not CSV text"),
        (b"notes\nsomething happened\n", "the columns are not those of an ACLED export, a UCDP GED export or the app's own format, "
         "and they cannot be mapped: choose the column with the event type or the sub-event type; "
         "choose the place name column, or the coordinates."),
    ],
)
def test_unusable_files_are_refused_and_the_store_is_unchanged(store, data, message):
    rows = store.rows()
    with pytest.raises(UnusableFile) as caught:
        plan_import(data, "bad.csv", store)
    assert str(caught.value) == message
    assert store.rows() == rows


def test_a_near_miss_header_is_explained(store):
    header = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,location,latitude,longitude,geo_precision,notes"
    with pytest.raises(UnusableFile) as caught:
        plan_import(f"{header}\nXKX1,29 May 2023,1,Riots,Mob violence,Zvecan,42.9,20.8,1,Clash\n".encode(), "a.csv", store)
    assert str(caught.value) == (
        "the file looks like an ACLED export but lacks the column(s) source; add them, or map the columns yourself"
    )


def test_file_over_the_size_limit(store):
    rows = store.rows()
    with pytest.raises(UnusableFile) as caught:
        plan_import(fixture("acled_kosovo.csv"), "acled.csv", store, limits=Limits(max_bytes=1024, max_rows=10))
    assert str(caught.value) == "the file is 0.0 MB; the upload limit is 0.000976562 MB (set $MAPAPP_MAX_UPLOAD_MB to change it)"
    assert store.rows() == rows


def test_file_over_the_row_limit(store):
    rows = store.rows()
    with pytest.raises(UnusableFile) as caught:
        plan_import(fixture("acled_kosovo.csv"), "acled.csv", store, limits=Limits(max_rows=4))
    assert str(caught.value) == "the file has more than 4 rows, the row limit (set $MAPAPP_MAX_ROWS to change it)"
    assert store.rows() == rows
    # Exactly at the limit is fine.
    assert plan_import(fixture("acled_kosovo.csv"), "acled.csv", store, limits=Limits(max_rows=5)).total_rows == 5


def test_limits_come_from_the_environment(store, monkeypatch):
    monkeypatch.setenv("MAPAPP_MAX_ROWS", "3")
    with pytest.raises(UnusableFile, match="more than 3 rows"):
        plan_import(fixture("acled_kosovo.csv"), "acled.csv", store)
    monkeypatch.setenv("MAPAPP_MAX_ROWS", "lots")
    with pytest.raises(ConfigError, match=r"\$MAPAPP_MAX_ROWS must be a whole number from 1 to 10,000,000, got 'lots'"):
        plan_import(fixture("acled_kosovo.csv"), "acled.csv", store)


# -- geocoding ------------------------------------------------------------------------------


def test_progress_is_reported_once_per_row(store):
    calls = []
    plan_fixture(store, "mixed_good_bad.csv", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(done, 13) for done in range(1, 14)]


def test_each_place_is_looked_up_once_and_a_failing_geocoder_rejects_rows_not_the_file(store):
    looked_up = []

    class Failing(GazetteerGeocoder):
        def search(self, query, limit=10):
            looked_up.append(query)
            raise TimeoutError("gazetteer unavailable")

    data = (
        b"Date,Place,Type,Subtype,Summary\n"
        b"2023-05-29,Zvecan,Riots,Mob violence,First\n"
        b"2023-05-30,Zvecan,Riots,Mob violence,Second\n"
    )
    plan = plan_import(data, "log.csv", store, geocoder=Failing())
    assert looked_up == ["Zvecan"]
    assert reasons(plan.rejected) == [
        (2, "the gazetteer could not look up 'Zvecan': TimeoutError: gazetteer unavailable"),
        (3, "the gazetteer could not look up 'Zvecan': TimeoutError: gazetteer unavailable"),
    ]


def test_places_resolved_through_a_non_default_geocoder(store, fake_nominatim):
    """`geocoder=` picks who resolves places: here Nominatim (its network replaced by a fake)."""
    data = (
        "Date,Place,Type,Subtype,Summary\n"
        "2023-05-29,Zvecan,Riots,Mob violence,Clash at the municipal building\n"
        "2023-05-30,Leposavić municipality,Protests,Peaceful protest,Rally\n"
        "2023-05-31,Nowhere,Protests,Peaceful protest,Rally\n"
    ).encode()
    plan = plan_import(data, "log.csv", store, geocoder=get_geocoder("nominatim", min_delay_seconds=0))
    town, municipality = plan.new
    assert (town.latitude, town.longitude, town.geo_precision) == (42.9075, 20.84, 1)
    assert town.note.endswith(
        "Coordinates from Nominatim (OpenStreetMap, online): 'Zvecan' matched 'Zvečan' (nominatim)."
        " Admin areas derived, not in the file: admin2 'Zvečan' and admin1 'Mitrovica District' (from the place and the gazetteer, data/municipalities.csv).")
    assert (municipality.latitude, municipality.longitude, municipality.geo_precision) == (43.1, 20.8, 3)
    assert reasons(plan.rejected) == [(4, "place 'Nowhere' not found in Nominatim")]
    assert [query for query, _ in fake_nominatim.instances[0].calls] == ["Zvecan", "Leposavić municipality", "Nowhere"]


def test_a_place_the_gazetteer_ranks_among_several_says_so(store):
    data = b"Date,Place,Type,Subtype,Summary\n2023-09-24,Banjska,Battles,Armed clash,Shooting near the monastery\n"
    plan = plan_import(data, "log.csv", store)
    (incident,) = plan.new
    assert (incident.latitude, incident.longitude) == (42.97333, 20.78083)
    assert incident.note == (
        "Coordinates from the offline gazetteer: 'Banjska' matched 'Banjska' (geonames:XK:792910); "
        "2 other place(s) of that name ranked lower."
        " Admin areas derived, not in the file: admin2 'Zvečan' and admin1 'Mitrovica District' (from the place and the gazetteer, data/municipalities.csv)."
    )


def test_an_explicit_mapping_overrides_detection(store):
    data = b"when,where,what,kind,text\n2023-05-29,Zvecan,Riots,Mob violence,Clash at the municipal building\n"
    mapping = {"date": "when", "location": "where", "event_type": "what", "sub_event_type": "kind", "description": "text"}
    plan = plan_import(data, "log.csv", store, mapping=mapping)
    (incident,) = plan.new
    assert (incident.date_start, incident.location, incident.sub_event_type) == (dt.date(2023, 5, 29), "Zvecan", "Mob violence")
    with pytest.raises(UnusableFile, match="there is no column 'nowhere' in the file"):
        plan_import(data, "log.csv", store, mapping={**mapping, "location": "nowhere"})


THREE_ACTORS = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
    + "".join(
        f"XKX{9000 + k},24 September 2023,2023,1,Political violence,Battles,Armed clash,{a1},,3,{a2},,{i2},3{i2},,"
        "0,Europe,Kosovo,Mitrovica,Zvecan,,Banjska,42.9733,20.7808,1,Koha Ditore,National,"
        '"On 24 September 2023, in Banjska (Zvecan), an armed group, Kosovo Police and KFOR clashed near the '
        'monastery.",1,,1695600000\n'
        for k, (a1, a2, i2) in enumerate((
            ("Unidentified Armed Group (Kosovo)", "Police Forces of Kosovo (2008-)", 1),
            ("Unidentified Armed Group (Kosovo)", "KFOR: Kosovo Force (1999-)", 8),
            ("Police Forces of Kosovo (2008-)", "KFOR: Kosovo Force (1999-)", 8),
        ))
    )
)


@pytest.mark.parametrize("with_actors", [True, False])
def test_three_acled_rows_of_one_three_sided_clash_are_three_incidents(store, with_actors):
    """ACLED codes one event per pair of actors: same date, place and notes, distinct ids. Their
    ids keep them apart, with or without the actor columns (an extract without them)."""
    data = THREE_ACTORS
    if not with_actors:
        for actor in ("Unidentified Armed Group (Kosovo)", "Police Forces of Kosovo (2008-)", "KFOR: Kosovo Force (1999-)"):
            data = data.replace(actor, "")
    plan = plan_import(data.encode(), "three_actors.csv", store)
    assert plan.counts == {"rows": 3, "new": 3, "duplicate": 0, "updated": 0, "rejected": 0}
    assert len({(i.date_start, i.event_type, i.location, i.description) for i in plan.new}) == 1
    assert len({incident.fingerprint for incident in plan.new}) == (3 if with_actors else 1)
    assert plan.possible == []  # one dataset: not even a look-alike to review
    commit(plan, store)
    assert sorted(i.id for i in store.incidents() if i.id.startswith("XKX9")) == ["XKX9000", "XKX9001", "XKX9002"]
    again = plan_import(data.encode(), "three_actors.csv", store)
    assert again.counts["duplicate"] == 3 and again.duplicates_by_rule == {"same id": 3}
    assert "3 duplicate (3 by same id)" in again.summary


def _index_sql(store):
    with store.reading() as snapshot:
        return snapshot.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' ORDER BY name"
        ).fetchall()


def test_a_bulk_import_makes_the_indexes_again_and_a_failed_one_keeps_them(db_path, monkeypatch):
    """From store._BULK_ROWS new incidents (here 2), the incidents' indexes are dropped for the
    insert and made again: the same indexes after it, and a store that reads the same; an insert
    that fails (an id stored meanwhile) rolls the drop back too."""
    from mapapp import store as store_module
    from mapapp.errors import InvalidIncident

    monkeypatch.setattr(store_module, "_BULK_ROWS", 2)
    with Store(db_path, seed=False) as store:
        indexes = _index_sql(store)
        assert [name for name, _ in indexes] == ["incidents_document", "incidents_fingerprint",
                                                 "sqlite_autoindex_incidents_1"]
        plan = plan_fixture(store, "acled_kosovo.csv")
        assert commit(plan, store) == {"added": 5, "updated": 0, "kept": 0}
        assert _index_sql(store) == indexes
        with store.reading() as snapshot:
            assert snapshot.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert snapshot.known_fingerprints([plan.new[0].fingerprint]) == {plan.new[0].fingerprint}
        with pytest.raises(InvalidIncident, match="'XKX2301'"), store.transaction() as writer:
            writer.add([], plan.new)
        assert _index_sql(store) == indexes
        assert store.count() == 5
