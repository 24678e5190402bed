"""Emergency advice shown to a resident at once when a request is triaged EMERGENCY.

The resident must never wait for a volunteer when a life may be in danger (TAXONOMY.md,
"Urgency"), so this text is static, reviewed once, and available without any model: the
Tokyo emergency numbers 119 (ambulance / fire), 110 (police) and #7119 (medical advice),
written in the resident's own language. A language without a translation gets English plus
easy Japanese (やさしい にほんご: hiragana with spaces between words), the two languages most
residents of Tokyo can read at least a little.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

__all__ = ["ADVICE_LANGUAGES", "EmergencyAdvice", "EmergencyNumber", "emergency_advice"]


@dataclass(frozen=True, slots=True)
class EmergencyNumber:
    """One number to call and what it is for, in the resident's language."""

    number: str
    label: str


@dataclass(frozen=True, slots=True)
class EmergencyAdvice:
    """The message for the resident and the numbers listed under it."""

    message: str
    numbers: tuple[EmergencyNumber, ...]


class _Text(NamedTuple):
    message: str
    ambulance_fire: str  # label of 119
    police: str  # label of 110
    medical_advice: str  # label of #7119


# The order of the numbers is the order of need: life first, then safety, then advice.
_NUMBERS = ("119", "110", "#7119")

_EN = _Text(
    "If a life is in danger, call 119 now (ambulance / fire). Police: 110. "
    "Not sure whether to go to hospital: #7119 (Tokyo). Say your address. "
    "Our staff have been alerted.",
    "Ambulance / fire",
    "Police",
    "Tokyo emergency medical advice (not sure whether to go to hospital)",
)

# Easy Japanese: hiragana only and spaces between words, so that residents who read only
# kana (and translation apps) can follow it.
_JA = _Text(
    "いのち が あぶない とき は、 いま すぐ 119 に でんわ して ください（きゅうきゅうしゃ ・ しょうぼう）。 "
    "けいさつ は 110 です。 "
    "びょういん に いく か わからない とき は #7119（とうきょう） に でんわ して ください。 "
    "あなた の じゅうしょ を いって ください。 "
    "わたしたち の たんとう の ひと に もう しらせました。",
    "きゅうきゅうしゃ ・ しょうぼう",
    "けいさつ",
    "びょういん に いく か わからない とき の そうだん（とうきょう）",
)

_ZH_HANS = _Text(
    "如有生命危险，请立即拨打119（救护车／消防）。报警：110。"
    "不确定是否需要去医院：请拨打#7119（东京急救咨询）。请说出您的地址。我们的工作人员已收到通知。",
    "救护车／消防",
    "警察",
    "东京急救医疗咨询（不确定是否要去医院时）",
)

# Residents from Taiwan and Hong Kong read traditional characters; a tag like zh-Hant or
# zh-TW selects this variant, plain "zh" stays simplified (the larger group in Tokyo).
_ZH_HANT = _Text(
    "如有生命危險，請立即撥打119（救護車／消防）。報警：110。"
    "不確定是否需要去醫院：請撥打#7119（東京急救諮詢）。請說出您的地址。我們的工作人員已收到通知。",
    "救護車／消防",
    "警察",
    "東京急救醫療諮詢（不確定是否要去醫院時）",
)

