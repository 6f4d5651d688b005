"""Place mentions in a report's text, resolved through the geocoder.

A mention is a run of words that the gazetteer knows as a name, in any of its spellings
(Serbian Latin and Cyrillic, Albanian, English), or an inflected Serbian or Albanian form of
one ("u Zvečanu", "kod Leposavića", "iz Severne Mitrovice", "në Zveçan", "Mitrovicës"). Names
must be written with a capital letter, except the area phrases the gazetteer knows ("northern
Kosovo", "the border regions"). Words next to a name shape the query that is geocoded: "near"
makes an exact place a nearby one (geo_precision 2), "municipality" / "opština" asks for the
municipality (3). A capitalised name right after a given name or a title ("President", "gradonačelnik")
is a person, not a place.
"""

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from mapapp.names import (
    COMMON_WORDS,
    DIRECTION_WORDS,
    GENERIC_WORDS,
    KIND_OF_WORD,
    NEAR_WORDS,
    STOP_WORDS,
    normalize,
)

# The centre of the four northern municipalities: where a report of this app is about.
FOCUS_POINT = (42.977, 20.761)
_INFLECT_RADIUS_KM = 90  # inflected forms are generated for places this close, and for towns
_INFLECT_MIN_POPULATION = 20_000
MAX_WORDS = 6

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_JOIN = re.compile(r"[ \t\u00a0]*(?:[-–—][ \t\u00a0]*)?")

