"""The geocoder interface (geopy's, plus ``resolve``): every geocoder of the app subclasses it.

A geocoder answers geopy's ``geocode(query, exactly_one=...)`` with ``geopy.location.Location``
objects whose ``raw`` is a ``mapapp.geocoding.GeocodeResult``; the app's own callers (the
``geocode`` command, the importer, the report reader) use ``resolve(query)``, which gives the
result itself, or ``search(query, limit)`` for several.
"""

from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.geocoders.base import Geocoder as GeopyGeocoder

__all__ = ["Geocoder"]


class _NoRequestsAdapter(BaseSyncAdapter):
    """geopy wants an HTTP adapter; a backend that makes its own requests (or none) gets this
    one, so that a request through geopy's machinery fails loudly instead of going out."""

    def get_json(self, url, *, timeout, headers):
        raise RuntimeError(f"this geocoder makes no requests through its adapter ({url})")

    def get_text(self, url, *, timeout, headers):
        raise RuntimeError(f"this geocoder makes no requests through its adapter ({url})")


class Geocoder(GeopyGeocoder):
    """A geocoder of this app. Subclasses set ``name`` and implement ``search``."""

    name = ""
    # How a message names it: "place 'X' not found in the gazetteer".
    label = ""

    def __init__(self, **kwargs):
        super().__init__(adapter_factory=_NoRequestsAdapter, **kwargs)

    def search(self, query, limit=10):
        """GeocodeResults for ``query``, best first, at most ``limit``; [] when none fits."""
        raise NotImplementedError

    def resolve(self, query):
        """The best GeocodeResult for a place name, or None when no place fits."""
        found = self.search(query, limit=1)
        return found[0] if found else None

    def geocode(self, query, *, exactly_one=True, timeout=DEFAULT_SENTINEL, limit=10):
        """geopy's interface: a Location (a list of them when ``exactly_one`` is False), or None.

        ``timeout`` is accepted for geopy compatibility; a backend that waits uses its own.
        """
        locations = [result.location() for result in self.search(query, limit=1 if exactly_one else limit)]
        if not locations:
            return None
        return locations[0] if exactly_one else locations
