"""``python -m ptclock`` is the same door as the ``ptclock`` command."""

import sys

from ptclock.main import main

sys.exit(main())
