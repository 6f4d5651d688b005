"""The sidebar's filter widgets, drawn from the declarations in filters.FILTERS (Streamlit).

Two functions per kind of widget, named by a declaration's ``widget``: one reads its value
from session state (``current`` gives the Filters before any widget is drawn), one draws it
(``sidebar``). A widget's session-state key is ``f_<field name>``; its value goes back into
Filters through the declaration's ``from_widget``, and comes from a URL through its
``widget_state``.
"""

import streamlit as st

from mapapp.filters import Filters

# Widget keys whose value the code set in session state and no drawn widget has carried to the
# browser yet (see _drawn).
_UNSENT = "_filter_values_unsent"


def state_key(declaration):
    """The session-state key of a declaration's widget."""
    return f"f_{declaration.name}"


def _put(key, value):
    """Set a widget's value in session state; the widget's next draw shows it (see _drawn)."""
    st.session_state[key] = value
    st.session_state.setdefault(_UNSENT, set()).add(key)


def _drawn(declaration, draw):
    """``draw(value)`` the declaration's widget with its state's value, carrying to the browser a
    value the code set.

    Streamlit sends a value set in session state along with its widget only in the run that
    set it. A session's first run sets the defaults before the map and draws the widgets after
    it; when that run stops for a rerun in between (the map reported its view), the browser
    would keep showing what it had, and send that back with the next run. Setting the value
    again in the run that draws the widget sends it along. (Each widget is also drawn with its
    state's value as its default: a browser that builds it from a later run's message, the
    value not sent with it, shows that default.)"""
    key = state_key(declaration)
    unsent = st.session_state.get(_UNSENT, set())
    if key in unsent and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    drawn = draw(st.session_state.get(key))
    unsent.discard(key)
    return drawn


def restore(filters, columns):
    """Put the filters read from a URL into the widgets' state (first run of a session);
    ``columns`` (mapapp.columns.IncidentColumns) are the incidents the widgets offer."""
    for declaration in filters.declarations:
        value = declaration.widget_state(filters, columns)
        if value is not None:
            _put(state_key(declaration), value)


def current(columns, filters_class=Filters):
    """The Filters the widgets' state describes, without drawing a widget: the page draws its
    map from them before the sidebar, so that the browser gets the map first. The state is
    made valid for ``columns`` on the way (a default for a widget not drawn yet, a data span
    that grew, a choice no longer offered), exactly as the widgets then show it."""
    defaults = filters_class()
    return _described(filters_class, columns, lambda d, chosen: _VALUES[d.widget](d, columns, chosen, defaults))


def sidebar(columns, titles, filters_class=Filters):
    """The filter widgets; returns the Filters they describe (those `current` gives).
    `titles` is {document id: title}."""
    current(columns, filters_class)
    st.sidebar.header("Filters")

    def draw(declaration, chosen):
        widget = _WIDGETS[declaration.widget]
        return _drawn(declaration, lambda value: widget(declaration, columns, titles, chosen, value))

    return _described(filters_class, columns, draw)


def _described(filters_class, columns, value):
    """The Filters of each declaration's widget value, ``value(declaration, chosen)``, taken in
    order: ``chosen`` holds the values before it (a widget's options may depend on them)."""
    values, chosen = {}, {}
    for declaration in filters_class.declarations:
        chosen[declaration.name] = value(declaration, chosen)
        values.update(declaration.from_widget(chosen[declaration.name], columns))
    return filters_class(**values)


def _state(declaration, columns, chosen, defaults):
    """The widget's value in session state, set to the default filters' value if it has none."""
    key = state_key(declaration)
    if key not in st.session_state:
        _put(key, declaration.widget_state(defaults, columns))
    return st.session_state[key]


