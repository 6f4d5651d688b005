"""Narrowing the incidents: every filter declared once, in FILTERS.

A declaration says everything about one filter: its field(s) in ``Filters``, its URL key and
how the value is written to and read back from the URL, its sidebar widget (kind, label,
options; drawn by ``filter_widgets``) and how it narrows the incidents, both in a DataFrame
(``mask``: exports, the command line) and in the app's numpy columns (``column_mask``,
mapapp.columns). ``Filters``, ``url_state``, ``IncidentColumns.mask``, the sidebar and the
command line's options (``filter_options``) are built from FILTERS, so adding a filter is one
declaration (a filter on a column that ``IncidentColumns`` does not hold also needs that column
there).
"""

import dataclasses
import datetime as dt
import math
from collections.abc import Callable

from mapapp.incident import CONTRACT_COLUMNS
from mapapp.names import normalize
from mapapp.vocabulary import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, SUB_EVENT_TYPES

# numpy and pandas are imported inside the functions that use them: every command of
# `python -m mapapp` imports this module (for its options) and most commands never filter.

MAX_TEXT = 200  # characters of a text search kept from a URL, and typed in the box


# What a text search looks through: descriptions, passages, places, actors, sources and ids.
SEARCHED_COLUMNS = ("description", "passage", "location", "actor1", "actor2", "source", "id")


def fold_text(text):
    """Text as the search compares it: no case, accents or alphabet, punctuation as spaces
    ("Звечан", "ZVEČAN" and "Zveçan" are all "zvecan")."""
    return normalize(text)


def search_needles(text):
    """The folded forms a search looks for: the query itself, and the other spellings the
    gazetteer knows for the place it names exactly ("Leposaviq" also finds "Leposavić")."""
    folded = fold_text(text.strip())
    if not folded:
        return ()
    found = {folded}
    if any(char.isalpha() for char in folded):
        from mapapp.gazetteer import default_gazetteer

        found |= default_gazetteer().spellings(text)
    # A spelling that contains another ("leposavici" and "leposavic") finds nothing more.
    return tuple(sorted(term for term in found if not any(other != term and other in term for other in found)))


def searched_text(*values):
    """The text an incident is searched in, from the values of SEARCHED_COLUMNS (unfolded)."""
    return "\n".join(str(value) for value in values)


