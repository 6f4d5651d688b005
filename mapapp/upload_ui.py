"""The upload section of the app: file, format, column mapping, preview, then one commit;
and the list of uploaded files, any of which can be taken back.

The only module of the import that imports streamlit; everything it shows comes from
mapapp.ingest.importer, which the command line uses too. Text from the file (cells, column
names, the file name, reasons quoting them) reaches the page only through st.text,
st.dataframe and widget options, never as markdown or HTML.
"""

import dataclasses
import hashlib
import json
import math
import re

import pandas as pd
import streamlit as st
from streamlit import config as st_config

from mapapp import memory
from mapapp.errors import MapAppError, UnusableFile
from mapapp.ingest import mapping as column_mapping
from mapapp.ingest.importer import commit, inspect_upload, kept_note, plan_import, read_upload, value_choices
from mapapp.ingest.reading import ENCODING_NAMES, Limits
from mapapp.ingest.value_map import CODES, COUNTRY, PRECISION, CodeChoice, given_code
from mapapp.labels import SUB_TYPE_UNKNOWN, date_label, place_label, type_label
from mapapp.search import index_written
from mapapp.vocabulary import EVENT_TYPES, SUB_EVENT_TYPES

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_UNMAPPED = "—"
# Rows of the "to be added" preview: enough to check the mapping and the dates as read.
PREVIEW_ROWS = 200
# Rows of the rejected and duplicate tables: a wrong file can reject 100,000 rows, and every
# row shown is sent to the browser. The rejected-rows download has them all.
RESULT_ROWS = 1_000
# The preview map: its height, and the most incidents it shows (their data goes inline with it).
PREVIEW_MAP_HEIGHT = 340
PREVIEW_MAP_ROWS = 5_000
# Type words offered one by one in the value step; a file with more keeps the proposals for the rest.
VALUE_ROWS = 60
_NOT_MAPPED = ("", "")
# Every (event type, sub-event type) a word can become; sub-type "" is "sub-type unknown".
TYPE_CHOICES = [_NOT_MAPPED] + [
    (event, sub) for event in EVENT_TYPES for sub in (*SUB_EVENT_TYPES[event], "")
]


@dataclasses.dataclass
class UploadState:
    """What the upload section remembers between reruns besides its widgets' values."""

    generation: int = 0  # counts files added: the next file gets an empty uploader
    done: dict | None = None  # the last Add's counts, to say so once
    table: tuple | None = None  # (file id, Table) of the file in the uploader, read once
    values: tuple | None = None  # (inputs, value choices) of the value step
    plan: tuple | None = None  # (inputs, ImportPlan) shown in the preview


@dataclasses.dataclass
class UploadsState:
    """What the list of uploaded files remembers between reruns besides its widgets' values."""

    done: dict | None = None  # the last removal's counts, to say so once


def _state(key, kind=UploadState):
    return st.session_state.setdefault(f"_{key}", kind())


def upload_section(store, key="upload", expanded=False):
    """Render the "Add incidents from a CSV file" expander for `store`. Returns the number of
    incidents added or updated by a commit in this run (0 otherwise)."""
    state = _state(key)
    done, state.done = state.done, None
    with st.expander("Add incidents from a CSV file", expanded=expanded or bool(done)):
        st.markdown(
            "An ACLED export, a UCDP GED export, a CSV exported from this app, or your own log. "
            "Nothing is stored until you press **Add**; rejected rows can be downloaded with the reason."
        )
        if done:
            st.success(f"Added {done['added']} new incidents and updated {done['updated']}."
                       + (f" {kept_note(done['kept'])}." if done.get("kept") else ""))
        try:
            limits = Limits.from_env()
        except MapAppError as err:
            st.error("Uploads are off: the upload limit is set wrongly on the server.")
            st.text(str(err))
            return 0
        megabytes = max(1, math.ceil(limits.megabytes))
        # One setting for both limits: the uploader's (checked in the browser, and by the server
        # for every upload request) follows the importer's.
        if st_config.get_option("server.maxUploadSize") != megabytes:
            st_config.set_option("server.maxUploadSize", megabytes)
        uploaded = st.file_uploader(
            "CSV file", type=["csv", "txt", "tsv"], key=f"{key}-file-{state.generation}", max_upload_size=megabytes,
        )
        if uploaded is None:
            _forget(key)
            return 0
        return _review(store, key, uploaded, limits)


