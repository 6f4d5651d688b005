"""The upload section driven with AppTest through a tiny wrapper script around upload_section.

AppTest (streamlit 1.67) can set a file on st.file_uploader, read metrics, dataframes, widget
labels and click buttons; it cannot download what st.download_button offers, so the content of
the rejected-rows CSV is tested on the plan directly (test_ingest_import.py).
"""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mapapp.map_build import base_map
from mapapp.store import Store
from tests.map_scripts import layer_script
from tests.test_app import DATA_CALL

FIXTURES = Path(__file__).parent / "fixtures"

# The store comes from $MAPAPP_DB, which the db_path fixture points at a temporary file.
SCRIPT = """
from mapapp.store import Store
from mapapp.upload_ui import upload_section

upload_section(Store(), expanded=True)
"""


@pytest.fixture
def app(db_path):
    Store(db_path).close()  # seeded before the app first runs
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def upload(at, name, data=None):
    data = (FIXTURES / name).read_bytes() if data is None else data
    at.file_uploader[0].set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def texts(at):
    return [text.value for text in at.text]


def test_acled_upload_previews_then_adds_on_one_click(app, db_path):
    before = Store(db_path).count()
    upload(app, "acled_kosovo.csv")
    assert "Recognised as: ACLED export · UTF-8 · comma-separated · 5 rows" in texts(app)
    assert metrics(app) == {"New": "5", "Duplicate": "0", "Updated": "0", "Rejected": "0"}
    # What will be stored, as it will be stored: dates and places in words with their precision.
    (preview,) = app.dataframe
    table = preview.value
    assert list(table.columns) == ["id", "date", "type", "place", "latitude", "longitude", "km to boundary", "description", "note"]
    assert table["id"].tolist() == ["XKX2301", "XKX2302", "XKX2303", "XKX2304", "SRB2305"]
    assert table["date"].tolist() == [
        "2023-05-29 (day)", "2023-05-26 (day)", "2023-05-30 (day)",
        "2022-12-07 – 2022-12-13 (week)", "September 2023 (month)",
    ]
    assert table["place"].iloc[4] == "Raska · wider region (~25 km)"
    assert (table["latitude"].iloc[0], table["longitude"].iloc[0]) == (42.9075, 20.8403)
    assert Store(db_path).count() == before  # nothing stored by the preview
    (button,) = app.button
    assert button.label == "Add 5 incidents"
    button.click()
    app.run()
    assert not app.exception
    assert Store(db_path).count() == before + 5
    assert [success.value for success in app.success] == ["Added 5 new incidents and updated 0."]
    # The uploader was cleared: the finished file is not offered again.
    assert app.file_uploader[0].value is None
    assert not app.button


def test_the_same_file_again_offers_nothing_to_add(app, db_path):
    upload(app, "acled_kosovo.csv")
    app.button[0].click()
    app.run()
    upload(app, "acled_kosovo.csv")
    assert metrics(app) == {"New": "0", "Duplicate": "5", "Updated": "0", "Rejected": "0"}
    assert app.button[0].label == "Add 0 incidents"
    assert app.button[0].disabled


def test_rejected_rows_are_listed_with_reasons_and_offered_for_download(app, db_path):
    upload(app, "mixed_good_bad.csv")
    assert metrics(app) == {"New": "4", "Duplicate": "1", "Updated": "0", "Rejected": "8"}
    added, rejected, duplicates = app.dataframe
    assert len(added.value) == 4
    table = rejected.value
    assert list(table.columns) == ["row", "reason", "Date", "Place", "Type", "Subtype", "Coordinates", "Summary", "Source", "extra_1"]
    assert table["row"].tolist() == [4, 5, 6, 7, 8, 9, 12, 14]
    assert table["reason"].iloc[3] == "place 'Atlantis' not found in the gazetteer"
    assert table["Summary"].iloc[7] == '=HYPERLINK("http://example.invalid","click")'  # shown as text
    assert duplicates.value["reason"].tolist() == ["same content: no id, and the same date, type, place and description as row 3"]
    assert [button.label for button in app.download_button] == ["Download the 8 rejected rows (CSV)"]
    assert app.button[0].label == "Add 4 incidents"


