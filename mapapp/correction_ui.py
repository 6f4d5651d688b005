"""The Streamlit parts of corrections: the history under the passage panel ("corrected by … on …",
every version, undo), the correction form for editors, and the audit log for admins.

What is shown follows the person's role; every write goes through the store acting for that
person, which checks the role again (roles.NotAllowed), so a request that bypasses the page is
refused all the same.
"""

import datetime as dt

import streamlit as st

from mapapp.corrections import CORRECTABLE
from mapapp.errors import MapAppError
from mapapp.passage_select import passage_select
from mapapp.vocabulary import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, SUB_EVENT_TYPES

_LABELS = {
    "date_start": "first day", "date_end": "last day", "date_precision": "date precision",
    "location": "place", "latitude": "latitude", "longitude": "longitude", "geo_precision": "place precision",
    "event_type": "type", "sub_event_type": "sub-type", "description": "description",
    "passage_start": "passage start", "passage_end": "passage end",
    "border_distance_km": "distance to the boundary (km)", "passage": "passage",
    "note": "note", "source": "source", "actor1": "actor 1", "actor2": "actor 2", "fatalities": "fatalities",
    "admin1": "admin 1", "admin2": "admin 2",
}


def history_section(store, incident, person):
    """'Corrected by … on …' and the incident's versions; undo buttons for editors. A source's
    newer version that was not applied (the incident has corrections) is listed among them."""
    history = store.history(incident.id)
    if not history:
        return
    versions = [entry for entry in history if entry["kind"] == "correction"]
    if versions:
        last = versions[-1]
        st.caption(f"Corrected by {last['user']} on {last['at'][:10]} ({len(versions)} correction(s))")
    newer = len(history) - len(versions)
    if newer:
        st.caption(f"The source has {newer} newer version(s), not applied: the corrections stay (see the history).")
    with st.expander(f"History of this incident ({len(versions) + 1} versions)"):
        st.text("Version 1: as imported")
        number = 1
        for entry in history:
            if entry["kind"] == "source":
                st.text(f"Newer version from the source (#{entry['seq']}, not applied), imported by {entry['user']} "
                        f"at {entry['at']}: {entry['reason']}")
            else:
                number += 1
                what = "undo of correction #" + str(entry["undoes"]) if entry["undoes"] else "correction"
                st.text(f"Version {number} (#{entry['seq']}, {what}) by {entry['user']} at {entry['at']}: "
                        f"{entry['reason']}")
            for name, (old, new) in entry["fields"].items():
                if name != "passage":
                    st.text(f"    {_LABELS.get(name, name)}: {old!r} -> {new!r}")
            if entry["kind"] == "correction" and person.may("correct") and not entry["undone_by"]:
                st.button(
                    f"Undo #{entry['seq']}", key=f"undo-{entry['seq']}",
                    on_click=_undo, args=(store, entry["seq"]),
                )


def stale_messages():
    """What a write from an earlier page said, for a person who no longer sees the form that
    shows it (their role was taken away since): above all a refusal."""
    for key in ("_correction_message", "_link_error"):
        message = st.session_state.pop(key, None)
        if message:
            st.error(message[1] if isinstance(message, tuple) else message)


def _undo(store, seq):
    try:
        store.undo(seq)
        st.session_state["_correction_message"] = ("success", f"Correction #{seq} undone.")
    except MapAppError as err:
        st.session_state["_correction_message"] = ("error", f"Not undone: {err}")


