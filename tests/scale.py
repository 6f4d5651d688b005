"""Stores of many ACLED-shaped incidents, written in bulk: for the scale benchmark and the
browser tests at 100,000 incidents.

Incidents are spread over the region and 15 years with distinct ids and notes; half of the
exact ones sit on their town's own point, as ACLED codes them (stacks of thousands), the other
half around it. `payloads` puts a script payload into every text field of every incident.
"""

import datetime as dt
import hashlib
import sqlite3

import numpy as np

from mapapp import boundary
from mapapp.store import INCIDENT_COLUMNS, Store
from mapapp.vocabulary import EVENT_TYPES, SUB_EVENT_TYPES

PLACES = [
    # The region's towns (GeoNames coordinates), as the map's town list held them before the
    # base map took its place names from the gazetteer: the synthetic data stays the same.
    ("Mitrovica", 42.88333, 20.86667), ("Zvečan", 42.9075, 20.84028), ("Zubin Potok", 42.91444, 20.68972),
    ("Leposavić", 43.10389, 20.80278), ("Raška", 43.28722, 20.61528), ("Novi Pazar", 43.13667, 20.51222),
    ("Priština / Prishtina", 42.67272, 21.16688), ("Vučitrn / Vushtrri", 42.82306, 20.9675),
    ("Podujevo / Podujeva", 42.91056, 21.19306), ("Kuršumlija", 43.13826, 21.27339),
    ("Tutin", 42.99028, 20.33139), ("Peć / Peja", 42.65913, 20.28828),
]
REGIONS = [("northern Kosovo", 42.977, 20.761), ("Mitrovica region", 42.95, 20.9)]
WORDS = ("police", "checkpoint", "protesters", "gunmen", "barricade", "bridge", "municipal building",
         "KFOR patrol", "explosive device", "arrest", "convoy", "border crossing", "monastery", "vehicle")
PER_DOCUMENT = 1000


def build_store(path, count, seed=13, payloads=()):
    """A seeded store plus `count` ACLED-shaped incidents, written in bulk."""
    with Store(path) as store:
        store.close()
    draws = _draws(count, np.random.default_rng(seed))
    distances = boundary.distance_km(draws["latitude"], draws["longitude"])
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    columns = list(INCIDENT_COLUMNS)
    insert = f"INSERT INTO incidents ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    day_names = {}  # "%d %B %Y" of each of the 15 years' days, made once
    for block in range(0, count, PER_DOCUMENT):
        document_id = f"upload-bench{block // PER_DOCUMENT:06d}"
        parts, rows, offset = [], [], 0
        for n in range(block, min(count, block + PER_DOCUMENT)):
            event_type, sub_type = EVENT_TYPES[draws["type"][n]], draws["sub_type"][n]
            hostile = payloads[n % len(payloads)] if payloads else ""
            location = draws["location"][n] + hostile
            day = draws["day"][n]
            if day not in day_names:
                day_names[day] = f"{dt.date.fromisoformat(day):%d %B %Y}"
            words = " ".join(WORDS[k] for k in draws["words"][n])
            notes = (f"On {day_names[day]}, in {location}, event {n}: {event_type.lower()} "
                     f"({sub_type.lower()}) involving {words}.{hostile}")
            heading = f"row {n + 2} · ACLED XKX{n:07d} · {day_names[day]} · {location}\n"
            start_at = offset + len(heading)
            parts.append(heading + notes + "\n\n")
            offset += len(heading) + len(notes) + 2
            values = {
                "id": f"XKX{n:07d}{hostile}", "date_start": draws["start"][n], "date_end": draws["end"][n],
                "date_precision": draws["precision"][n], "event_type": event_type, "sub_event_type": sub_type,
                "location": location, "latitude": draws["latitude"][n], "longitude": draws["longitude"][n],
                "geo_precision": draws["geo"][n], "border_distance_km": round(float(distances[n]), 2),
                "description": f"Event {n}: {sub_type.lower()} in {location}.",
                "source": "Kosovo Online; Koha Ditore" + hostile, "document_id": document_id,
                "passage_start": start_at, "passage_end": start_at + len(notes), "note": hostile,
                "source_timestamp": 1600000000 + n,
                "fingerprint": hashlib.blake2b(notes.encode(), digest_size=8).hexdigest(),
                "actor1": "Protesters (Kosovo)" + hostile, "actor2": "Police Forces of Kosovo (2008-)" + hostile,
                "fatalities": 0, "admin1": "Mitrovica", "admin2": location.split(" area")[0],
            }
            rows.append(tuple(values.get(column, "") for column in columns))
        db.execute(
            "INSERT INTO documents (id, title, source, text) VALUES (?, ?, ?, ?)",
            (document_id, f"Upload: acled_part_{block // PER_DOCUMENT}.csv{payloads[0] if payloads else ''}",
             "uploaded file (ACLED export)", "".join(parts)),
        )
        db.executemany(insert, rows)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _draws(count, rng):
    """Every random choice of `count` incidents, drawn at once (as arrays: drawn one by one in
    Python, they took most of a 100,000-incident store's making)."""
    number = np.arange(count)
    event_type = rng.integers(len(EVENT_TYPES), size=count)
    sub_types = [SUB_EVENT_TYPES[name] for name in EVENT_TYPES]
    pick = rng.random(count)
    sub_type = [sub_types[t][int(p * len(sub_types[t]))] for t, p in zip(event_type.tolist(), pick.tolist())]
    geo = rng.choice(np.array([1, 2, 4]), size=count, p=[0.7, 0.2, 0.1])
    place, region = rng.integers(len(PLACES), size=count), rng.integers(len(REGIONS), size=count)
    # A village near the town for half of the exact ones; else the town's own point.
    near = (geo != 4) & (rng.random(count) < 0.5)
    shift = rng.uniform(-0.08, 0.08, size=(count, 2)) * near[:, None]
    towns = np.array([(lat, lon) for _, lat, lon in PLACES])[place]
    areas = np.array([(lat, lon) for _, lat, lon in REGIONS])[region]
    position = np.where((geo == 4)[:, None], areas, towns + shift)
    location = [
        REGIONS[r][0] if g == 4 else f"{PLACES[p][0]} area {n % 53}" if v else PLACES[p][0]
        for n, g, p, r, v in zip(number.tolist(), geo.tolist(), place.tolist(), region.tolist(), near.tolist())
    ]
    day = np.datetime64("2011-01-01") + rng.integers(15 * 365, size=count)
    precision = rng.choice(np.array(["day", "week", "month"]), size=count, p=[0.8, 0.1, 0.1])
    month = day.astype("datetime64[M]")
    start = np.select([precision == "week", precision == "month"], [day - 3, month.astype("datetime64[D]")], day)
    end = np.select([precision == "week", precision == "month"], [day + 3, (month + 1).astype("datetime64[D]") - 1], day)
    return {
        "type": event_type.tolist(), "sub_type": sub_type, "geo": geo.tolist(), "location": location,
        "latitude": position[:, 0].tolist(), "longitude": position[:, 1].tolist(),
        "day": day.astype(str).tolist(), "precision": precision.tolist(),
        "start": start.astype(str).tolist(), "end": end.astype(str).tolist(),
        "words": rng.integers(len(WORDS), size=(count, 10)).tolist(),
    }
