"""Actor, target and fatalities of an event from the dependency parse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.extract.actors import ActorIndex, weapon_owners
from pipeline.resources import word_set

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

NP_DROP = frozenset({"relcl", "acl", "appos", "punct", "cc", "conj", "advcl", "parataxis", "ccomp"})
NP_KEEP_PREPS = word_set("roles.np_keep_preps")
TARGET_PREPS = word_set("roles.target_preps")
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
OWNER_DEPS = frozenset({"poss", "amod", "compound", "nmod", "npadvmod"})
BACKED_WORDS = word_set("roles.backed_words")
BACKED = re.compile(r"^(?P<who>.+?)\s*-\s*(?:led|backed|supported|sponsored|allied|affiliated)$", re.I)
# transitive harm verbs: with no object and no auxiliary they are reduced passives ("29 rebels killed in clashes")
TRANSITIVE_HARM = word_set("roles.transitive_harm")
KILL_LEMMAS = word_set("roles.kill_lemmas")
DEATH_VERBS = frozenset({"die", "perish"})
CIVILIAN_WORDS = re.compile(r"\b(civilians?|children|women|people|residents|villagers|families|worshippers|"
                            r"students|passengers|farmers|shepherds|hospital|school|mosque|church|market|"
                            r"patients|displaced|refugees|citizens|protesters|journalists?|doctors?|bakery|homes?)\b", re.I)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
                "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12}


@dataclass(frozen=True)
class Party:
    text: str
    canonical: str | None
    group: str | None


def np_span(tok: "Token", keep_det: bool = False) -> "Span":
    """The noun phrase headed by ``tok``, without relative clauses, appositions or conjuncts."""
    keep = {tok.i}
    stack = [tok]
    while stack:
        cur = stack.pop()
        for c in cur.children:
            if c.dep_ in NP_DROP or (c.dep_ == "prep" and c.lower_ not in NP_KEEP_PREPS):
                continue
            if c.dep_ == "prep" and cur is tok and c.i < tok.i:
                continue
            keep.add(c.i)
            stack.append(c)
    lo, hi = min(keep), max(keep)
    doc = tok.doc
    while lo < hi and doc[lo].dep_ in ("det", "punct", "cc") and doc[lo].lower_ not in ("no",) and not (
            keep_det and doc[lo].dep_ == "det"):
        lo += 1
    while hi > lo and doc[hi].is_punct:
        hi -= 1
    return doc[lo : hi + 1]


def _resolve_relative(tok: "Token") -> "Token":
    """'who' in 'soldiers who liberated' -> 'soldiers'."""
    if tok.lower_ in RELATIVE_PRONOUNS:
        verb = tok.head
        if verb.dep_ == "relcl":
            return verb.head
    return tok


def _subject(verb: "Token") -> "Token | None":
    for c in verb.children:
        if c.dep_ in ("nsubj", "csubj"):
            return _resolve_relative(c)
    for c in verb.children:
        if c.dep_ == "agent":
            for p in c.children:
                if p.dep_ == "pobj":
                    return p
    return None


def _inherited_subject(verb: "Token") -> "Token | None":
    """Subject of a conjoined / participial / relative clause from its governor."""
    cur, steps = verb, 0
    while steps < 3 and cur.head.i != cur.i:
        if cur.dep_ == "relcl" and cur.pos_ == "VERB":
            return cur.head if not any(c.dep_ in ("nsubjpass",) for c in cur.children) else None
        if cur.dep_ not in ("conj", "advcl", "xcomp", "acl"):
            return None
        cur, steps = cur.head, steps + 1
        subj = _subject(cur)
        if subj is not None and not any(c.dep_ == "nsubjpass" for c in cur.children):
            return subj
        if any(c.dep_ == "nsubjpass" for c in cur.children):
            return _subject_agent(cur)
    return None


def _subject_agent(verb: "Token") -> "Token | None":
    for c in verb.children:
        if c.dep_ == "agent":
            return next((p for p in c.children if p.dep_ == "pobj"), None)
    return None


def _noun_actor(noun: "Token", index: ActorIndex, context: str) -> "Token | None":
    """'Russian airstrikes', 'Israel's bombardment', 'shelling by terrorists', 'US-led strikes'."""
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ in ("by", "between"):  # "shelling by X", "clashes between X and Y"
            return next((p for p in c.children if p.dep_ == "pobj"), None)
    for c in noun.children:
        if c.dep_ == "poss" or (c.dep_ in ("amod", "compound", "nmod") and _actorish(c, index, context)):
            return c
    return None


def _actorish(tok: "Token", index: ActorIndex, context: str) -> bool:
    text = np_span(tok).text
    if _opposed(tok):
        return False  # "an anti-ISIL offensive" is against ISIL
    return bool(BACKED.match(backed_text(tok))) or index.normalise(text, context) is not None


