"""One event, one dot per article: mentions of the same claim merged into one row per (claim, place).

Within one article, rows are the same claim when they sit at the same place (the same gazetteer entry, a region and
a place inside it, or dots within 25 km) and either come from the
same sentence (two trigger words of one event: "were injured ... killed") or share the event type (or one is a
generic attack/killing, which refers back: "the attack also caused damage") with dates that do not contradict (the headline, the lead and the body repeating one event). Two explicit day dates that differ
keep two events apart. Besides:

* in a sentence that names its own place, a row placed only by the document focus is dropped;
* a country-level row is dropped when the article places an event of the same type below country level;
* two rows of the same type with the same toll are one claim wherever they are placed (the headline's "60 killed in
  Damascus suburb" and the lead's "60 killed in Rankus"): two or more killed in the lead, ten or more elsewhere.

The merged row keeps the most informative mention as ``sentence`` and its place (a place named in the sentence,
the finest place, an actor, a toll, a specific type, then the earliest), fills an empty actor, toll, date or source from the other mentions,
and records them: ``mentions`` (sentences reporting the claim) and ``other_mentions`` ("start-end;..." offsets of
the other sentences in the article text). Different events of one article stay separate.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from pipeline.schema import Event

INHERITED = "document focus"
REGION, COUNTRY = 3, 4
NEAR_KM = 25.0  # the audit's tolerance for a town dot
LEAD = 3  # headline and first sentences: they tell the article's one main event
GENERIC_SUBS = frozenset({"Armed clash", "Attack"})
# A generic attack or killing at a place where the article reports another event of any type refers back to it
# ("the attack also caused damage", "three civilians were killed"): one claim.
ANAPHORIC = "Attack"
KILL_WORDS = ("kill", "die", "dead", "death", "wound", "injur", "attack")
# (field that says it is missing, fields taken together from the donor); a date without date words is the
# article's date (extract.events.REPORT_DATE_PRECISION), so a mention that writes its date is preferred
FILLED = (("actor", "actor_text", "actor_group"), ("fatalities",), ("date_text", "event_date", "date_precision"),
          ("claim_source", "claim_status"), ("target", "target_text"))


def merge_mentions(events: Sequence[Event]) -> list[Event]:
    """One article's rows -> one row per (claim, place), in a deterministic order."""
    rows = _drop_shadowed(sorted(events, key=lambda e: (e.char_start, e.trigger_start or 0, e.place_id, e.event_id)))
    groups = _groups(rows)
    merged = [_merge([rows[i] for i in g]) for g in groups]
    return sorted(merged, key=lambda e: (e.char_start, e.trigger_start or 0, e.place_id))


def _inherited(e: Event) -> bool:
    return e.geo_reason.startswith(INHERITED)


def _drop_shadowed(rows: list[Event]) -> list[Event]:
    """Without focus rows of sentences that name their own place, and country rows shadowed by a finer row."""
    named_sentences = {e.char_start for e in rows if not _inherited(e)}
    fine_types = {e.event_type for e in rows if e.geo_precision < COUNTRY}
    return [e for e in rows if not (_inherited(e) and e.char_start in named_sentences)
            and not (e.geo_precision == COUNTRY and e.event_type in fine_types)]


def _groups(rows: list[Event]) -> list[list[int]]:
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in range(len(rows)):  # one article: tens of rows at most
        for b in range(a + 1, len(rows)):
            if (_near(rows[a], rows[b]) or _same_toll(rows[a], rows[b])) and _same_claim(rows[a], rows[b]):
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _near(a: Event, b: Event) -> bool:
    """The same place, a region and a place inside it, or two dots within NEAR_KM."""
    if a.place_id == b.place_id:
        return True
    if COUNTRY in (a.geo_precision, b.geo_precision) or a.country_code != b.country_code:
        return False
    if REGION in (a.geo_precision, b.geo_precision) and a.admin1 is not None and a.admin1 == b.admin1:
        return True
    if a.sentence_index < LEAD and b.sentence_index < LEAD and a.admin1 is not None and a.admin1 == b.admin1:
        return True  # the headline names the city, the lead the town of that province: one strike, told twice
    return _km(a.lat, a.lon, b.lat, b.lon) <= NEAR_KM


TOLL_ANYWHERE = 10  # "killing 50 militants" in the body and "50 killed" in the lead: one claim wherever placed


def _same_toll(a: Event, b: Event) -> bool:
    """Two mentions of one event told with the same toll, placed apart (the headline's "in Damascus suburb", the
    lead's "in the town of Rankus"): in the lead any toll of two or more, elsewhere a toll of ten or more."""
    if a.fatalities is None or a.fatalities != b.fatalities or a.event_type != b.event_type:
        return False
    if a.country_code != b.country_code:
        return False
    lead = a.sentence_index < LEAD and b.sentence_index < LEAD
    return a.fatalities >= (2 if lead else TOLL_ANYWHERE)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def _same_claim(a: Event, b: Event) -> bool:
    if a.char_start == b.char_start:
        return True
    lead = a.sentence_index < LEAD and b.sentence_index < LEAD
    kinds = a.event_type == b.event_type or _anaphoric(a) or _anaphoric(b)
    return kinds and _dates_agree(a, b, slack_days=1 if lead else 0)


def _anaphoric(e: Event) -> bool:
    """A generic attack, or a killing typed a clash only for want of a means ("the attack", "12 were killed")."""
    return e.sub_event_type == ANAPHORIC or (e.sub_event_type in GENERIC_SUBS and e.trigger.lower().startswith(KILL_WORDS))


def _dates_agree(a: Event, b: Event, slack_days: int = 0) -> bool:
    """Two explicit days more than ``slack_days`` apart are two events (the headline's date is often the day of
    publication, a day after the lead's "on Thursday": one day of slack in the lead)."""
    day = a.date_precision == "day" and b.date_precision == "day"
    if not day or a.event_date is None or b.event_date is None:
        return True
    return abs((a.event_date - b.event_date).days) <= slack_days


def _rank(e: Event) -> tuple:
    """Most informative mention first: a place the sentence names, then the finest place, an actor, a toll, a
    specific type, the earliest."""
    return (_inherited(e), e.geo_precision, e.actor is None, e.fatalities is None, e.sub_event_type in GENERIC_SUBS,
            e.sentence_index, e.trigger_start or 0)


def _may_donate(donor: Event, best: Event, fields: tuple[str, ...]) -> bool:
    """An actor or target is taken only from a mention of the same kind of event (or a generic one): the air strike
    reported beside a car bomb does not name the bomber."""
    if fields[0] not in ("actor", "target"):
        return True
    return donor.sub_event_type == best.sub_event_type or bool(GENERIC_SUBS & {donor.sub_event_type, best.sub_event_type})


def _merge(group: list[Event]) -> Event:
    group = sorted(group, key=_rank)
    best = group[0]
    changes: dict = {}
    for fields in FILLED:
        if getattr(best, fields[0]) is None:
            donor = next((e for e in group[1:] if getattr(e, fields[0]) is not None and _may_donate(e, best, fields)),
                         None)
            if donor is not None:
                changes.update({f: getattr(donor, f) for f in fields})
    others = sorted({(e.char_start, e.char_end) for e in group} - {(best.char_start, best.char_end)})
    changes["mentions"] = len(others) + 1
    changes["other_mentions"] = ";".join(f"{s}-{t}" for s, t in others) or None
    return dataclasses.replace(best, **changes)
