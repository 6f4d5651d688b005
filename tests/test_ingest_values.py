"""Cells to values: dates, numbers, coordinate pairs, checks, event types; and the formats."""

import datetime as dt
import re

import pytest

from mapapp.ingest import formats
from mapapp.ingest.mapping import guess, problems
from mapapp.ingest.values import (
    DAY_FIRST, MIXED, MONTH_FIRST, DateOrder, Rejected, ambiguous_date, check_coordinates, date_order,
    first_sentence, match_types, parse_date, parse_int, parse_number, parse_pair,
)
from mapapp.text import one_line

D = dt.date
EXPECTED_DATE = "expected a date such as 2023-05-29, 29 May 2023, 29/05/2023 or 29.05.2023"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-05-29", (D(2023, 5, 29), D(2023, 5, 29), "day")),
        ("29 May 2023", (D(2023, 5, 29), D(2023, 5, 29), "day")),
        ("29/05/2023", (D(2023, 5, 29), D(2023, 5, 29), "day")),
        ("29.05.2023.", (D(2023, 5, 29), D(2023, 5, 29), "day")),
        ("29.5.2023", (D(2023, 5, 29), D(2023, 5, 29), "day")),
        ("03/04/2023", (D(2023, 4, 3), D(2023, 4, 3), "day")),  # day first
        ("2023-06-05", (D(2023, 6, 5), D(2023, 6, 5), "day")),  # but ISO is year-month-day
        ("2023-05-29 00:00:00.000", (D(2023, 5, 29), D(2023, 5, 29), "day")),
        ("  24  September 2023 ", (D(2023, 9, 24), D(2023, 9, 24), "day")),
        ("24. septembar 2023", (D(2023, 9, 24), D(2023, 9, 24), "day")),
        ("24 shtator 2023", (D(2023, 9, 24), D(2023, 9, 24), "day")),
        ("May 2023", (D(2023, 5, 1), D(2023, 5, 31), "month")),
        ("2024-02", (D(2024, 2, 1), D(2024, 2, 29), "month")),
        ("2023", (D(2023, 1, 1), D(2023, 12, 31), "year")),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_month_first_reading_for_files_that_write_dates_so():
    assert parse_date("05/06/2023", month_first=True) == (D(2023, 5, 6), D(2023, 5, 6), "day")
    assert parse_date("05/29/2023", month_first=True) == (D(2023, 5, 29), D(2023, 5, 29), "day")
    # Names and ISO dates are not numeric day/month pairs: the order does not touch them.
    assert parse_date("2023-06-05", month_first=True)[0] == D(2023, 6, 5)
    assert parse_date("6 May 2023", month_first=True)[0] == D(2023, 5, 6)


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["05/29/2023", "05/06/2023"], DateOrder(MONTH_FIRST, "", "05/29/2023")),
        (["29.05.2023.", "10.12.2022"], DateOrder(DAY_FIRST, "29.05.2023.", "")),
        (["03/04/2023", "2023-05-01", "29 May 2023", ""], DateOrder(DAY_FIRST, "", "")),
        (["29/05/2023", "03/04/2023", "05/29/2023"], DateOrder(MIXED, "29/05/2023", "05/29/2023")),
    ],
)
def test_date_order_of_a_column(cells, expected):
    assert date_order(cells) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("03/04/2023", True), ("3.4.2023.", True), ("03-4-23", True), ("04/04/2023", False),
     ("29/05/2023", False), ("2023-05-04", False), ("4 May 2023", False)],
)
def test_ambiguous_dates(text, expected):
    assert ambiguous_date(text) is expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", f"Datum: {EXPECTED_DATE}, got an empty cell"),
        ("31/02/2023", f"Datum: {EXPECTED_DATE}, got '31/02/2023'"),
        ("yesterday", f"Datum: {EXPECTED_DATE}, got 'yesterday'"),
        ("45075", f"Datum: {EXPECTED_DATE}, got '45075'"),  # a spreadsheet serial number
        ("September 24", "Datum: 'September 24' has no year"),
        ("1850-01-01", "Datum: '1850-01-01' is not a plausible incident date (after 1900, not in the future)"),
        ("2999-01-01", "Datum: '2999-01-01' is not a plausible incident date (after 1900, not in the future)"),
    ],
)
def test_dates_rejected(text, reason):
    with pytest.raises(Rejected) as caught:
        parse_date(text, "Datum")
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    "text, value",
    [("42.9", 42.9), ("42,9", 42.9), (" -20.5 ", -20.5), ("−20.5", -20.5), ("42.90750", 42.9075), ("43°", 43.0), (".5", 0.5),
     ("42", 42.0), ("\u0664\u0662.\u0669", 42.9)],  # Arabic-Indic digits are digits to \d and to float()
)
def test_numbers(text, value):
    assert parse_number(text, "lat") == value


