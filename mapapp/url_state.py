"""The view in the URL: Filters (and the open incident) to query parameters and back.

Each filter's declaration (filters.FILTERS) says how its value is written and read; this
module only adds the open incident. Only what differs from the default view is written, so
the plain URL shows everything. Lists become repeated keys (`?type=Battles&type=Riots`).
Reading is forgiving: a link edited by hand with a bad date or an unknown type opens the app
with that part ignored, never with an error.
"""

from mapapp.filters import MAX_TEXT, Filters

__all__ = ["INCIDENT", "MAX_TEXT", "from_params", "to_params"]

INCIDENT = "incident"


def to_params(filters, incident=None):
    """{name: str or [str]} for st.query_params: only the filters that are set."""
    params = {}
    for declaration in filters.declarations:
        params.update(declaration.to_params(filters))
    if incident:
        params[INCIDENT] = str(incident)
    return params


def from_params(params, filters_class=Filters):
    """(Filters, incident id or None) from {name: str or [str]}; bad values are ignored."""
    lists = {key: [value] if isinstance(value, str) else [str(v) for v in value] for key, value in params.items()
             if value is not None}
    values = {}
    for declaration in filters_class.declarations:
        values.update(declaration.from_params(lists))
    incident = (lists.get(INCIDENT, [""])[0] if lists.get(INCIDENT) else "").strip() or None
    return filters_class(**values), incident
