"""Which places are the event's (pipeline/places.py via extract.locate_event and extract), with the real model and
gazetteer: parse-path attachment, rejected subjects/participants/containers, gazetteer-guarded proper nouns,
document focus."""

from __future__ import annotations

import pytest

from pipeline.extract.events import extract, locate_event
from pipeline.extract.nlp import GUESSER_NAME
from pipeline.extract.place_attach import place_slot_spans
from pipeline.schema import Article


@pytest.fixture(scope="module")
def nlp(worker):
    return worker.nlp


def located(nlp, sentence: str, verb: str) -> list[str]:
    start = sentence.index(verb)
    return [sentence[a:b] for a, b in sorted(locate_event(nlp, sentence, start, start + len(verb)))]


@pytest.mark.parametrize(
    ("sentence", "verb", "expected"),
    [
        # prepositional objects of the trigger, and of its object ("a hostel in X")
        ("A Palestinian was shot dead in Hebron on Saturday.", "shot", ["Hebron"]),
        ("Five civilians were killed in the Suuqa Xoolaha neighborhood of Mogadishu on Sunday.", "killed",
         ["Suuqa Xoolaha"]),
        # conjuncts: every village of the list, not the region that contains them
        ("Russian jets also launched intense airstrikes on the towns of Khan Touman, Aleis and Alzorba in southern "
         "rural Aleppo.", "launched", ["Khan Touman", "Aleis", "Alzorba"]),
        ("Tens of thousands of people demonstrated against the war in Washington, New York, San Francisco and Los "
         "Angeles over the weekend.", "demonstrated", ["Washington", "New York", "San Francisco", "Los Angeles"]),
        # place modifiers of the participants count ("rebel factions in Syria") ...
        ("Competing rebel factions in Syria are increasingly attacking each other.", "attacking", ["Syria"]),
        # ... the active subject does not ("Britain patrols"), nor a place qualifying a person
        ("Britain patrols the Iraqi coastline in the Gulf.", "patrols", ["Gulf"]),
        ("Fiji's Vijay Singh captured his second PGA title of the season on Monday.", "captured", []),
        # the closest place, not the reference point ("240 km northeast of Colombo") or the container
        ("The rebels captured seven soldiers on Sept. 25 in Trincomalee, 240 kilometers northeast of Colombo.",
         "captured", ["Trincomalee"]),
        ("A woman detonated an explosive vest in the area of Mafraq in western Baquba, the source told Xinhua.",
         "detonated", ["Mafraq"]),
        ("Serbs captured the Muslim village of Bihac on Saturday in northwestern Bosnia.", "captured", ["Bihac"]),
        # a place hanging on another predicate is not the event's
        ("Rebels have captured the town of Uvira, rebel radio broadcasting from Goma reported Monday.", "captured",
         ["Uvira"]),
        ("He was captured in Honduras and is serving a life sentence in the United States.", "captured",
         ["Honduras"]),
        # no place in the sentence, or only a source
        ("Gunmen shot dead two police officers on Friday, according to sources in Damascus.", "shot", []),
        ("The army has captured dozens of militants since January.", "captured", []),
    ],
)
def test_extract_places_attach_locate_event_table(nlp, sentence, verb, expected):
    assert located(nlp, sentence, verb) == expected


def test_extract_places_attach_noun_trigger_takes_its_verbs_place(nlp):
    """Seed 000: the trigger is the noun "mass grave"; "in Palmyra" hangs on "found"."""
    text = ("In April 2016, the Syrian Army found a mass grave with dozens of corpses, women and children among "
            "them, in Palmyra.")
    ev = extract(nlp, Article("d", "RT", None, None, None, None, "t", text)).events
    assert ev and [p.text for p in ev[0].places] == ["Palmyra"]
    assert not ev[0].places[0].reason.startswith("document focus")


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("The police patrolled Tororo on Monday.", "Tororo"),  # the model says PRODUCT
        ("Gunmen stormed the Tulkarm prison on Monday.", "Tulkarm"),  # ORG
        ("Rebels captured Hilla on Monday.", "Hilla"),  # PERSON
    ],
)
def test_extract_places_attach_gazetteer_guard_tags_known_names(nlp, sentence, name):
    """A proper noun in a place slot that the model mislabels becomes a place when the gazetteer knows the exact
    name; without the guesser component it is not one."""
    with nlp.select_pipes(disable=[GUESSER_NAME]):
        assert (name, "GPE") not in [(e.text, e.label_) for e in nlp(sentence).ents]
    assert (name, "GPE") in [(e.text, e.label_) for e in nlp(sentence).ents]


