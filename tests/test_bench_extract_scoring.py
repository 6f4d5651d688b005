"""The extraction benchmark's matching and scoring, and the evaluation set it reads."""

import json
import sys
from collections import Counter

import pytest

from benchmarks.bench_extract_accuracy import (
    DEFAULT_SET,
    BenchError,
    haversine_km,
    load_set,
    main,
    match_report,
    score,
)
from mapapp.vocabulary import DATE_PRECISIONS, SUB_EVENT_TYPES

TEXT = ("Unknown persons threw a grenade at a house in Zvečan on 12 November 2024. "
        "On Sunday, police arrested two men near Leposavić. The situation remains tense.")
GRENADE = TEXT[:TEXT.index(" On Sunday")]
ARREST = "police arrested two men near Leposavić"


def expected(start, lat, lon, sentence, event_type="Strategic developments", tolerance=3):
    return {"date_start": start, "date_end": start, "event_type": event_type, "place": "x",
            "latitude": lat, "longitude": lon, "tolerance_km": tolerance, "sentence": sentence}


def proposal(start, lat, lon, passage, event_type="Strategic developments", end=None):
    return {"date_start": start, "date_end": end if end is not None else start, "event_type": event_type,
            "location": "x", "latitude": lat, "longitude": lon, "passage": passage}


def test_haversine_between_zvecan_and_north_mitrovica():
    assert haversine_km(42.9075, 20.8403, 42.8936, 20.8656) == pytest.approx(2.576, abs=0.001)
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.001)


def test_found_paired_and_false_proposals():
    grenade = expected("2024-11-12", 42.9075, 20.8403, "threw a grenade", "Explosions/Remote violence")
    arrest = expected("2024-11-10", 43.1039, 20.8028, ARREST)
    proposals = [
        proposal("2024-11-12", 42.92, 20.85, GRENADE, "Explosions/Remote violence"),  # 1.7 km off: found
        proposal("2024-11-11", 43.1039, 20.8028, ARREST),  # right passage, wrong day: paired, not false
        proposal("2024-11-12", 42.9, 20.8, "The situation remains tense."),  # matches nothing
    ]
    assert match_report(TEXT, [grenade, arrest], proposals) == ({0: 0}, {1: 1}, [2])


def test_outside_tolerance_is_not_found():
    grenade = expected("2024-11-12", 42.9075, 20.8403, "threw a grenade", tolerance=3)
    # Zubin Potok, 12.3 km west: the right day and passage, the wrong place.
    found, paired, false = match_report(TEXT, [grenade], [proposal("2024-11-12", 42.9144, 20.6897, GRENADE)])
    assert (found, paired, false) == ({}, {0: 0}, [])


def test_one_proposal_finds_one_of_two_incidents_at_one_place():
    first = expected("2023-09-24", 42.9733, 20.7808, "threw a grenade")
    second = expected("2023-09-24", 42.977, 20.776, ARREST)
    one = [proposal("2023-09-24", 42.975, 20.778, TEXT)]  # 0.28 km from the second, 0.30 km from the first
    assert match_report(TEXT, [first, second], one) == ({1: 0}, {}, [])
    two = one + [proposal("2023-09-24", 42.975, 20.778, TEXT)]
    assert match_report(TEXT, [first, second], two) == ({0: 1, 1: 0}, {}, [])


def test_a_proposal_on_the_sentence_is_preferred_to_a_nearer_one():
    a = expected("2024-11-12", 42.9075, 20.8403, "threw a grenade")
    b = expected("2024-11-12", 42.9075, 20.8403, ARREST)
    proposals = [proposal("2024-11-12", 42.9075, 20.8403, ARREST),  # exact point, on b's sentence
                 proposal("2024-11-12", 42.92, 20.85, GRENADE)]  # 1.7 km off, on a's sentence
    assert match_report(TEXT, [a, b], proposals) == ({0: 1, 1: 0}, {}, [])


def test_undated_matches_empty_dates_only():
    undated = {**expected(None, 43.1039, 20.8028, ARREST), "date_end": None}
    assert match_report(TEXT, [undated], [proposal("", 43.1039, 20.8028, ARREST, end="")])[0] == {0: 0}
    assert match_report(TEXT, [undated], [proposal("2024-11-10", 43.1039, 20.8028, ARREST)])[0] == {}


