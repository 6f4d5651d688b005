"""The floor under every Streamlit page: one line of text, nothing else (no map, no data).
bench_scale times its opening, to the line shown, beside the bare map page and the app."""

import streamlit as st

st.markdown("An empty page.")
