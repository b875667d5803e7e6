"""press-monitor: collect, archive, index and search public news feeds."""

import logging

# The one version number: pyproject.toml reads it, and the default user agent follows it.
__version__ = "0.2.0"
# Where the project lives: the default user agent names it, so a publisher can find out who asks.
REPOSITORY = "https://github.com/press-monitor/press-monitor"

# A library logs, the application decides where to: without the command line's log files,
# records go nowhere (rather than to Python's last-resort printing on standard error).
logging.getLogger(__name__).addHandler(logging.NullHandler())
