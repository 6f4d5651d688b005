"""Any other CSV: which of its columns holds the date, type, place, ... (guessed, then confirmed)."""

import unicodedata

from mapapp.ingest import value_map
from mapapp.ingest.draft import Draft, RowFormat, column_key
from mapapp.ingest.values import (
    MIXED, MONTH_FIRST, DateOrder, Rejected, ambiguous_date, check_coordinates, date_order,
    first_sentence, parse_coordinates, parse_date, parse_int, parse_pair, precision_of_range,
)
from mapapp.text import one_line

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
    "actor1": "Actor 1 (who acted)",
    "actor2": "Actor 2 (the other side, the target)",
    "fatalities": "Fatalities (reported deaths)",
    "admin1": "Admin area 1 (district, region)",
    "admin2": "Admin area 2 (municipality)",
    "country": "Country (Kosovo or Serbia)",
}

# Other names for the roles, as people say them: `--map place=Mesto` is the "Place name" role.
# Each role's label (the words before a bracket) is accepted as well.
ROLE_ALIASES = {
    "place": "location", "place_name": "location", "town": "location", "date_start": "date",
    "start": "date", "end": "date_end", "type": "event_type", "sub": "sub_event_type",
    "subtype": "sub_event_type", "sub_type": "sub_event_type", "lat": "latitude", "lon": "longitude",
    "lng": "longitude", "coords": "coordinates", "precision": "geo_precision", "summary": "description",
    "text": "notes", "passage": "notes", "actor": "actor1", "target": "actor2", "deaths": "fatalities",
    "region": "admin1", "municipality": "admin2", "state": "country",
}


def role_for(name):
    """The role a name means (`location` for `place`, `Place name` or `location`); ValueError
    naming the roles when it means none."""
    plain = "_".join(name.replace("-", " ").casefold().split())
    if plain in ROLES:
        return plain
    if plain in ROLE_ALIASES:
        return ROLE_ALIASES[plain]
    for role, label in ROLES.items():
        if plain == "_".join(label.split("(")[0].casefold().split()):
            return role
    raise ValueError(
        f"expected a role ({', '.join(ROLES)}) or one of its other names "
        f"({', '.join(ROLE_ALIASES)}), got {name!r}"
    )


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
    "actor1": ("actor1", "actor_1", "actor", "actors", "perpetrator", "akter", "akter1", "akteri", "pocinilac",
               "pocinioci", "autor", "aktori", "aktori1", "autori", "side_a"),
    "actor2": ("actor2", "actor_2", "target", "akter2", "meta", "aktori2", "side_b", "objekat_napada"),
    "fatalities": ("fatalities", "deaths", "killed", "dead", "poginuli", "poginulih", "broj_poginulih",
                   "zrtve", "mrtvi", "te_vdekur", "viktima", "vdekje", "best"),
    "admin1": ("admin1", "adm_1", "admin_1", "district", "okrug", "rajoni", "qarku"),
    "admin2": ("admin2", "adm_2", "admin_2"),
    "country": ("country", "country_name", "country_code", "drzava", "zemlja", "shteti"),
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

    def __init__(self, header, mapping, filename="", values=None, remembered=None):
        """`values` ({value: (event_type, sub_event_type) or None}) are the user's choices for
        the type columns' values; `remembered` ({value_map.key: pair}) those of earlier files.
        Values neither names are proposed (value_map.propose)."""
        self.mapping = {role: column for role, column in mapping.items() if column}
        self._given = values or {}
        self._remembered = remembered or {}
        self.value_choices = []
        self.value_map = value_map.ValueMap()
        self._codes = {value_map.PRECISION: {}, value_map.COUNTRY: {}}
        header = list(header)
        self.header = header
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
        counts = type_value_counts(rows, self.header, self.mapping)
        types = value_map.choices_for(counts, self._remembered, self._given)
        codes = code_choices(rows, self.header, self.mapping, self._remembered, self._given)
        self.value_choices = types + codes
        self.value_map = value_map.ValueMap(value_map.mapped(types))
        self._codes = {
            role: {value_map.key(c.value): c.code for c in codes if c.role == role and c.code}
            for role in (value_map.PRECISION, value_map.COUNTRY)
        }

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
        event_type, sub_event_type = self._types(cells.event_type, cells.sub_event_type)
        if cells.coordinates:
            latitude, longitude = parse_pair(cells.coordinates, mapping["coordinates"])
            check_coordinates(latitude, longitude)
        else:
            latitude, longitude = parse_coordinates(
                cells.latitude, cells.longitude,
                mapping.get("latitude", "latitude"), mapping.get("longitude", "longitude"),
            )
        geo_precision = int(self._code(value_map.PRECISION, cells.geo_precision)) if cells.geo_precision else None
        location = cells.location
        if cells.country:
            location = self._country(cells.country, location, latitude, longitude, notes)
        return Draft(
            id=cells.id,
            date_start=start,
            date_end=end,
            date_precision=precision,
            event_type=event_type,
            sub_event_type=sub_event_type,
            location=location,
            latitude=latitude,
            longitude=longitude,
            geo_precision=geo_precision,
            description=one_line(cells.description) if cells.description else first_sentence(cells.notes),
            source=cells.source or self.default_source(),
            note=" ".join(notes),
            actor1=one_line(cells.actor1),
            actor2=one_line(cells.actor2),
            fatalities=(
                self.memo(parse_int, cells.fatalities, mapping.get("fatalities")) if cells.fatalities else None
            ),
            admin1=one_line(cells.admin1),
            admin2=one_line(cells.admin2),
        )

    def _types(self, type_cell, sub_cell):
        """(event_type, sub_event_type) of a row through the file's value map; Rejected naming
        the value that has no ACLED type."""
        type_column = self.mapping.get("event_type", "event type")
        sub_column = self.mapping.get("sub_event_type", "sub-event type")
        event = self._mapped(type_cell, type_column)
        sub = self._mapped(sub_cell, sub_column)
        if event is None and sub is None:
            raise Rejected(f"{type_column}: the event type is empty")
        if event is not None and sub is not None and event[0] != sub[0]:
            raise Rejected(
                f"{sub_column}: {sub_cell!r} is a kind of {sub[0]!r}, but {type_column} {type_cell!r} "
                f"is mapped to {event[0]!r}"
            )
        if sub is not None and (sub[1] or event is None):
            return sub
        return event

    def _code(self, role, cell):
        """The code the value step gave a precision cell; Rejected naming the value."""
        code = self._codes[role].get(value_map.key(cell))
        if code is None:
            raise Rejected(
                f"{self.mapping[role]}: {cell!r} is not mapped to a location precision (1 exact place ... "
                "5 country); map it in the import's value step (or with --values FILE)"
            )
        return code

    def _country(self, cell, location, latitude, longitude, notes):
        """The place name to look up for a row with a country: the country itself when the row
        names no place and gives no point; a point on the other side of the boundary is noted."""
        column = self.mapping["country"]
        code = self._codes[value_map.COUNTRY].get(value_map.key(cell))
        if code is None:  # not mapped in the value step: the row is read without it
            notes.append(f"{column} {cell!r} is not mapped to Kosovo or Serbia: not used.")
            return location
        name = value_map.CODES[value_map.COUNTRY][code]
        if not location and latitude is None:
            notes.append(f"No place given: located in the country the file names ({column} {cell!r}).")
            return name
        if latitude is not None:
            found = self.memo(_side, round(latitude, 4), round(longitude, 4))
            if found and found != name:
                notes.append(f"{column} {cell!r} says {name}, but the point is in {found}: check it.")
        return location

    def _mapped(self, cell, column):
        if not cell:
            return None
        pair = self.value_map.get(cell)
        if pair is None:
            raise Rejected(
                f"{column}: {cell!r} is not mapped to an ACLED event type; map it in the import's "
                "value step (or with --values FILE)"
            )
        return pair

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


