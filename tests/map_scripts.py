"""What streamlit-folium sends to the browser for a map and for a layer, through its public
``generate_leaflet_string`` (the way st_folium builds them, without Streamlit)."""

from streamlit_folium import generate_leaflet_string, get_full_id


def map_script(m):
    """The base map's script, as st_folium sends it (ids made stable by streamlit-folium)."""
    m.render()
    return generate_leaflet_string(m)


def layer_script(group, m):
    """The script of a feature group passed to st_folium(feature_group_to_add=group)."""
    group.add_to(m)
    group.render()
    # The map's name is random per build; streamlit-folium calls it map_div in the browser.
    return generate_leaflet_string(group, base_id="feature_group_0").replace(get_full_id(m), "map_div")
