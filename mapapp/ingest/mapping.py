"""Any other CSV: which of its columns holds the date, type, place, ... (guessed, then confirmed)."""

import unicodedata

from mapapp.ingest.draft import Draft, RowFormat, column_key
from mapapp.ingest.values import (
    MIXED, MONTH_FIRST, DateOrder, Rejected, ambiguous_date, check_coordinates, date_order,
    first_sentence, match_types, parse_coordinates, parse_date, parse_int, parse_pair,
    precision_of_range,
)
from mapapp.text import one_line
from mapapp.vocabulary import GEO_PRECISIONS

# The roles a column can play, in the order the mapping step shows them, with their labels.
ROLES = {
    "id": "Identifier",
    "date": "Date (or first day)",
    "date_end": "Last day (for a date range)",
    "event_type": "Event type (ACLED)",
    "sub_event_type": "Sub-event type (ACLED)",
    "location": "Place name",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "coordinates": "Latitude and longitude in one column",
    "geo_precision": "Location precision (1 exact ... 5 country)",
    "description": "Description (one line)",
    "notes": "Text to cite (notes, report)",
    "source": "Source",
}

# Column names that suggest a role, compared without case and accents; English, Serbian /
# Bosnian / Croatian and Albanian words users of the region write in their own logs.
SYNONYMS = {
    "id": ("id", "event_id", "incident_id", "event_id_cnty", "ref", "reference", "no", "nr", "broj", "rb"),
    "date": ("date", "event_date", "date_start", "start_date", "day", "when", "datum", "data", "dita",
             "date_from", "from"),
    "date_end": ("date_end", "end_date", "date_to", "to", "until", "datum_do", "deri"),
    "event_type": ("event_type", "type", "category", "incident_type", "tip", "vrsta", "kategorija", "lloji",
                   "kategoria"),
    "sub_event_type": ("sub_event_type", "subtype", "sub_type", "subcategory", "podtip", "podvrsta", "nenlloji"),
    "location": ("location", "place", "place_name", "town", "village", "city", "municipality", "where",
                 "mesto", "mjesto", "lokacija", "opstina", "opcina", "grad", "selo", "vendi", "vendndodhja", "komuna"),
    "latitude": ("latitude", "lat", "y", "geo_lat", "sirina", "geografska_sirina", "gjeresia"),
    "longitude": ("longitude", "lon", "lng", "long", "x", "geo_lon", "duzina", "geografska_duzina", "gjatesia"),
    "coordinates": ("coordinates", "coords", "coord", "latlon", "lat_lon", "lat/lon", "lat,_lon", "latlng",
                    "point", "gps", "koordinate", "koordinatat"),
    "geo_precision": ("geo_precision", "precision", "location_precision", "preciznost"),
    "description": ("description", "summary", "title", "event", "incident", "what", "opis", "dogadjaj",
                    "dogadaj", "pershkrimi", "ngjarja"),
    "notes": ("notes", "note", "details", "text", "report", "passage", "napomena", "beleska", "biljeska",
              "tekst", "izvestaj", "shenime", "teksti"),
    "source": ("source", "sources", "url", "link", "reference_url", "izvor", "izvori", "burimi", "burim"),
}


# Serbian Cyrillic to the plain Latin letters the synonyms are written in (`Ширина` -> `sirina`):
# headers of logs kept in Cyrillic match the same words as those kept in Latin.
_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "z", "з": "z",
    "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "c", "џ": "dz", "ш": "s",
})


def _plain(name):
    """A header cell without accents or case, in Latin letters: `Širina` and `Ширина` ->
    `sirina`, `Đakovica` -> `djakovica`."""
    name = column_key(name).translate(_CYRILLIC).replace("đ", "dj").replace("ð", "dj")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def guess(header):
    """{role: column or None}: the best guess for each role, each column used at most once.

    Exact names win over names that merely contain a synonym (`event_date` over `date_added`).
    """
    plain = [_plain(column) for column in header]
    mapping = dict.fromkeys(ROLES)
    used = set()
    for exact in (True, False):
        for role, words in SYNONYMS.items():
            if mapping[role] is not None:
                continue
            for word in words:
                found = next(
                    (
                        position
                        for position, name in enumerate(plain)
                        if position not in used
                        and (name == word if exact else len(word) > 3 and word in name)
                    ),
                    None,
                )
                if found is not None:
                    mapping[role] = header[found]
                    used.add(found)
                    break
    # Separate latitude and longitude columns make a combined column unnecessary, and vice versa.
    if mapping["coordinates"] and mapping["latitude"] and mapping["longitude"]:
        mapping["coordinates"] = None
    return mapping


