"""Planning an ACLED export in columns: every check on whole columns, one Python call per
distinct value (dates, types, codes), and the rows that fail a check left to the row-by-row
planner, which rejects them with its own reasons.

A row is read here only when every cell passes checks that the row-by-row planner would pass
too, with the same values as it would compute (tests/test_column_plan.py compares the two on
files with every kind of bad value); every other row (a bad date, a swapped coordinate, a
missing place to look up, a cell of another width ...) goes to importer._Planner, so a reason
is always the one it gives. Both kinds of rows then make one document, in file order.
"""

import codecs
import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapapp.boundary import border_distances_array
from mapapp.errors import InvalidIncident
from mapapp.ingest import acled
from mapapp.ingest import text_columns as tc
from mapapp.ingest.arrow_csv import compacted
from mapapp.ingest.batch import SCHEMA, IncidentBatch
from mapapp.ingest.values import REGION_LATITUDES, REGION_LONGITUDES, Rejected, match_types, parse_int

# Cells that parse_number reads as float(cell) does, and that pyarrow's cast reads the same.
_DECIMAL = r"^[0-9]{1,20}(\.[0-9]{1,30})?$"
# Columns of the planned incidents that repeat a few values (kept dictionary-encoded).
_REPEATING = ("date_start", "date_end", "date_precision", "event_type", "sub_event_type", "location", "source",
              "document_id", "note", "actor1", "actor2", "admin1", "admin2")
# ACLED timestamps that are whole seconds below 2**63 (what the store keeps).
_TIMESTAMP = r"^[0-9]{1,18}$"


# The formats (formats.FORMATS names) planned in columns; the others are planned row by row.
FORMATS = ("acled",)


def supports(rows):
    """Whether the file's format is planned in columns (the others row by row)."""
    return rows.name in FORMATS