def _forget(key):
    """Drop what was read of a file that left the uploader: a 100,000-row table and its plan
    must not outlive it."""
    state = _state(key)
    state.table = state.plan = None


def uploads_section(store, uploads=None, key="uploads"):
    """Render the "Uploaded files" expander: every upload with its incident counts, and a way to
    take one back (its incidents go; the earlier versions it replaced return). Nothing is
    removed without ticking the confirmation first. `uploads` is store.uploads(), read by the
    caller when it keeps it between reruns."""
    if uploads is None:
        uploads = store.uploads()
    state = _state(key, UploadsState)
    done, state.done = state.done, None
    with st.expander(f"Uploaded files ({len(uploads)})", expanded=bool(done)):
        if done:
            st.success(
                f"Removed the upload: {done['removed']} incidents removed, "
                f"{done['restored']} earlier versions restored."
            )
        if not uploads:
            st.caption("No file has been uploaded into this store.")
            return
        st.dataframe(
            pd.DataFrame(uploads)[["title", "added", "incidents", "replaced", "id"]].rename(
                columns={"added": "added (UTC)", "incidents": "incidents citing it",
                         "replaced": "earlier versions it replaced"}
            ),
            hide_index=True,
        )
        titles = {
            upload["id"]: f"{upload['title']} · {upload['incidents']} incidents · {upload['id']}" for upload in uploads
        }
        chosen = st.selectbox("Upload to take back", list(titles), format_func=titles.get, key=f"{key}-choice")
        upload = next(upload for upload in uploads if upload["id"] == chosen)
        sure = st.checkbox(
            f"Remove its {upload['incidents']} incidents"
            + (f" and restore the {upload['replaced']} earlier versions it replaced" if upload["replaced"] else ""),
            key=f"{key}-sure-{chosen}",
        )
        if st.button("Remove this upload", disabled=not sure, key=f"{key}-remove"):
            try:
                with st.spinner("Removing the upload…"):
                    state.done = store.remove_upload(chosen)
            except MapAppError as err:
                st.error("Nothing was removed.")
                st.text(getattr(err, "public", str(err)))
                return
            st.rerun()


def _review(store, key, uploaded, limits):
    try:
        table = _read(key, uploaded, limits)
    except UnusableFile as err:
        st.error("This file cannot be imported; nothing was stored.")
        st.text(str(err))
        return 0
    info = inspect_upload(table)
    digest = table.sha256
    filename = uploaded.name
    delimiter = _DELIMITER_NAMES.get(info.delimiter, repr(info.delimiter))
    encoding = ENCODING_NAMES.get(info.encoding, info.encoding)
    st.text(f"Recognised as: {info.format_label} · {encoding} · {delimiter}-separated · {info.rows} rows")
    if info.preamble:
        st.text("Skipped above the header: " + " / ".join(line[:200] for line in info.preamble))
    mapping = values = None
    if info.format == "other":
        if info.problem:
            st.warning("This file looks like a known export with columns missing; map its columns yourself.")
            st.text(info.problem)
        mapping = _mapping_step(info, key, digest)
        problems = column_mapping.problems(mapping, info.header)
        if problems:
            st.warning("Choose the columns to read:")
            st.text("\n".join(problems))
            return 0
        values = _value_step(store, key, table, mapping)
    plan = _planned(store, key, filename, table, mapping, values)
    if plan is None:
        return 0
    _preview(plan, key, filename)
    count = len(plan.new) + len(plan.updated)
    label = f"Add {count} incident{'s' if count != 1 else ''}"
    if plan.kept:
        label += f" and list {len(plan.kept)} newer version{'s' if len(plan.kept) != 1 else ''} in the history"
    if st.button(label, type="primary", disabled=count == 0 and not plan.kept, key=f"{key}-add"):
        state = _state(key)
        try:
            with st.spinner(f"Adding {count} incidents…"):
                result = commit(plan, store)
        except MapAppError as err:
            st.error("Nothing was stored.")
            st.text(getattr(err, "public", str(err)))
            state.plan = None
            return 0
        with st.spinner("Indexing their texts for the search…"):
            index_written(store)
        state.done = result
        _forget(key)
        # The plan and the file's table are done with: the server gives their memory back.
        del plan, table
        memory.release()
        # A new key clears the uploader, so the finished file is not offered again.
        state.generation += 1
        st.rerun()
    return 0


