"""Ordered, transactional schema migrations of the archive, in SQLite and PostgreSQL.

Each migration runs once, inside one transaction together with the row that records it in
`_migrations`, so a crash leaves the archive either before or after a migration, never between.
Never edit a released migration: add the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from monitor.archive.backend import POSTGRESQL, Database, Transaction
from monitor.archive.pg_schema import postgresql_statements
from monitor.urls import normalize_url


class Script(Protocol):
    """What a migration runs its SQL through."""

    def executescript(self, script: str, /) -> object: ...

    def execute(self, statement: str, /) -> object: ...


Migration = Callable[[Script], None]


def m001_initial(db: Script) -> None:
    _m001_feeds_entries_pages(db)
    _m001_articles_and_runs(db)


def _m001_feeds_entries_pages(db: Script) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            name TEXT,
            language TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            title TEXT,
            added_at TEXT NOT NULL,
            last_polled_at TEXT,
            last_success_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            etag TEXT,
            last_modified TEXT,
            content_hash TEXT
        );
        -- One row per (feed, entry): the same article seen in two feeds has two entries.
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            guid TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT,
            summary TEXT,
            author TEXT,
            published TEXT,
            first_seen_at TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id),
            UNIQUE (feed_id, guid)
        );
        CREATE INDEX entries_url ON entries(url);
        -- Pages to fetch: one per distinct article URL. `state` is new, done, failed or skipped.
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'new',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_status INTEGER,
            first_seen_at TEXT NOT NULL,
            fetched_at TEXT,
            final_url TEXT,
            content_type TEXT,
            headers TEXT,
            body BLOB,
            body_sha256 TEXT
        );
        CREATE INDEX pages_state ON pages(state);
        """
    )


