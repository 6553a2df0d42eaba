"""Gazetteer matching and disambiguation -> coordinates with an honest precision.

Public interface used by the rest of the pipeline (keep these signatures):

    Geocoder.load(settings) -> Geocoder
    Geocoder.place_names() -> Iterable[tuple[str, str]]      # (surface name, "GPE"/"LOC") for the entity ruler
    Geocoder.focus(toponyms: Sequence[PlaceMention], text: str) -> DocFocus
    Geocoder.resolve(mention: PlaceMention, focus: DocFocus) -> GeoMatch | None
    Geocoder.lookup(name) -> list[Candidate]
    Geocoder.home_country(focus, without="") -> str          # the country the other place names are about

How a mention is resolved:

1. The text is cleaned ("the", "'s", "X province" -> region hint, "Raqqa city"
   -> "Raqqa", "eastern Aleppo" -> "Aleppo" with a "part of" modifier when the
   whole phrase is not itself a name like "East Timor").
2. Candidates come from the careful key (translit.name_key); only when there
   are none, from the loose skeleton key, accepted behind the fuzzy guard
   (similar spelling, and a populous place or one in the document's focus).
3. Each candidate is scored: kind prior (country > city by population >
   region), the document's country and region focus, main name vs alternate.
   Person-like or common-word names (false friends) need focus support.
4. Precision: country 4, region 3, town 1 -- or 2 when the text says near /
   part of. ``geo_reason`` = extraction reason + why this entry won.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


from pipeline.geocode.gazetteer import Candidate, GazetteerIndex, dump_path, ensure_index
from pipeline.schema import GeoMatch, PlaceMention
from pipeline.settings import Settings
from pipeline.geocode.translit import fold, name_key, skeleton
from pipeline.resources import load

__all__ = ["Candidate", "DocFocus", "Geocoder", "load_resource"]

load_resource = load  # the one resource loader, under the name the geocoder's callers know

_PERSONISH = {"PERSON"}
_QUARTER_WORDS = frozenset({"quarter", "neighbourhood", "neighborhood", "district"})
KIND_PRECISION = {"country": 4, "continent": 4, "admin1": 3}
FUZZY_FREE_POPULATION = 100_000  # a spelling variant this big needs no regional support


INHERITED_REASON = "document focus"  # extraction's reason for a place inherited from earlier sentences
SIMILAR_CACHE_SIZE = 50_000  # names whose fuzzy candidates are kept per process
NAMESAKE_MIN_SHARE = 0.02  # a town stands for its namesake region only with >= 2% of the region's population


@dataclass(frozen=True)
class DocFocus:
    """Where a document is about: share of its toponym evidence per country and per admin1 region.

    ``parts`` keeps each piece of evidence as (name key, country, "CC.admin1" or "", weight) so that a
    mention can be resolved on the evidence of the *other* names only (:meth:`without`): a lone "Dublin"
    in an Ohio story must not vote for Ireland and then follow its own vote."""

    countries: dict[str, float] = field(default_factory=dict)
    regions: dict[str, float] = field(default_factory=dict)  # "CC.admin1" -> share
    parts: tuple[tuple[str, str, str, float], ...] = ()

    @classmethod
    def from_parts(cls, parts: Sequence[tuple[str, str, str, float]]) -> DocFocus:
        countries: Counter = Counter()
        regions: Counter = Counter()
        for _key, cc, region, weight in parts:
            if cc:
                countries[cc] += weight
            if region:
                regions[region] += weight
        return cls(_shares(countries), _shares(regions), tuple(parts))

    def without(self, key: str) -> DocFocus:
        """The focus given by every name but ``key`` (unchanged when built without parts)."""
        if not self.parts or all(p[0] != key for p in self.parts):
            return self
        return DocFocus.from_parts([p for p in self.parts if p[0] != key])

    def country(self, cc: str) -> float:
        return self.countries.get(cc, 0.0)

    def region(self, cc: str, admin1: str) -> float:
        return self.regions.get(f"{cc}.{admin1}", 0.0)

    def top_country(self) -> str | None:
        return max(self.countries, key=self.countries.get) if self.countries else None


@dataclass(frozen=True)
class _Query:
    """A mention's text cleaned for lookup, with the hints found in it."""

    name: str
    kind: str | None
    modifier: str | None
    guarded: bool
    person: bool
    arabic_article: bool = False  # the name had an al-/as-/ez- article (an Arabic name)


@dataclass(frozen=True)
class _Scored:
    score: float
    cand: Candidate
    why: str


