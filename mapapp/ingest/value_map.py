"""A log's own type words to ACLED event and sub-event types: proposed, edited, remembered.

A local log writes `Sukob`, `Pucnjava`, `Hapšenje`, `Përleshje` or `Arrestim` where ACLED
writes "Battles / Armed clash" or "Strategic developments / Arrests". The import lists the
distinct values of the type columns with a proposal for each (`propose`); the user confirms or
edits them (the app's value step, or `ingest --values FILE`), and the choices are remembered in
the store for the next file that uses the same words.

The other coded columns of a log are handled the same way (CodeChoice): the words of a location
precision column (`tačno`, `opština`, `afër` -> 1-5) and of a country column (`Srbija`, `Kosova`
-> RS, XK). They are remembered under their role (code_key), apart from the type words.

A proposal may name an event type without a sub-event type ("Eksplozija" says an explosion, not
whether a grenade or an IED): the incident is then stored with the sub-type unknown rather than
with one made up.
"""

import csv
import io
from dataclasses import dataclass

from mapapp.names import normalize
from mapapp.vocabulary import EVENT_TYPES, GEO_PRECISIONS, SUB_EVENT_TYPES

_BATTLE = ("Battles", "Armed clash")
_PROTEST = ("Protests", "Peaceful protest")
_INTERVENTION = ("Protests", "Protest with intervention")
_RIOT = ("Riots", "Violent demonstration")
_MOB = ("Riots", "Mob violence")
_ARREST = ("Strategic developments", "Arrests")
_EXPLOSION = ("Explosions/Remote violence", "")
_GRENADE = ("Explosions/Remote violence", "Grenade")
_IED = ("Explosions/Remote violence", "Remote explosive/landmine/IED")
_DRONE = ("Explosions/Remote violence", "Air/drone strike")
_ATTACK = ("Violence against civilians", "Attack")
_ABDUCTION = ("Violence against civilians", "Abduction/forced disappearance")
_DESTRUCTION = ("Strategic developments", "Looting/property destruction")
_STATEMENT = ("Strategic developments", "Political statement")
_AGREEMENT = ("Strategic developments", "Agreement")
_WEAPONS = ("Strategic developments", "Disrupted weapons use")
_DEPLOYMENT = ("Strategic developments", "Change to group/activity")

