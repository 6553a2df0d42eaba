"""Place spans of a parsed sentence: which tokens name a place (entities, and proper nouns the small model
mislabels in locative slots), the span a place covers, and the document's toponyms. pipeline/places.py decides which
of them belong to an event. Offsets are relative to the parsed doc.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.schema import PlaceMention
from pipeline.resources import word_set

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
PLACE_NOUNS = word_set("place_spans.place_nouns")
TOWN_NOUNS = word_set("place_spans.town_nouns")
REGION_NOUNS = word_set("place_spans.region_nouns")
# "outskirts of X", "countryside of X": the event is near or in part of X
PART_NOUNS = word_set("place_spans.part_nouns")
QUARTER_NOUNS = word_set("place_spans.quarter_nouns")
DIRECTIONS = word_set("place_spans.directions")
NEAR_PREPS = word_set("place_spans.near_preps")
NOT_PLACE_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "EVENT", "LAW",
                            "LANGUAGE", "WORK_OF_ART"})
LOCATIVE_PREPS = word_set("place_spans.locative_preps")
# participles a place may hang on and still be the event's ("forces positioned in Daraa", "a base located in X")
STATIVE_PARTICIPLES = word_set("place_spans.stative_participles")
SITE_NOUNS = word_set("place_spans.site_nouns")
PARTICIPANT_NOUNS = word_set("place_spans.participant_nouns")
# verbs whose object / passive subject is typically a place ("entered Zabdeen", "Tororo was shelled")
TERRITORIAL = word_set("place_spans.territorial")
GUESS_LABELS = frozenset({"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", ""})
SUBJECT_DEPS = frozenset({"nsubj", "csubj", "expl"})
# words that run on from a title-case headline or page furniture into a place entity ("Damascus Monitor AFP",
# "Date of publication", "Regime Air Raids"): never part of a place name here
HEADLINE_WORDS = word_set("place_spans.headline_words")
# words that are no place on their own ("Eastern" of a split "Eastern Ghouta", "Nov" of a date, "Middle" of "Middle East")
NOT_ALONE = DIRECTIONS | frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
                                    "dec", "eastern", "western", "northern", "southern", "levant", "sham", "middle",
                                    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"})


_COUNTRIES: set[str] = set()


def is_country(span: "Span") -> bool:
    return known_country(span.text)


def known_country(text: str) -> bool:
    if not _COUNTRIES:
        import pycountry

        for c in pycountry.countries:
            _COUNTRIES.update({c.name, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name)})
        _COUNTRIES.update({"US", "U.S.", "USA", "UK", "Britain", "Russia", "Iran", "Syria", "Palestine", "Vietnam",
                           "South Korea", "North Korea", "Bolivia", "Venezuela", "Tanzania", "Laos", "Moldova",
                           "Congo", "Ivory Coast", "Taiwan", "Kosovo", "Czech Republic", "Turkey"})
    return text in _COUNTRIES


def is_site(noun: "Token") -> bool:
    lemma = noun.lemma_.lower()
    return lemma in PLACE_NOUNS or lemma in SITE_NOUNS or noun.ent_type_ in PLACE_LABELS


def is_place_token(tok: "Token") -> bool:
    """A token of a place: a place entity (not an actor/outlet pattern), or a proper noun the small model mislabels
    ("Palmyra" PERSON, "Corsica" PRODUCT) in a locative slot ("in X", "near X", "the village of X")."""
    if tok.ent_id_.startswith(("actor:", "outlet:")):
        return False
    if tok.ent_type_ in PLACE_LABELS:
        return True
    if tok.pos_ != "PROPN" or tok.ent_type_ in NOT_PLACE_ENTS or tok.dep_ not in ("pobj", "conj", "compound", "appos"):
        return False
    head = tok
    while head.dep_ in ("conj", "compound", "appos") and head.head.i != head.i:
        head = head.head
    if head.dep_ != "pobj":
        return False
    prep = head.head
    if prep.lower_ == "of":
        return prep.head.lemma_.lower() in PLACE_NOUNS and prep.head.pos_ == "NOUN"
    return prep.lower_ in LOCATIVE_PREPS and (
        tok.ent_type_ != "PERSON" or tok.dep_ != "pobj" or not tok.is_title or len(list(tok.lefts)) == 0)


def place_span(tok: "Token") -> "Span":
    """The entity covering ``tok``, or its proper-noun compound chain when untagged."""
    doc = tok.doc
    if tok.ent_iob_ != "O" and tok.ent_type_ in PLACE_LABELS | {"PERSON", "ORG", "NORP", "PRODUCT", ""}:
        ent = _ent_of(tok)
        if ent is not None and (ent.label_ in PLACE_LABELS or ent.root.i == tok.i or tok.i == ent.end - 1):
            return _strip_det(ent)
    start = tok.i
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].head.i in range(start, tok.i + 1):
        start -= 1
    while start > 1 and doc[start - 1].text == "-" and doc[start - 2].pos_ == "PROPN":
        start -= 2
    return doc[start : tok.i + 1]


def _with_name_head(span: "Span") -> "Span":
    """"Khan" tagged alone in "Khan Touman": the name runs on to its untagged proper-noun head."""
    root, doc = span.root, span.doc
    end = span.end
    while root.dep_ == "compound" and root.head.i == end and root.head.pos_ == "PROPN" and not root.head.ent_type_:
        root, end = root.head, end + 1
    return doc[span.start : end]


def _ent_of(tok: "Token") -> "Span | None":
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent
    return None


def clean_span(span: "Span") -> "Span | None":
    """The place name without run-on headline words ("Damascus Monitor", "Syrias Deir Ezzor Monitor"), a leading
    possessive country written without its apostrophe ("Syrias Hasakeh") or a trailing direction ("Adra east");
    None when nothing of a place is left ("Army Regains", "Date" of "Date of publication"). A name broken at a
    hyphen ("Deir" + "el-" + "Zour") is first joined into one."""
    span = _join_hyphen(span)
    while len(span) > 1 and span[-1].lower_ in HEADLINE_WORDS | DIRECTIONS:
        span = span[:-1]
    while len(span) > 1 and (span[0].lower_ in HEADLINE_WORDS or _possessive_country(span[0].text)):
        span = span[1:]
    if all(t.lower_ in HEADLINE_WORDS for t in span) or all(t.lower_.rstrip(".") in NOT_ALONE for t in span):
        return None
    if _based_in(span):
        return None
    return span


ARTICLE_HYPHEN = re.compile(r"^(?:al|el|as|ash|ad|ar|an|at|az|ez|es|ed|er|en|et)-$", re.I)


def _join_hyphen(span: "Span") -> "Span":
    """"Deir el- Zour" tagged "Deir", "Deir el -Zour" tagged "Deir el": a name whose span ends in, or runs into, a
    hyphen goes on to the word after it (whitespace tokens between are skipped)."""
    doc, end = span.doc, span.end
    for _ in range(3):
        if end < len(doc) and ARTICLE_HYPHEN.match(doc[end].text) and not doc[end - 1].text.endswith("-"):
            end += 1  # "Deir" + "el-"
        nxt = end
        while nxt < len(doc) and doc[nxt].is_space:
            nxt += 1
        if nxt >= len(doc):
            break
        word = doc[nxt].text
        if doc[end - 1].text.endswith("-") and word[:1].isalpha() and word[:1].isupper():
            end = nxt + 1  # "el-" + "Zour"
        elif word.startswith("-") and len(word) > 1 and word[1:2].isupper() and nxt == end:
            end = nxt + 1  # "el" + "-Zour"
        else:
            break
    return doc[span.start : end] if end > span.end else span


def _based_in(span: "Span") -> bool:
    """'London-based', 'the Britain-based Observatory': where a source sits, never where an event happened."""
    doc, end = span.doc, span.end
    nxt = [doc[i].lower_ for i in range(end, min(end + 2, len(doc)))]
    return nxt[:1] == ["-based"] or nxt[:2] == ["-", "based"] or nxt[:1] == ["based"] and doc[end - 1].whitespace_ == ""


def _possessive_country(word: str) -> bool:
    """'Syrias', 'Iraqs': a country's possessive with the apostrophe lost (FA-KES and other scraped text)."""
    return len(word) > 4 and word.endswith("s") and word[0].isupper() and known_country(word[:-1])


