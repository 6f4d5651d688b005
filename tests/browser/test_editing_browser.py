"""Correcting and adding incidents in a real browser, in one page (a page load is the browser
tests' largest cost), in turn:
  - a passage corrected by selecting other text of the document with the mouse (the passage
    selector, mapapp/passage_select.py);
  - a report pasted, read, a place edited and a proposal rejected, stored; the new marker
    clicked and its sentence read highlighted in the report; then an import on the command line
    shows up without a click.
"""

import re
import subprocess
import sys

import pytest

from mapapp import PROJECT_DIR
from mapapp.reports.proposals import document_id
from mapapp.store import Store
from tests.browser.conftest import MAP_FRAME, Page, settle, start_server, until_shown, wait_for_whole_page
from tests.browser.test_map_browser import click_map, go_to, pause, single_at, wait_for_text, wait_for_total, wait_for_url

FIXTURES = PROJECT_DIR / "tests" / "fixtures"
ARREST = "Kosovo Police arrested a man from Zvečan at the Jarinje crossing point on 17 March 2024."
GRENADE = "On 16 March 2024, unknown persons threw a hand grenade at a police base near Zubin Potok."
REPORT = f"{ARREST}\n{GRENADE}\nAnalysts say the north remains tense."
INCIDENT = "seed-000-05"
SELECTOR = 'iframe[title*="passage_select"]'
# The point (x, y, in the selector's frame) at the left edge of the character at a code-point
# offset of the shown text (the cut marks "[…]" are not text), or at the right edge of the one
# before it (`after`); for the left edge the text is first scrolled to bring the character near
# the top.
POINT_AT = """(doc, [offset, after]) => {
  const walker = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
  let left = after ? offset - 1 : offset;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.classList.contains("cut")) continue;
    const chars = Array.from(node.data);
    if (left < chars.length) {
      const units = chars.slice(0, left).join("").length;
      const range = document.createRange();
      range.setStart(node, units);
      range.setEnd(node, units + chars[left].length);
      if (!after) doc.scrollTop += range.getBoundingClientRect().top - doc.getBoundingClientRect().top - 30;
      const box = range.getBoundingClientRect();
      return [after ? box.right - 1 : box.left + 1, box.top + box.height / 2];
    }
    left -= chars.length;
  }
  return null;
}"""


@pytest.fixture(scope="module")
def editing_server(chromium, tmp_path_factory):
    server = start_server(tmp_path_factory, "editing-app")
    yield server
    server.stop()


def test_a_passage_selected_then_a_report_pasted_and_its_incident_clicked_then_an_import_shows_up(
        chromium, editing_server):
    page = Page(chromium, editing_server.url)
    try:
        _an_editor_selects_other_text_as_the_passage(page, editing_server)
        _paste_review_store_and_click_the_new_incident(page)
        _an_import_on_the_command_line_shows_up_without_a_click(page, editing_server.db_path)
        assert page.external == []
    finally:
        page.close()


def _paste_review_store_and_click_the_new_incident(page):
    """A report read, reviewed and stored; its new incident clicked on the map."""
    # Back at the view a page opens at without a link: every incident is in it.
    go_to(page, 42.98318, 20.95927, 9)
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
    # (The page showed another incident's passage before.)
    mark = browser.locator("mark#passage-selected")
    mark.filter(has_text=ARREST).wait_for(timeout=30_000)
    assert mark.inner_text() == ARREST
    assert f"incident={new_id}" in wait_for_url(page, f"incident={new_id}")
    page.screenshot("report_passage.png")


def _counts(page):
    """(shown, stored) from the sidebar's "N of M incidents"."""
    text = page.page.locator('[data-testid="stSidebar"]').inner_text()
    shown, stored = re.search(r"([\d,]+) of ([\d,]+) incidents", text).groups()
    return int(shown.replace(",", "")), int(stored.replace(",", ""))


