"""Matching a normalised query against the name index, strict to loose.

``match`` tries the steps in order and stops at the first that finds names:
1. ``whole_name``: the whole query is a known name ("zvecan", "jarinje crossing");
2. ``trimmed_phrase``: the query minus leading/trailing filler ("near jarinje"), exactly or, for
   several words, within one edit ("gonja dubnica");
3. ``names_inside`` + ``misspelt_words``: the known names inside the query ("the village of
   varage"), then one-edit misspellings of the words left over ("zvecn");
then ``with_kind_words`` looks among the places of a kind the query names ("banska monastery"),
and ``best_span`` ranks the candidates of each span (``ranked``) and keeps the best span.
"""

from dataclasses import dataclass

from mapapp.gazetteer.index import TIER_DERIVED, core
from mapapp.names import DIRECTION_WORDS, KIND_OF_WORD, NEAR_WORDS, STOP_WORDS, is_noise

MAX_NGRAM = 6
# A kind word in the query ("monastery") accepts these place kinds.
HINT_ACCEPTS = {"monastery": {"monastery", "church"}}
# Words that cannot start or end a place name inside a query ("near", "the").
_EDGE_WORDS = STOP_WORDS | NEAR_WORDS
_DISTANCE_UNITS = frozenset({"km", "kms", "kilometres", "kilometers", "kilometre", "kilometer", "miles"})
# "police station" is not a railway station, "bus station" neither.
_NOT_RAILWAY = frozenset({"police", "fire", "bus", "petrol", "gas", "power", "pumping", "border"})
# Kind words that say nothing the names do not already: they do not start a kind scan.
_PLAIN_KINDS = frozenset({"place", "region"})


@dataclass(frozen=True, slots=True)
class Span:
    """Words of the query that name places: the candidates for them."""

    key: str  # the normalised sub-phrase that matched
    start: int
    length: int
    candidates: tuple  # ((place index, tier, fuzzy), ...)


@dataclass(frozen=True, slots=True)
class Match:
    """What a query matched: its candidates best first and how they were found."""

    ranked: tuple  # ((place index, tier, fuzzy), ...)
    label: str  # "exact", "phrase" or "fuzzy"
    near: bool  # "near X", "3 km north of X": an exact place is only near
    key: str  # the part of the query that matched


def kind_hints(tokens):
    """The place kinds named by kind words in the query ("monastery", "municipality", ...)."""
    return frozenset(
        KIND_OF_WORD[word] for i, word in enumerate(tokens)
        if word in KIND_OF_WORD and not (KIND_OF_WORD[word] == "station" and i and tokens[i - 1] in _NOT_RAILWAY)
    )


def accepted_kinds(hints):
    """The place kinds that the kind words of a query ask for."""
    accepted = set()
    for hint in hints:
        accepted |= HINT_ACCEPTS.get(hint, {hint})
    return accepted


def says_near(tokens):
    """Whether the query places the event near a place rather than at it."""
    return any(t in NEAR_WORDS or t in _DISTANCE_UNITS for t in tokens) or any(
        a in DIRECTION_WORDS and b == "of" for a, b in zip(tokens, tokens[1:]))


def whole_name(index, query, tokens):
    """Step 1: [the span of the whole query] when it is a known name, else None."""
    return [Span(query, 0, len(tokens), index.exact(query))] if query in index else None


def trimmed_phrase(index, tokens):
    """Step 2: the query without leading/trailing filler, exactly or one edit off; else None."""
    trimmed = list(tokens)
    while trimmed and (trimmed[0] in STOP_WORDS or trimmed[0] in NEAR_WORDS or (
            trimmed[0] in DIRECTION_WORDS and trimmed[1:2] == ["of"])):
        trimmed.pop(0)
    while trimmed and (trimmed[-1] in STOP_WORDS or trimmed[-1] in NEAR_WORDS):
        trimmed.pop()
    key = " ".join(trimmed)
    if key in index:
        return [Span(key, 0, len(trimmed), index.exact(key))]
    # "Gonja Dubnica": a typo in a several-word name, caught before "Dubnica" alone matches.
    close = index.fuzzy(key) if len(trimmed) > 1 else ()
    return [Span(key, 0, len(trimmed), close)] if close else None


def names_inside(index, tokens):
    """Step 3: known names inside the query, longest first, non-overlapping; and the words they took."""
    spans = []
    taken = [False] * len(tokens)
    for size in range(min(len(tokens), MAX_NGRAM), 0, -1):
        for start in range(len(tokens) - size + 1):
            words = tokens[start:start + size]
            if any(taken[start:start + size]) or all(is_noise(w) for w in words):
                continue
            if words[0] in _EDGE_WORDS or words[-1] in _EDGE_WORDS:
                continue
            if size == 1 and len(words[0]) < 3:
                continue
            key = " ".join(words)
            if key in index:
                spans.append(Span(key, start, size, index.exact(key)))
                taken[start:start + size] = [True] * size
    return spans, taken


