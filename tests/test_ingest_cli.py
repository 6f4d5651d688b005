"""`python -m mapapp ingest FILE --db PATH`: exit codes 0 / 1 / 2 and what it prints."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from mapapp.store import Store
from tests.command import run

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def ingest_process(*args, env=None):
    """`python -m mapapp ingest ...` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "mapapp", "ingest", *map(str, args)],
        capture_output=True, text=True, cwd=PROJECT, timeout=120, env=env,
    )


def ingest(*args):
    """`mapapp ingest ...` in this process (tests.command)."""
    return run("ingest", *args)


def stored_rows(db):
    with Store(db) as store:
        return store.rows()


def test_all_rows_stored_exits_0(tmp_path):
    db = tmp_path / "store.db"
    result = ingest_process(FIXTURES / "acled_kosovo.csv", "--db", db)
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
    assert lines[:13] == [
        "file: mixed_good_bad.csv: other CSV (columns mapped), UTF-8, comma-separated, 13 rows",
        "columns: date=Date, event_type=Type, sub_event_type=Subtype, location=Place, "
        "coordinates=Coordinates, description=Summary, source=Source",
        "values (the type words, as read; change them with --values FILE):",
        "  'Protests' -> Protests / sub-type unknown (ACLED, 9 rows)",
        "  'Peaceful protest' -> Protests / Peaceful protest (ACLED, 7 rows)",
        "  'Riots' -> Riots / sub-type unknown (ACLED, 3 rows)",
        "  'Mob violence' -> Riots / Mob violence (ACLED, 3 rows)",
        "  'Protest with intervention' -> Protests / Protest with intervention (ACLED, 2 rows)",
        "  'Skirmish': not mapped, 1 row rejected",
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
    result = ingest_process(FIXTURES / "acled_kosovo.csv", "--db", db, env=env)
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


def test_a_serbian_log_in_its_own_words_prints_the_value_mapping(tmp_path):
    db = tmp_path / "store.db"
    result = ingest(FIXTURES / "serbian_log_own_types_cp1250.csv", "--db", db, "--map", "place=Mesto")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1] == "columns: date=Datum, event_type=Tip, location=Mesto, description=Opis, actor1=Akter, fatalities=Poginuli"
    assert lines[2:11] == [
        "values (the type words, as read; change them with --values FILE):",
        "  'Sukob' -> Battles / Armed clash (proposed, 1 row)",
        "  'Pucnjava' -> Battles / Armed clash (proposed, 1 row)",
        "  'Protest' -> Protests / Peaceful protest (proposed, 1 row)",
        "  'Barikade' -> Protests / Peaceful protest (proposed, 1 row)",
        "  'Hapšenje' -> Strategic developments / Arrests (proposed, 1 row)",
        "  'Eksplozija' -> Explosions/Remote violence / sub-type unknown (proposed, 1 row)",
        "  'Napad' -> Violence against civilians / Attack (proposed, 1 row)",
        "  'Sastanak': not mapped, 1 row rejected",
    ]
    assert "rejected row 9: Tip: 'Sastanak' is not mapped to an ACLED event type; map it in the import's value " \
        "step (or with --values FILE)" in lines


def test_a_values_file_overrides_the_proposals(tmp_path):
    db = tmp_path / "store.db"
    values = tmp_path / "values.csv"
    values.write_text("value,event_type,sub_event_type\nSukob,Riots,Mob violence\nSastanak,Strategic developments,Other\n")
    result = ingest(FIXTURES / "serbian_log_own_types_cp1250.csv", "--db", db, "--values", values)
    assert result.returncode == 0, result.stdout
    assert "  'Sukob' -> Riots / Mob violence (yours, 1 row)" in result.stdout.splitlines()
    assert "accepted: 8" in result.stdout.splitlines()
    values.write_text("Sukob,Riots,Armed clash\n")
    bad = ingest(FIXTURES / "serbian_log_own_types_cp1250.csv", "--db", tmp_path / "other.db", "--values", values)
    assert bad.returncode == 2
    assert bad.stderr == (
        f"error: {values}: line 1: 'Sukob': expected a sub-event type of 'Riots' (Violent demonstration, "
        "Mob violence), got 'Armed clash'\n"
    )


