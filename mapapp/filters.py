"""Narrowing a table of incidents by date, type, boundary distance, precision and text."""

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from mapapp.incident import CONTRACT_COLUMNS


def fold_text(text):
    """Text as the search compares it: case folded ("MONASTERY" finds "monastery")."""
    return text.casefold()


def incident_frame(rows):
    """A DataFrame of contract rows with real dtypes: dates as datetime64, numbers as floats."""
    frame = pd.DataFrame(list(rows), columns=list(CONTRACT_COLUMNS))
    for column in ("date_start", "date_end"):
        frame[column] = pd.to_datetime(frame[column].replace("", None), format="ISO8601")
    for column in ("latitude", "longitude", "border_distance_km"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    for column in ("geo_precision", "passage_start", "passage_end"):
        frame[column] = pd.to_numeric(frame[column]).astype(int)
    # Nullable whole numbers: an unknown count stays unknown, not 0.
    frame["fatalities"] = pd.to_numeric(frame["fatalities"]).astype("Int64")
    for column in ("note", "sub_event_type", "description", "source", "location", "passage",
                   "actor1", "actor2", "admin1", "admin2"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the incidents to; empty tuples and None mean "no limit"."""

    since: dt.date | None = None
    until: dt.date | None = None
    include_undated: bool = True
    event_types: tuple = ()
    sub_event_types: tuple = ()
    date_precisions: tuple = ()
    geo_precisions: tuple = ()
    max_border_km: float | None = None
    text: str = ""
    documents: tuple = ()  # source document ids: the seed report, each uploaded file

    def apply(self, frame):
        """The rows of `frame` that pass every filter, in their original order."""
        keep = pd.Series(True, index=frame.index)
        undated = frame["date_start"].isna()
        # A dated incident passes when its date range overlaps [since, until]: a month-precise
        # event of May 2023 is in a range starting 15 May.
        if self.since is not None:
            keep &= undated | (frame["date_end"] >= pd.Timestamp(self.since))
        if self.until is not None:
            keep &= undated | (frame["date_start"] <= pd.Timestamp(self.until))
        if not self.include_undated:
            keep &= ~undated
        if self.event_types:
            keep &= frame["event_type"].isin(self.event_types)
        if self.sub_event_types:
            keep &= frame["sub_event_type"].isin(self.sub_event_types)
        if self.date_precisions:
            keep &= frame["date_precision"].isin(self.date_precisions)
        if self.geo_precisions:
            keep &= frame["geo_precision"].isin(self.geo_precisions)
        if self.max_border_km is not None:
            keep &= frame["border_distance_km"] <= self.max_border_km
        if self.documents:
            keep &= frame["document_id"].isin(self.documents)
        if self.text.strip():
            needle = fold_text(self.text.strip())
            haystack = (frame["description"] + "\n" + frame["passage"] + "\n" + frame["location"]).map(fold_text)
            keep &= haystack.str.contains(needle, regex=False)
        return frame[keep]
