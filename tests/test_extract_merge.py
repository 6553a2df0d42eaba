"""Merging mentions of one event into one row per (claim, place) (pipeline/extract/merge.py), on hand-made rows."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.extract.merge import merge_mentions
from pipeline.schema import Event

BASE = Event(event_id="e", doc_id="d", outlet="X", published=dt.date(2016, 7, 10), published_source="metadata",
             event_date=dt.date(2016, 7, 10), date_precision="week", date_text=None,
             event_type="Explosions/Remote violence", sub_event_type="Air/drone strike", trigger="strike", actor=None,
             actor_text=None, actor_group=None, target=None, target_text=None, claim_source=None,
             claim_status="asserted", fatalities=None, place_text="Douma", place_name="Duma", place_id="170592",
             admin1="Rif-dimashq", country_code="SY", geo_precision=1, geo_reason="trigger: object", lat=33.57,
             lon=36.4, sentence="s", sentence_index=0, char_start=0, char_end=10, title=None, url=None,
             pipeline_version="0.2.0", trigger_start=0)


def row(i: int, **kw) -> Event:
    return dataclasses.replace(BASE, event_id=f"e{i}", sentence_index=i, char_start=i * 100, char_end=i * 100 + 50, **kw)


def test_merge_same_event_in_headline_and_body_is_one_row_with_mentions():
    got = merge_mentions([row(0), row(2, actor="Syrian Arab Army", actor_text="regime jets", actor_group="state forces")])
    assert len(got) == 1
    assert got[0].event_id == "e2" and got[0].mentions == 2 and got[0].other_mentions == "0-50"


def test_merge_fills_empty_fields_from_other_mentions():
    got = merge_mentions([row(0, actor="Syrian Arab Army", actor_text="regime", actor_group="state forces"),
                          row(1, fatalities=12, claim_source="SOHR", claim_status="reported",
                              event_date=dt.date(2016, 7, 9), date_precision="day", date_text="Saturday")])
    (one,) = got
    assert (one.actor, one.fatalities, one.claim_source, one.claim_status) == ("Syrian Arab Army", 12, "SOHR", "reported")
    assert (one.event_date, one.date_precision, one.date_text) == (dt.date(2016, 7, 9), "day", "Saturday")


@pytest.mark.parametrize("other, rows_out", [
    ({"place_id": "1", "place_name": "Daraa", "admin1": "Daraa", "lat": 32.6, "lon": 36.1}, 2),  # 110 km away
    ({"place_id": "2", "place_name": "Harasta", "lat": 33.56, "lon": 36.37}, 1),     # 3 km away: the same place
    ({"event_type": "Battles", "sub_event_type": "Armed clash"}, 2),                 # another type elsewhere in text
    ({"event_type": "Violence against civilians", "sub_event_type": "Attack"}, 1),   # "the attack": refers back
    ({"trigger": "raid"}, 1),                                                        # the other mention is undated
])
def test_merge_what_stays_apart(other, rows_out):
    first = row(0, event_date=dt.date(2016, 7, 9), date_precision="day", date_text="Saturday")
    assert len(merge_mentions([first, row(1, **other)])) == rows_out


def test_merge_two_explicit_days_are_two_events():
    a = row(0, event_date=dt.date(2016, 7, 9), date_precision="day", date_text="Saturday")
    b = row(1, event_date=dt.date(2016, 7, 4), date_precision="day", date_text="Monday")
    assert len(merge_mentions([a, b])) == 2


def test_merge_same_sentence_two_triggers_one_row_and_focus_row_dropped():
    a = row(0)
    b = dataclasses.replace(row(0), event_id="e0b", trigger_start=20, event_type="Battles", sub_event_type="Armed clash")
    focus = dataclasses.replace(row(0), event_id="e0c", place_id="9", geo_reason="document focus (no place in sentence)")
    got = merge_mentions([a, b, focus])
    assert [(e.event_id, e.mentions) for e in got] == [("e0", 1)]


def test_merge_region_row_joins_the_town_inside_it():
    region = row(1, place_id="170652", place_name="Rif-dimashq", geo_precision=3, lat=33.5, lon=36.9)
    (one,) = merge_mentions([row(0), region])
    assert (one.place_id, one.mentions) == ("170592", 2)


def test_merge_country_dot_dropped_beside_finer_dot_of_same_type():
    country = row(3, place_id="163843", place_name="Syria", geo_precision=4, admin1=None)
    assert [e.place_id for e in merge_mentions([row(0), country])] == ["170592"]


def test_merge_is_order_independent_and_deterministic():
    rows = [row(i, place_id=str(i % 2)) for i in range(6)]
    assert merge_mentions(rows) == merge_mentions(list(reversed(rows)))



def test_merge_headline_city_and_lead_town_of_one_province_are_one_claim():
    aleppo = {"place_id": "170063", "place_name": "Aleppo", "admin1": "Aleppo", "lat": 36.2, "lon": 37.16}
    atarib = {"place_id": "173160", "place_name": "Atarib", "admin1": "Aleppo", "lat": 36.14, "lon": 36.83}  # 30 km
    assert len(merge_mentions([row(0, **aleppo), row(1, **atarib)])) == 1       # headline and lead: told twice
    assert len(merge_mentions([row(0, **aleppo), row(5, **atarib)])) == 2       # the body's strike 30 km away


def test_merge_headline_and_lead_a_day_apart_or_typed_generically_are_one_claim():
    headline = row(0, event_date=dt.date(2016, 7, 10), date_precision="day", date_text="10 Jul 2016",
                   event_type="Battles", sub_event_type="Armed clash", trigger="attack")
    lead = row(1, event_date=dt.date(2016, 7, 9), date_precision="day", date_text="Saturday")
    assert len(merge_mentions([headline, lead])) == 1
    body = row(5, event_date=dt.date(2016, 7, 9), date_precision="day", date_text="Saturday")
    assert len(merge_mentions([row(0, event_date=dt.date(2016, 7, 10), date_precision="day", date_text="Sunday"),
                               body])) == 2  # in the body two days stay two events