def problems(mapping, header):
    """What keeps a mapping from being usable, as sentences; empty when it can be used."""
    found = []
    columns = set(header)
    for role, column in mapping.items():
        if role not in ROLES:
            found.append(f"{role!r} is not a role; the roles are {', '.join(ROLES)}")
        elif column and column not in columns:
            found.append(f"{ROLES[role]}: there is no column {column!r} in the file")
    if not (mapping.get("event_type") or mapping.get("sub_event_type")):
        found.append("choose the column with the event type or the sub-event type")
    has_pair = mapping.get("latitude") and mapping.get("longitude")
    if bool(mapping.get("latitude")) != bool(mapping.get("longitude")):
        found.append("choose both a latitude and a longitude column (or neither)")
    if not (mapping.get("location") or has_pair or mapping.get("coordinates")):
        found.append("choose the place name column, or the coordinates")
    if not (mapping.get("description") or mapping.get("notes")):
        found.append("choose the description or the notes column")
    return found


class MappedRows(RowFormat):
    """Rows of a CSV of any shape, read through a confirmed {role: column} mapping.

    Reasons name the user's own columns, so "Datum: expected a date ..." points at their data.
    """

    name = "other"
    label = "other CSV (columns mapped)"
    columns = tuple(ROLES)

    def __init__(self, header, mapping, filename=""):
        self.mapping = {role: column for role, column in mapping.items() if column}
        header = list(header)
        positions = [header.index(self.mapping[role]) if role in self.mapping else None for role in ROLES]
        super().__init__(header, filename, positions)
        self._date_positions = [
            header.index(self.mapping[role]) for role in ("date", "date_end") if role in self.mapping
        ]
        self.date_order = DateOrder()

    def prepare(self, rows):
        """Settle from the whole file whether its numeric dates put the day or the month first:
        a log that writes 05/29/2023 means 6 May by 05/06/2023 (see values.date_order)."""
        self.date_order = date_order(
            row[position] for row in rows for position in self._date_positions if position < len(row)
        )

    def passage(self, cells):
        return cells.notes or cells.description

    def heading(self, cells):
        parts = [cells.id or "(no id)", cells.date or "(no date)", cells.location]
        return one_line(" · ".join(part for part in parts if part))

    def source(self, cells):
        return cells.source

    def draft(self, cells):
        mapping = self.mapping
        start = end = None
        precision = "unknown"
        notes = []
        if cells.date:
            start, end, precision = self._date(cells.date, mapping["date"], notes)
            if cells.date_end:
                end = self._date(cells.date_end, mapping["date_end"], notes)[1]
                if end < start:
                    raise Rejected(
                        f"{mapping['date_end']}: {end.isoformat()} is before the first day {start.isoformat()}"
                    )
                precision = precision_of_range(start, end)
        event_type, sub_event_type = match_types(
            cells.event_type, cells.sub_event_type,
            mapping.get("event_type", "event type"), mapping.get("sub_event_type", "sub-event type"),
        )
        if cells.coordinates:
            latitude, longitude = parse_pair(cells.coordinates, mapping["coordinates"])
            check_coordinates(latitude, longitude)
        else:
            latitude, longitude = parse_coordinates(
                cells.latitude, cells.longitude,
                mapping.get("latitude", "latitude"), mapping.get("longitude", "longitude"),
            )
        geo_precision = (
            self.memo(parse_int, cells.geo_precision, mapping.get("geo_precision"), tuple(GEO_PRECISIONS))
            if cells.geo_precision else None
        )
        return Draft(
            id=cells.id,
            date_start=start,
            date_end=end,
            date_precision=precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=cells.location,
            latitude=latitude,
            longitude=longitude,
            geo_precision=geo_precision,
            description=one_line(cells.description) if cells.description else first_sentence(cells.notes),
            source=cells.source or self.default_source(),
            note=" ".join(notes),
        )

    def _date(self, text, field, notes):
        """parse_date in the file's day/month order; a cell that order alone decides gets a note
        saying how it was read, and in a file that writes both orders it is rejected."""
        order = self.date_order
        result = self.memo(parse_date, text, field, order.order == MONTH_FIRST)
        if not ambiguous_date(text):
            return result
        cell, day = text.strip(), result[0]
        if order.order == MIXED:
            raise Rejected(
                f"{field}: {cell!r} could be day or month first: the file writes dates both ways "
                f"({order.day_first_example!r}, {order.month_first_example!r})"
            )
        read = f"{field} {cell!r} read {order.order} ({day.day} {day:%B %Y})"
        example = order.month_first_example if order.order == MONTH_FIRST else order.day_first_example
        if example:
            notes.append(f"{read}, as the file writes {example!r}.")
        else:
            notes.append(f"{read}, as dates are written in the region; no date in the file settles the order.")
        return result
