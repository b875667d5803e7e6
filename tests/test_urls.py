"""URL identity keys and the validation of a page's declared canonical URL."""

from __future__ import annotations

import random
import unicodedata
from urllib.parse import parse_qsl, urlsplit

import pytest

from monitor.urls import (
    TRACKING_PARAMS,
    canonical_url,
    normalize_url,
    syndicated_from,
)

ARTICLE = "https://vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html"


@pytest.mark.parametrize(
    "variant",
    [
        "http://vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "HTTPS://VNEXPRESS.NET/lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "https://www.vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "https://vnexpress.net:443/lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "http://vnexpress.net:80/lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "https://vnexpress.net./lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "https://vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html#box_comment",
        "https://vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html?",
        "https://vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html?#",
        " https://vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html\n",
        "https://reader:secret@vnexpress.net/lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "https://vnexpress.net/thoi-su/../lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "https://vnexpress.net/./lam-phat-nam-2026-du-bao-duoi-4-4961203.html",
        "https://vnexpress.net/lam%2Dphat-nam-2026-du-bao-duoi-4-4961203%2ehtml",
        # VnExpress's own internal-link marks, and what Zalo and Facebook append.
        ARTICLE + "?vn_source=Detail-KinhDoanh&vn_campaign=Box-InternalLink&vn_medium=Link"
        "&vn_term=Desktop&vn_thumb=0",
        ARTICLE + "?utm_source=zalo&utm_medium=zalo&utm_campaign=zalo&zarsrc=30",
        ARTICLE + "?gidzl=3uwUBj-bzci7bfylrh_-P0QRaoV0lgbd7vl9BSEoyceJd9qlcBVpP16Vc",
        ARTICLE + "?fbclid=IwAR0abcdef&mibextid=Zxz2cZ",
        ARTICLE + "?utm_source=rss&amp;utm_medium=news&amp;utm_campaign=box-rss",
        ARTICLE + "?UTM_Source=Newsletter&_ga=2.1.2.3&_gl=1*abc&mc_cid=1&mc_eid=2",
        ARTICLE + "?gclid=x&dclid=y&msclkid=z&yclid=w&igshid=v",
        ARTICLE + "?ref=rss",
        ARTICLE + "?ref=vnexpress.net",
        ARTICLE + "?ref_src=twsrc%5Etfw",
    ],
)
def test_variants_of_one_article_share_its_key(variant: str) -> None:
    assert normalize_url(variant) == ARTICLE


def test_content_parameters_stay_and_are_sorted() -> None:
    key = normalize_url("https://dantri.com.vn/video.htm?page=2&id=677792&utm_source=dable")
    assert key == "https://dantri.com.vn/video.htm?id=677792&page=2"
    # A repeated name keeps the order of its values: `?tag=b&tag=a` may mean something else.
    assert normalize_url("https://x.vn/s?tag=b&q=1&tag=a") == "https://x.vn/s?q=1&tag=b&tag=a"
    # `ref` that selects content (a number) is not tracking.
    assert normalize_url("https://x.vn/p?ref=12345") == "https://x.vn/p?ref=12345"
    assert normalize_url("https://x.vn/p?a=1&&b=2&") == "https://x.vn/p?a=1&b=2"


def test_path_case_trailing_slash_and_empty_segments_are_kept() -> None:
    assert normalize_url("https://x.vn/Thoi-Su/Bai-Viet") == "https://x.vn/Thoi-Su/Bai-Viet"
    assert normalize_url("https://x.vn/thoi-su/") != normalize_url("https://x.vn/thoi-su")
    assert normalize_url("https://x.vn//thoi-su") == "https://x.vn//thoi-su"
    assert normalize_url("https://x.vn") == "https://x.vn/"


def test_other_ports_and_subdomains_are_other_sites() -> None:
    assert normalize_url("http://127.0.0.1:8000/a") == "https://127.0.0.1:8000/a"
    assert normalize_url("http://127.0.0.1:8000/a") != normalize_url("http://127.0.0.1:8001/a")
    assert normalize_url("https://m.vnexpress.net/a") == "https://m.vnexpress.net/a"


def test_vietnamese_paths_are_nfc_and_utf8_encoded() -> None:
    nfc = "https://tuoitre.vn/tin-tức/hoà-bình.htm"
    key = normalize_url(nfc)
    assert key == "https://tuoitre.vn/tin-t%E1%BB%A9c/ho%C3%A0-b%C3%ACnh.htm"
    assert key.isascii()
    assert normalize_url(unicodedata.normalize("NFD", nfc)) == key
    # The same path already encoded, lower-case escapes, or its NFD bytes encoded.
    assert normalize_url("https://tuoitre.vn/tin-t%e1%bb%a9c/ho%c3%a0-b%c3%acnh.htm") == key
    nfd_escaped = "https://tuoitre.vn/tin-tu%CC%9B%CC%81c/hoa%CC%80-bi%CC%80nh.htm"
    assert normalize_url(nfd_escaped) == key


