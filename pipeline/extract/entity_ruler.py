"""The entity ruler of the pipeline: spaCy's EntityRuler with case-insensitive phrases.

spaCy's ruler matches phrases on one attribute (ORTH here: gazetteer names must keep their case) and
anything else through its token ``Matcher``, which for a few hundred actor aliases costs about a tenth of
the whole pipeline. Each alias is one fixed token sequence, so a second ``PhraseMatcher`` on LOWER finds
exactly the spans the token patterns ``[{"LOWER": ...}, ...]`` would, at a fraction of the cost. Matches
of both matchers are merged and ranked as the EntityRuler ranks its own (longest first, then leftmost).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc

FACTORY = "claims_entity_ruler"


class CaseFoldRuler(EntityRuler):
    """EntityRuler plus ``add_lower_patterns`` for phrases matched without regard to case."""

    def __init__(self, nlp: Language, name: str, **kwargs):
        super().__init__(nlp, name, **kwargs)
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")

    def add_lower_patterns(self, patterns: list[dict]) -> None:
        """``{"label", "pattern": str, "id"}`` entries matched case-insensitively."""
        for entry in patterns:
            label = self._create_label(entry["label"], entry["id"])
            self._ent_ids[self.matcher._normalize_key(label)] = (entry["label"], entry["id"])
            self.lower_matcher.add(label, [self.nlp.make_doc(entry["pattern"])])

    def match(self, doc: Doc):
        token = self.matcher(doc) if len(self.matcher) else ()  # empty unless token patterns were added
        found = {m for m in (*token, *self.phrase_matcher(doc), *self.lower_matcher(doc)) if m[1] != m[2]}
        return sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)


def register() -> None:
    """Make ``nlp.add_pipe(FACTORY)`` available (idempotent)."""
    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, func=lambda nlp, name, overwrite_ents, phrase_matcher_attr: CaseFoldRuler(
            nlp, name, overwrite_ents=overwrite_ents, phrase_matcher_attr=phrase_matcher_attr, validate=False),
            default_config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"})
