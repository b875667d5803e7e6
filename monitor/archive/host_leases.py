"""Politeness across collectors: each host held by one collector at a time, spaced by the delay.

The `hosts` table (migration m008) is the shared memory: a collector about to ask a host for
something holds it (`held_by`, until `held_until`) once its `next_at` has come; when the
request is over it sets `next_at` to now plus `per_host_delay` and lets go. Times are the
database server's clock, so collectors on machines whose clocks differ still space their
requests right. A collector that dies holding a host loses it with its connection (see
`claims`), or when `held_until` passes if it hangs.

The statements run on a connection of their own, from the fetcher's worker threads, outside
the transactions of the archive's connection.
"""

from __future__ import annotations

import threading

from monitor.archive.backend import Database
from monitor.archive.claims import Collector, alive

# While another collector holds the host: how often to look again (its request is short).
_POLL = 0.02
_NOW = "EXTRACT(EPOCH FROM clock_timestamp())"


class HostLeases:
    """The `HostGate` of `monitor.collect.http.Fetcher` for a shared archive."""

    def __init__(self, db: Database, collector: Collector, delay: float) -> None:
        self.db = db
        self.collector = collector
        self.delay = delay
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def acquire(self, host: str, stop: threading.Event) -> bool:
        """Wait until this collector holds `host`; False when `stop` was set first."""
        with self._lock:
            if host not in self._known:
                self.db.execute(
                    "INSERT INTO hosts (host) VALUES (?) ON CONFLICT DO NOTHING", (host,)
                )
                self._known.add(host)
        while not stop.is_set():
            with self._lock:
                held = self.db.execute(
                    f"""UPDATE hosts SET held_by = ?, held_until = {_NOW} + ?
                        WHERE host = ? AND next_at <= {_NOW}
                          AND (held_by IS NULL OR held_until < {_NOW}
                               OR NOT {alive("held_by")})
                        RETURNING host""",
                    (self.collector.id, self.collector.lease, host),
                ).fetchone()
                if held is not None:
                    return True
                row = self.db.execute(
                    f"SELECT next_at - {_NOW}, held_by FROM hosts WHERE host = ?", (host,)
                ).fetchone()
            wait = _POLL if row is None or row[1] is not None else max(_POLL, float(row[0]))
            stop.wait(min(wait, 1.0))
        return False

    def release(self, host: str) -> None:
        """The request to `host` is over: no one asks it again for `delay` seconds."""
        with self._lock:
            self.db.execute(
                f"""UPDATE hosts SET next_at = {_NOW} + ?, held_by = NULL, held_until = NULL
                    WHERE host = ? AND held_by = ?""",
                (self.delay, host, self.collector.id),
            )

    def close(self) -> None:
        self.db.close()
