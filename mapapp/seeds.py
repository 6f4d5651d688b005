"""The bundled source documents (seeds/) and the incidents coded from them (data/)."""

import csv
from pathlib import Path

from mapapp import DATA_DIR, SEEDS_DIR
from mapapp.contract import incident_from_row
from mapapp.errors import DataFileError
from mapapp.incident import Document

SEED_INCIDENTS_FILE = DATA_DIR / "seed_incidents.csv"


def read_document(path):
    """A document from a UTF-8 text file, byte-exact: offsets count its characters as stored."""
    path = Path(path)
    try:
        # newline="" keeps "\r\n" as two characters, so offsets match the file on disk.
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        raise DataFileError(f"cannot read the source document {path}: {err}") from err
    first_line = text.strip().splitlines()[0] if text.strip() else path.stem
    return Document(id=path.stem, title=first_line[:80], text=text, source=f"seeds/{path.name}")


def seed_documents(folder=SEEDS_DIR):
    """Every seed document, keyed by document id (the file name without extension)."""
    return {doc.id: doc for doc in map(read_document, sorted(Path(folder).glob("*.txt")))}


def seed_incidents(documents=None, path=SEED_INCIDENTS_FILE):
    """The reviewed seed incidents, each checked against the text of its document."""
    documents = seed_documents() if documents is None else documents
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DataFileError(f"cannot read the seed incidents {path}: {err}") from err
    incidents = []
    for number, row in enumerate(rows, start=2):
        document = documents.get(row.get("document_id"))
        if document is None:
            raise DataFileError(f"{path}, line {number}: unknown document_id {row.get('document_id')!r}")
        try:
            incidents.append(incident_from_row(row, document.text))
        except ValueError as err:  # InvalidIncident, Rejected: the message names the field
            raise DataFileError(f"{path}, line {number}: {err}") from err
    return incidents
