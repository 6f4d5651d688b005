"""Cells of an uploaded file to values: dates, numbers, coordinates, event types.

Each parser returns a value or raises Rejected with a reason a user can act on; none of them
guesses. Parsed dates are cached because a file repeats the same few thousand dates.
"""

import calendar
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass

from dateutil import parser as dateparser

from mapapp.errors import MapAppError
from mapapp.text import one_line
from mapapp.vocabulary import EVENT_TYPES, SUB_EVENT_TYPES


class Rejected(MapAppError, ValueError):
    """A row of an upload that cannot become an incident; the message is the reason shown."""


# -- dates -------------------------------------------------------------------------------


class _RegionalMonths(dateparser.parserinfo):
    """dateutil's English month names plus Serbian/Bosnian/Croatian (Latin and Cyrillic, the
    name and its genitive, as in `24. septembra 2023.`) and Albanian ones."""

    MONTHS = [
        english + extra
        for english, extra in zip(
            dateparser.parserinfo.MONTHS,
            [
                ("januar", "januara", "siječanj", "janar", "јануар", "јануара"),
                ("februar", "februara", "veljača", "shkurt", "фебруар", "фебруара"),
                ("mart", "marta", "ožujak", "mars", "март", "марта"),
                ("april", "aprila", "travanj", "prill", "април", "априла"),
                ("maj", "maja", "svibanj", "мај", "маја"),
                ("jun", "juna", "juni", "lipanj", "qershor", "јун", "јуна"),
                ("jul", "jula", "juli", "srpanj", "korrik", "јул", "јула"),
                ("avgust", "avgusta", "kolovoz", "gusht", "август", "августа"),
                ("septembar", "septembra", "rujan", "shtator", "септембар", "септембра"),
                ("oktobar", "oktobra", "listopad", "tetor", "октобар", "октобра"),
                ("novembar", "novembra", "studeni", "nëntor", "nentor", "новембар", "новембра"),
                ("decembar", "decembra", "prosinac", "dhjetor", "децембар", "децембра"),
            ],
        )
    ]

    def __init__(self):
        super().__init__(dayfirst=True)


_PARSER_INFO = _RegionalMonths()
# Two different defaults: a component dateutil fills in from the default differs between the
# two parses, which is how a missing day (month precision) or month (year precision) shows.
_DEFAULTS = (dt.datetime(1904, 1, 1), dt.datetime(1908, 2, 2))
DATE_EXAMPLES = "a date such as 2023-05-29, 29 May 2023, 29/05/2023 or 29.05.2023"
EARLIEST_YEAR = 1900
_YEAR_FIRST = re.compile(r"\d{4}[-/.]")
# "29 May 2023", as ACLED writes event_date: day, month name (any language above), year.
_DAY_MONTH_NAME_YEAR = re.compile(r"(\d{1,2}) ([^\W\d_]+) (\d{4})")


def parse_date(text, field="date", month_first=False):
    """(start, end, precision) of a date cell: a day, a month (`May 2023`) or a year (`2023`).

    Day-first, as written in the region: 03/04/2023 is 3 April, unless `month_first` (a file
    that writes 05/29/2023, see date_order). Raises Rejected otherwise.
    """
    try:
        return _parse_date(" ".join(text.split()).rstrip("."), month_first)
    except Rejected as err:
        raise Rejected(f"{field}: {err}") from None


# A numeric date with the year last ("03/04/2023", "3.4.2023."): alone, it cannot say whether
# the day or the month comes first.
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(?:\d{4}|\d{2})\.?\s*")
DAY_FIRST, MONTH_FIRST, MIXED = "day first", "month first", "mixed"


@dataclass(frozen=True)
class DateOrder:
    """How a file orders day and month in numeric dates, and the cells that show it."""

    order: str = DAY_FIRST  # DAY_FIRST (also when nothing shows it), MONTH_FIRST or MIXED
    day_first_example: str = ""  # a cell only a day-first reading fits ("29/05/2023")
    month_first_example: str = ""  # a cell only a month-first reading fits ("05/29/2023")


def date_order(cells):
    """The DateOrder of a column's cells: month first only when some cell can be read no other
    way and none shows day first; both shown is MIXED."""
    day_example = month_example = ""
    for text in cells:
        match = _NUMERIC_DATE.fullmatch(text)
        if not match:
            continue
        first, second = int(match[1]), int(match[2])
        if first > 12 >= second and not day_example:
            day_example = text.strip()
        elif second > 12 >= first and not month_example:
            month_example = text.strip()
        if day_example and month_example:
            return DateOrder(MIXED, day_example, month_example)
    return DateOrder(MONTH_FIRST if month_example else DAY_FIRST, day_example, month_example)


