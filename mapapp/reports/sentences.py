"""Sentences and paragraphs of a report, each with its exact character offsets.

A small rule-based splitter rather than pysbd or syntok: reports here write ordinal dates with a
full stop ("24. septembra 2023.", "24. 9. 2023."), which general splitters cut after, and the
splitter must keep pace with the whole extraction (hundreds of KB per second).
"""

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (or …) followed by space and an upper-case letter, a digit or a quote.
_END = re.compile(r"[.!?…]+[\"'”’»)]*(?=\s+[\"'“„«(]?[A-ZČĆĐŠŽÇËА-ЯЂЈЉЊЋЏ0-9])")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*•]|\d+\.)\s)|\n")
# Words after which a full stop does not end a sentence (titles, initials, abbreviations).
_ABBREVIATIONS = frozenset(
    [
        "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "sgt", "st", "no", "nr", "vs", "etc",
        "e.g", "i.e", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
        "dec", "ul", "br", "tel", "str", "g", "gđa", "gđica", "dr.", "prof.", "mr.", "sh", "z", "zt", "znj", "nj",
        "sv",
    ]
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its offsets in the document, its text and its paragraph number."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


def _ends(text, start, end):
    """Offsets (relative to the document) where sentences inside text[start:end] end."""
    ends = []
    for match in _END.finditer(text, start, end):
        stop = match.start()
        word = re.search(r"(\S+)$", text[max(start, stop - 12):stop])
        previous = word.group(1).casefold() if word else ""
        if text[stop] == "." and (previous in _ABBREVIATIONS or (len(previous) == 1 and previous.isalpha())):
            continue
        if text[stop] == "." and previous.isdigit() and len(previous) <= 2:
            # "24. septembra" is an ordinal date; only a capitalised word not a month ends a sentence.
            after = text[match.end():match.end() + 20].split()
            if after and (after[0][:1].isdigit() or after[0].casefold().rstrip(".,") in _MONTH_WORDS):
                continue
        ends.append(match.end())
    return ends


_MONTH_WORDS = frozenset(
    [
        "januar", "januara", "februar", "februara", "mart", "marta", "april", "aprila", "maj", "maja", "jun",
        "juna", "jul", "jula", "avgust", "avgusta", "septembar", "septembra", "oktobar", "oktobra", "novembar",
        "novembra", "decembar", "decembra", "јануар", "јануара", "фебруар", "фебруара", "март", "марта", "април",
        "априла", "мај", "маја", "јун", "јуна", "јул", "јула", "август", "августа", "септембар", "септембра",
        "октобар", "октобра", "новембар", "новембра", "децембар", "децембра",
    ]
)


def split(text):
    """The sentences of ``text`` in order; whitespace between them belongs to none."""
    sentences = []
    for paragraph, (block_start, block_end) in enumerate(_blocks(text)):
        cut = block_start
        for end in _ends(text, block_start, block_end) + [block_end]:
            piece = text[cut:end]
            stripped_start = cut + len(piece) - len(piece.lstrip())
            stripped_end = cut + len(piece.rstrip())
            if stripped_end > stripped_start:
                sentences.append(Sentence(len(sentences), stripped_start, stripped_end,
                                          text[stripped_start:stripped_end], paragraph))
            cut = end
    return sentences


def _blocks(text):
    """(start, end) of each paragraph: text between line breaks."""
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        if match.start() > start:
            yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)
