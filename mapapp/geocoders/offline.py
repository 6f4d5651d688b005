"""The offline gazetteer behind geopy's geocoder interface (no network, ever)."""

from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from mapapp.gazetteer import Gazetteer, default_gazetteer, resolve

__all__ = ["GazetteerGeocoder", "resolve"]


class _NoNetworkAdapter(BaseSyncAdapter):
    """geopy wants an HTTP adapter; this one refuses, so an accidental request fails loudly."""

    def get_json(self, url, *, timeout, headers):
        raise RuntimeError(f"the offline gazetteer must not make network requests ({url})")

    def get_text(self, url, *, timeout, headers):
        raise RuntimeError(f"the offline gazetteer must not make network requests ({url})")


class GazetteerGeocoder(Geocoder):
    """Geocode with the bundled gazetteer; ``Location.raw`` is the gazetteer's result dict."""

    def __init__(self, gazetteer=None, *, data_dir=None):
        super().__init__(adapter_factory=_NoNetworkAdapter)
        if gazetteer is None:
            gazetteer = default_gazetteer() if data_dir is None else Gazetteer(data_dir)
        self.gazetteer = gazetteer

    def geocode(self, query, *, exactly_one=True, timeout=DEFAULT_SENTINEL, limit=10):
        """A ``Location`` (or a list of them when ``exactly_one`` is False), or None.

        ``timeout`` is accepted for geopy compatibility and ignored: nothing here waits.
        """
        results = self.gazetteer.search(query, limit=1 if exactly_one else limit)
        locations = [Location(raw["address"], (raw["lat"], raw["lon"]), raw) for raw in results]
        if not locations:
            return None
        return locations[0] if exactly_one else locations
