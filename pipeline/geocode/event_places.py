"""Where each claim goes on the map: its places resolved in the gazetteer, with four rules over the parse's choice.

1. **A named place in the event's own sentence wins over the document focus.** When the parse attached no place
   (so the document's place stood in), a place the sentence itself names -- the one nearest the trigger that the
   gazetteer knows, below country level -- is used instead.
2. **A claim is never lost for an unknown village.** When none of its places is in the gazetteer, it goes to the
   region (precision 3) of the nearest place before it that the article establishes, with ``geo_reason`` naming
   the unknown place, so a journalist still sees it, honestly marked.
3. **A governorate capital is read in context** (place_aliases.yaml ``governorate_capitals``): "north of Hama",
   "20 km southeast of Idlib" is outside the city, "northern Hama", "Eastern Aleppo" a side of the governorate, "rural
   Damascus", "the suburbs of Damascus" Rif Dimashq, and a bare "Idlib", "Raqqa", "Deir ez-Zor"... (names war news
   mostly uses for the province) the governorate unless the text says the city: all at precision 3.
4. **Names of a town that do not say the event was there are set aside**: a square, street, road or highway named
   after it ("Busra Square", "the Aleppo-Damascus highway") and a dateline ("Beirut Syrian government air strikes
   ...", "BEIRUT (Reuters) -"). A place named later in the sentence wins; a dateline abroad never places the event,
   one at home at best as its region.

A claim placed only by the document focus (its sentence names no place the gazetteer knows, and no unknown place
either) gets no dot: blind audits found such dots wrong in 9 of 10 cases (0 of 11, 1 of 14 right in two samples), so
the run report counts it under ``events_without_place`` instead. A country dot is dropped when the same claim also
has a dot below country level, and in a story about the region
(geocode.yaml focus_countries) a violent event's dot outside it is dropped: there it marks where a statement was
made, not where the event happened.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from functools import lru_cache

from pipeline.extract.events import is_dateline as _caps_dateline
from pipeline.geocode.mentions import (city_marked, countryside_of, dateline_position, landmark, outside_of,
                                       side_of)
from pipeline.geocode.resolver import INHERITED_REASON, DocFocus, Geocoder, load_resource
from pipeline.schema import EventCandidate, GeoMatch, PlaceMention

COUNTRY = 4
# a place in a locative slot: "in X", "near the town of X", "X's outskirts" is not needed -- the preposition is
LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|on|near|outside|inside|around|into|across|from|of|to|toward|towards|"
                             r"targeting|hit|struck|shelled|bombed|entered|stormed|captured|besieged)"
                             r"(?:\s+(?:the|a|an))?(?:\s+[\w'’-]+){0,3}\s*$", re.I)
# "Idlib province", "Idlib and Hama provinces", "Idlib, Hama and Latakia provinces": the province
REGION_AFTER = re.compile(r"\s*(?:province|provinces|governorate|governorates|countryside|region|rural|suburbs)\b|"
                          r"(?:\s*,\s*[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)*\s*,?\s+and\s+[A-Z][\w'’ -]{2,25}?\s+"
                          r"(?:provinces|governorates)\b", re.I)
# "a rebel-held town in Idlib", "villages in Raqqa": the province the town is in
TOWN_IN_BEFORE = re.compile(r"\b(?:town|towns|village|villages|camp|camps|area|areas|city|cities)\s+in\s+(?:the\s+)?"
                            r"(?:(?:north|south|east|west|central)\w*\s+)?(?:syria(?:'s|’s|s)?\s+)?$", re.I)
# "Bab Tadmor", "Tal Abyad": a place name after these words is the end of a longer name
NAME_HEADS_BEFORE = re.compile(r"\b(?:Bab|Tal|Tall|Tell|Jabal|Jebel|Wadi|Ras|Ain|Kafr|Khan|Bir|Jisr|Maarat|Maaret|Beit|"
                               r"Bayt|Umm|Abu|Bani|Deir|Dayr|Tel|Qasr|Hay|Harat)\s+$")
# "the province of Daraa", "the provinces of Idlib and Hama" (both), "the governorates of Daraa, Quneitra and Sweida"
REGION_BEFORE = re.compile(r"\b(?i:province|governorate|countryside) of\s+(?:the\s+)?$|\b(?i:provinces|governorates) of\s+"
                           r"(?:the\s+)?(?:[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?\s*(?:,\s*and|,|and)\s+){0,4}$")
# a name beside these words is a part of a town ("the Midan district", "neighbourhoods of al-Lailiyeh")
QUARTER_WORDS = re.compile(r"\b(?:district|districts|neighbou?rhoods?|quarters?|suburbs?)\b", re.I)
RURAL_BEFORE = re.compile(r"\b(?:rural|reef|rif)\s+$", re.I)
PROVINCE_SIDE_BEFORE = re.compile(r"\b(?:northern|southern|eastern|western|north-eastern|north-western|south-eastern|"
                                  r"south-western|northeastern|northwestern|southeastern|southwestern)\s+$", re.I)
QUARTER_BEFORE = re.compile(r"\b(?:district|neighbou?rhood|quarter) of\s+(?:the\s+)?$", re.I)
QUARTER_AFTER = re.compile(r"\s*(?:district|neighbou?rhood|quarter)\b", re.I)
CITY_WORD = re.compile(r"\b(?:the|this) city\b|\bcity of\b|\w+ city\b", re.I)
CITY_MIN_POPULATION = 50_000
NOT_PLACE_LABELS = frozenset({"PERSON", "ORG", "NORP"})
PROVINCE_CITY_POPULATION = 100_000  # a provincial capital: events in "its" villages are not in the city
VILLAGE_NAMED = re.compile(r"\b((?:(?:al|el|as|ad|ar|at|ash|ad|an|az)-)?[A-Z][\w'’-]+(?:\s(?:(?:al|el|as|ar|ash|ad|an)-)?[A-Z][\w'’-]+)?)"
                           r"\s+village\b|\bvillage of\s+((?:(?:al|el|as|ar|ash|ad|an)-)?[A-Z][\w'’-]+(?:\s(?:(?:al|el|as|ar|ash|ad|an)-)?[A-Z][\w'’-]+)?)")  # a place with districts: a city, not a village


def claim_places(cand: EventCandidate, toponyms: Sequence[PlaceMention], geocoder: Geocoder, focus: DocFocus,
                 ungeocoded: dict[str, int], text: str = "") -> list[tuple[PlaceMention, GeoMatch]]:
    """(place as written, gazetteer match) for each dot of the claim; unknown place texts are counted."""
    places, set_aside = _set_aside(cand.places, geocoder, focus, text)
    toponyms = _usable_toponyms(toponyms, geocoder, focus, text)
    found, unknown = [], []
    for place in places:
        place = _region_hint(_join_broken(place, text), text)
        match = None if _inside_longer_name(place, text) else _resolve(place, geocoder, focus, text)
        if match is not None:
            match = _district_abroad(place, _within_named_province(place, match, text, geocoder, focus), focus)
        if match is None:
            ungeocoded[place.text] = ungeocoded.get(place.text, 0) + 1
            unknown.append(place)
        else:
            found.append((place, match))
    named = [(p, m) for p, m in found if not p.reason.startswith(INHERITED_REASON)]
    parse_found_unknown = any(not p.reason.startswith(INHERITED_REASON) for p in unknown)
    if not parse_found_unknown and not any(m.geo_precision < COUNTRY for _, m in named):
        in_sentence = _sentence_place(cand, _locative(toponyms, text), geocoder, focus, text)
        if in_sentence is not None:
            found = [pm for pm in named if pm[1].geo_precision < COUNTRY] + [in_sentence]
    if unknown and not any(m.geo_precision < COUNTRY for _, m in found):
        fallback = (_town_of_district(cand, toponyms, geocoder, focus, unknown[0], text)
                    or _region_of_last_place(cand, _locative(toponyms, text), geocoder, focus, unknown[0], text))
        found = [fallback] if fallback is not None else []
    if set_aside and not any(m.geo_precision < COUNTRY for _, m in found):
        found += _set_aside_fallback(cand, set_aside, toponyms, geocoder, focus, text)
    if any(m.geo_precision < COUNTRY for _, m in found):
        found = [(p, m) for p, m in found if m.geo_precision < COUNTRY]
    found = [_widen_for_unknown_village(cand, p, m, geocoder, text) for p, m in found]
    found = _widen_for_many_towns(cand, found, toponyms, geocoder, focus)
    if all(p.reason.startswith(INHERITED_REASON) for p, _ in found):
        return []  # only the document's place stands in: blind audits found these dots wrong 9 times in 10
    if cand.event_type != "Protests" and _regional_story(geocoder, focus):
        found = [(p, m) for p, m in found if m.country_code in geocoder.config["focus_countries"]]
    if _roundup(cand, found) or _roundup_by_names(cand, toponyms, geocoder, focus):
        return []  # "terrorist attacks kill 4 in Damascus, Aleppo and Homs": a tally of several events, not one
    home = geocoder.config["focus_countries"]
    if cand.event_type != "Protests" and any(m.country_code in home for _, m in found):
        found = [(p, m) for p, m in found if m.country_code in home]  # "In Washington the Pentagon confirmed..."
    return found


# ---- landmarks and datelines: names of a town that do not say the event was in it ----

LANDMARK_WHY = "{text!r} names a street, square, road or bridge, not the town of that name"
DATELINE_WHY = "dateline {text}: where the report was filed; the event is at best in its region"


def _set_aside(places: Sequence[PlaceMention], geocoder: Geocoder, focus: DocFocus, text: str
               ) -> tuple[list[PlaceMention], list[tuple[PlaceMention, str]]]:
    """The claim's places without landmarks ("Busra Square", "the Aleppo-Damascus highway") and datelines
    ("Beirut Syrian government air strikes ..."); those set aside come back only when nothing else places the claim
    (a landmark through the region the article establishes, a home dateline as its region); a foreign dateline
    never does."""
    kept, aside = [], []
    for place in places:
        if text and landmark(place.text, text, place.end):
            aside.append((place, "landmark"))
        elif text and _dateline(place, text):
            if not _foreign(place, geocoder, focus):
                aside.append((place, "dateline"))
        else:
            kept.append(place)
    return kept, aside


def _usable_toponyms(toponyms: Sequence[PlaceMention], geocoder: Geocoder, focus: DocFocus, text: str
                     ) -> list[PlaceMention]:
    """The article's toponyms that may place a claim: no landmarks, no foreign datelines; a home dateline only as
    its region."""
    if not text:
        return list(toponyms)
    out = []
    for t in map(_join_broken, toponyms, [text] * len(toponyms)):
        if landmark(t.text, text, t.end):
            continue
        if _dateline(t, text):
            if _foreign(t, geocoder, focus):
                continue
            t = dataclasses.replace(t, kind="region", reason=DATELINE_WHY.format(text=t.text))
        out.append(t)
    return out


BROKEN_REST = re.compile(r"\s*([A-Z][\w'’]+(?:-[A-Z][\w'’]+)?)")


def _join_broken(t: PlaceMention, text: str) -> PlaceMention:
    """"Deir el-" cut from "Deir el-\nZour" (a line break, a sentence split): the name runs on to the next word."""
    rest = BROKEN_REST.match(text[t.end : t.end + 40]) if text and t.text.endswith("-") else None
    if rest is None:
        return t
    return dataclasses.replace(t, text=t.text + rest.group(1), end=t.end + rest.end(1))


def _dateline(t: PlaceMention, text: str) -> bool:
    opens = not text[: t.start].rstrip(" \t\"'“‘") or text[: t.start].rstrip(" \t\"'“‘")[-1] in ".!?\n"
    return dateline_position(text, t.start, t.end) or (opens and _caps_dateline(t, text))


def _foreign(t: PlaceMention, geocoder: Geocoder, focus: DocFocus) -> bool:
    """A place outside the country the rest of the article's place names are about (Beirut, Amman, Moscow in a
    Syria story); with no other names, outside the corpus's first focus country."""
    match = geocoder.resolve(t, focus)
    return match is None or match.country_code != geocoder.home_country(focus, t.text)


