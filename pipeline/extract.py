"""spaCy pipeline -> event candidates. (Interface; implementation in progress.)

Public interface used by the rest of the pipeline (keep these signatures):

    build_nlp(settings, geocoder=None) -> spacy.Language
    extract(nlp, article: Article) -> Extraction
    extract_many(nlp, articles: Iterable[Article], batch_size=32) -> Iterator[tuple[Article, Extraction]]
"""
