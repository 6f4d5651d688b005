"""Stores of many ACLED-shaped incidents, written in bulk: for the scale benchmark and the
browser tests at 100,000 incidents.

Incidents are spread over the region and 15 years with distinct ids and notes; half of the
exact ones sit on their town's own point, as ACLED codes them (stacks of thousands), the other
half around it. `payloads` puts a script payload into every text field of every incident.
"""

import datetime as dt
import hashlib
import random
import sqlite3

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
    rng = random.Random(seed)
    first_day = dt.date(2011, 1, 1)
    with Store(path) as store:
        store.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    columns = list(INCIDENT_COLUMNS)
    insert = f"INSERT INTO incidents ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    for block in range(0, count, PER_DOCUMENT):
        document_id = f"upload-bench{block // PER_DOCUMENT:06d}"
        parts, rows, offset = [], [], 0
        drafts = []
        for n in range(block, min(count, block + PER_DOCUMENT)):
            event_type = rng.choice(EVENT_TYPES)
            sub_type = rng.choice(SUB_EVENT_TYPES[event_type])
            geo = rng.choices((1, 2, 4), weights=(70, 20, 10))[0]
            if geo == 4:
                location, lat, lon = rng.choice(REGIONS)
            else:
                location, lat, lon = rng.choice(PLACES)
                if rng.random() < 0.5:  # a village near the town; else the town's own point
                    lat, lon = lat + rng.uniform(-0.08, 0.08), lon + rng.uniform(-0.08, 0.08)
                    location = f"{location} area {n % 53}"
            hostile = payloads[n % len(payloads)] if payloads else ""
            location += hostile
            day = first_day + dt.timedelta(days=rng.randrange(15 * 365))
            precision = rng.choices(("day", "week", "month"), weights=(80, 10, 10))[0]
            start, end = {
                "day": (day, day),
                "week": (day - dt.timedelta(3), day + dt.timedelta(3)),
                "month": (day.replace(day=1), (day.replace(day=28) + dt.timedelta(4)).replace(day=1) - dt.timedelta(1)),
            }[precision]
            words = " ".join(rng.choice(WORDS) for _ in range(10))
            notes = (f"On {day:%d %B %Y}, in {location}, event {n}: {event_type.lower()} "
                     f"({sub_type.lower()}) involving {words}.{hostile}")
            heading = f"row {n + 2} · ACLED XKX{n:07d} · {day:%d %B %Y} · {location}\n"
            start_at = offset + len(heading)
            parts.append(heading + notes + "\n\n")
            offset += len(heading) + len(notes) + 2
            drafts.append((n, start, end, precision, event_type, sub_type, location, lat, lon, geo, notes,
                           start_at, start_at + len(notes), hostile))
        distances = boundary.distance_km([d[7] for d in drafts], [d[8] for d in drafts])
        for draft, km in zip(drafts, distances):
            n, start, end, precision, event_type, sub_type, location, lat, lon, geo, notes, a, b, hostile = draft
            values = {
                "id": f"XKX{n:07d}{hostile}", "date_start": start.isoformat(), "date_end": end.isoformat(),
                "date_precision": precision, "event_type": event_type, "sub_event_type": sub_type,
                "location": location, "latitude": lat, "longitude": lon, "geo_precision": geo,
                "border_distance_km": round(float(km), 2), "description": f"Event {n}: {sub_type.lower()} in {location}.",
                "source": "Kosovo Online; Koha Ditore" + hostile, "document_id": document_id,
                "passage_start": a, "passage_end": b, "note": hostile, "source_timestamp": 1600000000 + n,
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
