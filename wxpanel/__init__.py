"""wxpanel: a desktop control panel for WeChat bots built on demo.exe's exchange.db."""

__version__ = "0.1.0"
