"""spaCy pipeline -> event candidates: who did what, to whom, where, when, by whose account.

Public interface used by the rest of the pipeline (keep these signatures):

    build_nlp(settings, geocoder=None) -> spacy.Language          (pipeline/nlp.py)
    extract(nlp, article: Article) -> Extraction
    extract_many(nlp, articles: Iterable[Article], batch_size=32) -> Iterator[tuple[Article, Extraction]]
    locate_event(nlp, sentence, verb_start, verb_end) -> list[tuple[int, int]]   (for the event_location benchmark)

Speed: a rule-based splitter cuts the text into sentences and a regex of trigger stems keeps only those that can
hold an event; only they go through the full model (in one ``nlp.pipe`` over all articles of a batch), with
offsets mapped back into ``article.text``. The other sentences get the tokenizer and the entity ruler only, for
toponyms (the document focus). Offsets of everything returned index ``article.text``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Iterable, Iterator

from pipeline.extract.actors import actor_index, responsibility_claims, weapon_owners
from pipeline.extract.claims import claim_source, claim_status
from pipeline.extract.dates import find_date
from pipeline.extract.lexicon import load_claims, load_outlets, load_triggers
from pipeline.extract.means import EARLIER_EVENT, background_reason, type_by_means, type_from_context
from pipeline.extract.nlp import RULER_NAME, build_nlp
from pipeline.extract.place_spans import known_country
from pipeline.extract.place_attach import doc_toponyms, places_for
from pipeline.extract.roles import Party, actor_token, fatalities, is_civilian, party, sentence_actor, target_token
from pipeline.schema import Article, EventCandidate, Extraction, PlaceMention
from pipeline.extract.sentences import split_sentences
from pipeline.extract.triggers import TriggerHit, best_entry, find_triggers, group_hits, may_hold_event
from pipeline.resources import word_set

if TYPE_CHECKING:
    import spacy
    from spacy.tokens import Doc

__all__ = ["build_nlp", "extract", "extract_many", "locate_event"]

NER = "ner"
# A sentence without date words reports an event of the days before its article: event_date is the article's date
# at "week" precision (ACLED codes the report date likewise), with date_text empty to say it was not written.
REPORT_DATE_PRECISION = "week"
LEAD_SENTENCES = 3  # headline + first sentences: the event the article is about
GOVERNED_DEPS = frozenset({"dobj", "nsubj", "nsubjpass", "attr"})
AIR_ACTOR = re.compile(r"\b(air ?force|aerospace|warplanes?|jets?|aircraft|drones?|helicopters?|aviation|bombers?)\b", re.I)
# foreign forces that fight in Syria from the air: their generic "attack", "killed" is a strike (ACLED)
AIR_MEANS = re.compile(r"\b(?:air ?strikes?|air-strikes?|air ?raids?|war ?planes?|jets?|aircraft|helicopters?|drones?|"
                       r"aviation|air force|aerial|barrel ?bombs?|sorties?|bombers?)\b", re.I)
DRONE = re.compile(r"\bdrones?\b", re.I)
AIR_POWERS = frozenset({"Israel Defense Forces", "US-led coalition", "United States armed forces", "Russian armed forces"})
GROUND_WORDS = re.compile(r"\b(?:troops|soldiers|ground|commandos?|special forces|raid(?:ed)? by land|infantry|tanks?)\b", re.I)
# a ground force named as the actor: a neighbouring sentence's means does not make its killing a strike
GROUND_ACTOR = re.compile(r"\b(?:army|armys|troops|soldiers|units|infantry|fighters|gunmen|militants|rebels)\b", re.I)
NON_STATE = frozenset({"rebel groups", "political militias", "identity militias", "unidentified"})
CLASH_NOUNS = frozenset({"clash", "fighting", "battle", "confrontation", "firefight", "gunfight", "skirmish"})
FIGHTER_SITES = re.compile(r"\b(?:gatherings?|positions?|hideouts?|dens?|strongholds?|headquarters|fortifications?|"
                           r"bases?|posts?|convoys?|vehicles|concentrations?|launchers?|depots?|targets?)\b", re.I)
# a truce or a deal only talked about: "a resolution calling for a ceasefire", "remains committed to a ceasefire"
AGREEMENT_TALK = re.compile(r"\b(?:vetoe?[sd]?|veto(?:ing)?|resolution|call(?:s|ed|ing)? for|urg(?:e|es|ed|ing)|"
                            r"demand(?:s|ed|ing)?|committed to|insist(?:s|ed|ing)?|must|should|propos(?:e|es|ed|al|ing)|"
                            r"negotiat(?:e|es|ed|ing|ions)|talks|hospitals?|halt(?:s|ed)?|stall(?:s|ed)|collapsed?|"
                            r"suspend(?:s|ed)|broke down|falter(?:s|ed)|could not|cannot)\b", re.I)  # "evacuated to a hospital"
COMMENT_VERBS = word_set("events.comment_verbs")
COUNTRY_WORDS = word_set("events.country_words")


@dataclass
class _Plan:
    """One article's sentences and which of them the parser will see."""

    article: Article
    spans: list[tuple[int, int]]
    candidate: list[bool]
    docs: dict[int, "Doc"] = field(default_factory=dict)


def extract(nlp: "spacy.Language", article: Article) -> Extraction:
    """Events and toponyms of one article."""
    return next(extract_many(nlp, [article]))[1]


