"""One event, one dot per article: mentions of the same claim merged into one row per (claim, place).

Within one article, rows are the same claim when they sit at the same gazetteer place and either come from the
same sentence (two trigger words of one event: "were injured ... killed") or share the event type (or one is a
generic attack/killing, which refers back: "the attack also caused damage") with dates that do not contradict (the headline, the lead and the body repeating one event). Two explicit day dates that differ
keep two events apart. Besides:

* in a sentence that names its own place, a row placed only by the document focus is dropped;
* a country-level row is dropped when the article places an event of the same type below country level.

The merged row keeps the most informative mention as ``sentence`` (a place named in the sentence, an actor, a
toll, a specific type, then the earliest), fills an empty actor, toll, date or source from the other mentions,
and records them: ``mentions`` (sentences reporting the claim) and ``other_mentions`` ("start-end;..." offsets of
the other sentences in the article text). Different events of one article stay separate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from pipeline.schema import Event

INHERITED = "document focus"
COUNTRY = 4
GENERIC_SUBS = frozenset({"Armed clash", "Attack"})
# A generic attack or killing at a place where the article reports another event of any type refers back to it
# ("the attack also caused damage", "three civilians were killed"): one claim.
ANAPHORIC = "Attack"
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

    by_place: dict[str, list[int]] = {}
    for i, e in enumerate(rows):
        by_place.setdefault(e.place_id, []).append(i)
    for members in by_place.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                if _same_claim(rows[a], rows[b]):
                    parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _same_claim(a: Event, b: Event) -> bool:
    if a.char_start == b.char_start:
        return True
    anaphoric = a.sub_event_type == ANAPHORIC or b.sub_event_type == ANAPHORIC  # "the attack", "were killed"
    return (a.event_type == b.event_type or anaphoric) and _dates_agree(a, b)


def _dates_agree(a: Event, b: Event) -> bool:
    day = a.date_precision == "day" and b.date_precision == "day"
    return not (day and a.event_date is not None and b.event_date is not None and a.event_date != b.event_date)


def _rank(e: Event) -> tuple:
    """Most informative mention first."""
    return (_inherited(e), e.actor is None, e.fatalities is None, e.sub_event_type in GENERIC_SUBS,
            e.sentence_index, e.trigger_start or 0)


def _merge(group: list[Event]) -> Event:
    group = sorted(group, key=_rank)
    best = group[0]
    changes: dict = {}
    for fields in FILLED:
        if getattr(best, fields[0]) is None:
            donor = next((e for e in group[1:] if getattr(e, fields[0]) is not None), None)
            if donor is not None:
                changes.update({f: getattr(donor, f) for f in fields})
    others = sorted({(e.char_start, e.char_end) for e in group} - {(best.char_start, best.char_end)})
    changes["mentions"] = len(others) + 1
    changes["other_mentions"] = ";".join(f"{s}-{t}" for s, t in others) or None
    return dataclasses.replace(best, **changes)
