"""The one import path: plan an upload (nothing written), show the plan, then commit it.

Used by the upload section of the app and by `python -m mapapp ingest`. Every row of the file
ends in exactly one of four lists: new, duplicate, updated, rejected (with a reason).

The steps are explicit: read the file once (reading.read_table), turn its rows into drafts
(_Planner.read_rows), drafts into incidents and the upload's document (_Planner.incidents),
then sort them against the store. The plan's sorting is a preview: commit() sorts again inside
its write transaction, so imports, updates and removals that overlap give what some serial
order of them would give.
"""

import contextlib
import csv
import gc
import hashlib
import io
import json
from dataclasses import dataclass, field

from mapapp import memory
from mapapp.boundary import border_distances_km
from mapapp.errors import InvalidIncident, StoreChanged, UnusableFile
from mapapp.export import neutralise_formula
from mapapp.incident import Document
from mapapp.ingest import column_plan, formats, identity, mapping as column_mapping, value_map
from mapapp.ingest.batch import BatchCandidates
from mapapp.ingest.reading import ColumnTable, Limits, Table, read_table
from mapapp.ingest.values import Rejected
from mapapp.text import one_line

# Part of every upload's document id: bump it when the layout of the document text changes,
# so that a re-upload never meets a stored document of the same id with a different text.
# v2: blocks of rejected rows are left out.
DOCUMENT_LAYOUT = b"mapapp-upload-v2"

# Rows that give coordinates but no location precision: the point is taken as near the named
# place (2), not as exact, and the incident's note says so.
DEFAULT_GEO_PRECISION = 2


@dataclass
class RowResult:
    """A row that was not added as new: why, and its cells as they were in the file."""

    row_number: int
    values: list
    status: str  # "duplicate", "possible duplicate" (kept), "updated" or "rejected"
    reason: str
    rule: str = ""  # for a duplicate: the identity rule that applied (identity.SAME_ID, SAME_CONTENT)


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
    preamble: list = field(default_factory=list)  # lines above the header, skipped
    candidates: list = field(default_factory=list)  # identity.Candidate of every valid row
    new: list = field(default_factory=list)  # Incidents to insert
    updated: list = field(default_factory=list)  # Incidents replacing stored ones by id
    # Newer versions of incidents an editor corrected: kept in their history, not applied.
    kept: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)  # RowResults
    # RowResults of rows stored as new whose content matches an incident of another dataset,
    # listed for the user to review (identity rules).
    possible: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # RowResults
    values: list = field(default_factory=list)  # value_map.ValueChoices of a mapped file's type columns
    # (the store and its state as the plan read it, what the identity rules made of the rows then):
    # a commit that finds the store in that state has nothing to sort again.
    sorted_against: tuple | None = field(default=None, repr=False)

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
    def duplicates_by_rule(self):
        """{rule: number of duplicates} in identity order: same id, then same content."""
        found = {identity.SAME_ID: 0, identity.SAME_CONTENT: 0}
        for result in self.duplicates:
            found[result.rule] = found.get(result.rule, 0) + 1
        return {rule: n for rule, n in found.items() if n}

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
        rules = ", ".join(f"{n} by {rule}" for rule, n in self.duplicates_by_rule.items())
        text = (
            f"{counts['new']} new, {counts['duplicate']} duplicate{f' ({rules})' if rules else ''}, "
            f"{counts['updated']} updated, {counts['rejected']} rejected "
            f"(of {counts['rows']} rows)"
        )
        if self.possible:
            text += f"; {len(self.possible)} of the new look like incidents of another dataset (kept, to review)"
        if self.kept:
            text += f"; {kept_note(len(self.kept))}"
        return text


def kept_note(count):
    """What happens to newer versions of corrected incidents, in words."""
    return (f"{count} incident{'s have' if count != 1 else ' has'} corrections; kept (the source's newer "
            "version goes into the history)")


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
    preamble: list = field(default_factory=list)  # lines above the header, skipped


