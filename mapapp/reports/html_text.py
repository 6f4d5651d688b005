"""HTML reduced to its readable text: paragraphs kept, markup, scripts and styles dropped.

The standard library's parser is enough: nothing here renders the HTML, it only collects the
text nodes that a reader would see. Content of script, style and similar elements never
becomes text, and attributes (event handlers included) are never read.
"""

import re
from html.parser import HTMLParser

# Elements whose content is not readable text.
_HIDDEN = frozenset([
    "script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object", "embed",
    "canvas", "select", "button",
])
# Elements that start a new paragraph.
_BLOCKS = frozenset(
    [
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2", "h3", "h4", "h5",
        "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "blockquote", "pre", "figure", "figcaption",
        "form", "fieldset", "address", "hr",
    ]
)
_VOID = frozenset([
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
])
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            if tag not in _VOID:
                self.hidden += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def looks_like_html(text):
    """True when text is an HTML page or fragment rather than plain text."""
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<body", "<head")) or bool(
        re.search(r"<(?:p|div|br|article|script|style|span|a|h[1-6])\b[^>]*>", head))


def html_to_text(html):
    """The readable text of an HTML document: one paragraph per block, single spaces."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
