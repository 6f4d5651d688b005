"""The Kosovo–Serbia boundary line and the distance of points to it (an incident's border_distance_km)."""

import dataclasses
import functools
import json
import math
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, shape
from shapely.ops import linemerge

from mapapp import DATA_DIR
from mapapp.errors import DataFileError

OUTLINES_FILE = DATA_DIR / "ne_10m_admin0_kosovo_serbia.geojson"

# Distances are measured in a local equirectangular projection centred on northern Kosovo:
# within 300 km of it the error stays far below the ~1 km accuracy of Natural Earth's 1:10m line,
# and it keeps distance a vectorised shapely call instead of a geodesic per vertex.
_ORIGIN = math.radians(42.9)
# Lengths of one degree on the WGS84 ellipsoid at that latitude (standard series expansions).
_KM_PER_DEG_LAT = 111.132954 - 0.559822 * math.cos(2 * _ORIGIN) + 0.001175 * math.cos(4 * _ORIGIN)
_KM_PER_DEG_LON = 111.412840 * math.cos(_ORIGIN) - 0.093500 * math.cos(3 * _ORIGIN)


@functools.cache
def outlines(path: Path = OUTLINES_FILE):
    """The Kosovo and Serbia polygons of Natural Earth, keyed by ADM0_A3 ('KOS', 'SRB')."""
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8"))
        polygons = {f["properties"]["ADM0_A3"]: shape(f["geometry"]) for f in collection["features"]}
        return {"KOS": polygons["KOS"], "SRB": polygons["SRB"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise DataFileError(f"cannot read the boundary file {path}: {err!r}") from err


@functools.cache
def boundary_line(path: Path = OUTLINES_FILE) -> LineString:
    """The Kosovo–Serbia boundary: the edge the two outlines share, in lon/lat."""
    polygons = outlines(path)
    shared = polygons["KOS"].boundary.intersection(polygons["SRB"].boundary)
    line = linemerge(shared) if shared.geom_type == "MultiLineString" else shared
    if line.geom_type != "LineString" or line.is_empty:
        raise DataFileError(f"the outlines in {path} share no single boundary line ({line.geom_type})")
    return line


@functools.cache
def _projected_line(path: Path = OUTLINES_FILE):
    return shapely.transform(boundary_line(path), _to_km)


def _to_km(coords):
    projected = coords.copy()
    projected[:, 0] = coords[:, 0] * _KM_PER_DEG_LON
    projected[:, 1] = coords[:, 1] * _KM_PER_DEG_LAT
    return projected


def distance_km(latitude, longitude, path: Path = OUTLINES_FILE):
    """Distance in km from a point (or arrays of points) to the Kosovo–Serbia boundary line."""
    points = shapely.points(
        np.asarray(longitude, dtype=float) * _KM_PER_DEG_LON,
        np.asarray(latitude, dtype=float) * _KM_PER_DEG_LAT,
    )
    distances = shapely.distance(points, _projected_line(Path(path)))
    return float(distances) if distances.ndim == 0 else distances


def side(latitude, longitude):
    """'Kosovo', 'Serbia' or None: which outline the point falls in."""
    point = shapely.Point(longitude, latitude)
    polygons = outlines()
    if polygons["KOS"].covers(point):
        return "Kosovo"
    if polygons["SRB"].covers(point):
        return "Serbia"
    return None


def border_distances_km(latitudes, longitudes, geo_precisions):
    """border_distance_km of many points at once: rounded to 10 m, None for a country-level
    point (geo_precision 5), whose position is only where the country's label goes."""
    if not len(latitudes):
        return []
    distances = distance_km(np.asarray(latitudes, dtype=float), np.asarray(longitudes, dtype=float))
    return [
        None if precision >= 5 else round(float(km), 2)
        for km, precision in zip(np.atleast_1d(distances), geo_precisions)
    ]


def border_distances_array(latitudes, longitudes, geo_precisions):
    """border_distances_km in bulk: (float64 array of the rounded distances, bool array of the
    points that have none), the same values without a Python float per point."""
    geo_precisions = np.asarray(geo_precisions)
    if not len(geo_precisions):
        return np.zeros(0), np.zeros(0, dtype=bool)
    distances = np.atleast_1d(distance_km(np.asarray(latitudes, dtype=float), np.asarray(longitudes, dtype=float)))
    return _rounded_to_hundredths(distances.astype(float)), geo_precisions >= 5


def _rounded_to_hundredths(values):
    """round(float(value), 2) of every value. numpy's rint(value * 100) / 100 is the same double
    unless value * 100 lies next to a half, where the product's own rounding may tip it either
    way: those few are rounded by Python."""
    scaled = values * 100
    rounded = np.rint(scaled) / 100
    for k in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6):
        rounded[k] = round(float(values[k]), 2)
    return rounded


def with_border_distance(incident):
    """The incident with border_distance_km computed from its coordinates (border_distances_km)."""
    (km,) = border_distances_km([incident.latitude], [incident.longitude], [incident.geo_precision])
    return dataclasses.replace(incident, border_distance_km=km)
