"""Event triggers in a parsed sentence: lexicon match, modality/negation filter, grouping of linked triggers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.lexicon import Modality, TriggerEntry, TriggerLexicon

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# dependency steps that keep two triggers in one event ("killed in shelling", "shelled ..., killing five")
LINK_DEPS = frozenset({"prep", "pobj", "advcl", "acl", "xcomp", "nsubj", "nsubjpass", "dobj", "compound", "amod",
                       "npadvmod", "relcl", "agent", "poss", "nmod", "attr", "oprd", "pcomp", "dep"})
ATTACK_HEADS = frozenset({"attack", "strike", "raid", "fire", "shell", "round", "barrage", "explosion", "blast",
                          "assault", "operation", "campaign", "bombardment", "shelling", "fighting", "clash"})
NEGATING_GOVERNORS = frozenset({"foil", "thwart", "prevent", "avert", "stop", "halt", "avoid", "cancel"})


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
    for tok in sent:
        if tok.i in covered:
            continue
        hit = _phrase_at(tok, sent, lex) or _single_at(tok, lex)
        if hit is None or (hit.length == 1 and _is_modifier_only(tok)) or not is_realis(hit.token, lex.modality):
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
            return TriggerHit(head if n > 1 else tok, n, entry) if head is tok else TriggerHit(tok, n, entry)
    return None


def _single_at(tok: "Token", lex: TriggerLexicon) -> TriggerHit | None:
    for key in (tok.lemma_.lower(), tok.lower_):
        for entry in lex.single.get(key, ()):
            pos = "NOUN" if tok.pos_ == "PROPN" and "PROPN" not in entry.pos else tok.pos_
            if pos in entry.pos and (not entry.requires_object or _has_object(tok)):
                return TriggerHit(tok, 1, entry)
    return None


def _is_modifier_only(tok: "Token") -> bool:
    """'torture cells', 'rocket launchers': a noun used as a modifier of another noun is not an event."""
    return tok.dep_ in ("compound", "amod") and tok.head.pos_ in ("NOUN", "PROPN") and (
        tok.head.lemma_.lower() not in ATTACK_HEADS)


def _has_object(tok: "Token") -> bool:
    return any(c.dep_ in ("dobj", "nsubjpass", "attr") for c in tok.children)


def _clause_verb(tok: "Token") -> "Token":
    """The verb whose clause ``tok`` is in (tok itself for verbs)."""
    cur, steps = tok, 0
    while cur.pos_ not in ("VERB", "AUX") and cur.head is not cur and steps < 4:
        cur, steps = cur.head, steps + 1
    return cur


def is_realis(tok: "Token", mod: Modality) -> bool:
    """False for negated, modal, planned, threatened or conditional triggers."""
    if any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in tok.children):
        return False
    if tok.pos_ in ("NOUN", "PROPN") and not _noun_realis(tok, mod):
        return False
    verb = _clause_verb(tok)
    for v in {tok, verb}:
        if not _verb_realis(v, mod):
            return False
    return True


def _verb_realis(v: "Token", mod: Modality) -> bool:
    for c in v.children:
        if c.dep_ == "neg" or c.lower_ in ("never",):
            return False
        if c.dep_ in ("aux", "auxpass") and c.lower_ in mod.modal_aux:
            return False
        if c.dep_ == "mark" and c.lower_ in mod.hypothetical_markers:
            return False
    infinitive = any(c.dep_ == "aux" and c.tag_ == "TO" for c in v.children)
    if infinitive and v.head is not v:
        head = v.head
        if head.lemma_.lower() in mod.realis_heads:
            return _verb_realis(head, mod)
        if head.pos_ == "NOUN" and head.lemma_.lower() not in mod.irrealis_nouns:
            return True  # "the first army to enter the town": keep
        return False
    if v.dep_ in ("xcomp", "ccomp", "dobj") and v.head.lemma_.lower() in NEGATING_GOVERNORS:
        return False
    return True


def _noun_realis(tok: "Token", mod: Modality) -> bool:
    head = tok.head
    if head.dep_ == "prep" and head.head.lemma_.lower() in mod.irrealis_nouns:
        return False
    gov = head.head if head.dep_ == "prep" else head
    if tok.dep_ in ("dobj", "pobj") and gov.lemma_.lower() in (mod.irrealis_heads | NEGATING_GOVERNORS) - {"be", "have"}:
        return False
    return True


def group_hits(hits: list[TriggerHit]) -> list[list[TriggerHit]]:
    """Linked triggers form one event; the first of each group is its syntactic head."""
    by_i = {h.token.i: h for h in hits}
    parent: dict[int, int] = {}
    for h in hits:
        cur, steps = h.token, 0
        while cur.head is not cur and steps < 3 and cur.dep_ in LINK_DEPS:
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
    return [sorted(g, key=lambda h: h.token.i != root) for root, g in sorted(groups.items())]


def best_entry(group: list[TriggerHit]) -> TriggerHit:
    """The most specific trigger of a group (highest priority, then the earliest)."""
    return max(group, key=lambda h: (h.entry.priority, -h.token.i))
