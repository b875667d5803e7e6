"""press-monitor: collect, archive, index and search public news feeds."""

__version__ = "0.2.0"
