"""Stand-ins for online services (the only mocks the tests use): they never touch the network."""

from geopy.location import Location

ZVECAN = {"name": "Zvečan", "lat": "42.9075", "lon": "20.84", "addresstype": "town",
          "class": "place", "type": "town", "osm_type": "relation", "osm_id": 1}
LEPOSAVIC_MUNICIPALITY = {"name": "Opština Leposavić", "lat": "43.1", "lon": "20.8", "addresstype": "municipality",
                          "class": "boundary", "type": "administrative", "osm_type": "relation", "osm_id": 2}


class FakeNominatim:
    """Stands in for geopy's Nominatim: records calls. "Nowhere" is found nowhere, "Leposavić
    municipality" is the municipality, anything else is Zvečan."""

    instances = []

    def __init__(self, *, user_agent, timeout):
        self.user_agent, self.timeout, self.calls = user_agent, timeout, []
        self.error = None
        FakeNominatim.instances.append(self)

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs))
        if self.error:
            raise self.error
        if query == "Nowhere":
            return None
        raw = LEPOSAVIC_MUNICIPALITY if query == "Leposavić municipality" else ZVECAN
        address = f"{raw['name']}, Kosovo"
        return [Location(address, (float(raw["lat"]), float(raw["lon"])), raw)]