def extract_many(nlp: "spacy.Language", articles: Iterable[Article], batch_size: int = 32
                 ) -> Iterator[tuple[Article, Extraction]]:
    """(article, extraction) for each article, in input order; sentences of a batch are parsed together."""
    lex = load_triggers()
    it = iter(articles)
    while True:
        batch = list(islice(it, max(1, batch_size)))
        if not batch:
            return
        plans = [_plan(a, lex.prefilter) for a in batch]
        _parse(nlp, plans)
        for plan in plans:
            yield plan.article, _assemble(plan)


def _plan(article: Article, prefilter) -> _Plan:
    text = article.text or ""
    spans = split_sentences(text)
    return _Plan(article, spans, [bool(prefilter.search(text, s, e)) for s, e in spans])


def _parse(nlp: "spacy.Language", plans: list[_Plan]) -> None:
    full = [(p, i) for p in plans for i, c in enumerate(p.candidate) if c]
    texts = (p.article.text[p.spans[i][0] : p.spans[i][1]] for p, i in full)
    for (p, i), (doc, eventful) in zip(full, _parse_candidates(nlp, texts)):
        p.docs[i] = doc
        p.candidate[i] = eventful
    if RULER_NAME not in nlp.pipe_names or not _has_place_patterns(nlp):
        return
    light = [(p, i) for p in plans for i, c in enumerate(p.candidate) if not c and i not in p.docs]
    others = [n for n in nlp.pipe_names if n != RULER_NAME]
    texts = (p.article.text[p.spans[i][0] : p.spans[i][1]] for p, i in light)
    for (p, i), doc in zip(light, nlp.pipe(texts, batch_size=512, disable=others)):
        p.docs[i] = doc


def _parse_candidates(nlp: "spacy.Language", texts: Iterable[str]) -> list[tuple["Doc", bool]]:
    """Candidate sentences through the whole pipeline, except that "ner" (about half of the small model's time)
    only sees the sentences that can still hold an event once parsed (``may_hold_event``); the others keep the
    entity ruler's entities (gazetteer names, enough for the document focus) and are marked not eventful.
    Components after "ner" run on every sentence. Without gazetteer patterns every candidate gets "ner"."""
    lex = load_triggers()
    if NER not in nlp.pipe_names or RULER_NAME not in nlp.pipe_names or not _has_place_patterns(nlp):
        return [(doc, True) for doc in nlp.pipe(texts, batch_size=256)]
    late = nlp.pipe_names[nlp.pipe_names.index(NER):]
    docs = list(nlp.pipe(texts, batch_size=256, disable=late))
    eventful = [may_hold_event(d[:], lex) for d in docs]
    for name in late:
        proc = nlp.get_pipe(name)
        todo = [i for i, d in enumerate(docs) if name != NER or eventful[i]]
        done = proc.pipe([docs[i] for i in todo], batch_size=256) if hasattr(proc, "pipe") else (
            proc(docs[i]) for i in todo)
        for i, doc in zip(todo, done):
            docs[i] = doc
    return list(zip(docs, eventful))


def _has_place_patterns(nlp: "spacy.Language") -> bool:
    ruler = nlp.get_pipe(RULER_NAME)
    return "place" in ruler.ent_ids


@dataclass
class _Focus:
    """The document's current place: the last event place or the most recent toponym."""

    place: PlaceMention | None = None
    town: PlaceMention | None = None
    event_place: PlaceMention | None = None
    lead: PlaceMention | None = None  # the first town named in the lead (headline + first sentences)

    def see(self, mentions: Iterable[PlaceMention], from_event: bool = False) -> None:
        for m in mentions:
            if m.reason.startswith("document focus") or m.reason.startswith("'the "):
                continue
            if from_event:
                self.event_place = m
                continue
            if self.place is None or m.text not in COUNTRY_WORDS or self.place.text in COUNTRY_WORDS:
                self.place = m  # a country named in passing does not displace the town in focus
            if m.kind is None and m.text not in COUNTRY_WORDS:
                self.town = m

    def current(self) -> PlaceMention | None:
        """The last event place, else the last toponym -- a town before a country; before any town is named, the
        lead's town (the headline "... kill 11 in east Syria" is about the place its lead names)."""
        for m in (self.event_place, self.place, self.lead):
            if m is not None and not _countryish(m.text):
                return m
        return self.event_place or self.place


def _countryish(text: str) -> bool:
    return text in COUNTRY_WORDS or known_country(text)


def _lead_town(plan: _Plan) -> PlaceMention | None:
    """The first toponym of the lead (sentences < LEAD_SENTENCES) that is not a country; a dateline ("BEIRUT -",
    "DAMASCUS, (SANA)") only when the lead names no other town: it says where the reporter files from."""
    towns = []
    for i, (start, _) in enumerate(plan.spans[:LEAD_SENTENCES]):
        doc = plan.docs.get(i)
        towns.extend(_shift(m, start) for m in (doc_toponyms(doc) if doc is not None else ())
                     if not _countryish(m.text))
    text = plan.article.text or ""
    ranked = sorted(towns, key=lambda m: (is_dateline(m, text), m.start))
    if not ranked:
        return None
    m = ranked[0]
    kind = "dateline" if is_dateline(m, text) else "lead place"
    return dataclasses.replace(m, reason=f"{kind} {m.text}")


