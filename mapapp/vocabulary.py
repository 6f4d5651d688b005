"""The coded vocabularies of the data contract: event types and the two precisions."""

# ACLED's six event types with their 25 sub-event types (ACLED codebook).
ACLED_EVENT_TYPES = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

# Sub-types ACLED has no code for. ACLED does not code statements at all, but monitors of
# this region track them (a president ruling out a deployment changes the risk picture), so
# they are kept, clearly marked as not ACLED's, under "Strategic developments".
EXTRA_SUB_EVENT_TYPES = {
    "Strategic developments": ("Political statement",),
}

EVENT_TYPES = tuple(ACLED_EVENT_TYPES)

SUB_EVENT_TYPES = {
    event_type: ACLED_EVENT_TYPES[event_type] + EXTRA_SUB_EVENT_TYPES.get(event_type, ())
    for event_type in EVENT_TYPES
}

DATE_PRECISIONS = ("day", "week", "month", "year", "unknown")

# geo_precision codes of the data contract, with the words shown to users.
GEO_PRECISIONS = {
    1: "exact place",
    2: "near a named place",
    3: "municipality",
    4: "wider region",
    5: "country",
}
