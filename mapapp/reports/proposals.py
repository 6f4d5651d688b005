"""A report's sentences → proposed incidents: one per event, each tied to its passage.

Each sentence that reports an event (mapapp.reports.events) opens a proposal, unless it goes on
telling the event of the sentence before it (the same event type, no date or place of its own:
"Protesters threw stones ..." after "Clashes broke out ..."), in which case the passage grows
to cover it. A sentence that only comments yields nothing. The place is the first place the
event sentence puts it at ("in", "near", "u", "kod", "në" ...), else a place named in it, else the
last place named before it in its paragraph; places a sentence names as origin, route or
birthplace ("from", "between X and Y", "iz", "rođen u") are not the event's. The date is the
sentence's own, else the day of the event it follows ("later that day", "istog dana"), else the
date of the event before it in the same paragraph; otherwise it stays undated. The note says
which words decided each field.
"""

import bisect
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from mapapp.incident import Document, Incident
from mapapp.reports import events
from mapapp.reports.dates import DateReader
from mapapp.reports.places import (
    ANAPHORA,
    PlaceMention,
    border_distance_km,
    geocode_mentions,
    lookup,
    tokens,
)
from mapapp.reports.sentences import split
from mapapp.text import one_line

DOCUMENT_PREFIX = "upload-"
_LAYOUT = b"mapapp-report-v1"
_SAME_PLACE_KM = 5.0

_SAME_DAY = re.compile(
    r"\b(?:(?:later|earlier) (?:that|the same) (?:day|afternoon|evening|night|morning)|the same (?:day|evening|night)|"
    r"that (?:day|afternoon|evening|night)|later that|istog dana|tog dana|iste (?:noci|veceri)|te (?:noci|veceri)|"
    r"kasnije tog|ranije tog|ranije istog|po ate dite|te njejten dite|me von[eë]? ate|ate dite|ate nate|ate mbremje)\b"
)
_NEXT_DAY = re.compile(r"\b(?:the (?:next|following) day|next morning|sutradan|narednog dana|"
    r"sledeceg dana|te nesermen)\b")
_SEPARATE = re.compile(
    r"\b(?:separate incident|separately|in another incident|earlier developments|previously|earlier this year|"
    r"u drugom incidentu|odvojeno|ne nje incident tjeter|me heret)\b"
)
_ANAPHORIC_START = re.compile(
    r"^(?:this|that|these|those|the (?:\w+ ){0,2}(?:was|were|is|are|has|had)|it|they|he|she|ovaj|ova|ovo|oni|on|ona|"
    r"ai|ajo|ata|kjo|ky)\b"
)
_ATTRIBUTION = re.compile(
    r"\b(?:confirmed|according to|reported|said|told|potvrdi\w*|prema|saopst\w*|konfirmo\w*|sipas|tha)\b"
)
_BACKGROUND_BEFORE = frozenset(
    [
        "born", "rodjen", "rodjena", "lindur", "from", "iz", "nga", "towards", "toward", "prema", "drejt",
        "between", "izmedju", "midis", "mes", "via", "preko", "through", "native", "poreklom",
    ]
)
_DEMONYMS = (
    (re.compile(r"\b(?:serbian|serbia s|srbij\w*|srpsk\w*|serbis\w*|serbe|serbia)\b"), "Serbia"),
    (re.compile(r"\b(?:kosovo|kosovsk\w*|kosoves|kosovar\w*|kosova)\b"), "Kosovo"),
)


@dataclass(frozen=True)
class Proposal:
    """A proposed incident, how sure the rules are of it, and the other readings of its place."""

    incident: Incident
    confidence: float
    sentences: tuple  # indices of the sentences its passage covers
    place_candidates: tuple = field(default=(), compare=False)  # (name, lat, lon, geo_precision)

    def as_row(self):
        """The data contract's columns plus ``confidence``."""
        row = self.incident.as_row()
        row["confidence"] = round(self.confidence, 2)
        return row


@dataclass(frozen=True)
class Extraction:
    """Everything read from one report: the document, its sentences, places, dates and proposals."""

    document: Document
    sentences: tuple
    places: tuple
    dates: tuple
    proposals: tuple
    published: dt.date | None = None

    @property
    def message(self):
        if self.proposals:
            return f"{len(self.proposals)} proposed incident(s)"
        return ("no incident found in this report: it reads as commentary or background. "
                "You can code one by hand from a sentence.")


