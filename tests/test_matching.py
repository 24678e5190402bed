"""Matching rules, one at a time, with small hand-made vectors; and exactness on random pools."""

import math
import random
import time
from dataclasses import replace

import numpy as np
import pytest

from matching import weights as W
from matching.areas import AREAS, area_index, hop_matrix, hops, known_area, neighbours
from matching.availability import DAYS, PARTS, describe, overlap, parse_slots
from matching.embedding import (
    PASSAGE_PROMPT,
    QUERY_PROMPT,
    embed_requests,
    embed_volunteers,
    request_text,
)
from matching.profiles import EMBEDDING_DIM, Candidate, RequestProfile, VolunteerProfile
from matching.ranking import VolunteerPool
from matching.reference import BruteForceRanker
from matching.rules import language_score, remote_capable, volunteer_languages
from triage.labels import SupportField

MED = SupportField.MEDICAL
LIFE = SupportField.LIFELINE
WELF = SupportField.WELFARE

E0 = np.eye(EMBEDDING_DIM, dtype=np.float32)[0]
E1 = np.eye(EMBEDDING_DIM, dtype=np.float32)[1]


def vec_with_cos(cos: float) -> np.ndarray:
    """A unit vector whose cosine with E0 (the request vector below) is `cos`."""
    out: np.ndarray = (cos * E0 + math.sqrt(1 - cos * cos) * E1).astype(np.float32)
    return out


def vol(vid: str, **kw: object) -> VolunteerProfile:
    base: dict[str, object] = {
        "volunteer_id": vid,
        "vector": vec_with_cos(0.85),
        "languages": frozenset({"en"}),
        "fields": frozenset({MED}),
        "area": "Shinjuku",
        "availability": "",
        "active": True,
        "verified": True,
    }
    base.update(kw)
    return VolunteerProfile(**base)  # type: ignore[arg-type]


def req(**kw: object) -> RequestProfile:
    base: dict[str, object] = {
        "vector": E0,
        "field": MED,
        "language": "en",
        "languages": ("en",),
        "area": "Shinjuku",
        "text": "please come with me to the clinic",  # in person unless a test says otherwise
    }
    base.update(kw)
    return RequestProfile(**base)  # type: ignore[arg-type]


def pool_of(*profiles: VolunteerProfile) -> VolunteerPool:
    pool = VolunteerPool()
    pool.upsert_many(profiles)
    return pool


def ranked(pool: VolunteerPool, request: RequestProfile, first: int = 50) -> dict[str, Candidate]:
    return {c.volunteer_id: c for c in pool.rank(request, first)}


# --- areas --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Ota", "Ota"),
        ("Ōta-ku", "Ota"),
        ("ota city", "Ota"),
        ("OHTA", "Ota"),
        ("大田区", "Ota"),
        ("大田", "Ota"),
        ("Shinjuku Ward", "Shinjuku"),
        ("shinjuku-ku", "Shinjuku"),
        ("Shinjukuku", "Shinjuku"),
        ("Tokyo-to Shinjuku-ku", "Shinjuku"),
        ("東京都新宿区西新宿2-8-1", "Shinjuku"),
        ("Ｓｈｉｎｊｕｋｕ", "Shinjuku"),
        ("Chūō", "Chuo"),
        ("Chuo-ku", "Chuo"),
        ("Kita-ku", "Kita"),
        ("北区赤羽", "Kita"),
        ("Nishi-Tokyo", "Nishitokyo"),
        ("Nishitokyo-shi", "Nishitokyo"),
        ("Kawasaki City", "Kawasaki"),
        ("Kawasaki-shi Nakahara-ku", "Kawasaki"),
        ("川崎市中原区", "Kawasaki"),
        ("神奈川県横浜市", "Yokohama"),
        ("さいたま市", "Saitama"),
        ("Chofu", "Chofu"),
        ("Chōfu-shi", "Chofu"),
        ("  kōtō  ", "Koto"),
    ],
)
def test_known_area_normalises_names(name: str, canonical: str) -> None:
    assert known_area(name) == canonical


@pytest.mark.parametrize("name", ["", "   ", "Tokyo", "Osaka", "北", "ku", "x" * 500, "Kyoto-shi"])
def test_known_area_rejects_what_it_cannot_place(name: str) -> None:
    assert known_area(name) is None


