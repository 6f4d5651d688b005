"""Script-injection and spreadsheet-formula payloads that untrusted text may carry."""

import dataclasses

from mapapp.boundary import with_border_distance
from mapapp.incident import Document, Incident

# Each payload, if it ever ran, would set window.pwned (or open a dialog, or add an element
# with id "pwned"), so a browser test can prove that none ran.
SCRIPT_PAYLOADS = (
    "<script>window.pwned=1</script>",
    '<img src=x onerror="window.pwned=2">',
    '<a id="pwned" href="javascript:window.pwned=3">click</a>',
    "${window.pwned=4}",
    "`;window.pwned=5;`",
    "\\`;window.pwned=6;//",
    '<iframe srcdoc="<script>parent.pwned=7</script>"></iframe>',
    '<svg onload="window.pwned=8"></svg>',
    "</textarea></script><script>alert(9)</script>",
    "{{7*7}} ' \" </div><b id=pwned>bold</b>",
)

FORMULA_PAYLOADS = ("=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1")


def hostile_incidents(payloads=SCRIPT_PAYLOADS, prefix="xss"):
    """A document and one incident per payload, the payload in every text field."""
    text = "\n".join(payloads) + "\n"
    document = Document(id=f"{prefix}-doc-{payloads[0][:2]}", title=payloads[0], text=text, source=payloads[-1])
    incidents = []
    offset = 0
    for number, payload in enumerate(payloads):
        incidents.append(with_border_distance(Incident(
            id=f"{prefix}-{number}",
            date_start=None, date_end=None, date_precision="unknown",
            event_type="Riots", sub_event_type="Mob violence",
            location=payload,
            latitude=42.90 + number * 0.01, longitude=20.80 + number * 0.01,
            geo_precision=1,
            description=payload, source=payload,
            document_id=document.id,
            passage_start=offset, passage_end=offset + len(payload), passage=payload,
            note=payload,
        )))
        offset += len(payload) + 1
    return document, incidents


def with_document_id(document, incidents, document_id):
    return (dataclasses.replace(document, id=document_id),
            [dataclasses.replace(i, document_id=document_id) for i in incidents])
