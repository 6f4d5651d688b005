"""Text helpers shared by the model and the import."""


def one_line(text):
    """Text on one line, whitespace collapsed: for headings and one-line descriptions."""
    # Most cells have nothing to collapse, and this test proves it in one pass without building
    # the word list: isprintable() is False for every whitespace character but the space.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())
