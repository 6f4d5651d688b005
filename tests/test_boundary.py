"""The Kosovo–Serbia boundary line and distances to it."""

import numpy as np
import pytest

from mapapp.boundary import (
    _rounded_to_hundredths, border_distances_array, border_distances_km, boundary_line, distance_km, outlines,
    side,
)
from mapapp.errors import DataFileError


def test_boundary_is_the_shared_edge_of_the_outlines():
    line = boundary_line()
    assert line.geom_type == "LineString"
    assert len(line.coords) == 130
    west, south, east, north = line.bounds
    assert (west, south, east, north) == pytest.approx((20.345, 42.246, 21.773, 43.263), abs=0.001)


# Expected km: the minimum geodesic distance (geopy) to the line densified to 0.002°.
@pytest.mark.parametrize(
    "place, lat, lon, km, country",
    [
        ("Banjska (Zvečan)", 42.97333, 20.78083, 14.14, "Kosovo"),
        ("Donje Jarinje", 43.2075, 20.71667, 2.62, "Kosovo"),
        ("Novi Pazar", 43.1367, 20.5137, 8.11, "Serbia"),
        ("Belgrade", 44.80401, 20.46513, 173.19, "Serbia"),
    ],
)
def test_distance_to_the_boundary(place, lat, lon, km, country):
    assert distance_km(lat, lon) == pytest.approx(km, abs=0.1), place
    assert side(lat, lon) == country


def test_a_point_on_the_line_is_at_zero_km():
    lon, lat = boundary_line().coords[40]
    assert distance_km(lat, lon) == pytest.approx(0.0, abs=1e-6)


def test_distances_are_vectorised():
    result = distance_km(np.array([42.97333, 43.2075]), np.array([20.78083, 20.71667]))
    assert result == pytest.approx([14.14, 2.62], abs=0.05)


def test_distances_in_bulk_are_the_rounded_ones_of_each_point():
    rng = np.random.default_rng(13)
    lat, lon = rng.uniform(42.2, 43.4, 20_000), rng.uniform(20.3, 21.8, 20_000)
    precisions = rng.integers(1, 6, 20_000)
    values, missing = border_distances_array(lat, lon, precisions)
    expected = border_distances_km(lat, lon, precisions.tolist())
    assert [None if gone else value for value, gone in zip(values.tolist(), missing.tolist())] == expected
    assert missing.sum() == sum(1 for p in precisions if p == 5)


@pytest.mark.parametrize("value", [0.125, 0.135, 1.005, 2.675, 1.115, 10.245, 0.0, 3.0, 0.004999999999999999])
def test_hundredths_in_bulk_round_as_python_does_next_to_a_half(value):
    assert _rounded_to_hundredths(np.array([value])).tolist() == [round(value, 2)]


def test_a_missing_outline_file_names_the_file(tmp_path):
    missing = tmp_path / "outlines.geojson"
    with pytest.raises(DataFileError, match="outlines.geojson"):
        outlines(missing)


def test_a_corrupt_outline_file_names_the_file(tmp_path):
    corrupt = tmp_path / "broken.geojson"
    corrupt.write_text('{"type": "FeatureCollection", "features": [{"nope": 1}]}')
    with pytest.raises(DataFileError, match="broken.geojson"):
        outlines(corrupt)
