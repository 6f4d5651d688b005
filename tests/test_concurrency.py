"""Overlapping imports, removals and reads give what some serial order gives (issue 9).

Fast versions of benchmarks/bench_concurrency.py, which runs each scenario 50 times with
larger files and prints the anomaly counts beside the baseline's.
"""

import pytest

from benchmarks import bench_concurrency as scenarios


@pytest.mark.parametrize(("scenario", "rows"), [
    (scenarios.threads_remove_during_commit, 3000),
    (scenarios.threads_newer_timestamp_wins, 500),
    (scenarios.threads_same_events_at_once, 500),
])
def test_sessions_sharing_one_store(scenario, rows):
    assert scenario(trials=4, rows=rows) == 0


@pytest.mark.parametrize(("scenario", "rows"), [
    (scenarios.processes_newer_timestamp_wins, 200),
    (scenarios.processes_same_events_at_once, 200),
    (scenarios.processes_readers_not_blocked, 0),
])
def test_processes(scenario, rows):
    assert scenario(trials=1, rows=rows) == 0
