"""Map benchmark: 10,000 synthetic incidents in a temporary store.

    .venv/bin/python -m benchmarks.bench_map [--incidents 10000] [--repeat 5]

Measures (issue 3 targets):
  1. building the incident layer (filtered frame -> the script streamlit-folium sends)  <= 0.5 s
  2. that layer's payload                                                                 <= 3 MB
  3. server time of a rerun after a filter change (date slider, type, text search, undated),
     the whole app script with the real st_folium, run by AppTest                         <= 0.5 s
The medians of --repeat runs are compared with the targets; exit status 1 when one is missed.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mapapp import boundary, map_build
from mapapp.filters import Filters, incident_frame
from mapapp.incident import Document, Incident
from mapapp.store import Store
from mapapp.vocabulary import EVENT_TYPES, SUB_EVENT_TYPES

PROJECT = Path(__file__).resolve().parent.parent

MAX_LAYER_SECONDS = 0.5
MAX_PAYLOAD_BYTES = 3 * 1024 * 1024
MAX_RERUN_SECONDS = 0.5

# Exact places are scattered around these towns; coarser ones sit on a few shared points, as
# a gazetteer codes them (municipality centre, region centre, country label point).
TOWNS = [(lat, lon) for _, lat, lon, _, _ in map_build.TOWNS[:11]]
MUNICIPALITIES = [("Zvečan", 42.9075, 20.8403), ("Leposavić", 43.1039, 20.8028),
                  ("Zubin Potok", 42.9144, 20.6897), ("North Mitrovica", 42.8914, 20.8660),
                  ("Raška", 43.2872, 20.6153), ("Novi Pazar", 43.1367, 20.5122)]
REGIONS = [("northern Kosovo", 42.977, 20.761), ("the border area", 42.988, 21.157)]
COUNTRIES = [("Kosovo", 42.593587, 20.860719), ("Serbia", 44.189919, 20.787989)]
WORDS = ("police", "checkpoint", "protesters", "gunmen", "barricade", "bridge", "municipal building",
         "KFOR patrol", "explosive device", "arrest", "convoy", "border crossing", "monastery", "vehicle")


def synthetic_incidents(count, seed=3):
    """One document per 100 incidents; every incident's passage is one sentence of it."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        event_type = rng.choice(EVENT_TYPES)
        sub_type = rng.choice(SUB_EVENT_TYPES[event_type])
        geo = rng.choices((1, 2, 3, 4, 5), weights=(50, 15, 15, 15, 5))[0]
        if geo <= 2:
            lat, lon = rng.choice(TOWNS)
            lat, lon = lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05)
            location = f"near {rng.choice(WORDS)} {n % 97}"
        else:
            location, lat, lon = rng.choice({3: MUNICIPALITIES, 4: REGIONS, 5: COUNTRIES}[geo])
        precision = rng.choices(("day", "week", "month", "unknown"), weights=(70, 10, 10, 10))[0]
        start = end = None
        if precision != "unknown":
            start = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
            end = start + {"day": dt.timedelta(0), "week": dt.timedelta(6), "month": dt.timedelta(27)}[precision]
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        sentence = f"Report {n}: {event_type.lower()} involving {words} at {location}."
        rows.append((n, start, end, precision, event_type, sub_type, location, lat, lon, geo, sentence))
    distances = boundary.distance_km([r[7] for r in rows], [r[8] for r in rows])

    documents, incidents = [], []
    for first in range(0, count, 100):
        chunk = rows[first:first + 100]
        text = " ".join(r[10] for r in chunk)
        document = Document(id=f"bench-{first // 100:04d}", title=f"Synthetic report {first // 100}", text=text)
        documents.append(document)
        offset = 0
        for n, start, end, precision, event_type, sub_type, location, lat, lon, geo, sentence in chunk:
            incidents.append(Incident(
                id=f"bench-{n:05d}", date_start=start, date_end=end, date_precision=precision,
                event_type=event_type, sub_event_type=sub_type, location=location,
                latitude=lat, longitude=lon, geo_precision=geo,
                description=sentence[:120], source="synthetic benchmark", document_id=document.id,
                passage_start=offset, passage_end=offset + len(sentence), passage=sentence,
                border_distance_km=None if geo == 5 else round(float(distances[n]), 2),
            ))
            offset += len(sentence) + 1
    return documents, incidents


def layer_script(frame):
    """What streamlit-folium sends for the incident layer on each rerun."""
    from streamlit_folium import generate_leaflet_string

    group = map_build.incident_layer(frame).add_to(map_build.base_map())
    group.render()
    return generate_leaflet_string(group, base_id="feature_group_0")


def timed(function, repeat):
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds), result


