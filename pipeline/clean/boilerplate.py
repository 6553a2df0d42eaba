"""Boilerplate removal for plain text and HTML: pure functions over strings.

HTML main text comes from trafilatura (a maintained extractor); the same
line-level cleaner then runs on plain text and extracted HTML alike, driven
by the patterns in resources/boilerplate.yaml: site menus, language pickers,
"Read more" / "ALSO READ" teasers, "In the same category" blocks, comment
forms, subscription adverts and share bars.

The cleaned text keeps one paragraph per line, separated by blank lines, so
sentence offsets computed on it are stable.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from pipeline import resources as resource_files

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CAMEL_JOIN = re.compile(r"[a-z][A-Z]")
MAX_FURNITURE_CHARS = 250  # a longer line is article prose, whatever words it contains
_SENTENCE_END = re.compile(r"[.!?…\"”’)]$")


@dataclass(frozen=True)
class HtmlDoc:
    """Main text and metadata extracted from an HTML page."""

    text: str
    title: str | None
    date: str | None
    url: str | None
    sitename: str | None


@dataclass(frozen=True)
class _Patterns:
    drop: tuple[re.Pattern, ...]
    strip: tuple[re.Pattern, ...]
    cut_after: tuple[re.Pattern, ...]
    teaser: tuple[re.Pattern, ...]
    languages: frozenset[str]
    language_min: int


@functools.lru_cache(maxsize=4)
def _patterns(directory: str | None = None) -> _Patterns:
    data = resource_files.load("boilerplate.yaml", directory)

    def comp(key: str) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in data.get(key, []))

    return _Patterns(
        comp("drop_line"),
        comp("strip_inline"),
        comp("cut_after"),
        comp("teaser_marker"),
        frozenset(n.lower() for n in data.get("language_names", [])),
        int(data.get("language_menu_min", 4)),
    )


def normalise_line(line: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", line)).strip()


def is_menu(line: str, patterns: _Patterns) -> bool:
    """Navigation furniture: words run together by stripped markup, or a language picker."""
    if len(line) > MAX_FURNITURE_CHARS:
        return False
    if len(_CAMEL_JOIN.findall(line)) >= 2 and not _SENTENCE_END.search(line):
        return True
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", line)}
    return len(words & patterns.languages) >= patterns.language_min


def clean_text(text: str, directory: str | None = None) -> str:
    """Cleaned article text: furniture lines dropped, teaser blocks cut, paragraphs separated by blank lines."""
    patterns = _patterns(directory)
    kept: list[str] = []
    skip_next_headline = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = normalise_line(raw)
        for pattern in patterns.strip:
            line = normalise_line(pattern.sub(" ", line))
        if not line:
            continue
        if any(p.search(line) for p in patterns.cut_after):
            break
        if skip_next_headline:
            skip_next_headline = False
            if not _SENTENCE_END.search(line) or len(line) < 160:
                continue
        if any(p.search(line) for p in patterns.teaser):
            skip_next_headline = True
            continue
        if len(line) <= MAX_FURNITURE_CHARS and (any(p.search(line) for p in patterns.drop) or is_menu(line, patterns)):
            continue
        kept.append(line)
    return "\n\n".join(_dedupe_adjacent(kept))


def _dedupe_adjacent(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not out or out[-1] != line:
            out.append(line)
    return out


def guess_title(cleaned: str) -> str | None:
    """The first paragraph when it reads as a headline (short, no sentence-final punctuation)."""
    first = cleaned.split("\n\n", 1)[0].strip()
    if first and len(first) <= 200 and not first.endswith((".", "…", ":")):
        return first
    return None


def extract_html(html: str, url: str | None = None) -> HtmlDoc | None:
    """Main text and metadata of an HTML page via trafilatura; None when the page has no main text."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=False,
        include_links=False,
        favor_precision=True,
        with_metadata=True,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text:
        doc = trafilatura.bare_extraction(html, url=url, include_comments=False, favor_recall=True, with_metadata=True)
        text = getattr(doc, "text", None) if doc is not None else None
    if not text:
        return None
    return HtmlDoc(
        text=text,
        title=getattr(doc, "title", None),
        date=getattr(doc, "date", None),
        url=getattr(doc, "url", None),
        sitename=getattr(doc, "sitename", None),
    )