def _read(key, uploaded, limits):
    """The uploaded file read into a Table once per upload (reading.read_table), kept while the
    file sits in the uploader: the page reruns on every click, and the mapping step and the
    plan both start from it."""
    state = _state(key)
    if state.table and state.table[0] == uploaded.file_id:
        return state.table[1]
    _forget(key)
    table = read_upload(uploaded.getvalue(), limits)
    state.table = (uploaded.file_id, table)
    return table


def _mapping_step(info, key, digest):
    """Selectboxes role -> column, pre-filled with the guess; returns {role: column or None}."""
    st.markdown("**Which column holds what?** The guess is pre-filled; choose — for a role the file does not have.")
    options = [_UNMAPPED, *info.header]
    mapping = {}
    columns = st.columns(2)
    for position, (role, label) in enumerate(column_mapping.ROLES.items()):
        guessed = info.guess.get(role)
        index = options.index(guessed) if guessed in options else 0
        with columns[position % 2]:
            choice = st.selectbox(label, options, index=index, key=f"{key}-map-{digest[:12]}-{role}")
        mapping[role] = None if choice == _UNMAPPED else choice
    return mapping


def _type_words(choice):
    event, sub = choice
    if not event:
        return "— not mapped: its rows are rejected"
    return f"{event} / {sub or SUB_TYPE_UNKNOWN}"


def _value_step(store, key, table, mapping):
    """One choice per distinct word of the type columns, and of the precision and country columns,
    pre-filled with what is remembered or proposed; returns the `values` of plan_import as chosen."""
    cache_key = (table.sha256, json.dumps(mapping, sort_keys=True), str(store.path), store.version())
    state = _state(key)
    if state.values and state.values[0] == cache_key:
        choices = state.values[1]
    else:
        choices = value_choices(table, mapping, store)
        state.values = (cache_key, choices)
    if not choices:
        return {}
    codes = [choice for choice in choices if isinstance(choice, CodeChoice)]
    choices = [choice for choice in choices if not isinstance(choice, CodeChoice)]
    chosen = _type_choices(key, table, choices) if choices else {}
    for role, heading in _CODE_HEADINGS.items():
        mine = [choice for choice in codes if choice.role == role]
        if mine:
            st.markdown(heading)
            chosen.update(_code_choices(key, table, role, mine))
    return chosen


# The value step's questions about the other coded columns (value_map.CodeChoice).
_CODE_HEADINGS = {
    PRECISION: "**What do the precision words mean?** Each word of the location precision column, with "
               "the precision proposed for it (remembered for your next file).",
    COUNTRY: "**Which country?** Each word of the country column. A row that names no place is put in "
             "its country; a point on the other side of the boundary is noted.",
}
_CODE_UNMAPPED = {PRECISION: "— not mapped: its rows are rejected", COUNTRY: "— not mapped: not used"}


def _code_choices(key, table, role, choices):
    """One selectbox per distinct word of a precision or country column; {entry: (code, "") or None}
    as value_map.given_code makes them."""
    options = ["", *CODES[role]]
    chosen = {}
    left, right = st.columns(2)
    for position, choice in enumerate(choices[:VALUE_ROWS]):
        with (left if position % 2 == 0 else right):
            st.text(f"{choice.value} · {choice.rows:,} row{'s' if choice.rows != 1 else ''}"
                    + (f" · {choice.origin}" if choice.origin else ""))
            picked = st.selectbox(
                f"{role} of word {position + 1}", options, index=options.index(choice.code),
                format_func=lambda code: CODES[role].get(code, _CODE_UNMAPPED[role]), label_visibility="collapsed",
                key=f"{key}-{role}-{table.sha256[:12]}-{hashlib.sha256(choice.value.encode()).hexdigest()[:12]}",
            )
        chosen.update([given_code(role, choice.value, picked)])
    if len(choices) > VALUE_ROWS:
        st.caption(f"{len(choices) - VALUE_ROWS:,} rarer words keep their proposals.")
    return chosen


