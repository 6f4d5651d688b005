"""The passage selector: the incident's document with its passage marked, in which an editor
selects other text with the mouse to make it the passage (a Streamlit component whose HTML, JS
and CSS are in components/passage_select/, served by Streamlit as they are, offline).

The page sends only an excerpt of a long document (an upload's document can hold a whole file's
notes): EXCERPT characters on each side of the span.
"""

import functools

from streamlit.components import v1 as components

from mapapp import PACKAGE_DIR

EXCERPT = 4_000


@functools.cache
def _component():
    # Declared on first use, in a script run: declared on import, outside one, Streamlit logs
    # a "missing ScriptRunContext" warning (`import mapapp.app` is to print nothing).
    return components.declare_component("passage_select", path=str(PACKAGE_DIR / "components" / "passage_select"))


def passage_select(document_text, start, end, chosen, key):
    """Show `document_text` around start..end with that span marked (`chosen`: it is the
    editor's new selection, not the stored passage); returns the last selection as
    {"start": s, "end": e} (offsets in the whole document), or None before any."""
    lo = max(0, start - EXCERPT)
    hi = min(len(document_text), end + EXCERPT)
    return _component()(
        text=document_text[lo:hi], offset=lo, cut_before=lo > 0, cut_after=hi < len(document_text),
        start=start, end=end, chosen=chosen, key=key, default=None,
    )
