"""Each incident's municipality, from the dataset's admin column or the gazetteer; never guessed.

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
from mapapp.gazetteer import default_gazetteer, haversine_km
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
    places: tuple  # gazetteer sources of supplement places inside it
    aliases: tuple


@cache
def municipalities():
    """The municipalities of data/municipalities.csv, in file order."""
    try:
        with open(MUNICIPALITIES_FILE, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        return tuple(
            Municipality(row["name"], row["country"], row["geonames_admin1"],
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
def from_gazetteer(location, lat, lon):
    """The municipality (name) the gazetteer gives for `location` at (lat, lon), else None."""
    if not location.strip():
        return None
    result = default_gazetteer().lookup(location)
    if result is None or _field(result, "geo_precision") > 3:
        return None
    if haversine_km(lat, lon, _field(result, "lat"), _field(result, "lon")) > MAX_PLACE_KM:
        return None
    found = _of_place(_field(result, "source"), _field(result, "name"))
    if found is None:
        return None
    others = _field(result, "ambiguous") if isinstance(result, dict) else _field(result, "candidates")
    for other in others:
        near = haversine_km(lat, lon, _field(other, "lat"), _field(other, "lon")) <= MAX_PLACE_KM
        if near and _of_place(_field(other, "source"), _field(other, "name")) != found:
            return None  # the point cannot tell which of the places the name means
    return found.name


def municipality_of(admin2, location, lat, lon, geo_precision):
    """The incident's municipality name by the module's rule, or UNASSIGNED."""
    named = by_name(admin2)
    if named is not None:
        return named.name
    if geo_precision >= 4:
        return UNASSIGNED
    return from_gazetteer(location, round(lat, 4), round(lon, 4)) or UNASSIGNED


def assign(frame):
    """A Series (same index as `frame`) of each incident's municipality or UNASSIGNED."""
    admin2 = frame["admin2"] if "admin2" in frame.columns else [""] * len(frame)
    keys = list(zip(admin2, frame["location"], frame["latitude"], frame["longitude"], frame["geo_precision"]))
    # Incidents share few distinct places: each is decided once.
    decided = {key: municipality_of(*key) for key in set(keys)}
    return pd.Series([decided[key] for key in keys], index=frame.index, dtype=object)


def assign_columns(store_path, columns):
    """Each incident's municipality (an object array in the order of `columns`, a
    mapapp.columns.IncidentColumns); the texts it needs are read from the store once."""
    from mapapp.columns import read_rows

    rows = read_rows(store_path, columns.rowid, ("admin2", "location"))
    keys = list(zip(rows["admin2"], rows["location"], columns.latitude.tolist(), columns.longitude.tolist(),
                    columns.geo_precision.tolist()))
    decided = {key: municipality_of(*key) for key in set(keys)}
    return np.array([decided[key] for key in keys], dtype=object)
