"""``python -m graphemb``: the command line (see :mod:`graphemb.cli`)."""

import sys

from .cli import main

sys.exit(main())