def test_an_unknown_file_gets_a_pre_filled_column_mapping(app, db_path):
    upload(app, "serbian_log_cp1250.csv")
    assert "Recognised as: other CSV (needs a column mapping) · Windows-1250 (Central European Latin) · semicolon-separated · 5 rows" in texts(app)
    chosen = {box.label: box.value for box in app.selectbox}
    assert chosen["Date (or first day)"] == "Datum"
    assert chosen["Place name"] == "Mesto"
    assert chosen["Latitude"] == "Širina"
    assert chosen["Longitude"] == "Dužina"
    assert chosen["Description (one line)"] == "Opis"
    assert chosen["Identifier"] == "—"
    assert metrics(app)["New"] == "5"
    # Unmapping the place and the coordinates leaves nothing to locate the incidents by.
    for label in ("Place name", "Latitude", "Longitude"):
        next(box for box in app.selectbox if box.label == label).set_value("—")
    app.run()
    assert [warning.value for warning in app.warning] == ["Choose the columns to read:"]
    assert "choose the place name column, or the coordinates" in texts(app)
    assert not app.button


def test_a_cyrillic_windows_1251_log_is_named_mapped_and_previewed(app, db_path):
    upload(app, "serbian_log_cp1251.csv")
    assert "Recognised as: other CSV (needs a column mapping) · Windows-1251 (Cyrillic) · semicolon-separated · 5 rows" in texts(app)
    chosen = {box.label: box.value for box in app.selectbox}
    assert (chosen["Date (or first day)"], chosen["Place name"], chosen["Description (one line)"]) == ("Датум", "Место", "Опис")
    assert metrics(app) == {"New": "4", "Duplicate": "0", "Updated": "0", "Rejected": "1"}
    added, rejected = app.dataframe
    assert added.value["place"].tolist() == [
        "Звечан · near a named place", "Лепосавић · exact place", "Јариње · near a named place",
        "Северна Митровица · exact place",
    ]
    assert added.value["date"].tolist() == ["2023-05-29 (day)", "2023-05-26 (day)", "2022-12-10 (day)", "2023-09-25 (day)"]
    assert rejected.value["reason"].tolist() == ["place 'Атлантида' not found in the gazetteer"]


def test_a_long_file_previews_only_its_first_rows(app, db_path):
    rows = "".join(f"2023-05-{day:02d},Zvecan,Riots,Mob violence,Clash number {k}\n" for k in range(250) for day in [1 + k % 28])
    upload(app, "long.csv", ("Date,Place,Type,Subtype,Summary\n" + rows).encode())
    assert metrics(app)["New"] == "250"
    assert "**To be added** (the first 200 of 250), as they will be stored: check the dates and places." in [
        element.value for element in app.markdown
    ]
    assert len(app.dataframe[0].value) == 200


def test_an_unusable_file_shows_why_and_stores_nothing(app, db_path):
    rows = Store(db_path).rows()
    upload(app, "empty.csv", b"")
    assert [error.value for error in app.error] == ["This file cannot be imported; nothing was stored."]
    assert "the file is empty" in texts(app)
    assert not app.button
    assert Store(db_path).rows() == rows


def test_file_text_is_never_rendered_as_markdown(app, db_path):
    payload = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1))"
    data = f"Date,Place,Type,Subtype,Summary\nnot a date,Zvecan,Riots,Mob violence,{payload}\n".encode()
    upload(app, "payload.csv", data)
    rendered_markdown = " ".join(element.value for element in app.markdown)
    assert "onerror" not in rendered_markdown and "javascript" not in rendered_markdown
    assert app.dataframe[0].value["Summary"].tolist() == [payload]
    # Nothing to add: the rejected table is the only one.
    assert len(app.dataframe) == 1


UPLOADS_SCRIPT = """
from mapapp.store import Store
from mapapp.upload_ui import uploads_section

uploads_section(Store())
"""


