"""The identity rules of an upload (mapapp.ingest.identity): ids decide for rows that have one,
content only for rows without one, and look-alikes across datasets are kept and reported."""

import dataclasses

import pytest

from mapapp.ingest.identity import SAME_CONTENT, SAME_ID, Candidate, StoredMatch, sort_rows
from mapapp.seeds import seed_incidents

CLASH = next(i for i in seed_incidents() if i.id == "seed-000-05")


def row(number, incident_id, has_id=True, dataset="ACLED export", **changes):
    incident = dataclasses.replace(CLASH, id=incident_id, **changes)
    return Candidate(incident, number, [incident_id, f"cells of row {number}"], has_id, dataset)


def test_three_actor_rows_with_the_same_notes_are_three_incidents():
    rows = [row(2, "XKX1001"), row(3, "XKX1002"), row(4, "XKX1003")]
    assert len({r.incident.fingerprint for r in rows}) == 1
    result = sort_rows(rows, {}, {})
    assert [i.id for i in result.new] == ["XKX1001", "XKX1002", "XKX1003"]
    assert result.duplicates == [] and result.possible == []


def test_a_repeated_or_stored_id_is_a_duplicate_by_id():
    rows = [row(2, "XKX1001"), row(3, "XKX1001", description="Other words."), row(4, "XKX0007")]
    result = sort_rows(rows, {"XKX0007": 1600000000}, {})
    assert [i.id for i in result.new] == ["XKX1001"]
    assert [(c.row_number, rule, reason) for c, rule, reason in result.duplicates] == [
        (3, SAME_ID, "same id: same id 'XKX1001' as row 2"),
        (4, SAME_ID, "same id: id 'XKX0007' is already stored"),
    ]


def test_a_newer_timestamp_updates_a_stored_id():
    result = sort_rows([row(2, "XKX0007", source_timestamp=1700000000)], {"XKX0007": 1600000000}, {})
    assert [i.id for i in result.updated] == ["XKX0007"] and result.new == [] and result.duplicates == []
    older = sort_rows([row(2, "XKX0007", source_timestamp=1500000000)], {"XKX0007": 1600000000}, {})
    assert older.duplicates[0][2] == (
        "same id: id 'XKX0007' is already stored (stored timestamp 1600000000, this row's 1500000000: not newer)"
    )


def test_rows_without_ids_are_deduplicated_by_content():
    rows = [row(2, "upload-x-row2", has_id=False), row(3, "upload-x-row3", has_id=False),
            row(4, "upload-x-row4", has_id=False, description="Another event.")]
    print_ = rows[0].incident.fingerprint
    result = sort_rows(rows, {}, {})
    assert [i.id for i in result.new] == ["upload-x-row2", "upload-x-row4"]
    assert [(c.row_number, rule) for c, rule, _ in result.duplicates] == [(3, SAME_CONTENT)]
    assert result.duplicates[0][2] == (
        "same content: no id, and the same date, type, place and description as row 2"
    )
    stored = sort_rows(rows[:1], {}, {print_: [StoredMatch("seed-000-05", "")]})
    assert stored.new == []
    assert stored.duplicates[0][2] == (
        "same content: no id, and the same date, type, place and description as stored incident 'seed-000-05'"
    )


@pytest.mark.parametrize(
    "stored_dataset, reported",
    [("UCDP GED export", True), ("", True), ("ACLED export", False)],
)
def test_a_look_alike_from_another_dataset_is_kept_and_reported(stored_dataset, reported):
    candidate = row(2, "XKX1001")
    result = sort_rows([candidate], {}, {candidate.incident.fingerprint: [StoredMatch("100101", stored_dataset)]})
    assert [i.id for i in result.new] == ["XKX1001"]
    if reported:
        ((kept, reason),) = result.possible
        assert kept is candidate
        label = f" ({stored_dataset})" if stored_dataset else ""
        assert reason == f"same date, type, place and description as stored '100101'{label}; kept: its id differs"
    else:
        assert result.possible == []


_OTHER = "Another event."


def _mixed_rows():
    """Rows 2-10: unique ones, an id repeated (B1), content repeated without an id (rows 7 and
    9), and an id that is stored in the tests that use them (S1)."""
    return [
        row(2, "A1", description="First."), row(3, "B1"), row(4, "C1", description="Third."),
        row(5, "B1", description="Fourth."), row(6, "upload-x-row6", has_id=False, description="Sixth."),
        row(7, "upload-x-row7", has_id=False, description=_OTHER), row(8, "D1", description="Eighth."),
        row(9, "upload-x-row9", has_id=False, description=_OTHER), row(10, "S1", description="Tenth."),
    ]


def test_rows_no_rule_touches_stay_in_file_order_among_those_ruled_on():
    # Rows whose id and content are unique skip the rules (identity._involved); the lists must
    # come out as if every row had gone through them, in file order.
    rows = _mixed_rows()
    result = sort_rows(rows, {"S1": 1}, {})
    assert [i.id for i in result.new] == ["A1", "B1", "C1", "upload-x-row6", "upload-x-row7", "D1"]
    assert [(c.row_number, reason) for c, _, reason in result.duplicates] == [
        (5, "same id: same id 'B1' as row 3"),
        (9, "same content: no id, and the same date, type, place and description as row 7"),
        (10, "same id: id 'S1' is already stored"),
    ]


def test_the_rules_on_pyarrow_columns_sort_as_on_lists():
    # A planned batch hands the rules its id, flag and fingerprint columns (no list per row):
    # repeats and stored keys found on the columns must rule on the same rows, with the same
    # reasons, in the same order.
    import pyarrow as pa

    from mapapp.ingest.identity import identity_columns, sort_positions

    rows = _mixed_rows() + [
        row(11, "S2", description="Eleventh.", source_timestamp=5), row(12, "upload-x-row12", has_id=False),
        row(13, "E1", description=_OTHER),
    ]
    stored_print = rows[10].incident.fingerprint
    stored = ({"S1": 1, "S2": 2}, {stored_print: [StoredMatch("100101", "UCDP GED export")]})
    ids, has_ids, prints = identity_columns(rows)
    columns = (pa.chunked_array([pa.array(ids)]), pa.array(has_ids), pa.array(prints).dictionary_encode())
    on_lists, on_columns = sort_positions(rows, *stored), sort_positions(rows, *stored, columns)
    assert on_columns == on_lists
    assert on_columns.new == [0, 1, 2, 4, 5, 6, 11]
    assert on_columns.updated == [9]
    assert [(position, reason) for position, _, reason in on_columns.duplicates] == [
        (3, "same id: same id 'B1' as row 3"),
        (7, "same content: no id, and the same date, type, place and description as row 7"),
        (8, "same id: id 'S1' is already stored"),
        (10, "same content: no id, and the same date, type, place and description as stored incident '100101'"),
    ]
