"""pipeline.link: linking decisions on hand-made claim tables, stable ids, order independence, the
chaining guard, complete linkage, sides, datelines, evidence in the reason, and blocking
that finds every pair an all-pairs comparison would."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pyarrow as pa
import pytest

from pipeline.link import blocking, rules
from pipeline.link.groups import claims_frame, link_events
from pipeline.schema import stable_hash

DAY = dt.date(2019, 3, 12)
SARAQIB = (35.8623, 36.8034)
COLUMNS = {
    "event_id": pa.string(), "doc_id": pa.string(), "outlet": pa.string(), "published": pa.date32(),
    "event_date": pa.date32(), "date_precision": pa.string(), "date_text": pa.string(), "event_type": pa.string(), "sub_event_type": pa.string(),
    "actor": pa.string(), "actor_group": pa.string(), "target": pa.string(), "fatalities": pa.int64(),
    "place_name": pa.string(), "place_id": pa.string(), "admin1": pa.string(), "country_code": pa.string(),
    "geo_precision": pa.int64(), "geo_reason": pa.string(), "lat": pa.float64(), "lon": pa.float64(),
    "sentence": pa.string(), "event_group": pa.string(), "link_reason": pa.string(),
}
DOCUMENT_FOCUS = "document focus: Idlib"  # a place the sentence does not name
DEFAULT = rules.LinkRules()
WIDE = rules.LinkRules(day_window=1, published_window=1, week_window=3, max_span_days=1)  # the windows before issue 14


def claim(event_id: str, doc_id: str, **over) -> dict:
    row = {
        "event_id": event_id, "doc_id": doc_id, "outlet": f"outlet-{doc_id}", "published": DAY, "event_date": DAY,
        "date_precision": "day", "date_text": "on Tuesday", "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
        "actor": None, "actor_group": None, "target": None, "fatalities": None, "place_name": "Saraqib",
        "place_id": "169304", "admin1": "Idlib", "country_code": "SY", "geo_precision": 1,
        "geo_reason": "trigger: prep-object 'in'", "lat": SARAQIB[0], "lon": SARAQIB[1],
        "sentence": "An air strike hit Saraqib on Tuesday.", "event_group": None, "link_reason": None,
    }
    row.update(over)
    return row


def table(rows: list[dict]) -> pa.Table:
    return pa.table({c: [r[c] for r in rows] for c in COLUMNS}, schema=pa.schema(COLUMNS))


def groups_of(rows: list[dict], link_rules: rules.LinkRules = DEFAULT) -> dict[str, str | None]:
    out = link_events(table(rows), link_rules)
    return dict(zip(out.column("event_id").to_pylist(), out.column("event_group").to_pylist()))


def linked(a: dict, b: dict, link_rules: rules.LinkRules = DEFAULT) -> bool:
    g = groups_of([a, b], link_rules)
    return g[a["event_id"]] is not None and g[a["event_id"]] == g[b["event_id"]]


def moved(km_north: float) -> dict:
    return {"lat": SARAQIB[0] + km_north / 111.2, "lon": SARAQIB[1], "place_id": f"p{km_north}", "place_name": f"{km_north} km north"}


@pytest.mark.parametrize(("b_changes", "expected"), [
    ({}, True),  # same town, same day, same type
    ({"event_date": DAY + dt.timedelta(days=1), "published": DAY + dt.timedelta(days=1)}, False),  # the next day's report
    ({"sub_event_type": "Shelling/artillery/missile attack", "actor": "Syrian Arab Army"}, True),  # sub-types differ
    (moved(12), True),  # nearby town
    (moved(100), False),  # far apart
    ({"event_date": DAY + dt.timedelta(days=21), "published": DAY + dt.timedelta(days=21)}, False),  # weeks apart
    ({"event_date": None, "date_precision": None, "date_text": None}, True),  # published date stands in
    ({"event_date": None, "date_precision": None, "date_text": None, "published": DAY + dt.timedelta(days=1)}, False),
    # an event date filled in from the article date (no date words) counts as the published date
    ({"event_date": DAY + dt.timedelta(days=3), "date_text": None, "date_precision": "week", "published": DAY + dt.timedelta(days=3)}, False),
    # a text date only to another month ("In January, ...") is another event; the same month lets the article date stand in
    ({"event_date": dt.date(2019, 1, 1), "date_precision": "month", "date_text": "In January"}, False),
    ({"event_date": dt.date(2019, 3, 1), "date_precision": "month", "date_text": "this month"}, True),
    # an event date after publication is a misreading: the article's date (five days earlier) stands in
    ({"published": DAY - dt.timedelta(days=5)}, False),
    ({"event_type": "Protests", "sub_event_type": "Peaceful protest"}, False),  # incompatible type
    ({"event_type": "Violence against civilians", "sub_event_type": "Attack"}, True),  # compatible type
    ({"doc_id": "A"}, False),  # the same article is never linked to itself
    ({"geo_precision": 3, "place_name": "Idlib", "place_id": "idlib", "lat": 35.9, "lon": 36.6}, True),  # region holds the town
    ({"geo_precision": 3, "admin1": "Aleppo", "place_name": "Aleppo", "place_id": "aleppo", "lat": 36.2, "lon": 37.1}, False),
    ({"geo_precision": 4, "place_name": "Syria", "place_id": "SY", "lat": 35.0, "lon": 38.0}, False),  # country only, weak
])
def test_link_groups_pair_decisions(b_changes, expected):
    a = claim("e1", "A", actor="Russian armed forces", actor_group="external forces")
    assert linked(a, claim("e2", "B") | b_changes) is expected


def test_link_groups_country_level_needs_same_day_subtype_and_actor():
    a = claim("e1", "A", actor="Russian armed forces", geo_precision=4, place_name="Syria", place_id="SY", lat=35.0, lon=38.0)
    assert linked(a, claim("e2", "B", actor="Russian armed forces"))
    assert not linked(a, claim("e2", "B", actor="Syrian Arab Army"))


def test_link_groups_roles_reversed_in_one_sided_violence_are_two_events_but_one_battle():
    a = claim("e1", "A", actor="Syrian Arab Army", target="Syrian opposition armed groups")
    b = claim("e2", "B", actor="Syrian opposition armed groups", target="Syrian Arab Army")
    assert not linked(a, b)
    battle = {"event_type": "Battles", "sub_event_type": "Armed clash"}
    assert linked({**a, **battle}, {**b, **battle})


def test_link_groups_reason_says_why_with_its_evidence_and_disputed_actors_still_link():
    a = claim("e1", "A", actor="Syrian Arab Army", actor_group="state forces", fatalities=15)
    b = claim("e2", "B", actor="Syrian opposition armed groups", actor_group="rebel groups", fatalities=12,
              sub_event_type="Shelling/artillery/missile attack")
    out = link_events(table([a, b])).to_pylist()
    reason = out[0]["link_reason"]
    assert out[0]["event_group"] == out[1]["event_group"] is not None
    for words in ("with outlet-B claim e2", "same place Saraqib", "event dates same day", "Explosions/Remote violence",
                  "actor disputed (Syrian Arab Army vs Syrian opposition armed groups)", "tolls 15 vs 12",
                  ("evidence 2: same place named in both sentences, same day in both texts, tolls agree, "
                   "actors on different sides (-1)")):
        assert words in reason


@pytest.mark.parametrize(("actor_a", "actor_b", "event_type", "same_sub", "expected"), [
    ("Syrian Arab Army", "Syrian opposition armed groups", "Explosions/Remote violence", False, False),  # a raid and rockets
    ("Syrian Arab Army", "Syrian opposition armed groups", "Explosions/Remote violence", True, True),  # one disputed strike
    ("Syrian Arab Army", "Russian armed forces", "Explosions/Remote violence", False, True),  # allies: one side
    ("Syrian or Russian forces", "Syrian Arab Army", "Explosions/Remote violence", False, True),
    ("Syrian or Russian forces", "Hayat Tahrir al-Sham", "Explosions/Remote violence", False, False),
    ("Syrian Arab Army", "Unidentified armed group", "Explosions/Remote violence", False, True),  # no side
    ("Syrian Arab Army", None, "Explosions/Remote violence", False, True),
    ("Syrian Arab Army", "Syrian opposition armed groups", "Battles", False, True),  # a clash has two sides
])
def test_link_groups_actors_on_different_sides_cost_a_point(actor_a, actor_b, event_type, same_sub, expected):
    subs = {"Explosions/Remote violence": ("Air/drone strike", "Shelling/artillery/missile attack"),
            "Battles": ("Armed clash", "Government regains territory")}[event_type]
    # one point without the sides: the same day in both texts (the place is the document's, the sub-types differ)
    a = claim("e1", "A", actor=actor_a, event_type=event_type, sub_event_type=subs[0], geo_reason=DOCUMENT_FOCUS)
    b = claim("e2", "B", actor=actor_b, event_type=event_type, sub_event_type=subs[0 if same_sub else 1], geo_reason=DOCUMENT_FOCUS)
    assert linked(a, b) is expected


def test_link_groups_complete_linkage_does_not_chain_through_a_middle_claim():
    # A - B and B - C are within 25 km, A - C (28 km) is not: one report in the middle must not join the other two
    chain = [claim("e1", "A", **moved(0)), claim("e2", "B", **moved(14)), claim("e3", "C", **moved(28))]
    complete = groups_of(chain)
    assert complete["e1"] != complete["e3"]
    assert sum(complete["e2"] == complete[e] for e in ("e1", "e3")) == 1  # B joins one of them
    single = groups_of(chain, rules.LinkRules(min_link_share=0))
    assert single["e1"] == single["e2"] == single["e3"] is not None


@pytest.mark.parametrize(("sentence", "datelines", "expected"), [
    ("13 March 2019 An air strike hit Saraqib.", True, True),  # the dateline: the published date (12 March) stands
    ("Wednesday 13 March 2019 An air strike hit Saraqib.", True, True),
    ("13 March 2019 An air strike hit Saraqib.", False, False),  # read as the event's date: a day after A's
    ("An air strike hit Saraqib on 13 March 2019 after a week of raids.", True, False),  # the text's own date
])
def test_link_groups_a_dateline_is_when_the_article_was_written(sentence, datelines, expected):
    a = claim("e1", "A")
    b = claim("e2", "B", event_date=DAY + dt.timedelta(days=1), date_text="13 March 2019", sentence=sentence)
    assert linked(a, b, rules.LinkRules(datelines=datelines)) is expected


def test_link_groups_singletons_stay_null_and_other_columns_untouched():
    rows = [claim("e1", "A"), claim("e2", "B", **moved(300))]
    out = link_events(table(rows))
    assert out.column("event_group").to_pylist() == [None, None]
    assert out.column("link_reason").to_pylist() == [None, None]
    assert out.drop_columns(["event_group", "link_reason"]).equals(table(rows).drop_columns(["event_group", "link_reason"]))


@pytest.mark.parametrize("link_rules", [rules.LinkRules(), WIDE])
def test_link_groups_id_is_the_hash_of_the_earliest_member_and_order_does_not_matter(link_rules):
    later = DAY + dt.timedelta(days=1) if link_rules.max_span_days else DAY
    rows = [claim("e0", "C", event_date=later, published=later), claim("e2", "B"), claim("e1", "A"),
            claim("f1", "D", **moved(200)), claim("f2", "E", **moved(200))]
    first = groups_of(rows, link_rules)
    assert first["e0"] == first["e1"] == first["e2"] == stable_hash("event_group", "e1" if later > DAY else "e0")
    assert first["f1"] == first["f2"] == stable_hash("event_group", "f1")
    rng = random.Random(7)
    for _ in range(5):
        shuffled = rows[:]
        rng.shuffle(shuffled)
        assert groups_of(shuffled, link_rules) == first
        assert (link_events(table(shuffled), link_rules).sort_by("event_id")
                .equals(link_events(table(rows), link_rules).sort_by("event_id")))


@pytest.mark.parametrize("link_rules", [rules.LinkRules(), WIDE, rules.LinkRules(day_window=1, min_link_share=0)])
def test_link_groups_chaining_guard_bounds_the_date_span(link_rules):
    days = [DAY + dt.timedelta(days=i // 2) for i in range(16)]  # two reports a day for eight days
    chain = [claim(f"e{i:02d}", f"D{i}", event_date=day, published=day) for i, day in enumerate(days)]
    out = link_events(table(chain), link_rules).to_pylist()
    spans: dict[str, list[int]] = {}
    for row in out:
        if row["event_group"]:
            spans.setdefault(row["event_group"], []).append((row["event_date"] - DAY).days)
    assert spans, "a chain of daily reports must still form groups"
    assert all(max(d) - min(d) <= link_rules.max_span_days for d in spans.values())


@pytest.mark.parametrize("link_rules", [rules.LinkRules(), WIDE])
def test_link_groups_blocking_finds_every_pair_all_pairs_would_link(link_rules):
    rng = np.random.default_rng(3)
    rows = []
    for i in range(300):
        day = DAY + dt.timedelta(days=int(rng.integers(0, 20)))
        precision = int(rng.choice([1, 2, 2, 3, 4]))
        rows.append(claim(
            f"e{i:03d}", f"D{i % 120}", event_date=day if rng.random() < 0.6 else None, published=day,
            date_precision="day", lat=35.0 + rng.random() * 1.5, lon=36.0 + rng.random() * 1.5,
            place_id=f"p{i % 40}", geo_precision=precision, admin1=rng.choice(["Idlib", "Aleppo", "Hama"]),
            actor=rng.choice([None, "Syrian Arab Army", "Russian armed forces"]),
            sub_event_type=rng.choice(["Air/drone strike", "Shelling/artillery/missile attack"]),
        ))
    claims = claims_frame(table(rows), link_rules)
    found = blocking.candidate_pairs(claims, link_rules)
    n = len(claims)
    everything = np.array([(a, b) for a in range(n) for b in range(a + 1, n)])
    import pandas as pd

    all_pairs = pd.DataFrame({"a": everything[:, 0], "b": everything[:, 1]})
    want = rules.evaluate(claims, all_pairs, link_rules)
    got = rules.evaluate(claims, found, link_rules)
    assert len(want) > 30
    assert set(zip(want.a, want.b)) == set(zip(got.a, got.b))
    assert len(found) < len(all_pairs) / 4  # and it is blocking, not all pairs


@pytest.mark.parametrize("rows", [
    [],
    [claim("e1", "A")],
    [claim("e1", "A", lat=None), claim("e2", "B", lat=None)],  # no coordinates: nothing to compare
    [claim("e1", "A", event_date=None, published=None), claim("e2", "B", event_date=None, published=None)],  # no date
])
def test_link_groups_tables_with_nothing_to_link(rows):
    out = link_events(table(rows))
    assert out.num_rows == len(rows)
    assert out.column("event_group").null_count == len(rows)
