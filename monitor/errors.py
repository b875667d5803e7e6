"""The one exception tree of the application, and the exit codes of the command line.

* MonitorError: base; the CLI turns it into a one-line message and its exit code (1)
  + ConfigError: the configuration file is missing or wrong (2)
  + NotFoundError: an id or name asked for on the command line does not exist (2)
    - UnknownSource: a source no feed or article has; the message names the closest (2)
  + SavedSearchError: a saved search name that is not allowed, or that is already taken (2)
  + ArchiveError: the archive (SQLite or PostgreSQL) can't be opened, migrated or written (1)
    - ArchiveBusy: another process keeps the database busy past the timeout (75)
    - ArchiveLocked: another writer holds the storage dir's lock (75)
    - ArchiveUnreachable: the PostgreSQL server can't be reached or ended the connection (75)
  + FetchError: a feed or page could not be fetched (recorded against its source; never fatal)
    - RobotsDisallowed: robots.txt forbids the URL for our user agent
    - HostDeferred: not requested, because the host asked us to wait (429/503) in this run
    - InvalidUrl: a URL that is not a fetchable http(s) URL (bad scheme, host, port, length)
    - AddressRefused: the host is, or resolves to, a private or reserved address
    - FetchCancelled: not requested or not finished, because the run is stopping
  + FeedError: bytes that are not a usable feed (HTML, malformed XML with no entries)
  + ExtractError: a page from which no article text could be extracted
  + DemoError: `monitor demo` asked to build in a folder that holds something else (2)
  + OutputError: a file the command was asked to write can't be written, or is named for
    another format than the one asked for (2)
  + ClusterError: the Dask cluster named by `--dask` can't be used: Dask distributed is not
    installed, the scheduler can't be reached, it has no workers, or they can't do the work (2)
    - ClusterLost: the scheduler went away during the work; what was done is kept (1)

Errors of the search library (`index.errors.SearchError`) are translated at the same boundary.
Anything else that reaches it is a bug: exit code 3, with the traceback in a log file.
"""

from __future__ import annotations

# The exit codes of `monitor`, documented in the README; cron and systemd tell outcomes apart.
EXIT_OK = 0
EXIT_FAILURES = 1  # some feeds or pages failed (each listed), or the command could not finish
EXIT_USAGE = 2  # a wrong command line, query or config
EXIT_INTERNAL = 3  # a bug: one line, and the traceback in a log file
EXIT_LOCKED = 75  # EX_TEMPFAIL: the archive is locked or busy; try again later
EXIT_INTERRUPTED = 130  # stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it)


class MonitorError(Exception):
    """Base of every error the application raises on purpose."""

    exit_code = EXIT_FAILURES


class ConfigError(MonitorError):
    """The configuration is missing or invalid; names the file, the key and what is expected."""

    exit_code = EXIT_USAGE


class ArchiveError(MonitorError):
    """The archive can't be opened, migrated or written."""


class ArchiveBusy(ArchiveError):
    """Another process kept the database busy for longer than the busy timeout."""

    exit_code = EXIT_LOCKED


class ArchiveLocked(ArchiveError):
    """Another writer (a run, a watch, a reindex…) holds the storage dir's lock."""

    exit_code = EXIT_LOCKED


class ArchiveUnreachable(ArchiveError):
    """The PostgreSQL server of a shared archive can't be reached, or ended the connection
    (a restart): what was committed stays, and the next run goes on from there."""

    exit_code = EXIT_LOCKED


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


class InvalidUrl(FetchError):
    """Not a URL the collector can fetch; asking again would not change it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class AddressRefused(FetchError):
    """The host is, or resolves to, an address that is not public (see `collect.guard`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class FetchCancelled(FetchError):
    """Not requested, or abandoned half-way, because the run was asked to stop.

    Not the source's fault: nothing is recorded against it, and it is asked for next time.
    """


class FeedError(MonitorError):
    """The bytes are not a usable feed."""


class ExtractError(MonitorError):
    """No article text could be extracted from a page."""


class NotFoundError(MonitorError):
    """Something named on the command line does not exist."""

    exit_code = EXIT_USAGE


class UnknownSource(NotFoundError):
    """A source that no feed or article of the archive has: most likely a typo."""


class SavedSearchError(MonitorError):
    """A saved search name that is not allowed, or that is already taken."""

    exit_code = EXIT_USAGE


class DemoError(MonitorError):
    """The demo cannot be built where asked."""

    exit_code = EXIT_USAGE


class OutputError(MonitorError):
    """A file the command was asked to write can't be, or its name says another format."""

    exit_code = EXIT_USAGE


class ClusterError(MonitorError):
    """The Dask cluster asked for can't be used; says what to install or start."""

    exit_code = EXIT_USAGE


class ClusterLost(ClusterError):
    """The cluster went away in the middle of the work: nothing is wrong with the command line,
    and running it again does the rest."""

    exit_code = EXIT_FAILURES
