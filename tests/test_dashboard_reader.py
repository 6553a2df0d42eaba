"""dashboard.reader: the fragments escape everything and mark the right sentence."""

from __future__ import annotations

import re

import pytest

from dashboard.reader import (
    ReaderEvent,
    article_html,
    excerpt_html,
    header_html,
    http_url,
)

TEXT = "Lead <b>bold</b>. Militants <script>alert(1)</script> shelled Aleppo. Tail & more."
START = TEXT.index("Militants")
END = TEXT.index("Aleppo.") + len("Aleppo.")
MARKED = "Militants &lt;script&gt;alert(1)&lt;/script&gt; shelled Aleppo."


@pytest.mark.parametrize("fragment", [article_html(TEXT, START, END), excerpt_html(TEXT, START, END)])
def test_dashboard_reader_marks_the_sentence_and_escapes(fragment):
    assert re.search(r'<mark class="ca-claim-sentence">(.*?)</mark>', fragment).group(1) == MARKED
    body = fragment.split("</style>", 1)[1]
    assert "<script" not in body and "<b>" not in body


def test_dashboard_reader_excerpt_is_bounded_and_marks_its_cuts():
    text = "word " * 400 + "The claim sentence. " + "tail " * 400
    start = text.index("The claim")
    fragment = excerpt_html(text, start, start + len("The claim sentence."), context=100)
    assert fragment.count("word") < 30 and fragment.count("tail") < 30
    assert "… " in fragment and " …" in fragment


def test_dashboard_reader_header_escapes_and_links_only_http():
    doc = header_html(title="<img src=x onerror=alert(1)>", outlet="RT<", published=None, url="javascript:alert(1)")
    assert "<img" not in doc and "javascript:" not in doc and "RT&lt;" in doc
    assert "no link to the original article" in doc
    ok = header_html(title="t", outlet="RT", published="2018-04-01", url="https://www.rt.com/news/1/")
    assert '<a href="https://www.rt.com/news/1/" target="_blank" rel="noopener noreferrer">' in ok


def test_dashboard_reader_label_is_plain_text():
    ev = ReaderEvent("abcdef0123456789", 0, 1, "shelled", "Aleppo <i>", None, "Battles", "alleged")
    assert ev.label() == "shelled · Aleppo <i> · actor not stated · alleged"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.reuters.com/a", "https://www.reuters.com/a"),
        ("http://sana.sy/en/?p=1", "http://sana.sy/en/?p=1"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,<script>", None),
        ('https://x.org/"><script>', None),
        ("//evil.example/x", None),
        (None, None),
    ],
)
def test_dashboard_reader_http_url(url, expected):
    assert http_url(url) == expected
