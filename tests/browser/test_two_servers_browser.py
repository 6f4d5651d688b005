"""Two app servers on one PostgreSQL database: what one stores, the other shows on its next rerun."""

import pytest

from mapapp.store import open_store
from tests.browser.conftest import AppServer, Page


@pytest.fixture
def two_servers(chromium, postgres_url, tmp_path):
    open_store(postgres_url)  # made once, before either server starts
    servers = [AppServer(postgres_url, tmp_path / f"streamlit-{n}.log") for n in (1, 2)]
    yield servers
    for server in servers:
        server.stop()


def test_a_correction_made_on_one_server_shows_on_the_other(chromium, two_servers):
    first, second = (Page(chromium, server.url) for server in two_servers)
    try:
        for page in (first, second):
            page.open("?incident=seed-000-05")
            page.page.get_by_text("Show on map").wait_for(timeout=60_000)
        assert "Corrected by" not in second.page.locator("body").inner_text()

        p = first.page
        p.get_by_text("Correct this incident").click()
        p.get_by_label("Description", exact=True).fill("Gunfire at the police station, corrected on server one.")
        p.get_by_label("Why (kept in the history)").fill("second source")
        p.get_by_label("Why (kept in the history)").press("Enter")
        p.get_by_role("button", name="Save correction").click()
        p.get_by_text("Corrected by local user on").wait_for(timeout=60_000)

        # Any rerun of the other server's page reads the store again.
        second.page.get_by_role("button", name="Show on map").click()
        second.page.get_by_text("Corrected by local user on").wait_for(timeout=60_000)
        assert "corrected on server one" in second.page.locator("body").inner_text()
        assert first.external == [] and second.external == []
    finally:
        first.close()
        second.close()
