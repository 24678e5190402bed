"""Volunteer matching: rank active, verified volunteers for a request and explain each score.

Plain Python + numpy; the service wires it to PostgreSQL (stored vectors) and GraphQL.

    pool = VolunteerPool()
    pool.upsert(VolunteerProfile(...))          # on register/update, with the stored vector
    pool.rank(RequestProfile(...), first=10)    # -> [Candidate(volunteer_id, score, breakdown)]
"""

from matching.areas import AREAS, known_area
from matching.embedding import embed_requests, embed_volunteers, request_text, volunteer_text
from matching.profiles import Breakdown, Candidate, RequestProfile, VolunteerProfile
from matching.ranking import VolunteerPool
from matching.rules import remote_capable
from matching.weights import DEFAULT_WEIGHTS, Weights

__all__ = (
    "AREAS",
    "DEFAULT_WEIGHTS",
    "Breakdown",
    "Candidate",
    "RequestProfile",
    "VolunteerPool",
    "VolunteerProfile",
    "Weights",
    "embed_requests",
    "embed_volunteers",
    "known_area",
    "remote_capable",
    "request_text",
    "volunteer_text",
)
