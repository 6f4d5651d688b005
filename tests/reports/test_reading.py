"""Report input: HTML reduced to text, scripts never text; empty, binary and oversized refused."""

import pytest

from mapapp.reports.reading import UnusableReport, read_bytes, read_text, split_reports

HOSTILE = (
    "<html><head><title>t</title><style>p{color:red}</style><script>alert('x')</script></head>"
    "<body onload=\"alert(1)\"><h1>Arrest in Zvečan</h1><p>Police <b>arrested</b> a man in Zvečan "
    "on Monday.<img src=x onerror=alert(2)></p><script>document.write('evil')</script>"
    "<p>Second &amp; last paragraph.</p><noscript>enable js</noscript></body></html>"
)


def test_html_is_reduced_to_its_readable_text():
    text = read_bytes(HOSTILE.encode(), "report.html", limit=10_000)
    assert text == "Arrest in Zvečan\n\nPolice arrested a man in Zvečan on Monday.\n\nSecond & last paragraph."


def test_pasted_html_is_recognised():
    assert read_text("<p>One.</p><script>x()</script><p>Two.</p>", limit=10_000) == "One.\n\nTwo."


@pytest.mark.parametrize("data, name, message", [
    (b"   \n\n ", "empty.txt", "has no text"),
    (b"<script>alert(1)</script>", "only.html", "has no text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "photo.txt", "not a text report"),
    (b"x" * 2000, "big.txt", "over the report limit of"),
    (b"text", "sheet.xlsx", "is not a report file"),
])
def test_unusable_reports_are_refused_with_a_message(data, name, message):
    with pytest.raises(UnusableReport, match=message):
        read_bytes(data, name, limit=1000)


def test_control_characters_are_refused():
    with pytest.raises(UnusableReport, match=r"control character '\\x00'"):
        read_text("Police\x00arrested", limit=1000)


def test_several_reports_separated_by_three_dashes():
    assert split_reports("First report.\n---\nSecond report.\n  ---  \n\n---\nThird.") == [
        "First report.", "Second report.", "Third."]
