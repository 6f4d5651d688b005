"""A row of the data contract (a dict of strings: a seed, an export) to an Incident.

The contract has one reader, ingest.contract_rows.ContractRows, which an upload in the app's
own format goes through too; this module gives it a single row and builds the Incident.
"""

from mapapp.boundary import with_border_distance
from mapapp.errors import InvalidIncident
from mapapp.ingest.contract_rows import ContractRows
from mapapp.ingest.values import Rejected


def incident_from_row(row, document_text):
    """The Incident of a contract row whose passage is in ``document_text`` at the row's offsets;
    raises InvalidIncident (or Rejected, also a ValueError) naming the bad field and value.

    `border_distance_km` is always recomputed from the coordinates, so a stale or forged
    value in a file cannot disagree with the map; `passage` is the document's span, and a
    row that gives another passage is refused.
    """
    header = list(row)
    reader = ContractRows(header, document_text=lambda document_id: document_text)
    cells = reader.cells(["" if value is None else str(value) for value in row.values()] + [""])
    draft = reader.draft(cells)
    if draft.latitude is None or draft.geo_precision is None:
        raise Rejected("latitude/longitude/geo_precision: a contract row gives its coordinates and their precision")
    if draft.link is None:
        raise InvalidIncident(
            "passage", cells.passage,
            f"the text of document {cells.document_id!r} between {cells.passage_start} and {cells.passage_end}",
        )
    document_id, start, end = draft.link
    incident = draft.incident(cells.id, document_id, start, end, document_text[start:end], None)
    return with_border_distance(incident)
