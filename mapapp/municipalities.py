"""Each incident's municipality, from the dataset's admin column or the gazetteer; never guessed.
Also the admin areas an import fills in where the file gives none (derived_admin, marked as
derived in the incident's note).

The rule, in order (README "Counts per municipality"):
1. the row's `admin2` (ACLED `admin2`, UCDP `adm_2`), when it names a municipality of
   data/municipalities.csv in any of its spellings ("Zvecan", "Srbica municipality", "Звечан");
2. else the place the gazetteer finds for the row's `location`, when that place is no wider than
   a municipality (geo_precision 1-3), lies within MAX_PLACE_KM of the incident's point, and no
   other place the name may mean lies that close in another municipality: the GeoNames
   municipality code of a Kosovo place, the municipality the file lists a supplement place in,
   or the municipality the place's name is (a seat such as "Raška");
3. else "unassigned". A region ("northern Kosovo") or a country is never put in a municipality.

The 2012 GeoNames file predates North Mitrovica (2013): a village it places in the undivided
Mitrovica municipality counts under "Mitrovica"; only names of North Mitrovica itself count there.
"""

import csv
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from mapapp import DATA_DIR
from mapapp.errors import DataFileError
from mapapp.gazetteer import default_gazetteer
from mapapp.names import normalize

UNASSIGNED = "unassigned"
MUNICIPALITIES_FILE = DATA_DIR / "municipalities.csv"
# Farther than this from the incident's point, the gazetteer's place is not the incident's place.
MAX_PLACE_KM = 10.0
# Words around a municipality's name in admin columns: "Srbica municipality", "Opština Zvečan".
_PREFIXES = ("municipality of ", "komuna e ", "opstina ", "obshtina ")
_SUFFIXES = (" municipality", " opstina", " komuna")


@dataclass(frozen=True)
class Municipality:
    """A municipality of the zone; `admin1` is its GeoNames XK code (empty where none)."""

    name: str
    country: str
    admin1: str
    district: str  # the admin1 area an incident in it is in ("Mitrovica District", "Raška District")
    places: tuple  # gazetteer sources of supplement places inside it
    aliases: tuple


@cache
def municipalities():
    """The municipalities of data/municipalities.csv, in file order."""
    try:
        with open(MUNICIPALITIES_FILE, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        return tuple(
            Municipality(row["name"], row["country"], row["geonames_admin1"], row["district"],
                         tuple(filter(None, row["places"].split("|"))),
                         tuple(filter(None, row["aliases"].split("|"))))
            for row in rows
        )
    except (OSError, KeyError, AttributeError) as err:
        raise DataFileError(f"cannot read {MUNICIPALITIES_FILE}: {err}") from None


@cache
def _by_key():
    index = {}
    for municipality in municipalities():
        for name in (municipality.name, *municipality.aliases):
            index.setdefault(normalize(name), municipality)
    return index


@cache
def _by_admin1():
    return {m.admin1: m for m in municipalities() if m.admin1}


def by_name(text):
    """The municipality that `text` names in any spelling, with or without "municipality"; else None."""
    key = normalize(text) if isinstance(text, str) else ""
    if not key or key in _by_key():
        return _by_key().get(key)
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return _by_key().get(key)


@cache
def _by_place():
    return {source: m for m in municipalities() for source in m.places}


@cache
def _places_by_source():
    return {place.source: place for place in default_gazetteer().places}


def _field(result, name):
    # The gazetteer answers a dict today and may answer an object: read either.
    return result[name] if isinstance(result, dict) else getattr(result, name)


def _of_place(source, name):
    """The municipality of one gazetteer place: its GeoNames code, else its own name; else None."""
    if source in _by_place():
        return _by_place()[source]
    place = _places_by_source().get(source)
    if place is not None and place.country == "XK" and place.admin1 in _by_admin1():
        # A place named after North Mitrovica is there, whatever the 2012 code says.
        named = by_name(name)
        return named if named is not None and named.name == "North Mitrovica" else _by_admin1()[place.admin1]
    return by_name(name)


@cache
def _named_place(location):
    """What the gazetteer says of a place name, once per name: (the municipality of its place,
    lat, lon, ((lat, lon, municipality) of each other place the name may mean)); None when no
    place no wider than a municipality fits."""
    if not location.strip():
        return None
    result = default_gazetteer().lookup(location)
    if result is None or _field(result, "geo_precision") > 3:
        return None
    found = _of_place(_field(result, "source"), _field(result, "name"))
    if found is None:
        return None
    others = _field(result, "ambiguous") if isinstance(result, dict) else _field(result, "candidates")
    return found, _field(result, "lat"), _field(result, "lon"), tuple(
        (_field(o, "lat"), _field(o, "lon"), _of_place(_field(o, "source"), _field(o, "name"))) for o in others
    )


def _km(lat, lon, lat2, lon2):
    """Great-circle km from arrays of points to one point (as gazetteer.haversine_km)."""
    p1, p2 = np.radians(lat), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon) / 2) ** 2
    return 12742.0176 * np.arcsin(np.sqrt(h))


