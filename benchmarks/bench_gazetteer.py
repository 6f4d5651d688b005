"""Gazetteer speed: cold load, lookups/s on repeated names and on distinct names.

Run: .venv/bin/python -m benchmarks.bench_gazetteer
Targets: cold load <= 1 s, repeated >= 20,000/s, distinct >= 2,000/s.
"""

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from mapapp import DATA_DIR
from mapapp.gazetteer import XK_FILE, Gazetteer

PROJECT_DIR = Path(__file__).resolve().parent.parent

COLD = """
import time
t = time.perf_counter()
from mapapp.gazetteer import Gazetteer
Gazetteer()
loaded = time.perf_counter()
import mapapp.geocoders
print(loaded - t, time.perf_counter() - t)
"""
REPEATED = ["Zvečan", "Zvecan", "Лепосавић", "Banjska", "Banska", "Bernjak", "Mitrovicë e Veriut", "near Jarinje",
            "the village of Varage", "northern Kosovo", "Zvecn", "Novi Pazar", "Paris Hilton", "Gazivode",
            "in Zubin Potok municipality", "Banjska Orthodox monastery", "the border regions", "Raška"]


def cold_load(runs=5):
    """Import + load in a fresh interpreter (data files already in the OS cache after the first run)."""
    loads, with_geopy = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COLD], cwd=PROJECT_DIR, check=True,
                             capture_output=True, text=True).stdout.split()
        loads.append(float(out[0]))
        with_geopy.append(float(out[1]))
    return loads, with_geopy


def misspell(name, rng):
    """Drop one inner letter: the commonest typo."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()][1:-1]
    if len(letters) < 4:
        return None
    i = rng.choice(letters)
    return name[:i] + name[i + 1:]


def distinct_queries(gazetteer):
    names = {place.name for place in gazetteer.places}
    with open(DATA_DIR / XK_FILE, encoding="utf-8") as fh:
        for line in fh:
            names.update(filter(None, line.split("\t")[3].split(",")))
    rng = random.Random(20240101)
    misspelt = {misspell(name, rng) for name in sorted(names)} - {None} - names
    return sorted(names), sorted(misspelt)


def rate(gazetteer, queries):
    start = time.perf_counter()
    resolved = sum(gazetteer.lookup(q) is not None for q in queries)
    return len(queries) / (time.perf_counter() - start), resolved


def main():
    loads, with_geopy = cold_load()
    print(f"cold load (fresh interpreter, import + load): median {statistics.median(loads):.3f} s, "
          f"max {max(loads):.3f} s  [target <= 1 s]")
    print(f"  ... plus importing mapapp.geocoders (geopy): median {statistics.median(with_geopy):.3f} s")

    gazetteer = Gazetteer()
    queries = REPEATED * 5000
    per_second, _ = rate(gazetteer, queries)
    print(f"repeated names: {per_second:,.0f} lookups/s over {len(queries):,} lookups  [target >= 20,000/s]")

    names, misspelt = distinct_queries(gazetteer)
    fresh = Gazetteer()  # no warm caches
    per_second, resolved = rate(fresh, names)
    print(f"distinct names: {per_second:,.0f} lookups/s over {len(names):,} names, {resolved:,} resolved  "
          f"[target >= 2,000/s]")
    per_second, resolved = rate(fresh, misspelt)
    print(f"distinct misspellings (one letter dropped): {per_second:,.0f} lookups/s over {len(misspelt):,}, "
          f"{resolved:,} resolved  [target >= 2,000/s]")
    both = names + misspelt
    random.Random(7).shuffle(both)
    per_second, resolved = rate(Gazetteer(), both)
    print(f"distinct, mixed: {per_second:,.0f} lookups/s over {len(both):,}  [target >= 2,000/s]")


if __name__ == "__main__":
    main()