def _set_aside_fallback(cand: EventCandidate, set_aside: list[tuple[PlaceMention, str]],
                        toponyms: Sequence[PlaceMention], geocoder: Geocoder, focus: DocFocus, text: str
                        ) -> list[tuple[PlaceMention, GeoMatch]]:
    for place, what in set_aside:
        if what == "landmark":
            why = LANDMARK_WHY.format(text=place.text)
            got = _region_of_last_place(cand, _locative(toponyms, text), geocoder, focus, place, text, why)
            if got is not None:
                return [got]
            continue
        region = dataclasses.replace(place, kind="region", reason=DATELINE_WHY.format(text=place.text))
        match = _resolve(region, geocoder, focus, text)
        if match is not None and match.geo_precision < COUNTRY:
            return [(region, match if match.geo_precision == 3 else geocoder.region_fallback(match, region.reason))]
    return []


# ---- governorate capitals: the city, or the governorate the text means ----

@lru_cache(maxsize=1)
def _capitals() -> dict[str, dict]:
    """place_aliases.yaml ``governorate_capitals`` by the city's geonameid."""
    return {str(c["at"]): c for c in load_resource("place_aliases.yaml").get("governorate_capitals") or ()}


def _capital_of(match: GeoMatch, geocoder: Geocoder) -> tuple[dict | None, bool]:
    """(the capital's entry, whether ``match`` is the city itself) when ``match`` is a governorate capital or the
    governorate named after it; (None, False) otherwise."""
    caps = _capitals()
    if match.place_id in caps:
        return caps[match.place_id], True
    if match.geo_precision != 3 or not (match.feature_code or "").startswith("ADM"):
        return None, False
    cap = _capital_regions(geocoder).get((match.country_code, match.admin1))
    return cap, False


