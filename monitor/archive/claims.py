"""Row claims: how several collectors share the work of one PostgreSQL archive.

A collector claims the due feeds and the pending pages it will work on (`SELECT … FOR UPDATE
SKIP LOCKED`: two collectors asking at once get different rows, neither waits for the other),
and holds each claim until `lease` seconds from its last renewal. Recording a poll or a page
ends its claim; `release` ends the rest when the collector stops. While it works, a collector
holds a session lock of the database named after its id: one that dies (kill -9, a database
restart) loses it with its connection, and its claims are free at once; one that hangs while
still connected renews nothing, and its claims lapse after the lease. SQLite archives have one
writer at a time (the storage dir's lock) and never claim.
"""

from __future__ import annotations

import os
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from monitor.archive.backend import Database, Transaction
from monitor.archive.counts import MAX_ATTEMPTS
from monitor.timestamps import to_iso

# How long a claim holds without renewal, unless `[collectors] lease` says otherwise.
DEFAULT_LEASE = 300.0


def _key(expression: str) -> str:
    """The advisory-lock key half `hashtext(expression)` as pg_locks shows it (an oid)."""
    return f"(hashtext({expression})::bigint & 4294967295)::text::oid"


def alive(column: str) -> str:
    """SQL: whether the collector named in `column` is connected (holds its session lock)."""
    return (
        "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
        f"AND classid = {_key('current_schema()')} AND objid = {_key(column)})"
    )


def _limit(limit: int | None) -> str:
    return "" if limit is None else f"LIMIT {int(limit)}"