def read_upload(data, limits=None):
    """The upload's bytes read into a Table, once: inspect_upload and plan_import take it."""
    return read_table(data, limits or Limits.from_env())


def inspect_upload(source, limits=None):
    """An upload's format, header and row count (UnusableFile if it cannot be read at all).
    `source` is a Table from read_upload, or the file's bytes."""
    table = _table(source, limits)
    kind = formats.detect(table.header)
    near = formats.near_miss(table.header) if kind == "other" else None
    return FileInfo(
        format=kind,
        format_label=formats.LABELS[kind],
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=list(table.header),
        rows=len(table),
        guess=column_mapping.guess(table.header),
        problem=f"it looks like an {near[0]} but lacks the column(s) {', '.join(near[1])}" if near else "",
        preamble=list(table.preamble),
    )


def _table(source, limits):
    return source if isinstance(source, (Table, ColumnTable)) else read_table(source, limits or Limits.from_env())


def value_choices(source, mapping, store, limits=None):
    """The ValueChoices of a mapped file's type columns, before any row is read as an incident:
    each distinct word, its rows, and the ACLED types remembered or proposed for it; then the
    CodeChoices of its precision and country columns."""
    table = _table(source, limits)
    counts = column_mapping.type_value_counts(table.rows, table.header, mapping)
    remembered = store.remembered_values()
    return value_map.choices_for(counts, remembered) + column_mapping.code_choices(
        table.rows, table.header, mapping, remembered)


def plan_import(source, filename, store, mapping=None, geocoder=None, progress=None, limits=None, values=None):
    """Work out, row by row, what adding an upload would do. Nothing is written.

    `source` is a Table from read_upload (the file is read once for inspecting and planning),
    or the file's bytes. `mapping` ({role: column}, see mapping.ROLES; roles left out are guessed, None leaves a
    role unmapped) reads the file as a CSV of any shape; without it, the format is told from
    the header and an unknown header gets the guessed mapping if that is complete.
    `geocoder` (a mapapp.geocoders.base.Geocoder; default: the offline gazetteer) resolves the
    places of rows without coordinates; `progress(done, total)` is called once per row. `values`
    ({value: (event_type, sub_event_type) or None}) maps the type words of such a file; values it
    leaves out are remembered from earlier files or proposed (value_map). Raises UnusableFile when
    nothing of the file can be read.
    """
    with _cyclic_gc_paused():
        table = _table(source, limits)
        plan = _plan_import(table, _clean_name(filename), store, mapping, geocoder, progress, values)
    memory.release()  # what planning made and dropped (the document's pieces, the hashed keys)
    return plan


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


def _clean_name(filename):
    """The file name as text: bytes a browser or a file system gave that are not UTF-8 become
    U+FFFD (they could not be stored or printed)."""
    if not filename:
        return ""
    if isinstance(filename, bytes):
        return filename.decode("utf-8", "replace")
    try:
        return str(filename).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that no file system made
        return str(filename).encode("utf-8", "replace").decode("utf-8")