def is_dateline(m: PlaceMention, text: str) -> bool:
    """A place in capitals near the top ("BEIRUT", "DAMASCUS, (SANA) -") or right before an agency tag."""
    after = text[m.end : m.end + 12]
    caps = m.text.isupper() and len(m.text) > 3 and m.start < 200
    return caps or (m.start < 120 and bool(re.match(r"\s*,?\s*\(?(?:SANA|AFP|Reuters|AP|AA|TASS)\)?", after)))


def _assemble(plan: _Plan) -> Extraction:
    events: list[EventCandidate] = []
    toponyms: list[PlaceMention] = []
    focus = _Focus(lead=_lead_town(plan))
    context = plan.article.text[:5000]
    for i, (start, end) in enumerate(plan.spans):
        doc = plan.docs.get(i)
        if doc is None:
            continue
        tops = [_shift(m, start) for m in doc_toponyms(doc)]
        if plan.candidate[i]:
            for cand in _events_in(doc, plan.article, i, start, focus, context, _neighbours(plan, i)):
                events.append(cand)
                focus.see(cand.places, from_event=True)
        toponyms.extend(tops)
        focus.see(tops)
    events = _resolve_pronoun_actors(events)
    events = _claimed_actors(events, plan.article.text or "", context)
    events = [_territory_sub(ev) for ev in _lead_actor(_no_guessed_actor(ev) for ev in events)]
    return Extraction(tuple(ev for ev in events if not _deep_and_actorless(ev)), tuple(toponyms))


TERRITORY_SUBS = frozenset({"Government regains territory", "Non-state actor overtakes territory"})
# "a failed attack to capture", "the army repelled an attempt to take": a fight, not a change of hands
FAILED_TAKEOVER = re.compile(r"\b(?:fail(?:ed|s)?|foiled|repell?ed|repulsed|thwarted|unsuccessful(?:ly)?|"
                             r"(?:attempt(?:ed|s|ing)?|tried|trying|bid|sought|seeking) to|"
                             # "continues the operation to liberate Qaboun": fighting for it, not yet taken
                             r"(?:operation|offensive|campaign|battle|push|drive|assault|attack|fight)s? (?:\w+ ){0,3}?to "
                             r"(?:retake|recapture|capture|liberate|seize|take|regain|free|storm|control))\b", re.I)


def _territory_sub(ev: EventCandidate) -> EventCandidate:
    """The territory sub-type follows the actor as finally found (also one carried over from another sentence):
    a government force regains, a non-state group overtakes; an attempt that failed is an armed clash."""
    if ev.sub_event_type not in TERRITORY_SUBS:
        return ev
    if FAILED_TAKEOVER.search(ev.sentence):
        return dataclasses.replace(ev, event_type="Battles", sub_event_type="Armed clash")
    if ev.actor_group in NON_STATE and ev.actor_group != "unidentified":
        return dataclasses.replace(ev, sub_event_type="Non-state actor overtakes territory")
    if ev.actor_group == "state forces":
        return dataclasses.replace(ev, sub_event_type="Government regains territory")
    return ev


DEEP_SENTENCE = 4  # sentences from here on are the body: detail, background and other days


def _deep_and_actorless(ev: EventCandidate) -> bool:
    """A violent claim deep in the body with no actor, even after the lead's: blind audits judged 15 of 102 such
    dots right (background, aftermath, a detail of the lead's event), against 62% in the lead."""
    return ev.sentence_index >= DEEP_SENTENCE and ev.actor is None and ev.event_type in CLAIMABLE


def _lead_actor(events) -> list[EventCandidate]:
    """An attack whose sentence names no actor takes the actor the article's lead gives the same kind of event
    (sub-type), when the lead names exactly one: "Regime jets struck Douma [headline] ... The strikes also hit a
    school" (actor_text keeps the lead's words)."""
    events = list(events)
    lead: dict[str, set] = {}
    for ev in events:
        if ev.sentence_index < LEAD_SENTENCES and ev.actor is not None and ev.event_type in CLAIMABLE:
            lead.setdefault(ev.sub_event_type, set()).add((ev.actor, ev.actor_text, ev.actor_group))
    out = []
    for ev in events:
        found = lead.get(ev.sub_event_type, set())
        named = {(a, t, g) for a, t, g in found if g in NON_STATE and g != "unidentified"}
        if ev.actor is None and ev.event_type in CLAIMABLE and len({a for a, _, _ in found}) == 1 and not (
                UNKNOWN_ACTOR.search(ev.sentence) or EITHER_OR.search(ev.sentence)):
            actor, text, group = sorted(found, key=lambda f: (f[1] or ""))[0]
            ev = dataclasses.replace(ev, actor=actor, actor_text=text, actor_group=group)
        elif ev.actor_group == "unidentified" and ev.event_type in CLAIMABLE and len({a for a, _, _ in named}) == 1:
            # "terrorists fired rocket shells on Aleppo" after a lead naming "Jaish al-Fateh terrorists" for the
            # same kind of attack: the group the article names (actor_text keeps this sentence's word)
            actor, _, group = sorted(named, key=lambda f: (f[1] or ""))[0]
            ev = dataclasses.replace(ev, actor=actor, actor_group=group)
        out.append(ev)
    return out


def _no_guessed_actor(ev: EventCandidate) -> EventCandidate:
    """After actors are carried across sentences: a sentence that leaves it open ("could not say whether the raid
    was Syrian or Russian") keeps no state actor; an actor written "either Russia" or "X or Y" is not one actor."""
    text = (ev.actor_text or "").lower()
    either = EITHER_OR.search(ev.sentence)
    if ev.actor is None or not (either or text.startswith("either ") or " or " in text):
        return ev
    if ev.actor_group not in ("state forces", "external forces", None):
        return ev
    if either is None:
        return dataclasses.replace(ev, actor=None, actor_group=None)
    party = _either(either, ev.sentence, None)
    return dataclasses.replace(ev, actor=party.canonical, actor_group=party.group, actor_text=party.text)


