"""The "Add a report" section: paste or upload a report, review its proposed incidents, store them.

Everything it shows comes from mapapp.reports (read by the command line too). Text of the report
reaches the page only as escaped HTML (mapapp.reports.review.text_html), st.text and widget
options, never as Markdown.
"""

import dataclasses

import streamlit as st

from mapapp.errors import MapAppError
from mapapp.reports import extract
from mapapp.reports import review
from mapapp.reports.commit import store_reports
from mapapp.reports.reading import SUFFIXES, max_report_bytes, read_bytes, read_text
from mapapp.text import one_line

K = "report"


@dataclasses.dataclass
class ReportState:
    """What the section remembers between reruns besides its widgets' values."""

    extraction: object = None  # the report being reviewed (reports.Extraction)
    rows: list = dataclasses.field(default_factory=list)  # its proposals as review rows
    review: int = 0  # counts reports read: a new one gets fresh row widgets
    generation: int = 0  # counts reports stored: the next one gets empty inputs
    done: int | None = None  # incidents stored by the last Store, to say so once


def _state():
    return st.session_state.setdefault(f"_{K}", ReportState())


def _key(name):
    return f"{K}-{name}-{_state().generation}"


def report_section(store):
    """Render the "Add a report" expander; returns the number of incidents stored in this run."""
    state = _state()
    extraction = state.extraction
    done, state.done = state.done, None
    with st.expander("Add a report", expanded=extraction is not None or done is not None):
        if done is not None:
            st.success(f"Stored the report with {done} incident(s). They are on the map: click one to read "
                       "its sentence in the report.")
        st.markdown("Paste a news report or a statement, or upload a `.txt`, `.md` or `.html` file. The proposed "
                    "incidents are only stored when you press **Store**.")
        text = st.text_area("Report text", key=_key("text"), height=140)
        uploaded = st.file_uploader("…or a report file", type=[s.lstrip(".") for s in SUFFIXES], key=_key("file"))
        title_column, source_column, date_column = st.columns([2, 2, 1])
        title = title_column.text_input("Title", key=_key("title"))
        source = source_column.text_input("Source (outlet, URL)", key=_key("source"))
        published = date_column.date_input("Publication date (optional)", value=None, key=_key("published"),
                                           format="YYYY-MM-DD")
        if st.button("Read report", key=_key("read")):
            extraction = _read(text, uploaded, title, source, published)
        if extraction is None:
            return 0
        return _review(store, extraction)


def _read(text, uploaded, title, source, published):
    """Read the pasted text (or the uploaded file): the Extraction, kept for the review."""
    state = _state()
    try:
        if uploaded is not None:
            body = read_bytes(uploaded.getvalue(), uploaded.name, max_report_bytes())
            title = title or uploaded.name
        else:
            body = read_text(text, limit=max_report_bytes())
        extraction = extract(body, title=title.strip() or one_line(body)[:80], source=source.strip(),
                             published=published)
    except MapAppError as err:
        st.error("This report cannot be read, nothing is stored:")
        st.text(str(err))
        state.extraction = None
        return None
    state.extraction = extraction
    state.rows = review.rows(extraction)
    state.review += 1
    return extraction


def _row_key(name, number):
    return f"{K}-{_state().review}-{name}-{number}"


def _review(store, extraction):
    state = _state()
    rows = state.rows
    st.markdown("**The report as read**")
    st.html(review.text_html(extraction))
    if not extraction.proposals:
        st.info("No incident found in this report: it reads as commentary or background. "
                "You can code one by hand from a sentence below.")
    edited = [_row_widgets(number, row) for number, row in enumerate(rows, 1)]
    _code_by_hand(extraction, rows, edited)
    accepted = sum(row.accept for row in edited)
    if st.button(f"Store the report and {accepted} accepted incident(s)", type="primary", key=_key("store")):
        try:
            incidents = review.to_incidents(extraction, edited)
            stored = store_reports(store, [(extraction.document, incidents)])
        except MapAppError as err:
            st.error("Nothing was stored:")
            st.text(str(err))
            return 0
        state.extraction, state.rows = None, []
        state.generation += 1
        state.done = len(stored)
        st.rerun()
    return 0


_COLUMNS = (0.7, 2.4, 1.1, 1.1, 0.9, 3.0)


def _row_widgets(number, row):
    """One proposal as a line of widgets; returns the Row as the user has it now."""
    with st.container(border=True, key=f"{K}-proposal-{number}"):
        head = f"Proposal {number}" + (f" · confidence {row.confidence:.2f}" if row.confidence is not None
                                        else " · coded by hand")
        st.markdown(f"**{head}**")
        st.text(one_line(_passage(number, row)))
        accept_c, type_c, start_c, end_c, precision_c, place_c = st.columns(_COLUMNS)
        accept = accept_c.checkbox("Accept", value=row.accept, key=_row_key("accept", number))
        type_label = type_c.selectbox("Type", review.TYPE_OPTIONS, index=review.TYPE_OPTIONS.index(row.type),
                                      key=_row_key("type", number))
        start = start_c.date_input("From", value=row.date_start, key=_row_key("start", number), format="YYYY-MM-DD")
        end = end_c.date_input("To", value=row.date_end, key=_row_key("end", number), format="YYYY-MM-DD")
        precision = precision_c.selectbox("Date precision", review.PRECISION_OPTIONS,
                                          index=review.PRECISION_OPTIONS.index(row.date_precision),
                                          key=_row_key("precision", number))
        place = place_c.selectbox("Place", row.places, index=row.places.index(row.place),
                                  format_func=lambda option: option.label, key=_row_key("place", number))
        now = review.Row(accept, type_label, start, end, precision, place, row.places, row.passage_start,
                         row.passage_end, row.confidence, row.note)
        now = review.Row(**{**now.__dict__, "note": review.edited_note(row, now)})
        st.text(now.note)
    return now


def _passage(number, row):
    extraction = _state().extraction
    return extraction.document.text[row.passage_start:row.passage_end]


def _code_by_hand(extraction, rows, edited):
    """Code a further incident from a sentence the rules passed over."""
    sentences = extraction.sentences
    if not sentences:
        return
    st.markdown("**Code an incident by hand**")
    sentence_c, type_c, button_c = st.columns([5, 3, 1.4], vertical_alignment="bottom")
    index = sentence_c.selectbox("Sentence", range(len(sentences)), key=_key("sentence"),
                                 format_func=lambda i: f"{i + 1}. {one_line(sentences[i].text)[:160]}")
    type_label = type_c.selectbox("Type", review.TYPE_OPTIONS, key=_key("hand-type"))
    if button_c.button("Add incident", key=_key("add")):
        # The rows as edited so far stay as they are; the new one is added below them.
        _state().rows = [*edited, review.sentence_row(extraction, index, type_label)]
        st.rerun()
