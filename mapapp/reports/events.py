"""Event type and sub-type of a sentence, by rules written against ACLED's definitions.

Rules read the sentence in the normalised spelling of `mapapp.names.normalize` (lower case,
Latin, no diacritics), so one pattern covers Serbian Latin and Cyrillic ("uhapsili" is also
"ухапсили"), Albanian without its ë/ç and English. Rules are tried in the order below, the
most violent first, as ACLED codes an event by its most severe part. The ACLED definitions
(ACLED Codebook, 2023) the rules follow:

- Explosions/Remote violence: one-sided violence by explosives or remote weapons; *Grenade*
  (a hand grenade thrown), *Remote explosive/landmine/IED* (an explosive device detonated or
  planted to detonate), *Shelling/artillery/missile attack*, *Air/drone strike*. Stun grenades
  and tear gas used on a crowd are crowd control, not explosions.
- Battles: armed, organised groups fighting each other; attacks by armed men on police or
  soldiers, and exchanges of fire with them, are *Armed clash* (as ACLED codes attacks on police).
- Violence against civilians: an organised or armed actor attacking unarmed people: *Attack*
  (beating, shooting or stabbing people), *Abduction/forced disappearance*.
- Riots: violent demonstrations (*Violent demonstration*: protesters throwing stones, clashing
  with police or KFOR) and *Mob violence* (a violent crowd without a protest).
- Protests: public demonstrations against a political entity; road blocks and barricades set
  up by residents are protests (ACLED codes blockades as protests). *Peaceful protest*, *Protest
  with intervention* (police disperse or try to stop a peaceful protest), *Excessive force against
  protesters*.
- Strategic developments: non-violent events that shape the conflict: *Arrests* (detentions by
  state forces), *Disrupted weapons use* (weapons seized, explosives defused), *Looting/property
  destruction* (arson, vandalism, damage with no one attacked), *Change to group/activity*
  (deployments, reinforcements, withdrawals, closing or reopening a crossing), *Agreement*,
  *Headquarters or base established*, *Other* (e.g. armed men breaking into a site without a
  clash), and this app's *Political statement* (a head of state or government announcing what
  it will or will not do; see mapapp/vocabulary.py).

A rule's words in a hedged context ("the risk of violence", "suspected of attacks", "could
escalate") do not count: analysis and background name events without reporting them.
Statements are kept only when they announce a decision or position; a reaction that describes
or judges the report's events (condemnations, appeals, "police said the attackers...") is not
an event of its own.
"""

import re
from dataclasses import dataclass

SEVERITY = (
    "Explosions/Remote violence", "Battles", "Violence against civilians", "Riots", "Protests",
    "Strategic developments",
)


@dataclass(frozen=True, slots=True)
class Rule:
    event_type: str
    sub_event_type: str
    pattern: re.Pattern
    weak: bool = False  # a noun alone ("detention"): an event only if nothing else reports it


def _rule(event_type, sub_event_type, words, weak=False):
    return Rule(event_type, sub_event_type, re.compile(r"\b(?:" + words + r")\b"), weak)


# Crowd-control munitions are not explosions (their sentences are about the crowd).
_CROWD_CONTROL = re.compile(r"\b(?:stun grenades?|flash ?bangs?|zvucn\w* bomb\w*|sok bomb\w*|granat\w* me gaz)\b")
_WEAPONS = (r"(?:weapons?|arms|rifles?|guns?|pistols?|ammunition|explosives?|explosive devices?|grenades?|oruzj\w*|"
            r"pus[kc]\w*|pistolj\w*|municij\w*|eksploziv\w*|bomb\w*|arm[eë]\w*|armeve|pushk\w*|municion\w*|"
            r"granat\w*|mjet\w* shperthy\w*)")