def test_extract_places_attach_gazetteer_guard_rejects_unknown_names(nlp):
    known = nlp.get_pipe(GUESSER_NAME).known
    assert known("Tororo")
    assert not known("Qwzyxabad Khorvoq") and not known("Vijay Singh") and not known("Zabdeen")  # fuzzy != exact
    doc = nlp("Rebels captured Hilla on Monday.")
    with nlp.select_pipes(disable=[GUESSER_NAME]):
        assert [s.text for s in place_slot_spans(nlp("Rebels captured Hilla on Monday."))] == ["Hilla"]
    assert place_slot_spans(doc) == []  # already a place: nothing left to guess


def test_extract_places_attach_document_focus_is_marked_and_lowered(worker):
    """A sentence that names no place inherits the document's place with a reason saying so; the geocoder then
    never reports it as an exact place (geo_precision >= 2)."""
    text = "Syrian troops entered Palmyra on Sunday. Two soldiers were killed by a landmine on Monday."
    events = extract(worker.nlp, Article("d2", "SANA", None, None, None, None, "t", text)).events
    inherited = [p for e in events if e.trigger == "killed" for p in e.places]
    assert [p.text for p in inherited] == ["Palmyra"]
    assert inherited[0].reason.startswith("document focus")
    focus = worker.geocoder.focus([p for e in events for p in e.places], text)
    match = worker.geocoder.resolve(inherited[0], focus)
    assert match is not None and match.geo_precision >= 2 and "document" in match.geo_reason


def test_extract_places_attach_background_dated_to_a_year_inherits_no_place(worker):
    """Seed 002: "The peaceful protests that began in 2011 ..." is background; it must not be mapped at the place
    the article is about (Sednaya) through the document focus."""
    text = ("The White Helmets have deployed teams to Sednaya prison. "
            "The peaceful protests that began in 2011 were met with brutal force.")
    events = extract(worker.nlp, Article("d3", "BBC", None, None, None, None, "t", text)).events
    protests = [e for e in events if e.event_type == "Protests"]
    assert protests and all(e.places == () for e in protests)


def _places(worker, text: str, trigger: str) -> list[tuple[str, bool]]:
    events = extract(worker.nlp, Article("d4", "AFP", None, None, None, None, "t", text)).events
    return [(p.text, p.reason.startswith("document focus")) for e in events if e.trigger == trigger for p in e.places]


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # the headline names only the country: the lead's town stands in for it, marked as document focus
        ("Air raids kill 11 civilians in east Syria. At least 11 civilians were killed in air raids on the town of "
         "Al-Mayadin in the province of Deir Ezzor, the monitor said.", "kill", [("Syria", False),
                                                                                ("Al-Mayadin", True)]),
        # a headline with no place at all takes the lead's first town
        ("Suicide bomber kills six. A suicide bomber killed six people in a restaurant in Qamishli on Sunday.",
         "kills", [("Qamishli", True)]),
        # a dateline is where the reporter files from: a town of the lead wins, else the dateline stands in
        ("BEIRUT (AFP) - Air strikes killed 15 people on Monday. The strikes hit the town of Douma on the outskirts "
         "of the capital.", "killed", [("Douma", True)]),
        ("Damascus, SANA - Terrorists killed three civilians with a mortar shell on Monday.", "killed",
         [("Damascus", True)]),
        # a town already named wins over a country named later
        ("Troops entered Palmyra on Sunday. Two soldiers were killed in Syria on Monday.", "killed",
         [("Syria", False), ("Palmyra", True)]),
    ],
)
def test_extract_places_attach_country_only_and_lead_focus(worker, text, trigger, expected):
    assert _places(worker, text, trigger) == expected


@pytest.mark.parametrize(
    ("text", "trigger", "place"),
    [
        ("Three civilians were killed in Syrias Aleppo on Monday.", "killed", "Aleppo"),  # apostrophe lost
        ("Rockets hit Adra east of Damascus on Monday.", "hit", "Adra"),
    ],
)
def test_extract_places_attach_span_cleaning(worker, text, trigger, place):
    assert place in [p for p, _ in _places(worker, text, trigger)]


def test_extract_places_attach_page_furniture_is_no_place(worker):
    events = extract(worker.nlp, Article("d5", "alaraby", None, None, None, None, "t",
                                         "Date of publication 5 July 2016 A car bomb killed five people in Homs.")).events
    assert all(p.text != "Date" for e in events for p in e.places)
