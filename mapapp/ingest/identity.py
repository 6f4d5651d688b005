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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
    flags, fingerprints) of them all, as lists or as pyarrow arrays (batch.BatchCandidates.
    identity_columns): the first pass reads those, and a Candidate is read only for the rows a
    rule may apply to."""
    result = Sorted()
    if columns is None:
        columns = identity_columns(candidates)
    ids, has_ids, prints = columns
    if isinstance(prints, list):
        ruled = [position for position, ruled in enumerate(_involved(ids, has_ids, prints, stored_timestamps,
                                                                      stored_matches)) if ruled]
        ruled_prints = [prints[position] for position in ruled]
    else:
        ruled = np.flatnonzero(_involved_in_columns(ids, has_ids, prints, stored_timestamps, stored_matches))
        ruled_prints = prints.take(pa.array(ruled, pa.int64())).to_pylist()
        ruled = ruled.tolist()
    if hasattr(candidates, "prefetch"):
        candidates.prefetch(ruled)
    # Rows no rule can apply to are new whatever the other rows are (see _involved): only the
    # others go through the rules, in file order.
    new = np.ones(len(prints), dtype=bool)
    seen_ids = {}  # id -> row number
    seen_prints = {}  # fingerprint -> (row number, id or None)
    for position, print_ in zip(ruled, ruled_prints):
        candidate = candidates[position]
        incident, number = candidate.incident, candidate.row_number
        rule = reason = None
        if candidate.has_source_id:
            if incident.id in seen_ids:
                rule, reason = SAME_ID, f"same id {incident.id!r} as row {seen_ids[incident.id]}"
            elif incident.id in stored_timestamps:
                old, newer = stored_timestamps[incident.id], incident.source_timestamp
                if newer is not None and old is not None and newer > old:
                    result.updated.append(position)
                    new[position] = False
                    seen_ids[incident.id] = number
                    continue
                rule, reason = SAME_ID, f"id {incident.id!r} is already stored"
                if newer is not None and old is not None:
                    reason += f" (stored timestamp {old}, this row's {newer}: not newer)"
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
            new[position] = False
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
    result.new = np.flatnonzero(new).tolist()
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


def source_ids(columns):
    """The ids the file gave (the rows with has_source_id), as a list, of identity_columns."""
    ids, has_ids, _ = columns
    if isinstance(ids, list):
        return [identifier for identifier, has_id in zip(ids, has_ids) if has_id]
    return _plain(ids).filter(pc.fill_null(_plain(has_ids), False)).to_pylist()


def fingerprints(columns):
    """The fingerprints of identity_columns, as a list."""
    prints = columns[2]
    return prints if isinstance(prints, list) else _plain(prints).to_pylist()


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


def _involved_in_columns(ids, has_ids, prints, stored_timestamps, stored_matches):
    """_involved of pyarrow columns, as a numpy bool array: the repeats counted on the columns'
    codes (one pass each, no Python object per row)."""
    ids, has_ids, prints = (_plain(array) for array in (ids, has_ids, prints))
    has = np.asarray(pc.fill_null(has_ids, False).to_numpy(zero_copy_only=False), dtype=bool)
    ruled = _repeated(prints) | _among(prints, stored_matches)
    id_codes = _codes(ids)
    id_counts = np.bincount(id_codes, weights=has, minlength=1)
    ruled |= has & ((id_counts[id_codes] > 1) | _among(ids, stored_timestamps))
    return ruled


def _plain(array):
    """One array of plain values (a chunked or dictionary-encoded column made one)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array


def _codes(array):
    """numpy int64: the same code for equal values."""
    return np.asarray(pc.dictionary_encode(array).indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def _repeated(array):
    codes = _codes(array)
    return np.bincount(codes, minlength=1)[codes] > 1


def _among(array, keys):
    """numpy bool: the value is one of `keys` (a dict or set of str)."""
    if not keys:
        return np.zeros(len(array), dtype=bool)
    found = pc.is_in(array, value_set=pa.array(list(keys), array.type))
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