def test_area_table_covers_the_23_wards_and_is_symmetric_and_connected() -> None:
    wards = [
        "Chiyoda", "Chuo", "Minato", "Shinjuku", "Bunkyo", "Taito", "Sumida", "Koto",
        "Shinagawa", "Meguro", "Ota", "Setagaya", "Shibuya", "Nakano", "Suginami", "Toshima",
        "Kita", "Arakawa", "Itabashi", "Nerima", "Adachi", "Katsushika", "Edogawa",
    ]  # fmt: skip
    assert set(wards) <= set(AREAS)
    m = hop_matrix()
    assert (m == m.T).all()
    assert (np.diag(m) == 0).all()
    assert m.max() < 255  # one connected graph: every pair has a distance
    for name in AREAS:
        assert neighbours(name), name
        for other in neighbours(name):
            assert name in neighbours(other)
    with pytest.raises(ValueError):
        m[0, 0] = 1  # shared and read-only


def test_hops_are_bfs_distances() -> None:
    assert hops("Shinjuku", "shinjuku-ku") == 0
    assert hops("Shinjuku", "Shibuya") == 1
    assert hops("Shinjuku", "Setagaya") == 2
    assert hops("Adachi", "Ota") is not None and hops("Adachi", "Ota") >= 4  # type: ignore[operator]
    assert hops("Shinjuku", "Osaka") is None


# --- availability -------------------------------------------------------------------------
def slots(*pairs: tuple[str, str]) -> int:
    mask = 0
    for day, part in pairs:
        mask |= 1 << (DAYS.index(day) * len(PARTS) + PARTS.index(part))
    return mask


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekday evenings", slots(*((d, "evening") for d in WEEKDAYS))),
        ("平日夜", slots(*((d, "evening") for d in WEEKDAYS))),
        ("Sat AM", slots(("Sat", "morning"))),
        ("Sat AM, Sun PM", slots(("Sat", "morning"), ("Sun", "afternoon"))),
        ("土日", slots(*((d, p) for d in ("Sat", "Sun") for p in PARTS))),
        ("weekends", slots(*((d, p) for d in ("Sat", "Sun") for p in PARTS))),
        ("週末", slots(*((d, p) for d in ("Sat", "Sun") for p in PARTS))),
        ("土日午前", slots(("Sat", "morning"), ("Sun", "morning"))),
        ("周末下午", slots(("Sat", "afternoon"), ("Sun", "afternoon"))),
        ("평일 오전", slots(*((d, "morning") for d in WEEKDAYS))),
        ("terça de manhã", slots(("Tue", "morning"))),
        ("月曜日と水曜日の夜", slots(("Mon", "evening"), ("Wed", "evening"))),
        ("周一至周五晚上", slots(*((d, "evening") for d in WEEKDAYS))),
        ("Mon-Fri 10am-2pm", slots(*((d, p) for d in WEEKDAYS for p in ("morning", "afternoon")))),
        ("Fri evening, Sat", slots(("Fri", "evening"), *(("Sat", p) for p in PARTS))),
        ("Sat and Sun mornings", slots(("Sat", "morning"), ("Sun", "morning"))),
        ("after 7pm on Fridays", slots(("Fri", "evening"))),
        ("anytime", (1 << 21) - 1),
        ("I am free on weekends", slots(*((d, p) for d in ("Sat", "Sun") for p in PARTS))),
    ],
)
def test_parse_slots(text: str, expected: int) -> None:
    got = parse_slots(text)
    assert got == expected, describe(got)


@pytest.mark.parametrize("text", [None, "", "  ", "hello", "ask me", "4月3日", "2-3 times a week"])
def test_unparseable_availability_is_none(text: str | None) -> None:
    assert parse_slots(text) is None


def test_overlap_is_the_share_of_the_residents_slots_covered() -> None:
    sat_am = parse_slots("Sat AM")
    weekends = parse_slots("weekends")
    evenings = parse_slots("weekday evenings")
    assert overlap(sat_am, weekends, 0.5) == 1.0  # a broader volunteer is not penalised
    assert overlap(weekends, sat_am, 0.5) == pytest.approx(1 / 6)
    assert overlap(sat_am, evenings, 0.5) == 0.0
    assert overlap(None, evenings, 0.5) == 0.5
    assert overlap(sat_am, None, 0.5) == 0.5