def document_id(text):
    """The id a report's text is stored under (the same text, the same id)."""
    return DOCUMENT_PREFIX + hashlib.blake2b(_LAYOUT + text.encode("utf-8"), digest_size=8).hexdigest()


class _Norms:
    """Normalised text of any stretch of the document, built from its words' normalised forms
    (each word is normalised once; sentences and clauses are joined from them)."""

    def __init__(self, words):
        self.words = words
        self.starts = [w.start for w in words]
        self._cache = {}

    def span(self, start, end):
        key = (start, end)
        found = self._cache.get(key)
        if found is None:
            first = bisect.bisect_left(self.starts, start)
            last = bisect.bisect_left(self.starts, end)
            found = self._cache[key] = " ".join(w.key for w in self.words[first:last] if w.end <= end)
        return found

    def before(self, offset, count):
        """The last ``count`` normalised words before ``offset``."""
        last = bisect.bisect_left(self.starts, offset)
        return [w.key for w in self.words[max(0, last - count):last]]


@dataclass
class _Draft:
    typed: events.Typed
    sentences: list
    paragraph: int
    date: tuple  # (start, end, precision)
    date_note: str
    date_how: str  # "own", "same day", "paragraph", "none"
    place: object  # a PlaceMention, or a GeocodeResult (the speaker's country, the default)
    place_note: str
    place_how: str
    speaker: str = ""


def extract(text, *, title="", source="", published=None, doc_id=None):
    """Read one report's text; return its Extraction with the proposed incidents."""
    doc_id = doc_id or document_id(text)
    document = Document(doc_id, title or "Report", text, source)
    sentences = split(text)
    words = tokens(text)
    places = geocode_mentions(text, words)
    reader = DateReader(published)
    years = reader.written_years(text)
    year_offsets = [offset for offset, _ in years]
    starts = [s.start for s in sentences]
    by_sentence = [[] for _ in sentences]
    for mention in places:
        k = bisect.bisect_right(starts, mention.start) - 1
        if k >= 0 and mention.end <= sentences[k].end:
            by_sentence[k].append(mention)
    def year_hint(offset):
        k = bisect.bisect_left(year_offsets, offset) - 1
        return years[k][1] if k >= 0 else (years[0][1] if years else None)

    all_dates = reader.find_all(text, year_hint)
    dates_of = [[] for _ in sentences]
    for mention in all_dates:
        k = bisect.bisect_right(starts, mention.start) - 1
        if k >= 0 and mention.end <= sentences[k].end + 1:
            dates_of[k].append(mention)
    title_places = geocode_mentions(title) if title else []
    drafts = _read(text, _Norms(words), sentences, by_sentence, dates_of, title_places)
    proposals = tuple(_proposal(text, document, sentences, draft, n) for n, draft in enumerate(drafts, 1))
    return Extraction(document, tuple(sentences), tuple(places), tuple(all_dates), proposals, published)


# Commas and semicolons, and the conjunctions that join two events ("closed the crossing after
# people blocked the road", "ndërsa po atë ditë ...").
_CLAUSE_BREAK = re.compile(
    r"[,;:]\s+|\s+[-–—]\s+|\s+(?=(?:after|when|while|whereas|nakon|posle|pošto|dok|pasi|kur|ndërsa|после|након|док)\s)",
    re.IGNORECASE)
# Event types told together in one sentence are one event: a gathering that turns violent,
# arrests at a protest, the blast and the damage it did, shots at police and the wounded.
_TOGETHER = (
    frozenset({"Protests", "Riots"}),
    frozenset({"Explosions/Remote violence", "Strategic developments:Looting/property destruction"}),
    frozenset({"Battles", "Violence against civilians"}), frozenset({"Riots", "Strategic developments:Arrests"}),
    frozenset({"Protests", "Strategic developments:Arrests"}),
)


def _group(typed):
    if typed.event_type == "Strategic developments":
        return f"Strategic developments:{typed.sub_event_type}"
    return typed.event_type


def _together(a, b):
    if _group(a) == _group(b) or a.event_type == b.event_type == "Explosions/Remote violence":
        return True
    return any({_group(a), _group(b)} <= pair for pair in _TOGETHER)


def _severer(a, b):
    return a if events.SEVERITY.index(a.event_type) <= events.SEVERITY.index(b.event_type) else b