class Geocoder:
    """Offline geocoder over the compiled gazetteer index (see gazetteer.py)."""

    def __init__(self, index: GazetteerIndex, config: dict, false_friends: frozenset[str]):
        self.index = index
        self.config = config
        self.false_friends = false_friends
        self._demonyms: dict[str, str] | None = None
        self._demonym_keys: frozenset[str] | None = None
        self._similar_cache: dict[str, list[tuple[Candidate, str, float]]] = {}

    @classmethod
    def load(cls, settings: Settings) -> Geocoder:
        """Build the index on first use (or when its sources changed), then open it."""
        path = ensure_index(settings, load_resource("demonyms.yaml"), load_resource("place_aliases.yaml"))
        config = load_resource("geocode.yaml")
        friends = frozenset(fold(w) for w in load_resource("false_friends.yaml")["words"])
        return cls(GazetteerIndex(path, dump_path(settings)), config, friends)

    # ---- lookup -------------------------------------------------------------------------------------

    def lookup(self, name: str) -> list[Candidate]:
        """Raw candidates: exact careful-key matches, else skeleton (fuzzy, unguarded) matches."""
        found = self.index.by_key(name_key(name))
        if not found:
            found = self.index.by_skeleton(skeleton(name))
        return _dedupe(found)

    def place_names(self) -> Iterable[tuple[str, str]]:
        """Surface forms for entity-ruler patterns: countries, regions, continents, populous/focus towns."""
        from pipeline.geocode.mentions import ruler_names

        return ruler_names(self.index, self.config, self.false_friends)

    # ---- focus --------------------------------------------------------------------------------------

    def focus(self, toponyms: Sequence[PlaceMention], text: str) -> DocFocus:
        """Country/region distribution of the document from its toponyms and demonyms in its text.

        Two passes: each name first votes for its context-free reading; then each name votes again for its
        reading given the other names' first votes ("Georgia" among Atlanta and Macon is the state)."""
        queries = [q for q in (self._query(m) for m in toponyms) if not (q.guarded or q.person)]
        demonyms = [(name_key(word), cc, "", 0.5 * count) for (word, cc), count in self._demonyms_in(text).items()]
        first = DocFocus.from_parts(self._votes(queries, DocFocus()) + demonyms)
        return DocFocus.from_parts(self._votes(queries, first) + demonyms)

    def _votes(self, queries: Sequence[_Query], focus: DocFocus) -> list[tuple[str, str, str, float]]:
        parts = []
        for query in queries:
            cands = self._candidates(query, focus)
            best = self._rank(query, cands, focus)
            if best is None:
                continue
            cand = best.cand
            ambiguous = len({c.country_code for c in cands}) > 1
            weight = _evidence_weight(cand) * (0.5 if ambiguous else 1.0)
            region = f"{cand.country_code}.{cand.admin1}" if cand.kind in ("city", "admin1", "feature") and \
                cand.admin1 else ""
            parts.append((name_key(query.name), cand.country_code, region, weight))
        return parts

    def home_country(self, focus: DocFocus, without: str = "") -> str:
        """The country the document is about by its place names, leaving out the name ``without`` (a dateline
        judged on the other names) and demonyms ("Russian jets" in a Syria story); the first focus country when the
        names say nothing."""
        self._demonyms_in("")
        if self._demonym_keys is None:
            self._demonym_keys = frozenset(name_key(s) for s in self._demonyms or ())
        skip = {name_key(without)} | self._demonym_keys
        parts = [p for p in focus.parts if p[0] not in skip]
        return DocFocus.from_parts(parts).top_country() or self.config["focus_countries"][0]

    def _demonyms_in(self, text: str) -> Counter:
        if self._demonyms is None:
            rows = self.index.rows("SELECT n.surface, p.cc FROM names n JOIN places p ON p.pid = n.pid "
                                   "WHERE n.form = 'demonym' AND p.cc != ''")
            self._demonyms = {surface: cc for surface, cc in rows}
        found: Counter = Counter()
        for word in re.findall(r"\b[A-Z][a-z]+(?:s)?\b", text or ""):
            cc = self._demonyms.get(word)
            if cc:
                found[(word, cc)] += 1
        return found

    # ---- resolve ------------------------------------------------------------------------------------

    def resolve(self, mention: PlaceMention, focus: DocFocus) -> GeoMatch | None:
        """The best gazetteer entry for the mention, or None when nothing fits well enough."""
        query = self._query(mention)
        if not query.name:
            return None
        best = self._rank(query, self._candidates(query, focus), focus)
        if best is None:
            return None
        cand = best.cand
        if query.kind == "region" and cand.kind in ("city", "feature") and cand.feature_code != "AREA":
            cand = self._region_of(cand) or cand
        return self._match(mention, query, cand, best.why)

    def _match(self, mention: PlaceMention, query: _Query, cand: Candidate, why: str) -> GeoMatch:
        precision = KIND_PRECISION.get(cand.kind) or _feature_precision(cand.feature_code)
        reason = why
        if query.kind == "region" and cand.kind != "admin1" and precision < 3:
            precision, reason = 3, f"{why}; region named after this place, its point stands for the region"
        if query.modifier and precision < 2:
            precision, reason = 2, f"{why}; text places it near or in part of the place ({query.modifier})"
        if mention.reason.startswith(INHERITED_REASON) and precision < 2:
            precision, reason = 2, f"{why}; the sentence names no place, so the document's place stands in for it"
        lead = f"{mention.reason}; " if mention.reason else ""
        return GeoMatch(place_name=cand.name, place_id=cand.gid, admin1=cand.admin1_name or None,
                        country_code=cand.country_code or None, lat=cand.lat, lon=cand.lon,
                        geo_precision=precision, geo_reason=lead + reason, feature_code=cand.feature_code)

    def region_fallback(self, match: GeoMatch, reason: str) -> GeoMatch:
        """``match`` widened to its first-level region (precision 3) with ``reason`` leading ``geo_reason``: where an
        event goes when its own place is unknown but the article establishes the region."""
        if match.geo_precision >= 3 or not match.admin1:
            return dataclasses.replace(match, geo_reason=f"{reason}; {match.geo_reason}")
        rows = [c for c in self.lookup(match.admin1) if c.kind == "admin1" and c.country_code == match.country_code]
        if not rows:
            return dataclasses.replace(match, geo_precision=3, geo_reason=f"{reason}; region of {match.place_name}")
        region = rows[0]
        return GeoMatch(place_name=region.name, place_id=region.gid, admin1=region.admin1_name or match.admin1,
                        country_code=region.country_code or match.country_code, lat=region.lat, lon=region.lon,
                        geo_precision=3, geo_reason=f"{reason}; region of {match.place_name}",
                        feature_code=region.feature_code)

    def _region_of(self, city: Candidate) -> Candidate | None:
        rows = [c for c in self.lookup(city.admin1_name) if c.kind == "admin1" and c.country_code == city.country_code
                and c.admin1 == city.admin1] if city.admin1_name else []
        return rows[0] if rows else None

    def _query(self, mention: PlaceMention) -> _Query:
        from pipeline.geocode.mentions import clean_mention

        name, kind, modifier = clean_mention(mention, self.config, self._known)
        key = fold(name)
        guarded = key in self.false_friends or fold(mention.text) in self.false_friends
        article = name_key(name) != fold(name)
        return _Query(name, kind, modifier, guarded, (mention.label or "") in _PERSONISH, article)

    def _known(self, name: str) -> bool:
        return bool(self.index.by_key(name_key(name)))

    def knows(self, name: str) -> bool:
        """Whether the gazetteer has this name as written (no spelling variants)."""
        return self._known(name)

    def _candidates(self, query: _Query, focus: DocFocus) -> list[Candidate]:
        exact = _dedupe(self.index.by_key(name_key(query.name)))
        exact = [c for c in exact if c.form != "demonym" or query.kind in (None, "country")]
        if _is_abbreviation(query.name):
            exact = [c for c in exact if _is_abbreviation(c.matched_name) or "." in c.matched_name]
            return exact
        if query.kind == "country":
            exact = [c for c in exact if c.kind in ("country", "continent")]
        if exact or query.guarded or query.person or _QUARTER_WORDS & set(re.split(r"[;,\s]+", query.modifier or "")):
            return exact  # a district's name is matched as written: "Midan" is not Medan or Ma'dan
        return self._fuzzy(query, focus)

    def _fuzzy(self, query: _Query, focus: DocFocus) -> list[Candidate]:
        """Skeleton matches that pass the guard: similar spelling, and populous or in the document focus."""
        key = name_key(query.name)
        min_ratio = float(self.config["fuzzy_min_ratio"])
        min_pop = int(self.config["fuzzy_min_population"])
        out = []
        others = focus.without(key)
        for cand, other, ratio in self._similar(query.name):
            top = max(focus.countries.values(), default=0.0)
            # a spelling variant inside the focus country must also sit in a region the other names point at, or be
            # a big town: "Midan" (a Damascus district) is not Ma'dan in Raqqa, "al-Talila" near Palmyra not At Tall
            in_focus = focus.country(cand.country_code) >= 0.2 and (
                others.region(cand.country_code, cand.admin1) > 0.0 or cand.population >= FUZZY_FREE_POPULATION
                or not others.regions)
            supported = in_focus or (cand.population >= min_pop and top < 0.5 and key[:1] == other[:1])
            if ratio >= min_ratio and (supported or cand.kind in ("country", "admin1")) and cand.form != "demonym":
                out.append(cand)
        if query.kind == "country":
            out = [c for c in out if c.kind in ("country", "continent")]
        return out

    def _similar(self, name: str) -> list[tuple[Candidate, str, float]]:
        """Skeleton matches of ``name`` with their keys and spelling similarity, memoised per process (the
        same names recur across a corpus and difflib is slow)."""
        hit = self._similar_cache.get(name)
        if hit is None:
            if len(self._similar_cache) >= SIMILAR_CACHE_SIZE:
                self._similar_cache.clear()
            key = name_key(name)
            hit = []
            for cand in _dedupe(self.index.by_skeleton(skeleton(name))):
                other = name_key(cand.matched_name)
                hit.append((cand, other, difflib.SequenceMatcher(None, key, other).ratio()))
            self._similar_cache[name] = hit
        return hit

    def _rank(self, query: _Query, cands: list[Candidate], focus: DocFocus) -> _Scored | None:
        if query.modifier in _QUARTER_WORDS:
            cands = [c for c in cands if c.kind in ("city", "feature")]
        if query.kind == "region" and any(c.kind == "admin1" for c in cands):
            cands = [c for c in cands if c.kind == "admin1"]
        others = focus.without(name_key(query.name))
        # a country that shares its name with a region ("Georgia") is judged on the other names too
        contested = {c.kind for c in cands if c.form == "main"} >= {"country", "admin1"}
        scored = [self._score(c, query, others if contested else focus, others) for c in cands]
        scored = [s for s in scored if s is not None]
        if not scored:
            return None
        scored.sort(key=lambda s: (-s.score, -s.cand.population, s.cand.gid))
        best = scored[0]
        note = "only candidate" if len(scored) == 1 else f"best of {len(scored)} candidates"
        if best.cand.kind == "admin1" and query.kind != "region":
            town = _namesake_town(best.cand, scored)
            if town is not None:
                best, note = town, f"the town, not the region of the same name; {note}"
        return _Scored(best.score, best.cand, f"{best.why}; {note}")

    def _score(self, cand: Candidate, query: _Query, focus: DocFocus, others: DocFocus) -> _Scored | None:
        """Guards use ``focus``; a town or region is scored on the evidence of the other names only
        (``others``), so a namesake cannot win on its own vote; a country keeps its own mentions (``focus``)."""
        if (query.guarded or query.person) and not self._passes_guard(cand, focus.country(cand.country_code),
                                                                      query.person, focus):
            return None
        if not self._fits_focus(cand, query, focus.country(cand.country_code), focus, others):
            return None
        basis = focus if cand.kind in ("country", "continent") else others
        share_c = basis.country(cand.country_code)
        share_r = basis.region(cand.country_code, cand.admin1)
        score = _prior(cand) + 4.0 * share_c + 2.5 * share_r
        score += {"main": 0.5, "alt": -0.5, "demonym": 0.3}.get(cand.form, 0.0)
        score -= 1.0 if cand.match == "skeleton" else 0.0
        score += 0.3 if cand.source == "dump" else 0.0
        return _Scored(score, cand, _explain(cand, share_c, share_r))

    def _fits_focus(self, cand: Candidate, query: _Query, share_c: float, focus: DocFocus,
                    others: DocFocus | None = None) -> bool:
        """Small places far from a strongly focused document, places matched there only by an alternate name
        ("Al-Jura" in Deir ez-Zor is not Gyor, Hungary, alias Jura), or Arabic names outside the region, are
        refused."""
        if cand.kind in ("country", "continent"):
            return True
        focus_list = self.config["focus_countries"]
        if query.arabic_article and cand.country_code not in focus_list and fold(cand.matched_name) == name_key(
                cand.matched_name):
            return False
        strong_elsewhere = (max(focus.countries.values(), default=0.0) >= self.config.get("strong_focus_share", 0.5)
                            and share_c < self.config.get("abroad_min_share", 0.05))
        # a country with no evidence at all, in a story about the focus countries (Numan, Nigeria in a Syria story)
        own_vote_aside = (others or focus).country(cand.country_code)  # a namesake cannot support itself
        unsupported = (own_vote_aside == 0.0 and cand.country_code not in focus_list
                       and sum(focus.country(cc) for cc in focus_list) >= self.config.get("regional_story_share", 0.3))
        # abroad in a strongly focused document: only a capital or a main-name city of a million people
        prominent = cand.form == "main" and (cand.feature_code == "PPLC" or cand.population >= 1_000_000)
        return not ((strong_elsewhere or unsupported) and (cand.kind == "admin1" or not prominent))

    def _passes_guard(self, cand: Candidate, share_c: float, person: bool, focus: DocFocus) -> bool:
        """Person-like or common-word names: only well-supported, prominent places."""
        if cand.kind in ("country", "admin1", "continent"):
            if not person or share_c > 0.0:
                return True
            focus_list = self.config["focus_countries"]
            regional = sum(focus.country(cc) for cc in focus_list) >= 0.3
            return regional and cand.country_code in focus_list
        if cand.form != "main":
            return False
        big = cand.population >= 100_000
        return (big and share_c >= 0.2) or cand.population >= 1_000_000