@pytest.mark.parametrize("text", ["", "nan", "inf", "1_000", "42.9.1", "42,9,1", "42 N", "4e1", "42.", "4².5", "42.9e1", "1.5_0"])
def test_numbers_rejected(text):
    with pytest.raises(Rejected, match="^lat: expected a decimal number such as 42.9 or 42,9, got "):
        parse_number(text, "lat")


def test_number_fast_path_reads_what_the_pattern_reads():
    # parse_number skips its pattern for "digits.digits" told by str.isdecimal: proof that
    # isdecimal and the pattern's \d accept the same characters.
    digit = re.compile(r"\d")
    assert [char for char in map(chr, range(0x110000)) if char.isdecimal() != bool(digit.fullmatch(char))] == []


@pytest.mark.parametrize(
    "text, pair",
    [
        ("42.9, 20.8", (42.9, 20.8)),
        ("42.9,20.8", (42.9, 20.8)),
        ("42,9; 20,8", (42.9, 20.8)),
        ("42,9, 20,8", (42.9, 20.8)),
        ("42.9 20.8", (42.9, 20.8)),
        ("(42.90750, 20.84028)", (42.9075, 20.84028)),
        ("42.9/20.8", (42.9, 20.8)),
    ],
)
def test_coordinate_pairs(text, pair):
    assert parse_pair(text, "coords") == pair


@pytest.mark.parametrize("text", ["42.9", "42.9, 20.8, 3", "north of Zvecan", ""])
def test_coordinate_pairs_rejected(text):
    with pytest.raises(Rejected, match="^coords: expected latitude and longitude such as '42.9, 20.8', got "):
        parse_pair(text, "coords")


@pytest.mark.parametrize(
    "latitude, longitude, reason",
    [
        (20.8403, 42.9075, "latitude and longitude look swapped: (20.8403, 42.9075) is outside the region, (42.9075, 20.8403) is inside it"),
        (91.0, 20.0, "latitude 91 is out of range (-90 to 90)"),
        (42.9, 181.0, "longitude 181 is out of range (-180 to 180)"),
        (0.0, 0.0, "coordinates 0, 0 are a missing value, not a place"),
    ],
)
def test_impossible_coordinates_are_rejected_not_fixed(latitude, longitude, reason):
    with pytest.raises(Rejected) as caught:
        check_coordinates(latitude, longitude)
    assert str(caught.value) == reason


@pytest.mark.parametrize("latitude, longitude", [(42.9075, 20.8403), (48.4, 35.0), (-33.9, 18.4)])
def test_coordinates_outside_the_region_are_kept(latitude, longitude):
    check_coordinates(latitude, longitude)  # a UCDP export may cover more than the region


@pytest.mark.parametrize(
    "event_type, sub_event_type, expected",
    [
        ("Riots", "Mob violence", ("Riots", "Mob violence")),
        ("riots", " mob  violence ", ("Riots", "Mob violence")),
        ("", "Peaceful protest", ("Protests", "Peaceful protest")),
        ("Armed clash", "", ("Battles", "Armed clash")),  # a sub-event type in the type column
        ("Protests", "Excessive force against protestors", ("Protests", "Excessive force against protesters")),
        ("Strategic developments", "Political statement", ("Strategic developments", "Political statement")),
        # An event type alone: the sub-type is unknown, not made up.
        ("Protests", "", ("Protests", "")),
    ],
)
def test_event_types(event_type, sub_event_type, expected):
    assert match_types(event_type, sub_event_type) == expected


@pytest.mark.parametrize(
    "event_type, sub_event_type, reason",
    [
        ("Riots", "Peaceful protest", "sub_event_type: expected a sub-event type of 'Riots' (Violent demonstration, "
         "Mob violence), got 'Peaceful protest'"),
        ("", "", "event_type: the event type is empty"),
    ],
)
def test_event_types_rejected(event_type, sub_event_type, reason):
    with pytest.raises(Rejected) as caught:
        match_types(event_type, sub_event_type)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    "text, code",
    [("1", 1), ("3.0", 3), (" 2 ", 2)],
)
def test_whole_numbers(text, code):
    assert parse_int(text, "geo_precision", (1, 2, 3)) == code


