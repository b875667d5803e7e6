"""The one exception tree of the application.

* MonitorError: base; the CLI turns it into a one-line message and exit code 1
  + ConfigError: the configuration file is missing or wrong (exit code 2)
  + ArchiveError: the SQLite archive can't be opened, migrated or written
  + FetchError: a feed or page could not be fetched (recorded against its source; never fatal)
    - RobotsDisallowed: robots.txt forbids the URL for our user agent
    - HostDeferred: not requested, because the host asked us to wait (429/503) in this run
  + FeedError: bytes that are not a usable feed (HTML, malformed XML with no entries)
  + ExtractError: a page from which no article text could be extracted
  + NotFoundError: an id or name asked for on the command line does not exist
    - UnknownSource: a source no feed or article has (exit 2, with the closest names)
  + SavedSearchError: a saved search name that is not allowed, or that is already taken
  + DemoError: `monitor demo` asked to build in a folder that holds something else (exit 2)
  + OutputError: a file the command was asked to write can't be written, or is named for
    another format than the one asked for (exit 2)

Errors of the search library (`index.errors.SearchError`) are translated at the same boundary.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the application raises on purpose."""

    exit_code = 1


class ConfigError(MonitorError):
    """The configuration is missing or invalid; names the file, the key and what is expected."""

    exit_code = 2


class ArchiveError(MonitorError):
    """The archive can't be opened, migrated or written."""


class FetchError(MonitorError):
    """A URL could not be fetched. `status` is the HTTP status when there was a response.

    `retry_after` is the server's Retry-After in seconds (429/503), when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = True,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class RobotsDisallowed(FetchError):
    """robots.txt forbids the URL for the configured user agent."""

    def __init__(self, url: str) -> None:
        super().__init__(f"disallowed by robots.txt: {url}", retryable=False)


class HostDeferred(FetchError):
    """Not requested: the host asked us to wait (429/503) earlier in this run."""


class FeedError(MonitorError):
    """The bytes are not a usable feed."""


class ExtractError(MonitorError):
    """No article text could be extracted from a page."""


class NotFoundError(MonitorError):
    """Something named on the command line does not exist."""


class UnknownSource(NotFoundError):
    """A source that no feed or article of the archive has: most likely a typo."""

    exit_code = 2


class SavedSearchError(MonitorError):
    """A saved search name that is not allowed, or that is already taken."""


class DemoError(MonitorError):
    """The demo cannot be built where asked."""

    exit_code = 2


class OutputError(MonitorError):
    """A file the command was asked to write can't be, or its name says another format."""

    exit_code = 2
