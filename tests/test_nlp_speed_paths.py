"""The shortcuts that make extraction faster than a plain parse must not change what it finds.

Each test compares a shortcut with the slow path it replaces, on real text (seeds, FA-KES) and the real model:
the indexed attribute ruler against spaCy's own, the "ner" gate against parsing everything, the LOWER phrase
matcher against case variants, the inflection-bounded prefilter against the words it must and must not take.
"""

from __future__ import annotations

import pytest

from conftest import FAKES_CSV, seed_files
from pipeline.extract.lexicon import load_triggers
from pipeline.extract.nlp import RULER_NAME, build_nlp, load_model
from pipeline.extract.sentences import split_sentences
from pipeline.settings import Settings


def _seed_sentences() -> list[str]:
    out = []
    for path in seed_files():
        text = path.read_text(encoding="utf-8")
        out.extend(text[s:e] for s, e in split_sentences(text))
    return out


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """The seed articles' sentences (always in the clone: 153), plus 60 FA-KES articles when ../shared is beside it."""
    found = _seed_sentences()
    assert len(found) >= 150, "the five demo articles in data/ are missing"
    if FAKES_CSV.is_file():
        import csv

        with open(FAKES_CSV, encoding="cp1252", errors="replace", newline="") as fh:
            for row in list(csv.DictReader(fh))[:60]:
                text = row.get("article_content") or ""
                found.extend(text[s:e] for s, e in split_sentences(text))
        assert len(found) > 200
    return found


def test_nlp_indexed_attribute_ruler_matches_spacys_own(sentences):
    from pipeline.extract.attribute_rules import IndexedAttributeRuler, indexed_attribute_ruler

    plain, fast = load_model("en_core_web_sm"), load_model("en_core_web_sm")
    assert indexed_attribute_ruler(fast)
    assert isinstance(fast.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    assert fast.pipe_names == plain.pipe_names
    tokens = 0
    for a, b in zip(plain.pipe(sentences), fast.pipe(sentences)):
        got = [(t.pos_, t.tag_, str(t.morph), t.lemma_) for t in b]
        assert got == [(t.pos_, t.tag_, str(t.morph), t.lemma_) for t in a], a.text
        tokens += len(a)
    assert tokens > 3000  # the seeds alone give 3,545 tokens; with FA-KES beside the checkout about 12,000


def test_nlp_indexed_attribute_ruler_keeps_spacys_component_for_unsupported_patterns():
    from spacy.pipeline import AttributeRuler

    from pipeline.extract.attribute_rules import IndexedAttributeRuler, indexed_attribute_ruler

    nlp = load_model("en_core_web_sm")
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "kill", "OP": "+"}]], {"LEMMA": "kill"})  # an operator: not indexable
    assert not indexed_attribute_ruler(nlp)
    assert type(nlp.get_pipe("attribute_ruler")) is AttributeRuler
    assert not isinstance(nlp.get_pipe("attribute_ruler"), IndexedAttributeRuler)


def test_nlp_ner_gate_keeps_every_sentence_with_an_event(worker, sentences):
    """A sentence ``may_hold_event`` rejects before "ner" yields no event after the full pipeline either."""
    from pipeline.extract.triggers import find_triggers, group_hits, may_hold_event

    nlp, lex = worker.nlp, load_triggers()
    late = nlp.pipe_names[nlp.pipe_names.index("ner"):]
    before = list(nlp.pipe(sentences, disable=late))
    after = list(nlp.pipe(sentences))
    gated = [may_hold_event(d[:], lex) for d in before]
    eventful = [bool(group_hits(find_triggers(d[:], lex))) for d in after]
    assert not [d.text for d, g, e in zip(after, gated, eventful) if e and not g]
    assert sum(eventful) > 30  # the seeds alone give 38 sentences with an event; FA-KES adds more
    assert sum(gated) < len(gated)  # the gate does skip something


def test_nlp_gated_extraction_equals_full_ner_on_every_sentence(worker):
    """Events from the gated path equal those of a pipeline that runs "ner" on every candidate sentence."""
    from pipeline.extract import events as extract
    from pipeline.schema import Article

    texts = [p.read_text(encoding="utf-8") for p in seed_files()]
    articles = [Article(Article.make_id(t, "seed"), "seed", None, "metadata", None, None, "t", t) for t in texts]
    gated = [e for _, x in extract.extract_many(worker.nlp, articles) for e in x.events]
    original = extract._parse_candidates

    def ungated(nlp, texts_):
        return [(doc, True) for doc in nlp.pipe(texts_, batch_size=256)]

    extract._parse_candidates = ungated
    try:
        full = [e for _, x in extract.extract_many(worker.nlp, articles) for e in x.events]
    finally:
        extract._parse_candidates = original
    key = lambda e: (e.char_start, e.trigger_start, e.sub_event_type, e.actor, e.target, e.claim_source)
    assert len(gated) > 20
    assert sorted(map(key, gated)) == sorted(map(key, full))


@pytest.fixture(scope="module")
def plain_nlp():
    return build_nlp(Settings())


@pytest.mark.parametrize("text, label_id", [
    ("Fighters of the islamic state fled.", "actor:Islamic State"),
    ("ISLAMIC STATE fighters fled.", "actor:Islamic State"),
    ("Islamic State fighters fled.", "actor:Islamic State"),
    ("IS fighters fled.", "actor:Islamic State"),
])
def test_nlp_actor_aliases_match_regardless_of_case(plain_nlp, text, label_id):
    doc = plain_nlp(text)
    assert label_id in {e.ent_id_ for e in doc.ents}, [(e.text, e.ent_id_) for e in doc.ents]


def test_nlp_short_capitalised_alias_is_exact(plain_nlp):
    doc = plain_nlp("This is what it is.")
    assert not [e for e in doc.ents if e.ent_id_.startswith("actor:")]
    assert RULER_NAME in plain_nlp.pipe_names


@pytest.mark.parametrize("word", ["expelled", "withdrawn", "kidnapped", "killings", "shelled", "liberation",
                                  "airstrikes", "taken", "hitting", "mines", "protesters"])
def test_lexicon_prefilter_takes_inflections(word):
    assert load_triggers().prefilter.search(f"They said {word} yesterday.")


@pytest.mark.parametrize("word", ["minister", "December", "freedom", "career", "democracy"])
def test_lexicon_prefilter_skips_words_a_short_stem_only_starts(word):
    assert not load_triggers().prefilter.search(f"The {word} spoke.")