def test_every_row_rejected_exits_2_and_says_nothing_was_stored(tmp_path):
    db = tmp_path / "store.db"
    rows = stored_rows(db)
    data = tmp_path / "log.csv"
    data.write_text("Datum;Mesto;Opis;Tip\n29.05.2023;Zvečan;Sastanak;Sastanak\n30.05.2023;Atlantis;Sukob;Sukob\n")
    result = ingest(data, "--db", db)
    assert result.returncode == 2
    assert result.stdout.splitlines()[-1] == "nothing stored: every row was rejected"
    assert stored_rows(db) == rows


def _big_log(path, rows):
    lines = ["Datum;Mesto;Opis;Tip"]
    lines += [f"{1 + n % 28:02d}.{1 + n % 12:02d}.2022.;Zvečan;Događaj broj {n};Protest" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_reingest_prints_a_summary_not_a_line_per_row(tmp_path):
    db = tmp_path / "store.db"
    data = tmp_path / "big.csv"
    _big_log(data, 1500)
    assert ingest(data, "--db", db, "--quiet").stdout == ""
    again = ingest(data, "--db", db)
    assert again.returncode == 0
    lines = again.stdout.splitlines()
    row_ids = [line.split("'")[1] for line in lines if line.startswith("duplicate row ")]
    document = row_ids[0].rsplit("-", 1)[0]
    same = "same content: no id, and the same date, type, place and description as stored incident"
    assert lines[4:] == [
        "accepted: 0",
        "duplicate: 1,500 (1,500 by same content)",
        "updated: 0",
        "rejected: 0",
        f"duplicate: 1,500 rows: {same} …",
        f"duplicate row 2: {same} '{document}-row2'",
        f"duplicate row 3: {same} '{document}-row3'",
        f"duplicate row 4: {same} '{document}-row4'",
        "  ... and 1,497 more like these (--verbose lists every row)",
    ]
    verbose = ingest(data, "--db", db, "--verbose").stdout.splitlines()
    assert sum(line.startswith("duplicate row ") for line in verbose) == 1500


def test_a_closed_pipe_ends_quietly(tmp_path):
    db = tmp_path / "store.db"
    data = tmp_path / "big.csv"
    _big_log(data, 1500)
    ingest(data, "--db", db, "--quiet")
    reader = subprocess.Popen(
        [sys.executable, "-m", "mapapp", "export", "--db", str(db)], cwd=PROJECT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert reader.stdout.readline().startswith(b"id,date_start,")
    reader.stdout.close()  # as `| head -1` does
    # 141 (as a shell reports SIGPIPE) when the closed pipe was met while writing; 0 when the
    # output had already gone into the pipe. Either way no traceback and no message.
    assert reader.wait(timeout=60) in (0, 141)
    assert reader.stderr.read() == b""


@pytest.mark.parametrize("role", ["place", "Place name", "PLACE_NAME"])
def test_roles_have_the_apps_names(tmp_path, role):
    data = tmp_path / "log.csv"
    data.write_text("when,grad,tip,text\n2023-05-29,Zvecan,Mob violence,Clash at the municipal building\n", encoding="utf-8")
    result = ingest(data, "--db", tmp_path / "store.db", "--map", f"{role}=grad")
    assert result.returncode == 0, result.stderr
    assert "location=grad" in result.stdout


def test_an_unknown_role_is_named(tmp_path):
    result = ingest(FIXTURES / "mixed_good_bad.csv", "--db", tmp_path / "store.db", "--map", "wherever=Place")
    assert result.returncode == 2
    assert "expected a role (id, date, date_end, event_type" in result.stderr
    assert "got 'wherever'" in result.stderr


def test_precision_and_country_words_are_printed_and_taken_from_a_values_file(tmp_path):
    from tests.test_ingest_local_logs import CODED_LOG

    log = tmp_path / "kodovi.csv"
    log.write_bytes(CODED_LOG)
    values = tmp_path / "values.csv"
    values.write_text("value,event_type,sub_event_type\nprecision:otprilike,near\n", encoding="utf-8")
    result = ingest(log, "--db", tmp_path / "store.db", "--values", values)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    start = lines.index("values (the type words, then precision and country words, as read; change them with "
                        "--values FILE):")
    assert lines[start + 5: start + 11] == [
        "  precision:'tačno' -> 1 exact place (proposed, 2 rows)",
        "  precision:'opština' -> 3 municipality (proposed, 1 row)",
        "  precision:'država' -> 5 country (proposed, 1 row)",
        "  precision:'otprilike' -> 2 near a named place (yours, 1 row)",
        "  country:'Kosovo' -> Kosovo (proposed, 4 rows)",
        "  country:'Srbija' -> Serbia (proposed, 1 row)",
    ]
    assert "accepted: 5" in lines
