"""`python -m asc_builds` runs the command line."""

import sys

from asc_builds.cli import main

sys.exit(main())
