"""Add a report in a real browser: paste, read, edit a place, reject a proposal, store, then click
the new marker and read its sentence highlighted in the report."""

from mapapp.reports.proposals import document_id
from tests.browser.conftest import MAP_FRAME, Page, start_server
from tests.browser.test_map_browser import click_map, pause, single_at, wait_for_total, wait_for_url

ARREST = "Kosovo Police arrested a man from Zvečan at the Jarinje crossing point on 17 March 2024."
GRENADE = "On 16 March 2024, unknown persons threw a hand grenade at a police base near Zubin Potok."
REPORT = f"{ARREST}\n{GRENADE}\nAnalysts say the north remains tense."


def test_paste_review_store_and_click_the_new_incident(chromium, tmp_path_factory):
    server = start_server(tmp_path_factory, "report-app")
    page = Page(chromium, server.url)
    try:
        page.open()
        wait_for_total(page, 8)
        browser = page.page
        browser.get_by_text("Add a report").click()
        area = browser.get_by_label("Report text")
        area.fill(REPORT)
        area.press("Tab")
        pause(page, 1)
        browser.get_by_role("button", name="Read report").click()
        browser.get_by_text("Proposal 2").wait_for(timeout=60_000)
        report = browser.locator(".report-text")
        places = report.locator("mark.report-place").all_inner_texts()
        assert {"Zvečan", "Jarinje crossing point", "Zubin Potok"} <= set(places)
        assert "16 March 2024" in report.locator("mark.report-date").all_inner_texts()
        # The arrest goes to Zvečan (named in its sentence as the man's home: the reviewer decides).
        place = browser.locator(".st-key-report-1-place-1").get_by_role("combobox")
        place.click()
        place.press_sequentially("Zvečan → Zvečan")
        browser.get_by_role("option").filter(has_text="Zvečan → Zvečan").first.click()
        browser.locator(".st-key-report-proposal-1").get_by_text("changed by hand: place").wait_for(timeout=30_000)
        pause(page, 1)
        # The grenade is rejected.
        browser.locator(".st-key-report-1-accept-2").get_by_text("Accept").click()
        store = browser.get_by_role("button", name="Store the report and 1 accepted incident(s)")
        store.wait_for(timeout=30_000)
        store.click()
        browser.get_by_text("Stored the report with 1 incident(s)").wait_for(timeout=60_000)
        page.screenshot("report_stored.png")

        new_id = f"{document_id(REPORT)}-001"
        shown, total = wait_for_total(page, 9)
        assert total == 9, shown
        # At the default zoom it shares a cluster with Banjska monastery: zoom in on Zvečan.
        browser.locator(MAP_FRAME).scroll_into_view_if_needed()
        page.leaflet().evaluate("() => window.map.setView([42.9075, 20.8403], 13, {animate: false})")
        marker = None
        for _ in range(40):
            marker = single_at(page, new_id)
            if marker is not None:
                break
            pause(page, 0.25)
        assert marker is not None, shown
        click_map(page, marker["x"], marker["y"])
        mark = browser.locator("mark#passage-selected")
        mark.wait_for(timeout=30_000)
        assert mark.inner_text() == ARREST
        assert f"incident={new_id}" in wait_for_url(page, f"incident={new_id}")
        page.screenshot("report_passage.png")
        assert page.external == []
    finally:
        page.close()
        server.stop()
