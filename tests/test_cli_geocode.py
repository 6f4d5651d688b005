"""`python -m mapapp geocode`: one JSON object per query; unresolved queries said, not guessed."""

import json
import subprocess
import sys

import pytest

from mapapp import PROJECT_DIR


def geocode(*queries, geocoder=None):
    args = [sys.executable, "-m", "mapapp", "geocode", *queries]
    if geocoder:
        args += ["--geocoder", geocoder]
    return subprocess.run(args, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60)


def test_one_json_object_per_query():
    result = geocode("Banska Orthodox monastery", "Звечан", "Paris Hilton", "Banjska")
    assert result.returncode == 0, result.stderr
    monastery, zvecan, nowhere, banjska = map(json.loads, result.stdout.splitlines())
    assert monastery["query"] == "Banska Orthodox monastery"
    assert (monastery["name"], monastery["geo_precision"], monastery["source"], monastery["match"]) == (
        "Banjska Monastery", 1, "supplement:banjska-monastery", "fuzzy")
    assert (zvecan["name"], zvecan["source"]) == ("Zvečan", "geonames:XK:783770")
    assert (zvecan["lat"], zvecan["lon"]) == pytest.approx((42.9075, 20.84028))
    assert nowhere == {"query": "Paris Hilton", "found": False, "reason": "no place in the gazetteer matches this name"}
    assert banjska["source"] == "geonames:XK:792910"
    assert "geonames:XK:792911" in [candidate["source"] for candidate in banjska["ambiguous"]]


def test_an_unknown_geocoder_lists_the_valid_ones():
    result = geocode("Zvečan", geocoder="google")
    assert result.returncode == 2
    assert "unknown geocoder 'google'; expected one of: gazetteer, nominatim" in result.stderr
