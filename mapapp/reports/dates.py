"""Date expressions in report text (English, Serbian Latin and Cyrillic, Albanian), with precision.

Explicit dates ("29 May 2023", "24. septembra 2023.", "24 shtator 2023", "24.9.2023", "May 2023"),
dates without a year ("September 24", "24. septembra"), ranges ("24-26 September", "od 24. do 26.
septembra"), weekdays ("on Sunday", "u nedelju", "të dielën") and relative words ("yesterday",
"juče", "dje", "last week") are read. Whatever is not written is inferred only from the
publication date or, for a missing year, from a year written earlier in the same document; the
note says so. What cannot be resolved stays undated, with the reason.

dateparser was not used: it misses the Serbian genitive month names that Serbian text actually
writes, and its search mode misread Serbian sentences (TECH-NOTES).
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    1: "january jan januar januara siječnja sijecnja janar janarit јануар јануара",
    2: "february feb februar februara veljače veljace shkurt shkurtit фебруар фебруара",
    3: "march mar mart marta ožujka ozujka mars marsit март марта",
    4: "april apr aprila travnja prill prillit април априла",
    5: "may maj maja svibnja majit мај маја",
    6: "june jun juna juni lipnja qershor qershorit јун јуна",
    7: "july jul jula juli srpnja korrik korrikut јул јула",
    8: "august aug avgust avgusta kolovoza gusht gushtit август августа",
    9: "september sep sept septembar septembra rujna shtator shtatorit септембар септембра",
    10: "october oct oktobar oktobra listopada tetor tetorit октобар октобра",
    11: "november nov novembar novembra studenog studenoga nëntor nëntorit nentor nentorit новембар новембра",
    12: "december dec decembar decembra prosinca dhjetor dhjetorit децембар децембра",
}
MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names.split()}
_MONTH = "(?P<{}>" + "|".join(sorted(map(re.escape, MONTH_OF), key=len, reverse=True)) + r")\.?"

_WEEKDAYS = {
    0: "monday ponedeljak ponedeljka ponedjeljak ponedjeljka понедељак понедељка hënën hene henen hënë",
    1: "tuesday utorak utorka уторак уторка martën marten martë",
    2: "wednesday sreda sredu srijeda srijedu среда среду mërkurën merkuren mërkurë",
    3: "thursday četvrtak četvrtka cetvrtak четвртак четвртка enjten enjte",
    4: "friday petak petka петак петка premten premte",
    5: "saturday subota subotu суботу субота shtunën shtunen shtunë",
    6: "sunday nedelja nedelju nedjelja nedjelju недеља недељу dielën dielen diel",
}
WEEKDAY_OF = {name: number for number, names in _WEEKDAYS.items() for name in names.split()}
_WEEKDAY = "(?P<weekday>" + "|".join(sorted(map(re.escape, WEEKDAY_OF), key=len, reverse=True)) + ")"
# Genitive forms, read only in "the night between Saturday and Sunday" (Serbian "nedelje" alone
# also means "weeks").
_GENITIVES = {
    0: "ponedeljka понедељка hënës henes", 1: "utorka уторка martës martes", 2: "srede среде mërkurës merkures",
    3: "četvrtka четвртка enjtes", 4: "petka петка premtes", 5: "subote суботе shtunës shtunes",
    6: "nedelje nedjelje недеље dielës dieles",
}
RANGE_WEEKDAY_OF = {**WEEKDAY_OF, **{n: d for d, names in _GENITIVES.items() for n in names.split()}}
_RANGE_WEEKDAY = "(?P<{}>" + "|".join(sorted(map(re.escape, RANGE_WEEKDAY_OF), key=len, reverse=True)) + ")"

_YEAR = r"(?P<{}>(?:19|20)\d\d)"
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?\.?"
_SEP = r"\s*(?:-|–|—|to|and|until|do|i|deri(?:\s+më)?|dhe|e)\s*"
_B = r"(?<![\w.])"
_E = r"(?!\w)"

# Relative words: (pattern, (unit, offset)): unit "day" counts days back from publication,
# "week" / "month" the calendar week or month before (offset -1) or of (0) publication.
_RELATIVE = (
    (r"the day before yesterday|prekjuče|prekjuce|прекјуче|pardje", ("day", -2)),
    (r"yesterday|last night|juče|juce|jučer|jucer|sinoć|sinoc|јуче|синоћ|dje|mbrëmë|mbreme|natën e"
        r" kaluar", ("day", -1)),
    (r"today|this morning|earlier today|tonight|danas|jutros|večeras|veceras|данас|јутрос|вечерас|"
        r"sot|këtë mëngjes", ("day", 0)),
    (r"last week|prošle (?:nedelje|nedjelje|sedmice)|prosle (?:nedelje|nedjelje|sedmice)|прошле недеље|"
     r"javën e kaluar|javen e kaluar|javën e shkuar", ("week", -1)),
    (r"(?:earlier )?this week|ove (?:nedelje|nedjelje|sedmice)|ове недеље|këtë javë|kete jave", ("week", 0)),
    (r"last weekend|over the weekend|this weekend|prošlog vikenda|tokom vikenda|vikendom|"
     r"fundjavën e kaluar|gjatë fundjavës", ("weekend", -1)),
    (r"last month|prošlog (?:meseca|mjeseca)|proslog (?:meseca|mjeseca)|прошлог месеца|muajin e kaluar", ("month", -1)),
    (r"this month|ovog (?:meseca|mjeseca)|овог месеца|këtë muaj", ("month", 0)),
)
_DAYS_AGO = re.compile(
    r"(?P<n>\d{1,2}|two|three|four|five|six|dva|dve|tri|četiri|pet|dy|tre|katër|pesë) "
    r"(?:days ago|dana ranije)|pre (?P<n2>\d{1,2}|dva|tri|četiri|pet) dana|para (?P<n3>\d{1,2}|dy|tre) ditësh",
    re.IGNORECASE,
)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "dva": 2, "dve": 2, "tri": 3, "četiri": 4,
                 "pet": 5, "dy": 2, "tre": 3, "katër": 4, "pesë": 5}

_PATTERNS = [
    ("iso", re.compile(_B + r"(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)" + _E)),
    ("numeric", re.compile(_B + r"(?P<d>[0-3]?\d)\.\s?(?P<m>[01]?\d)\.\s?(?P<y>(?:19|20)\d\d)\.?" + _E
                           + r"|" + _B + r"(?P<d2>[0-3]?\d)/(?P<m2>[01]?\d)/(?P<y2>(?:19|20)\d\d)" + _E)),
    ("day_range", re.compile(_B + r"(?:between |from |od |između |izmedju |nga |mes )?" + _DAY.format("d1") + _SEP
                             + _DAY.format("d2") + r"\s+(?:of\s+)?" + _MONTH.format("mon")
                             + r"(?:,?\s+" + _YEAR.format("y") + r")?\.?" + _E, re.IGNORECASE)),
    ("month_day_range", re.compile(_B + _MONTH.format("mon") + r"\s+" + _DAY.format("d1") + _SEP + _DAY.format("d2")
                                   + r"(?:,?\s+" + _YEAR.format("y") + r")?" + _E, re.IGNORECASE)),
    ("day_month", re.compile(_B + _DAY.format("d") + r"\s*(?:of\s+)?" + _MONTH.format("mon")
                             + r"(?:,?\s+(?:të\s+vitit\s+|godine\s+)?" + _YEAR.format("y") + r")?\.?" + _E,
                             re.IGNORECASE)),
    ("month_day", re.compile(_B + _MONTH.format("mon") + r"\s+" + _DAY.format("d")
                             + r"(?:,?\s+" + _YEAR.format("y") + r")?" + _E, re.IGNORECASE)),
    ("month_year", re.compile(_B + r"(?:(?:in|u|në|during|tokom|gjatë|since)\s+)?(?:muajin\s+|mesecu\s+)?"
                              + _MONTH.format("mon") + r",?\s+(?:of\s+)?" + _YEAR.format("y") + r"\.?" + _E,
                              re.IGNORECASE)),
    ("year", re.compile(_B + r"(?:in|during|u|tokom|në|gjatë)\s+(?:vitin\s+|godini\s+)?" + _YEAR.format("y")
                        + r"\.?" + _E, re.IGNORECASE)),
    ("weekday_range", re.compile(
        _B + r"(?:(?:the )?night (?:between|of|from) |u noći (?:između |od )?|noću (?:između |od )?|"
            r"у ноћи (?:између )?|"
        r"natën (?:mes |e )?)(?:së |të )?" + _RANGE_WEEKDAY.format("w1")
        + r"\s+(?:and|to|i|na|dhe|e|и|на)\s+(?:së |të )?" + _RANGE_WEEKDAY.format("w2") + _E, re.IGNORECASE)),
    ("relative", re.compile(_B + "(?P<rel>" + "|".join(p for p, _ in _RELATIVE) + ")" + _E, re.IGNORECASE)),
    ("weekday", re.compile(_B + r"(?:(?:on|last|u|në|të|e|the night of|night of)\s+)?(?:të\s+)?" + _WEEKDAY
                           + r"(?:\s+(?:night|evening|morning|afternoon|noću|uveče|ujutru|ujutro|"
                               r"natën|mbrëmjen))?" + _E,
                           re.IGNORECASE)),
]
_RELATIVE_OF = [(re.compile(p, re.IGNORECASE), value) for p, value in _RELATIVE]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression: its span, what it resolves to, and what was inferred."""

    start: int
    end: int
    text: str
    date_start: dt.date | None
    date_end: dt.date | None
    precision: str  # day, week, month, year, or unknown when it cannot be resolved
    note: str  # what was inferred, or why it could not be resolved
    written_year: int | None = None  # a year written in the expression itself


