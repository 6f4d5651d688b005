"""Bytes to a table: encodings, delimiters, quoted newlines, row numbers, limits."""

import csv
import io

import pytest

from mapapp.errors import ConfigError, UnusableFile
from mapapp.ingest.reading import Limits, decode, read_table, sniff_delimiter

# Breaks that str.splitlines splits at but a file opened with newline="" does not.
OTHER_LINE_BREAKS = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")

SERBIAN = "Mesto;Opis\nZvečan;Građani ispred opštine, Leposavić, Čačak, Đakovica\n"
FRENCH = "lieu,description\nMitrovica,Manifestation près du pont, à côté de l'hôtel\n"
CYRILLIC = "Место;Опис\nЗвечан;Грађани испред општине у Лепосавићу, „Чачак“ — Ђаковица\n"
ALBANIAN = "Vendi;Përshkrimi\nMitrovicë;Protestë e qytetarëve për çështjen e tokës\n"
SPANISH = "lugar,descripción\nMitrovica,Manifestación de niños en la plaza, señoras y señores\n"


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        (SERBIAN.encode("utf-8"), SERBIAN, "utf-8"),
        (b"\xef\xbb\xbf" + SERBIAN.encode("utf-8"), SERBIAN, "utf-8-sig"),
        (SERBIAN.encode("utf-16"), SERBIAN, "utf-16"),
        (SERBIAN.encode("cp1250"), SERBIAN, "cp1250"),
        (FRENCH.encode("cp1252"), FRENCH, "cp1252"),
        (SPANISH.encode("cp1252"), SPANISH, "cp1252"),
        (CYRILLIC.encode("cp1251"), CYRILLIC, "cp1251"),
        # Latin-2 puts š at 0xB9, where Windows-1250 has ą: the regional letter wins.
        (SERBIAN.encode("iso-8859-2"), SERBIAN, "iso-8859-2"),
        # ë and ç are the same bytes in Windows-1250 and -1252: the region's code page is named.
        (ALBANIAN.encode("cp1252"), ALBANIAN, "cp1250"),
        # Only č (0xE8, è in Windows-1252): a tie goes to the region's code page.
        ("Mesto\nZvečan\n".encode("cp1250"), "Mesto\nZvečan\n", "cp1250"),
        # Š and Ž are the same bytes in both code pages, so either reading gives the same text.
        ("Mesto\nŠtrpce\n".encode("cp1250"), "Mesto\nŠtrpce\n", "cp1250"),
    ],
)
def test_decode(data, text, encoding):
    assert decode(data) == (text, encoding)


def test_the_code_page_is_judged_on_non_ascii_text_anywhere_in_the_file():
    # 2 MB of ASCII rows, then one Cyrillic row: the evidence is at the very end.
    text = "datum;mesto;opis\n" + "2023-05-29;Zvecan;plain ascii text\n" * 60_000 + "2023-05-30;Лепосавић;Сукоб код општине\n"
    assert len(text) > 2_000_000
    assert decode(text.encode("cp1251")) == (text, "cp1251")


@pytest.mark.parametrize(
    "text, delimiter",
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ('"a;b;c",d\n1,2\n', ","),  # delimiters inside quotes do not count
        ("Datum;Opis, kratko;Mesto\n", ";"),
        ("just one column\nvalue\n", ","),
    ],
)
def test_sniff_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_quoted_newlines_stay_in_their_cell_and_rows_are_numbered_as_a_spreadsheet_does():
    data = b'id,notes\r\n1,"first line\r\nsecond line"\r\n\r\n2,plain\r\n,\r\n3,"a ""quoted"" word"\r\n'
    table = read_table(data, Limits())
    assert table.header == ["id", "notes"]
    assert table.rows == [["1", "first line\r\nsecond line"], ["2", "plain"], ["3", 'a "quoted" word']]
    # Row 3 is blank and row 5 holds only a delimiter: neither is a row, but both keep their number.
    assert table.row_numbers == [2, 4, 6]
    assert (table.encoding, table.delimiter) == ("utf-8", ",")



