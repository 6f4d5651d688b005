"""The floor under the app's browser figures: a Streamlit page holding one empty folium map
(offline Leaflet, no data) and a search field, drawn by streamlit-folium as the app's map is.
Its layer marks `mapapp:drawn` when its script runs, as the incident layer does once it has
drawn: at the first opening, and again after each search, whose text the layer carries.

Started by bench_scale from a folder that also holds links to the project's static/.
"""

import json

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
        window.bareText = {{ this.text }};
        performance.mark("mapapp:drawn");
        {% endmacro %}
        """
    )

    def __init__(self, text):
        super().__init__()
        self.text = json.dumps(text)


st.set_page_config(page_title="Bare map", layout="wide")
text = st.sidebar.text_input("Search", key="q")
bare = folium.Map(location=(43.3, 20.95), zoom_start=8, tiles=None)
offline_assets.localise(bare)
layer = folium.FeatureGroup(name="layer", control=False)
_DrawnMark(text).add_to(layer)
st_folium(bare, key="map", height=500, use_container_width=True, feature_group_to_add=layer)
