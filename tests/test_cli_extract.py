"""`python -m mapapp extract`: JSON lines of proposals; --commit stores; exit codes as for ingest."""

import json

from mapapp.cli import main
from mapapp.incident import CONTRACT_COLUMNS
from mapapp.store import Store

REPORTS = (
    "Kosovo Police arrested a Serbian citizen at the Jarinje crossing point on Sunday.\n"
    "---\n"
    "Непознате особе бациле су ручну бомбу на породичну кућу у Звечану у ноћи 12. новембра 2024. године.\n"
    "---\n"
    "The Municipality of Zvečan has announced that the autumn fair will take place in October.\n"
)


def test_prints_one_json_object_per_proposal_with_the_contract_and_confidence(tmp_path, capsys, db_path):
    path = tmp_path / "reports.txt"
    path.write_text(REPORTS, encoding="utf-8")
    assert main(["extract", str(path), "--published", "2024-03-18", "--source", "KoSSev"]) == 0
    out, err = capsys.readouterr()
    arrest, grenade = map(json.loads, out.splitlines())
    assert list(arrest) == [*CONTRACT_COLUMNS, "confidence"]
    assert (arrest["date_start"], arrest["event_type"], arrest["sub_event_type"], arrest["location"]) == (
        "2024-03-17", "Strategic developments", "Arrests", "Jarinje crossing point")
    assert (grenade["date_start"], grenade["sub_event_type"], grenade["location"], grenade["source"]) == (
        "2024-11-12", "Grenade", "Звечану", "KoSSev")
    assert arrest["document_id"] != grenade["document_id"]
    assert "report 3 of 3: no incident found in this report" in err
    assert not db_path.exists()  # nothing stored without --commit


def test_commit_stores_documents_and_incidents_once(tmp_path, capsys, db_path):
    path = tmp_path / "report.md"
    path.write_text(REPORTS.split("---")[0], encoding="utf-8")
    assert main(["extract", str(path), "--published", "2024-03-18", "--title", "Arrest", "--commit"]) == 0
    (row,) = map(json.loads, capsys.readouterr().out.splitlines())
    with Store(db_path) as store:
        stored = store.incident(f"{row['document_id']}-001")
        assert stored.passage == row["passage"]
        assert store.document(row["document_id"]).title == "Arrest"
        count = store.count()
    assert main(["extract", str(path), "--published", "2024-03-18", "--commit"]) == 2
    assert "is stored already as" in capsys.readouterr().err
    with Store(db_path) as store:
        assert store.count() == count


def test_unusable_files_exit_2(tmp_path, capsys, db_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert main(["extract", str(empty)]) == 2
    assert "has no text" in capsys.readouterr().err
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    assert main(["extract", str(binary), "--commit"]) == 2
    assert "not a text report" in capsys.readouterr().err
    assert main(["extract", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
