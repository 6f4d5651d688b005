"""What every geocoder answers: GeocodeResult, the one result type.

The geocoders themselves (one interface, ``mapapp.geocoders.base.Geocoder``; the backends
picked by name with ``mapapp.geocoders.get_geocoder``) live in ``mapapp.geocoders``. This module
imports no geocoding library, so the gazetteer can build results without loading geopy.
"""

from dataclasses import dataclass, field

# How a note names the geocoder that answered (GeocodeResult.geocoder).
ANSWERED_BY = {"gazetteer": "the offline gazetteer", "nominatim": "Nominatim (OpenStreetMap, online)"}


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """A place a geocoder found for a query, with how sure it is.

    ``source`` is the record that answered ("geonames:XK:783770", "supplement:north-mitrovica",
    "nominatim"); ``match`` how the name matched ("exact", "phrase", "fuzzy", "online");
    ``matched`` the part of the query that did. ``candidates`` are the other places the
    name may mean, ranked lower (results themselves, without candidates of their own).
    ``fallback`` says why another geocoder than the one asked gave the answer.
    """

    query: str
    name: str
    lat: float
    lon: float
    geo_precision: int
    source: str
    match: str
    matched: str
    geocoder: str
    kind: str = ""
    country: str = ""
    feature_code: str = ""
    uncertainty_km: float | None = None
    address: str = ""
    candidates: tuple = ()
    fallback: str = ""
    raw: object = field(default=None, compare=False, repr=False)  # the backend's own record

    def __post_init__(self):
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"coordinates ({self.lat!r}, {self.lon!r}) are not WGS84 degrees")
        if self.geo_precision not in (1, 2, 3, 4, 5):
            raise ValueError(f"geo_precision {self.geo_precision!r}: expected 1 to 5")

    @property
    def answered_by(self):
        """The geocoder that answered, as a note says it."""
        return ANSWERED_BY.get(self.geocoder, self.geocoder)

    def candidate_record(self):
        """What the JSON says of a candidate."""
        return {"name": self.name, "source": self.source, "lat": self.lat, "lon": self.lon,
                "geo_precision": self.geo_precision, "kind": self.kind}

    def to_record(self):
        """The result as the ``geocode`` command prints it (one JSON object)."""
        record = {
            "query": self.query, "name": self.name, "lat": self.lat, "lon": self.lon,
            "geo_precision": self.geo_precision, "source": self.source, "match": self.match,
            "ambiguous": [candidate.candidate_record() for candidate in self.candidates],
            "matched": self.matched, "kind": self.kind, "country": self.country,
            "feature_code": self.feature_code, "uncertainty_km": self.uncertainty_km, "address": self.address,
        }
        if self.fallback:
            record["fallback"] = self.fallback
        return record

    def location(self):
        """The result as geopy's Location (``raw`` is the result)."""
        from geopy.location import Location

        return Location(self.address or self.name, (self.lat, self.lon), self)
