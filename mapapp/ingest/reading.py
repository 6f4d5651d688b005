"""Bytes of an uploaded file to a table of strings: encoding, delimiter, limits.

Everything that makes a file unreadable as a whole raises UnusableFile with a message meant
for the person who uploaded it; anything wrong with a single row is left for the row to be
rejected with a reason, so one bad line never costs the others.
"""

import csv
import io
import itertools
import os
from dataclasses import dataclass

from mapapp.errors import UnusableFile

# Upload limits, overridable per process with the environment variables named here. A
# 100,000-row ACLED export is about 55 MB and peaks at about 700 MB of memory while it is
# imported (benchmarks/bench_ingest.py), so these defaults keep an import under 1 GB.
MAX_UPLOAD_MB = 100
MAX_ROWS = 100_000
MAX_UPLOAD_MB_ENV = "MAPAPP_MAX_UPLOAD_MB"
MAX_ROWS_ENV = "MAPAPP_MAX_ROWS"

DELIMITERS = (",", ";", "\t")

# Letters that tell the two Windows code pages apart for text from the region. Bytes 0xE8,
# 0xE6, 0xF0 are č, ć, đ in Windows-1250 but è, æ, ð in Windows-1252; š and ž have the same
# bytes in both. A file scores a point per letter that is common in its candidate decoding.
_CP1250_LETTERS = set("čćđČĆĐšžŠŽ" "łŁąĄęĘňŇřŘťŤůŮźŹőŐűŰăĂşŞţŢ")
_CP1252_LETTERS = set("àèìòùÀÈÌÒÙâêîôûÂÊÎÔÛãõñÃÕÑäöüÄÖÜßåøæÅØÆ")

# Signatures of binary formats people upload by mistake, with what to tell them.
_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive or an Excel/ODS workbook: save the sheet as CSV first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file: save the sheet as CSV first"),
    (b"%PDF", "a PDF document, not a CSV file"),
    (b"\x89PNG", "a PNG image, not a CSV file"),
    (b"\xff\xd8\xff", "a JPEG image, not a CSV file"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"SQLite format 3\x00", "an SQLite database, not a CSV file"),
)


@dataclass(frozen=True)
class Limits:
    """How large an upload may be; the defaults come from the environment when set."""

    max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024
    max_rows: int = MAX_ROWS

    @classmethod
    def from_env(cls, environ=None):
        """Limits from $MAPAPP_MAX_UPLOAD_MB and $MAPAPP_MAX_ROWS, else the module defaults."""
        environ = os.environ if environ is None else environ
        megabytes = _env_number(environ, MAX_UPLOAD_MB_ENV, MAX_UPLOAD_MB, float)
        rows = _env_number(environ, MAX_ROWS_ENV, MAX_ROWS, int)
        return cls(max_bytes=int(megabytes * 1024 * 1024), max_rows=rows)


def _env_number(environ, name, default, kind):
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise UnusableFile(f"${name} must be a positive number, got {text!r}") from None
    if not value > 0:
        raise UnusableFile(f"${name} must be a positive number, got {text!r}")
    return value


@dataclass(frozen=True)
class Table:
    """A CSV file read as text: its header and its rows, each a list of strings.

    `row_numbers[i]` is the number a spreadsheet shows for `rows[i]` (the header is row 1),
    so a reason "row 7: ..." points at the line the user sees. Blank lines are not rows.
    """

    header: list
    rows: list
    row_numbers: list
    encoding: str
    delimiter: str

    def __len__(self):
        return len(self.rows)


def check_size(size, limits):
    """Raise UnusableFile when a file of `size` bytes is over the upload limit."""
    if size > limits.max_bytes:
        raise UnusableFile(
            f"the file is {size / 1024 / 1024:.1f} MB; the upload limit is "
            f"{limits.max_bytes / 1024 / 1024:g} MB (set ${MAX_UPLOAD_MB_ENV} to change it)"
        )


