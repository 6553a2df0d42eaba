"""The article reader: the cleaned text with the claim's sentence highlighted and scrolled into view.

Output is a self-contained HTML document for ``st.components.v1.html``. Every
article string goes through :func:`html.escape`; the document carries a
Content-Security-Policy that allows only its own nonce'd script (the scroll),
no network and no other script, so even a missed escape could not run code or
fetch anything. Links to other events are relative query strings opened in the
top window; links to the original article only for http(s) URLs, with
``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

_HTTP_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


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


def http_url(url: object) -> str | None:
    """The URL if it is http(s) and has no characters that could break out of an attribute."""
    return url if isinstance(url, str) and _HTTP_URL.match(url) else None


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _highlighted_text(text: str, start: int, end: int) -> str:
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    return (
        esc(text[:start])
        + '<mark id="claim-sentence">'
        + esc(text[start:end])
        + "</mark>"
        + esc(text[end:])
    )


def _event_list(events: Sequence[ReaderEvent], current: str, base_params: dict[str, list[str]]) -> str:
    items = []
    for ev in events:
        params = {**base_params, "view": ["reader"], "event": [ev.event_id]}
        href = "?" + urlencode([(k, v) for k, vs in params.items() for v in vs])
        label = f"{ev.trigger} · {ev.place_name} · {ev.actor or 'actor not stated'} · {ev.claim_status}"
        cls = ' class="current"' if ev.event_id == current else ""
        items.append(f'<li{cls}><a href="{esc(href)}" target="_top">{esc(label)}</a></li>')
    return "<ol>" + "".join(items) + "</ol>"


def reader_html(
    *,
    title: str | None,
    outlet: str,
    published: str | None,
    url: str | None,
    text: str,
    current: ReaderEvent,
    events: Sequence[ReaderEvent],
    base_params: dict[str, list[str]],
) -> str:
    """The reader document: header, article with the current sentence marked, and the article's claims."""
    nonce = secrets.token_urlsafe(16)
    original = http_url(url)
    link = f' · <a href="{esc(original)}" target="_blank" rel="noopener noreferrer">original article</a>' if original else ""
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'"
    return f"""<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<style>
body {{ font: 16px/1.6 Georgia, serif; margin: 0; color: #222; }}
header {{ font-family: Helvetica, Arial, sans-serif; padding: 8px 12px; background: #f3f3f3; border-bottom: 1px solid #ddd; }}
header h2 {{ margin: 0 0 4px; font-size: 18px; }}
header .meta {{ color: #555; font-size: 13px; }}
.cols {{ display: flex; gap: 16px; }}
article {{ position: relative; flex: 3; padding: 8px 16px; white-space: pre-wrap; height: 480px; overflow-y: auto; }}
aside {{ flex: 2; padding: 8px; font: 13px/1.4 Helvetica, Arial, sans-serif; height: 480px; overflow-y: auto; }}
mark#claim-sentence {{ background: #ffd54f; padding: 1px 0; }}
li.current a {{ font-weight: bold; }}
</style></head><body>
<header><h2>{esc(title or "(untitled article)")}</h2>
<div class="meta">{esc(outlet)} · published {esc(published or "date not known")}{link}
 · the highlighted sentence is the claim you selected</div></header>
<div class="cols"><article>{_highlighted_text(text, current.char_start, current.char_end)}</article>
<aside><strong>Claims found in this article</strong>{_event_list(events, current.event_id, base_params)}</aside></div>
<script nonce="{nonce}">(function () {{
  var m = document.getElementById("claim-sentence"), a = m.parentElement;
  a.scrollTop = Math.max(0, m.offsetTop - a.clientHeight / 3);
}})();</script>
</body></html>"""