_REGIONS_BY_INDEX: dict[str, dict[tuple, dict]] = {}


def _capital_regions(geocoder: Geocoder) -> dict[tuple, dict]:
    """(country, admin1 name) of each capital's governorate -> its entry, read once per gazetteer index."""
    key = str(geocoder.index.path)
    if key not in _REGIONS_BY_INDEX:
        out = {}
        for gid, cap in _capitals().items():
            rows = geocoder.index.rows("SELECT cc, admin1_name FROM places WHERE gid = ? LIMIT 1", (gid,))
            if rows:
                out[(rows[0][0], rows[0][1])] = cap
        _REGIONS_BY_INDEX[key] = out
    return _REGIONS_BY_INDEX[key]


def _resolve(t: PlaceMention, geocoder: Geocoder, focus: DocFocus, text: str) -> GeoMatch | None:
    """``geocoder.resolve`` with the words around a governorate capital read: "north of Hama", "northern Hama",
    "rural Damascus" and a bare "Idlib" (province_by_default) are the governorate at precision 3, not the city."""
    match = geocoder.resolve(t, focus)
    if match is None or not text:
        return match
    cap, is_city = _capital_of(match, geocoder)
    if cap is None:
        return match
    outside = outside_of(text, t.start)
    if outside and is_city:
        return _governorate(geocoder, match, cap, f"{outside} {t.text}: outside the city", True)
    if cap.get("outside") and countryside_of(t.text, text, t.start, t.end):
        return _governorate(geocoder, match, cap, f"{t.text!r} with countryside words: the land around the city",
                            True)
    if is_city and side_of(t.text, text, t.start):
        return _governorate(geocoder, match, cap, f"a side of {t.text}: the governorate's side", False)
    if is_city and cap.get("province_by_default") and not city_marked(t.text, t.modifier, text, t.start, t.end):
        why = (f"bare {t.text!r} mostly names the province in war news and the text does not say the city "
               f"(place_aliases.yaml governorate_capitals)")
        return _governorate(geocoder, match, cap, why, False)
    return match


