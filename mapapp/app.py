"""The incident map (Streamlit). Started by the root script: streamlit run streamlit_app.py

Layout: filters in the sidebar; the map and the passage panel side by side; under them the
timeline, the table and the downloads. The view (filters and open incident) lives in the URL.

Only this module imports streamlit; everything it shows is computed by plain modules
(filters, map_build, passage_view, timeline, url_state, export) that are tested directly.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
import sqlite3
import time
import zlib
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
import streamlit as st

from mapapp import (
    PACKAGE_DIR, auth, correction_ui, export, filter_widgets, labels, offline_assets, passage_view, patterns_ui,
    timeline, url_state,
)
from mapapp import columns as incident_columns
from mapapp.errors import MapAppError, StoreError
from mapapp import corroboration, stats
from mapapp.roles import LOCAL
from mapapp import store as store_module
from mapapp.municipalities import assign_columns
from mapapp.search import text_index
from mapapp.store import BaseStore, db_path

# The map's frame is as tall as the window allows (assets/page.css); this is its height before
# the page's style applies, and the least it gets.
MAP_MIN_HEIGHT = 420
PASSAGE_DOC_HEIGHT = 250
MAX_OTHER_BUTTONS = 12

# Keys of the state shared with widgets and callbacks: the open incident, the map's value.
K_INCIDENT = "incident"
K_MAP = "map"
K_EVENTS_ONCE = "f_events"  # the "Each event once" toggle
K_VIEW = "_view"
# How often the page looks for a change of the store made elsewhere (an import on the command
# line, a colleague's upload): one cheap query.
FRESH_CHECK_SECONDS = 3
# Above this many incidents the corroboration rule's pairs are looked for when an editor asks:
# among a million ACLED-shaped incidents that takes seconds and proposes millions of pairs.
PAIRS_ON_REQUEST = 200_000


@dataclasses.dataclass
class ViewState:
    """What a session remembers between reruns besides its widgets' values."""

    restored: bool = False  # the URL's view has been put into the widgets
    focus_on_open: bool = False  # centre the map on the incident a link opened
    focus: tuple | None = None  # (lat, lon, zoom, count) of the last "show on map"
    last_click: object = None  # token of the last map click handled
    map_clicked: str | None = None  # an incident the browser has ringed itself (a click)
    layer: dict | None = None  # what the incident layer sent last (_layer_selection)
    table_ids: list = dataclasses.field(default_factory=list)  # ids of the table's rows, in order
    opened_view: tuple | None = None  # (lat, lon, zoom) the map opened at
    map_made_at: tuple | None = None  # the focus the map was made at (map_panel)
    map_view: tuple | None = None  # (lat, lon, zoom) the user moved the map to: for the URL
    whole_page: bool = False  # every run draws the sections below the map (page_ready)
    partial_at: float | None = None  # when a first page began waiting for its map (watch_store)


def view_state():
    """This session's ViewState."""
    return st.session_state.setdefault(K_VIEW, ViewState())

_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:&"})


def escape_markdown(text):
    """Text shown literally where Streamlit renders Markdown (button labels, alerts).

    Untrusted text must not become a link or an image: an image would make the browser
    request an outside URL.
    """
    return " ".join(str(text).split()).translate(_MARKDOWN_SPECIALS)


# -- data -----------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _install_assets():
    return offline_assets.install()


@st.cache_resource(show_spinner=False)
def open_store(path):
    """The store at `path`: an SQLite file, or a postgresql:// URL (mapapp.store.open_store)."""
    return store_module.open_store(path)


def _store_stamp(path):
    """Changes whenever anything (another session, another process) commits to the store."""
    return open_store(path).version()


# cache_resource, not cache_data: the columns are shared read-only, and cache_data would
# unpickle a copy of them on every rerun.
@st.cache_resource(show_spinner=False, max_entries=2)
def _load_columns(path, stamp):
    with open_store(path).reading() as snapshot:
        return incident_columns.load(snapshot.db)


@st.cache_resource(show_spinner=False, max_entries=2)
def _map_data(path, stamp):
    """The map's files of this version of the store (mapapp.map_payload)."""
    _install_assets()
    from mapapp import map_payload

    return map_payload.MapData(_load_columns(path, stamp), functools.partial(incident_columns.read_rows, path))


