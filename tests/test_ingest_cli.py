"""`python -m mapapp ingest FILE --db PATH`: exit codes 0 / 1 / 2 and what it prints."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from mapapp.store import Store

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def ingest(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "mapapp", "ingest", *map(str, args)],
        capture_output=True, text=True, cwd=PROJECT, timeout=120, env=env,
    )


def stored_rows(db):
    with Store(db) as store:
        return store.rows()


def test_all_rows_stored_exits_0(tmp_path):
    db = tmp_path / "store.db"
    result = ingest(FIXTURES / "acled_kosovo.csv", "--db", db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    upload = lines[-1].split()[3]
    assert upload.startswith("upload-") and len(upload) == len("upload-") + 16
    assert lines == [
        "file: acled_kosovo.csv: ACLED export, UTF-8, comma-separated, 5 rows",
        "accepted: 5",
        "duplicate: 0",
        "updated: 0",
        "rejected: 0",
        f"stored as upload {upload} (take it back with: python -m mapapp remove-upload {upload})",
    ]
    ids = {row["id"] for row in stored_rows(db)}
    assert {"XKX2301", "XKX2302", "XKX2303", "XKX2304", "SRB2305"} <= ids


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "mapapp", *map(str, args)], capture_output=True, text=True, cwd=PROJECT, timeout=120,
    )


def test_uploads_lists_and_remove_upload_takes_an_update_back(tmp_path):
    db = tmp_path / "store.db"
    assert run("uploads", "--db", db).stdout == "no uploaded files are stored\n"
    first = ingest(FIXTURES / "acled_kosovo.csv", "--db", db).stdout.splitlines()[-1].split()[3]
    after_first = stored_rows(db)
    update = ingest(FIXTURES / "acled_kosovo_update.csv", "--db", db).stdout.splitlines()[-1].split()[3]
    listed = run("uploads", "--db", db)
    assert listed.returncode == 0
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    # id, when it was added (UTC), counts, title; oldest first.
    assert [(line[0], line[2], line[3]) for line in lines] == [
        (first, "4 incident(s)", "Upload: acled_kosovo.csv"),
        (update, "1 incident(s), replaced 1 earlier version(s)", "Upload: acled_kosovo_update.csv"),
    ]
    assert all(dt.datetime.fromisoformat(line[1]).tzinfo is not None for line in lines)
    removed = run("remove-upload", update, "--db", db)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout == f"removed {update}: 1 incident(s) removed, 1 earlier version(s) restored\n"
    assert stored_rows(db) == after_first


def test_remove_upload_refuses_a_seed_document_and_changes_nothing(tmp_path):
    db = tmp_path / "store.db"
    rows = stored_rows(db)
    result = run("remove-upload", "000_5c3697c2ad0ae6c3", "--db", db)
    assert result.returncode == 2
    assert result.stderr == (
        "error: document_id: expected the id of an uploaded file: none is stored, got '000_5c3697c2ad0ae6c3'\n"
    )
    assert stored_rows(db) == rows


def test_a_second_run_finds_only_duplicates_and_exits_0(tmp_path):
    db = tmp_path / "store.db"
    assert ingest(FIXTURES / "acled_kosovo.csv", "--db", db).returncode == 0
    rows = stored_rows(db)
    result = ingest(FIXTURES / "acled_kosovo.csv", "--db", db)
    assert result.returncode == 0
    assert result.stdout.splitlines()[1:5] == ["accepted: 0", "duplicate: 5 (5 by same id)", "updated: 0", "rejected: 0"]
    assert "duplicate row 2: same id: id 'XKX2301' is already stored (stored timestamp 1685989234, this row's 1685989234: not newer)" in result.stdout
    assert stored_rows(db) == rows


def test_an_update_is_counted(tmp_path):
    db = tmp_path / "store.db"
    ingest(FIXTURES / "acled_kosovo.csv", "--db", db)
    result = ingest(FIXTURES / "acled_kosovo_update.csv", "--db", db)
    assert result.returncode == 0
    assert result.stdout.splitlines()[1:5] == ["accepted: 0", "duplicate: 1 (1 by same id)", "updated: 1", "rejected: 0"]


def test_some_rows_rejected_exits_1_and_stores_the_others(tmp_path):
    db = tmp_path / "store.db"
    before = len(stored_rows(db))
    rejected = tmp_path / "rejected.csv"
    result = ingest(FIXTURES / "mixed_good_bad.csv", "--db", db, "--rejected", rejected)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "file: mixed_good_bad.csv: other CSV (columns mapped), UTF-8, comma-separated, 13 rows",
        "columns: date=Date, event_type=Type, sub_event_type=Subtype, location=Place, "
        "coordinates=Coordinates, description=Summary, source=Source",
        "accepted: 4",
        "duplicate: 1 (1 by same content)",
        "updated: 0",
        "rejected: 8",
    ]
    assert "rejected row 7: place 'Atlantis' not found in the gazetteer" in lines
    assert "rejected row 12: the row has 8 cells, the header has 7" in lines
    assert "duplicate row 10: same content: no id, and the same date, type, place and description as row 3" in lines
    assert len(stored_rows(db)) == before + 4
    assert rejected.read_bytes().decode("utf-8-sig").count("\r\n") == 9


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "error: the file is empty"),
        (b"Date,Place,Type,Summary\n", "error: the file has a header line but no rows"),
        (bytes(range(256)) * 4, "error: the file contains NUL bytes: it is a binary file, not CSV text"),
    ],
)
def test_an_unusable_file_exits_2_and_stores_nothing(tmp_path, content, message):
    db = tmp_path / "store.db"
    rows = stored_rows(db)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    result = ingest(bad, "--db", db)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == message
    assert stored_rows(db) == rows


def test_over_the_size_limit_exits_2(tmp_path):
    import os

    db = tmp_path / "store.db"
    rows = stored_rows(db)
    env = {**os.environ, "MAPAPP_MAX_UPLOAD_MB": "0.001"}
    result = ingest(FIXTURES / "acled_kosovo.csv", "--db", db, env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: the file is 0.0 MB; the upload limit is 0.000999451 MB (set $MAPAPP_MAX_UPLOAD_MB to change it)"
    )
    assert stored_rows(db) == rows


def test_a_missing_file_exits_2(tmp_path):
    result = ingest(tmp_path / "nowhere.csv", "--db", tmp_path / "store.db")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: cannot read {str(tmp_path / 'nowhere.csv')!r}: No such file or directory"


def test_columns_can_be_mapped_on_the_command_line(tmp_path):
    data = tmp_path / "log.csv"
    data.write_text("when,town,kind,text\n2023-05-29,Zvecan,Mob violence,Clash at the municipal building\n", encoding="utf-8")
    result = ingest(data, "--db", tmp_path / "store.db", "--map", "sub_event_type=kind", "--map", "location=town")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "columns: date=when, sub_event_type=kind, location=town, notes=text" in result.stdout
    assert "accepted: 1" in result.stdout


def test_ingest_with_another_geocoder(tmp_path, fake_nominatim, capsys):
    """`--geocoder nominatim` resolves the places (Nominatim's network replaced by a fake)."""
    from mapapp.cli import main

    log = tmp_path / "log.csv"
    log.write_text("Date,Place,Type,Subtype,Summary\n2023-05-29,Zvecan,Riots,Mob violence,Clash\n", encoding="utf-8")
    db = tmp_path / "store.db"
    assert main(["ingest", str(log), "--db", str(db), "--geocoder", "nominatim"]) == 0
    assert "accepted: 1" in capsys.readouterr().out.splitlines()
    (row,) = [row for row in stored_rows(db) if row["document_id"].startswith("upload-")]
    assert (row["latitude"], row["longitude"], row["location"]) == (42.9075, 20.84, "Zvecan")
    assert "Coordinates from Nominatim (OpenStreetMap, online): 'Zvecan' matched 'Zvečan'" in row["note"]
    assert [query for query, _ in fake_nominatim.instances[0].calls] == ["Zvecan"]


def test_an_unknown_geocoder_stores_nothing(tmp_path):
    db = tmp_path / "store.db"
    result = ingest(FIXTURES / "acled_kosovo.csv", "--db", db, "--geocoder", "google")
    assert result.returncode == 2
    assert result.stderr == "error: unknown geocoder 'google'; expected one of: gazetteer, nominatim\n"
    assert not db.exists()