def incident_frame(rows):
    """A DataFrame of contract rows with real dtypes: dates as datetime64, numbers as floats."""
    # pandas is imported where a frame is made, not with the module: the command line builds its
    # options from FILTERS and starts faster without it.
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(CONTRACT_COLUMNS))
    for column in ("date_start", "date_end"):
        frame[column] = pd.to_datetime(frame[column].replace("", None), format="ISO8601")
    for column in ("latitude", "longitude", "border_distance_km"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    for column in ("geo_precision", "passage_start", "passage_end"):
        frame[column] = pd.to_numeric(frame[column]).astype(int)
    # Nullable whole numbers: an unknown count stays unknown, not 0.
    frame["fatalities"] = pd.to_numeric(frame["fatalities"]).astype("Int64")
    for column in ("note", "sub_event_type", "description", "source", "location", "passage",
                   "actor1", "actor2", "admin1", "admin2"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


# -- URL values: written only when set, read forgivingly (a bad value is ignored) ------------------


def _first(values):
    return values[0] if values else None


def _iso_date(value):
    try:
        return dt.date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def _km(value):
    try:
        km = float(value) if value else None
    except ValueError:
        return None
    return km if km is not None and math.isfinite(km) and km >= 0 else None


def _number(value):
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _codes(labels, wanted):
    """The codes of the wanted values among ``labels`` (values that are not there have none)."""
    index = {label: code for code, label in enumerate(labels)}
    return [index[value] for value in wanted if value in index]


def _short(text, limit=30):
    """Text cut to `limit` characters with an ellipsis, at a word's end where there is one in the
    second half: a document title in a narrow sidebar."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


# -- the kinds of filter -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Choice:
    """Incidents whose ``column`` is one of the chosen values (a multiselect; none chosen: all).

    ``values`` are the values a URL may name (None: any, and the widget offers those the
    incidents have); ``options(counts, chosen)`` those the widget offers otherwise, where
    ``counts`` are the incidents per value and ``chosen`` the values of the filters drawn
    before it; ``option_label(value, counts, titles)`` how the widget shows one.
    """

    name: str
    key: str
    column: str
    label: str
    placeholder: str
    values: tuple | None = None
    parse: Callable = str
    options: Callable | None = None
    option_label: Callable | None = None
    help: str | None = None
    widget = "multiselect"

    def fields(self):
        return [(self.name, tuple, ())]

    def to_params(self, filters):
        chosen = getattr(filters, self.name)
        return {self.key: [str(v) for v in chosen]} if chosen else {}

    def from_params(self, params):
        found = []
        for text in params.get(self.key, ()):
            try:
                value = self.parse(text)
            except ValueError:
                continue
            if str(value).strip() and (self.values is None or value in self.values):
                found.append(value)
        return {self.name: tuple(dict.fromkeys(found))}

    def mask(self, frame, filters):
        chosen = getattr(filters, self.name)
        return frame[self.column].isin(chosen) if chosen else None

    def column_mask(self, columns, filters, text_rowids):
        import numpy as np
        chosen = getattr(filters, self.name)
        if not chosen:
            return None
        codes, labels = columns.coded(self.column)
        return np.isin(codes, list(chosen) if labels is None else _codes(labels, chosen))

    def counts(self, columns):
        """{value: incidents} of the values the incidents have (for the widget; not to be changed)."""
        return columns.memo(("counts", self), lambda: self._counts(columns))

    def _counts(self, columns):
        import numpy as np
        codes, labels = columns.coded(self.column)
        found = np.bincount(codes, minlength=len(labels) if labels is not None else 0)
        return {(code if labels is None else labels[code]): int(n) for code, n in enumerate(found) if n}

    def widget_options(self, counts, chosen):
        if self.options:
            return list(self.options(counts, chosen))
        return list(self.values) if self.values is not None else sorted(counts)

    def widget_state(self, filters, columns):
        chosen = list(getattr(filters, self.name))
        if self.values is None:  # any value may come from a URL: keep those the data has
            present = set(self.counts(columns))
            chosen = [v for v in chosen if v in present]
        return chosen

    def from_widget(self, value, columns):
        return {self.name: tuple(value)}


@dataclasses.dataclass(frozen=True)
class DateRange:
    """Incidents whose date range overlaps [since, until]: a month-precise event of May 2023 is
    in a range starting 15 May. Undated incidents pass (the toggle decides on them)."""

    name: str
    keys: tuple  # (since key, until key)
    label: str
    widget = "date_range"

    def fields(self):
        return [("since", dt.date | None, None), ("until", dt.date | None, None)]

    def to_params(self, filters):
        params = {}
        for key, value in zip(self.keys, (filters.since, filters.until)):
            if value is not None:
                params[key] = value.isoformat()
        return params

    def from_params(self, params):
        since, until = (_iso_date(_first(params.get(key, ()))) for key in self.keys)
        return {"since": since, "until": until}

    def mask(self, frame, filters):
        import pandas as pd

        undated = frame["date_start"].isna()
        keep = None
        if filters.since is not None:
            keep = undated | (frame["date_end"] >= pd.Timestamp(filters.since))
        if filters.until is not None:
            until = undated | (frame["date_start"] <= pd.Timestamp(filters.until))
            keep = until if keep is None else keep & until
        return keep

    def column_mask(self, columns, filters, text_rowids):
        from mapapp.columns import day_number  # it needs pandas, which the module avoids (see incident_frame)

        undated = columns.undated
        keep = None
        if filters.since is not None:
            keep = undated | (columns.date_end >= day_number(filters.since))
        if filters.until is not None:
            until = undated | (columns.date_start <= day_number(filters.until))
            keep = until if keep is None else keep & until
        return keep

    def widget_state(self, filters, columns):
        lo, hi = columns.date_span()
        if lo is None:
            return None
        since = min(max(filters.since or lo, lo), hi)
        return since, max(min(filters.until or hi, hi), since)

    def from_widget(self, value, columns):
        lo, hi = columns.date_span()
        if value is None:
            return {"since": None, "until": None}
        start, end = value
        return {"since": start if start > lo else None, "until": end if end < hi else None}


@dataclasses.dataclass(frozen=True)
class Toggle:
    """Whether the incidents the ``column`` has no value for are kept (on by default)."""

    name: str
    key: str
    column: str
    label: str
    widget = "toggle"

    def fields(self):
        return [(self.name, bool, True)]

    def to_params(self, filters):
        return {} if getattr(filters, self.name) else {self.key: "0"}

    def from_params(self, params):
        value = _first(params.get(self.key, ()))
        return {self.name: value is None or value.strip().lower() not in ("0", "false", "no", "off")}

    def mask(self, frame, filters):
        return None if getattr(filters, self.name) else frame[self.column].notna()

    def column_mask(self, columns, filters, text_rowids):
        return None if getattr(filters, self.name) else ~columns.missing(self.column)

    def widget_state(self, filters, columns):
        return getattr(filters, self.name)

    def from_widget(self, value, columns):
        return {self.name: bool(value)}


@dataclasses.dataclass(frozen=True)
class AtMost:
    """Incidents whose ``column`` is at most the chosen number (a slider; at its top: no limit).
    Incidents without a value are left out as soon as a limit is set."""

    name: str
    key: str
    column: str
    label: str
    top: Callable  # IncidentColumns -> the slider's right end
    format: str
    help: str | None = None
    widget = "at_most"

    def fields(self):
        return [(self.name, float | None, None)]

    def to_params(self, filters):
        value = getattr(filters, self.name)
        return {} if value is None else {self.key: _number(value)}

    def from_params(self, params):
        return {self.name: _km(_first(params.get(self.key, ())))}

    def mask(self, frame, filters):
        value = getattr(filters, self.name)
        return None if value is None else frame[self.column] <= value

    def column_mask(self, columns, filters, text_rowids):
        import numpy as np
        value = getattr(filters, self.name)
        if value is None:
            return None
        with np.errstate(invalid="ignore"):  # NaN (no distance) compares False, as in the frame
            return columns.coded(self.column)[0] <= value

    def widget_state(self, filters, columns):
        value, top = getattr(filters, self.name), self.top(columns)
        return top if value is None else min(value, top)

    def from_widget(self, value, columns):
        return {self.name: None if value >= self.top(columns) else float(value)}


@dataclasses.dataclass(frozen=True)
class Search:
    """Incidents whose ``columns`` contain the text, ignoring case."""

    name: str
    key: str
    columns: tuple
    label: str
    max_chars: int = MAX_TEXT
    help: str | None = None
    widget = "text"

    def fields(self):
        return [(self.name, str, "")]

    def to_params(self, filters):
        text = getattr(filters, self.name).strip()
        return {self.key: text} if text else {}

    def from_params(self, params):
        return {self.name: (_first(params.get(self.key, ())) or "").strip()[: self.max_chars]}

    def mask(self, frame, filters):
        needles = search_needles(getattr(filters, self.name))
        if not needles:
            return None
        haystack = frame[self.columns[0]].astype(str)
        for column in self.columns[1:]:
            haystack = haystack + "\n" + frame[column].astype(str)
        return haystack.map(fold_text).map(lambda text: any(needle in text for needle in needles)).astype(bool)

    def column_mask(self, columns, filters, text_rowids):
        """The columns hold no text: the incidents that match come from the text index
        (mapapp.search) as the store's rowids."""
        import numpy as np
        if not getattr(filters, self.name).strip():
            return None
        if text_rowids is None:
            raise ValueError("a text filter needs the rowids that match it (mapapp.search)")
        return np.isin(columns.rowid, text_rowids)

    def widget_state(self, filters, columns):
        return getattr(filters, self.name)

    def from_widget(self, value, columns):
        return {self.name: value}


@dataclasses.dataclass(frozen=True)
class EitherChoice(Choice):
    """Incidents whose first or second column is one of the chosen values (actor 1 or 2)."""

    other: str = ""

    def mask(self, frame, filters):
        chosen = getattr(filters, self.name)
        return (frame[self.column].isin(chosen) | frame[self.other].isin(chosen)) if chosen else None

    def column_mask(self, columns, filters, text_rowids):
        import numpy as np
        chosen = getattr(filters, self.name)
        if not chosen:
            return None
        first, labels = columns.coded(self.column)
        second, _ = columns.coded(self.other)
        codes = _codes(labels, chosen)
        return np.isin(first, codes) | np.isin(second, codes)

    def _counts(self, columns):
        """{value: incidents naming it in either column}, most frequent first, without ""."""
        import numpy as np
        first, labels = columns.coded(self.column)
        second, _ = columns.coded(self.other)
        found = np.bincount(first, minlength=len(labels)) + np.bincount(second, minlength=len(labels))
        order = np.argsort(-found, kind="stable")
        return {labels[code]: int(found[code]) for code in order if found[code] and labels[code]}

    def widget_options(self, counts, chosen):
        return list(counts)  # most frequent first


@dataclasses.dataclass(frozen=True)
class AtLeast:
    """Incidents whose ``column`` is at least the chosen whole number (a number box; 0: no
    limit). Incidents without a value are left out as soon as a limit is set."""

    name: str
    key: str
    column: str
    label: str
    help: str | None = None
    widget = "at_least"

    def fields(self):
        return [(self.name, int | None, None)]

    def to_params(self, filters):
        value = getattr(filters, self.name)
        return {self.key: str(value)} if value else {}

    def from_params(self, params):
        value = (_first(params.get(self.key, ())) or "").strip()
        return {self.name: int(value) if value.isdigit() and int(value) > 0 else None}

    def mask(self, frame, filters):
        value = getattr(filters, self.name)
        return (frame[self.column] >= value).fillna(False).astype(bool) if value else None

    def column_mask(self, columns, filters, text_rowids):
        value = getattr(filters, self.name)
        return columns.coded(self.column)[0] >= value if value else None  # unknown is -1

    def widget_state(self, filters, columns):
        return getattr(filters, self.name) or 0

    def from_widget(self, value, columns):
        return {self.name: int(value) or None}


# -- the filters, in the order of the sidebar and the URL ------------------------------------------


def _sub_types(counts, chosen):
    types = chosen.get("event_types") or EVENT_TYPES
    return list(dict.fromkeys(s for t in types for s in SUB_EVENT_TYPES[t]))


def _counted(value, counts, titles):
    return f"{value} ({counts.get(value, 0):,})"


def _document_label(document_id, counts, titles):
    return f"{_short(titles.get(document_id, document_id))} ({counts.get(document_id, 0):,})"


def _whole(text):
    """A whole number written with digits only ("3"), else ValueError."""
    if not text.strip().isdigit():
        raise ValueError(f"expected a whole number, got {text!r}")
    return int(text)


def _stripped(text):
    return text.strip()


FILTERS = (
    DateRange("dates", keys=("since", "until"), label="Date range"),
    Toggle("include_undated", key="undated", column="date_start", label="Include undated incidents"),
    Choice(
        "event_types", key="type", column="event_type", label="Event type", placeholder="All types",
        values=EVENT_TYPES, option_label=_counted,
    ),
    Choice(
        "sub_event_types", key="sub", column="sub_event_type", label="Sub-event type",
        placeholder="All sub-types", values=frozenset(s for subs in SUB_EVENT_TYPES.values() for s in subs),
        options=_sub_types,
    ),
    Choice(
        "date_precisions", key="when", column="date_precision", label="Date precision",
        placeholder="Any precision", values=tuple(DATE_PRECISIONS), option_label=_counted,
        help="How exactly the source dates the incident: 'month' is a whole month, 'unknown' undated.",
    ),
    Choice(
        "geo_precisions", key="geo", column="geo_precision", label="Location precision",
        placeholder="Any precision", values=tuple(GEO_PRECISIONS), parse=_whole,
        option_label=lambda p, counts, titles: f"{p} · {GEO_PRECISIONS[p]}",
    ),
    AtMost(
        "max_border_km", key="border", column="border_distance_km",
        label="Border zone: km from the Kosovo–Serbia boundary", top=lambda columns: columns.border_max(),
        format="%.0f km",
        help="At the right end there is no limit. Country-level incidents have no distance to the "
        "boundary and are left out as soon as a limit is set.",
    ),
    Search("text", key="q", columns=SEARCHED_COLUMNS, label="Search",
           help="Descriptions, passages, places, actors, sources and ids; case, accents and alphabet "
           "do not matter (Zvecan = Zvečan = Звечан), and a place name also finds its other spellings."),
    EitherChoice(
        "actors", key="actor", column="actor1", other="actor2", label="Actor", placeholder="All actors",
        parse=_stripped, option_label=_counted,
        help="Incidents where the actor is actor 1 or actor 2, as the dataset names them. Type to search.",
    ),
    AtLeast(
        "min_fatalities", key="fatalities", column="fatalities", label="At least this many fatalities",
        help="0: every incident. Above 0, incidents with an unknown count are left out.",
    ),
    # Any id is read from a URL; the widget keeps those of documents the store has.
    Choice(
        "documents", key="doc", column="document_id", label="Source document", placeholder="All sources",
        parse=_stripped,
        option_label=_document_label,
        help="The report or uploaded file an incident comes from: compare datasets, or leave one out.",
    ),
)


def filters_class(declarations, name="Filters"):
    """A frozen dataclass with the fields of ``declarations`` and ``apply(frame)``."""

    def apply(self, frame):
        """The rows of `frame` that pass every filter, in their original order."""
        import pandas as pd

        keep = pd.Series(True, index=frame.index)
        for declaration in self.declarations:
            mask = declaration.mask(frame, self)
            if mask is not None:
                keep &= mask
        return frame[keep]

    fields = [
        (field, kind, dataclasses.field(default=default))
        for declaration in declarations for field, kind, default in declaration.fields()
    ]
    def column_mask(self, columns, text_rowids=None):
        """A boolean array over IncidentColumns: True where an incident passes every filter
        (the same rules as apply; the text filter's matches come as rowids, mapapp.search)."""
        import numpy as np
        keep = np.ones(len(columns), dtype=bool)
        for declaration in self.declarations:
            mask = declaration.column_mask(columns, self, text_rowids)
            if mask is not None:
                keep &= mask
        return keep

    return dataclasses.make_dataclass(
        name, fields, frozen=True,
        namespace={"apply": apply, "column_mask": column_mask, "declarations": tuple(declarations),
                   "__module__": __name__,
                   "__doc__": 'What the user narrowed the incidents to; empty tuples and None mean "no limit".'},
    )


Filters = filters_class(FILTERS)