# Words before a name that say the event happened there (English, Serbian, Albanian).
LOCATIVE_WORDS = frozenset(
    [
        "in", "at", "near", "outside", "around", "inside", "within", "across", "along", "between", "on", "u",
        "kod", "blizu", "pored", "ispred", "kraj", "oko", "nadomak", "na", "prema", "ne", "prane", "afer", "te",
        "tek", "rreth", "jashte", "brenda",
    ]
) | NEAR_WORDS
# Inflected kind words → the kind word the gazetteer reads.
_KIND_FORMS = {
    "opstini": "opstina", "opstine": "opstina", "opstinu": "opstina", "opstinom": "opstina",
    "komunen": "komuna", "komunes": "komuna", "komunes se": "komuna", "fshatin": "fshati",
    "fshatit": "fshati", "fshatrat": "fshati", "selu": "selo", "sela": "selo", "prelazu": "prelaz",
    "prelaza": "prelaz", "manastiru": "manastir", "manastira": "manastir", "mostu": "most",
    "mosta": "most", "municipality's": "municipality",
}
# Words for "near" that the gazetteer does not list: "u blizini", "nadomak", "kod" (at/by a town).
_NEAR_FORMS = {"blizini": "near", "nadomak": "near", "kod": "near", "afer": "near", "prane": "near"}
# Titles and given names: the capitalised word after them names a person.
TITLE_WORDS = frozenset(
    [
        "president", "prime", "minister", "mayor", "mr", "mrs", "ms", "dr", "general", "commander", "spokesman",
        "spokeswoman", "spokesperson", "director", "chief", "head", "leader", "deputy", "ambassador", "envoy",
        "premier", "judge", "prosecutor", "lawyer", "predsednik", "predsjednik", "premijer", "ministar",
        "ministarka", "gradonacelnik", "gradonacelnica", "portparol", "direktor", "komandant", "sudija", "tuzilac",
        "advokat", "poslanik", "presidenti", "presidentja", "kryeministri", "ministri", "ministrja", "kryetari",
        "kryetarja", "zedhenesi", "drejtori", "komandanti", "gjyqtari", "prokurori", "deputeti",
    ]
)
GIVEN_NAMES = frozenset(normalize(n) for n in [
    "Aleksandar", "Vučić", "Milan", "Ivan", "Goran", "Zoran", "Dragan", "Dejan", "Nenad", "Nikola", "Marko",
    "Petar", "Srđan", "Miloš", "Milica", "Jovan", "Vladimir", "Slobodan", "Dušan", "Igor", "Zlatan", "Miroslav",
    "Radoslav", "Milorad", "Ljubomir", "Branimir", "Stefan", "Ana", "Jelena", "Marija", "Srećko", "Zvonko",
    "Dalibor", "Oliver", "Ivica", "Goran", "Rada", "Tatjana", "Jovana", "Aleksandra", "Ivana", "Petar", "Igor",
    "Ognjen", "Vojislav", "Albin", "Vjosa", "Hashim", "Ramush", "Kadri", "Isa", "Avdullah", "Xhelal", "Bekim",
    "Besnik", "Arben", "Driton", "Fatmir", "Agim", "Blerim", "Lulzim", "Valon", "Ilir", "Artan", "Enver",
    "Nexhmedin", "Ibrahim", "Rexhep", "Elbert", "Liburn", "Besa", "Donika", "Glauk", "Dimal", "Gzim", "Hekuran",
    "Josep", "Miroslav", "Emmanuel", "Olaf", "Joe", "Antony", "Gabriel", "Jens", "Mark", "Tom", "Ursula",
    "Charles", "Angelina", "Christopher", "Slavko", "Đurić", "Petković", "Goran", "Rakić", "Milan", "Radoičić",
    "Kurti", "Osmani", "Haradinaj", "Thaçi", "Sveçla", "Dačić", "Brnabić", "Vucevic", "Vučević", "Lajčák",
    "Borrell", "Stoltenberg", "Rutte", "Escobar", "Dren", "Luka", "Lazar", "Vuk", "Nebojša", "Dragiša", "Dragana",
    "Milena", "Bojan", "Boban", "Đorđe", "Ljiljana", "Snežana", "Vesna", "Arbër", "Arta", "Ardian", "Fitore",
    "Kaltrina", "Shpend", "Visar", "Valdrin", "Faton",
])
# Words after (or before, with "of"/"e") a place name that make it part of an organisation's
# name: "Kosovo Police", "Policia e Kosovës", "Kosovo Force" place nothing.
_ORGANISATIONS = frozenset(normalize(w) for w in [
    "police", "policija", "policia", "policise", "policisë", "polici", "force", "forces", "government", "vlada",
    "qeveria", "qeverise", "ministry", "ministarstvo", "ministria", "army", "vojska", "ushtria", "assembly",
    "skupstina", "kuvendi", "court", "sud", "gjykata", "gjykates", "prosecution", "tuzilastvo", "prokuroria",
    "serbs", "albanians", "srbi", "shqiptaret", "institutions", "institucije", "office", "kancelarija", "zyra",
    "officials", "media", "tv", "radio", "online",
])
# Capitalised words that start sentences or name things, never places here.
_NOT_PLACES = frozenset(normalize(w) for w in [
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October", "November", "December", "Maj", "Mars", "Jun",
    "Jul", "Prill", "Korrik", "Gusht", "Shtator", "Tetor", "Police", "Policija", "Policia", "Army", "Vojska",
    "Ushtria", "Government", "Vlada", "Qeveria", "Ministry", "Ministarstvo", "Ministria", "European", "Union",
    "EU", "UN", "OSCE", "OEBS", "KFOR", "EULEX", "NATO", "UNMIK", "Reuters", "AP", "AFP", "Tanjug", "KoSSev",
    "Koha", "Kallxo", "President", "Premier", "The", "A", "An", "In", "At", "On", "Of", "And", "Or", "But",
    "After", "Before", "During", "Earlier", "Later", "Meanwhile", "Srpska", "Lista", "List", "Lista", "Serb",
    "Serbs", "Srbi", "Albanians", "Albanci", "Shqiptaret", "Serbian", "Albanian", "Kosovar", "Orthodox",
    "Christian", "Muslim", "Catholic",
])


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in the text: its span, the query geocoded and the geocoder's answer."""

    start: int
    end: int
    text: str
    query: str
    name: str
    lat: float
    lon: float
    geo_precision: int
    kind: str
    country: str
    locative: bool  # after "in", "u", "në", "near" ...: the event happened there
    how: str  # how the words were read, for the note
    candidates: tuple = field(default=(), compare=False)  # other readings: (name, lat, lon, geo_precision)
    organisation: bool = False  # part of a name such as "Kosovo Police", "Policia e Kosovës"
    first_token: int = 0  # index of its first word in the document's words