def plan(table, rows, planner, preamble, filename_label):
    """(IncidentBatch, document text) of a reading.ColumnTable of an ACLED export; the
    planner's `rejected` gets the rows it rejects."""
    columns = table.columns
    n = columns.length
    width = len(table.header)
    # The columns the format does not read are only kept for the cells of reported rows.
    columns.compact(skip=set(rows.positions.values()))
    empty = pa.repeat(pa.scalar("", pa.string()), n)
    cell = {
        name: tc.strip(columns.arrays[position]) if position < width else empty
        for name, position in rows.positions.items()
    }
    clean = np.ones(n, dtype=bool)

    def keep(mask):
        clean[:] &= _np(mask)

    keep(pc.not_equal(cell["event_id_cnty"], ""))
    keep(pc.not_equal(cell["notes"], ""))
    dates, ok = _each_distinct(
        [cell["event_date"], cell["time_precision"]], lambda day, code: rows.memo(acled._dates, day, code)
    )
    clean &= ok
    types, ok = _each_distinct([cell["event_type"], cell["sub_event_type"]], match_types)
    clean &= ok
    latitude, longitude = cell["latitude"], cell["longitude"]
    keep(pc.and_(pc.match_substring_regex(latitude, _DECIMAL), pc.match_substring_regex(longitude, _DECIMAL)))
    lat = _floats(latitude, clean)
    lon = _floats(longitude, clean)
    clean &= _plausible(lat, lon)
    precisions, ok = _each_distinct(
        [cell["geo_precision"]],
        lambda code: acled.GEO_PRECISIONS[rows.memo(parse_int, code, "geo_precision", acled._GEO_CODES)],
    )
    clean &= ok
    fatalities, ok = _each_distinct([cell["fatalities"]], lambda text: _fatalities(rows, text))
    clean &= ok
    stamps = cell["timestamp"]
    keep(pc.or_(pc.equal(stamps, ""), pc.match_substring_regex(stamps, _TIMESTAMP)))

    # Rows of another width, and the rows that failed a check, row by row.
    fallback = np.flatnonzero(~clean)
    drafts = planner.read_rows(_sub_table(table, fallback)) if len(fallback) or table.odd else []
    made = _checked(planner, drafts)

    everything = bool(clean.all())
    if everything:
        picked = cell
    else:
        keep_rows = pa.array(clean)
        picked = {name: array.filter(keep_rows) for name, array in cell.items()}
    del cell
    numbers = columns.numbers[clean]
    m = len(numbers)
    indices = {name: array[clean] for name, array in (("dates", dates[0]), ("types", types[0]),
                                                      ("precisions", precisions[0]),
                                                      ("fatalities", fatalities[0]))}
    date_rows = [dates[1][k] for k in range(len(dates[1]))]
    day_start = pa.array([r[0].isoformat() if r else None for r in date_rows], pa.string()).take(indices["dates"])
    day_end = pa.array([r[1].isoformat() if r else None for r in date_rows], pa.string()).take(indices["dates"])
    date_precision = pa.array([r[2] if r else None for r in date_rows], pa.string()).take(indices["dates"])
    event_type = pa.array([r[0] if r else None for r in types[1]], pa.string()).take(indices["types"])
    sub_event_type = pa.array([r[1] if r else None for r in types[1]], pa.string()).take(indices["types"])
    geo_precision = pa.array([r if isinstance(r, int) else None for r in precisions[1]],
                             pa.int64()).take(indices["precisions"])
    fatality = pa.array([None if r is None or r is _NONE else int(r) for r in fatalities[1]],
                        pa.int64()).take(indices["fatalities"])
    stamp = picked["timestamp"]
    source_timestamp = pc.cast(pc.if_else(pc.equal(stamp, ""), None, stamp), pa.int64())
    notes = picked["notes"]
    description = tc.first_sentence(notes)
    source = pc.if_else(pc.equal(picked["source"], ""), "ACLED", picked["source"])
    # Before the document is put together: its text and the keys hashed here are the two
    # largest things a plan makes, and they need not be held at once.
    fingerprint = _fingerprints(day_start, event_type, picked["location"], description,
                                picked["actor1"], picked["actor2"])
    pa.default_memory_pool().release_unused()

    heading_lines = _headings(picked, numbers)
    source_lines = pc.if_else(
        pc.equal(picked["source"], ""), "",
        pc.binary_join_element_wise("source: ", tc.one_line(picked["source"]), "\n", ""),
    )
    blocks = pc.binary_join_element_wise(heading_lines, notes, "\n", source_lines, "\n", "")

    # The rows read row by row, in the same shape.
    fb_numbers = np.array([number for _, number, _, _, _ in made], dtype=np.int64)
    fb_blocks = pa.array([heading + passage + "\n" + source + "\n" for _, _, _, (heading, passage, source), _ in made],
                         pa.string())
    fb_heading = np.array([len(heading) for _, _, _, (heading, _, _), _ in made], dtype=np.int64)
    fb_passage = np.array([len(passage) for _, _, _, (_, passage, _), _ in made], dtype=np.int64)
    fb_source = np.array([len(source) for _, _, _, (_, _, source), _ in made], dtype=np.int64)

    all_numbers = np.concatenate([numbers, fb_numbers])
    order = np.argsort(all_numbers, kind="stable")
    # Most files have no row left to the row planner: their blocks are in order already.
    in_order = not made
    all_blocks = blocks if in_order else pa.concat_arrays([blocks, fb_blocks]).take(pa.array(order))
    del blocks
    heading_length = np.concatenate([_np_int(pc.utf8_length(heading_lines)), fb_heading])[order]
    passage_length = np.concatenate([_np_int(pc.utf8_length(notes)), fb_passage])[order]
    # A block is its heading line, passage, "\n", source line and "\n".
    block_length = heading_length + passage_length + 2 + np.concatenate(
        [_np_int(pc.utf8_length(source_lines)), fb_source])[order]
    del heading_lines, source_lines
    head = preamble + "\n\n"
    starts = len(head) + np.concatenate([[0], np.cumsum(block_length)[:-1]]) if len(order) else np.zeros(0, np.int64)
    passage_start = starts + heading_length
    passage_end = passage_start + passage_length
    text = _joined(head, all_blocks) if len(order) else preamble + "\n"
    del all_blocks
    pa.default_memory_pool().release_unused()

    fb_incidents = [incident for _, _, _, _, incident in made]
    lat_all = np.concatenate([lat[clean], np.array([i.latitude for i in fb_incidents], dtype=float)])[order]
    lon_all = np.concatenate([lon[clean], np.array([i.longitude for i in fb_incidents], dtype=float)])[order]
    precision_all = np.concatenate([
        _np_int(geo_precision), np.array([i.geo_precision for i in fb_incidents], dtype=np.int64)])[order]
    distances, no_distance = border_distances_array(lat_all, lon_all, precision_all)

    document_id = planner.document_id
    clean_table = pa.table({
        "id": picked["event_id_cnty"], "date_start": day_start, "date_end": day_end,
        "date_precision": date_precision, "event_type": event_type, "sub_event_type": sub_event_type,
        "location": picked["location"], "latitude": pa.array(lat[clean]), "longitude": pa.array(lon[clean]),
        "geo_precision": geo_precision, "border_distance_km": pa.nulls(m, pa.float64()),
        "description": description, "source": source, "document_id": pa.repeat(document_id, m),
        "passage_start": pa.nulls(m, pa.int64()), "passage_end": pa.nulls(m, pa.int64()),
        "note": pa.repeat("", m), "actor1": picked["actor1"], "actor2": picked["actor2"],
        "fatalities": fatality, "admin1": picked["admin1"], "admin2": picked["admin2"],
        "source_timestamp": source_timestamp,
        "fingerprint": fingerprint,
        "row_number": pa.array(numbers), "has_source_id": pa.repeat(True, m),
    }, schema=SCHEMA)
    fb_table = pa.Table.from_pylist([
        {**_row_of(incident), "row_number": number, "has_source_id": has_id}
        for _, number, has_id, _, incident in made
    ], schema=SCHEMA)
    merged = clean_table if in_order else pa.concat_tables([clean_table, fb_table]).take(pa.array(order))
    merged = merged.set_column(SCHEMA.get_field_index("passage_start"), "passage_start", pa.array(passage_start))
    merged = merged.set_column(SCHEMA.get_field_index("passage_end"), "passage_end", pa.array(passage_end))
    merged = merged.set_column(SCHEMA.get_field_index("border_distance_km"), "border_distance_km",
                               pa.array(distances, pa.float64(), mask=no_distance))
    # Held until the commit: the repeating text columns dictionary-encoded, the file's table too.
    merged = pa.table([
        compacted(merged.column(name).combine_chunks()) if name in _REPEATING else merged.column(name)
        for name in merged.column_names
    ], names=merged.column_names)
    columns.compact()
    fb_values = {number: values for _, number, values, _ in drafts}
    clean_positions = np.flatnonzero(clean)

    def values(positions):
        numbers_at = merged.column("row_number").take(pa.array(positions, pa.int64())).to_pylist()
        found = [list(fb_values[number]) if number in fb_values else None for number in numbers_at]
        missing = [k for k, value in enumerate(found) if value is None]
        if missing:
            where = np.searchsorted(numbers, [numbers_at[k] for k in missing])
            rows_of = table.columns.rows(clean_positions[where].tolist())
            for k, row in zip(missing, rows_of):
                found[k] = row
        return found

    return IncidentBatch(merged, text, values, filename_label), text


