"""Peak memory of imports of files at the limits, in every shape (issue 9, point 4).

    python -m benchmarks.bench_memory                  # this tree, and the baseline's ingest
    python -m benchmarks.bench_memory --no-baseline --only acled

Files at the default limits (100 MB, 1,000,000 rows), each shape a way to make a reader build
big structures: blank lines around one valid row, tiny rows (far over the row limit), one
huge cell, one huge line of empty cells, lines of spaces, and a 99 MiB ACLED export of
100,000 rows (ASCII, and with the region's letters). Each is imported in a fresh child
process, so that its peak (ru_maxrss) is its own (VmHWM): with `python -m mapapp ingest` and
through the app's import path (the upload section in Streamlit's AppTest: upload, preview,
Add). The app's child also reports its memory once the upload is added and the page has
rerun. The baseline (the commit before issue 9) runs the ingest only, with its address space
capped at 3 GB so that it cannot take the machine down.
Target: every peak <= 1 GB. Exit status 1 when one is over.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BASELINE = "bc25cd3"
MiB = 1024 * 1024
LIMIT_BYTES = 100 * MiB
TARGET_MB = 1024
BASELINE_CAP = 3 * 1024 * MiB
HEADER = (b"id,date_start,date_end,date_precision,event_type,sub_event_type,location,latitude,longitude,"
          b"geo_precision,description,source,passage\n")
ROW = (b"r1,2023-05-29,2023-05-29,day,Protests,Peaceful protest,Zvecan,42.9075,20.8403,1,Protest at the hall,log,"
       b"Residents protested at the hall.\n")


def make_files(folder):
    """{shape: path} of files just under the size limit."""
    folder = Path(folder)
    room = LIMIT_BYTES - 4096
    files = {}
    half = room // 2
    files["blank lines around one row"] = _write(folder / "blank.csv", [HEADER, b"\n" * half, ROW, b"\n" * half])
    files["tiny rows (over the row limit)"] = _write(folder / "tiny.csv", [b"id\n", b"1\n" * (room // 2)])
    cell = b"x" * (room - 200)
    start = b'r1,2023-05-29,,day,Protests,Peaceful protest,Zvecan,42.9,20.8,1,Protest,log,"'
    files["one huge cell"] = _write(folder / "cell.csv", [HEADER, start, cell, b'"\n'])
    files["one huge line of empty cells"] = _write(folder / "commas.csv", [HEADER, b"," * room, b"\n"])
    spaces = [HEADER, b"   \n" * (room // 8), ROW, b" \t \n" * (room // 8)]
    files["lines of spaces around one row"] = _write(folder / "spaces.csv", spaces)
    from benchmarks.bench_ingest import generate  # here: a child imports the measured tree's mapapp only

    acled = folder / "acled.csv"
    generate(acled, 100_000)
    _pad_notes(acled, 99 * MiB)
    files["ACLED export, 99 MiB, 100,000 rows"] = acled
    # The same with the region's letters (Zvečan): a text beyond Latin-1 takes Python two
    # bytes a character.
    letters = folder / "acled_letters.csv"
    letters.write_bytes(acled.read_bytes().replace(b"Zvecan", "Zvečan".encode()))
    files["ACLED export with č, 99 MiB, 100,000 rows"] = letters
    return files


def _write(path, parts):
    with open(path, "wb") as handle:
        for part in parts:
            handle.write(part)
    return path


def _pad_notes(path, size):
    """Lengthen the notes of every row so that the file is `size` bytes (ACLED notes run to
    a paragraph)."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    notes = header.index("notes")
    current = path.stat().st_size
    extra = (size - current) // len(body) - 2
    filler = " Witnesses described the scene to local media; the report adds context from earlier days."
    pad = (filler * (extra // len(filler) + 1))[:extra]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in body:
            row[notes] += pad
            writer.writerow(row)


APP_SCRIPT = """
from mapapp.store import Store
from mapapp.upload_ui import upload_section

upload_section(Store(), expanded=True)
"""


def child_ingest(path, db):
    from mapapp.cli import main

    started = time.perf_counter()
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = main(["ingest", str(path), "--db", str(db)])
    text = out.getvalue()
    summary = next((line for line in text.splitlines() if line.startswith(("accepted", "error"))), "")
    return {"seconds": time.perf_counter() - started, "status": status, "summary": summary[:70]}


def child_app(path, db):
    """The upload section with a real file: upload, preview, Add; then the memory in use."""
    import gc

    os.environ["MAPAPP_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    started = time.perf_counter()
    data = Path(path).read_bytes()
    at = AppTest.from_string(APP_SCRIPT, default_timeout=600)
    at.run()
    before = _rss_mb()
    at.file_uploader[0].set_value((Path(path).name, data, "text/csv"))
    del data
    at.run()
    added = "-"
    buttons = [button for button in at.button if button.key == "upload-add"]
    if buttons and not buttons[0].disabled:
        buttons[0].click()
        at.run()
        added = at.success[0].value if at.success else "-"
    errors = [element.value for element in at.text][:1]
    at.run()  # a rerun after the upload, as the next click on the page
    gc.collect()
    return {
        "seconds": time.perf_counter() - started,
        "summary": (added if added != "-" else (errors[0] if errors else ""))[:70],
        "rss_before_mb": before,
        "rss_after_mb": _rss_mb(),
    }


def _peak_mb():
    """This process's peak resident memory (VmHWM: since its exec, unlike ru_maxrss, which a
    child inherits from the parent that forked it)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-app", action="store_true")
    parser.add_argument("--only", help="shapes whose name contains this")
    parser.add_argument("--keep", help="make the files in this folder (kept)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child_main(*args.child)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mapapp-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = make_files(folder)
    baseline_dir = None
    if not args.no_baseline:
        baseline_dir = Path(tempfile.mkdtemp(prefix="mapapp-baseline-"))
        archive = subprocess.run(["git", "-C", str(PROJECT), "archive", BASELINE], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(baseline_dir)], input=archive.stdout, check=True)
    over = False
    print(f"{'shape':38} {'path':7} {'peak MB':>8} {'s':>6}  outcome")
    for shape, path in files.items():
        if args.only and args.only not in shape:
            continue
        runs = [("ingest", PROJECT, None, "")]
        if not args.no_app:
            runs.append(("app", PROJECT, None, ""))
        if baseline_dir:
            runs.append(("ingest", baseline_dir, BASELINE_CAP, f"baseline {BASELINE}, "))
        for kind, project, cap, label in runs:
            result = _measured(kind, path, project, cap)
            peak = result.get("peak_mb", float("nan"))
            if project == PROJECT:
                over = over or not peak <= TARGET_MB
            extra = ""
            if kind == "app" and "rss_after_mb" in result:
                extra = (f" (in use: {result['rss_before_mb']:.0f} MB before, "
                         f"{result['rss_after_mb']:.0f} MB after the upload)")
            print(f"{shape[:38]:38} {kind:7} {peak:8.0f} {result.get('seconds', 0):6.1f}  "
                  f"{label}{result.get('summary', '')}{extra}", flush=True)
    if baseline_dir:
        shutil.rmtree(baseline_dir, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if over else 0


def _measured(kind, path, project, cap):
    """One child per measurement, started through this script so that its own ru_maxrss is
    read (the child reports it). It runs in `project`, whose mapapp it imports (PYTHONPATH)."""
    process = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(path)],
        cwd=project, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(project)),
        preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap))) if cap else None,
    )
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT")]
    if lines:
        return json.loads(lines[-1][6:])
    tail = (process.stderr.strip().splitlines() or ["?"])[-1]
    return {"summary": f"failed: {tail[:60]}", "peak_mb": float("nan")}


def _child_main(kind, path):
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "store.db"
        try:
            result = (child_ingest if kind == "ingest" else child_app)(path, db)
        except MemoryError:
            result = {"summary": "MemoryError (over the cap)"}
    result["peak_mb"] = _peak_mb()
    print("RESULT" + json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
