"""Bytes of an uploaded file to a table of strings: encoding, delimiter, limits.

Everything that makes a file unreadable as a whole raises UnusableFile with a message meant
for the person who uploaded it; anything wrong with a single row is left for the row to be
rejected with a reason, so one bad line never costs the others.
"""

import codecs
import csv
import hashlib
import itertools
import math
import os
import re
import threading
from dataclasses import dataclass, field

from mapapp.errors import ConfigError, UnusableFile

# Upload limits, overridable per process with the environment variables named here. A
# 100,000-row ACLED export is about 55 MB: the app's upload (100 MB) stays under 1 GB of
# memory while it is imported (benchmarks/bench_ingest.py). The command line reads files up to
# COMMAND_LINE_MAX_MB by default, so that a 1,000,000-row export (about 550 MB) imports.
MAX_UPLOAD_MB = 100
COMMAND_LINE_MAX_MB = 1024
MAX_ROWS = 1_000_000
MAX_UPLOAD_MB_ENV = "MAPAPP_MAX_UPLOAD_MB"
MAX_ROWS_ENV = "MAPAPP_MAX_ROWS"
# The largest values those variables may hold: memory grows with them, and beyond these no
# import of this app's kind makes sense.
MAX_UPLOAD_MB_CEILING = 4096
MAX_ROWS_CEILING = 10_000_000
# A physical line longer than this makes the file unusable before it is decoded: csv's own
# limit on one cell (csv.field_size_limit, 131,072 characters) times the widest export's
# columns would not reach it.
MAX_LINE_BYTES = 4 * 1024 * 1024
# How many lines above the header may be a title (skipped, and shown as skipped).
MAX_PREAMBLE_LINES = 5

DELIMITERS = (",", ";", "\t")

# Single-byte code pages of files from the region, in the order that wins a tie: Serbian,
# Bosnian and Albanian Latin (Windows-1250), Serbian Cyrillic (Windows-1251), Latin-2 (the
# ISO code page of older Unix and web exports), Western European (Windows-1252).
CODE_PAGES = ("cp1250", "cp1251", "iso-8859-2", "cp1252")
_CODE_PAGE_NAMES = "Windows-1250, Windows-1251, ISO-8859-2 or Windows-1252"
# What the user is told an upload was read as.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (little-endian, no byte order mark)",
    "utf-16-be": "UTF-16 (big-endian, no byte order mark)",
    "cp1250": "Windows-1250 (Central European Latin)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "iso-8859-2": "ISO-8859-2 (Latin-2)",
    "cp1252": "Windows-1252 (Western European)",
}

