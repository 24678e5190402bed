"""The scoring rules for one (request, volunteer) pair, in plain Python.

These are the definitions: the vectorised VolunteerPool computes the same numbers for many
volunteers at once, and matching.reference uses these functions directly as the brute-force
baseline that the pool is tested against.
"""

import re
from collections.abc import Iterable

from matching import weights as W
from matching.availability import overlap
from triage.labels import SupportField


def normalise_language(code: str | None) -> str:
    """'ZH-tw' -> 'zh', 'pt_BR' -> 'pt', 'fil' -> 'tl', None -> 'und' (the API validates
    ISO 639-1 upstream; matching only needs the same spelling on both sides)."""
    if not code:
        return "und"
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return "tl" if base == "fil" else base


def volunteer_languages(codes: Iterable[str]) -> frozenset[str]:
    """A volunteer's languages, normalised, with Japanese always included (it is assumed)."""
    return frozenset(normalise_language(c) for c in codes if c.strip()) | {W.COMMON_LANGUAGE}


def language_score(detected: str | None, listed: Iterable[str], spoken: frozenset[str]) -> float:
    """1.0 / 0.8 / 0.5 as in matching.weights; 0.0 means: not a candidate.

    `spoken` must come from volunteer_languages (Japanese included), which is what makes a
    Japanese text (or a resident who listed Japanese) reach every volunteer.
    """
    if normalise_language(detected) in spoken:
        return W.LANG_DETECTED
    if any(normalise_language(code) in spoken for code in listed):
        return W.LANG_LISTED
    if W.BRIDGE_LANGUAGE in spoken:
        return W.LANG_BRIDGE
    return 0.0


def skill_score(cosine: float) -> float:
    """Raw e5 cosine -> 0..1 (see SKILL_COS_FLOOR/CEIL)."""
    x = (cosine - W.SKILL_COS_FLOOR) / (W.SKILL_COS_CEIL - W.SKILL_COS_FLOOR)
    return min(1.0, max(0.0, x))


def area_score(hops: int | None, remote_task: bool, remote_ok: bool) -> float:
    """By BFS hops; a remote_ok volunteer on a phone/video task is never penalised for distance."""
    if remote_task and remote_ok:
        return W.AREA_REMOTE
    if hops is None:
        return W.AREA_UNKNOWN
    return W.AREA_BY_HOPS[hops] if hops < len(W.AREA_BY_HOPS) else W.AREA_FAR


def availability_score(request_slots: int | None, volunteer_slots: int | None) -> float:
    return overlap(request_slots, volunteer_slots, W.AVAILABILITY_NEUTRAL)


def has_capacity(active_requests: int, max_active_requests: int) -> bool:
    """Volunteers already at their own limit get no new offers (hard filter)."""
    return active_requests < max_active_requests


def load_score(active_requests: int, max_active_requests: int, recent_offers: int) -> float:
    """Free capacity share, damped by how many offers the volunteer got recently."""
    if not has_capacity(active_requests, max_active_requests):
        return 0.0
    free = 1.0 - max(0, active_requests) / max_active_requests
    return free / (1.0 + max(0, recent_offers) / W.LOAD_RECENT_HALF)


