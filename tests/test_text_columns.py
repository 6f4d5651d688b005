"""Text operations on whole columns (mapapp.ingest.text_columns) give Python's own results."""

import sys

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from mapapp.ingest import text_columns
from mapapp.ingest.values import first_sentence
from mapapp.text import one_line

# Text made of the characters that matter: every kind of whitespace, dots, letters of the
# region, ASCII.
_TEXT = st.text(alphabet=st.sampled_from(list(text_columns.WHITESPACE) + list("..aAzZčĆšß0 ,;") + ["Ǆ", "İ"]),
                max_size=260)


def test_whitespace_is_every_character_python_splits_at():
    assert set(text_columns.WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=20))
def test_strip_one_line_and_blank_are_pythons(texts):
    array = pa.array(texts, pa.string())
    assert text_columns.strip(array).to_pylist() == [text.strip() for text in texts]
    assert text_columns.one_line(array).to_pylist() == [one_line(text) for text in texts]
    assert text_columns.is_blank(array).to_pylist() == [not text.strip() for text in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=20), st.integers(min_value=25, max_value=200))
def test_first_sentence_is_pythons(texts, limit):
    array = pa.array(texts, pa.string())
    assert text_columns.first_sentence(array, limit).to_pylist() == [first_sentence(text, limit) for text in texts]


def test_first_sentence_of_a_long_acled_note():
    note = ("On 29 May 2023, in Zvečan (Mitrovica), rioters clashed with KFOR soldiers at the municipal "
            "building. Dozens were injured.  " + "x" * 300)
    assert text_columns.first_sentence(pa.array([note, "Short.", " "])).to_pylist() == [
        "On 29 May 2023, in Zvečan (Mitrovica), rioters clashed with KFOR soldiers at the municipal building.",
        "Short.",
        "",
    ]


def test_blank_rows():
    rows = text_columns.blank_rows([pa.array(["", " a", "\u3000"]), pa.array(["\t", "", " "])])
    assert rows.tolist() == [True, False, True]
    assert text_columns.blank_rows([pa.array(["a", "b"])]) is None


def test_casefold_where_exact_is_pythons():
    text = text_columns.FOLDABLE
    lower, exact = text_columns.casefold(pa.array([text, "Straße", "ZVEČAN", "İstanbul"]))
    assert exact.tolist() == [True, False, True, False]
    assert lower.to_pylist()[0] == text.casefold() and lower.to_pylist()[2] == "zvečan"
    assert all(char.casefold() == lower.to_pylist()[0][k] for k, char in enumerate(text))
