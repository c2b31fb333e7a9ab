"""demo.exe's stand-in: its exact SQL on real SQLite 3.7, in a process of its own.

``python -m tests.standin --lib LIB --db DB ...`` plays demo.exe (the
behaviour is :mod:`wxpanel.core.demoexe`, shared with ``wxpanel simulate``)
through ctypes on a library ``scripts/old-sqlite`` built; :mod:`.process`
starts and stops it and reads its report, for the tests and the benchmarks.
"""
