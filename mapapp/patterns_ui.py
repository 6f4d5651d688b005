"""The Streamlit sections for patterns: counts per municipality over time, two periods
compared, and the review of reports that may be one event. Computations are in mapapp.stats
and mapapp.corroboration; this module only lays them out."""

import datetime as dt

import streamlit as st

from mapapp import labels, passage_view, stats
from mapapp.corroboration import CONFIRMED, REJECTED
from mapapp.errors import MapAppError
from mapapp.vocabulary import EVENT_TYPES

MAX_PROPOSALS = 10
SMALL_MULTIPLE_COLUMNS = 4
# A link decision that failed in its callback, shown once on the next run.
K_LINK_ERROR = "_link_error"


def small_multiples(long):
    """Bars per month, coloured by type, one small chart per municipality (Vega-Lite)."""
    import altair as alt

    from mapapp.map_build import TYPE_COLOURS

    present = set(long["type"].unique())  # not set(column): that makes a Python object per row
    types = [t for t in EVENT_TYPES if t in present]
    order = long.groupby("municipality")["incidents"].sum().sort_values(ascending=False).index.tolist()
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-60, labelOverlap=True)),
            y=alt.Y("incidents:Q", title=None, axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("type:N", scale=alt.Scale(domain=types, range=[TYPE_COLOURS[t] for t in types]),
                            legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["municipality:N", "month:O", "type:N", "incidents:Q"],
        )
        .properties(width=230, height=110)
        .facet(facet=alt.Facet("municipality:N", sort=order, title=None), columns=SMALL_MULTIPLE_COLUMNS)
        .resolve_scale(x="shared")
    )


def _default_periods(filtered):
    """This year and last year of the latest dated incident."""
    latest = filtered["date_end"].max()
    year = latest.year if latest == latest else dt.date.today().year  # NaT != NaT
    return ((dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)), (dt.date(year, 1, 1), dt.date(year, 12, 31)))


def municipality_counts(filtered):
    """What the section shows of these incidents: (table, monthly long table, left out of it)."""
    if filtered.empty:
        return None, None, 0
    long, left_out = stats.monthly(filtered)
    return stats.municipality_table(filtered), long, left_out


def municipality_section(filtered, counts=None):
    """Counts per municipality and type, a small chart per municipality, and two periods compared.
    `counts`: municipality_counts(filtered), when the caller keeps it."""
    st.markdown("##### Per municipality")
    if filtered.empty:
        st.caption("No incident under the current filters.")
        return
    table, long, left_out = counts or municipality_counts(filtered)
    st.dataframe(table, width="content")
    unassigned = int(table.at[stats.UNASSIGNED, "total"]) if stats.UNASSIGNED in table.index else 0
    st.caption(
        f"{unassigned} incident(s) unassigned: region- or country-level, or a place whose municipality "
        "neither the dataset's admin column nor the gazetteer gives (never guessed from the point)."
    )
    if len(long):
        st.altair_chart(small_multiples(long), width="content")
    if left_out:
        st.caption(f"{left_out} incident(s) undated or dated across months are not in the monthly charts.")
    comparison_section(filtered)


def comparison_section(filtered):
    """Two periods side by side with the differences."""
    st.markdown("##### Two periods compared")
    first_default, second_default = _default_periods(filtered)
    left, middle, right = st.columns([2, 2, 1])
    first = left.date_input("First period", value=first_default, key="cmp_first")
    second = middle.date_input("Second period", value=second_default, key="cmp_second")
    by = right.radio("By", ("municipality", "type"), key="cmp_by")
    if len(first) != 2 or len(second) != 2:
        st.caption("Pick a first and a last day for each period.")
        return
    rows = stats.compare(filtered, by, tuple(first), tuple(second))
    if not rows:
        st.caption("No incident lies wholly inside either period.")
        return
    labels = (f"{first[0]:%d %b %Y} – {first[1]:%d %b %Y}", f"{second[0]:%d %b %Y} – {second[1]:%d %b %Y}")
    st.dataframe(
        [{by: row["key"], labels[0]: row["first"], labels[1]: row["second"], "difference": row["difference"]}
         for row in rows],
        hide_index=True, width="stretch",
        column_config={"difference": st.column_config.NumberColumn(format="%+d")},
    )
    st.caption("An incident counts in a period when its whole date range lies inside it.")


def _decide(store, a, b, status):
    try:
        store.decide_link(a, b, status)
    except MapAppError as err:
        st.session_state[K_LINK_ERROR] = str(err)


