"""The current view as a PNG image for a report, drawn with Pillow from the map's own data.

No browser is needed: the same outlines, boundary line, town names, incident colours and
precision shapes as the app's map (map_build), projected in Web Mercator like Leaflet at the
view's centre and zoom, with the legend, the count and the attribution on the image.
"""

import functools
import importlib.util
import io
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from mapapp import map_build
from mapapp.labels import UNCERTAINTY_RADIUS_M

SIZE = (1366, 768)
WATER, KOSOVO_FILL, SERBIA_FILL = "#d3dbdf", "#faf7ee", "#ebe5d5"
BOUNDARY = "#b03a2e"
MARKER_RADIUS = 7
_TILE = 256
_EARTH_M_PER_PX_AT_ZOOM0 = 156543.03392


def _world(lat, lon, zoom):
    """Leaflet's pixel coordinates of a point at `zoom` (EPSG:3857)."""
    scale = _TILE * 2**zoom
    sin = math.sin(math.radians(max(min(lat, 85.0511), -85.0511)))
    return (lon + 180) / 360 * scale, (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale


class _View:
    def __init__(self, center, zoom, size):
        self.zoom, self.size = zoom, size
        cx, cy = _world(center[0], center[1], zoom)
        self.left, self.top = cx - size[0] / 2, cy - size[1] / 2
        self.m_per_px = _EARTH_M_PER_PX_AT_ZOOM0 * math.cos(math.radians(center[0])) / 2**zoom

    def xy(self, lat, lon):
        x, y = _world(lat, lon, self.zoom)
        return x - self.left, y - self.top


def _rings(geometry):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        yield polygon[0]


def _dashed(draw, points, dash=10, gap=6, **style):
    """A polyline drawn as dashes (Pillow draws only solid lines)."""
    carry = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        length = math.hypot(x2 - x1, y2 - y1)
        position = -carry
        while position < length:
            start, end = max(position, 0), min(position + dash, length)
            if end > start:
                draw.line([(x1 + (x2 - x1) * start / length, y1 + (y2 - y1) * start / length),
                           (x1 + (x2 - x1) * end / length, y1 + (y2 - y1) * end / length)], **style)
            position += dash + gap
        carry = length - (position - dash - gap) if position > length else 0.0


@functools.cache
def _font(size, bold=False):
    """Source Sans (the font Streamlit bundles, OFL; it has the region's letters: š, ć, đ,
    Cyrillic); Pillow's own font where it cannot be found."""
    # Found by its package's path: this module must not import streamlit.
    spec = importlib.util.find_spec("streamlit")
    folder = Path(spec.origin).parent / "static" if spec and spec.origin else None
    found = sorted(folder.rglob("SourceSansVF-Upright*.woff2")) if folder and folder.is_dir() else []
    if not found:
        return ImageFont.load_default(size=size)
    font = ImageFont.truetype(str(found[0]), size)
    font.set_variation_by_name("Semibold" if bold else "Regular")
    return font


def render_png(frame, center=map_build.CENTRE, zoom=map_build.START_ZOOM, size=SIZE, title="", note=""):
    """PNG bytes of the incidents of `frame` at `center`/`zoom` on an image of `size` pixels."""
    view = _View(center, zoom, size)
    image = Image.new("RGB", size, WATER)
    draw = ImageDraw.Draw(image, "RGBA")
    base = map_build._base_data()
    for feature in base["outlines"]["features"]:
        for ring in _rings(feature["geometry"]):
            points = [view.xy(lat, lon) for lon, lat in ring]
            draw.polygon(points, fill=feature["properties"]["fill"], outline="#a9a392")
    _dashed(draw, [view.xy(lat, lon) for lat, lon in base["boundary"]], fill=BOUNDARY, width=3)
    small = _font(13)
    for name, lat, lon, min_zoom in base["towns"]:
        if zoom >= min_zoom:
            x, y = view.xy(lat, lon)
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill="#333")
            draw.text((x + 6, y - 8), name, fill="#333", font=small, stroke_width=2, stroke_fill="#fff")
    colours = map_build.TYPE_COLOURS
    # Uncertainty areas first, under the markers, one per distinct centre and radius.
    areas = {
        (round(lat, 2), round(lon, 2), UNCERTAINTY_RADIUS_M[p])
        for lat, lon, p in zip(frame["latitude"], frame["longitude"], frame["geo_precision"])
        if p in UNCERTAINTY_RADIUS_M
    }
    for lat, lon, radius_m in sorted(areas):
        x, y = view.xy(lat, lon)
        r = radius_m / view.m_per_px
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(74, 74, 74, 15), outline=(74, 74, 74, 170))
    for lat, lon, kind, precision, undated in zip(
        frame["latitude"], frame["longitude"], frame["event_type"], frame["geo_precision"], frame["date_start"].isna()
    ):
        x, y = view.xy(lat, lon)
        if not (-MARKER_RADIUS <= x <= size[0] + MARKER_RADIUS and -MARKER_RADIUS <= y <= size[1] + MARKER_RADIUS):
            continue
        box = [x - MARKER_RADIUS, y - MARKER_RADIUS, x + MARKER_RADIUS, y + MARKER_RADIUS]
        if precision >= 3:  # hollow: not where it happened, only the area's or country's point
            draw.ellipse(box, fill="#ffffff", outline=colours[kind], width=3)
        else:
            draw.ellipse(box, fill=colours[kind], outline="#222" if undated else "#fff", width=2 if undated else 1)
    _legend(draw, size, frame)
    _caption(draw, size, title, note)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _legend(draw, size, frame):
    font, bold = _font(13), _font(13, bold=True)
    present = [t for t in map_build.TYPE_COLOURS if t in set(frame["event_type"])]
    rows = [("Event type", None)] + [(t, map_build.TYPE_COLOURS[t]) for t in present] + [
        ("Filled: exact or near a place", "#666"),
        ("Hollow: municipality, region or country", "hollow"),
        ("Kosovo–Serbia boundary", "line"),
    ]
    width, height = 270, 12 + 18 * len(rows)
    x0, y0 = size[0] - width - 10, 10
    draw.rounded_rectangle([x0, y0, x0 + width, y0 + height], radius=4, fill=(255, 255, 255, 235), outline="#bbb")
    for i, (label, swatch) in enumerate(rows):
        y = y0 + 8 + 18 * i
        if swatch is None:
            draw.text((x0 + 8, y), label, fill="#222", font=bold)
            continue
        if swatch == "line":
            _dashed(draw, [(x0 + 8, y + 7), (x0 + 22, y + 7)], dash=5, gap=3, fill=BOUNDARY, width=3)
        elif swatch == "hollow":
            draw.ellipse([x0 + 9, y + 1, x0 + 21, y + 13], fill="#fff", outline="#666", width=3)
        else:
            draw.ellipse([x0 + 9, y + 1, x0 + 21, y + 13], fill=swatch, outline="#fff")
        draw.text((x0 + 28, y), label, fill="#222", font=font)


def _caption(draw, size, title, note):
    font = _font(13)
    lines = [line for line in (title, note, f"Map: {map_build.ATTRIBUTION}") if line]
    height = 8 + 16 * len(lines)
    draw.rectangle([0, size[1] - height, size[0], size[1]], fill=(255, 255, 255, 220))
    for i, line in enumerate(lines):
        draw.text((8, size[1] - height + 4 + 16 * i), line, fill="#222", font=font)