def _plan_import(table, filename, store, mapping, geocoder, progress, values):
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
    digest.update(table.sha256.encode())
    if mapping is not None:
        digest.update(json.dumps(mapping, sort_keys=True).encode())
    document_id = f"upload-{digest.hexdigest()[:16]}"
    planner = _Planner(rows, document_id, geocoder, progress)
    preamble = f"Uploaded CSV file ({rows.label}), sha256 {table.sha256}"
    if table.columns is not None and column_plan.supports(rows):
        # Planned in columns; the rows that fail a check there are planned row by row.
        planner.progress = None
        batch, text = column_plan.plan(table, rows, planner, preamble, rows.label)
        candidates = batch.candidates()
        if progress is not None:
            progress(len(table), len(table))
    else:
        drafts = planner.read_rows(table)
        candidates, text = planner.incidents(drafts, preamble)
        candidates = [
            identity.Candidate(incident, number, values, has_id, rows.label)
            for incident, number, values, has_id in candidates
        ]
    document = Document(
        id=document_id,
        title=f"Upload: {filename}" if filename else "Upload",
        text=text,
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
        total_rows=len(table),
        preamble=list(table.preamble),
        candidates=candidates,
        rejected=planner.rejected,
        values=getattr(rows, "value_choices", []),
    )
    with store.reading() as snapshot:
        found = _sorted(candidates, snapshot)
        plan.sorted_against = (_store_key(store, snapshot), found)
        plan.new, plan.updated, plan.duplicates, plan.possible = found
        plan.updated, plan.kept = _split_corrected(plan.updated, snapshot)
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
    """Rows of a table into drafts (read_rows), then drafts into incidents and the text of the
    upload's document (incidents). Rows that fail either step are in `rejected`."""

    def __init__(self, rows, document_id, geocoder, progress):
        self.rows = rows
        self.document_id = document_id
        self.geocoder = geocoder
        self.progress = progress
        self.rejected = []
        self._places = {}

    def read_rows(self, table):
        """[(draft, row number, cells, block or None)]: block is (heading, passage, source)
        of the row's text for the upload's document, when the row cites no stored document."""
        rows, progress = self.rows, self.progress
        drafts = []
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
                block = self._block(number, cells)
                draft = rows.draft(cells)
                if draft.link is None and block is None:
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
            drafts.append((draft, number, values, block))
        return drafts

    def reject(self, number, values, reason):
        self.rejected.append(RowResult(number, list(values), "rejected", reason))

    def _block(self, number, cells):
        passage = self.rows.passage(cells)
        if not passage:
            return None
        source = self.rows.source(cells)
        heading = f"row {number} · {self.rows.heading(cells)}\n"
        return heading, passage, f"source: {one_line(source)}\n" if source else ""

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
        # A name matched by a similar spelling may be another place: the note (and the preview) say so.
        how = " by a similar spelling" if found.match == "fuzzy" else ""
        note = f"Coordinates from {found.answered_by}: {place!r} matched {found.name!r}{how} ({found.source})"
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

    def incidents(self, drafts, preamble):
        """([(Incident, row number, cells, the file gave its id)], document text) for `drafts`
        from read_rows.

        The document holds the preamble and the block of each row that became a valid
        incident, in file order: a row rejected here leaves no text behind."""
        if not drafts:
            return [], preamble + "\n"
        distances = border_distances_km(
            [draft.latitude for draft, *_ in drafts],
            [draft.longitude for draft, *_ in drafts],
            [draft.geo_precision for draft, *_ in drafts],
        )
        _fill_admin(drafts)
        parts = [preamble + "\n\n"]
        length = len(parts[0])
        made = []
        for (draft, number, values, block), distance in zip(drafts, distances):
            if draft.link is not None:
                document_id, start, end = draft.link
                passage = self.rows.document_text(document_id)[start:end]
            else:
                heading, passage, source = block
                document_id = self.document_id
                start = length + len(heading)
                end = start + len(passage)
            try:
                incident = draft.incident(
                    draft.id or f"{self.document_id}-row{number}", document_id, start, end, passage, distance
                )
            except InvalidIncident as err:
                self.reject(number, values, str(err))
                continue
            if draft.link is None:
                text = heading + passage + "\n" + source + "\n"
                parts.append(text)
                length += len(text)
            made.append((incident, number, values, bool(draft.id)))
        return made, "".join(parts)


def _fill_admin(drafts):
    """Admin areas the rows lack, from their places (municipalities.derived_admin); the note
    says they were derived, so they are never taken for the file's own."""
    from mapapp import municipalities

    found = municipalities.derived_admin(
        *([getattr(draft, name) for draft, *_ in drafts] for name in ("admin1", "admin2", "location", "latitude",
                                                                       "longitude", "geo_precision")))
    for (draft, *_), admin1, admin2 in zip(drafts, *found):
        if admin1 or admin2:
            draft.admin1, draft.admin2 = admin1 or draft.admin1, admin2 or draft.admin2
            draft.note = _join(draft.note, municipalities.admin_note(admin1, admin2))


