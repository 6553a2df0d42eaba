"""One article through the real model, extraction, geocoding and merging (``run.worker.events_for``): the map rows a
journalist sees for it. Shared by the tests of the blind audit's error classes."""

from __future__ import annotations

import datetime as dt

from pipeline.run.worker import events_for
from pipeline.schema import Article

PUBLISHED = dt.date(2016, 7, 10)  # a Sunday


def rows(worker, text: str, outlet: str = "Reuters"):
    from pipeline.extract.events import extract

    article = Article(doc_id=Article.make_id(text, outlet), outlet=outlet, published=PUBLISHED,
                      published_source="metadata", title=None, url=None, source_path="test", text=text)
    return events_for(article, extract(worker.nlp, article), worker.geocoder).events
