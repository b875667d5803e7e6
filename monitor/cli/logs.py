"""The log files of the command line, under `STORAGE/logs/`, each rotated at `MAX_BYTES`.

- `errors.log`: the traceback of every internal error (exit code 3, whose one-line message
  names this file), and of every feed or page a bug made fail, with the time and the command;
  what Dask distributed warns of during `--dask` work.
- `watch.log`: `monitor watch`, one line per poll and per cycle.

Nothing is printed from here: the terminal gets one line, the file the details.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from monitor.config import APP_NAME

LOG_DIR = "logs"
ERRORS_LOG = "errors.log"
WATCH_LOG = "watch.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
# The loggers of the application's packages, as `logging.getLogger(__name__)` names them.
ROOT_LOGGER = "monitor"
WATCH_LOGGER = "monitor.jobs.watch"
_CRASH_LOGGER = "monitor.cli.crash"


class _UTCFormatter(logging.Formatter):
    """ISO 8601 UTC times, as the archive writes them."""

    def __init__(self) -> None:
        super().__init__("%(asctime)sZ %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime(datefmt or "%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))


class _QuietHandler(RotatingFileHandler):
    """A log file that can't be written is not worth a traceback on the terminal."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def attach(logger_name: str, path: Path, level: int, *, delay: bool = True) -> logging.Handler:
    """Log records of `logger_name` at `level` and above to the rotated file `path` (opened at
    the first record, unless not `delay`: then an OSError says it can't be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _QuietHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=delay
    )
    handler.setLevel(level)
    handler.setFormatter(_UTCFormatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return handler


def detach(logger_name: str, handler: logging.Handler) -> None:
    logging.getLogger(logger_name).removeHandler(handler)
    handler.close()


@contextlib.contextmanager
def diverted(logger_name: str, path: Path, level: int) -> Iterator[None]:
    """Records of `logger_name` and the loggers under it go to the file `path` (at `level` and
    above) instead of the handlers a library gave them, until the block ends."""
    manager = logging.Logger.manager
    below = [
        logger
        for name, logger in list(manager.loggerDict.items())
        if name.startswith(logger_name + ".") and isinstance(logger, logging.Logger)
    ]
    top = logging.getLogger(logger_name)
    saved = [(logger, logger.handlers[:], logger.propagate) for logger in (top, *below)]
    for logger in below:
        logger.handlers.clear()
        logger.propagate = True
    top.handlers.clear()
    top.propagate = False
    handler = attach(logger_name, path, level)
    try:
        yield
    finally:
        detach(logger_name, handler)
        for logger, handlers, propagate in saved:
            logger.handlers[:] = handlers
            logger.propagate = propagate


def fallback_dir() -> Path:
    """Where errors are logged when the storage dir is not known (the config failed)."""
    return Path(platformdirs.user_log_dir(APP_NAME))


def log_internal_error(exc: BaseException, directory: Path | None) -> Path:
    """Append the traceback of `exc` to `errors.log` in `directory` (else the user log dir,
    else the temporary dir); returns the file written."""
    command = " ".join(["monitor", *sys.argv[1:]])
    for candidate in (directory, fallback_dir(), Path(tempfile.gettempdir()) / APP_NAME):
        if candidate is None:
            continue
        path = candidate / ERRORS_LOG
        try:
            handler = attach(_CRASH_LOGGER, path, logging.ERROR, delay=False)
        except OSError:
            continue
        crash = logging.getLogger(_CRASH_LOGGER)
        crash.propagate = False  # written once, here, whatever else listens to "monitor"
        try:
            crash.error("internal error in `%s`", command, exc_info=exc)
        finally:
            detach(_CRASH_LOGGER, handler)
        return path
    return Path(tempfile.gettempdir()) / APP_NAME / ERRORS_LOG