def _checked(planner, drafts):
    """(draft, number, has id, block, Incident) of the drafts that make a valid incident (with
    its passage at offset 0: the real offsets come when the document is put together); the
    others are rejected as the row-by-row planner rejects them."""
    made = []
    for draft, number, values, block in drafts:
        heading, passage, source = block
        try:
            incident = draft.incident(
                draft.id or f"{planner.document_id}-row{number}", planner.document_id, 0, len(passage), passage, None
            )
        except InvalidIncident as err:
            planner.reject(number, values, str(err))
            continue
        made.append((draft, number, bool(draft.id), block, incident))
    return made


def _row_of(incident):
    row = {name: getattr(incident, name) for name in SCHEMA.names[:24] if name != "fingerprint"}
    for key in ("date_start", "date_end"):
        row[key] = row[key].isoformat() if row[key] else None
    row["fingerprint"] = incident.fingerprint
    return row


def _sub_table(table, positions):
    """A reading.Table of the rows at `positions` of the columns and the odd rows, in file order."""
    from mapapp.ingest.reading import Table

    numbered = list(zip(table.columns.numbers[positions].tolist(), table.columns.rows(positions.tolist())))
    numbered = sorted(numbered + [(number, list(values)) for number, values in table.odd])
    return Table(
        header=table.header, rows=[values for _, values in numbered], row_numbers=[number for number, _ in numbered],
        encoding=table.encoding, delimiter=table.delimiter, sha256=table.sha256,
    )


