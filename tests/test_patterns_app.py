"""The app's pattern sections (AppTest): counts per municipality, periods compared, links
reviewed and confirmed events counted and mapped once."""

import pytest
from streamlit.testing.v1 import AppTest

from mapapp import PROJECT_DIR
from mapapp.ingest.importer import commit, plan_import
from tests.test_app import APP, count_line

FIXTURES = PROJECT_DIR / "tests" / "fixtures"


@pytest.fixture
def app(store, folium_calls):
    for name in ("same_event_acled.csv", "same_event_ucdp.csv", "same_event_log.csv"):
        commit(plan_import((FIXTURES / name).read_bytes(), name, store), store)
    return AppTest.from_file(APP, default_timeout=60)


def _frame_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns or d.value.index.name == column)


def test_municipality_table_and_comparison(app):
    at = app.run()
    assert not at.exception
    table = _frame_with(at, "municipality")
    assert table["total"].to_dict() == {"Zvečan": 5, "Leposavić": 1, "Zubin Potok": 1, "unassigned": 7}
    assert table.loc["Zvečan", "Battles"] == 4
    # Default periods: 2022 and 2023 (the latest incident's year); by municipality.
    compared = next(d.value for d in at.dataframe if "difference" in d.value.columns)
    assert compared.to_dict("records")[0] == {
        "municipality": "Zvečan", "01 Jan 2022 – 31 Dec 2022": 0, "01 Jan 2023 – 31 Dec 2023": 4, "difference": 4,
    }


def test_confirming_a_link_counts_and_maps_the_event_once(app, store, folium_calls):
    at = app.run()
    assert count_line(at) == "**14 of 14 incidents · 8 fatalities**"
    assert at.toggle(key="f_events").disabled
    at.button(key="confirm-200201\x1flog-101").click().run()
    assert store.links() == [("200201", "log-101", "confirmed")]
    at.button(key="confirm-200201\x1fXKX2310").click().run()
    assert store.links("confirmed") == [("200201", "XKX2310", "confirmed"), ("200201", "log-101", "confirmed")]
    at.toggle(key="f_events").set_value(True).run()
    assert count_line(at) == "**12 events** (14 of 14 reports)"
    shown = folium_calls.layer_ids()
    assert len(shown) == 12
    # The event's best report stands for it: all three are exact; the smallest id wins.
    assert "200201" in shown and "XKX2310" not in shown and "log-101" not in shown
    assert "XKX2311" in shown  # another ACLED actor pair: a report of its own


def test_open_report_shows_the_other_reports_of_its_event(app, store):
    store.decide_link("XKX2310", "200201", "confirmed")
    app.query_params["incident"] = "XKX2310"
    at = app.run()
    assert any("The same event in 1 other report(s)" in m.value for m in at.markdown)
    cards = [h.proto.body for h in at.get("html") if "Kosovo police officer killed" in h.proto.body]
    # Beside the passage, and in the two proposals still open for 200201 (with log-101, XKX2311).
    assert len(cards) == 3 and all("<code>200201</code>" in card for card in cards)


def test_report_cards_are_inert():
    from mapapp.passage_view import report_card_html

    card = report_card_html({
        "source": "<script>alert(1)</script>", "document_id": "d", "id": "x<b>", "date_label": "d",
        "place_label": "p", "type_label": "t", "passage": "<img src=x onerror=alert(1)>",
    })
    assert "<script>" not in card and "<img" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card


def test_a_large_stores_links_are_looked_for_when_an_editor_asks(app, store, monkeypatch):
    """Above app.PAIRS_ON_REQUEST incidents the section offers to look for the pairs instead of
    working them out on every first page; once asked, every session shows them."""
    from mapapp import app as page

    monkeypatch.setattr(page, "PAIRS_ON_REQUEST", 10)
    page._pairs_asked_for().clear()
    at = app.run()
    assert not at.exception
    assert not [b for b in at.button if b.key.startswith("confirm-")]
    assert "Among 14 incidents, looking for reports of the same event" in " ".join(c.value for c in at.caption)
    at.button(key="links_ask").click().run()
    assert [b.key for b in at.button if b.key.startswith("confirm-")][:2] == [
        "confirm-200201\x1flog-101", "confirm-200201\x1fXKX2310",
    ]
    assert "5 pair(s) proposed" in " ".join(c.value for c in at.caption)
    again = AppTest.from_file(APP, default_timeout=60).run()
    assert len([b for b in again.button if b.key.startswith("confirm-")]) == 5
    page._pairs_asked_for().clear()