def _governorate(geocoder: Geocoder, match: GeoMatch, cap: dict, why: str, outside: bool) -> GeoMatch:
    """The governorate (precision 3): around the city (``outside``, for Damascus Rif Dimashq) or the city's own."""
    code = cap.get("outside") if outside else None
    if code:
        cc, admin1 = str(code).split(".", 1)
        rows = geocoder.index.rows("SELECT gid, name, lat, lon, admin1_name, fcode FROM places WHERE kind = 'admin1' "
                                   "AND cc = ? AND admin1 = ? LIMIT 1", (cc, admin1))
        if rows:
            gid, name, lat, lon, admin1_name, fcode = rows[0]
            return GeoMatch(place_name=name, place_id=gid, admin1=admin1_name, country_code=cc, lat=lat, lon=lon,
                            geo_precision=3, geo_reason=f"{why}: placed in {name}; {match.geo_reason}",
                            feature_code=fcode)
    if match.geo_precision >= 3:
        return dataclasses.replace(match, geo_reason=f"{why}; {match.geo_reason}")
    return geocoder.region_fallback(match, f"{why}: placed in the governorate; {match.geo_reason}")


def _roundup_by_names(cand: EventCandidate, toponyms: Sequence[PlaceMention], geocoder: Geocoder,
                      focus: DocFocus) -> bool:
    """Plural attacks over three or more provinces the sentence names: a roundup headline."""
    if not re.search(r"\b(?:attacks|strikes|airstrikes|raids|bombings)\b", cand.sentence, re.I):
        return False
    regions = set()
    for t in toponyms:
        if cand.char_start <= t.start < cand.char_end:
            m = geocoder.resolve(t, focus)
            if m is not None and m.geo_precision < COUNTRY:
                regions.add((m.country_code, m.admin1))
    return len(regions) >= 3