def machine_name() -> str:
    """This machine's name as a file name may carry it."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname()) or "host"


@dataclass
class Collector:
    """One collecting process: its machine, its id (machine and pid), the lease of its claims
    and when it last renewed them."""

    lease: float = DEFAULT_LEASE
    machine: str = field(default_factory=machine_name)
    id: str = ""
    renewed: float = field(default_factory=time.monotonic)
    stages: set[str] = field(default_factory=set)  # `Claims.stage`s it holds
    registered: bool = False  # holds its session lock (`Claims.register`)
    # Feeds claimed at a time (pages: twice as many): collectors starting together share.
    batch: int = 100

    def __post_init__(self) -> None:
        self.id = self.id or f"{self.machine}-{os.getpid()}"

    def until(self) -> str:
        return str(to_iso(datetime.now(UTC) + timedelta(seconds=self.lease)))


class Claims:
    """The claims of one archive connection (`Archive.claims`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def feeds(
        self, collector: Collector, ids: list[int] | None = None, *, limit: int | None = None
    ) -> list[int]:
        """Claim the due feeds no one holds, the most overdue first, at most `limit` (of `ids`
        only, due or not, when given); returns their ids in that order."""
        now = str(to_iso(datetime.now(UTC)))
        if ids == []:
            return []
        params: list[object] = [now] if ids is None else list(ids)
        which = (
            "(next_poll_at IS NULL OR next_poll_at <= ?)"
            if ids is None
            else f"id IN ({','.join('?' * len(ids))})"
        )
        rows = self.db.execute(
            f"""UPDATE feeds SET claimed_by = ?, claimed_until = ?
                WHERE id IN (SELECT id FROM feeds WHERE removed_at IS NULL AND {which}
                  AND (claimed_until IS NULL OR claimed_until < ?
                       OR NOT {alive("claimed_by")})
                  ORDER BY COALESCE(next_poll_at, ''), id {_limit(limit)}
                  FOR UPDATE SKIP LOCKED)
                RETURNING id, next_poll_at""",
            (collector.id, collector.until(), *params, now),
        ).fetchall()
        return [row[0] for row in sorted(rows, key=lambda row: (row[1] or "", row[0]))]

    def pages(
        self, collector: Collector, *, limit: int | None = None, since: datetime | None = None
    ) -> list[int]:
        """Claim the pending pages no one holds (`Archive.pending_pages`' choice), at most
        `limit`, none tried since `since` (a page that failed earlier in this run waits for
        the next); their ids."""
        now = str(to_iso(datetime.now(UTC)))
        rows = self.db.execute(
            f"""UPDATE pages SET claimed_by = ?, claimed_until = ?
               WHERE id IN (SELECT p.id FROM pages p
                 WHERE (p.state = 'new' OR (p.state = 'failed' AND p.attempts < ?))
                   AND (p.claimed_until IS NULL OR p.claimed_until < ?
                        OR NOT {alive("p.claimed_by")})
                   AND (p.fetched_at IS NULL OR p.fetched_at < ?)
                   AND EXISTS (SELECT 1 FROM entries le JOIN feeds lf ON lf.id = le.feed_id
                               WHERE le.url_key = p.url_key AND lf.removed_at IS NULL)
                 ORDER BY p.id {_limit(limit)}
                 FOR UPDATE OF p SKIP LOCKED)
               RETURNING id""",
            (collector.id, collector.until(), MAX_ATTEMPTS, now, to_iso(since) or "~"),
        ).fetchall()
        return sorted(row[0] for row in rows)

    def register(self, collector: Collector) -> None:
        """Take the collector's session lock (before it claims anything): its claims are
        alive while the lock is held. A collector that hangs inside a transaction would hold
        its rows' locks (and the change counter) from the others: the server ends such a
        session after the lease."""
        if not collector.registered:
            self.db.execute(
                f"SET idle_in_transaction_session_timeout = {int(collector.lease * 1000)}"
            )
            self.db.execute(
                "SELECT pg_advisory_lock(hashtext(current_schema()), hashtext(?))",
                (collector.id,),
            )
            collector.registered = True

    def renew(self, collector: Collector) -> None:
        """Push the collector's claims a lease ahead (call it well within the lease)."""
        until = collector.until()
        for table in ("feeds", "pages"):
            self.db.execute(
                f"UPDATE {table} SET claimed_until = ? WHERE claimed_by = ?",
                (until, collector.id),
            )
        collector.renewed = time.monotonic()

    def stage(self, collector: Collector, name: str) -> bool:
        """Take the stage `name` (one collector at a time does it) if no other collector holds
        it: a session lock of the database, released by `release` or when the connection
        ends, however the collector ends."""
        if name in collector.stages:
            return True
        got = self.db.execute(
            "SELECT pg_try_advisory_lock(hashtext(current_schema() || ?))", (name,)
        ).fetchone()[0]
        if got:
            collector.stages.add(name)
        return bool(got)

    def release(self, collector: Collector) -> None:
        """End every claim the collector holds (what it did not finish goes back to the pool),
        and its hold on any host."""
        for name in sorted(collector.stages):
            self.db.execute("SELECT pg_advisory_unlock(hashtext(current_schema() || ?))", (name,))
        collector.stages.clear()
        if collector.registered:
            collector.registered = False
            self.db.execute(
                "SELECT pg_advisory_unlock(hashtext(current_schema()), hashtext(?))",
                (collector.id,),
            )
        with Transaction(self.db):
            for table in ("feeds", "pages"):
                self.db.execute(
                    f"UPDATE {table} SET claimed_by = NULL, claimed_until = NULL "
                    "WHERE claimed_by = ?",
                    (collector.id,),
                )
            # A host it was asking when its connection ended (see `host_leases`).
            self.db.execute(
                "UPDATE hosts SET held_by = NULL, held_until = NULL WHERE held_by = ?",
                (collector.id,),
            )

    def holders(self) -> dict[str, int]:
        """collector → how many feeds and pages it holds now (for tests and `stats`)."""
        out: dict[str, int] = {}
        for table in ("feeds", "pages"):
            for holder, count in self.db.execute(
                f"SELECT claimed_by, COUNT(*) FROM {table} WHERE claimed_by IS NOT NULL "
                "GROUP BY claimed_by"
            ):
                out[holder] = out.get(holder, 0) + count
        return out
