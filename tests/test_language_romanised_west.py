"""Languages typed in Latin letters (Sinhala, Bengali, Hindi, Russian translit, Mongolian,
Uzbek, Singlish, Vietnamese without diacritics, romanised Nepali) and Uzbek in Cyrillic:
sentences written for these tests, plus controls that carry romaji Japanese words and
must keep their own language."""

from __future__ import annotations

import pytest

from triage.language import detect_language

CASES: dict[str, list[str]] = {
    "si": [
        "mata ada hospital yanna ona, oyata enna puluwanda?",
        "putha ta una, mokada karanna ona kiyala danne na",
        "ammata saniparakshawa nehe, dan gedara innawa",
        "mage salli tika iwara, heta wada ekata yanna baha",
        "oya kohomada? mama hondin innawa",
        "landlord kiyanawa mata gedara ayin yanna kiyala, mokak karannada",
        "kuyakusho eke form eka puranna mata udaw karanna puluwanda?",
    ],
    "bn": [
        "amar chele ke hospital e niye jete hobe, kothay jabo?",
        "apni ki amake ektu help korte parben?",
        "ami kichu bujhte parchi na, ki korbo ekhon",
        "bari wala bolche ei mashe bhara dite hobe",
        "amar meye er jor, kal theke khub kashi hocche",
        "bhai ekhane kono bangla doctor ache naki? janaben please",
        "ward office e giye zairyu card er thikana change korte hobe",
    ],
    "hi": [
        "mujhe aaj hi doctor ke paas jaana hai, koi madad kar sakta hai?",
        "mere bete ko teen din se bukhar hai",
        "ghar ka kiraya kitna dena hoga is mahine?",
        "kyunki main Japanese nahi bolta, isliye pareshani ho rahi hai",
        "pet mein bahut dard hai, kya karun",
        "aap mujhe bataiye ki city office kab khulta hai",
    ],
    "ru": [
        "zdravstvuyte, mne nuzhno k vrachu, gde bolnitsa?",
        "u menya bolit golova, chto delat?",
        "pomogite pozhaluysta, ya ne ponimayu po-yaponski",
        "moy rebenok zabolel, mozhno segodnya k vrachu?",
        "skazhite pozhaluysta, kogda rabotaet kuyakusho?",
        "spasibo bolshoe, vse horosho",
        "u nas v kvartire net sveta, kuda zvonit?",
    ],
    "mn": [
        "sain baina uu, bi emneleg yavah heregtei baina",
        "minii huuhed ovchtei baina, yaaj emchid uzuuleh ve?",
        "bi yapon hel medehgui, tuslaarai",
        "manai bair usgui baina, haana zalgah ve?",
        "odoo yaaj hiih ve, mongol hun baina uu?",
        "bayarlalaa, margaash kuyakusho yavna",
    ],
    "uz": [
        "menga yordam kerak, shifokor qayerda?",
        "bolam kasal bo'lib qoldi, kasalxonaga borish kerakmi?",
        "Yaponiyada ishlayapman, soliq haqida bilmayman",
        "uy egasi pul so'rayapti, nima qilaman?",
        "iltimos ayting, bugun kuyakusho ochiqmi?",
        "ertaga ishga bora olmayman, juda charchadim",
    ],
    "en": [
        "can help me or not lah, the aircon spoil already",
        "wah the queue so long leh, how to book appointment?",
        "dont know how to apply lor, can you help me",
        "the form need hanko meh? paiseh ask again",
        "my landlord say must pay reikin, is it normal lah",
        "so shiok, the onsen here very nice",
    ],
    "vi": [
        "con e bi sot cao tu toi qua, gio di kham o dau?",
        "chong e danh e, e so qua, giup e voi",
        "phong e bi mat dien tu chieu, goi ai de sua?",
        "e muon doi lich hen o kuyakusho dc ko a",
        "nha e co chuot, chu nha ko chiu sua",
        "e dang o ga tau, lac duong ko biet ve nha",
    ],
    "ne": [
        "mero chora lai jwaro aayo, kun hospital jane?",
        "kaam le thakai lagyo, sasto khana kaha paincha?",
        "ghar bhada tirna sakina, landlord le karayo",
        "bholi kuyakusho jana parcha, ekchin sathma aaunu sakchau?",
        "bihibar samma form pathaunu parne raichha",
        "school ma bacha lai sikaune class xa ki?",
    ],
}

CONTROLS: list[tuple[str, str]] = [
    ("I need to go to the kuyakusho to renew my zairyu card tomorrow", "en"),
    ("kailangan ko pumunta sa byouin bukas, may sakit ang anak ko", "tl"),
    ("saya mau tanya soal hoikuen untuk anak saya", "id"),
    ("preciso pagar o yachin deste mes mas nao tenho dinheiro", "pt"),
    ("necesito ir al hospital, mi hijo tiene fiebre, el sensei dijo que vaya", "es"),
    ("je dois aller a la mairie pour le zairyu card, c'est urgent", "fr"),
    ("Ana sensei daijoubu daw, pero masakit pa rin ang ulo ko", "tl"),
    ("tolong bantu saya, daijoubu tidak kalau bayar telat", "id"),
    ("My son has a fever since last night, which byouin is open on Sunday?", "en"),
    ("Shifokor kerak, bolam isitmasi baland", "uz"),
]

CYRILLIC: list[tuple[str, str]] = [
    ("Менга ёрдам керак, касалхона қаерда?", "uz"),
    ("Мен Японияда ишлайман, солиқ ҳақида билмайман", "uz"),
    ("илтимос айтинг, бугун кандай хужжатлар керак?", "uz"),
    ("уйда иссиқ сув йук, нима қилиш керак", "uz"),
    ("Биз болалар учун мактаб излаяпмиз", "uz"),
    ("Здравствуйте, мне нужно к врачу, где больница?", "ru"),
    ("У меня болит голова, что делать?", "ru"),
    ("Мой ребенок заболел, можно сегодня к врачу?", "ru"),
    ("Би эмнэлэг явах хэрэгтэй байна, яаж очих вэ?", "mn"),
    ("Сайн байна уу, надад тусламж хэрэгтэй", "mn"),
]


@pytest.mark.parametrize(("text", "code"), [(text, code) for code, texts in CASES.items() for text in texts])
def test_romanised_languages(text: str, code: str) -> None:
    guess = detect_language(text)
    assert guess.code == code, guess.evidence


@pytest.mark.parametrize(("text", "code"), CONTROLS)
def test_controls_keep_their_language(text: str, code: str) -> None:
    guess = detect_language(text)
    assert guess.code == code, guess.evidence


@pytest.mark.parametrize(("text", "code"), CYRILLIC)
def test_uzbek_cyrillic_russian_mongolian(text: str, code: str) -> None:
    guess = detect_language(text)
    assert guess.code == code, guess.evidence
