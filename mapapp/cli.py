"""The command line: `mapapp` (or `python -m mapapp`) and its commands."""

import argparse
import datetime as dt
import json
import os
import stat
import sys

from mapapp.errors import MapAppError, UnusableFile
from mapapp.filter_options import add_filter_options

# Exit statuses besides 0, 1 (some rows rejected) and 2 (unusable input, a store fault, nothing
# stored): interrupted by Ctrl-C, and output cut off by a closed pipe (`... | head`), as a shell
# reports a process ended by SIGINT or SIGPIPE.
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


def main(argv=None, prog="mapapp"):
    """Run one command; returns the exit status."""
    try:
        args = _parser(prog).parse_args(argv)
        status = args.run(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return status
    except MapAppError as err:
        _say(f"error: {err}")
        return 2
    except KeyboardInterrupt:
        # A write in progress was rolled back by its transaction.
        _say("interrupted: nothing more was done")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Python would report the failed flush at exit; point stdout at nothing instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _say(message):
    """A one-line message on stderr, whatever characters it holds."""
    text = " ".join(str(message).split())
    try:
        encoding = sys.stderr.encoding or "utf-8"
        sys.stderr.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")
    except (OSError, LookupError):
        pass


def _parser(prog):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    geocode = commands.add_parser("geocode", help="resolve place names with the offline gazetteer")
    geocode.add_argument("queries", nargs="+", metavar="QUERY")
    geocode.add_argument("--geocoder", default="gazetteer", help=GEOCODER_HELP)
    geocode.set_defaults(run=_geocode)

    ingest = commands.add_parser(
        "ingest",
        help="add incidents from a CSV file (ACLED, UCDP GED, the app's own format, or mapped columns)",
        description="Add incidents from a CSV file. Prints a summary: the counts, the type words "
        "and the ACLED types they were read as, and the first rows of each kind of rejection. "
        "Exit status 0: every row stored or a duplicate; 1: some rows rejected, the others stored "
        "(or duplicates); 2: nothing stored, because the file is unusable or every row was rejected.",
    )
    ingest.add_argument("file", metavar="FILE")
    ingest.add_argument("--db", help=DB_HELP)
    ingest.add_argument("--map", action="append", type=_role_column, metavar="ROLE=COLUMN",
                        help="read column COLUMN as ROLE (repeatable; roles not given are guessed from "
                        "the header): " + ", ".join(_mapping_roles()))
    ingest.add_argument("--geocoder", default="gazetteer",
                        help="what resolves the places of rows without coordinates: " + GEOCODER_HELP)
    ingest.add_argument("--values", metavar="FILE",
                        help="a CSV of value,event_type,sub_event_type: how the type column's words are "
                        "read (overrides the proposals; an empty event type leaves a word unmapped); a value "
                        "written precision:WORD or country:WORD maps a word of the precision column (to 1-5) "
                        "or of the country column (to XK or RS)")
    ingest.add_argument("--rejected", metavar="PATH",
                        help="write the rejected rows to PATH as CSV: their original columns and a reason")
    said = ingest.add_mutually_exclusive_group()
    said.add_argument("--verbose", "-v", action="store_true", help="list every rejected and duplicate row")
    said.add_argument("--quiet", "-q", action="store_true", help="print nothing; the exit status says how it went")
    ingest.set_defaults(run=_ingest)

    extract = commands.add_parser(
        "extract",
        help="read a report (text, Markdown or HTML) and print its proposed incidents as JSON lines",
        description="Read a report and print one JSON object per proposed incident (the data contract's "
        "columns plus confidence, 0-1). Several reports in one file are separated by a line '---'. "
        "Exit status 0: every report read; 1: some reports could not be read (the others are printed "
        "and, with --commit, stored); 2: the file is unusable (nothing stored).",
    )
    extract.add_argument("file", metavar="FILE")
    extract.add_argument("--published", type=_iso_date, help="publication date, YYYY-MM-DD (dates such as "
                         "'yesterday' or 'on Sunday' are counted from it)")
    extract.add_argument("--title", default="", help="the report's title")
    extract.add_argument("--source", default="", help="the report's source (outlet, URL)")
    extract.add_argument("--commit", action="store_true", help="store the report(s) and the proposed incidents")
    extract.add_argument("--db", help=DB_HELP)
    extract.set_defaults(run=_extract)

    uploads = commands.add_parser("uploads", help="list the uploaded files in the store, with their incident counts")
    uploads.add_argument("--db", help=DB_HELP)
    uploads.set_defaults(run=_uploads)

    remove = commands.add_parser(
        "remove-upload",
        help="take an uploaded file back: its incidents go, the earlier versions it replaced return",
    )
    remove.add_argument("upload", metavar="UPLOAD_ID", help="as `uploads` lists it (upload-...)")
    remove.add_argument("--db", help=DB_HELP)
    remove.set_defaults(run=_remove_upload)

    audit = commands.add_parser(
        "audit", help="who added, corrected or removed what, and when (newest first, tab-separated)"
    )
    audit.add_argument("--db", help=DB_HELP)
    audit.add_argument("--limit", type=int, metavar="N", help="only the N newest entries")
    audit.set_defaults(run=_audit)

    export = commands.add_parser("export", help="write incidents in the data contract to stdout")
    export.add_argument("--db", help=DB_HELP)
    export.add_argument("--format", choices=("csv", "geojson"), default="csv")
    add_filter_options(export)
    export.set_defaults(run=_export)

    stats = commands.add_parser("stats", help="count the (filtered) incidents per municipality, month or type")
    stats.add_argument("--db", help="SQLite store (default: $MAPAPP_DB or data/mapapp.db)")
    stats.add_argument("--by", choices=("municipality", "month", "type"), required=True)
    stats.add_argument("--format", choices=("csv", "json"), default="csv")
    stats.add_argument("--count", choices=("reports", "events"), default="reports",
                       help="count every report (default), or each event once: reports joined by "
                       "confirmed links count as one")
    add_filter_options(stats)
    stats.set_defaults(run=_stats)

    links = commands.add_parser(
        "links", help="reports of the same event in different sources: proposed, confirmed, rejected",
    )
    links.add_argument("--db", help="SQLite store (default: $MAPAPP_DB or data/mapapp.db)")
    links.add_argument("--status", choices=("proposed", "confirmed", "rejected"), default="proposed")
    links.set_defaults(run=_links)

    link = commands.add_parser("link", help="confirm or reject that two incidents are one event")
    link.add_argument("a", metavar="ID")
    link.add_argument("b", metavar="OTHER_ID")
    decision = link.add_mutually_exclusive_group(required=True)
    decision.add_argument("--confirm", dest="status", action="store_const", const="confirmed")
    decision.add_argument("--reject", dest="status", action="store_const", const="rejected")
    link.add_argument("--db", help="SQLite store (default: $MAPAPP_DB or data/mapapp.db)")
    link.set_defaults(run=_link)
    return parser


def _filtered_frame(args, store=None):
    """The store's incidents that pass the filter options of `args`."""
    from mapapp.filter_options import filters_from_args
    from mapapp.filters import incident_frame
    from mapapp.store import open_store

    if store is None:
        with open_store(args.db) as store:
            frame = incident_frame(store.rows())
    else:
        frame = incident_frame(store.rows())
    return filters_from_args(args).apply(frame)


GEOCODER_HELP = "gazetteer (offline, the default) or nominatim (online, opt-in)"


DB_HELP = ("the store: an SQLite file, or a postgresql://USER@HOST/DBNAME URL "
           "(default: $MAPAPP_DB or data/mapapp.db)")


def _mapping_roles():
    from mapapp.ingest.mapping import ROLES

    return tuple(ROLES)


def _role_column(text):
    from mapapp.ingest.mapping import role_for

    role, equals, column = text.partition("=")
    if not equals or not role.strip():
        raise argparse.ArgumentTypeError(f"expected ROLE=COLUMN such as date=Datum, got {text!r}")
    try:
        return role_for(role.strip()), column.strip() or None
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _iso_date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _geocode(args):
    from mapapp.geocoders import get_geocoder

    geocoder = get_geocoder(args.geocoder)
    for query in args.queries:
        result = geocoder.resolve(query)
        if result is None:
            record = {"query": query, "found": False, "reason": f"no place in {geocoder.label} matches this name"}
        else:
            record = {"query": query, "found": True, **result.to_record()}
        print(json.dumps(record, ensure_ascii=False))
    return 0


def _export(args):
    from mapapp.export import contract_records, to_csv, to_geojson

    records = contract_records(_filtered_frame(args))
    sys.stdout.write(to_csv(records) if args.format == "csv" else to_geojson(records) + "\n")
    return 0


def _stats(args):
    from mapapp import stats
    from mapapp.corroboration import with_events
    from mapapp.store import open_store

    with open_store(args.db) as store:
        frame = _filtered_frame(args, store)
        confirmed = [(a, b) for a, b, _ in store.links("confirmed")]
    if args.count == "events":
        frame = stats.one_per_event(with_events(frame, confirmed))
    pairs = stats.counts(frame, args.by)
    sys.stdout.write(stats.to_csv(pairs, args.by) if args.format == "csv" else stats.to_json(pairs, args.by) + "\n")
    return 0


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def read_input(name, limits):
    """The bytes of the CSV file `name`, read with the upload limit as a bound (read_bounded)."""
    from mapapp.ingest.reading import check_size

    return read_bounded(name, limits.max_bytes, lambda size: check_size(size, limits), UnusableFile)


def read_bounded(name, max_bytes, check_size, error):
    """The bytes of the file `name`: `check_size(size)` raises when it is too large, before and
    after reading; at most max_bytes + 1 bytes are read. Folders and special files (a device
    such as /dev/zero, a pipe), which have no size to check, are refused with `error`."""
    shown = _shown_path(name)
    try:
        # O_NONBLOCK: opening a pipe with no writer would wait forever.
        with os.fdopen(os.open(name, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode):
                kind = "a folder" if stat.S_ISDIR(found.st_mode) else "not a regular file (a device, pipe or socket)"
                raise error(f"cannot read {shown}: it is {kind}; expected a file")
            check_size(found.st_size)  # before reading a huge file into memory
            data = handle.read(max_bytes + 1)
    except MapAppError:
        raise
    except IsADirectoryError:
        raise error(f"cannot read {shown}: it is a folder; expected a file") from None
    except OSError as err:
        raise error(f"cannot read {shown}: {err.strerror or err}") from None
    except ValueError:
        raise error(f"cannot read {shown}: a path cannot hold a NUL character") from None
    check_size(len(data))  # the file grew while it was read
    return data


def _shown_path(name):
    """A path as text for a message: bytes that are not UTF-8 shown as escapes."""
    return repr(os.fsencode(name).decode("utf-8", "backslashreplace"))


def _check_writable(name, input_name):
    """Raise UnusableFile unless `name` can be written as a new or replaced file (not the input,
    not a folder); checked before anything is stored."""
    shown = _shown_path(name)
    try:
        if os.path.exists(input_name) and os.path.samefile(name, input_name):
            raise UnusableFile(f"--rejected {shown} is the input file; give another path")
    except UnusableFile:
        raise
    except OSError:
        pass
    except ValueError:
        raise UnusableFile(f"--rejected {shown}: a path cannot hold a NUL character") from None
    if os.path.isdir(name):
        raise UnusableFile(f"--rejected {shown} is a folder; expected a file path")


def _write_file(name, data):
    try:
        with open(name, "wb") as handle:
            handle.write(data)
    except OSError as err:
        raise UnusableFile(
            f"cannot write --rejected {_shown_path(name)}: {err.strerror or err}; nothing was stored"
        ) from None
    except ValueError:
        raise UnusableFile(f"--rejected {_shown_path(name)}: a path cannot hold a NUL character") from None


def _ingest(args):
    from pathlib import Path

    from mapapp.geocoders import get_geocoder
    from mapapp.ingest import report
    from mapapp.ingest.importer import commit, kept_note, plan_import, read_upload
    from mapapp.ingest.reading import COMMAND_LINE_MAX_MB, ENCODING_NAMES, Limits
    from mapapp.ingest.value_map import read_values_csv
    from mapapp.search import index_written
    from mapapp.store import open_store

    limits = Limits.from_env(default_megabytes=COMMAND_LINE_MAX_MB)
    geocoder = get_geocoder(args.geocoder)  # an unknown name fails before the file is read
    data = read_input(args.file, limits)
    values = None
    if args.values:
        values_data = read_input(args.values, limits)
        try:
            values = read_values_csv(values_data)
        except (ValueError, UnicodeDecodeError) as err:
            raise UnusableFile(f"{args.values}: {err}") from None
    if args.rejected:
        _check_writable(args.rejected, args.file)
    name = os.fsencode(Path(args.file).name).decode("utf-8", "replace")
    with open_store(args.db) as store:
        mapping = dict(args.map) if args.map else None
        # The file read into a table, and its bytes let go before the rows are planned.
        table = read_upload(data, limits)
        del data
        plan = plan_import(table, name, store, mapping=mapping, geocoder=geocoder, limits=limits, values=values)
        del table
        if args.rejected and plan.rejected:
            # Written before the commit: a path that cannot be written leaves the store as it was.
            _write_file(args.rejected, plan.rejected_csv)
        stored = commit(plan, store)
        if stored["added"] or stored["updated"]:
            index_written(store)
    # Known before anything is printed: a reader that closes the pipe early still gets it.
    args.status = _ingest_status(plan, stored)
    if args.quiet:
        return args.status
    delimiter = _DELIMITER_NAMES.get(plan.delimiter, repr(plan.delimiter))
    print(f"file: {name}: {plan.format_label}, {ENCODING_NAMES[plan.encoding]}, "
          f"{delimiter}-separated, {plan.total_rows:,} rows")
    for line in plan.preamble:
        print(f"skipped above the header: {line[:200]}")
    if plan.mapping is not None:
        used = ", ".join(f"{role}={column}" for role, column in plan.mapping.items() if column)
        print(f"columns: {used}")
    if plan.values:
        print("values (the type words, then precision and country words, as read; change them with "
              "--values FILE):" if any(hasattr(choice, "role") for choice in plan.values)
              else "values (the type words, as read; change them with --values FILE):")
        print("\n".join(report.value_lines(plan.values)))
    counts = plan.counts
    print(f"accepted: {counts['new']:,}")
    rules = ", ".join(f"{n:,} by {rule}" for rule, n in plan.duplicates_by_rule.items())
    print(f"duplicate: {counts['duplicate']:,}" + (f" ({rules})" if rules else ""))
    print(f"updated: {counts['updated']:,}")
    if plan.kept:
        print(f"corrected, kept: {len(plan.kept):,} ({kept_note(len(plan.kept))})")
    print(f"rejected: {counts['rejected']:,}")
    for line in report.result_lines("rejected", plan.rejected, args.verbose):
        print(line)
    for line in report.result_lines("duplicate", plan.duplicates, args.verbose):
        print(line)
    if plan.possible:
        print(f"possible duplicates (stored as new, to review): {len(plan.possible):,}")
    for line in report.result_lines("possible duplicate", plan.possible, args.verbose):
        print(line)
    if args.rejected and plan.rejected:
        print(f"rejected rows written to {os.fsencode(args.rejected).decode('utf-8', 'backslashreplace')}")
    if stored["added"] or stored["updated"] or stored["kept"]:
        upload = plan.document.id
        print(f"stored as upload {upload} (take it back with: python -m mapapp remove-upload {upload})")
    elif plan.rejected and not plan.duplicates:
        print("nothing stored: every row was rejected")
    return args.status


def _ingest_status(plan, stored):
    """0 all stored or duplicates; 1 some rejected, the others stored or duplicates; 2 nothing
    stored because every row was rejected."""
    if not plan.rejected:
        return 0
    if stored["added"] or stored["updated"] or stored["kept"] or plan.duplicates:
        return 1
    return 2


def _extract(args):
    from pathlib import Path

    from mapapp.reports.commit import store_reports
    from mapapp.reports.proposals import extract
    from mapapp.reports.reading import UnusableReport, max_report_bytes, read_bytes, split_reports

    path = Path(args.file)
    limit = max_report_bytes()

    def check_size(size):
        if size > limit:
            raise UnusableReport(
                f"{path.name!r} is {size / 1024 / 1024:.1f} MB, over the report limit of "
                f"{limit / 1024 / 1024:g} MB ($MAPAPP_MAX_REPORT_MB)")

    data = read_bounded(args.file, limit, check_size, UnusableReport)
    reports = split_reports(read_bytes(data, path.name, limit))
    if not reports:
        raise UnusableReport(f"{path.name!r} has no report text")
    failed = 0
    items = []
    for number, text in enumerate(reports, 1):
        label = f"report {number} of {len(reports)}" if len(reports) > 1 else "report"
        title = args.title or path.stem
        if len(reports) > 1:
            title = f"{title} ({number})"
        try:
            extraction = extract(text, title=title, source=args.source, published=args.published)
        except MapAppError as err:
            print(f"{label}: {err}", file=sys.stderr)
            failed += 1
            continue
        for proposal in extraction.proposals:
            print(json.dumps(proposal.as_row(), ensure_ascii=False))
        print(f"{label}: {extraction.message}", file=sys.stderr)
        items.append((extraction.document, [p.incident for p in extraction.proposals]))
    if args.commit and items:
        from mapapp.store import open_store

        with open_store(args.db) as store:
            stored = store_reports(store, items)
        ids = ", ".join(document.id for document, _ in items)
        print(f"stored {len(items)} report(s) ({ids}) with {len(stored)} incident(s)", file=sys.stderr)
    return 1 if failed else 0


def _uploads(args):
    from mapapp.store import open_store

    with open_store(args.db) as store:
        uploads = store.uploads()
    if not uploads:
        print("no uploaded files are stored")
    for upload in uploads:
        replaced = f", replaced {upload['replaced']} earlier version(s)" if upload["replaced"] else ""
        added = upload["added"] or "-"
        print(f"{upload['id']}\t{added}\t{upload['incidents']} incident(s){replaced}\t{upload['title']}")
    return 0


def _audit(args):
    from mapapp.store import open_store

    with open_store(args.db) as store:
        entries = store.audit_log(args.limit)
    for entry in entries:
        fields = (entry["at"], entry["user"], entry["action"], entry["target"], entry["detail"])
        print("\t".join(" ".join(str(field).split()) for field in fields))
    return 0


def _remove_upload(args):
    from mapapp.store import open_store

    with open_store(args.db) as store:
        result = store.remove_upload(args.upload)
    print(f"removed {args.upload}: {result['removed']} incident(s) removed, "
          f"{result['restored']} earlier version(s) restored")
    return 0


def _links(args):
    from mapapp.corroboration import propose
    from mapapp.filters import incident_frame
    from mapapp.store import open_store

    with open_store(args.db) as store:
        decided = store.links()
        if args.status == "proposed":
            frame = incident_frame(store.rows())
            found = propose(frame, decided)
            for proposal in found:
                print(json.dumps({"a": proposal.a, "b": proposal.b, "status": "proposed",
                                  "days_apart": proposal.days_apart, "km_apart": proposal.km_apart}))
            if not found:
                print("no links proposed", file=sys.stderr)
            return 0
    for a, b, status in decided:
        if status == args.status:
            print(json.dumps({"a": a, "b": b, "status": status}))
    return 0


def _link(args):
    from mapapp.store import open_store

    with open_store(args.db) as store:
        store.decide_link(args.a, args.b, args.status)
    print(f"{args.a} and {args.b}: {args.status}")
    return 0