def actor_token(anchors: list["Token"], index: ActorIndex, context: str) -> "Token | None":
    """The actor of the event: subject, passive agent, inherited subject of a conjoined/participial clause, the
    owner of a weapon ("an Israeli airstrike killed", "killed in U.S. air strikes"), or the actor modifier of a noun
    trigger ("Russian airstrikes", "shelling by terrorists")."""
    for tok in anchors:
        tok = _noun_head(tok)
        if tok.pos_ in ("VERB", "AUX"):
            if tok.lemma_.lower() in DEATH_VERBS:  # "seven people died in rebel shelling": the subject is the dead
                subj = _weapon_in_preps(tok, index, context)
                if subj is not None:
                    return subj
                continue
            subj = _subject(tok) if not _is_passive(tok) else _subject_agent(tok)
            if subj is None and not _has_own_subject(tok):
                subj = _inherited_subject(tok)
            if subj is None and _is_passive(tok):
                subj = _weapon_in_preps(tok, index, context) or _when_clause_actor(tok, index, context)
        else:
            subj = _noun_actor(tok, index, context)
        if subj is not None and _is_count(subj):
            subj = None
        owner = _weapon_owner(subj, index, context) if subj is not None else None
        if owner is not None and subj.lower_ not in RELATIVE_PRONOUNS:
            return owner  # an ownerless weapon ("Air raids kill ...") leaves the other trigger words to try
    return None


def _is_count(tok: "Token") -> bool:
    """'2' of the headline '2 killed 8 injured in ...', a date: a victim count or a dateline, never an actor."""
    return tok.like_num or tok.ent_type_ in ("DATE", "TIME", "CARDINAL") and not any(
        c.dep_ in ("compound", "amod", "poss") and not c.like_num for c in tok.children)


def _has_own_subject(verb: "Token") -> bool:
    """'more than half of them have been amnestied' has its own (passive) subject: nothing to inherit;
    'Terrorists driven out of Aleppo' (a passive participle on its noun): the noun is the target."""
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children) or (
        verb.dep_ == "acl" and verb.tag_ == "VBN")


def _noun_head(tok: "Token") -> "Token":
    """'air' in the phrase trigger 'air strikes' -> 'strikes'."""
    steps = 0
    while tok.dep_ in ("compound", "amod") and tok.head.pos_ in ("NOUN", "PROPN") and steps < 3:
        tok, steps = tok.head, steps + 1
    return tok


def _is_weapon(tok: "Token") -> bool:
    return tok.lemma_.lower() in weapon_owners().nouns or tok.lower_ in weapon_owners().nouns


def _weapon_owner(tok: "Token", index: ActorIndex, context: str) -> "Token | None":
    """A weapon/attack noun as actor is replaced by its owner modifier; with no owner there is no actor."""
    if not _is_weapon(tok) or index.normalise(left_span(tok).text, context) is not None:
        return tok
    return _owner_modifier(tok, index, context)


def left_span(tok: "Token") -> "Span":
    """The noun phrase without what it acts on ("Syria army shelling" of "Syria army shelling of rebel town");
    an origin stays ("fighters from the Faylaq al-Sham faction")."""
    span = np_span(tok)
    cut = [c.i for c in tok.children if c.dep_ == "prep" and c.lower_ in TARGET_PREPS and c.i > tok.i]
    end = min(cut) if cut else span.end
    return span.doc[span.start : max(span.start + 1, min(end, span.end))]


def _owner_modifier(noun: "Token", index: ActorIndex, context: str) -> "Token | None":
    stack, seen = [noun], 0
    while stack and seen < 8:
        cur = stack.pop(0)
        seen += 1
        for c in cur.children:
            if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
                return next((p for p in c.children if p.dep_ == "pobj"), None)
            if c.dep_ == "acl" and c.tag_ == "VBN" and cur is noun:  # "an attack carried out by X"
                stack.append(c)
            if c.dep_ in OWNER_DEPS and c.i < noun.i:
                if c.dep_ == "compound" and _is_weapon(c):
                    stack.append(c)  # "regime barrel bomb attacks": the owner modifies "barrel"
                elif _owner_match(c, index, context) is not None:
                    return c
    return None


def backed_text(tok: "Token") -> str:
    """'US-led' for the token 'led' of 'US - led' (the tokenizer splits some hyphenated modifiers)."""
    if tok.lower_ in BACKED_WORDS and tok.i > tok.left_edge.i:
        return tok.doc[tok.left_edge.i : tok.i + 1].text
    return tok.text


