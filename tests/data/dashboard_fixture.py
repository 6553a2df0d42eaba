"""Recipe for the dashboard's committed test fixtures (golden files).

Regenerate with::

    .venv/bin/python tests/data/dashboard_fixture.py

It writes, beside this file, ``dashboard_events.parquet`` / ``dashboard_articles.parquet``
(a dozen hand-written claims by four outlets about Syrian towns, including region- and
country-level places, an undated claim, and two outlets disagreeing on the same town and
week) and ``dashboard_xss_events.parquet`` / ``dashboard_xss_articles.parquet`` (hostile
titles, sentences, actor text and URLs). Files are written with pipeline.store, so they
follow the data contract exactly: ``text[char_start:char_end] == sentence`` for every row.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipeline import store  # noqa: E402
from pipeline.schema import PIPELINE_VERSION, Article, Event, stable_hash  # noqa: E402

XSS_CANARY = "window.top.__xss_canary = 1"
XSS_PAYLOADS = (
    f"<script>{XSS_CANARY}</script>",
    f'<img src=x onerror="{XSS_CANARY}">',
    "${" + XSS_CANARY + "}",
    f"`;{XSS_CANARY};`",
    f"</script><script>{XSS_CANARY}</script>",
    f'"><svg onload="{XSS_CANARY}">',
)


@dataclass(frozen=True)
class Place:
    name: str
    place_id: str
    admin1: str
    country: str
    lat: float
    lon: float
    precision: int


ALEPPO = Place("Aleppo", "170063", "Aleppo", "SY", 36.20124, 37.16117, 1)
DOUMA = Place("Douma", "170654", "Rif-dimashq", "SY", 33.57175, 36.4027, 1)
IDLIB = Place("Idlib", "169389", "Idlib", "SY", 35.93062, 36.63393, 1)
HAMA_PROV = Place("Hama Governorate", "169575", "Hama", "SY", 35.25, 36.9, 3)
RAQQA = Place("Raqqa", "163915", "Ar-Raqqah", "SY", 35.95283, 39.00788, 1)
SYRIA = Place("Syria", "163843", "", "SY", 35.0, 38.0, 4)
DEIR = Place("Deir ez-Zor", "170794", "Deir ez-Zor", "SY", 35.33588, 40.14084, 1)
PALMYRA = Place("Palmyra", "170961", "Homs", "SY", 34.56037, 38.26842, 2)


@dataclass(frozen=True)
class Claim:
    """One sentence of an article and the event it claims."""

    sentence: str
    trigger: str
    place_text: str
    place: Place
    event_type: str
    sub_event_type: str
    actor: str | None
    actor_text: str | None
    actor_group: str | None
    claim_status: str = "asserted"
    claim_source: str | None = None
    event_date: dt.date | None = None
    fatalities: int | None = None


@dataclass(frozen=True)
class Story:
    outlet: str
    published: dt.date | None
    title: str
    url: str | None
    lead: str
    claims: tuple[Claim, ...]


def build(stories: tuple[Story, ...]) -> tuple[list[Article], list[Event]]:
    """Articles and events from stories; offsets computed so sentence == text[start:end]."""
    articles, events = [], []
    for story in stories:
        parts = [story.lead] + [c.sentence for c in story.claims] + ["Read more about this story on our website."]
        text = " ".join(parts)
        doc_id = Article.make_id(text, story.outlet)
        articles.append(
            Article(doc_id, story.outlet, story.published, "metadata" if story.published else None,
                    story.title, story.url, f"fixture/{doc_id}.txt", text, "metadata")
        )
        pos = len(story.lead) + 1
        for index, claim in enumerate(story.claims, start=1):
            start, end = pos, pos + len(claim.sentence)
            pos = end + 1
            assert text[start:end] == claim.sentence
            p = claim.place
            events.append(Event(
                event_id=stable_hash(doc_id, start, claim.trigger, claim.place_text),
                doc_id=doc_id, outlet=story.outlet, published=story.published,
                published_source="metadata" if story.published else None,
                event_date=claim.event_date, date_precision="day" if claim.event_date else None,
                date_text=None, event_type=claim.event_type, sub_event_type=claim.sub_event_type,
                trigger=claim.trigger, actor=claim.actor, actor_text=claim.actor_text,
                actor_group=claim.actor_group, target=None, target_text=None,
                claim_source=claim.claim_source, claim_status=claim.claim_status, fatalities=claim.fatalities,
                place_text=claim.place_text, place_name=p.name, place_id=p.place_id, admin1=p.admin1 or None,
                country_code=p.country, geo_precision=p.precision, geo_reason="prep-object of trigger",
                lat=p.lat, lon=p.lon, sentence=claim.sentence, sentence_index=index, char_start=start,
                char_end=end, title=story.title, url=story.url, pipeline_version=PIPELINE_VERSION,
            ))
    return articles, events


D = dt.date
AIR = ("Explosions/Remote violence", "Air/drone strike")
SHELL = ("Explosions/Remote violence", "Shelling/artillery/missile attack")
REGAIN = ("Battles", "Government regains territory")
CLASH = ("Battles", "Armed clash")
CHEM = ("Explosions/Remote violence", "Chemical weapon")

STORIES = (
    Story("RT", D(2018, 4, 9), "Douma 'chemical attack' staged, Russian military says", "https://www.rt.com/news/423839-douma-staged/",
          "The Russian military has questioned reports from the Damascus suburb.", (
              Claim("Russian officers found no trace of chemicals in Douma on Sunday, the Defence Ministry said.",
                    "found", "Douma", DOUMA, *CHEM, None, None, None, "denied", "Russian Defence Ministry", D(2018, 4, 8)),
              Claim("Terrorists shelled residential areas of Damascus from Douma the same day.",
                    "shelled", "Douma", DOUMA, *SHELL, "Jaysh al-Islam", "Terrorists", "rebel groups", "asserted", None, D(2018, 4, 8), 2),
          )),
    Story("Reuters", D(2018, 4, 8), "Dozens killed in suspected gas attack in Syria's Douma, rescuers say", "https://www.reuters.com/article/douma-gas",
          "Rescue workers said dozens of people were killed in the rebel-held town.", (
              Claim("A suspected chemical attack by government forces killed dozens of people in Douma on Saturday, rescuers said.",
                    "attack", "Douma", DOUMA, *CHEM, "Syrian Arab Army", "government forces", "state forces", "alleged", "rescuers", D(2018, 4, 7), 42),
              Claim("Syrian warplanes also struck the eastern outskirts of Aleppo, a monitor reported.",
                    "struck", "Aleppo", ALEPPO, *AIR, "Syrian Air Force", "Syrian warplanes", "state forces", "reported", "a monitor", D(2018, 4, 7)),
          )),
    Story("SANA", D(2018, 4, 8), "Army units continue operations against terrorists in Eastern Ghouta", "https://sana.sy/en/?p=133197",
          "Army units pressed on with their operations on Sunday.", (
              Claim("Army units liberated several farms near Douma after eliminating terrorists of Jaish al-Islam.",
                    "liberated", "Douma", DOUMA, *REGAIN, "Syrian Arab Army", "Army units", "state forces", "asserted", None, D(2018, 4, 8)),
              Claim("The Syrian Arab Army regained control of villages in Hama province, a military source told SANA.",
                    "regained", "Hama province", HAMA_PROV, *REGAIN, "Syrian Arab Army", "The Syrian Arab Army", "state forces", "reported", "a military source", D(2018, 4, 6)),
          )),
    Story("Al Jazeera", D(2018, 4, 10), "Syria: Air strikes pound Idlib as fears of offensive grow", "https://www.aljazeera.com/news/2018/4/10/idlib",
          "Residents described a night of heavy bombardment.", (
              Claim("Russian jets bombed a market in Idlib, killing at least 11 civilians, activists said.",
                    "bombed", "Idlib", IDLIB, *AIR, "Russian Air Force", "Russian jets", "external forces", "reported", "activists", D(2018, 4, 9), 11),
              Claim("Opposition fighters clashed with government troops in Hama province.",
                    "clashed", "Hama province", HAMA_PROV, *CLASH, "Free Syrian Army", "Opposition fighters", "rebel groups", "asserted", None, D(2018, 4, 9)),
          )),
    Story("RT", D(2018, 4, 11), "Syrian army clears last pockets near Idlib", "https://www.rt.com/news/424100-idlib/",
          "Government forces pushed into the countryside.", (
              Claim("The Syrian Army struck militant positions in Idlib, the Russian reconciliation centre said.",
                    "struck", "Idlib", IDLIB, *AIR, "Syrian Arab Army", "The Syrian Army", "state forces", "reported", "Russian reconciliation centre", D(2018, 4, 9)),
              Claim("Fighting flared across Syria as the ceasefire collapsed.",
                    "Fighting", "Syria", SYRIA, *CLASH, None, None, None, "asserted", None, None),
          )),
    Story("Reuters", None, "US-backed forces advance in Raqqa", "https://www.reuters.com/article/raqqa",
          "The fighters said they took several districts.", (
              Claim("US-backed fighters captured the old city of Raqqa from Islamic State.",
                    "captured", "Raqqa", RAQQA, "Battles", "Non-state actor overtakes territory", "Syrian Democratic Forces", "US-backed fighters", "rebel groups"),
              Claim("Islamic State militants attacked army positions near Palmyra, a monitor said.",
                    "attacked", "Palmyra", PALMYRA, *CLASH, "Islamic State", "Islamic State militants", "political militias", "reported", "a monitor", D(2017, 10, 2)),
              Claim("Coalition aircraft bombed Deir ez-Zor overnight.",
                    "bombed", "Deir ez-Zor", DEIR, *AIR, "US-led coalition", "Coalition aircraft", "external forces", "asserted", None, D(2017, 10, 3)),
          )),
)


def xss_stories() -> tuple[Story, ...]:
    """Hostile strings in every text field that reaches the screen."""
    stories = []
    for i, payload in enumerate(XSS_PAYLOADS):
        url = f"javascript:{XSS_CANARY}" if i % 2 == 0 else f"https://example.org/a?q={payload}".replace(" ", "")
        stories.append(Story(
            "RT" if i % 2 else "SANA", D(2018, 4, 1 + i), f"Title {payload}", url, f"Lead {payload}.", (
                Claim(f"Militants {payload} shelled Aleppo.", "shelled", "Aleppo", ALEPPO, *SHELL,
                      f"Actor {payload}", f"militants {payload}", "rebel groups", "asserted", f"source {payload}", D(2018, 4, 1 + i)),
                Claim(f"Troops {payload} attacked the outskirts of Palmyra.", "attacked", "Palmyra", PALMYRA, *CLASH,
                      "Syrian Arab Army", f"troops {payload}", "state forces", "alleged", None, D(2018, 4, 1 + i)),
            ),
        ))
    return tuple(stories)


def main() -> int:
    for prefix, stories in (("dashboard", STORIES), ("dashboard_xss", xss_stories())):
        articles, events = build(stories)
        store.write_events(events, HERE / f"{prefix}_events.parquet")
        store.write_articles(articles, HERE / f"{prefix}_articles.parquet")
        print(f"{prefix}: {len(articles)} articles, {len(events)} events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