SYRIAN_SIDE = re.compile(r"\b(?:syrian|regime|government|assad|pro-government)\b", re.I)
RUSSIAN_SIDE = re.compile(r"\brussian?\b", re.I)


def _either(m: "re.Match[str]", sentence: str, actor):
    """The "X or Y" actor: "Syrian or Russian" (the pair news most often cannot tell apart) is the one actor
    "Syrian or Russian forces"; any other pair is no actor; the words stay as actor_text."""
    text = _phrase_at(sentence, m)
    words = m.group(0)
    if SYRIAN_SIDE.search(words) and RUSSIAN_SIDE.search(words):
        return Party(text, "Syrian or Russian forces", "state forces")
    return Party(text, None, None)


def _resolve_pronoun_actors(events: list[EventCandidate]) -> list[EventCandidate]:
    """An actor given only as a pronoun ("it", "they") is the last named actor of an earlier event of the article,
    in that sentence's words; with none, the actor is left empty (never a pronoun). An event with no actor at all
    continues the previous sentence's event of the same type ("Regime jets struck Douma. The strikes killed 12.")."""
    out, last = [], None
    for ev in events:
        continues = (ev.actor is None and last is not None and last.event_type == ev.event_type
                     and ev.event_type in CLAIMABLE and ev.sentence_index - last.sentence_index <= 1)
        if continues or (ev.actor_text is not None and ev.actor_text.lower() in PRONOUNS):
            ev = dataclasses.replace(ev, actor=last.actor if last else None, actor_text=last.actor_text if last else None,
                                     actor_group=last.actor_group if last else None)
        if ev.actor is not None:
            last = ev
        out.append(ev)
    return out


CLAIMABLE = frozenset({"Explosions/Remote violence", "Violence against civilians", "Battles"})


def _claimed_actors(events: list[EventCandidate], text: str, context: str) -> list[EventCandidate]:
    """An attack with no actor named in its sentence, reported before "X claimed responsibility", is X's by that
    claim (actor_text is the claimant as written)."""
    claims = list(responsibility_claims(text, actor_index(), context))
    if not claims:
        return events
    out = []
    for ev in events:
        claim = next((c for c in claims if ev.char_start <= c[0]), None)
        if ev.actor is None and ev.event_type in CLAIMABLE and claim is not None:
            ev = dataclasses.replace(ev, actor=claim[2].canonical, actor_text=claim[1], actor_group=claim[2].group)
        out.append(ev)
    return out


def _shift(m: PlaceMention, base: int) -> PlaceMention:
    return dataclasses.replace(m, start=m.start + base, end=m.end + base)


def _neighbours(plan: _Plan, i: int) -> list[str]:
    """The sentences before and after sentence ``i``, then the headline: where a generic killing's means is told."""
    text = plan.article.text or ""
    picks = [j for j in (i - 1, i + 1, 0) if 0 <= j < len(plan.spans) and j != i]
    return [text[plan.spans[j][0] : plan.spans[j][1]] for j in dict.fromkeys(picks)]


def _events_in(doc: "Doc", article: Article, index: int, base: int, focus: _Focus, context: str,
               neighbours: list[str] = ()) -> list[EventCandidate]:
    lex = load_triggers()
    sent = doc[:]
    out = []
    earlier = [m.span() for m in EARLIER_EVENT.finditer(doc.text)]  # "days after a chemical attack": not this event
    hits = [h for h in find_triggers(sent, lex) if not any(a <= h.token.idx < b for a, b in earlier)]
    for group in group_hits(hits):
        cand = _candidate(group, doc, article, index, base, focus, context, neighbours)
        written = cand.event_date if cand.date_text else None
        if cand.sub_event_type == "Agreement" and AGREEMENT_TALK.search(cand.sentence):
            continue  # diplomacy about a deal, not a deal carried out
        if background_reason(cand.sentence, cand.fatalities, None, written, article.published) is None:
            out.append(cand)
    return out


