"""Allow ``python -m wxpanel`` to behave exactly like the ``wxpanel`` entry point."""

import sys

from wxpanel.cli import main

sys.exit(main())
