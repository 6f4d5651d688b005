"""Incidents over time by event type: a table of counts per period, ready to chart."""

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
