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
import ctypes
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
PR_SET_CHILD_SUBREAPER = 36  # prctl option (linux/prctl.h)
# The baseline's app module ran the whole page on import; importing it there measures that.
IMPORT = "import time; t = time.perf_counter(); import mapapp.app; print(time.perf_counter() - t)"


def suite(folder):
    """(wall seconds, CPU seconds, pytest's summary line with the load average before and after)
    of the whole suite in `folder`. The CPU
    time (user + system of pytest and every process it started: workers, app servers, the
    browsers) says how long the suite must take on this machine's cores at best."""
    load, started, used = os.getloadavg()[0], time.perf_counter(), _children_cpu()
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder,
            env=dict(os.environ, CI="true"), stdout=output, stderr=subprocess.STDOUT, text=True,
        )
        while process.poll() is None:
            _reap_orphans(process.pid)
            time.sleep(0.2)
        _reap_orphans(None, linger=10)
        output.seek(0)
        stdout = output.read()
    seconds, cpu = time.perf_counter() - started, _children_cpu() - used
    summary = [line for line in stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    summary += [line for line in stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    summary = "\n".join(summary).strip("= ") if summary else stdout[-300:]
    return seconds, cpu, f"{summary} (load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)"


def _count_orphans():
    """Make this process the one that orphaned descendants are handed to (Linux): a browser's
    helper processes outlive the driver that started them, and their CPU time counts in
    RUSAGE_CHILDREN only once a parent waits for them (_reap_orphans)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_orphans(keep, linger=0):
    """Wait for every exited child of this process but `keep` (which subprocess waits for), and
    for up to `linger` seconds for those still running."""
    deadline = time.monotonic() + linger
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return  # no child left
        if info is not None and info.si_pid != keep:
            os.waitpid(info.si_pid, 0)
        elif info is not None or time.monotonic() >= deadline:
            return
        else:
            time.sleep(0.1)


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
    counted = _count_orphans()
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
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
          + ("" if counted else " (CPU time: only of processes their parents waited for)"))
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