def test_availability_part_of_ranking_neutral_when_missing() -> None:
    pool = pool_of(
        vol("a", availability="weekday evenings"),
        vol("b", availability="土日"),
        vol("c", availability="whenever you like, message me"),
    )
    got = ranked(pool, req(preferred_times="平日の夜"))
    assert got["a"].breakdown.availability == 1.0
    assert got["b"].breakdown.availability == 0.0
    assert got["c"].breakdown.availability == W.AVAILABILITY_NEUTRAL
    no_pref = ranked(pool, req(preferred_times=None))
    assert {c.breakdown.availability for c in no_pref.values()} == {W.AVAILABILITY_NEUTRAL}


# --- language -----------------------------------------------------------------------------
def test_language_levels_and_exclusion() -> None:
    pool = pool_of(
        vol("detected", languages=frozenset({"vi"})),
        vol("listed", languages=frozenset({"zh"})),
        vol("bridge", languages=frozenset({"en", "ko"})),
        vol("none", languages=frozenset({"ko"})),
        vol("japanese-only", languages=frozenset()),
    )
    got = ranked(pool, req(language="vi", languages=("vi", "zh")))
    assert got["detected"].breakdown.language == W.LANG_DETECTED
    assert got["listed"].breakdown.language == W.LANG_LISTED
    assert got["bridge"].breakdown.language == W.LANG_BRIDGE
    assert "none" not in got
    assert "japanese-only" not in got
    assert W.LANG_DETECTED > W.LANG_LISTED > W.LANG_BRIDGE > 0


def test_japanese_text_reaches_every_volunteer() -> None:
    pool = pool_of(vol("ko", languages=frozenset({"ko"})), vol("ja", languages=frozenset()))
    got = ranked(pool, req(language="ja", languages=("vi",)))
    assert set(got) == {"ko", "ja"}
    assert {c.breakdown.language for c in got.values()} == {W.LANG_DETECTED}


def test_resident_who_lists_japanese_reaches_everyone_as_listed() -> None:
    pool = pool_of(vol("ko", languages=frozenset({"ko"})))
    got = ranked(pool, req(language="vi", languages=("vi", "ja")))
    assert got["ko"].breakdown.language == W.LANG_LISTED


def test_language_codes_are_normalised() -> None:
    pool = pool_of(vol("pt", languages=frozenset({"PT-br"})), vol("tl", languages=frozenset({"fil"})))
    assert ranked(pool, req(language="pt", languages=()))["pt"].breakdown.language == 1.0
    assert ranked(pool, req(language="tl", languages=()))["tl"].breakdown.language == 1.0


def test_language_score_scalar_rule() -> None:
    spoken = volunteer_languages(["en", "vi"])
    assert "ja" in spoken
    assert language_score("vi", (), spoken) == W.LANG_DETECTED
    assert language_score("ne", ("vi",), spoken) == W.LANG_LISTED
    assert language_score("ne", ("ne",), spoken) == W.LANG_BRIDGE
    assert language_score("ne", ("ne",), volunteer_languages(["ko"])) == 0.0
    assert language_score("ja", (), volunteer_languages([])) == W.LANG_DETECTED


def test_undetermined_language_falls_back_to_listed_and_bridge() -> None:
    pool = pool_of(vol("ne", languages=frozenset({"ne"})), vol("en", languages=frozenset({"en"})))
    got = ranked(pool, req(language="und", languages=("ne",)))
    assert got["ne"].breakdown.language == W.LANG_LISTED
    assert got["en"].breakdown.language == W.LANG_BRIDGE


# --- area and remote ----------------------------------------------------------------------
def test_area_score_by_hops() -> None:
    pool = pool_of(
        vol("same", area="新宿区"),
        vol("next", area="Shibuya"),
        vol("two", area="Setagaya"),
        vol("far", area="Funabashi"),
        vol("unknown", area="Osaka"),
    )
    got = ranked(pool, req(area="Shinjuku"))
    assert got["same"].breakdown.area == W.AREA_BY_HOPS[0]
    assert got["next"].breakdown.area == W.AREA_BY_HOPS[1]
    assert got["two"].breakdown.area == W.AREA_BY_HOPS[2]
    assert got["far"].breakdown.area == W.AREA_FAR
    assert got["unknown"].breakdown.area == W.AREA_UNKNOWN
    order = [c.volunteer_id for c in pool.rank(req(area="Shinjuku"), 5)]
    assert order[:4] == ["same", "next", "two", "far"]


