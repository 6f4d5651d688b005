"""Reading reports: a news report's text becomes proposed incidents, each tied to its sentences.

Plain Python, used by the app ("Add a report") and by `python -m mapapp extract`:
`reading` (bytes, HTML → text), `sentences` (sentences and paragraphs with offsets),
`places` (place mentions through the geocoder), `dates` (date expressions), `events`
(ACLED event types by rule), `proposals` (sentences → proposed incidents), `commit` (storing).
"""


from mapapp.reports.proposals import Extraction, Proposal, extract

__all__ = ["Extraction", "Proposal", "extract"]
