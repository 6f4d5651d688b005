"""Logs in their own words (Serbian Windows-1250, Albanian) and an ACLED export with actors and
fatalities: imported without recoding, mapped types, actors and fatalities stored and exported."""

import csv
import io
import json
from pathlib import Path

import pytest

from mapapp.export import contract_records, to_csv, to_geojson
from mapapp.filters import Filters, incident_frame
from mapapp.ingest.importer import commit, plan_import
from mapapp.ingest.value_map import propose, read_values_csv
from mapapp.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


def plan(store, name, **options):
    return plan_import((FIXTURES / name).read_bytes(), name, store, **options)


def choices(plan_):
    return [(c.value, c.rows, c.event_type, c.sub_event_type, c.origin) for c in plan_.values]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Sukob", ("Battles", "Armed clash")),
        ("Pucnjava", ("Battles", "Armed clash")),
        ("Protest", ("Protests", "Peaceful protest")),
        ("Barikade", ("Protests", "Peaceful protest")),
        ("Hapšenje", ("Strategic developments", "Arrests")),
        ("ХАПШЕЊЕ", ("Strategic developments", "Arrests")),  # Cyrillic, upper case
        ("Eksplozija", ("Explosions/Remote violence", "")),  # which kind, the word does not say
        ("Përleshje", ("Battles", "Armed clash")),
        ("Arrestim", ("Strategic developments", "Arrests")),
        ("Shpërthim", ("Explosions/Remote violence", "")),
        ("shots fired", ("Battles", "Armed clash")),
        ("Mob violence", ("Riots", "Mob violence")),
        ("riots", ("Riots", "")),
        ("Sastanak", None),  # "meeting": no rule, so nothing is guessed
    ],
)
def test_type_words_get_proposals(value, expected):
    assert propose(value) == expected


def test_serbian_windows_1250_log_in_its_own_words(store):
    result = plan(store, "serbian_log_own_types_cp1250.csv")
    assert (result.format, result.encoding, result.delimiter) == ("other", "cp1250", ";")
    assert result.mapping["event_type"] == "Tip"
    assert result.mapping["actor1"] == "Akter"
    assert result.mapping["fatalities"] == "Poginuli"
    assert choices(result) == [
        ("Sukob", 1, "Battles", "Armed clash", "proposed"),
        ("Pucnjava", 1, "Battles", "Armed clash", "proposed"),
        ("Protest", 1, "Protests", "Peaceful protest", "proposed"),
        ("Barikade", 1, "Protests", "Peaceful protest", "proposed"),
        ("Hapšenje", 1, "Strategic developments", "Arrests", "proposed"),
        ("Eksplozija", 1, "Explosions/Remote violence", "", "proposed"),
        ("Napad", 1, "Violence against civilians", "Attack", "proposed"),
        ("Sastanak", 1, "", "", ""),
    ]
    assert result.counts == {"rows": 8, "new": 7, "duplicate": 0, "updated": 0, "rejected": 1}
    # The reason names the value that has no type.
    assert [(r.row_number, r.reason) for r in result.rejected] == [
        (9, "Tip: 'Sastanak' is not mapped to an ACLED event type; map it in the import's value step "
            "(or with --values FILE)"),
    ]
    commit(result, store)
    by_place = {incident.location: incident for incident in result.new}
    zvecan = store.incident(by_place["Zvečan"].id)
    assert (zvecan.event_type, zvecan.sub_event_type, zvecan.actor1, zvecan.fatalities) == (
        "Battles", "Armed clash", "Demonstranti", 0)
    rudare = store.incident(by_place["Rudare"].id)
    assert (rudare.event_type, rudare.sub_event_type) == ("Explosions/Remote violence", "")
    banjska = store.incident(by_place["Banjska"].id)
    assert (banjska.actor1, banjska.fatalities) == ("Naoružana grupa", 4)
    assert store.incident(by_place["Jarinje"].id).fatalities is None  # empty cell: unknown, not 0
    # The log has no admin columns: municipality and district come from the places, and the note
    # says they were derived (the ACLED test below keeps a file's own admin areas as they are).
    assert {place: (i.admin2, i.admin1) for place, i in by_place.items()} == {
        "Zvečan": ("Zvečan", "Mitrovica District"),
        "Zubin Potok": ("Zubin Potok", "Mitrovica District"),
        "Leposavić": ("Leposavić", "Mitrovica District"),
        "Jarinje": ("Leposavić", "Mitrovica District"),  # the crossing, by the point's nearest village
        "Severna Mitrovica": ("North Mitrovica", "Mitrovica District"),
        "Rudare": ("Zvečan", "Mitrovica District"),
        "Banjska": ("Zvečan", "Mitrovica District"),
    }
    assert zvecan.note.endswith(
        "Admin areas derived, not in the file: admin2 'Zvečan' and admin1 'Mitrovica District' "
        "(from the place and the gazetteer, data/municipalities.csv).")


