"""The map's tools element: time playback and density hexagons, run in the browser.

The code is in mapapp/assets/ (playback.js, density.js, tools.js, tools.css), served from the
static folder like Leaflet; this element only loads it and attaches the tools to the map.
Both work on the incident layer's data already in the page (incidents.js): no server round
trip per frame or per zoom.
"""

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from mapapp import offline_assets


class MapTools(JSCSSMixin, MacroElement):
    """The box with "Play through time" and "Density (hexagons)" (bottom left)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.mapappTools.attach({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [offline_assets.MAPAPP_JS]
    default_css = [offline_assets.TOOLS_CSS]

    def __init__(self):
        super().__init__()
        self._name = "MapTools"
