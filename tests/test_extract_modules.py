"""Direct tests of the extraction helpers the pipeline test only end to end: roles (actor, target, fatalities),
place_spans (place candidates), actors (the lexicon), claims (source and status), and clean/articles (the clean
stage's driver). Real spaCy model; tables of input -> expected."""

from __future__ import annotations

import pytest

from pipeline.clean.articles import to_article
from pipeline.extract.actors import actor_index, responsibility_claims
from pipeline.extract.claims import claim_source, claim_status, last_named_speaker
from pipeline.extract.lexicon import load_claims
from pipeline.extract.place_spans import known_country, place_candidates
from pipeline.extract.roles import actor_token, fatalities, party, target_token
from pipeline.ingest.readers import RawDoc


@pytest.fixture(scope="module")
def nlp(worker):
    return worker.nlp


def _anchor(doc, word):
    return [next(t for t in doc if t.text == word)]


# ---- roles -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, trigger, actor, target, killed", [
    ("Syrian troops shelled the town of Douma, killing five civilians.", "shelled", "Syrian troops", "town of Douma", 5),
    ("Five civilians were killed by rebel mortar fire in Aleppo.", "killed", "rebel mortar fire", "Five civilians", 5),
    ("Islamic State militants executed 20 men in Palmyra.", "executed", "Islamic State militants", "20 men", 20),
    ("Russian airstrikes killed 12 people in Idlib.", "killed", "Russian airstrikes", "12 people in Idlib", 12),
])
def test_roles_actor_target_fatalities(nlp, text, trigger, actor, target, killed):
    doc = nlp(text)
    anchors = _anchor(doc, trigger)
    index = actor_index()
    got_actor = party(actor_token(anchors, index, text), index, text)
    got_target = party(target_token(anchors), index, text)
    assert (got_actor.text if got_actor else None) == actor
    assert (got_target.text if got_target else None) == target
    assert fatalities(anchors, doc[:]) == killed


# ---- place_spans -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, places", [
    ("Clashes erupted in Aleppo and Idlib on Monday.", ["Aleppo", "Idlib"]),
    ("The London-based Syrian Observatory said 12 were killed.", []),
    ("Troops entered the town of Zabadani.", ["Zabadani"]),
])
def test_place_spans_candidates(nlp, text, places):
    assert [s.text for s in place_candidates(nlp(text))] == places


@pytest.mark.parametrize("text, expected", [("Syria", True), ("Syrian Arab Republic", True), ("Aleppo", False)])
def test_place_spans_known_country(text, expected):
    assert known_country(text) is expected


# ---- actors ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, canonical, group", [
    ("Daesh", "Islamic State", "rebel groups"),
    ("the regime", "Syrian Arab Army", "state forces"),
    ("US-led coalition", "US-led coalition", "external forces"),
    ("SDF", "Syrian Democratic Forces", "rebel groups"),
    ("a shepherd", None, None),
])
def test_actors_lexicon_normalises(text, canonical, group):
    hit = actor_index().normalise(text, "Syria")
    assert (hit.canonical if hit else None, hit.group if hit else None) == (canonical, group)


def test_actors_responsibility_claim():
    text = "A car bomb killed nine people in Azaz. The Islamic State group claimed responsibility for the attack."
    found = list(responsibility_claims(text, actor_index(), text))
    assert [(m.canonical, written) for _, written, m in found] == [("Islamic State", "Islamic State group")]


# ---- claims ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, trigger, source, status", [
    ("Shelling killed five people in Douma, according to the Syrian Observatory.", "killed", "Syrian Observatory", "reported"),
    ("Activists said air strikes killed 12 people in Idlib.", "killed", "Activists", "reported"),
    ("Rebels allegedly shelled a school in Aleppo.", "shelled", None, "alleged"),
    ("The army denied that it bombed the hospital in Idlib.", "bombed", "army", "denied"),
    ("Troops captured the village of Tell Hamis.", "captured", None, "asserted"),
])
def test_claims_source_and_status(nlp, text, trigger, source, status):
    doc = nlp(text)
    anchors = _anchor(doc, trigger)
    lex = load_claims()
    got = claim_source(doc[:], anchors, "Reuters", lex, frozenset({"SANA", "Reuters"}))
    assert got == source
    assert claim_status(doc[:], anchors, got, lex) == status


def test_claims_last_named_speaker_skips_outlets():
    text = "Lieutenant General Viktor Poznikhir said the strikes continued. SANA said the army advanced."
    assert last_named_speaker(text, frozenset({"SANA"})) == "Viktor Poznikhir"


# ---- clean/articles (the clean stage's driver) -------------------------------------------------------------------
def test_clean_articles_to_article(settings):
    body = "Air strikes hit Douma on Monday, killing 12 people, activists said.\nShare this article\n" * 3
    got = to_article(RawDoc("x.txt", body, False, title=None, url="javascript:alert(1)", outlet="Reuters",
                            date="2016-07-10"), settings)
    assert got.article is not None and not got.rejects
    assert "Share this" not in got.article.text
    assert got.article.url is None and any("not http(s)" in w.reason for w in got.warnings)
    assert (str(got.article.published), got.article.published_source, got.article.outlet) == ("2016-07-10", "metadata", "Reuters")


def test_clean_articles_rejects_furniture_only(settings):
    got = to_article(RawDoc("y.txt", "Share this\nRead more\nComments", False), settings)
    assert got.article is None and got.rejects and "characters of text" in got.rejects[0].reason