def test_remote_ok_is_not_penalised_for_distance_on_phone_tasks() -> None:
    pool = pool_of(
        vol("remote-far", area="Funabashi", remote_ok=True, fields=frozenset({WELF})),
        vol("local-far", area="Funabashi", remote_ok=False, fields=frozenset({WELF})),
    )
    phone = req(field=WELF, text="Please help me fill in the pension form.")
    got = ranked(pool, phone)
    assert got["remote-far"].breakdown.area == W.AREA_REMOTE
    assert got["local-far"].breakdown.area == W.AREA_FAR
    visit = req(field=WELF, text="Can someone come with me to the ward office?")
    assert ranked(pool, visit)["remote-far"].breakdown.area == W.AREA_FAR
    # staff can override the rule either way
    assert ranked(pool, replace(visit, remote=True))["remote-far"].breakdown.area == 1.0
    assert ranked(pool, replace(phone, remote=False))["remote-far"].breakdown.area == W.AREA_FAR


@pytest.mark.parametrize(
    ("field", "text", "remote"),
    [
        (WELF, "I got a letter about my pension", True),
        (WELF, "年金の手紙が来ました", True),
        (WELF, "区役所に一緒に行ってください", False),
        (MED, "my child has a fever", False),
        (MED, "help me fill the hospital questionnaire form", True),
        (MED, "Could you interpret for me by video call?", True),
        (MED, "please accompany me to the clinic and interpret", False),
        (LIFE, "how to sort garbage", False),
        (LIFE, "the gas is stopped, can someone call the gas company?", True),
        (LIFE, "Internet nhà em bị ngắt, em muốn gọi điện cho công ty nhà mạng", True),
        (LIFE, "Em cần người đến nhà hướng dẫn phân loại rác", False),
        (SupportField.CHILDCARE_EDUCATION, "translate this letter from the nursery", True),
        (SupportField.CHILDCARE_EDUCATION, "ほいくえんの もうしこみしょの かきかた", True),
        (SupportField.CHILDCARE_EDUCATION, "孩子明年上小学，想请人陪我去区役所", False),
        (SupportField.OTHER, "my visa expires", True),
    ],
)
def test_remote_rule(field: SupportField, text: str, remote: bool) -> None:
    assert remote_capable(field, text) is remote


# --- load ---------------------------------------------------------------------------------
def test_volunteers_at_their_limit_are_excluded() -> None:
    pool = pool_of(
        vol("full", active_requests=2, max_active_requests=2),
        vol("paused", active_requests=0, max_active_requests=0),
        vol("free", active_requests=1, max_active_requests=2),
    )
    assert set(ranked(pool, req())) == {"free"}
    pool.update_status("full", active_requests=1)
    assert set(ranked(pool, req())) == {"free", "full"}


def test_fewer_active_requests_and_fewer_recent_offers_rank_higher() -> None:
    pool = pool_of(
        vol("idle", max_active_requests=3, active_requests=0),
        vol("busy", max_active_requests=3, active_requests=2),
        vol("popular", max_active_requests=3, active_requests=0, recent_offers=6),
    )
    got = ranked(pool, req())
    assert got["idle"].breakdown.load == 1.0
    assert got["busy"].breakdown.load == pytest.approx(1 / 3)
    assert got["popular"].breakdown.load == pytest.approx(1 / (1 + 6 / W.LOAD_RECENT_HALF))
    assert pool.rank(req(), 3)[0].volunteer_id == "idle"


def test_offers_spread_between_equally_good_volunteers() -> None:
    pool = pool_of(vol("a"), vol("b"))
    first = pool.rank(req(), 1)[0].volunteer_id
    assert first == "a"  # exact tie: broken by id
    pool.update_status("a", recent_offers=1)  # the caller records the offer it made
    assert pool.rank(req(), 1)[0].volunteer_id == "b"


