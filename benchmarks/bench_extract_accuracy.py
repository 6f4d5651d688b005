"""Extraction accuracy: `python -m mapapp extract` on the evaluation reports, scored against their expected incidents.

    .venv/bin/python benchmarks/bench_extract_accuracy.py [--set DIR] [--json] [--jobs N]

DIR (default tests/fixtures/reports/eval) holds `<id>.txt` reports and `expected.json` (layout in
that folder's README.md); a hidden set with the same layout is scored the same way. Each report runs
through its own `extract` process, because each has its own --published, --title and --source
(the `---` multi-report form takes only one of each), against a throw-away store.

An expected incident is FOUND when a proposal of the same report has the same date_start and
date_end (both empty counts as equal) and lies within the incident's tolerance_km; proposals are
matched one-to-one, greedily, preferring a proposal whose passage covers the expected sentence,
then the nearer one. Expected incidents not found are then paired with a leftover proposal whose
passage overlaps their sentence (the right passage with a wrong date or place): such a proposal is
a miss, not a false incident. Date and place accuracy count, over all expected incidents, the found
ones plus the paired ones whose date (place) is right; type accuracy is event_type equality among
the found. False incidents are proposals matched to nothing, per 10 reports.
Targets (issue 12): >= 90 % found, <= 1 false incident per 10 reports. Exit status 0 when both are
met, 1 when not, 2 when `extract` cannot be run or the set is unusable.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SET = PROJECT / "tests" / "fixtures" / "reports" / "eval"
LANGUAGES = ("en", "sr-Latn", "sr-Cyrl", "sq")
TARGET_FOUND = 0.90
TARGET_FALSE_PER_10 = 1.0
EARTH_RADIUS_KM = 6371.0088


class BenchError(Exception):
    """The set or `extract` is unusable; the message says why."""


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def load_set(folder):
    """The reports of an evaluation set: expected.json entries, each with its ``text``."""
    folder = Path(folder)
    try:
        entries = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BenchError(f"cannot read {str(folder / 'expected.json')!r}: {err}") from err
    if not isinstance(entries, list):
        raise BenchError(f"expected.json holds a {type(entries).__name__}, expected a list of reports")
    reports = []
    for entry in entries:
        path = folder / f"{entry['report']}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise BenchError(f"report {entry['report']!r}: cannot read {str(path)!r}: {err}") from err
        for incident in entry["incidents"]:
            if incident["sentence"] not in text:
                raise BenchError(f"report {entry['report']!r}: sentence {incident['sentence']!r} is not in its text")
        reports.append({**entry, "path": path, "text": text})
    return reports


def _date(value):
    return value or None


def _dates_equal(expected, proposal):
    return (_date(expected["date_start"]), _date(expected["date_end"])) == (
        _date(proposal.get("date_start")), _date(proposal.get("date_end")))


def _distance_km(expected, proposal):
    try:
        return haversine_km(expected["latitude"], expected["longitude"],
                            float(proposal["latitude"]), float(proposal["longitude"]))
    except (KeyError, TypeError, ValueError):
        return math.inf


def _span(text, passage, start=None, end=None):
    """Where a passage lies in the report text: found by its text, else by the offsets it carries."""
    if passage:
        at = text.find(passage)
        if at >= 0:
            return at, at + len(passage)
    if isinstance(start, int) and isinstance(end, int) and start < end:
        return start, end
    return None


def _overlaps(a, b):
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def match_report(text, expected, proposals):
    """Pair one report's expected incidents with its proposals.

    Returns (found, paired, false): found and paired are {expected index: proposal index},
    false is the list of proposal indices matched to nothing.
    """
    sentence_spans = [_span(text, e["sentence"]) for e in expected]
    passage_spans = [_span(text, p.get("passage"), p.get("passage_start"), p.get("passage_end")) for p in proposals]
    candidates = []
    for i, e in enumerate(expected):
        for j, p in enumerate(proposals):
            distance = _distance_km(e, p)
            if _dates_equal(e, p) and distance <= e["tolerance_km"]:
                covers = _overlaps(sentence_spans[i], passage_spans[j])
                candidates.append((not covers, distance, i, j))
    found = _greedy(sorted(candidates))
    leftover = [(i, j) for i in range(len(expected)) if i not in found
                for j in range(len(proposals)) if j not in found.values()
                and _overlaps(sentence_spans[i], passage_spans[j])]
    paired = _greedy(leftover)
    used = set(found.values()) | set(paired.values())
    return found, paired, [j for j in range(len(proposals)) if j not in used]


def _greedy(pairs):
    """One-to-one assignment taking (..., i, j) pairs in the order given."""
    chosen, taken = {}, set()
    for *_, i, j in pairs:
        if i not in chosen and j not in taken:
            chosen[i] = j
            taken.add(j)
    return chosen


def score(reports):
    """Score reports (each with ``text``, expected ``incidents`` and extracted ``proposals``).

    Returns {"groups": {language or "overall": figures}, "misses": [...], "false": [...]}.
    """
    tallies, misses, false = {}, [], []
    for report in reports:
        expected, proposals = report["incidents"], report["proposals"]
        found, paired, unmatched = match_report(report["text"], expected, proposals)
        for group in (report["language"], "overall"):
            t = tallies.setdefault(group, dict.fromkeys(
                ("reports", "expected", "found", "date_ok", "place_ok", "type_ok", "proposals", "false"), 0))
            t["reports"] += 1
            t["expected"] += len(expected)
            t["found"] += len(found)
            t["proposals"] += len(proposals)
            t["false"] += len(unmatched)
            for i, j in {**found, **paired}.items():
                t["date_ok"] += _dates_equal(expected[i], proposals[j])
                t["place_ok"] += _distance_km(expected[i], proposals[j]) <= expected[i]["tolerance_km"]
            t["type_ok"] += sum(expected[i]["event_type"] == proposals[j].get("event_type") for i, j in found.items())
        for i, e in enumerate(expected):
            if i not in found:
                got = proposals[paired[i]] if i in paired else None
                misses.append(_miss(report, e, got))
        false.extend(_brief(report, proposals[j]) for j in unmatched)
    groups = {name: _figures(t) for name, t in tallies.items()}
    return {"groups": groups, "misses": misses, "false": false}


def _figures(t):
    def share(count, total):
        return count / total if total else None

    return {**t,
            "found_share": share(t["found"], t["expected"]),
            "date_accuracy": share(t["date_ok"], t["expected"]),
            "place_accuracy": share(t["place_ok"], t["expected"]),
            "type_accuracy": share(t["type_ok"], t["found"]),
            "false_per_10_reports": 10 * t["false"] / t["reports"] if t["reports"] else None}


def _miss(report, expected, got):
    miss = {"report": report["report"], "language": report["language"],
            "expected": {k: expected[k] for k in ("date_start", "date_end", "event_type", "place", "sentence")}}
    if got is None:
        miss["got"] = None
    else:
        miss["got"] = {"date_start": _date(got.get("date_start")), "date_end": _date(got.get("date_end")),
                       "event_type": got.get("event_type"), "location": got.get("location"),
                       "distance_km": round(_distance_km(expected, got), 1)}
    return miss


def _brief(report, proposal):
    return {"report": report["report"], "language": report["language"],
            **{k: proposal.get(k) for k in ("date_start", "date_end", "event_type", "location")},
            "passage": (proposal.get("passage") or "")[:100]}


def extract_command(python, report):
    command = [python, "-m", "mapapp", "extract", str(report["path"])]
    if report.get("published"):
        command += ["--published", report["published"]]
    for option, key in (("--title", "title"), ("--source", "source")):
        if report.get(key):
            command += [option, report[key]]
    return command


def run_extract(python, report, env, timeout):
    """The proposals `extract` prints for one report, or raise BenchError."""
    try:
        done = subprocess.run(extract_command(python, report), cwd=PROJECT, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise BenchError(f"report {report['report']!r}: extract took more than {timeout} s") from err
    if done.returncode not in (0, 1):
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BenchError(f"report {report['report']!r}: `python -m mapapp extract` failed "
                         f"(exit {done.returncode}): {last}")
    proposals = []
    for number, line in enumerate(done.stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            proposal = json.loads(line)
        except ValueError as err:
            raise BenchError(f"report {report['report']!r}: output line {number} is not JSON: {line[:80]!r}") from err
        if not isinstance(proposal, dict):
            raise BenchError(f"report {report['report']!r}: output line {number} is not a JSON object: {line[:80]!r}")
        proposals.append(proposal)
    return proposals


def extract_all(reports, python, jobs, timeout):
    with tempfile.TemporaryDirectory() as tmp:
        # extract without --commit must not write, but never let a bug touch the user's store.
        env = {**os.environ, "MAPAPP_DB": str(Path(tmp) / "bench.db"), "PYTHONIOENCODING": "utf-8"}
        # The first report alone: a missing `extract` is reported once, clearly.
        first = run_extract(python, reports[0], env, timeout)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rest = list(pool.map(lambda r: run_extract(python, r, env, timeout), reports[1:]))
    return [first] + rest


def _percent(value):
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def print_table(summary, seconds):
    groups = summary["groups"]
    names = [g for g in LANGUAGES if g in groups] + sorted(set(groups) - set(LANGUAGES) - {"overall"}) + ["overall"]
    print(f"{'':10} {'reports':>7} {'expected':>8} {'found':>7} {'date':>7} {'place':>7} {'type':>7} "
          f"{'proposals':>9} {'false':>5} {'false/10':>8}")
    for name in names:
        g = groups[name]
        false_rate = "-" if g["false_per_10_reports"] is None else f"{g['false_per_10_reports']:.1f}"
        print(f"{name:10} {g['reports']:7d} {g['expected']:8d} {_percent(g['found_share']):>7} "
              f"{_percent(g['date_accuracy']):>7} {_percent(g['place_accuracy']):>7} {_percent(g['type_accuracy']):>7} "
              f"{g['proposals']:9d} {g['false']:5d} {false_rate:>8}")
    print(f"{'target':10} {'':7} {'':8} {'>= 90%':>7} {'':7} {'':7} {'':7} {'':9} {'':5} {'<= 1.0':>8}")
    print(f"({groups['overall']['reports']} reports through `extract` in {seconds:.1f} s)")
    if summary["misses"]:
        print(f"\nmisses ({len(summary['misses'])}):")
        for miss in summary["misses"]:
            e, got = miss["expected"], miss["got"]
            said = "no proposal on its sentence" if got is None else (
                f"got {got['date_start']}..{got['date_end']} {got['event_type']} at {got['location']!r}, "
                f"{got['distance_km']} km")
            print(f"  {miss['report']:6} [{miss['language']}] {e['date_start']}..{e['date_end']} {e['event_type']} "
                  f"at {e['place']!r}: {said}")
    if summary["false"]:
        print(f"\nfalse incidents ({len(summary['false'])}):")
        for item in summary["false"]:
            print(f"  {item['report']:6} [{item['language']}] {item['date_start']} {item['event_type']} "
                  f"at {item['location']!r}: {item['passage']!r}")


def targets_met(summary):
    overall = summary["groups"]["overall"]
    return (overall["found_share"] or 0) >= TARGET_FOUND and overall["false_per_10_reports"] <= TARGET_FALSE_PER_10


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(DEFAULT_SET), metavar="DIR", help="folder with <id>.txt and expected.json")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    parser.add_argument("--jobs", type=int, default=2, help="extract processes at a time (default 2)")
    parser.add_argument("--python", default=sys.executable, help="the project's python (default: this one)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per report")
    args = parser.parse_args(argv)
    try:
        reports = load_set(args.set)
        if not reports:
            raise BenchError(f"{args.set!r} holds no reports")
        start = time.perf_counter()
        for report, proposals in zip(reports, extract_all(reports, args.python, max(1, args.jobs), args.timeout)):
            report["proposals"] = proposals
        seconds = time.perf_counter() - start
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    summary = score(reports)
    if args.json:
        print(json.dumps({**summary, "seconds": round(seconds, 2),
                          "targets": {"found_share": TARGET_FOUND, "false_per_10_reports": TARGET_FALSE_PER_10},
                          "targets_met": targets_met(summary)}, ensure_ascii=False, indent=1))
    else:
        print_table(summary, seconds)
    return 0 if targets_met(summary) else 1


if __name__ == "__main__":
    sys.exit(main())