def test_an_upload_is_taken_back_only_after_confirmation(db_path):
    from mapapp.ingest.importer import commit, plan_import

    with Store(db_path) as store:
        for name in ("acled_kosovo.csv", "acled_kosovo_update.csv"):
            plan = plan_import((FIXTURES / name).read_bytes(), name, store)
            commit(plan, store)
        update = plan.document.id
        listed = {row["id"]: row for row in store.uploads()}
    at = AppTest.from_string(UPLOADS_SCRIPT, default_timeout=60).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["title", "added (UTC)", "incidents citing it", "earlier versions it replaced", "id"]
    assert table["title"].tolist() == ["Upload: acled_kosovo.csv", "Upload: acled_kosovo_update.csv"]
    assert dict(zip(table["id"], table["earlier versions it replaced"])) == {
        upload: row["replaced"] for upload, row in listed.items()
    }
    (choice,) = at.selectbox
    choice.set_value(update).run()
    (button,) = at.button
    assert button.disabled  # nothing goes before the box is ticked
    (sure,) = at.checkbox
    assert sure.label == "Remove its 1 incidents and restore the 1 earlier versions it replaced"
    sure.check().run()
    at.button[0].click().run()
    assert not at.exception
    assert [success.value for success in at.success] == [
        "Removed the upload: 1 incidents removed, 1 earlier versions restored."
    ]
    with Store(db_path) as store:
        assert [row["id"] for row in store.uploads()] == [next(u for u in listed if u != update)]
        assert store.incident("XKX2301").source_timestamp == 1685989234


def test_long_lists_of_rejected_and_duplicate_rows_show_their_first_rows(app):
    from mapapp.upload_ui import RESULT_ROWS

    count = RESULT_ROWS + 5
    rows = "".join(f"not a date,Zvecan,Riots,Mob violence,Clash number {k}\n" for k in range(count))
    upload(app, "bad.csv", ("Date,Place,Type,Subtype,Summary\n" + rows).encode())
    assert metrics(app)["Rejected"] == str(count)
    headings = [element.value for element in app.markdown]
    assert f"**Rejected rows** (not stored) — the first {RESULT_ROWS:,} of {count:,}, with the reason:" in headings
    table = app.dataframe[0].value
    assert len(table) == RESULT_ROWS
    assert table["row"].tolist()[:2] == [2, 3]
    assert [button.label for button in app.download_button] == [f"Download the {count} rejected rows (CSV)"]


def test_a_long_list_of_duplicates_shows_its_first_rows(app):
    from mapapp.upload_ui import RESULT_ROWS

    rows = "2023-05-29,Zvecan,Riots,Mob violence,The same clash\n" * (RESULT_ROWS + 2)
    upload(app, "same.csv", ("Date,Place,Type,Subtype,Summary\n" + rows).encode())
    assert metrics(app) == {"New": "1", "Duplicate": str(RESULT_ROWS + 1), "Updated": "0", "Rejected": "0"}
    headings = [element.value for element in app.markdown]
    assert (
        f"**Duplicates** (already stored, or repeated in the file; {RESULT_ROWS + 1:,} by same content) — the first "
        f"{RESULT_ROWS:,} of {RESULT_ROWS + 1:,}. A row with an id is a duplicate only by its id; content decides "
        "only for rows without one:" in headings
    )
    added, duplicates = app.dataframe
    assert len(duplicates.value) == RESULT_ROWS
    assert duplicates.value["reason"].iloc[0] == "same content: no id, and the same date, type, place and description as row 2"


def test_a_file_in_the_uploader_is_read_once_not_on_every_rerun(app, monkeypatch):

    import mapapp.ingest.importer as importer

    calls = []
    real = importer.read_table
    monkeypatch.setattr(importer, "read_table", lambda data, limits: calls.append(len(data)) or real(data, limits))
    upload(app, "acled_kosovo.csv")
    app.run()
    app.run()
    # Read once, for inspecting and for planning alike, and not again on reruns.
    assert calls == [len((FIXTURES / "acled_kosovo.csv").read_bytes())]
    assert app.button(key="upload-add").label == "Add 5 incidents"
    assert metrics(app)["New"] == "5"


def test_a_log_in_its_own_words_gets_a_value_step(app, db_path):
    upload(app, "serbian_log_own_types_cp1250.csv")
    shown = texts(app)
    assert "Sukob · 1 row · proposed" in shown
    assert "Sastanak · 1 row" in shown
    words = {box.label: box for box in app.selectbox if box.label.startswith("ACLED type of word")}
    assert len(words) == 8
    assert words["ACLED type of word 1"].value == ("Battles", "Armed clash")
    assert words["ACLED type of word 6"].value == ("Explosions/Remote violence", "")  # Eksplozija
    assert words["ACLED type of word 8"].value == ("", "")  # Sastanak: no rule knows it
    assert metrics(app) == {"New": "7", "Duplicate": "0", "Updated": "0", "Rejected": "1"}
    words["ACLED type of word 8"].set_value(("Strategic developments", "Other"))
    app.run()
    assert not app.exception
    assert metrics(app) == {"New": "8", "Duplicate": "0", "Updated": "0", "Rejected": "0"}
    app.button[0].click()
    app.run()
    assert not app.exception
    with Store(db_path) as store:
        assert store.remembered_values()["sastanak"] == ("Strategic developments", "Other")


