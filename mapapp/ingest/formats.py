"""Which kind of file an upload is, told from its header line."""

from mapapp.ingest import acled, contract_rows, ucdp
from mapapp.ingest.acled import AcledRows
from mapapp.ingest.contract_rows import ContractRows
from mapapp.ingest.draft import column_key
from mapapp.ingest.ucdp import UcdpRows

# Checked in this order: a UCDP export has date_start/date_end like the contract, so the
# more specific formats come first.
KNOWN_FORMATS = (
    ("acled", AcledRows.label, acled.REQUIRED_COLUMNS),
    ("ucdp", UcdpRows.label, ucdp.REQUIRED_COLUMNS),
    ("contract", ContractRows.label, contract_rows.REQUIRED_COLUMNS),
)

LABELS = {name: label for name, label, _ in KNOWN_FORMATS} | {"other": "other CSV (needs a column mapping)"}


def detect(header):
    """'acled', 'ucdp', 'contract' or 'other', from the names of the columns."""
    keys = {column_key(column) for column in header}
    for name, _, required in KNOWN_FORMATS:
        if keys.issuperset(required):
            return name
    return "other"


def near_miss(header):
    """(format label, missing columns) of the known format the header comes closest to, when
    it has most but not all of that format's columns; else None. Explains a failed detection."""
    keys = {column_key(column) for column in header}
    best = None
    for _, label, required in KNOWN_FORMATS:
        missing = [column for column in required if column not in keys]
        if missing and len(missing) <= len(required) // 3 and (best is None or len(missing) < len(best[1])):
            best = (label, missing)
    return best