def _follow_span(key, lo, hi):
    """Keep a range slider that shows everything showing everything when the data's span
    changes (an import adds later incidents); an edge the user moved stays where it is."""
    span_key = f"_{key}_span"
    old, value = st.session_state.get(span_key), st.session_state.get(key)
    if old is not None and value is not None and old != (lo, hi):
        if isinstance(value, tuple):
            start = lo if value[0] <= old[0] else min(max(value[0], lo), hi)
            end = hi if value[1] >= old[1] else max(min(value[1], hi), start)
            _put(key, (start, end))
        else:
            _put(key, hi if value >= old[1] else min(max(value, lo), hi))
    st.session_state[span_key] = (lo, hi)


def _date_range_value(declaration, columns, chosen, defaults):
    lo, hi = columns.date_span()
    if lo is None or not lo < hi:
        return None
    _follow_span(state_key(declaration), lo, hi)
    return _state(declaration, columns, chosen, defaults)


def _date_range(declaration, columns, titles, chosen, value):
    key = state_key(declaration)
    lo, hi = columns.date_span()
    if lo is not None and lo < hi:
        value = st.sidebar.slider(
            declaration.label, min_value=lo, max_value=hi, value=value, key=key, format="YYYY-MM-DD",
        )
        # Over hundreds of days a pixel of the slider is days: the same range can be typed.
        typed = f"{key}_typed"
        st.session_state[typed] = value

        def take_typed():
            chosen = st.session_state[typed]
            if isinstance(chosen, (tuple, list)) and len(chosen) == 2:
                start, end = max(lo, min(chosen[0], hi)), min(hi, max(chosen[1], lo))
                _put(key, (start, max(start, end)))

        st.sidebar.date_input(
            "or type the first and last day", key=typed, min_value=lo, max_value=hi, format="YYYY-MM-DD",
            on_change=take_typed,
        )
        return value
    if lo is not None:
        st.sidebar.caption(f"All dated incidents are on {lo.isoformat()}.")
    return None


def _toggle(declaration, columns, titles, chosen, value):
    return st.sidebar.toggle(declaration.label, value=value, key=state_key(declaration))


def _multiselect_value(declaration, columns, chosen, defaults):
    key = state_key(declaration)
    options = declaration.widget_options(declaration.counts(columns), chosen)
    value = _state(declaration, columns, chosen, defaults)
    # A value no longer offered (its type deselected, its upload taken back) leaves the choice.
    if any(v not in options for v in value):
        value = [v for v in value if v in options]
        _put(key, value)
    return value


def _multiselect(declaration, columns, titles, chosen, value):
    key = state_key(declaration)
    counts = declaration.counts(columns)
    options = declaration.widget_options(counts, chosen)
    label = declaration.option_label
    return st.sidebar.multiselect(
        declaration.label, options, default=value, key=key, placeholder=declaration.placeholder,
        help=declaration.help,
        format_func=(lambda option: label(option, counts, titles)) if label else str,
    )


def _at_most_value(declaration, columns, chosen, defaults):
    _follow_span(state_key(declaration), 0.0, declaration.top(columns))
    return _state(declaration, columns, chosen, defaults)


def _at_most(declaration, columns, titles, chosen, value):
    return st.sidebar.slider(
        declaration.label, min_value=0.0, max_value=declaration.top(columns), value=value, step=1.0,
        key=state_key(declaration), format=declaration.format, help=declaration.help,
    )


def _text(declaration, columns, titles, chosen, value):
    return st.sidebar.text_input(
        declaration.label, value=value, key=state_key(declaration), max_chars=declaration.max_chars,
        help=declaration.help, placeholder="Zvečan, KFOR, XKX2301…",
    )


def _at_least(declaration, columns, titles, chosen, value):
    return st.sidebar.number_input(
        declaration.label, min_value=0, value=value, step=1, key=state_key(declaration), help=declaration.help,
    )


_WIDGETS = {
    "date_range": _date_range,
    "toggle": _toggle,
    "multiselect": _multiselect,
    "at_most": _at_most,
    "text": _text,
    "at_least": _at_least,
}

# How each kind of widget's value is read from session state (made valid first), before the
# widget is drawn.
_VALUES = {
    "date_range": _date_range_value,
    "toggle": _state,
    "multiselect": _multiselect_value,
    "at_most": _at_most_value,
    "text": _state,
    "at_least": _state,
}
