"""A source document as HTML with the passage of an incident highlighted.

The HTML comes from autoescaping Jinja2 templates (mapapp/templates/passage_*.html): every
character of the document and of the incident fields is escaped there; the markup around it
is ours. (Streamlit's st.html sanitises once more with DOMPurify.)
"""

import jinja2
from markupsafe import Markup

from mapapp import PACKAGE_DIR
from mapapp.labels import date_label, place_label, type_label
from mapapp.municipalities import DERIVED as DERIVED_ADMIN

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)

# The passage shown by the panel: <mark class="passage-selected" id="passage-selected">.
SELECTED_CLASS = "passage-selected"
OTHER_CLASS = "passage-other"


def segments(text, selected, others=()):
    """Split `text` at every passage boundary: [(chunk, kind, ids)], kind 'selected'/'other'/None.

    `selected` is (start, end); `others` are (start, end, incident_id) of the other incidents
    coded from the same document. Overlapping passages are handled: the selected one wins.
    """
    spans = [(s, e) for s, e in [selected] if s < e]
    cuts = {0, len(text)}
    for start, end in spans + [(s, e) for s, e, _ in others]:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    bounds = sorted(cuts)
    out = []
    for left, right in zip(bounds, bounds[1:]):
        if left == right:
            continue
        ids = tuple(i for s, e, i in others if s <= left and right <= e)
        if any(s <= left and right <= e for s, e in spans):
            kind, ids = "selected", ()
        elif ids:
            kind = "other"
        else:
            kind = None
        if out and out[-1][1] == kind and out[-1][2] == ids:
            out[-1] = (out[-1][0] + text[left:right], kind, ids)
        else:
            out.append((text[left:right], kind, ids))
    return out


def document_html(text, selected, others=()):
    """The document with the selected passage in <mark>, escaped, paragraphs kept."""
    return _TEMPLATES.get_template("passage_document.html").render(segments=_anchored(text, selected, others))


def _anchored(text, selected, others):
    """segments() with a flag on the first selected piece: the one the panel scrolls to."""
    out, first = [], True
    for chunk, kind, ids in segments(text, selected, others):
        out.append((chunk, kind, ids, kind == "selected" and first))
        first = first and kind != "selected"
    return out


def incident_facts(incident):
    """[(label, value)] of what was coded, as plain text (escaped by the caller's renderer)."""
    facts = [
        ("Date", date_label(incident.date_start, incident.date_end, incident.date_precision)),
        ("Type", type_label(incident.event_type, incident.sub_event_type)),
        ("Place", place_label(incident.location, incident.geo_precision)),
    ]
    actors = " · ".join(actor for actor in (incident.actor1, incident.actor2) if actor)
    if actors:
        facts.append(("Actors", actors))
    if incident.fatalities is not None:
        facts.append(("Fatalities", f"{incident.fatalities:,}"))
    admin = ", ".join(area for area in (incident.admin2, incident.admin1) if area)
    if admin:
        # Filled in by the import from the place (municipalities.derived_admin), not the source's.
        derived = DERIVED_ADMIN in incident.note
        facts.append(("Admin area (derived)" if derived else "Admin area", admin))
    facts.append(("Coordinates", f"{incident.latitude:.5f}, {incident.longitude:.5f}"))
    if incident.border_distance_km is not None:
        facts.append(("To the boundary", f"{incident.border_distance_km:.1f} km"))
    facts.append(("Source", incident.source))
    if incident.note:
        facts.append(("Note", incident.note))
    return facts


PANEL_CSS = (PACKAGE_DIR / "assets" / "passage_panel.css").read_text(encoding="utf-8")

# Shown above the document, one line each; the rest (coordinates, source, note) below it.
_HEADLINE_FACTS = ("Date", "Type", "Place", "Actors", "Fatalities")


# Characters of context shown on each side of the passage. An uploaded CSV file becomes one
# document with a line per row, megabytes long: the panel shows the passage in its
# neighbourhood, not the whole file.
CONTEXT_CHARS = 3000


def excerpt_bounds(text, start, end, context=CONTEXT_CHARS):
    """(lo, hi): the part of `text` shown around [start, end), cut at line ends where possible."""
    lo = max(0, start - context)
    if lo > 0:
        newline = text.find("\n", lo, start)
        lo = newline + 1 if newline != -1 else lo
    hi = min(len(text), end + context)
    if hi < len(text):
        newline = text.rfind("\n", end, hi)
        hi = newline if newline != -1 else hi
    return lo, hi


def excerpt_words(lo, hi, length):
    """How much of the document the panel shows, in words: '' for all of it."""
    if lo <= 0 and hi >= length:
        return ""
    shown = f"{hi - lo:,} of its {length:,} characters"
    if lo <= 0:
        return f" · its beginning: {shown}"
    if hi >= length:
        return f" · its end: {shown}"
    return f" · the part around the passage: {shown}"


def panel_html(incident, document, others=(), doc_height_px=260):
    """The passage panel: the incident's summary and main facts, its document with the passage
    marked (so that it is in view next to the map), then the remaining facts and the coding note.

    `others` are (passage_start, passage_end, id) of other incidents coded from the same
    document; those inside the excerpt shown are marked too.
    """
    facts = incident_facts(incident)
    text = document.text
    lo, hi = excerpt_bounds(text, incident.passage_start, incident.passage_end)
    segments = _anchored(
        text[lo:hi],
        (incident.passage_start - lo, incident.passage_end - lo),
        [(s - lo, e - lo, i) for s, e, i in others if s < hi and e > lo],
    )
    where = excerpt_words(lo, hi, len(text))
    return _TEMPLATES.get_template("passage_panel.html").render(
        css=Markup(PANEL_CSS),
        incident=incident,
        document=document,
        title=document.title or document.id,
        where=where,
        headline=[(label, value) for label, value in facts if label in _HEADLINE_FACTS],
        details=[(label, value) for label, value in facts if label not in _HEADLINE_FACTS],
        height=int(doc_height_px),
        segments=segments,
        cut_before=lo > 0,
        cut_after=hi < len(text),
    )


# Run by the page after the panel (st.html with scripts allowed). Constant code from
# mapapp/assets/passage_scroll.js: no data from the store is ever put into it.
SCROLL_SCRIPT = "<script>\n" + (PACKAGE_DIR / "assets" / "passage_scroll.js").read_text(encoding="utf-8") + "</script>"


def report_card_html(row):
    """One report (a row of the labelled incident frame) as a small card: source, id, date,
    place, type and passage, escaped by the template."""
    return _TEMPLATES.get_template("report_card.html").render(
        source=row["source"] or row["document_id"], id=row["id"], date=row["date_label"],
        place=row["place_label"], type=row["type_label"], passage=row["passage"],
    )