def _candidate(group: list[TriggerHit], doc: "Doc", article: Article, index: int, base: int, focus: _Focus,
               context: str, neighbours: list[str] = ()) -> EventCandidate:
    anchors = _anchors(group)
    head = group[0]
    index_ = actor_index()
    target_tok = target_token(anchors)
    actor_tok = actor_token(anchors, index_, context)
    actor = party(actor_tok, index_, context)
    guessed = False
    if (actor is None or (actor.canonical is None and _not_an_actor(actor.text))):
        fallback = sentence_actor(anchors, target_tok, doc[:], index_, context, load_claims().reporting_verbs)
        pronoun = actor if actor is not None and actor.text.lower() in PRONOUNS else None
        actor = party(fallback, index_, context) if fallback is not None else pronoun  # a pronoun: resolved later
        guessed = fallback is not None
    target = party(target_tok, index_, context)
    if actor is not None and _only_in_earlier_event(actor.text, doc.text):
        actor = None  # "days after a regime chemical attack, a woman was killed": the earlier event's actor
    if actor is not None and actor.group == "civilians" and head.entry.event_type in CLAIMABLE:
        actor = None  # "Civilians" blamed for a strike or a clash are its victims, never its actor
    actor = _unless_uncertain(actor, doc.text, guessed)
    actor = _named_instead_of_generic(actor, doc.text, target, index_, context)
    actor = _claimed_by(actor, doc.text, index_, context)
    if (actor is None or actor.canonical is None) and head.entry.event_type in CLAIMABLE:
        actor = _owner_of_the_means(doc.text, index_, context) or actor  # "Government shelling killed 12"
    etype, sub = type_by_means(*_event_type(group, actor, target), doc.text)
    if sub in BOMB_SUBS and (guessed or (actor_tok is not None and not _sets_off(actor_tok))):
        # a bomb's actor is who set it off or claimed it; a group merely named near it is usually its victim
        actor = _claimed_by(None, doc.text, index_, context) or _owner_of_the_means(doc.text, index_, context)
    if sub == "Air/drone strike" and actor is not None and actor.group in NON_STATE and not DRONE.search(doc.text):
        actor = None  # rebels and militias fly no warplanes: a group named beside an air strike is its target
    if actor is None or not GROUND_ACTOR.search(actor.text) or AIR_ACTOR.search(actor.text):
        etype, sub = type_from_context(etype, sub, head.token.lemma_.lower(), list(neighbours), sentence=doc.text)
    claims = load_claims()
    source = claim_source(doc[:], anchors, article.outlet, claims, _agencies(), article.text[:base])
    source = _clean_source(source)
    actor = _self_reported(actor, source, doc.text, index_, context)
    text = doc.text
    date = find_date(text, article.published, head.token.idx)
    return EventCandidate(
        sentence_index=index, char_start=base, char_end=base + len(text), sentence=text,
        trigger=head.text, trigger_start=base + head.token.idx, event_type=etype, sub_event_type=sub,
        actor=actor.canonical if actor else None, actor_text=actor.text if actor else None,
        actor_group=actor.group if actor else None,
        target=target.canonical if target else None, target_text=target.text if target else None,
        claim_source=source, claim_status=claim_status(doc[:], anchors, source, claims),
        fatalities=fatalities(anchors, doc[:]),
        date_text=date.text if date else None, event_date=date.date if date else article.published,
        date_precision=date.precision if date else (REPORT_DATE_PRECISION if article.published else None),
        places=_event_places(anchors, base, focus, date.precision if date else None),
    )


PRONOUNS = word_set("events.pronouns")
# "Syrian or Russian warplanes", "either regime or Russian jets": the article does not know whose; naming one is a guess
EITHER_OR = re.compile(
    r"\b(?:syrian|russian|regime|government|assad|pro-government|coalition|u\.?s\.?|us-led|american|turkish|israeli|iraqi)"
    r"(?:[\s-]+(?:led|backed|government|regime|army|military|forces?|air ?force))?\s*,?\s+(?:or|and/or)\s+(?:by\s+)?(?:the\s+)?"
    r"(?:(?:allied|its allies'?|its ally|their allies'?|their ally)\s+)?"
    r"(?:syrian|russian|regime|government|assad|pro-government|coalition|u\.?s\.?|us-led|american|turkish|israeli|iraqi)\b",
    re.I)
DATELINE_WORDS = re.compile(r"\b(?:19|20)\d\d\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d|"
                            r"\b(?:mon|tue|wed|thu|fri|sat|sun)\b|\burgent\b|\bupdated\b", re.I)
# "in Syria's southern province": the country where it happened, not who did it
PLACE_AS_ACTOR = re.compile(r"^(?:(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+)?"
                            r"syria(?:'s|’s|s)?$", re.I)
LOCATIONAL = re.compile(r"\b(?:in|of|across|near|inside|throughout)\s+(?:the\s+)?$", re.I)
POSSESSED_PLACE = re.compile(r"^(?:'s|’s|s)?\s+(?:(?:north|south|east|west|central)\w*\s+)*"
                             r"(?:province|capital|city|town|village|countryside|border|coast)\b", re.I)


def _place_as_actor(text: str, sentence: str) -> bool:
    """"in northeastern Syria", "Syria's southern province": the country where it happened taken as the actor
    ("Syria air strikes" keeps it: there it says whose strikes)."""
    if not PLACE_AS_ACTOR.match(text):
        return False
    spots = [m for m in re.finditer(re.escape(text), sentence)]
    return bool(spots) and all(LOCATIONAL.search(sentence[max(0, m.start() - 20) : m.start()])
                               or POSSESSED_PLACE.match(sentence[m.end() : m.end() + 40]) for m in spots)


# a speaker's role: "a State Department spokesperson", "the defence ministry", "a UN official" (a speaker reporting its
# own strikes is the actor by _self_reported, which runs after)
SPEAKER_ROLE = re.compile(r"\b(?:spokes(?:man|woman|person)|ministry|minister|officials?|ambassador|envoy|secretary|"
                          r"department|statement|monitor|observatory)\b", re.I)
# "possible US", "suspected Russian": the article's guess is not the actor
HEDGED_ACTOR = re.compile(r"^(?:possible|possibly|potential|suspected|presumed|presumably|probable|likely|apparent)\b", re.I)
DATE_PREFIX = re.compile(r"^(?:[\w.,]*\d[\w.,]*\s+|(?:mon|tue|wed|thu|fri|sat|sun)\w*\s+|(?:jan|feb|mar|apr|may|jun|jul|"
                         r"aug|sep|oct|nov|dec)\w*\.?\s+|urgent\s+|updated\s+)+", re.I)
