"""Storing a read report: its document and the incidents the user accepted, in one transaction."""

from dataclasses import replace

from mapapp.errors import MapAppError


class AlreadyStored(MapAppError, ValueError):
    """The report's text is stored already (under the same document id)."""


def store_reports(store, items):
    """Store each (document, incidents) pair of ``items`` with one transaction for all of them.

    Incident ids are renumbered ``<document id>-001`` ... in passage order, so that an edited or
    hand-coded incident gets an id too. Raises AlreadyStored, naming the document, when a
    report was stored before; then nothing is stored. Returns the stored incidents.
    """
    documents, incidents = [], []
    for document, chosen in items:
        if store.document(document.id) is not None:
            raise AlreadyStored(
                f"report {document.title!r} is stored already as {document.id!r} "
                f"(take it back with: python -m mapapp remove-upload {document.id})")
        documents.append(document)
        ordered = sorted(chosen, key=lambda incident: (incident.passage_start, incident.passage_end))
        incidents.extend(replace(incident, id=f"{document.id}-{n:03d}") for n, incident in enumerate(ordered, 1))
    store.add(documents=documents, incidents=incidents)
    return incidents
