"""Date expressions resolved against the publication date (pipeline/dates.py)."""

import datetime as dt

import pytest

from pipeline.extract.dates import find_date

PUB = dt.date(2017, 10, 5)  # a Thursday


@pytest.mark.parametrize(
    "text, expected, precision",
    [
        ("In April 2016, the army found a mass grave.", dt.date(2016, 4, 1), "month"),
        ("Fighting broke out in July 2014.", dt.date(2014, 7, 1), "month"),
        ("Militants shelled the town on Tuesday.", dt.date(2017, 10, 3), "day"),
        ("Earlier Saturday, the army entered the town.", dt.date(2017, 9, 30), "day"),
        ("The town was liberated over the weekend.", dt.date(2017, 9, 30), "week"),
        ("Clashes erupted last week.", dt.date(2017, 9, 25), "week"),
        ("The offensive began in late November.", dt.date(2016, 11, 25), "month"),
        ("The strike hit on 5 March 2017.", dt.date(2017, 3, 5), "day"),
        ("The strike hit on March 5, 2017.", dt.date(2017, 3, 5), "day"),
        ("Two were killed yesterday.", dt.date(2017, 10, 4), "day"),
        ("Rebels shelled the city on Thursday.", dt.date(2017, 10, 5), "day"),
    ],
)
def test_dates_resolve_relative_and_explicit(text, expected, precision):
    m = find_date(text, PUB)
    assert m is not None and m.date == expected and m.precision == precision


@pytest.mark.parametrize("text", ["The army may attack.", "Protesters march on.", "No date here at all."])
def test_dates_ignore_words_that_are_not_dates(text):
    assert find_date(text, PUB) is None


def test_dates_relative_without_publication_date_is_null_never_run_date():
    m = find_date("Militants shelled the town on Tuesday.", None)
    assert m is not None and m.date is None and m.text.endswith("Tuesday")


def test_dates_since_is_not_the_event_date():
    assert find_date("Russia has been fighting IS since 2015.", PUB) is None