# Word beginnings (compared with names.normalize: no case, accents or alphabet, so `Hapšenje`,
# `hapsenje` and `Хапшење` are one) and what they propose, most specific first: a value takes
# the first rule one of its words starts with. Serbian / Bosnian / Croatian, Albanian, English.
RULES = (
    # Serbian
    ("oruzan", _BATTLE), ("sukob", _BATTLE), ("pucnjav", _BATTLE), ("pucanj", _BATTLE),
    ("razmen", _BATTLE), ("protest", _PROTEST), ("demonstrac", _PROTEST), ("skup", _PROTEST),
    ("barikad", _PROTEST), ("blokad", _PROTEST), ("nered", _RIOT), ("tuc", _MOB), ("tuca", _MOB),
    ("hapsen", _ARREST), ("uhaps", _ARREST), ("privod", _ARREST), ("lisen", _ARREST),
    ("eksploz", _EXPLOSION), ("granat", _GRENADE), ("bomb", _EXPLOSION), ("dron", _DRONE),
    ("napad", _ATTACK), ("ubist", _ATTACK), ("ubij", _ATTACK), ("pretuc", _ATTACK),
    ("otmic", _ABDUCTION), ("otet", _ABDUCTION), ("palj", _DESTRUCTION), ("pozar", _DESTRUCTION),
    ("podmetn", _DESTRUCTION), ("ostecen", _DESTRUCTION), ("kradj", _DESTRUCTION),
    ("pljack", _DESTRUCTION), ("izjav", _STATEMENT), ("saopst", _STATEMENT), ("sporazum", _AGREEMENT),
    ("zaplen", _WEAPONS), ("rasporedj", _DEPLOYMENT),
    # Albanian
    ("perleshj", _BATTLE), ("shtena", _BATTLE), ("te shtena", _BATTLE), ("gjuajtj", _BATTLE),
    ("protest", _PROTEST), ("barrikad", _PROTEST), ("bllokad", _PROTEST), ("tubim", _PROTEST),
    ("trazir", _RIOT), ("arrestim", _ARREST), ("arrestu", _ARREST), ("arrestoh", _ARREST),
    ("shperthim", _EXPLOSION), ("granat", _GRENADE), ("sulm", _ATTACK), ("vrasj", _ATTACK),
    ("rrembim", _ABDUCTION), ("djegi", _DESTRUCTION), ("demtim", _DESTRUCTION),
    ("deklarat", _STATEMENT), ("marreveshj", _AGREEMENT), ("konfiskim", _WEAPONS),
    # English
    ("armed clash", _BATTLE), ("clash", _BATTLE), ("firefight", _BATTLE), ("shoot", _BATTLE),
    ("gunfire", _BATTLE), ("shots", _BATTLE), ("demonstrat", _PROTEST), ("rally", _PROTEST),
    ("barricad", _PROTEST), ("roadblock", _PROTEST), ("blockade", _PROTEST), ("riot", _RIOT),
    ("arrest", _ARREST), ("detain", _ARREST), ("detention", _ARREST), ("explosi", _EXPLOSION),
    ("blast", _EXPLOSION), ("grenade", _GRENADE), ("ied", _IED), ("landmine", _IED),
    ("drone", _DRONE), ("attack", _ATTACK), ("assault", _ATTACK), ("kill", _ATTACK),
    ("kidnap", _ABDUCTION), ("abduct", _ABDUCTION), ("arson", _DESTRUCTION), ("vandal", _DESTRUCTION),
    ("loot", _DESTRUCTION), ("statement", _STATEMENT), ("agreement", _AGREEMENT),
    ("seizure", _WEAPONS), ("deployment", _DEPLOYMENT),
)

# ACLED's own words, compared the same way: an export's exact types need no rule.
_ACLED_EVENTS = {normalize(event): (event, "") for event in EVENT_TYPES}
_ACLED_SUBS = {
    normalize(sub): (event, sub) for event, subs in SUB_EVENT_TYPES.items() for sub in subs
}
_ACLED_SUBS[normalize("Excessive force against protestors")] = _ACLED_SUBS[
    normalize("Excessive force against protesters")
]


def key(value):
    """How a value is compared and remembered: no case, accents, alphabet or extra spacing.
    A value of another coded column (code_key: role, then the value) keeps its role."""
    role, mark, rest = value.partition(_ROLE_MARK)
    return f"{role}{mark}{normalize(rest)}" if mark else normalize(value)


def propose(value):
    """(event_type, sub_event_type) proposed for a type value, sub-type "" when the word does
    not say it; None when no rule knows the word."""
    folded = key(value)
    if not folded:
        return None
    found = _ACLED_SUBS.get(folded) or _ACLED_EVENTS.get(folded)
    if found:
        return found
    words = folded.split()
    padded = f" {folded}"
    for stem, proposal in RULES:
        if " " in stem:
            if f" {stem}" in padded:
                return proposal
        elif any(word.startswith(stem) for word in words):
            return proposal
    return None


def check_choice(value, event_type, sub_event_type=""):
    """(event_type, sub_event_type) checked against ACLED's vocabulary; ValueError naming the bad
    one. An empty event type means "not mapped"."""
    event_type, sub_event_type = event_type.strip(), sub_event_type.strip()
    if not event_type:
        if sub_event_type:
            raise ValueError(f"{value!r}: the sub-event type {sub_event_type!r} needs an event type")
        return None
    event = _ACLED_EVENTS.get(key(event_type))
    if event is None:
        raise ValueError(f"{value!r}: expected an ACLED event type ({', '.join(EVENT_TYPES)}), got {event_type!r}")
    event = event[0]
    if not sub_event_type:
        return event, ""
    sub = _ACLED_SUBS.get(key(sub_event_type))
    if sub is None or sub[0] != event:
        raise ValueError(
            f"{value!r}: expected a sub-event type of {event!r} ({', '.join(SUB_EVENT_TYPES[event])}), "
            f"got {sub_event_type!r}"
        )
    return sub