def _from_gazetteer(location, lat, lon):
    """For incidents all named `location` at points (lat, lon) (arrays): the municipality name of
    each, or None where the rule leaves it unassigned."""
    named = _named_place(location)
    out = np.full(len(lat), None, dtype=object)
    if named is None:
        return out
    found, place_lat, place_lon, others = named
    ok = _km(lat, lon, place_lat, place_lon) <= MAX_PLACE_KM
    for other_lat, other_lon, other in others:
        if other != found:  # the point cannot tell which of the places the name means
            ok &= _km(lat, lon, other_lat, other_lon) > MAX_PLACE_KM
    out[ok] = found.name
    return out


def from_gazetteer(location, lat, lon):
    """The municipality (name) the gazetteer gives for `location` at (lat, lon), else None."""
    return _from_gazetteer(location, np.array([lat], dtype=float), np.array([lon], dtype=float))[0]


def municipality_of(admin2, location, lat, lon, geo_precision):
    """The incident's municipality name by the module's rule, or UNASSIGNED."""
    return _assigned([admin2], [location], np.array([lat], dtype=float), np.array([lon], dtype=float),
                     np.array([geo_precision]))[0]


def _assigned(admin2, location, lat, lon, geo_precision):
    """The rule over arrays: decided once per distinct admin2 text and per distinct place name."""
    n = len(lat)
    out = np.full(n, UNASSIGNED, dtype=object)
    admin2 = pd.Series(admin2, dtype=object).fillna("").to_numpy()
    names = {text: by_name(text) for text in pd.unique(admin2)}
    from_admin = np.array([names[text].name if names[text] else None for text in admin2], dtype=object)
    has_admin = from_admin != None  # noqa: E711 (an element-wise test)
    out[has_admin] = from_admin[has_admin]
    todo = ~has_admin & (np.asarray(geo_precision) <= 3)
    locations = pd.Series(location, dtype=object).fillna("").to_numpy()
    for name, positions in pd.Series(np.flatnonzero(todo)).groupby(locations[todo]):
        at = positions.to_numpy()
        found = _from_gazetteer(name, lat[at], lon[at])
        decided = found != None  # noqa: E711
        out[at[decided]] = found[decided]
    return out


def assign(frame):
    """A Series (same index as `frame`) of each incident's municipality or UNASSIGNED."""
    admin2 = frame["admin2"] if "admin2" in frame.columns else [""] * len(frame)
    values = _assigned(list(admin2), list(frame["location"]), frame["latitude"].to_numpy(dtype=float),
                       frame["longitude"].to_numpy(dtype=float), frame["geo_precision"].to_numpy())
    return pd.Series(values, index=frame.index, dtype=object)


def assign_columns(store_path, columns):
    """Each incident's municipality (an object array in the order of `columns`, a
    mapapp.columns.IncidentColumns); the texts it needs are read from the store in one query."""
    from mapapp.store import open_store

    with open_store(store_path, seed=False).reading() as snapshot:
        cursor = snapshot.db.execute("SELECT rowid, admin2, location FROM incidents")
        texts = pd.DataFrame.from_records(cursor.fetchall(), columns=["rowid", "admin2", "location"])
    texts = texts.set_index("rowid")
    texts = texts.reindex(columns.rowid)
    return _assigned(texts["admin2"].to_numpy(), texts["location"].to_numpy(), columns.latitude,
                     columns.longitude, columns.geo_precision)


# -- admin areas a file does not give ---------------------------------------------------------
# A point farther than this from every place of the gazetteer whose municipality is known is
# put in no municipality.
MAX_POINT_KM = 4.0
# The kinds of gazetteer places that stand for the municipality they lie in (not a mountain, a
# lake or a region, which may straddle a municipal line).
_POINT_KINDS = ("place", "station", "monastery", "church", "crossing")
# Starts the note of an incident whose admin areas the app filled in (admin_note).
DERIVED = "Admin areas derived, not in the file:"


