from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from monitor.collect.hosts import per_host
from monitor.collect.http import Fetcher
from monitor.config import parse_config
from monitor.errors import FetchError, HostDeferred, RobotsDisallowed
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

DELAY = 0.2
# The packaged defaults, for settings the test does not care about.
DEFAULTS = parse_config("", None, base=Path("."))


def fetcher(**overrides: object) -> Fetcher:
    settings = {
        "per_host_delay": DELAY,
        "timeout": 5.0,
        "user_agent": "pm-test/1",
        "allow_private_addresses": True,
        **overrides,
    }
    return Fetcher(replace(DEFAULTS.http, **settings))  # type: ignore[arg-type]


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


def test_a_body_that_drips_in_too_slowly_is_cut_off(site: LocalSite) -> None:
    # Every chunk arrives within the read timeout, the whole never within max_seconds.
    site.route("/drip.rss", body="x" * 400, drip=(10, 0.05))
    with (
        fetcher(per_host_delay=0, timeout=1.0, max_seconds=0.5) as client,
        pytest.raises(FetchError, match=r"still arriving after 0\.5 s"),
    ):
        client.get(site.url("/drip.rss"))


def test_a_429_holds_off_the_whole_host_for_its_retry_after(site: LocalSite) -> None:
    site.route("/busy.rss", status=429, headers={"Retry-After": "120"}, body="slow down")
    with fetcher(per_host_delay=0) as client:
        with pytest.raises(FetchError, match=r"HTTP 429 .*Retry-After 120 s") as info:
            client.get(site.url("/busy.rss"))
        assert info.value.retry_after == 120 and info.value.retryable
        with pytest.raises(HostDeferred, match="asked to wait") as deferred:
            client.get(site.url(cat.ARTICLES[0].path))
        assert deferred.value.retry_after is not None and 100 < deferred.value.retry_after <= 120
    assert site.hits(cat.ARTICLES[0].path) == 0


def test_a_503_without_retry_after_does_not_hold_off_the_host(site: LocalSite) -> None:
    site.route("/down.rss", status=503, body="down")
    with fetcher(per_host_delay=0) as client:
        with pytest.raises(FetchError, match="HTTP 503") as info:
            client.get(site.url("/down.rss"))
        assert info.value.retry_after is None
        assert client.get(site.url(cat.ARTICLES[0].path)).status == 200


def test_an_unreachable_robots_txt_means_wait_not_allowed(site: LocalSite) -> None:
    site.route(cat.ROBOTS_TXT_PATH, status=500, body="oops")
    with fetcher(per_host_delay=0) as client:
        with pytest.raises(FetchError, match=r"robots\.txt of .* unreachable") as info:
            client.get(site.url(cat.ARTICLES[0].path), robots=True)
        assert info.value.retryable and not isinstance(info.value, RobotsDisallowed)
    assert site.hits(cat.ARTICLES[0].path) == 0