@pytest.mark.parametrize("extra", ["", *OTHER_LINE_BREAKS])
def test_records_are_those_of_a_file_opened_with_newline_empty(extra):
    text = f'id,notes\r\n1,"a\rb"\n2,c{extra}d\r\r\n3,"e{extra}\r\nf"\n4,x'
    expected = list(csv.reader(io.StringIO(text, newline="")))
    assert len(expected) == 6  # "\r\r\n" is a blank record; other breaks stay inside cells
    table = read_table(text.encode("utf-8"), Limits())
    assert [table.header, *table.rows] == [record for record in expected if record]
    assert table.row_numbers == [2, 3, 5, 6]


def test_header_cells_are_stripped():
    assert read_table(b"\xef\xbb\xbf id , notes \n1,x\n", Limits()).header == ["id", "notes"]


def test_blank_lines_do_not_hide_rows_over_the_limit():
    data = b"id\n1\n\n\n\n2\n3\n"
    with pytest.raises(UnusableFile, match="more than 2 rows"):
        read_table(data, Limits(max_rows=2))
    assert len(read_table(data, Limits(max_rows=3))) == 3


def test_limits_from_the_environment():
    assert Limits.from_env({}) == Limits(max_bytes=100 * 1024 * 1024, max_rows=1_000_000)
    # The command line reads a 1,000,000-row export (about 550 MB) without a setting.
    assert Limits.from_env({}, default_megabytes=1024) == Limits(max_bytes=1024 * 1024 * 1024, max_rows=1_000_000)
    assert Limits.from_env({"MAPAPP_MAX_UPLOAD_MB": "2.5", "MAPAPP_MAX_ROWS": "10"}) == Limits(max_bytes=2621440, max_rows=10)



@pytest.mark.parametrize(("name", "value"), [
    ("MAPAPP_MAX_UPLOAD_MB", "-1"), ("MAPAPP_MAX_UPLOAD_MB", "0"), ("MAPAPP_MAX_UPLOAD_MB", "inf"),
    ("MAPAPP_MAX_UPLOAD_MB", "1e400"), ("MAPAPP_MAX_UPLOAD_MB", "nan"), ("MAPAPP_MAX_UPLOAD_MB", "5000"),
    ("MAPAPP_MAX_UPLOAD_MB", "lots"), ("MAPAPP_MAX_ROWS", "1e30"), ("MAPAPP_MAX_ROWS", "1" + "0" * 30),
    ("MAPAPP_MAX_ROWS", "2.5"), ("MAPAPP_MAX_ROWS", "0"), ("MAPAPP_MAX_ROWS", "-3"), ("MAPAPP_MAX_ROWS", "ten"),
])
def test_a_limit_that_is_not_usable_is_named_with_what_is_expected(name, value):
    expected = "a whole number from 1 to 10,000,000" if name == "MAPAPP_MAX_ROWS" else "a number of megabytes above 0, at most 4,096"
    with pytest.raises(ConfigError) as caught:
        Limits.from_env({name: value})
    assert str(caught.value) == f"${name} must be {expected}, got {value!r}"


def test_something_that_is_not_bytes_is_refused():
    with pytest.raises(UnusableFile, match="expected the bytes of a file, got str"):
        read_table("id\n1\n", Limits())


@pytest.mark.parametrize("codec, name", [("utf-16-le", "UTF-16 (little-endian, no byte order mark)"),
                                         ("utf-16-be", "UTF-16 (big-endian, no byte order mark)")])
def test_utf16_without_a_byte_order_mark_is_text_not_binary(codec, name):
    from mapapp.ingest.reading import ENCODING_NAMES, read_table

    text = "Datum;Mesto;Opis;Tip\r\n29.05.2023.;Zvečan;Sukob ispred opštine;Sukob\r\n"
    table = read_table(text.encode(codec))
    assert ENCODING_NAMES[table.encoding] == name
    assert table.header == ["Datum", "Mesto", "Opis", "Tip"]
    assert table.rows == [["29.05.2023.", "Zvečan", "Sukob ispred opštine", "Sukob"]]
