"""Who the outlet cites for an event (claim_source) and how it frames it (claim_status).

Policy for relayed sources: the source is the party the OUTLET cites. "a military source told SANA" in an
article by another outlet gives "SANA (a military source)"; in SANA's own article it gives "a military source".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.extract.lexicon import ClaimLexicon
from pipeline.extract.roles import RELATIVE_PRONOUNS, np_span
from pipeline.resources import word_set

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


PERSONAL = word_set("claims.personal")
_NAME = r"((?:[A-Z][\w'’.-]+\s+){0,4}[A-Z][\w'’-]+)"
SPEAKER_PATTERNS = (
    re.compile(_NAME + r",?\s+(?:said|says|told|added|stated|noted|explained|pointed out|stressed|announced|"
                       r"confirmed|declared|insisted)\b"),
    re.compile(r"\baccording to\s+" + _NAME),
    re.compile(r"\b(?:said|says|added|told \w+)\s+" + _NAME),
)
TITLES = re.compile(r"^(?:(?:First|Deputy|Head|Lieutenant|General|Colonel|Col|Major|Maj|Gen|Brigadier|Captain|Admiral|"
                    r"President|Prime|Minister|Foreign|Defense|Defence|Spokesman|Spokeswoman|Ambassador|Commander|"
                    r"Chief|Mr|Mrs|Ms|Dr|Sheikh|Senator|Secretary|Director|Governor|Mayor)\.?\s+)+")


def claim_source(sent: "Span", anchors: list["Token"], outlet: str, lex: ClaimLexicon,
                 agencies: frozenset[str], preceding: str = "") -> str | None:
    """The cited party, from "according to X", "X said/reported/told Y" frames around the trigger. Never a
    pronoun: "which"/"who" give their antecedent, "he"/"she" the last person named as speaking in ``preceding``
    (the article's text before this sentence), else None."""
    src = _according_to(sent, lex)
    if src is not None:
        return src
    verb = _reporting_verb(sent, anchors, lex)
    if verb is None:
        return None
    speaker = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if speaker is not None and speaker.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
        speaker = verb.head
    if speaker is None:
        return None
    if speaker.lower_ in PERSONAL:
        return last_named_speaker(preceding, agencies)
    if speaker.lower_ in lex.pronouns or speaker.lower_ in RELATIVE_PRONOUNS or speaker.pos_ == "PRON":
        return None
    if not _can_speak(speaker):
        return None
    speaker_text = _speaker_text(speaker)
    relay = _relay_outlet(verb, agencies)
    if relay and relay.lower() != (outlet or "").lower() and relay.lower() != speaker_text.lower():
        return f"{relay} ({speaker_text})"
    return speaker_text


NOT_SPEAKERS = frozenset({"other", "others", "day", "days", "week", "time", "year", "month", "one", "some", "many",
                          "all", "both", "most", "none", "attack", "blast", "explosion", "strike", "landmine", "bomb"})


def _can_speak(speaker: "Token") -> bool:
    """'six others were wounded, ...': a count, a time word or an event is no source."""
    return not (speaker.like_num or speaker.lower_ in NOT_SPEAKERS or speaker.lemma_.lower() in NOT_SPEAKERS
                or len(speaker.text) < 3 or not any(ch.isalpha() for ch in speaker.text))


def _speaker_text(speaker: "Token") -> str:
    """'the general' -> 'general', 'a military source' kept, 'Almasdar news and SANA' kept whole."""
    span = np_span(speaker, keep_det=True)
    end = span.end
    for c in speaker.children:
        if c.dep_ == "conj" and c.i > speaker.i:
            end = max(end, np_span(c).end)
    doc = speaker.doc
    start = span.start + (1 if doc[span.start].lower_ == "the" and span.start < end - 1 else 0)
    return doc[start:end].text


def last_named_speaker(preceding: str, agencies: frozenset[str] = frozenset()) -> str | None:
    """The person most recently named as speaking ("..., Lieutenant General Viktor Poznikhir said" -> "Viktor
    Poznikhir"; "according to Poznikhir" -> "Poznikhir"); news outlets and "The ..." phrases are not persons."""
    best: tuple[int, str] | None = None
    for pattern in SPEAKER_PATTERNS:
        for m in pattern.finditer(preceding[-4000:]):
            name = TITLES.sub("", m.group(1)).strip()
            first = name.split()[0] if name else ""
            if not name or first in ("The", "He", "She", "It", "They", "We", "I") or name in agencies:
                continue
            if best is None or m.end() > best[0]:
                best = (m.end(), name)
    return best[1] if best else None


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
                if obj is not None and obj.lower_ not in lex.pronouns and obj.pos_ != "PRON" and _can_speak(obj):
                    return _speaker_text(_inner_source(obj))
    return None


def _inner_source(obj: "Token") -> "Token":
    """'the latest data from the Russian Defense ministry' -> 'Russian Defense ministry'."""
    if obj.lemma_.lower() in CONTAINERS:
        for c in obj.children:
            if c.dep_ == "prep" and c.lower_ in ("from", "by", "of"):
                inner = next((p for p in c.children if p.dep_ == "pobj"), None)
                if inner is not None:
                    return inner
    return obj


CONTAINERS = word_set("claims.containers")


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
    if governors & lex.deny_verbs or any(t.lemma_.lower() in lex.deny_nouns for t in sent) or (
            lex.deny_phrases is not None and lex.deny_phrases.search(sent.text)):
        return "denied"
    if any(t.lower_ in lex.hedge_words for t in sent) or governors & lex.hedge_verbs:
        return "alleged"
    text = sent.text.lower()
    if source is not None or any(p in text for p in lex.report_adverbs) or _reporting_verb(sent, anchors, lex):
        return "reported"
    return "asserted"