@st.cache_resource(show_spinner=False, max_entries=2)
def _text_index(path, stamp):
    """The store's text index, brought up to date with this version of the store."""
    index = text_index(path)
    index.sync()
    return index


@st.cache_resource(show_spinner=False, max_entries=8)
def _mask(path, stamp, filters):
    """Which incidents pass these filters (a boolean array over the columns), kept: a click or
    another rerun with the same filters does not evaluate them again."""
    rowids = None
    if filters.text.strip():
        with st.spinner("Searching…"):
            rowids = _text_index(path, stamp).rowids(filters.text)
    return _load_columns(path, stamp).mask(filters, rowids)


@st.cache_resource(show_spinner=False, max_entries=2)
def _municipalities(path, stamp):
    """Each incident's municipality, in the columns' order (mapapp.municipalities)."""
    return assign_columns(path, _load_columns(path, stamp))


@st.cache_resource(show_spinner=False, max_entries=2)
def _events(path, stamp):
    """({report id: event id} of the reports joined by confirmed links, the positions of each
    event's reports in the columns, preferred first: best placed, then most precisely dated)."""
    store = open_store(path)
    event_of = corroboration.linked_events((a, b) for a, b, _ in store.links("confirmed"))
    columns = _load_columns(path, stamp)
    table = _position_of_rowid(path, stamp)
    ids = list(event_of)
    rowids = {identifier: store.rowid(identifier) for identifier in ids}

    def position(identifier):
        rowid = rowids.get(identifier)
        return None if rowid is None or rowid >= len(table) or table[rowid] < 0 else int(table[rowid])

    def preference(at):
        return (int(columns.geo_precision[at]), int(columns.date_end[at]) - int(columns.date_start[at]), at)

    return event_of, corroboration.groups(event_of, position, preference)


def _rule_inputs_key(columns):
    """A digest of what the corroboration rule reads of every incident (places, types, dates,
    sources), worked out once per columns."""
    def digest():
        return hashlib.blake2b(b"".join(a.tobytes() for a in (
            columns.rowid, columns.latitude, columns.longitude, columns.event_type, columns.geo_precision,
            columns.date_start, columns.date_end, columns.document)), digest_size=16).hexdigest()

    return columns.memo("rule inputs key", digest)


@st.cache_resource(show_spinner=False)
def _pairs_asked_for():
    """The rule-input digests whose pairs an editor asked for: every session then shows them."""
    return set()


@st.cache_resource(show_spinner=False, max_entries=2)
def _candidate_pairs(incidents_key, _columns):
    """The pairs of reports the corroboration rule links, kept while the incidents' places, types
    and dates stay as they are (a decision on a link changes the store, not them)."""
    return corroboration.column_pairs(_columns)


