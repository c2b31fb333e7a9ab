"""Allow ``python -m wxpanel`` to behave exactly like the ``wxpanel`` entry point."""

from wxpanel.cli import entry

entry()