def _month_range(year, month):
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _span_precision(start, end):
    """The honest precision of a range: day, week (up to 7 days), month, year."""
    if start == end:
        return "day"
    if (end - start).days < 7:
        return "week"
    if (start.year, start.month) == (end.year, end.month):
        return "month"
    return "year"


_INVALID = object()
# Words near which a date expression can be: months, weekdays, relative words (and digits).
# Searching only around them keeps the many-alternative patterns off most of the text.
_ANCHOR_STOP = frozenset([
    "the", "of", "this", "last", "earlier", "over", "e", "u", "te", "ne", "se", "me", "i", "ate", "over",
])
ANCHORS = frozenset(MONTH_OF) | frozenset(RANGE_WEEKDAY_OF) | frozenset(
    word.casefold() for pattern, _ in _RELATIVE for word in re.findall(r"[^\W\d_]+", pattern)
) - _ANCHOR_STOP
_ANCHOR_WORD = re.compile(r"[^\W\d_]+|\d+")
_WINDOW = 70


class DateReader:
    """Reads the dates of one document, against its publication date if one is given."""

    def __init__(self, published=None):
        self.published = published

    def find(self, text, start=0, end=None, year_hint=None):
        """The date mentions in text[start:end], in order, not overlapping."""
        end = len(text) if end is None else end
        taken = []
        found = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(text, start, end):
                if any(match.start() < b and a < match.end() for a, b in taken):
                    continue
                mention = self._resolve(kind, match, year_hint)
                if mention is _INVALID:
                    taken.append((match.start(), match.end()))  # "31 September 2023": no date, not September
                elif mention is not None:
                    taken.append((match.start(), match.end()))
                    found.append(mention)
        return sorted(found, key=lambda m: m.start)

    def find_all(self, text, year_hint_at=lambda offset: None):
        """Every date mention of a whole document; ``year_hint_at(offset)`` gives the year
        written before an offset, for dates without one."""
        windows = []
        for match in _ANCHOR_WORD.finditer(text):
            word = match.group()
            if word[0].isdigit() or word.casefold() in ANCHORS:
                start, end = max(0, match.start() - _WINDOW), min(len(text), match.end() + _WINDOW)
                if windows and start <= windows[-1][1]:
                    windows[-1][1] = end
                else:
                    windows.append([start, end])
        found = []
        for start, end in windows:
            found.extend(self.find(text, start, end, year_hint_at(start + _WINDOW)))
        return found

    def written_years(self, text):
        """(offset, year) of every four-digit year written in a date of the text."""
        years = set()
        patterns = dict(_PATTERNS)
        for candidate in re.finditer(r"(?<!\d)(?:19|20)\d\d(?!\d)", text):
            start, end = max(0, candidate.start() - 40), min(len(text), candidate.end() + 2)
            for kind in ("iso", "numeric", "day_range", "day_month", "month_day", "month_year", "month_day_range"):
                for match in patterns[kind].finditer(text, start, end):
                    year = next((match.group(g) for g in ("y", "y2") if g in match.re.groupindex and match.group(g)),
                                None)
                    if year and match.end() >= candidate.end():
                        years.add((match.start(), int(year)))
        return sorted(years)

    # -- resolving ------------------------------------------------------------------------
    def _resolve(self, kind, match, year_hint):
        text = match.group()
        groups = match.groupdict()
        try:
            if kind == "iso" or kind == "numeric":
                day = int(groups.get("d") or groups.get("d2"))
                month = int(groups.get("m") or groups.get("m2"))
                year = int(groups.get("y") or groups.get("y2"))
                date = dt.date(year, month, day)
                return DateMention(match.start(), match.end(), text, date, date, "day", "", year)
            if kind in ("day_range", "month_day_range"):
                if groups["mon"] == "may":
                    return None
                month = MONTH_OF[groups["mon"].casefold()]
                first, last = int(groups["d1"]), int(groups["d2"])
                if not 1 <= first < last <= 31:
                    return None
                year, note = self._year(groups.get("y"), month, last, year_hint, text)
                if year is None:
                    return DateMention(match.start(), match.end(), text, None, None, "unknown", note)
                start, end = dt.date(year, month, first), dt.date(year, month, last)
                return DateMention(match.start(), match.end(), text, start, end, _span_precision(start, end), note,
                                   int(groups["y"]) if groups.get("y") else None)
            if kind in ("day_month", "month_day"):
                month = MONTH_OF[groups["mon"].casefold()]
                day = int(groups["d"])
                if groups["mon"] == "may":
                    return None  # "15 may have been hurt": the verb, not the month
                year, note = self._year(groups.get("y"), month, day, year_hint, text)
                if year is None:
                    return DateMention(match.start(), match.end(), text, None, None, "unknown", note)
                date = dt.date(year, month, day)
                return DateMention(match.start(), match.end(), text, date, date, "day", note,
                                   int(groups["y"]) if groups.get("y") else None)
            if kind == "month_year":
                month = MONTH_OF[groups["mon"].casefold()]
                year = int(groups["y"])
                start, end = _month_range(year, month)
                return DateMention(match.start(), match.end(), text, start, end, "month", "", year)
            if kind == "year":
                year = int(groups["y"])
                return DateMention(match.start(), match.end(), text, dt.date(year, 1, 1), dt.date(year, 12, 31),
                                   "year", "", year)
            if kind == "weekday_range":
                return self._weekday_range(match, RANGE_WEEKDAY_OF[groups["w1"].casefold()],
                                           RANGE_WEEKDAY_OF[groups["w2"].casefold()])
            if kind == "weekday":
                return self._weekday(match, WEEKDAY_OF[groups["weekday"].casefold()])
            if kind == "relative":
                return self._relative(match, groups["rel"])
        except (ValueError, KeyError):
            return _INVALID  # "31 September", "32. maja": not a date
        return None

    def _year(self, written, month, day, year_hint, text):
        """(year, note) of a date: written, from the publication date, or from the document."""
        if written:
            return int(written), ""
        if self.published is not None:
            year = self.published.year
            if dt.date(year, month, min(day, 28)) > self.published:
                year -= 1
            return year, (f"year of {text.strip()!r} inferred from the publication date "
                          f"{self.published.isoformat()}")
        if year_hint is not None:
            return year_hint, (f"year of {text.strip()!r} inferred as {year_hint} from the year"
                               " written earlier in the document")
        return None, f"{text.strip()!r} gives no year and no publication date was given: left undated"

    def _weekday(self, match, weekday):
        text = match.group().strip()
        before = match.string[max(0, match.start() - 12):match.start()].casefold()
        if re.search(r"(?:next|coming|sledeću|sledecu|narednu|naredni|iduću|iducu|следећу|наредну|"
            r"ardhshme|tjetër)\s*$", before):
            return None  # "next Saturday": not a day anything happened on yet
        if self.published is None:
            return DateMention(match.start(), match.end(), match.group(), None, None, "unknown",
                               f"{text!r} needs a publication date to be dated: left undated")
        back = (self.published.weekday() - weekday) % 7
        date = self.published - dt.timedelta(days=back)
        note = (f"{text!r} read as the last {calendar.day_name[weekday]} on or before the publication"
                f" date {self.published.isoformat()}")
        return DateMention(match.start(), match.end(), match.group(), date, date, "day", note)

    def _weekday_range(self, match, first, second):
        text = match.group().strip()
        if self.published is None or (second - first) % 7 != 1:
            return DateMention(match.start(), match.end(), match.group(), None, None, "unknown",
                               f"{text!r} needs a publication date to be dated: left undated")
        end = self.published - dt.timedelta(days=(self.published.weekday() - second) % 7)
        start = end - dt.timedelta(days=1)
        note = (f"{text!r}: the night from {start.isoformat()} to {end.isoformat()}, the last before the publication "
                f"date {self.published.isoformat()} (two dates: precision week)")
        return DateMention(match.start(), match.end(), match.group(), start, end, "week", note)

    def _relative(self, match, words):
        text = words.strip()
        unit, offset = next(value for pattern, value in _RELATIVE_OF if pattern.fullmatch(words))
        if self.published is None:
            return DateMention(match.start(), match.end(), match.group(), None, None, "unknown",
                               f"{text!r} needs a publication date to be dated: left undated")
        published = self.published
        note = f"{text!r} counted from the publication date {published.isoformat()}"
        if unit == "day":
            date = published + dt.timedelta(days=offset)
            return DateMention(match.start(), match.end(), match.group(), date, date, "day", note)
        if unit in ("week", "weekend"):
            monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=offset)
            if unit == "weekend":
                start, end = monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
                if start > published:  # "over the weekend" in a Sunday report: that weekend
                    start, end = start - dt.timedelta(weeks=1), end - dt.timedelta(weeks=1)
            else:
                start, end = monday, min(monday + dt.timedelta(days=6), published)
            return DateMention(match.start(), match.end(), match.group(), start, end, "week", note)
        year, month = published.year, published.month + offset
        if month < 1:
            year, month = year - 1, month + 12
        start, end = _month_range(year, month)
        return DateMention(match.start(), match.end(), match.group(), start, min(end, published), "month", note)