# How plausible a decoding is, judged by its non-ASCII characters. A letter of the region's
# languages counts 1.5, another letter of the code page's own languages 1 or less, when it stands
# in a Latin word (one with ASCII letters) or alone; Cyrillic in a Cyrillic word counts 2.
# Anything else that a wrong code page produces counts -1: Cyrillic glued to Latin letters, words
# made only of accented Latin letters (Cyrillic read as Latin), symbols such as ÷ ¤ ©, C1 control
# characters. Serbian š is 0x9A in Windows-1250 but 0xB9 in Latin-2, where Windows-1250 reads ą:
# that is why a regional letter must outweigh a merely possible one.
_REGIONAL_LATIN = set("čćđšžČĆĐŠŽëËçÇ")
_SHARED_LATIN = set("áéíóúýÁÉÍÓÚÝäöüÄÖÜôÔß")
_CENTRAL_LATIN = set("łŁąĄęĘňŇřŘťŤůŮźŹżŻśŚńŃőŐűŰăĂşŞţŢľĽěĚďĎâÂîÎ")
_WESTERN_LATIN = set("àèìòùÀÈÌÒÙâêîûÂÊÎÛãõñÃÕÑåøæÅØÆœŒÿïÏ")
# {code page: {letter: weight}}: letters of the region's neighbours (Polish, Czech, Hungarian,
# Romanian) count half, so that Spanish ñ (0xF1) is not read as Polish ń.
_CENTRAL_WEIGHTS = {**dict.fromkeys(_CENTRAL_LATIN, 0.5), **dict.fromkeys(_SHARED_LATIN, 1)}
_LATIN_WEIGHTS = {
    "cp1250": _CENTRAL_WEIGHTS,
    "iso-8859-2": _CENTRAL_WEIGHTS,  # the same letters as Windows-1250, at other bytes
    "cp1252": dict.fromkeys(_SHARED_LATIN | _WESTERN_LATIN, 1),
}
# Punctuation the Windows code pages share (typographic quotes, dashes, the euro, the degree):
# plausible in any of them, so it decides nothing.
_NEUTRAL = set("„“”‘’‚–—…«»€°·•\u00a0§")
# Letters whose UTF-8 form in a file that is otherwise not UTF-8 means mixed encodings.
_UTF8_LETTERS = _REGIONAL_LATIN | _SHARED_LATIN | _CENTRAL_LATIN | _WESTERN_LATIN | set("ЂЈЉЊЋЏ")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_NON_ASCII_BYTES = re.compile(rb"[\x80-\xff]+")
# The code page is judged on this many stretches of non-ASCII bytes (with the letters around
# them), taken from the whole file: enough evidence, without scoring tens of megabytes.
_SAMPLE_RUNS = 4000
_SAMPLE_CONTEXT = 12

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
    def from_env(cls, environ=None, default_megabytes=MAX_UPLOAD_MB):
        """Limits from $MAPAPP_MAX_UPLOAD_MB and $MAPAPP_MAX_ROWS, else the module defaults
        (`default_megabytes`: COMMAND_LINE_MAX_MB for the command line). Raises ConfigError
        naming a variable whose value is not a usable limit."""
        environ = os.environ if environ is None else environ
        megabytes = _env_number(environ, MAX_UPLOAD_MB_ENV, default_megabytes, MAX_UPLOAD_MB_CEILING, whole=False)
        rows = _env_number(environ, MAX_ROWS_ENV, MAX_ROWS, MAX_ROWS_CEILING, whole=True)
        return cls(max_bytes=int(megabytes * 1024 * 1024), max_rows=int(rows))

    @property
    def megabytes(self):
        return self.max_bytes / 1024 / 1024


def _env_number(environ, name, default, ceiling, whole):
    text = environ.get(name, "").strip()
    if not text:
        return default
    what = f"a whole number from 1 to {ceiling:,}" if whole else f"a number of megabytes above 0, at most {ceiling:,}"
    expected = f"${name} must be {what}, got {text!r}"
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise ConfigError(expected) from None
    if not (math.isfinite(value) and 0 < value <= ceiling):
        raise ConfigError(expected)
    return value


@dataclass(frozen=True)
class Table:
    """A CSV file read as text: its header and its rows, each a list of strings.

    `row_numbers[i]` is the number a spreadsheet shows for `rows[i]` (the header is row 1),
    so a reason "row 7: ..." points at the line the user sees. Blank lines are not rows.
    `preamble` holds title lines above the header, which were skipped; `sha256` is the hex
    digest of the file's bytes. `columns` is None for a table read row by row.
    """

    header: list
    rows: list
    row_numbers: list
    encoding: str
    delimiter: str
    sha256: str = ""
    preamble: list = field(default_factory=list)
    columns: object = None

    def __len__(self):
        return len(self.rows)


class ColumnTable:
    """A Table read in columns (arrow_csv.read): `columns` is an arrow_csv.Columns of the rows
    of as many cells as the header, `odd` the other rows as (row number, cells). `rows` and
    `row_numbers` are made from them, in file order, the first time they are asked for: the
    columnar import never needs them."""

    def __init__(self, header, columns, odd, encoding, delimiter, sha256, preamble):
        self.header = header
        self.columns = columns
        self.odd = odd
        self.encoding = encoding
        self.delimiter = delimiter
        self.sha256 = sha256
        self.preamble = preamble
        self._rows = None

    def __len__(self):
        return self.columns.length + len(self.odd)

    def _materialise(self):
        if self._rows is None:
            numbered = list(zip(self.columns.numbers.tolist(), self.columns.rows()))
            if self.odd:
                numbered = sorted(numbered + [(number, list(values)) for number, values in self.odd])
            self._rows = ([values for _, values in numbered], [number for number, _ in numbered])
        return self._rows

    @property
    def rows(self):
        return self._materialise()[0]

    @property
    def row_numbers(self):
        return self._materialise()[1]


