"""The one import path: plan an upload (nothing written), show the plan, then commit it.

Used by the upload section of the app and by `python -m mapapp ingest`. Every row of the file
ends in exactly one of four lists: new, duplicate, updated, rejected (with a reason).
"""

import contextlib
import csv
import gc
import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass, field

from mapapp.contract import border_distances_km
from mapapp.errors import InvalidIncident, StoreChanged, UnusableFile
from mapapp.export import neutralise_formula
from mapapp.incident import Document, Incident
from mapapp.ingest import formats, mapping as column_mapping, value_map
from mapapp.ingest.reading import Limits, read_table
from mapapp.ingest.values import Rejected
from mapapp.text import one_line

# Part of every upload's document id: bump it when the layout of the document text changes,
# so that a re-upload never meets a stored document of the same id with a different text.
DOCUMENT_LAYOUT = b"mapapp-upload-v1"

# Rows that give coordinates but no location precision: the point is taken as near the named
# place (2), not as exact, and the incident's note says so.
DEFAULT_GEO_PRECISION = 2


@dataclass
class RowResult:
    """A row that was not added as new: why, and its cells as they were in the file."""

    row_number: int
    values: list
    status: str  # "duplicate", "updated" or "rejected"
    reason: str


@dataclass
class ImportPlan:
    """What committing an upload would do. Nothing of it is stored yet."""

    filename: str
    format: str
    format_label: str
    encoding: str
    delimiter: str
    header: list
    mapping: dict | None
    document: Document
    total_rows: int
    new: list = field(default_factory=list)  # Incidents to insert
    updated: list = field(default_factory=list)  # Incidents replacing stored ones by id
    duplicates: list = field(default_factory=list)  # RowResults
    rejected: list = field(default_factory=list)  # RowResults
    values: list = field(default_factory=list)  # value_map.ValueChoices of a mapped file's type columns

    @property
    def counts(self):
        return {
            "rows": self.total_rows,
            "new": len(self.new),
            "duplicate": len(self.duplicates),
            "updated": len(self.updated),
            "rejected": len(self.rejected),
        }

    @property
    def rejected_csv(self):
        """The rejected rows as CSV bytes: the original columns plus `reason`.

        Same delimiter as the upload, UTF-8 with a BOM so spreadsheets open it with the
        right letters; text cells that a spreadsheet would run as formulas get a leading `'`.
        """
        return rows_csv(self.header, self.rejected, self.delimiter)

    @property
    def summary(self):
        counts = self.counts
        return (
            f"{counts['new']} new, {counts['duplicate']} duplicate, "
            f"{counts['updated']} updated, {counts['rejected']} rejected "
            f"(of {counts['rows']} rows)"
        )


def rows_csv(header, results, delimiter=","):
    """RowResults as CSV bytes: the original columns (extra cells of long rows in `extra_N`
    columns) and a `reason` column."""
    width = len(header)
    extra = max((len(result.values) - width for result in results), default=0)
    reason_column = "reason" if "reason" not in header else "import_reason"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    extras = [f"extra_{k + 1}" for k in range(extra)]
    writer.writerow([neutralise_formula(cell) for cell in header] + extras + [reason_column])
    for result in results:
        cells = list(result.values) + [""] * (width + extra - len(result.values))
        writer.writerow([neutralise_formula(cell) for cell in cells] + [neutralise_formula(result.reason)])
    return out.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class FileInfo:
    """What an upload is, before any row is read: shown to the user, and the mapping step's input."""

    format: str
    format_label: str
    encoding: str
    delimiter: str
    header: list
    rows: int
    guess: dict  # {role: column or None}, the pre-filled mapping for an "other" file
    problem: str = ""  # why a known-looking file cannot be read without a mapping


def inspect_upload(data, limits=None):
    """Read an upload's header and count its rows (UnusableFile if it cannot be read at all)."""
    table = read_table(data, limits or Limits.from_env())
    kind = formats.detect(table.header)
    near = formats.near_miss(table.header) if kind == "other" else None
    return FileInfo(
        format=kind,
        format_label=formats.LABELS[kind],
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=list(table.header),
        rows=len(table.rows),
        guess=column_mapping.guess(table.header),
        problem=f"it looks like an {near[0]} but lacks the column(s) {', '.join(near[1])}" if near else "",
    )


