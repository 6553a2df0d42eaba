"""A learned scorer for "is this place where the event happened?", over the parse around the trigger.

The rules in ``places.py`` find the places the parse attaches to a trigger; this scorer weighs each place span of
the sentence with those rule judgements plus the dependency path between place and trigger, the preposition, the
noun it hangs on, its side and distance, and the trigger's own lemma and form. It is a logistic regression whose
weights live in ``resources/place_attach.json``; ``benchmarks/train_place_model.py`` fits them on the tuning slice
of ../shared/eval/event_location (rows i % 5 != 0; every 5th row is kept out for measuring) and says how.

Selection: the best place when its score passes ``threshold``, the places coordinated with it (the other towns
of "the towns of A, B and C") and any other place scoring above ``also``. Features are strings; the score is the
sum of their weights, in a fixed order, so it is the same on every run and machine.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from pipeline.extract.place_spans import REGION_NOUNS, is_country
from pipeline.resources import RESOURCES_DIR

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

WEIGHTS_FILE = "place_attach.json"


@dataclass(frozen=True)
class RuleView:
    """What the rules said about each candidate (token offsets of span starts)."""
    attached: frozenset[int]    # a path to the trigger without another predicate on the way
    rejected: frozenset[int]    # attached, but a subject, a source or a participant's modifier
    contained: frozenset[int]   # attached, but only qualifies a more specific place
    kept: frozenset[int]        # the rules' answer
    anchors: frozenset[int]     # trigger tokens and the clause/noun they stand for


@dataclass(frozen=True)
class PlaceModel:
    weights: dict[str, float]
    bias: float
    threshold: float
    also: float

    def probability(self, feats: Iterable[str]) -> float:
        z = self.bias + math.fsum(self.weights.get(f, 0.0) for f in sorted(set(feats)))
        return 1.0 / (1.0 + math.exp(-z))

    def choose(self, probs: list[float], conjoined: list[frozenset[int]] | None = None) -> list[int]:
        """Indices of the chosen places: the best above ``threshold``, the places conjoined with it ("in A, B
        and C": ``conjoined[j]`` holds the indices joined to place j) and any other above ``also``."""
        if not probs or max(probs) <= self.threshold:
            return []
        best = max(range(len(probs)), key=lambda j: (probs[j], -j))
        joined = conjoined[best] if conjoined else frozenset()
        return [j for j, p in enumerate(probs) if j == best or j in joined or p > self.also]


@lru_cache(maxsize=1)
def load_place_model() -> PlaceModel:
    data = json.loads((RESOURCES_DIR / WEIGHTS_FILE).read_text(encoding="utf-8"))
    return PlaceModel(data["weights"], data["bias"], data["threshold"], data["also"])


def _chain(tok: "Token") -> list["Token"]:
    out = [tok]
    while out[-1].head.i != out[-1].i and len(out) < 40:
        out.append(out[-1].head)
    return out


def _bucket(n: int, cuts: tuple[int, ...] = (0, 1, 2, 3, 5, 8, 12)) -> str:
    return next((str(c) for c in cuts if n <= c), "big")


def place_features(span: "Span", verb: "Token", n_candidates: int, rules: RuleView, kept_roots: frozenset[int]
                   ) -> list[str]:
    """Feature strings for ``span`` as the place of the event whose trigger is ``verb``."""
    root = span.root
    up, down, lca = _paths(root, verb)
    updeps = ">".join(t.dep_ for t in up[:5])
    preps = [t for t in up if t.dep_ == "prep"]
    prep = preps[0].lower_ if preps else "-"
    nouns = [t for t in up[1:] if t.pos_ == "NOUN" and not span.start <= t.i < span.end]
    f = ["up=" + updeps, "down=" + "<".join(t.dep_ for t in down[:4]),
         "path=" + updeps + "|" + "<".join(t.dep_ for t in down[:4]),
         "uplen=" + _bucket(len(up)), "downlen=" + _bucket(len(down)),
         "uppred=" + _bucket(sum(1 for t in up[1:] if t.pos_ in ("VERB", "AUX"))),
         "downpred=" + _bucket(sum(1 for t in down[1:] if t.pos_ in ("VERB", "AUX"))),
         "rootdep=" + root.dep_, "headdep=" + root.head.dep_ + "_" + root.head.pos_,
         "label=" + (span.label_ or root.ent_type_ or "none"), "ent=" + (root.ent_type_ or "none"),
         "len=" + _bucket(len(span), (1, 2, 3)), "ncands=" + _bucket(n_candidates, (1, 2, 3, 4)),
         "verb=" + verb.lemma_.lower(), "vtag=" + verb.tag_, "vdep=" + verb.dep_,
         f"verbXprep={verb.lemma_.lower()}_{prep}"]
    if lca is None:
        f.append("nolca")
    else:
        f += ["lcapos=" + lca.pos_, "lca_is_verb" if lca.i == verb.i else "lca_other",
              f"lca_anchor={lca.i in rules.anchors}"]
        if lca.i != verb.i:
            f.append("lcadep=" + lca.dep_ + "_" + lca.pos_)
    if preps:
        f += ["prep1=" + prep, "preplast=" + preps[-1].lower_, "prep1_head=" + preps[0].head.pos_]
    if nouns:
        f += ["noun1=" + nouns[0].lemma_.lower(), f"noun1X={nouns[0].lemma_.lower()}_{prep}"]
    f += _shape_features(span, verb) + _rule_features(span, rules, kept_roots, updeps, prep)
    if any(t.lower_ == "according" for t in up):
        f.append("according")
    if any(t.lemma_ in ("say", "tell", "report", "claim") for t in up):
        f.append("speechpath")
    if any(t.dep_ in ("dobj", "nsubjpass", "nsubj", "pobj", "npadvmod", "advmod") for t in up):
        f.append("topdep=" + up[-1].dep_)
    return f


def _paths(root: "Token", verb: "Token") -> tuple[list["Token"], list["Token"], "Token | None"]:
    """The place's path up to the lowest common ancestor with the trigger, the trigger's path up to it, and it."""
    vchain = _chain(verb)
    vpos = {t.i: k for k, t in enumerate(vchain)}
    cchain = _chain(root)
    k = next((k for k, t in enumerate(cchain) if t.i in vpos), None)
    if k is None:
        return cchain[:6], [], None
    lca = cchain[k]
    return cchain[:k], vchain[: vpos[lca.i]], lca


def _shape_features(span: "Span", verb: "Token") -> list[str]:
    doc = span.doc
    f = []
    if is_country(span):
        f.append("country")
    if span[-1].lemma_.lower() in REGION_NOUNS:
        f.append("regionword")
    if span.text.isupper() and len(span.text) > 2:
        f.append("allcaps")
    if span.start == span.sent.start:
        f.append("sentstart")
    if span.root.dep_ in ("appos", "conj"):
        f.append("dep_" + span.root.dep_)
    nxt = doc[span.end].text if span.end < len(doc) else "EOS"
    f.append("next=" + (nxt if nxt in ",.()—-:;'\"" else "w"))
    f.append("prev=" + (doc[span.start - 1].lower_ if span.start > 0 else "BOS"))
    d = span.start - verb.i if span.start > verb.i else span.end - 1 - verb.i
    f += ["side=" + ("after" if d > 0 else "before"), "dist=" + _bucket(abs(d)),
          "sdist=" + ("+" if d > 0 else "-") + _bucket(abs(d))]
    if any(c.dep_ == "neg" for c in verb.children):
        f.append("vneg")
    if any(c.dep_ == "auxpass" for c in verb.children):
        f.append("vpass")
    return f


def _rule_features(span: "Span", rules: RuleView, kept_roots: frozenset[int], updeps: str, prep: str) -> list[str]:
    kept = span.start in rules.kept
    attached = span.start in rules.attached
    f = [f"rule={kept}", f"att={attached}", f"rule_any={bool(rules.kept)}", f"ruleXprep={kept}_{prep}"]
    if attached:
        f += [f"rej={span.start in rules.rejected}", f"cont={span.start in rules.contained}"]
    if kept:
        f.append("rule_up=" + updeps)
    if any(c.i in kept_roots for c in span.root.conjuncts):
        f.append("conj_rule")
    return f