CREDIT_WORDS = re.compile(r"^(?:tags|related|date of)\b|\b(?:flickr|getty|photo|picture|file image|courtesy)\b", re.I)
# the sentence says the perpetrator is not known: an actor found anywhere but in its actor slot is a guess
UNKNOWN_ACTOR = re.compile(
    r"\b(?:(?:it was|it is|it remains|was|is) (?:not )?(?:un)?clear who|(?:not|never) (?:immediately )?(?:clear|known) who|"
    r"unknown (?:who|assailants|attackers|gunmen|perpetrators)|no (?:one|group|party|faction|side) (?:has |had )?"
    r"(?:immediately )?(?:yet )?claimed|without saying who|did not say who|(?:about|over|on) who (?:launched|carried out|"
    r"was behind|is behind|was responsible|is responsible|did)|(?:unidentified|unknown) (?:aircraft|warplanes?|jets?|planes?|drones?))\b",
    re.I)


def _unless_uncertain(actor, sentence: str, guessed: bool):
    """No actor where the sentence leaves it open: "Syrian or Russian jets" (actor_text keeps the words, the
    actor is empty), or "no group claimed it" with an actor taken from outside the trigger's own slots."""
    if actor is None:
        return None
    m = EITHER_OR.search(sentence)
    if m is not None and actor.group in ("state forces", "external forces", None):
        return _either(m, sentence, actor)
    if guessed and UNKNOWN_ACTOR.search(sentence):
        return None
    if CREDIT_WORDS.search(actor.text) or _place_as_actor(actor.text, sentence) or HEDGED_ACTOR.match(actor.text):
        return None  # a tag line or a caption, or the country where it happened, not who did it
    if SPEAKER_ROLE.search(actor.text):
        return None  # "State Department spokesperson Mark Toner condemned the strikes": who speaks, not who struck
    if DATELINE_WORDS.search(actor.text):  # "03.10.2017 Russias Aerospace Forces", "Wed Jun 29 2016 URGENT 19"
        if actor.canonical is None or actor.group == "unidentified":
            return None
        return dataclasses.replace(actor, text=DATE_PREFIX.sub("", actor.text) or actor.text)
    return actor


def _only_in_earlier_event(words: str, sentence: str) -> bool:
    spans = [m.span() for m in EARLIER_EVENT.finditer(sentence)]
    found = [m.start() for m in re.finditer(re.escape(words), sentence)] if words else []
    return bool(spans and found) and all(any(a <= f < b for a, b in spans) for f in found)


BOMB_SUBS = frozenset({"Remote explosive/landmine/IED", "Suicide bomb"})
BOMBER_VERBS = word_set("events.bomber_verbs")


def _sets_off(tok) -> bool:
    """Whether the actor found for a bombing is its bomber: the subject of a verb of doing it ("ISIS detonated",
    "a Nusra suicide bomber blew himself up"), "by X", or the owner named on a noun ("an ISIS car bomb"); not the
    subject of what the victims were doing ("as members of X gathered at the mosque", "rebels manning a post")."""
    if tok.dep_ in ("compound", "poss", "amod", "nmod") or "bomber" in tok.lower_:
        return True
    if tok.dep_ == "pobj":
        return tok.head.lower_ in ("by", "from") and (tok.head.head.dep_ == "agent" or "bomber" in tok.head.head.lower_
                                                      or tok.head.dep_ == "agent")
    return tok.head.lemma_.lower() in BOMBER_VERBS
# "the coalition said it had carried out 10 strikes", "Russia's ministry said its bombers struck": the speaker did it
SELF_REPORT = re.compile(
    r"\b(?:said|says|reported|announced|stated|added|confirmed)\b[^.;]{0,40}?\b(?:(?:it|they|we)\s+(?:had\s+|has\s+|have\s+)?"
    r"(?:also\s+)?(?:carried out|conducted|launched|struck|hit|bombed|destroyed|targeted|shot down|staged)|"
    r"(?:its|their|our)\s+(?:[\w-]+\s+){0,3}?(?:war ?planes|jets|aircraft|bombers|drones|helicopters|aviation|air ?force|"
    r"forces|troops|artillery))\b", re.I)


def _clean_source(source: str | None) -> str | None:
    """A source found in a dateline or a caption ("Date of publication 3 October 2017", "Tags ...") is page furniture:
    the date words are dropped, and a source that is only furniture is none."""
    if source is None:
        return None
    if CREDIT_WORDS.search(source) or re.match(r"(?i)(?:date of )?publi(?:shed|cation)\b", source):
        return None
    if DATELINE_WORDS.search(source):
        rest = DATE_PREFIX.sub("", source).strip()
        return rest if rest and not DATELINE_WORDS.search(rest) and not rest[0].isdigit() else None
    return source


def _self_reported(actor, source: str | None, sentence: str, index_, context: str):
    """"The coalition said it had launched ten strikes near Raqqa": the speaker reporting its own action is the actor
    (actor_text is the speaker as written), whatever else the parse found ("... near Palmyra, which government forces
    recaptured"). A pronoun speaker ("On Thursday it said it had carried out 50 raids") leaves the pronoun, resolved
    later to the article's last named actor."""
    if not SELF_REPORT.search(sentence):
        return actor
    named = None
    if source is not None:
        named = index_.normalise(source, context) or index_.normalise(f"the {source}", context)  # "the coalition"
    if named is not None and named.group not in ("unidentified", "civilians", "protesters"):
        return Party(source, named.canonical, named.group)
    pronoun = PRONOUN_SPEAKER.search(sentence)
    return Party(pronoun.group(1), None, None) if pronoun is not None else actor