def plan_import(data, filename, store, mapping=None, geocoder=None, progress=None, limits=None, values=None):
    """Read an upload and work out, row by row, what adding it would do. Nothing is written.

    `mapping` ({role: column}, see mapping.ROLES; roles left out are guessed, None leaves a
    role unmapped) reads the file as a CSV of any shape; without it, the format is told from
    the header and an unknown header gets the guessed mapping if that is complete.
    `geocoder` (a mapapp.geocoders.base.Geocoder; default: the offline gazetteer) resolves the
    places of rows without coordinates; `progress(done, total)` is called once per row. `values`
    ({value: (event_type, sub_event_type) or None}) maps the type words of such a file; values it
    leaves out are remembered from earlier files or proposed (value_map). Raises UnusableFile when
    nothing of the file can be read.
    """
    with _cyclic_gc_paused():
        return _plan_import(data, filename, store, mapping, geocoder, progress, limits, values)


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cycle collector, as bulk loaders do: planning a large upload keeps a few
    objects per row alive (cells, drafts, incidents), and each full collection re-walks all of
    them; for 100,000 rows that was a third of the planning time. Reference counting still frees
    everything that is not a cycle, and the collector is back on when planning ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _plan_import(data, filename, store, mapping, geocoder, progress, limits, values):
    table = read_table(data, limits or Limits.from_env())
    kind = formats.detect(table.header) if mapping is None else "other"
    if kind == "other":
        if mapping is not None:
            # Roles the caller left out are guessed; a role given as None stays unmapped.
            mapping = {**column_mapping.guess(table.header), **mapping}
        else:
            near = formats.near_miss(table.header)
            if near:
                # Read with a guessed mapping, its codes (ACLED geo_precision 3, time_precision)
                # would silently mean something else: ask for the missing columns instead.
                raise UnusableFile(
                    f"the file looks like an {near[0]} but lacks the column(s) {', '.join(near[1])}; "
                    "add them, or map the columns yourself"
                )
            mapping = column_mapping.guess(table.header)
        _check_mapping(mapping, table.header)
    rows = formats.row_reader(kind, table.header, filename, mapping, store, values)
    digest = hashlib.sha256(DOCUMENT_LAYOUT)
    digest.update(data)
    if mapping is not None:
        digest.update(json.dumps(mapping, sort_keys=True).encode())
    document_id = f"upload-{digest.hexdigest()[:16]}"
    planner = _Planner(table, rows, document_id, geocoder, progress)
    planner.read_rows()
    document = Document(
        id=document_id,
        title=f"Upload: {filename}" if filename else "Upload",
        text=planner.document_text(f"Uploaded CSV file ({rows.label}), sha256 {hashlib.sha256(data).hexdigest()}"),
        source=f"uploaded file {filename} ({rows.label})" if filename else f"uploaded file ({rows.label})",
    )
    plan = ImportPlan(
        filename=filename,
        format=kind,
        format_label=rows.label,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=list(table.header),
        mapping=mapping,
        document=document,
        total_rows=len(table.rows),
        rejected=planner.rejected,
        values=getattr(rows, "value_choices", []),
    )
    _classify(plan, planner.incidents(), store)
    plan.rejected.sort(key=lambda result: result.row_number)
    return plan


def _check_mapping(mapping, header):
    found = column_mapping.problems(mapping, header)
    if found:
        raise UnusableFile(
            "the columns are not those of an ACLED export, a UCDP GED export or the app's own "
            f"format, and they cannot be mapped: {'; '.join(found)}."
        )


