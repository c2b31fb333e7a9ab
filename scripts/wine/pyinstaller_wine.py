"""``python -m PyInstaller`` for the Windows Python under Wine, with one Wine bug worked around.

Wine 8's EndUpdateResourceW can report failure with the error "Success" (0)
after writing a bootloader's resources; PyInstaller then stops (seen when it
deletes a copied bootloader's resources and when it writes its default icon,
in a plain ``pyinstaller --onefile script.py``). The resources are written,
so that one error is ignored; any other is raised. Used by
scripts/wine/winenv.py for every build; real Windows does not need it.
"""

import sys

from PyInstaller.__main__ import run
from PyInstaller.compat import win32api

_end_update_resource = win32api.EndUpdateResource


def end_update_resource(handle, discard):
    try:
        _end_update_resource(handle, discard)
    except Exception as exc:
        if not (exc.args and exc.args[0] == 0):
            raise


win32api.EndUpdateResource = end_update_resource

if __name__ == "__main__":
    sys.exit(run())
