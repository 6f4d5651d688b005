"""A report as it arrives (pasted text or an uploaded .txt, .md or .html file) → its text.

Refuses what cannot be a report, with a message naming the problem: no text, more text than
the limit, binary data. HTML is reduced to its readable text (mapapp.reports.html_text).
A file may hold several reports separated by a line of three dashes.
"""

import os
import re

from mapapp.errors import MapAppError, UnusableFile
from mapapp.reports.html_text import html_to_text, looks_like_html

MAX_REPORT_MB = 2
MAX_REPORT_MB_ENV = "MAPAPP_MAX_REPORT_MB"
SUFFIXES = (".txt", ".md", ".html", ".htm")
_SEPARATOR = re.compile(r"^[ \t]*---[ \t]*\r?$", re.MULTILINE)
# Control characters other than tab and line breaks: not in any report.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class UnusableReport(UnusableFile):
    """A report that cannot be read at all: nothing of it is stored."""


def max_report_bytes(environ=None):
    """The size limit of one report file, from $MAPAPP_MAX_REPORT_MB (default 2 MB)."""
    environ = os.environ if environ is None else environ
    text = environ.get(MAX_REPORT_MB_ENV, "").strip()
    try:
        megabytes = float(text) if text else MAX_REPORT_MB
    except ValueError:
        raise UnusableReport(f"${MAX_REPORT_MB_ENV} must be a positive number, got {text!r}") from None
    if not 0 < megabytes < 1024 * 1024:  # also refuses nan and inf (no byte count)
        raise UnusableReport(f"${MAX_REPORT_MB_ENV} must be a positive number, got {text!r}")
    return int(megabytes * 1024 * 1024)


def read_bytes(data, name="report.txt", limit=None):
    """The text of an uploaded report file (decoded, HTML reduced to text)."""
    from mapapp.ingest.reading import decode

    limit = max_report_bytes() if limit is None else limit
    suffix = os.path.splitext(name)[1].lower()
    if suffix and suffix not in SUFFIXES:
        raise UnusableReport(f"{name!r} is not a report file: expected one of {', '.join(SUFFIXES)}")
    if len(data) > limit:
        raise UnusableReport(
            f"{name!r} is {len(data) / 1024 / 1024:.1f} MB, over the report limit of {limit / 1024 / 1024:g} MB "
            f"(${MAX_REPORT_MB_ENV})")
    try:
        text, _ = decode(data)
    except MapAppError as err:
        raise UnusableReport(f"{name!r} is not a text report: {err}") from None
    return read_text(text, name, limit, html=suffix in (".html", ".htm") or None)


def read_text(text, name="the pasted text", limit=None, html=None):
    """A report's text, checked: not empty, not binary, not over the limit; HTML reduced to text."""
    limit = max_report_bytes() if limit is None else limit
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise UnusableReport(f"{name} is over the report limit of {limit / 1024 / 1024:g} MB (${MAX_REPORT_MB_ENV})")
    if _CONTROL.search(text):
        bad = _CONTROL.search(text).group()
        raise UnusableReport(f"{name} holds control character {bad!r}: it looks like binary data, not a report")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if html or (html is None and looks_like_html(text)):
        text = html_to_text(text)
    if not text.strip():
        raise UnusableReport(f"{name} has no text: paste or upload a report")
    return text


def split_reports(text):
    """The reports of a text that holds several, separated by a line '---' (empty ones dropped)."""
    return [part.strip("\n") for part in _SEPARATOR.split(text) if part.strip()]