@dataclass(frozen=True)
class ValueChoice:
    """One distinct value of a type column: how often it occurs, what it becomes, and why."""

    value: str
    rows: int
    event_type: str  # "" when not mapped: its rows are rejected, naming the value
    sub_event_type: str  # "" for "sub-type unknown"
    origin: str  # "ACLED", "proposed", "remembered", "yours" or "" (not mapped)


class ValueMap:
    """{value: (event_type, sub_event_type)} for the type columns of one file."""

    def __init__(self, choices=()):
        self._by_key = {}
        for value, choice in dict(choices).items():
            if choice is not None:
                self._by_key[key(value)] = choice

    def __len__(self):
        return len(self._by_key)

    def items(self):
        return self._by_key.items()

    def get(self, value):
        return self._by_key.get(key(value))

    def __contains__(self, value):
        return key(value) in self._by_key


def mapped(choices):
    """{value: (event_type, sub_event_type)} of the ValueChoices that are mapped, and
    {"role\x1evalue": (code, "")} of the CodeChoices: what the store remembers."""
    found = {}
    for choice in choices:
        if isinstance(choice, CodeChoice):
            if choice.code:
                found.update([given_code(choice.role, choice.value, choice.code)])
        elif choice.event_type:
            found[choice.value] = (choice.event_type, choice.sub_event_type)
    return found


# -- other coded columns: location precision and country --------------------------------------

PRECISION = "geo_precision"
COUNTRY = "country"
# What a value of each can become, with the words shown for it.
CODES = {
    PRECISION: {str(code): f"{code} {words}" for code, words in GEO_PRECISIONS.items()},
    COUNTRY: {"XK": "Kosovo", "RS": "Serbia"},
}
# In a --values file, a value of these columns is written `precision:tačno` or `country:Srbija`.
ROLE_PREFIXES = {"geo_precision": PRECISION, "precision": PRECISION, "country": COUNTRY}
_ROLE_MARK = "\x1e"

# Words of a log's precision column, compared like key(): the contract's codes 1-5.
PRECISION_WORDS = {
    1: ("exact", "precise", "tacno", "precizno", "sakte", "sakt", "i sakte"),
    2: ("near", "approximate", "approx", "blizu", "priblizno", "okolina", "afer", "perafersisht"),
    3: ("municipality", "opstina", "opcina", "komuna"),
    4: ("region", "area", "oblast", "podrucje", "regija", "rajon", "regjion", "zona"),
    5: ("country", "drzava", "zemlja", "shteti", "shtet"),
}
_PRECISION_BY_WORD = {word: str(code) for code, words in PRECISION_WORDS.items() for word in words}
# Names and codes of the two countries (Cyrillic is compared in Latin letters).
COUNTRY_WORDS = {
    "XK": ("kosovo", "kosova", "kosove", "xk", "xkx", "kos", "republic of kosovo", "republika e kosoves"),
    "RS": ("serbia", "srbija", "serbija", "serbi", "serbie", "rs", "srb", "republic of serbia", "republika srbija"),
}
_COUNTRY_BY_WORD = {word: code for code, words in COUNTRY_WORDS.items() for word in words}


def code_key(role, value):
    """How a value of a coded column other than the type is remembered: its role, then key()."""
    return f"{role}{_ROLE_MARK}{normalize(value)}"


def propose_code(role, value):
    """The code (precision "1"-"5", country "XK"/"RS") proposed for a value; None when unknown."""
    folded = key(value)
    if role == PRECISION:
        if folded in CODES[PRECISION]:
            return folded
        return _PRECISION_BY_WORD.get(folded)
    return _COUNTRY_BY_WORD.get(folded)