def _type_choices(key, table, choices):
    """One selectbox per distinct word of the type columns; {value: (event, sub) or None}."""
    st.markdown(
        "**What do the type words mean?** Each word of the type column, with the ACLED event and "
        "sub-event type proposed for it (remembered for your next file). Choose *sub-type unknown* "
        "when the word does not say which kind."
    )
    chosen = {}
    left, right = st.columns(2)
    for position, choice in enumerate(choices[:VALUE_ROWS]):
        pair = (choice.event_type, choice.sub_event_type)
        with (left if position % 2 == 0 else right):
            # The word is the file's text: shown with st.text, never as a label's markdown.
            st.text(f"{choice.value} · {choice.rows:,} row{'s' if choice.rows != 1 else ''}"
                    + (f" · {choice.origin}" if choice.origin else ""))
            picked = st.selectbox(
                f"ACLED type of word {position + 1}", TYPE_CHOICES, index=TYPE_CHOICES.index(pair),
                format_func=_type_words, label_visibility="collapsed",
                key=f"{key}-value-{table.sha256[:12]}-{hashlib.sha256(choice.value.encode()).hexdigest()[:12]}",
            )
        chosen[choice.value] = picked if picked[0] else None
    if len(choices) > VALUE_ROWS:
        st.caption(f"{len(choices) - VALUE_ROWS:,} rarer words keep their proposed types.")
    return chosen


def _planned(store, key, filename, table, mapping, values=None):
    """The plan for this file and mapping, made once (with a progress bar) and kept while the
    store is unchanged, so reruns of the page do not geocode again. (The commit decides again
    inside its transaction; this is what the preview shows.)"""
    cache_key = (
        table.sha256, json.dumps(mapping, sort_keys=True), json.dumps(values, sort_keys=True), str(store.path),
        store.version(),
    )
    state = _state(key)
    if state.plan and state.plan[0] == cache_key:
        return state.plan[1]
    bar = st.progress(0.0, text="Checking rows and looking up places…")
    shown = [-1]

    def progress(done, total):
        percent = done * 100 // total
        if percent != shown[0]:  # at most a hundred updates, however long the file
            shown[0] = percent
            bar.progress(percent / 100, text=f"Checking rows and looking up places… {done} of {total}")

    try:
        plan = plan_import(table, filename, store, mapping=mapping, progress=progress, values=values)
    except UnusableFile as err:
        bar.empty()
        st.error("This file cannot be imported; nothing was stored.")
        st.text(str(err))
        return None
    bar.empty()
    state.plan = (cache_key, plan)
    return plan


def _preview(plan, key, filename):
    counts = plan.counts
    for column, (label, value) in zip(
        st.columns(4),
        (("New", counts["new"]), ("Duplicate", counts["duplicate"]), ("Updated", counts["updated"]),
         ("Rejected", counts["rejected"])),
    ):
        column.metric(label, value)
    if plan.kept:
        st.info(f"{kept_note(len(plan.kept))}: an editor's correction stays as it is; the file's version of "
                f"{', '.join(incident.id for incident in plan.kept[:5])}{' …' if len(plan.kept) > 5 else ''} "
                "is listed in the incident's history.")
    if plan.new or plan.updated:
        _preview_map(plan.new, plan.updated, key)
    for incidents, heading in ((plan.new, "To be added"), (plan.updated, "To be updated")):
        if incidents:
            shown = min(len(incidents), PREVIEW_ROWS)
            more = f" (the first {shown} of {len(incidents)})" if shown < len(incidents) else ""
            st.markdown(f"**{heading}**{more}, as they will be stored: check the dates and places.")
            st.dataframe(
                incident_table(incidents[:PREVIEW_ROWS]), hide_index=True,
                column_config={"km to boundary": st.column_config.NumberColumn(format="%.1f")},
            )
    if plan.rejected:
        st.markdown(f"**Rejected rows** (not stored){_first_of(plan.rejected)}, with the reason:")
        st.dataframe(result_table(plan.header, plan.rejected[:RESULT_ROWS]), hide_index=True)
        st.download_button(
            f"Download the {counts['rejected']} rejected rows (CSV)",
            data=plan.rejected_csv,
            file_name=f"{_safe_stem(filename)}-rejected.csv",
            mime="text/csv",
            key=f"{key}-rejected",
        )
    if plan.duplicates:
        rules = ", ".join(f"{n:,} by {rule}" for rule, n in plan.duplicates_by_rule.items())
        st.markdown(
            f"**Duplicates** (already stored, or repeated in the file; {rules}){_first_of(plan.duplicates)}. "
            "A row with an id is a duplicate only by its id; content decides only for rows without one:"
        )
        st.dataframe(result_table(plan.header, plan.duplicates[:RESULT_ROWS]), hide_index=True)
    if plan.possible:
        st.markdown(
            f"**Possible duplicates** (added as new: their ids differ, but an incident of another dataset "
            f"has the same date, type, place and description; review them){_first_of(plan.possible)}:"
        )
        st.dataframe(result_table(plan.header, plan.possible[:RESULT_ROWS]), hide_index=True)