RULES = (
    # First: a seized grenade or a defused bomb is no explosion.
    _rule("Strategic developments", "Disrupted weapons use",
          r"(?:seized|confiscated|found|discovered|recovered|zaplenil\w*|zaplenjen\w*|pronasl\w*|pronadjen\w*|"
          r"otkril\w*|sekuestru\w*|konfiskua\w*|gjeten|u gjet\w*|zbuluan) (?:\S+ ){0,16}?" + _WEAPONS + r"|"
          r"weapons cache|arms cache|defused|deactivated|deaktivira\w*|demontira\w*|neutralisa\w*|"
          r"caktiviz\w*|asgjesu\w*"),
    # A grenade is an event when it is thrown or goes off; one found in a cache is not.
    _rule("Explosions/Remote violence", "Grenade",
          r"(?:threw|thrown|hurled|tossed|lobbed|bacil\w*|bacen\w*|bacio|bacena|hodhen|hodhi|u hodh\w*|hedh\w*) "
          r"(?:\w+ ){0,4}(?:hand )?(?:grenades?|granat\w*|rucn\w* bomb\w*|bomb\w*)|grenade attacks?|"
          r"(?:hand )?grenades? (?:was |were |had been )?(?:thrown|hurled|exploded|went off)|"
          r"(?:rucn\w* )?bomb\w* (?:je )?(?:bacen\w*|eksplodira\w*)|granat\w* (?:dore )?(?:u hodh|shperth)\w*"),
    _rule("Explosions/Remote violence", "Remote explosive/landmine/IED",
          r"explosions?|exploded|explosive devices?|improvised explosive|ieds?|blasts?|detonat\w+|car bomb|"
          r"roadside bomb|bomb (?:went off|exploded)|planted (?:a |an )?(?:bomb|explosive)\w*|landmines?|"
          r"eksplozij\w*|eksplodira\w*|eksplozivn\w* naprav\w*|podmetn\w* eksploziv\w*|bomba je eksplodirala|"
          r"shperth\w*|mjet\w* shperthy\w*"),
    _rule("Explosions/Remote violence", "Shelling/artillery/missile attack",
          r"shell(?:ed|ing)|mortars?|artillery fire|granatiran\w*|minobacac\w*|mortaj\w*"),
    _rule("Explosions/Remote violence", "Air/drone strike", r"drone strikes?|air ?strikes?|airstrikes?"),
    _rule("Battles", "Armed clash",
          r"opened fire|open fire|opens fire|exchange of fire|exchanged fire|returned fire|fire ?fights?|gun ?fights?|"
          r"shoot ?outs?|came under fire|come under fire|fired (?:shots )?(?:at|on)|armed clash\w*|gun battles?|"
          r"shots were fired|shooting|gunfire|shot at|"
          r"otvoril\w* (?:su )?vatru|otvorio (?:je )?vatru|pucal[aio]?|pucano|pucnjav\w*|razmen\w* (?:su )?vatr\w*|"
          r"uzvrati\w* (?:su |je )?vatr\w*|"
          r"oruzan\w* sukob\w*|hapen zjarr|hapi zjarr|hapen zjarr|qelluan|qelloi|shkembim\w* zjarr\w*|"
          r"pergjigjen zjarrit|perleshj\w* (?:e|te) armatosur\w*"),
    _rule("Violence against civilians", "Abduction/forced disappearance",
          r"abduct\w*|kidnap\w*|otet[aio]?|kidnapova\w*|rrembye\w*|rrembim\w*"),
    _rule("Violence against civilians", "Attack",
          r"beaten|beat up|assaulted|stabbed|lynched|"
          r"attacked (?:and \w+ )?(?:an? |two |three |four |several |the )?(?:\w+ ){0,2}"
          r"(?:man|woman|men|women|boy|girl|boys|girls|child|children|resident|residents|civilian|civilians|family|"
          r"journalist|journalists|youths?|teenagers?|pensioner|worker|workers|driver|villagers?)|"
          r"pretucen\w*|pretukl\w*|napadnut\w*|izboden\w*|fizicki napad\w*|napal[aio]? (?:su )?(?:\w+ )?"
          r"(?:mladic\w*|muskarc\w*|zen\w*|decak\w*|porodic\w*|novinar\w*|mestan\w*|civil\w*)|"
          r"rrahur|rrahen|u rrah\w*|goditen me thike|therr\w* me thike|"
          r"wounded by gunfire|shot and (?:wounded|killed)|was shot|ranjen\w* (?:je )?iz vatren\w* oruzj\w*|"
          r"ranjen\w* (?:je )?iz pistolj\w*|upucan\w*|plagos\w* me arm\w*|u qellua\w*|qelluar\w*"),
    _rule("Riots", "Violent demonstration",
          r"threw stones|throwing stones|hurled (?:stones|rocks|bottles)|pelted|molotov\w*|riots?|rioters|"
          r"violent protests?|clash(?:es|ed)?|scuffles?|bacal[aio]? kamen\w*|kamenovan\w*|kamenoval\w*|"
          r"sukob\w*|sukobil\w*|neredi|hodhen gure|gjuajten me gure|perleshj\w*|u perlesh\w*|"
          r"attacked (?:\w+ ){0,4}with stones|stoned|napal\w* (?:\w+ ){0,4}kamen\w*|sulmuan (?:\w+ ){0,5}me gur\w*"),
    _rule("Riots", "Mob violence", r"mob|lynch mob|rulj\w*|turma"),
    _rule("Protests", "Peaceful protest",
          r"protest(?:s|ed|ers|ing)?|demonstrat(?:ion|ions|ors|ed)|rally|rallied|marched|sit-ins?|"
          r"gathered|gathering|assembled|okupil\w*|okupljanj\w*|okupljen\w* (?:ispred|u|na|kod|oko|pored)|"
          r"blocked (?:the |a |all )?(?:main |local )?(?:road|roads|bridge|crossing|traffic|highway|entrance)|"
          r"(?:set up|erected|put up|built|raised) (?:a |new |several |two |three )?(?:barricades?|roadblocks?)|"
          r"road ?blockades?|protestova\w*|protestn\w* (?:skup|setnj)\w*|protestu|okupil[aio]? (?:su )?(?:se )?|"
          r"postavil\w* (?:\w+ )?barikad\w*|podigl\w* (?:\w+ )?barikad\w*|blokiral\w*|"
          r"protestuan|protestoi|protest[aeë]?\b|tubim\w*|u mblodhen|ngriten (?:\w+ )?barrikad\w*|bllokuan|"
          r"demonstrues\w*"),
    _rule("Strategic developments", "Arrests",
          r"arrested|arrests|detained|apprehended|taken into custody|uhapsil[aeio]?|uhapsio|"
          r"(?:je|su|bio|bila|bili|biti) uhapsen[aeio]?|uhapsen[aeio]? (?:je|su)|"
          r"priveden\w*|privel[aio]?|lisen\w* slobode|zadrzan\w* (?:je|su)|arrestoi|arrestuan|arrestohe?[tn]|"
          r"u arrestua[nr]?|arrestua[nr]?|ndaluan|u ndalua[nr]?"),
    _rule("Strategic developments", "Arrests",
          r"detention|custody|pritvor\w*|hapsenj\w*|arrestim\w*|paraburgim\w*|mbajtje", weak=True),
    _rule("Strategic developments", "Looting/property destruction",
          r"set (?:on )?fire|set alight|set ablaze|torched|arson\w*|burn(?:ed|t) down|vandali[sz]\w*|damaged|"
          r"smashed|graffiti|desecrat\w*|looted|zapalil\w*|zapaljen\w*|podmetn\w* pozar\w*|izgorel\w*|"
          r"ostecen\w*|ostetil\w*|vandaliz\w*|razbij\w*|grafit\w*|skrnav\w*|u dogj\w*|dogjen|demtua\w*|demtuan|"
          r"vandalizua\w*|shkaterrua\w*|vune zjarr\w*|u vu zjarr\w*|zjarrvene\w*"),
    _rule("Strategic developments", "Other",
          r"breached|stormed|broke into|forced (?:their |his )?way into|upal[aio]? u|provalil\w*|hyne me force"),
    _rule("Strategic developments", "Change to group/activity",
          r"deploy(?:ed|s|ment|ments)|redeploy\w*|reinforce(?:d|ments?)|increased (?:the |its |their )?presence|"
          r"(?:stepped up|increased|conducting|conducts|began|launched) (?:\w+ ){0,3}patrols|"
          r"withdr(?:ew|awn|aw|awal|awing) (?:of )?(?:\w+ ){0,3}(?:troops|forces|units|soldiers|police)|"
          r"reduce (?:the number of )?(?:\w+ ){0,2}(?:troops|soldiers|forces)|authori[sz]ed the (?:use|deployment)|"
          r"combat readiness|state of alert|rasporedi\w*|rasporedjen\w*|pojacan\w* (?:prisustv|patrol)\w*|"
          r"povuc\w* (?:\w+ ){0,2}(?:jedinic|snag|trup|vojsk|polici)\w*|borben\w* gotovost\w*|"
          r"dislocira\w*|vendos\w* (?:\w+ ){0,3}(?:trupa|forca|njesi)\w*|shtuar (?:\w+ ){0,2}prani\w*|"
          r"terhoq\w* (?:\w+ ){0,2}(?:trupat|forcat|njesit)|"
          r"(?:closed|reopened|shut|zatvoren\w*|zatvoril\w*|ponovo otvoren\w*|ponovo otvoril\w*|otvoren\w* (?:je|su) "
          r"ponovo|mbyll\w*|rihap\w*) (?:\w+ ){0,7}(?:crossings?|border|prelaz\w*|granic\w*|pik\w* kufitar\w*|"
          r"kalim\w*|bridge|most\w*|ur[ae]n?\b)|(?:crossings?|prelaz\w*|pika kufitare|bridge|most na"
              r" ibru) (?:\w+ ){0,3}"
          r"(?:was |were |has been |je |su |u |eshte )?(?:closed|reopened|zatvoren\w*|ponovo otvoren\w*|"
          r"mbyll\w*|rihap\w*)"),
    _rule("Strategic developments", "Agreement",
          r"signed (?:an |the )?agreement|reached (?:an |the )?agreement|peace deal|potpisal\w* sporazum\w*|"
          r"postign\w* dogovor\w*|nenshkru\w* (?:\w+ )?marreveshj\w*|arrit\w* (?:\w+ )?marreveshj\w*"),
    _rule("Strategic developments", "Headquarters or base established",
          r"established (?:a |new )?(?:base|headquarters|outpost)|(?:set up|opened) (?:a |new )?(?:base|outpost)"),
)

