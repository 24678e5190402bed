"""Time and deadline words (triage/words/time.toml): each kind found in every priority language,
and not in look-alikes or sentences without one."""

import pytest

from triage.timing import TIME_KINDS, time_markers

CASES = [
    # (language, text, kinds found)
    ("en", "My son has a fever of 39 tonight and the clinic is closed", {"today"}),
    ("en", "The deadline for the residence card renewal is tomorrow", {"soon"}),
    ("en", "My landlord wants the rent by the 25th, it is due on March 25", {"soon", "date"}),
    ("en", "My back has hurt since three days and I can't sleep", {"ongoing"}),
    ("en", "No hurry, but next month I'd like to learn how to sort the garbage", {"later"}),
    ("en", "I know how the snow ploughs work here, I just want to know more", set()),
    ("en", "Where can I buy a cheap bicycle?", set()),
    ("ja", "今夜、子どもが熱を出しました", {"today"}),
    ("ja", "在留カードの期限は明日です", {"soon"}),
    ("ja", "3日前から咳が止まりません", {"ongoing"}),
    ("ja", "急ぎませんが、来月の町内会について教えてください", {"later"}),
    ("ja", "ゴミの分別の仕方を教えてください", set()),
    ("zh", "今晚孩子发高烧了", {"today"}),
    ("zh", "签证明天到期", {"soon"}),
    ("zh", "我已经咳嗽好几天了", {"ongoing"}),
    ("zh", "不急，下个月想学日语", {"later"}),
    ("zh", "请问哪里可以买自行车", set()),
    ("vi", "Tối nay con tôi sốt cao", {"today"}),
    ("vi", "Hạn chót nộp hồ sơ là ngày mai", {"soon"}),
    ("vi", "Tôi bị đau lưng mấy ngày nay", {"ongoing"}),
    ("vi", "Không gấp, tháng sau tôi muốn học tiếng Nhật", {"later"}),
    ("vi", "Tôi muốn hỏi cách phân loại rác", set()),
    ("ko", "오늘 밤 아이가 열이 나요", {"today"}),
    ("ko", "비자 기한이 내일까지예요", {"soon"}),
    ("ko", "며칠째 기침이 멈추지 않아요", {"ongoing"}),
    ("ko", "급하지 않아요. 다음 달에 일본어를 배우고 싶어요", {"later"}),
    ("ko", "쓰레기 분리수거 방법을 알고 싶어요", set()),
    ("tl", "Ngayong gabi may lagnat ang anak ko", {"today"}),
    ("tl", "Bukas na ang deadline ng renewal ng visa ko", {"soon"}),
    ("tl", "Tatlong araw na akong inuubo", {"ongoing"}),
    ("tl", "Hindi naman urgent, sa susunod na buwan gusto kong mag-aral ng Japanese", {"later"}),
    ("tl", "Saan ako makakabili ng murang bisikleta?", set()),
    ("ne", "आज राति छोराको ज्वरो बढ्यो", {"today"}),
    ("ne", "भिसाको म्याद भोलि सकिन्छ", {"soon"}),
    ("ne", "तीन दिनदेखि खोकी लागेको छ", {"ongoing"}),
    ("ne", "हतार छैन, अर्को महिना जापानी भाषा सिक्न चाहन्छु", {"later"}),
    ("ne", "फोहोर छुट्याउने तरिका सिकाउनुहोस्", set()),
    ("hi", "आज रात बच्चे को तेज़ बुखार है", {"today"}),
    ("hi", "परसों वीज़ा की आखिरी तारीख है", {"soon"}),
    ("hi", "अगले महीने जापानी सीखना चाहता हूँ, कोई जल्दी नहीं", {"later"}),
    ("hi", "कलम कहाँ मिलेगी?", set()),
    ("pt", "Hoje à noite meu filho está com febre alta", {"today"}),
    ("pt", "O prazo do visto vence amanhã", {"soon"}),
    ("pt", "Estou com tosse há três dias", {"ongoing"}),
    ("pt", "Sem pressa, mês que vem quero aprender japonês", {"later"}),
    ("pt", "Onde posso comprar uma bicicleta barata?", set()),
    ("es", "Esta noche mi hijo tiene fiebre alta", {"today"}),
    ("es", "El plazo de la visa vence mañana", {"soon"}),
    ("es", "Tengo tos desde hace tres días", {"ongoing"}),
    ("es", "Sin prisa, el mes que viene quiero aprender japonés", {"later"}),
    ("es", "¿Dónde puedo comprar una bicicleta barata?", set()),
    ("id", "Malam ini anak saya demam tinggi", {"today"}),
    ("id", "Batas waktu perpanjangan visa besok", {"soon"}),
    ("id", "Saya sudah tiga hari batuk", {"ongoing"}),
    ("id", "Tidak buru-buru, bulan depan saya ingin belajar bahasa Jepang", {"later"}),
    ("id", "Di mana saya bisa membeli sepeda murah?", set()),
    ("my", "ယနေ့ည ကလေး ဖျားနေတယ်", {"today"}),
    ("my", "ဗီဇာ မနက်ဖြန် ကုန်မယ်", {"soon"}),
    ("my", "မနေ့ကတည်းက ချောင်းဆိုးနေတယ်", {"ongoing"}),
    ("my", "မလောပါဘူး၊ နောက်လ ဂျပန်စာ သင်ချင်တယ်", {"later"}),
    ("my", "အမှိုက်ခွဲနည်း သိချင်ပါတယ်", set()),
    ("th", "คืนนี้ลูกมีไข้สูง", {"today"}),
    ("th", "วีซ่าหมดอายุพรุ่งนี้", {"soon"}),
    ("th", "ไอมาหลายวันแล้ว", {"ongoing"}),
    ("th", "ไม่รีบ เดือนหน้าอยากเรียนภาษาญี่ปุ่น", {"later"}),
    ("th", "อยากรู้วิธีแยกขยะ", set()),
    ("si", "අද රෑ දරුවාට උණ", {"today"}),
    ("si", "වීසා එක හෙට ඉවර වෙනවා", {"soon"}),
    ("si", "ඊයේ ඉඳන් කැස්ස", {"ongoing"}),
    ("si", "හදිසියක් නැහැ, ලබන මාසේ ජපන් ඉගෙන ගන්න ඕන", {"later"}),
    ("si", "කුණු වෙන් කරන හැටි කියන්න", set()),
    ("fr", "Ce soir mon fils a beaucoup de fièvre", {"today"}),
    ("fr", "La date limite du visa est demain", {"soon"}),
    ("fr", "Pas pressé, le mois prochain je voudrais apprendre le japonais", {"later"}),
    ("fr", "Où acheter un vélo pas cher ?", set()),
    ("ru", "Сегодня вечером у ребёнка высокая температура", {"today"}),
    ("ru", "Срок визы заканчивается завтра", {"soon"}),
    ("ru", "Не срочно, в следующем месяце хочу учить японский", {"later"}),
    ("ru", "Где купить недорогой велосипед?", set()),
]


@pytest.mark.parametrize(("lang", "text", "kinds"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_time_words(lang: str, text: str, kinds: set[str]) -> None:
    found = {kind for kind, hit in zip(TIME_KINDS, time_markers(text), strict=True) if hit}
    assert found == kinds


def test_every_priority_language_has_positives_and_negatives() -> None:
    langs = {c[0] for c in CASES}
    for lang in langs:
        assert any(c[0] == lang and c[2] for c in CASES), lang
    for lang in langs - {"hi", "fr", "ru"}:  # the priority languages: every kind, and a negative
        kinds = set().union(*(c[2] for c in CASES if c[0] == lang))
        assert {"today", "soon", "ongoing", "later"} <= kinds, lang
        assert any(c[0] == lang and not c[2] for c in CASES), lang
