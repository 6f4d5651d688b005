"""An exported CSV opened as text: formulas neutralised, numbers still numbers."""

import csv
import io
import subprocess
import sys

import pandas as pd

from mapapp import PROJECT_DIR
from mapapp.export import TEXT_COLUMNS
from mapapp.store import Store
from tests.payloads import FORMULA_PAYLOADS, hostile_incidents


def test_exported_csv_neutralises_formulas_and_keeps_numbers(tmp_path):
    db = tmp_path / "formulas.db"
    document, incidents = hostile_incidents(FORMULA_PAYLOADS, prefix="formula")
    with Store(db) as store:
        store.add([document], incidents)
    result = subprocess.run(
        [sys.executable, "-m", "mapapp", "export", "--db", str(db), "--format", "csv"],
        cwd=PROJECT_DIR, capture_output=True, timeout=60, check=True,
    )
    # Decoded by hand: text mode would turn the payload's "\r" into "\n".
    exported = result.stdout.decode("utf-8")
    rows = [row for row in csv.DictReader(io.StringIO(exported, newline="")) if row["id"].startswith("formula")]
    assert len(rows) == len(FORMULA_PAYLOADS)
    for row, payload in zip(sorted(rows, key=lambda r: int(r["id"].split("-")[1])), FORMULA_PAYLOADS):
        for column in ("location", "description", "source", "passage", "note"):
            assert row[column] == "'" + payload, (column, row[column])
        # No text cell of the export starts a formula.
        assert not any(row[c].startswith(("=", "+", "-", "@", "\t", "\r")) for c in TEXT_COLUMNS)
    frame = pd.read_csv(io.StringIO(exported, newline=""))
    for column in ("latitude", "longitude", "geo_precision", "border_distance_km", "passage_start", "passage_end"):
        assert pd.api.types.is_numeric_dtype(frame[column]), column
    first = frame[frame["id"] == "formula-0"].iloc[0]
    assert (first["latitude"], first["longitude"]) == (42.90, 20.80)
