"""Event types by rule, in three languages; commentary and reactions are no events."""

import pytest

from mapapp.names import normalize
from mapapp.reports.events import classify, statement


@pytest.mark.parametrize("sentence, event_type, sub_event_type", [
    ("Unidentified gunmen opened fire on local police officers.", "Battles", "Armed clash"),
    ("Pripadnici Kosovske policije i naoružane osobe razmenili su vatru.", "Battles", "Armed clash"),
    ("Persona të panjohur hapën zjarr ndaj një patrulle të Policisë.", "Battles", "Armed clash"),
    ("A 23-year-old man was wounded by gunfire last night.", "Violence against civilians", "Attack"),
    ("Unknown persons threw a hand grenade at a police base.", "Explosions/Remote violence", "Grenade"),
    ("Непознате особе бациле су ручну бомбу на кућу.", "Explosions/Remote violence", "Grenade"),
    ("Eksplozivna naprava aktivirana je ispred kuće, eksplozija je oštetila vrata.",
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Protesters threw stones and bottles at the troops.", "Riots", "Violent demonstration"),
    ("Një grup personash sulmuan me gurë veturën e gazetarëve.", "Riots", "Mob violence"),
    ("Several hundred people gathered at the bridge to protest.", "Protests", "Peaceful protest"),
    ("Local Serbs blocked the main road with trucks.", "Protests", "Peaceful protest"),
    ("Meštani su postavili barikadu kod Rudara.", "Protests", "Peaceful protest"),
    ("Police used tear gas to disperse the protesters.", "Protests", "Protest with intervention"),
    ("Kosovo Police arrested a Serbian citizen at the crossing.", "Strategic developments", "Arrests"),
    ("Припадници полиције ухапсили су данас мушкарца.", "Strategic developments", "Arrests"),
    ("Policia e Kosovës arrestoi një shtetas serb.", "Strategic developments", "Arrests"),
    ("Police seized two automatic rifles and a hand grenade.", "Strategic developments", "Disrupted weapons use"),
    ("Njësia çaktivizoi një mjet shpërthyes.", "Strategic developments", "Disrupted weapons use"),
    ("Unknown persons set fire to two cars.", "Strategic developments", "Looting/property destruction"),
    ("KFOR deployed additional troops to Zubin Potok.", "Strategic developments", "Change to group/activity"),
    ("Kosovo Police closed the Merdare crossing point.", "Strategic developments", "Change to group/activity"),
    ("Masked gunmen breached the grounds of the monastery.", "Strategic developments", "Other"),
])
def test_event_rules(sentence, event_type, sub_event_type):
    typed = classify(normalize(sentence))
    assert (typed.event_type, typed.sub_event_type) == (event_type, sub_event_type)


@pytest.mark.parametrize("sentence", [
    "The episode underscored the fragility of calm in enclaves.",
    "The risk of renewed violence, several diplomats said, remains real.",
    "Without that trust, routine police operations are read as political acts.",
    "Older residents remember when the promenade was where young people met.",
    "He is suspected of taking part in attacks on election officials.",
    "Alongside this reinforcement, there was an explicit commitment to consider further steps.",
    "Okupljeni kažu da neće ukloniti barikadu dok ne budu pušteni svi uhapšeni Srbi.",
])
def test_commentary_and_background_are_no_events(sentence):
    norm = normalize(sentence)
    assert classify(norm) is None and statement(norm) is None


def test_statements_announcing_a_position_count_and_reactions_do_not():
    announced = statement(normalize("Predsednik Srbije izjavio je danas da Srbija neće poslati vojsku na Kosovo."))
    assert (announced.event_type, announced.sub_event_type) == ("Strategic developments", "Political statement")
    for reaction in (
        "The government in Pristina said the attackers had used armoured vehicles.",
        "KFOR calls on all parties to refrain from any rhetoric.",
        "Analysts urge restraint from all sides and say nothing will change.",
    ):
        assert statement(normalize(reaction)) is None