def test_users_choices_override_and_are_remembered_for_the_next_file(store, tmp_path):
    given = read_values_csv(
        "value,event_type,sub_event_type\n"
        "Sukob,Riots,Mob violence\n"
        "Sastanak,Strategic developments,Other\n"
    )
    first = plan(store, "serbian_log_own_types_cp1250.csv", values=given)
    assert first.counts["rejected"] == 0
    assert ("Sukob", 1, "Riots", "Mob violence", "yours") in choices(first)
    commit(first, store)
    # A second file with the same words (another spelling of them): the choices come back.
    data = "Datum;Mesto;Opis;Tip\n30.05.2023.;Zvečan;Novi sukob kod opštine;SUKOB\n06.08.2023.;Zvečan;Sastanak u opštini;sastanak\n"
    second = plan_import(data.encode("utf-8"), "drugi.csv", store)
    assert choices(second) == [
        ("SUKOB", 1, "Riots", "Mob violence", "remembered"),
        ("sastanak", 1, "Strategic developments", "Other", "remembered"),
    ]
    assert second.counts["new"] == 2


def test_values_file_errors_name_the_line_and_value():
    with pytest.raises(ValueError) as caught:
        read_values_csv("Sukob,Battles,Peaceful protest\n")
    assert str(caught.value) == (
        "line 1: 'Sukob': expected a sub-event type of 'Battles' (Armed clash, Government regains "
        "territory, Non-state actor overtakes territory), got 'Peaceful protest'"
    )
    with pytest.raises(ValueError) as caught:
        read_values_csv("Sukob,Fight\n")
    assert "got 'Fight'" in str(caught.value)


def test_albanian_log(store):
    result = plan(store, "albanian_log.csv")
    assert result.mapping["date"] == "Data"
    assert result.mapping["location"] == "Vendi"
    assert result.mapping["description"] == "Përshkrimi"
    assert result.mapping["event_type"] == "Lloji"
    assert result.counts == {"rows": 5, "new": 5, "duplicate": 0, "updated": 0, "rejected": 0}
    types = {incident.location: (incident.event_type, incident.sub_event_type) for incident in result.new}
    assert types == {
        "Zveçan": ("Battles", "Armed clash"),
        "Mitrovicë e Veriut": ("Strategic developments", "Arrests"),
        "Rudarë": ("Explosions/Remote violence", ""),
        "Leposaviq": ("Protests", "Peaceful protest"),
        "Jarinjë": ("Protests", "Peaceful protest"),
    }
    points = {incident.location: (incident.latitude, incident.longitude) for incident in result.new}
    assert points["Mitrovicë e Veriut"] == (42.8936, 20.8656)  # North Mitrovica, from the gazetteer


