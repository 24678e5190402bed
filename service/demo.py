"""A realistic demo: 200+ vetted volunteers across the 23 wards and nearby cities, a few residents."""

import asyncio
import random
from collections.abc import Sequence

import numpy as np

from matching.areas import AREAS
from matching.embedding import volunteer_text
from service.accounts import (
    ResidentInput,
    SkillEmbedder,
    VolunteerInput,
    create_staff,
    issue_staff_token,
    register_resident,
    register_volunteer,
)
from service.context import AppState
from service.errors import UserErrors
from triage.labels import SupportField

FAMILY = [
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Ito",
    "Yamamoto",
    "Nakamura",
    "Kobayashi",
    "Kato",
    "Yoshida",
    "Yamada",
    "Sasaki",
    "Matsumoto",
    "Inoue",
    "Kimura",
]
GIVEN = [
    "Yuki",
    "Haruka",
    "Kenji",
    "Aiko",
    "Takeshi",
    "Mai",
    "Hiroshi",
    "Naoko",
    "Sho",
    "Emi",
    "Daisuke",
    "Rina",
    "Kaori",
    "Ryo",
    "Tomoko",
    "Makoto",
]

# (skills text, fields, languages it implies besides Japanese)
PROFILES: list[tuple[str, list[SupportField], list[str]]] = [
    (
        "Retired nurse. I can go with you to the clinic or hospital and interpret with the doctor.",
        [SupportField.MEDICAL],
        ["en"],
    ),
    (
        "病院の付き添い、問診票の記入のお手伝いができます。中国語が話せます。",
        [SupportField.MEDICAL],
        ["zh"],
    ),
    (
        "Tôi có thể giúp đi bệnh viện, phiên dịch tiếng Việt, điền phiếu khám bệnh.",
        [SupportField.MEDICAL, SupportField.WELFARE],
        ["vi"],
    ),
    (
        "区役所の手続き(国民健康保険、年金、児童手当)に同行できます。元区役所職員です。",
        [SupportField.WELFARE, SupportField.LIFELINE],
        ["en"],
    ),
    (
        "保育園の申し込み、学校からのお便りの翻訳、面談の通訳をします。",
        [SupportField.CHILDCARE_EDUCATION],
        ["en", "tl"],
    ),
    (
        "Former teacher: school enrolment, homework help, parent-teacher meetings in English or Portuguese.",
        [SupportField.CHILDCARE_EDUCATION],
        ["en", "pt"],
    ),
    (
        "Ayudo con contratos de gas, luz, agua, internet y con el banco. Hablo español.",
        [SupportField.LIFELINE],
        ["es", "en"],
    ),
    (
        "가스, 전기, 수도 계약과 은행 계좌 개설을 도와드립니다. 한국어 가능.",
        [SupportField.LIFELINE],
        ["ko"],
    ),
    (
        "Bantuan urusan rumah sakit dan apotek, bisa bahasa Indonesia.",
        [SupportField.MEDICAL],
        ["id"],
    ),
    ("ゴミの分別、引っ越しの手続き、住民票、転入届のお手伝い。", [SupportField.LIFELINE], ["en"]),
    (
        "Phone interpreting and filling in forms for the ward office and tax letters.",
        [SupportField.WELFARE, SupportField.LIFELINE, SupportField.OTHER],
        ["en"],
    ),
    (
        "मेडिकल र अस्पतालमा सहयोग, नेपाली भाषामा दोभाषे।",
        [SupportField.MEDICAL, SupportField.WELFARE],
        ["ne", "hi"],
    ),
    (
        "မြန်မာဘာသာဖြင့် ဆေးရုံ၊ ရပ်ကွက်ရုံး လုပ်ငန်းများ ကူညီပေးနိုင်ပါသည်။",
        [SupportField.MEDICAL, SupportField.LIFELINE],
        ["my"],
    ),
    (
        "ช่วยเรื่องโรงเรียนและเนิร์สเซอรี่ แปลจดหมายจากโรงเรียนเป็นภาษาไทย",
        [SupportField.CHILDCARE_EDUCATION],
        ["th"],
    ),
    (
        "Tulong sa pag-apply ng 児童手当 at pension, Tagalog at English.",
        [SupportField.WELFARE],
        ["tl", "en"],
    ),
    (
        "Mental health: I listen and can find a counsellor who speaks your language.",
        [SupportField.MEDICAL],
        ["en", "fr"],
    ),
    (
        "Landlord trouble, rental contracts, moving out and deposit negotiations.",
        [SupportField.LIFELINE, SupportField.OTHER],
        ["en", "zh"],
    ),
    (
        "妊婦健診、母子手帳、出産育児一時金の手続きをサポートします。",
        [SupportField.MEDICAL, SupportField.WELFARE],
        ["en", "zh"],
    ),
    (
        "ශ්‍රී ලාංකික පවුල්වලට පාසල් සහ රෝහල් කටයුතු සඳහා උදව් කරනවා.",
        [SupportField.CHILDCARE_EDUCATION, SupportField.MEDICAL],
        ["si", "en"],
    ),
    (
        "Ajudo com matrícula escolar, creche e cartas da escola. Falo português.",
        [SupportField.CHILDCARE_EDUCATION, SupportField.WELFARE],
        ["pt"],
    ),
]
AVAILABILITY = [
    "weekday evenings",
    "Sat AM",
    "weekends",
    "weekday mornings",
    "平日夜",
    "土日",
    "Mon/Wed/Fri afternoons",
    "any time by phone",
    "Sun PM",
    "weekday daytime",
]


