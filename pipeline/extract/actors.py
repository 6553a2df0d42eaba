"""Actor normalisation: the outlet's words -> canonical actor and ACLED-style group (data in resources/actors.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from pipeline.extract.lexicon import ActorEntry, load_actors


GENERIC_GROUPS = frozenset({"unidentified"})  # "terrorists", "gunmen": they yield to a named actor in the phrase


@dataclass(frozen=True)
class ActorMatch:
    canonical: str
    group: str
    alias: str


@dataclass(frozen=True)
class _Alias:
    entry: ActorEntry
    alias: str
    contextual: bool


class ActorIndex:
    """Longest-alias lookup. ALL-CAPS aliases ("IS", "SAA") match case-sensitively, others case-insensitively."""

    def __init__(self, entries: tuple[ActorEntry, ...], countries: dict[str, tuple[str, ...]] | None = None):
        self._by_key: dict[str, list[_Alias]] = {}
        self._countries = {cc: re.compile(_word_alternation(words), re.I) for cc, words in (countries or {}).items()}
        self._doc_country: dict[str, str | None] = {}
        self._canonical = {e.canonical: e for e in entries}
        for entry in entries:
            for alias in entry.aliases:
                self._add(_Alias(entry, alias, False))
            for alias in entry.contextual_aliases:
                self._add(_Alias(entry, alias, True))
        keys = sorted(self._by_key, key=len, reverse=True)
        exact = [re.escape(k) for k in keys if _is_exact(k)]
        folded = [re.escape(k) for k in keys if not _is_exact(k)]
        self._exact = re.compile(r"(?<![\w-])(?:" + "|".join(exact) + r")(?![\w-])") if exact else None
        self._folded = re.compile(r"(?<![\w-])(?:" + "|".join(folded) + r")(?![\w-])", re.I) if folded else None
        self._contexts = {e.canonical: re.compile(_word_alternation(e.context), re.I) for e in entries if e.context}

    def by_canonical(self, canonical: str, surface: str) -> ActorMatch | None:
        entry = self._canonical.get(canonical)
        return ActorMatch(entry.canonical, entry.group, surface) if entry else None

    def _add(self, alias: _Alias) -> None:
        key = alias.alias if _is_exact(alias.alias) else alias.alias.lower()
        self._by_key.setdefault(key, []).append(alias)

    def aliases(self) -> list[tuple[str, str, bool]]:
        """(alias, canonical, contextual) for every alias: the entity ruler's patterns."""
        return [(a.alias, a.entry.canonical, a.contextual) for lst in self._by_key.values() for a in lst]

    def normalise(self, text: str, context: str = "") -> ActorMatch | None:
        """The actor named in ``text`` (longest alias wins; contextual aliases need ``context`` to mention their
        context words, e.g. "the army" is the Syrian Arab Army only in an article about Syria)."""
        if not text:
            return None
        found = []
        for pattern in (self._exact, self._folded):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                found.append(m)
        # a named actor beats a generic word ("ISIL terrorist group", "terrorists from Jaish al-Fateh")
        found.sort(key=lambda m: (self._generic(m.group(0)), -(m.end() - m.start()), m.start()))
        for m in found:
            hit = self._choose(m.group(0), context)
            if hit is not None:
                return hit
        return None

    def _generic(self, surface: str) -> bool:
        key = surface if _is_exact(surface) else surface.lower()
        candidates = self._by_key.get(key) or self._by_key.get(surface.lower()) or []
        return bool(candidates) and all(a.entry.group in GENERIC_GROUPS for a in candidates)

    def _choose(self, surface: str, context: str) -> ActorMatch | None:
        key = surface if _is_exact(surface) else surface.lower()
        candidates = self._by_key.get(key) or self._by_key.get(surface.lower()) or []
        country = self.document_country(context)
        contextual = [a for a in candidates if a.contextual and self._in_context(a.entry, context, country)]
        general = [a for a in candidates if not a.contextual]
        for a in contextual + general:
            return ActorMatch(a.entry.canonical, dict(a.entry.groups_by_country).get(country or "", a.entry.group),
                              surface)
        return None

    def _in_context(self, entry: ActorEntry, context: str, country: str | None) -> bool:
        """A contextual alias ("the army") names the entry's actor when the article is about the entry's country
        (the country named most often, see ``document_country``); with no country table entry, when the article
        mentions one of the entry's context words."""
        if country is not None and entry.country in self._countries:
            return entry.country == country
        pattern = self._contexts.get(entry.canonical)
        return bool(pattern and context and pattern.search(context))

    def document_country(self, context: str) -> str | None:
        """ISO code of the country the text is most about: most mentions of its names, demonyms and main places
        (``countries`` in actors.yaml); ties go to the earliest mention. None when no country is named."""
        if not context or not self._countries:
            return None
        if context not in self._doc_country:
            if len(self._doc_country) > 64:
                self._doc_country.clear()
            scores = []
            for cc, pattern in self._countries.items():
                hits = [m.start() for m in pattern.finditer(context)]
                if hits:
                    scores.append((-len(hits), hits[0], cc))
            self._doc_country[context] = min(scores)[2] if scores else None
        return self._doc_country[context]


