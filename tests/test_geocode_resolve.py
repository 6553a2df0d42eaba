"""Resolution on the real embedded gazetteer: seeds, precision rules, disambiguation, false friends."""

from __future__ import annotations

import pytest
from geo_fixtures import geocoder, haversine_km, mention  # noqa: F401  (fixtures)

from pipeline.geocode.resolver import DocFocus

SYRIA = DocFocus({"SY": 0.9, "IQ": 0.1})

# (text as written in ../shared/seeds, GeoNames id of the cities500 place it names)
SEED_PLACES = [
    ("Aleppo", "170063"),
    ("Raqqa", "172955"),
    ("Palmyra", "163808"),
    ("al-Sukhnah", "172425"),
    ("Deir ez-Zor", "170794"),
    ("Deir Ezzor", "170794"),
    ("Damascus", "170654"),
    ("Sednaya", "164717"),
    ("Hama", "170017"),
    ("Homs", "169577"),
    ("Al-Jasim", "165997"),
    # spelling variants of the same places
    ("Dayr az Zawr", "170794"),
    ("Ar Raqqah", "172955"),
    ("As Sukhnah", "172425"),
    ("Saydnaya", "164717"),
    ("Tadmur", "163808"),
]

# Seed villages/quarters GeoNames cities500 does not have: no dot beats a wrong dot.
SEED_ABSENT = ["Hatla", "Ayash", "al-Husseiniyeh", "Huwejet Saqr", "Al-Rashidin", "Alamji", "Al-Jura",
               "al-Bugheiliyeh", "Salah al-Din quarter", "Alamji neighborhood",
               "Jura"]  # "the besieged neighborhood of Al-Jura": not Gyor, Hungary, whose alternate name is Jura


def _point(geocoder, gid):
    rows = geocoder.index.rows("SELECT lat, lon FROM places WHERE gid = ?", (gid,))
    assert rows, f"{gid} not in the embedded gazetteer"
    return rows[0]


@pytest.mark.parametrize(("text", "gid"), SEED_PLACES)
def test_geocode_seed_places_within_25km(geocoder, text, gid):
    match = geocoder.resolve(mention(text, "prep-object of trigger"), SYRIA)
    assert match is not None, text
    lat, lon = _point(geocoder, gid)
    assert haversine_km(lat, lon, match.lat, match.lon) <= 25, (text, match)
    assert match.place_id == gid
    assert match.geo_precision == 1
    assert match.geo_reason.startswith("prep-object of trigger; ")


@pytest.mark.parametrize("text", SEED_ABSENT)
def test_geocode_absent_seed_villages_are_not_pinned_elsewhere(geocoder, text):
    assert geocoder.resolve(mention(text), SYRIA) is None


@pytest.mark.parametrize(
    ("text", "kw", "precision", "kind_or_gid"),
    [
        ("Hama", {"kind": "region"}, 3, "170015"),
        ("Hama province", {}, 3, "170015"),
        ("Deir ez-Zor governorate", {}, 3, "170792"),
        ("Aleppo", {"modifier": "eastern"}, 2, "170063"),
        ("eastern Aleppo", {}, 2, "170063"),
        ("the outskirts of Homs", {}, 2, "169577"),
        ("50 kilometers north of Raqqa", {}, 2, "172955"),
        ("Raqqa countryside", {}, 3, "172957"),  # the province around the town (blind audit)
        ("Raqqa city", {}, 1, "172955"),
        ("Syria", {}, 4, "163843"),
        ("Syria", {"modifier": "north of"}, 4, "163843"),
        ("Syrian", {}, 4, "163843"),
        ("Turkish", {"kind": "country"}, 4, "298795"),
        ("Iraq", {"kind": "country"}, 4, "99237"),
        ("Hama province", {"modifier": "northern"}, 3, "170015"),
    ],
)
def test_geocode_precision_rules(geocoder, text, kw, precision, kind_or_gid):
    match = geocoder.resolve(mention(text, **kw), SYRIA)
    assert match is not None
    assert (match.place_id, match.geo_precision) == (kind_or_gid, precision)
    if precision > 1:
        assert match.geo_precision != 1


@pytest.mark.parametrize(
    ("text", "label", "focus", "expected_cc", "expected_kind_precision"),
    [
        ("Tripoli", None, {"LB": 1.0}, "LB", 1),
        ("Tripoli", None, {"LY": 1.0}, "LY", 1),
        ("Alexandria", None, {"EG": 1.0}, "EG", 1),
        ("Alexandria", None, {"US": 1.0}, "US", 1),
        ("Georgia", None, {"US": 1.0}, "US", 3),
        ("Georgia", None, {"RU": 0.5, "AM": 0.5}, "GE", 4),
        ("Paris", None, {}, "FR", 1),
        ("Homs", None, {}, "SY", 1),
        ("Hama", "ORG", {"SY": 1.0}, "SY", 1),
        ("Jordan", "PERSON", {"SY": 0.8, "IQ": 0.2}, "JO", 4),
        ("Jordan", "GPE", {}, "JO", 4),
        ("Mexico", None, {}, "MX", 4),
        ("China", None, {"US": 1.0}, "CN", 4),
        ("UK", None, {}, "GB", 4),
        ("U.S.", None, {}, "US", 4),
        ("EU", None, {}, "", 4),
    ],
)
def test_geocode_disambiguation(geocoder, text, label, focus, expected_cc, expected_kind_precision):
    match = geocoder.resolve(mention(text, label=label), DocFocus(focus))
    assert match is not None, text
    assert (match.country_code or "") == expected_cc
    assert match.geo_precision == expected_kind_precision