def test_reserved_escapes_and_invalid_bytes_stay_escaped() -> None:
    # %2F is not "/", %3F is not "?": decoding them would name another resource.
    assert normalize_url("https://x.vn/a%2fb%3f?q=a%26b") == "https://x.vn/a%2Fb%3F?q=a%26b"
    assert normalize_url("https://x.vn/%ff%41") == "https://x.vn/%FFA"
    assert normalize_url("https://x.vn/a b%zz") == "https://x.vn/a%20b%25zz"
    # A lone surrogate (broken input) is encoded, not an exception.
    assert normalize_url("https://x.vn/a\ud800") == "https://x.vn/a%ED%A0%80"


def test_internationalized_host_is_idna_encoded() -> None:
    assert normalize_url("http://Báo.vn/a") == "https://xn--bo-mia.vn/a"
    assert normalize_url("https://xn--bo-mia.vn/a") == "https://xn--bo-mia.vn/a"


def test_hashbang_fragment_names_content_and_is_kept() -> None:
    assert (
        normalize_url("http://news.zing.vn/#!/bai-viet/123")
        == "https://news.zing.vn/#!/bai-viet/123"
    )


@pytest.mark.parametrize(
    "value",
    ["", "   ", "mailto:toasoan@vnexpress.net", "/relative/path", "http://", "http://x:port/"],
)
def test_what_is_not_an_absolute_http_url_is_its_own_key(value: str) -> None:
    assert normalize_url(value) == value.strip()


# Pieces for generated URLs: the cases the rules treat differently, mixed at random.
HOSTS = [
    "vnexpress.net", "WWW.DanTri.com.vn", "tuoitre.vn.", "báo.vn", "BÁO.VN", "127.0.0.1",
    "[::1]", "m.vietnamnet.vn", "www.vn", "xn--bo-mia.vn", "thanh_nien.vn",
]  # fmt: skip
PATH_PIECES = [
    "thoi-su", "Tin-Tuc", "tin-tức", unicodedata.normalize("NFD", "hoà-bình"), ".", "..", "",
    "%2F", "%2f", "%41", "%e1%bb%a9", "%C3", "%ff", "%", "%z", "a b", "~x", "x.htm",
    "!$&'()*+,;=:@", '"<>', "\u0301", "%CC%81", "4961203.html", "\ud800",
]  # fmt: skip
QUERY_NAMES = [
    "id", "page", "Q", "tag", "utm_source", "UTM_Medium", "zarsrc", "gidzl", "vn_source", "ref",
    "ref_src", "fbclid", "amp;utm_campaign", "amp;id", "a%3Db", "%E1%BB%A9", "x y", "",
]  # fmt: skip
QUERY_VALUES = ["", "1", "rss", "zalo", "12345", "a=b", "%20", "+", "tức", "x.vn", "%zz", "&"]
FRAGMENTS = ["", "#", "#top", "#!/tin/1", "#!%e1%bb%a9", "#a#b"]


def random_url(rng: random.Random) -> str:
    scheme = rng.choice(["http", "https", "HTTP", "hTTps"])
    port = rng.choice(["", "", ":80", ":443", ":8080", ":0"])
    path = "/".join(rng.choice(PATH_PIECES) for _ in range(rng.randint(0, 5)))
    if path and rng.random() < 0.8:
        path = "/" + path
    elif path:
        path = "/" + path.lstrip("/")
    params = [
        rng.choice(QUERY_NAMES) + (f"={rng.choice(QUERY_VALUES)}" if rng.random() < 0.8 else "")
        for _ in range(rng.randint(0, 4))
    ]
    query = ("?" + "&".join(params)) if params or rng.random() < 0.2 else ""
    return f"{scheme}://{rng.choice(HOSTS)}{port}{path}{query}{rng.choice(FRAGMENTS)}"


def test_normalize_is_idempotent_over_generated_urls() -> None:
    rng = random.Random(20261122)
    for _ in range(5000):
        url = random_url(rng)
        key = normalize_url(url)
        assert normalize_url(key) == key, url


