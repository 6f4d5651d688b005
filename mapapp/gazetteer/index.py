"""The gazetteer's name index: every place under each normalised spelling of its names.

A key belongs to a place by tier: its own name, an alternate name, or a derived name
("Banjska" for "Banjska Monastery", "Leposavić" for the municipality named after the town).
Besides exact keys, the index finds keys one or two edits away (misspellings) and scans the
few places of a kind ("monastery") for a name.
"""

from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from mapapp.gazetteer.files import haversine_km
from mapapp.names import COMMON_WORDS, GENERIC_WORDS, name_variants, normalize

TIER_NAME, TIER_ALTERNATE, TIER_DERIVED = 0, 1, 2
# Kinds whose names are "<name> <kind word>": also indexed under the bare name (lower tier).
CORE_KINDS = frozenset({"monastery", "church", "crossing", "municipality", "lake", "bridge", "station"})
_CONNECTORS = frozenset({"e", "i", "se", "te", "of", "the", "na", "mbi", "in"})
# A postal-file town this close to a same-named place is that place.
_POSTAL_SAME_KM = 10


def core(key):
    """The name without its feature words: "manastir banjska" → "banjska"."""
    words = [w for w in key.split() if w not in GENERIC_WORDS]
    while words and words[0] in _CONNECTORS:
        words.pop(0)
    while words and words[-1] in _CONNECTORS:
        words.pop()
    return " ".join(words)


class NameIndex:
    """Places by normalised name; a place is known by its position in ``places``."""

    def __init__(self):
        self.places = []
        self._keys = {}  # key → [(place index, tier)]
        self._keys_of = []  # place index → every key it is indexed under
        self._buckets = None  # built on the first fuzzy query
        self.near_keys = lru_cache(maxsize=65536)(self._near_keys)

    def add(self, place, names, derived=()):
        """Index ``place`` under its own name, ``names`` and the lower-tier ``derived`` names."""
        index = len(self.places)
        self.places.append(place)
        primary = name_variants(place.name)
        keys = set(primary)
        for name in names:
            keys |= name_variants(name)
        derived_keys = set()
        for name in derived:
            derived_keys |= name_variants(name)
        if place.kind in CORE_KINDS:
            derived_keys |= {core(k) for k in keys}
        derived_keys -= keys
        derived_keys.discard("")
        for key in keys:
            self._keys.setdefault(key, []).append((index, TIER_NAME if key in primary else TIER_ALTERNATE))
        for key in derived_keys:
            self._keys.setdefault(key, []).append((index, TIER_DERIVED))
        self._keys_of.append(keys | derived_keys)

    def add_if_new(self, place):
        """Add a place of the postal file unless a same-named place is already near it."""
        known = (self.places[i] for i, _ in self._keys.get(normalize(place.name), ()))
        if not any(haversine_km(place.lat, place.lon, other.lat, other.lon) < _POSTAL_SAME_KM for other in known):
            self.add(place, {place.name})

    def spellings(self, key):
        """Every own and alternate key (not derived ones) of the places whose own or alternate
        name is ``key``: the other spellings of the place a name means."""
        found = set()
        for index, tier in self._keys.get(key, ()):
            if tier == TIER_DERIVED:
                continue
            found |= {
                other for other in self._keys_of[index]
                if any(i == index and t != TIER_DERIVED for i, t in self._keys.get(other, ()))
            }
        return found

    def __contains__(self, key):
        return key in self._keys

    def names(self):
        """{key: (Place, ...)} for every key, to find names in running text (mapapp.reports.places)."""
        return {key: tuple(self.places[i] for i, _ in entries) for key, entries in self._keys.items()}

    def exact(self, key, fuzzy=False):
        """((place index, tier, fuzzy), ...) of the places indexed under ``key``."""
        return tuple((index, tier, fuzzy) for index, tier in self._keys.get(key, ()))

    def _near_keys(self, key):
        """Index keys within one edit (two for long names) of ``key``, closest first."""
        length = len(key.replace(" ", ""))
        if length < 5 or not key.isascii() or all(word in COMMON_WORDS for word in key.split()):
            return ()
        if self._buckets is None:
            self._buckets = self._build_buckets()
        limit = 1 if length <= 10 else 2
        # Typos rarely hit the first letter, while English words one letter off a name often
        # differ there ("order" / "border"): only names with the same first letter compete.
        pool = []
        for size in range(len(key) - limit, len(key) + limit + 1):
            pool.extend(self._buckets.get((size, key[0]), ()))
        found = process.extract(key, pool, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if length <= 6:
            # In short names a substituted letter is more often another word than a typo
            # ("Paris" is not "Pališ"): accept only a dropped, added or swapped letter.
            found = [f for f in found if len(f[0]) != len(key) or sorted(f[0]) == sorted(key)]
        if not found:
            return ()
        nearest = min(score for _, score, _ in found)
        return tuple(sorted(choice for choice, score, _ in found if score == nearest))

    def fuzzy(self, key):
        """Candidates ((place index, tier, True), ...) of the keys nearest to ``key``."""
        return tuple(c for k in self.near_keys(key) for c in self.exact(k, fuzzy=True))

    def _build_buckets(self):
        buckets = {}
        for key in self._keys:
            if key.isascii() and len(key) >= 4:
                buckets.setdefault((len(key), key[0]), []).append(key)
        return buckets

    def kind_scan(self, key, accepted):
        """Places of the ``accepted`` kinds named ``key`` give or take one edit, or with ``key`` as a word.

        The word rule finds "Manastir Visoki Dečani" for "Dečani monastery"; it is safe only
        because the scan is limited to the few places of the kind the query asks for.
        """
        accepted = accepted - {"place", "region"}  # too many to scan; they are found by name anyway
        if not accepted or len(key) < 4:
            return ()
        found = []
        for index, place in enumerate(self.places):
            if place.kind in accepted:
                keys = self._keys_of[index]
                if any(f" {key} " in f" {k} " for k in keys):
                    found.append((index, TIER_DERIVED, False))
                elif min(OSA.distance(key, k, score_cutoff=2) for k in keys) <= 1:
                    found.append((index, TIER_DERIVED, True))
        return tuple(found)