def _prior(cand: Candidate) -> float:
    pop = math.log10(cand.population + 1)
    if cand.kind == "country":
        return 6.5
    if cand.kind == "continent":
        return 6.0
    if cand.kind == "admin1":
        return 1.0 + 0.25 * pop
    capital = 1.0 if cand.feature_code == "PPLC" else 0.0
    return 0.5 * pop + capital


def _namesake_town(region: Candidate, scored: list[_Scored]) -> _Scored | None:
    """The town a region is named after (same country and admin1, same name), if it is a candidate: matched
    exactly (not a spelling variant) and not a hamlet beside its region (Montana City is not "Montana")."""
    towns = [s for s in scored if s.cand.kind == "city" and s.cand.country_code == region.country_code
             and s.cand.admin1 == region.admin1 and s.cand.match == "exact"
             and s.cand.population >= NAMESAKE_MIN_SHARE * region.population]
    return max(towns, key=lambda s: s.cand.population) if towns else None


def _is_abbreviation(text: str) -> bool:
    """'UK', 'U.S.', 'DPRK': short upper-case forms only match names written the same way."""
    letters = [ch for ch in text if ch.isalpha()]
    return 0 < len(letters) <= 5 and all(ch.isupper() for ch in letters)


def _evidence_weight(cand: Candidate) -> float:
    """How much one toponym says about the document's country: countries and big towns most."""
    if cand.kind in ("country", "admin1") or cand.population >= 100_000:
        return 1.0
    return 0.5 if cand.population >= 10_000 else 0.2


