"""Dates in English, Serbian (Latin, Cyrillic) and Albanian, against a publication date."""

import datetime as dt

import pytest

from mapapp.reports.dates import DateReader

D = dt.date
PUBLISHED = D(2023, 9, 26)  # a Tuesday


@pytest.mark.parametrize("text, start, end, precision", [
    ("on 29 May 2023 in Zvečan", D(2023, 5, 29), D(2023, 5, 29), "day"),
    ("May 29, 2023", D(2023, 5, 29), D(2023, 5, 29), "day"),
    ("24. septembra 2023. u Banjskoj", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("24 септембра 2023", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("më 24 shtator 2023", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("14. 8. 2023.", D(2023, 8, 14), D(2023, 8, 14), "day"),
    ("12.08.2024", D(2024, 8, 12), D(2024, 8, 12), "day"),
    ("2023-09-24", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("In October 2023, unknown persons", D(2023, 10, 1), D(2023, 10, 31), "month"),
    ("between 24 and 26 September 2023", D(2023, 9, 24), D(2023, 9, 26), "week"),
    ("od 24. do 26. septembra", D(2023, 9, 24), D(2023, 9, 26), "week"),
    ("the night of September 24", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("on Sunday", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("u nedelju uveče", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("të dielën", D(2023, 9, 24), D(2023, 9, 24), "day"),
    ("у петак", D(2023, 9, 22), D(2023, 9, 22), "day"),
    ("yesterday", D(2023, 9, 25), D(2023, 9, 25), "day"),
    ("juče", D(2023, 9, 25), D(2023, 9, 25), "day"),
    ("синоћ", D(2023, 9, 25), D(2023, 9, 25), "day"),
    ("dje", D(2023, 9, 25), D(2023, 9, 25), "day"),
    ("danas", D(2023, 9, 26), D(2023, 9, 26), "day"),
    ("last week", D(2023, 9, 18), D(2023, 9, 24), "week"),
    ("prošle nedelje", D(2023, 9, 18), D(2023, 9, 24), "week"),
    ("U noći između subote i nedelje", D(2023, 9, 23), D(2023, 9, 24), "week"),
])
def test_date_expressions(text, start, end, precision):
    (found,) = DateReader(PUBLISHED).find(text)
    assert (found.date_start, found.date_end, found.precision) == (start, end, precision)


def test_a_date_without_year_after_publication_is_last_year():
    (found,) = DateReader(D(2023, 1, 5)).find("on 28 December")
    assert found.date_start == D(2022, 12, 28)
    assert "publication date 2023-01-05" in found.note


def test_without_publication_date_relative_dates_stay_undated_with_a_note():
    reader = DateReader(None)
    for text in ("yesterday", "on Sunday", "last week", "24 September"):
        (found,) = reader.find(text)
        assert (found.date_start, found.precision) == (None, "unknown")
        assert "left undated" in found.note


def test_year_from_the_document_when_no_publication_date():
    (found,) = DateReader(None).find("During the night of September 24, gunmen", year_hint=2023)
    assert found.date_start == D(2023, 9, 24)
    assert "inferred as 2023" in found.note


@pytest.mark.parametrize("text", ["15 may have been hurt", "next Saturday", "sledeću subotu", "31 September 2023"])
def test_not_dates(text):
    assert DateReader(PUBLISHED).find(text) == []
