"""pipeline.link: linking decisions on hand-made claim tables, stable ids, order independence, the
chaining guard, and blocking that finds every pair an all-pairs comparison would."""

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
    "event_group": pa.string(), "link_reason": pa.string(),
}


def claim(event_id: str, doc_id: str, **over) -> dict:
    row = {
        "event_id": event_id, "doc_id": doc_id, "outlet": f"outlet-{doc_id}", "published": DAY, "event_date": DAY,
        "date_precision": "day", "date_text": "on Tuesday", "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
        "actor": None, "actor_group": None, "target": None, "fatalities": None, "place_name": "Saraqib",
        "place_id": "169304", "admin1": "Idlib", "country_code": "SY", "geo_precision": 1,
        "geo_reason": "trigger: prep-object 'in'", "lat": SARAQIB[0], "lon": SARAQIB[1], "event_group": None, "link_reason": None,
    }
    row.update(over)
    return row


def table(rows: list[dict]) -> pa.Table:
    return pa.table({c: [r[c] for r in rows] for c in COLUMNS}, schema=pa.schema(COLUMNS))


def groups_of(rows: list[dict]) -> dict[str, str | None]:
    out = link_events(table(rows))
    return dict(zip(out.column("event_id").to_pylist(), out.column("event_group").to_pylist()))


def linked(a: dict, b: dict) -> bool:
    g = groups_of([a, b])
    return g[a["event_id"]] is not None and g[a["event_id"]] == g[b["event_id"]]


def moved(km_north: float) -> dict:
    return {"lat": SARAQIB[0] + km_north / 111.2, "lon": SARAQIB[1], "place_id": f"p{km_north}", "place_name": f"{km_north} km north"}


@pytest.mark.parametrize(("b_changes", "expected"), [
    ({}, True),  # same town, same day, same type
    ({"event_date": DAY + dt.timedelta(days=1)}, True),  # event dates a day apart
    ({"sub_event_type": "Shelling/artillery/missile attack", "actor": "Syrian Arab Army"}, True),  # sub-types differ
    (moved(12), True),  # nearby town
    (moved(100), False),  # far apart
    ({"event_date": DAY + dt.timedelta(days=21), "published": DAY + dt.timedelta(days=21)}, False),  # weeks apart
    ({"event_date": None, "date_precision": None, "published": DAY + dt.timedelta(days=1)}, True),  # published date stands in
    ({"event_date": None, "date_precision": None, "published": DAY + dt.timedelta(days=5)}, False),
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


def test_link_groups_reason_says_why_and_disputed_actors_still_link():
    a = claim("e1", "A", actor="Syrian Arab Army", actor_group="state forces", fatalities=15)
    b = claim("e2", "B", actor="Syrian opposition armed groups", actor_group="rebel groups", fatalities=3,
              sub_event_type="Shelling/artillery/missile attack")
    out = link_events(table([a, b])).to_pylist()
    reason = out[0]["link_reason"]
    assert out[0]["event_group"] == out[1]["event_group"] is not None
    for words in ("with outlet-B claim e2", "same place Saraqib", "event dates same day", "Explosions/Remote violence",
                  "actor disputed (Syrian Arab Army vs Syrian opposition armed groups)", "tolls 15 vs 3"):
        assert words in reason


def test_link_groups_singletons_stay_null_and_other_columns_untouched():
    rows = [claim("e1", "A"), claim("e2", "B", **moved(300))]
    out = link_events(table(rows))
    assert out.column("event_group").to_pylist() == [None, None]
    assert out.column("link_reason").to_pylist() == [None, None]
    assert out.drop_columns(["event_group", "link_reason"]).equals(table(rows).drop_columns(["event_group", "link_reason"]))


def test_link_groups_id_is_the_hash_of_the_earliest_member_and_order_does_not_matter():
    rows = [claim("e3", "C", event_date=DAY + dt.timedelta(days=1)), claim("e2", "B"), claim("e1", "A"),
            claim("f1", "D", **moved(200)), claim("f2", "E", **moved(200))]
    first = groups_of(rows)
    assert first["e1"] == first["e2"] == first["e3"] == stable_hash("event_group", "e1")
    assert first["f1"] == first["f2"] == stable_hash("event_group", "f1")
    rng = random.Random(7)
    for _ in range(5):
        shuffled = rows[:]
        rng.shuffle(shuffled)
        assert groups_of(shuffled) == first
        assert link_events(table(shuffled)).sort_by("event_id").equals(link_events(table(rows)).sort_by("event_id"))


def test_link_groups_chaining_guard_bounds_the_date_span():
    chain = [claim(f"e{i}", f"D{i}", event_date=DAY + dt.timedelta(days=i), published=DAY + dt.timedelta(days=i)) for i in range(8)]
    out = link_events(table(chain)).to_pylist()
    spans: dict[str, list[int]] = {}
    for row in out:
        if row["event_group"]:
            spans.setdefault(row["event_group"], []).append((row["event_date"] - DAY).days)
    assert spans, "a chain of daily reports must still form groups"
    assert all(max(d) - min(d) <= rules.LinkRules().max_span_days for d in spans.values())


def test_link_groups_blocking_finds_every_pair_all_pairs_would_link():
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
    claims = claims_frame(table(rows))
    found = blocking.candidate_pairs(claims, rules.LinkRules())
    n = len(claims)
    everything = np.array([(a, b) for a in range(n) for b in range(a + 1, n)])
    import pandas as pd

    all_pairs = pd.DataFrame({"a": everything[:, 0], "b": everything[:, 1]})
    want = rules.evaluate(claims, all_pairs, rules.LinkRules())
    got = rules.evaluate(claims, found, rules.LinkRules())
    assert len(want) > 50
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
