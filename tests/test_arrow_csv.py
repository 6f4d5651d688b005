"""Rows read in columns (mapapp.ingest.arrow_csv) are the rows read one by one: cells, row
numbers, rows of another width, blank lines; files it cannot read so are left to the row reader."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapapp.errors import UnusableFile
from mapapp.ingest.reading import ColumnTable, Limits, read_table


def both(data, limits=None):
    limits = limits or Limits()
    return read_table(data, limits, columns=True), read_table(data, limits, columns=False)


def same(data):
    fast, slow = both(data)
    assert (fast.header, fast.rows, fast.row_numbers, fast.preamble) == (
        slow.header, slow.rows, slow.row_numbers, slow.preamble)
    return fast


def test_an_export_with_quotes_blank_lines_and_rows_of_another_width():
    data = (b'id,date,notes\n1,2023-05-29,"a, quoted ""word""\nover two lines"\n\n   \n'
            b'2,2023-05-30,plain\n3,2023-05-31\n, ,\n4,2023-06-01,x,,\n5,2023-06-02,last\n')
    table = same(data)
    assert isinstance(table, ColumnTable)
    assert table.rows == [["1", "2023-05-29", 'a, quoted "word"\nover two lines'], ["2", "2023-05-30", "plain"],
                          ["3", "2023-05-31"], ["4", "2023-06-01", "x", "", ""], ["5", "2023-06-02", "last"]]
    assert table.row_numbers == [2, 5, 6, 8, 9]
    assert len(table) == 5


def test_a_title_line_and_a_byte_order_mark():
    table = same("\ufeffIncidents 2023\nid;Mjesto;opis\n1;Zvečan;Sukob\n2;Leposavić;Protest\r\n".encode())
    assert isinstance(table, ColumnTable)
    assert table.preamble == ["Incidents 2023"] and table.row_numbers == [3, 4]


def test_files_left_to_the_row_reader():
    cases = [
        b"id,notes\r1,old mac line ends\r2,x\r",  # lone carriage returns
        b'id,notes,z\n1,x,y\n2,"never closed\n',  # the last record, of another width
    ]
    for data in cases:
        assert not isinstance(read_table(data, Limits(), columns=True), ColumnTable), data[:40]


def test_a_cell_over_the_field_limit_is_refused_as_row_by_row():
    data = b"id,notes\n1,x\n2," + b"y" * 140_000 + b"\n"
    with pytest.raises(UnusableFile, match="near line 3: field larger than field limit"):
        read_table(data, Limits(), columns=True)


def test_a_quote_never_closed_in_a_row_of_the_right_width():
    table = same(b'id,notes\n1,x\n2,"never closed\n')
    assert table.rows == [["1", "x"], ["2", "never closed\n"]]


def test_more_lines_than_the_row_limit_is_left_to_the_row_reader():
    data = b"id,x\n" + b"1,a\n\n\n"
    assert not isinstance(read_table(data, Limits(max_rows=2), columns=True), ColumnTable)
    assert isinstance(read_table(data, Limits(max_rows=3), columns=True), ColumnTable)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", ",", '"', '""', "\n", "\r\n", " ", "č", "\t"]), max_size=60))
def test_any_text_below_a_header_reads_as_the_rows_do(pieces):
    data = ("id,x,y\n" + "".join(pieces)).encode()
    try:
        slow = read_table(data, Limits(), columns=False)
    except Exception as err:  # noqa: BLE001 - the same refusal either way
        try:
            read_table(data, Limits(), columns=True)
        except Exception as other:  # noqa: BLE001
            assert str(other) == str(err)
            return
        raise AssertionError(f"read in columns, refused row by row: {err}") from None
    fast = read_table(data, Limits(), columns=True)
    assert (fast.rows, fast.row_numbers) == (slow.rows, slow.row_numbers)


def test_only_formats_planned_in_columns_are_read_in_columns_by_default():
    acled = (Path(__file__).parent / "fixtures" / "acled_kosovo.csv").read_bytes()
    assert isinstance(read_table(acled, Limits()), ColumnTable)
    assert not isinstance(read_table(b"id,x\n1,a\n2,b\n", Limits()), ColumnTable)


@pytest.mark.parametrize(
    "data, offset, expected",
    [
        (b"a\nbb\nccc", 0, (2, 3, False)),  # the last line without its line feed is the longest
        (b"h\r\nab\r\ncd\r\n", 3, (2, 4, False)),  # CRLF line ends: no lone carriage return
        (b"h\nab\rcd\n", 2, (1, 6, True)),  # a carriage return inside a line
        (b"h\nab\r", 2, (0, 3, True)),  # a carriage return as the last byte
        (b"\r\n", 0, (1, 2, False)),
    ],
)
def test_line_scan_counts_line_feeds_the_longest_line_and_lone_carriage_returns(data, offset, expected, monkeypatch):
    from mapapp.ingest import arrow_csv

    assert arrow_csv._lines(data, offset) == expected
    monkeypatch.setattr(arrow_csv, "_CHUNK", 2)  # chunk edges inside CRLF pairs and lines
    assert arrow_csv._lines(data, offset) == expected