_TEXTS: MappingProxyType[str, _Text] = MappingProxyType(
    {
        "en": _EN,
        "ja": _JA,
        "zh": _ZH_HANS,
        "vi": _Text(
            "Nếu có nguy hiểm đến tính mạng, hãy gọi ngay 119 (xe cấp cứu / cứu hỏa). Cảnh sát: 110. "
            "Nếu không chắc có nên đến bệnh viện hay không: gọi #7119 (Tokyo). "
            "Hãy nói địa chỉ của bạn. Nhân viên của chúng tôi đã được thông báo.",
            "Xe cấp cứu / cứu hỏa",
            "Cảnh sát",
            "Tư vấn y tế khẩn cấp Tokyo (khi không chắc có nên đi bệnh viện)",
        ),
        "ko": _Text(
            "생명이 위험하면 지금 바로 119에 전화하세요 (구급차 / 소방). 경찰: 110. "
            "병원에 가야 할지 모르겠으면: #7119 (도쿄). 주소를 말해 주세요. "
            "저희 직원에게 이미 알렸습니다.",
            "구급차 / 소방",
            "경찰",
            "도쿄 구급 의료 상담 (병원에 가야 할지 모를 때)",
        ),
        "tl": _Text(
            "Kung may buhay na nasa panganib, tumawag agad sa 119 (ambulansya / bumbero). Pulis: 110. "
            "Kung hindi sigurado kung kailangang pumunta sa ospital: #7119 (Tokyo). "
            "Sabihin ang inyong address. Naabisuhan na ang aming staff.",
            "Ambulansya / bumbero",
            "Pulis",
            "Medikal na payo sa emergency sa Tokyo (kung hindi sigurado kung pupunta sa ospital)",
        ),
        "ne": _Text(
            "कसैको ज्यान खतरामा छ भने अहिले नै 119 मा फोन गर्नुहोस् (एम्बुलेन्स / दमकल)। प्रहरी: 110। "
            "अस्पताल जानुपर्छ कि पर्दैन थाहा छैन भने: #7119 (टोकियो)। "
            "आफ्नो ठेगाना भन्नुहोस्। हाम्रा कर्मचारीलाई खबर गरिसकिएको छ।",
            "एम्बुलेन्स / दमकल",
            "प्रहरी",
            "टोकियो आपतकालीन स्वास्थ्य सल्लाह (अस्पताल जाने कि नजाने थाहा नभए)",
        ),
        "pt": _Text(
            "Se houver risco de vida, ligue agora para o 119 (ambulância / bombeiros). Polícia: 110. "
            "Em dúvida se deve ir ao hospital: #7119 (Tóquio). Diga o seu endereço. "
            "Nossa equipe já foi avisada.",
            "Ambulância / bombeiros",
            "Polícia",
            "Orientação médica de emergência de Tóquio (em dúvida se deve ir ao hospital)",
        ),
        "id": _Text(
            "Jika ada nyawa dalam bahaya, segera telepon 119 (ambulans / pemadam kebakaran). Polisi: 110. "
            "Ragu apakah perlu ke rumah sakit: #7119 (Tokyo). Sebutkan alamat Anda. "
            "Staf kami sudah diberi tahu.",
            "Ambulans / pemadam kebakaran",
            "Polisi",
            "Konsultasi medis darurat Tokyo (jika ragu perlu ke rumah sakit)",
        ),
        "my": _Text(
            "အသက်အန္တရာယ် ရှိနေရင် 119 ကို ချက်ချင်း ဖုန်းဆက်ပါ (လူနာတင်ယာဉ် / မီးသတ်)။ ရဲ: 110။ "
            "ဆေးရုံ သွားသင့်မသွားသင့် မသေချာရင်: #7119 (တိုကျို)။ သင့်လိပ်စာကို ပြောပါ။ "
            "ကျွန်ုပ်တို့ ဝန်ထမ်းများကို အကြောင်းကြားပြီးပါပြီ။",
            "လူနာတင်ယာဉ် / မီးသတ်",
            "ရဲ",
            "တိုကျို အရေးပေါ် ဆေးဘက်ဆိုင်ရာ အကြံပေးဖုန်း (ဆေးရုံ သွားသင့်မသွားသင့် မသေချာရင်)",
        ),
        "th": _Text(
            "หากมีอันตรายถึงชีวิต โทร 119 ทันที (รถพยาบาล / ดับเพลิง) ตำรวจ: 110 "
            "ไม่แน่ใจว่าควรไปโรงพยาบาลหรือไม่: #7119 (โตเกียว) แจ้งที่อยู่ของคุณ "
            "เจ้าหน้าที่ของเราได้รับแจ้งแล้ว",
            "รถพยาบาล / ดับเพลิง",
            "ตำรวจ",
            "สายปรึกษาการแพทย์ฉุกเฉินโตเกียว (เมื่อไม่แน่ใจว่าควรไปโรงพยาบาลหรือไม่)",
        ),
        "si": _Text(
            "ජීවිතයකට අනතුරක් ඇත්නම්, දැන්ම 119 අමතන්න (ගිලන් රථ / ගිනි නිවීම). පොලිසිය: 110. "
            "රෝහලට යා යුතුදැයි විශ්වාස නැත්නම්: #7119 (ටෝකියෝ). ඔබගේ ලිපිනය කියන්න. "
            "අපගේ කාර්ය මණ්ඩලය දැනුවත් කර ඇත.",
            "ගිලන් රථ / ගිනි නිවීම",
            "පොලිසිය",
            "ටෝකියෝ හදිසි වෛද්‍ය උපදෙස් (රෝහලට යා යුතුදැයි විශ්වාස නැති විට)",
        ),
        "es": _Text(
            "Si hay una vida en peligro, llame ahora al 119 (ambulancia / bomberos). Policía: 110. "
            "Si no sabe si debe ir al hospital: #7119 (Tokio). Diga su dirección. "
            "Nuestro personal ya ha sido avisado.",
            "Ambulancia / bomberos",
            "Policía",
            "Consulta médica de emergencia de Tokio (si no sabe si ir al hospital)",
        ),
    }
)

ADVICE_LANGUAGES: frozenset[str] = frozenset(_TEXTS)

# Tags that mean Chinese in traditional characters (BCP 47 script or region subtags).
_HANT_SUBTAGS = frozenset({"hant", "tw", "hk", "mo"})
# Legacy or three-letter codes that callers may pass for a language we have.
_ALIASES = MappingProxyType({"fil": "tl", "in": "id", "nep": "ne", "bur": "my", "mya": "my"})


def _advice(text: _Text) -> EmergencyAdvice:
    labels = (text.ambulance_fire, text.police, text.medical_advice)
    return EmergencyAdvice(
        message=text.message,
        numbers=tuple(EmergencyNumber(n, label) for n, label in zip(_NUMBERS, labels, strict=True)),
    )


# English and easy Japanese together, for any language without its own translation.
_BILINGUAL = _advice(
    _Text(
        f"{_EN.message}\n{_JA.message}",
        f"{_EN.ambulance_fire} ／ {_JA.ambulance_fire}",
        f"{_EN.police} ／ {_JA.police}",
        f"{_EN.medical_advice} ／ {_JA.medical_advice}",
    )
)
_ADVICE: MappingProxyType[str, EmergencyAdvice] = MappingProxyType(
    {code: _advice(text) for code, text in _TEXTS.items()}
)
_ZH_HANT_ADVICE = _advice(_ZH_HANT)


def emergency_advice(language: str) -> EmergencyAdvice:
    """The emergency advice for a resident writing in `language` (ISO 639-1, or "und").

    Accepts a BCP 47 tag too ("pt-BR", "zh-Hant", "fil"); anything unknown gets English
    plus easy Japanese rather than an error, since this runs when a life may be at stake.
    """
    subtags = language.strip().replace("_", "-").casefold().split("-")
    base = _ALIASES.get(subtags[0], subtags[0])
    if base == "zh" and _HANT_SUBTAGS.intersection(subtags[1:]):
        return _ZH_HANT_ADVICE
    return _ADVICE.get(base, _BILINGUAL)
