"""Typed views of the extraction data files (triggers.yaml, actors.yaml, claims.yaml).

Loaded lazily and cached; nothing is read at import time. ``resource_dir`` lets a user point at their own copy.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipeline.resources import ResourceError, load, load_mapping, resource_path
from pipeline.schema import ACTOR_GROUPS, EVENT_TYPES



class LexiconError(ResourceError):
    """A resource file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class TriggerEntry:
    words: tuple[str, ...]  # lemma sequence ("air", "strike") or a single lemma
    pos: frozenset[str]
    event_type: str
    sub_event_type: str
    priority: int
    non_state_sub_event: str | None = None
    civilian_type: tuple[str, str] | None = None
    requires_object: bool = False
    particles: frozenset[str] = frozenset()  # the verb needs one of these particles ("driven ... out")


@dataclass(frozen=True)
class Modality:
    irrealis_heads: frozenset[str]
    realis_heads: frozenset[str]
    modal_aux: frozenset[str]
    irrealis_nouns: frozenset[str]
    negators: frozenset[str]
    hypothetical_markers: frozenset[str]
    irrealis_modifiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TriggerLexicon:
    single: dict[str, tuple[TriggerEntry, ...]]  # lemma -> entries
    phrases: dict[str, tuple[TriggerEntry, ...]]  # first lemma -> phrase entries (longest first)
    modality: Modality
    prefilter: re.Pattern[str]


@dataclass(frozen=True)
class ActorEntry:
    canonical: str
    group: str
    country: str | None
    aliases: tuple[str, ...]
    contextual_aliases: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    groups_by_country: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ClaimLexicon:
    reporting_verbs: frozenset[str]
    source_prepositions: tuple[str, ...]
    hedge_words: frozenset[str]
    hedge_verbs: frozenset[str]
    report_adverbs: tuple[str, ...]
    deny_verbs: frozenset[str]
    deny_nouns: frozenset[str]
    pronouns: frozenset[str]
    news_agencies: tuple[str, ...] = ()
    deny_phrases: "re.Pattern[str] | None" = None


def _read(name: str, directory: str | None) -> dict:
    """The resource as a mapping, through the one loader (:mod:`pipeline.resources`)."""
    return load_mapping(name, directory)


# What may follow a stem in the prefilter for the word to be one of its inflections ("kill" -> killed, killings;
# "expel" -> expelled; "withdraw" -> withdrawn): an optional doubled consonant, then an ending, then the word's end.
# Without it short stems matched any word they start ("min" -> minister, "de" -> December).
INFLECTION_TAIL = r"(?=[bdgklmnprtz]?(?:e|es|ed|d|s|n|en|ing|ings|ion|ions|er|ers|or|ors|ies|ied|y)?\b)"


def _inflections(word: str) -> list[str]:
    """Stems for the prefilter: 'liberate' -> 'liberat' (matches liberated/liberating), 'shell' -> 'shell'."""
    stem = word[:-1] if word.endswith("e") and len(word) > 3 else word
    forms = [stem]
    if re.fullmatch(r".*[^aeiou][aeiou][bdgmnprt]", word) and len(word) <= 5:
        forms.append(word + word[-1])  # 'shoot' no, 'drop' -> 'dropp'
    if word.endswith("y"):
        forms.append(word[:-1] + "i")
    return forms


def _trigger_entry(raw: dict, words: tuple[str, ...], where: str) -> TriggerEntry:
    etype, sub = raw.get("event_type"), raw.get("sub_event_type")
    if etype not in EVENT_TYPES or sub not in EVENT_TYPES[etype]:
        raise LexiconError(f"{where}: {etype!r}/{sub!r} is not in schema.EVENT_TYPES")
    civ = raw.get("civilian_sub_event")
    nss = raw.get("non_state_sub_event")
    if nss is not None and nss not in EVENT_TYPES[etype]:
        raise LexiconError(f"{where}: non_state_sub_event {nss!r} is not a sub-type of {etype!r}")
    return TriggerEntry(
        words=words,
        pos=frozenset(raw.get("pos") or ("VERB", "NOUN", "PROPN", "ADJ")),
        event_type=etype,
        sub_event_type=sub,
        priority=int(raw.get("priority", 1)),
        non_state_sub_event=nss,
        civilian_type=tuple(civ) if civ else None,
        requires_object=bool(raw.get("requires_object", False)),
        particles=frozenset(str(p).lower() for p in raw.get("particles") or ()),
    )


