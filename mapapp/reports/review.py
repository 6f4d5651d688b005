"""A read report as the app lets a user review it: the text with its places and dates marked,
one editable row per proposal, a row coded by hand from any sentence, and the accepted rows
back to incidents. Plain Python: the Streamlit section (mapapp.report_ui) only shows it.
"""

import dataclasses
import datetime as dt

import jinja2
from markupsafe import Markup

from mapapp import PACKAGE_DIR
from mapapp.errors import InvalidIncident
from mapapp.incident import Incident
from mapapp.reports.places import border_distance_km, lookup
from mapapp.text import one_line
from mapapp.vocabulary import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, SUB_EVENT_TYPES

TYPE_OPTIONS = tuple(f"{event_type} / {sub}" for event_type in EVENT_TYPES for sub in SUB_EVENT_TYPES[event_type])
PRECISION_OPTIONS = DATE_PRECISIONS
CSS = (PACKAGE_DIR / "assets" / "report_text.css").read_text(encoding="utf-8")
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
)


@dataclasses.dataclass(frozen=True)
class PlaceOption:
    """A place a row may be put at: a reading of a name in the report or a gazetteer candidate."""

    name: str
    lat: float
    lon: float
    geo_precision: int
    location: str  # the words of the report, or the gazetteer's name

    @property
    def label(self):
        return f"{self.location} → {self.name} · {GEO_PRECISIONS[self.geo_precision]} · {self.lat:.4f}, {self.lon:.4f}"


@dataclasses.dataclass(frozen=True)
class Row:
    """One proposal as the user edits it."""

    accept: bool
    type: str  # one of TYPE_OPTIONS
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str
    place: PlaceOption
    places: tuple  # the PlaceOptions offered for this row, its own first
    passage_start: int
    passage_end: int
    confidence: float | None  # None: coded by hand
    note: str


def type_option(event_type, sub_event_type):
    return f"{event_type} / {sub_event_type}"


def _split_type(option):
    event_type, _, sub = option.partition(" / ")
    return event_type, sub


def _options_of_mention(mention):
    own = PlaceOption(mention.name, mention.lat, mention.lon, mention.geo_precision, mention.text)
    others = tuple(PlaceOption(name, lat, lon, precision, name) for name, lat, lon, precision in mention.candidates)
    return (own, *others)


def document_places(extraction):
    """Every reading of every place named in the report (each mention and its candidates)."""
    found = {}
    for mention in extraction.places:
        for option in _options_of_mention(mention):
            found.setdefault(option.label, option)
    return tuple(found.values())


def rows(extraction):
    """One Row per proposal, accepted by default."""
    everywhere = document_places(extraction)
    out = []
    for proposal in extraction.proposals:
        incident = proposal.incident
        own = PlaceOption(incident.location and _place_name(extraction, incident), incident.latitude,
                          incident.longitude, incident.geo_precision, incident.location)
        candidates = tuple(PlaceOption(n, la, lo, p, n) for n, la, lo, p in proposal.place_candidates)
        out.append(Row(
            True, type_option(incident.event_type, incident.sub_event_type), incident.date_start, incident.date_end,
            incident.date_precision, own, _unique((own, *candidates, *everywhere)), incident.passage_start,
            incident.passage_end, proposal.confidence, incident.note,
        ))
    return out


def _place_name(extraction, incident):
    """The gazetteer's name of a proposal's place (the location is the report's words)."""
    for mention in extraction.places:
        if mention.text == incident.location and (mention.lat, mention.lon) == (incident.latitude, incident.longitude):
            return mention.name
    return incident.location


def _unique(options):
    seen = {}
    for option in options:
        seen.setdefault(option.label, option)
    return tuple(seen.values())