def test_score_figures_per_language_and_overall():
    grenade = expected("2024-11-12", 42.9075, 20.8403, "threw a grenade", "Explosions/Remote violence")
    arrest = expected("2024-11-10", 43.1039, 20.8028, ARREST)
    reports = [
        {"report": "a", "language": "en", "text": TEXT, "incidents": [grenade, arrest],
         "proposals": [proposal("2024-11-12", 42.9075, 20.8403, GRENADE, "Riots"),
                       proposal("2024-11-11", 43.1039, 20.8028, ARREST)]},
        {"report": "b", "language": "sq", "text": "Analizë pa incident.", "incidents": [],
         "proposals": [proposal("2024-11-01", 42.9, 20.8, "Analizë pa incident.")]},
    ]
    summary = score(reports)
    en, overall = summary["groups"]["en"], summary["groups"]["overall"]
    assert (en["found_share"], en["date_accuracy"], en["place_accuracy"], en["type_accuracy"]) == (0.5, 0.5, 1.0, 0.0)
    assert en["false_per_10_reports"] == 0
    assert summary["groups"]["sq"]["false_per_10_reports"] == 10
    assert (overall["reports"], overall["expected"], overall["found"], overall["false"]) == (2, 2, 1, 1)
    assert overall["false_per_10_reports"] == 5
    assert summary["misses"] == [{
        "report": "a", "language": "en",
        "expected": {"date_start": "2024-11-10", "date_end": "2024-11-10", "event_type": "Strategic developments",
                     "place": "x", "sentence": ARREST},
        "got": {"date_start": "2024-11-11", "date_end": "2024-11-11", "event_type": "Strategic developments",
                "location": "x", "distance_km": 0.0},
    }]
    assert [(f["report"], f["date_start"]) for f in summary["false"]] == [("b", "2024-11-01")]


def test_the_evaluation_set_is_complete_and_coded_in_the_vocabulary():
    reports = load_set(DEFAULT_SET)
    assert Counter(r["language"] for r in reports) == {"en": 18, "sr-Latn": 13, "sq": 14, "sr-Cyrl": 9}
    assert sum(not r["incidents"] for r in reports) == 8
    incidents = [i for r in reports for i in r["incidents"]]
    assert len(incidents) == 54
    for report in reports:
        for i in report["incidents"]:
            assert i["sub_event_type"] in SUB_EVENT_TYPES[i["event_type"]], (report["report"], i)
            assert i["date_precision"] in DATE_PRECISIONS
            assert (i["date_start"] is None) == (i["date_precision"] == "unknown")
            assert report["text"].count(i["sentence"]) == 1
            # Every place is in the region: northern Kosovo, the boundary zone, Pristina, Belgrade.
            assert 41.8 < i["latitude"] < 45 and 20 < i["longitude"] < 22.2


def test_a_sentence_missing_from_its_report_is_named(tmp_path):
    (tmp_path / "r1.txt").write_text("Police arrested a man in Zvečan.\n", encoding="utf-8")
    (tmp_path / "expected.json").write_text(json.dumps([{
        "report": "r1", "language": "en", "published": None, "title": "t", "source": "s",
        "incidents": [expected(None, 42.9, 20.8, "arrested two men")]}]), encoding="utf-8")
    with pytest.raises(BenchError, match="report 'r1': sentence 'arrested two men' is not in its text"):
        load_set(tmp_path)


FAKE_EXTRACT = """\
import json, sys
from pathlib import Path
args = sys.argv[1:]
assert args[:3] == ["-m", "mapapp", "extract"], args
report = Path(args[3])
if report.stem == "broken":
    print("error: cannot read the report", file=sys.stderr)
    sys.exit(2)
published = args[args.index("--published") + 1] if "--published" in args else None
for line in json.loads((report.parent / "answers.json").read_text())[report.stem]:
    print(json.dumps({**line, "note": "published " + str(published)}))
"""


def _fake_set(tmp_path, names):
    entries, answers = [], {}
    for name in names:
        (tmp_path / f"{name}.txt").write_text(TEXT + "\n", encoding="utf-8")
        entries.append({"report": name, "language": "en", "published": "2024-11-13", "title": "t", "source": "s",
                        "incidents": [expected("2024-11-12", 42.9075, 20.8403, "threw a grenade")]})
        answers[name] = [proposal("2024-11-12", 42.9075, 20.8403, GRENADE)]
    (tmp_path / "expected.json").write_text(json.dumps(entries), encoding="utf-8")
    (tmp_path / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    fake = tmp_path / "fake_python"
    fake.write_text(f"#!{sys.executable}\n" + FAKE_EXTRACT, encoding="utf-8")
    fake.chmod(0o755)
    return str(fake)


def test_main_runs_extract_once_per_report_and_prints_json(tmp_path, capsys):
    fake = _fake_set(tmp_path, ["r1", "r2"])
    assert main(["--set", str(tmp_path), "--python", fake, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["groups"]["overall"]["found"] == 2
    assert summary["groups"]["overall"]["false"] == 0
    assert summary["targets_met"] is True


def test_main_reports_a_failing_extract_clearly(tmp_path, capsys):
    fake = _fake_set(tmp_path, ["broken", "r2"])
    assert main(["--set", str(tmp_path), "--python", fake]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: report 'broken': `python -m mapapp extract` failed (exit 2): error: cannot read the report")