def _m001_articles_and_runs(db: Script) -> None:
    db.executescript(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL UNIQUE REFERENCES pages(id),
            url TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT,
            published TEXT,
            date_source TEXT NOT NULL,
            language TEXT,
            declared_language TEXT,
            extractor TEXT NOT NULL,
            extracted_at TEXT NOT NULL,
            indexed_at TEXT
        );
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_unindexed ON articles(id) WHERE indexed_at IS NULL;
        -- Every request the collector makes, for feed health and for auditing a run.
        CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            kind TEXT NOT NULL,
            feed_id INTEGER REFERENCES feeds(id),
            page_id INTEGER REFERENCES pages(id),
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            at TEXT NOT NULL,
            status INTEGER,
            outcome TEXT NOT NULL,
            duration_ms INTEGER,
            entries_seen INTEGER,
            entries_new INTEGER,
            error TEXT
        );
        CREATE INDEX fetch_log_feed ON fetch_log(feed_id, at);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            summary TEXT
        );
        """
    )


def m002_saved_searches(db: Script) -> None:
    db.executescript(
        """
        -- Queries saved under a name (`monitor searches add`), run as `monitor search @NAME`.
        CREATE TABLE saved_searches (
            name TEXT PRIMARY KEY,
            query TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


def m003_feed_schedule(db: Script) -> None:
    db.executescript(
        """
        -- Each feed's own schedule: when it is next due, at what interval, how badly it fails.
        ALTER TABLE feeds ADD COLUMN next_poll_at TEXT;
        ALTER TABLE feeds ADD COLUMN poll_interval REAL;
        ALTER TABLE feeds ADD COLUMN failure_score REAL NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN hint_seconds REAL;
        ALTER TABLE feeds ADD COLUMN hint_source TEXT;
        ALTER TABLE feeds ADD COLUMN schedule_reason TEXT;
        -- Where a feed comes from (config | cli | opml) and whether it was removed (and by what:
        -- cli when a user removed it, config when it left the config file). Rows are never
        -- deleted: entries and the fetch log keep pointing at them.
        ALTER TABLE feeds ADD COLUMN origin TEXT NOT NULL DEFAULT 'config';
        ALTER TABLE feeds ADD COLUMN removed_at TEXT;
        ALTER TABLE feeds ADD COLUMN removed_by TEXT;
        ALTER TABLE fetch_log ADD COLUMN next_poll_at TEXT;
        CREATE INDEX fetch_log_kind_at ON fetch_log(kind, at);
        CREATE INDEX entries_feed_seen ON entries(feed_id, first_seen_at);
        """
    )


def m004_provenance_warc_duplicates(db: Script) -> None:
    db.executescript(
        """
        -- How each article was made and how far to trust it.
        ALTER TABLE articles ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE articles ADD COLUMN versions TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE articles ADD COLUMN canonical_url TEXT;
        ALTER TABLE articles ADD COLUMN words INTEGER;
        -- Near-duplicates: the articles of a cluster share cluster_id, the id of the first one;
        -- an article with no copy has none. near_dup_keys finds candidates by fingerprint band.
        ALTER TABLE articles ADD COLUMN cluster_id INTEGER;
        ALTER TABLE articles ADD COLUMN fingerprint BLOB;
        CREATE INDEX articles_cluster ON articles(cluster_id) WHERE cluster_id IS NOT NULL;
        CREATE INDEX articles_canonical ON articles(canonical_url);
        CREATE TABLE near_dup_keys (
            key INTEGER NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            PRIMARY KEY (key, article_id)
        ) WITHOUT ROWID;
        -- URL identity: url is the address as first seen, url_key the normalized identity.
        ALTER TABLE entries ADD COLUMN url_key TEXT;
        CREATE INDEX entries_url_key ON entries(url_key);
        ALTER TABLE pages ADD COLUMN url_key TEXT;
        CREATE UNIQUE INDEX pages_url_key ON pages(url_key);
        -- A page whose canonical URL is an article already stored is merged into it.
        ALTER TABLE pages ADD COLUMN merged_into INTEGER REFERENCES articles(id);
        -- The raw response lives in a WARC file; `body` is kept only for pages stored before.
        ALTER TABLE pages ADD COLUMN warc_file TEXT;
        ALTER TABLE pages ADD COLUMN warc_offset INTEGER;
        ALTER TABLE pages ADD COLUMN warc_length INTEGER;
        ALTER TABLE pages ADD COLUMN warc_record_id TEXT;
        ALTER TABLE fetch_log ADD COLUMN warc_file TEXT;
        ALTER TABLE fetch_log ADD COLUMN warc_offset INTEGER;
        ALTER TABLE fetch_log ADD COLUMN warc_length INTEGER;
        ALTER TABLE fetch_log ADD COLUMN warc_record_id TEXT;
        """
    )


def m005_robots(db: Script) -> None:
    db.executescript(
        """
        -- robots.txt of each host as last read, so that it is read once a day, not once a run.
        CREATE TABLE robots (
            host TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            fetched_at REAL NOT NULL
        );
        """
    )


def m006_entries_by_article(db: Script) -> None:
    db.executescript(
        """
        -- The feeds (and so the tags) of an article, read for every article at indexing.
        CREATE INDEX entries_article ON entries(article_id) WHERE article_id IS NOT NULL;
        -- Every analysis names its snapshot (count, highest id, last extraction): read from an
        -- index, not by scanning the articles and their texts.
        CREATE INDEX articles_extracted ON articles(extracted_at);
        """
    )


def m007_revisions(db: Script) -> None:
    db.executescript(
        """
        -- Edits and takedowns. When an article was found gone (404, 410, a redirect to a home
        -- or section page, a page no longer an article); NULL while it is there.
        ALTER TABLE articles ADD COLUMN gone_at TEXT;
        -- The versions of an article whose text really changed after it was first stored. An
        -- article without rows has one version, itself. The latest version's title and text are
        -- the article's own (NULL here), copied in when a newer version replaces them, so an
        -- article that never changes is not stored twice. text_hash is of the normal form
        -- (monitor.extract.revision); returns_to names the earlier version a text went back to.
        CREATE TABLE article_versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            number INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            title TEXT,
            text TEXT,
            words INTEGER,
            text_hash TEXT,
            returns_to INTEGER,
            warc_file TEXT,
            warc_offset INTEGER,
            warc_length INTEGER,
            warc_record_id TEXT,
            UNIQUE (article_id, number)
        );
        -- What happened to an article after it was stored: edited, retitled (in a feed), gone,
        -- restored. Coverage facts about articles, as the outlet published them.
        CREATE TABLE article_events (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            from_version INTEGER,
            to_version INTEGER,
            returns_to INTEGER,
            title_before TEXT,
            title_after TEXT,
            words_added INTEGER,
            words_removed INTEGER,
            status INTEGER,
            location TEXT,
            reason TEXT
        );
        CREATE INDEX article_events_at ON article_events(at);
        CREATE INDEX article_events_article ON article_events(article_id, id);
        -- Each article's revisit schedule, one row per article once it is scheduled: when it was
        -- first stored, its next check (NULL after the last), and the validators of the last
        -- response, for conditional GET. Planning a run reads the index on next_at alone.
        CREATE TABLE revisits (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            first_at TEXT NOT NULL,
            next_at TEXT,
            checks_done INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            last_at TEXT,
            last_status INTEGER,
            last_outcome TEXT,
            etag TEXT,
            last_modified TEXT,
            body_sha256 TEXT
        );
        CREATE INDEX revisits_due ON revisits(next_at) WHERE next_at IS NOT NULL;
        -- (A revisit reads what the feed said of its article by m006's entries_article.)
        """
    )


def m008_collectors(db: Script) -> None:
    db.executescript(
        """
        -- Several collectors on one (PostgreSQL) archive. A feed or page being worked on is
        -- claimed: by whom, and until when the claim holds unless renewed (a collector that
        -- died loses its claims then). One collector alone (SQLite) never claims.
        ALTER TABLE feeds ADD COLUMN claimed_by TEXT;
        ALTER TABLE feeds ADD COLUMN claimed_until TEXT;
        ALTER TABLE pages ADD COLUMN claimed_by TEXT;
        ALTER TABLE pages ADD COLUMN claimed_until TEXT;
        -- The collector that fetched a page (its WARC files are named after its machine).
        ALTER TABLE pages ADD COLUMN fetched_by TEXT;
        ALTER TABLE runs ADD COLUMN collector TEXT;
        -- Politeness across collectors: a host is held by one collector while it asks it for
        -- something, and no one asks it again before next_at (the database server's clock,
        -- seconds since the epoch), which the holder sets to the end of its request plus the
        -- delay. A holder that died loses the host at held_until.
        CREATE TABLE hosts (
            host TEXT PRIMARY KEY,
            next_at REAL NOT NULL DEFAULT 0,
            held_by TEXT,
            held_until REAL
        );
        """
    )


def m009_change_sequence(db: Script) -> None:
    db.executescript(
        """
        -- The change sequence search nodes follow (monitor.archive.changes): one counter, and
        -- the number of each article's latest change. The articles stored so far are changes
        -- numbered by their ids.
        CREATE TABLE change_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
        ALTER TABLE articles ADD COLUMN change_seq INTEGER;
        UPDATE articles SET change_seq = id;
        INSERT INTO change_counter (id, n) SELECT 1, COALESCE(MAX(id), 0) FROM articles;
        CREATE INDEX articles_change_seq ON articles(change_seq, id);
        """
    )


MIGRATIONS: list[tuple[str, Migration]] = [
    ("m001_initial", m001_initial),
    ("m002_saved_searches", m002_saved_searches),
    ("m003_feed_schedule", m003_feed_schedule),
    ("m004_provenance_warc_duplicates", m004_provenance_warc_duplicates),
    ("m005_robots", m005_robots),
    ("m006_entries_by_article", m006_entries_by_article),
    ("m007_revisions", m007_revisions),
    ("m008_collectors", m008_collectors),
    ("m009_change_sequence", m009_change_sequence),
]


_MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
)