def test_generated_keys_are_ascii_https_without_tracking() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        url = random_url(rng)
        key = normalize_url(url)
        assert key.isascii(), url
        assert key.startswith("https://"), url
        parts = urlsplit(key)
        # :80 survives only where the original said https://…:80, a non-default port.
        assert parts.port != 443
        assert parts.port != 80 or url.lower().startswith("https"), url
        assert not parts.fragment or parts.fragment.startswith("!")
        names = [name.lower() for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
        assert not [n for n in names if n.startswith("utm_") or n in TRACKING_PARAMS], url
        raw_names = [p.partition("=")[0] for p in parts.query.split("&")] if parts.query else []
        assert raw_names == sorted(raw_names), url


def test_generated_variants_of_a_url_share_its_key() -> None:
    """Reordering content parameters, adding tracking ones and NFD text don't change a key."""
    rng = random.Random(11)
    for _ in range(500):
        names = rng.sample(["id", "page", "tag", "cat", "p"], rng.randint(0, 4))
        params = [f"{n}={rng.randint(1, 999)}" for n in names]
        host = rng.choice(["dantri.com.vn", "báo.vn", "127.0.0.1:8000"])
        path = "/" + "/".join(rng.sample(["thời-sự", "kinh-doanh", "bài-viết-12345.htm"], 2))
        base = f"https://{host}{path}" + ("?" + "&".join(params) if params else "")
        shuffled = params.copy()
        rng.shuffle(shuffled)
        trackers = ["utm_source", "zarsrc", "fbclid", "vn_medium"]
        tracking = [f"{n}=x" for n in rng.sample(trackers, 2)]
        mixed = shuffled + tracking
        rng.shuffle(mixed)
        variant = unicodedata.normalize("NFD", f"http://www.{host}{path}?" + "&".join(mixed))
        assert normalize_url(variant) == normalize_url(base), (variant, base)


PAGE = "https://vnexpress.net/thoi-su/bao-dam-an-ninh-dai-hoi-dang-4961203.html"


def test_canonical_same_site_is_normalized_and_relative_resolved() -> None:
    amp = "https://vnexpress.net/thoi-su/bao-dam-an-ninh-dai-hoi-dang-4961203.html?utm_source=amp"
    assert canonical_url(amp, PAGE) == PAGE
    assert canonical_url("/thoi-su/bao-dam-an-ninh-dai-hoi-dang-4961203.html", PAGE) == PAGE
    assert (
        canonical_url(
            "//vnexpress.net/thoi-su/bao-dam-an-ninh-dai-hoi-dang-4961203.html",
            "http://m.vnexpress.net/bao-dam-an-ninh-dai-hoi-dang-4961203.html",
        )
        == PAGE
    )
    # A mobile page pointing at the desktop article: same registrable domain.
    mobile = "https://m.vnexpress.net/bao-dam-an-ninh-dai-hoi-dang-4961203.html"
    assert canonical_url(PAGE, mobile) == PAGE


def test_canonical_of_another_article_on_the_site_is_accepted() -> None:
    # Dân trí has declared a moved article's new section and id; that is still identity.
    page = "http://dantri.com.vn/su-kien/chot-lich-nghi-le-tet-2013-cua-cong-chuc-677792.htm"
    declared = "http://dantri.com.vn/xa-hoi/chot-lich-nghi-le-tet-2013-cua-cong-chuc-677789.htm"
    assert canonical_url(declared, page) == normalize_url(declared)


def test_canonical_escaped_ampersand_is_unescaped() -> None:
    declared = "https://x.vn/xem-tin.aspx?id=12345&amp;cat=2"
    assert canonical_url(declared, "https://x.vn/xem-tin.aspx?cat=2&id=12345") == (
        "https://x.vn/xem-tin.aspx?cat=2&id=12345"
    )


@pytest.mark.parametrize(
    "declared",
    [
        None,
        "",
        "  ",
        "https://vnexpress.net/",
        "https://vnexpress.net",
        "/",
        "https://vnexpress.net/index.html",
        "https://vnexpress.net/thoi-su",
        "https://vnexpress.net/thoi-su.htm",
        "https://vnexpress.net/khoa-hoc-cong-nghe/",
        "ftp://vnexpress.net/bao-dam-an-ninh-dai-hoi-dang-4961203.html",
        "javascript:void(0)",
        "http://[::1",
    ],
)
def test_canonical_rejects_homepage_section_and_non_http(declared: str | None) -> None:
    assert canonical_url(declared, PAGE) is None
    assert syndicated_from(declared, PAGE) is None


def test_homepage_may_declare_itself() -> None:
    assert canonical_url("https://www.vnexpress.net/", "http://vnexpress.net/") == (
        "https://vnexpress.net/"
    )


def test_cross_site_canonical_is_a_syndication_hint_not_identity() -> None:
    agency = "https://baotintuc.vn/thoi-su/bao-dam-an-ninh-dai-hoi-xiv-20260105.htm?utm_source=x"
    copy = "https://dantri.com.vn/xa-hoi/bao-dam-an-ninh-dai-hoi-xiv-20260105.htm"
    assert canonical_url(agency, copy) is None
    assert syndicated_from(agency, copy) == (
        "https://baotintuc.vn/thoi-su/bao-dam-an-ninh-dai-hoi-xiv-20260105.htm"
    )
    assert syndicated_from(copy, copy) is None


def test_sites_without_a_public_suffix_are_told_apart_by_port() -> None:
    page = "http://127.0.0.1:8000/vnexpress/lam-phat-nam-2026-4961203.html"
    other = "http://127.0.0.1:8001/baotintuc/lam-phat-nam-2026-4961203.html"
    assert canonical_url(other, page) is None
    assert syndicated_from(other, page) == normalize_url(other)
    same = "http://127.0.0.1:8000/vnexpress/lam-phat-nam-2026-du-bao-4961203.html"
    assert canonical_url(same, page) == normalize_url(same)
