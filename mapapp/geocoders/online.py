"""Opt-in online geocoding with OpenStreetMap Nominatim.

Never constructed by default: the app works offline, and Nominatim's usage policy allows at
most one request per second, no bulk geocoding, and wants results cached. So every call goes
through geopy's ``RateLimiter`` and answers are kept in a per-instance dict. When Nominatim
cannot be reached in time, the offline gazetteer answers instead, and the answer says so.
"""

import dataclasses

from geopy.exc import GeocoderRateLimited, GeocoderTimedOut, GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from mapapp.geocoders.base import Geocoder
from mapapp.geocoders.offline import GazetteerGeocoder
from mapapp.geocoding import GeocodeResult
from mapapp.names import normalize

__all__ = ["NominatimGeocoder", "USER_AGENT"]

USER_AGENT = "mapapp-northern-kosovo-incident-map/0.1"
COUNTRY_CODES = ("xk", "rs")
MAX_QUERY_CHARS = 200
# Nominatim's address type → the data contract's geo_precision.
_PRECISION = {
    "country": 5,
    "state": 4, "region": 4, "province": 4, "state_district": 4,
    "county": 3, "municipality": 3, "district": 3,
}


class NominatimGeocoder(Geocoder):
    """geopy Nominatim, rate-limited and cached, answering with GeocodeResults."""

    name = "nominatim"
    label = "Nominatim"

    def __init__(self, *, user_agent=USER_AGENT, timeout=5, min_delay_seconds=1.0, country_codes=COUNTRY_CODES,
                 fallback=None, limit=5):
        super().__init__(timeout=timeout, user_agent=user_agent)
        # Answers when the network is down or too slow; built on first use (it loads the gazetteer).
        self._fallback = fallback
        self.nominatim = Nominatim(user_agent=user_agent, timeout=timeout)
        # max_retries=0: a retry would wait 5 s and still break the one-request-per-second rule's spirit.
        self._limited = RateLimiter(
            self.nominatim.geocode, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
        )
        self.country_codes = country_codes
        self.limit = limit
        self._cache = {}

    def search(self, query, limit=10):
        """GeocodeResults, best first; the offline gazetteer's (marked) when Nominatim is unreachable."""
        key = normalize(query)
        if not key or len(query) > MAX_QUERY_CHARS:
            return []
        if key not in self._cache:
            try:
                found = self._limited(query, exactly_one=False, limit=self.limit,
                                      country_codes=list(self.country_codes), addressdetails=False)
            except (GeocoderUnavailable, GeocoderTimedOut, GeocoderRateLimited) as err:
                # Not cached: the service may be back on the next call.
                return self._offline(query, limit, err)
            self._cache[key] = _results(query, found or [])
        return list(self._cache[key][:limit])

    def _offline(self, query, limit, error):
        """The offline gazetteer's answer, marked with why Nominatim did not give it."""
        if self._fallback is None:
            self._fallback = GazetteerGeocoder()
        reason = f"nominatim unavailable ({type(error).__name__}: {error}); answered by the offline gazetteer"
        return [dataclasses.replace(result, fallback=reason) for result in self._fallback.search(query, limit)]


def _results(query, found):
    """Nominatim's Locations → GeocodeResults; the first holds the others as candidates."""
    results = []
    for location in found:
        item = location.raw
        addresstype = item.get("addresstype") or item.get("type") or ""
        results.append(GeocodeResult(
            query=query, name=item.get("name") or location.address.split(",")[0],
            lat=location.latitude, lon=location.longitude, geo_precision=_PRECISION.get(addresstype, 1),
            source="nominatim", match="online", matched=query, geocoder="nominatim", kind=addresstype,
            feature_code=f"{item.get('class', '')}.{item.get('type', '')}", address=location.address, raw=item,
        ))
    if results:
        results[0] = dataclasses.replace(results[0], candidates=tuple(results[1:]))
    return tuple(results)
