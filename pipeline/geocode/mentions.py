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


# ---- the words around a mention (event_places.py): where the text puts the event relative to the named place ----

_COMPASS = r"(?:north|south|east|west)(?:-?(?:east|west))?"
# "north of Hama", "20 km southeast of the city of Idlib", "30 kilometres from Raqqa": outside the named town
OUTSIDE_BEFORE = re.compile(
    rf"\b(?:{_COMPASS}\s+of|\d[\d,.]*\s*(?:km|kms|kilometers|kilometres|miles)\s+(?:(?:to\s+the\s+)?{_COMPASS}\s+of|from|"
    rf"outside))\s+(?:the\s+(?:(?:provincial\s+)?(?:city|capital|town)\s+(?:of\s+)?)?)?$", re.I)
# "northern Hama", "Eastern Aleppo": a side of the province (a bare "east Aleppo" stays a side of the city)
SIDE_BEFORE = re.compile(rf"\b{_COMPASS}ern\s+$", re.I)
SIDE_IN_NAME = re.compile(rf"^{_COMPASS}ern\s+", re.I)
# "rural Damascus", "the suburbs of Damascus", "Damascus countryside", "Damascus province": the land around the city
COUNTRYSIDE_BEFORE = re.compile(r"\b(?:rural|reef|rif|(?:countryside|suburbs?|environs)\s+of(?:\s+the)?)\s+$", re.I)
COUNTRYSIDE_AFTER = re.compile(r"^\s*(?:countryside|suburbs?|province|rural\s+areas?)\b", re.I)
COUNTRYSIDE_IN_NAME = re.compile(r"\b(?:countryside|suburbs|province|rural|reef|rif)\b", re.I)
# the text marks the city itself: "Idlib city", "the city of Idlib", "the Mashlab district of Raqqa", "Raqqa's
# old city", "Daraa's Manshiyah district", "Hasaka, the provincial capital"
CITY_BEFORE = re.compile(r"\b(?:(?:city|town|capital)\s+of|downtown|(?:centre|center|heart|outskirts|edge|entrances?)\s+of|"
                         r"(?:districts?|neighbou?rhoods?|quarters?)\s+(?:of|in))\s+(?:the\s+)?(?:city\s+of\s+)?$", re.I)
CITY_AFTER = re.compile(
    r"^(?:(?:'s|’s)?\s+(?i:city|town|old city|city cent(?:re|er)|airport|military airport|air base|airbase|stadium|"
    r"university|national hospital|central prison)\b|(?:'s|’s)\s+(?:(?:al|el|as|ad|ar|ash|an|az)-)?[A-Z][\w'’-]+"
    r"(?:\s[A-Z][\w'’-]+)?\s+(?i:district|neighbou?rhood|quarter)\b|\s*,\s+(?:the\s+)?(?i:provincial|regional)\s+capital\b)")
CITY_IN_SENTENCE = re.compile(r"\b(?:in|inside|into|across|around|near|of|entered|stormed)\s+the\s+city\b|\bthe city(?:'s|’s)\s|"
                              r"\bthe (?:provincial|regional) capital\b", re.I)
CITY_MODIFIERS = re.compile(r"\b(?:outskirts|edge|entrance|centre|center|heart|downtown|district|neighbou?rhood|quarter)",
                            re.I)
# "Busra Square", "Palmyra Street", "the Aleppo-Damascus highway", "the Palmyra-Deir Ezzor road": a landmark named
# after a town, not the town
_LANDMARK = r"(?i:square|street|st\.|road|rd\.|highway|motorway|roundabout|bridge|avenue)"
LANDMARK_AFTER = re.compile(rf"^(?:\s+{_LANDMARK}(?!\w)|\s*[-–]\s*(?:(?:(?:al|el|as|ad|ar|ash|an|az)-)?[A-Z][\w'’-]*\s+){{1,3}}"
                            rf"(?i:road|highway|motorway)\b)")
LANDMARK_IN_NAME = re.compile(rf"(?:\s{_LANDMARK}|\w[-–]\w.*\s(?i:road|highway|motorway))$")
# where a dateline ends: an agency tag, a dash, "The ...", or straight into the next capitalised word ("Beirut Syrian
# government air strikes ..."), but not "Idlib province", "Hama City", "Damascus International Airport"
DATELINE_END = re.compile(
    r"^(?:\s*,?\s*\(?(?:SANA|AFP|Reuters|AP|AA|TASS|Xinhua|DPA|ANHA|UPI|dpa)\)?|\s*,\s*(?:Syria|Lebanon|Jordan|Turkey|Iraq)\b|"
    r"\s*[-–—:]\s|\s+(?!(?i:province|governorate|countryside|city|town|suburbs|district|airport|region|international|"
    r"military|university|old|central|national|square|street|road|highway|gate|countryside)\b)[A-Z])")


def outside_of(text: str, start: int) -> str | None:
    """The words that put the event outside the town named at ``start`` ("20 km southeast of"), or None."""
    m = OUTSIDE_BEFORE.search(text[max(0, start - 60) : start])
    return m.group(0).strip() if m else None


def side_of(mention_text: str, text: str, start: int) -> bool:
    """"northern Hama", "Eastern Aleppo": a side of the place, written before it or as part of the mention."""
    return bool(SIDE_BEFORE.search(text[max(0, start - 16) : start]) or SIDE_IN_NAME.match(mention_text))


def countryside_of(mention_text: str, text: str, start: int, end: int) -> bool:
    """"rural Damascus", "the suburbs of Damascus", "Damascus countryside", "Damascus province"."""
    return bool(COUNTRYSIDE_BEFORE.search(text[max(0, start - 25) : start]) or COUNTRYSIDE_AFTER.match(text[end : end + 20])
                or COUNTRYSIDE_IN_NAME.search(mention_text))


def city_marked(mention_text: str, modifier: str | None, text: str, start: int, end: int) -> bool:
    """Whether the text says the town itself, not its province (see ``CITY_*``)."""
    if re.search(r"\b(?:city|town)\b", mention_text, re.I) or CITY_MODIFIERS.search(modifier or ""):
        return True
    if CITY_BEFORE.search(text[max(0, start - 40) : start]) or CITY_AFTER.match(text[end : end + 50]):
        return True
    return bool(CITY_IN_SENTENCE.search(sentence_around(text, start, end)))


def landmark(mention_text: str, text: str, end: int) -> bool:
    """A square, street, road or bridge named after a town ("Busra Square", "the Aleppo-Damascus highway")."""
    return bool(LANDMARK_IN_NAME.search(mention_text) or LANDMARK_AFTER.match(text[end : end + 50]))


def dateline_position(text: str, start: int, end: int) -> bool:
    """A place opening its sentence or line and running straight into the report ("Beirut Syrian government air
    strikes ...", "BEIRUT (Reuters) - ...", "Sweida The Syrian army ..."): where the report was filed."""
    before = text[:start].rstrip(" \t\"'“‘")
    return (not before or before[-1] in ".!?\n") and bool(DATELINE_END.match(text[end : end + 30]))


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding ``text[start:end]``, found by punctuation within 400 characters."""
    head = text[max(0, start - 400) : start]
    cut = max(head.rfind(". "), head.rfind("\n"), head.rfind("! "), head.rfind("? "))
    tail = text[end : end + 400]
    stop = min((i for i in (tail.find(". "), tail.find("\n"), tail.find("! "), tail.find("? ")) if i >= 0),
               default=len(tail))
    return head[cut + 1 :] + text[start:end] + tail[:stop]