def correction_form(store, incident, document_text, geocoder_search):
    """The editor's form: new values for any correctable field, and why. `geocoder_search`
    (query -> GeocodeResult or None) proposes places."""
    message = st.session_state.pop("_correction_message", None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])
    with st.expander("Correct this incident"):
        key = f"fix-{incident.id}-"
        values = {}
        left, right = st.columns(2)
        values["date_precision"] = left.selectbox(
            "Date precision", DATE_PRECISIONS, index=DATE_PRECISIONS.index(incident.date_precision), key=key + "dp"
        )
        values["date_start"] = right.date_input("First day", value=incident.date_start, key=key + "ds",
                                                min_value=dt.date(1990, 1, 1))
        values["date_end"] = right.date_input("Last day", value=incident.date_end, key=key + "de",
                                              min_value=dt.date(1990, 1, 1))
        if values["date_precision"] == "unknown":
            values["date_start"] = values["date_end"] = None
        values["event_type"] = left.selectbox(
            "Type", EVENT_TYPES, index=EVENT_TYPES.index(incident.event_type), key=key + "et"
        )
        subs = SUB_EVENT_TYPES[values["event_type"]]
        values["sub_event_type"] = left.selectbox(
            "Sub-type", subs, index=subs.index(incident.sub_event_type) if incident.sub_event_type in subs else 0,
            key=key + "st",
        )
        values.update(_place(incident, key, geocoder_search))
        values["description"] = st.text_area("Description", value=incident.description, key=key + "desc")
        values.update(_passage(incident, document_text, key))
        reason = st.text_input("Why (kept in the history)", key=key + "why")
        if st.button("Save correction", key=key + "save", type="primary"):
            changes = {
                name: value for name, value in values.items()
                if name in CORRECTABLE and value != getattr(incident, name)
            }
            try:
                seq = store.correct(incident.id, changes, reason)
            except MapAppError as err:
                st.error(f"Not saved: {err}")
            else:
                st.session_state["_correction_message"] = ("success", f"Saved as correction #{seq}.")
                st.rerun()


def _place(incident, key, geocoder_search):
    """Place name, point and precision: typed, or a gazetteer candidate for the name."""
    values = {}
    name = st.text_input("Place", value=incident.location, key=key + "loc")
    values["location"] = name
    point = (incident.latitude, incident.longitude, incident.geo_precision)
    if name.strip() and name != incident.location:
        found = geocoder_search(name)
        options = [found, *found.candidates] if found else []
        if options:
            labels = [f"{o.name} ({o.lat:.4f}, {o.lon:.4f}; {GEO_PRECISIONS[o.geo_precision]})" for o in options]
            choice = st.selectbox("Gazetteer places for this name", range(len(options)),
                                  format_func=labels.__getitem__, key=key + "cand")
            point = (options[choice].lat, options[choice].lon, options[choice].geo_precision)
        else:
            st.caption("No gazetteer place has this name: give the point below.")
    left, middle, right = st.columns(3)
    values["latitude"] = left.number_input("Latitude", value=float(point[0]), format="%.5f", key=key + f"lat{point}")
    values["longitude"] = middle.number_input("Longitude", value=float(point[1]), format="%.5f",
                                              key=key + f"lon{point}")
    precisions = list(GEO_PRECISIONS)
    values["geo_precision"] = right.selectbox(
        "Place precision", precisions, index=precisions.index(point[2]), format_func=GEO_PRECISIONS.get,
        key=key + f"gp{point}",
    )
    return values


def _passage(incident, document_text, key):
    """The passage: selected with the mouse in the document (passage_select), or given as
    character offsets; with the text it would read."""
    state = st.session_state
    stored = (incident.passage_start, incident.passage_end)
    if state.get(key + "stored") != stored:  # new, or saved or undone since: start from the store
        state[key + "stored"] = stored
        state[key + "ps"], state[key + "pe"] = stored
    # A new selection (the selector's value, from the browser) sets the offsets before anything
    # is drawn; offsets typed below afterwards win until the next selection.
    selected = state.get(key + "select")
    if selected and selected != state.get(key + "selected"):
        state[key + "selected"] = selected
        state[key + "ps"], state[key + "pe"] = int(selected["start"]), int(selected["end"])
    st.markdown("**Passage**: select other text in the document to make it the passage.")
    passage_select(
        document_text, int(state[key + "ps"]), int(state[key + "pe"]),
        chosen=(state[key + "ps"], state[key + "pe"]) != stored,
        key=key + "select",
    )
    left, right = st.columns(2)
    start = left.number_input("Passage starts at character", min_value=0, max_value=len(document_text) - 1,
                              step=1, key=key + "ps")
    end = right.number_input("Passage ends at character", min_value=1, max_value=len(document_text),
                             step=1, key=key + "pe")
    st.caption("Passage as it would read:")
    st.text(document_text[int(start):int(end)] if start < end else "(empty: the end must come after the start)")
    return {"passage_start": int(start), "passage_end": int(end)}


def audit_section(store):
    """The audit log (admins): who added, corrected or removed what, and when."""
    # A toggle, not an expander: an expander's content is built (and the log read) on every
    # rerun even while it is closed.
    if st.toggle("Audit log: who added, corrected or removed what", key="show_audit"):
        entries = store.audit_log(limit=1000)
        st.dataframe(entries, hide_index=True, width="stretch",
                     column_order=("at", "user", "action", "target", "detail"))
