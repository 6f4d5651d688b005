"""Every command, with odd values in its path arguments and in MAPAPP_DB, MAPAPP_MAX_UPLOAD_MB,
MAPAPP_MAX_ROWS and MAPAPP_MAX_REPORT_MB: an exit status of 0, 1 or 2 (argparse's own 2 for a malformed command line)
and at most a one-line message, never a traceback.

The commands and their path arguments are read from the parser, so a command added later is
fuzzed too. Most cases run in-process (mapapp.cli.main); a few through `python -m mapapp`.
"""

import os
import random
import shutil
import subprocess
import sys

import pytest

from mapapp import PROJECT_DIR, cli
from mapapp.store import Store

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "acled_kosovo.csv"
PATH_DESTS = {"file", "db", "rejected", "path", "output", "values"}
PATH_METAVARS = {"FILE", "PATH", "CSV", "DIR", "DB"}
OTHER_VALUES = {"queries": ["Zvečan"], "upload": ["upload-0000000000000000"]}
NUMBERS = ["", " ", "0", "-1", "inf", "-inf", "nan", "1e400", "1e30", "9" * 40, "abc", "2.5", " 7 ", "1_000", "0x10"]


def commands():
    """{command: [(dest, option string or None for a positional, is a path)]} from the parser."""
    parser = cli._parser("mapapp")
    (sub,) = [action for action in parser._actions if action.__class__.__name__ == "_SubParsersAction"]
    found = {}
    for name, command in sub.choices.items():
        found[name] = [
            (action.dest, action.option_strings[0] if action.option_strings else None,
             action.dest in PATH_DESTS or action.metavar in PATH_METAVARS, action.required)
            for action in command._actions if action.dest != "help"
        ]
    return found


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    """Odd paths, each a real thing on disk (or deliberately not)."""
    folder = tmp_path_factory.mktemp("fuzz")
    good_db = folder / "good.db"
    Store(good_db).close()
    corrupt = folder / "corrupt.db"
    corrupt.write_bytes(os.urandom(4096))
    plain = folder / "plain.txt"
    plain.write_text("x")
    odd_name = os.fsdecode(os.path.join(os.fsencode(folder), b"\xff\xfe.csv"))
    shutil.copy(FIXTURE, odd_name)
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    return {
        "good csv": str(FIXTURE), "good db": str(good_db), "missing": str(folder / "missing.csv"),
        "folder": str(folder), "/dev/zero": "/dev/zero", "/dev/null": "/dev/null", "fifo": str(fifo),
        "not utf-8": odd_name, "through a file": str(plain / "x.db"), "empty": "", "long": str(folder / ("a" * 300)),
        "/proc": "/proc/no-such/x.db", "corrupt db": str(corrupt), "plain text": str(plain),
    }


def _argv(name, arguments, chosen):
    argv = [name]
    for dest, option, is_path, required in arguments:
        if is_path:
            if dest in chosen:
                value = chosen[dest]
            elif required:
                value = "good csv"
            else:
                continue
            value = [value]
        elif required and dest in OTHER_VALUES:
            value = OTHER_VALUES[dest]
        else:
            continue
        argv += ([option] if option else []) + value
    return argv


def _check(status, err):
    assert "Traceback" not in err, err
    assert status in (0, 1, 2), status
    if status == 2 and err.startswith("error:"):
        assert len(err.strip().splitlines()) == 1, err


def test_odd_paths_and_environments_never_give_a_traceback(paths, monkeypatch, capsys):
    rng = random.Random(9)
    table = commands()
    assert {"ingest", "export", "uploads", "remove-upload", "geocode"} <= set(table)
    names = list(paths)
    tried = 0
    for name, arguments in table.items():
        path_dests = [dest for dest, _, is_path, _ in arguments if is_path]
        # Each path argument with each odd path once, then random mixes with odd environments.
        cases = [({dest: paths[value]}, {}) for dest in path_dests for value in names]
        for _ in range(20):
            env = {
                "MAPAPP_DB": paths[rng.choice(names)],
                "MAPAPP_MAX_UPLOAD_MB": rng.choice(NUMBERS),
                "MAPAPP_MAX_ROWS": rng.choice(NUMBERS),
                "MAPAPP_MAX_REPORT_MB": rng.choice(NUMBERS),
            }
            cases.append(({dest: paths[rng.choice(names)] for dest in path_dests if rng.random() < 0.7}, env))
        for chosen, env in cases:
            for variable in ("MAPAPP_DB", "MAPAPP_MAX_UPLOAD_MB", "MAPAPP_MAX_ROWS", "MAPAPP_MAX_REPORT_MB"):
                monkeypatch.delenv(variable, raising=False)
                if env.get(variable):
                    monkeypatch.setenv(variable, env[variable])
            if "MAPAPP_DB" not in env:
                monkeypatch.setenv("MAPAPP_DB", paths["good db"])
            argv = _argv(name, arguments, chosen)
            try:
                status = cli.main(argv)
            except SystemExit as exit_:  # argparse refusing the command line
                status = exit_.code
            out, err = capsys.readouterr()
            _check(status, err)
            tried += 1
    assert tried >= 150


@pytest.mark.parametrize(("argv", "env"), [
    (["export"], {"MAPAPP_DB": "/dev/zero"}),
    (["ingest", str(FIXTURE)], {"MAPAPP_MAX_UPLOAD_MB": "1e400", "MAPAPP_MAX_ROWS": "nan"}),
    (["uploads", "--db", "/proc/no-such/x.db"], {}),
])
def test_the_real_command_never_gives_a_traceback(tmp_path, argv, env):
    environment = {**os.environ, "MAPAPP_DB": str(tmp_path / "store.db"), **env}
    result = subprocess.run([sys.executable, "-m", "mapapp", *argv], cwd=PROJECT_DIR, capture_output=True,
                            text=True, env=environment, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
