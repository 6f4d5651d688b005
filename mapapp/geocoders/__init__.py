"""Geocoders by name: the offline gazetteer (default) and opt-in online Nominatim.

Each implements ``mapapp.geocoding.Geocoder`` and answers with ``GeocodeResult``s, so callers
can swap one for the other (geopy's ``SERVICE_TO_GEOCODER`` pattern).
"""

from mapapp.errors import UnknownGeocoder
from mapapp.geocoders.offline import GazetteerGeocoder
from mapapp.geocoders.online import NominatimGeocoder

__all__ = ["DEFAULT_GEOCODER", "SERVICE_TO_GEOCODER", "GazetteerGeocoder", "NominatimGeocoder", "get_geocoder",
           "resolve"]

SERVICE_TO_GEOCODER = {
    "gazetteer": GazetteerGeocoder,
    "nominatim": NominatimGeocoder,
}
DEFAULT_GEOCODER = "gazetteer"


def get_geocoder(name=DEFAULT_GEOCODER, **kwargs):
    """A new geocoder instance for a service name; ``kwargs`` go to its constructor."""
    try:
        cls = SERVICE_TO_GEOCODER[name.strip().lower()]
    except (KeyError, AttributeError):
        valid = ", ".join(sorted(SERVICE_TO_GEOCODER))
        raise UnknownGeocoder(f"unknown geocoder {name!r}; expected one of: {valid}") from None
    return cls(**kwargs)


def resolve(query):
    """Resolve a place name with the default geocoder: a GeocodeResult, or None."""
    return GazetteerGeocoder().resolve(query)