class _PrecomputedSkills:
    """The demo repeats a few skills texts: embed each once, in one batch, not per volunteer."""

    def __init__(self, engine: SkillEmbedder, texts: Sequence[str]) -> None:
        self.model_name = engine.model_name
        unique = list(dict.fromkeys(volunteer_text(t) for t in texts))
        self._vectors = dict(zip(unique, engine.embed_passages(unique), strict=True))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts])


async def seed_demo(state: AppState, volunteer_count: int = 220, seed: int = 7) -> None:
    """Print tokens for one staff member, three residents and the first few volunteers."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    pool = state.pool
    try:
        staff_token = await create_staff(pool, "Demo staff")
    except UserErrors:  # seeded before: a fresh token for the same account
        staff_token = await issue_staff_token(pool, "Demo staff")
    print("staff  ", staff_token)
    residents = [
        ResidentInput("Nguyen Thi Lan", ["vi", "en"], "Katsushika", "lan@example.org"),
        ResidentInput("Maria Santos", ["tl", "en"], "Shinjuku", "+81-90-0000-0001"),
        ResidentInput("Wang Fang", ["zh"], "Edogawa", "wangfang@example.org"),
    ]
    for resident in residents:
        token, _ = await register_resident(pool, resident)
        print("resident", resident.display_name, token)
    embedder = await asyncio.to_thread(_PrecomputedSkills, state.engine, [p[0] for p in PROFILES])
    for i in range(volunteer_count):
        skills, fields, languages = PROFILES[i % len(PROFILES)]
        name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
        extra = rng.sample(["en", "zh", "ko", "vi"], k=rng.randint(0, 1))
        data = VolunteerInput(
            display_name=name,
            languages=list(dict.fromkeys([*languages, *extra])),
            skills=skills,
            fields=fields,
            area=AREAS[i % len(AREAS)],
            availability=rng.choice(AVAILABILITY),
            remote_ok=rng.random() < 0.4,
            max_active_requests=rng.choice([1, 2, 2, 3]),
            contact=f"volunteer{i}@example.org",
        )
        token, _ = await register_volunteer(pool, embedder, data, verified=True)
        if i < 3:
            print("volunteer", name, token)
    await state.matcher.refresh(pool)
    print(f"seeded {volunteer_count} verified volunteers across {len(AREAS)} wards and cities")
