"""Shared fixtures: every test gets its own real SQLite store in a temporary folder."""

import pytest

from mapapp.store import Store


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
