"""Place-name normalisation: one comparable form for Serbian, Albanian, English and Cyrillic spellings.

``normalize("Звечан") == normalize("Zvečan") == normalize("ZVEÇAN") == "zvecan"``.
``name_variants`` adds the other romanisations a name is commonly written in
("Medveđa" is also "Medveda"; "Zvečan" is also "Zvechan"), so that an index built
from the variants matches a query normalised with ``normalize`` alone.
"""

import re
import unicodedata

# Serbian Cyrillic to Serbian Latin *with* diacritics, so that the Latin rules below
# (đ → dj/d, č → c/ch) apply to both scripts alike. A few Russian/Macedonian letters
# are added because GeoNames alternate names use them.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž",
    "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
    "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "č", "џ": "dž", "ш": "š",
    "й": "j", "ы": "y", "э": "e", "ю": "ju", "я": "ja", "ё": "e", "щ": "šč", "ъ": "",
    "ь": "", "і": "i", "ї": "ji", "є": "je", "ґ": "g", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}
# Letters that NFKD does not decompose into base letter + combining mark.
_SPECIAL = {
    "ð": "đ",  # GeoNames writes "Ðeneral Janković" with the Icelandic eth
    "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ı": "i", "þ": "th", "ħ": "h",
    "’": "", "'": "", "`": "", "ʼ": "", "‘": "",  # apostrophes join, they do not split
}
_STAGE1 = str.maketrans({**_CYRILLIC, **_SPECIAL})

# Romanisations of the Serbian letters that differ between conventions.
_PRIMARY = str.maketrans({"đ": "dj"})
_VARIANT_TABLES = (
    str.maketrans({"đ": "d"}),  # "Medveda", the diacritic simply dropped
    str.maketrans({"đ": "dj", "č": "ch", "ć": "ch", "š": "sh", "ž": "zh"}),  # English press
    str.maketrans({"đ": "gj", "ć": "q", "č": "c", "š": "sh", "ž": "zh"}),  # Albanian spelling
)
_SERBIAN_LETTERS = frozenset("đčćšž")
_NON_WORD = re.compile(r"[\W_]+")


class _Marks(dict):
    """A str.translate table that drops combining marks, each character looked up once."""

    def __missing__(self, code):
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_MARKS = _Marks()
# Runs of non-ASCII characters: the tables translate only these. str.translate looks up every
# character of a mostly-ASCII text one by one in its table, the bulk of the work of indexing
# a million passages for the search.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_STAGE1_ASCII = {chr(code): (value or "") for code, value in _STAGE1.items() if code < 128}


