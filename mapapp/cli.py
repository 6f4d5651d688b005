"""The command line: `python -m mapapp geocode|ingest|export ...` (PRODUCT.md)."""

import argparse
import datetime as dt
import json
import sys

from mapapp.errors import MapAppError
from mapapp.vocabulary import EVENT_TYPES


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except MapAppError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _parser():
    parser = argparse.ArgumentParser(prog="python -m mapapp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    geocode = commands.add_parser("geocode", help="resolve place names with the offline gazetteer")
    geocode.add_argument("queries", nargs="+", metavar="QUERY")
    geocode.add_argument("--geocoder", default="gazetteer", help="gazetteer (default) or nominatim (online, opt-in)")
    geocode.set_defaults(run=_geocode)

    export = commands.add_parser("export", help="write incidents in the data contract to stdout")
    export.add_argument("--db", help="SQLite store (default: $MAPAPP_DB or data/mapapp.db)")
    export.add_argument("--format", choices=("csv", "geojson"), default="csv")
    export.add_argument("--since", type=_iso_date, help="first day, YYYY-MM-DD")
    export.add_argument("--until", type=_iso_date, help="last day, YYYY-MM-DD")
    export.add_argument("--type", action="append", choices=EVENT_TYPES, metavar="TYPE",
                        help="event type (repeatable): " + "; ".join(EVENT_TYPES))
    export.set_defaults(run=_export)
    return parser


def _iso_date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _geocode(args):
    from mapapp.geocoders import get_geocoder

    geocoder = get_geocoder(args.geocoder)
    for query in args.queries:
        location = geocoder.geocode(query)
        if location is None:
            record = {"query": query, "found": False, "reason": "no place in the gazetteer matches this name"}
        else:
            record = {"query": query, "found": True, **location.raw}
        print(json.dumps(record, ensure_ascii=False))
    return 0


def _export(args):
    from mapapp.export import contract_records, to_csv, to_geojson
    from mapapp.filters import Filters, incident_frame
    from mapapp.store import Store

    with Store(args.db) as store:
        frame = incident_frame(store.rows())
    filters = Filters(since=args.since, until=args.until, event_types=tuple(args.type or ()))
    records = contract_records(filters.apply(frame))
    sys.stdout.write(to_csv(records) if args.format == "csv" else to_geojson(records) + "\n")
    return 0
