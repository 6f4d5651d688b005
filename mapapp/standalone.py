"""The current view as one self-contained HTML file: opens offline in any browser, no server.

The map is the app's own (map_build.build_map: the same base map, incident layer and legend);
every script, style sheet and image it loads from /app/static/ is put inline, and a panel
beside it shows the clicked incident's passage. Incident text travels as inert JSON and is set
with textContent (mapapp/assets/standalone.js); the panel's HTML is an autoescaping template.
"""

import base64
import datetime as dt
import re

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from mapapp import PACKAGE_DIR, labels, map_build, offline_assets
from mapapp.errors import MapAppError

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
)
_SCRIPT = re.compile(r'<script src="(/app/static/[^"]+)"></script>')
_STYLE = re.compile(r'<link rel="stylesheet" href="(/app/static/[^"]+)"/?>')
_CSS_URL = re.compile(r"url\((images/[^)]+)\)")
_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}


class ExportError(MapAppError):
    """The map could not be put into one file (an asset it loads is missing)."""


def _asset(url):
    path = offline_assets.source_file(url)
    if path is None or not path.is_file():
        raise ExportError(f"the map loads {url!r}, which is not a packaged asset")
    return path


def _script(url):
    text = offline_assets.source_text(url)
    if text is None:
        raise ExportError(f"the map loads {url!r}, which is not a packaged asset")
    return text


def _inline_css(url):
    """A style sheet with the images it refers to (Leaflet's layer icons) as data: URLs."""
    path = _asset(url)
    css = path.read_text(encoding="utf-8")

    def data_url(match):
        image = path.parent / match.group(1)
        if not image.is_file():
            return "none"  # an icon the map never shows (Leaflet's default marker)
        kind = _IMAGE_TYPES.get(image.suffix, "application/octet-stream")
        return f"url(data:{kind};base64,{base64.b64encode(image.read_bytes()).decode('ascii')})"

    return _CSS_URL.sub(data_url, css)


def inline_assets(page):
    """`page` with every /app/static/ script and style sheet written into it."""
    # "</" inside an inlined script would end its element early.
    page = _SCRIPT.sub(lambda m: "<script>" + _script(m.group(1)).replace("</", "<\\/") + "</script>", page)
    return _STYLE.sub(lambda m: "<style>" + _inline_css(m.group(1)) + "</style>", page)


def _reports(frame):
    """{id: [date, place, type, source, description, passage, note, document]} of the shown incidents."""
    if "date_label" not in frame:
        frame = labels.with_labels(frame)
    columns = ("date_label", "place_label", "type_label", "source", "description", "passage", "note", "document_id")
    return {row[0]: list(row[1:]) for row in zip(frame["id"], *(frame[c] for c in columns))}


def filters_summary(filters):
    """The filters in words, for the header of a file handed on ("all incidents" when none)."""
    parts = []
    if filters.since or filters.until:
        parts.append(f"{filters.since or '…'} to {filters.until or '…'}")
    if not filters.include_undated:
        parts.append("dated only")
    for label, values in (("types", filters.event_types), ("sub-types", filters.sub_event_types),
                          ("date precision", filters.date_precisions), ("location precision", filters.geo_precisions),
                          ("documents", filters.documents)):
        if values:
            parts.append(f"{label}: " + ", ".join(str(v) for v in values))
    if filters.max_border_km is not None:
        parts.append(f"within {filters.max_border_km:g} km of the boundary")
    if filters.text.strip():
        parts.append(f"text: {filters.text.strip()!r}")
    return "; ".join(parts) or "all incidents"


def layer_args(frame, selected=None):
    """The incident layer's arguments with the incidents of `frame` inline (map_build.inline_args)."""
    from mapapp import columns as incident_columns
    from mapapp import map_payload

    def iso(values):
        return [day.date().isoformat() if day == day and day is not None else None for day in values]

    table = pd.DataFrame({
        "rowid": range(len(frame)), "latitude": frame["latitude"].to_numpy(),
        "longitude": frame["longitude"].to_numpy(),
        "event_type": frame["event_type"].to_numpy(), "sub_event_type": frame["sub_event_type"].to_numpy(),
        "geo_precision": frame["geo_precision"].to_numpy(), "date_precision": frame["date_precision"].to_numpy(),
        "date_start": iso(frame["date_start"]), "date_end": iso(frame["date_end"]),
        "border_distance_km": frame["border_distance_km"].to_numpy(), "document_id": frame["document_id"].to_numpy(),
    })
    columns = incident_columns.from_frame(table)
    details = map_payload.detail_rows(pd.DataFrame({
        "id": frame["id"].to_numpy(), "sub_event_type": frame["sub_event_type"].to_numpy(),
        "date_start": [d or "" for d in table["date_start"]], "date_end": [d or "" for d in table["date_end"]],
        "date_precision": frame["date_precision"].to_numpy(), "location": frame["location"].to_numpy(),
        "description": frame["description"].to_numpy(),
    }))
    chosen = None
    if selected is not None:
        at = np.flatnonzero(frame["id"].to_numpy() == selected["id"])
        chosen = {"id": selected["id"], "pos": int(at[0]) if len(at) else -1,
                  "lat": float(selected["latitude"]), "lon": float(selected["longitude"])}
    return map_build.inline_args(columns, np.ones(len(frame), dtype=bool), details, chosen)


def standalone_html(frame, selected=None, center=None, zoom=None, summary="", now=None):
    """The incidents of `frame` on the app's map as one HTML document (text). `selected` (a row
    or None) is ringed and its passage shown; `center`/`zoom` set the view (else the app's
    start view); `summary` says which filters made `frame`."""
    m = map_build.build_map(layer_args(frame, selected))
    if center is not None:
        m.location = [float(center[0]), float(center[1])]
    if zoom is not None:
        m.options["zoom"] = int(zoom)
    page = inline_assets(m.get_root().render())
    panel = _TEMPLATES.get_template("standalone_panel.html").render(
        count=len(frame), summary=summary, attribution=map_build.ATTRIBUTION,
        made=(now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC"),
        selected="" if selected is None else selected["id"],
        reports=Markup(map_build.safe_json(_reports(frame))),
        css=Markup((offline_assets.ASSETS_DIR / "standalone.css").read_text(encoding="utf-8")),
        script=Markup((offline_assets.ASSETS_DIR / "standalone.js").read_text(encoding="utf-8").replace("</", "<\\/")),
    )
    return page.replace("</body>", panel + "</body>", 1)
