"""Bytes of an uploaded file to a table of strings: encoding, delimiter, limits.

Everything that makes a file unreadable as a whole raises UnusableFile with a message meant
for the person who uploaded it; anything wrong with a single row is left for the row to be
rejected with a reason, so one bad line never costs the others.
"""

import csv
import io
import itertools
import os
import re
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
    else whichever of CODE_PAGES reads most like text from the region."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark.
        encoding = "utf-16"
    else:
        _refuse_binary(data)
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        return _decode_code_page(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        raise UnusableFile(
            f"the file starts like {encoding} text but is not: {err.reason} at byte {err.start}"
        ) from None
    return text, encoding


def _decode_code_page(data):
    """Decode with the most plausible of CODE_PAGES, judged on a sample of its non-ASCII text."""
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
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue  # the rest of the file has a byte the sample did not
        if encoding == "iso-8859-2" and _has_c1_controls(text):
            continue  # Latin-2 text never holds 0x80-0x9F; any byte decodes to one of those
        return text, encoding
    raise UnusableFile(
        f"the file is not text in UTF-8, {_CODE_PAGE_NAMES} "
        "(is it a spreadsheet or another binary file? save it as CSV)"
    )


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


_C1_CONTROL = re.compile("[\x80-\x9f]")


def _has_c1_controls(text):
    return _C1_CONTROL.search(text) is not None


def _refuse_binary(data):
    head = data[:64]
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise UnusableFile(f"this is {what}")
    if b"\x00" in data:
        raise UnusableFile("the file contains NUL bytes: it is a binary file, not CSV text")


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