class _Planner:
    """Reads the rows of a table into drafts, the upload's document and rejections."""

    def __init__(self, table, rows, document_id, geocoder, progress):
        self.table = table
        self.rows = rows
        self.document_id = document_id
        self.geocoder = geocoder
        self.progress = progress
        self.rejected = []
        self.drafts = []  # (draft, row number, cells, passage offsets or None)
        self._parts = []
        self._length = 0
        self._places = {}

    def read_rows(self):
        table, rows, progress = self.table, self.rows, self.progress
        width = len(table.header)
        total = len(table.rows)
        rows.prepare(table.rows)
        for position, (values, number) in enumerate(zip(table.rows, table.row_numbers)):
            if progress is not None:
                progress(position + 1, total)
            if len(values) != width:
                if len(values) > width and not "".join(values[width:]).strip():
                    values = values[:width]  # trailing empty cells (a delimiter at the end of the line)
                else:
                    self.reject(number, values, _field_count_reason(values, width))
                    continue
            try:
                cells = rows.cells(values + [""])  # the "" is what a column the file lacks reads
                offsets = self._add_block(number, cells)
                draft = rows.draft(cells)
                if draft.link is None and offsets is None:
                    raise Rejected("there is no text to cite: the notes, headline or description is empty")
                if draft.latitude is None:
                    self._geocode(draft)
                elif draft.geo_precision is None:
                    draft.geo_precision = DEFAULT_GEO_PRECISION
                    draft.note = _join(
                        draft.note, "The file gives no location precision: coded as near the named place (2)."
                    )
            except Rejected as err:
                self.reject(number, values, str(err))
                continue
            except Exception as err:  # noqa: BLE001 - one odd row must not sink the file
                self.reject(number, values, f"unexpected problem with this row: {type(err).__name__}: {err}")
                continue
            self.drafts.append((draft, number, values, offsets))

    def reject(self, number, values, reason):
        self.rejected.append(RowResult(number, list(values), "rejected", reason))

    def _add_block(self, number, cells):
        """Append the row's block (heading, passage, source) to the document; passage offsets."""
        passage = self.rows.passage(cells)
        if not passage:
            return None
        heading = f"row {number} · {self.rows.heading(cells)}\n"
        source = self.rows.source(cells)
        start = self._length + len(heading)
        end = start + len(passage)
        block = heading + passage + "\n" + (f"source: {one_line(source)}\n" if source else "") + "\n"
        self._parts.append(block)
        self._length += len(block)
        return start, end, passage

    def document_text(self, preamble):
        # Offsets were counted from the start of the blocks; the preamble is shifted in below.
        self._preamble = preamble + "\n\n"
        return self._preamble + "".join(self._parts)

    def _geocode(self, draft):
        place = draft.location
        if not place:
            raise Rejected("no coordinates and no place name to look up")
        if place not in self._places:
            self._places[place] = self._resolve(place)
        found = self._places[place]
        if found is None:
            raise Rejected(f"place {place!r} not found in {self.geocoder.label}")
        if isinstance(found, str):
            raise Rejected(found)
        draft.latitude, draft.longitude = found.lat, found.lon
        draft.geo_precision = max(draft.geo_precision or 1, found.geo_precision)
        note = f"Coordinates from {found.answered_by}: {place!r} matched {found.name!r} ({found.source})"
        if found.candidates:
            note += f"; {len(found.candidates)} other place(s) of that name ranked lower"
        if found.fallback:
            note += f"; {found.fallback}"
        draft.note = _join(draft.note, note + ".")

    def _resolve(self, place):
        """The geocoder's GeocodeResult for a place, None when it has none, or a reason string."""
        if self.geocoder is None:
            from mapapp.geocoders import get_geocoder  # geopy and the gazetteer: only when a row needs them

            self.geocoder = get_geocoder()
        try:
            return self.geocoder.resolve(place)
        except Exception as err:  # noqa: BLE001 - a geocoder failure rejects the row, not the file
            return f"{self.geocoder.label} could not look up {place!r}: {type(err).__name__}: {err}"

    def incidents(self):
        """(Incident, row number, cells) of every draft that makes a valid incident."""
        if not self.drafts:
            return []
        shift = len(self._preamble)
        distances = border_distances_km(
            [draft.latitude for draft, *_ in self.drafts],
            [draft.longitude for draft, *_ in self.drafts],
            [draft.geo_precision for draft, *_ in self.drafts],
        )
        made = []
        for (draft, number, values, offsets), distance in zip(self.drafts, distances):
            if draft.link is not None:
                document_id, start, end = draft.link
                passage = self.rows.document_text(document_id)[start:end]
            else:
                document_id = self.document_id
                start, end, passage = offsets[0] + shift, offsets[1] + shift, offsets[2]
            try:
                incident = Incident(
                    id=draft.id or f"{self.document_id}-row{number}",
                    date_start=draft.date_start,
                    date_end=draft.date_end,
                    date_precision=draft.date_precision,
                    event_type=draft.event_type,
                    sub_event_type=draft.sub_event_type,
                    location=draft.location,
                    latitude=draft.latitude,
                    longitude=draft.longitude,
                    geo_precision=draft.geo_precision,
                    description=draft.description,
                    source=draft.source,
                    document_id=document_id,
                    passage_start=start,
                    passage_end=end,
                    passage=passage,
                    border_distance_km=distance,
                    note=draft.note,
                    actor1=draft.actor1,
                    actor2=draft.actor2,
                    fatalities=draft.fatalities,
                    admin1=draft.admin1,
                    admin2=draft.admin2,
                    source_timestamp=draft.source_timestamp,
                )
            except InvalidIncident as err:
                self.reject(number, values, str(err))
                continue
            made.append((incident, number, values))
        return made