def _modifier_text(tok: "Token") -> str:
    """A modifier with its own modifiers ("Syrian army" of "Syrian army shelling", "al-Nusra Front")."""
    start = min(tok.left_edge.i, tok.i)
    while start > 0 and tok.doc[start - 1].head.i == tok.head.i and tok.doc[start - 1].dep_ in ("amod", "compound"):
        start -= 1  # "Syrian" and "army" both modifying a mis-tagged head
    return tok.doc[start : tok.i + 1].text


def _owner_match(tok: "Token", index: ActorIndex, context: str):
    text = np_span(tok).text if tok.dep_ == "poss" else _modifier_text(tok)
    m = BACKED.match(backed_text(tok))
    return (index.normalise(text, context) or (index.normalise(m.group("who"), context) if m else None)
            or weapon_owners().owner(tok.text, index, context))


def _weapon_in_preps(verb: "Token", index: ActorIndex, context: str) -> "Token | None":
    """'were killed in U.S. air strikes' -> 'U.S.'."""
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ in ("in", "by", "from", "after", "during", "amid"):
            for p in c.children:
                if p.dep_ == "pobj" and _is_weapon(_noun_head(p)):
                    return _owner_modifier(_noun_head(p), index, context)
    return None


def _when_clause_actor(verb: "Token", index: ActorIndex, context: str) -> "Token | None":
    """'were killed when Syrian army helicopters dropped barrel bombs' -> 'Syrian army helicopters': the subject of a
    'when' clause on a passive with no agent, if it names a known actor (or a weapon with a known owner)."""
    for c in verb.children:
        if c.dep_ != "advcl" or not any(m.lower_ == "when" for m in c.children if m.dep_ in ("advmod", "mark")):
            continue
        subj = next((s for s in c.children if s.dep_ == "nsubj"), None)
        if subj is None:
            continue
        owner = _weapon_owner(subj, index, context)
        if owner is not None and index.normalise(left_span(owner).text, context) is not None:
            return owner
        if owner is not None and _owner_match(owner, index, context) is not None:
            return owner
    return None


def _is_passive(verb: "Token") -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or _headline_passive(verb)


def _headline_passive(verb: "Token") -> bool:
    """'Terrorists driven out of all Aleppo quarters': a bare participle ROOT with no object is a passive; so is a
    bare participle conjoined to a passive ('15 were killed and dozens wounded')."""
    vbd_reduced = verb.tag_ == "VBD" and verb.lemma_.lower() in TRANSITIVE_HARM  # "70 terrorists killed in ..."
    if (verb.tag_ != "VBN" and not vbd_reduced) or any(c.dep_ in ("aux", "auxpass", "dobj", "ccomp", "xcomp")
                                                      for c in verb.children):
        return False
    return verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.i != verb.i and _is_passive(verb.head))


def target_token(anchors: list["Token"]) -> "Token | None":
    own = {a.i for a in anchors}
    for tok in anchors:
        for c in tok.children:
            if c.i in own:
                continue  # "launched an offensive": the event noun is no target of its own
            if c.dep_ in ("dobj", "nsubjpass") or (c.dep_ == "nsubj" and _headline_passive(tok)):
                return _resolve_relative(c)
        if tok.pos_ in ("NOUN", "PROPN"):
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in ("on", "against", "of", "targeting"):
                    p = next((p for p in c.children if p.dep_ == "pobj"), None)
                    if p is not None:
                        return p
        if tok.pos_ == "VERB" and tok.dep_ == "relcl" and _is_passive(tok):
            return tok.head
    return None


def party(tok: "Token | None", index: ActorIndex, context: str) -> Party | None:
    if tok is None or _opposed(tok):
        return None
    span = left_span(tok) if _is_weapon(tok) else np_span(tok)
    text = span.text
    m = BACKED.match(backed_text(tok)) if tok.dep_ in ("amod", "compound", "npadvmod") else None
    if m or (tok.dep_ in OWNER_DEPS and tok.head.pos_ in ("NOUN", "PROPN")):
        text = (m.group(0) if m else _modifier_text(tok)) if tok.dep_ != "poss" else text
    match = index.normalise(text, context)
    if match is None and m:
        # "US-led strikes": the US leads them; "US-backed forces": the forces act, not their backer
        led = m.group(0).lower().endswith("led")
        match = index.normalise(m.group("who") if led else np_span(tok.head).text, context)
    if match is None and tok.dep_ in OWNER_DEPS and _is_weapon(tok.head):
        match = weapon_owners().owner(tok.text, index, context)
    return Party(text, match.canonical if match else None, match.group if match else None)


def _opposed(tok: "Token") -> bool:
    """'anti-ISIL', 'anti - regime', 'counter-terrorism': the group named is the target, not the actor."""
    doc = tok.doc
    left = doc[max(0, tok.i - 2) : tok.i + 1].text.lower()
    return left.startswith(("anti", "counter")) or "anti-" in left or "anti -" in left or "counter-" in left