def _translate(text, table):
    """text with its non-ASCII characters translated by `table` (ASCII ones left as they are)."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda run: run.group().translate(table), text)


def _stage1(text):
    """text.translate(_STAGE1)."""
    text = _translate(text, _STAGE1)
    for char, replacement in _STAGE1_ASCII.items():
        if char in text:
            text = text.replace(char, replacement)
    return text


def _strip_marks(text):
    if text.isascii():
        return text
    return _translate(unicodedata.normalize("NFKD", text), _MARKS)


def _finish(text):
    return _NON_WORD.sub(" ", _strip_marks(text)).strip()


def normalize(text):
    """Return the comparable form of a name: lower case, Latin, no diacritics, single spaces."""
    if not text:
        return ""
    return _finish(_stage1(text.casefold()).replace("đ", "dj"))


def name_variants(text):
    """Return the set of normalised spellings of a name (always includes ``normalize(text)``)."""
    if not text:
        return set()
    latin = _stage1(text.casefold())
    variants = {_finish(latin.translate(_PRIMARY))}
    if not _SERBIAN_LETTERS.isdisjoint(latin):
        variants.update(_finish(latin.translate(table)) for table in _VARIANT_TABLES)
    variants.discard("")
    return variants


# Words that carry no place identity in a query ("the village of Varage").
STOP_WORDS = frozenset(
    "the a an of in at on to by from and or with within inside into der die das "
    "u na kod ne te".split()
)
# Words meaning "close to the place, not at it": the result becomes geo_precision 2.
NEAR_WORDS = frozenset(
    "near nearby around outside outskirts vicinity close environs surroundings "
    "blizu pored okolina afer prane rreth jashte".split()
)
DIRECTION_WORDS = frozenset(
    "north south east west northeast northwest southeast southwest "
    "northern southern eastern western central".split()
)
# Words naming a kind of feature: they are hints for choosing among candidates.
KIND_WORDS = {
    "monastery": "monastery monasteries manastir manastiri convent church churches crkva kisha".split(),
    "crossing": "crossing crossings gate checkpoint prelaz prijelaz kalimi kalim pika kufitare "
    "granicni administrativni".split(),
    "municipality": "municipality municipalities komuna komunes komuna opstina opcina obcina "
    "opshtina".split(),
    "lake": "lake reservoir jezero liqeni liqen akumulacija dam brana".split(),
    "bridge": "bridge most ura ures".split(),
    "station": "station stanica stacioni railway zeleznicka".split(),
    "place": "village villages town city selo fshati fshat qyteti qytet grad hamlet "
    "settlement".split(),
    "region": "region regions area areas zone district".split(),
}
KIND_OF_WORD = {word: kind for kind, words in KIND_WORDS.items() for word in words}
# Descriptive words that are neither place names nor kinds.
GENERIC_WORDS = frozenset(
    "orthodox serbian serb albanian medieval old historic ancient famous border "
    "boundary administrative line".split()
) | frozenset(KIND_OF_WORD)


# Everyday words of incident reports: never place names here, and some are one letter away
# from a village ("police" / "Polce").
COMMON_WORDS = frozenset(
    "police policeman policemen officer officers army soldier soldiers troops kfor eulex nato unmik "
    "protest protests protesters clash clashes attack attacked shooting shots gunfire explosion "
    "grenade bomb killed injured wounded arrested arrest mayor government minister office building "
    "house houses school hospital market road roads highway street square center centre barricade "
    "barricades customs people local residents night morning evening today yesterday".split()
) | frozenset(
    # Frequent English words: a sentence around a place name must not fuzzy-match villages
    # ("about" / Abut, "service" / Serbice, "prevent" / Prevešt).
    "about above across after again against all also although among another any are around "
    "because been before being below between both but can could did does doing down during each "
    "either even every few for further had has have having her here hers him his how however "
    "into its itself just least less many more most much must neither never not now off once only "
    "other others our out over own same several she should since some such than that their them "
    "then there these they this those though through too under until upon very was were what when "
    "where whether which while who whom whose why will would yet you your "
    "said says say told tell according reported reports report statement statements announced "
    "stated added called claimed confirmed denied says began begin made make took take gave give "
    "came come went going left leave held hold kept keep found find used use need needs want "
    "order orders service services party parties prevent prevented public private political "
    "member members group groups leader leaders forces force security special unit units member "
    "media press news agency source sources official officials spokesperson representative "
    "international national regional european union mission election elections vote voting "
    "citizens civilians population community communities ethnic minority majority situation "
    "tension tensions incident incidents event events violence violent peace peaceful dialogue "
    "agreement agreements talks meeting meetings plan plans decision decisions law laws court "
    "courts case cases trial judge prosecutor prosecution charge charges charged accused "
    "suspect suspects victim victims damage damaged vehicle vehicles car cars truck trucks fire "
    "fired fires weapon weapons gun guns ammunition rifle rifles drone drones helicopter "
    "operation operations action actions response support control controls access entry exit "
    "license plates plate documents document id identity card cards check checks "
    "week weeks month months year years day days hour hours time times date first second third "
    "last next new former previous early late later recent recently major minor high low large "
    "small long short great good bad important possible different several various general "
    "balance balkans region's country's look".split()
)


def is_noise(word):
    """True for a query word that cannot be (part of) a place name on its own."""
    return (word in STOP_WORDS or word in NEAR_WORDS or word in GENERIC_WORDS or word in DIRECTION_WORDS
            or word in COMMON_WORDS)
