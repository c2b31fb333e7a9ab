"""wxpanel: a desktop control panel for WeChat bots built on demo.exe's exchange.db."""

from importlib import metadata

try:
    # pyproject.toml is the one place the version is written; installing wxpanel
    # (`pip install -e .`) puts it in the package metadata, which build.spec also
    # bundles into the Windows programs and makes their version resource from.
    __version__ = metadata.version("wxpanel")
except metadata.PackageNotFoundError:  # a source tree nobody installed
    __version__ = "unknown"
