"""The Qt panel: everything that imports Qt lives in this package.

The core (:mod:`wxpanel.core`) knows nothing of Qt; this package only adapts
it: the poller runs in a QThread (:mod:`.worker`), its values feed item models
(:mod:`.models`) and the window (:mod:`.mainwindow`) shows them.
"""