def test_whole_numbers_rejected():
    with pytest.raises(Rejected) as caught:
        parse_int("4", "geo_precision", (1, 2, 3))
    assert str(caught.value) == "geo_precision: expected one of 1, 2, 3, got '4'"
    with pytest.raises(Rejected) as caught:
        parse_int("1.5", "time_precision", (1, 2, 3))
    assert str(caught.value) == "time_precision: expected one of 1, 2, 3, got '1.5'"


@pytest.mark.parametrize(
    "text, summary",
    [
        ("On 29 May 2023, in Zvecan, protesters clashed with KFOR. About 30 soldiers were injured.",
         "On 29 May 2023, in Zvecan, protesters clashed with KFOR."),
        ("Short. Then more.", "Short. Then more."),  # a first "sentence" under 20 characters is not one
        ("x" * 300, "x" * 199 + "…"),
        ("two\nlines", "two lines"),
    ],
)
def test_first_sentence(text, summary):
    assert first_sentence(text) == summary



@pytest.mark.parametrize(
    "text",
    ["", " ", "plain words", "  lead", "trail  ", "two  spaces", "tab\there", "line\nend\r\n", "nbsp\xa0x",
     "unit\x1fsep", "ideographic\u3000space", "line\u2028sep", "next\x85line", "café … ok", "a\x00b"],
)
def test_one_line_is_split_and_join(text):
    # The incident fingerprint relies on this equality: one_line must never differ from it.
    assert one_line(text) == " ".join(text.split())


def test_one_line_fast_path_is_sound():
    # one_line returns printable text unchanged: proof that no whitespace str.split knows of,
    # other than the space, is printable.
    assert [char for char in map(chr, range(0x110000)) if char.isspace() and char.isprintable()] == [" "]


# -- formats and the column mapping ----------------------------------------------------------


@pytest.mark.parametrize(
    "header, kind",
    [
        ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,location,"
         "latitude,longitude,geo_precision,source,notes,fatalities,timestamp", "acled"),
        ("EVENT_ID_CNTY,EVENT_DATE,TIME_PRECISION,EVENT_TYPE,SUB_EVENT_TYPE,LOCATION,LATITUDE,LONGITUDE,"
         "GEO_PRECISION,SOURCE,NOTES", "acled"),
        ("id,relid,year,type_of_violence,conflict_name,side_a,side_b,source_article,source_headline,where_prec,"
         "latitude,longitude,date_prec,date_start,date_end,best", "ucdp"),
        ("id,date_start,date_end,date_precision,event_type,sub_event_type,location,latitude,longitude,"
         "geo_precision,border_distance_km,description,source,document_id,passage_start,passage_end,passage,note",
         "contract"),
        ("Date,Place,Type,Summary", "other"),
    ],
)
def test_formats_are_told_from_the_header(header, kind):
    assert formats.detect(header.split(",")) == kind


@pytest.mark.parametrize(
    "header, expected",
    [
        (["Date", "Place", "Type", "Subtype", "Coordinates", "Summary", "Source"],
         {"date": "Date", "location": "Place", "event_type": "Type", "sub_event_type": "Subtype",
          "coordinates": "Coordinates", "description": "Summary", "source": "Source"}),
        (["Datum", "Mesto", "Vrsta", "Podvrsta", "Opis", "Širina", "Dužina", "Izvor"],
         {"date": "Datum", "location": "Mesto", "event_type": "Vrsta", "sub_event_type": "Podvrsta",
          "description": "Opis", "latitude": "Širina", "longitude": "Dužina", "source": "Izvor"}),
        (["Редни број", "Датум", "Општина", "Категорија", "Белешка", "Координате"],
         {"id": "Редни број", "date": "Датум", "location": "Општина", "event_type": "Категорија", "notes": "Белешка",
          "coordinates": "Координате"}),
        (["Data", "Vendi", "Lloji", "Përshkrimi", "Burimi"],
         {"date": "Data", "location": "Vendi", "event_type": "Lloji", "description": "Përshkrimi", "source": "Burimi"}),
        (["incident_date", "lat", "lng", "incident type", "what happened", "notes"],
         {"date": "incident_date", "latitude": "lat", "longitude": "lng", "event_type": "incident type",
          "description": "what happened", "notes": "notes"}),
    ],
)
def test_mapping_guess(header, expected):
    assert {role: column for role, column in guess(header).items() if column} == expected


def test_mapping_problems_are_sentences():
    assert problems({"date": "Datum", "latitude": "Širina"}, ["Datum", "Širina"]) == [
        "choose the column with the event type or the sub-event type",
        "choose both a latitude and a longitude column (or neither)",
        "choose the place name column, or the coordinates",
        "choose the description or the notes column",
    ]
    assert problems({"weather": "x"}, ["x"])[0].startswith("'weather' is not a role; the roles are id, date, ")
