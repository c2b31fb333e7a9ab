"""Allow ``python -m wxpanel`` to behave exactly like the ``wxpanel`` entry point.

The guard matters: a plugin's worker process (``multiprocessing`` spawn)
imports this module again under another name, and in the frozen exe
:func:`multiprocessing.freeze_support` turns such a start into the worker.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from wxpanel.cli import entry

    entry()
