"""Every input of issue 9 (points 3 and 5): a one-line message naming the bad value and what
was expected, the documented exit code, nothing stored; the app shows the same message.

The command line is driven in-process (mapapp.cli.main) on real files and real stores; the
app's upload section through AppTest.
"""

import csv
import io
import os

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.bench_concurrency import ACLED_HEADER, write_acled
from mapapp import cli
from mapapp.ingest.importer import commit, plan_import
from mapapp.store import Store

SEED_IDS = {f"seed-000-0{n}" for n in range(1, 9)}


def run(capsys, *args):
    status = cli.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err.strip()


def stored_ids(db):
    with Store(db) as store:
        return {row["id"] for row in store.rows()}


def acled_with_timestamp(path, timestamp):
    write_acled(path, 2, 100)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][ACLED_HEADER.index("timestamp")] = timestamp
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_an_acled_timestamp_too_large_for_the_store_rejects_its_row(tmp_path, capsys):
    db = tmp_path / "store.db"
    path = acled_with_timestamp(tmp_path / "acled.csv", "1e30")
    status, out, err = run(capsys, "ingest", path, "--db", db)
    assert (status, err) == (1, "")
    assert "rejected row 3: timestamp: expected a whole number of seconds from 0 to 9223372036854775807, " \
           "got 1000000000000000019884624838656" in out
    assert stored_ids(db) == SEED_IDS | {"XKX9000000"}


APP = """
from mapapp.store import Store
from mapapp.upload_ui import upload_section

upload_section(Store(), expanded=True)
"""


def test_an_acled_timestamp_too_large_is_rejected_behind_the_add_button_too(tmp_path, db_path):
    data = acled_with_timestamp(tmp_path / "acled.csv", "1e30").read_bytes()
    Store(db_path).close()
    at = AppTest.from_string(APP, default_timeout=60).run()
    at.file_uploader[0].set_value(("acled.csv", data, "text/csv")).run()
    at.button(key="upload-add").click().run()
    assert not at.exception
    assert at.success[0].value == "Added 1 new incidents and updated 0."
    assert stored_ids(db_path) == SEED_IDS | {"XKX9000000"}


def test_a_file_name_that_is_not_utf8_is_stored_and_printed_readably(tmp_path, capsys):
    db = tmp_path / "store.db"
    path = os.path.join(os.fsencode(tmp_path), b"\xff\xfe-log.csv")
    write_acled(os.fsdecode(path), 2, 100)
    status, out, err = run(capsys, "ingest", os.fsdecode(path), "--db", db)
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "file: \ufffd\ufffd-log.csv: ACLED export, UTF-8, comma-separated, 2 rows"
    with Store(db) as store:
        assert [upload["title"] for upload in store.uploads()] == ["Upload: \ufffd\ufffd-log.csv"]


@pytest.mark.parametrize(("target", "message"), [
    ("folder", "error: --rejected {path!r} is a folder; expected a file path"),
    ("missing/x.csv", "error: cannot write --rejected {path!r}: No such file or directory; nothing was stored"),
])
def test_a_rejected_rows_path_that_cannot_be_written_stores_nothing(tmp_path, capsys, target, message):
    db = tmp_path / "store.db"
    (tmp_path / "folder").mkdir()
    log = tmp_path / "log.csv"
    log.write_text("date,type,place,description,lat,lon\n2023-05-29,Protests,Zvečan,Protest,42.9075,20.84\n"
                   "31/02/2023,Protests,Zvečan,Bad date,42.9,20.8\n", encoding="utf-8")
    path = str(tmp_path / target)
    status, out, err = run(capsys, "ingest", log, "--db", db, "--rejected", path)
    assert (status, out, err) == (2, "", message.format(path=path))
    assert stored_ids(db) == SEED_IDS


def test_the_rejected_rows_file_is_written_before_the_commit(tmp_path, capsys):
    db = tmp_path / "store.db"
    log = tmp_path / "log.csv"
    log.write_text("date,type,place,description,lat,lon\n2023-05-29,Protests,Zvečan,Protest,42.9075,20.84\n"
                   "31/02/2023,Protests,Zvečan,Bad date,42.9,20.8\n", encoding="utf-8")
    status, out, _ = run(capsys, "ingest", log, "--db", db, "--rejected", tmp_path / "rejected.csv")
    assert status == 1
    assert out.splitlines().index(f"rejected rows written to {tmp_path / 'rejected.csv'}") < len(out.splitlines())
    rows = list(csv.reader(io.StringIO((tmp_path / "rejected.csv").read_text(encoding="utf-8-sig"))))
    assert rows[1][:4] == ["31/02/2023", "Protests", "Zvečan", "Bad date"]
    assert len(stored_ids(db)) == 9


