import sys

from mapapp.cli import main

sys.exit(main(prog="python -m mapapp"))