def _clauses(text, sentence):
    """(start, end) of the comma- or semicolon-separated parts of a sentence."""
    return _clauses_of(text, sentence.start, sentence.end)


@lru_cache(maxsize=4096)
def _clauses_of(text, start, end):
    spans = []
    stop = end
    for match in _CLAUSE_BREAK.finditer(text, start, stop):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < stop:
        spans.append((start, stop))
    return tuple(spans)


def _events_of(text, norms, sentence, norm):
    """[(typed, clause start, clause end)] of the events a sentence reports, in order."""
    clauses = _clauses(text, sentence)
    context = " ".join(n for n in (norms.span(a, b) for a, b in clauses) if not events.STATEMENT.search(n))
    found = []
    for start, end in clauses:
        typed = events.classify(norms.span(start, end), context, norms.span(sentence.start, start))
        if typed is None:
            continue
        if found and _together(found[-1][0], typed):
            previous = found[-1]
            found[-1] = (_severer(previous[0], typed), previous[1], end)
        else:
            found.append((typed, start, end))
    if not found:
        typed = events.statement(norm)
        if typed is not None:
            found.append((typed, sentence.start, sentence.end))
    return found


def _read(text, norms, sentences, places_of, dates_of, title_places):
    drafts = []
    for i, sentence in enumerate(sentences):
        norm = norms.span(sentence.start, sentence.end)
        found = _events_of(text, norms, sentence, norm)
        last = drafts[-1] if drafts else None
        adjacent = last is not None and last.paragraph == sentence.paragraph and last.sentences[-1] == i - 1
        if not found:
            if adjacent and _ANAPHORIC_START.match(norm) and _ATTRIBUTION.search(norm):
                last.sentences.append(i)  # "This stance was confirmed by the NATO press service"
            continue
        sentence_dates = [d for d in dates_of[i] if not _background_date(norms, d)]
        sentence_places = [m for m in places_of[i] if not _background_place(norms, m)]
        for k, (typed, start, end) in enumerate(found):
            clause_norm = norms.span(start, end)
            own_dates = [d for d in sentence_dates if start <= d.start < end] or sentence_dates
            clause_places = [m for m in sentence_places if start <= m.start < end]
            locative = [m for m in clause_places if m.locative] or [m for m in sentence_places if m.locative]
            same_day = _SAME_DAY.search(norm) or _NEXT_DAY.search(norm)
            statement = typed.sub_event_type == "Political statement"
            if k == 0 and adjacent and _together(typed, last.typed) and not own_dates and not same_day and (
                    statement or not locative or any(_near(m, last.place) for m in locative)):
                last.sentences.append(i)  # the same event, told on
                last.typed = _severer(last.typed, typed)
                continue
            if _retold(drafts, typed, own_dates, clause_places, same_day, sentence.paragraph):
                continue
            draft = _Draft(typed, [i], sentence.paragraph, None, "", "", None, "", "")
            _date(draft, clause_norm if own_dates is not sentence_dates else norm, own_dates, drafts, sentences,
                  dates_of, i)
            _place(text, norms, draft, norm, clause_places, sentence_places, drafts, sentences, places_of, i,
                   title_places)
            drafts.append(draft)
    return drafts


def _retold(drafts, typed, own_dates, places, same_day, paragraph):
    """True when the sentence tells again an event already proposed: the same kind of event
    with no date of its own and no other place ("the suspect was taken into custody",
    "Leposavić was brought in", "the protest ended without incident"). Within a paragraph a
    place named without "in"/"at" does not make it another event; across paragraphs any does."""
    if own_dates or same_day:
        return False
    locative = [m for m in places if m.locative]
    for draft in reversed(drafts):
        if draft.typed.sub_event_type != typed.sub_event_type:
            continue
        # "the blast", "the arrest": a noun with the definite article points back to the event.
        if typed.weak or typed.definite or any(_near(m, draft.place) for m in locative):
            return True
        if not locative and (draft.paragraph == paragraph or not places):
            return True
    return False


def _near(mention, place):
    from mapapp.gazetteer import haversine_km

    if place is None:
        return True
    lat, lon = place.lat, place.lon
    return haversine_km(mention.lat, mention.lon, lat, lon) <= _SAME_PLACE_KM


