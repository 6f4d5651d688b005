"""Browser tests: the real app (streamlit run) driven by Playwright in Debian's Chromium.

Without /usr/bin/chromium (or Playwright) these tests skip, saying why; under CI=true they
fail instead, so that a CI machine cannot pass them by not running them.
Every request the page makes to a host other than localhost is recorded, and fails: the
browser resolves no other host name.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mapapp import PROJECT_DIR
from mapapp.store import Store

CHROMIUM = os.environ.get("MAPAPP_CHROMIUM", "/usr/bin/chromium")
# Playwright gives Chromium a --disable-features list of its own, and Chromium reads only the last
# such switch: this one repeats Playwright's (1.65) and adds the address bar's popup, a page of
# browser UI that headless Chromium loads and keeps running for every new window (every test's
# browser context), beside the page under test. (`chromium` checks that Playwright's list is in it.)
PLAYWRIGHT_DISABLED = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin",
    "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
    "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
)
BROWSER_UI_DISABLED = ("WebUIOmniboxPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxAimPopup")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED + BROWSER_UI_DISABLED),
    # Offline: any other host's name does not resolve, so its request fails at once (the tests
    # see it in Page.external). Not a Playwright route: routing turns the browser's cache off
    # and stops every request on its way for the test's process to let through.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    # V8's optimizing compilers work in the background on code a test's short-lived page does
    # not run long enough to gain from: without them a page load costs less CPU (the tests run
    # on two cores). The interpreter and baseline compiler run the same JavaScript.
    "--js-flags=--no-opt --no-maglev",
]
VIEWPORT = {"width": 1366, "height": 768}
ARTIFACTS = PROJECT_DIR / "tests" / "artifacts"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _unavailable(reason):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run under CI=true, but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install Debian's chromium to run them)")


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        _unavailable(f"Playwright is not installed ({err})")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} was not found")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        _check_disabled_features()
        yield browser
        _SHARED_CONTEXTS.clear()
        browser.close()


def _check_disabled_features():
    """Fail if the Chromium just launched was told by Playwright to disable a feature that
    LAUNCH_ARGS's list (the one Chromium reads) leaves out: a newer Playwright's list grew."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            grandparent = int((stat.parent.parent / str(parent) / "stat").read_text().rsplit(")", 1)[1].split()[1])
            switches = (stat.parent / "cmdline").read_bytes().decode().split("\0")
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not readable (and no /proc at all: nothing to check)
        # The browser process: started by Playwright's driver, which this process started.
        if grandparent == os.getpid() and "--remote-debugging-pipe" in switches:
            lists = [set(s.split("=", 1)[1].split(",")) for s in switches if s.startswith("--disable-features=")]
            missing = lists[0] - lists[-1]
            assert not missing, f"Playwright now disables {sorted(missing)!r} too: add them to PLAYWRIGHT_DISABLED"
            return
    assert not Path("/proc/self").exists(), "the launched Chromium was not found among this process's"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`streamlit run streamlit_app.py` on a free port, with its own store (`script` in `folder`:
    another page, for a benchmark's baseline)."""

    def __init__(self, db_path, log_path, extra_args=(), port=None, host="127.0.0.1",
                 script="streamlit_app.py", folder=PROJECT_DIR):
        self.db_path = db_path
        self.port = port or _free_port()
        self.url = f"http://{host}:{self.port}"
        self._log = open(log_path, "w")
        env = dict(os.environ, MAPAPP_DB=str(db_path), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", script,
                "--server.headless", "true",
                "--server.port", str(self.port),
                "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
                *extra_args,
            ],
            cwd=folder, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_healthy(log_path)

    def _wait_healthy(self, log_path, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}: {Path(log_path).read_text()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout}s: {Path(log_path).read_text()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                # It stops in under a second, but now and then waits on a closed page's
                # connection: the store needs no clean stop (each write is a transaction).
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def start_server(tmp_path_factory, name, documents=(), incidents=()):
    folder = tmp_path_factory.mktemp(name)
    db_path = folder / "mapapp.db"
    with Store(db_path) as store:  # seeded on creation
        if incidents:
            store.add(documents=documents, incidents=incidents)
    return AppServer(db_path, folder / "streamlit.log")


@pytest.fixture(scope="module")
def app_server(chromium, tmp_path_factory):
    server = start_server(tmp_path_factory, "seed-app")
    yield server
    server.stop()


# One browser context shared by the tests' pages: a page in it finds Streamlit's and the map's
# scripts in the context's cache (per server: the port is part of the address), where a page in
# a fresh context fetches them again. The context holds no state of the app's: a page is a
# Streamlit session of its own.
_SHARED_CONTEXTS = {}


def shared_context(browser):
    if browser not in _SHARED_CONTEXTS:
        _SHARED_CONTEXTS[browser] = browser.new_context(viewport=VIEWPORT)
    return _SHARED_CONTEXTS[browser]


class Page:
    """A Playwright page at 1366x768 (or `viewport`) that records every non-local request (none
    reaches its host: LAUNCH_ARGS), in the shared context or in `context` (a signed-in user's)."""

    def __init__(self, browser, base_url, viewport=None, context=None):
        self.base_url = base_url
        self.context = context or shared_context(browser)
        self.page = self.context.new_page()
        if viewport:
            self.page.set_viewport_size(viewport)
        self.external = []
        self.dialogs = []
        self.page.on("request", self._request)
        self.page.on("dialog", self._dialog)

    def _request(self, request):
        url = request.url
        if not (url.startswith(("data:", "blob:", "about:")) or (urlsplit(url).hostname or "") in LOCAL_HOSTS):
            self.external.append(url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, query=""):
        self.page.goto(f"{self.base_url}/{query}")
        # Generous: on a loaded CI machine a first page has taken over a minute.
        self.map_frame().locator(".leaflet-container").wait_for(timeout=120_000)
        return self

    def map_frame(self):
        return self.page.frame_locator(MAP_FRAME)

    def leaflet(self):
        """The map iframe's Frame, to evaluate JavaScript in (window.map is the Leaflet map)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for frame in self.page.frames:
                if "streamlit_folium" in frame.url and frame.evaluate("() => !!window.map"):
                    return frame
            time.sleep(0.2)
        raise AssertionError("the Leaflet map did not load")

    def screenshot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path

    def close(self):
        self.page.close()


def wait_for_whole_page(page, timeout=60_000):
    """Until the sections below the map are drawn: a session's first page has only the sidebar,
    the map and the passage, and the page is drawn again once the map has reported (app.page_ready).
    A test that clicks before then can see its click's run give way to that one."""
    page.page.get_by_role("button", name="Download CSV").wait_for(timeout=timeout)
    settle(page, timeout)


def settle(page, timeout=60_000):
    """Wait until no script run is going or asked for (the page marks its state on stApp)."""
    page.page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=timeout)


def until_shown(page, act, shown, tries=3, timeout=15_000):
    """Settle the page, `act()` (a click, a drag) and wait for the locator `shown`; again when it
    has not shown within `timeout` ms, up to `tries` times: a run of the page that draws it anew
    meanwhile (the store check, a run asked for earlier) can take a click or close what it
    opened, and a person would do it again. Whether `shown` showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        settle(page)
        act()
        try:
            shown.wait_for(timeout=timeout)
            return True
        except PlaywrightTimeout:
            continue
    return False


@pytest.fixture
def page(chromium, app_server):
    opened = Page(chromium, app_server.url)
    yield opened
    opened.close()
