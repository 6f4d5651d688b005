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
    return proposals(candidate_pairs(frame), links)[1]


@dataclass(frozen=True)
class Pairs:
    """Every pair of reports the rule links, as arrays: `a` and `b` are positions in `keys` (the
    reports' ids, or their rowids in the store), keys[a] < keys[b]. A million reports make
    millions of pairs: as arrays, not as Python objects."""

    keys: np.ndarray
    a: np.ndarray
    b: np.ndarray
    days_apart: np.ndarray
    km_apart: np.ndarray  # rounded to 10 m


def candidate_pairs(frame):
    """Every pair of reports of `frame` (a frame of incidents) that the rule links: the costly
    part of `propose`, which depends on the incidents only, not on the decisions."""
    start = frame["date_start"].to_numpy("datetime64[D]").astype(np.int64)
    end = frame["date_end"].to_numpy("datetime64[D]").astype(np.int64)
    usable = frame["date_start"].notna().to_numpy() & frame["date_end"].notna().to_numpy()
    return _linked(
        frame["id"].to_numpy(dtype=object), usable, pd.factorize(frame["document_id"])[0],
        pd.factorize(frame["event_type"])[0], start, end, frame["latitude"].to_numpy(dtype=float),
        frame["longitude"].to_numpy(dtype=float), frame["geo_precision"].to_numpy(),
    )


def column_pairs(columns):
    """`candidate_pairs` of every incident of `columns` (mapapp.columns.IncidentColumns), keyed
    by rowid: read from the columns the page holds, not from the store."""
    from mapapp.columns import NO_DAY

    start, end = columns.date_start.astype(np.int64), columns.date_end.astype(np.int64)
    return _linked(
        columns.rowid, (start != NO_DAY) & (end != NO_DAY), columns.document, columns.event_type,
        start, end, columns.latitude, columns.longitude, columns.geo_precision,
    )


def proposals(pairs, links=(), limit=None, key_of=None, id_of=None):
    """(how many candidate `pairs` are still to decide, the first `limit` of them as Proposals,
    closest first). `links` are decisions by incident id (see `propose`); `key_of(ids)` and
    `id_of(keys)` translate between ids and the pairs' keys when those are rowids."""
    links = list(links)
    decided = sorted({i for a, b, _ in links for i in (a, b)})
    keys = key_of(decided) if key_of else decided
    position = pd.Index(pairs.keys).get_indexer(pd.Index(keys, dtype=pairs.keys.dtype)) if decided else []
    at = {i: int(p) for i, p in zip(decided, position) if p >= 0}
    # Each report's event, as the position of one of its reports: confirmed links join them.
    event_of = linked_events((at[a], at[b]) for a, b, status in links if status == CONFIRMED and a in at and b in at)
    event = np.arange(len(pairs.keys))
    for member, root in event_of.items():
        event[member] = root
    ea, eb = event[pairs.a], event[pairs.b]
    keep = ea != eb
    # A report rejected against one report of an event is rejected against the whole event.
    rejected = [
        sorted((event[at[a]], event[at[b]])) for a, b, status in links if status == REJECTED and a in at and b in at
    ]
    if rejected:
        width = len(pairs.keys)
        code = np.minimum(ea, eb).astype(np.int64) * width + np.maximum(ea, eb)
        keep &= ~np.isin(code, [lo * width + hi for lo, hi in rejected])
    chosen = np.flatnonzero(keep)
    rank = np.argsort(np.argsort(pairs.keys, kind="stable"), kind="stable")
    order = chosen[np.lexsort((rank[pairs.b[chosen]], rank[pairs.a[chosen]],
                               pairs.km_apart[chosen], pairs.days_apart[chosen]))][:limit]
    a_keys, b_keys = pairs.keys[pairs.a[order]], pairs.keys[pairs.b[order]]
    a_ids, b_ids = (id_of(a_keys), id_of(b_keys)) if id_of else (a_keys, b_keys)
    found = [
        Proposal(*pair(a, b), int(gap), float(km))
        for a, b, gap, km in zip(a_ids, b_ids, pairs.days_apart[order], pairs.km_apart[order])
    ]
    return len(chosen), found


def _linked(keys, dated, document, event_type, start, end, lat, lon, precision):
    """The Pairs of the reports the rule can link: dated to at most MAX_RANGE_DAYS, placed no
    wider than a municipality."""
    usable = np.flatnonzero(dated & (end - start < MAX_RANGE_DAYS) & (precision <= 3))
    a, b, gap, km = _pairs(
        keys[usable], document[usable], event_type[usable], start[usable], end[usable], lat[usable],
        lon[usable], precision[usable] == 3,
    )
    return Pairs(keys, usable[a], usable[b], gap, np.round(km, 2))


def _pairs(keys, document, event_type, start, end, lat, lon, wide):
    """(a, b, days apart, km apart) arrays of every pair of these reports the rule proposes, a
    and b positions with keys[a] < keys[b].

    Two ranges of at most MAX_RANGE_DAYS that overlap or lie MAX_DAYS_APART apart start at most
    MAX_RANGE_DAYS + MAX_DAYS_APART days apart: reports sorted by (type, start day) find their
    partners starting 0, 1, ... days later by binary search, a block of reports at a time (a
    million reports make tens of millions of candidate pairs: held at once they took
    gigabytes), and the rule's tests then filter the pairs, the cheap ones first."""
    found = [(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))]  # none yet
    if not len(keys):
        return found[0]
    key = np.asarray(event_type, dtype=np.int64) * (1 << 40) + (start - start.min())
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
                later = keys[pa] < keys[pb]
                pa, pb = pa[later], pb[later]
            gap = np.maximum(0, np.maximum(start[pb] - end[pa], start[pa] - end[pb]))
            limit = np.where(wide[pa] | wide[pb], MAX_KM_MUNICIPALITY, MAX_KM)
            # A degree of latitude is 111 km everywhere: farther apart than that, no need for km.
            near = (document[pa] != document[pb]) & (gap <= MAX_DAYS_APART)
            near &= np.abs(lat[pa] - lat[pb]) * 111.0 <= limit
            pa, pb, gap, limit = pa[near], pb[near], gap[near], limit[near]
            km = _km(lat[pa], lon[pa], lat[pb], lon[pb])
            close = km <= limit
            pa, pb = pa[close], pb[close]
            flip = keys[pa] > keys[pb]
            found.append((np.where(flip, pb, pa), np.where(flip, pa, pb), gap[close], km[close]))
    return tuple(np.concatenate(part) for part in zip(*found))


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