def mention_text(span: "Span") -> tuple[str, int, int]:
    """(text, start_char, end_char) of a place span; a lone 'Syrias' names Syria."""
    if len(span) == 1 and _possessive_country(span.text):
        return span.text[:-1], span.start_char, span.end_char - 1
    return HYPHEN_GAP.sub("-", span.text), span.start_char, span.end_char


HYPHEN_GAP = re.compile(r"(?<=\w)-\s+(?=\w)|(?<=\w)\s+-(?=\w)")  # "Deir el- Zour" -> "Deir el-Zour"


def _strip_det(span: "Span") -> "Span":
    while len(span) > 1 and span[0].lower_ in ("the", "a"):
        span = span[1:]
    return span


def place_candidates(doc: "Doc | Span") -> list["Span"]:
    """Every place span of the sentence: place entities, and proper nouns in locative slots the model mislabels."""
    out: list[Span] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS and not ent.ent_id_.startswith(("actor:", "outlet:")):
            span = clean_span(_with_name_head(_strip_det(ent)))
            if span is None or taken.intersection(range(span.start, span.end)):
                continue
            out.append(span)
            taken.update(range(span.start, span.end))
    for tok in doc:
        if tok.i not in taken and is_place_token(tok) and (tok.dep_ != "compound" or tok.head.pos_ != "PROPN"):
            span = clean_span(place_span(tok))
            if span is not None and not taken.intersection(range(span.start, span.end)):
                out.append(span)
                taken.update(range(span.start, span.end))
    return _merge_adjacent(sorted(out, key=lambda s: s.start))