# -- the one door to the geocoder ------------------------------------------------------------


@cache
def _geocoder():
    from mapapp.geocoders import get_geocoder

    return get_geocoder()  # the default: the offline gazetteer, behind the app's one interface


@lru_cache(maxsize=20_000)
def lookup(query, limit=1):
    """GeocodeResults for ``query``, best first, from the app's geocoder interface (a tuple)."""
    return tuple(_geocoder().search(query, limit=limit))


def border_distance_km(lat, lon):
    from mapapp.gazetteer import default_gazetteer

    return default_gazetteer().border_distance_km(lat, lon)


def _gazetteer_names():
    # Finding names inside running text needs every name at once, which no geocoder interface
    # offers; the gazetteer's own index gives them (its places are what the geocoder answers with).
    from mapapp.gazetteer import default_gazetteer

    return default_gazetteer().names()


# -- inflected forms -------------------------------------------------------------------------

# Case endings of Serbian and Albanian, read back to the base form (normalised spelling: ë → e,
# Cyrillic already in Latin): (ending, what the base has instead). Serbian genitive, dative/
# locative, accusative and instrumental of nouns and adjectives ("Zvečanu", "Leposavića",
# "Severne Mitrovice", "Zubinom Potoku", "Dečanima"); Albanian definite, genitive and ablative
# forms ("Zveçanit", "Mitrovicës", "Jarinjën"); the English possessive ("Kosovo's").
_ENDINGS = (
    ("ima", "i"), ("ima", ""), ("om", ""), ("om", "o"), ("om", "a"), ("em", "e"), ("em", ""),
    ("oj", "a"), ("og", ""), ("og", "o"), ("u", ""), ("u", "a"), ("u", "o"), ("u", "e"),
    ("a", ""), ("a", "o"), ("a", "e"), ("a", "i"), ("e", "a"), ("e", ""), ("i", "a"), ("i", ""),
    ("it", ""), ("it", "i"), ("in", ""), ("es", "e"), ("es", "a"), ("es", ""), ("s", ""), ("n", ""),
    ("en", "e"), ("te", ""), ("ve", ""), ("se", ""),
)


def _inflectable(place):
    from mapapp.gazetteer import haversine_km

    if place.kind in ("feature", "station"):
        return False
    if place.source.startswith("supplement:"):
        return True
    close = haversine_km(place.lat, place.lon, *FOCUS_POINT) <= _INFLECT_RADIUS_KM
    return close or place.population >= _INFLECT_MIN_POPULATION or place.kind in ("country", "municipality")


class _Table:
    """The gazetteer's names, with what finding them in running text needs."""

    def __init__(self, names):
        self.names = names  # key → places
        self.words = frozenset(w for key in names for w in key.split())
        self.max_words = {}
        for key in names:
            words = key.split()
            if len(words) <= MAX_WORDS and self.max_words.get(words[0], 0) < len(words):
                self.max_words[words[0]] = len(words)
        self.area_keys = frozenset(
            key for key, places in names.items()
            if any(p.source.startswith("supplement:") and p.kind in ("region", "country") for p in places)
        )
        self._inflectable = {}

    def bases(self, word):
        """``word`` and the base forms it may inflect, among the words of known names."""
        found = [word] if word in self.words else []
        if word in ("te", "se") and "e" not in found:
            found.append("e")  # Albanian genitive connector: "Mitrovicë të Veriut" for "Mitrovicë e Veriut"
        for ending, base in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                candidate = word[: len(word) - len(ending)] + base
                if candidate in self.words and candidate not in found:
                    found.append(candidate)
        return found

    def inflectable(self, key):
        value = self._inflectable.get(key)
        if value is None:
            value = self._inflectable[key] = any(_inflectable(p) for p in self.names.get(key, ()))
        return value