def _preview_map(new, updated, key):
    """The incidents about to be added or updated on a small map, drawn by the main map's code
    (map_build, offline) with their data inline: where they will land, before Add. (`new` may
    be a batch view: only the incidents shown are made.)"""
    import streamlit_folium  # loaded with the first map, as in app.py

    from mapapp import map_build, standalone
    from mapapp.filters import incident_frame

    total = len(new) + len(updated)
    shown = list(new[:PREVIEW_MAP_ROWS]) + list(updated[: max(PREVIEW_MAP_ROWS - len(new), 0)])
    more = f" (the first {len(shown):,} of {total:,})" if len(shown) < total else ""
    st.markdown(f"**Where they will be**{more}: the incidents of this file as the map will show them.")
    frame = incident_frame(incident.as_row() for incident in shown)
    latitude, longitude, zoom = map_build.fit_view(
        frame["latitude"], frame["longitude"], frame["geo_precision"], size=(900, PREVIEW_MAP_HEIGHT))
    streamlit_folium.st_folium(
        map_build.base_map(tools=False),
        key=f"{key}-map",
        height=PREVIEW_MAP_HEIGHT,
        use_container_width=True,
        returned_objects=[],  # looking around the preview does not rerun the page
        feature_group_to_add=map_build.incident_layer(standalone.layer_args(frame)),
        center=(latitude, longitude),
        zoom=zoom,
    )


def _first_of(results):
    """' — the first 1,000 of 54,321' when a table shows only part of `results`."""
    if len(results) <= RESULT_ROWS:
        return ""
    return f" — the first {RESULT_ROWS:,} of {len(results):,}"


# How the importer's note names a place it looked up (importer._Planner._geocode).
_MATCHED = re.compile(
    r"Coordinates from [^:]+: '((?:[^'\\]|\\.)*)' matched '((?:[^'\\]|\\.)*)'( by a similar spelling)?")


def _place(incident):
    """The place as the preview shows it: as written, then what the geocoder took it for when
    that is not one of that place's names ("Лепосавић" is a name of Leposaviq), then its
    precision. A name matched only by a similar spelling is not called exact: the user checks it
    ("Lepozavic → Leposaviq? · similar spelling, check it")."""
    from mapapp.gazetteer import default_gazetteer
    from mapapp.names import normalize

    label = place_label(incident.location, incident.geo_precision)
    found = _MATCHED.search(incident.note)
    if found and found.group(3):
        return f"{incident.location} → {found.group(2)}? · similar spelling, check it"
    if found and normalize(found.group(1)) not in default_gazetteer().spellings(found.group(2)):
        written, _, precision = label.rpartition(" · ")
        label = f"{written} → {found.group(2)} (looked up) · {precision}"
    return label


def incident_table(incidents):
    """Incidents as the preview shows them: the dates and places in words, with their precision,
    the coordinates as stored and the note that says what was inferred."""
    return pd.DataFrame(
        [
            {
                "id": incident.id,
                "date": date_label(incident.date_start, incident.date_end, incident.date_precision),
                "type": type_label(incident.event_type, incident.sub_event_type),
                "place": _place(incident),
                "latitude": incident.latitude,
                "longitude": incident.longitude,
                "km to boundary": incident.border_distance_km,
                "description": incident.description,
                "note": incident.note,
            }
            for incident in incidents
        ],
        columns=["id", "date", "type", "place", "latitude", "longitude", "km to boundary", "description", "note"],
    )


def result_table(header, results):
    """Rows of the file with their row number and reason first, as a table of text."""
    names = _unique(["row", "reason", *header, *(f"extra_{k + 1}" for k in range(_extra(header, results)))])
    width = len(names) - 2
    records = [
        [result.row_number, result.reason, *result.values, *[""] * (width - len(result.values))]
        for result in results
    ]
    return pd.DataFrame(records, columns=names).astype({name: str for name in names[1:]})


def _extra(header, results):
    return max((len(result.values) - len(header) for result in results), default=0)


def _unique(names):
    seen = {}
    unique = []
    for name in names:
        label = name or "(no name)"
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def _safe_stem(filename):
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return re.sub(r"[^\w.-]+", "_", stem)[:60] or "upload"