@functools.lru_cache(maxsize=8)
def load_triggers(directory: str | None = None) -> TriggerLexicon:
    data = _read("triggers.yaml", directory)
    single: dict[str, list[TriggerEntry]] = {}
    phrases: dict[str, list[TriggerEntry]] = {}
    stems: set[str] = set()
    for i, raw in enumerate(data.get("triggers") or []):
        where = f"triggers.yaml entry {i}"
        for lemma in raw.get("lemmas") or []:
            lemma = str(lemma).lower()
            single.setdefault(lemma, []).append(_trigger_entry(raw, (lemma,), where))
            stems.update(_inflections(lemma))
        for phrase in raw.get("phrases") or []:
            words = tuple(str(phrase).lower().replace("-", " - ").split())
            phrases.setdefault(words[0], []).append(_trigger_entry(raw, words, where))
            stems.update(_inflections(words[0]))
        stems.update(str(f).lower() for f in raw.get("forms") or [])
    mod = data.get("modality") or {}
    modality = Modality(*(frozenset(str(w).lower() for w in mod.get(k) or ()) for k in Modality.__dataclass_fields__))
    alternation = "|".join(sorted(map(re.escape, stems), key=len, reverse=True))
    pattern = re.compile(r"\b(?:" + alternation + r")" + INFLECTION_TAIL, re.I)
    return TriggerLexicon(
        single={k: tuple(v) for k, v in single.items()},
        phrases={k: tuple(sorted(v, key=lambda e: -len(e.words))) for k, v in phrases.items()},
        modality=modality,
        prefilter=pattern,
    )


@functools.lru_cache(maxsize=8)
def load_actors(directory: str | None = None) -> tuple[ActorEntry, ...]:
    data = _read("actors.yaml", directory)
    out = []
    for i, raw in enumerate(data.get("actors") or []):
        if raw.get("group") not in ACTOR_GROUPS:
            raise LexiconError(f"actors.yaml entry {i} ({raw.get('canonical')}): group must be one of {ACTOR_GROUPS}")
        out.append(
            ActorEntry(
                canonical=str(raw["canonical"]),
                group=raw["group"],
                country=raw.get("country"),
                aliases=tuple(str(a) for a in raw.get("aliases") or ()),
                contextual_aliases=tuple(str(a) for a in raw.get("contextual_aliases") or ()),
                context=tuple(str(a) for a in raw.get("context") or ()),
                groups_by_country=tuple((str(k), str(v)) for k, v in (raw.get("groups_by_country") or {}).items()),
            )
        )
    return tuple(out)


@functools.lru_cache(maxsize=8)
def load_claims(directory: str | None = None) -> ClaimLexicon:
    data = _read("claims.yaml", directory)

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data.get(key) or ())

    return ClaimLexicon(
        reporting_verbs=words("reporting_verbs"),
        source_prepositions=tuple(str(w).lower() for w in data.get("source_prepositions") or ()),
        hedge_words=words("hedge_words"),
        hedge_verbs=words("hedge_verbs"),
        report_adverbs=tuple(str(w).lower() for w in data.get("report_adverbs") or ()),
        deny_verbs=words("deny_verbs"),
        deny_nouns=words("deny_nouns"),
        pronouns=words("pronouns"),
        news_agencies=tuple(str(w) for w in data.get("news_agencies") or ()),
        deny_phrases=re.compile(r"\b(?:" + "|".join(re.escape(str(p)) for p in data["deny_phrases"]) + r")\b", re.I)
        if data.get("deny_phrases") else None,
    )


def load_outlets(directory: str | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(canonical name, aliases) from the lead's outlets.yaml; empty when the file is not there yet."""
    if not resource_path("outlets.yaml", directory).exists():
        return ()
    data = load("outlets.yaml", directory) or []
    if isinstance(data, dict):
        data = data.get("outlets") or []
    out = []
    for raw in data:
        if isinstance(raw, dict) and raw.get("name"):
            out.append((str(raw["name"]), tuple(str(a) for a in raw.get("aliases") or ())))
    return tuple(out)