def _explain(cand: Candidate, share_c: float, share_r: float) -> str:
    parts = []
    if cand.form == "demonym":
        parts.append(f"country named by demonym '{cand.matched_name}'")
    if share_c > 0:
        parts.append(f"{cand.country_code} document focus {share_c:.0%}")
    if share_r > 0:
        parts.append(f"region {cand.admin1_name or cand.admin1} named nearby")
    if cand.kind == "city":
        parts.append(f"population {_human(cand.population)}")
    else:
        parts.append(cand.kind)
    if cand.match == "skeleton":
        parts.append(f"spelling variant of '{cand.matched_name}'")
    return ", ".join(parts)


def _human(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 1_000:
        return f"{n / 1e3:.0f}k"
    return str(n)


def _feature_precision(fcode: str) -> int:
    if fcode.startswith("PCL"):
        return 4
    if fcode.startswith("ADM") or fcode in ("RGN", "ZN", "AREA"):
        return 3
    return 1


def _shares(counter: Counter) -> dict[str, float]:
    total = sum(counter.values())
    return {k: v / total for k, v in counter.most_common()} if total else {}


_FORM_RANK = {"main": 0, "alt": 1, "demonym": 2}


def _dedupe(cands: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per entry, keeping the best way it matched (main name, exact key, full dump)."""
    best: dict[str, Candidate] = {}
    for c in cands:
        rank = (c.match != "exact", _FORM_RANK.get(c.form, 3), c.source != "dump")
        old = best.get(c.gid)
        if old is None or rank < (old.match != "exact", _FORM_RANK.get(old.form, 3), old.source != "dump"):
            best[c.gid] = c
    return list(best.values())