def check_code(role, value, code):
    """A code for `value` of `role` given by a user (a code, or a word such as `near`,
    `Serbia`); None for an empty one (not mapped); ValueError naming the bad one."""
    code = code.strip()
    if not code:
        return None
    found = code.upper() if code.upper() in CODES[role] else propose_code(role, code)
    if found is None:
        choices = ", ".join(f"{c} ({words})" for c, words in CODES[role].items())
        raise ValueError(f"{value!r}: expected one of {choices}, got {code!r}")
    return found


@dataclass(frozen=True)
class CodeChoice:
    """One distinct value of a precision or country column: its rows, its code and why."""

    role: str  # PRECISION or COUNTRY
    value: str
    rows: int
    code: str  # "" when not mapped: its rows are rejected (precision) or read without it (country)
    origin: str  # "proposed", "remembered", "yours" or ""


def code_choices_for(role, counts, remembered=None, given=None):
    """CodeChoices of `role` for {value: rows}: the user's first (`given`, {code_key-style
    "role\x1evalue": (code, "") or None}), then those remembered ({code_key: (code, "")}), then
    the proposals."""
    remembered = remembered or {}
    given = {key(value): choice for value, choice in (given or {}).items()}
    made = []
    for value, rows in counts.items():
        folded = code_key(role, value)
        if folded in given:
            code, origin = (given[folded] or ("",))[0], "yours"
        elif folded in remembered:
            code, origin = remembered[folded][0], "remembered"
        else:
            code, origin = propose_code(role, value) or "", "proposed"
        made.append(CodeChoice(role, value, rows, code, origin if code else ""))
    return made


def given_code(role, value, code):
    """One entry of a `values` dict for a coded column: ("role\x1evalue", (code, "") or None)."""
    return f"{role}{_ROLE_MARK}{value}", (code, "") if code else None


def read_values_csv(data):
    """{value: (event_type, sub_event_type) or None} from a CSV of value, event type, sub-event
    type (a header line is optional); a value written `precision:WORD` or `country:WORD` maps a
    word of the precision or country column to the code in the next cell (1-5; XK or RS).
    ValueError naming the bad line."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    choices = {}
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in cells] + ["", ""]
        if not any(cells):
            continue
        if number == 1 and key(cells[0]) in ("value", "vrednost", "vlera") and key(cells[1]).startswith("event"):
            continue
        prefix, colon, word = cells[0].partition(":")
        role = ROLE_PREFIXES.get(prefix.strip().casefold()) if colon else None
        try:
            if role:
                entry, choice = given_code(role, word.strip(), check_code(role, word.strip(), cells[1]))
                choices[entry] = choice
            else:
                choices[cells[0]] = check_choice(cells[0], cells[1], cells[2])
        except ValueError as err:
            raise ValueError(f"line {number}: {err}") from None
    return choices


def values_csv(choices):
    """The choices as the CSV `read_values_csv` reads: value, event_type, sub_event_type."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["value", "event_type", "sub_event_type"])
    for choice in choices:
        if isinstance(choice, CodeChoice):
            prefix = "precision" if choice.role == PRECISION else choice.role
            writer.writerow([f"{prefix}:{choice.value}", choice.code, ""])
        else:
            writer.writerow([choice.value, choice.event_type, choice.sub_event_type])
    return out.getvalue()


def choices_for(counts, remembered=None, given=None):
    """ValueChoices for {value: rows}: the user's (`given`, {value: pair or None}) first, then
    those remembered from earlier files ({key: pair}), then ACLED's words and the rules."""
    remembered = remembered or {}
    given = {key(value): choice for value, choice in (given or {}).items()}
    made = []
    for value, rows in counts.items():
        folded = key(value)
        if folded in given:
            pair, origin = given[folded], "yours"
        elif folded in remembered:
            pair, origin = remembered[folded], "remembered"
        else:
            pair = propose(value)
            origin = "ACLED" if folded in _ACLED_SUBS or folded in _ACLED_EVENTS else "proposed"
        if pair is None:
            made.append(ValueChoice(value, rows, "", "", ""))
        else:
            made.append(ValueChoice(value, rows, pair[0], pair[1], origin))
    return made