def _field_count_reason(values, width):
    reason = f"the row has {len(values)} cells, the header has {width}"
    if any("\n" in cell for cell in values):
        reason += " (a quote that is never closed joins lines into one cell)"
    return reason


def _join(note, addition):
    return f"{note} {addition}" if note else addition


def _sorted(candidates, snapshot):
    """(new, updated, duplicates, possible duplicates) of `candidates` (identity.Candidate, or
    a batch.BatchCandidates) against the store as `snapshot` reads it, by the identity rules
    (mapapp.ingest.identity)."""
    columns = identity.identity_columns(candidates)
    stored = snapshot.source_timestamps(identity.source_ids(columns))
    matches = snapshot.fingerprint_matches(identity.fingerprints(columns))
    found = identity.sort_positions(candidates, stored, matches, columns)
    del columns
    duplicates = [
        RowResult(candidates[p].row_number, list(candidates[p].values), "duplicate", reason, rule)
        for p, rule, reason in found.duplicates
    ]
    possible = [
        RowResult(candidates[p].row_number, list(candidates[p].values), "possible duplicate", reason)
        for p, reason in found.possible
    ]
    if isinstance(candidates, BatchCandidates):
        return candidates.batch.view(found.new), candidates.batch.view(found.updated), duplicates, possible
    new = [candidates[p].incident for p in found.new]
    updated = [candidates[p].incident for p in found.updated]
    return new, updated, duplicates, possible


def commit(plan, store):
    """Store the plan's new and updated incidents and its document: one transaction.

    Which rows are new, updated or duplicates is decided again inside the write transaction,
    against the store as it is then (another import may have committed since the plan was
    made): the plan's lists are set to what was done. Returns {"added": n, "updated": m,
    "kept": k}: k newer versions of corrected incidents went into their history instead.
    Committing the same file twice adds nothing the second time. Raises
    StoreChanged when a document the rows cite was removed meanwhile (nothing is stored).
    """
    # The store takes a tuple per new row: no cycle among them for the collector to look for.
    with _cyclic_gc_paused(), store.transaction() as writer:
        if plan.values:
            # The next file with the same words starts from these choices.
            writer.remember_values(value_map.mapped(plan.values))
        new, updated, duplicates, possible = _sorted_again(plan, store, writer)
        if new or updated:
            uses_document = _cites(new, plan.document.id) or _cites(updated, plan.document.id)
            try:
                writer.add([plan.document] if uses_document else [], new, updated)
            except InvalidIncident as err:
                raise StoreChanged(
                    f"the store changed since this upload was checked ({err}); nothing was added: "
                    "check the file again"
                ) from err
        # Writer.add kept the corrected ones (the same read, in the same transaction).
        updated, kept = _split_corrected(updated, writer)
    plan.new, plan.updated, plan.kept, plan.duplicates, plan.possible = new, updated, kept, duplicates, possible
    return {"added": len(new), "updated": len(updated), "kept": len(kept)}


def _store_key(store, snapshot):
    """Which store, and its state (Snapshot.state): equal keys read the same incidents."""
    return str(store.path), snapshot.state()


def _sorted_again(plan, store, writer):
    """_sorted of the plan's candidates against the store as `writer` reads it: the plan's own
    sorting when the store is still as the plan read it (nothing was written since)."""
    if plan.sorted_against is not None:
        key, found = plan.sorted_against
        if key == _store_key(store, writer):
            return found
    return _sorted(plan.candidates, writer)


def _split_corrected(updated, snapshot):
    """(updates to apply, updates of incidents an editor corrected: kept in their history)."""
    corrected = snapshot.corrected_ids([incident.id for incident in updated])
    return ([incident for incident in updated if incident.id not in corrected],
            [incident for incident in updated if incident.id in corrected])


def _cites(incidents, document_id):
    if hasattr(incidents, "document_ids"):
        return document_id in incidents.document_ids
    return any(incident.document_id == document_id for incident in incidents)