def timed_app():
    """The app's script with each part of a run timed: the app itself measures nothing.
    (Run by AppTest.from_function, in this process: the parts are swapped for timed ones.)"""
    import time

    import streamlit as st

    from mapapp import app

    parts = {"load": (app, "load_incidents"), "filters": (app.filter_widgets, "sidebar"),
             "map": (app, "map_panel"), "passage": (app, "passage_panel"),
             "timeline": (app, "timeline_panel"), "table": (app, "table_and_downloads")}
    timings = {}

    def timing(name, function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[name] = time.perf_counter() - started
        return run

    originals = {name: getattr(module, attr) for name, (module, attr) in parts.items()}
    for name, (module, attr) in parts.items():
        setattr(module, attr, timing(name, originals[name]))
    started = time.perf_counter()
    try:
        app.main()
    finally:
        for name, (module, attr) in parts.items():
            setattr(module, attr, originals[name])
    st.session_state["_timings"] = timings
    st.session_state["_server_seconds"] = time.perf_counter() - started


def rerun_times(db_path, repeat):
    """Server seconds of the app script after each kind of filter change (real st_folium)."""
    from streamlit.testing.v1 import AppTest

    os.environ["MAPAPP_DB"] = str(db_path)
    at = AppTest.from_function(timed_app, default_timeout=120)
    at.run()  # cold: loads and caches the 10,000 incidents
    assert not at.exception, at.exception
    lo, hi = at.slider(key="f_dates").value
    changes = {
        "date slider": lambda i: at.slider(key="f_dates").set_range(lo + dt.timedelta(days=30 * (i + 1)), hi),
        "event type": lambda i: at.multiselect(key="f_event_types").set_value([EVENT_TYPES[i % len(EVENT_TYPES)]]),
        # A different word each time: the app keeps the layer of a filter it has seen.
        "text search": lambda i: at.text_input(key="f_text").input(WORDS[i % len(WORDS)]),
        # Two states only: from the third change on, the kept layer of that state is reused.
        "undated off/on": lambda i: at.toggle(key="f_include_undated").set_value(i % 2 == 1),
    }
    def reset():
        at.slider(key="f_dates").set_range(lo, hi)
        at.multiselect(key="f_event_types").set_value([])
        at.text_input(key="f_text").input("")
        at.toggle(key="f_include_undated").set_value(True)
        at.run()

    results = {}
    for name, change in changes.items():
        reset()  # each kind of change starts from the full set of incidents
        server, wall, parts = [], [], []
        for i in range(repeat):
            change(i)
            started = time.perf_counter()
            at.run()
            wall.append(time.perf_counter() - started)
            assert not at.exception, at.exception
            server.append(at.session_state["_server_seconds"])
            parts.append(at.session_state["_timings"])
        breakdown = {part: statistics.median(p[part] for p in parts) for part in parts[0]}
        results[name] = (statistics.median(server), max(server), statistics.median(wall), breakdown)
    return results


def browser_seconds(frame, repeat):
    """Seconds from opening the map (standalone HTML, local assets) in Chromium to the first
    marker clusters drawn: what the browser adds to the server's time. None without Chromium."""
    chromium = Path(os.environ.get("MAPAPP_CHROMIUM", "/usr/bin/chromium"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium.is_file():
        return None
    from mapapp import offline_assets

    static = offline_assets.install()
    html = map_build.build_map(frame).get_root().render().replace("/app/static/", static.as_uri() + "/")
    seconds = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_path = Path(folder) / "map.html"
        page_path.write_text(html, encoding="utf-8")
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--allow-file-access-from-files"]
        )
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            started = time.perf_counter()
            page.goto(page_path.as_uri())
            page.locator(".incident-cluster").first.wait_for(timeout=300_000)
            seconds.append(time.perf_counter() - started)
            page.close()
        browser.close()
    return statistics.median(seconds), max(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.db"
        started = time.perf_counter()
        documents, incidents = synthetic_incidents(args.incidents)
        with Store(db_path) as store:
            store.add(documents=documents, incidents=incidents)
            frame = incident_frame(store.rows())
        print(f"store: {len(frame):,} incidents (with the 8 seeds) in {time.perf_counter() - started:.1f} s")

        layer_median, layer_max, script = timed(lambda: layer_script(frame), args.repeat)
        payload = len(script.encode("utf-8"))
        filtered = Filters(event_types=("Protests", "Riots")).apply(frame)
        filtered_median, _, _ = timed(lambda: layer_script(filtered), args.repeat)
        print(f"incident layer, all {len(frame):,}: {layer_median:.3f} s median ({layer_max:.3f} s max), "
              f"payload {payload / 1e6:.2f} MB ({payload / len(frame):.0f} bytes per incident)")
        print(f"incident layer, {len(filtered):,} (two types): {filtered_median:.3f} s median")

        shown = browser_seconds(frame, min(args.repeat, 3))
        if shown is None:
            print("browser: skipped (no Playwright or no /usr/bin/chromium)")
        else:
            print(f"browser, all {len(frame):,}: first clusters drawn {shown[0]:.2f} s median "
                  f"({shown[1]:.2f} s max) after opening the map")

        reruns = rerun_times(db_path, args.repeat)
        for name, (median, worst, wall, breakdown) in reruns.items():
            parts = ", ".join(f"{part} {seconds:.3f}" for part, seconds in breakdown.items())
            print(f"rerun after {name}: server {median:.3f} s median ({worst:.3f} s max; {parts}); "
                  f"AppTest wall {wall:.3f} s")

    worst_rerun = max(median for median, _, _, _ in reruns.values())
    checks = [
        ("layer build <= 0.5 s", layer_median <= MAX_LAYER_SECONDS),
        ("layer payload <= 3 MB", payload <= MAX_PAYLOAD_BYTES),
        ("filter rerun <= 0.5 s", worst_rerun <= MAX_RERUN_SECONDS),
    ]
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
