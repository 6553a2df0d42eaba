"""A cheap rule-based sentence splitter (no model) used to decide which sentences need the parser.

Offsets are into the given text; returned spans are stripped of surrounding whitespace, so
``text[start:end]`` is the sentence exactly.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "sgt", "cpl", "pvt", "adm", "gov", "sen",
    "rep", "st", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.g", "i.e", "al", "approx", "dept", "est", "fig",
    "brig", "mt", "ft", "km", "sq", "pres", "rev", "hon", "sheikh",
})
# end punctuation, optional closing quotes/brackets, then whitespace
_BOUNDARY = re.compile(r"[.!?]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9])|\n+")
MAX_SENTENCE_CHARS = 2000


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace-stripped, in text order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0)[0] == "." and _is_abbreviation(text, m.start()):
            continue
        spans.extend(_stripped_chunks(text, start, m.end()))
        start = m.end()
    spans.extend(_stripped_chunks(text, start, len(text)))
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    if not word:
        return False
    return word in ABBREVIATIONS or (len(word) == 1 and text[word_start].isupper())


def _stripped_chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Strip whitespace; cut runaway sentences (no punctuation for pages) at spaces near MAX_SENTENCE_CHARS."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    out = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > start:
            out.append((start, piece_end))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out