STATEMENT = re.compile(
    r"\b(?:said|says|stated|has stated|announced|declared|told|izjavi\w*|rekao|rekla|rekli|saopstil\w*|najavi\w*|"
    r"istaka\w*|kazao|tha|deklaroi|deklaruan|ka thene|njoftoi|beri te ditur)\b"
)
# A statement that announces a decision or a position ("will not", "does not plan", "neće").
_POLICY = re.compile(
    r"\b(?:will|will not|won t|does not plan|do not plan|not plan|plans? to|intends?|decided|decision|"
    r"is ready to|nece|ce|planira\w*|odlucil\w*|odlucio|namerava\w*|nuk do|do te|vendosi|planifikon)\b"
)
# Words of an official speaker: only they make a statement an event.
_OFFICIAL = re.compile(
    r"\b(?:president|predsednik\w*|predsjednik\w*|presidenti|prime minister|premijer\w*|kryeministri|"
    r"minister|ministar\w*|ministri|government|vlad[aeiu]|qeveri\w*|ministry|ministarstv\w*|ministri\w*|"
    r"office|kancelarij\w*|zyr\w*|mayor|gradonacelni\w*|kryetar\w*|kfor|nato|eulex|spokes\w*|portparol\w*|"
    r"zedhenes\w*|belgrade|beograd|pristina|pristini|prishtin\w*)\b"
)
# A statement about the report's events, or a reaction to them, is not an event of its own.
_REACTION = re.compile(
    r"\b(?:attack\w*|attackers|incident\w*|violence|response|condemn\w*|calls? on|urged?|appeal\w*|"
    r"investigation|injured|wounded|killed|unharmed|harmed|arrest\w*|restraint|refrain|"
    r"napad\w*|incident\w*|osud\w*|pozv\w*|apel\w*|istrag\w*|povredj\w*|ubijen\w*|"
    r"sulm\w*|denco\w*|beri thirrje|hetim\w*|plagos\w*|vrare)\b"
)
_GENERIC_SPEAKERS = re.compile(r"\b(?:analysts?|observers?|experts?|commentators?|diplomats?|"
    r"opozicij\w*|analitic\w*)\b")
