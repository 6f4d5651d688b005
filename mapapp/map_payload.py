"""The map's data as small binary files that the browser fetches, instead of JSON in a script.

For each version of the store (`MapData`), in a folder with an unguessable name inside this
server process's own folder of the static directory (`process_folder`):
- `base.bin.gz`: every incident once, as columns: latitude, longitude (float32), type code,
  flags (uint8: bits 0-2 location precision, bit 3 undated): 10 bytes per incident;
- `dates.bin.gz`: every incident's first and last day (int32 days since 1970, the smallest int32
  when undated), for time playback in the browser (playback.js): 8 bytes per incident;
- no file for a filter state: its bits (one per incident, 1 = shown) travel in base64 in the
  layer's arguments (`layer_args`), so that the map draws a new filter at once, without asking
  this server (busy drawing the rest of the page meanwhile) or waiting for a decompression
  while the page renders the table and charts: 167 kB for a million;
- `d-<chunk>.json.gz`: the texts of tooltips and lists, CHUNK incidents per file, fetched only
  when the user points at one of them.

Every file is gzip-compressed once, when written: Streamlit's server compresses any other
file again on every request (a million incidents' base file, every time a page opens), but serves
`application/gzip` as it is; the browser decompresses it (DecompressionStream).

The layer script streamlit-folium re-renders then holds these files' names, the filter's bits
and the open incident: a bit per incident, never an incident's data. The folder name is random (128 bits) and
told only to the pages this server renders: static files are served without any sign-in
check (TECH-NOTES), so the name is what keeps the data from being listed.
"""

import base64
import fcntl
import gzip
import hashlib
import json
import secrets
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from mapapp import offline_assets
from mapapp.labels import SUB_TYPE_UNKNOWN, date_label

CHUNK = 1024
FOLDER = "incident-data"
SUMMARY_CHARS = 160
# Folders kept besides the newest: pages opened before an import still find their files.
KEEP_VERSIONS = 2
# This process's versions go in a folder of its own, locked while the process runs: another
# server started from the same directory (another port, a second store) prunes only its own
# versions, and removes the folders of processes that have ended.
_PROCESS = secrets.token_hex(16)
_HELD = {}  # root -> this process's open, locked lock file there
_HOLDING = threading.Lock()  # two sessions' first MapData may be made at once
# Filter states whose compressed bits are kept (a rerun with the same filters reuses them).
KEEP_MASKS = 32
_SECRET = secrets.token_bytes(32)


def base_bytes(columns):
    """The `base.bin` of these columns."""
    flags = (columns.geo_precision & 7) | (columns.undated.astype(np.uint8) << 3)
    return b"".join((
        columns.latitude.astype("<f4").tobytes(),
        columns.longitude.astype("<f4").tobytes(),
        columns.event_type.astype(np.uint8).tobytes(),
        flags.astype(np.uint8).tobytes(),
    ))


def dates_bytes(columns):
    """The `dates.bin` of these columns: date_start then date_end, little-endian int32."""
    return columns.date_start.astype("<i4").tobytes() + columns.date_end.astype("<i4").tobytes()


def mask_bytes(keep):
    """A boolean array as bits, first incident in the lowest bit of the first byte."""
    return np.packbits(keep, bitorder="little").tobytes()


def summary(text):
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 3].rstrip() + "…"


def detail_rows(frame):
    """[id, sub-event type, date label, place, summary] per row of a frame of incidents with
    id, sub_event_type, date_start, date_end, date_precision, location, description."""
    labels = {}
    dates = []
    for key in zip(frame["date_start"].tolist(), frame["date_end"].tolist(), frame["date_precision"].tolist()):
        if key not in labels:
            start, end, precision = key
            labels[key] = date_label(_day(start), _day(end), precision)
        dates.append(labels[key])
    return [
        list(row) for row in zip(
            frame["id"].tolist(), [s or SUB_TYPE_UNKNOWN for s in frame["sub_event_type"].tolist()], dates,
            frame["location"].tolist(), [summary(s) for s in frame["description"].tolist()],
        )
    ]


def _day(value):
    return None if value is None or value == "" else pd.Timestamp(value).date()


