"""Public sources only: links, redirects and robots.txt that lead to non-public addresses.

The feed URLs a user configures may be anywhere (here: the local site on 127.0.0.1); what they
link or redirect to reaches public addresses only, unless `[http] allow_private_addresses`.
Refused addresses are never connected to: the tests would hang on 10.0.0.1 otherwise, and the
local site would see the requests.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import replace
from pathlib import Path

import httpcore
import pytest

from monitor.collect.guard import (
    AddressPolicy,
    GuardedBackend,
    address_problem,
    fetchable_url,
    url_problem,
)
from monitor.collect.http import Fetcher
from monitor.config import parse_config
from monitor.errors import AddressRefused, InvalidUrl
from tests.localsite import LocalSite
from tests.test_misbehaving import PAGE_A, RSS, Collector, reasons, rss

DEFAULTS = parse_config("", None, base=Path("."))
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("172.31.255.255", "a private address"),
        ("192.168.0.1", "a private address"),
        ("100.64.0.1", "a shared (CGNAT) address"),
        ("100.127.255.254", "a shared (CGNAT) address"),
        ("169.254.169.254", "a link-local address"),
        ("0.0.0.0", "an unspecified address"),
        ("0.1.2.3", "a private address"),
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a private address"),
        ("255.255.255.255", "a private address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fd12:3456::1", "a private address"),
        ("fc00::1", "a private address"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:169.254.169.254", "a link-local address"),
        ("::ffff:a00:1", "a private address"),
        ("2002:a00:1::1", "a private address"),  # 6to4 around 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "a link-local address"),  # NAT64 of 169.254.169.254
        ("64:ff9b::808:808", None),
        ("8.8.8.8", None),
        ("203.162.4.191", None),
        ("2001:4860:4860::8888", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_addresses_that_are_not_public_are_named(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:abc/x.html", "not a valid URL (Port could not be cast"),
        ("http://example.vn:0/", "port 0 is not a port"),
        ("http://example.vn:70000/", "not a valid URL (Port out of range"),
        ("ftp://example.vn/tin.html", "not an http(s) URL (ftp scheme)"),
        ("javascript:alert(1)", "not an http(s) URL (javascript scheme)"),
        ("/relative/only.html", "not an http(s) URL (no scheme)"),
        ("http:///no-host", "URL without a host"),
        ("http://exa$mple.vn/", "invalid host name 'exa$mple.vn'"),
        ("http://" + "a" * 64 + ".vn/", "invalid host name"),
        ("http://example.vn/" + "x" * 2100, "URL longer than 2048 characters"),
        ("http://[::1/", "not a valid URL"),
    ],
)
def test_urls_that_cannot_be_fetched_are_refused_with_the_reason(url: str, problem: str) -> None:
    assert (url_problem(url) or "").startswith(problem)
    with pytest.raises(InvalidUrl, match="^" + re.escape(problem)):
        fetchable_url(url)


@pytest.mark.parametrize(
    ("url", "cleaned"),
    [
        ("  https://báo.vn/tin-mới?a=1  ", "https://báo.vn/tin-mới?a=1"),
        ("http://example.vn/a\tb\nc", "http://example.vn/abc"),
        ("http://example.vn/a b\x1b[7m", "http://example.vn/a%20b%1B[7m"),
        ("http://[2001:db8::1]:8080/tin", "http://[2001:db8::1]:8080/tin"),
        ("HTTP://Example.VN/Tin", "HTTP://Example.VN/Tin"),
    ],
)
def test_fetchable_urls_are_cleaned_as_a_browser_would(url: str, cleaned: str) -> None:
    assert fetchable_url(url) == cleaned


def test_private_addresses_are_refused_by_default() -> None:
    assert DEFAULTS.http.allow_private_addresses is False


def test_links_to_private_addresses_are_refused_and_never_requested(
    tmp_path: Path, site: LocalSite
) -> None:
    refused = {
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
        "http://10.0.0.1/tin.html": "10.0.0.1 is a private address",
        "http://192.168.0.1/tin.html": "192.168.0.1 is a private address",
        "http://100.64.1.1/tin.html": "100.64.1.1 is a shared (CGNAT) address",
        "http://0.0.0.0/tin.html": "0.0.0.0 is an unspecified address",
        "http://[::ffff:169.254.169.254]/": "::ffff:169.254.169.254 is a link-local address",
        site.url(PAGE_A): "127.0.0.1 is a loopback address",
        # A name is judged by what it resolves to (127.0.0.1 or ::1, whichever comes first).
        f"http://localhost:{site.port}{PAGE_A}": "localhost resolves to",
    }
    site.route("/tin.rss", body=rss((url, str(n)) for n, url in enumerate(refused)))
    feed_url = site.url("/tin.rss")
    collector = Collector(
        tmp_path, [(feed_url, "Báo Thử")], timeout=5, allow_private_addresses=False
    )

    started = time.monotonic()
    summary = collector.poll(exit_code=1)
    assert time.monotonic() - started < 4  # no connection was tried, not even a timeout's
    # The feed is the user's choice: it was fetched. Nothing it links to was, robots.txt neither.
    assert summary["feeds_ok"] == 1
    assert site.paths() == ["/tin.rss"]
    failed = reasons(summary)
    assert set(failed) == set(refused)
    for url, what in refused.items():
        assert failed[url].startswith(f"refused: {what}"), failed[url]
        assert failed[url].endswith(
            "; only public addresses are fetched ([http] allow_private_addresses)"
        )
        # Recorded like any failure, and not asked for again.
        assert [(o, e) for _, _, o, e in collector.log(url)] == [("failed", failed[url])]
        assert collector.page(url)[0] == "skipped"


def test_a_feed_redirecting_to_a_private_address_is_refused(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/moved.rss", status=302, headers={"Location": "http://169.254.169.254/rss"})
    url = site.url("/moved.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")], allow_private_addresses=False)

    summary = collector.poll(exit_code=1)
    assert reasons(summary)[url].startswith("refused: 169.254.169.254 is a link-local address")
    assert collector.feed(url)["consecutive_failures"] == 1


def fetcher(resolve: dict[str, list[str]] | None = None) -> Fetcher:
    """A fetcher that refuses private addresses but takes 127.0.0.1 for a public server, with
    a resolver stub for the names in `resolve` (others resolve as usual)."""
    names = resolve or {}

    def lookup(host: str, port: int) -> list[str]:
        if host in names:
            return names[host]
        return [str(info[4][0]) for info in socket.getaddrinfo(host, port)]

    http = replace(DEFAULTS.http, per_host_delay=0, timeout=5.0, user_agent="pm-test/1")
    return Fetcher(http, public_networks=LOOPBACK, resolve=lookup)


@pytest.mark.parametrize(
    ("location", "refusal"),
    [
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local"),
        ("http://inside.example/", "refused: inside.example resolves to 10.1.2.3, a private"),
        ("http://mixed.example/", "refused: mixed.example resolves to 192.168.1.1, a private"),
        ("http://[::1]/", "refused: ::1 is a loopback address"),
    ],
)
def test_a_page_redirecting_to_a_private_address_is_refused(
    site: LocalSite, location: str, refusal: str
) -> None:
    site.route("/news/moved.html", status=301, headers={"Location": location})
    names = {"inside.example": ["10.1.2.3"], "mixed.example": ["127.0.0.1", "192.168.1.1"]}
    with fetcher(names) as client, pytest.raises(AddressRefused) as refused:
        client.get(site.url("/news/moved.html"))
    assert str(refused.value).startswith(refusal)
    assert site.paths() == ["/news/moved.html"]


def test_the_connection_goes_to_the_address_that_was_checked(site: LocalSite) -> None:
    """A name resolved once, checked, and connected to by that address: a resolver that would
    answer a private address the second time (DNS rebinding) is never asked twice."""
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])
    asked: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    policy = AddressPolicy(allow_private=False, public_networks=LOOPBACK)
    backend = GuardedBackend(policy, resolve=rebinding)
    stream = backend.connect_tcp("news.example", site.port, timeout=5)
    try:
        peer = stream.get_extra_info("socket").getpeername()
        assert peer[0] == "127.0.0.1"
        assert asked == ["news.example"]
        request = f"GET {PAGE_A} HTTP/1.1\r\nHost: news.example\r\nConnection: close\r\n\r\n"
        stream.write(request.encode())
        assert stream.read(64).startswith(b"HTTP/1.1 200")
    finally:
        stream.close()
    # The server saw the name in the Host header, not the address.
    assert site.requests[0].headers.get("host") == "news.example"
    with pytest.raises(AddressRefused):
        backend.connect_tcp("news.example", site.port, timeout=5)


def test_an_unresolvable_name_is_a_connection_error() -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    backend = GuardedBackend(AddressPolicy(), resolve=nowhere)
    with pytest.raises(httpcore.ConnectError, match=r"cannot resolve tin\.invalid"):
        backend.connect_tcp("tin.invalid", 80)


def test_with_private_addresses_allowed_the_local_site_is_fetched(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/tin.rss", body=rss([(site.url(PAGE_A), "a")]), content_type=RSS)
    collector = Collector(tmp_path, [(site.url("/tin.rss"), "Báo Thử")])
    assert collector.poll()["articles_new"] == 1
    assert site.hits(PAGE_A) == 1