PLURAL_TRIGGER = re.compile(r"(?:attacks|strikes|airstrikes|raids|bombings|shellings|attacks)$", re.I)


def _roundup(cand: EventCandidate, found: list[tuple[PlaceMention, GeoMatch]]) -> bool:
    """A plural attack word with one toll over places in two or more provinces sums several events."""
    regions = {(m.country_code, m.admin1) for _, m in found if m.geo_precision < COUNTRY}
    plural = bool(PLURAL_TRIGGER.search(cand.trigger or "")) or bool(
        re.search(r"\b(?:attacks|strikes|raids|bombings)\b", cand.sentence, re.I))
    return len(regions) >= 2 and plural and cand.fatalities is not None


def _about_the_region(geocoder: Geocoder, focus: DocFocus) -> bool:
    """The focus countries hold a fair share of the place evidence (geocode.yaml regional_story_share): an unknown
    village is then never placed in a region abroad ("in Washington" is where a statement was made)."""
    share = sum(focus.country(cc) for cc in geocoder.config["focus_countries"])
    return share >= geocoder.config.get("regional_story_share", 0.3)


def _regional_story(geocoder: Geocoder, focus: DocFocus) -> bool:
    """A story about the region (the focus countries hold most of its place evidence): a violent event placed
    abroad is where a statement was made ("Moscow said", "in Washington") or a name misread ("Vladimir" Putin),
    not where the event happened, so such dots are dropped. Protests abroad are kept."""
    share = sum(focus.country(cc) for cc in geocoder.config["focus_countries"])
    return share >= geocoder.config.get("abroad_drop_share", 0.6)


def _widen_for_many_towns(cand: EventCandidate, found: list[tuple[PlaceMention, GeoMatch]],
                           toponyms: Sequence[PlaceMention], geocoder: Geocoder, focus: DocFocus
                           ) -> list[tuple[PlaceMention, GeoMatch]]:
    """"air strikes on the towns of Kafar Takharim, Kafranbil and Saraqeb in rural Idlib": one claim over three or
    more towns of one province is placed in the province (precision 3), not on the town the parse picked."""
    if len(found) != 1 or found[0][1].geo_precision > 2:
        return found
    towns = set()
    for t in toponyms:
        if cand.char_start <= t.start < cand.char_end:
            m = geocoder.resolve(t, focus)
            if m is not None and m.geo_precision <= 2 and m.admin1 == found[0][1].admin1:
                towns.add(m.place_id)
    if len(towns) < 3:
        return found
    place, match = found[0]
    return [(place, geocoder.region_fallback(match, f"the sentence names {len(towns)} towns of {match.admin1}: "
                                                    f"placed in the province"))]


