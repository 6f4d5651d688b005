"""The floor under the app's page-open figures: a Streamlit page holding one empty folium map
(offline Leaflet, no data, no widgets), drawn by streamlit-folium as the app's map is. It marks
`mapapp:drawn` once Leaflet has made the map, as the incident layer does once it has drawn.

Started by bench_scale from a folder that also holds a link to the project's static/.
"""

import folium
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from mapapp import offline_assets


class _DrawnMark(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        performance.mark("mapapp:drawn");
        {% endmacro %}
        """
    )


st.set_page_config(page_title="Bare map", layout="wide")
bare = folium.Map(location=(43.3, 20.95), zoom_start=8, tiles=None)
offline_assets.localise(bare)
_DrawnMark().add_to(bare)
st_folium(bare, key="map", height=500, use_container_width=True)
