"""The kinds of file an upload can be, in one table: how each is recognised and read.

Adding a format is one entry in FORMATS: its name, its label, the columns that identify it
and the function that makes its row reader (a RowFormat) for a file.
"""

from collections.abc import Callable
from dataclasses import dataclass

from mapapp.ingest import acled, contract_rows, ucdp
from mapapp.ingest import mapping as column_mapping
from mapapp.ingest.acled import AcledRows
from mapapp.ingest.contract_rows import ContractRows
from mapapp.ingest.draft import column_key
from mapapp.ingest.ucdp import UcdpRows


@dataclass(frozen=True)
class ImportFormat:
    """One kind of upload. ``reader(header, filename, mapping, store, values)`` makes the
    RowFormat that reads its rows; ``required`` None means "any header, with a mapping"."""

    name: str
    label: str
    required: tuple | None
    reader: Callable


def _contract_reader(header, filename, mapping, store, values):
    # A contract row may cite a document already in the store: read each one once.
    cache = {}

    def document_text(document_id):
        if document_id not in cache:
            document = store.document(document_id)
            cache[document_id] = document.text if document else None
        return cache[document_id]

    return ContractRows(header, filename, document_text)


def _mapped_reader(header, filename, mapping, store, values):
    return column_mapping.MappedRows(header, mapping, filename, values, store.remembered_values())


# Recognised in this order: a UCDP export has date_start/date_end like the contract, so the
# more specific formats come first; "other" (any CSV, with a column mapping) is the last.
FORMATS = (
    ImportFormat("acled", AcledRows.label, acled.REQUIRED_COLUMNS,
                 lambda header, filename, mapping, store, values: AcledRows(header, filename)),
    ImportFormat("ucdp", UcdpRows.label, ucdp.REQUIRED_COLUMNS,
                 lambda header, filename, mapping, store, values: UcdpRows(header, filename)),
    ImportFormat("contract", ContractRows.label, contract_rows.REQUIRED_COLUMNS, _contract_reader),
    ImportFormat("other", "other CSV (needs a column mapping)", None, _mapped_reader),
)
BY_NAME = {fmt.name: fmt for fmt in FORMATS}
LABELS = {fmt.name: fmt.label for fmt in FORMATS}
KNOWN_FORMATS = tuple(fmt for fmt in FORMATS if fmt.required is not None)


def detect(header):
    """The name of the first format whose columns the header has ('other' when none)."""
    keys = {column_key(column) for column in header}
    for fmt in KNOWN_FORMATS:
        if keys.issuperset(fmt.required):
            return fmt.name
    return "other"


def near_miss(header):
    """(format label, missing columns) of the known format the header comes closest to, when
    it has most but not all of that format's columns; else None. Explains a failed detection."""
    keys = {column_key(column) for column in header}
    best = None
    for fmt in KNOWN_FORMATS:
        missing = [column for column in fmt.required if column not in keys]
        if missing and len(missing) <= len(fmt.required) // 3 and (best is None or len(missing) < len(best[1])):
            best = (fmt.label, missing)
    return best


def row_reader(kind, header, filename, mapping, store, values=None):
    """The RowFormat reading the rows of a file of format ``kind``."""
    return BY_NAME[kind].reader(header, filename, mapping, store, values)
