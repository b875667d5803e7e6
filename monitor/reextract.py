"""Re-extraction from stored responses, and re-clustering of the whole archive.

After an extractor upgrade (or a fix in `monitor.extract`), every article can be made again from
the raw response the archive kept, without asking any publisher for the page again. Articles are
updated in place (same id) and indexed again by the next `index_pending`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from monitor.archive import Archive, StoredPage
from monitor.config import Config
from monitor.errors import ArchiveError, ExtractError
from monitor.near_dup import Clusterer
from monitor.processing import process
from monitor.warc import WarcLocation, read_response


@dataclass
class ReextractSummary:
    articles: int = 0
    changed: int = 0
    failed: int = 0
    clustered: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "articles": self.articles,
            "changed": self.changed,
            "failed": self.failed,
            "clustered": self.clustered,
            "failures": [{"id": i, "reason": r} for i, r in self.failures],
        }


def raw_body(config: Config, page: StoredPage) -> bytes:
    """The stored response body of a page: from its WARC file, or from the archive itself."""
    if page.warc is not None:
        ref = page.warc
        location = WarcLocation(ref.file, ref.offset, ref.length, ref.record_id)
        return read_response(config.warc_dir, location).body
    if page.body is not None:
        return page.body
    raise ArchiveError(f"page {page.task.id} ({page.task.url}) has no stored response")


def reextract(
    archive: Archive,
    config: Config,
    *,
    sources: Sequence[str] = (),
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> ReextractSummary:
    """Extract every stored page again; an article whose page no longer yields text keeps
    its current version (and is reported)."""
    summary = ReextractSummary()
    total = archive.article_count()
    for page in archive.stored_pages(sources=sources):
        summary.articles += 1
        try:
            processed = process(
                raw_body(config, page),
                url=page.final_url,
                content_type=page.content_type,
                task=page.task,
                fetched_at=None,
            )
        except (ExtractError, ArchiveError) as exc:
            summary.failed += 1
            summary.failures.append((page.article_id, str(exc)))
            progress(summary.articles, total)
            continue
        before = archive.article(page.article_id)
        record = processed.record
        if (before.title, before.text, before.published) != (
            record["title"],
            record["text"],
            record["published"],
        ):
            summary.changed += 1
        archive.update_article(page.article_id, record, fingerprint=processed.near_dup)
        progress(summary.articles, total)
    summary.clustered = recluster(archive)
    return summary


def recluster(archive: Archive) -> int:
    """Recompute every near-duplicate cluster from the stored fingerprints, in id order."""
    clusterer = Clusterer()
    for article_id, fingerprint in archive.fingerprints():
        clusterer.add(article_id, fingerprint)
    return archive.set_clusters(clusterer.clusters())
