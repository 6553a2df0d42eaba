"""Event triggers in a parsed sentence: lexicon match, modality/negation filter, grouping of linked triggers."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.extract.lexicon import Modality, TriggerEntry, TriggerLexicon, _read
from pipeline.resources import word_set

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# dependency steps that keep two triggers in one event ("killed in shelling", "shelled ..., killing five")
LINK_DEPS = frozenset({"prep", "pobj", "advcl", "acl", "xcomp", "nsubj", "nsubjpass", "dobj", "compound", "amod",
                       "npadvmod", "relcl", "agent", "poss", "nmod", "attr", "oprd", "pcomp", "dep", "conj", "appos"})
ATTACK_HEADS = word_set("triggers.attack_heads")
NEGATING_GOVERNORS = word_set("triggers.negating_governors")


@dataclass(frozen=True)
class EventRules:
    """When a trigger is a mappable event (triggers.yaml: nominal, generic, disarm)."""

    object_of: frozenset[str]
    subject_of: frozenset[str]
    pobj_of: frozenset[str]
    pobj_preps: frozenset[str]
    place_preps: frozenset[str]
    entity_labels: frozenset[str]
    relative_heads: frozenset[str]
    purpose_preps: frozenset[str]
    aggregate_preps: frozenset[str]
    aggregate_pattern: "re.Pattern[str] | None"
    disarm_governors: frozenset[str]
    disarm_type: tuple[str, str]
    entry_lemmas: frozenset[str] = frozenset()  # "enter", "move into": territory only when a force enters
    non_force_subjects: frozenset[str] = frozenset()  # "convoy", "inspectors": who enters without taking ground


@functools.lru_cache(maxsize=4)
def load_event_rules(directory: str | None = None) -> EventRules:
    data = _read("triggers.yaml", directory)
    nom, gen, dis = data.get("nominal") or {}, data.get("generic") or {}, data.get("disarm") or {}
    ent = data.get("entering") or {}

    def words(section: dict, key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in section.get(key) or ())

    return EventRules(
        *(words(nom, k) for k in ("object_of", "subject_of", "pobj_of", "pobj_preps", "place_preps")),
        frozenset(str(w) for w in nom.get("entity_labels") or ()),
        *(words(gen, k) for k in ("relative_heads", "purpose_preps", "aggregate_preps")),
        re.compile("|".join(f"(?:{p})" for p in gen["aggregate_patterns"]), re.I) if gen.get("aggregate_patterns") else None,
        words(dis, "governors"),
        (str(dis.get("event_type", "Strategic developments")), str(dis.get("sub_event_type", "Disrupted weapons use"))),
        words(ent, "lemmas"), words(ent, "non_force_subjects"),
    )


@dataclass(frozen=True)
class TriggerHit:
    token: "Token"
    length: int  # tokens (phrases)
    entry: TriggerEntry

    @property
    def text(self) -> str:
        doc = self.token.doc
        return doc[self.token.i : self.token.i + self.length].text


def find_triggers(sent: "Span", lex: TriggerLexicon) -> list[TriggerHit]:
    """Trigger hits in ``sent`` that are real events (not negated, planned, threatened or hypothetical)."""
    hits: list[TriggerHit] = []
    covered: set[int] = set()
    rules = load_event_rules()
    aggregate: dict[int, bool] = {}  # is_aggregate per parser sentence (by its start), computed once
    for tok in sent:
        if tok.i in covered:
            continue
        hit = _phrase_at(tok, sent, lex) or _single_at(tok, lex)
        if hit is None or (hit.length == 1 and _is_modifier_only(tok)) or not is_realis(hit.token, lex.modality):
            continue
        if (_is_generic_form(hit.token, rules) or _territory_in_passing(hit) or _not_a_force(hit, rules)
                or _describes_a_side(hit)):
            continue
        own = _own_sentence(hit.token)
        if own.start not in aggregate:
            aggregate[own.start] = is_aggregate(own, rules)
        if aggregate[own.start]:
            continue
        covered.update(range(tok.i, tok.i + hit.length))
        hits.append(hit)
    return hits


def _phrase_at(tok: "Token", sent: "Span", lex: TriggerLexicon) -> TriggerHit | None:
    for entry in lex.phrases.get(tok.lower_, ()) + lex.phrases.get(tok.lemma_.lower(), ()):
        n = len(entry.words)
        if tok.i + n > sent.end:
            continue
        toks = tok.doc[tok.i : tok.i + n]
        if all(w in (t.lower_, t.lemma_.lower()) for w, t in zip(entry.words, toks)):
            head = max(toks, key=lambda t: (t.pos_ in ("NOUN", "VERB", "PROPN"), t.head.i not in range(tok.i, tok.i + n)))
            return TriggerHit(head if n > 1 else tok, n, entry) if head.i == tok.i else TriggerHit(tok, n, entry)
    return None


def _single_at(tok: "Token", lex: TriggerLexicon) -> TriggerHit | None:
    for key in (tok.lemma_.lower(), tok.lower_):
        for entry in lex.single.get(key, ()):
            pos = "NOUN" if tok.pos_ == "PROPN" and "PROPN" not in entry.pos else tok.pos_
            if pos in entry.pos and (not entry.requires_object or _has_object(tok)) and (
                    not entry.particles or any(c.lower_ in entry.particles for c in tok.children if c.i > tok.i)):
                return TriggerHit(tok, 1, entry)
    return None


TERRITORY_SUBS = frozenset({"Government regains territory", "Non-state actor overtakes territory"})
# a participle describing people or places recalls an earlier event: "Jarablus, liberated from ISIS this week",
# "19 civilians abducted by ISIS" (saved now: the rescue is the news)
IN_PASSING_SUBS = TERRITORY_SUBS | {"Abduction/forced disappearance"}


def _territory_in_passing(hit: TriggerHit) -> bool:
    """'Jarablus, liberated from ISIS this week', 'the recently recaptured town': a participle describing a place
    recalls an earlier change of hands; it is not the event the sentence reports."""
    tok = hit.token
    return (hit.entry.sub_event_type in IN_PASSING_SUBS and tok.tag_ == "VBN" and tok.dep_ in ("acl", "amod")
            and tok.head.pos_ in ("NOUN", "PROPN"))


SIDE_WORDS = frozenset({"fight", "battle", "combat"})


def _describes_a_side(hit: TriggerHit) -> bool:
    """'an Arab-Kurdish alliance battling IS in northern Syria', 'the group fighting government forces': a participle
    that says which side a group is on describes it; it reports no fight."""
    tok = hit.token
    if tok.lemma_.lower() not in SIDE_WORDS or not tok.lower_.endswith("ing"):
        return False
    if tok.dep_ == "appos":  # parsed as a noun: "the SDF, an Arab-Kurdish coalition battling IS"
        return True
    if tok.tag_ != "VBG":
        return False
    if tok.dep_ == "acl" and tok.head.pos_ in ("NOUN", "PROPN"):
        return True
    # the parser also hangs it off the clause ("..., an Arab-Kurdish coalition battling IS"): no auxiliary, no subject
    return tok.dep_ in ("ccomp", "advcl", "xcomp", "conj") and not any(
        c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in tok.children)


def _not_a_force(hit: TriggerHit, rules: "EventRules") -> bool:
    """'an aid convoy entered Talbiseh', 'UN inspectors entered the site': entering is taking territory only for an
    armed force; a humanitarian or official party entering is not a battle."""
    tok = hit.token
    if hit.entry.event_type != "Battles" or tok.lemma_.lower() not in rules.entry_lemmas:
        return False
    subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    return any(w.lower_ in rules.non_force_subjects for s in subjects for w in s.subtree)


def _is_modifier_only(tok: "Token") -> bool:
    """'torture cells', 'rocket launchers': a noun used as a modifier of another noun is not an event."""
    return tok.dep_ in ("compound", "amod") and tok.head.pos_ in ("NOUN", "PROPN") and (
        tok.head.lemma_.lower() not in ATTACK_HEADS)


def _has_object(tok: "Token") -> bool:
    return any(c.dep_ in ("dobj", "nsubjpass", "attr") for c in tok.children)


def _clause_verb(tok: "Token") -> "Token":
    """The verb whose clause ``tok`` is in (tok itself for verbs)."""
    cur, steps = tok, 0
    while cur.pos_ not in ("VERB", "AUX") and cur.head.i != cur.i and steps < 4:
        cur, steps = cur.head, steps + 1
    return cur


def is_realis(tok: "Token", mod: Modality) -> bool:
    """False for negated, modal, planned, threatened or conditional triggers."""
    if any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in tok.children):
        return False
    if tok.pos_ in ("NOUN", "PROPN") and not _noun_realis(tok, mod):
        return False
    if any(c.dep_ == "amod" and c.lower_ in mod.irrealis_modifiers for c in tok.children):
        return False  # "possible strikes", "a planned offensive"
    if tok.lower_ == "march" and tok.text[0].isupper() and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].like_num:
        return False  # the month: "in March 2011", "March 15"
    verb = _clause_verb(tok)
    for v in {tok, verb}:
        if not _verb_realis(v, mod):
            return False
    return True


def _verb_realis(v: "Token", mod: Modality) -> bool:
    top = _conj_top(v)
    if top is not v and top.pos_ in ("VERB", "AUX") and _modal_or_negated(top, mod):
        return False  # "would bring them ..., blindfold them and shoot above their heads"
    for c in v.children:
        if c.dep_ == "neg" or c.lower_ in ("never",):
            return False
        if c.dep_ in ("aux", "auxpass") and c.lower_ in mod.modal_aux:
            return False
        if c.dep_ == "mark" and c.lower_ in mod.hypothetical_markers:
            return False
    infinitive = any(c.dep_ == "aux" and c.tag_ == "TO" for c in v.children)
    if infinitive:
        head = v.head
        if head.i == v.i:
            return False  # a root infinitive is a headline future ("Syria to attack ..."), not an event
        if head.lemma_.lower() in mod.realis_heads:
            return _verb_realis(head, mod)
        if head.pos_ == "NOUN" and head.lemma_.lower() not in mod.irrealis_nouns:
            return True  # "the first army to enter the town": keep
        return False
    if v.dep_ in ("xcomp", "ccomp", "dobj") and v.head.lemma_.lower() in NEGATING_GOVERNORS:
        return False
    return True


def _modal_or_negated(v: "Token", mod: Modality) -> bool:
    return any(c.dep_ == "neg" or (c.dep_ in ("aux", "auxpass") and c.lower_ in mod.modal_aux) for c in v.children)


def is_generic(tok: "Token", rules: EventRules) -> bool:
    """A general statement rather than one event: purpose gerunds ("used for torturing"), relative clauses on
    indefinite pronouns ("those who tortured and murdered"), aggregates over a period ("killed since 2014")."""
    return _is_generic_form(tok, rules) or is_aggregate(_own_sentence(tok), rules)


def _is_generic_form(tok: "Token", rules: EventRules) -> bool:
    if tok.tag_ == "VBG" and tok.dep_ == "pcomp" and tok.head.lower_ in rules.purpose_preps:
        return True
    top = _conj_top(tok)
    return top.dep_ == "relcl" and top.head.lower_ in rules.relative_heads


def _own_sentence(tok: "Token") -> "Span":
    return tok.sent if tok.doc.has_annotation("SENT_START") else tok.doc[:]


def is_aggregate(sent: "Span", rules: EventRules) -> bool:
    """The sentence counts over a period ("killed since 2014", "in the past year")."""
    for t in sent:
        if t.lower_ in rules.aggregate_preps and any(c.dep_ == "pobj" and _is_time(c) for c in t.children):
            return True
    return bool(rules.aggregate_pattern and rules.aggregate_pattern.search(sent.text))


def _conj_top(tok: "Token") -> "Token":
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _is_time(tok: "Token") -> bool:
    return tok.ent_type_ in ("DATE", "TIME") or tok.like_num or tok.lower_ in ("start", "beginning", "outbreak")


def is_anchored(hit: "TriggerHit", rules: EventRules, assume_entities: bool = False) -> bool:
    """A verb trigger, or a noun trigger read as one event: object of "launched", subject of "hit", object of a
    preposition under "killed", or carrying a place, a date, a number or an agent of its own. With
    ``assume_entities`` (before "ner" has run) every slot that would need an entity counts as having one."""
    tok = _phrase_root(hit)
    if tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "ADJ" and tok.dep_ in ("ROOT", "conj", "ccomp", "advcl")):
        return True
    if _headline_verb(tok):
        return True
    head, dep = tok.head, tok.dep_
    if dep in ("dobj", "nsubjpass", "attr") and head.lemma_.lower() in rules.object_of:
        return True
    if dep == "nsubj" and head.lemma_.lower() in rules.subject_of:
        return True
    if dep == "pobj" and head.lower_ in rules.pobj_preps and head.head.lemma_.lower() in rules.pobj_of:
        return True
    if dep in ("dobj", "attr", "xcomp", "ccomp") and head.pos_ in ("VERB", "AUX"):
        return False  # "the report details torture in X", "which monitors airstrikes in Iraq"
    return _has_own_anchor(tok, rules, assume_entities)


def _phrase_root(hit: "TriggerHit") -> "Token":
    if hit.length == 1:
        return hit.token
    span = hit.token.doc[hit.token.i : hit.token.i + hit.length]
    return span.root


def _headline_verb(tok: "Token") -> bool:
    """'Syrian army liberates last ISIS stronghold': a plural-tagged ROOT with an actor before and an object after."""
    return (tok.dep_ == "ROOT" and tok.tag_ == "NNS" and not any(c.dep_ == "det" for c in tok.children)
            and any(c.i < tok.i and c.dep_ in ("compound", "nsubj") for c in tok.children)
            and any(c.i > tok.i and c.dep_ in ("appos", "dobj", "compound") for c in tok.children))


def _has_own_anchor(tok: "Token", rules: EventRules, assume_entities: bool = False) -> bool:
    def has(toks, labels) -> bool:
        return assume_entities or any(p.ent_type_ in labels for p in toks)

    for c in tok.children:
        if c.dep_ == "nummod" or (c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by")):
            return True
        if c.dep_ == "prep" and c.lower_ in rules.place_preps and has(c.subtree, rules.entity_labels):
            return True
        if c.dep_ in ("relcl", "acl") and has(c.subtree, ("DATE", "TIME")):
            return True
        if c.dep_ in ("npadvmod", "compound", "nmod") and has((c,), ("DATE", "TIME")):
            return True
    return False


def _noun_realis(tok: "Token", mod: Modality) -> bool:
    head = tok.head
    if head.dep_ == "prep" and head.head.lemma_.lower() in mod.irrealis_nouns:
        return False
    gov = head.head if head.dep_ == "prep" else head
    if tok.dep_ in ("dobj", "pobj") and gov.lemma_.lower() in (mod.irrealis_heads | NEGATING_GOVERNORS) - {"be", "have"}:
        return False
    return True


def may_hold_event(sent: "Span", lex: TriggerLexicon) -> bool:
    """Whether ``sent``, parsed but not yet through "ner", can yield an event once entities are known: a superset
    of ``bool(group_hits(find_triggers(sent, lex)))`` on the finished doc. Entity-dependent anchors are assumed
    present, and DATE entities only ever make ``is_generic`` drop a trigger, so their absence keeps more."""
    rules = load_event_rules()
    return any(is_anchored(h, rules, assume_entities=True) for h in find_triggers(sent, lex))


def group_hits(hits: list[TriggerHit]) -> list[list[TriggerHit]]:
    """Linked triggers form one event; the first of each group is its syntactic head."""
    by_i = {h.token.i: h for h in hits}
    parent: dict[int, int] = {}
    for h in hits:
        cur, steps = _phrase_root(h), 0
        while cur.head.i != cur.i and steps < 4 and cur.dep_ in LINK_DEPS:
            cur, steps = cur.head, steps + 1
            if cur.i in by_i:
                parent[h.token.i] = cur.i
                break
    groups: dict[int, list[TriggerHit]] = {}
    for h in hits:
        root = h.token.i
        while root in parent:
            root = parent[root]
        groups.setdefault(root, []).append(h)
    rules = load_event_rules()
    ordered = [sorted(g, key=lambda h: h.token.i != root) for root, g in sorted(groups.items())]
    return _merge_repeats([g for g in ordered if any(is_anchored(h, rules) for h in g)])


def _merge_repeats(groups: list[list[TriggerHit]]) -> list[list[TriggerHit]]:
    """A noun-only group repeating a sub-type already in an earlier group of the sentence is the same event
    ("clearing the town of mines and improvised explosive devices (IED)": one event, not three)."""
    out: list[list[TriggerHit]] = []
    for g in groups:
        nouns_only = all(_phrase_root(h).pos_ in ("NOUN", "PROPN") or _phrase_root(h).dep_ in ("amod", "compound")
                         for h in g)
        subs = {h.entry.sub_event_type for h in g}
        earlier = next((o for o in out if subs & {h.entry.sub_event_type for h in o}), None)
        if nouns_only and earlier is not None:
            earlier.extend(g)
        else:
            out.append(list(g))
    return out


def best_entry(group: list[TriggerHit]) -> TriggerHit:
    """The most specific trigger of a group (highest priority, then the earliest). Explosive devices being cleared
    or defused are weapons disposal ("clearing al-Sukhnah of mines and IEDs")."""
    best = max(group, key=lambda h: (h.entry.priority, -h.token.i))
    rules = load_event_rules()
    disarmed = any(_disarmed(h.token, rules) or h.token.lemma_.lower() in rules.disarm_governors for h in group)
    if best.entry.sub_event_type == "Remote explosive/landmine/IED" and disarmed:
        etype, sub = rules.disarm_type
        entry = dataclasses.replace(best.entry, event_type=etype, sub_event_type=sub, civilian_type=None,
                                    non_state_sub_event=None)
        return TriggerHit(best.token, best.length, entry)
    return best


def _disarmed(tok: "Token", rules: EventRules) -> bool:
    return any(a.lemma_.lower() in rules.disarm_governors for a in list(tok.ancestors)[:4])
