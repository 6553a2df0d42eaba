"""When two claims from different articles report the same real-world event.

A pair of claims (one row each of the frame built by ``groups.claims_frame``)
is linked when all four kinds of evidence agree:

place
    Both placed at town level (geo_precision 1-2): within ``town_km`` of each
    other. One placed only at region level (3): the same admin1 of the same
    country. One placed only at country level (4): the same country, and only
    with strong agreement elsewhere: the same day from the text's own event
    dates, the same sub-type and the same named actor.
date
    Each claim's date is its ``event_date`` when the text gives one at day or
    week precision (``date_text`` set: an event date the extractor filled in
    from the article date, or the article's dateline opening the sentence, is
    the published date), else the article's ``published`` date. A text date
    after the publication date is a misreading (the published date stands in);
    a text date only to a month or year other than the article's ("In May,
    ...") is another event, and the claim is not linked at all. Two dates
    agree within ``day_window`` days when both are event dates, within
    ``published_window`` when either is a published date, and within
    ``week_window`` when either is week-precise. All three are 0 (the same
    day): with one day, reports of consecutive days from a city at war linked
    far more often than a report and its next-day follow-up (benchmarks/README.md,
    link_bench), and the chaining guard ``max_span_days`` keeps a group on one
    day even if the windows are widened.
type
    The same ACLED ``event_type`` (sub-types may differ: one outlet's shelling
    is another's air strike), or a pair in ``compatible_types``.
actors
    Different actors blamed never block a link: that disagreement is what a
    reader comes to see. What does block it is a contradiction of direction
    in one-sided violence: claim A says X attacked Y while claim B says Y
    attacked X (both actors and targets named). Those are two attacks in
    opposite directions (tit-for-tat shelling across a front line), not two
    accounts of one. In Battles both sides attack, so role reversal there is
    one clash seen from either side, and it links.
evidence
    Beyond those rules a link needs ``min_evidence`` points of agreeing
    specifics (see ``evidence``): in a city at war, "an air strike in Aleppo"
    reported on consecutive days by two papers is too common to be one event
    by itself. Actors blamed on different sides of a war (``SIDES``: the
    Syrian army vs the rebels) cost a point in one-sided violence: with no
    other agreement that is a regime raid on one half of a city and rebel
    rockets on the other, while one strike whose blame is disputed still
    links on its place, day and sub-type.

Every point a link scores is kept as a bit of ``evidence_bits`` so that
``reason`` names them in ``link_reason``.

Claims of the same article are never linked to each other directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

EARTH_KM = 6371.0088
ONE_SIDED = ("Explosions/Remote violence", "Violence against civilians")
# Sides of the wars in pipeline/resources/actors.yaml, by canonical actor name; an actor not listed has no side
# and never conflicts. Allies that outlets confuse ("Russian or Syrian jets") are one side.
SIDES = {
    "Syrian government and allies": ("Syrian Arab Army", "Russian armed forces", "Syrian or Russian forces",
                                     "Iranian armed forces", "Hezbollah"),
    "Syrian armed opposition": ("Syrian opposition armed groups", "Hayat Tahrir al-Sham"),
    "Islamic State": ("Islamic State",),
    "US-led coalition and SDF": ("US-led coalition", "United States armed forces", "Syrian Democratic Forces"),
    "Turkey": ("Turkish armed forces",),
    "Israel": ("Israel Defense Forces",),
    "Palestinian armed groups": ("Hamas", "Palestinian Islamic Jihad"),
    "Ukraine": ("Ukrainian armed forces",),
}
# Evidence points, in the order ``reason`` names them (bit i of ``evidence_bits``).
EVIDENCE_WORDS = ("same place named in both sentences", "same day in both texts", "same sub-type", "same actor",
                  "tolls agree", "tolls far apart (-1)", "actors on different sides (-1)")


@dataclass(frozen=True)
class LinkRules:
    """Thresholds of the linking rules; the defaults are the ones measured in benchmarks/link_bench.py."""

    town_km: float = field(default=25.0, metadata={"help": "Largest distance between two town-level claims."})
    day_window: int = field(default=0, metadata={"help": "Days between two day-precise event dates."})
    published_window: int = field(default=0, metadata={"help": "Days when either claim only has its published date."})
    week_window: int = field(default=0, metadata={"help": "Days when either event date is week-precise."})
    max_span_days: int = field(default=0, metadata={"help": "Chaining guard: widest date span within one group."})
    max_span_km: float = field(default=40.0, metadata={"help": "Chaining guard: widest extent of a group's town-level claims."})
    min_evidence: int = field(default=1, metadata={"help": "Agreeing specifics a link needs beyond the basic rules (see ``evidence``)."})
    datelines: bool = field(default=True, metadata={
        "help": "A full date opening the sentence is the article's dateline, not the event's date (groups.claims_frame)."})
    side_penalty: int = field(default=1, metadata={"help": "Points one-sided violence loses when the actors are on different SIDES."})
    min_link_share: float = field(default=1.0, metadata={
        "help": "Share of the claim pairs (from different articles) across two groups that must be links for them to join: "
                "1 is complete linkage (every pair), 0 single linkage (any one link), 0.5 average linkage."})
    compatible_types: frozenset[frozenset[str]] = field(
        default=frozenset({frozenset({"Explosions/Remote violence", "Violence against civilians"})}),
        metadata={"help": "Pairs of different event types that may still be one event."},
    )

    @property
    def widest_window(self) -> int:
        return max(self.day_window, self.published_window, self.week_window)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def evaluate(claims: pd.DataFrame, pairs: pd.DataFrame, rules: LinkRules) -> pd.DataFrame:
    """The candidate pairs that link, with the evidence columns ``tier``, ``days`` and ``km``.

    ``pairs`` holds positions ``a`` < ``b`` into ``claims``. ``tier`` is 0 for town-level,
    1 for region-level and 2 for country-level place agreement (lower is stronger)."""
    if pairs.empty:
        empty = {c: pd.Series(dtype="int64") for c in ("tier", "days", "evidence", "evidence_bits")}
        return pairs.assign(**empty, km=pd.Series(dtype="float64"))
    A, B = claims.iloc[pairs["a"].to_numpy()].reset_index(drop=True), claims.iloc[pairs["b"].to_numpy()].reset_index(drop=True)
    days = (A["day"] - B["day"]).abs().to_numpy()
    km = haversine_km(A["lat"].to_numpy(), A["lon"].to_numpy(), B["lat"].to_numpy(), B["lon"].to_numpy())
    tier = np.maximum(_tier(A["geo_precision"]), _tier(B["geo_precision"]))
    ok = (A["doc_id"].to_numpy() != B["doc_id"].to_numpy()) & (days <= np.maximum(A["window"], B["window"]).to_numpy())
    ok &= _types_compatible(A, B, rules) & ~_reversed_roles(A, B)
    ok &= _place_agrees(A, B, tier, km, days, rules)
    bits = evidence_bits(A, B, days)
    score = evidence_score(bits, rules)
    ok &= score >= rules.min_evidence
    out = pairs.reset_index(drop=True).assign(tier=tier, days=days, km=km, evidence=score, evidence_bits=bits)
    return out[ok].reset_index(drop=True)


def evidence_bits(A: pd.DataFrame, B: pd.DataFrame, days: np.ndarray) -> np.ndarray:
    """Which specifics the two claims share beyond the basic rules, as bits in the order of ``EVIDENCE_WORDS``:
    the same place named in both sentences (not taken from the document), the same day from both texts' own
    event dates, the same sub-type, the same named actor, death tolls that agree (within 3 or 25%); and the two
    that count against: tolls far apart, actors of one-sided violence on different ``SIDES``."""
    same_named = (A["named"] & B["named"] & (A["place_id"] == B["place_id"])).to_numpy()
    event_days = ((A["date_kind"] == "event") & (B["date_kind"] == "event")).to_numpy() & (days == 0)
    same_sub = (A["sub_event_type"] == B["sub_event_type"]).to_numpy()
    same_actor = (A["actor"].notna() & (A["actor"] == B["actor"])).to_numpy()
    fa, fb = A["fatalities"].to_numpy(dtype="float64", na_value=np.nan), B["fatalities"].to_numpy(dtype="float64", na_value=np.nan)
    gap = np.abs(fa - fb)
    with np.errstate(invalid="ignore"):
        tolls_agree = (gap <= np.maximum(3, 0.25 * np.fmax(fa, fb)))
        tolls_apart = (gap > np.maximum(10, 2 * np.fmin(fa, fb)))
    flags = (same_named, event_days, same_sub, same_actor, tolls_agree, tolls_apart, _different_sides(A, B))
    return sum(np.asarray(f, dtype=np.int64) << i for i, f in enumerate(flags))


def evidence_score(bits: np.ndarray, rules: LinkRules) -> np.ndarray:
    """Points of ``evidence_bits``: one per agreeing specific, minus one for tolls far apart and
    ``rules.side_penalty`` for actors on different sides."""
    bits = np.asarray(bits, dtype=np.int64)
    weights = [1, 1, 1, 1, 1, -1, -rules.side_penalty]
    return sum(((bits >> i) & 1) * w for i, w in enumerate(weights)).astype(np.int64)


def _different_sides(A: pd.DataFrame, B: pd.DataFrame) -> np.ndarray:
    """One-sided violence blamed by the two claims on actors of different ``SIDES``."""
    side_of = {actor: side for side, actors in SIDES.items() for actor in actors}
    sa, sb = A["actor"].map(side_of), B["actor"].map(side_of)
    one_sided = A["event_type"].isin(ONE_SIDED) & B["event_type"].isin(ONE_SIDED)
    return (sa.notna() & sb.notna() & (sa != sb) & one_sided).to_numpy()


def _tier(precision: pd.Series) -> np.ndarray:
    return np.select([precision.to_numpy() <= 2, precision.to_numpy() == 3], [0, 1], 2)


def _types_compatible(A: pd.DataFrame, B: pd.DataFrame, rules: LinkRules) -> np.ndarray:
    x, y = A["event_type"].to_numpy(dtype=object), B["event_type"].to_numpy(dtype=object)
    ok = x == y
    for pair in rules.compatible_types:
        if len(pair) == 2:
            p, q = sorted(pair)
            ok |= ((x == p) & (y == q)) | ((x == q) & (y == p))
    return ok


def _reversed_roles(A: pd.DataFrame, B: pd.DataFrame) -> np.ndarray:
    """One-sided violence in opposite directions: A says X hit Y, B says Y hit X."""
    named = A["actor"].notna() & B["actor"].notna() & A["target"].notna() & B["target"].notna()
    reversed_ = (A["actor"] == B["target"]) & (B["actor"] == A["target"]) & (A["actor"] != B["actor"])
    one_sided = A["event_type"].isin(ONE_SIDED) & B["event_type"].isin(ONE_SIDED)
    return (named & reversed_ & one_sided).to_numpy()


def _place_agrees(A: pd.DataFrame, B: pd.DataFrame, tier: np.ndarray, km: np.ndarray, days: np.ndarray, rules: LinkRules) -> np.ndarray:
    same_country = (A["country_code"] == B["country_code"]).to_numpy() & A["country_code"].notna().to_numpy()
    same_admin1 = same_country & (A["admin1"] == B["admin1"]).to_numpy() & A["admin1"].notna().to_numpy()
    strong = (
        (days == 0)
        & (A["date_kind"] == "event").to_numpy() & (B["date_kind"] == "event").to_numpy()
        & (A["sub_event_type"] == B["sub_event_type"]).to_numpy()
        & A["actor"].notna().to_numpy() & (A["actor"] == B["actor"]).to_numpy()
    )
    return np.select([tier == 0, tier == 1], [km <= rules.town_km, same_admin1], same_country & strong)


def reason(a: dict, b: dict, tier: int, days: int, km: float, bits: int = 0, points: int = 0) -> str:
    """Why claim ``a`` is linked with claim ``b``, in words (stored in ``link_reason``)."""
    return "; ".join((
        f"with {b['outlet']} claim {b['event_id']}",
        _place_words(a, b, tier, km),
        _date_words(a, b, days),
        _type_words(a, b),
        _actor_words(a, b),
    ) + _toll_words(a, b) + (_evidence_words(bits, points),))


def _evidence_words(bits: int, points: int) -> str:
    named = [w for i, w in enumerate(EVIDENCE_WORDS) if bits >> i & 1]
    return f"evidence {points}: {', '.join(named) if named else 'none'}"


def _place_words(a: dict, b: dict, tier: int, km: float) -> str:
    if tier == 0:
        if a["place_id"] == b["place_id"]:
            return f"same place {a['place_name']}"
        return f"{a['place_name']} and {b['place_name']} {km:.0f} km apart"
    if tier == 1:
        return f"same region {a['admin1']} (one placed at region level only)"
    return f"same country {a['country_code']} (country level only: same day, sub-type and actor)"


def _date_words(a: dict, b: dict, days: int) -> str:
    kinds = {a["date_kind"], b["date_kind"]}
    what = "event dates" if kinds == {"event"} else "published dates" if kinds == {"published"} else "event and published dates"
    return f"{what} same day" if days == 0 else f"{what} {days} day{'s' if days > 1 else ''} apart"


def _type_words(a: dict, b: dict) -> str:
    if a["event_type"] != b["event_type"]:
        return f"{a['event_type']} ({a['sub_event_type']}) vs {b['event_type']} ({b['sub_event_type']})"
    if a["sub_event_type"] == b["sub_event_type"]:
        return f"both {a['event_type']} ({a['sub_event_type']})"
    return f"both {a['event_type']} ({a['sub_event_type']} vs {b['sub_event_type']})"


def _toll_words(a: dict, b: dict) -> tuple[str, ...]:
    x, y = a["fatalities"], b["fatalities"]
    if x is None or y is None:
        return ()
    return (f"same toll ({int(x)})",) if x == y else (f"tolls {int(x)} vs {int(y)}",)


def _actor_words(a: dict, b: dict) -> str:
    x, y = (None if a["actor_group"] == "unidentified" else a["actor"]), (None if b["actor_group"] == "unidentified" else b["actor"])
    if x is None and y is None:
        return "no actor named by either"
    if x is None or y is None:
        return f"actor named by one only ({x if x is not None else y})"
    if x == y:
        return f"same actor ({x})"
    gx, gy = a["actor_group"], b["actor_group"]
    if gx is not None and gx == gy:
        return f"actors differ within {gx} ({x} vs {y})"
    return f"actor disputed ({x} vs {y})"
