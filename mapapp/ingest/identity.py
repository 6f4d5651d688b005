"""When a row of an upload is an incident already known: the identity rules.

- A row with a source id (ACLED `event_id_cnty`, UCDP `id`, the contract's `id`) is the same
  incident as another only when the id is the same ("same id"). ACLED codes one event per
  pair of actors: a clash of three groups is several rows with the same date, place and notes
  and different ids, and they are distinct events, all kept.
- A row without an id (a log of one's own) is the same incident as a stored one or an earlier
  row with the same date, type, place and description ("same content").
- A row with an id whose content matches an incident from another dataset (an ACLED row and a
  UCDP event, say) is kept, and reported as a possible duplicate for the user to review.
"""

from collections import Counter
from dataclasses import dataclass, field

SAME_ID = "same id"
SAME_CONTENT = "same content"


@dataclass(frozen=True)
class Candidate:
    """A row that made a valid incident; `has_source_id`: the file gave its id."""

    incident: object  # Incident
    row_number: int
    values: list
    has_source_id: bool
    dataset: str = ""  # the upload's format label ("ACLED export", ...)


@dataclass(frozen=True)
class StoredMatch:
    """A stored incident with the same content (fingerprint) as a row."""

    id: str
    dataset: str  # the format label of the upload it came from, "" when unknown (seeds, own)


@dataclass
class Sorted:
    new: list = field(default_factory=list)  # Incidents
    updated: list = field(default_factory=list)  # Incidents replacing stored ones by id
    duplicates: list = field(default_factory=list)  # (Candidate, rule, reason)
    possible: list = field(default_factory=list)  # (Candidate, reason): kept, to review


def sort_rows(candidates, stored_timestamps, stored_matches):
    """Sort the candidates of an upload by the identity rules.

    `stored_timestamps` is {id: source timestamp or None} of the candidates' ids already
    stored; `stored_matches` is {fingerprint: [StoredMatch]} of their fingerprints already
    stored. A stored id with an older source timestamp (ACLED's `timestamp`) is updated.
    """
    found = sort_positions(candidates, stored_timestamps, stored_matches)
    return Sorted(
        new=[candidates[position].incident for position in found.new],
        updated=[candidates[position].incident for position in found.updated],
        duplicates=[(candidates[position], rule, reason) for position, rule, reason in found.duplicates],
        possible=[(candidates[position], reason) for position, reason in found.possible],
    )


def sort_positions(candidates, stored_timestamps, stored_matches, columns=None):
    """sort_rows, with positions in `candidates` in place of the candidates and incidents.

    `candidates` is a sequence of Candidates; `columns`, when given, is (ids, has_source_id
    flags, fingerprints) of them all as lists (batch.BatchCandidates.identity_columns): the
    first pass reads those, and a Candidate is read only for the rows a rule may apply to."""
    result = Sorted()
    if columns is None:
        columns = identity_columns(candidates)
    ids, has_ids, prints = columns
    involved = _involved(ids, has_ids, prints, stored_timestamps, stored_matches)
    if hasattr(candidates, "prefetch"):
        candidates.prefetch([position for position, ruled in enumerate(involved) if ruled])
    seen_ids = {}  # id -> row number
    seen_prints = {}  # fingerprint -> (row number, id or None)
    for position, (print_, ruled) in enumerate(zip(prints, involved)):
        if not ruled:
            # No other row and no stored incident shares its id or content: new, and no later
            # row can refer to it (see _involved).
            result.new.append(position)
            continue
        candidate = candidates[position]
        incident, number = candidate.incident, candidate.row_number
        rule = reason = None
        if candidate.has_source_id:
            if incident.id in seen_ids:
                rule, reason = SAME_ID, f"same id {incident.id!r} as row {seen_ids[incident.id]}"
            elif incident.id in stored_timestamps:
                old, new = stored_timestamps[incident.id], incident.source_timestamp
                if new is not None and old is not None and new > old:
                    result.updated.append(position)
                    seen_ids[incident.id] = number
                    continue
                rule, reason = SAME_ID, f"id {incident.id!r} is already stored"
                if new is not None and old is not None:
                    reason += f" (stored timestamp {old}, this row's {new}: not newer)"
        else:
            if print_ in stored_matches:
                rule = SAME_CONTENT
                reason = (f"no id, and the same date, type, place and description as stored incident "
                          f"{stored_matches[print_][0].id!r}")
            elif print_ in seen_prints:
                rule = SAME_CONTENT
                reason = f"no id, and the same date, type, place and description as row {seen_prints[print_][0]}"
        if rule is not None:
            result.duplicates.append((position, rule, f"{rule}: {reason}"))
            continue
        if candidate.has_source_id:
            seen_ids[incident.id] = number
            others = [m for m in stored_matches.get(print_, ()) if m.id != incident.id
                      and (not m.dataset or not candidate.dataset or m.dataset != candidate.dataset)]
            if others:
                names = ", ".join(repr(m.id) + (f" ({m.dataset})" if m.dataset else "") for m in others[:3])
                result.possible.append((position, f"same date, type, place and description as stored {names}; "
                                                  "kept: its id differs"))
        seen_prints.setdefault(print_, (number, incident.id if candidate.has_source_id else None))
        result.new.append(position)
    return result


def identity_columns(candidates):
    """(ids, has_source_id flags, fingerprints) of `candidates`, as lists."""
    if hasattr(candidates, "identity_columns"):
        return candidates.identity_columns()
    return (
        [candidate.incident.id for candidate in candidates],
        [candidate.has_source_id for candidate in candidates],
        [candidate.incident.fingerprint for candidate in candidates],
    )


def _involved(ids, has_ids, prints, stored_timestamps, stored_matches):
    """[bool] per candidate: whether any rule can apply to it. A row whose id (when it has one)
    is neither stored nor repeated in the file, and whose content is neither stored nor
    repeated, is new whatever the other rows are; only the others go through the rules, in
    file order. The rules read nothing of the rows they leave out, so the result is the same as
    ruling on every row: the counts of a 100,000-row file are taken in one pass each."""
    id_counts = Counter(identifier for identifier, has_id in zip(ids, has_ids) if has_id)
    print_counts = Counter(prints)
    return [
        print_counts[print_] > 1 or print_ in stored_matches
        or (has_id and (id_counts[identifier] > 1 or identifier in stored_timestamps))
        for identifier, has_id, print_ in zip(ids, has_ids, prints)
    ]