def _headings(picked, numbers):
    """'row N · ' + AcledRows.heading(cells) + '\\n' of every row."""
    actor1, actor2 = picked["actor1"], picked["actor2"]
    both = pc.and_(pc.not_equal(actor1, ""), pc.not_equal(actor2, ""))
    actors = pc.if_else(both, pc.binary_join_element_wise(actor1, actor2, " / "),
                        pc.binary_join_element_wise(actor1, actor2, ""))
    actors = pc.if_else(pc.equal(actors, ""), None, actors)
    fatalities = pc.if_else(
        pc.equal(picked["fatalities"], ""), None, pc.binary_join_element_wise("fatalities ", picked["fatalities"], "")
    )
    heading = pc.binary_join_element_wise(
        pc.binary_join_element_wise("ACLED ", picked["event_id_cnty"], ""), picked["event_date"], picked["location"],
        pc.binary_join_element_wise(picked["event_type"], picked["sub_event_type"], ": "), actors, fatalities,
        " · ", null_handling="skip",
    )
    return pc.binary_join_element_wise(
        "row ", pc.cast(pa.array(numbers), pa.string()), " · ", tc.one_line(heading), "\n", "",
    )


def _fingerprints(day_start, event_type, location, description, actor1, actor2):
    """Incident.fingerprint of every row: the key folded in columns where pyarrow's lower() is
    str.casefold() (text_columns.casefold), else in Python, then hashed."""
    date = pc.fill_null(day_start, "")
    exact = np.ones(len(date), dtype=bool)
    folded = []
    for array in (location, description, actor1, actor2):
        # A description is on one line already (first_sentence), and casefold keeps it so.
        lower, fits = _folded(array, one_line=array is not description)
        folded.append(lower)
        exact &= fits
    actors = pc.or_(pc.not_equal(actor1, ""), pc.not_equal(actor2, ""))
    if pc.all(actors).as_py():  # an ACLED export names an actor in every row: one join
        key = pc.binary_join_element_wise(date, event_type, *folded, "\x1f")
    else:
        key = pc.binary_join_element_wise(date, event_type, folded[0], folded[1], "\x1f")
        key = pc.if_else(actors, pc.binary_join_element_wise(key, folded[2], folded[3], "\x1f"), key)
    keys = pc.cast(key, pa.binary())
    del folded
    if exact.all():
        return _hashed(keys)
    keys = keys.to_pylist()
    if not exact.all():
        from mapapp.text import one_line

        others = np.flatnonzero(~exact)
        columns = [array.take(pa.array(others)).to_pylist()
                   for array in (date, event_type, location, description, actor1, actor2)]
        for k, (day, kind, place, summary, first, second) in zip(others, zip(*columns)):
            text = "\x1f".join((day, kind, one_line(place.casefold()), one_line(summary.casefold())))
            if first or second:
                text += "\x1f" + one_line(first.casefold()) + "\x1f" + one_line(second.casefold())
            keys[k] = text.encode()
    return _hashed(pa.array(keys, pa.binary()))