@cache
def name_table():
    """Every name the gazetteer knows, indexed for reading running text."""
    return _Table(_gazetteer_names())


# -- finding mentions ------------------------------------------------------------------------


class _Token(NamedTuple):
    """A word of the text (a tuple: a document has hundreds of thousands of them)."""

    start: int
    end: int
    text: str
    key: str
    capital: bool


# Words repeat: each distinct one is normalised once.
_normalize_word = lru_cache(maxsize=200_000)(normalize)


def tokens(text):
    """The words of ``text`` with offsets and normalised forms."""
    found = []
    append = found.append
    for match in _WORD.finditer(text):
        word = match.group()
        start = match.start()
        append(_Token(start, start + len(word), word, _normalize_word(word), word[0].isupper()))
    return found


def _joined(text, left, right):
    """True when two tokens are adjacent words of one name (only spaces or a hyphen between)."""
    return _JOIN.fullmatch(text, left.end, right.start) is not None


def find_mentions(text, words=None):
    """Every place mention in ``text``, in order, not yet geocoded:
    (first token, last token, [base keys], inflected)."""
    table = name_table()
    words = tokens(text) if words is None else words
    found = []
    i = 0
    count = len(words)
    while i < count:
        token = words[i]
        if not token.capital and token.key not in _AREA_STARTS:
            i += 1
            continue
        match = None
        for first in table.bases(token.key):
            longest = table.max_words.get(first, 0)
            # Several words: the base forms of each, in the same order ("severne mitrovice").
            prefixes = [([first], first != token.key)]
            j = i
            while prefixes:
                for parts, inflected in prefixes:
                    key = " ".join(parts)
                    if key in table.names and (not inflected or table.inflectable(key)):
                        if match is None or j > match[0]:
                            match = (j, key, inflected, [key])
                        elif j == match[0] and key not in match[3]:
                            # Another reading of the same words ("zvecanit" is a name, and "zvecan" inflected).
                            if match[2] and not inflected:
                                match = (j, key, inflected, [key] + match[3])
                            else:
                                match[3].append(key)
                if j + 1 >= count or j + 1 - i >= longest or not _joined(text, words[j], words[j + 1]):
                    break
                j += 1
                following = table.bases(words[j].key)
                prefixes = [(parts + [b], inflected or b != words[j].key)
                            for parts, inflected in prefixes for b in following][:8]
        if match is None or not _plausible(text, words, i, match[0], match[1], match[2], table):
            i += 1
            continue
        last, _, inflected, readings = match
        found.append((i, last, readings, inflected))
        i = last + 1
    return found


_AREA_STARTS = frozenset(
    [
        "north", "northern", "south", "southern", "east", "eastern", "west", "western", "central", "border",
        "boundary", "administrative", "sever", "severno", "severnom", "severa", "jug", "veri", "veriu", "kufi",
        "kufiri", "kufirin", "vija",
    ]
)


def _plausible(text, words, first, last, base, inflected, table):
    span = words[first:last + 1]
    keys = [t.key for t in span]
    if not any(t.capital for t in span):
        return base in table.area_keys
    if all(k in COMMON_WORDS or k in STOP_WORDS or k in GENERIC_WORDS or k in DIRECTION_WORDS or k in _NOT_PLACES
           for k in keys):
        return False
    if len(span) == 1 and (keys[0] in _NOT_PLACES or len(keys[0]) < 3):
        return False
    before = words[first - 1] if first and _joined(text, words[first - 1], words[first]) else None
    after = words[last + 1] if last + 1 < len(words) and _joined(text, words[last], words[last + 1]) else None
    if base in table.area_keys:
        return True  # "Predsednik Srbije": a country after a title is still the country
    if before is not None and before.capital and (_given(before.key) or before.key in TITLE_WORDS):
        return False  # "Aleksandar Vučić", "Milana Leposavića", "President Kurti"
    if len(span) == 1 and after is not None and after.capital and not _given(after.key) and (_given(keys[0]) or (
            after.key not in table.words and after.key not in COMMON_WORDS and after.key not in _NOT_PLACES
            and after.key not in _ORGANISATIONS)):
        return False  # "Dren Berisha", "Luka Jovanović": a first name before a surname
    if len(span) == 1 and before is not None and before.capital and before.key not in table.words \
            and before.key not in _NOT_PLACES and before.key not in COMMON_WORDS and not _sentence_start(text, before):
        return False  # "Nebojša Vranješ", "Bekim Lipa": a surname after a first name
    return True