def _side(latitude, longitude):
    from mapapp.boundary import side

    return side(latitude, longitude)


def type_value_counts(rows, header, mapping):
    """{value: rows} of the distinct non-empty cells of the type columns, most frequent first."""
    positions = [
        list(header).index(mapping[role]) for role in ("event_type", "sub_event_type")
        if mapping.get(role) and mapping[role] in header
    ]
    counts = {}
    for row in rows:
        for position in positions:
            if position < len(row):
                cell = row[position].strip()
                if cell:
                    counts[cell] = counts.get(cell, 0) + 1
    merged = {}
    # Values equal but for case, accents or alphabet are one value (the first spelling shown).
    for value, rows_ in sorted(counts.items(), key=lambda item: -item[1]):
        folded = value_map.key(value)
        first = next((v for v in merged if value_map.key(v) == folded), value)
        merged[first] = merged.get(first, 0) + rows_
    return merged


def parse_precision(text, field):
    """A location precision: the code 1-5, or a word for it (`tačno`, `opština`, `afër`)."""
    code = value_map.propose_code(value_map.PRECISION, text)
    if code is not None:
        return int(code)
    raise Rejected(
        f"{field}: expected 1-5 (1 exact place ... 5 country) or a word such as exact, near, "
        f"municipality, region, country, got {text.strip()!r}"
    ) from None


def code_value_counts(rows, header, mapping, role):
    """{value: rows} of the distinct non-empty cells of the column mapped to `role`."""
    return type_value_counts(rows, header, {"event_type": mapping.get(role)})


def code_choices(rows, header, mapping, remembered=None, given=None):
    """The CodeChoices of a mapped file's precision and country columns (value_map)."""
    return [
        choice
        for role in (value_map.PRECISION, value_map.COUNTRY) if mapping.get(role)
        for choice in value_map.code_choices_for(
            role, code_value_counts(rows, header, mapping, role), remembered, given)
    ]