# --- remote rule -----------------------------------------------------------------------------
# A task counts as doable by phone/video when its text asks for paperwork, letters, phone
# calls, translation or interpreting, and does not ask for someone to come along or be present.
# Without either signal the field decides: WELFARE (letters, forms, calls to city hall) and
# OTHER (advice and referral) are mostly remote; MEDICAL, CHILDCARE_EDUCATION and LIFELINE
# requests are mostly visits (clinic, school, ward office, home) and are treated as in person.
# Cheap substring checks over lower-cased text; several languages, deliberately short lists.
_REMOTE_FIELDS = frozenset({SupportField.WELFARE, SupportField.OTHER})
_IN_PERSON = re.compile(
    "|".join(
        (
            # en
            r"accompan",
            r"go with me",
            r"come with me",
            r"with me to",
            r"come to my",
            r"in person",
            r"be present",
            r"someone present",
            r"carry",
            r"move furniture",
            # ja
            r"同行",
            r"一緒に",
            r"いっしょに",
            r"付き添",
            r"つきそ",
            r"立ち会",
            r"引越",
            r"ひっこし",
            r"来てほしい",
            # zh
            r"陪",
            r"一起去",
            r"上门",
            r"搬家",
            # ko
            r"동행",
            r"같이 가",
            r"함께 가",
            r"이사",
            # vi
            r"đi cùng",
            r"đi với",
            r"đến nhà",
            r"đưa đi",
            r"chuyển nhà",
            # pt / es / fr
            r"acompanh",
            r"ir comigo",
            r"vir comigo",
            r"acompañ",
            r"conmigo",
            r"accompagn",
            r"venir avec",
            # tl / id
            r"samahan",
            r"kasama",
            r"menemani",
            r"temani",
            r"datang ke rumah",
            # ne / hi / th / ru
            r"साथमा",
            r"सँगै",
            r"लैजान",
            r"जान मद्दत",
            r"साथ चल",
            r"साथ जा",
            r"พาไป",
            r"ไปด้วย",
            r"сопровод",
            r"пойти со мной",
        )
    )
)
_REMOTE = re.compile(
    "|".join(
        (
            # en
            r"letter",
            r"\bforms?\b",
            r"\bfill",
            r"translat",
            r"interpret",
            r"phone",
            r"\bcall",
            r"e-?mail",
            r"online",
            r"video",
            r"document",
            # ja
            r"手紙",
            r"書類",
            r"申請書",
            r"用紙",
            r"記入",
            r"書き方",
            r"かきかた",
            r"もうしこみしょ",
            r"電話",
            r"でんわ",
            r"翻訳",
            r"通訳",
            r"お知らせ",
            r"通知",
            r"メール",
            r"オンライン",
            # zh
            r"信件",
            r"来信",
            r"寄来",
            r"表格",
            r"填写",
            r"翻译",
            r"电话",
            r"视频",
            r"文件",
            r"通知书",
            # ko
            r"편지",
            r"서류",
            r"작성",
            r"번역",
            r"통역",
            r"전화",
            r"가정통신문",
            r"신청서",
            # vi
            r"(?<!\w)thư(?!\w)",
            r"giấy tờ",
            r"điền",
            r"dịch",
            r"gọi",
            r"điện thoại",
            # pt / es / fr
            r"carta",
            r"formul[aá]rio",
            r"preencher",
            r"tradu",
            r"int[eé]rprete",
            r"telefone",
            r"ligar",
            r"bilhete",
            r"rellenar",
            r"llenar",
            r"tel[eé]fono",
            r"llamar",
            r"lettre",
            r"formulaire",
            r"remplir",
            r"dossier",
            r"traduire",
            r"t[eé]l[eé]phone",
            r"appeler",
            # tl / id
            r"sulat",
            r"isalin",
            r"tawag",
            r"surat",
            r"formulir",
            r"mengisi",
            r"terjemah",
            r"telepon",
            # ne / hi / si / bn / th / ru / mn / uz
            r"पत्र",
            r"फारम",
            r"फॉर्म",
            r"अनुवाद",
            r"फोन",
            r"फ़ोन",
            r"ලියුම",
            r"චිඨි",
            r"চিঠি",
            r"ফর্ম",
            r"ফোন",
            r"จดหมาย",
            r"แบบฟอร์ม",
            r"แปล",
            r"โทร",
            r"письм",
            r"анкет",
            r"заполн",
            r"перевод",
            r"позвон",
            r"телефон",
            r"бөглө",
            r"бичиг баримт",
            r"hujjat",
        )
    )
)


def remote_capable(field: SupportField, text: str) -> bool:
    """Can this request be handled by phone/video (so distance does not matter)?  See above."""
    lowered = text.lower()
    if _IN_PERSON.search(lowered):
        return False
    if _REMOTE.search(lowered):
        return True
    return field in _REMOTE_FIELDS