def is_civilian(text: str | None) -> bool:
    return bool(text and CIVILIAN_WORDS.search(text))


def fatalities(anchors: list["Token"], sent: "Span") -> int | None:
    """Number reported killed: 'killed six people', 'over 900 terrorists have been killed', 'death toll ... 112'."""
    for tok in anchors:
        for cand in _kill_tokens(tok, sent):
            n = _count_for(cand)
            if n is not None:
                return n
    return None


def _kill_tokens(tok: "Token", sent: "Span") -> list["Token"]:
    near = [tok, *tok.children, tok.head, *tok.head.children]
    out = [t for t in near if t.lemma_.lower() in KILL_LEMMAS and t.i in range(sent.start, sent.end)]
    return sorted(set(out), key=lambda t: t.i)


def _count_for(kill: "Token") -> int | None:
    lemma = kill.lemma_.lower()
    if lemma in ("kill", "execute", "massacre", "slay", "murder", "behead", "slaughter", "assassinate", "claim"):
        victims = [c for c in kill.children if c.dep_ in ("dobj", "nsubjpass")]
    elif lemma in ("die", "dead"):
        victims = [c for c in kill.children if c.dep_ in ("nsubj", "npadvmod")] + ([kill.head] if lemma == "dead" else [])
    else:  # death toll
        victims = [t for t in kill.subtree if t.like_num] + [t for t in kill.head.subtree if t.like_num and t.i > kill.i]
        return _number(victims[0]) if victims else None
    for v in victims:
        num = next((c for c in v.children if c.dep_ == "nummod"), None)
        if num is None and v.like_num:
            num = v
        if num is not None:
            return _number(num)
    return None


def _number(tok: "Token") -> int | None:
    text = tok.text.replace(",", "").lower()
    if text.isdigit():
        return int(text)
    if text in NUMBER_WORDS:
        value = NUMBER_WORDS[text]
        nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
        if nxt is not None and nxt.lower_ in ("hundred", "thousand"):
            value *= 100 if nxt.lower_ == "hundred" else 1000
        return value
    try:
        return int(float(text))
    except ValueError:
        return None


SOURCE_PREP_HEADS = word_set("roles.source_prep_heads")
TARGET_PREP_WORDS = word_set("roles.target_prep_words")
GENERIC_ACTOR_GROUPS = frozenset({"unidentified", "civilians"})


def sentence_actor(anchors: list["Token"], target: "Token | None", sent: "Span", index: ActorIndex, context: str,
                   speakers: frozenset[str] = frozenset()) -> "Token | None":
    """When the parse gives no actor: the owner of a means named anywhere in the sentence ("regime airstrikes and
    shelling on Aleppo killed 12", "coalition aircraft struck"), else a subject or "by" agent that names a known
    actor. Never the target, a victim, the cited source or a place attacked."""
    blocked = _not_actors(anchors, target, sent, speakers)
    for tok in sent:
        if tok.i not in blocked and tok.dep_ in OWNER_DEPS and tok.i < tok.head.i and _is_weapon(tok.head):
            if _owner_match(tok, index, context) is not None:
                return tok
    for tok in sent:
        if tok.i in blocked or not (tok.dep_ == "nsubj" or (tok.dep_ == "pobj" and tok.head.lower_ == "by")):
            continue
        hit = index.normalise(np_span(tok).text, context)
        if hit is not None and hit.group not in GENERIC_ACTOR_GROUPS:
            return tok
    return None


def _not_actors(anchors: list["Token"], target: "Token | None", sent: "Span", speakers: frozenset[str]) -> set[int]:
    """Token indices that cannot hold the actor: the target's and victims' phrases, cited sources, attacked places."""
    blocked: set[int] = set()
    roots = [target] if target is not None else []
    roots += [c for a in anchors for c in a.children if c.dep_ in ("dobj", "nsubjpass")]  # what the event is done to
    for tok in sent:
        if tok.dep_ in ("dobj", "nsubjpass") and tok.head.lemma_.lower() in TRANSITIVE_HARM | KILL_LEMMAS:
            roots.append(tok)  # victims
        elif tok.dep_ == "nsubj" and tok.head.lemma_.lower() in speakers:
            roots.append(tok)  # "the Observatory said"
        elif tok.dep_ == "pobj" and (tok.head.lower_ in TARGET_PREP_WORDS or tok.head.head.lower_ in SOURCE_PREP_HEADS
                                     or tok.head.lower_ in SOURCE_PREP_HEADS):
            roots.append(tok)  # "strikes on X", "according to X"
    for r in roots:
        blocked.update(t.i for t in r.subtree)
    return blocked