@pytest.mark.parametrize(
    ("text", "label", "focus"),
    [
        ("Assad", "PERSON", {"SY": 1.0}),
        ("Assad", "GPE", {"SY": 1.0}),
        ("Jordan", "PERSON", {"US": 1.0}),
        ("March", "GPE", {}),
        ("Police", "GPE", {"SY": 1.0}),
        ("Reading", None, {"SY": 1.0}),
        ("Mobile", "GPE", {"SY": 1.0}),
        ("Victoria", "PERSON", {"SY": 1.0}),
    ],
)
def test_geocode_false_friends_stay_unresolved(geocoder, text, label, focus):
    assert geocoder.resolve(mention(text, label=label), DocFocus(focus)) is None


def test_geocode_focus_from_toponyms_and_demonyms(geocoder):
    text = "Syrian troops entered al-Sukhnah east of Palmyra, and shelled Deir ez-Zor, a Turkish source said."
    toponyms = [mention(t) for t in ("al-Sukhnah", "Palmyra", "Deir ez-Zor")]
    focus = geocoder.focus(toponyms, text)
    assert focus.top_country() == "SY"
    assert focus.country("SY") > 0.7
    assert focus.region("SY", "07") > 0  # Deir ez-Zor governorate


def test_geocode_reason_explains_choice(geocoder):
    match = geocoder.resolve(mention("Tripoli", "prep-object of trigger"), DocFocus({"LB": 1.0}))
    assert match.geo_reason.startswith("prep-object of trigger; ")
    assert "LB document focus" in match.geo_reason and "population" in match.geo_reason


@pytest.mark.parametrize(("name", "gid"), [("Raqqa", "172955"), ("Deir Ezzor", "170794"), ("Aleppo", "170062")])
def test_geocode_lookup_returns_raw_candidates(geocoder, name, gid):
    assert gid in {c.gid for c in geocoder.lookup(name)}


# (names in one document, the name to resolve, its expected country, admin1 code or None for any)
OTHER_NAMES_DECIDE = [
    (["Dublin", "Dublin", "Dublin", "Ohio"], "Dublin", "US", "OH"),
    (["Paris", "Paris", "Texas"], "Paris", "US", "TX"),
    (["Alexandria", "Alexandria", "Louisiana"], "Alexandria", "US", "LA"),
    (["Aleppo", "Idlib", "Hama"], "Hama", "SY", None),
    (["Texas", "Houston", "China", "China", "China"], "China", "CN", None),
    (["Georgia", "Georgia", "Augusta"], "Georgia", "US", "GA"),
    (["Georgia", "Georgia", "Decatur", "Dalton"], "Georgia", "US", "GA"),
    (["Georgia", "Georgia", "Tbilisi", "Russia"], "Georgia", "GE", None),
]


@pytest.mark.parametrize(("names", "target", "cc", "admin1"), OTHER_NAMES_DECIDE)
def test_geocode_namesake_decided_by_the_other_names(geocoder, names, target, cc, admin1):
    """A town is scored on the evidence of the *other* names of the document: a lone 'Dublin' in an Ohio
    story does not vote for Ireland and then follow its own vote; a country keeps its own mentions."""
    toponyms = [mention(n) for n in names]
    match = geocoder.resolve(mention(target), geocoder.focus(toponyms, " ".join(names)))
    assert match is not None and match.country_code == cc
    if admin1:
        assert match.place_id in {c.gid for c in geocoder.lookup(target) if c.admin1 == admin1}


def test_geocode_focus_without_drops_only_that_name():
    focus = DocFocus.from_parts([("dublin", "IE", "IE.L", 1.0), ("ohio", "US", "US.OH", 1.0)])
    assert focus.country("IE") == 0.5
    assert focus.without("dublin").country("IE") == 0.0
    assert focus.without("dublin").country("US") == 1.0
    assert focus.without("paris") is focus


@pytest.mark.parametrize("name", ["Minnesota", "Montana"])
def test_geocode_region_not_replaced_by_hamlet_or_spelling_variant(geocoder, name):
    """'Minnesota' is the state, not Minneota (a spelling variant) nor a hamlet carrying its name."""
    match = geocoder.resolve(mention(name), DocFocus({"US": 1.0}))
    assert match is not None and match.geo_precision == 3 and match.country_code == "US"


def test_geocode_focus_second_pass_reads_names_in_context(geocoder):
    """First pass: 'Gainesville' alone is Florida's and 'Athens' Greece's; second pass, among Atlanta and
    Macon, both vote for Georgia (US), so the focus names one region."""
    names = ["Gainesville", "Athens", "Atlanta", "Macon"]
    focus = geocoder.focus([mention(n) for n in names], " ".join(names))
    assert focus.country("US") == 1.0
    assert focus.region("US", "GA") == 1.0
