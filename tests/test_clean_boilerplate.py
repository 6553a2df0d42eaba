"""Site furniture in the seed articles is removed; article prose is kept word for word."""

from __future__ import annotations

import pytest

from pipeline.clean.boilerplate import clean_text, extract_html, guess_title
from tests.conftest import SEEDS_DIR


def seed(prefix: str) -> str:
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    return clean_text(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "prefix, gone",
    [
        ("000", ["READ MORE", "blood-chilling mass grave"]),
        ("001", ["Latest developments", "ALSO READ", "17 shellings registered", "Related Articles", "Leave a Reply", "Back to top"]),
        ("002", ["Leave a Comment", "Your email address", "Scroll to Top"]),
        ("003", ["Arabic AR Chinese", "Latest news", "View the original article", "Read more",
                 "white phosphorus on civilians in Syria – Damascus to UN", "624 civilian casualties from airstrikes in Iraq, Syria",
                 "In the same category", "Macron", "Skripal", "Milo Yiannopoulos", "Kaizer Chiefs", "Libyan oil pipeline", "Leave a comment"]),
        ("004", ["Facebook Twitter", "Continue this story", "SEE MORE SYRIA NEWS", "New Dawn Magazine", "Surfshark", "VPN"]),
    ],
)
def test_clean_seed_furniture_removed(prefix, gone):
    text = seed(prefix)
    for fragment in gone:
        assert fragment not in text, fragment


@pytest.mark.parametrize(
    "prefix, kept",
    [
        ("000", ["In April 2016, the Syrian Army found a mass grave with dozens of corpses, women and children among them, in Palmyra."]),
        ("001", ["More than 3,000 militants have left Aleppo of their own free will", "the settlement of Al-Rashidin-4"]),
        ("002", ["The Syrian Civil Defence, better known as the White Helmets, have deployed teams to Sednaya prison"]),
        ("003", ["the Syrian army has liberated the town of al-Sukhnah", "The US-led coalition has denied bombing the hospital in Raqqa",
                 "has contradicted this claim, and says more than 4,350 civilians have been killed in US-led military operations since June 2014."]),
        ("004", ["in the villages of Ayash, Hatla, al-Husseiniyeh and Huwejet Saqr.", "21st Century Wire says…"]),
    ],
)
def test_clean_seed_prose_kept(prefix, kept):
    text = seed(prefix)
    for fragment in kept:
        assert fragment in text, fragment


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Shelling hit Homs.\nShare this article\nRead more\nA teaser headline here\nThe army said six died.",
         "Shelling hit Homs.\n\nThe army said six died."),
        ("Clashes in Idlib.\nYou may also like\nAnything after is a teaser.", "Clashes in Idlib."),
        ("Protest in Daraa.\nSubscribe to our newsletter\nTwitter Facebook Instagram", "Protest in Daraa."),
        ("HomeWorldMiddleEastSport\nShelling in Hama.", "Shelling in Hama."),
        ("A long paragraph that mentions a newsletter and a VPN deal but is real prose about events in Idlib, "
         "where shelling killed four people on Monday according to activists who spoke to reporters at length about it.",
         None),
    ],
)
def test_clean_text_rules(text, expected):
    assert clean_text(text) == (text if expected is None else expected)


def test_clean_guess_title_only_for_headlines():
    assert guess_title("Terrorists driven out of all Aleppo quarters\n\nThe army said.") == "Terrorists driven out of all Aleppo quarters"
    assert guess_title("The army said it took the town.\n\nMore.") is None


def test_clean_html_main_text_without_furniture():
    html = (
        "<html><head><title>Raqqa strikes</title></head><body>"
        "<header><nav><a href='/'>Home</a><a href='/world'>World</a></nav></header>"
        "<article><h1>Raqqa strikes</h1>"
        "<p>Airstrikes hit residential neighborhoods in Raqqa city on Saturday, SANA reported, killing at least 43 civilians.</p>"
        "<p>The US-led coalition has denied bombing the hospital in Raqqa, a spokesman said in a statement on Sunday.</p>"
        "</article><aside><h3>Related</h3><ul><li><a href='/x'>Unrelated teaser about football riots</a></li></ul></aside>"
        "<footer>Copyright 2017</footer></body></html>"
    )
    doc = extract_html(html)
    assert doc is not None
    assert "Airstrikes hit residential neighborhoods in Raqqa city" in doc.text
    assert "football riots" not in doc.text and "Copyright" not in doc.text
    assert doc.title == "Raqqa strikes"
