"""A sample site to see press-monitor work offline: `monitor demo`.

Three outlets' feeds and article pages in the markup of VnExpress, Tuổi Trẻ and Dân trí,
written for the project (the test suite's site too), with one article in two feeds, a page in
decomposed Unicode, old and new tone placement, and a feed that is not a feed; and an
aggregator that republishes one of their stories (a near-duplicate). `server.serve()` serves it
from 127.0.0.1 over real HTTP while a collection run reads it exactly as it reads real feeds.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import DemoError

SITE = Path(__file__).parent / "site"
# Served by the demo only (the test suite's claims are about SITE): an aggregator that
# republishes one of the site's stories, retitled and lightly edited, a near-duplicate.
EXTRA = Path(__file__).parent / "extra"


@dataclass(frozen=True)
class DemoFeed:
    path: str
    source: str
    tags: tuple[str, ...]


FEEDS = (
    DemoFeed("/vnexpress/rss/tin-moi-nhat.rss", "VnExpress", ("national",)),
    DemoFeed("/vnexpress/rss/kinh-doanh.rss", "VnExpress", ("national", "business")),
    DemoFeed("/tuoitre/rss/thoi-su.rss", "Tuổi Trẻ", ("national",)),
    DemoFeed("/dantri/atom.xml", "Dân trí", ("national",)),
    DemoFeed("/tonghop/rss.xml", "Tổng Hợp", ("aggregator",)),
    # An old feed address that now answers with an HTML page: a failure to see in health.
    DemoFeed("/broken/not-a-feed.rss", "Báo Lỗi", ()),
)


# The first line of a config written by `monitor demo`: a folder holding it may be rebuilt.
CONFIG_MARK = "# press-monitor demo:"


def demo_config(base_url: str) -> str:
    """The config of a demo folder: its archive beside it, the sample site's feeds at
    `base_url`, no delay between requests to a server of one's own."""
    lines = [
        f"{CONFIG_MARK} an archive built offline from the sample site that `monitor demo`",
        "# served on 127.0.0.1 while it ran (the feeds below answer only then; run",
        "# `monitor demo` again to rebuild it). Try `monitor --config THIS_FILE search …`.",
        "",
        "[storage]",
        'dir = "data"',
        "",
        "[http]",
        "per_host_delay = 0",
        "timeout = 10",
        "# The sample site is served on 127.0.0.1: its links are private addresses.",
        "allow_private_addresses = true",
    ]
    for feed in FEEDS:
        tags = ", ".join(f'"{tag}"' for tag in feed.tags)
        lines += [
            "",
            "[[feeds]]",
            f'url = "{base_url}{feed.path}"',
            f'source = "{feed.source}"',
            f"tags = [{tags}]",
        ]
    return "\n".join(lines) + "\n"


def prepare(directory: Path) -> Path:
    """The demo folder's config path, the folder made ready: created, or emptied of a
    previous demo. A folder holding anything else is left alone (DemoError)."""
    config = directory / "config.toml"
    if directory.exists() and any(directory.iterdir()):
        if not config.is_file() or not config.read_text("utf-8").startswith(CONFIG_MARK):
            raise DemoError(
                f"{directory} is not empty and holds no press-monitor demo; "
                "choose a new folder: monitor demo DIR"
            )
        shutil.rmtree(directory / "data", ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    return config
