"""The article reader: the claim's sentence marked in its article, shown with ``st.html``.

Streamlit sanitises ``st.html`` content (no script runs); on top of that every
article string goes through :func:`html.escape` here, and links to the
original article are made only for http(s) URLs, with ``rel="noopener
noreferrer"``. The reader is built from plain fragments:

- :func:`header_html`: title, outlet, date and the link to the original article;
- :func:`excerpt_html`: the paragraph around the claim, the sentence marked (so
  the reader sees the claim without scrolling a long article);
- :func:`article_html`: the whole article with the same sentence marked.

The list of the article's other claims is drawn by the app with Streamlit
buttons, so choosing one stays on the page and updates the URL.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_HTTP_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
CONTEXT_CHARS = 600
STYLE = (
    "<style>.ca-reader{font:16px/1.6 Georgia,serif;color:#222}"
    ".ca-reader mark{background:#ffd54f;padding:1px 0}"
    ".ca-reader .ca-meta{font:13px/1.4 Helvetica,Arial,sans-serif;color:#555}"
    ".ca-reader .ca-text{white-space:pre-wrap}"
    ".ca-reader .ca-excerpt{white-space:pre-wrap;border-left:4px solid #ffd54f;padding:4px 12px;background:#fffdf3}</style>"
)


@dataclass(frozen=True)
class ReaderEvent:
    """One claim of the article, as listed beside the text."""

    event_id: str
    char_start: int
    char_end: int
    trigger: str
    place_name: str
    actor: str | None
    event_type: str
    claim_status: str

    def label(self) -> str:
        """Plain-text label (shown by Streamlit as text, never as HTML)."""
        return f"{self.trigger} · {self.place_name} · {self.actor or 'actor not stated'} · {self.claim_status}"


def http_url(url: object) -> str | None:
    """The URL if it is http(s) and has no characters that could break out of an attribute."""
    return url if isinstance(url, str) and _HTTP_URL.match(url) else None


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _clamp(text: str, start: int, end: int) -> tuple[int, int]:
    return max(0, min(start, len(text))), max(0, min(end, len(text)))


def _marked(text: str, start: int, end: int) -> str:
    return esc(text[:start]) + '<mark class="ca-claim-sentence">' + esc(text[start:end]) + "</mark>" + esc(text[end:])


def header_html(*, title: str | None, outlet: str, published: str | None, url: str | None) -> str:
    original = http_url(url)
    link = (f' · <a href="{esc(original)}" target="_blank" rel="noopener noreferrer">original article ↗</a>'
            if original else " · no link to the original article is known")
    return (f'{STYLE}<div class="ca-reader"><h3>{esc(title or "(untitled article)")}</h3>'
            f'<div class="ca-meta">{esc(outlet)} · published {esc(published or "date not known")}{link}</div></div>')


def excerpt_html(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
    """The claim's sentence marked, with up to ``context`` characters either side (cut at a line or space)."""
    start, end = _clamp(text, start, end)
    lo, hi = max(0, start - context), min(len(text), end + context)
    if lo > 0:
        cut = max(text.rfind("\n", lo, start), text.find(" ", lo, start))
        lo = cut + 1 if cut >= 0 else lo
    if hi < len(text):
        cut = text.rfind(" ", end, hi)
        hi = cut if cut > end else hi
    body = ("… " if lo > 0 else "") + _marked(text[lo:hi], start - lo, end - lo) + (" …" if hi < len(text) else "")
    return f'{STYLE}<div class="ca-reader"><div class="ca-excerpt">{body}</div></div>'


def article_html(text: str, start: int, end: int) -> str:
    start, end = _clamp(text, start, end)
    return f'{STYLE}<div class="ca-reader"><div class="ca-text">{_marked(text, start, end)}</div></div>'