def sentence_row(extraction, index, type_label):
    """A row coded by hand from sentence ``index``: its first place and date if it names them."""
    sentence = extraction.sentences[index]
    mentions = [m for m in extraction.places if sentence.start <= m.start < sentence.end]
    options = [option for m in mentions for option in _options_of_mention(m)]
    if not options:
        found = lookup("Kosovo")
        options = [PlaceOption(found[0].name, found[0].lat, found[0].lon, found[0].geo_precision, "Kosovo")]
    dates = [d for d in extraction.dates if sentence.start <= d.start < sentence.end and d.precision != "unknown"]
    start, end, precision = (dates[0].date_start, dates[0].date_end, dates[0].precision) if dates else (None, None,
                                                                                                        "unknown")
    note = "coded by hand from the sentence"
    if dates:
        note += f"; date from {dates[0].text.strip()!r}"
    return Row(True, type_label, start, end, precision, options[0],
               _unique((*options, *document_places(extraction))), sentence.start, sentence.end, None, note)


def to_incidents(extraction, edited):
    """The accepted rows as incidents of the report's document (ids are given when stored).

    Raises InvalidIncident naming the row ("proposal 2: date_end: ...") when a row is not a
    valid incident; then nothing should be stored.
    """
    document = extraction.document
    incidents = []
    for number, row in enumerate(edited, 1):
        if not row.accept:
            continue
        event_type, sub = _split_type(row.type)
        place = row.place
        start, end, precision = row.date_start, row.date_end, row.date_precision
        if precision == "unknown":
            start = end = None
        elif start is not None and end is None:
            end = start
        try:
            incidents.append(Incident(
                id=f"{document.id}-draft-{number}", date_start=start, date_end=end, date_precision=precision,
                event_type=event_type, sub_event_type=sub, location=place.location, latitude=place.lat,
                longitude=place.lon, geo_precision=place.geo_precision,
                description=one_line(document.text[row.passage_start:row.passage_end])[:200],
                source=document.source or document.title, document_id=document.id,
                passage_start=row.passage_start, passage_end=row.passage_end,
                passage=document.text[row.passage_start:row.passage_end],
                border_distance_km=(None if place.geo_precision == 5
                                    else round(border_distance_km(place.lat, place.lon), 2)),
                note=row.note,
            ))
        except InvalidIncident as err:
            raise InvalidIncident(f"proposal {number}: {err.field}", err.value, err.expected) from None
    return incidents


def edited_note(original, row):
    """The row's note, saying which fields the user changed."""
    changed = [name for name, a, b in (
        ("type", original.type, row.type), ("place", original.place.label, row.place.label),
        ("date", (original.date_start, original.date_end, original.date_precision),
         (row.date_start, row.date_end, row.date_precision)),
    ) if a != b]
    if not changed:
        return original.note
    return f"{original.note}; changed by hand: {', '.join(changed)}"


# -- the text with its places and dates marked ----------------------------------------------


def segments(extraction):
    """[(text, kind, title)]: the document cut at every place and date found; kind 'place',
    'date' or None; title says how it was read."""
    text = extraction.document.text
    marks = [(m.start, m.end, "place", f"{m.name} ({GEO_PRECISIONS[m.geo_precision]})") for m in extraction.places]
    for d in extraction.dates:
        title = d.date_start.isoformat() if d.date_start else "undated"
        if d.date_end and d.date_end != d.date_start:
            title += f" – {d.date_end.isoformat()}"
        marks.append((d.start, d.end, "date", f"{title} ({d.precision})"))
    marks.sort()
    out, position = [], 0
    for start, end, kind, title in marks:
        if start < position:
            continue  # overlapping marks: the first one wins
        if start > position:
            out.append((text[position:start], None, ""))
        out.append((text[start:end], kind, title))
        position = end
    if position < len(text):
        out.append((text[position:], None, ""))
    return out


def text_html(extraction, height_px=260):
    """The report with its places and dates marked: escaped HTML from an autoescaping template."""
    return _TEMPLATES.get_template("report_text.html").render(
        css=Markup(CSS), segments=segments(extraction), height=int(height_px))
