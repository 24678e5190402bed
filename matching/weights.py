"""Every number that shapes a match score, in one place, each with the reason for its value.

score = skill*w.skill + language*w.language + area*w.area + availability*w.availability
        + load*w.load, every part in 0..1 and the weights summing to 1, so the score is 0..1 too.
Change a number here and both the fast ranking and the brute-force reference follow.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Weights:
    # What the volunteer can actually do is the strongest signal once the hard filters
    # (field, language, load, active/verified) have passed; it is not higher because a
    # free-text embedding is noisy and a fluent neighbour with a vaguer profile still helps.
    skill: float = 0.35
    # Being understood is the point of the service: a volunteer who speaks the resident's own
    # language (1.0) must beat an English bridge (0.5) unless the skill gap is large
    # (0.30 * 0.5 = 0.15 of score, about half the skill range).
    language: float = 0.30
    # Most help is in person (clinic visits, ward office, garbage day): same ward vs two hops
    # costs 0.2 * 0.6 = 0.12, so distance matters but never overrides language.
    area: float = 0.20
    # Often missing or vague, and people can rearrange: a tie-breaker between otherwise similar
    # volunteers, not a reason to skip the right one.
    availability: float = 0.08
    # Fairness: spreads offers among similar volunteers (and away from busy ones) without
    # overriding fit; the hard cap is max_active_requests.
    load: float = 0.07

    def __post_init__(self) -> None:
        parts = (self.skill, self.language, self.area, self.availability, self.load)
        if any(p < 0 for p in parts) or abs(sum(parts) - 1.0) > 1e-9:
            raise ValueError(f"weights must be >= 0 and sum to 1, got {parts}")


DEFAULT_WEIGHTS = Weights()

# --- skill -------------------------------------------------------------------------------
# multilingual-e5 cosines crowd into a narrow band (0.78..0.93 here) even for unrelated texts,
# so the raw value spreads candidates by a few hundredths only.  A linear rescale clipped to
# 0..1 makes the spread comparable with the other parts.  Measured on bench/data/
# match_cases.json (query = request_text, passage = skills; 49 x 80 pairs): all pairs p25 0.805,
# median 0.821; pairs labelled acceptable p25 0.854, median 0.876, p75 0.889.  FLOOR ~ all-pair
# p25 (an ordinary unrelated pair scores ~0.2), CEIL ~ acceptable p75 (a clear fit scores ~1).
# Top-3 quality is flat for FLOOR 0.76..0.82 and CEIL 0.88..0.92 (bench match output).
SKILL_COS_FLOOR = 0.80
SKILL_COS_CEIL = 0.90

# --- language ------------------------------------------------------------------------------
# The volunteer speaks the language the resident wrote in: best.
LANG_DETECTED = 1.0
# ... or another language the resident listed in their profile: nearly as good.
LANG_LISTED = 0.8
# ... or only English, as a bridge the resident may or may not follow: usable, clearly worse.
LANG_BRIDGE = 0.5
BRIDGE_LANGUAGE = "en"
# Every volunteer speaks Japanese (Volunteer.languages: "Japanese is assumed").
COMMON_LANGUAGE = "ja"

# --- area ----------------------------------------------------------------------------------
# Score by BFS hops between wards/cities: 0 = same, 1 = neighbours, ...; beyond the table far.
AREA_BY_HOPS: tuple[float, ...] = (1.0, 0.7, 0.4, 0.2)
AREA_FAR = 0.0
# A name outside the adjacency table (the API validates with known_area, so only legacy data)
# is treated as far: we cannot tell the distance, and should not guess "near".
AREA_UNKNOWN = AREA_FAR
# remote_ok volunteers on a task that can be done by phone/video are "in the same place".
AREA_REMOTE = 1.0

# --- availability --------------------------------------------------------------------------
# Either side silent or unparseable: no evidence for or against.
AVAILABILITY_NEUTRAL = 0.5

# --- load ----------------------------------------------------------------------------------
# load = (1 - active/max) / (1 + recent_offers / LOAD_RECENT_HALF): LOAD_RECENT_HALF offers
# in the recent window (the caller's choice, e.g. 7 days) halve it, twice as many third it,
# so the same few volunteers do not top every list while others never hear from us.
LOAD_RECENT_HALF = 3.0