def _given(key):
    """True for a given name, also inflected ("Milana" for Milan)."""
    if key in GIVEN_NAMES:
        return True
    return any(key.endswith(e) and key[: len(key) - len(e)] + b in GIVEN_NAMES
               for e, b in (("a", ""), ("u", ""), ("om", ""), ("e", "a"), ("i", "a"), ("it", ""), ("in", "")))


def _sentence_start(text, token):
    """True when the token opens a sentence (nothing or sentence punctuation before it)."""
    before = text[max(0, token.start - 3):token.start].strip()
    return not before or before[-1] in ".!?:\"“„«"


_CONNECTORS = frozenset(["km", "e", "i", "se", "te", "of"])
_PUNCTUATION = re.compile(r"[,;:.!?()\[\]\"“”„«»]")


def _context_words(text, words, first, last):
    """(words before, words after) of a mention that change its reading, normalised:
    near and direction words ("near", "north of", "blizu", "pranë") and kind words
    ("municipality", "opština", "crossing", "monastery"), within the same clause."""
    before = []
    k = first - 1
    while k >= 0 and first - k <= 4 and not _PUNCTUATION.search(text, words[k].end, words[k + 1].start):
        key = _NEAR_FORMS.get(words[k].key, words[k].key)
        kind = _KIND_FORMS.get(key, key)
        if key in NEAR_WORDS or key in DIRECTION_WORDS or kind in KIND_OF_WORD or key == "of":
            before.insert(0, kind)
        elif not (key in STOP_WORDS or key in LOCATIVE_WORDS or key in GENERIC_WORDS or key in _CONNECTORS):
            break
        k -= 1
    while before and before[0] == "of":
        before.pop(0)
    if "of" in before and not any(w in DIRECTION_WORDS for w in before):
        before = [w for w in before if w != "of"]
    after = []
    k = last + 1
    while k < len(words) and k - last <= 3 and not _PUNCTUATION.search(text, words[k - 1].end, words[k].start):
        key = _KIND_FORMS.get(words[k].key, words[k].key)
        if key in KIND_OF_WORD and KIND_OF_WORD[key] != "place":
            after.append(key)
        elif key not in GENERIC_WORDS:
            break
        k += 1
    return before, after, k - 1 if after else last


def _organisation(text, words, first, last):
    """True when the name is part of an organisation's: "Kosovo Police", "Policia e Kosovës"."""
    if last + 1 < len(words) and words[last + 1].key in _ORGANISATIONS and _joined(text, words[last], words[last + 1]):
        return True
    k = first - 1
    connector = k >= 0 and words[k].key in ("e", "i", "se", "te", "of", "za", "for")
    if connector and not _PUNCTUATION.search(text, words[k].end, words[first].start):
        k -= 1
    return k >= 0 and k < first and words[k].key in _ORGANISATIONS and not _PUNCTUATION.search(
        text, words[k].end, words[first].start)


def _locative(text, words, first):
    k = first - 1
    while k >= 0 and first - k <= 4:
        if re.search(r"[,;:.!?()]", text[words[k].end:words[k + 1].start]):
            return False
        if words[k].key in LOCATIVE_WORDS:
            return True
        if words[k].capital and words[k].key not in STOP_WORDS and words[k].key not in DIRECTION_WORDS:
            return False
        k -= 1
    return False