def _widen_for_unknown_village(cand: EventCandidate, place: PlaceMention, match: GeoMatch, geocoder: Geocoder,
                               text: str) -> tuple[PlaceMention, GeoMatch]:
    """"an airstrike on al-Salehia village in the northern countryside of Raqqa province", "bombed Hanida village
    west of Raqqa": when the sentence names a village the gazetteer lacks, the city of the province's name it
    also names is not where the event was: its province (precision 3) is."""
    if not text or match.geo_precision > 2 or _population(geocoder, match) < PROVINCE_CITY_POPULATION:
        return place, match
    sentence = text[cand.char_start : cand.char_end]
    for m in VILLAGE_NAMED.finditer(sentence):
        name = (m.group(1) or m.group(2) or "").strip()
        if not name or name.lower() in place.text.lower() or geocoder.knows(name):
            continue
        why = f"the sentence names {name!r} (not in the gazetteer) near {place.text}: placed in the province"
        return place, geocoder.region_fallback(match, why)
    return place, match


def _sentence_place(cand: EventCandidate, toponyms: Sequence[PlaceMention], geocoder: Geocoder, focus: DocFocus,
                    text: str = "") -> tuple[PlaceMention, GeoMatch] | None:
    """The place named in the sentence nearest the trigger that resolves below country level; for a violent event,
    one in the focus countries before one abroad ("In Washington the Pentagon confirmed strikes in Aleppo")."""
    inside = [t for t in toponyms if cand.char_start <= t.start and t.end <= cand.char_end]
    regions = {t.text for t in inside if t.kind == "region"}  # "Aleppo ... in the northern province of Aleppo"
    inside = [dataclasses.replace(t, kind="region") if t.text in regions else t for t in inside]
    home = geocoder.config["focus_countries"] if cand.event_type != "Protests" else ()
    found = []
    for t in sorted(inside, key=lambda t: (abs(t.start - cand.trigger_start), t.start)):
        if _inside_longer_name(t, text) or (text and _dateline(t, text)):
            continue
        match = _resolve(t, geocoder, focus, text)
        if match is not None:
            match = _district_abroad(t, _within_named_province(t, match, text, geocoder, focus), focus)
        if match is not None and match.geo_precision < COUNTRY:
            found.append((t, match))
    if not found:
        return None
    t, match = next(((t, m) for t, m in found if m.country_code in home), found[0])
    why = f"sentence names {t.text!r} (not attached by the parse; preferred over the document focus)"
    return (PlaceMention(t.text, t.start, t.end, why, t.modifier, t.kind, t.label),
            dataclasses.replace(match, geo_reason=f"{why}; {match.geo_reason}"))


def _locative(toponyms: Sequence[PlaceMention], text: str) -> list[PlaceMention]:
    """The toponyms in a locative slot ("in X", "the town of X", "struck X"), with "X province" marked a region;
    "Washington said", "Damascus accused" (a capital standing for its government) are left out."""
    out = []
    for t in toponyms:
        if not LOCATIVE_BEFORE.search(text[max(0, t.start - 60) : t.start]) or _inside_longer_name(t, text):
            continue
        out.append(_region_hint(t, text))
    return out


COMPOUND_BEFORE = re.compile(r"[A-Z][\w'’]+\s+(?:al|el|as|ash|ad|ar|an|at|az)-$")
NAME_OF_SOMETHING = re.compile(r"^(?:-(?:backed|based|led|allied|affiliated|sponsored|supported|born)\b|\s+(?:hospital|"
                               r"university|brigades?|front|agency|news|network|channel|tv|television|radio|"
                               r"newspaper|daily|airways|airlines|club|bank|council)\b)", re.I)
QUARTER_OF_AFTER = re.compile(r"^\s+(?:district|neighbou?rhood|quarter)\s+(?:of|in)\s+(?:the\s+(?:city\s+of\s+)?)?"
                              r"(?P<name>[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)")