class MapData:
    """The files of one version of the store, written under static/incident-data/<token>/."""

    def __init__(self, columns, read_details, static_dir=None, static_url=None):
        """`read_details(rowids)` returns a frame of the detail columns (see detail_rows) of
        the incidents with those rowids, in that order; it runs in a background thread."""
        self.count = len(columns)
        base = base_bytes(columns)
        # The same incidents give the same folder (a rerun after a write that changed nothing
        # keeps the browser's copy); the process's secret key makes the name unguessable.
        self.token = hashlib.blake2b(base + columns.rowid.tobytes(), key=_SECRET, digest_size=16).hexdigest()
        versions = process_folder(Path(static_dir or offline_assets.STATIC_DIR) / FOLDER)
        self.folder = versions / self.token
        self.url = f"{static_url or offline_assets.STATIC_URL}/{FOLDER}/{versions.name}/{self.token}"
        self.folder.mkdir(parents=True, exist_ok=True)
        if not (self.folder / "base.bin.gz").is_file():
            _write_gzip(self.folder / "base.bin.gz", base)
        if not (self.folder / "dates.bin.gz").is_file():
            _write_gzip(self.folder / "dates.bin.gz", dates_bytes(columns))
        self._masks = {}
        self._lock = threading.Lock()
        _prune(versions, keep=self.folder)
        self.details_done = threading.Event()
        self._details = threading.Thread(
            target=self._write_details, args=(read_details, columns.rowid), daemon=True
        )
        self._details.start()

    def _write_details(self, read_details, rowids):
        if (self.folder / "details.done").is_file():
            self.details_done.set()
            return
        try:
            for offset in range(0, self.count, CHUNK):
                if not self.folder.exists():
                    return  # pruned by a newer version
                rows = detail_rows(read_details(rowids[offset:offset + CHUNK]))
                data = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                _write_gzip(self.folder / f"d-{offset // CHUNK}.json.gz", data)
            offline_assets.write_whole(self.folder / "details.done", b"")
        finally:
            self.details_done.set()

    def mask_args(self, keep):
        """(key, number of incidents shown, the bits in base64) of a filter state: the key
        names it for the browser (a rerun with the same filters redraws nothing)."""
        data = mask_bytes(keep)
        key = "m-" + hashlib.blake2b(data, digest_size=12).hexdigest()
        with self._lock:
            if key not in self._masks:
                packed = base64.b64encode(data).decode("ascii")
                self._masks[key] = (int(np.count_nonzero(keep)), packed)
                if len(self._masks) > KEEP_MASKS:
                    self._masks.pop(next(iter(self._masks)))
            shown, packed = self._masks[key]
        return key, shown, packed

    @property
    def base_url(self):
        return f"{self.url}/base.bin.gz"

    def layer_args(self, keep, selected=None):
        """What the layer script passes to the browser: file names, the filter's bits and the
        open incident."""
        mask, shown, bits = self.mask_args(keep)
        return {
            "base": self.base_url,
            "dates": f"{self.url}/dates.bin.gz",
            "mask": mask,
            "bits": bits,
            "details": self.url,
            "n": self.count,
            "shown": shown,
            "chunk": CHUNK,
            "sel": selected,
        }


def _write_gzip(path, data):
    # Level 1: these bytes compress little more at higher levels.
    offline_assets.write_whole(path, gzip.compress(data, compresslevel=1, mtime=0))


def process_folder(root):
    """This process's folder of versions under `root`: made, and locked until the process ends,
    on first use, which also removes the folders of processes that have ended."""
    folder = root / _PROCESS
    with _HOLDING:
        if root not in _HELD:
            _hold(root, folder)
    return folder


def _hold(root, folder):
    root.mkdir(parents=True, exist_ok=True)
    # One process at a time makes its folder or removes others': a folder is never seen
    # between being made and being locked.
    with open(root / ".guard", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        lock = open(_lock_path(root, _PROCESS), "w")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _HELD[root] = lock
        folder.mkdir(exist_ok=True)
        for other in root.iterdir():
            if other.is_dir() and other != folder and _ended(_lock_path(root, other.name)):
                shutil.rmtree(other, ignore_errors=True)
                _lock_path(root, other.name).unlink(missing_ok=True)


def _lock_path(root, process):
    return root / f"{process}.lock"


def _ended(lock_path):
    """Whether the process of this lock file has ended (or there is none: a folder of an older
    release, which kept versions directly under the root)."""
    try:
        with open(lock_path) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except FileNotFoundError:
        return True
    except BlockingIOError:
        return False
    return True


def _prune(root, keep):
    """Remove the folders of older versions, except the KEEP_VERSIONS newest."""
    folders = sorted((f for f in root.iterdir() if f.is_dir() and f != keep), key=lambda f: f.stat().st_mtime)
    for old in folders[: max(0, len(folders) - KEEP_VERSIONS)]:
        shutil.rmtree(old, ignore_errors=True)
