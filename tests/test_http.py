from __future__ import annotations

from itertools import pairwise

import pytest

from monitor.config import HttpConfig
from monitor.errors import FetchError, RobotsDisallowed
from monitor.http import Fetcher
from monitor.pipeline import per_host
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

DELAY = 0.2


def fetcher(**overrides: object) -> Fetcher:
    settings = {"per_host_delay": DELAY, "timeout": 5.0, "user_agent": "pm-test/1", **overrides}
    return Fetcher(HttpConfig(**settings))  # type: ignore[arg-type]


def gaps(site: LocalSite) -> list[float]:
    times = sorted(r.time for r in site.requests)
    return [b - a for a, b in pairwise(times)]


def test_requests_to_one_host_are_spaced_by_the_delay(site: LocalSite) -> None:
    paths = [a.path for a in cat.ARTICLES[:3]]
    with fetcher() as client:
        for _page, response in per_host(paths, site.url, lambda p: client.get(site.url(p)), 4):
            assert response.status == 200
    assert len(site.requests) == 3
    assert min(gaps(site)) >= DELAY - 0.01


def test_different_hosts_are_fetched_in_parallel(site: LocalSite, site2: LocalSite) -> None:
    urls = [s.url(a.path) for s in (site, site2) for a in cat.ARTICLES[:3]]
    with fetcher(per_host_delay=0.3) as client:
        results = list(per_host(urls, lambda u: u, client.get, 4))
    assert len(results) == 6
    first = min(r.time for r in site.requests + site2.requests)
    last = max(r.time for r in site.requests + site2.requests)
    # Sequential would take 5 gaps (1.5 s); two hosts in parallel take 2 gaps each.
    assert last - first < 1.2


def test_robots_txt_is_fetched_once_and_obeyed(site: LocalSite) -> None:
    with fetcher(per_host_delay=0) as client:
        assert client.get(site.url(cat.ARTICLES[0].path), robots=True).status == 200
        with pytest.raises(RobotsDisallowed):
            client.get(site.url(cat.ROBOTS_DISALLOWED_PATH), robots=True)
        assert client.get(site.url(cat.ARTICLES[1].path), robots=True).status == 200
    assert site.hits(cat.ROBOTS_TXT_PATH) == 1
    assert site.hits(cat.ROBOTS_DISALLOWED_PATH) == 0


def test_user_agent_and_errors(site: LocalSite) -> None:
    site.route("/big.html", body="x" * 5000)
    site.route("/boom.html", status=500, body="oops")
    with fetcher(per_host_delay=0, max_body_bytes=1000) as client:
        with pytest.raises(FetchError, match="larger than 1000 bytes"):
            client.get(site.url("/big.html"))
        with pytest.raises(FetchError, match="HTTP 500") as info:
            client.get(site.url("/boom.html"))
        assert info.value.status == 500 and info.value.retryable
    assert {r.headers.get("user-agent") for r in site.requests} == {"pm-test/1"}


def test_timeouts_are_fetch_errors(site: LocalSite) -> None:
    site.route("/slow.html", body="late", delay=2.0)
    with (
        fetcher(per_host_delay=0, timeout=0.3) as client,
        pytest.raises(FetchError, match="timed out"),
    ):
        client.get(site.url("/slow.html"))
