"""Correcting a passage by selecting other text of the document with the mouse (the passage
selector, mapapp/passage_select.py): the selection's offsets become the stored span, and the
passage panel then marks the selected text."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mapapp.store import Store
from tests.browser.conftest import settle, wait_for_whole_page

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


@pytest.fixture
def seed_document(app_server):
    store = Store(app_server.db_path)
    incident = store.incident(INCIDENT)
    return incident, store.document(incident.document_id).text


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
    for _ in range(3):
        settle(page)
        _drag(page, start - offset, end - offset)
        try:
            status.get_by_text(f"New passage: characters {start}–{end}").wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"three selections did not choose characters {start}–{end}: {status.inner_text()!r}")


def test_an_editor_selects_other_text_as_the_passage(page, app_server, seed_document):
    incident, text = seed_document
    # The sentence after the passage: what the editor selects instead.
    start = incident.passage_end + len(text[incident.passage_end:]) - len(text[incident.passage_end:].lstrip())
    end = text.index(".", start) + 1
    chosen = text[start:end]
    assert len(chosen) > 20 and chosen != incident.passage

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

    stored = Store(app_server.db_path).incident(INCIDENT)
    assert (stored.passage_start, stored.passage_end, stored.passage) == (start, end, chosen)
    # The passage panel marks the new passage, and the history names the change.
    p.locator("mark#passage-selected").get_by_text(chosen).wait_for(timeout=60_000)
    assert p.locator("mark#passage-selected").inner_text() == chosen
    p.get_by_text("History of this incident (2 versions)").click()
    p.get_by_text(f"passage start: {incident.passage_start} -> {start}").wait_for()
    assert page.external == []
