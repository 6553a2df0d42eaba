"""Text-side helpers for geocode.py: cleaning a mention's words, and the entity-ruler name list."""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.geocode.gazetteer import GazetteerIndex
from pipeline.schema import PlaceMention
from pipeline.geocode.translit import fold

_LEADING_RE = re.compile(r"^(?:the|city of|town of|village of)\s+", re.I)
_REGION_OF_RE = re.compile(r"^(?:province|governorate|region|state) of\s+", re.I)
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|'|’)$")
_NEAR_OF_RE = re.compile(
    r"^(?:\d[\d,.]*\s*(?:km|kms|kilometers|kilometres|miles|mi)\s+)?"
    r"((?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)"
    r"(?:ern)?(?: part| side| outskirts| countryside| suburbs)?|outskirts|suburbs|vicinity|countryside|environs|"
    r"outside|near|around|edge|centre|center|heart|part|parts|area|areas|neighbourhoods?|neighborhoods?)"
    r"(?:\s+of)?\s+(?:the\s+)?(?=\S)", re.I)
_DIRECTION_RE = re.compile(
    r"^((?:north|south|east|west)(?:ern)?|(?:north|south)[- ]?(?:east|west)(?:ern)?|central|greater|downtown|"
    r"rural|outer|inner|upper|lower)\s+(?=\S)", re.I)


def clean_mention(mention: PlaceMention, config: dict, known: Callable[[str], bool]) -> tuple[str, str | None, str | None]:
    """(name to look up, kind hint, modifier) from the mention's words and the extractor's hints."""
    text = _POSSESSIVE_RE.sub("", mention.text.strip())
    text = _LEADING_RE.sub("", text).strip()
    kind, modifier = mention.kind, mention.modifier
    if _REGION_OF_RE.match(text):
        text, kind = _REGION_OF_RE.sub("", text), kind or "region"
    if known(text):
        return text, kind, modifier
    near = _NEAR_OF_RE.match(text)
    if near and known(text[near.end():].strip()):
        return text[near.end():].strip(), kind, modifier or near.group(0).strip().lower()
    text, kind, modifier = _strip_trailing(text, kind, modifier, config)
    match = _DIRECTION_RE.match(text)
    if match and not known(text) and known(text[match.end():]):
        modifier = modifier or f"{match.group(1).lower()} part of"
        text = text[match.end():]
    return text, kind, modifier


def _strip_trailing(text: str, kind: str | None, modifier: str | None, config: dict) -> tuple[str, str | None, str | None]:
    words = text.split()
    if len(words) < 2:
        return text, kind, modifier
    last = words[-1].casefold()
    if last == "countryside":  # "Hama countryside", "eastern Aleppo countryside": the province, not its capital
        return " ".join(words[:-1]), "region", modifier or "countryside of"
    if last in config["region_words"] and kind != "country":
        return " ".join(words[:-1]), "region", modifier
    if last in config["place_words"]:
        near = last in ("outskirts", "suburb", "suburbs", "area", "areas")
        quarter = last in ("quarter", "neighbourhood", "neighborhood", "district")
        return " ".join(words[:-1]), kind, modifier or (f"{last} of" if near else last if quarter else None)
    return text, kind, modifier


def _usable(surface: str, false_friends: frozenset[str], stop_words: frozenset[str]) -> bool:
    if len(surface) < 3 or not surface.isascii() or not surface[0].isupper():
        return False
    if any(ch.isdigit() for ch in surface) or surface.isupper() and len(surface) < 4:
        return False
    folded = fold(surface)
    return folded not in false_friends and folded not in stop_words


def ruler_names(index: GazetteerIndex, config: dict, false_friends: frozenset[str]) -> list[tuple[str, str]]:
    """(surface, label) pairs: countries/regions/continents, towns over the population bar or in focus countries."""
    from spacy.lang.en.stop_words import STOP_WORDS

    stop = frozenset(STOP_WORDS)
    focus = tuple(config["focus_countries"])
    marks = ",".join("?" * len(focus))
    big = int(config["ruler_min_population"])
    rows = index.rows(
        "SELECT n.surface, p.kind, n.form, p.cc, p.population FROM names n JOIN places p ON p.pid = n.pid "
        "WHERE n.form != 'demonym' AND (p.kind IN ('country', 'admin1', 'continent') OR p.gid LIKE 'area:%' "
        f"OR (p.kind = 'city' AND (p.population >= ? OR p.cc IN ({marks}))))",
        (big, *focus),
    )
    out: dict[str, str] = {}
    for surface, kind, form, cc, population in rows:
        if form == "alt" and kind == "city" and cc not in focus and population < 500_000:
            continue
        if _usable(surface, false_friends, stop):
            label = "LOC" if kind == "continent" else "GPE"
            out.setdefault(surface, label)
    return sorted(out.items())
