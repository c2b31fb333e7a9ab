"""The plain-Python heart of wxpanel.

Nothing below this package imports Qt: the same code serves the panel, the
headless mode and the command line, and can be tested without a display.
"""
