"""The offline gazetteer as a geocoder (no network, ever)."""

from mapapp.gazetteer import Gazetteer, default_gazetteer
from mapapp.geocoders.base import Geocoder

__all__ = ["GazetteerGeocoder"]


class GazetteerGeocoder(Geocoder):
    """Geocode with the bundled gazetteer (or one over ``data_dir``), loaded on the first query."""

    name = "gazetteer"
    label = "the gazetteer"

    def __init__(self, gazetteer=None, *, data_dir=None):
        super().__init__()
        self._gazetteer = gazetteer
        self._data_dir = data_dir

    @property
    def gazetteer(self):
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer() if self._data_dir is None else Gazetteer(self._data_dir)
        return self._gazetteer

    def search(self, query, limit=10):
        return self.gazetteer.search(query, limit=limit)
