"""One event in several sources: proposed links between reports, an editor's decisions, events.

The rule that proposes a link between two incidents (README "Same event in several sources"):
- they come from different source documents (an ACLED file, a UCDP file, the team's log, a
  report): rows of one file are never proposed, since ACLED codes one event per pair of actors
  and such rows are distinct events;
- they have the same ACLED event type;
- both are dated to at most MAX_RANGE_DAYS (day or week precision) and their date ranges
  overlap or lie at most MAX_DAYS_APART apart (a report dated the day after, a time zone);
- both are placed no wider than a municipality (geo_precision 1-3) and their points are at most
  MAX_KM apart (MAX_KM_MUNICIPALITY when either is municipality-level).
A proposal is only a proposal: an editor confirms or rejects it. Confirmed links join reports
into events (linked reports, directly or through another report, are one event); a rejected pair
is never proposed again, nor is a report rejected against one report of an event proposed
against the event's others.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_RANGE_DAYS = 7
MAX_DAYS_APART = 1
MAX_KM = 5.0
MAX_KM_MUNICIPALITY = 10.0
CONFIRMED, REJECTED = "confirmed", "rejected"
STATUSES = (CONFIRMED, REJECTED)


@dataclass(frozen=True)
class Proposal:
    """Two incidents (ids, `a` < `b`) that the rule says may be one event."""

    a: str
    b: str
    days_apart: int
    km_apart: float


def pair(a, b):
    """The pair's key as stored: the two ids in order."""
    return (a, b) if a < b else (b, a)


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 12742.0176 * np.arcsin(np.sqrt(h))


def propose(frame, links=()):
    """Proposals among the incidents of `frame` by the module's rule, closest first. `links` are
    the decisions so far, (a, b, status) as Store.links gives them: a decided pair is not proposed
    again, nor a pair that confirmed links already make one event."""
    return proposals(candidate_pairs(frame), links)


def candidate_pairs(frame):
    """Every pair of reports of `frame` that the rule links, [(a, b, days apart, km apart)]: the
    costly part of `propose`, which depends on the incidents only, not on the decisions."""
    span = (frame["date_end"] - frame["date_start"]).dt.days
    usable = frame[frame["date_start"].notna() & (span < MAX_RANGE_DAYS) & (frame["geo_precision"] <= 3)]
    return [(*pair(a, b), int(gap), round(float(km), 2)) for a, b, gap, km in _pairs(usable)]


def proposals(pairs, links=()):
    """The candidate pairs still to decide, as Proposals, closest first (see `propose`)."""
    event = linked_events((a, b) for a, b, status in links if status == CONFIRMED)
    # A report rejected against one report of an event is rejected against the whole event.
    rejected = {
        frozenset((event.get(a, a), event.get(b, b))) for a, b, status in links if status == REJECTED
    }
    found = []
    for a, b, gap, km in pairs:
        ea, eb = event.get(a, a), event.get(b, b)
        if ea != eb and frozenset((ea, eb)) not in rejected:
            found.append(Proposal(a, b, gap, km))
    return sorted(found, key=lambda p: (p.days_apart, p.km_apart, p.a, p.b))