def _merge_adjacent(spans: list["Span"]) -> list["Span"]:
    """"Salah" + "al-Din" tagged as two places before "quarter", "al-" + "Sukhnah": one name."""
    out: list[Span] = []
    for span in spans:
        prev = out[-1] if out else None
        if prev is not None and prev.end == span.start and prev.root.dep_ == "compound" and \
                (prev.root.head.i == span.root.head.i or span.start <= prev.root.head.i < span.end):
            out[-1] = span.doc[prev.start : span.end]
        else:
            out.append(span)
    return out


def place_slot_spans(doc: "Doc") -> list["Span"]:
    """Proper-noun chains in slots where a place is likely but that the model did not tag as one: objects of
    territorial verbs ("entered Zabdeen"), locative prepositional objects, modifiers of sites ("the Tororo railway
    yard"). The caller keeps those the gazetteer knows (see nlp.py)."""
    out = []
    for tok in doc:
        if tok.pos_ != "PROPN" or tok.ent_type_ in PLACE_LABELS or tok.ent_type_ not in GUESS_LABELS:
            continue
        if tok.ent_id_.startswith(("actor:", "outlet:")) or tok.dep_ == "compound" and tok.head.pos_ == "PROPN":
            continue
        if _in_place_slot(tok):
            span = place_span(tok)
            if not any(t.ent_type_ in PLACE_LABELS or t.ent_id_ for t in span):
                out.append(span)
    return out


def _in_place_slot(tok: "Token") -> bool:
    head = tok
    while head.dep_ in ("conj", "appos") and head.head.i != head.i:
        head = head.head
    if head.dep_ in ("dobj", "nsubjpass") and head.head.lemma_.lower() in TERRITORIAL:
        return True
    if head.dep_ == "pobj":
        prep = head.head
        return prep.lower_ in LOCATIVE_PREPS or prep.lower_ == "of" and prep.head.lemma_.lower() in PLACE_NOUNS
    return head.dep_ in ("compound", "nmod") and head.head.pos_ == "NOUN" and is_site(head.head)


def doc_toponyms(doc: "Doc | Span") -> list[PlaceMention]:
    """Every place entity (GPE/LOC/FAC, not an actor or outlet pattern) in ``doc``."""
    out = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS and not ent.ent_id_.startswith(("actor:", "outlet:")):
            span = clean_span(_strip_det(ent))
            if span is not None:
                text, start, end = mention_text(span)
                out.append(PlaceMention(text, start, end, "toponym", None, None, ent.label_))
    return out
