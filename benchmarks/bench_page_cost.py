"""CPU time of one page load in Chromium: the app's page beside the floor of any Streamlit page.

    .venv/bin/python -m benchmarks.bench_page_cost [--repeat 5]

The browser tests cost what their page loads cost (issue 11: the suite's time on 2 cores is
its CPU time over 2). Each page is opened as a browser test opens one (tests/browser's Page: a
new page in the browser's shared context, whose cache holds the server's scripts after its
first page), timed until it is drawn plus 1.5 s (the runs it starts by itself), then closed;
the three pages take turns, so that they share the machine's state. Counted: every
process of the machine (/proc/stat: Chromium, the Streamlit server, Playwright), so run it on
an otherwise quiet machine.
  - the app, seed store: map and the sections below it drawn (tests/browser's
    wait_for_whole_page);
  - bare_map_page.py: a Streamlit page holding only an empty folium map;
  - empty_page.py: a Streamlit page of one line of text.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_scale import page_server
from mapapp.store import Store

SETTLE_SECONDS = 1.5


def busy_cpu_seconds():
    """CPU seconds the whole machine has spent busy (all cores) since it started."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, AppServer, Page, wait_for_whole_page

    def drawn(kind, page):
        if kind == "empty":
            page.page.get_by_text("An empty page.").wait_for(timeout=60_000)
        else:
            page.map_frame().locator(".leaflet-container").wait_for(timeout=60_000)
        if kind == "app":
            wait_for_whole_page(page)

    with tempfile.TemporaryDirectory() as folder:
        Store(Path(folder) / "seed.db").close()
        servers = {
            "app": AppServer(Path(folder) / "seed.db", Path(folder) / "seed.log"),
            "bare": page_server(folder, "bare_map_page.py"),
            "empty": page_server(folder, "empty_page.py"),
        }
        cpu = {kind: [] for kind in servers}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                for k in range(args.repeat + 1):
                    for kind, server in servers.items():
                        before = busy_cpu_seconds()
                        page = Page(browser, server.url)
                        page.page.goto(server.url)
                        drawn(kind, page)
                        page.page.wait_for_timeout(SETTLE_SECONDS * 1000)
                        page.close()
                        if k:  # the first opening warms the server
                            cpu[kind].append(busy_cpu_seconds() - before)
                        time.sleep(0.3)
                browser.close()
        finally:
            for server in servers.values():
                server.stop()
    labels = {"app": "the app, seed store, whole page", "bare": "bare folium map page (floor)",
              "empty": "one line of text (floor)"}
    print(f"{'page load, CPU seconds (all processes)':44} {'median':>7} {'min':>6} {'max':>6}")
    for kind, values in cpu.items():
        print(f"{labels[kind]:44} {statistics.median(values):7.2f} {min(values):6.2f} {max(values):6.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
