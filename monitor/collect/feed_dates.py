"""Feed dates as outlets write them: RFC 822, ISO 8601, and Vietnamese day-first forms.

"22/11/2026 20:15", "Thứ bảy, 22/11/2026 - 20:15", "GMT+7", "(GMT+7)", "ICT": a date without an
offset gets the `naive` zone the caller chooses (Indochina Time for Vietnamese feeds).
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import urlsplit

from monitor.timestamps import VIETNAM

_SPACE_RE = re.compile(r"\s+")

_OFFSET = r"[+-]\d{1,2}(?::?\d{2})?"
_ZONE = rf"(?:\s*\(?\s*(?P<zone>Z|{_OFFSET}|(?:GMT|UTC|UT)(?:\s*{_OFFSET})?|[A-Z]{{2,5}})\s*\)?)?"
_TIME = r"(?P<H>\d{1,2})[:hg](?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
# "22/11/2026 20:15", "Thứ bảy, 22/11/2026 - 20:15", "20:15 22/11/2026", "22-11-2026 20:15 GMT+7"
_VN_DATE_RE = re.compile(
    rf"^(?:[^\d]*?,\s*)?(?:(?P<H0>\d{{1,2}})[:hg](?P<M0>\d{{2}})\D{{1,6}})?"
    rf"(?P<d>\d{{1,2}})[/\-.](?P<m>\d{{1,2}})[/\-.](?P<y>\d{{4}})(?:\D{{1,6}}?{_TIME})?{_ZONE}\s*$"
)
# "2026-11-22T20:15:00+07:00", "2026-11-22 20:15", "2026/11/22 20:15:00 GMT+7"
_ISO_DATE_RE = re.compile(
    rf"^(?P<y>\d{{4}})[/\-.](?P<m>\d{{1,2}})[/\-.](?P<d>\d{{1,2}})(?:(?:T|\s+){_TIME})?{_ZONE}\s*$"
)
# "Sun, 22 Nov 2026 20:15:00 GMT+7", "22 Nov 2026 20:15" (RFC 822 and its usual mistakes)
_RFC822_RE = re.compile(
    rf"^(?:[^\d,]+,\s*)?(?P<d>\d{{1,2}})\s+(?P<mon>[A-Za-z]{{3}})[A-Za-z]*\.?\s+(?P<y>\d{{4}})"
    rf"(?:\s+{_TIME})?{_ZONE}\s*$"
)
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
# Zone names seen in feeds; an unknown name leaves the date to feedparser.
_ZONE_NAMES = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "ICT": 7,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_OFFSET_RE = re.compile(r"^(?P<name>[A-Z]*)\s*(?:(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?)?$")


def _zone(text: str | None, naive: tzinfo) -> tzinfo | None:
    if not text:
        return naive
    m = _OFFSET_RE.match(text.upper())
    if not m or (m.group("name") and m.group("name") not in _ZONE_NAMES):
        return None
    hours = _ZONE_NAMES.get(m.group("name"), 0)
    if m.group("sign"):
        sign = 1 if m.group("sign") == "+" else -1
        hours += sign * int(m.group("h"))
        minutes = sign * int(m.group("m") or 0)
    else:
        minutes = 0
    if abs(hours) > 14:
        return None
    return timezone(timedelta(hours=hours, minutes=minutes))


def parse_date(value: str | None, *, naive: tzinfo = UTC) -> datetime | None:
    """A feed's date text → aware UTC datetime, or None when it is not understood.

    A Vietnamese dd/mm/yyyy date without an offset is Indochina Time; other formats without one
    are in `naive` (the feed's own zone: Vietnam for Vietnamese feeds, else UTC).
    """
    if not value:
        return None
    value = _SPACE_RE.sub(" ", value).strip()
    for pattern, default in ((_VN_DATE_RE, VIETNAM), (_ISO_DATE_RE, naive), (_RFC822_RE, naive)):
        m = pattern.match(value)
        if not m:
            continue
        zone = _zone(m.group("zone"), default)
        if zone is None:
            return None
        fields = m.groupdict()
        month = _MONTHS.get(fields["mon"].title(), 0) if "mon" in fields else int(fields["m"])
        hour, minute = fields["H"], fields["M"]
        if fields.get("H0"):
            hour, minute = fields["H0"], fields["M0"]
        try:
            local = datetime(
                int(fields["y"]),
                month,
                int(fields["d"]),
                int(hour or 0),
                int(minute or 0),
                int(fields["S"] or 0),
                tzinfo=zone,
            )
        except ValueError:
            return None
        return local.astimezone(UTC)
    return None


def is_vietnamese(language: str | None, url: str) -> bool:
    if language:
        return language.strip().lower().startswith("vi")
    host = urlsplit(url).hostname or ""
    return host.endswith(".vn")