def migrate(db: Database) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied.

    Any number of processes may open a new archive at once: each migration runs in a write
    transaction (one process at a time) that first checks, inside it, whether another process
    applied it meanwhile. An archive already up to date is only read.
    """
    if _pending(db):
        with Transaction(db):
            db.take_schema_lock()
            for statement in _dialect(db, [_MIGRATIONS_TABLE]):
                db.execute(statement)
    applied: list[str] = []
    for name, step in MIGRATIONS:
        if name not in _pending(db):
            continue
        # executescript commits implicitly, so the statements a migration issues are run one
        # by one inside one transaction, with the row that records it.
        with Transaction(db):
            db.take_schema_lock()
            if name not in _pending(db):
                continue  # another process applied it while this one waited for the lock
            for statement in _dialect(db, _split(step)):
                db.execute(statement)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
            )
        applied.append(name)
    return applied


def _pending(db: Database) -> set[str]:
    """The migrations not recorded as applied (all of them in a new archive)."""
    if "_migrations" not in db.tables():
        return {name for name, _step in MIGRATIONS}
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    return {name for name, _step in MIGRATIONS if name not in done}


def _dialect(db: Database, statements: list[str]) -> list[str]:
    """The statements as the connection's engine reads them (`pg_schema`)."""
    if db.dialect == POSTGRESQL:
        return postgresql_statements(statements, db.tables())
    return statements


def _split(step: Migration) -> list[str]:
    """The statements a migration would run, captured so they can run inside one transaction."""
    recorder = _Recorder()
    step(recorder)
    return recorder.statements


class _Recorder:
    """Stands in for a connection to collect the SQL a migration issues."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def executescript(self, script: str) -> None:
        buffer = ""
        for line in script.splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith("--"):
                continue
            buffer += line + "\n"
            if sqlite3.complete_statement(buffer):
                self.statements.append(buffer.strip())
                buffer = ""

    def execute(self, statement: str) -> None:
        self.statements.append(statement)


def backfill_url_keys(db: Database) -> None:
    """Give URL keys to entries and pages stored before keys existed (once)."""
    if not db.execute(
        "SELECT 1 FROM pages WHERE url_key IS NULL UNION ALL "
        "SELECT 1 FROM entries WHERE url_key IS NULL LIMIT 1"
    ).fetchone():
        return
    with Transaction(db):
        for page_id, url in db.execute(
            "SELECT id, url FROM pages WHERE url_key IS NULL"
        ).fetchall():
            try:
                db.execute("UPDATE pages SET url_key=? WHERE id=?", (normalize_url(url), page_id))
            except sqlite3.IntegrityError:
                # Two old pages are one article by key: keep both, the later by its URL.
                db.execute("UPDATE pages SET url_key=url WHERE id=?", (page_id,))
        for entry_id, url in db.execute(
            "SELECT id, url FROM entries WHERE url_key IS NULL"
        ).fetchall():
            db.execute("UPDATE entries SET url_key=? WHERE id=?", (normalize_url(url), entry_id))