@st.cache_resource(show_spinner=False, max_entries=2)
def _proposals(path, stamp, incidents_key, _columns):
    """(how many links are proposed, the first MAX_PROPOSALS of them), kept per store state."""
    store = open_store(path)
    return corroboration.proposals(
        _candidate_pairs(incidents_key, _columns), store.links(), limit=patterns_ui.MAX_PROPOSALS,
        key_of=lambda ids: [store.rowid(i) or -1 for i in ids],
        id_of=lambda rowids: [store.incident_id(int(r)) for r in rowids],
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _municipality_counts(path, stamp, filters, events_once):
    """The per-municipality section's frame and counts for these filters, kept: other reruns
    (a click, a widget of another section) do not count again."""
    keep = _mask(path, stamp, filters)
    if events_once:
        keep = corroboration.collapse(keep, _events(path, stamp)[1])
    frame = stats.frame_from_columns(_load_columns(path, stamp), keep, _municipalities(path, stamp))
    return frame, patterns_ui.municipality_counts(frame)


@st.cache_resource(show_spinner=False, max_entries=2)
def _documents(path, stamp):
    """({document id: title} of every stored document, Store.uploads()), re-read when the store
    changed: counting an upload's incidents takes 50 ms at 100,000, too much for every rerun."""
    store = open_store(path)
    return {document["id"]: document["title"] for document in store.documents()}, store.uploads()


@st.cache_resource(show_spinner=False, max_entries=2)
def _position_of_rowid(path, stamp):
    return _load_columns(path, stamp).position_of_rowid()


class Loaded(NamedTuple):
    """What a run of the app reads from the store, each part re-read only when it changed."""

    store: BaseStore
    stamp: object  # the version of the store all of this was read from (_store_stamp)
    columns: incident_columns.IncidentColumns  # every incident, as columns
    titles: dict  # {document id: title}
    uploads: list  # Store.uploads()
    mask: Callable  # filters -> boolean array of the incidents that pass
    map_data: Callable  # () -> map_payload.MapData
    position: Callable  # incident id -> its row in the columns, or None
    incident_at: Callable  # row in the columns -> incident id, or None


def load_incidents():
    """The store and what the app shows of it (Loaded)."""
    path = str(db_path())
    stamp = _store_stamp(path)
    titles, uploads = _documents(path, stamp)
    store = open_store(path)

    def position(incident_id):
        found = store.rowid(incident_id)
        table = _position_of_rowid(path, stamp)
        if found is None or found >= len(table) or table[found] < 0:
            return None
        return int(table[found])

    def incident_at(pos):
        columns = _load_columns(path, stamp)
        if not isinstance(pos, int) or not 0 <= pos < len(columns):
            return None
        return store.incident_id(int(columns.rowid[pos]))

    return Loaded(
        store, stamp, _load_columns(path, stamp), titles, uploads,
        functools.partial(_mask, path, stamp), functools.partial(_map_data, path, stamp), position, incident_at,
    )


# -- URL <-> session state ------------------------------------------------------------------


def _current_params():
    return {key: st.query_params.get_all(key) for key in st.query_params}


def restore_from_url(columns):
    """On the first run of a session, put the URL's filters into the widgets' state."""
    view = view_state()
    if view.restored:
        return
    view.restored = True
    filters, incident = url_state.from_params(_current_params())
    filter_widgets.restore(filters, columns)
    moved = url_state.view_from_params(_current_params())
    if moved is not None:
        view.map_view = view.opened_view = moved
        view.focus = (*moved, 0)
    if incident:
        st.session_state[K_INCIDENT] = incident
        view.focus_on_open = True


def write_url(filters, incident):
    """Keep the URL equal to the view, so that a copied link reopens it: the filters, the open
    incident and, once the user moved the map, its centre and zoom."""
    params = url_state.to_params(filters, incident)
    # The paused playback frame (?play=month:2023-05-01) is written by the map itself
    # (assets/playback.js): kept as it is.
    if st.query_params.get("play"):
        params["play"] = st.query_params.get("play")
    if view_state().map_view is not None:
        params.update(url_state.view_params(view_state().map_view))
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if wanted != _current_params():
        st.query_params.from_dict(params)


# -- selection ------------------------------------------------------------------------------


def take_map_click(loaded):
    """Select the incident the user just clicked on the map (the map's value in session state).

    The browser sends the incident's position in the map's data (`pos`, with the name of that
    data's file, `base`): it knows no ids until it has fetched texts. Each click carries a
    fresh token, so clicking the same incident again re-opens it.
    """
    value = st.session_state.get(K_MAP) or {}
    properties = (value.get("last_active_drawing") or {}).get("properties") or {}
    token = properties.get("click")
    view = view_state()
    if not token or token == view.last_click:
        return
    incident_id = properties.get("id")
    if not incident_id and properties.get("base") == loaded.map_data().base_url:
        incident_id = loaded.incident_at(properties.get("pos"))
    if incident_id:
        view.last_click = token
        st.session_state[K_INCIDENT] = str(incident_id)
        view.map_clicked = str(incident_id)  # the browser has ringed it


def select_incident(incident_id):
    """Open an incident from a button or the table: the map goes to it too."""
    st.session_state[K_INCIDENT] = incident_id
    view_state().focus_on_open = True


def take_map_view():
    """Keep the map's centre and zoom once the user moved it (the map reports them)."""
    value = st.session_state.get(K_MAP) or {}
    center, zoom = value.get("center"), value.get("zoom")
    view = view_state()
    if not center or zoom is None or view.opened_view is None:
        return
    now = (float(center["lat"]), float(center["lng"]), float(zoom))
    opened = view.opened_view
    if round(now[2]) != round(opened[2]) or max(abs(now[0] - opened[0]), abs(now[1] - opened[1])) > 1e-4:
        view.map_view = now


def page_ready():
    """Whether this run draws the whole page, or only the sidebar, the map and the passage.

    A session's first page stops there until its map has drawn the incidents and reported its
    view: the browser loads the table's, the charts' and the uploads' code only when that run
    adds them, so the map's frame is not made and fed after all of it. Every later run draws
    the whole page (watch_store reruns a page whose map never reports).
    """
    view = view_state()
    view.whole_page = view.whole_page or st.session_state.get(K_MAP) is not None
    if not view.whole_page and view.partial_at is None:
        view.partial_at = time.monotonic()
    return view.whole_page


@st.fragment(run_every=FRESH_CHECK_SECONDS)
def watch_store(path, stamp):
    """Every few seconds, look whether the store changed since this page was drawn (another
    process imported, a colleague uploaded), or whether the page still waits for its map; if
    so, draw the page again. Filters, the open incident and the map's view are in session
    state, so they stay as they are."""
    view = view_state()
    waited = view.partial_at is not None and time.monotonic() - view.partial_at >= FRESH_CHECK_SECONDS
    if _store_stamp(path) != stamp or (waited and not view.whole_page):
        view.whole_page = True
        st.rerun()


def filter_sidebar(columns, titles, event_groups):
    """The filter widgets, drawn after the map from the state the map was drawn from."""
    filter_widgets.sidebar(columns, titles)
    st.sidebar.toggle(
        "Each event once", key=K_EVENTS_ONCE, disabled=not event_groups,
        help="Reports that an editor confirmed as one event (\"Same event in several sources\", below "
        "the table) count and show once: the best-placed report stands for them.",
    )


def close_incident():
    st.session_state[K_INCIDENT] = None


def focus_on(latitude, longitude, geo_precision):
    """Centre the map on an incident at the zoom its precision deserves."""
    from mapapp import map_build

    (lat, lon), zoom = map_build.focus_view(
        {"latitude": latitude, "longitude": longitude, "geo_precision": geo_precision}
    )
    view = view_state()
    count = (view.focus or (0, 0, 0, 0))[3] + 1
    view.focus = (lat, lon, zoom, count)


# -- panels ---------------------------------------------------------------------------------


def _layer_selection(data_key, selected):
    """(selection, redraw) to send with the incident layer, such that the map is redrawn only
    when it must be.

    streamlit-folium re-runs the layer's script when it changes. A click on a marker rings it
    in the browser at once, so after a click the layer goes out as it was (an opened stack stays
    open). Any other change of the open incident (table, buttons, a link, Close) is sent, with
    `redraw` counted up where the script would otherwise be the same as the last one (the
    browser's ring is then at a clicked marker).
    """
    view = view_state()
    last = view.layer  # what was sent last: data, selection, redraw; and the ring shown
    clicked, view.map_clicked = view.map_clicked, None
    wanted = None if selected is None else selected["id"]
    redraw = 0
    if last is not None and last["data"] == data_key:
        if clicked is not None and clicked == wanted:
            last["ring"] = clicked
            return last["selection"], last["redraw"]
        if last["ring"] == wanted:
            return last["selection"], last["redraw"]
        redraw = last["redraw"] + 1
    view.layer = {"data": data_key, "selection": selected, "redraw": redraw, "ring": wanted}
    return selected, redraw


def map_panel(layer_args, selected):
    """The map: constant base, the filtered incidents as a layer updated in place.

    `layer_args` (MapData.layer_args) name the files the browser fetches and carry the
    filter's bits; `selected` is the open incident ({id, pos, lat, lon}) or None."""
    ring, redraw = _layer_selection(layer_args["mask"], selected)
    args = dict(layer_args, sel=ring)
    if redraw:
        args["redraw"] = redraw
    view = view_state()
    focus = view.focus
    # The map is made at the session's first focus (the opening view, or a link's incident),
    # not moved there: it reports its view once, not a second time for the move.
    view.map_made_at = view.map_made_at or focus
    center = zoom = None
    if focus and focus != view.map_made_at:
        lat, lon, zoom, count = focus
        # streamlit-folium moves the map only when centre or zoom differ from the last ones it
        # was given; a vanishing offset makes "show on map" work again after the user panned.
        # (Leaflet snaps the zoom to whole levels.)
        center = (lat + count * 1e-9, lon)
        zoom = zoom + (count % 2) * 1e-6
    # folium and streamlit-folium load on the first map drawn: importing this module stays quick.
    import streamlit_folium

    from mapapp import map_build

    # In a keyed container: page.css sizes this map's frame to the window.
    with st.container(key="mainmap"):
        streamlit_folium.st_folium(
            map_build.base_map(view=view.map_made_at and view.map_made_at[:3]),
            key=K_MAP,
            height=MAP_MIN_HEIGHT,
            use_container_width=True,
            # Centre and zoom come back too, for the URL: a pan reruns the page (cached parts only).
            returned_objects=["last_active_drawing", "center", "zoom"],
            feature_group_to_add=map_build.incident_layer(args),
            center=center,
            zoom=zoom,
        )
    st.caption(
        "Offline base map: outlines © Natural Earth; town names © GeoNames (CC BY 4.0). "
        "Online OpenStreetMap tiles only when ticked in the layer box."
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _document(path, document_id):
    """A document (possibly a whole uploaded file) read once, not on every rerun."""
    return open_store(path).document(document_id)


def passage_panel(store, incident_id, visible, event_of=None):
    """Beside the map: the open incident's source document with its passage highlighted, and
    the passages of the other reports of its event (`event_of`: corroboration.linked_events)."""
    st.markdown("##### Source passage")
    if not incident_id:
        st.info("Click an incident on the map (or select a row of the table) to read the passage "
                "of the source that reports it.")
        return
    incident = store.incident(incident_id)
    if incident is None:
        # The id comes from the URL: shown as plain text, so that a link in it stays text.
        st.warning("No incident with the id in this link is stored:")
        st.text(incident_id)
        return
    document = _document(str(store.path), incident.document_id)
    if not visible:
        st.caption("This incident is hidden by the current filters.")
    # Only the other incidents whose passages are in the excerpt shown: an upload can hold
    # a million incidents in one document.
    lo, hi = passage_view.excerpt_bounds(document.text, incident.passage_start, incident.passage_end)
    spans = store.other_spans(incident, lo, hi)
    st.html(passage_view.panel_html(incident, document, spans, PASSAGE_DOC_HEIGHT))
    # Constant script; the number only makes Streamlit run it again for another incident.
    token = zlib.crc32(incident.id.encode("utf-8"))
    st.html(f"{passage_view.SCROLL_SCRIPT}<!-- {token} -->", unsafe_allow_javascript=True)
    left, right = st.columns(2)
    left.button(
        "Show on map", key="focus_button", icon=":material/my_location:", width="stretch",
        on_click=focus_on, args=(incident.latitude, incident.longitude, incident.geo_precision),
    )
    right.button("Close", key="close_button", width="stretch", on_click=close_incident)
    patterns_ui.same_event_reports(store, incident.id, event_of or {})
    other_incidents_buttons(store, incident)


def other_incidents_buttons(store, incident):
    """Buttons opening the other incidents of the document: same passage first, then nearest."""
    total, same = store.count_others(incident)
    if not total:
        return
    st.caption(
        f"Also coded from this document: {total:,} incident(s)"
        + (f", {same} from the same passage" if same else "")
    )
    nearest = pd.DataFrame(
        store.nearest_others(incident, MAX_OTHER_BUTTONS),
        columns=["id", "date_start", "date_end", "date_precision", "description"],
    )
    for row in nearest.itertuples():
        date = labels.date_label(_iso(row.date_start), _iso(row.date_end), row.date_precision)
        label = f"{date} · {row.description}"
        if len(label) > 90:
            label = label[:87] + "…"
        st.button(
            escape_markdown(label), key=f"other-{row.id}", width="stretch",
            on_click=select_incident, args=(row.id,),
        )
    if total > MAX_OTHER_BUTTONS:
        st.caption(f"… and {total - MAX_OTHER_BUTTONS:,} more (see the table).")


def _iso(text):
    return dt.date.fromisoformat(text) if isinstance(text, str) and text else None


def timeline_chart(counts, unit):
    """Stacked bars per period, coloured as on the map (Vega-Lite, bundled with Streamlit)."""
    import altair as alt

    from mapapp.map_build import TYPE_COLOURS

    long = counts.reset_index(names=unit).melt(id_vars=unit, var_name="event type", value_name="incidents")
    types = list(counts.columns)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(f"{unit}:O", title=unit, sort=list(counts.index), axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("incidents:Q", title="incidents", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "event type:N",
                scale=alt.Scale(domain=types, range=[TYPE_COLOURS[t] for t in types]),
                legend=alt.Legend(orient="right", title=None),
            ),
            tooltip=[f"{unit}:O", "event type:N", "incidents:Q"],
        )
        .properties(height=170)
    )


def timeline_panel(columns, keep):
    """Incidents per week/month/year by type, following the filters (counted on the server)."""
    counts, unit = timeline.counts_from_columns(columns, keep)
    undated = int(np.count_nonzero(keep & columns.undated))
    st.markdown("##### Timeline")
    if counts.empty:
        st.caption("No dated incident under the current filters.")
    else:
        st.altair_chart(timeline_chart(counts, unit), width="stretch")
    if undated:
        st.caption(f"{undated} undated incident(s) are not in the timeline.")


# Rows per page of the table: the browser receives every row it lists, and a million
# incidents would be hundreds of megabytes. The map and the downloads have them all.
TABLE_ROWS = 2_000
K_PAGE = "table_page"

BORDER_DISTANCE_HELP = (
    "Distance from the Kosovo–Serbia boundary line (Natural Earth 1:10m, about ±1 km). "
    "None for a country-level place: its point is only where the country's label goes."
)
_TABLE_FIELDS = ("id", "date_start", "date_end", "date_precision", "event_type", "sub_event_type",
                 "location", "geo_precision", "border_distance_km", "description", "source")


def table_frame(rows):
    """Incident rows (read_rows with _TABLE_FIELDS) as shown in the table (labels, not codes)."""
    starts = pd.to_datetime(rows["date_start"].replace("", None), format="ISO8601")
    ends = pd.to_datetime(rows["date_end"].replace("", None), format="ISO8601")
    return pd.DataFrame({
        "id": rows["id"],
        "date": [labels.date_label(a, b, p) for a, b, p in zip(starts, ends, rows["date_precision"])],
        "type": [labels.type_label(t, s) for t, s in zip(rows["event_type"], rows["sub_event_type"])],
        "location": [labels.place_label(n, p) for n, p in zip(rows["location"], rows["geo_precision"])],
        "km to boundary": pd.to_numeric(rows["border_distance_km"]).astype(float),
        "description": rows["description"],
        "source": rows["source"],
    })


def _on_table_select():
    rows = st.session_state["table"].selection.rows
    ids = view_state().table_ids
    if rows and rows[0] < len(ids):
        select_incident(ids[rows[0]])


def table_and_downloads(store, columns, keep):
    """The filtered incidents in a table, a page at a time, and all of them as CSV / GeoJSON."""
    st.markdown("##### Incidents")
    rowids = columns.rowid[keep]
    pages = max(1, -(-len(rowids) // TABLE_ROWS))
    page = 1
    if pages > 1:
        if st.session_state.get(K_PAGE, 1) > pages:
            st.session_state[K_PAGE] = 1
        left, right = st.columns([1, 4])
        page = left.number_input("Page", min_value=1, max_value=pages, step=1, key=K_PAGE)
        first = (page - 1) * TABLE_ROWS
        right.caption(
            f"Rows {first + 1:,}–{min(first + TABLE_ROWS, len(rowids)):,} of {len(rowids):,} incidents "
            f"(oldest first), {TABLE_ROWS:,} per page. The downloads hold all of them."
        )
    shown = rowids[(page - 1) * TABLE_ROWS: page * TABLE_ROWS]
    # A row another process rewrote since this run read the store's version (a correction gives
    # the incident a new rowid) is left out: the run the store watcher starts next shows it.
    rows = incident_columns.read_rows(str(store.path), shown, _TABLE_FIELDS, missing="drop")
    view_state().table_ids = rows["id"].tolist()
    st.dataframe(
        table_frame(rows), hide_index=True, key="table",
        on_select=_on_table_select, selection_mode="single-row",
        column_config={
            # Wide enough for an upload's ids (upload-9e7fd4ab08130463-row12) to show whole.
            "id": st.column_config.TextColumn(width=240),
            "km to boundary": st.column_config.NumberColumn(format="%.1f", help=BORDER_DISTANCE_HELP),
            "description": st.column_config.TextColumn(width="large"),
        },
    )
    path = str(store.path)
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "Download CSV", data=lambda: export.to_csv(incident_columns.contract_records(path, rowids)),
        file_name="incidents.csv", mime="text/csv", on_click="ignore", icon=":material/download:",
    )
    right.download_button(
        "Download GeoJSON", data=lambda: export.to_geojson(incident_columns.contract_records(path, rowids)),
        file_name="incidents.geojson", mime="application/geo+json", on_click="ignore",
        icon=":material/download:",
    )


_PAGE_CSS = (PACKAGE_DIR / "assets" / "page.css").read_text(encoding="utf-8")


def main():
    """Run the page; a fault of the store (or another expected error) is shown in one line,
    without a traceback or the server's paths."""
    try:
        _page()
    except StoreError as err:
        st.error(f"The incident store cannot be used: {err.public}.")
    except sqlite3.Error as err:  # a fault met outside Store (the columns, the search index)
        st.error(f"The incident store cannot be read: {err}.")
    except MapAppError as err:
        st.error(str(err))


@st.cache_resource(show_spinner=False)
def _gazetteer():
    from mapapp.geocoders import get_geocoder

    return get_geocoder("gazetteer")


def _sign_in_configured():
    return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)


def current_person():
    """Who this session acts for now, or None (not signed in, or no role): read from the sign-in
    and the [roles] config on every call, so that a role taken away counts at once."""
    if not _sign_in_configured():
        return LOCAL if auth.is_local_address(st.get_option("server.address")) else None
    if not st.user.is_logged_in:
        return None
    return auth.RoleMap.from_config(st.secrets.get("roles", {})).person(st.user.to_dict())


def signed_in():
    """The person this session acts for, or None when the page shows only sign-in.

    With `[auth]` in secrets.toml, users sign in with Streamlit's OpenID Connect login and get
    the role `[roles]` gives them (mapapp.auth). Without it there is one local user with every
    right, and the app refuses to serve beyond this machine."""
    person = current_person()
    if not _sign_in_configured():
        if person is None:
            st.error("Without sign-in (an [auth] section in secrets.toml) the app serves this machine only: "
                     "start it with --server.address localhost, or configure sign-in (see the README).")
        return person
    if not st.user.is_logged_in:
        st.markdown("**Incidents in northern Kosovo and the Kosovo–Serbia border zone**")
        st.button("Sign in", key="sign_in", type="primary", on_click=st.login)
        return None
    if person is None:
        st.error("Your account has no role in this app: ask an admin to add you.")
        st.button("Sign out", key="sign_out", on_click=st.logout)
        return None
    st.sidebar.caption(f"Signed in as {person.name} · {person.role}")
    st.sidebar.button("Sign out", key="sign_out", on_click=st.logout)
    return person


def _page():
    """One run of the page (Streamlit reruns it on every interaction)."""
    st.set_page_config(
        # No page_icon: a Material icon or an emoji favicon would be fetched from a CDN.
        page_title="Incident map · northern Kosovo", layout="wide",
        initial_sidebar_state="expanded",
    )
    st.html(f"<style>{_PAGE_CSS}</style>")
    person = signed_in()
    if person is None:
        return
    _install_assets()
    loaded = load_incidents()
    # Every write of this session is checked against the role its person has at the moment of
    # writing: a callback of a button rendered earlier runs before this page's sign-in check.
    store, columns = loaded.store.acting(current_person), loaded.columns
    restore_from_url(columns)
    take_map_click(loaded)
    take_map_view()

    count_slot = st.sidebar.empty()
    # The filters as the widgets' state has them: the widgets are drawn after the map, so that
    # the browser makes the map's frame before it loads the widgets' code (see filter_sidebar).
    filters = filter_widgets.current(columns)
    # The version the page is drawn from, read once: a commit made while this run goes on is
    # seen by watch_store, which compares the store with it.
    path, stamp = str(store.path), loaded.stamp
    event_of, event_groups = _events(path, stamp)
    events_once = bool(st.session_state.get(K_EVENTS_ONCE, False))
    keep = loaded.mask(filters)
    shown = int(np.count_nonzero(keep))
    fatalities = columns.total_fatalities(keep)
    if events_once:
        reports, keep = shown, corroboration.collapse(keep, event_groups)
        shown = int(np.count_nonzero(keep))
        count_slot.markdown(f"**{shown:,} events** ({reports:,} of {len(columns):,} reports)")
    else:
        count_slot.markdown(f"**{shown:,} of {len(columns):,} incidents · {fatalities:,} fatalities**")
    view = view_state()
    if view.opened_view is None:
        from mapapp import map_build

        # The opening view fits the incidents shown (a link's moved view was taken above);
        # that of all of them, the usual first page, is worked out once per store version.
        every = shown == len(columns)
        rows = slice(None) if every else keep

        def fit():
            return map_build.fit_view(columns.latitude[rows], columns.longitude[rows], columns.geo_precision[rows])

        view.opened_view = columns.memo("opening view", fit) if every else fit()
        if view.focus is None:
            view.focus = (*view.opened_view, 0)

    incident_id = st.session_state.get(K_INCIDENT)
    incident = store.incident(incident_id) if incident_id else None
    position = loaded.position(incident_id) if incident is not None else None
    selected = None
    if incident is not None:
        selected = {"id": incident.id, "pos": -1 if position is None else position,
                    "lat": incident.latitude, "lon": incident.longitude}
        if view_state().focus_on_open:
            view_state().focus_on_open = False
            focus_on(incident.latitude, incident.longitude, incident.geo_precision)

    st.markdown(
        f"**Incidents in northern Kosovo and the Kosovo–Serbia border zone** · "
        f"{shown:,} incidents, {fatalities:,} fatalities" + ("" if shown == len(columns) else f" (of {len(columns):,})")
    )
    map_column, passage_column = st.columns([3, 2], gap="medium")
    with map_column:
        map_panel(loaded.map_data().layer_args(keep), selected)
        under_map = st.container()
    filter_sidebar(columns, loaded.titles, event_groups)
    with passage_column:
        if not person.may("correct"):
            correction_ui.stale_messages()
        passage_panel(store, incident_id, position is not None and bool(keep[position]), event_of)
        if incident is not None:
            correction_ui.history_section(store, incident, person)
            if person.may("correct"):
                document = _document(str(loaded.store.path), incident.document_id)
                correction_ui.correction_form(store, incident, document.text, _gazetteer().resolve)
    if not page_ready():
        write_url(filters, incident_id)
        watch_store(path, stamp)
        return
    with under_map:
        patterns_ui.hand_on_downloads(path, columns.rowid[keep], filters, incident_id, view_state().focus)
    timeline_panel(columns, keep)
    table_and_downloads(store, columns, keep)
    patterns_ui.municipality_section(*_municipality_counts(path, stamp, filters, events_once))
    if person.may("correct"):  # deciding links is an editor's write
        rule_key = _rule_inputs_key(columns)
        if len(columns) <= PAIRS_ON_REQUEST or rule_key in _pairs_asked_for():
            patterns_ui.links_section(store, *_proposals(path, stamp, rule_key, columns))
        else:
            patterns_ui.links_on_request(len(columns), lambda: _pairs_asked_for().add(rule_key))
    # Below the table: its preview tables need the page's width. A commit reruns the page,
    # and the store's changed file stamp makes load_incidents read the new incidents.
    # (Imported here: the import and report code load with the first page, not with this module.)
    from mapapp.report_ui import report_section
    from mapapp.upload_ui import upload_section, uploads_section

    if person.may("add"):
        upload_section(store)
        report_section(store)
    if person.may("remove"):
        uploads_section(store, loaded.uploads)
    if person.may("audit"):
        correction_ui.audit_section(store)
    write_url(filters, incident_id)
    watch_store(path, stamp)