def _field_count_reason(values, width):
    reason = f"the row has {len(values)} cells, the header has {width}"
    if any("\n" in cell for cell in values):
        reason += " (a quote that is never closed joins lines into one cell)"
    return reason


def _join(note, addition):
    return f"{note} {addition}" if note else addition


def _classify(plan, candidates, store):
    stored = store.source_timestamps([incident.id for incident, *_ in candidates])
    prints = [incident.fingerprint for incident, *_ in candidates]
    stored_prints = store.known_fingerprints(prints)
    seen_ids = {}
    seen_prints = {}
    for (incident, number, values), print_ in zip(candidates, prints):
        reason = None
        if incident.id in seen_ids:
            reason = f"same id {incident.id!r} as row {seen_ids[incident.id]}"
        elif incident.id in stored:
            old = stored[incident.id]
            if incident.source_timestamp is not None and old is not None and incident.source_timestamp > old:
                plan.updated.append(incident)
                seen_ids[incident.id] = number
                continue
            reason = f"id {incident.id!r} is already stored"
            if incident.source_timestamp is not None and old is not None:
                reason += f" (stored timestamp {old}, this row's {incident.source_timestamp}: not newer)"
        elif print_ in stored_prints:
            reason = "same date, type, place and description as a stored incident"
        elif print_ in seen_prints:
            reason = f"same date, type, place and description as row {seen_prints[print_]}"
        seen_ids.setdefault(incident.id, number)
        seen_prints.setdefault(print_, number)
        if reason is None:
            plan.new.append(incident)
        else:
            plan.duplicates.append(RowResult(number, list(values), "duplicate", reason))


def commit(plan, store):
    """Store the plan's new and updated incidents and its document: one transaction.

    Returns {"added": n, "updated": m}. A plan with nothing new stores nothing, so committing
    the same file twice adds nothing. Raises StoreChanged when another import stored some of
    the same incidents after the plan was made (nothing of this plan is stored then).
    """
    if plan.values:
        # The next file with the same words starts from these choices.
        store.remember_values(value_map.mapped(plan.values))
    if not plan.new and not plan.updated:
        return {"added": 0, "updated": 0}
    uses_document = any(
        incident.document_id == plan.document.id for incident in (*plan.new, *plan.updated)
    )
    try:
        store.add([plan.document] if uses_document else [], plan.new, plan.updated)
    except sqlite3.IntegrityError as err:
        raise StoreChanged(
            f"the store changed since this upload was checked ({err}); nothing was added: check the file again"
        ) from err
    return {"added": len(plan.new), "updated": len(plan.updated)}

