"""Places attached to an event trigger in the dependency parse.

Only places reached from the trigger through prepositional objects, objects, passive subjects, place nouns
("the villages of A, B and C", "in the X neighborhood", "the outskirts of X") and conjuncts are the event's
places; a place elsewhere in the sentence is not. Offsets here are relative to the parsed doc; the caller
shifts them into the article text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from pipeline.schema import PlaceMention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
PLACE_NOUNS = frozenset({"village", "town", "city", "neighborhood", "neighbourhood", "district", "province", "area",
                         "region", "countryside", "suburb", "camp", "governorate", "quarter", "outskirts", "vicinity",
                         "countryside", "border", "locality", "hamlet", "settlement", "municipality", "valley",
                         "mountain", "hill", "highway", "road", "street", "airport", "airbase", "base", "front",
                         "axis", "part", "parts", "areas", "farmland", "desert", "enclave", "pocket", "corridor",
                         "crossing", "square", "centre", "center", "east", "west", "north", "south", "edge", "heart"})
TOWN_NOUNS = frozenset({"town", "city", "village", "neighborhood", "neighbourhood", "district", "camp"})
REGION_NOUNS = frozenset({"province", "governorate", "region", "oblast", "state", "county", "countryside"})
# "outskirts of X", "countryside of X": the event is near or in part of X
PART_NOUNS = frozenset({"outskirts", "countryside", "suburb", "suburbs", "vicinity", "edge", "outskirt", "east",
                        "west", "north", "south", "part", "parts", "areas", "area", "heart", "centre", "center",
                        "neighborhood", "neighbourhood", "district", "quarter", "border", "environs", "periphery"})
DIRECTIONS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
                        "northern", "southern", "eastern", "western", "northeastern", "northwestern",
                        "southeastern", "southwestern", "central", "rural", "outer", "downtown", "greater"})
NEAR_PREPS = frozenset({"near", "outside", "around", "close", "off", "nearby", "beyond", "toward", "towards"})
SKIP_PREPS = frozenset({"with", "by", "against", "for", "since", "during", "after", "before", "until", "amid",
                        "despite", "about", "like", "as", "of", "than", "because", "including", "over", "via"})
# verbs whose object / passive subject is a place ("liberated Palmyra", "Aleppo was shelled")
TERRITORIAL = frozenset({"liberate", "capture", "recapture", "seize", "storm", "enter", "shell", "bomb", "strike",
                         "hit", "target", "attack", "besiege", "encircle", "free", "regain", "retake", "control",
                         "overrun", "take", "pound", "bombard", "raid", "occupy", "reach", "evacuate", "clear",
                         "secure", "invade", "surround", "rock", "shake", "blockade", "siege", "lose", "abandon",
                         "withdraw", "leave", "destroy", "demolish", "level", "flatten", "airstrike", "visit"})
FOLLOW_DEPS = frozenset({"prep", "dobj", "nsubjpass", "npadvmod", "advmod", "obl", "attr", "oprd", "pobj", "dative"})


NOT_PLACE_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "EVENT", "LAW",
                            "LANGUAGE", "WORK_OF_ART"})
LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "around", "across", "throughout", "into", "on",
                            "over", "within", "off", "along", "toward", "towards", "to", "from"})


def is_place_token(tok: "Token") -> bool:
    if tok.ent_id_.startswith(("actor:", "outlet:")):
        return False
    if tok.ent_type_ in PLACE_LABELS:
        return True
    if tok.pos_ != "PROPN" or tok.ent_type_ in NOT_PLACE_ENTS or tok.dep_ not in ("pobj", "conj", "compound"):
        return False
    # a proper noun the small model mislabels ("Palmyra" PERSON, "Corsica" PRODUCT) in a locative slot
    head = tok.head
    while head.dep_ in ("conj", "compound") and head is not head.head:
        head = head.head
    return head.dep_ == "prep" and head.lower_ in ("in", "at", "near", "outside", "inside", "around", "into") and (
        tok.ent_type_ != "PERSON" or tok.dep_ != "pobj" or not tok.is_title or len(list(tok.lefts)) == 0)


def place_span(tok: "Token") -> "Span":
    """The entity covering ``tok``, or its proper-noun compound chain when untagged."""
    doc = tok.doc
    if tok.ent_iob_ != "O":
        for ent in doc.ents:
            if ent.start <= tok.i < ent.end:
                return _strip_det(ent)
    start = tok.i
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].head.i in range(start, tok.i + 1):
        start -= 1
    while start > 0 and doc[start - 1].text == "-" and start > 1 and doc[start - 2].pos_ == "PROPN":
        start -= 2
    return doc[start : tok.i + 1]


def _strip_det(span: "Span") -> "Span":
    while len(span) > 1 and span[0].lower_ in ("the", "a"):
        span = span[1:]
    return span


def _mention(span: "Span", reason: str, modifier: str | None, kind: str | None) -> PlaceMention:
    label = span.label_ if span.label_ else (span.root.ent_type_ or None)
    return PlaceMention(span.text, span.start_char, span.end_char, reason, modifier, kind, label)


def _kind_and_modifier(tok: "Token", modifier: str | None) -> tuple[str | None, str | None]:
    kind = None
    head = tok.head
    if head.lemma_.lower() in REGION_NOUNS and head is not tok:
        kind = "region"
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.lemma_.lower() in REGION_NOUNS:
        kind = "region"
    for c in tok.children:
        if c.dep_ == "amod" and c.lower_ in DIRECTIONS:
            modifier = c.lower_ if modifier is None else f"{modifier}; {c.lower_}"
    return kind, modifier


def _collect_place(tok: "Token", reason: str, modifier: str | None, out: list[PlaceMention]) -> None:
    """A place token and its conjuncts ("Ayash, Hatla, al-Husseiniyeh and Huwejet Saqr")."""
    for t in [tok, *tok.conjuncts]:
        if t is not tok and not (is_place_token(t) or t.pos_ == "PROPN"):
            continue
        kind, mod = _kind_and_modifier(t, modifier)
        span = place_span(t)
        if span[-1].lemma_.lower() in REGION_NOUNS:
            kind = "region"
        out.append(_mention(span, reason, mod, kind))


def _from_noun(noun: "Token", reason: str, modifier: str | None, out: list[PlaceMention], depth: int, last_town) -> None:
    """A non-place noun (pobj/dobj): descend through place nouns and "X of Y"/"Y in X" attachments."""
    lemma = noun.lemma_.lower()
    if lemma in PART_NOUNS or lemma in DIRECTIONS:
        modifier = lemma if modifier is None else f"{modifier}; {lemma}"
    found_before = len(out)
    if lemma in PLACE_NOUNS:
        for c in noun.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        if is_place_token(p) or p.pos_ == "PROPN":
                            _collect_place(p, reason + f"; '{noun.text} of'", modifier, out)
                        elif depth > 0:
                            _from_noun(p, reason, modifier, out, depth - 1, last_town)
        if len(out) == found_before:
            for c in noun.children:
                if c.dep_ in ("compound", "amod", "nmod") and (is_place_token(c) or c.pos_ == "PROPN"):
                    kind = "region" if lemma in REGION_NOUNS else None
                    mod = modifier or (lemma if lemma in ("neighborhood", "neighbourhood", "district", "quarter", "countryside") else None)
                    out.append(_mention(place_span(c), reason + f"; '{c.text} {noun.text}'", mod, kind))
                    break
    if len(out) == found_before and lemma in TOWN_NOUNS and last_town is not None and _is_definite(noun):
        out.append(PlaceMention(last_town.text, last_town.start, last_town.end,
                                f"'the {noun.lower_}' -> last named town {last_town.text}", modifier, None, last_town.label))
    if depth > 0:
        for c in noun.children:
            if c.dep_ == "prep" and c.lower_ not in SKIP_PREPS and not _is_source_frame(c):
                _from_prep(c, reason, modifier, out, depth - 1, last_town)


def _is_definite(noun: "Token") -> bool:
    return any(c.lower_ in ("the", "this", "that") for c in noun.children) and not any(
        c.dep_ in ("compound", "prep") for c in noun.children)


def _from_prep(prep: "Token", reason: str, modifier: str | None, out: list[PlaceMention], depth: int, last_town) -> None:
    word = prep.lower_
    if word in NEAR_PREPS:
        modifier = word if modifier is None else f"{modifier}; {word}"
    for c in prep.children:
        if c.dep_ in ("prep",) and c.lower_ not in SKIP_PREPS:  # "close to X", "north of X"
            _from_prep(c, reason, modifier, out, depth, last_town)
        if c.dep_ != "pobj" and not (c.dep_ == "pcomp"):
            continue
        if is_place_token(c):
            _collect_place(c, f"{reason}: prep-object '{word}'", modifier, out)
        else:
            _from_noun(c, f"{reason}: prep-object '{word}'", modifier, out, depth, last_town)


def places_for(anchors: Iterable["Token"], last_town: PlaceMention | None = None) -> list[PlaceMention]:
    """Places attached to the trigger tokens ``anchors`` (doc-relative offsets), in text order, de-duplicated."""
    out: list[PlaceMention] = []
    for tok in anchors:
        for c in tok.children:
            _follow(c, out, last_town)
    seen: set[tuple[int, int]] = set()
    uniq = []
    for m in sorted(out, key=lambda m: m.start):
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            uniq.append(m)
    return uniq


def _follow(c: "Token", out: list[PlaceMention], last_town) -> None:
    if c.dep_ == "prep":
        if c.lower_ not in SKIP_PREPS and not _is_source_frame(c):
            _from_prep(c, "trigger", None, out, 2, last_town)
        return
    if c.dep_ in ("advmod", "npadvmod") and c.lower_ in DIRECTIONS | {"nearby"}:  # "50 km north of X"
        for p in c.children:
            if p.dep_ == "prep":
                _from_prep(p, "trigger", c.lower_ if p.lower_ == "of" else None, out, 2, last_town)
        return
    if c.dep_ not in FOLLOW_DEPS:
        return
    role = {"dobj": "object", "nsubjpass": "passive subject"}.get(c.dep_, c.dep_)
    if c.dep_ in ("dobj", "nsubjpass") and c.head.lemma_.lower() not in TERRITORIAL:
        if c.pos_ in ("NOUN", "PROPN") and not is_place_token(c):
            for p in c.children:  # "hit a trolleybus in Donetsk"
                if p.dep_ == "prep" and p.lower_ in ("in", "at", "near", "outside"):
                    _from_prep(p, f"trigger: {role}", None, out, 1, last_town)
        return
    if is_place_token(c):
        _collect_place(c, f"trigger: {role}", None, out)
    elif c.pos_ in ("NOUN", "PROPN"):
        _from_noun(c, f"trigger: {role}", None, out, 2, last_town)


def _is_source_frame(prep: "Token") -> bool:
    """'according to X', 'quoted by X': X is a source, not a place."""
    return prep.lower_ == "to" and prep.head.lower_ == "according" or prep.lower_ == "according"


def doc_toponyms(doc: "Doc | Span") -> list[PlaceMention]:
    """Every place entity (GPE/LOC/FAC, not an actor or outlet pattern) in ``doc``."""
    out = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS and not ent.ent_id_.startswith(("actor:", "outlet:")):
            out.append(_mention(_strip_det(ent), "toponym", None, None))
    return out
