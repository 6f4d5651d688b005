"""A source document as HTML with the passage of an incident highlighted.

Every character of the document and of the incident fields is HTML-escaped here; the
markup around it is ours. (Streamlit's st.html sanitises once more with DOMPurify.)
"""

import html

from mapapp.labels import date_label, place_label, type_label

# The passage shown by the panel: <mark class="passage-selected" id="passage-selected">.
SELECTED_CLASS = "passage-selected"
OTHER_CLASS = "passage-other"


def _e(text):
    return html.escape(str(text), quote=True)


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
    parts = []
    first = True
    for chunk, kind, ids in segments(text, selected, others):
        escaped = _e(chunk)
        if kind == "selected":
            # Only the first piece carries the id the panel scrolls to.
            anchor = ' id="passage-selected"' if first else ""
            first = False
            parts.append(f'<mark class="{SELECTED_CLASS}"{anchor}>{escaped}</mark>')
        elif kind == "other":
            title = _e("Also coded: " + ", ".join(ids))
            parts.append(f'<mark class="{OTHER_CLASS}" title="{title}">{escaped}</mark>')
        else:
            parts.append(escaped)
    return "".join(parts)


def incident_facts(incident):
    """[(label, value)] of what was coded, as plain text (escaped by the caller's renderer)."""
    facts = [
        ("Date", date_label(incident.date_start, incident.date_end, incident.date_precision)),
        ("Type", type_label(incident.event_type, incident.sub_event_type)),
        ("Place", place_label(incident.location, incident.geo_precision)),
        ("Coordinates", f"{incident.latitude:.5f}, {incident.longitude:.5f}"),
    ]
    if incident.border_distance_km is not None:
        facts.append(("To the boundary", f"{incident.border_distance_km:.1f} km"))
    facts.append(("Source", incident.source))
    if incident.note:
        facts.append(("Note", incident.note))
    return facts


PANEL_CSS = """
.passage-panel { font-size: 0.9rem; line-height: 1.4; }
.passage-panel h4 { margin: 0 0 0.25rem; font-size: 1rem; line-height: 1.3; }
.passage-panel .facts { margin: 0 0 0.4rem; color: #333; }
.passage-panel .facts b { font-weight: 600; }
.passage-panel .doc-title { font-size: 0.8rem; color: #555; margin: 0.1rem 0 0.2rem; }
.passage-doc { white-space: pre-wrap; border: 1px solid #ddd; border-radius: 4px; padding: 0.45rem 0.65rem;
  background: #fcfcfa; overflow-y: auto; position: relative; font-family: Georgia, "Times New Roman", serif; }
mark.passage-selected { background: #ffd54f; padding: 0 1px; box-shadow: 0 0 0 2px #ffb300; }
mark.passage-other { background: #e3ecf7; }
.passage-panel dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.05rem 0.6rem;
                    margin: 0.4rem 0 0 0; padding: 0; }
.passage-panel dt { font-weight: 600; color: #444; }
.passage-panel dd { margin: 0; }
"""

# Shown above the document, one line each; the rest (coordinates, source, note) below it.
_HEADLINE_FACTS = ("Date", "Type", "Place")


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


def panel_html(incident, document, others=(), doc_height_px=260):
    """The passage panel: the incident's summary and main facts, its document with the passage
    marked (so that it is in view next to the map), then the remaining facts and the coding note.

    `others` are (passage_start, passage_end, id) of other incidents coded from the same
    document; those inside the excerpt shown are marked too.
    """
    facts = incident_facts(incident)
    headline = "".join(
        f"<div><b>{_e(label)}:</b> {_e(value)}</div>" for label, value in facts if label in _HEADLINE_FACTS
    )
    details = "".join(
        f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in facts if label not in _HEADLINE_FACTS
    )
    text = document.text
    lo, hi = excerpt_bounds(text, incident.passage_start, incident.passage_end)
    body = document_html(
        text[lo:hi],
        (incident.passage_start - lo, incident.passage_end - lo),
        [(s - lo, e - lo, i) for s, e, i in others if s < hi and e > lo],
    )
    where = ""
    if lo > 0 or hi < len(text):
        body = ("[…]\n" if lo > 0 else "") + body + ("\n[…]" if hi < len(text) else "")
        where = f" (characters {lo:,}–{hi:,} of {len(text):,})"
    title = document.title or document.id
    return (
        f'<style>{PANEL_CSS}</style>'
        f'<div class="passage-panel">'
        f'<h4>{_e(incident.description)}</h4>'
        f'<div class="facts">{headline}</div>'
        f'<div class="doc-title">Source document {_e(document.id)}: {_e(title)}{where}</div>'
        f'<div class="passage-doc" id="passage-doc" style="max-height:{int(doc_height_px)}px">{body}</div>'
        f'<dl>{details}<dt>Incident id</dt><dd>{_e(incident.id)}</dd></dl>'
        f'</div>'
    )


# Scrolls the passage document (not the page) so that the highlighted passage is in view.
# Constant code: no data from the store is ever put into it.
SCROLL_SCRIPT = """
<script>
(function () {
  var tries = 0;
  function scroll() {
    var doc = document.getElementById("passage-doc");
    var mark = document.getElementById("passage-selected");
    if (!doc || !mark) { if (tries++ < 40) { setTimeout(scroll, 50); } return; }
    // .passage-doc is position: relative, so offsetTop is measured from its top.
    doc.scrollTop = Math.max(0, mark.offsetTop - doc.clientHeight / 3);
  }
  scroll();
})();
</script>
"""
