"""press-monitor: collect, archive, index and search public news feeds."""

# The one version number: pyproject.toml reads it, and the default user agent follows it.
__version__ = "0.2.0"
