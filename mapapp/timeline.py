"""Incidents over time by event type: a table of counts per period, ready to chart."""

import numpy as np
import pandas as pd

from mapapp.vocabulary import EVENT_TYPES

# (longest span in days, pandas period, label format, unit shown to users); weeks run
# Monday to Sunday ("W-SUN" names a week by its last day) and are labelled by their Monday.
_PERIODS = (
    (120, "W-SUN", "%Y-%m-%d", "week"),
    (4 * 366, "M", "%Y-%m", "month"),
    (None, "Y", "%Y", "year"),
)


def period_for(frame):
    """(pandas period, label format, unit): weeks for a few months, months for a few years."""
    dated = frame["date_start"].dropna()
    span = (dated.max() - dated.min()).days if len(dated) else 0
    for longest, freq, fmt, unit in _PERIODS:
        if longest is None or span <= longest:
            return freq, fmt, unit
    raise AssertionError("unreachable")


def counts_by_period(frame):
    """(counts, unit): rows = periods (labels, oldest first, empty periods kept as 0),
    columns = the event types present (in vocabulary order), values = number of incidents
    whose date_start falls in the period. Undated incidents are not counted.
    """
    dated = frame[frame["date_start"].notna()]
    freq, fmt, unit = period_for(frame)
    if dated.empty:
        return pd.DataFrame(columns=[], dtype=int), unit
    # Period start of each incident: a week starting Monday, a month, a year.
    periods = dated["date_start"].dt.to_period(freq)
    table = pd.crosstab(periods, dated["event_type"])
    full = pd.period_range(table.index.min(), table.index.max(), freq=freq)
    table = table.reindex(full, fill_value=0)
    table = table[[t for t in EVENT_TYPES if t in table.columns]]
    table.index = [period.start_time.strftime(fmt) for period in table.index]
    table.index.name = unit
    table.columns.name = None
    return table.astype(int), unit


def counts_from_columns(columns, keep):
    """counts_by_period for the incidents of `columns` (mapapp.columns) where `keep` is True,
    counted on the server in columns: the same table, without a frame of the incidents."""
    from mapapp.columns import NO_DAY

    starts = columns.date_start[keep]
    dated = starts != NO_DAY
    days, types = starts[dated].astype("datetime64[D]"), columns.event_type[keep][dated]
    span = int((days.max() - days.min()).astype(int)) if len(days) else 0
    _, fmt, unit = next(
        (freq, fmt, unit) for longest, freq, fmt, unit in _PERIODS if longest is None or span <= longest
    )
    if not len(days):
        return pd.DataFrame(columns=[], dtype=int), unit
    if unit == "week":
        # 1970-01-01 was a Thursday: a week's Monday is 3 days before the epoch's week start.
        starts_of = days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
        step = np.timedelta64(7, "D")
    else:
        starts_of = days.astype("datetime64[M]" if unit == "month" else "datetime64[Y]")
        step = np.timedelta64(1, "M" if unit == "month" else "Y")
    first, last = starts_of.min(), starts_of.max()
    slots = ((starts_of - first) // step).astype(np.int64)
    size = int((last - first) // step) + 1
    grid = np.bincount(slots * len(EVENT_TYPES) + types, minlength=size * len(EVENT_TYPES))
    grid = grid.reshape(size, len(EVENT_TYPES))
    present = [i for i in range(len(EVENT_TYPES)) if grid[:, i].any()]
    labels = [pd.Timestamp(first + k * step).strftime(fmt) for k in range(size)]
    table = pd.DataFrame(grid[:, present], index=labels, columns=[EVENT_TYPES[i] for i in present])
    table.index.name = unit
    table.columns.name = None
    return table.astype(int), unit