def check_size(size, limits):
    """Raise UnusableFile when a file of `size` bytes is over the upload limit."""
    if size > limits.max_bytes:
        raise UnusableFile(
            f"the file is {size / 1024 / 1024:.1f} MB; the upload limit is "
            f"{limits.max_bytes / 1024 / 1024:g} MB (set ${MAX_UPLOAD_MB_ENV} to change it)"
        )


def detect_encoding(data):
    """The name of the encoding of `data`: UTF-8 (BOM or not), UTF-16 with a BOM, else whichever
    of CODE_PAGES reads most like text from the region. Checked over the whole file without
    decoding it in one piece. Raises UnusableFile for binary data and for a file that mixes
    UTF-8 with another encoding (it would be stored garbled)."""
    if data.startswith(b"\xef\xbb\xbf"):
        bad = _first_invalid_utf8(data, 3)
        if bad is not None:
            raise UnusableFile(_mixed_message(_line_of(data, bad), None))
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark.
        return "utf-16"
    without_bom = _utf16_without_bom(data)
    if without_bom:
        return without_bom
    _refuse_binary(data)
    if data.isascii():
        return "utf-8"
    bad = _first_invalid_utf8(data, 0)
    if bad is None:
        return "utf-8"
    utf8 = _first_utf8_word(data)
    if utf8 is not None:
        raise UnusableFile(_mixed_message(_line_of(data, bad), _line_of(data, utf8)))
    return _code_page(data)


def decode(data):
    """The text of `data` and the name of its encoding (detect_encoding), in one piece: for
    small inputs; read_table decodes line by line."""
    encoding = detect_encoding(data)
    return data.decode(encoding), encoding


_CHUNK = 4 * 1024 * 1024


def _first_invalid_utf8(data, start):
    """The offset of the first byte that is not UTF-8, or None; decoded in chunks."""
    view = memoryview(data)
    position = start
    while position < len(data):
        end = min(position + _CHUNK, len(data))
        try:
            _, used = codecs.utf_8_decode(view[position:end], "strict", end == len(data))
        except UnicodeDecodeError as err:
            return position + err.start
        if used == 0:  # a sequence cut by the chunk's end: take a longer chunk
            used = _CHUNK if end < len(data) else len(data) - position
        position += used
    return None


# A stretch of non-ASCII bytes that is valid UTF-8 as a whole (2- and 3-byte sequences).
_UTF8_RUN = re.compile(rb"(?<![\x80-\xff])(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2})+(?![\x80-\xff])")


def _first_utf8_word(data):
    """The offset of the first non-ASCII stretch that is UTF-8 for letters of the region's
    languages (UTF-8 "č" inside a Windows-1250 file), or None. A single-byte code page rarely
    makes such a stretch: its letters are one byte each, and UTF-8 needs them in pairs of a
    lead byte and a continuation byte."""
    for run in _UTF8_RUN.finditer(data):
        text = run.group().decode("utf-8")
        if all(char in _UTF8_LETTERS or "\u0430" <= char <= "\u045f" for char in text):
            return run.start()
    return None


def _line_of(data, offset):
    return data.count(b"\n", 0, offset) + 1


def _mixed_message(bad_line, utf8_line):
    first = f"line {utf8_line} is UTF-8" if utf8_line is not None else "it starts as UTF-8 (with a byte order mark)"
    return (
        f"the file mixes encodings: {first} but line {bad_line} is not (it holds bytes of another "
        "code page, such as Windows-1250); save the whole file in one encoding (UTF-8) and upload it again"
    )


