"""The passage panel's HTML, the date/place labels and the timeline counts."""

import dataclasses
import datetime as dt
import html
import re

import pytest

from mapapp import passage_view, timeline
from mapapp.filters import Filters, incident_frame
from mapapp.labels import date_label, place_label
from tests.payloads import SCRIPT_PAYLOADS, hostile_incidents

BANJSKA_PASSAGE = (
    "In a separate incident, a group of masked gunmen reportedly breached the grounds of the "
    "Banska Orthodox monastery, raising questions about religious and cultural security in the territory."
)


@pytest.mark.parametrize(
    ("start", "end", "precision", "label"),
    [
        (None, None, "unknown", "undated"),
        (dt.date(2023, 9, 24), dt.date(2023, 9, 24), "day", "2023-09-24 (day)"),
        (dt.date(2023, 9, 24), dt.date(2023, 9, 30), "week", "2023-09-24 – 2023-09-30 (week)"),
        (dt.date(2023, 5, 1), dt.date(2023, 5, 31), "month", "May 2023 (month)"),
        (dt.date(2023, 1, 1), dt.date(2023, 12, 31), "year", "2023 (year)"),
    ],
)
def test_date_label(start, end, precision, label):
    assert date_label(start, end, precision) == label


@pytest.mark.parametrize(
    ("location", "precision", "label"),
    [
        ("Banska Orthodox monastery", 1, "Banska Orthodox monastery · exact place"),
        ("Zubin Potok", 3, "Zubin Potok · municipality (~8 km)"),
        ("northern Kosovo", 4, "northern Kosovo · wider region (~25 km)"),
        ("Kosovo", 5, "Kosovo · country (label point)"),
    ],
)
def test_place_label(location, precision, label):
    assert place_label(location, precision) == label


def test_banjska_passage_is_marked_in_its_document(store):
    incident = store.incident("seed-000-07")
    document = store.document(incident.document_id)
    others = [(o.passage_start, o.passage_end, o.id)
              for o in store.incidents_in_document(document.id) if o.id != incident.id]
    page = passage_view.panel_html(incident, document, others)
    marked = re.findall(r'<mark class="passage-selected" id="passage-selected">(.*?)</mark>', page, re.S)
    assert [html.unescape(m) for m in marked] == [BANJSKA_PASSAGE]
    # The seven other seed incidents of the document are marked too, more lightly.
    assert page.count('<mark class="passage-other"') == 7
    assert "undated" in page and "Strategic developments / Other" in page
    assert "Banska Orthodox monastery · exact place" in page
    assert "Banjska Monastery (Zvečan" in html.unescape(page)  # the coding note


def test_document_text_comes_back_whole():
    text = "One. Two & three. <Four>."
    body = passage_view.document_html(text, (5, 16), [(0, 4, "a"), (10, 24, "b")])
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text


def test_overlapping_passages_selected_wins():
    parts = passage_view.segments("abcdefghij", (2, 6), [(4, 8, "other")])
    assert parts == [("ab", None, ()), ("cdef", "selected", ()), ("gh", "other", ("other",)), ("ij", None, ())]
    assert passage_view.document_html("abcdefghij", (2, 6), [(4, 8, "o")]).count("<mark") == 2


def test_hostile_document_and_fields_are_escaped():
    document, incidents = hostile_incidents()
    others = [(o.passage_start, o.passage_end, o.id) for o in incidents[:1] + incidents[2:]]
    page = passage_view.panel_html(incidents[1], document, others)
    text_only = page.split("</style>", 1)[1]
    for payload in SCRIPT_PAYLOADS:
        if "<" in payload:
            assert payload not in text_only
    for tag in ("<script", "<img", "<iframe", "<svg", "<a ", "<b id"):
        assert tag not in text_only
    assert html.escape(SCRIPT_PAYLOADS[1], quote=False).replace('"', "&#34;") in text_only


def test_the_panel_is_one_template_with_the_css_file_and_the_document_text_whole(store):
    incident = store.incident("seed-000-07")
    document = store.document(incident.document_id)
    page = passage_view.panel_html(incident, document)
    assert page.startswith("<style>" + passage_view.PANEL_CSS + "</style>")
    body = re.search(r'<div class="passage-doc" id="passage-doc" style="max-height:260px">(.*?)</div>', page, re.S)
    assert html.unescape(re.sub(r"<[^>]+>", "", body.group(1))) == document.text


