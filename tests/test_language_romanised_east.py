"""Japanese, Korean, Chinese, Thai and Burmese typed in Latin letters, and the texts in
Latin-script languages that borrow romaji Japanese words and must keep their language."""

from __future__ import annotations

import pytest

from triage.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "ashita kuyakusho ni ikitai desu ga, nanji made aite imasu ka?",
        "kodomo ga netsu wo dashite imasu. doushitara ii desu ka",
        "sumimasen, nihongo ga amari wakaranai node eigo de onegaishimasu",
        "yachin wo harau no wo wasurete shimaimashita, dou sureba ii deshou",
        "watashi no zairyu card ga mada todokimasen",
        "kinou kara onaka ga itakute, byouin ni ikenai desu",
        "hoikuen no moushikomi wa doko de dekimasu ka",
        "chotto matte kudasai, ima denwa dekinai",
        "wakarimashita, ashita ikimasu",
    ],
)
def test_romaji_japanese(text: str) -> None:
    assert detect_language(text).code == "ja"


@pytest.mark.parametrize(
    "text",
    [
        "annyeonghaseyo, jeoneun hanguk saram imnida. byeongwon eodie isseoyo?",
        "aiga apayo, jigeum eotteoke haeya dwaeyo?",
        "hangugeo hal su inneun saram isseoyo?",
        "gamsahamnida! jinjja dowajusyeoseo",
        "ottoke hae? geunde jip yeogi eopseoyo",
        "naeil kuyakusho gaya dwaeyo? mwo gajyeogaya haeyo",
        "jeo ilbon-eo jal molla yo, dowa juseyo",
        "igeo eolmayeyo",
    ],
)
def test_romanised_korean(text: str) -> None:
    assert detect_language(text).code == "ko"


@pytest.mark.parametrize(
    "text",
    [
        "ni hao, wo xiang wen yi xia zenme ban zairyu card",
        "nǐ hǎo, wǒ de háizi fāshāo le, xiànzài qù nǎli kànbìng?",  # tone marks are typed too
        "xiexie ni de bangzhu",
        "wo bu zhidao zhege shi shenme yisi, keyi bang wo kan yixia ma",
        "qing wen kuyakusho ji dian guan men?",
        "wo laogong meiyou gongzuo, xianzai fangzu jiao bu qi",
        "women xuyao zhongwen fanyi, yiyuan you meiyou",
        "Wǒ xiǎng bàn zàiliú kǎ",  # the caron of the third tone, not Vietnamese
    ],
)
def test_pinyin_chinese(text: str) -> None:
    assert detect_language(text).code == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "sawasdee krub, phom tongkan khwam chuay luea",
        "luuk mai sabai, pai rongphayaban tee nai dai bang kha",
        "khob khun mak krub",
        "chan mai khao jai phasa yipun, chuay duay kha",
        "wannee kuyakusho bpert gee mong krab",
        "tong jai ngern kha chao tee nai ka",
        "dichan yaak ja tham bat zairyu mai kha, tong tham yangngai",
        "khop khun ka",
    ],
)
def test_romanised_thai(text: str) -> None:
    assert detect_language(text).code == "th"


@pytest.mark.parametrize(
    "text",
    [
        "mingalarpar, kyanaw myanmar lo pyaw tat tae lu shi lar",
        "kyayzuutinpar",
        "kalay phyar nay tal, sayarwon bal hmar shi lal",
        "kyama japan zagar ma narlal buu, ku nyi pay par",
        "ngway ma shi buu, ain lal ma pay nain buu",
        "dinay kuyakusho twar chin tal, bal lo lote ya ma lae",
        "mingalaba, kyanaw akhu alote ma shi buu",
        "kyay zuu tin par",
    ],
)
def test_romanised_burmese(text: str) -> None:
    assert detect_language(text).code == "my"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I went to the kuyakusho yesterday but the zairyu card is not ready", "en"),
        ("my son has a fever, which byouin is open on sunday? daijoubu?", "en"),
        ("the hoikuen sensei said I need to pay by friday", "en"),
        ("Arigatou for the help! the yachin is due tomorrow", "en"),
        ("my throat is sore and my kid is sick too", "en"),
        ("Pupunta ako sa kuyakusho bukas para sa zairyu card ko po", "tl"),
        ("yung anak ko may sakit, saan po may byouin na bukas ngayon?", "tl"),
        ("Arigatou po sa tulong ninyo, daijoubu na kami", "tl"),
        ("Saya mau tanya, yachin bulan ini bisa dibayar di konbini?", "id"),
        ("Anak saya sakit, byouin mana yang buka hari minggu?", "id"),
        ("sore ini saya mau ke kuyakusho, daijoubu kah?", "id"),
        ("Preciso ir ao kuyakusho renovar o zairyu card, onde fica?", "pt"),
        ("meu filho está com febre, qual byouin atende hoje?", "pt"),
        ("Dame la dirección del byouin por favor, mi hija tiene fiebre", "es"),
        ("Hola, tengo que pagar el yachin mañana y no sé cómo hacerlo", "es"),
        ("con toi bi sot, byouin nao mo cua chu nhat", "vi"),
        ("malai kuyakusho jana parcha, zairyu card ko lagi ke garne", "ne"),
        ("mero chora lai jwaro aayo, byouin kaha cha", "ne"),
        ("Assalomu alaykum, kuyakusho qayerda joylashgan?", "uz"),
        ("Bonjour, je dois aller au kuyakusho pour la carte de séjour", "fr"),
        ("I live in Koto-ku, do I need to go to the kuyakusho?", "en"),
        ("Thank you, I will go to the bar and pay there", "en"),
        ("Terima kasih sensei, besok saya datang", "id"),
        ("mujhe hospital jana hai, wahan log kaise hote hain pata nahi", "hi"),
    ],
)
def test_romaji_islands_keep_their_language(text: str, code: str) -> None:
    assert detect_language(text).code == code