# Words that make what follows hypothetical, planned, background or suspected: not a report.
HEDGE = re.compile(
    r"\b(?:risk of|fears? of|threat of|to prevent|prevent\w*|could|might|if|unless|avoid\w*|possible|potential|"
    r"likely|suspicion of|suspected of|suspicion|accused of|charged with|on charges of|for (?:the )?alleged|"
    r"sumnj\w*|osumnj\w*|zbog|navodn\w*|optuz\w*|rizik\w*|opasnost\w*|mogl[aio]? bi|rrezik\w*|dyshim\w*|"
    r"dyshuar|akuz\w*|mund te|frik\w*|per shkak|announced (?:another|a new|a further)|will be held|planned|"
    r"najavljen\w*|naredni|sledec\w*|next week|do te mbahet|te ardhshm\w*|against the planned|"
    r"demand\w*|call\w* for|zahte\w*|trazec\w*|kerkes\w*|kerkuan|duke kerkuar)\b"
)
_ARMED = re.compile(r"\b(?:gunmen|armed|weapons|rifles?|firearms?|shots?|naoruzan\w*|oruzj\w*|armatos\w*|arm[eë])\b")
_SECURITY = re.compile(
    r"\b(?:police|policij\w*|polic\w*|kfor|officers?|patrols?|patrol\w*|soldiers?|troops|vojni\w*|ushtar\w*|eulex|"
    r"special units?|zandarm\w*|gendarm\w*|border guards?|forces)\b"
)
_CROWD = re.compile(
    r"\b(?:protest\w*|demonstrat\w*|crowd|rally|gathering|okuplj\w*|gradjan\w*|demonstrant\w*|turm\w*|tubim\w*|"
    r"protestues\w*)\b")
