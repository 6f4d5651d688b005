"""Test-suite time and the app module's import time: this tree beside a baseline commit.

    .venv/bin/python -m benchmarks.bench_suite [--base bc25cd3] [--skip-suite]

The baseline (default: the commit before issue 11, bc25cd3) is checked out into a temporary
git worktree; both suites run one after the other with CI=true (browser tests included), each
in a fresh process, and their wall times print side by side with the test counts, and their
CPU time divided by the machine's cores: the least wall time the suite could take here. Target
(issue 11): the whole suite in at most 120 s on this machine; `import mapapp.app` under 1 s.
Figures depend on what else the machine runs: the load average is printed with them.
Exit status 1 when a target is missed.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MAX_SUITE_SECONDS = 120
MAX_IMPORT_SECONDS = 1.0
# The baseline's app module ran the whole page on import; importing it there measures that.
IMPORT = "import time; t = time.perf_counter(); import mapapp.app; print(time.perf_counter() - t)"


def suite(folder):
    """(wall seconds, CPU seconds, pytest's summary line) of the whole suite in `folder`. The CPU
    time (user + system of pytest and every process it waited for: workers, app servers, the
    browser's driver) says how long the suite must take on this machine's cores at best."""
    started, used = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder,
        env=dict(os.environ, CI="true"), capture_output=True, text=True,
    )
    seconds, cpu = time.perf_counter() - started, _children_cpu() - used
    summary = [line for line in done.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return seconds, cpu, (summary[-1] if summary else done.stdout[-300:]).strip("= ")


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def import_seconds(folder, repeat=5):
    """Median seconds of `import mapapp.app` in a fresh interpreter in `folder`."""
    times = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", IMPORT], cwd=folder, capture_output=True, text=True,
                              env=dict(os.environ, MAPAPP_DB=str(Path(tempfile.gettempdir()) / "bench-import.db")))
        times.append(float(done.stdout.split()[-1]) if done.returncode == 0 and done.stdout.split() else float("nan"))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="bc25cd3", help="the baseline commit (default: bc25cd3)")
    parser.add_argument("--skip-suite", action="store_true", help="only the import times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=PROJECT, check=True,
                       capture_output=True)
        try:
            rows = [("import mapapp.app", import_seconds(base), import_seconds(PROJECT), MAX_IMPORT_SECONDS)]
            if not args.skip_suite:
                base_suite, base_cpu, base_summary = suite(base)
                this_suite, this_cpu, this_summary = suite(PROJECT)
                rows.append(("whole suite (CI=true)", base_suite, this_suite, MAX_SUITE_SECONDS))
                cores = os.cpu_count()
                rows.append((f"  CPU time / {cores} cores", base_cpu / cores, this_cpu / cores, MAX_SUITE_SECONDS))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=PROJECT, capture_output=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':24} {'baseline ' + args.base:>18} {'this tree':>12} {'target':>8}")
    for name, before, after, target in rows:
        print(f"{name:24} {before:17.2f}s {after:11.2f}s {target:7.0f}s")
    if not args.skip_suite:
        print(f"baseline: {base_summary}\nthis tree: {this_summary}")
    missed = [name for name, _, after, target in rows if not after <= target]
    if missed:
        print("missed: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