def _code_page(data):
    """The most plausible of CODE_PAGES, judged on a sample of the file's non-ASCII text, that
    decodes the whole file."""
    sample = _non_ascii_sample(data)
    scores = {}
    for encoding in CODE_PAGES:
        try:
            good, bad = _plausibility(sample.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
        # A reading made mostly of implausible characters is no candidate; when none is left,
        # the file is binary data, not text.
        if not (bad > 10 and bad > 3 * good):
            scores[encoding] = good - bad
    # Best score first; a tie goes to the earlier code page in CODE_PAGES.
    for encoding in sorted(scores, key=lambda name: (-scores[name], CODE_PAGES.index(name))):
        if not _decodes(data, encoding):
            continue  # the rest of the file has a byte the sample did not
        if encoding == "iso-8859-2" and _C1_BYTES.search(data):
            continue  # Latin-2 text never holds 0x80-0x9F; any byte decodes to one of those
        return encoding
    raise UnusableFile(
        f"the file is not text in UTF-8, {_CODE_PAGE_NAMES} "
        "(is it a spreadsheet or another binary file? save it as CSV)"
    )


def _decodes(data, encoding):
    view = memoryview(data)
    try:
        for position in range(0, len(data), _CHUNK):
            codecs.decode(view[position : position + _CHUNK], encoding)
    except UnicodeDecodeError:
        return False
    return True


def _non_ascii_sample(data):
    """The first _SAMPLE_RUNS stretches of non-ASCII bytes with a few bytes either side, one per
    line: the only part of a file in which single-byte code pages differ."""
    pieces = []
    for run in itertools.islice(_NON_ASCII_BYTES.finditer(data), _SAMPLE_RUNS):
        pieces.append(data[max(run.start() - _SAMPLE_CONTEXT, 0) : run.end() + _SAMPLE_CONTEXT])
    return b"\n".join(pieces)


def _plausibility(text, encoding):
    """(good, bad): how much of `text` reads like a correct decoding (see _REGIONAL_LATIN)."""
    latin = _LATIN_WEIGHTS.get(encoding, {})
    good = bad = 0.0
    for run in _NON_ASCII_RUN.finditer(text):
        chars = run.group()
        before = text[run.start() - 1 : run.start()]
        after = text[run.end() : run.end() + 1]
        glued_to_latin = (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())
        latin_ok = glued_to_latin or len(chars) == 1
        for char in chars:
            if char in _NEUTRAL:
                continue
            if "\u0400" <= char <= "\u04ff":
                # Cyrillic reads right in whole Cyrillic words, never glued to Latin letters.
                if encoding == "cp1251" and not glued_to_latin:
                    good += 2
                else:
                    bad += 1
            elif char in _REGIONAL_LATIN and latin_ok:
                good += 1.5
            elif char in latin and latin_ok:
                good += latin[char]
            else:
                bad += 1
    return good, bad


_C1_BYTES = re.compile(rb"[\x80-\x9f]")


def _utf16_without_bom(data):
    """"utf-16-le" or "utf-16-be" for UTF-16 text without a byte order mark, else None. Text of
    the region is mostly Latin letters, digits and punctuation: in UTF-16 each has a NUL byte
    beside it, always on the same side, which no binary format keeps up."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 8:
        return None
    pairs = len(sample) // 2
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= pairs * 0.4 and even <= pairs * 0.02:
        return "utf-16-le"
    if even >= pairs * 0.4 and odd <= pairs * 0.02:
        return "utf-16-be"
    return None


def _refuse_binary(data):
    head = data[:64]
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise UnusableFile(f"this is {what}")
    if b"\x00" in data:
        raise UnusableFile("the file contains NUL bytes: it is a binary file, not CSV text")


def sniff_delimiter(text):
    """`,`, `;` or tab: whichever occurs most often outside quotes in one line of `text` (its
    first lines: a title line above the header may hold none, or a stray comma)."""
    best = dict.fromkeys(DELIMITERS, 0)
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    lines = 0
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in counts:
                counts[char] += 1
            elif char == "\n":
                for delimiter in DELIMITERS:
                    best[delimiter] = max(best[delimiter], counts[delimiter])
                counts = dict.fromkeys(DELIMITERS, 0)
                lines += 1
                if lines > MAX_PREAMBLE_LINES:
                    break
    for delimiter in DELIMITERS:
        best[delimiter] = max(best[delimiter], counts[delimiter])
    # Ties (including a one-column file) go to the comma, the CSV default.
    return max(DELIMITERS, key=lambda delimiter: best[delimiter])


def read_table(data, limits=None, columns=None):
    """Read the bytes of a CSV upload into a Table, or raise UnusableFile saying why.

    The rows below the header of a format planned in columns (column_plan.FORMATS; any file
    with `columns` True, none with False) are read in columns (a ColumnTable, see arrow_csv)
    when that gives exactly what reading them row by row gives, else as a stream of lines:
    rows and line lengths are counted while reading, so memory stays bounded by the limits
    whatever the file's shape (runs of blank lines are skipped without making a row of each)."""
    limits = limits or Limits.from_env()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UnusableFile(f"expected the bytes of a file, got {type(data).__name__}")
    data = bytes(data)
    check_size(len(data), limits)
    if not _NOT_SPACE.search(data):
        raise UnusableFile("the file is empty")
    encoding = detect_encoding(data)
    sha256 = _Digest(data)
    start = 0
    line_encoding = encoding
    if encoding == "utf-8-sig":
        start, line_encoding = 3, "utf-8"
    elif encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        try:
            data = data.decode(encoding).encode("utf-8")
        except UnicodeDecodeError as err:
            raise UnusableFile(
                f"the file starts like UTF-16 text but is not: {err.reason} at byte {err.start}"
            ) from None
        line_encoding = "utf-8"
    head = data[start : start + 65536].decode(line_encoding, "ignore")
    if not head.strip():
        raise UnusableFile("the file is empty")
    _refuse_control_characters(head)
    delimiter = sniff_delimiter(head)
    lines = _Lines(data, start, line_encoding, delimiter)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    records = _records(reader, lines)
    try:
        first = list(itertools.islice(records, MAX_PREAMBLE_LINES + 2))
        if not first:
            raise UnusableFile("the file is empty")
        skip = _preamble_length(first)
        preamble = [delimiter.join(record).rstrip(delimiter).strip() for _, record in first[:skip]]
        (header_number, header), *data_rows = first[skip:]
        if columns is None:
            from mapapp.ingest import column_plan, formats

            # Other formats are planned row by row: read so, their rows are not held twice.
            columns = formats.detect([cell.strip() for cell in header]) in column_plan.FORMATS
        if columns and len(first) > skip + 1 and line_encoding == "utf-8":
            # Read the rest in columns when it can be read so exactly as the rows below would be.
            from mapapp.ingest import arrow_csv

            table = arrow_csv.read(
                data, _header_end(data, start, line_encoding, delimiter, skip), header_number,
                [cell.strip() for cell in header], delimiter, limits,
            )
            if table is not None:
                return ColumnTable(table.header, table.columns, table.odd, encoding, delimiter, sha256.hex(),
                                   preamble)
        # Rows are counted as they are read: one over the limit and reading stops.
        data_rows += itertools.islice(records, max(limits.max_rows + 1 - len(data_rows), 0))
    except csv.Error as err:
        raise UnusableFile(f"the file is not valid CSV near line {lines.line_number}: {err}") from None
    if len(data_rows) > limits.max_rows:
        raise UnusableFile(
            f"the file has more than {limits.max_rows:,} rows, the row limit "
            f"(set ${MAX_ROWS_ENV} to change it)"
        )
    if not data_rows:
        raise UnusableFile("the file has a header line but no rows")
    header = [cell.strip() for cell in header]
    return Table(
        header=header,
        rows=[record for _, record in data_rows],
        row_numbers=[number for number, _ in data_rows],
        encoding=encoding,
        delimiter=delimiter,
        sha256=sha256.hex(),
        preamble=preamble,
    )


class _Digest:
    """The SHA-256 of the bytes, worked out on another thread while the file is read (hashlib
    lets go of the GIL for large data); hex() waits for it."""

    def __init__(self, data):
        self._hash = hashlib.sha256()
        self._thread = threading.Thread(target=self._hash.update, args=(data,), daemon=True)
        self._thread.start()

    def hex(self):
        self._thread.join()
        return self._hash.hexdigest()


def _header_end(data, start, encoding, delimiter, skip):
    """The offset of the byte after the header record (the `skip`+1-th record that is not
    blank), as read_table reads it."""
    lines = _Lines(data, start, encoding, delimiter)
    records = _records(csv.reader(lines, delimiter=delimiter, strict=False), lines)
    for _ in range(skip + 1):
        next(records)
    return lines.position


def _preamble_length(first):
    """How many of the first records are title lines above the header: those before a header
    of a known export, else lines of one cell above a line of several."""
    from mapapp.ingest import formats

    for position, (_, record) in enumerate(first[: MAX_PREAMBLE_LINES + 1]):
        if formats.detect([cell.strip() for cell in record]) != "other":
            return position
    skip = 0
    while (
        skip < min(MAX_PREAMBLE_LINES, len(first) - 2)
        and _filled(first[skip][1]) == 1
        and _filled(first[skip + 1][1]) > 1
    ):
        skip += 1
    return skip


def _filled(record):
    return sum(1 for cell in record if cell.strip())


_NOT_SPACE = re.compile(rb"[^\s]")
_LINE_END = re.compile(rb"\r\n|\r|\n")


class _Lines:
    """The lines of `data` from `start`, decoded one at a time, as csv.reader wants them (each
    with its line end). Where a record starts, blank lines are skipped in one step and counted
    (`blank`), instead of being read one by one; a line over MAX_LINE_BYTES is refused."""

    def __init__(self, data, start, encoding, delimiter):
        self.data = data
        self.position = start
        self.encoding = encoding
        self.at_record_start = True
        self.blank = 0  # blank lines skipped since the last record
        self.line_number = 0  # physical lines read or skipped
        delimiter = delimiter.encode()
        self._filled = re.compile(b"[^\\s" + re.escape(delimiter) + b"]")

    def __iter__(self):
        return self

    def __next__(self):
        data, position = self.data, self.position
        if self.at_record_start:
            self.at_record_start = False
            found = self._filled.search(data, position)
            if found is None:
                self.position = len(data)
                raise StopIteration
            line_start = max(data.rfind(b"\n", position, found.start()), data.rfind(b"\r", position, found.start())) + 1
            if line_start > position:
                skipped = _line_breaks(data, position, line_start)
                self.blank += skipped
                self.line_number += skipped
                position = line_start
        if position >= len(data):
            raise StopIteration
        end_found = _LINE_END.search(data, position)
        end = end_found.end() if end_found else len(data)
        self.line_number += 1
        if end - position > MAX_LINE_BYTES:
            raise UnusableFile(
                f"line {self.line_number} is {(end - position) / 1024 / 1024:.1f} MB long; a line of a CSV "
                f"file may hold at most {MAX_LINE_BYTES // 1024 // 1024} MB"
            )
        self.position = end
        return data[position:end].decode(self.encoding)


def _line_breaks(data, start, end):
    return data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)


def _records(reader, lines):
    """(row number, record) of each record that is not blank; the number is the one a
    spreadsheet shows (the header is row 1, blank lines count)."""
    number = 0
    for record in reader:
        number += lines.blank + 1
        lines.blank = 0
        lines.at_record_start = True
        if "".join(record).strip():
            yield number, record


def _refuse_control_characters(text):
    # Text files hold tabs and line ends; many other control characters mean binary data that
    # happened to decode (any byte decodes in Windows-1252).
    sample = text[:65536]
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    if controls > max(8, len(sample) // 100):
        raise UnusableFile("the file is full of control characters: it is binary data, not CSV text")
