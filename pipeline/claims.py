"""Who the outlet cites for an event (claim_source) and how it frames it (claim_status).

Policy for relayed sources: the source is the party the OUTLET cites. "a military source told SANA" in an
article by another outlet gives "SANA (a military source)"; in SANA's own article it gives "a military source".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.lexicon import ClaimLexicon
from pipeline.roles import np_span

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


def claim_source(sent: "Span", anchors: list["Token"], outlet: str, lex: ClaimLexicon,
                 agencies: frozenset[str]) -> str | None:
    """The cited party, from "according to X", "X said/reported/told Y" frames around the trigger."""
    src = _according_to(sent, lex)
    if src is not None:
        return src
    verb = _reporting_verb(sent, anchors, lex)
    if verb is None:
        return None
    speaker = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if speaker is None or speaker.lower_ in lex.pronouns:
        return None
    speaker_text = np_span(speaker, keep_det=True).text
    relay = _relay_outlet(verb, agencies)
    if relay and relay.lower() != (outlet or "").lower() and relay.lower() != speaker_text.lower():
        return f"{relay} ({speaker_text})"
    return speaker_text


def _according_to(sent: "Span", lex: ClaimLexicon) -> str | None:
    low = [t.lower_ for t in sent]
    for prep in lex.source_prepositions:
        words = prep.split()
        n = len(words)
        for i in range(len(low) - n + 1):
            if low[i : i + n] == words:
                last = sent[i + n - 1]
                obj = next((c for c in last.children if c.dep_ in ("pobj", "dobj")), None)
                if obj is None and i + n < len(sent):
                    obj = next((c for c in sent[i + n - 1].head.children if c.dep_ == "pobj"), None)
                if obj is not None and obj.lower_ not in lex.pronouns:
                    return np_span(obj).text
    return None


def _reporting_verb(sent: "Span", anchors: list["Token"], lex: ClaimLexicon) -> "Token | None":
    """A reporting verb that governs the trigger, or a parenthetical one ("..., SANA said.")."""
    for anchor in anchors:
        for anc in anchor.ancestors:
            if anc.lemma_.lower() in lex.reporting_verbs and anc.pos_ == "VERB":
                return anc
    for tok in sent:
        if tok.lemma_.lower() in lex.reporting_verbs and tok.pos_ == "VERB":
            if tok.dep_ in ("parataxis", "ROOT") or tok.head in anchors:
                return tok
    return None


def _relay_outlet(verb: "Token", agencies: frozenset[str]) -> str | None:
    for c in verb.children:
        if c.dep_ in ("dobj", "dative"):
            if c.ent_id_.startswith("outlet:"):
                return c.ent_id_.split(":", 1)[1]
            text = np_span(c).text
            if text in agencies:
                return text
    return None


def claim_status(sent: "Span", anchors: list["Token"], source: str | None, lex: ClaimLexicon) -> str:
    """denied > alleged > reported > asserted."""
    governors = {a.lemma_.lower() for anchor in anchors for a in anchor.ancestors}
    governors |= {c.lemma_.lower() for anchor in anchors for c in anchor.children if c.dep_ in ("aux",)}
    if governors & lex.deny_verbs or any(t.lemma_.lower() in lex.deny_nouns for t in sent):
        return "denied"
    if any(t.lower_ in lex.hedge_words for t in sent) or governors & lex.hedge_verbs:
        return "alleged"
    text = sent.text.lower()
    if source is not None or any(p in text for p in lex.report_adverbs):
        return "reported"
    return "asserted"
