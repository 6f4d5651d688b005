"""The app's entry script: `streamlit run streamlit_app.py` from the project root.

Streamlit serves the folder `static/` beside this script (offline Leaflet and the map's own
JS/CSS, copied there at start-up); the app itself is `mapapp.app`.
"""

from mapapp.app import main

main()