def _is_exact(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def _word_alternation(words: tuple[str, ...]) -> str:
    return r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"


_INDEX: dict[str | None, ActorIndex] = {}


def actor_index(directory: str | None = None) -> ActorIndex:
    """The cached index over resources/actors.yaml (or ``directory``/actors.yaml)."""
    if directory not in _INDEX:
        from pipeline.extract.lexicon import _read

        raw = _read("actors.yaml", directory).get("countries") or {}
        countries = {str(cc): tuple(str(w) for w in words) for cc, words in raw.items()}
        _INDEX[directory] = ActorIndex(load_actors(directory), countries)
    return _INDEX[directory]


@dataclass(frozen=True)
class WeaponOwners:
    """'Israeli airstrike' -> Israel Defense Forces: owners named by a modifier of a weapon/attack noun."""

    nouns: frozenset[str]
    owners: dict[str, str]

    def owner(self, word: str, index: ActorIndex, context: str) -> ActorMatch | None:
        bare = word.rstrip("'’s").rstrip("'’")
        # "Regime shelling", "Government rockets" at the start of a sentence or in a headline: the same owner
        target = self.owners.get(word) or self.owners.get(bare) or self.owners.get(word.lower()) or self.owners.get(
            bare.lower())
        if target is None:
            return None
        if target.startswith("@"):
            return index.normalise(target[1:], context)
        return index.by_canonical(target, word)


_OWNERS: dict[str | None, WeaponOwners] = {}


def weapon_owners(directory: str | None = None) -> WeaponOwners:
    """The cached weapon_nouns / weapon_owners of resources/actors.yaml."""
    if directory not in _OWNERS:
        from pipeline.extract.lexicon import _read

        data = _read("actors.yaml", directory)
        _OWNERS[directory] = WeaponOwners(frozenset(str(w).lower() for w in data.get("weapon_nouns") or ()),
                                          {str(k): str(v) for k, v in (data.get("weapon_owners") or {}).items()})
    return _OWNERS[directory]


# "The Islamic State group claimed responsibility for the attack", "Nusra Front has claimed responsibility"
RESPONSIBILITY = re.compile(r"(?P<who>[A-Z][\w'’-]*(?:[ -][\w'’()-]+){0,7}?)\s+(?:has\s+|have\s+|had\s+)?"
                            r"(?:quickly\s+|later\s+|also\s+)?(?:claimed|claims|claim|admitted|announced)\s+"
                            r"(?:responsibility\b|(?:the|a|an)\s+(?:[\w-]+\s+){0,3}?(?:attacks?|bombings?|blasts?|"
                            r"explosions?)\b)")  # "IS claims the double suicide bomb attack"


def responsibility_claims(text: str, index: ActorIndex, context: str) -> Iterator[tuple[int, str, ActorMatch]]:
    """(offset, words as written, actor) for each named, non-generic actor said to claim responsibility."""
    for m in RESPONSIBILITY.finditer(text):
        who = m.group("who")
        if re.match(r"(?:No|Nobody|None|There)\b", who):
            continue
        hit = index.normalise(who, context)
        if hit is not None and hit.group not in GENERIC_GROUPS | {"civilians", "protesters"}:
            yield m.start(), hit.alias, hit