def _an_import_on_the_command_line_shows_up_without_a_click(page, db_path):
    """A search, then an import on the command line: the page shows it without a click,
    keeping the search."""
    search = page.page.locator('input[aria-label="Search"]')
    search.fill("kfor")
    search.press("Enter")
    wait_for_url(page, "q=kfor")
    settle(page)
    shown, stored = _counts(page)
    assert 0 < shown < stored
    done = subprocess.run(
        [sys.executable, "-m", "mapapp", "ingest", str(FIXTURES / "acled_actors_fatalities.csv"),
         "--db", str(db_path), "--quiet"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # No click: the page notices the store changed, and keeps the search. (The file's 4
    # incidents, one of them naming KFOR.)
    wait_for_text(page, f"{shown + 1} of {stored + 4} incidents", timeout=60_000)
    assert page.page.locator('input[aria-label="Search"]').input_value() == "kfor"


def _drag(page, start, end):
    """Press the mouse before character `start` of the shown text and release it after `end - 1`."""
    selector = page.page.locator(SELECTOR)
    # The frame takes its height once its expander is open.
    page.page.wait_for_function(f"() => document.querySelector('{SELECTOR}').offsetHeight > 200")
    selector.scroll_into_view_if_needed()
    doc = page.page.frame_locator(SELECTOR).locator("#doc")
    x0, y0 = doc.evaluate(POINT_AT, [start, False])
    x1, y1 = doc.evaluate(POINT_AT, [end, True])
    box = selector.bounding_box()
    mouse = page.page.mouse
    mouse.move(box["x"] + x0, box["y"] + y0)
    mouse.down()
    mouse.move(box["x"] + (x0 + x1) / 2, box["y"] + (y0 + y1) / 2, steps=5)
    mouse.move(box["x"] + x1, box["y"] + y1, steps=5)
    mouse.up()


def _select(page, start, end, offset):
    """Select the text from `start` to `end` (offsets in the document; the selector shows it
    from `offset`), as an editor does: again if a run of the page drew the selector anew
    meanwhile (under load a run asked for earlier can end after the drag), which puts the stored
    passage back."""
    status = page.page.frame_locator(SELECTOR).locator("#status")
    chosen = status.get_by_text(f"New passage: characters {start}–{end}")
    if until_shown(page, lambda: _drag(page, start - offset, end - offset), chosen):
        return
    raise AssertionError(f"three selections did not choose characters {start}–{end}: {status.inner_text()!r}")


def _an_editor_selects_other_text_as_the_passage(page, editing_server):
    """The passage selector: the selection's offsets become the stored span, and the passage
    panel then marks the selected text."""
    store = Store(editing_server.db_path)
    incident = store.incident(INCIDENT)
    text = store.document(incident.document_id).text
    # The sentence after the passage: what the editor selects instead.
    start = incident.passage_end + len(text[incident.passage_end:]) - len(text[incident.passage_end:].lstrip())
    end = text.index(".", start) + 1
    chosen = text[start:end]
    assert len(chosen) > 20 and chosen != incident.passage

    _select_the_next_sentence(page, incident, start, end, chosen)
    stored = Store(editing_server.db_path).incident(INCIDENT)
    assert (stored.passage_start, stored.passage_end, stored.passage) == (start, end, chosen)


def _select_the_next_sentence(page, incident, start, end, chosen):
    page.open(f"?incident={INCIDENT}")
    # The session's first page is drawn again once its map has reported: select after that.
    wait_for_whole_page(page)
    p = page.page
    p.get_by_text("Correct this incident").click()
    frame = p.frame_locator(SELECTOR)
    frame.locator("mark").wait_for()
    # The selector shows the stored passage marked, within the document's text.
    assert frame.locator("mark").inner_text() == incident.passage
    _select(page, start, end, offset=max(0, incident.passage_start - 4_000))
    p.get_by_label("Passage starts at character").and_(p.locator(f'[value="{start}"]')).wait_for(timeout=60_000)
    assert p.get_by_label("Passage ends at character").input_value() == str(end)
    assert frame.locator("mark.chosen").inner_text() == chosen
    p.get_by_label("Why (kept in the history)").fill("the attack is told in the next sentence")
    p.get_by_label("Why (kept in the history)").press("Enter")
    p.get_by_role("button", name="Save correction").click()
    p.get_by_text("Saved as correction #").wait_for(timeout=60_000)
    # The passage panel marks the new passage, and the history names the change.
    p.locator("mark#passage-selected").get_by_text(chosen).wait_for(timeout=60_000)
    assert p.locator("mark#passage-selected").inner_text() == chosen
    p.get_by_text("History of this incident (2 versions)").click()
    p.get_by_text(f"passage start: {incident.passage_start} -> {start}").wait_for()
    assert page.external == []
