"""Python's text operations on whole pyarrow string columns, with exactly Python's results.

str.strip(), str.split() (and so text.one_line) split at the characters for which
str.isspace() is true; WHITESPACE lists them for pyarrow's own functions and RE2 patterns, so
a column computed here equals the list the row-by-row code computes. str.casefold() equals
lower() only on ASCII text: `ascii_folded` says where pyarrow's lower() may stand in for it.
"""

import numpy as np
import pyarrow.compute as pc

# Every character c with c.isspace() (tests/test_text_columns.py checks the list).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_CLASS = "[" + "".join(f"\\x{{{ord(char):x}}}" for char in WHITESPACE) + "]"
_ALL_SPACE = f"^{_CLASS}*$"
_RUN = f"{_CLASS}+"
# Whitespace other than one space between two other characters.
_NOT_ONE_SPACE = "[" + "".join(f"\\x{{{ord(char):x}}}" for char in WHITESPACE if char != " ") + "]|  "


def strip(array):
    """str.strip() of every cell (the array itself when no cell changes, so that it is not held
    twice)."""
    stripped = pc.utf8_trim(array, characters=WHITESPACE)
    if pc.all(pc.equal(pc.binary_length(stripped), pc.binary_length(array))).as_py() is not False:
        return array
    return stripped


def one_line(array):
    """text.one_line() of every cell: runs of whitespace made one space, ends stripped."""
    array = strip(array)
    return _where(array, pc.match_substring_regex(array, _NOT_ONE_SPACE),
                  lambda cells: pc.replace_substring_regex(cells, _RUN, " "))


def _where(array, mask, change):
    """`array` with change(cells) in place of the cells where `mask`: most cells of a file need
    no change, and a regular expression costs less when it only tests."""
    if not pc.any(mask).as_py():
        return array
    return pc.replace_with_mask(array, mask, change(array.filter(mask)))


def is_blank(array):
    """Boolean array: the cell holds whitespace only (or nothing)."""
    return pc.match_substring_regex(array, _ALL_SPACE)


def blank_rows(arrays):
    """numpy bool array of the rows whose every cell is blank; None when no row is."""
    if not arrays:
        return None
    blank = None
    for array in arrays:
        cells = is_blank(array)
        blank = cells if blank is None else pc.and_(blank, cells)
        if not pc.any(blank).as_py():
            return None
    return np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)


def _foldable():
    """The characters of the scripts and punctuation of the region's texts (Latin with its
    extensions, general punctuation) whose str.casefold() is their lowercase letter, one to
    one (not ß, İ or ﬁ): for them pyarrow's utf8_lower is casefold."""
    ranges = ((0x00, 0x7F), (0xA0, 0x24F), (0x2000, 0x206F))
    return "".join(
        chr(c) for low, high in ranges for c in range(low, high + 1)
        if chr(c).casefold() == chr(c).lower() and len(chr(c).lower()) == 1
    )


FOLDABLE = _foldable()
_FOLDABLE_ONLY = "^[" + "".join(f"\\x{{{ord(char):x}}}" for char in FOLDABLE) + "]*$"


def casefold(array):
    """(str.casefold() of every cell where `exact`, numpy bool array `exact`): utf8_lower on
    cells of FOLDABLE characters only; the caller folds the others in Python."""
    if pc.all(pc.string_is_ascii(array)).as_py() is not False:
        exact = np.ones(len(array), dtype=bool)  # ASCII is FOLDABLE: no pattern to test
    else:
        exact = np.asarray(pc.fill_null(pc.match_substring_regex(array, _FOLDABLE_ONLY), False)
                           .to_numpy(zero_copy_only=False), dtype=bool)
    return pc.utf8_lower(array), exact


def first_sentence(array, limit=200):
    """values.first_sentence() of every cell."""
    line = one_line(array)
    # line[: line.find(". ", 20) + 1]: the first 20 characters (utf8_slice_codeunits counts
    # characters), then the rest up to its first ". ", then the "." (a split, not a lazy regex,
    # which re-tries at every character of a long note).
    has_stop = pc.greater_equal(pc.find_substring(pc.utf8_slice_codeunits(line, start=20), ". "), 0)
    line = _where(line, has_stop, lambda cells: pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(cells, start=0, stop=20),
        pc.list_element(pc.split_pattern(pc.utf8_slice_codeunits(cells, start=20), ". ", max_splits=1), 0),
        ".", ""))
    long = pc.greater(pc.utf8_length(line), limit)
    return _where(line, long, lambda cells: pc.binary_join_element_wise(
        pc.utf8_rtrim(pc.utf8_slice_codeunits(cells, start=0, stop=limit - 1), characters=WHITESPACE), "…", ""))