PRONOUN_SPEAKER = re.compile(r"(?:^|[,;]\s*|\b(?:on|late|early)\s+\w+\s+)(it|they|we)\s+(?:also\s+)?"
                             r"(?:said|says|reported|announced|stated|added|confirmed)\b", re.I)


CLAIMED_BY = re.compile(r"\bclaimed by (?:the\s+)?((?:[A-Z][\w'’-]*|al|of|the)(?:[\s-]+(?:[A-Z][\w'’-]*|al|of|the)){0,4})")


OWNED_MEANS = re.compile(
    r"\b((?:[A-Z][\w'’-]*)(?:[\s-](?:[A-Z][\w'’-]*|al|of|and))*?|rebels?|regime|government|opposition|jihadists?|"
    r"insurgents?|pro-government|pro-regime|loyalist)(?:'s|’s)?\s+(?i:terrorist\s+|regime\s+|government\s+)?"
    r"(?i:shelling|shells|rockets?|rocket (?:fire|attacks?)|mortars?|mortar (?:fire|shells|attacks?)|air ?strikes?|"
    r"(?:missile|artillery) (?:fire|attacks?|strikes?)|"
    r"airstrikes?|air raids?|raids?|bombardment|bombing|car bomb(?:ing)?|warplanes|war ?planes|jets|artillery|"
    r"helicopters?|drones?)\b")


def _owner_of_the_means(sentence: str, index_, context: str):
    """"due to ISIS shelling", "Russian air strikes killed": the named owner of the means the sentence gives,
    when the parse found no actor (only a known actor name counts; the first one written)."""
    for m in OWNED_MEANS.finditer(EARLIER_EVENT.sub(lambda e: " " * len(e.group(0)), sentence)):
        words = m.group(1)
        first = words.split(" and ")[0]  # "Syrian and Russian air strikes": the first named leads (ACLED's actor 1)
        found = (index_.normalise(first, context) or weapon_owners().owner(first.split()[-1], index_, context)
                 or index_.normalise(words, context) or weapon_owners().owner(words.split()[-1], index_, context))
        if found is not None and found.group not in ("unidentified", "civilians", "protesters"):
            return Party(words, found.canonical, found.group)
    return None


def _claimed_by(actor, sentence: str, index_, context: str):
    """"a double car bombing claimed by Al-Qaeda": the claimant the sentence names is the actor."""
    m = CLAIMED_BY.search(sentence)
    named = index_.normalise(m.group(1), context) if m else None
    if named is None or named.group in ("unidentified", "civilians", "protesters"):
        return actor
    return Party(m.group(1), named.canonical, named.group)


GENERIC_WORDS = re.compile(r"\b(?:terrorists?|terrorist (?:groups?|organi[sz]ations?)|militants?|gunmen|insurgents?|"
                           r"extremists?|jihadists?|armed groups?)\b", re.I)


def _named_instead_of_generic(actor, sentence: str, target, index_, context: str):
    """"terrorists from Jaish al-Fateh fired rocket shells", "the ISIS terrorist organization targeted": when the
    actor found is a generic word (an unidentified group) and the sentence names one armed group that is not the
    target, that group is the actor."""
    if actor is None or not (actor.group == "unidentified" or (actor.canonical is None and GENERIC_WORDS.search(sentence))):
        return actor
    rest = sentence.replace(target.text, " ") if target is not None and target.text else sentence
    named = index_.normalise(GENERIC_WORDS.sub(" ", rest), context)  # "al-Nusra Front (Qaeda ...) terrorists targeted"
    if named is None or named.group in ("unidentified", "civilians", "protesters", "state forces", "external forces"):
        return actor
    return Party(actor.text if actor.group == "unidentified" else named.alias, named.canonical, named.group)


def _phrase_at(sentence: str, m: "re.Match[str]") -> str:
    """The "X or Y" words with the noun after them ("Syrian or Russian warplanes")."""
    tail = re.match(r"\s+(?:war ?planes?|jets?|aircraft|planes?|helicopters?|drones?|forces?|troops|air ?forces?)\b",
                    sentence[m.end():], re.I)
    return sentence[m.start() : m.end() + (tail.end() if tail else 0)]


def _not_an_actor(text: str) -> bool:
    """A pronoun or an event word ("Fighting", "fierce clashes") found where the actor should be."""
    words = text.lower().split()
    return not words or words[-1] in PRONOUNS or bool(load_triggers().prefilter.search(text.lower(), 0, len(text)))


def _anchors(group: list[TriggerHit]) -> list:
    """Trigger tokens, then the verb governing a noun trigger ("launched an offensive", "a blast rocked X")."""
    anchors = [h.token for h in group]
    for h in group:
        tok = h.token
        if tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in GOVERNED_DEPS and tok.head.pos_ == "VERB" and (
                tok.head.lemma_.lower() not in COMMENT_VERBS):  # "Washington condemned the attack": not its actor
            if tok.head not in anchors:
                anchors.append(tok.head)
    return anchors


