"""Raw documents -> cleaned Article records: pure functions (no file access).

Combines the clean stage with outlet and date resolution, and decides what
is rejected (no main text, too short after cleaning) and what is only
noted (an unparseable date leaves ``published`` empty and says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.clean import boilerplate as clean
from pipeline.ingest import metadata
from pipeline.ingest.readers import RawDoc
from pipeline.schema import Article, Reject
from pipeline.settings import Settings

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Converted:
    """The article (None when rejected) and notes: the reject reason, or warnings."""

    article: Article | None
    rejects: tuple[Reject, ...] = ()
    warnings: tuple[Reject, ...] = ()


def to_article(raw: RawDoc, settings: Settings, day_first: bool = False) -> Converted:
    outlets = metadata.load_outlets()
    body, title, date_str, url = raw.body, raw.title, raw.date, raw.url
    sitename = None
    if raw.is_html:
        page = clean.extract_html(raw.body, url=raw.url)
        if page is None:
            return Converted(None, (Reject(raw.where, "HTML holds no main text (empty, truncated or only navigation)", "clean"),))
        body = page.text
        title, date_str = title or page.title, date_str or page.date
        url, sitename = url or page.url, page.sitename
    text = clean.clean_text(body)
    warnings: list[Reject] = []
    text = _truncate(text, settings.max_article_chars, raw.where, warnings)
    if len(text) < settings.min_article_chars:
        reason = f"only {len(text)} characters of text after removing site furniture (minimum {settings.min_article_chars})"
        return Converted(None, (Reject(raw.where, reason, "clean"),))
    published, source = _published(date_str, text, raw.where, day_first, warnings)
    outlet, outlet_source = metadata.resolve_outlet(raw.outlet or sitename, url, raw.body, outlets)
    safe = metadata.safe_url(url)
    if url and not safe:
        warnings.append(Reject(raw.where, f"URL {url[:80]!r} is not http(s): left empty", "metadata"))
    article = Article(
        doc_id=Article.make_id(text, outlet),
        outlet=outlet,
        published=published,
        published_source=source,
        title=title.strip() if title and title.strip() else clean.guess_title(text),
        url=safe,
        source_path=raw.where,
        text=text,
        outlet_source=outlet_source,
    )
    return Converted(article, (), tuple(warnings))


def _published(date_str, text, where, day_first, warnings):
    if date_str:
        try:
            return metadata.parse_date(date_str, day_first), "metadata"
        except metadata.DateParseError as exc:
            warnings.append(Reject(where, f"{exc}; published date inferred from the text or left empty", "metadata"))
    inferred = metadata.infer_date(text)
    return (inferred, "inferred") if inferred else (None, None)


def _truncate(text: str, limit: int, where: str, warnings: list[Reject]) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [m.start() for m in _SENTENCE_BREAK.finditer(cut)]
    cut = cut[: ends[-1]] if ends else cut
    warnings.append(Reject(where, f"article has {len(text):,} characters: truncated to the first {len(cut):,}", "clean"))
    return cut.rstrip()
