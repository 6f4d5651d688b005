"""`mapapp ...` run in the test's process: the same code as the command (mapapp.cli.main),
without starting Python again. Tests of what only a process of its own shows (exit on a closed
pipe or Ctrl-C, environment variables) start `python -m mapapp` instead."""

import contextlib
import io


class Ran:
    """What main() returned and printed, like a CompletedProcess."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(*args):
    from mapapp.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exit_:
            code = exit_.code
    return Ran(code or 0, out.getvalue(), err.getvalue())