def test_the_preview_names_the_place_a_misspelling_was_taken_for(app, folium_calls):
    data = ("Datum;Mesto;Opis;Tip\n29.05.2023.;Lepozavic;Protest ispred opštine;Protest\n"
            "30.05.2023.;Лепосавић;Protest u centru;Protest\n").encode()
    upload(app, "log.csv", data)
    (preview,) = app.dataframe
    # A similar spelling is not called an exact place; a name of the place in another alphabet is.
    assert preview.value["place"].tolist() == [
        "Lepozavic → Leposaviq? · similar spelling, check it",
        "Лепосавић · exact place",
    ]
    # Before Add, a map shows where the two will be: the main map's layer, their data inline.
    (call,) = folium_calls.calls
    assert (call["key"], call["height"], call["returned_objects"]) == ("upload-map", 340, [])
    args = json.loads(DATA_CALL.search(layer_script(call["feature_group_to_add"], base_map())).group(1))
    assert (args["n"], args["shown"]) == (2, 2)
    ids = preview.value["id"].tolist()
    assert [row[0] for row in args["inline"]["details"]] == ids and ids[1].endswith("-row3")
    assert (round(call["center"][0], 2), round(call["center"][1], 2), call["zoom"]) == (43.1, 20.8, 12)


def test_a_newer_version_of_a_corrected_incident_is_kept_out_and_said_so(app, db_path):
    from mapapp.ingest.importer import commit, plan_import
    from mapapp.roles import Person

    store = Store(db_path)
    commit(plan_import((FIXTURES / "acled_kosovo.csv").read_bytes(), "acled_kosovo.csv", store), store)
    store.acting(Person("erin@example.org", "editor")).correct("XKX2301", {"description": "Corrected."}, "shorter")
    upload(app, "acled_kosovo_update.csv")
    assert metrics(app) == {"New": "0", "Duplicate": "1", "Updated": "0", "Rejected": "0"}
    assert [info.value for info in app.info] == [
        "1 incident has corrections; kept (the source's newer version goes into the history): an editor's "
        "correction stays as it is; the file's version of XKX2301 is listed in the incident's history."
    ]
    (button,) = app.button
    assert button.label == "Add 0 incidents and list 1 newer version in the history"
    button.click()
    app.run()
    assert [success.value for success in app.success] == [
        "Added 0 new incidents and updated 0. 1 incident has corrections; kept (the source's newer version goes "
        "into the history)."
    ]
    assert store.incident("XKX2301").description == "Corrected."
    assert [entry["kind"] for entry in store.history("XKX2301")] == ["correction", "source"]


def test_the_value_step_maps_precision_and_country_words_too(app, db_path):
    from tests.test_ingest_local_logs import CODED_LOG

    upload(app, "kodovi.csv", CODED_LOG)
    assert metrics(app) == {"New": "4", "Duplicate": "0", "Updated": "0", "Rejected": "1"}
    boxes = {box.label: box for box in app.selectbox}
    precision = [boxes[f"geo_precision of word {n}"].value for n in range(1, 5)]
    assert precision == ["1", "3", "5", ""]  # tačno, opština, država, otprilike (unknown)
    assert [boxes[f"country of word {n}"].value for n in (1, 2)] == ["XK", "RS"]
    assert "otprilike · 1 row" in texts(app) and "Kosovo · 4 rows · proposed" in texts(app)
    boxes["geo_precision of word 4"].set_value("2")
    app.run()
    assert not app.exception
    assert metrics(app) == {"New": "5", "Duplicate": "0", "Updated": "0", "Rejected": "0"}
    app.button[0].click()
    app.run()
    assert not app.exception
    with Store(db_path) as store:
        remembered = store.remembered_values()
    assert remembered["geo_precision\x1eotprilike"] == ("2", "")
    assert remembered["country\x1esrbija"] == ("RS", "")
