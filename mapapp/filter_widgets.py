"""The sidebar's filter widgets, drawn from the declarations in filters.FILTERS (Streamlit).

One function per kind of widget; a declaration's ``widget`` names its kind. A widget's
session-state key is ``f_<field name>``; its value goes back into Filters through the
declaration's ``from_widget``, and comes from a URL through its ``widget_state``.
"""

import streamlit as st

from mapapp.filters import Filters


def state_key(declaration):
    """The session-state key of a declaration's widget."""
    return f"f_{declaration.name}"


def restore(filters, columns):
    """Put the filters read from a URL into the widgets' state (first run of a session);
    ``columns`` (mapapp.columns.IncidentColumns) are the incidents the widgets offer."""
    for declaration in filters.declarations:
        value = declaration.widget_state(filters, columns)
        if value is not None:
            st.session_state[state_key(declaration)] = value


def sidebar(columns, titles, filters_class=Filters):
    """The filter widgets; returns the Filters they describe. `titles` is {document id: title}."""
    st.sidebar.header("Filters")
    values, chosen = {}, {}
    for declaration in filters_class.declarations:
        value = _WIDGETS[declaration.widget](declaration, columns, titles, chosen)
        chosen[declaration.name] = value
        values.update(declaration.from_widget(value, columns))
    return filters_class(**values)


def _follow_span(key, lo, hi):
    """Keep a range slider that shows everything showing everything when the data's span
    changes (an import adds later incidents); an edge the user moved stays where it is."""
    span_key = f"_{key}_span"
    old, value = st.session_state.get(span_key), st.session_state.get(key)
    if old is not None and value is not None and old != (lo, hi):
        if isinstance(value, tuple):
            start = lo if value[0] <= old[0] else min(max(value[0], lo), hi)
            end = hi if value[1] >= old[1] else max(min(value[1], hi), start)
            st.session_state[key] = (start, end)
        else:
            st.session_state[key] = hi if value >= old[1] else min(max(value, lo), hi)
    st.session_state[span_key] = (lo, hi)


def _date_range(declaration, columns, titles, chosen):
    key = state_key(declaration)
    lo, hi = columns.date_span()
    if lo is not None and lo < hi:
        _follow_span(key, lo, hi)
        value = st.sidebar.slider(declaration.label, min_value=lo, max_value=hi, key=key, format="YYYY-MM-DD")
        # Over hundreds of days a pixel of the slider is days: the same range can be typed.
        typed = f"{key}_typed"
        st.session_state[typed] = value

        def take_typed():
            chosen = st.session_state[typed]
            if isinstance(chosen, (tuple, list)) and len(chosen) == 2:
                start, end = max(lo, min(chosen[0], hi)), min(hi, max(chosen[1], lo))
                st.session_state[key] = (start, max(start, end))

        st.sidebar.date_input(
            "or type the first and last day", key=typed, min_value=lo, max_value=hi, format="YYYY-MM-DD",
            on_change=take_typed,
        )
        return value
    if lo is not None:
        st.sidebar.caption(f"All dated incidents are on {lo.isoformat()}.")
    return None


def _toggle(declaration, columns, titles, chosen):
    return st.sidebar.toggle(declaration.label, key=state_key(declaration))


def _multiselect(declaration, columns, titles, chosen):
    key = state_key(declaration)
    counts = declaration.counts(columns)
    options = declaration.widget_options(counts, chosen)
    # A value no longer offered (its type deselected, its upload taken back) leaves the choice.
    if any(value not in options for value in st.session_state.get(key, [])):
        st.session_state[key] = [value for value in st.session_state[key] if value in options]
    label = declaration.option_label
    return st.sidebar.multiselect(
        declaration.label, options, key=key, placeholder=declaration.placeholder, help=declaration.help,
        format_func=(lambda value: label(value, counts, titles)) if label else str,
    )


def _at_most(declaration, columns, titles, chosen):
    key = state_key(declaration)
    top = declaration.top(columns)
    _follow_span(key, 0.0, top)
    return st.sidebar.slider(
        declaration.label, min_value=0.0, max_value=top, step=1.0, key=key, format=declaration.format,
        help=declaration.help,
    )


def _text(declaration, columns, titles, chosen):
    return st.sidebar.text_input(
        declaration.label, key=state_key(declaration), max_chars=declaration.max_chars, help=declaration.help,
        placeholder="Zvečan, KFOR, XKX2301…",
    )


def _at_least(declaration, columns, titles, chosen):
    return st.sidebar.number_input(
        declaration.label, min_value=0, step=1, key=state_key(declaration), help=declaration.help,
    )


_WIDGETS = {
    "date_range": _date_range,
    "toggle": _toggle,
    "multiselect": _multiselect,
    "at_most": _at_most,
    "text": _text,
    "at_least": _at_least,
}