def _pairs(usable):
    """(id, id, days apart, km apart) of every pair of `usable` reports the rule proposes.

    Two ranges of at most MAX_RANGE_DAYS that overlap or lie MAX_DAYS_APART apart start at most
    MAX_RANGE_DAYS + MAX_DAYS_APART days apart: the reports are joined on (type, start day) with
    each such shift, in vectorised merges, and the rule's tests then filter the pairs."""
    table = pd.DataFrame({
        "id": usable["id"].to_numpy(), "document": usable["document_id"].to_numpy(),
        "type": usable["event_type"].to_numpy(),
        "start": usable["date_start"].to_numpy("datetime64[D]").astype(np.int64),
        "end": usable["date_end"].to_numpy("datetime64[D]").astype(np.int64),
        "lat": usable["latitude"].to_numpy(dtype=float), "lon": usable["longitude"].to_numpy(dtype=float),
        "wide": usable["geo_precision"].to_numpy() == 3,
    })
    for shift in range(MAX_RANGE_DAYS + MAX_DAYS_APART):
        later = table.assign(start=table["start"] - shift)
        both = table.merge(later, on=("type", "start"), suffixes=("", "_b"))
        start_b = both["start"].to_numpy() + shift
        if shift == 0:
            both = both[both["id"].to_numpy() < both["id_b"].to_numpy()]
            start_b = both["start"].to_numpy()
        start_a, end_a, end_b = both["start"].to_numpy(), both["end"].to_numpy(), both["end_b"].to_numpy()
        gap = np.maximum(0, np.maximum(start_b - end_a, start_a - end_b))
        km = _km(both["lat"].to_numpy(), both["lon"].to_numpy(), both["lat_b"].to_numpy(), both["lon_b"].to_numpy())
        limit = np.where(both["wide"].to_numpy() | both["wide_b"].to_numpy(), MAX_KM_MUNICIPALITY, MAX_KM)
        keep = (both["document"].to_numpy() != both["document_b"].to_numpy()) & (gap <= MAX_DAYS_APART) & (km <= limit)
        yield from zip(both["id"].to_numpy()[keep], both["id_b"].to_numpy()[keep], gap[keep], km[keep])


def events(ids, confirmed):
    """{incident id: event id} for `ids`: reports joined by `confirmed` pairs (directly or
    through another report) share the smallest id of their group; an unlinked report is its own."""
    parent = {identifier: identifier for identifier in ids}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in confirmed:
        if a in parent and b in parent:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {identifier: root(identifier) for identifier in ids}


def linked_events(confirmed):
    """{incident id: event id} for the reports in `confirmed` pairs only (every other report is
    its own event): small however many incidents there are."""
    confirmed = list(confirmed)
    return events(sorted({i for pair_ in confirmed for i in pair_}), confirmed)


def with_events(frame, confirmed):
    """`frame` with an `event` column: each report's event id."""
    out = frame.copy()
    mapping = linked_events(confirmed)
    out["event"] = frame["id"].map(lambda i: mapping.get(i, i)).astype(object)
    return out


def event_count(frame, confirmed):
    """How many distinct events the reports of `frame` are."""
    return int(with_events(frame, confirmed)["event"].nunique()) if len(frame) else 0


# Only reports that the rule can link at all: read from the store without the rest.
_CANDIDATES = f"""
SELECT id, document_id, event_type, date_start, date_end, latitude, longitude, geo_precision
FROM incidents
WHERE date_start IS NOT NULL AND geo_precision <= 3
  AND julianday(date_end) - julianday(date_start) < {MAX_RANGE_DAYS}
"""


def candidates(db):
    """The stored reports the rule can link (a frame for `propose`), read on a store's connection
    (a Snapshot's `db`: SQLite or PostgreSQL)."""
    cursor = db.execute(_CANDIDATES)
    frame = pd.DataFrame.from_records(cursor.fetchall(), columns=[column[0] for column in cursor.description])
    for column in ("date_start", "date_end"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


def collapse(keep, groups):
    """`keep` (a boolean array) with each event shown once: `groups` are the positions of each
    event's reports, the preferred report first; of the reports that pass, only the first stays."""
    out = keep.copy()
    for members in groups:
        passing = [position for position in members if keep[position]]
        out[passing[1:]] = False
    return out


def groups(event_of, position, preference):
    """The positions of each event's reports, preferred first: `event_of` from linked_events,
    `position(id)` an incident's row in the columns (None when gone), `preference(position)` a
    sort key (the best-placed, then the most precisely dated report first)."""
    members = {}
    for identifier, event in event_of.items():
        found = position(identifier)
        if found is not None:
            members.setdefault(event, []).append(found)
    return [sorted(positions, key=preference) for positions in members.values() if len(positions) > 1]
