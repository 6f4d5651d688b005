"""What `ingest` prints about a plan: a summary by default (counts, the value mapping, each kind
of reason with its first rows), every row with `verbose`."""

import re

from mapapp.ingest.value_map import CODES, PRECISION, CodeChoice
from mapapp.labels import SUB_TYPE_UNKNOWN

# Rows shown per kind of reason in the summary.
FIRST_ROWS = 3

# Quoted values and numbers differ from row to row; without them, reasons fall into kinds.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def reason_kind(reason):
    """A reason with its values taken out: "id … is already stored" for every such row."""
    return _NUMBER.sub("N", _QUOTED.sub("…", reason))


def grouped(results):
    """[(kind, [RowResult])] of the results, the most frequent kind first, rows in file order."""
    groups = {}
    for result in results:
        groups.setdefault(reason_kind(result.reason), []).append(result)
    return sorted(groups.items(), key=lambda item: -len(item[1]))


def value_lines(choices):
    """One line per distinct type value: what it became and why."""
    lines = []
    for choice in choices:
        rows = f"{choice.rows:,} row{'s' if choice.rows != 1 else ''}"
        if isinstance(choice, CodeChoice):
            column = "precision" if choice.role == PRECISION else choice.role
            if choice.code:
                words = CODES[choice.role][choice.code]
                lines.append(f"  {column}:{choice.value!r} -> {words} ({choice.origin}, {rows})")
            else:
                lines.append(f"  {column}:{choice.value!r}: not mapped, {rows} "
                             + ("rejected" if choice.role == PRECISION else "read without it"))
        elif not choice.event_type:
            lines.append(f"  {choice.value!r}: not mapped, {rows} rejected")
        else:
            sub = choice.sub_event_type or SUB_TYPE_UNKNOWN
            lines.append(f"  {choice.value!r} -> {choice.event_type} / {sub} ({choice.origin}, {rows})")
    return lines


def result_lines(status, results, verbose=False):
    """The rows of one status ("rejected", "duplicate"): all of them, or the first few of each kind."""
    lines = []
    for kind, rows in grouped(results):
        shown = rows if verbose else rows[:FIRST_ROWS]
        if not verbose and len(rows) > FIRST_ROWS:
            lines.append(f"{status}: {len(rows):,} rows: {kind}")
        lines.extend(f"{status} row {result.row_number}: {result.reason}" for result in shown)
        if len(shown) < len(rows):
            lines.append(f"  ... and {len(rows) - len(shown):,} more like these (--verbose lists every row)")
    return lines
