import sys

try:
    from mapapp.cli import main
except KeyboardInterrupt:  # Ctrl-C while starting: no traceback either
    sys.exit(130)

sys.exit(main(prog="python -m mapapp"))
