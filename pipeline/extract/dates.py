"""Event dates from the sentence, resolved against the article's publication date.

Explicit ("In April 2016", "July 2014", "on 5 March 2017", "September 30") and relative ("on Tuesday",
"earlier Saturday", "yesterday", "over the weekend", "last week", "in late November") expressions. Without a
publication date, relative expressions stay unresolved (event_date None): never the run date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTH = r"(?P<month>" + "|".join(sorted((m for m in MONTHS), key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("dmy", re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("mdy", re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mon>\d\d)-(?P<day>\d\d)\b")),
    ("part_month_year", re.compile(r"\b(?P<part>early|mid|late|end of|beginning of)[\s-]+" + _MONTH + r"\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("month_year", re.compile(r"\b" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("dm", re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?!\s*,?\s*\d)", re.I)),
    ("md", re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*(?:19|20)\d\d)", re.I)),
    ("part_month", re.compile(r"\b(?P<part>early|mid|late|end of|beginning of)[\s-]+" + _MONTH + r"(?!\s*,?\s*\d)", re.I)),
    ("in_month", re.compile(r"\b(?:in|during|since|on|of)\s+" + _MONTH + r"(?!\s*,?\s*\d)", re.I)),
    ("weekday", re.compile(r"\b(?P<rel>earlier|late|early|last|on|this|overnight|since)?\s*" + _WEEKDAY + r"\b", re.I)),
    ("yesterday", re.compile(r"\b(?P<word>yesterday|today|tonight|overnight|this morning|this evening|last night)\b", re.I)),
    ("weekend", re.compile(r"\b(?:over|during|at)\s+the\s+weekend\b|\blast\s+weekend\b", re.I)),
    ("last_week", re.compile(r"\b(?P<which>last|this|past|earlier this)\s+week\b", re.I)),
    ("last_month", re.compile(r"\b(?P<which>last|this|past|earlier this)\s+month\b", re.I)),
    ("in_year", re.compile(r"\b(?:in|during|of)\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
]


@dataclass(frozen=True)
class DateMatch:
    text: str
    start: int
    end: int
    date: dt.date | None
    precision: str | None


def find_date(text: str, published: dt.date | None, anchor: int | None = None) -> DateMatch | None:
    """The date expression in ``text`` nearest to ``anchor`` (a char offset, e.g. the trigger), resolved."""
    found = _all_dates(text, published)
    found = [d for d in found if not text[max(0, d.start - 6) : d.start].lower().strip().endswith("since")]
    if not found:
        return None
    if anchor is None:
        return found[0]
    return min(found, key=lambda d: (min(abs(d.start - anchor), abs(d.end - anchor)), d.start))


def _all_dates(text: str, published: dt.date | None) -> list[DateMatch]:
    taken: list[tuple[int, int]] = []
    out = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            resolved = _resolve(kind, m, published)
            if resolved is None:
                continue
            taken.append((m.start(), m.end()))
            out.append(DateMatch(m.group(0).strip(), m.start(), m.end(), *resolved))
    return sorted(out, key=lambda d: d.start)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month(m: re.Match[str]) -> int:
    return MONTHS[m.group("month").lower().rstrip(".")]


def _past_year(month: int, day: int, published: dt.date) -> int:
    """The year that puts month/day on or before the published date (news reports the past)."""
    candidate = _safe_date(published.year, month, min(day, 28))
    return published.year - 1 if candidate and candidate > published + dt.timedelta(days=7) else published.year


def _resolve(kind: str, m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, str | None] | None:
    names = m.groupdict()
    for key in ("month", "weekday"):
        if names.get(key) and not names[key][0].isupper():
            return None  # "may", "march" as words, not dates
    if kind in ("dmy", "mdy"):
        return _safe_date(int(m.group("year")), _month(m), int(m.group("day"))), "day"
    if kind == "iso":
        return _safe_date(int(m.group("year")), int(m.group("mon")), int(m.group("day"))), "day"
    if kind == "part_month_year":
        return dt.date(int(m.group("year")), _month(m), _part_day(m.group("part"))), "month"
    if kind == "month_year":
        return dt.date(int(m.group("year")), _month(m), 1), "month"
    if kind in ("dm", "md"):
        day = int(m.group("day"))
        if not 1 <= day <= 31:
            return None
        return (_safe_date(_past_year(_month(m), day, pub), _month(m), day), "day") if pub else (None, "day")
    if kind in ("part_month", "in_month"):
        month = _month(m)
        day = _part_day(m.group("part")) if kind == "part_month" else 1
        return (dt.date(_past_year(month, 1, pub), month, day), "month") if pub else (None, "month")
    if kind == "in_year":
        return dt.date(int(m.group("year")), 1, 1), "year"
    return _resolve_relative(kind, m, pub)


def _part_day(part: str) -> int:
    part = part.lower()
    return 5 if part in ("early", "beginning of") else 15 if part == "mid" else 25


def _resolve_relative(kind: str, m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, str | None] | None:
    if kind == "weekday":
        if pub is None:
            return None, "day"
        back = (pub.weekday() - WEEKDAYS[m.group("weekday").lower()]) % 7
        if (m.group("rel") or "").lower() == "last" and back == 0:
            back = 7
        return pub - dt.timedelta(days=back), "day"
    if kind == "yesterday":
        word = m.group("word").lower()
        days = 1 if word in ("yesterday", "last night") else 0
        return (pub - dt.timedelta(days=days), "day") if pub else (None, "day")
    if kind == "weekend":
        if pub is None:
            return None, "week"
        back = (pub.weekday() - 5) % 7
        return pub - dt.timedelta(days=back), "week"
    if kind == "last_week":
        days = 7 if m.group("which").lower() == "last" else 0
        return (pub - dt.timedelta(days=days + pub.weekday()), "week") if pub else (None, "week")
    if kind == "last_month":
        if pub is None:
            return None, "month"
        if m.group("which").lower() == "last":
            first = pub.replace(day=1) - dt.timedelta(days=1)
            return first.replace(day=1), "month"
        return pub.replace(day=1), "month"
    return None