def ambiguous_date(text):
    """True for a numeric date whose day and month could be swapped (03/04/2023, not 04/04)."""
    match = _NUMERIC_DATE.fullmatch(text)
    if not match:
        return False
    first, second = int(match[1]), int(match[2])
    return first <= 12 and second <= 12 and first != second


@functools.lru_cache(maxsize=65536)
def _parse_date(text, month_first=False):
    if not text:
        raise Rejected(f"expected {DATE_EXAMPLES}, got an empty cell")
    # A bare number other than a year is a spreadsheet serial or an id, never a date here.
    if text.isdigit() and len(text) not in (4, 8):
        raise Rejected(f"expected {DATE_EXAMPLES}, got {text!r}")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:  # the common ISO case, without dateutil's general machinery
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if EARLIEST_YEAR <= day.year and day <= dt.date.today():
                return day, day, "day"
    match = _DAY_MONTH_NAME_YEAR.fullmatch(text)
    if match:  # the same reading as dateutil's below, without its general machinery
        month = _PARSER_INFO.month(match[2])
        if month is not None:
            try:
                day = dt.date(int(match[3]), month, int(match[1]))
            except ValueError:
                pass
            else:
                if EARLIEST_YEAR <= day.year and day <= dt.date.today():
                    return day, day, "day"
    # A leading four-digit year (2023-05-29, 2023/05/29) is year-month-day; anything else is
    # day-first as written in the region (month-first for a file that writes 05/29/2023).
    # dateutil would read 2023-06-05 as 6 May otherwise.
    year_first = _YEAR_FIRST.match(text) is not None
    try:
        first, second = (
            dateparser.parse(
                text, parserinfo=_PARSER_INFO, default=default, dayfirst=not (year_first or month_first),
                yearfirst=year_first,
            )
            for default in _DEFAULTS
        )
    except (ValueError, OverflowError, TypeError):
        raise Rejected(f"expected {DATE_EXAMPLES}, got {text!r}") from None
    if first.year != second.year:
        raise Rejected(f"{text!r} has no year")
    year = first.year
    if first.month != second.month:
        if first.day != second.day:
            start, end, precision = dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
        else:
            raise Rejected(f"{text!r} has a day but no month")
    elif first.day != second.day:
        last = calendar.monthrange(year, first.month)[1]
        start, end, precision = dt.date(year, first.month, 1), dt.date(year, first.month, last), "month"
    else:
        start = end = first.date()
        precision = "day"
    if year < EARLIEST_YEAR or start > dt.date.today():
        raise Rejected(f"{text!r} is not a plausible incident date (after {EARLIEST_YEAR}, not in the future)")
    return start, end, precision


def precision_of_range(start, end):
    """The date precision that honestly describes a range given as two dates."""
    days = (end - start).days
    if days == 0:
        return "day"
    if days < 7:
        return "week"
    if days <= 31:
        return "month"
    return "year"


# -- numbers and coordinates -------------------------------------------------------------

_NUMBER = r"[+\-\u2212]?(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_NUMBER_RE = re.compile(rf"\s*({_NUMBER})\s*°?\s*")
_PAIR_RE = re.compile(rf"\s*\(?\s*({_NUMBER})\s*°?\s*(?:[,;/]\s*|\s+)({_NUMBER})\s*°?\s*\)?\s*")


def parse_number(text, field):
    """A decimal number, with a decimal point or a decimal comma (`42,9`). Raises Rejected."""
    whole, _, fraction = text.partition(".")
    if whole.isdecimal() and fraction.isdecimal():
        # Digits, a point, digits (most coordinates): what _NUMBER_RE would match whole, as
        # str.isdecimal and the pattern's \d both mean Unicode category Nd. 0.15 s less per
        # 100,000 rows.
        return float(text)
    match = _NUMBER_RE.fullmatch(text)
    if not match:
        shown = f"{text!r}" if text.strip() else "an empty cell"
        raise Rejected(f"{field}: expected a decimal number such as 42.9 or 42,9, got {shown}")
    return _to_float(match.group(1))


def _to_float(number):
    return float(number.replace(",", ".").replace("\u2212", "-"))


def parse_pair(text, field):
    """(latitude, longitude) from one cell: `42.9, 20.8`, `42,9; 20,8`, `42.9 20.8`."""
    match = _PAIR_RE.fullmatch(text)
    if not match:
        shown = f"{text!r}" if text.strip() else "an empty cell"
        raise Rejected(f"{field}: expected latitude and longitude such as '42.9, 20.8', got {shown}")
    return _to_float(match.group(1)), _to_float(match.group(2))


