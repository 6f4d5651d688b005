"""The rows of a CSV file below its header, read in columns with pyarrow's CSV parser.

reading.read_table reads the title lines and the header itself, then hands the rest of the
bytes here. The result must be what its row-by-row reader (Python's csv module over the
file's lines) gives, row numbers included; where that cannot be known cheaply, `read` returns
None and the file is read row by row. The cases left to the row reader: a carriage return that
does not end a line with a line feed, more lines than the row limit, a line longer than
reading.MAX_LINE_BYTES, a cell longer than csv's field limit, a row of the wrong width that is
the file's last record or does not read back as one record.
"""

import csv
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mapapp.ingest import text_columns

# Python's csv module refuses a cell longer than this (csv.field_size_limit()); the row reader
# then refuses the file. A file with such a cell is left to it.
FIELD_LIMIT = 131072
_CHUNK = 64 * 1024 * 1024
_BLOCK = 16 * 1024 * 1024


class Columns:
    """The rows of a file that have as many cells as the header: one pyarrow string array per
    column, and `numbers`, the row number (as a spreadsheet shows it) of each row."""

    def __init__(self, arrays, numbers):
        self.arrays = arrays
        self.numbers = numbers
        self.length = len(numbers)

    def compact(self, skip=()):
        """Keep the columns that repeat a few values dictionary-encoded (the same cells, read back
        by `rows`), but those at positions `skip`: a plan keeps the table for the cells of the
        rows it reports, and most columns of an export (dates, types, places, ACLED's year,
        region, tags ...) repeat."""
        self.arrays = [array if position in skip else compacted(array) for position, array in enumerate(self.arrays)]

    def rows(self, positions=None):
        """The rows (lists of strings), all or those at `positions`."""
        arrays = self.arrays if positions is None else [array.take(pa.array(positions, pa.int64()))
                                                        for array in self.arrays]
        return [list(row) for row in zip(*(pylist(array) for array in arrays))]


def pylist(array):
    """array.to_pylist(), fast for a dictionary-encoded array too (pyarrow makes a scalar per
    cell of those): each distinct value made once, and shared by the cells that hold it."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        return array.to_pylist()
    values = array.dictionary.to_pylist()
    if array.null_count:
        return [None if k is None else values[k] for k in array.indices.to_pylist()]
    return [values[k] for k in array.indices.to_numpy().tolist()]


def compacted(array):
    """A string array dictionary-encoded when it has at most half as many distinct values as cells."""
    if pa.types.is_dictionary(array.type) or len(array) < 2:
        return array
    if len(array) > 2000 and len(pc.unique(array.slice(0, 1000))) > 500:
        return array  # ids, notes, coordinates: (nearly) every cell its own
    encoded = pc.dictionary_encode(array)
    return encoded if len(encoded.dictionary) <= len(array) // 2 else array


@dataclass
class Read:
    header: list
    columns: Columns
    odd: list  # (row number, cells) of the rows of another width, blank ones left out


def read(data, offset, header_number, header, delimiter, limits):
    """The rows of `data` (UTF-8 bytes) from `offset`, the byte after the header record (whose
    row number is `header_number`), as a Read; None when the row reader must read them."""
    from mapapp.ingest.reading import MAX_LINE_BYTES

    size = len(data) - offset
    if size <= 0:
        return None
    feeds, longest, lone_return = _lines(data, offset)
    lines = feeds + (0 if data.endswith(b"\n") else 1)
    if lines > limits.max_rows or lone_return or longest > MAX_LINE_BYTES:
        return None
    width = len(header)
    names = [f"c{k}" for k in range(width)]
    try:
        # Blocks parsed on every core; but a row of another width is then reported without
        # its number, and the file is parsed again on one thread to know it.
        table, odd = _parsed(data, offset, names, delimiter, threads=True)
        if any(number is None for number, _ in odd):
            del table
            table, odd = _parsed(data, offset, names, delimiter, threads=False)
    except (pa.ArrowException, ValueError):
        return None
    arrays = []
    for name in names:
        # One column at a time, each dropped from the table once combined: the parsed blocks of a
        # column are freed before the next is copied.
        column = table.column(name)
        arrays.append(column.chunk(0) if column.num_chunks == 1 else column.combine_chunks())
        table = table.drop_columns([name])
        del column
    rows_parsed = len(arrays[0]) if arrays else 0
    pa.default_memory_pool().release_unused()
    for array in arrays:
        if len(array) and pc.max(pc.binary_length(array)).as_py() > FIELD_LIMIT:
            return None
    total = rows_parsed + len(odd)
    other = np.zeros(total, dtype=bool)
    odd_rows = []
    for number, text in odd:
        if number is None or number >= total:
            return None  # the last record: its line end reads differently (see the module's notes)
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
        if len(records) != 1:
            return None
        other[number - 1] = True
        cells = records[0]
        if "".join(cells).strip():
            odd_rows.append((header_number + number, cells))
    numbers = np.flatnonzero(~other) + 1 + header_number
    blank = text_columns.blank_rows(arrays)
    if blank is not None:
        keep = pa.array(~blank)
        arrays = [array.filter(keep) for array in arrays]
        numbers = numbers[~blank]
    if not len(numbers) and not odd_rows:
        return None  # "no rows": the row reader says so
    return Read(header, Columns(arrays, numbers), odd_rows)


def _parsed(data, offset, names, delimiter, threads):
    """(pyarrow table of string columns, [(row number, text)] of the rows of another width)."""
    odd = []

    def other_width(row):
        odd.append((row.number, row.text))
        return "skip"

    table = pacsv.read_csv(
        pa.py_buffer(memoryview(data)[offset:]),
        read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK, use_threads=threads),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=other_width,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names}, strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table, odd


def _lines(data, offset):
    """(line feeds, length in bytes of the longest line, whether a carriage return is not
    followed by a line feed) of data[offset:], in one pass over the bytes a chunk at a time."""
    whole = np.frombuffer(data, dtype=np.uint8)
    feeds = longest = 0
    lone_return = False
    previous = offset - 1
    for position in range(offset, len(data), _CHUNK):
        chunk = whole[position : position + _CHUNK]
        ends = np.flatnonzero(chunk == 10)
        feeds += len(ends)
        if len(ends):
            ends += position
            longest = max(longest, int(ends[0] - previous), int(np.diff(ends).max(initial=0)))
            previous = int(ends[-1])
        after = np.flatnonzero(chunk == 13) + position + 1  # the byte after each carriage return
        if len(after) and not lone_return:
            lone_return = bool(after[-1] >= len(data)) or bool((whole[after] != 10).any())
    return feeds, max(longest, len(data) - 1 - previous), lone_return