IN_PROVINCE_AFTER = re.compile(r"^(?:\s+(?:city|town|village|area|district))?\s*,?\s+(?:in|of)\s+(?:the\s+)?(?:(?:north|south|east|west|central)\w*\s+)?"
                               r"(?:(?:province|governorate|countryside) of\s+)?"
                               r"(?P<name>[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)(?:\s+(?:province|governorate|countryside)\b|\s*$|\s*[,.])")


def _district_abroad(place: PlaceMention, match: GeoMatch | None, focus: DocFocus) -> GeoMatch | None:
    """"the al-Karak neighbourhood" in a Syria story is not Karak, Jordan: a district lies in the country the
    document is about."""
    top = focus.top_country()
    if match is None or "district" not in (place.modifier or "") or top is None or match.country_code == top:
        return match
    return None


def _inside_longer_name(t: PlaceMention, text: str) -> bool:
    """"Balad" of "Daraa al-Balad": the end of a longer Arabic name, not the town of that name (Balad, Iraq);
    "Al-Quds hospital", "Damascus-backed forces": a place name inside the name of an institution or a side."""
    if not text:
        return False
    return bool(COMPOUND_BEFORE.search(text[max(0, t.start - 30) : t.start])) or bool(
        NAME_OF_SOMETHING.match(text[t.end : t.end + 25])) or bool(NAME_HEADS_BEFORE.search(text[max(0, t.start - 8) : t.start]))


def _within_named_province(place: PlaceMention, match: GeoMatch, text: str, geocoder: Geocoder,
                           focus: DocFocus) -> GeoMatch:
    """"Hader in Quneitra province", "Khan al-Sheeh in Damascus Countryside": a candidate outside the province
    the text puts the place in is a namesake; the event goes to that province (precision 3)."""
    if not text or match.geo_precision > 2:
        return match
    q = QUARTER_OF_AFTER.match(text[place.end : place.end + 60])
    if q is not None:
        city = geocoder.resolve(PlaceMention(q.group("name"), place.end + q.start("name"), place.end + q.end("name"),
                                             "city of the district"), focus)
        if city is not None and city.geo_precision <= 2 and city.admin1 != match.admin1:
            why = f"{place.text!r} is a district of {q.group('name')}; the gazetteer's {match.place_name} is elsewhere"
            return dataclasses.replace(city, geo_precision=2, geo_reason=f"{why}; {city.geo_reason}")
    m = IN_PROVINCE_AFTER.match(text[place.end : place.end + 60])
    if m is None:
        return match
    name = m.group("name")
    region = _resolve(_region_hint(PlaceMention(name, place.end + m.start("name"), place.end + m.end("name"),
                                                "province", None, "region"), text), geocoder, focus, text)
    if region is None or region.geo_precision != 3 or region.country_code != match.country_code or (
            region.admin1 == match.admin1):
        return match
    why = (f"{place.text!r} is placed by the text in {name} but the gazetteer's {match.place_name} is in "
           f"{match.admin1}: a namesake; placed in the province")
    return dataclasses.replace(region, geo_reason=f"{why}; {region.geo_reason}")


def _region_hint(t: PlaceMention, text: str) -> PlaceMention:
    """"Idlib province", "the province of Daraa", "Hama countryside": the region, not the town of its name; "the
    southern district of Midan", "the Midan district": a part of a town (never matched by a spelling variant)."""
    if not text or t.kind is not None:
        return t
    if REGION_AFTER.match(text[t.end : t.end + 45]) or REGION_BEFORE.search(text[max(0, t.start - 30) : t.start]):
        return dataclasses.replace(t, kind="region")
    if TOWN_IN_BEFORE.search(text[max(0, t.start - 40) : t.start]) or RURAL_BEFORE.search(text[max(0, t.start - 12) : t.start]) or (
            PROVINCE_SIDE_BEFORE.search(text[max(0, t.start - 16) : t.start])):
        return dataclasses.replace(t, kind="region")  # "Rural Daraa", "northern Homs", "Eastern Aleppo": the province
    if "district" not in (t.modifier or "") and (QUARTER_BEFORE.search(text[max(0, t.start - 30) : t.start])
                                                 or QUARTER_AFTER.match(text[t.end : t.end + 20])):
        return dataclasses.replace(t, modifier=f"{t.modifier}; district" if t.modifier else "district")
    return t


