"""An app server on a PostgreSQL database that another process writes too (another server of
the team's, or the command line): what that process stores, the page shows on its next rerun."""

import subprocess
import sys

import pytest

from mapapp import PROJECT_DIR
from mapapp.store import open_store
from tests.browser.conftest import AppServer, Page

# The other process: a correction as an editor's page on another server stores it.
CORRECT = """
import sys
from mapapp.roles import Person
from mapapp.store import open_store
store = open_store(sys.argv[1]).acting(Person("erin@example.org", "editor"))
store.correct("seed-000-05", {"description": "Gunfire at the police station, corrected elsewhere."},
              "second source")
"""


@pytest.fixture
def server(chromium, postgres_url, tmp_path):
    open_store(postgres_url)  # made before the server starts
    server = AppServer(postgres_url, tmp_path / "streamlit.log")
    yield server
    server.stop()


def test_a_correction_stored_by_another_process_shows_on_the_next_rerun(chromium, server, postgres_url):
    page = Page(chromium, server.url)
    try:
        page.open("?incident=seed-000-05")
        page.page.get_by_text("Show on map").wait_for(timeout=60_000)
        assert "Corrected by" not in page.page.locator("body").inner_text()

        done = subprocess.run([sys.executable, "-c", CORRECT, postgres_url], cwd=PROJECT_DIR,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

        # Any rerun of the page reads the store again.
        page.page.get_by_role("button", name="Show on map").click()
        page.page.get_by_text("Corrected by erin@example.org on").wait_for(timeout=60_000)
        page.page.get_by_text("Gunfire at the police station, corrected elsewhere.").first.wait_for(timeout=60_000)
        # No run of the page failed: one that read the store's version before the correction and
        # its rows after found the incident's old row gone.
        assert page.page.locator('[data-testid="stException"]').count() == 0
        assert page.external == []
    finally:
        page.close()
