"""The app's filters as command-line options, built from filters.FILTERS.

Each filter's URL key is its option (`?geo=1&when=day` is `--geo 1 --when day`), and the values
are read exactly as a link's are (url_state.from_params), so a filter declared once is in the
sidebar, the URL and the command line. Unlike a link, which is read forgivingly, a bad value
on the command line stops the command with a message naming it.
"""

import argparse

from mapapp.filters import Filters, _iso_date, _km
from mapapp.url_state import from_params

# Older option names that still work.
ALIASES = {"doc": ("--document",)}


def _choice(declaration):
    if declaration.values is None:
        return "VALUE", "a value", lambda text: bool(text.strip())
    # A tuple is in the vocabulary's order (day, week, month, ...); a set is sorted.
    shown = declaration.values if isinstance(declaration.values, tuple) else sorted(declaration.values, key=str)

    def valid(text):
        try:
            return declaration.parse(text) in declaration.values
        except ValueError:
            return False

    return "VALUE", "one of " + ", ".join(map(str, shown)), valid


def _kind(declaration):
    """(metavar, what a value must be, test of one value) for the kind of filter `declaration` is."""
    kinds = {
        "multiselect": lambda: _choice(declaration),
        "date_range": lambda: ("YYYY-MM-DD", "a date as YYYY-MM-DD", lambda text: _iso_date(text) is not None),
        "toggle": lambda: ("0|1", "0 or 1", lambda text: text in ("0", "1")),
        "at_most": lambda: ("KM", "a distance in km such as 10", lambda text: _km(text) is not None),
        "text": lambda: ("TEXT", "any text", lambda text: True),
        "at_least": lambda: ("N", "a whole number such as 1", lambda text: text.strip().isdigit()),
    }
    return kinds[declaration.widget]()


def _checked(expected, valid):
    def check(text):
        if not valid(text):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return text
    return check


def add_filter_options(parser, filters_type=Filters):
    """One option per URL key of the filters `filters_type` declares; a multiselect's is repeatable."""
    group = parser.add_argument_group("filters (named as in the app's URL)")
    for declaration in filters_type.declarations:
        metavar, expected, valid = _kind(declaration)
        repeatable = declaration.widget == "multiselect"
        keys = getattr(declaration, "keys", None) or (declaration.key,)
        for position, key in enumerate(keys):
            # The sidebar's label; its help text speaks of the widget, so it is not repeated here.
            label = declaration.label if len(keys) == 1 else f"{declaration.label}, {('from', 'to')[position]}"
            group.add_argument(
                f"--{key}", *ALIASES.get(key, ()), dest=f"filter_{key}", type=_checked(expected, valid),
                action="append" if repeatable else "store", metavar=metavar,
                help=f"{label}{' (repeatable)' if repeatable else ''}: {expected}".replace("%", "%%"),
            )


def filters_from_args(args, filters_type=Filters):
    """The `filters_type` that the options of `args` (from add_filter_options) describe."""
    params = {name.removeprefix("filter_"): value for name, value in vars(args).items()
              if name.startswith("filter_") and value is not None}
    return from_params(params, filters_type)[0]
