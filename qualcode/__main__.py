"""``python -m qualcode``: the command line, where the ``qualcode`` script is not on PATH."""
import sys

from qualcode.cli import main

if __name__ == "__main__":
    sys.exit(main(prog_name="qualcode"))
