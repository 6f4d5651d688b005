"""Shared fixtures: every test gets its own real SQLite store in a temporary folder."""

import pytest

from mapapp.store import Store
from tests.fakes import FakeNominatim


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "mapapp.db"
    # Anything that falls back to the default store must not touch data/mapapp.db.
    monkeypatch.setenv("MAPAPP_DB", str(path))
    return path


@pytest.fixture
def store(db_path):
    with Store(db_path) as opened:
        yield opened


@pytest.fixture
def fake_nominatim(monkeypatch):
    """geopy's Nominatim replaced by FakeNominatim (tests/fakes.py): no request goes out."""
    from mapapp.geocoders import online

    FakeNominatim.instances = []
    monkeypatch.setattr(online, "Nominatim", FakeNominatim)
    return FakeNominatim
