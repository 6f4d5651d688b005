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
    MAX_RANGE_DAYS + MAX_DAYS_APART days apart: reports sorted by (type, start day) find their
    partners starting 0, 1, ... days later by binary search, a block of reports at a time (a
    million reports make tens of millions of candidate pairs: as whole frames they took
    gigabytes), and the rule's tests then filter the pairs, the cheap ones first."""
    ids = usable["id"].to_numpy(dtype=object)
    document = pd.factorize(usable["document_id"])[0]
    start = usable["date_start"].to_numpy("datetime64[D]").astype(np.int64)
    end = usable["date_end"].to_numpy("datetime64[D]").astype(np.int64)
    lat = usable["latitude"].to_numpy(dtype=float)
    lon = usable["longitude"].to_numpy(dtype=float)
    wide = usable["geo_precision"].to_numpy() == 3
    if not len(ids):
        return
    key = pd.factorize(usable["event_type"])[0].astype(np.int64) * (1 << 40) + (start - start.min())
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    for first in range(0, len(order), _BLOCK):
        a = order[first:first + _BLOCK]
        for shift in range(MAX_RANGE_DAYS + MAX_DAYS_APART):
            lo = np.searchsorted(sorted_key, key[a] + shift, side="left")
            count = np.searchsorted(sorted_key, key[a] + shift, side="right") - lo
            total = int(count.sum())
            if not total:
                continue
            pa = np.repeat(a, count)
            pb = order[np.arange(total) + np.repeat(lo - (np.cumsum(count) - count), count)]
            if shift == 0:
                later = ids[pa] < ids[pb]
                pa, pb = pa[later], pb[later]
            gap = np.maximum(0, np.maximum(start[pb] - end[pa], start[pa] - end[pb]))
            limit = np.where(wide[pa] | wide[pb], MAX_KM_MUNICIPALITY, MAX_KM)
            # A degree of latitude is 111 km everywhere: farther apart than that, no need for km.
            near = (document[pa] != document[pb]) & (gap <= MAX_DAYS_APART)
            near &= np.abs(lat[pa] - lat[pb]) * 111.0 <= limit
            pa, pb, gap, limit = pa[near], pb[near], gap[near], limit[near]
            km = _km(lat[pa], lon[pa], lat[pb], lon[pb])
            keep = km <= limit
            yield from zip(ids[pa[keep]], ids[pb[keep]], gap[keep], km[keep])


# Reports whose partners are looked for at once: bounds the candidate pairs held in memory.
_BLOCK = 20_000


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