def test_acled_actors_and_fatalities_stored_and_exported_back_unchanged(store, tmp_path):
    result = plan(store, "acled_actors_fatalities.csv")
    # Rows that differ only in actor2 are distinct ACLED events, not duplicates.
    assert result.counts == {"rows": 4, "new": 4, "duplicate": 0, "updated": 0, "rejected": 0}
    commit(result, store)
    clash = store.incident("XKX3001")
    assert (clash.actor1, clash.actor2, clash.fatalities, clash.admin1, clash.admin2) == (
        "Unidentified Armed Group (Kosovo)", "Police Forces of Kosovo (2008-)", 4, "Mitrovica", "Zvecan")
    assert store.incident("XKX3002").actor2 == "KFOR: Kosovo Force (2023-)"
    explosion = store.incident("XKX3003")
    assert (explosion.sub_event_type, explosion.fatalities) == ("", None)

    frame = incident_frame(store.rows())
    mine = Filters(documents=(result.document.id,)).apply(frame)
    exported = list(csv.DictReader(io.StringIO(to_csv(contract_records(mine)))))
    assert [(r["id"], r["actor1"], r["actor2"], r["fatalities"], r["admin1"], r["admin2"]) for r in exported] == [
        ("XKX3004", "Police Forces of Kosovo (2008-)", "Civilians (Kosovo)", "0", "Mitrovica", "Mitrovica North"),
        ("XKX3003", "Unidentified Armed Group (Kosovo)", "Civilians (Kosovo)", "", "Mitrovica", "Zvecan"),
        ("XKX3001", "Unidentified Armed Group (Kosovo)", "Police Forces of Kosovo (2008-)", "4", "Mitrovica", "Zvecan"),
        ("XKX3002", "Unidentified Armed Group (Kosovo)", "KFOR: Kosovo Force (2023-)", "0", "Mitrovica", "Zvecan"),
    ]
    geojson = json.loads(to_geojson(contract_records(mine)))
    assert [f["properties"]["fatalities"] for f in geojson["features"]] == [0, None, 4, 0]

    # The export read into another store gives the same actors and fatalities.
    other = Store(tmp_path / "other.db")
    again = plan_import(to_csv(contract_records(mine)).encode(), "export.csv", other)
    assert again.format == "contract"
    assert again.counts["new"] == 4
    commit(again, other)
    assert [(i.id, i.actor1, i.actor2, i.fatalities, i.admin2) for i in sorted(again.new, key=lambda i: i.id)] == [
        ("XKX3001", "Unidentified Armed Group (Kosovo)", "Police Forces of Kosovo (2008-)", 4, "Zvecan"),
        ("XKX3002", "Unidentified Armed Group (Kosovo)", "KFOR: Kosovo Force (2023-)", 0, "Zvecan"),
        ("XKX3003", "Unidentified Armed Group (Kosovo)", "Civilians (Kosovo)", None, "Zvecan"),
        ("XKX3004", "Police Forces of Kosovo (2008-)", "Civilians (Kosovo)", 0, "Mitrovica North"),
    ]
    other.close()


def test_ucdp_sides_and_best_estimate(store):
    result = plan(store, "ucdp_ged_kosovo.csv")
    first = next(incident for incident in result.new if incident.id == "100101")
    assert (first.actor1, first.actor2, first.fatalities, first.admin1, first.admin2) == (
        "Government of Serbia (Yugoslavia)", "UCK", 58, "Kosovo province", "Srbica municipality")


