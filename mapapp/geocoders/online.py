"""Opt-in online geocoding with OpenStreetMap Nominatim.

Never constructed by default: the app works offline, and Nominatim's usage policy allows at
most one request per second, no bulk geocoding, and wants results cached. So every call goes
through geopy's ``RateLimiter`` and answers are kept in a per-instance dict. When Nominatim
cannot be reached in time, the offline gazetteer answers instead, and the answer says so.
"""

from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderRateLimited, GeocoderTimedOut, GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from mapapp.geocoders.offline import GazetteerGeocoder
from mapapp.names import normalize

__all__ = ["NominatimGeocoder", "USER_AGENT"]

USER_AGENT = "mapapp-northern-kosovo-incident-map/0.1"
COUNTRY_CODES = ("xk", "rs")
# Nominatim's address type → the data contract's geo_precision.
_PRECISION = {
    "country": 5,
    "state": 4, "region": 4, "province": 4, "state_district": 4,
    "county": 3, "municipality": 3, "district": 3,
}


class _DelegatingAdapter(BaseSyncAdapter):
    """This wrapper makes no requests itself; the inner Nominatim has its own adapter."""

    def get_json(self, url, *, timeout, headers):
        raise RuntimeError("NominatimGeocoder delegates requests to geopy's Nominatim")

    def get_text(self, url, *, timeout, headers):
        raise RuntimeError("NominatimGeocoder delegates requests to geopy's Nominatim")


class NominatimGeocoder(Geocoder):
    """geopy Nominatim, rate-limited and cached, answering in the gazetteer's raw dict shape."""

    def __init__(self, *, user_agent=USER_AGENT, timeout=5, min_delay_seconds=1.0, country_codes=COUNTRY_CODES,
                 fallback=None):
        super().__init__(adapter_factory=_DelegatingAdapter, timeout=timeout, user_agent=user_agent)
        # Answers when the network is down or too slow; built on first use (it loads the gazetteer).
        self._fallback = fallback
        self.nominatim = Nominatim(user_agent=user_agent, timeout=timeout)
        # max_retries=0: a retry would wait 5 s and still break the one-request-per-second rule's spirit.
        self._limited = RateLimiter(
            self.nominatim.geocode, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
        )
        self.country_codes = country_codes
        self._cache = {}

    def geocode(self, query, *, exactly_one=True, timeout=DEFAULT_SENTINEL, limit=5):
        """A ``Location`` (or a list when ``exactly_one`` is False), or None, also when offline."""
        key = normalize(query)
        if not key or len(query) > 200:
            return None
        if key not in self._cache:
            try:
                found = self._limited(query, exactly_one=False, limit=limit,
                                      country_codes=list(self.country_codes), addressdetails=False,
                                      **({} if timeout is DEFAULT_SENTINEL else {"timeout": timeout}))
            except (GeocoderUnavailable, GeocoderTimedOut, GeocoderRateLimited) as err:
                # Not cached: the service may be back on the next call.
                return self._offline(query, exactly_one, err)
            self._cache[key] = self._convert(query, found or [])
        locations = self._cache[key]
        if not locations:
            return None
        return locations[0] if exactly_one else list(locations)

    def _offline(self, query, exactly_one, error):
        """The offline gazetteer's answer, marked with why Nominatim did not give it."""
        if self._fallback is None:
            self._fallback = GazetteerGeocoder()
        found = self._fallback.geocode(query, exactly_one=False)
        if not found:
            return None
        reason = f"nominatim unavailable ({type(error).__name__}: {error}); answered by the offline gazetteer"
        for location in found:
            location.raw["fallback"] = reason
        return found[0] if exactly_one else found

    @staticmethod
    def _convert(query, found):
        """Nominatim locations → Locations whose raw has the gazetteer's keys."""
        raws = []
        for location in found:
            item = location.raw
            addresstype = item.get("addresstype") or item.get("type") or ""
            raws.append({
                "query": query, "name": item.get("name") or location.address.split(",")[0],
                "lat": location.latitude, "lon": location.longitude,
                "geo_precision": _PRECISION.get(addresstype, 1), "source": "nominatim", "match": "online",
                "ambiguous": [], "matched": query, "kind": addresstype, "country": "",
                "feature_code": f"{item.get('class', '')}.{item.get('type', '')}", "uncertainty_km": None,
                "address": location.address, "osm": f"{item.get('osm_type', '')}/{item.get('osm_id', '')}",
            })
        if raws:
            raws[0]["ambiguous"] = [
                {"name": r["name"], "source": r["source"], "lat": r["lat"], "lon": r["lon"],
                 "geo_precision": r["geo_precision"], "kind": r["kind"]} for r in raws[1:]
            ]
        return tuple(Location(r["address"], (r["lat"], r["lon"]), r) for r in raws)