@cache
def _point_index():
    """(STRtree over the places, their municipalities): every gazetteer place of _POINT_KINDS
    whose municipality the rule knows, in kilometre-like coordinates for nearest-place lookups."""
    import shapely

    points, owners = [], []
    for place in default_gazetteer().places:
        if place.kind not in _POINT_KINDS or place.geo_precision > 2:
            continue
        found = _of_place(place.source, place.name)
        if found is not None:
            points.append(shapely.Point(*_flat(place.lat, place.lon)))
            owners.append(found)
    return shapely.STRtree(points), owners


def _flat(lat, lon):
    # Degrees to km around 43°N: good enough to pick the nearest of places a few km apart.
    return np.asarray(lon, dtype=float) * 81.4, np.asarray(lat, dtype=float) * 111.2


@cache
def _outlines():
    """Serbia's and Kosovo's outlines, prepared for many point tests."""
    import shapely

    from mapapp.boundary import outlines

    found = (outlines()["SRB"], outlines()["KOS"])
    for polygon in found:
        shapely.prepare(polygon)
    return found


def at_points(lat, lon):
    """The municipality (name, or None) of each point (arrays): that of the nearest gazetteer
    place with a known municipality, when one lies within MAX_POINT_KM in the same country.

    The bundled data has no municipal outlines: the nearest village stands for the area around
    it, which puts a point near a municipal line on either side of it; hence "derived"."""
    import shapely

    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    out = np.full(len(lat), None, dtype=object)
    if not len(lat):
        return out
    tree, owners = _point_index()
    # Each distinct point once: an export repeats a few thousand places over many rows.
    points, inverse = np.unique(np.column_stack([lat, lon]), axis=0, return_inverse=True)
    found, _distances = tree.query_nearest(
        shapely.points(*_flat(points[:, 0], points[:, 1])), max_distance=MAX_POINT_KM, return_distance=True)
    place_of = np.full(len(points), -1)
    place_of[found[0][::-1]] = found[1][::-1]  # of two places equally near, the first found
    near = np.flatnonzero(place_of >= 0)
    located = shapely.points(points[near, 1], points[near, 0])
    country = np.full(len(points), "", dtype=object)
    serbia, kosovo = _outlines()
    country[near[shapely.covers(serbia, located)]] = "RS"
    country[near[shapely.covers(kosovo, located)]] = "XK"
    names = np.full(len(points), None, dtype=object)
    for at in near:
        owner = owners[place_of[at]]
        if owner.country == country[at]:
            names[at] = owner.name
    out[:] = names[inverse.ravel()]
    return out


def derived_admin(admin1, admin2, location, lat, lon, geo_precision):
    """(admin1, admin2) filled in where a row lacks them, for arrays of rows: admin2 from the
    place name (the rule of `municipality_of`), else from the point (at_points); admin1 the
    district of the municipality. An area the row gives is kept; a region or country-level row
    (geo_precision 4, 5) gets none. Returns lists of ("" where nothing is derived)."""
    n = len(lat)
    given1 = np.array([bool(str(a or "").strip()) for a in admin1], dtype=bool)
    given2 = [str(a or "").strip() for a in admin2]
    precision = np.asarray(geo_precision, dtype=int)
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    named = np.full(n, None, dtype=object)
    todo = np.flatnonzero((np.array([not a for a in given2], dtype=bool) & (precision <= 3)) if n else [])
    if len(todo):
        named[todo] = _assigned([""] * len(todo), [location[i] for i in todo], lat[todo], lon[todo], precision[todo])
        named[named == UNASSIGNED] = None
        left = todo[named[todo] == None]  # noqa: E711 (an element-wise test)
        named[left] = at_points(lat[left], lon[left])
    new2 = ["" if name is None else name for name in named]
    districts = {}  # per distinct municipality text: the district, or ""
    new1 = [""] * n
    for i in np.flatnonzero(~given1) if n else ():
        text = new2[i] or given2[i]
        if text and text not in districts:
            municipality = by_name(text)
            districts[text] = municipality.district if municipality is not None else ""
        new1[i] = districts.get(text, "")
    return new1, new2


def admin_note(admin1, admin2):
    """The note saying which admin areas were derived (DERIVED ...), or ""."""
    parts = [f"{label} {value!r}" for label, value in (("admin2", admin2), ("admin1", admin1)) if value]
    if not parts:
        return ""
    return f"{DERIVED} {' and '.join(parts)} (from the place and the gazetteer, data/municipalities.csv)."