def parse_int(text, field, allowed=None):
    """A whole number (`3` or `3.0`), optionally one of `allowed`. Raises Rejected."""
    try:
        number = float(text.strip().replace(",", "."))
        if not math.isfinite(number) or number != int(number):
            raise ValueError
        value = int(number)
    except ValueError:
        shown = f"{text!r}" if text.strip() else "an empty cell"
        expected = "one of " + ", ".join(map(str, allowed)) if allowed else "a whole number"
        raise Rejected(f"{field}: expected {expected}, got {shown}") from None
    if allowed is not None and value not in allowed:
        raise Rejected(f"{field}: expected one of {', '.join(map(str, allowed))}, got {text.strip()!r}")
    return value


# Where incidents of this app are: Kosovo and Serbia (41.85-46.19 N, 18.82-23.01 E) with a
# margin of about 30 km. Only used to notice swapped coordinates; points outside it are kept
# (a UCDP export may cover more than the region). The ranges do not overlap, so a correct pair
# inside the region is never taken for a swapped one. The price: a real point whose swap lands
# in the box (western Saudi Arabia, around 19-23 N, 42-46 E) would be rejected as swapped.
REGION_LATITUDES = (41.5, 46.5)
REGION_LONGITUDES = (18.5, 23.5)


def _in_region(latitude, longitude):
    return (
        REGION_LATITUDES[0] <= latitude <= REGION_LATITUDES[1]
        and REGION_LONGITUDES[0] <= longitude <= REGION_LONGITUDES[1]
    )


def parse_coordinates(latitude, longitude, latitude_field="latitude", longitude_field="longitude"):
    """(latitude, longitude) from two cells, checked; (None, None) when both are empty (geocode)."""
    if not (latitude or longitude):
        return None, None
    point = parse_number(latitude, latitude_field), parse_number(longitude, longitude_field)
    check_coordinates(*point)
    return point


def check_coordinates(latitude, longitude):
    """Raise Rejected for coordinates that cannot be right; never correct them silently."""
    if not _in_region(latitude, longitude) and _in_region(longitude, latitude):
        raise Rejected(
            f"latitude and longitude look swapped: ({latitude:g}, {longitude:g}) is outside the "
            f"region, ({longitude:g}, {latitude:g}) is inside it"
        )
    if not -90 <= latitude <= 90:
        raise Rejected(f"latitude {latitude:g} is out of range (-90 to 90)")
    if not -180 <= longitude <= 180:
        raise Rejected(f"longitude {longitude:g} is out of range (-180 to 180)")
    if latitude == 0 and longitude == 0:
        raise Rejected("coordinates 0, 0 are a missing value, not a place")


# -- event types -------------------------------------------------------------------------


def _key(text):
    return " ".join(text.replace("_", " ").casefold().split())


_EVENT_TYPE_KEYS = {_key(name): name for name in EVENT_TYPES}
_SUB_EVENT_KEYS = {
    _key(sub): (event, sub) for event, subs in SUB_EVENT_TYPES.items() for sub in subs
}
# Spellings ACLED itself used in older exports.
_SUB_EVENT_KEYS[_key("Excessive force against protestors")] = _SUB_EVENT_KEYS[
    _key("Excessive force against protesters")
]


@functools.lru_cache(maxsize=4096)
def match_types(event_type, sub_event_type, event_field="event_type", sub_field="sub_event_type"):
    """(event_type, sub_event_type) in the app's vocabulary, matched regardless of case.

    A sub-event type alone is enough (each belongs to one event type); an event type alone
    gives sub-type "" (unknown): choosing its sub-type would be inventing it.
    """
    event_type, sub_event_type = event_type.strip(), sub_event_type.strip()
    event = _EVENT_TYPE_KEYS.get(_key(event_type)) if event_type else None
    if event_type and event is None:
        if _key(event_type) in _SUB_EVENT_KEYS and not sub_event_type:
            return _SUB_EVENT_KEYS[_key(event_type)]
        raise Rejected(f"{event_field}: expected one of {', '.join(EVENT_TYPES)}, got {event_type!r}")
    if not sub_event_type:
        if event is None:
            raise Rejected(f"{event_field}: the event type is empty")
        return event, ""
    found = _SUB_EVENT_KEYS.get(_key(sub_event_type))
    if found is None or (event is not None and found[0] != event):
        allowed = SUB_EVENT_TYPES[event] if event else [sub for subs in SUB_EVENT_TYPES.values() for sub in subs]
        where = f"a sub-event type of {event!r}" if event else "an ACLED sub-event type"
        raise Rejected(f"{sub_field}: expected {where} ({', '.join(allowed)}), got {sub_event_type!r}")
    return found


# -- text --------------------------------------------------------------------------------


def first_sentence(text, limit=200):
    """A one-line summary from a longer text: its first sentence, cut at `limit` characters."""
    line = one_line(text)
    # The first ". " after the opening words ("On 29 May 2023, in Zvecan ...").
    end = line.find(". ", 20)
    if end >= 0:
        line = line[: end + 1]
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line
