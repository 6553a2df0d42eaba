"""dashboard.reader: the article document escapes everything and marks the right sentence."""

from __future__ import annotations

import re

import pytest

from dashboard.reader import ReaderEvent, http_url, reader_html

TEXT = "Lead <b>bold</b>. Militants <script>alert(1)</script> shelled Aleppo. Tail & more."
START = TEXT.index("Militants")
END = TEXT.index("Aleppo.") + len("Aleppo.")


def _doc(url="javascript:alert(1)", title="<img src=x onerror=alert(1)>"):
    ev = ReaderEvent("abcdef0123456789", START, END, "shelled", "Aleppo <i>", "X\"><script>", "Battles", "asserted")
    return reader_html(title=title, outlet="RT<", published="2018-04-01", url=url, text=TEXT, current=ev,
                       events=[ev], base_params={"outlet": ["RT"], "q": ['"><script>']})


def test_dashboard_reader_marks_the_sentence():
    doc = _doc()
    marked = re.search(r'<mark id="claim-sentence">(.*?)</mark>', doc).group(1)
    assert marked == "Militants &lt;script&gt;alert(1)&lt;/script&gt; shelled Aleppo."


def test_dashboard_reader_escapes_every_article_string():
    doc = _doc()
    body = doc.split("<body>", 1)[1]
    assert "<script>alert" not in body and "<img" not in body and "<b>" not in body and "<i>" not in body
    assert body.count("<script") == 1  # only the nonce'd scroll script
    assert "javascript:" not in doc
    assert "Content-Security-Policy" in doc and "default-src 'none'" in doc


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


def test_dashboard_reader_original_link_is_safe():
    doc = _doc(url="https://www.rt.com/news/1/")
    assert '<a href="https://www.rt.com/news/1/" target="_blank" rel="noopener noreferrer">' in doc
