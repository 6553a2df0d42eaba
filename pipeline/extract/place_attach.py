"""Places attached to an event trigger in the dependency parse.

A place is the event's when the path from the place up the parse tree reaches a trigger token (or a verb the
trigger's clause hangs on) before any other predicate: prepositional objects ("in X", "near X", "the outskirts of
X"), objects and passive subjects ("liberated Palmyra", "Aleppo was shelled"), place nouns ("the villages of A, B
and C", "in the X neighborhood"), conjuncts, and place modifiers of the participants ("rebel factions in Syria",
"a Mogadishu cafe"). A place that hangs on another verb ("hawks in Washington said ...", "fired from X") is not the
event's place; neither is the active subject ("Britain patrols ..."), a source ("according to X") or a place that
only qualifies a more specific one ("Mafraq in western Baquba", "Iraq's northern city of Mosul": Mafraq, Mosul).
Offsets here are relative to the parsed doc; the caller shifts them into the article text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from pipeline.extract.place_spans import (  # noqa: F401  (re-exported: nlp.py and tests import them from here)
    DIRECTIONS, NEAR_PREPS, STATIVE_PARTICIPLES, is_country as _is_country, PART_NOUNS, PARTICIPANT_NOUNS, PLACE_NOUNS, QUARTER_NOUNS, REGION_NOUNS, SUBJECT_DEPS,
    TOWN_NOUNS, doc_toponyms, is_place_token, is_site as _is_site, mention_text, place_candidates, place_slot_spans, place_span)
from pipeline.extract.place_scorer import RuleView, load_place_model, place_features
from pipeline.schema import PlaceMention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


@dataclass(frozen=True)
class _Attached:
    span: "Span"
    path: tuple["Token", ...]  # from the place's root up to (not including) the anchor


def _path_to(span: "Span", anchors: frozenset[int]) -> tuple["Token", ...] | None:
    """Tokens from the place up to an anchor, or None when another predicate or the root comes first."""
    path = []
    cur = span.root
    while cur.i not in anchors:
        path.append(cur)
        if cur.head.i == cur.i or len(path) > 12:
            return None
        cur = cur.head
        if cur.i not in anchors and cur.pos_ in ("VERB", "AUX") and not _stative(cur):
            return None
    return tuple(path)


def _stative(tok: "Token") -> bool:
    return tok.dep_ in ("acl", "amod") and tok.lemma_.lower() in STATIVE_PARTICIPLES


def _rejected(att: _Attached) -> bool:
    """The active subject ("Britain patrols"), a source ("according to X"), a speaker frame."""
    path = att.path
    top = path[-1]
    if top.dep_ in SUBJECT_DEPS and all(t.dep_ in ("conj", "compound", "appos") for t in path[:-1]):
        return True
    if any(t.lower_ == "according" or (t.lower_ == "to" and t.head.lower_ == "according") for t in path):
        return True
    return _modifies_participant(att)


def _modifies_participant(att: _Attached) -> bool:
    """A place modifying a person, group or craft ("a U.S. helicopter", "Fiji's Vijay Singh", "the governor of
    Azaz") is not where the event happened; one modifying a site or an area ("a Mogadishu cafe", "the western
    sector of Kosovo") is."""
    own = set(range(att.span.start, att.span.end))
    for prev, tok in zip(att.path, att.path[1:]):
        if tok.i in own or prev.i not in own and prev.dep_ != "pobj":
            continue
        if prev.i in own and prev.dep_ in ("compound", "poss", "amod", "nmod", "npadvmod"):
            return _is_participant(tok)
        if prev.dep_ == "pobj" and prev.head.lower_ == "of" and tok.dep_ == "prep":
            return _is_participant(tok.head)
        return False
    return False


def _is_participant(noun: "Token") -> bool:
    """A person, group or craft ("governor", "forces", "Vijay Singh", "helicopter"), not a site."""
    if noun.ent_type_ in ("PERSON", "ORG", "NORP") and noun.pos_ == "PROPN":
        return True
    return noun.lemma_.lower() in PARTICIPANT_NOUNS


def _contained(att: _Attached, others: list[_Attached]) -> bool:
    """The place only qualifies a more specific attached place ("Mafraq in western Baquba": Baquba; "the towns of
    A and B in rural Aleppo": Aleppo; "Iraq's northern city of Mosul": Iraq; "Atmeh, Syria": Syria)."""
    own = set(range(att.span.start, att.span.end))
    other_roots = {o.span.root.i: o for o in others if o is not att}
    for i, tok in enumerate(att.path):
        if tok.i in own:
            continue
        if tok.i in other_roots and att.path[i - 1].dep_ != "conj":
            return True
        named = att.path[i - 1].dep_ in ("compound", "amod", "nmod") and tok.lemma_.lower() in QUARTER_NOUNS
        if tok.pos_ in ("NOUN", "PROPN") and not named and _has_of_place(tok, other_roots, {t.i for t in att.path}):
            return True  # "the X neighbourhood of Y" names X, "Iraq's city of Mosul" contains Mosul
    return False


def _primary(attached: list[_Attached]) -> list[_Attached]:
    """The closest place to the trigger and its conjuncts ("the villages of A, B and C"); a farther one
    ("... 90 km east of Tikrit", "... and is serving a sentence in the United States") is context."""
    if len(attached) <= 1:
        return attached
    best = min(attached, key=lambda a: (_distance(a), a.span.start))
    return [a for a in attached if a is best or _conjoined(a, best)]


def _distance(att: _Attached) -> float:
    d = 0.0
    for prev, tok in zip(att.path, att.path[1:]):
        if tok.dep_ == "prep" and not (tok.lower_ == "of" and tok.head.lemma_.lower() in PLACE_NOUNS):
            d += 1
        elif tok.pos_ in ("NOUN", "PROPN") and prev.dep_ != "conj" and not _is_site(tok):
            d += 0.5
    top = att.path[-1]
    if top.dep_ == "prep" and top.i < top.head.i and top.i <= top.sent.start + 1:
        d += 0.3  # "In X, ...": the setting, often a container of a place named later
    if _is_country(att.span):
        d += 0.7
    elif att.span[-1].lemma_.lower() in REGION_NOUNS:
        d += 0.4
    return d


def _conjoined(a: _Attached, b: _Attached) -> bool:
    ra, rb = a.span.root, b.span.root
    return rb in ra.conjuncts or any(t.dep_ == "conj" and (t.head.i == rb.i or t.i == rb.i) for t in a.path) or any(
        t.dep_ == "conj" and t.head.i == ra.i for t in b.path) or _same_head_of(ra, rb)


def _same_head_of(ra: "Token", rb: "Token") -> bool:
    """Both objects of coordinated place nouns: "Jabal X and large parts of the Y Forests"."""
    return ra.head.i == rb.head.i and ra.dep_ == rb.dep_ == "pobj"


def _has_of_place(noun: "Token", roots: dict, own_path: set[int]) -> bool:
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of" and prep.i not in own_path:
            for p in prep.children:
                if p.dep_ == "pobj" and (p.i in roots or any(c.i in roots for c in p.conjuncts)):
                    return True
    return False


def _mention(att: _Attached, last_reason: str) -> PlaceMention:
    span = att.span
    label = span.label_ if span.label_ else (span.root.ent_type_ or None)
    kind = "region" if span[-1].lemma_.lower() in REGION_NOUNS else None
    modifier = None
    for tok in (span.root, *att.path):
        for c in tok.children:
            if c.dep_ in ("amod", "advmod") and c.lower_ in DIRECTIONS and c.i < span.start + 1:
                modifier = _add(modifier, c.lower_)
    for prev, tok in zip(att.path, att.path[1:]):
        word = tok.lower_ if tok.dep_ == "prep" else tok.lemma_.lower()
        if tok.dep_ == "prep" and word in NEAR_PREPS or tok.pos_ == "NOUN" and word in PART_NOUNS:
            modifier = _add(modifier, word)
        if tok.pos_ == "NOUN" and word in REGION_NOUNS and prev.dep_ in ("pobj", "compound", "nmod"):
            kind = "region"
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    if nxt is not None and nxt.lemma_.lower() in REGION_NOUNS:
        kind = "region"
    text, start, end = mention_text(span)
    return PlaceMention(text, start, end, last_reason, modifier, kind, label)


def _add(modifier: str | None, word: str) -> str:
    return word if modifier is None else f"{modifier}; {word}"


def _reason(att: _Attached) -> str:
    top = att.path[-1] if att.path else att.span.root
    preps = [t.lower_ for t in att.path if t.dep_ == "prep"]
    role = {"dobj": "object", "nsubjpass": "passive subject", "nsubj": "subject", "prep": "prep-object"}.get(
        top.dep_, top.dep_)
    via = f" '{preps[-1]}'" if role == "prep-object" and preps else ""
    nouns = [t.text for t in att.path[1:-1] if t.pos_ == "NOUN"]
    return f"trigger: {role}{via}" + (f"; via '{nouns[-1]}'" if nouns else "")


def places_for(anchors: Iterable["Token"], last_town: PlaceMention | None = None, learned: bool = True
               ) -> list[PlaceMention]:
    """Places attached to the trigger tokens ``anchors`` (doc-relative offsets; the first is the trigger itself),
    in text order, de-duplicated. ``learned`` weighs every place of the sentence with the scorer in
    ``place_model.py`` (the rules' answer is one of its inputs); otherwise the rules alone decide. When none is
    named, a definite "the town"/"the city" attached to the trigger stands for ``last_town``."""
    anchors = list(anchors)
    if not anchors:
        return []
    view = rule_view(anchors)
    if learned:
        out = _learned(anchors, view)
    else:
        out = [_mention(a, _reason(a)) for a in view.kept]
    if not out and last_town is not None:
        out.extend(_the_town(anchors[0].doc, view.rules.anchors, last_town))
    return sorted(out, key=lambda m: m.start)


@dataclass(frozen=True)
class _View:
    candidates: list["Span"]
    attached: dict[int, _Attached]  # by span start
    kept: list[_Attached]
    rules: RuleView


def rule_view(anchors: list["Token"]) -> _View:
    """Every place of the sentence and what the rules make of it: attached to the trigger or not, rejected,
    contained in another, kept. Falls back to the clause the trigger elaborates ("made gains, pushing towards X",
    "launched an offensive, targeting X") when the trigger's own clause keeps nothing."""
    doc = anchors[0].doc
    candidates = place_candidates(doc)
    ids = frozenset(t.i for t in _noun_phrase_heads(anchors))
    view = _rules(candidates, ids)
    if not view.kept:
        wider = _rules(candidates, ids | {c.i for t in anchors for c in t.children if _elaborates(c)})
        view = wider if wider.kept else view
    return view


def _rules(candidates: list["Span"], ids: frozenset[int]) -> _View:
    attached = {}
    for span in candidates:
        if not ids.intersection(range(span.start, span.end)):
            path = _path_to(span, ids)
            if path:
                attached[span.start] = _Attached(span, path)
    rejected = {a.span.start for a in attached.values() if _rejected(a)}
    fine = [a for a in attached.values() if a.span.start not in rejected]
    contained = {a.span.start for a in fine if _contained(a, fine)}
    kept = _primary([a for a in fine if a.span.start not in contained])
    rules = RuleView(frozenset(attached), frozenset(rejected), frozenset(contained),
                     frozenset(a.span.start for a in kept), ids)
    return _View(candidates, attached, kept, rules)


def candidate_features(anchors: list["Token"], view: _View) -> list[list[str]]:
    """Scorer features of each of ``view.candidates`` as the place of the event triggered at ``anchors``."""
    verb = _predicate(anchors)
    kept_roots = frozenset(a.span.root.i for a in view.kept)
    n = len(view.candidates)
    return [place_features(span, verb, n, view.rules, kept_roots) for span in view.candidates]


def conjoined(view: _View) -> list[frozenset[int]]:
    """For each candidate, the indices of the candidates coordinated with it ("the villages of A, B and C")."""
    roots = [span.root for span in view.candidates]
    index = {tok.i: j for j, tok in enumerate(roots)}
    return [frozenset(index[c.i] for c in tok.conjuncts if c.i in index) for tok in roots]


def _learned(anchors: list["Token"], view: _View) -> list[PlaceMention]:
    model = load_place_model()
    verb = _predicate(anchors)
    probs = [model.probability(f) for f in candidate_features(anchors, view)]
    out = []
    for j in model.choose(probs, conjoined(view)):
        span = view.candidates[j]
        att = view.attached.get(span.start) or _Attached(span, _path_up(span, verb))
        out.append(_mention(att, f"{_reason(att)}; score {probs[j]:.2f}"))
    return out


def _predicate(anchors: list["Token"]) -> "Token":
    """The word the scorer measures paths from: the trigger, or for a noun trigger the verb it is an argument of
    ("found a mass grave ... in Palmyra": found)."""
    first = anchors[0]
    if first.pos_ in ("VERB", "AUX"):
        return first
    heads = _noun_phrase_heads(anchors[:1])
    return next((t for t in heads if t.pos_ in ("VERB", "AUX")), next((t for t in anchors if t.pos_ == "VERB"), first))


def _path_up(span: "Span", verb: "Token") -> tuple["Token", ...]:
    """The place's path up the tree to where it meets the trigger's (for places the rules did not attach)."""
    above = {t.i for t in verb.ancestors} | {verb.i}
    path = [span.root]
    while path[-1].i not in above and path[-1].head.i != path[-1].i:
        path.append(path[-1].head)
    return tuple(path[:-1]) or (span.root,)


def _elaborates(tok: "Token") -> bool:
    return tok.dep_ in ("advcl", "xcomp") and tok.tag_ == "VBG" and not any(c.dep_ == "mark" for c in tok.children)


def _noun_phrase_heads(anchors: list["Token"]) -> list["Token"]:
    """A word inside a noun trigger ("mass" of "a mass grave") stands for its noun, a noun trigger that is an
    argument stands for its verb too ("found a mass grave ... in Palmyra", "a blast rocked X")."""
    out = list(anchors)
    for tok in anchors:
        cur = tok
        while cur.dep_ in ("amod", "compound", "nmod") and cur.head.i != cur.i and cur.head.pos_ in ("NOUN", "PROPN"):
            cur = cur.head
        if cur.pos_ in ("NOUN", "PROPN") and cur.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") and \
                cur.head.pos_ in ("VERB", "AUX"):
            out.extend((cur, cur.head))
        elif cur is not tok:
            out.append(cur)
    return out


def _the_town(doc: "Doc", ids: frozenset[int], last_town: PlaceMention) -> list[PlaceMention]:
    for tok in doc:
        if tok.lemma_.lower() in TOWN_NOUNS and _is_definite(tok) and tok.dep_ in ("pobj", "dobj", "nsubjpass"):
            if _path_to(doc[tok.i : tok.i + 1], ids):
                return [PlaceMention(last_town.text, last_town.start, last_town.end,
                                     f"'the {tok.lower_}' -> last named town {last_town.text}", None, None,
                                     last_town.label)]
    return []


def _is_definite(noun: "Token") -> bool:
    return any(c.lower_ in ("the", "this", "that") for c in noun.children) and not any(
        c.dep_ in ("compound", "prep", "amod") for c in noun.children)