def geocode_mentions(text, words=None):
    """The place mentions of ``text``, each geocoded; names the geocoder cannot place are dropped."""
    words = tokens(text) if words is None else words
    table = name_table()
    mentions = []
    for first, last, readings, inflected in find_mentions(text, words):
        before, after, stop = _context_words(text, words, first, last)
        for base in readings:
            query = " ".join(before + [base] + [w for w in after if w not in base.split()])
            # A name known only as part of a feature's ("Merdarës" of "Kalimi i Merdarës") is
            # asked for with that feature's kind word.
            kinds = {p.kind for p in table.names.get(base, ())} & {"crossing", "monastery", "bridge", "lake"}
            results = lookup(query, limit=8) or lookup(base, limit=8) or next(
                (found for kind in sorted(kinds) if (found := lookup(f"{base} {kind}", limit=8))), None)
            if results:
                break
        if not results:
            continue
        best = results[0]
        if best.kind in ("feature", "station") and not after and not before:
            continue  # a hill or a stream named like a word of the sentence: not an event's place
        start, end = words[first].start, words[stop].end
        surface = text[start:end]
        how = f"{surface!r} read as {best.name!r}"
        if inflected:
            how = f"{surface!r} (an inflected form of {base!r}) read as {best.name!r}"
        others = tuple(
            (o.name, o.lat, o.lon, o.geo_precision) for o in best.candidates
        )
        organisation = _organisation(text, words, first, stop)
        mentions.append(PlaceMention(
            start, end, surface, query, best.name, best.lat, best.lon, best.geo_precision, best.kind,
            best.country, _locative(text, words, first) and not organisation, how, others,
            organisation, first,
        ))
    return _by_context(mentions)


def _by_context(mentions):
    """An ambiguous name takes the reading nearest the report's other places."""
    points = {}
    for o in mentions:
        if o.geo_precision <= 4:
            points.setdefault(o.name, set()).add((round(o.lat, 3), round(o.lon, 3)))
    chosen = {}  # the same ambiguous name is read the same way throughout the report
    resolved = []
    for m in mentions:
        if m.candidates and (m.name, m.lat, m.lon) not in chosen:
            others = [p for name, found in points.items() if name != m.name for p in found]
            chosen[m.name, m.lat, m.lon] = _nearest(m, others) if others else None
        best = chosen.get((m.name, m.lat, m.lon)) if m.candidates else None
        if best is not None:
            options = [(m.name, m.lat, m.lon, m.geo_precision), *m.candidates]
            rest = tuple(o for o in options if o is not best)
            how = f"{m.how}; {best[0]!r} at {best[1]:.4f}, {best[2]:.4f} chosen as nearest the report's other places"
            m = PlaceMention(m.start, m.end, m.text, m.query, best[0], best[1], best[2], best[3], m.kind,
                             m.country, m.locative, how, rest, m.organisation, m.first_token)
        resolved.append(m)
    return resolved


def _nearest(mention, others):
    """The reading of an ambiguous mention nearest the other places, or None to keep the gazetteer's."""
    from mapapp.gazetteer import haversine_km

    # Only among readings as precise as the gazetteer's choice: a village called "Kosovo" is no
    # reading of the country.
    options = [(mention.name, mention.lat, mention.lon, mention.geo_precision)] + [
        c for c in mention.candidates if c[3] == mention.geo_precision]

    def distance(option):
        return min(haversine_km(option[1], option[2], lat, lon) for lat, lon in others)

    best = min(options, key=distance)
    if (best[1], best[2]) != (mention.lat, mention.lon) and distance(best) + 1 < distance(options[0]):
        return best
    return None


# Words that point back to a place named before ("in the area", "u regionu", "në zonë").
ANAPHORA = re.compile(
    r"\b(?:in|near|around|across)\s+(?:the|that)\s+(?:area|region|village|town|locality)\b"
    r"|\bu\s+(?:tom\s+)?(?:mestu|mjestu|selu|regionu|području|podrucju|naselju)\b"
    r"|\bnë\s+(?:atë\s+)?(?:zonë|rajon|fshat|lokalitet)\b",
    re.IGNORECASE,
)
