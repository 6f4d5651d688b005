"""Sentences keep exact offsets; ordinal dates and abbreviations do not end them."""

from mapapp.reports.sentences import split


def test_offsets_are_exact_and_paragraphs_counted():
    text = "Police arrested two men. They were taken to Mitrovica.\n\nKFOR said nothing! Was it calm?"
    sentences = split(text)
    assert [s.text for s in sentences] == [
        "Police arrested two men.", "They were taken to Mitrovica.", "KFOR said nothing!", "Was it calm?"]
    assert [s.paragraph for s in sentences] == [0, 0, 1, 1]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_serbian_ordinal_dates_and_abbreviations_stay_in_their_sentence():
    text = ("Meštani su 27. decembra 2022. postavili barikadu kod Rudara. Dr. Petrović je rekao da je 24. 9. "
            "2023. bio miran dan. Napad se desio 24. Septembra.")
    assert [s.text for s in split(text)] == [
        "Meštani su 27. decembra 2022. postavili barikadu kod Rudara.",
        "Dr. Petrović je rekao da je 24. 9. 2023. bio miran dan.",
        "Napad se desio 24. Septembra.",
    ]


def test_cyrillic_sentences_split():
    text = "Експлозија је оштетила фасаду. Повређених нема."
    assert [s.text for s in split(text)] == ["Експлозија је оштетила фасаду.", "Повређених нема."]
