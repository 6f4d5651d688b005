"""Shared fixtures: every test gets its own real SQLite store in a temporary folder; the store
tests also run against a real PostgreSQL with PostGIS (a throw-away cluster, tests/pg_cluster.py)."""

import os

import pytest

from mapapp.store import Store, open_store
from tests import pg_cluster
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


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throw-away PostgreSQL cluster for the whole run. Without the server packages the
    PostgreSQL cases are skipped, except under CI=true, where they fail."""
    missing = pg_cluster.available()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests cannot run: {missing}")
        pytest.skip(missing)
    with pg_cluster.Cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster, monkeypatch):
    """The URL of a fresh database (PostGIS in it), also set as $MAPAPP_DB."""
    url = postgres_cluster.new_database()
    monkeypatch.setenv("MAPAPP_DB", url)
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request):
    """Where a store test's store lives: an SQLite path, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return request.getfixturevalue("db_path")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def backend_store(store_target):
    """A new seeded store on each backend (tests that ask for it run twice)."""
    with open_store(store_target) as opened:
        yield opened


@pytest.fixture
def fake_nominatim(monkeypatch):
    """geopy's Nominatim replaced by FakeNominatim (tests/fakes.py): no request goes out."""
    from mapapp.geocoders import online

    FakeNominatim.instances = []
    monkeypatch.setattr(online, "Nominatim", FakeNominatim)
    return FakeNominatim


@pytest.fixture
def folium_calls(monkeypatch):
    """streamlit-folium's st_folium replaced by a FakeFolium (tests/test_app.py) for AppTest,
    which cannot render the component; it records what the app passes to the map."""
    from tests.test_app import FakeFolium

    fake = FakeFolium()
    monkeypatch.setattr("streamlit_folium.st_folium", fake)
    return fake
