"""Offline gazetteer: GeoNames extracts plus a curated supplement, searched by normalised name.

``files`` reads the data files into places, ``index`` indexes them by every spelling of their
names, ``matching`` finds the places a query names (strict to loose; see its docstring).
Among several places with the matched name, the one in northern Kosovo or the boundary zone
wins, then the higher-ranked feature (town over village over station), then the larger
population; the others become the result's ``candidates``. "near X" turns an exact place into
geo_precision 2.
"""

from functools import cache, lru_cache

from mapapp import DATA_DIR
from mapapp.gazetteer import matching
from mapapp.gazetteer.files import (
    CITIES_FILE,
    OUTLINES_FILE,
    POSTAL_FILE,
    RANK_SUPPLEMENT,
    SUPPLEMENT_FILE,
    XK_FILE,
    Place,
    haversine_km,
    load,
)
from mapapp.gazetteer.index import NameIndex
from mapapp.geocoding import GeocodeResult
from mapapp.names import normalize

__all__ = [
    "CITIES_FILE", "OUTLINES_FILE", "POSTAL_FILE", "SUPPLEMENT_FILE", "XK_FILE",
    "Gazetteer", "Place", "default_gazetteer", "haversine_km", "resolve",
]

# GeoNames admin1 codes (municipalities in this vintage) of northern Kosovo:
# Leposavić, Mitrovica, Zubin Potok, Zvečan.
NORTH_ADMIN1 = frozenset({"12", "15", "29", "30"})
BORDER_ZONE_KM = 20.0
SAME_PLACE_KM = 2.0  # closer than this, two candidates are one point on the map
MAX_QUERY_CHARS = 200
MAX_CANDIDATES = 10
COUNTRY_NAMES = {"XK": "Kosovo", "RS": "Serbia"}


class Gazetteer:
    """All places of the bundled data files, searchable by any spelling of their names."""

    def __init__(self, data_dir=None):
        self.data_dir = DATA_DIR if data_dir is None else data_dir
        loaded = load(self.data_dir)
        self.index = NameIndex()
        for place, names, derived in loaded.entries:
            self.index.add(place, names, derived)
        for place in loaded.postal:
            # The postal file repeats towns the other files have; keep only new places.
            self.index.add_if_new(place)
        self._seat = loaded.seats
        self._outlines = loaded.outlines
        self._focus_cache = {}
        self._match = lru_cache(maxsize=65536)(self._match_uncached)
        # Results are immutable, so a repeated query (an import names the same towns again
        # and again) gets the same ones.
        self._results = lru_cache(maxsize=65536)(self._results_uncached)

    @property
    def places(self):
        """Every Place, in the order of the files."""
        return self.index.places

    def names(self):
        """Every normalised name known, with its places: {key: (Place, ...)}."""
        return self.index.names()

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

    def _match_uncached(self, query):
        return matching.match(self.index, query, self._focus)

    def search(self, query, limit=10):
        """GeocodeResults for ``query``, best first, at most ``limit``; [] if nothing fits."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, got {type(query).__name__}")
        if len(query) > MAX_QUERY_CHARS:
            return []
        return list(self._results(query, limit))

    def _results_uncached(self, query, limit):
        normalised = normalize(query)
        if not any(ch.isalpha() for ch in normalised):
            return ()
        found = self._match(normalised)
        if found is None:
            return ()
        results = []
        for position, (index, _tier, fuzzy) in enumerate(found.ranked[:limit]):
            label = "fuzzy" if fuzzy else found.label
            place = self.places[index]
            others = self._others(index, found.ranked) if position == 0 else ()
            candidates = tuple(self._result(query, other, label, found.key) for other in others)
            precision = 2 if found.near and place.geo_precision == 1 else place.geo_precision
            results.append(self._result(query, place, label, found.key, precision, candidates))
        return tuple(results)

    def spellings(self, query):
        """The normalised names (own and alternate, in every script and romanisation) of the
        places whose name or alternate name is exactly ``query``; empty when none is."""
        return self.index.spellings(normalize(query))

    def lookup(self, query):
        """The best GeocodeResult for ``query``, or None when no place fits."""
        results = self.search(query, limit=1)
        return results[0] if results else None

    def _result(self, query, place, label, key, precision=None, candidates=()):
        return GeocodeResult(
            query=query, name=place.name, lat=place.lat, lon=place.lon,
            geo_precision=place.geo_precision if precision is None else precision,
            source=place.source, match=label, matched=key, geocoder="gazetteer", kind=place.kind,
            country=place.country, feature_code=place.feature_code, uncertainty_km=place.uncertainty_km,
            address=self.address(place), candidates=candidates, raw=place,
        )

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
            others.append(place)
        return others[:MAX_CANDIDATES]

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
    """Resolve a place name with the bundled gazetteer: a GeocodeResult, or None."""
    return default_gazetteer().lookup(query)
