"""The package as pyproject.toml builds it, and an app module that starts nothing on import."""

import os
import subprocess
import sys
import tomllib

from mapapp import PACKAGE_DIR, PROJECT_DIR

PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_is_in_the_wheel():
    found = {
        ".".join(path.parent.relative_to(PROJECT_DIR).parts)
        for path in PACKAGE_DIR.rglob("__init__.py")
    }
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"mapapp.data", "mapapp.seeds"}


def test_dependencies_are_the_pins_of_requirements_txt():
    assert PYPROJECT["project"]["dynamic"] == ["dependencies"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    pins = [
        line for line in (PROJECT_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert pins and all("==" in pin for pin in pins), pins
    assert PYPROJECT["project"]["scripts"] == {"mapapp": "mapapp.cli:main"}


def test_importing_the_app_module_opens_no_store_and_renders_nothing(tmp_path):
    db = tmp_path / "never.db"
    code = (
        "import sys, streamlit.runtime, mapapp.app; "
        "print(callable(mapapp.app.main), 'streamlit_app' in sys.modules, streamlit.runtime.exists())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60,
        env=dict(os.environ, MAPAPP_DB=str(db)), check=True,
    )
    assert done.stdout.split() == ["True", "False", "False"]
    assert done.stderr == ""  # (not even Streamlit's warning about a call outside a script run)
    assert not db.exists()


def test_the_console_script_runs_the_command_line():
    from mapapp.cli import main

    assert main(["geocode", "Zvečan"]) == 0


def test_ruff_finds_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=PROJECT_DIR, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