# --- hard filters -------------------------------------------------------------------------
def test_field_must_match() -> None:
    pool = pool_of(
        vol("med", fields=frozenset({MED})),
        vol("life", fields=frozenset({LIFE})),
        vol("both", fields=frozenset({MED, LIFE})),
    )
    assert set(ranked(pool, req(field=MED))) == {"med", "both"}
    assert set(ranked(pool, req(field=LIFE))) == {"life", "both"}
    assert ranked(pool, req(field=SupportField.OTHER)) == {}


def test_inactive_or_unverified_are_never_ranked() -> None:
    pool = pool_of(
        vol("ok", vector=vec_with_cos(0.80)),
        vol("inactive", active=False, vector=vec_with_cos(0.95)),
        vol("unverified", verified=False, vector=vec_with_cos(0.95)),
    )
    assert set(ranked(pool, req())) == {"ok"}
    pool.update_status("unverified", verified=True)
    assert set(ranked(pool, req())) == {"ok", "unverified"}
    pool.update_status("ok", active=False)
    assert set(ranked(pool, req())) == {"unverified"}


def test_excluded_ids_are_skipped() -> None:
    pool = pool_of(vol("a"), vol("b"))
    assert set(ranked(pool, req(exclude=frozenset({"a", "nobody"})))) == {"b"}


# --- skill, score, output -----------------------------------------------------------------
def test_skill_rescales_e5_cosines_and_decides_among_equals() -> None:
    pool = pool_of(
        vol("low", vector=vec_with_cos(0.70)),
        vol("mid", vector=vec_with_cos((W.SKILL_COS_FLOOR + W.SKILL_COS_CEIL) / 2)),
        vol("high", vector=vec_with_cos(0.95)),
    )
    got = ranked(pool, req())
    assert got["low"].breakdown.skill == 0.0
    assert got["mid"].breakdown.skill == pytest.approx(0.5, abs=1e-5)
    assert got["high"].breakdown.skill == 1.0
    assert [c.volunteer_id for c in pool.rank(req(), 3)] == ["high", "mid", "low"]


def test_score_is_the_weighted_sum_of_the_breakdown() -> None:
    pool = pool_of(
        vol("a", area="Shibuya", availability="weekends", recent_offers=2, languages=frozenset({"vi"})),
        vol("b", area="Nerima", vector=vec_with_cos(0.83), max_active_requests=3, active_requests=1),
    )
    w = W.DEFAULT_WEIGHTS
    for c in pool.rank(req(language="vi", preferred_times="Sat AM"), 5):
        b = c.breakdown
        parts = (b.skill, b.language, b.area, b.availability, b.load)
        assert all(0.0 <= p <= 1.0 for p in parts)
        expected = (
            w.skill * b.skill
            + w.language * b.language
            + w.area * b.area
            + w.availability * b.availability
            + w.load * b.load
        )
        assert c.score == pytest.approx(expected, abs=1e-12)
        assert set(b.as_dict()) == {"skill", "language", "area", "availability", "load"}


def test_weights_must_sum_to_one() -> None:
    assert sum(
        getattr(W.DEFAULT_WEIGHTS, f) for f in ("skill", "language", "area", "availability", "load")
    ) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        W.Weights(skill=0.5, language=0.5, area=0.5, availability=0.0, load=0.0)


def test_first_limits_and_empty_pool() -> None:
    pool = VolunteerPool()
    assert pool.rank(req(), 10) == []
    pool.upsert_many(vol(f"v{i}") for i in range(5))
    assert len(pool.rank(req(), 3)) == 3
    assert len(pool.rank(req(), 100)) == 5
    assert pool.rank(req(), 0) == []
    with pytest.raises(ValueError):
        pool.rank(req(), -1)