def _card_row(incident):
    """What a report card shows of an incident (labels as in the table)."""
    return {
        "source": incident.source, "document_id": incident.document_id, "id": incident.id,
        "date_label": labels.date_label(incident.date_start, incident.date_end, incident.date_precision),
        "place_label": labels.place_label(incident.location, incident.geo_precision),
        "type_label": labels.type_label(incident.event_type, incident.sub_event_type),
        "passage": incident.passage,
    }


def _report_card(column, incident):
    with column:
        st.html(passage_view.report_card_html(_card_row(incident)))


def links_section(store, count, proposals):
    """Proposed links between reports of one event in different sources, to confirm or reject:
    `count` of them, the first (closest) `proposals`."""
    st.markdown("##### Same event in several sources")
    error = st.session_state.pop(K_LINK_ERROR, None)
    if error:
        st.error(error)
    if not count:
        st.caption("No pair of reports from different sources matches the rule (same type, within a day, "
                   "within 5 km).")
        return
    st.caption(f"{count:,} pair(s) proposed: same type, dated within a day of each other, "
               f"placed within 5 km (10 km at municipality level), from different source documents.")
    for proposal in proposals:
        a, b = store.incident(proposal.a), store.incident(proposal.b)
        if a is None or b is None:
            continue
        with st.container(border=True):
            left, right = st.columns(2)
            _report_card(left, a)
            _report_card(right, b)
            st.caption(f"{proposal.days_apart} day(s) and {proposal.km_apart:g} km apart")
            yes, no, _ = st.columns([1, 1, 3])
            key = f"{proposal.a}\x1f{proposal.b}"
            yes.button("Same event", key=f"confirm-{key}", icon=":material/link:",
                       on_click=_decide, args=(store, proposal.a, proposal.b, CONFIRMED))
            no.button("Different events", key=f"reject-{key}", icon=":material/link_off:",
                      on_click=_decide, args=(store, proposal.a, proposal.b, REJECTED))
    if count > len(proposals):
        st.caption(f"… and {count - len(proposals):,} more (`python -m mapapp links` lists all).")


def links_on_request(count, ask):
    """The links section of a large store: its pairs are looked for when the editor asks
    (``ask()`` records it), not on every first page."""
    st.markdown("##### Same event in several sources")
    st.caption(f"Among {count:,} incidents, looking for reports of the same event in different sources "
               "(same type, within a day, within 5 km) takes a while: it is done when you ask.")
    st.button("Look for reports of the same event", key="links_ask", icon=":material/link:", on_click=ask)


def same_event_reports(store, incident_id, event_of):
    """In the passage panel: the other reports of the open incident's event, passages side by side."""
    event = event_of.get(incident_id)
    members = [i for i, e in event_of.items() if e == event and i != incident_id] if event else []
    found = [incident for incident in map(store.incident, members) if incident is not None]
    if not found:
        return
    st.markdown(f"**The same event in {len(found)} other report(s)**")
    columns = st.columns(min(len(found), 2))
    for position, incident in enumerate(found):
        _report_card(columns[position % len(columns)], incident)


def hand_on_downloads(store_path, rowids, filters, selected, focus):
    """Downloads of the current view (filters, open incident, the view last centred) as one
    offline HTML file and as a PNG image. Built only when clicked."""
    from mapapp import map_build, png_export, standalone
    from mapapp.columns import contract_records
    from mapapp.filters import incident_frame

    if focus:  # (lat, lon, zoom, count) of the last "Show on map"
        center, zoom = (focus[0], focus[1]), round(focus[2])
    else:
        center, zoom = map_build.CENTRE, map_build.START_ZOOM
    summary = standalone.filters_summary(filters)

    def frame():
        return incident_frame(contract_records(store_path, rowids))

    def html_file():
        shown = frame()
        chosen = shown[shown["id"] == selected] if selected else shown.iloc[0:0]
        return standalone.standalone_html(shown, chosen.iloc[0] if len(chosen) else None, center, zoom, summary)

    left, right, _ = st.columns([1, 1, 1])
    left.download_button(
        "Map as HTML file", icon=":material/map:", on_click="ignore", mime="text/html", file_name="incident-map.html",
        data=html_file,
        help="One file that opens in any browser without this app or the internet: the map, "
        "the incidents with their passages, the legend and attribution.",
    )
    right.download_button(
        "Map as PNG", icon=":material/image:", on_click="ignore", mime="image/png", file_name="incident-map.png",
        data=lambda: png_export.render_png(
            frame(), center, zoom,
            title=f"Incidents in northern Kosovo and the Kosovo–Serbia border zone · {len(rowids)} incident(s)",
            note=summary,
        ),
    )