def _background_place(norms, mention):
    """Origin, route, birthplace: "from Raška", "between Zvečan and Zubin Potok", "rođen u"."""
    before = norms.before(mention.start, 6)
    near = before[-3:]
    if any(w in _BACKGROUND_BEFORE for w in near):
        return True
    return any(w in ("between", "izmedju", "midis", "mes") for w in before) and near[-1:] != ["of"] and any(
        w in ("and", "i", "dhe", "e") for w in near)


def _background_date(norms, mention):
    before = norms.before(mention.start, 2)
    return any(w in ("born", "since", "rodjen", "rodjena", "lindur", "od", "nga", "prej") for w in before) and \
        mention.precision == "year"


def _date(draft, norm, own_dates, drafts, sentences, dates_of, i):
    dated = [d for d in own_dates if d.precision != "unknown"]
    if dated:
        absolute = [d for d in dated if not d.note or "year of" in d.note]
        chosen = (absolute or dated)[0]
        if len(absolute) > 1 and chosen.precision == "year":
            chosen = next((d for d in absolute if d.precision != "year"), chosen)
        draft.date = (chosen.date_start, chosen.date_end, chosen.precision)
        draft.date_note = f"date from {chosen.text.strip()!r}" + (f" ({chosen.note})" if chosen.note else "")
        draft.date_how = "own"
        return
    if own_dates:
        draft.date_note = own_dates[0].note
        draft.date_how = "unresolved"
        return
    marker = _SAME_DAY.search(norm) or _NEXT_DAY.search(norm)
    earlier = next((d for d in reversed(drafts) if d.date is not None), None)
    if marker and earlier is not None:
        start, end, precision = earlier.date
        if _NEXT_DAY.search(norm) and precision == "day":
            start = end = start + dt.timedelta(days=1)
        draft.date = (start, end, precision)
        draft.date_note = f"date from {marker.group()!r}: the event before it, on {start.isoformat()}"
        draft.date_how = "same day"
        return
    if _SEPARATE.search(norm):
        draft.date_note = "the passage gives no date (a separate or earlier event): left undated"
        draft.date_how = "none"
        return
    paragraph = sentences[i].paragraph
    if earlier is not None and earlier.paragraph == paragraph:
        draft.date = earlier.date
        draft.date_note = (f"no date in the sentence: taken from the event before it in the same"
                           f" paragraph ({earlier.date[0].isoformat()})")
        draft.date_how = "paragraph"
        return
    for k in range(i - 1, -1, -1):
        if sentences[k].paragraph != paragraph:
            break
        previous = [d for d in dates_of[k] if d.precision != "unknown"]
        if previous:
            d = previous[0]
            draft.date = (d.date_start, d.date_end, d.precision)
            draft.date_note = f"no date in the sentence: {d.text.strip()!r} from the sentence before it"
            draft.date_how = "paragraph"
            return
    draft.date_note = "the passage gives no date: left undated"
    draft.date_how = "none"


def _place(text, norms, draft, norm, clause_places, sentence_places, drafts, sentences, places_of, i, title_places):
    paragraph = sentences[i].paragraph
    attributed = _attribution_spans(text, norms, sentences[i])
    outside = [m for m in sentence_places if not any(a <= m.start < b for a, b in attributed)]
    clause_named = [m for m in clause_places if not m.organisation]
    named = clause_named or [m for m in outside if not m.organisation]
    locative = [m for m in clause_places if m.locative] or ([] if clause_named else [m for m in outside if m.locative])
    if draft.typed.sub_event_type == "Political statement":
        spoken = [m for m in locative if m.geo_precision <= 3]
        if spoken:
            return _set_place(draft, spoken[0], "where the statement was made")
        for pattern, country in _DEMONYMS:
            if pattern.search(norm):
                found = lookup(country)
                if found:
                    draft.place = found[0]
                    draft.place_note = f"the speaker's country ({country}): the passage does not say where it was made"
                    draft.place_how = "speaker"
                    return
    if locative:
        return _set_place(draft, _head(norms, _in_region_first(locative), sentence_places),
                          "the place the sentence puts it at")
    if ANAPHORA.search(sentences[i].text) or re.search(r"\bin the region\b|\bu regionu\b|\bne rajon\b", norm):
        previous = next((d for d in reversed(drafts) if d.paragraph == paragraph and d.place is not None), None)
        if previous is not None:
            draft.place, draft.place_how = previous.place, "anaphora"
            draft.place_note = "'the area/region' points back to the place of the event before it"
            return
    if named:
        return _set_place(draft, _in_region_first(named), "the place named in the sentence")
    for k in range(i - 1, -1, -1):
        if sentences[k].paragraph != paragraph:
            break
        earlier = [m for m in places_of[k] if not m.organisation and not _background_place(norms, m)]
        if earlier:
            return _set_place(draft, earlier[-1],
                              "no place in the sentence: the last place named before it in the paragraph")
    if title_places:
        return _set_place(draft, title_places[0], "no place in the passage: the place in the report's title")
    organisations = [m for m in sentence_places if m.organisation]
    if organisations:
        return _set_place(draft, organisations[0], "only an organisation's name places it")
    found = lookup("Kosovo")
    draft.place = found[0] if found else None
    draft.place_note = "no place named in or before the passage: coded to Kosovo as a whole"
    draft.place_how = "default"


