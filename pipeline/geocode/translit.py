"""Place-name normalisation for matching romanised (mostly Arabic) names.

Two keys per name, both pure functions of the string:

``name_key``  the careful key: diacritics, ʿayn/hamza marks, apostrophes and
              hyphens removed, case folded, Arabic articles (al-, el-, as-,
              ad-, ar-, az-, ash-, ...) dropped, a final ta marbuta "-ah"/"-eh"
              reduced. "Deir ez-Zor", "Dayr az-Zawr"'s careful keys still
              differ ("deir zor" / "dayr zawr"): spelling variants meet in
              ``skeleton``.
``skeleton``  the loose key: ``name_key`` with digraphs folded (kh->k,
              sh->s, q->k, ou->u, dj->j ...), vowels and w/y dropped and
              doubled consonants collapsed, spaces removed: "Deir Ezzor",
              "Dayr az Zawr" and "Deir ez-Zor" all give "drzr". Matches on the
              skeleton alone are fuzzy and only accepted behind a guard
              (see geocode.py).
"""

from __future__ import annotations

import re
import unicodedata

# Arabic definite article in its romanisations, incl. sun-letter assimilation.
_ARTICLES = ("al", "el", "il", "ul", "as", "ad", "ar", "az", "ash", "at", "ath", "an", "adh", "ed", "er",
             "es", "ez", "et", "en", "esh", "ech", "ag")
_ARTICLE_RE = re.compile(r"\b(?:%s)[\s-]+(?=\w)" % "|".join(sorted(map(re.escape, _ARTICLES), key=len, reverse=True)))
# "Ezzor", "Assukhnah": article glued to a doubled sun letter.
_GLUED_ARTICLE_RE = re.compile(r"\b[ae]([tdrzsnl])\1(?=[aeiouy])")
_MARKS = "ʿʾʻʼ'`´’‘ʹʺ"
_DROP_RE = re.compile("[%s]" % re.escape(_MARKS))
_SEP_RE = re.compile(r"[\s\-‐‑–—_/.,()]+")
_TA_MARBUTA_RE = re.compile(r"(?<=[a-z]{3})(?:ah|eh|at|a|e|h)\b")
_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"), ("dj", "j"),
             ("ph", "f"), ("ou", "u"), ("q", "k"), ("c", "k"), ("x", "ks"), ("ee", "i"), ("oo", "u"))
_VOWELS_RE = re.compile(r"[aeiouyw]")
_DOUBLE_RE = re.compile(r"(.)\1+")
_LATIN_RE = re.compile(r"^[a-z0-9 ]+$")


def fold(text: str) -> str:
    """Lower case, diacritics and marks removed, separators as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _DROP_RE.sub("", stripped).casefold()
    stripped = stripped.replace("ß", "ss").replace("ı", "i").replace("ø", "o").replace("æ", "ae").replace("đ", "d")
    return _SEP_RE.sub(" ", stripped).strip()


def is_latin(text: str) -> bool:
    """True when the folded name is plain Latin letters/digits (other scripts are not indexed)."""
    folded = fold(text)
    return bool(folded) and bool(_LATIN_RE.match(folded))


def name_key(text: str) -> str:
    """The careful matching key (see module docstring)."""
    folded = fold(text)
    without_article = _ARTICLE_RE.sub("", folded)
    if not without_article.strip():
        return folded
    return without_article.strip()


def skeleton(text: str) -> str:
    """The loose matching key: consonant skeleton of ``name_key`` (see module docstring)."""
    key = name_key(text)
    key = _GLUED_ARTICLE_RE.sub(lambda m: m.group(1), key)
    key = _TA_MARBUTA_RE.sub("", key)
    for old, new in _DIGRAPHS:
        key = key.replace(old, new)
    key = key.replace(" ", "")
    first = key[:1]
    rest = _VOWELS_RE.sub("", key[1:])
    word = first + rest if first not in "aeiouyw" else rest
    return _DOUBLE_RE.sub(r"\1", word)