# --- pool maintenance ---------------------------------------------------------------------
def test_upsert_replaces_and_remove_keeps_the_rest_intact() -> None:
    pool = pool_of(vol("a"), vol("b", area="Shibuya"), vol("c", area="Nerima"))
    pool.upsert(vol("a", languages=frozenset({"ko"})))  # English dropped: no longer a candidate
    assert len(pool) == 3
    assert "a" not in ranked(pool, req(language="vi", languages=("vi",)))
    assert pool.remove("a") is True
    assert pool.remove("a") is False
    assert "a" not in pool and len(pool) == 2
    got = ranked(pool, req())
    assert set(got) == {"b", "c"}
    assert got["b"].breakdown.area == W.AREA_BY_HOPS[1]  # "c" moved rows; "b" kept its data
    assert got["c"].breakdown.area == W.AREA_BY_HOPS[2]


def test_pool_grows_past_its_initial_capacity_and_language_table() -> None:
    pool = VolunteerPool(capacity=16)
    langs = ["zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "th", "es", "si", "fr", "ru", "uz"]
    pool.upsert_many(vol(f"v{i:03d}", languages=frozenset({langs[i % len(langs)]})) for i in range(100))
    assert len(pool) == 100
    got = ranked(pool, req(language="uz", languages=("uz",)), 100)
    assert set(got) == {f"v{i:03d}" for i in range(100) if langs[i % len(langs)] == "uz"}


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros(EMBEDDING_DIM, dtype=np.float32),
        np.full(EMBEDDING_DIM, np.nan, dtype=np.float32),
        np.ones(10, dtype=np.float32),
    ],
)
def test_invalid_vectors_are_refused_and_nothing_is_written(bad: np.ndarray) -> None:
    pool = pool_of(vol("a"))
    with pytest.raises(ValueError):
        pool.upsert_many([vol("b"), vol("c", vector=bad)])
    assert len(pool) == 1
    with pytest.raises(ValueError):
        pool.rank(req(vector=bad))


def test_vectors_are_renormalised() -> None:
    pool = pool_of(vol("a", vector=vec_with_cos(0.85) * 3))
    assert ranked(pool, req(vector=E0 * 7))["a"].breakdown.skill == pytest.approx(
        (0.85 - W.SKILL_COS_FLOOR) / (W.SKILL_COS_CEIL - W.SKILL_COS_FLOOR), abs=1e-5
    )


# --- exactness against brute force --------------------------------------------------------
def e5_like(nprng: np.random.Generator, n: int) -> np.ndarray:
    """A shared direction plus noise of varying size: cosines spread over ~0.65..0.95 like e5's,
    so the skill rescale is exercised at 0, at 1 and in between."""
    base = np.ones(EMBEDDING_DIM, dtype=np.float32) / np.sqrt(EMBEDDING_DIM)
    noise = nprng.standard_normal((n, EMBEDDING_DIM)).astype(np.float32) / np.sqrt(EMBEDDING_DIM)
    scale = nprng.uniform(0.15, 0.6, size=(n, 1)).astype(np.float32)
    out: np.ndarray = base + scale * noise
    return out


def random_pool(rng: random.Random, n: int) -> list[VolunteerProfile]:
    raw = e5_like(np.random.default_rng(rng.randrange(1 << 30)), n)
    langs = ["en", "zh", "vi", "ko", "ne", "pt", "tl"]
    avail = ["", "weekday evenings", "weekends", "Sat AM", "平日夜", "anytime", "土日午前", "???"]
    areas = [*AREAS[:30], "Osaka"]
    out = []
    for i in range(n):
        mx = rng.randint(0, 3)
        out.append(
            VolunteerProfile(
                volunteer_id=f"v{rng.randrange(10**6):06d}-{i}",
                vector=raw[i],
                languages=frozenset(rng.sample(langs, rng.randint(0, 3))),
                fields=frozenset(rng.sample(list(SupportField), rng.randint(1, 3))),
                area=rng.choice(areas),
                availability=rng.choice(avail),
                remote_ok=rng.random() < 0.3,
                max_active_requests=mx,
                active_requests=rng.randint(0, mx),
                recent_offers=rng.randint(0, 5),
                active=rng.random() < 0.9,
                verified=rng.random() < 0.85,
            )
        )
    return out