def decode(data):
    """The text of `data` and the name of its encoding: UTF-8 (BOM or not), UTF-16 with a BOM,
    else Windows-1250 or Windows-1252, whichever reads more like text from the region."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark.
        candidates = ("utf-16",)
    else:
        _refuse_binary(data)
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            candidates = ()
        decoded = {}
        for encoding in ("cp1250", "cp1252"):
            try:
                decoded[encoding] = data.decode(encoding)
            except UnicodeDecodeError:
                pass
        if not decoded:
            raise UnusableFile(
                "the file is not text in UTF-8, Windows-1250 or Windows-1252 "
                "(is it a spreadsheet or another binary file? save it as CSV)"
            )
        encoding = max(decoded, key=lambda name: (_score(decoded[name], name), name == "cp1250"))
        return decoded[encoding], encoding
    try:
        text = data.decode(candidates[0])
    except UnicodeDecodeError as err:
        raise UnusableFile(f"the file starts like {candidates[0]} text but is not: {err.reason} at byte {err.start}") from None
    return text, candidates[0]


def _refuse_binary(data):
    head = data[:64]
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise UnusableFile(f"this is {what}")
    if b"\x00" in data:
        raise UnusableFile("the file contains NUL bytes: it is a binary file, not CSV text")


def _score(text, encoding):
    letters = _CP1250_LETTERS if encoding == "cp1250" else _CP1252_LETTERS
    return sum(1 for char in text if char in letters)


def sniff_delimiter(text):
    """`,`, `;` or tab: whichever occurs most often outside quotes in the first line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in counts:
                counts[char] += 1
            elif char in "\r\n":
                break
    # Ties (including a one-column file) go to the comma, the CSV default.
    return max(DELIMITERS, key=lambda delimiter: counts[delimiter])


def read_table(data, limits=None):
    """Read the bytes of a CSV upload into a Table, or raise UnusableFile saying why."""
    limits = limits or Limits.from_env()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UnusableFile(f"expected the bytes of a file, got {type(data).__name__}")
    data = bytes(data)
    check_size(len(data), limits)
    if not data.strip():
        raise UnusableFile("the file is empty")
    text, encoding = decode(data)
    if not text.strip():
        raise UnusableFile("the file is empty")
    _refuse_control_characters(text)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=False)
    try:
        # Records, not lines: a quoted newline stays inside its cell. The header, max_rows rows
        # and one more are read, to tell "at the limit" from "over it".
        cap = limits.max_rows + 2
        records = list(itertools.islice(reader, cap))
        if len(records) == cap:
            # Blank lines used up part of the cap: read on while the rows stay within the limit.
            count = sum(1 for record in records if "".join(record).strip()) - 1
            for record in reader:
                records.append(record)
                if "".join(record).strip():
                    count += 1
                    if count > limits.max_rows:
                        break
    except csv.Error as err:
        raise UnusableFile(f"the file is not valid CSV near line {reader.line_num}: {err}") from None
    # A spreadsheet numbers records (the header is row 1) and shows blank lines as rows, so
    # the number kept for each row is the one the user sees beside it.
    numbered = [(number, record) for number, record in enumerate(records, start=1) if "".join(record).strip()]
    if not numbered:
        raise UnusableFile("the file is empty")
    (_, header), *data = numbered
    if len(data) > limits.max_rows:
        raise UnusableFile(
            f"the file has more than {limits.max_rows:,} rows, the row limit "
            f"(set ${MAX_ROWS_ENV} to change it)"
        )
    if not data:
        raise UnusableFile("the file has a header line but no rows")
    header = [cell.strip() for cell in header]
    row_numbers = [number for number, _ in data]
    rows = [record for _, record in data]
    return Table(header=header, rows=rows, row_numbers=row_numbers, encoding=encoding, delimiter=delimiter)


# Line breaks to str.splitlines that are not line ends to a file read with newline="".
_OTHER_LINE_BREAKS = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _lines(text):
    """The lines of `text` as a file opened with newline="" yields them: each ends at its \\r\\n,
    \\n or \\r, kept. csv.reader reads such a list 0.15 s faster than a StringIO for 55 MB; when
    the text holds a break splitlines would also split at, the StringIO is read instead."""
    if any(char in text for char in _OTHER_LINE_BREAKS):
        return io.StringIO(text, newline="")
    return text.splitlines(keepends=True)


def _refuse_control_characters(text):
    # Text files hold tabs and line ends; many other control characters mean binary data that
    # happened to decode (any byte decodes in Windows-1252).
    sample = text[:65536]
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    if controls > max(8, len(sample) // 100):
        raise UnusableFile("the file is full of control characters: it is binary data, not CSV text")