_INTERVENTION = re.compile(
    r"\b(?:dispersed?|intervened|pushed back|broke up|rastera\w*|intervenisal\w*|tear gas|suzavac\w*|shperndan\w*|"
    r"shperndar\w*|gaz lotsjelles\w*)\b"
)


@dataclass(frozen=True, slots=True)
class Typed:
    """A sentence's event type, the words that decided it and how sure the rule is."""

    event_type: str
    sub_event_type: str
    words: str
    weak: bool = False
    definite: bool = False  # "the blast": the words follow "the"


def _hedged(norm, start, before=""):
    """True when the words just before ``start`` make the match hypothetical or background."""
    window = (before + " " + norm[:start])[-45:]
    return HEDGE.search(window) is not None


_REMAINS = re.compile(r"\b(?:remains|remnants|fragments|ostat\w*|delov\w*|mbetje\w*|copa\w*)\b")
# "this reinforcement", "ovaj napad": a word pointing back to an event told before.
_DEMONSTRATIVE = re.compile(r"\b(?:this|that|these|those|such|ovaj|ova|ovo|taj|tog|kjo|ky|kete)\s+$")


def classify(norm, context="", before=""):
    """The event a normalised sentence (or clause) reports, or None (commentary, background,
    nothing); ``context``, the rest of the sentence, helps tell whom the violence was against;
    ``before``, the words of the sentence before the clause, may hedge it."""
    if _CROWD_CONTROL.search(norm):
        norm = _CROWD_CONTROL.sub(" ", norm)
    for rule in RULES:
        for match in rule.pattern.finditer(norm):
            start = match.start()
            if _hedged(norm, start, before) or _DEMONSTRATIVE.search(norm, max(0, start - 8), start):
                continue
            if rule.sub_event_type == "Disrupted weapons use" and _REMAINS.search(match.group()):
                continue  # "found the remains of the device": the explosion is the event
            return _refined(rule, match, norm, context)
    return None


def _refined(rule, match, norm, context):
    words = match.group()
    event_type, sub = rule.event_type, rule.sub_event_type
    if event_type == "Battles" and not (_SECURITY.search(norm) or _SECURITY.search(context) or "exchange" in words
                                        or "return" in words):
        event_type, sub = "Violence against civilians", "Attack"
    elif event_type == "Riots" and sub == "Violent demonstration" and not _CROWD.search(norm):
        if _ARMED.search(norm):
            event_type, sub = "Battles", "Armed clash"
        elif "clash" not in words and "sukob" not in words and "perleshj" not in words:
            sub = "Mob violence"  # stones thrown by a group outside any protest
    elif event_type == "Protests" and _INTERVENTION.search(norm):
        sub = "Protest with intervention"
    return Typed(event_type, sub, words, rule.weak, norm[max(0, match.start() - 4):match.start()] == "the ")


def statement(norm):
    """A political statement the sentence reports, or None: an official announcing a position."""
    verb = STATEMENT.search(norm)
    if verb is None or _GENERIC_SPEAKERS.search(norm):
        return None
    if not _OFFICIAL.search(norm) or not _POLICY.search(norm, verb.start()) or _REACTION.search(norm):
        return None
    return Typed("Strategic developments", "Political statement", verb.group())
