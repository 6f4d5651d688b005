"""Writing incidents in the data contract: CSV and GeoJSON."""

import csv
import io
import json

import pandas as pd

from mapapp.incident import CONTRACT_COLUMNS

TEXT_COLUMNS = (
    "id", "date_precision", "event_type", "sub_event_type", "location", "description",
    "source", "document_id", "passage", "note", "actor1", "actor2", "admin1", "admin2",
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text):
    """Text that a spreadsheet shows as typed: a leading formula character gets a quote before it.

    A plain number ("-20.5", "-2,5" with a decimal comma) is left alone: it is no formula, and
    a quote would turn a coordinate in a re-opened file into text.
    """
    if not text.startswith(FORMULA_PREFIXES):
        return text
    try:
        float(text.replace(",", "."))
        return text
    except ValueError:
        return "'" + text


def contract_records(frame):
    """Rows of a filtered incident frame as plain dicts: ISO dates, None for empty numbers."""
    records = []
    for row in frame[list(CONTRACT_COLUMNS)].to_dict("records"):
        for key in ("date_start", "date_end"):
            row[key] = "" if pd.isna(row[key]) else row[key].date().isoformat()
        if pd.isna(row["border_distance_km"]):
            row["border_distance_km"] = None
        row["fatalities"] = None if pd.isna(row["fatalities"]) else int(row["fatalities"])
        records.append(row)
    return records


def to_csv(records):
    """The records as CSV text in contract column order, formulas neutralised in text cells only."""
    out = io.StringIO()
    # RFC 4180 line ends: with "\r\n" as terminator the writer also quotes cells holding a lone "\r".
    writer = csv.DictWriter(out, fieldnames=CONTRACT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({
            key: neutralise_formula(value) if key in TEXT_COLUMNS and isinstance(value, str) else
            ("" if value is None else value)
            for key, value in record.items()
        })
    return out.getvalue()


def to_geojson(records):
    """The records as a GeoJSON FeatureCollection of points, every contract column a property."""
    features = [
        {
            "type": "Feature",
            "id": record["id"],
            "geometry": {"type": "Point", "coordinates": [record["longitude"], record["latitude"]]},
            "properties": dict(record),
        }
        for record in records
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
