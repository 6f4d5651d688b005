"""Counts of incidents per municipality, month and type, and two periods compared.

Month rule: an incident counts in the month of its dates when its whole date range lies in one
calendar month ("2023-05"); a range across months counts under "first/last" ("2023-05/2023-06",
e.g. a week around a month's end, a year-precise UCDP event), never spread or guessed into one
month; an undated incident counts under "undated".
"""

import csv
import io
import json

import numpy as np
import pandas as pd

from mapapp.municipalities import UNASSIGNED, assign
from mapapp.vocabulary import EVENT_TYPES

UNDATED = "undated"
# --by choices: the column each grouping reads.
GROUPINGS = ("municipality", "month", "type")


def frame_from_columns(columns, keep, municipality):
    """The kept incidents of `columns` (mapapp.columns) as the frame the counts read: event_type,
    date_start and date_end (datetime64, NaT when undated) and municipality (an array in the
    columns' order, municipalities.assign_columns)."""
    from mapapp.columns import NO_DAY

    def dates(days):
        days = days[keep].astype("int64")
        values = days.astype("datetime64[D]").astype("datetime64[ns]")
        values[days == NO_DAY] = np.datetime64("NaT")
        return pd.Series(values)

    return pd.DataFrame({
        "event_type": np.asarray(EVENT_TYPES, dtype=object)[columns.event_type[keep]],
        "date_start": dates(columns.date_start),
        "date_end": dates(columns.date_end),
        "municipality": municipality[keep],
    })


def month_keys(frame):
    """A Series of each incident's month key by the module's rule (each distinct pair of
    months formatted once)."""
    first = frame["date_start"].to_numpy("datetime64[M]")
    last = frame["date_end"].to_numpy("datetime64[M]")
    # Both months in one int64 (32 bits each, NaT as the smallest int32), factorized at once: a
    # MultiIndex of a million rows builds a million tuples.
    nat = np.datetime64("NaT").astype(np.int64)

    def as_int32(months):
        values = months.astype(np.int64)
        return np.where(values == nat, np.iinfo(np.int32).min, values).astype(np.int32).astype(np.int64)

    def month(number):
        return np.datetime64("NaT") if number == np.iinfo(np.int32).min else np.datetime64(number, "M")

    codes, distinct = pd.factorize((as_int32(first) << 32) | (as_int32(last) & 0xFFFFFFFF))
    labels = []
    for key in distinct.tolist():
        a, b = key >> 32, int(np.uint32(key & 0xFFFFFFFF).astype(np.int32))
        if a == np.iinfo(np.int32).min:
            labels.append(UNDATED)
        else:
            start = str(month(a))
            labels.append(start if a == b else f"{start}/{month(b)}")
    return pd.Series(np.asarray(labels, dtype=object)[codes], index=frame.index, dtype=object)


def keyed(frame):
    """The grouping columns of `frame`'s rows: municipality, month, type."""
    municipality = frame["municipality"] if "municipality" in frame.columns else (
        assign(frame) if len(frame) else pd.Series(dtype=object)  # the app keeps it per store
    )
    return pd.DataFrame({
        "municipality": municipality,
        "month": month_keys(frame) if len(frame) else pd.Series(dtype=object),
        "type": frame["event_type"],
    }, index=frame.index)


def counts(frame, by):
    """[(key, count)] of the incidents of `frame` per `by` (one of GROUPINGS, or a tuple of them),
    most first, ties by key; a key of several groupings is a tuple."""
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [name for name in by if name not in GROUPINGS]
    if unknown:
        raise ValueError(f"cannot count by {unknown[0]!r}: expected one of {', '.join(GROUPINGS)}")
    table = keyed(frame).groupby(list(by)).size() if len(frame) else pd.Series(dtype=int)
    pairs = [(key, int(n)) for key, n in table.items()]
    if by == ("month",):
        return sorted(pairs)  # time order reads better than size order
    return sorted(pairs, key=lambda pair: (-pair[1], str(pair[0])))


def one_per_event(frame):
    """One row per event of a frame with an `event` column (mapapp.corroboration.with_events):
    the event's most precisely placed report, then the most precisely dated, then the smallest id.
    Counting these counts events; the other reports are not lost, only not counted twice."""
    span = (frame["date_end"] - frame["date_start"]).dt.days.fillna(1e9)
    order = frame.assign(_span=span).sort_values(["event", "geo_precision", "_span", "id"])
    return order.drop_duplicates("event").drop(columns="_span").loc[lambda f: f.index.isin(frame.index)]


def municipality_table(frame):
    """Counts per municipality (rows, most first, "unassigned" last) and event type (columns,
    vocabulary order, only those present), with a "total" column."""
    keyed_frame = keyed(frame)
    table = pd.crosstab(keyed_frame["municipality"], keyed_frame["type"])
    table = table[[t for t in EVENT_TYPES if t in table.columns]]
    table["total"] = table.sum(axis=1)
    order = sorted(table.index, key=lambda name: (name == UNASSIGNED, -table.at[name, "total"], name))
    table = table.loc[order]
    table.index.name = "municipality"
    table.columns.name = None
    return table.astype(int)


def monthly(frame):
    """(long table, left out): incidents per municipality, calendar month and type, for the
    incidents dated within one month; `left out` counts the others (undated or across months),
    which a monthly chart cannot place."""
    keyed_frame = keyed(frame)
    single = keyed_frame[keyed_frame["month"].str.fullmatch(r"\d{4}-\d{2}")]
    table = single.groupby(["municipality", "month", "type"]).size().rename("incidents").reset_index()
    return table, len(keyed_frame) - len(single)


def in_period(frame, since, until):
    """The rows whose whole date range lies within [since, until] (dates, inclusive)."""
    return frame[(frame["date_start"] >= pd.Timestamp(since)) & (frame["date_end"] <= pd.Timestamp(until))]


def compare(frame, by, first, second):
    """Counts per `by` in two periods, each (since, until): [{key, first, second, difference}],
    by largest change first. An incident counts in a period only when its whole date range is in it.
    """
    a = dict(counts(in_period(frame, *first), by))
    b = dict(counts(in_period(frame, *second), by))
    rows = [
        {"key": key, "first": a.get(key, 0), "second": b.get(key, 0), "difference": b.get(key, 0) - a.get(key, 0)}
        for key in set(a) | set(b)
    ]
    return sorted(rows, key=lambda row: (-abs(row["difference"]), str(row["key"])))


def to_csv(pairs, by):
    """The (key, count) pairs as CSV with a header: `by`, count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((by, "count"))
    writer.writerows(pairs)
    return out.getvalue()


def to_json(pairs, by):
    """The (key, count) pairs as a JSON list of {by: key, "count": n}."""
    return json.dumps([{by: key, "count": n} for key, n in pairs], ensure_ascii=False)
