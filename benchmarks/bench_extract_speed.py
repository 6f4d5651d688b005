"""Extraction speed: report text per second once the gazetteer is loaded, and a cold `extract`.

    .venv/bin/python -m benchmarks.bench_extract_speed [--repeat N]

Throughput: the evaluation reports (tests/fixtures/reports/eval, four languages) are read by
`mapapp.reports.extract` in one process after a warm-up report has loaded the gazetteer, (a) one
report at a time and (b) joined into one long document. Cold: the wall time of the whole
process `python -m mapapp extract seeds/000_5c3697c2ad0ae6c3.txt`, best and median of N runs.
Targets (issue 12): >= 500 KB/s; cold extract of one short report <= 2 s.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from mapapp import PROJECT_DIR as PROJECT
from mapapp.reports import extract

EVAL = PROJECT / "tests" / "fixtures" / "reports" / "eval"
SEED = PROJECT / "seeds" / "000_5c3697c2ad0ae6c3.txt"
TARGET_KB_S = 500
TARGET_COLD_S = 2.0


def _throughput(texts, rounds):
    """(KB/s by wall clock, KB/s by this process's CPU time, bytes, proposals)."""
    size = sum(len(t.encode("utf-8")) for t in texts) * rounds
    start, cpu = time.perf_counter(), time.process_time()
    proposals = 0
    for _ in range(rounds):
        for text in texts:
            proposals += len(extract(text).proposals)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return size / 1024 / wall, size / 1024 / cpu, size, proposals


def _cold(repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mapapp", "extract", str(SEED)], cwd=PROJECT, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    reports = [path.read_text(encoding="utf-8") for path in sorted(EVAL.glob("*.txt"))]
    reports.append(SEED.read_text(encoding="utf-8"))
    start = time.perf_counter()
    extract(reports[0])  # loads the gazetteer and its name table
    load = time.perf_counter() - start
    each = _throughput(reports, 10)
    joined = _throughput(["\n\n".join(reports * 10)], 1)
    best, median = _cold(args.repeat)
    print(f"{'measure':<44}{'measured':>14}{'target':>12}")
    print(f"{'gazetteer + name table load (in process)':<44}{load:>12.2f} s{'':>12}")
    target = f">= {TARGET_KB_S} KB/s"
    for label, (wall, cpu, size, proposals) in (("one report at a time", each), ("one long document", joined)):
        print(f"{'throughput, ' + label:<44}{wall:>9.0f} KB/s{target:>14}   wall clock ({size / 1024:.0f} KB, "
              f"{proposals} proposals)")
        print(f"{'':<44}{cpu:>9.0f} KB/s{target:>14}   per CPU second of this process")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: the wall-clock figures share the machine)")
    print(f"{'cold extract of the seed report (process)':<44}{best:>9.2f} s best, {median:.2f} s median"
          f"   target <= {TARGET_COLD_S:.0f} s")
    ok = min(each[1], joined[1]) >= TARGET_KB_S and median <= TARGET_COLD_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