def _folded(array, one_line):
    """tc.casefold of a column (then tc.one_line when `one_line`), worked out once per distinct
    value of a column that repeats a few (places, actors)."""
    encoded = compacted(array)
    values = encoded.dictionary if pa.types.is_dictionary(encoded.type) else encoded
    lower, exact = tc.casefold(values)
    if one_line:
        lower = tc.one_line(lower)
    if values is encoded:
        return lower, exact
    return lower.take(encoded.indices), exact[_np_int(encoded.indices)]


def _hashed(keys):
    """The blake2b hex digest (16 bytes) of each key, made a chunk of keys at a time."""
    blake2b = hashlib.blake2b
    digests = []
    for start in range(0, len(keys), 50_000):
        digests += [blake2b(key, digest_size=16).hexdigest() for key in keys.slice(start, 50_000).to_pylist()]
    return pa.array(digests, pa.string())


def _each_distinct(arrays, compute):
    """((indices, results), ok): compute(*cells) once per distinct tuple of cells; `indices`
    maps each row to its tuple's result, `ok` is False for rows whose compute raised Rejected."""
    n = len(arrays[0])
    if not n:
        return (np.zeros(0, np.int64), []), np.zeros(0, dtype=bool)
    key = arrays[0] if len(arrays) == 1 else pc.binary_join_element_wise(*arrays, "\x00")
    encoded = pc.dictionary_encode(key)
    indices = _np_int(encoded.indices)
    _, first = np.unique(indices, return_index=True)
    samples = [array.take(pa.array(first)).to_pylist() for array in arrays]
    order = _np_int(encoded.indices.take(pa.array(first)))
    results = [None] * len(encoded.dictionary)
    for slot, cells in zip(order, zip(*samples)):
        try:
            results[slot] = compute(*cells)
        except Rejected:
            results[slot] = None
    ok = np.array([result is not None for result in results], dtype=bool)[indices]
    return (indices, results), ok


def _fatalities(rows, text):
    if not text:
        return _NONE
    value = rows.memo(parse_int, text, "fatalities")
    if value < 0:
        raise Rejected("negative")  # the Incident refuses it: left to the row planner
    return value


class _NoneValue(int):
    """A result that stands for None (a fatalities cell left empty) but is not a failure."""


_NONE = _NoneValue(0)


def _floats(array, clean):
    """The cells as floats where `clean`, NaN elsewhere."""
    masked = pc.if_else(pa.array(clean), array, None)
    return pc.cast(masked, pa.float64()).to_numpy(zero_copy_only=False)


def _plausible(lat, lon):
    """values.check_coordinates, True where it passes (NaN fails)."""
    def inside(a, b):
        return ((REGION_LATITUDES[0] <= a) & (a <= REGION_LATITUDES[1])
                & (REGION_LONGITUDES[0] <= b) & (b <= REGION_LONGITUDES[1]))

    with np.errstate(invalid="ignore"):
        swapped = ~inside(lat, lon) & inside(lon, lat)
        ranged = (-90 <= lat) & (lat <= 90) & (-180 <= lon) & (lon <= 180)
        return ~swapped & ranged & ~((lat == 0) & (lon == 0))


def _np(mask):
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _np_int(array):
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.int64)


def _joined(head, array):
    """`head` and the cells of a string array joined into one str: the UTF-8 bytes put together
    from the array's data buffer and decoded once (a str of text beyond Latin-1 takes two or
    four bytes a character, so it is made once, not copied)."""
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    kind = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], dtype=kind)[array.offset : array.offset + len(array) + 1]
    cells = memoryview(array.buffers()[2])[int(offsets[0]) : int(offsets[-1])]
    return codecs.decode(b"".join((head.encode(), cells)), "utf-8")
