"""Place mentions: spellings, inflected forms, area phrases, precision; no persons or common words."""

import pytest

from mapapp.reports.places import geocode_mentions


def mentions(text):
    return [(m.text, m.name, m.geo_precision) for m in geocode_mentions(text)]


@pytest.mark.parametrize("text, surface, name, precision", [
    ("Policija je uhapsila dvojicu u Zvečanu.", "Zvečanu", "Zvečan", 1),
    ("Uhapšen je kod Leposavića.", "Leposavića", "Leposaviq", 2),
    ("Mladić iz Severne Mitrovice.", "Severne Mitrovice", "North Mitrovica", 1),
    ("Pucnjava u Zubinom Potoku.", "Zubinom Potoku", "Zubin Potok", 1),
    ("Инцидент у Звечану.", "Звечану", "Zvečan", 1),
    ("Sulm në Mitrovicë të Veriut.", "Mitrovicë të Veriut", "North Mitrovica", 1),
    ("Arrestim në Zveçan.", "Zveçan", "Zvečan", 1),
    ("Patrulla në fshatin Banjskë të Zveçanit.", "Banjskë", "Banjska", 1),
    ("KFOR said near the Jarinje crossing, two cars burned.", "Jarinje crossing", "Jarinje crossing", 2),
    ("Clashes in Zvečan municipality.", "Zvečan municipality", "Opština Zvečan", 3),
    ("Gunmen opened fire in northern Kosovo.", "northern Kosovo", "Northern Kosovo", 4),
    ("Troops stationed in the border regions.", "border regions", "Kosovo–Serbia boundary", 4),
    ("Gunmen breached the Banska Orthodox monastery.", "Banska Orthodox monastery", "Banjska Monastery", 1),
])
def test_mentions(text, surface, name, precision):
    assert (surface, name, precision) in mentions(text)


@pytest.mark.parametrize("text, not_a_place", [
    ("Ухапшен је Милан Лепосавић из Рашке.", "Лепосавић"),
    ("rekao je advokat Nebojša Vranješ.", "Vranješ"),
    ("Zëdhënësi i policisë, Dren Berisha, tha.", "Dren"),
    ("One of the owners, Luka Jovanović, told reporters.", "Luka"),
    ("Local councillor Arben Presheva said.", "Presheva"),
    ("Serbian President Aleksandar Vucic said.", "Vucic"),
    ("The Police said nothing about it.", "Police"),
])
def test_persons_and_common_words_are_not_places(text, not_a_place):
    assert not_a_place not in [surface for surface, _, _ in mentions(text)]


def test_an_ambiguous_name_takes_the_reading_near_the_other_places():
    (banjska, _) = geocode_mentions("Sulm në fshatin Banjskë të Zveçanit.")
    assert (banjska.lat, banjska.lon) == pytest.approx((42.97333, 20.78083))
    assert banjska.candidates  # the other Banjska is offered, not dropped


def test_organisation_names_do_not_place_an_event():
    (kosovo, zubin) = geocode_mentions("a Kosovo Police base near Zubin Potok")
    assert (kosovo.organisation, kosovo.locative) == (True, False)
    assert (zubin.locative, zubin.geo_precision) == (True, 2)