def test_a_long_document_is_shown_around_the_passage():
    from mapapp.incident import Document, Incident

    lines = [f"row {n}: something happened at place {n}" for n in range(20_000)]
    text = "\n".join(lines)
    start = text.index("row 10000:")
    end = start + len(lines[10_000])
    document = Document(id="upload-x", title="Upload: big.csv", text=text)
    incident = Incident(
        id="up-10000", date_start=None, date_end=None, date_precision="unknown", event_type="Riots",
        sub_event_type="Mob violence", location="place", latitude=42.9, longitude=20.8, geo_precision=1,
        description="row 10000", source="big.csv", document_id=document.id,
        passage_start=start, passage_end=end, passage=text[start:end],
    )
    others = [(start + len(lines[10_000]) + 1, start + 2 * len(lines[10_000]) + 1, "up-10001"), (0, 10, "up-0")]
    page = passage_view.panel_html(incident, document, others)
    assert len(page) < 12_000
    assert '<mark class="passage-selected" id="passage-selected">row 10000: something' in page
    assert page.count('<mark class="passage-other"') == 1  # row 10001 is near; row 0 is not shown
    lo, hi = passage_view.excerpt_bounds(text, start, end)
    assert "[…]" in page and f" · the part around the passage: {hi - lo:,} of its {len(text):,} characters" in page
    assert text[lo - 1] == "\n" and text[hi] == "\n"


@pytest.mark.parametrize(
    "lo, hi, words",
    [(0, 7179, ""), (3492, 7179, " · its end: 3,687 of its 7,179 characters"),
     (0, 6000, " · its beginning: 6,000 of its 7,179 characters")],
)
def test_excerpt_words(lo, hi, words):
    assert passage_view.excerpt_words(lo, hi, 7179) == words


def test_actors_fatalities_and_admin_areas_are_shown():
    from mapapp.incident import Document, Incident

    document = Document(id="upload-y", title="Upload: acled.csv", text="row 2 · Banjska clash\nOne officer killed.\n")
    incident = Incident(
        id="XKX3001", date_start=None, date_end=None, date_precision="unknown", event_type="Battles",
        sub_event_type="", location="Banjska", latitude=42.97, longitude=20.78, geo_precision=1,
        description="Clash at Banjska", source="KoSSev", document_id=document.id, passage_start=22,
        passage_end=41, passage=document.text[22:41], actor1="Unidentified Armed Group (Kosovo)",
        actor2="Police Forces of Kosovo (2008-)", fatalities=4, admin1="Mitrovica", admin2="Zvecan",
    )
    facts = dict(passage_view.incident_facts(incident))
    assert facts["Type"] == "Battles / sub-type unknown"
    assert facts["Actors"] == "Unidentified Armed Group (Kosovo) · Police Forces of Kosovo (2008-)"
    assert facts["Fatalities"] == "4"
    assert facts["Admin area"] == "Zvecan, Mitrovica"
    page = passage_view.panel_html(incident, document)
    assert "<b>Fatalities:</b> 4" in page
    # Areas the import derived from the place are labelled so, not shown as the source's.
    derived = dataclasses.replace(
        incident, admin1="Mitrovica District", admin2="Zvečan",
        note="Admin areas derived, not in the file: admin2 'Zvečan' and admin1 'Mitrovica District' "
             "(from the place and the gazetteer, data/municipalities.csv).")
    facts = dict(passage_view.incident_facts(derived))
    assert facts["Admin area (derived)"] == "Zvečan, Mitrovica District" and "Admin area" not in facts


def test_scroll_script_is_constant():
    assert "passage-selected" in passage_view.SCROLL_SCRIPT
    assert "{" not in passage_view.SCROLL_SCRIPT.split("<script>")[0]


# -- timeline --------------------------------------------------------------------------------


def test_seed_timeline_by_month(store):
    counts, unit = timeline.counts_by_period(incident_frame(store.rows()))
    assert unit == "month"
    assert counts.to_dict("index") == {
        "2023-05": {"Battles": 0, "Strategic developments": 1},
        "2023-06": {"Battles": 0, "Strategic developments": 0},
        "2023-07": {"Battles": 0, "Strategic developments": 0},
        "2023-08": {"Battles": 0, "Strategic developments": 0},
        "2023-09": {"Battles": 1, "Strategic developments": 1},
    }


def test_timeline_follows_the_filters(store):
    frame = Filters(since=dt.date(2023, 9, 1)).apply(incident_frame(store.rows()))
    counts, unit = timeline.counts_by_period(frame)
    # A short span is counted by week (Monday to Sunday): 24 September 2023 was a Sunday.
    assert unit == "week"
    assert counts.to_dict("index") == {"2023-09-18": {"Battles": 1, "Strategic developments": 1}}


def test_timeline_without_dated_incidents_is_empty(store):
    frame = Filters(event_types=("Riots",)).apply(incident_frame(store.rows()))
    counts, _ = timeline.counts_by_period(frame)
    assert counts.empty