def random_request(rng: random.Random, vector: np.ndarray, ids: list[str]) -> RequestProfile:
    lang = rng.choice(["en", "zh", "vi", "ko", "ne", "ja", "und", "my"])
    return RequestProfile(
        vector=vector,
        field=rng.choice(list(SupportField)),
        language=lang,
        languages=tuple(rng.sample(["en", "zh", "vi", "ne", "pt"], rng.randint(0, 2))),
        area=rng.choice([*AREAS, "Osaka", ""]),
        preferred_times=rng.choice([None, "weekday evenings", "Sat AM", "weekends", "夜"]),
        text=rng.choice(["please fill this form", "come with me", "hello"]),
        remote=rng.choice([None, None, True, False]),
        exclude=frozenset(rng.sample(ids, 3)),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pool_ranking_equals_brute_force_on_random_pools(seed: int) -> None:
    rng = random.Random(seed)
    volunteers = random_pool(rng, 700)
    pool = VolunteerPool(capacity=64)  # forces growth on the way
    pool.upsert_many(volunteers)
    # churn: remove and re-add some so rows are shuffled relative to insertion order
    for v in volunteers[:50]:
        pool.remove(v.volunteer_id)
    pool.upsert_many(reversed(volunteers[:50]))
    brute = BruteForceRanker(volunteers)
    ids = [v.volunteer_id for v in volunteers]
    qs = e5_like(np.random.default_rng(seed), 40)
    skills: set[float] = set()
    for i in range(40):
        request = random_request(rng, qs[i], ids)
        for first in (1, 7, 1000):
            fast = pool.rank(request, first)
            slow = brute.rank(request, first)
            assert [c.volunteer_id for c in fast] == [c.volunteer_id for c in slow]
            assert [c.score for c in fast] == [c.score for c in slow]  # bit for bit
            assert [c.breakdown for c in fast] == [c.breakdown for c in slow]
            skills.update(c.breakdown.skill for c in fast)
    assert 0.0 in skills and 1.0 in skills and len(skills) > 100  # the rescale was exercised


def test_ties_at_the_cut_are_broken_by_id_not_by_partition_order() -> None:
    pool = pool_of(*(vol(f"v{i:02d}") for i in reversed(range(30))))
    assert [c.volunteer_id for c in pool.rank(req(), 5)] == [f"v{i:02d}" for i in range(5)]


# --- embedding helpers --------------------------------------------------------------------
class FakeEncoder:
    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def encode(
        self,
        sentences: list[str],
        /,
        *,
        prompt: str | None = None,
        batch_size: int = 32,
        convert_to_numpy: bool = True,
        normalize_embeddings: bool = False,
    ) -> np.ndarray:
        self.calls.append((sentences, str(prompt)))
        assert normalize_embeddings is True
        out = np.zeros((len(sentences), EMBEDDING_DIM), dtype=np.float32)
        out[:, 0] = 1.0
        return out


def test_embedding_helpers_use_e5_prompts_and_the_field() -> None:
    enc = FakeEncoder()
    q = embed_requests(enc, [("my child has a fever", MED)])
    p = embed_volunteers(enc, ["  pediatric nurse  "])
    assert q.shape == p.shape == (1, EMBEDDING_DIM)
    (q_texts, q_prompt), (p_texts, p_prompt) = enc.calls
    assert q_prompt == QUERY_PROMPT and p_prompt == PASSAGE_PROMPT
    assert q_texts == [request_text("my child has a fever", MED)]
    assert "medical" in q_texts[0] and q_texts[0].startswith("my child has a fever")
    assert p_texts == ["pediatric nurse"]
    assert embed_volunteers(enc, []).shape == (0, EMBEDDING_DIM)


def test_area_index_is_stable_for_storage() -> None:
    assert area_index("Chiyoda") == 0
    assert AREAS[area_index("渋谷区") or 0] == "Shibuya"


def test_missing_language_is_undetermined() -> None:
    pool = pool_of(vol("ne", languages=frozenset({"ne"})), vol("ko", languages=frozenset({"ko"})))
    assert set(ranked(pool, req(language=None, languages=("ne",)))) == {"ne"}


@pytest.mark.parametrize(
    "text",
    ["1" + " " * 5000, "1:00" + "\t" * 5000, "土日" * 3000, "sat am " * 1000, "\n" * 5000 + "1pm"],
)
def test_hostile_free_text_is_cheap(text: str) -> None:
    start = time.perf_counter()
    parse_slots(text)
    remote_capable(MED, text)
    known_area(text)
    assert time.perf_counter() - start < 0.5
