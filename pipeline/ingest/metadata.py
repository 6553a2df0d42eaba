"""Outlet and publication date of an article: pure functions.

Outlet: from metadata (canonicalised through resources/outlets.yaml), else
the URL's domain, else in-text signatures (bylines, "21st Century Wire
says…", site furniture) and the outlet's references to itself.

Publication date: from metadata, else a dateline near the top of the text
("Wed 19 Apr 2017", "April 19, 2017", "2017-04-19"), else None. A date in
running text without a year ("September 30 marked the second anniversary")
is never a dateline.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline import resources as resource_files

UNKNOWN_OUTLET = "unknown"
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MONTHS = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_WEEKDAYS = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+"
DATELINE_PATTERNS = (
    re.compile(rf"\b(?:{_WEEKDAYS})?(\d{{1,2}})\s+({_MONTHS})\.?,?\s+((?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?:{_WEEKDAYS})?({_MONTHS})\.?\s+(\d{{1,2}}),?\s+((?:19|20)\d\d)\b", re.I),
    re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"),
)
DATELINE_WINDOW = 300  # characters from the top of the article where a dateline may stand


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: frozenset[str]
    domains: tuple[str, ...]
    signatures: tuple[re.Pattern, ...]
    self_refs: tuple[re.Pattern, ...]


def _key(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


@functools.lru_cache(maxsize=4)
def load_outlets(directory: str | None = None) -> tuple[Outlet, ...]:
    rows = resource_files.load("outlets.yaml", directory)
    return tuple(
        Outlet(
            name=row["name"],
            aliases=frozenset(_key(a) for a in [row["name"], *row.get("aliases", [])]),
            domains=tuple(d.lower() for d in row.get("domains", [])),
            signatures=tuple(re.compile(p, re.M) for p in row.get("signatures", [])),
            self_refs=tuple(re.compile(p) for p in row.get("self_refs", [])),
        )
        for row in rows
    )


def outlet_from_name(name: str, outlets: tuple[Outlet, ...]) -> str:
    """Canonical name for a metadata outlet value; unknown names are kept as given."""
    key = _key(name)
    for outlet in outlets:
        if key in outlet.aliases:
            return outlet.name
    host = _host(name) if "." in name else None
    return (outlet_from_url(name, outlets) if host else None) or name.strip()


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return host.lower().removeprefix("www.") if host else None


def outlet_from_url(url: str, outlets: tuple[Outlet, ...]) -> str | None:
    host = _host(url)
    if not host:
        return None
    for outlet in outlets:
        if any(host == d or host.endswith("." + d) for d in outlet.domains):
            return outlet.name
    return None


def outlet_from_text(raw_text: str, outlets: tuple[Outlet, ...]) -> str | None:
    """An outlet identified by its furniture or byline, else by repeated self-references (>= 2)."""
    head_and_tail = raw_text[:3000] + "\n" + raw_text[-3000:]
    hits = [(m.start(), o.name) for o in outlets for p in o.signatures if (m := p.search(head_and_tail))]
    if hits:  # the first signature wins: a repost says whose it is before quoting the original
        return min(hits)[1]
    scores = {o.name: sum(len(p.findall(raw_text)) for p in o.self_refs) for o in outlets}
    best = max(scores.items(), key=lambda kv: (kv[1], kv[0]), default=(None, 0))
    return best[0] if best[1] >= 2 else None


def resolve_outlet(meta_outlet: str | None, url: str | None, raw_text: str, outlets: tuple[Outlet, ...]) -> tuple[str, str]:
    """(canonical outlet, where it came from: metadata | url | text | unknown)."""
    if meta_outlet and meta_outlet.strip():
        return outlet_from_name(meta_outlet, outlets), "metadata"
    if url:
        found = outlet_from_url(url, outlets)
        if found:
            return found, "url"
    found = outlet_from_text(raw_text, outlets)
    if found:
        return found, "text"
    return UNKNOWN_OUTLET, "unknown"


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host, else None (never javascript:, data:, file:)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or any(c in url for c in "\n\r\t <>\"'`"):
        return None
    return url


class DateParseError(ValueError):
    pass


def parse_date(value: str, day_first: bool = False) -> dt.date:
    """A metadata date: ISO, "4/16/17" (month first unless day_first), "16 Apr 2017", "April 16, 2017"."""
    from dateutil import parser as du

    text = value.strip()
    if not text:
        raise DateParseError("empty date")
    try:
        parsed = du.parse(text, dayfirst=day_first, fuzzy=False, default=dt.datetime(1900, 1, 1))
    except (ValueError, OverflowError) as exc:
        raise DateParseError(f"unparseable date {text!r}: {exc}") from None
    if not 1900 < parsed.year < 2200:
        raise DateParseError(f"implausible year in date {text!r}")
    return parsed.date()


def infer_date(text: str) -> dt.date | None:
    """A dateline near the top of the article, or None."""
    head = text[:DATELINE_WINDOW]
    for i, pattern in enumerate(DATELINE_PATTERNS):
        m = pattern.search(head)
        if not m:
            continue
        a, b, c = m.groups()
        try:
            if i == 0:
                return dt.datetime.strptime(f"{a} {b[:3]} {c}", "%d %b %Y").date()
            if i == 1:
                return dt.datetime.strptime(f"{b} {a[:3]} {c}", "%d %b %Y").date()
            return dt.date(int(a), int(b), int(c))
        except ValueError:
            continue
    return None
