"""The frozen app's entry point: the same door as the ``ptclock`` command."""

import sys

from ptclock.main import main

if __name__ == "__main__":
    sys.exit(main())
