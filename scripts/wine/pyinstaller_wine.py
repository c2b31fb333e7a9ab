"""``python -m PyInstaller`` for the Windows Python under Wine, with one Wine bug worked around.

Wine 8's EndUpdateResourceW, asked to delete every resource of a copied
bootloader, can report failure with the error "Success" (0); PyInstaller
then stops (seen for a plain ``pyinstaller --onefile script.py``). Nothing
is wrong with the file, so that one error is ignored; any other is raised.
Used by scripts/wine/winenv.py for every build.
"""

import sys

from PyInstaller.__main__ import run
from PyInstaller.utils.win32 import winresource

_remove_all_resources = winresource.remove_all_resources


def remove_all_resources(filename):
    try:
        _remove_all_resources(filename)
    except Exception as exc:
        if not (exc.args and exc.args[0] == 0):
            raise


winresource.remove_all_resources = remove_all_resources

if __name__ == "__main__":
    sys.exit(run())
