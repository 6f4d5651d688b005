"""Incident map of northern Kosovo and the Kosovo–Serbia border zone."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
# A checkout keeps data/ and seeds/ beside the package; an installed wheel carries them inside
# it (pyproject.toml maps them to mapapp/data and mapapp/seeds).
_CHECKOUT = (PROJECT_DIR / "seeds").is_dir() or not (PACKAGE_DIR / "seeds").is_dir()
DATA_DIR = (PROJECT_DIR if _CHECKOUT else PACKAGE_DIR) / "data"
SEEDS_DIR = (PROJECT_DIR if _CHECKOUT else PACKAGE_DIR) / "seeds"
# The default store: data/mapapp.db of the checkout, or of the working directory when installed
# (never inside site-packages).
STORE_DIR = PROJECT_DIR / "data" if _CHECKOUT else Path("data")