def _attribution_spans(text, norms, sentence):
    """The clauses of a sentence that say who told it ("saopštila je policija u Prištini")."""
    return [(a, b) for a, b in _clauses(text, sentence) if events.STATEMENT.search(norms.span(a, b))
            and events.classify(norms.span(a, b)) is None]


_FAR_KM = 100.0
_DESCRIPTOR = re.compile(r"^\W*(?:kod|near|u blizini|blizu|prane|afer|nadomak|outside|pored)\W*$")


def _in_region_first(mentions):
    """The first mention, preferring one in the region over one far from it ("Mahala" in Turkey...)."""
    from mapapp.gazetteer import haversine_km
    from mapapp.reports.places import FOCUS_POINT

    close = [m for m in mentions if m.geo_precision >= 4 or haversine_km(m.lat, m.lon, *FOCUS_POINT) <= _FAR_KM]
    return (close or mentions)[0]


def _head(norms, mention, mentions):
    """In "prelaz Končulj kod Bujanovca" the place is the crossing; the town only describes it."""
    before = [m for m in mentions if m.end <= mention.start and mention.start - m.end <= 14]
    if before and _DESCRIPTOR.match(norms.span(before[-1].end, mention.start) or "-"):
        return before[-1]
    return mention


def _set_place(draft, mention, why):
    draft.place = mention
    draft.place_note = f"{mention.how} ({why})"
    draft.place_how = "named"


def _proposal(text, document, sentences, draft, n):
    first, last = sentences[draft.sentences[0]], sentences[draft.sentences[-1]]
    place = draft.place
    if isinstance(place, PlaceMention):
        location, lat, lon, precision = place.text, place.lat, place.lon, place.geo_precision
        candidates = place.candidates
    else:
        location, lat, lon, precision = place.name, place.lat, place.lon, place.geo_precision
        candidates = ()
    if draft.date is None:
        start = end = None
        date_precision = "unknown"
    else:
        start, end, date_precision = draft.date
    typed = draft.typed
    note = "; ".join(part for part in (
        f"type: {typed.words!r} → {typed.event_type} / {typed.sub_event_type}",
        f"place: {draft.place_note}",
        f"date: {draft.date_note}",
    ) if part)
    incident = Incident(
        id=f"{document.id}-{n:03d}",
        date_start=start, date_end=end, date_precision=date_precision,
        event_type=typed.event_type, sub_event_type=typed.sub_event_type,
        location=location, latitude=lat, longitude=lon, geo_precision=precision,
        description=one_line(first.text)[:200],
        source=document.source or document.title,
        document_id=document.id,
        passage_start=first.start, passage_end=last.end, passage=text[first.start:last.end],
        border_distance_km=None if precision == 5 else round(border_distance_km(lat, lon), 2),
        note=note,
    )
    return Proposal(incident, _confidence(draft), tuple(draft.sentences), candidates)


def _confidence(draft):
    score = 0.55
    score += -0.2 if draft.typed.weak else 0.1
    score += {"named": 0.15, "speaker": 0.05, "anaphora": 0.0}.get(draft.place_how, -0.2)
    if draft.place_how == "named" and isinstance(draft.place, PlaceMention) and draft.place.candidates:
        score -= 0.05
    score += {"own": 0.15, "same day": 0.05, "paragraph": 0.0, "unresolved": -0.1}.get(draft.date_how, -0.1)
    if draft.typed.sub_event_type == "Political statement":
        score -= 0.1
    return max(0.05, min(0.95, score))