def misspelt_words(index, tokens, taken):
    """Step 4: misspelt names among the words no exact name claimed; None if any such word stays unexplained.

    A near-miss is only trusted when it explains the whole query: "Paris Hilton" must not
    become "Pališ" just because one of its words is one letter off a ridge in Kosovo.
    """
    runs, run = [], []
    for i, word in enumerate(tokens):
        if taken[i] or is_noise(word) or word.isdigit():
            if run:
                runs.append(run)
            run = []
        else:
            run.append(i)
    if run:
        runs.append(run)
    spans = []
    for run in runs:
        pieces = [run] if len(run) <= 3 else []
        if len(run) > 1:
            pieces += [[i] for i in run]
        explained = set()
        for piece in pieces:
            if explained.intersection(piece):
                continue
            key = " ".join(tokens[i] for i in piece)
            candidates = index.fuzzy(key)
            if candidates:
                spans.append(Span(key, piece[0], len(piece), candidates))
                explained.update(piece)
        if any(len(tokens[i]) >= 3 and i not in explained for i in run):
            return None
    return spans


def with_kind_words(index, spans, tokens, hints):
    """Spans that also hold the places of the kinds the query names ("Banska monastery": the
    monastery is spelt "Banjska"); when no name matched, the places of that kind alone."""
    accepted = accepted_kinds(hints)
    widened = []
    for span in spans:
        if not any(index.places[i].kind in accepted for i, _, _ in span.candidates):
            scanned = index.kind_scan(core(span.key) or span.key, accepted)
            span = Span(span.key, span.start, span.length, span.candidates + scanned)
        widened.append(span)
    if widened:
        return widened
    words = " ".join(t for t in tokens if not is_noise(t))
    found = index.kind_scan(words, accepted)
    return [Span(words, 0, len(tokens), found)] if found else []


def ranked(index, candidates, hints, focus):
    """Candidates best first: wanted kind, real name, focus region, feature rank, population.

    ``focus(place index)`` is 2 for northern Kosovo, 1 for the boundary zone, 0 elsewhere.
    """
    accepted = accepted_kinds(hints)
    best = {}
    for place_index, tier, fuzzy in candidates:
        previous = best.get(place_index)
        if previous is None or (tier, fuzzy) < previous:
            best[place_index] = (tier, fuzzy)

    def key(place_index):
        place = index.places[place_index]
        tier, fuzzy = best[place_index]
        near_focus = focus(place_index) if len(best) > 1 else 0
        return (place.kind not in accepted, fuzzy, tier == TIER_DERIVED, -near_focus, -place.rank, tier,
                -place.population, place.source)

    return [(place_index, *best[place_index]) for place_index in sorted(best, key=key)]


def best_span(index, spans, hints, near, focus):
    """(ranked candidates, fuzzy, key) of the span naming the most precise place; None if none does."""
    best = None
    for span in spans:
        ranking = ranked(index, span.candidates, hints, focus)
        if not ranking:
            continue
        place_index, tier, fuzzy = ranking[0]
        if tier == TIER_DERIVED and index.places[place_index].kind not in accepted_kinds(hints):
            continue  # plain "Ibar" is the river, not "Ibar bridge": derived names need a kind word
        precision = index.places[place_index].geo_precision
        if near and precision == 1:
            precision = 2
        score = (precision, fuzzy, -span.length, span.start)
        if best is None or score < best[0]:
            best = (score, ranking, span.key)
    if best is None:
        return None
    (_, fuzzy, _, _), ranking, key = best
    return ranking, fuzzy, key


def match(index, query, focus):
    """A normalised query → Match, or None when no place fits."""
    tokens = query.split()
    hints = kind_hints(tokens)
    spans, label = whole_name(index, query, tokens), "exact"
    if spans is None:
        spans, label = trimmed_phrase(index, tokens), "phrase"
    if spans is None:
        spans, taken = names_inside(index, tokens)
        fuzzy = misspelt_words(index, tokens, taken)
        # A word that is neither a known name nor a common word ("xyz uca") makes the
        # query an unknown string: a short name inside it would be a guessed point.
        spans = [] if fuzzy is None else spans + fuzzy
    if hints - _PLAIN_KINDS:
        spans = with_kind_words(index, spans, tokens, hints)
    near = says_near(tokens)
    found = best_span(index, spans, hints, near, focus)
    if found is None:
        return None
    ranking, fuzzy, key = found
    return Match(tuple(ranking), "fuzzy" if fuzzy else label, near, key)
