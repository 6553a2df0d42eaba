"""Two sentence-level judgements on an event, from the rules in triggers.yaml:

* the **means decides the type** (ACLED): a remote means anywhere in the sentence ("killed in an air strike",
  "a car bomb killed") makes a generic clash, attack or killing an Explosions/Remote violence event;
* **background is not an event**: war-wide tolls and aggregates ("killed since the conflict began"), or a count
  too large for one event.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from pipeline.resources import ResourceError, load_mapping, need
from pipeline.schema import EVENT_TYPES

REMOTE = "Explosions/Remote violence"
# a fight the sentence names ("killed in clashes with the army and by regime air strikes", "the attack was foiled"):
# ground combat, which ACLED codes as a battle even where aircraft or artillery joined in
CLASH_WORDS = re.compile(r"\b(?:clash(?:es|ed)?|fighting|battles?|firefights?|gun ?battles?|confrontations?|skirmish(?:es)?|"
                         r"foiled|repell?ed|repulsed|thwarted|ambush(?:ed)?)\b", re.I)

# "just days after a deadly chemical attack, a woman was killed on a bus": the means of the earlier event the
# sentence dates itself by says nothing about this one
EARLIER_EVENT = re.compile(r"\b(?:just |only |barely )?(?:a |one |two |three |four |five |several |a few |\d+ )?"
                           r"(?:hours?|days?|weeks?|months?) (?:after|since)\b[^,;]*", re.I)


@dataclass(frozen=True)
class MeansRules:
    generic: frozenset[tuple[str, str]]
    means: tuple[tuple[str, "re.Pattern[str]"], ...]  # (sub_event_type, pattern), most specific first
    background: "re.Pattern[str]"
    max_fatalities: int
    stale_days: int
    context_triggers: frozenset[str] = frozenset()
    own_only: frozenset[int] = frozenset()  # indexes of ``means`` that never type a neighbouring sentence
    without_toll: "re.Pattern[str] | None" = None  # background only when the sentence gives no toll


def _alternation(patterns: list, where: str) -> "re.Pattern[str]":
    try:
        return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b", re.I)
    except re.error as exc:
        raise ResourceError(f"triggers.yaml: {where}: bad regular expression ({exc})") from exc


@functools.lru_cache(maxsize=4)
def load_means_rules(directory: str | None = None) -> MeansRules:
    data = load_mapping("triggers.yaml", directory)
    inst = need(data, "instruments", dict, "triggers.yaml")
    bg = need(data, "background", dict, "triggers.yaml")
    generic = frozenset(tuple(pair) for pair in need(inst, "generic_types", list, "triggers.yaml: instruments"))
    means, own_only = [], set()
    for i, entry in enumerate(need(inst, "means", list, "triggers.yaml: instruments")):
        if entry.get("own_sentence_only"):
            own_only.add(i)
        sub = entry.get("sub_event_type")
        if sub not in EVENT_TYPES[REMOTE]:
            raise ResourceError(f"triggers.yaml: instruments.means[{i}].sub_event_type {sub!r} is not a sub-type of {REMOTE}")
        means.append((sub, _alternation(need(entry, "patterns", list, f"triggers.yaml: instruments.means[{i}]"),
                                        f"instruments.means[{i}]")))
    for etype, sub in generic:
        if sub not in EVENT_TYPES.get(etype, ()):
            raise ResourceError(f"triggers.yaml: instruments.generic_types: {etype!r}/{sub!r} is not in schema.EVENT_TYPES")
    return MeansRules(generic, tuple(means), _alternation(need(bg, "patterns", list, "triggers.yaml: background"),
                                                          "background.patterns"),
                      int(need(bg, "max_fatalities", int, "triggers.yaml: background")),
                      int(need(bg, "stale_days", int, "triggers.yaml: background")),
                      frozenset(need(inst, "context_triggers", list, "triggers.yaml: instruments", [])),
                      frozenset(own_only),
                      _alternation(bg["without_toll"], "background.without_toll") if bg.get("without_toll") else None)


def type_by_means(etype: str, sub: str, sentence: str, rules: MeansRules | None = None,
                  neighbour: bool = False) -> tuple[str, str]:
    """The event type the sentence's means gives a generic (etype, sub); others are returned as they are.
    ``neighbour``: the sentence is another one's context, where weak words ("explosions") say nothing."""
    rules = rules or load_means_rules()
    if (etype, sub) not in rules.generic or (etype == "Battles" and CLASH_WORDS.search(sentence)):
        return etype, sub
    sentence = EARLIER_EVENT.sub(" ", sentence)
    for i, (means_sub, pattern) in enumerate(rules.means):
        if neighbour and i in rules.own_only:
            continue
        if pattern.search(sentence):
            return REMOTE, means_sub
    return etype, sub


def names_means(sentence: str, rules: MeansRules | None = None) -> bool:
    """Whether the sentence itself names a means (then a neighbour's means never retypes it)."""
    rules = rules or load_means_rules()
    sentence = EARLIER_EVENT.sub(" ", sentence)
    return any(pattern.search(sentence) for _, pattern in rules.means)


def type_from_context(etype: str, sub: str, trigger_lemma: str, context: list[str],
                      rules: MeansRules | None = None, sentence: str = "") -> tuple[str, str]:
    """A generic killing or attack typed by the means of neighbouring sentences (``context``, nearest first), when
    its own sentence names none (call after :func:`type_by_means`)."""
    rules = rules or load_means_rules()
    if (etype, sub) not in rules.generic or trigger_lemma not in rules.context_triggers or names_means(sentence, rules):
        return etype, sub
    if CLASH_WORDS.search(sentence):  # the sentence's own fight: a neighbour's air strike does not retype it
        return etype, sub
    for text in context:
        found = type_by_means(etype, sub, text, rules, neighbour=True)
        if found != (etype, sub):
            return found
    return etype, sub


def background_reason(sentence: str, fatalities: int | None, rules: MeansRules | None = None,
                      event_date: dt.date | None = None, published: dt.date | None = None) -> str | None:
    """Why the sentence is background rather than an event (a war-wide toll, an aggregate, an event weeks before
    its article), or None. ``event_date`` is the date the sentence's own date words give (None without any)."""
    rules = rules or load_means_rules()
    if fatalities is not None and fatalities > rules.max_fatalities:
        return f"{fatalities} killed is a toll, not one event"
    if event_date is not None and published is not None and (published - event_date).days >= rules.stale_days:
        return f"dated {event_date}, {(published - event_date).days} days before the article"
    m = rules.background.search(sentence)
    if m is None and fatalities is None and rules.without_toll is not None:
        m = rules.without_toll.search(sentence)  # "the army continues its operations in Qaboun": no new event
    return f"aggregate: {m.group(0)!r}" if m else None