def _event_type(group: list[TriggerHit], actor, target) -> tuple[str, str]:
    best = best_entry(group)
    entry = best.entry
    etype, sub = entry.event_type, entry.sub_event_type
    if any(h.entry.event_type == "Battles" and h.token.lemma_.lower() in CLASH_NOUNS for h in group):
        # "killed in clashes with the army and bombings by warplanes": the ground combat the sentence names makes it
        # a battle, whatever joined in from the air (ACLED)
        return "Battles", "Armed clash"
    if entry.priority <= 2 and actor is not None and AIR_ACTOR.search(actor.text):
        return "Explosions/Remote violence", "Air/drone strike"
    at_sites = _at_fighter_sites(best, target)
    if entry.priority <= 2 and actor is not None and actor.group in ("state forces", "external forces") and at_sites:
        # "army units targeted gatherings of terrorists", "struck ISIL positions": fire at a distance (ACLED codes
        # shelling/artillery unless aircraft are named, which the means rule then says)
        return "Explosions/Remote violence", "Shelling/artillery/missile attack"
    if (sub == "Air/drone strike" and actor is not None
            and GROUND_ACTOR.search(actor.text) and not AIR_ACTOR.search(actor.text)
            and not AIR_MEANS.search(best.token.doc.text)):
        # "the army struck an ISIL group that attacked a post": ground fire, not from the air; "the army carried
        # out strikes on X": the army's guns
        if at_sites or best.token.pos_ != "VERB":
            return "Explosions/Remote violence", "Shelling/artillery/missile attack"
        return "Battles", "Armed clash"
    if entry.priority <= 2 and actor is not None and actor.canonical in AIR_POWERS and not GROUND_WORDS.search(
            actor.text) and entry.event_type in ("Battles", "Violence against civilians"):
        return "Explosions/Remote violence", "Air/drone strike"  # "an Israeli attack on a camp near the Golan"
    civilian_target = target is not None and (target.group == "civilians" or is_civilian(target.text))
    if entry.civilian_type and civilian_target:
        etype, sub = entry.civilian_type
    if entry.non_state_sub_event and actor is not None and actor.group in NON_STATE:
        sub = entry.non_state_sub_event
    return etype, sub


def _at_fighter_sites(best: TriggerHit, target) -> bool:
    """The attack is aimed at fighters' positions: its target says so, or the words just after the trigger do
    ("strikes against gatherings of terrorists ... killing 8": the target found is the killed)."""
    if target is not None and FIGHTER_SITES.search(target.text):
        return True
    tok = best.token
    after = tok.doc.text[tok.idx + len(tok.text) : tok.idx + len(tok.text) + 60]
    return bool(re.match(r"\s+(?:\w+\s+){0,2}?(?:on|against|at|targeting)\s+(?:the\s+)?(?:\w+\s+)?", after)
                and FIGHTER_SITES.search(after))


def _event_places(anchors, base: int, focus: _Focus, date_precision: str | None = None
                  ) -> tuple[PlaceMention, ...]:
    """Places attached to the trigger; else (or besides a bare country: "killed in Syria") the document's place in
    focus, marked "document focus" (the geocoder then caps its precision at 2) -- but not for background dated only
    to a year ("protests that began in 2011")."""
    last = focus.town or focus.lead  # "the town" before any town is named: the lead's town
    town = dataclasses.replace(last, start=last.start - base, end=last.end - base) if last else None
    found = tuple(_shift(m, base) for m in places_for(anchors, town))
    if found and not all(_countryish(m.text) for m in found):
        return found
    f = focus.current()
    if f is None or date_precision == "year" or (found and _countryish(f.text)):
        return found
    why = "sentence names only the country" if found else "no place in sentence"
    return found + (PlaceMention(f.text, f.start, f.end, f"document focus ({why}; last place: {f.reason})",
                                 f.modifier, f.kind, f.label),)


_AGENCIES: dict[str, frozenset[str]] = {}


def _agencies() -> frozenset[str]:
    if "all" not in _AGENCIES:
        names = set(load_claims().news_agencies)
        for name, aliases in load_outlets():
            names.add(name)
            names.update(aliases)
        _AGENCIES["all"] = frozenset(names)
    return _AGENCIES["all"]


def location_anchors(verb) -> list:
    """The verb, the clause it hangs on ("hit ... killing 8": killing -> hit) and verbs conjoined with it
    ("was shot and killed in X"); their places are the event's places."""
    out = [verb]
    cur = verb
    while cur.dep_ in ("advcl", "conj", "xcomp") and cur.head.i != cur.i and len(out) < 4:
        if cur.dep_ == "advcl" and any(c.dep_ == "mark" for c in cur.children):
            break  # "after X", "when X": another event
        cur = cur.head
        out.append(cur)
    out.extend(c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB")
    return out


def locate_event(nlp: "spacy.Language", sentence: str, verb_start: int, verb_end: int, learned: bool = True
                 ) -> list[tuple[int, int]]:
    """Character spans of the place(s) where the event of the verb at [verb_start, verb_end) happened; [] when the
    sentence gives none. No document focus: this judges the sentence alone. ``learned=False``: the rules alone."""
    return locate_in_doc(nlp(sentence), verb_start, verb_end, learned)


def locate_in_doc(doc: "Doc", verb_start: int, verb_end: int, learned: bool = True) -> list[tuple[int, int]]:
    """``locate_event`` over an already parsed sentence."""
    span = doc.char_span(verb_start, verb_end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return []
    anchors = location_anchors(span.root)
    return [(m.start, m.end) for m in places_for(anchors, None, learned) if 0 <= m.start < m.end <= len(doc.text)]