def test_an_older_store_is_upgraded_in_place(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with Store(path) as store:
        count = store.count()
    db = sqlite3.connect(path)
    # Make it look like a store from before the actor columns (schema version 0).
    for table in ("incidents", "replaced_incidents"):
        for column in ("actor1", "actor2", "fatalities", "admin1", "admin2"):
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.count() == count
        incident = store.incidents()[0]
        assert (incident.actor1, incident.fatalities) == ("", None)
        commit(plan(store, "acled_actors_fatalities.csv"), store)
        assert store.incident("XKX3001").fatalities == 4


# A log with its own precision and country words (Serbian, Latin and Cyrillic).
CODED_LOG = (
    "Datum;Mesto;Opis;Tip;Preciznost;Država;Koordinate\n"
    "29.05.2023.;Zvečan;Sukob ispred opštine;Sukob;tačno;Kosovo;\n"
    "30.05.2023.;Leposavić;Protest u centru;Protest;opština;Косово;\n"
    "31.05.2023.;;Hapšenje na jugu Srbije;Hapšenje;država;Srbija;\n"
    "01.06.2023.;Zubin Potok;Barikade na putu;Barikade;otprilike;Kosovo;\n"
    "02.06.2023.;Raška;Protest u Raškoj;Protest;tačno;Kosovo;43.2872, 20.6153\n"
).encode("utf-8")


def test_precision_and_country_words_are_listed_proposed_and_applied(store):
    result = plan_import(CODED_LOG, "kodovi.csv", store)
    assert (result.mapping["geo_precision"], result.mapping["country"]) == ("Preciznost", "Država")
    codes = [(c.role, c.value, c.rows, c.code, c.origin) for c in result.values if hasattr(c, "role")]
    assert codes == [
        ("geo_precision", "tačno", 2, "1", "proposed"),
        ("geo_precision", "opština", 1, "3", "proposed"),
        ("geo_precision", "država", 1, "5", "proposed"),
        ("geo_precision", "otprilike", 1, "", ""),  # "roughly": no rule knows it
        ("country", "Kosovo", 4, "XK", "proposed"),  # Косово is the same word in Cyrillic
        ("country", "Srbija", 1, "RS", "proposed"),
    ]
    assert [(r.row_number, r.reason) for r in result.rejected] == [
        (5, "Preciznost: 'otprilike' is not mapped to a location precision (1 exact place ... 5 country); "
            "map it in the import's value step (or with --values FILE)"),
    ]
    by_row = {incident.id.rsplit("-row", 1)[1]: incident for incident in result.new}
    assert {row: incident.geo_precision for row, incident in by_row.items()} == {"2": 1, "3": 3, "4": 5, "6": 1}
    # A row that names no place is put in the country its country cell names.
    serbia = by_row["4"]
    assert (serbia.location, serbia.latitude, serbia.longitude) == ("Serbia", 44.189919, 20.787989)
    assert serbia.note.startswith("No place given: located in the country the file names (Država 'Srbija').")
    # A point of the file on the other side of the boundary from its country cell is kept, with a note.
    assert "Država 'Kosovo' says Kosovo, but the point is in Serbia: check it." in by_row["6"].note


def test_precision_and_country_words_from_a_values_file_are_remembered(store):
    given = read_values_csv("value,event_type,sub_event_type\nprecision:otprilike,2\ncountry:Srbija,\n")
    first = plan_import(CODED_LOG, "kodovi.csv", store, values=given)
    codes = {(c.role, c.value): (c.code, c.origin) for c in first.values if hasattr(c, "role")}
    assert codes[("geo_precision", "otprilike")] == ("2", "yours")
    assert codes[("country", "Srbija")] == ("", "")  # left unmapped: the row is read without it
    assert first.counts["rejected"] == 1  # row 4: no place, no point, and its country not used
    assert first.rejected[0].reason == "no coordinates and no place name to look up"
    commit(first, store)
    again = plan_import(CODED_LOG.replace(b"otprilike", b"OTPRILIKE"), "kodovi-2.csv", store)
    codes = {(c.role, c.value): (c.code, c.origin) for c in again.values if hasattr(c, "role")}
    assert codes[("geo_precision", "OTPRILIKE")] == ("2", "remembered")
    assert codes[("geo_precision", "tačno")] == ("1", "remembered")
    assert codes[("country", "Srbija")] == ("RS", "proposed")  # an unmapped word is not remembered


def test_values_file_errors_for_precision_and_country_words():
    with pytest.raises(ValueError) as caught:
        read_values_csv("precision:otprilike,7\n")
    assert str(caught.value) == (
        "line 1: 'otprilike': expected one of 1 (1 exact place), 2 (2 near a named place), 3 (3 municipality), "
        "4 (4 wider region), 5 (5 country), got '7'")
    with pytest.raises(ValueError) as caught:
        read_values_csv("country:Crna Gora,ME\n")
    assert str(caught.value) == "line 1: 'Crna Gora': expected one of XK (Kosovo), RS (Serbia), got 'ME'"


@pytest.mark.parametrize("name, rows", [("serbian_log_own_types_cp1250.csv", 7), ("albanian_log.csv", 5)])
def test_a_local_log_is_exported_back_unchanged(store, tmp_path, name, rows):
    result = plan(store, name)
    commit(result, store)
    fields = ("id", "date_start", "event_type", "sub_event_type", "location", "latitude", "longitude",
              "geo_precision", "actor1", "actor2", "fatalities", "admin1", "admin2", "description")
    frame = incident_frame(store.rows())
    mine = Filters(documents=(result.document.id,)).apply(frame)
    exported = to_csv(contract_records(mine))
    stored = sorted(tuple(str(getattr(store.incident(i.id), f)) for f in fields) for i in result.new)
    assert len(stored) == rows
    # Read back into an empty store, the export gives the same incidents, field for field.
    other = Store(tmp_path / "other.db")
    again = plan_import(exported.encode(), "export.csv", other)
    assert again.format == "contract" and again.counts["new"] == rows and again.counts["rejected"] == 0
    commit(again, other)
    assert sorted(tuple(str(getattr(other.incident(i.id), f)) for f in fields) for i in again.new) == stored
    other.close()