def _town_of_district(cand: EventCandidate, toponyms: Sequence[PlaceMention], geocoder: Geocoder, focus: DocFocus,
                      unknown: PlaceMention, text: str) -> tuple[PlaceMention, GeoMatch] | None:
    """An unknown district of a city the sentence names ("the Shahba al-Jadida district in the west of the city",
    "Daraa's Manshiyah district", "neighbourhoods of al-Lailiyeh ... Hasaka city"): the city, at precision 2."""
    if not text or not QUARTER_WORDS.search(text[max(0, unknown.start - 40) : unknown.end + 40]):
        return None
    sentence = text[cand.char_start : cand.char_end]
    first = unknown.text.split()[0]
    owner = re.sub(r"(?:'s|’s|s)$", "", first) if len(unknown.text.split()) > 1 else ""
    pool = [PlaceMention(owner, unknown.start, unknown.start + len(owner), "possessive")] if owner != first else []
    inside = sorted((t for t in toponyms if cand.char_start <= t.start < cand.char_end),
                    key=lambda t: abs(t.start - unknown.start))
    pool += inside
    if CITY_WORD.search(sentence):  # "in the west of the city": the last town named before the sentence
        pool += sorted((t for t in toponyms if t.end <= cand.char_start), key=lambda t: -t.start)[:3]
    for t in pool:
        if t.text == unknown.text or (t.start < unknown.end and unknown.start < t.end and t.reason != "possessive"):
            continue
        match = geocoder.resolve(_region_hint(t, text), focus)
        if match is None or match.geo_precision > 2 or _population(geocoder, match) < CITY_MIN_POPULATION:
            continue
        why = (f"{unknown.text!r} is not in the gazetteer; a district of {match.place_name} ({t.text}), "
               f"placed at the city")
        return (PlaceMention(unknown.text, unknown.start, unknown.end, why, "district", None, unknown.label),
                dataclasses.replace(match, geo_precision=2, geo_reason=f"{why}; {match.geo_reason}"))
    return None


def _population(geocoder: Geocoder, match: GeoMatch) -> int:
    rows = geocoder.index.rows("SELECT population FROM places WHERE gid = ? LIMIT 1", (match.place_id,))
    return int(rows[0][0]) if rows else 0


def _region_of_last_place(cand: EventCandidate, toponyms: Sequence[PlaceMention], geocoder: Geocoder,
                          focus: DocFocus, unknown: PlaceMention, text: str = "", because: str | None = None
                          ) -> tuple[PlaceMention, GeoMatch] | None:
    """The region of the nearest place the article names at or before the claim's sentence (else after it);
    ``because`` says why ``unknown`` itself places nothing (default: not in the gazetteer)."""
    def nearness(t: PlaceMention) -> tuple:
        in_sentence = cand.char_start <= t.start < cand.char_end
        return (not in_sentence, t.start > cand.char_end, abs(t.start - cand.trigger_start))

    if (unknown.label or "") in NOT_PLACE_LABELS:
        return None  # "Nikki" (Haley) tagged a person: not a place the article failed to find
    order = sorted(toponyms, key=nearness)
    for t in order:
        if t.text == unknown.text or (t.start < unknown.end and unknown.start < t.end):
            continue  # the unknown name itself, or a part of it ("Tell" of "Tell Zurqabad")
        match = _resolve(t, geocoder, focus, text)
        if match is not None and match.geo_precision < COUNTRY and not (
                _about_the_region(geocoder, focus) and match.country_code not in geocoder.config["focus_countries"]):
            why = (f"{because or f'{unknown.text!r} is not in the gazetteer'}; placed in the region the article "
                   f"establishes ({t.text})")
            return (PlaceMention(unknown.text, unknown.start, unknown.end, why, unknown.modifier, "region",
                                 unknown.label), geocoder.region_fallback(match, why))
    return None