def test_rejected_rows_leave_no_text_in_the_upload_document(tmp_path, store):
    log = ("date,type,place,description,lat,lon\n"
           "2023-05-29,Protests,Zvečan,Protest at the hall,42.9075,20.84\n"
           "31/02/2023,Protests,Zvečan,SECRET rejected text,42.9,20.8\n"
           "2023-05-30,Protests,Zvečan,Latitude wrong,142.9,20.8\n").encode()
    plan = plan_import(log, "log.csv", store)
    assert [result.row_number for result in plan.rejected] == [3, 4]
    commit(plan, store)
    text = store.document(plan.document.id).text
    assert "Protest at the hall" in text
    assert "SECRET" not in text and "Latitude wrong" not in text


def test_mixed_encodings_are_reported_not_garbled(tmp_path, capsys):
    db = tmp_path / "store.db"
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "date,type,place,description,lat,lon\n".encode()
        + "2023-05-29,Protests,Zvečan,Protest in Zvečan,42.9075,20.84\n".encode("utf-8")
        + "2023-05-30,Protests,Zvečan,Protest in Zvečan again,42.9075,20.84\n".encode("cp1250")
    )
    status, out, err = run(capsys, "ingest", path, "--db", db)
    assert (status, out) == (2, "")
    assert err == ("error: the file mixes encodings: line 2 is UTF-8 but line 3 is not (it holds bytes of "
                   "another code page, such as Windows-1250); save the whole file in one encoding (UTF-8) "
                   "and upload it again")
    assert stored_ids(db) == SEED_IDS


def test_a_title_line_above_the_header_is_skipped_and_said(tmp_path, capsys):
    db = tmp_path / "store.db"
    path = write_acled(tmp_path / "acled.csv", 3, 100)
    path.write_text("ACLED export: Kosovo, May 2023\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    status, out, err = run(capsys, "ingest", path, "--db", db)
    assert (status, err) == (0, "")
    assert out.splitlines()[:3] == [
        "file: acled.csv: ACLED export, UTF-8, comma-separated, 3 rows",
        "skipped above the header: ACLED export: Kosovo, May 2023",
        "accepted: 3",
    ]


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_special_files_are_refused_without_reading_them(tmp_path, capsys, special):
    if special == "fifo":
        special = str(tmp_path / "fifo")
        os.mkfifo(special)
    status, out, err = run(capsys, "ingest", special, "--db", tmp_path / "store.db")
    assert (status, out) == (2, "")
    assert err == f"error: cannot read {special!r}: it is not a regular file (a device, pipe or socket); " \
                  "expected a file"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("MAPAPP_MAX_UPLOAD_MB", "inf", "a number of megabytes above 0, at most 4,096"),
    ("MAPAPP_MAX_UPLOAD_MB", "1e400", "a number of megabytes above 0, at most 4,096"),
    ("MAPAPP_MAX_ROWS", "1" + "0" * 30, "a whole number from 1 to 10,000,000"),
])
def test_limits_that_cannot_be_used_are_named(tmp_path, capsys, monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    path = write_acled(tmp_path / "acled.csv", 2, 100)
    status, out, err = run(capsys, "ingest", path, "--db", tmp_path / "store.db")
    assert (status, out, err) == (2, "", f"error: ${name} must be {expected}, got {value!r}")


def test_one_setting_sets_both_upload_limits(db_path, monkeypatch):
    from streamlit import config

    monkeypatch.setenv("MAPAPP_MAX_UPLOAD_MB", "7")
    Store(db_path).close()
    try:
        at = AppTest.from_string(APP, default_timeout=60).run()
        assert at.file_uploader[0].proto.max_upload_size_mb == 7  # the browser's check
        assert config.get_option("server.maxUploadSize") == 7  # the server's, for every request
    finally:
        config.set_option("server.maxUploadSize", 100)


def test_a_wrong_limit_turns_uploads_off_with_the_message(db_path, monkeypatch):
    monkeypatch.setenv("MAPAPP_MAX_UPLOAD_MB", "inf")
    Store(db_path).close()
    at = AppTest.from_string(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error[0].value == "Uploads are off: the upload limit is set wrongly on the server."
    assert at.text[0].value == "$MAPAPP_MAX_UPLOAD_MB must be a number of megabytes above 0, at most 4,096, got 'inf'"


def test_the_app_shows_a_store_fault_in_one_line_without_the_path(tmp_path, monkeypatch):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    monkeypatch.setenv("MAPAPP_DB", str(folder))
    at = AppTest.from_file("../streamlit_app.py", default_timeout=60).run()
    assert not at.exception
    assert [element.value for element in at.error] == [
        "The incident store cannot be used: the incident store is a folder; expected an SQLite file "
        "(or a path where one can be created)."
    ]
    assert str(tmp_path) not in at.error[0].value


@pytest.mark.parametrize(("name", "title"), [("\udcff\udcfe.csv", "Upload: \ufffd\ufffd.csv"), ("a\ud800.csv", "Upload: a?.csv")])
def test_a_file_name_with_undecodable_characters_is_stored_readably(tmp_path, store, name, title):
    plan = plan_import(write_acled(tmp_path / "acled.csv", 2, 100).read_bytes(), name, store)
    commit(plan, store)
    assert [upload["title"] for upload in store.uploads()] == [title]
