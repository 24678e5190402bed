"""The emergency cue matcher as it was before the cues became data (triage/cues/*.toml).

Frozen for `python -m bench cues`: the baseline whose speed and recall/precision the current
cues are compared with, in the same run. Not used by the service; do not edit.

Its original docstring:

    Multilingual emergency cues: words of danger that must never wait for a model's opinion.

    `find_emergency_cues(text)` returns short English labels for staff ("breathing difficulty",
    "fire", ...) in a fixed order, or an empty list. The triage combines them with the embedding
    classifier so that EMERGENCY recall stays at 100 %: a cue alone is enough to escalate, so
    every pattern here is written to avoid false alarms as much as to catch danger.

    Languages: the residents' priority languages (Chinese in both scripts, Vietnamese with and
    without diacritics, Korean, Tagalog/Taglish, Nepali in Devanagari and romanised, Portuguese,
    Indonesian, Burmese, English, Thai, Sinhala, Spanish), Japanese (kanji and easy hiragana),
    and a few basic cues in Hindi, Bengali, Russian, French, Mongolian and Uzbek.

    Matching (see `_forms`):
    * every text is NFKC-normalised and casefolded, katakana is folded to hiragana (easy Japanese
      mixes both), and runs of whitespace become one space;
    * Latin-script patterns run on that text and on a copy without diacritics, so "khong tho
      duoc" and "không thở được", "nao respira" and "não respira" are one pattern; a pattern
      written with diacritics ("cháy") only matches text that has them, where stripping would be
      ambiguous (Vietnamese "chay" is also "run" and "vegetarian"). Latin patterns are bounded by
      non-word characters, so "fire" does not match "fired";
    * patterns in other scripts run on a compact copy without any whitespace, because Thai,
      Burmese, Chinese and Japanese do not separate words reliably (easy Japanese puts a space
      between every word, Burmese between phrases);
    * a pattern may name words that cancel it when they are near the match (`unless`: "not
      suicidal", "fire insurance", "last year") or a second pattern that must also appear in the
      text (`also`: a child's word together with "missing", a warning sign with "hit his head");
    * breathing and chest cues are also cancelled by nearby words of chronic, mild or situational
      symptoms ("sometimes", "when I climb stairs", 最近, 가끔), which are clinic visits.

    A bare topic word never fires: "gas" needs a smell or a leak, "blood" needs an amount that
    does not stop, "fever" needs convulsions or unresponsiveness.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

__all__ = ["CUE_LABELS", "emergency_cue_count", "find_emergency_cues"]


class _Form(Enum):
    LATIN = "latin"  # folded text and its copy without diacritics, word-bounded
    SCRIPT = "script"  # compact text (no whitespace)
    SPACED = "spaced"  # folded text with single spaces (easy Japanese single-kana words)


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    form: _Form
    unless: re.Pattern[str] | None = None
    also: re.Pattern[str] | None = None


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

# How far (characters) around a match `unless` looks: a clause, not the whole text.
_WINDOW = 30


def _alts(alternatives: tuple[str, ...]) -> str:
    # Patterns get the text's normalisation: NFKC splits Thai SARA AM and some Devanagari
    # nukta letters, so a pattern typed with the composed letter would never match.
    return "|".join(f"(?:{unicodedata.normalize('NFKC', a)})" for a in alternatives)


def _bounded(alternatives: tuple[str, ...]) -> str:
    # \w is Unicode-aware: "não" and "sưng" are whole words, "fired" does not contain "fire".
    return rf"(?<!\w)(?:{_alts(alternatives)})(?!\w)"


def _compile(source: str) -> re.Pattern[str]:
    return re.compile(unicodedata.normalize("NFKC", source).translate(_ZERO_WIDTH))


def _lat(*alternatives: str, unless: str | None = None, also: str | None = None) -> _Pattern:
    """Latin-script words (write them casefolded; without diacritics unless they disambiguate)."""
    return _Pattern(
        re.compile(_bounded(alternatives)),
        _Form.LATIN,
        _compile(unless) if unless else None,
        _compile(_bounded((also,))) if also else None,
    )


def _scr(*alternatives: str, unless: str | None = None, also: str | None = None) -> _Pattern:
    """Words in a script without reliable spaces; kana written as hiragana, no spaces."""
    # Texts lose their zero-width joiners (Sinhala writes some conjuncts with one), so do patterns.
    alternatives = tuple(a.translate(_ZERO_WIDTH) for a in alternatives)
    return _Pattern(
        re.compile(_alts(alternatives)),
        _Form.SCRIPT,
        _compile(unless) if unless else None,
        _compile(also) if also else None,
    )


def _spaced(*alternatives: str) -> _Pattern:
    """Patterns that need the spaces of easy Japanese (a one-kana word such as ち "blood")."""
    return _Pattern(re.compile(_alts(alternatives)), _Form.SPACED)


# ------------------------------------------------------------------------ shared vocabulary

# People whose absence is an emergency (used with "missing" phrases).
_EN_PERSON = (
    r"son|daughter|child|children|kid|kids|baby|toddler|boy|girl|\d+[ -]?(?:yo|y/o|years?[- ]old)"
    r"|mom|mum|mother|dad|father|grand(?:ma|pa|mother|father|son|daughter)|husband|wife"
    r"|brother|sister|dementia|alzheimer'?s"
)
_PT_PERSON = (
    r"filh[oa]s?|crianca|criancas|bebe|menin[oa]|mae|pai|avo|marido|esposa|irma[o]?|demencia|alzheimer"
)
_ES_PERSON = r"hij[oa]s?|nin[oa]s?|nen[ea]|bebe|mama|madre|papa|padre|abuel[oa]|esposo|esposa|marido|demencia"
_ID_PERSON = r"anak(?:nya)?|putra|putri|bayi|ibu|ayah|bapak|nenek|kakek|suami|istri|adik|demensia|pikun"
_TL_PERSON = r"anak|baby|lola|lolo|nanay|tatay|mama|papa|asawa|kapatid|bunso|dementia"
_VI_PERSON = r"con|chau|be|em be|ba|me|bo|ong|vo|chong"
_NE_PERSON = (
    r"chhora|chora|chhori|chori|baccha|bachha|bachcha|babu|nani|aama|ama|buba|baba|hajurama|hajurbuba"
    r"|logne|shriman|shrimati|shreemati"
)
_KO_PERSON = (
    r"아이(?!디|폰|패드|템)|(?<!장|연)애(?!플|니)|아들|딸|아기|어머니|엄마|아버지|아빠|할머니|할아버지"
    r"|시어머니|시아버지|남편|아내|동생|치매"
)
_ZH_PERSON = (
    r"孩子|小孩|儿子|兒子|女儿|女兒|宝宝|寶寶|孙子|孫子|孙女|孫女|老人|爸|妈|媽|奶奶|爷爷|爺爺|外婆|外公"
    r"|老公|老婆|丈夫|妻子|弟弟|妹妹|他|她"
)
_JA_PERSON = (
    r"子ども|子供|こども|息子|むすこ|娘|むすめ|父|母|ちち|はは|おとうさん|おかあさん|祖母|祖父|おばあ|おじい"
    r"|夫|おっと|妻|つま|赤ちゃん|あかちゃん|弟|妹|おとうと|いもうと|園児|生徒|認知症|にんちしょう"
)
_TH_PERSON = r"ลูก|เด็ก|แม่|พ่อ|ยาย|ปู่|ย่า|คุณตา|สามี|ภรรยา|แฟน|น้อง|หลาน"
_MY_PERSON = r"ကလေး|သား|သမီး|အမေ|အဖေ|အဘွား|အဘိုး|ယောက်ျား|မိန်းမ|ဇနီး|ညီ|မောင်"
_SI_PERSON = r"දරුව|පුතා|දුව|ළමය|අම්මා|තාත්තා|ආච්චි|සීයා|මහත්තයා|බිරිඳ|නංගි|මල්ලි"
_NE_DEV_PERSON = r"छोरा|छोरी|बच्चा|बाबु|नानी|आमा|बुबा|हजुरआमा|हजुरबुबा|श्रीमान|श्रीमती"

# "n't" forms: a bounded pattern cannot start inside "don't", so list them whole.
_NT = r"(?:\w+n't|dont|doesnt|didnt|isnt|wasnt|cant|wont|arent|aint|couldnt|wouldnt|hasnt|havent)"
# A stroke or heart attack in the past ("after his stroke last year") is a care question, not an emergency.
_PAST_LATIN = (
    r"last (?:year|month)|years? ago|rehab\w*|history of|ano passado|anos atras|reabilita\w*"
    r"|depois d[oa] (?:avc|derrame|infarto)"
    r"|el ano pasado|hace \w+ anos|rehabilita\w*|tahun lalu|pasca|bekas stroke|noong isang taon"
    r"|nakaraang taon"
    r"|nam ngoai|nam truoc|di chung|phuc hoi chuc nang"
)
# Negations right before a phrase ("not suicidal", "not in crisis").
_EN_NEGATED = r"(?:\bnot|\bno|\bnever|n't|\bwithout)\s+(?:\w+\s+){0,2}"

# ------------------------------------------------------------------------------------ cues

_CUES: tuple[tuple[str, tuple[_Pattern, ...]], ...] = (
    (
        "unconscious / unresponsive",
        (
            # en
            _lat(
                r"unconscious(?:ness)?",
                r"unresponsive",
                r"pass(?:ed|es|ing) out",
                r"faint(?:ed|ing)",
                r"blacked out",
                r"knocked out",
                r"lost consciousness",
                r"(?:collapsed|collapses|collapsing)|(?:might|may|could) have (?:collapsed|fallen"
                r"|passed out)",
                r"(?:won'?t|will not|can'?t|cannot|could ?n'?t|does ?n'?t|did ?n'?t|is ?n'?t|not) (?:wake"
                r"|waking)"
                r"(?: \w+)? up",
                r"(?:can'?t|cannot|could ?n'?t) wake (?:him|her|them)",
                r"(?:is ?n'?t|not|is not|does ?n'?t|did ?n'?t|won'?t|stopped) (?:respond|responding|react"
                r"|reacting)"
                r"(?! to (?:my|our|the|us|e-?mails?|messages?|calls?|letters?))",
                unless=r"e-?mail|message|letter|landlord|company|office|school|app\b|website|line\b|business"
                r"|economy|market|sometimes|often|feel like|anemi|when (?:i )?stand|once|last (?:year|month"
                r"|week)"
                r"|years? ago",
            ),
            # pt / es
            _lat(
                r"desmai\w*",
                r"inconscien\w*",
                r"(?:nao|sem) (?:acorda|responde|reage|reagir|responder|acordar)",
                r"perdeu (?:a consciencia|os sentidos)",
                r"desmay\w*",
                r"no (?:reacciona|responde|despierta|se despierta)",
                r"perdio (?:el conocimiento|la conciencia|el sentido)",
                unless=r"mensag|e-?mail|whats|carta|dono|imobiliaria|empresa|correo|casero|dueno",
            ),
            # id
            _lat(
                r"pingsan",
                r"(?:tidak|tak|gak|nggak|ga|enggak) sadarkan diri",
                r"(?:tidak|tak|gak|nggak|ga|enggak) sadar(?= ?(?:$|[,.!]| dan | lagi| sama sekali))",
                r"(?:hilang|kehilangan) kesadaran",
                r"(?:tidak|tak|gak|nggak|ga) (?:bangun|merespon|respon|bereaksi)(?:-bangun)?",
                unless=r"pesan|email|chat|\bwa\b|surat|kantor|perusahaan|pagi",
            ),
            # tl
            _lat(
                r"nawalan (?:siya |sya )?ng malay",
                r"walang malay",
                r"(?:na|nag)?himatay",
                r"hinimatay",
                r"(?:hindi|di|ayaw) (?:na )?(?:gumigising|magising|nagigising|gumising|dumidilat"
                r"|sumasagot pag tinatawag"
                r"|gumagalaw|kumikilos|nagrereact|nagre-react)",
            ),
            # vi
            _lat(
                r"bất tỉnh|bat tinh",
                r"ngất(?: xỉu)?|ngat xiu|xỉu",  # not "xiu": "một xíu" is "a little"
                r"hôn mê|mê man",  # not "hon me": "hơn mẹ"
                r"(?:gọi|lay|kêu|đánh thức)(?: \w+){0,3} (?:không|chẳng) (?:tỉnh|dậy)",
                r"(?:goi|lay|keu)(?: \w+){0,3} (?:khong|ko|k) (?:tinh|day)(?! phi| tien| cuoc| thue)",
                r"(?:không|khong|ko) (?:còn )?(?:phản ứng|phan ung|tỉnh táo)",
                r"(?:mất|mat) (?:ý thức|y thuc)",
                r"ngã quỵ|nga quy",
            ),
            # ko
            _scr(
                r"의식(?:이|을)?(?:없|잃|불명|이안돌아)",
                r"기절",
                r"실신",
                r"쓰러(?:졌|지셨|져|지|짐)",
                r"정신을잃",
                r"(?:불러도|흔들어도|깨워도|때려도|불렀는데)[^.?!]{0,6}(?:대답|반응|안일어|못일어|눈을안|일어나지)",
            ),
            _scr(r"반응이없", unless=r"문자|메일|메시지|집주인|회사|답장|카톡|학교"),
            # zh
            _scr(
                r"昏迷|昏倒|晕倒|暈倒|昏过去|昏過去|晕过去|暈過去|不省人事|休克|倒地不起",
                r"失去意识|失去意識|没有意识|沒有意識|没意识|沒意識|意识不清|意識不清",
                r"突然倒下|倒下了|倒在",
                r"叫不醒|喊不醒|摇不醒|搖不醒|拍不醒",
                r"(?:叫|喊|拍|摇|搖|呼叫)(?:他|她|它|了|也|都|半天)*(?:没|沒|不)(?:有)?(?:反应|反應|应|應|醒)",
            ),
            # ja (kanji and easy hiragana; katakana is folded to hiragana)
            _scr(
                r"意識が?(?:ない|無い|不明|を失|がない|もうろう)|いしきが?(?:ない|ありません)",
                r"気を失|気絶|失神|きぜつ|しっしん(?:し|した)",
                r"倒れ(?:た|て|ま)|たおれ(?:た|て|ま)",
                r"(?:呼んでも|よんでも|ゆすっても|揺すっても|たたいても|叩いても|起こしても|おこしても)"
                r"[^。]{0,5}(?:返事|へんじ|反応|はんのう|起きな|おきな|目を|めを|答え|こたえ)",
                r"反応が?ない|はんのうが?ない",
                unless=r"木が|看板|棚|家具",
            ),
            # th
            _scr(
                r"หมดสติ|ไม่รู้สึกตัว|ไม่ได้สติ|สลบ|ไม่ตอบสนอง|หน้ามืดล้ม|เป็นลมล้ม|เป็นลมหมด",
                r"เรียก(?:แล้ว|ก็)?(?:ไม่ตอบ|ไม่ตื่น|ไม่รู้สึก)|ปลุก(?:แล้ว|ก็)?ไม่ตื่น|ไม่ฟื้น",
            ),
            # my
            _scr(
                r"သတိလစ်|သတိမေ့|မေ့မြော|သတိ(?:လုံးဝ)?မရ(?:ဘူး|တော့|ပါ)",
                # "လဲကျ" must not be "...လဲ ကျွန်တော်" (question particle + "I"): no vowel sign may follow.
                r"ခေါ်(?:လို့|တာ|ပေမဲ့)?မထူး|နှိုး(?:လို့|တာ)?မ(?:ရ|နိုး|ထ)(?![\u102b-\u103e])"
                r"|လဲကျ(?![\u102b-\u103e])",
            ),
            # si
            _scr(
                r"සිහිය(?:ක්)?නැ|සිහිසුන්|සිහිය(?:නැති|නැතිවුණා)|ක්ලාන්ත|ඇදවැටුණා|කඩාවැටුණා",
                r"(?:කතාකළාට|කතාකරාට|ඇහැරෙව්වට|අඬගැහුවට)[^.]{0,10}(?:උත්තර|ඇහැරෙන්නේනැ|නැගිටින්නේනැ)",
            ),
            # ne (Devanagari)
            _scr(
                r"बेहोस|बेहोश|होस(?:मा)?छैन|होश(?:मा)?छैन|मूर्छा|मुर्छा|चेतना(?:छैन|गुम)",
                r"ढल्नु(?:भयो|भो)|ढल्यो|ढलिन्|ढले|ढलिनु",
                r"बोलाउँदा(?:पनि)?(?:बोल्नुहुन्न|बोल्दैन|बोल्दिन|उठ्दैन|उठ्नुहुन्न)",
            ),
            # ne / hi romanised
            _lat(
                r"beho(?:s|sh)",
                r"ho(?:s|sh) (?:chh?aina|xaina|ma chh?aina|mein nahi|me nahi|nahi hai)",
                r"murchh?a",
                r"dhal(?:yo|nu bhayo|nubhayo|i)",
                r"uth?dai uth?daina|(?:bolaunda|hallauda|hallaunda|uthauda|uthaunda)(?: pani)? (?:uthdaina"
                r"|boldaina|uthena|bolena)",
                r"nahi? uth (?:raha|rahi|rahe)",
            ),
            # other languages (hi, bn, ru, fr, mn, uz): the commonest phrases only
            _scr(
                r"बेहोश|होशमेंनहीं|जाग(?:नहीं|नही)(?:रहा|रही)|অজ্ঞান|জ্ঞানহারা|безсознания"
                r"|потерял(?:а)?сознание|ухаанаа"
            ),
            _lat(
                r"(?:ne )?(?:repond|respire) plus",
                r"hushidan ketdi",
                r"sans connaissance",
                r"perdu connaissance",
            ),
        ),
    ),
    (
        "breathing difficulty",
        (
            # en
            _lat(
                r"(?:can'?t|cannot|can not|could ?n'?t|unable to|struggling to|hard to|trouble|difficulty"
                r"|difficult to)"
                r" (?:\w+ )?breath(?:e|ing)?",
                r"(?:not|" + _NT + r"|no longer|stopped|stop) (?:\w+ ){0,2}breathing",
                r"(?:do ?n'?t|do not) think (?:he|she|they|it)(?:'s| is| are|'re) breathing",
                r"barely breathing|gasping(?: for air)?|short(?:ness)? of breath|choking for air",
                r"breathing (?:is |sounds |looks )?(?:weird|strange|odd|funny|shallow|irregular|very weak"
                r"|noisy|rattling)",
                r"(?:lips?|face) (?:is |are |turning |turned |went |look )?(?:blue|purple|grey|gray)",
                r"turning blue",
                r"asthma attack",
                unless=_EN_NEGATED + r"(?:trouble|problem|difficulty)|breathing (?:is )?(?:fine|ok|normal)"
                r"|sometimes|usually|history|last (?:year|month|week)",
            ),
            # pt
            _lat(
                r"(?:nao|sem|parou de|mal|dificuldade (?:de|para|pra)|custando a) (?:\w+ ){0,2}respir\w*",
                r"respira(?:ndo|cao) (?:muito |bem )?(?:mal|devagar|fraca|fraco|estranh[oa]|com dificuldade"
                r"|rapido demais)",
                r"falta de ar",
                r"(?:ficando|esta|ta|fica) (?:todo |toda )?rox[oa]",
                r"labios? rox[oa]s?",
                r"sufoca\w*",
                unless=r"respira(?:ndo)? (?:bem|normal)(?! devagar| fraco| mal)",
            ),
            # es
            _lat(
                r"(?:no|sin|dejo de|apenas|dificultad para|le cuesta|le cuesta mucho) (?:\w+ ){0,2}respir\w*",
                r"respira (?:raro|mal|con dificultad|muy rapido)",
                r"falta de aire",
                r"se (?:esta )?(?:poniendo|puso) morad[oa]",
                r"labios morados",
                r"se (?:esta )?asfixi\w*|asfixia\w*",
                unless=r"respira (?:bien|normal)",
            ),
            # id
            _lat(
                r"(?:susah|sesak|sulit|tidak bisa|tak bisa|gak bisa|nggak bisa|ga bisa|tidak|kesulitan"
                r"|sukar) "
                r"(?:ber)?na[fp]as",
                r"na[fp]as(?:nya)? (?:berhenti|ngorok|tersengal\w*|megap\w*|tidak ada|lemah|pendek|sesak"
                r"|susah|berbunyi)",
                r"henti na[fp]as",
                r"(?:bibir|muka|wajah)(?:nya)? (?:mem)?biru",
                r"membiru",
            ),
            # tl
            _lat(
                r"(?:hirap|nahihirapan(?:g)?|nahirapan(?:g)?) (?:siya |sya |ako |na )?(?:huminga"
                r"|sa paghinga)",
                r"(?:hindi|di) (?:na )?(?:makahinga|humihinga|nakakahinga)",
                r"hinihingal|kinakapos (?:ng|sa) hininga|walang hininga",
                r"(?:nangingitim|nangangasul|nagiging violet|violet na|kulay ube)(?: na)?(?: ang)? (?:labi"
                r"|mukha)",
            ),
            # vi
            _lat(
                r"khó thở|kho tho",
                r"(?:không|khong|ko|k|chẳng) (?:thể )?thở (?:được|nổi)|khong the tho|khong tho (?:duoc|noi)"
                r"|ko tho duoc",
                r"ngừng thở|ngung tho|tắt thở|tat tho|ngạt thở|ngat tho",
                r"thở (?:rất |quá |hơi )?(?:yếu|gấp|khò khè|rít|dốc)|tho (?:rat |qua )?(?:yeu|gap|kho khe"
                r"|rit)",
                # only with diacritics: without them these read "tìm tài liệu", "mới tìm"
                r"tím tái|môi (?:bị )?tím|mặt tím",
                r"thở không ra hơi|nói không ra hơi|noi khong ra hoi|tho khong ra hoi",
            ),
            # ko
            _scr(
                r"숨(?:을|이)?(?:잘)?(?:못|안)쉬",
                r"숨(?:쉬기|쉬는게|쉬는것이)(?:힘들|어렵|곤란)",
                r"숨이(?:막히|멎|안쉬|넘어가|가빠)",
                r"호흡(?:곤란|이없|이멈|이이상|이힘|을안)",
                r"숨소리가이상|쌕쌕|청색증",
                r"입술이(?:파랗|파래|보라|새파)",
            ),
            # zh
            _scr(
                r"呼吸困难|呼吸困難|呼吸急促|呼吸很弱|呼吸微弱|呼吸停止|停止呼吸|没有呼吸|沒有呼吸|没呼吸|沒呼吸|不能呼吸|无法呼吸|無法呼吸",
                r"喘不(?:上|过|過)(?:气|氣)|透不过气|透不過氣|上不来气|上不來氣|窒息|憋得",
                r"(?:嘴唇|嘴巴|脸|臉)(?:都|已经|已經)?(?:发紫|發紫|发青|發青|青紫|变紫|變紫)",
            ),
            # ja
            _scr(
                r"息(?:が|を)?(?:でき|出来|苦し|して(?:い)?ない|止ま|とま|変|おかし|荒)",
                r"いき(?:が|を)?(?:できない|できません|くるし|して(?:い)?ない|してません|とまっ|へん|おかしい)",
                r"呼吸(?:が|を)?(?:でき|苦し|して(?:い)?ない|止ま|変|おかし|困難)",
                r"(?:唇|くちびる)(?:が)?(?:紫|むらさき|青|あお)",
                r"ちあのーぜ|ひゅーひゅー|ぜーぜー|ぜいぜい",
            ),
            # th
            _scr(
                r"หายใจ(?:ไม่ออก|ลำบาก|ไม่ได้|ติดขัด|แผ่ว|ไม่ทัน|ไม่สะดวก|หอบ)|ไม่หายใจ|หยุดหายใจ",
                r"(?:หน้า|ปาก|ริมฝีปาก)(?:เริ่ม)?(?:เขียว|ม่วง)",
            ),
            # my
            _scr(
                r"အသက်ရှူ[^။၊]{0,6}(?:ခက်|မရ|မမှန်|ကြပ်|ကျပ်|မဝ|ရပ်)|အသက်မရှူ",
                r"နှုတ်ခမ်း(?:တွေ)?(?:ပြာ|မဲ)",
            ),
            # si
            _scr(
                r"හුස්ම[^.]{0,8}(?:බැ|අමාරු|හිර|නැ|නවති)",
                r"තොල්(?:නිල්|දම්)",
            ),
            # ne (Devanagari and romanised)
            _scr(
                r"सास(?:फेर्न|लिन)(?:गाह्रो|सकेन|सक्दैन|सक्दैनन्|सकिरहेको)|सास(?:रोकियो|छैन|फेरेको छैन"
                r"|फेरेकोछैन)",
                r"ओठ(?:निलो|नीलो)",
                r"साँसनहीं|सांसनहीं|শ্বাস(?:নিতে)?(?:পারছেনা|নিচ্ছেনা)|недышит|задыха|труднодышать"
                r"|амьсгал(?:ж)?чадахгүй",
            ),
            _lat(
                r"sas (?:f|ph)ern[au] (?:sakdaina|sakena|gahro|garo|gaaro|muskil)|sas lin[ae] (?:sakdaina"
                r"|sakena|gahro|garo|gaaro)",
                r"sas (?:rokiyo|aaudaina|audaina|chh?aina)",
                r"othh? nilo",
                r"saa?ns (?:nahi|lene mein)",
                r"nafas ololmay",
                r"du mal a respirer|respire mal",
            ),
        ),
    ),
    (
        "choking",
        (
            _lat(
                r"chok(?:ing|ed) on",
                r"(?:is|he's|she's|baby's|kid's) choking",
                r"stuck in (?:his|her|my|the|their) throat",
                unless=r"choked on (?:my|his|her) words|laugh",
            ),
            _lat(r"engasg\w*", r"se atragant\w*|atragantad[oa]|se le atoro|atorad[oa]"),
            _lat(r"tersedak|keselek|tersangkut di tenggorokan"),
            _lat(r"(?:na)?bulunan|nabubulunan|nabilaukan|naipit sa lalamunan"),
            _lat(
                r"bị hóc|hóc (?:xương|kẹo|đồ|dị vật|hạt)|hoc (?:xuong|keo|di vat)", r"sặc|bi sac (?:sua|nuoc)"
            ),
            _lat(r"mắc nghẹn|mac nghen|nghẹn (?:thạch|kẹo|đồ ăn|thức ăn)|nghen (?:thach|keo|do an|thuc an)"),
            _scr(r"목에[^.?!]{0,6}(?:걸렸|걸려|막혔)|질식"),
            _scr(r"噎住|噎到|卡(?:在|到|住)(?:了)?(?:喉咙|喉嚨|嗓子)|(?:喉咙|喉嚨|嗓子)(?:里|裡)?卡"),
            _scr(r"(?:喉|のど)に(?:詰ま|つま)|(?:詰ま|つま)らせ|窒息|ちっそく"),
            _scr(r"สำลัก|ติดคอ"),
            _scr(r"လည်ချောင်း(?:ထဲ|မှာ)?[^။]{0,6}(?:ဆို့|တစ်)|နင်(?:သွား|နေ)"),
            _scr(r"උගුරේ[^.]{0,10}හිර"),
            _scr(r"घाँटीमा(?:केही)?(?:अड्कियो|अड्किएको|अट्कियो)"),
            _lat(r"ghanti ma (?:adkiyo|atkiyo|adkyo|atkyo|adkieko)"),
        ),
    ),
    (
        "heavy bleeding",
        (
            # en
            _lat(
                r"bleed(?:ing|s)? (?:a lot|heavily|badly|profusely|everywhere|nonstop|non-stop|so much"
                r"|really bad)",
                r"(?:won'?t|will not|can'?t|does ?n'?t|is ?n'?t|not) stop(?:ping)? bleeding"
                r"|bleeding (?:won'?t|will not|does ?n'?t) stop",
                r"(?:a lot of|lots of|so much|too much|heavy|massive|much) (?:blood|bleeding)",
                r"blood (?:is )?(?:everywhere|pouring|gushing|spurting|soaking)",
                r"ha?emorrhag\w*",
                r"deep cut",
                unless=_EN_NEGATED + r"(?:a lot of )?blood|blood test|blood pressure|nose ?bleed|gums",
            ),
            # pregnancy + any bleeding
            _lat(
                r"bleed\w*",
                unless=r"light|a little|slight|small amount|spotting|gums|nose",
                also=r"pregnan\w*|miscarr\w*",
            ),
            # pt
            _lat(
                r"sangr(?:ando|a|ou) (?:muito|demais|bastante|sem parar|muito forte)",
                r"(?:muito|tanto|bastante) sangue",
                r"sangramento (?:forte|intenso|muito)",
                r"hemorragia",
                r"(?:nao|sem) para(?:r)? de sangrar|sangue nao para",
                r"jorrando sangue",
            ),
            _lat(r"sangr\w*", also=r"gravida|gestante|gravidez|semanas de gestacao"),
            # es
            _lat(
                r"sangr(?:a|ando|o) (?:mucho|muchisimo|demasiado|sin parar)",
                r"(?:mucha|muchisima|tanta) sangre",
                r"sangrado (?:abundante|fuerte|intenso|mucho)",
                r"hemorragia",
                r"no (?:para|deja|paraba) de sangrar",
            ),
            _lat(r"sangr\w*", also=r"embarazad[ao]|embarazo"),
            # id
            _lat(
                r"pe(?:n|r)darahan(?: hebat| banyak)?",
                r"darah(?:nya)? (?:banyak|tidak berhenti|gak berhenti|nggak berhenti|ga berhenti"
                r"|terus keluar|mengucur|muncrat|terus)",
                r"(?:banyak|banyak sekali) darah",
                r"berdarah (?:banyak|terus|parah|hebat|deras)",
                unless=r"tes darah|cek darah|tekanan darah|gula darah|darah tinggi",
            ),
            _lat(
                r"keluar darah|flek|berdarah|pe(?:n|r)darahan",
                unless=r"tes|cek|periksa|gula darah|tekanan darah",
                also=r"hamil|kehamilan|keguguran",
            ),
            # tl
            _lat(
                r"(?:ang )?(?:daming|dami ng|maraming|sobrang daming) dugo",
                r"duguan",
                r"(?:ayaw|hindi|di) (?:tumigil|tumitigil|huminto)(?: ang| ng)? (?:pagdurugo|dugo)",
                r"dumudugo (?:nang )?(?:marami|malala|sobra|ayaw)",
            ),
            _lat(
                r"dinudugo|dumudugo|pagdurugo|nagdudugo|(?:may )?lumabas na dugo",
                also=r"buntis|nagbubuntis|pregnant|nakunan",
            ),
            # vi
            _lat(
                r"chảy máu (?:nhiều|không (?:cầm|ngừng|dừng)|rất nhiều|quá)|chay mau (?:nhieu|khong (?:cam"
                r"|ngung|dung)|rat nhieu|qua)",
                r"máu chảy (?:nhiều|không|rất|quá|lênh láng)|mau chay (?:nhieu|khong|rat|qua)",
                r"(?:ra|mất|chảy) (?:rất )?nhiều máu|(?:ra|mat|chay) (?:rat )?nhieu mau|mất máu"
                r"|ra máu nhiều|ra mau nhieu",
                r"(?:không|khong|ko) cầm (?:được )?máu|khong cam (?:duoc )?mau|cầm máu không được"
                r"|cam mau khong duoc",
                r"băng huyết|bang huyet",
                r"(?<!sốt )xuất huyết(?! giảm tiểu cầu)",
            ),
            _lat(r"ra máu|ra mau|chảy máu|chay mau", also=r"mang thai|co thai|co bau|bau|say thai"),
            # ko
            _scr(
                r"피가(?:많이|너무많이|엄청|계속|안멈|멈추지|철철|줄줄|펑펑|콸콸)",
                r"출혈(?:이)?(?:심|많|계속|이안멈)|대량출혈|과다출혈|피를많이|피투성이",
                r"하혈",
            ),
            _scr(r"출혈|피가", also=r"임신|임산부|유산"),
            # zh
            _scr(
                r"大量出血|大出血|流了?很多血|流了?好多血|血流不止|止不住血|血止不住|止不住的血|出血不止|一直(?:在)?流血|血一直(?:在)?流",
                r"满身是血|滿身是血|全是血|都是血|很多血|好多血|失血|血流如注",
            ),
            _scr(r"出血|见红|見紅|流血", also=r"怀孕|懷孕|孕妇|孕婦|怀了|懷了|流产|流產"),
            # ja
            _scr(
                r"(?:血|出血)が?(?:止まらない|とまらない|止まりません|とまりません|ひどい|すごい|大量|たくさん|いっぱい)",
                r"大量(?:に)?出血|大出血|多量の出血|血だらけ|血まみれ|ちだらけ|ちまみれ|しゅっけつ(?:が)?(?:とまらない|ひどい)",
            ),
            _spaced(r"(?:^| )ち ?(?:が|は)? ?(?:とまらない|とまりません|たくさん|いっぱい|すごい|どくどく)"),
            _scr(r"出血|しゅっけつ", also=r"妊娠|にんしん|妊婦|にんぷ|流産"),
            # th
            _scr(
                r"เลือด(?:ไหล|ออก)(?:ไม่หยุด|มาก|เยอะ|ทะลัก|ไม่ยอมหยุด|เต็ม)|เลือดท่วม|ตกเลือด|เสียเลือด"
                r"|เลือดพุ่ง|เลือดสาด",
            ),
            _scr(r"เลือดออก|เลือดไหล", also=r"ตั้งครรภ์|ท้อง(?:ได้|\d)|คนท้อง|แท้ง"),
            # my
            _scr(
                r"သွေး(?:တွေ)?(?:အများကြီး|အရမ်း|များများ|တအား)",
                r"သွေး(?:ထွက်|ဆင်း|ယို)?(?:တာ)?(?:မတိတ်|မရပ်)",
                r"သွေးသွန်",
            ),
            _scr(r"သွေး(?:ဆင်း|ထွက်|ယို)", also=r"ကိုယ်ဝန်|ကိုယ်ဝန်ဆောင်"),
            # si
            _scr(r"ලේ(?:ගොඩක්|ගොඩාක්|ගලනවා|ගලන්න|නවතින්නේනැ|නවත්තන්නබැ|වහනය)|රුධිරවහනය|අධිකලේ"),
            _scr(r"ලේ(?:යනවා|ගියා|එනවා|ආවා|ගලනවා|යන්න)", also=r"ගැබිනි|ගර්භණී|බඩේ(?:ඉන්න)?දරු"),
            # ne / hi
            _scr(
                r"धेरै(?:नै)?रगत|रगत(?:बगिरहेको|बगेको|बग्यो|रोकिएन|रोकिँदैन|रोकिदैन|थामिएन|थामिँदैन"
                r"|रोकिंदैन)|रक्तस्राव",
                r"बहुतखून|खून(?:बह|नहींरुक)",
            ),
            _scr(r"रगत(?:बग|आयो|आइरहेको|देखियो|जान)", also=r"गर्भवती|गर्भ|पेटमा(?:बच्चा)"),
            _lat(
                r"dherai ragat|ragat (?:bagiraheko|bagyo|bageko|rokiyena|rokidaina|thamiyena|roki(?:y|e)na)",
                r"bahut khoon|khoon (?:beh|nahi ruk)",
            ),
            _lat(
                r"ragat (?:bagyo|aayo|aairacha|aairachha|dekhiyo|jadai)",
                also=r"garbhawati|garbhavati|pregnant",
            ),
            _scr(r"кровотечен|многокрови|кровьнеостанав"),
            _lat(r"saigne (?:beaucoup|abondamment)|beaucoup de sang|hemorragie"),
        ),
    ),
    (
        "serious fall / head injury",
        (
            # A knock on the head alone is a HIGH question ("he hit his head but is playing"); it
            # becomes an emergency with a warning sign (vomiting, drowsiness, blood, fits).
            _lat(
                r"(?:hit|hits|banged|bumped|smashed|cracked|struck) (?:his|her|my|their|the back of (?:his"
                r"|her|my)) head",
                also=r"vomit\w*|throw(?:ing|n)? up|threw up|unconscious|wake|waking|sleepy|drowsy|bleed\w*"
                r"|blood|seizure"
                r"|confused|respond\w*|limp",
            ),
            _lat(
                r"head (?:injury|injuries|wound|trauma)|skull|concussion",
                r"fell (?:down|from|off|out of) (?:the |a |his |her |our )?(?:stairs|staircase|balcony"
                r"|window|roof|ladder"
                r"|height|building|veranda)",
                r"fall(?:en)? from (?:the |a )?(?:balcony|window|roof|height|building)",
                r"(?:blood|bleeding) (?:from|on) (?:his|her|my|the) head",
            ),
            _lat(
                r"bateu (?:com )?a cabeca|se (?:golpeo|pego|dio|lastimo) (?:en )?la cabeza"
                r"|golpe (?:fuerte )?en la cabeza",
                also=r"vomit\w*|sangue|sangr\w*|sonolent\w*|desmai\w*|desmay\w*|(?:nao|no) (?:acorda"
                r"|despierta|responde)|confus\w*"
                r"|convuls\w*|mole",
            ),
            _lat(
                r"caiu (?:da|do|de|pela) (?:escada|janela|varanda|sacada|telhado|predio|altura)",
                r"traumatismo (?:craniano|craneal|craneoencefalico)",
                r"(?:sangue|sangrando) (?:na|da) cabeca",
                r"se cayo (?:de|por|desde) (?:las |la |el )?(?:escaleras?|balcon|ventana|techo|azotea"
                r"|altura)",
                r"sangre (?:en|de) la cabeza",
            ),
            _lat(
                r"kepala(?:nya)? terbentur|terbentur kepala(?:nya)?",
                also=r"muntah|darah|berdarah|pingsan|ngantuk|lemas|kejang|tidak sadar",
            ),
            _lat(
                r"kepala(?:nya)? (?:bocor|berdarah)|cedera kepala|gegar otak",
                r"jatuh dari (?:tangga|balkon|jendela|atap|lantai \d+|ketinggian|gedung)",
            ),
            _lat(
                r"(?:nahulog|nalaglag|bumagsak|nadulas) (?:siya |sya )?(?:sa|mula sa|galing sa) "
                r"(?:hagdan|bintana|balkonahe|balcony|bubong|taas|mataas)",
                r"(?:may )?dugo (?:sa|ang) ulo|nabasag ang ulo",
            ),
            _lat(
                r"(?:nabagok|nauntog|tumama) ang ulo|(?:nabagok|nauntog) (?:siya|sya)",
                also=r"nagsusuka|suka|dugo|gumigising|antok|hinimatay|malay|nangingisay",
            ),
            _lat(
                r"đập đầu|dap dau|va đầu",
                also=r"non|oi|mau|li bi|bat tinh|co giat|buon ngu|lo mo|khong tinh|ngat",
            ),
            _lat(
                r"chấn thương sọ não|chan thuong so nao",
                r"(?:ngã|té|rơi|nga|te|roi) (?:\w+ )?(?:cầu thang|cau thang|từ ban công|tu ban cong|từ tầng"
                r"|tu tang|từ trên cao"
                r"|tu tren cao|từ cửa sổ|tu cua so)",
                r"(?:chảy máu|chay mau) (?:ở |o )?đầu|máu (?:ở |chảy ở )?đầu",
            ),
            _scr(r"머리를?(?:부딪|다쳤|박았|찧|크게)", also=r"토|구토|피|의식|졸려|축처|경련|반응"),
            _scr(
                r"머리(?:에서|에)피|두부외상|뇌진탕",
                r"(?:계단|베란다|창문|높은곳|지붕|난간)(?:에서|으로)?(?:떨어졌|떨어져|굴러|추락)|추락",
            ),
            _scr(r"撞到(?:了)?(?:头|頭)|磕到(?:了)?(?:头|頭)", also=r"吐|血|昏|睡|叫不醒|抽搐|没反应|沒反應"),
            _scr(
                r"(?:头|頭)(?:部)?(?:受伤|受傷|破|流血|出血)|头破血流|頭破血流|脑震荡|腦震盪",
                r"(?:从|從)[^，。]{0,6}(?:楼梯|樓梯|阳台|陽台|窗|楼上|樓上|高处|高處)[^，。]{0,3}(?:摔|掉|跌|坠|墜|滚|滾)"
                r"|(?:摔|滚|滾|跌)下(?:楼梯|樓梯)|坠楼|墜樓",
            ),
            _scr(
                r"頭を?(?:打|強打|ぶつけ|ぶっつけ)|あたまを?(?:うっ|うち|ぶつけ)",
                also=r"吐|はいて|はいた|血|ぐったり|ねむ|眠|意識|いしき|けいれん|痙攣|へんじ|返事",
            ),
            _scr(
                r"頭から血|あたまからち",
                r"(?:階段|かいだん|べらんだ|窓|まど|屋根|やね|高い所|たかいところ)から(?:落|おち|転|ころ)|転落|墜落",
            ),
            _scr(r"(?:หัว|ศีรษะ)(?:ฟาด|กระแทก|โขก)", also=r"อาเจียน|อ้วก|เลือด|ซึม|หมดสติ|ชัก"),
            _scr(
                r"(?:หัว|ศีรษะ)แตก|เลือดออก(?:ที่)?(?:หัว|ศีรษะ)",
                r"ตก(?:บันได|จากที่สูง|จากระเบียง|จากหน้าต่าง|ตึก)|กลิ้งตกบันได",
            ),
            _scr(r"ခေါင်း(?:ကို)?(?:ထိ|ဆောင့်)", also=r"အန်|သွေး|သတိ|အိပ်ငိုက်"),
            _scr(
                r"ခေါင်း(?:ကို)?(?:ကွဲ|ဒဏ်ရာ)",
                r"(?:လှေကား|အမြင့်|ဝရန်တာ|ပြတင်းပေါက်)[^။]{0,8}(?:ပြုတ်ကျ|လိမ့်ကျ|ကျ)(?![\u102b-\u103e])",
            ),
            _scr(r"(?:හිස|ඔළුව|ඔලුව)(?:ට)?(?:වැදුණා|වැදිලා|ගැටුණා)", also=r"වමනය|ලේ|සිහිය|නිදිමත"),
            _scr(
                r"(?:හිස|ඔළුව|ඔලුව)(?:ට)?(?:තුවාල|පැලුණා)|(?:හිසෙන්|ඔළුවෙන්)ලේ",
                r"(?:පඩිපෙළෙන්|පඩිපෙලෙන්|උසතැනකින්|බැල්කනියෙන්|ජනේලයෙන්)[^.]{0,6}වැටුණා",
            ),
            _scr(r"टाउको(?:मा)?(?:ठोकियो|ठोक्कियो)", also=r"बान्ता|रगत|होस|बेहोस"),
            _scr(
                r"टाउको(?:मा)?(?:चोट|फुट्यो)|टाउकोबाटरगत",
                r"(?:सिँढी|सिढी|भर्याङ|बालकोनी|झ्याल|छत|अग्लो)(?:बाट)?(?:लड्यो|खस्यो|झर्यो|लडे|खसे)",
            ),
            _lat(
                r"tauko (?:ma )?(?:chot|futyo|phutyo)|tauko bata ragat",
                r"(?:sidhi|sindhi|bharyang|balcony|jhyal|chhat) bata (?:khasyo|ladyo|jharyo|lade|khase)",
            ),
        ),
    ),
    (
        "violence / abuse",
        (
            # en
            _lat(
                r"(?:hit|hitting|hits|beat|beats|beating|beaten|punch(?:ed|ing|es)?|kick(?:ed|ing|s)?"
                r"|slap(?:ped|ping|s)?"
                r"|chok(?:ed|ing)|strangl(?:ed|ing|es)?|attack(?:ed|ing|s)?|assault(?:ed|ing|s)?"
                r"|stabb?(?:ed|ing)?|push(?:ed|ing)?|shov(?:ed|ing))"
                r" (?:me|us|my (?:wife|mom|mum|mother|kids?|children|son|daughter|baby)|her|him)",
                r"beat(?:en)? up|domestic violence|\bdv\b|abus(?:ive|ing|es) (?:me|us|my)"
                r"|sexual(?:ly)? assault\w*|rap(?:ed|e)",
                r"(?:threaten\w*|going|gonna|trying|wants?|said (?:he|she)(?:'d| would"
                r"| will)) (?:to )?(?:kill|hurt|stab) (?:me|us|my|her|him)",
                r"(?:he|she|they)(?:'ll| will) kill (?:me|us|my)",
                # not "with a knife": "I cut my hand with a knife" is bleeding, not violence
                r"(?:has|had|holding|grabbed|took|pulled|brought|carrying|waving|pointing|got"
                r"|came at me with|threatening me with|threatened me with)"
                r" (?:a |the |his |her |out a )?(?:kitchen )?(?:knife|gun|weapon|machete)",
                r"(?:outside|at|in front of) (?:my|our|the) (?:door|house|apartment|room|window) with a"
                r" (?:knife|gun|weapon|machete)|(?:came|coming|standing|waiting) (?:\w+ ){0,3}with a"
                r" (?:knife|gun|weapon|machete)",
                r"(?:break|breaking) in(?:to)? (?:my|our|the) (?:house|apartment|room|flat|home)"
                r"|trying to break in|intruder",
                r"(?:banging|kicking|pounding) on (?:my|our|the) door",
                unless=r"(?:car|bike|bicycle|ball) (?:hit|hits)|hit (?:me|us) (?:up|back)|heat|deadline"
                r"|traffic|price|yesterday|last (?:week|month|year)|years? ago|used to|in the past",
            ),
            # pt
            _lat(
                r"(?:me|nos) (?:(?:esta|ta|fica|vive) )?(?:bate|bateu|batendo|agred\w*|espanc\w*|enforc\w*"
                r"|esganou|esganando|chut\w*|socou|estupr\w*)",
                r"(?:batendo|bateu|bate) (?:em mim|nas? crianc\w*|no meu filho|na minha filha)",
                r"violencia domestica|agressao|estupr\w*|abuso sexual",
                r"(?:ameac\w*|vai|quer|tentou|disse que vai) (?:de |me )?(?:me )?matar|vai me matar"
                r"|matar (?:a gente|nos)",
                # not "com uma faca": "cortei o dedo com uma faca" is a cut, not an attack
                r"(?:pegou|segurando|tem|tinha|puxou|trouxe|apontou|ameacou com) (?:uma |a )?"
                r"(?:faca|arma|revolver|pistola|facao)",
                r"(?:tentando|tentou) (?:entrar|arrombar)|arromb\w*",
                unless=r"ontem|semana passada|mes passado|ano passado|antigamente|costumava",
            ),
            # es
            _lat(
                r"me (?:(?:esta|estan|sigue|siguen) )?(?:pega|pego|pegando|golpe\w*|ahorc\w*|viol\w*"
                r"|agred\w*|patea\w*|abofete\w*|lastim\w*)|pegandome|golpeandome",
                r"violencia (?:domestica|de genero|familiar)|abuso sexual|me violaron|violacion",
                r"(?:amenaz\w*|va|quiere|dijo que va) (?:con |de )?(?:a )?matarme|me va a matar|que me mate"
                r"|amenaz\w* de muerte",
                r"(?:tiene|agarro|saco|sacando|trae|me amenaza con|apunto con) (?:un |el |una )?"
                r"(?:cuchillo|navaja|pistola|arma|machete)",
                r"(?:intentando|intento|quiere) (?:entrar|forzar la puerta)|forzando la puerta",
                unless=r"gripe|virus|covid|resfriado|enfermedad|pegamento|chicle|ayer|semana pasada"
                r"|mes pasado"
                r"|ano pasado",
            ),
            # id
            _lat(
                r"dipukul\w*|memukul\w*|mukulin|(?:ditendang|menendang|ditampar|menampar|dicekik|mencekik"
                r"|dianiaya|menganiaya)\w*",
                r"kdrt|kekerasan (?:dalam rumah tangga|fisik|seksual)|diperkosa|pemerkosaan"
                r"|pelecehan seksual",
                r"(?:mengancam|ancam|mau|akan|ingin) (?:mem)?bunuh (?:saya|aku|kami|anak|istri)"
                r"|bunuh (?:saya|aku|kami)",
                r"(?:bawa|membawa|pegang|memegang|acung\w*|mengacung\w*) (?:\w+ )?(?:pisau|golok"
                r"|parang|senjata|pistol)",
                r"(?:masuk paksa|mendobrak|dobrak\w*)",
                unless=r"kemarin|minggu lalu|bulan lalu|tahun lalu|dulu|sering",
            ),
            # tl
            _lat(
                r"sinaksak|sinasaksak|nasaksak|may nakapasok sa (?:bahay|kwarto|unit|apartment)"
                r"|may (?:dalang |hawak na )?baril"
                r"|sinasaktan|sinaktan|saktan (?:ako|kami)|binubugbog|binugbog|bugbugin|sinuntok|sinusuntok"
                r"|sinampal|sinasampal|sinipa"
                r"|sinakal|sinasakal|pinagbubuhatan ng kamay",
                r"papatayin (?:ako|kami|niya)|patayin (?:ako|kami)|pinagbabantaan",
                r"(?:may hawak|hawak|dala|may dalang|naglabas ng) (?:siya |sya )?(?:na |ng )?(?:kutsilyo"
                r"|baril|itak|patalim)",
                r"ginahasa|nirape|ni-rape|minolestiya",
                unless=r"kahapon|noong isang linggo|noong nakaraang|dati",
            ),
            # vi
            _lat(
                r"(?:bị|đang|hay|lại|rượu|say|chồng|nó|hắn|anh ta|anh ấy)(?: \w+)? (?:đánh|đá|tát) (?:em"
                r"|tôi|mình|vợ|con|mẹ)",
                r"(?:bi|dang|hay|lai|ruou|say|chong|no|han|anh ta|anh ay) danh (?:em|toi|minh|vo|con|me)",
                r"bị (?:\w+ ){0,4}đánh(?! thuế| giá| dấu| số| răng| thức| máy| bài| cắp| rơi| mất)"
                r"|bi danh (?:dap|vao|chay mau|bam)|đánh đập|danh dap|bạo lực|bao luc|bạo hành",
                r"bi (?:\w+ ){1,4}danh(?! (?:thue|gia|dau|so|rang|thuc|may|bai|cap|roi|mat|sach|nhau|con))",
                r"bóp cổ|bop co|siết cổ|siet co|đe dọa giết|de doa giet|dọa giết|doa giet|giết (?:em|tôi"
                r"|mình)|giet (?:em|toi|minh)",
                r"cầm dao|cam dao|cầm súng|cam sung|dí dao|di dao",
                r"hiếp dâm|hiep dam|cưỡng hiếp|cuong hiep|xâm hại|xam hai",
                r"phá cửa|pha cua|đạp cửa|dap cua",
                unless=r"hom qua|tuan truoc|thang truoc|nam ngoai|hoi truoc|ngay xua",
            ),
            # "đánh em" anywhere; without diacritics "danh" is also "dành" (set aside): exclude those uses
            _lat(
                r"(?:đánh|danh) (?:em|tôi|toi|mình|minh|vợ|vo)(?! ơi| oi)",
                unless=r"de danh|danh (?:cho|tien|gia|thoi gian|rieng|dum)|hom qua|tuan truoc|thang truoc",
            ),
            # ko
            _scr(
                r"(?<!비)때려|때렸|때리(?:고|는|면|려|기)|폭행|폭력|구타|두들겨|목을?(?:조르|졸라|졸랐)|목졸",
                unless=r"학교폭력|학폭|언어폭력|폭력적인(?:게임|영화)",
            ),
            _scr(
                r"죽이겠|죽인다|죽일거|죽여버|죽이려|죽이겠다",
                r"칼을?(?:들|들고|꺼내|휘두)|흉기|성폭행|강간|성추행",
                r"문을?(?:부수|따고|걷어차|발로차|쾅쾅)",
            ),
            # zh
            _scr(
                r"打(?:了)?我(?!电话|電話|手机|手機|的电话|的電話)|打老婆|打妻子|殴打|毆打|家暴|家庭暴力|暴力",
                unless=r"校园暴力|校園暴力|语言暴力|語言暴力|网络暴力|網路暴力|冷暴力",
            ),
            _scr(
                r"掐(?:我|她|他|住)?(?:的)?脖子|勒(?:我|住)脖子|要杀(?:了)?我|要殺(?:了)?我|杀了我|殺了我|杀死我|殺死我|威胁要杀|威脅要殺",
                r"拿(?:着|著)?(?:刀|菜刀|刀子)|持刀|动刀|動刀|拿枪|拿槍",
                r"强奸|強姦|性侵|猥亵|猥褻|强暴|強暴",
                r"撬门|撬門|砸门|砸門|踹门|踹門|闯进|闯入|闖入|闖進|砸东西|砸東西",
            ),
            # ja
            _scr(
                r"殴ら|殴る|殴っ|なぐる|なぐら|なぐっ|叩か|たたか(?:れ)|蹴ら|暴力|家庭内暴力|ぎゃくたい|虐待",
                r"(?:わたし|私|あたし|ぼく|僕|こども|子ども|子供|むすこ|息子|むすめ|娘)を?(?:たたく|叩く|たたい|叩い|なぐ|殴|ける|蹴)",
                unless=r"たりし|相談|そうだん|以前|昔|むかし|前に|まえに",
            ),
            _scr(
                # not "ころす" inside "ところ すごい" / "こころ すき" once spaces are gone
                r"首を?(?:絞め|しめ)|くびを?しめ|殺す|殺さ|(?<![とこ])ころす|ころされ",
                r"(?:刃物|ないふ|包丁|ほうちょう|はもの)(?:を)?(?:持|もっ|もち|ふりまわ|振り回)",
                r"れいぷ|性暴力|性被害|押し入|侵入",
            ),
            _lat(r"dv"),
            # th
            _scr(
                r"ทุบตี|ตบตี|ทำร้าย(?:ร่างกาย)?|ซ้อม(?:ฉัน|หนู|เมีย|ลูก)|(?:ชก|ต่อย|เตะ|ตบ)(?:ฉัน|หนู|หน้า"
                r"|เมีย|ลูก)|บีบคอ",
                r"ขู่(?:ว่า)?จะฆ่า|จะฆ่า(?!เชื้อ|แมลง|ยุง|มด)|ฆ่า(?:ฉัน|หนู|เมีย|ลูก)|ถือมีด|มีมีด|เอามีด"
                r"|ชักมีด|มีปืน",
                r"ข่มขืน|ล่วงละเมิด|ความรุนแรงในครอบครัว|งัดประตู|พังประตู|ทุบประตู",
            ),
            # my
            _scr(
                r"ရိုက်နှက်|(?:ကျွန်မ|ကျွန်တော်|ငါ|မိန်းမ|ကလေး|သား|သမီး)(?:ကို)?(?:ရိုက်|ထိုးကြိတ်"
                r"|ကန်)(?:တယ်|နေ|လို့|ပြီ)",
                r"သတ်(?:မယ်|ပစ်|မည်|မလို့)|ခြိမ်းခြောက်|ဓား(?:ကိုင်|ထုတ်|ရွယ်)|သေနတ်",
                r"မုဒိမ်း|အိမ်တွင်းအကြမ်းဖက်|အကြမ်းဖက်|လည်ပင်းညှစ်",
            ),
            # si
            _scr(
                r"(?:මට|මාව|අපිට|දරුවට|ළමයට|මගේදරුවට)(?:නිතරම)?(?:ගහනවා|ගැහුවා|ගහලා|ගහන්න)",
                r"මරනවා|මරන්නහදනවා|මරයි|මරාදමනවා",
                r"(?:පිහිය|පිහියක්|කැත්ත|තුවක්කුව)(?:ක්)?(?:අරගෙන|අල්ලගෙන|පෙන්නලා|අතේ)",
                r"කඩාගෙන(?:එන|ආවා|ඇතුල්|එනවා)|බලෙන්ඇතුල්",
                r"ගෘහස්ථහිංසන|හිංසනය|ස්ත්‍රීදූෂණ|ස්ත්රීදූෂණ|ලිංගිකඅතවර",
            ),
            # ne (Devanagari)
            _scr(
                r"कुट्|कुटपिट|कुटिरहेको|कुटाइ|पिट्यो|पिट्छ|पिट्दै",
                r"मार्छु|मारिदिन्छु|मार्छ(?:ु)?भन्छ|मार्नेधम्की|धम्की",
                r"(?:चक्कु|छुरी|खुकुरी|हतियार)(?:देखाएर|लिएर|समातेर)",
                r"घरेलुहिंसा|बलात्कार|घाँटीथिच",
                r"मारपीट|पीटरहा|मारडालेगा",
            ),
            # ne romanised
            _lat(
                r"kut(?:yo|chha|cha|xa|pit|iraheko|irako|era|dai|nu)|pit(?:yo|chha|cha|dai)",
                r"mar(?:chhu|chu|xu|idinchhu|idinchu|dinchhu|dinchu|ne dhamki)|dhamki",
                r"(?:chakku|chhuri|churi|khukuri) (?:dekhayera|liyera|samatera)",
                r"gharelu hinsa|balatkar|ghanti thich\w*",
                r"maar (?:raha|rahi|rahe) (?:hai|hain|he)|maarta hai|pitai|marpeet",
            ),
            _scr(
                r"бьёт|бьет|избива|угрожа(?:ет|л)убить|ножом|нож|зодож|зодсон|зодоод|алнагэж|алахгэж|মারধর"
                r"|মারছে"
            ),
            _lat(r"me frappe|m'a frappe\w*|violence(?:s)? conjugale\w*"),
        ),
    ),
    (
        "suicidal thoughts",
        (
            # "suicide" in any Latin-script language, unless negated ("not suicidal", "nao sou suicida")
            _lat(
                r"suicid\w*",
                unless=r"(?:\bnot|\bno|\bnever|n't|\bnao|\bnem|\bsin|\bsem|\btidak|\bbukan|\bhindi"
                r"|\bwithout|\bkhong)"
                r"\s+(?:\w+\s+){0,2}suicid|prevent|prevenc|pencegahan|hotline",
            ),
            _lat(
                r"kill(?:ing)? myself|end(?:ing)? my (?:own )?life|end it all|take my (?:own )?life",
                r"(?:do ?n'?t|do not) want to (?:live|be alive|exist|wake up)|(?:want|wanna|going) to die"
                r"|better off dead|no reason to live|not worth living",
                r"jump(?:ing)? (?:off|from) (?:the |a |my )?(?:roof|building|bridge|balcony|platform|window)",
                r"goodbye (?:letter|note)s?|suicide note|self[- ]harm\w*|harm myself",
                r"overdos\w*",
                unless=_EN_NEGATED
                + r"(?:suicid|crisis|thoughts)|not (?:in crisis|suicidal)|prevention hotline"
                r"|sure if|wants? to die (?:of|from) (?:embarrass|shame)|dying to",
            ),
            _lat(
                r"(?:quero|vou|penso em|pensando em|vontade de|queria) me matar",
                r"(?:nao|nem) (?:aguento|quero) mais viver|nao quero (?:mais )?viver|quero morrer"
                r"|queria morrer",
                r"tirar (?:a )?minha (?:propria )?vida|acabar com (?:a )?minha vida|me jogar (?:da|do|de|na"
                r"|no)",
                r"pular (?:da|do) (?:janela|sacada|varanda|ponte|predio|viaduto)",
            ),
            _lat(
                r"(?:quiero|me quiero|voy a) (?:morir(?:me)?|matarme|quitarme la vida)|me quiero morir"
                r"|matarme",
                r"no quiero (?:seguir )?viviendo|no quiero vivir|quitarme la vida|acabar con mi vida",
                r"tirarme (?:de|del|por|desde)|(?:saltar|lanzarme) (?:del|desde el|por la) (?:balcon"
                r"|edificio|puente|ventana)",
            ),
            _lat(
                r"bunuh diri|(?:ingin|mau|pengen|pingin|ingin sekali) mati(?! lampu| listrik)",
                r"(?:tidak|gak|nggak|ga|tak) (?:mau|ingin|kuat) hidup(?: lagi)?|mengakhiri hidup",
                r"(?:loncat|lompat|terjun|melompat) dari (?:balkon|gedung|atap|jembatan|lantai|apartemen"
                r"|jendela)",
                r"kepikiran (?:mati|loncat|lompat|bunuh|mengakhiri)",
            ),
            _lat(
                r"magpakamatay|nagpakamatay|pagpapakamatay|magpapakamatay",
                r"gusto ko (?:nang|na lang|ng|na) mamatay|ayoko (?:nang|na) mabuhay|ayaw ko (?:nang"
                r"|na) mabuhay",
                r"tatalon (?:ako )?(?:sa|mula sa) (?:building|balkonahe|tulay|bintana)|wakasan ang buhay",
            ),
            _lat(
                # Without diacritics "tu tu" is mostly "từ từ" (slowly): only with an intent before it.
                r"tự tử|tự sát|tu sat|(?:dinh|nghi den|nghi toi|y dinh|muon) tu tu(?= ?(?:$|[,.!]| toi nay"
                r"| dem nay| cho xong))",
                r"(?:không|khong|ko) muốn sống|khong muon song|muốn chết|muon chet|chán sống|chan song",
                r"kết thúc (?:cuộc đời|cuộc sống|mạng sống)|ket thuc cuoc (?:doi|song)|kết liễu|ket lieu",
                r"nhảy lầu|nhay lau|nhảy (?:từ|xuống) (?:ban công|tầng|cầu)|nhay (?:tu|xuong) (?:ban cong"
                r"|tang|cau)",
            ),
            # "làm gì dại dột" (do something foolish) is a euphemism, often negated for staff.
            _lat(
                r"(?:làm|lam) (?:gì|điều|chuyện|gi|dieu|chuyen) (?:dại dột|dai dot)",
                unless=r"(?:khong|ko|chang) (?:co )?(?:y dinh|dinh|muon|nghi)",
            ),
            _scr(
                r"자살|죽고싶|살고싶지않|살기싫|더이상살|스스로목숨|목숨을끊|뛰어내리|극단적(?:인)?선택|유서|생을마감",
                unless=r"자살예방|배고파죽|웃겨죽",
            ),
            _scr(
                r"自杀|自殺|轻生|輕生|不想活|活不下去|想死|寻死|尋死|跳楼|跳樓|结束(?:自己的)?生命|結束(?:自己的)?生命|遗书|遺書|割腕",
                r"(?:从|從)(?:楼上|樓上|楼顶|樓頂|阳台|陽台|天台)跳",
                unless=r"累得想死|笑死|饿死|餓死|热死|熱死",
            ),
            _scr(
                r"自殺|じさつ|死にたい|しにたい|消えたい|きえたい|生きたくない|生きていたくない|生きるのが(?:つら|辛)",
                r"死の(?:う|うと)|飛び降り|とびおり|首を?吊|くびを?つ(?:る|ろ)|りすとかっと|命を絶|いのちをたつ|遺書",
            ),
            _scr(r"ฆ่าตัวตาย|อยากตาย|ไม่อยากมีชีวิต|จบชีวิต|(?:กระโดด|โดด)(?:ตึก|ระเบียง|สะพาน)|ไม่อยากอยู่บนโลก"),
            _scr(r"ကိုယ့်ကိုယ်ကို(?:ယ်)?သတ်|မိမိကိုယ်ကိုသတ်|သတ်သေ|သေချင်|အသက်(?:ဆက်)?မရှင်ချင်"),
            _scr(
                r"සියදිවිනසා|දිවිනසා|මැරෙන්න(?:ඕනේ|ඕනෙ|හිතාගෙන|හිතෙනවා|යනවා|හිතුවා)|ජීවත්(?:වෙන්න"
                r"|වෙලා)?(?:ඕනේනැ|ඕනෙනැ|එපා)",
            ),
            _scr(
                r"आत्महत्या|मर्न(?:मन|चाहन्छु|जान्छु)|बाँच्न(?:मनछैन|मनलाग्दैन|चाहन्न|चाहँदिन)|फाँसी"
                r"|खुदकुशी|मरनाचाहता|জীবনশেষ|আত্মহত্যা|самоубий|покончитьссобой"
            ),
            _lat(
                r"a+tmahatya|marna (?:man|chahanchhu|chahanchu|chahanxu|jaanchhu)|ba?nchna (?:man chh?aina"
                r"|chahanna|mann chh?aina)",
                r"jiuna? man chh?aina|fasi (?:lagaun\w*|khan\w*|launa)|khudkushi|marna chahta|jeena nahi",
                r"me suicider|en finir avec (?:la|ma) vie",
            ),
        ),
    ),
    (
        "chest pain / stroke signs",
        (
            _lat(
                r"chest (?:pain|pains|hurts|is hurting|tightness|is tight|feels tight|pressure)"
                r"|pain in (?:his|her|my|the) chest",
                r"heart attack|cardiac arrest|stroke",
                r"(?:face|mouth|smile) (?:is |was |looks )?(?:drooping|droopy|crooked|twisted)"
                r"|droop\w* on one side",
                r"slurr\w*|(?:can'?t|cannot|could ?n'?t) (?:move|lift|feel) (?:his|her|my) (?:left"
                r"|right)?\s?(?:arm|leg|hand|side)",
                r"(?:left|right) arm (?:is |feels |went )?(?:numb|tingling)|numb(?:ness)? (?:on|in) one side",
                r"(?:left|right|one) side (?:of (?:his|her|my) (?:body|face) )?(?:suddenly )?(?:went|is"
                r"|has gone"
                r"|feels|became) (?:numb|weak|paralys\w*|paralyz\w*)",
                unless=r"stroke of|heat ?stroke|brush ?stroke|swimming|history of|last (?:year|month)|chronic"
                r"|comes and goes|for (?:days|weeks|months)"
                r"|years? ago|rehab\w*"
                r"|recover\w*|after (?:his|her|my|a) (?:stroke|heart)|since (?:his|her|my|the)",
            ),
            _lat(
                r"(?:can'?t|cannot|could ?n'?t) (?:talk|speak) (?:properly|clearly|normally)"
                r"|speech (?:is )?(?:strange|weird)",
                also=r"suddenly|all of a sudden|just now|minutes? ago",
            ),
            _lat(
                r"dor (?:forte |muito forte |intensa )?no peito|aperto no peito",
                r"infarto|enfarte|ataque cardiaco|parada cardiaca|derrame|avc",
                r"(?:boca|rosto) (?:torta|torto|caida|caido)|fala (?:enrolada|arrastada)"
                r"|braco (?:esquerdo )?dormente",
                r"dolor (?:fuerte |muy fuerte |intenso )?(?:en el|de) pecho",
                r"ataque (?:al corazon|cardiaco)|paro cardiaco|ictus|acv|derrame cerebral",
                r"(?:boca|cara) (?:torcida|caida|chueca)|habla (?:arrastrada|rara de repente)"
                r"|brazo (?:izquierdo )?(?:dormido|entumecido)",
                unless=_PAST_LATIN,
            ),
            _lat(
                r"(?:nyeri|sakit) dada|dada(?:nya)? (?:sakit|nyeri|sesak|terasa berat)|serangan jantung"
                r"|stroke|henti jantung",
                r"(?:mulut|wajah|muka)(?:nya)? (?:mencong|miring|perot)|bicara(?:nya)? pelo|(?:tangan"
                r"|lengan) kiri(?:nya)? kesemutan",
                unless=_PAST_LATIN,
            ),
            _lat(
                r"(?:sakit|masakit|sumasakit|naninikip|paninikip)(?: ng| ang| sa)? dibdib"
                r"|inatake (?:sa puso)?|atake sa puso",
                r"(?:na-?)?stroke|(?:ngiwi|tabingi|ngumiwi) ang (?:bibig|mukha)|bulol (?:siya "
                r"|sya )?(?:magsalita|biglang)",
                unless=_PAST_LATIN,
            ),
            _lat(
                r"đau ngực|dau nguc|tức ngực|tuc nguc|đau thắt ngực|đau tim|nhồi máu cơ tim|nhoi mau co tim"
                r"|ngừng tim|ngung tim",
                r"đột quỵ|dot quy|tai biến|tai bien|méo miệng|meo mieng|liệt nửa người|liet nua nguoi"
                r"|nói (?:ngọng|khó) đột ngột",
                unless=_PAST_LATIN,
            ),
            _scr(
                r"가슴(?:이|쪽이)?(?:너무|많이|심하게|갑자기|꽉|찢어질듯)?(?:아프|아파|조여|통증)|흉통|심장마비|심근경색|협심증",
                r"뇌졸중|뇌경색|뇌출혈|중풍|입(?:이|꼬리가)?(?:돌아|비뚤)|발음이(?:이상|어눌)|말이어눌|한쪽(?:팔|다리|얼굴|몸)(?:이|에)?(?:마비|저리|안움직"
                r"|힘이)",
                unless=r"마음이|작년|후유증|재활|예전에",
            ),
            _scr(
                r"胸口[^，。,]{0,3}(?:痛|疼|闷|悶)|胸(?:痛|疼|闷|悶)|心脏病发|心臟病發|心肌梗|心梗|心绞痛|心絞痛|心脏骤停|心臟驟停",
                r"中风|中風|脑梗|腦梗|脑出血|腦出血|脑溢血|腦溢血|口角歪|嘴(?:巴)?(?:也)?歪|说话不清|說話不清|口齿不清|口齒不清|半边身体|半身不遂|(?:手|脚"
                r"|腳)(?:举|舉|抬)不起来",
                unless=r"去年|后遗症|後遺症|复健|復健|康复|康復|以前",
            ),
            _scr(
                r"胸が?(?:痛|いた|苦し|くるし|締め付け)|胸の痛み|むねが?(?:いたい|くるしい)|胸を押さえ|胸痛|心筋梗塞|心臓発作|心臓が止ま|心停止",
                r"脳卒中|脳梗塞|脳出血|くも膜下|ろれつ|呂律|顔の片(?:側|方)|片方の手足|半身(?:が)?(?:動|麻痺|しびれ|まひ)|手足が(?:動かない|しびれ)",
                unless=r"去年|後遺症|りはびり|以前",
            ),
            _scr(
                r"เจ็บหน้าอก|แน่นหน้าอก|เจ็บแน่นหน้าอก|หัวใจวาย|หัวใจขาดเลือด|หัวใจหยุดเต้น",
                r"เส้นเลือดในสมอง|อัมพาต|อัมพฤกษ์|ปากเบี้ยว|หน้าเบี้ยว|พูดไม่ชัด(?:ทันที|กะทันหัน)?"
                r"|แขน(?:ซ้าย)?ชา",
                unless=r"ปีที่แล้ว|ฟื้นฟู|เคยเป็น",
            ),
            _scr(
                r"ရင်ဘတ်(?:အရမ်း|တအား|ပြင်းပြင်း)?(?:နာ|အောင့်|ကျပ်)|ရင်ကျပ်|နှလုံး(?:ရောဂါ)?(?:ဖောက်|ရပ်)"
                r"|လေဖြတ်|ပါးစပ်ရွဲ့|မျက်နှာရွဲ့"
            ),
            _scr(r"පපුව(?:ේ)?(?:වේදනාව|රිදෙනවා|කැක්කුම|තද)|පපුවේ(?:වේදනා|රිදුම)|හෘදයාබාධ|අංශභාග|ආඝාත|කටඇද"),
            _scr(
                r"छाती(?:मा)?(?:एकदमै|धेरै|असाध्यै)?(?:दुख्यो|दुख्छ|दुखाइ|दुखेको|दुखिरहेको)|हृदयघात"
                r"|हार्टअट्याक|पक्षाघात|सीनेमेंदर्द|сердечныйприступ|инсульт"
            ),
            _lat(
                r"chh?ati (?:ma )?(?:dherai |ekdam |ekdamai )?(?:dukhyo|dukhchha|dukhcha|dukhxa|dukhai"
                r"|dukheko)|heart attack",
                r"seene mein dard|douleur (?:a|dans) la poitrine|crise cardiaque|avc",
            ),
        ),
    ),
    (
        "severe allergic reaction",
        (
            _lat(
                r"anaphyla\w*|epi-?pen",
                r"(?:throat|tongue|lips?) (?:is |are |feels |keeps )?(?:swelling|swollen|closing"
                r"|tight(?:ening)?)",
                r"swollen (?:throat|tongue|lips)|severe allergic reaction",
                unless=r"prescri|where (?:can|do) i (?:get|buy)",
            ),
            _lat(
                r"anafila\w*|choque anafil\w*|shock anafil\w*",
                r"garganta (?:fechando|inchando|inchada|se fechando|se cierra|cerrandose|hinchada)",
                r"(?:lingua|labios?|lengua) (?:inchad[oa]s?|hinchad[oa]s?)|alergia (?:grave|severa"
                r"|muito forte)",
            ),
            _lat(
                r"anafila\w*|syok anafilaktik",
                r"(?:tenggorokan|lidah|bibir)(?:nya)? (?:bengkak|membengkak|menyempit)|alergi (?:parah"
                r"|berat|hebat)",
            ),
            _lat(r"anaphyla\w*|(?:namamaga|maga) ang (?:lalamunan|dila|labi)|matinding allergy"),
            _lat(
                r"sốc phản vệ|soc phan ve|phản vệ|phan ve|dị ứng nặng|di ung nang",
                r"sưng (?:họng|lưỡi|môi|cổ họng)|sung (?:hong|luoi|moi|co hong)|(?:họng|lưỡi"
                r"|môi) (?:bị )?sưng",
            ),
            _scr(
                r"아나필락시스|에피펜|과민성쇼크|알레르기쇼크|(?:목|혀|입술)(?:이|안이)?(?:퉁퉁)?(?:붓|부어|부었)"
            ),
            _scr(
                r"过敏性休克|過敏性休克|严重过敏|嚴重過敏|(?:喉咙|喉嚨|嗓子|舌头|舌頭|嘴唇)(?:都|也)?(?:肿|腫)"
            ),
            _scr(r"あなふぃらきしー|えぴぺん|(?:喉|のど|唇|くちびる|舌|した)が?(?:腫れ|はれ)"),
            _scr(r"แพ้(?:อย่าง)?รุนแรง|ช็อกจากการแพ้|อะนาฟิแล็กซิส|(?:คอ|ลิ้น|ปาก|ริมฝีปาก)บวม"),
            _scr(r"ဓာတ်မတည့်(?:တာ)?(?:ပြင်းထန်|အရမ်း|တအား)|(?:လည်ချောင်း|နှုတ်ခမ်း|လျှာ)(?:တွေ)?(?:ရောင်|ဖောင်း)"),
            _scr(r"දරුණු(?:ලෙස)?අසාත්මිකතා|ඇනෆිලැක්සි|(?:උගුර|දිව|තොල්)(?:ඉදිමී|ඉදිමිලා|ඉදිමෙනවා)"),
            _scr(r"गम्भीरएलर्जी|(?:घाँटी|ओठ|जिब्रो)(?:सुन्निय|सुन्निए|सुन्निन)"),
            _lat(r"(?:ghanti|oth|jibro) (?:sunniyo|sunnieko|sunniyeko)"),
        ),
    ),
    (
        "poisoning / swallowed something",
        (
            _lat(
                r"swallowed (?:\w+ ){0,3}(?:batter(?:y|ies)|pills?|tablets?|medicine|medication|detergent"
                r"|bleach|magnets?"
                r"|coins?|cleaner|chemicals?|tobacco|cigarettes?|poison|laundry pods?|capsules?)",
                r"swallowed something",
                r"(?:ate|drank|drunk|drinking|eaten|licked) (?:\w+ ){0,4}(?:bleach|detergent|cleaner"
                r"|chemicals?|kerosene"
                r"|rat poison|pesticide|antifreeze|laundry pods?|cigarettes?|tobacco|button batter(?:y|ies))",
                r"(?:took|taken|swallowed|ate) (?:a whole bottle|all (?:his|her|my|the) (?:\w+ )?(?:pills"
                r"|tablets|medicine)"
                r"|too many (?:\w+ )?(?:pills|tablets)|a lot of (?:\w+ )?(?:pills|tablets)|a bunch of pills"
                r"|the whole (?:packet|box|bottle))",
                r"(?:took|taken|swallowed|ate) (?:[1-9]\d+|twenty|thirty|forty|fifty"
                r"|dozens of) (?:\w+ )?(?:pills|tablets)",
                r"poison(?:ed|ing)?|carbon monoxide|overdos\w*|empty pill (?:packets|bottles)",
                unless=r"food poison|poison control number|(?:can'?t|cannot|hard to|how to|trouble"
                r"|difficult\w*(?: to)?) swallow",
            ),
            # pt: "tomou remédio" is ordinary; only swallowing objects, drinking chemicals, or quantities
            _lat(
                r"(?:engoliu|engoliram)(?: \w+){0,3} (?:pilhas?|baterias?|remedios?|comprimidos?|moedas?"
                r"|imas?|detergente"
                r"|agua sanitaria|candida|veneno|cigarros?|tabaco|alvejante|desinfetante|capsulas?)",
                r"(?:bebeu|comeu|tomou)(?: \w+){0,3} (?:detergente|agua sanitaria|candida"
                r"|produto de limpeza|querosene|veneno"
                r"|cigarros?|tabaco|alvejante|desinfetante|soda caustica)",
                r"tomou (?:todos os|muitos|varios|uma cartela|um monte de|a cartela inteira)",
                r"envenen\w*|intoxica\w*|overdose",
                unless=r"intoxicacao alimentar|nao (?:consegue|quer) engolir|nao engoliu",
            ),
            _lat(
                r"(?:se )?(?:trago|tragaron)(?: \w+){0,3} (?:pilas?|baterias?|pastillas|medicamentos"
                r"|medicinas|lejia|cloro"
                r"|detergente|monedas?|iman|veneno|cigarros?|desinfectante)",
                r"(?:se )?(?:comio|bebio|tomo)(?: \w+){0,3} (?:lejia|cloro|detergente|veneno|cigarros?"
                r"|desinfectante|queroseno)",
                r"tomo (?:muchas|todas las|un monton de) pastillas|envenen\w*|intoxic\w*|sobredosis",
                unless=r"intoxicacion alimentaria|no (?:puede|quiere) tragar",
            ),
            _lat(
                r"(?:menelan|nelen|ketelan|tertelan)(?: \w+){0,3} (?:baterai|koin|uang logam|magnet"
                r"|deterjen|pemutih|sabun|racun"
                r"|obat|pil|kancing)",
                r"(?:makan|minum|meminum)(?: \w+){0,3} (?:deterjen|pemutih|racun|cairan pembersih|bensin"
                r"|minyak tanah"
                r"|pembersih lantai|obat nyamuk|rokok|(?:obat|pil) (?:banyak|sebotol|terlalu banyak"
                r"|satu strip|sekaligus))",
                r"keracunan(?! makanan)|overdosis",
                unless=r"(?:susah|tidak bisa|gak bisa|sulit) menelan",
            ),
            _lat(
                r"(?:nakalunok|nalunok|lumunok)(?: \w+){0,3} (?:ng |ang |na )?(?:barya|baterya|battery"
                r"|gamot|tableta|magnet"
                r"|sabon|bleach|zonrox|lason|pills)",
                r"(?:uminom|ininom|kinain)(?: \w+){0,3} (?:ng |ang |na )?(?:bleach|zonrox|lason|kerosene"
                r"|muriatic|sabon"
                r"|maraming gamot|isang banig)",
                r"nalason|nilason|overdose",
            ),
            _lat(
                r"nuốt (?:phải )?(?:\w+ )?(?:pin|đồng xu|nam châm|cúc áo)|nuot (?:phai )?(?:\w+ )?(?:pin"
                r"|dong xu|nam cham|cuc ao)",
                r"nuốt (?:phải )?(?:cả|nhiều|hết) (?:vỉ |lọ |hộp )?thuốc|nuot (?:phai )?(?:ca|nhieu"
                r"|het) (?:vi |lo |hop )?thuoc",
                r"uống nhầm|uong nham|ăn nhầm|an nham|nuốt nhầm|nuot nham",
                r"uống (?:cả|hết|nhiều|rất nhiều) (?:vỉ |lọ |hộp )?thuốc|uong (?:ca|het|nhieu"
                r"|rat nhieu) (?:vi |lo |hop )?thuoc",
                r"ngộ độc(?! thực phẩm| thức ăn)|ngo doc(?! thuc pham| thuc an)|quá liều|qua lieu",
                r"uống (?:\w+ )?(?:thuốc tẩy|nước tẩy|thuốc trừ sâu|thuốc chuột|nước giặt)"
                r"|uong (?:\w+ )?(?:thuoc tay|nuoc tay|thuoc tru sau|thuoc chuot|nuoc giat)",
            ),
            # ko: "약을 먹었다" is ordinary; medicine only with a quantity
            _scr(
                r"(?:건전지|배터리|동전|자석|세제|락스|담배|농약|표백제|세정제|쥐약|살충제)(?:을|를)?(?:삼켰|삼켜|먹었|마셨|먹어버|먹은)",
                r"(?:약|알약|수면제|진통제|수면유도제)(?:을|를)?(?:많이|잔뜩|한꺼번에|전부|다|통째로|한통|한움큼)(?:삼켰|삼켜|먹었|먹어버)",
                r"음독|과다복용|(?<!식)(?<!게임)(?<!알코올)(?<!니코틴)중독(?:됐|된것|증상)|일산화탄소",
            ),
            _scr(
                r"(?:吞|咽)(?:下|了|进|進)?(?:去)?(?:一(?:颗|顆|个|個|枚|块|塊)|了)?(?:纽扣|鈕扣)?"
                r"(?:电池|電池|药|藥|硬币|硬幣|磁铁|磁鐵|洗衣|清洁剂|漂白|异物|異物)",
                r"(?:电池|電池|硬币|硬幣|磁铁|磁鐵|洗衣(?:球|凝珠)|药片|藥片|安眠药|安眠藥)[^。！？]{0,4}(?:吞(?!不)|咽(?!不)|吃下|喝下)",
                r"(?:吃|喝|咬|吞)(?:了|下|破)?(?:洗衣凝珠|洗衣球|洗衣液|洗洁精|洗潔精|漂白|消毒液|干燥剂|乾燥劑|农药|農藥|老鼠药|老鼠藥)",
                r"误(?:食|吞|服|喝)|誤(?:食|吞|服|喝)|服毒|喝了?(?:农药|農藥|漂白|消毒液|洗洁精|洗潔精|清洁剂|清潔劑|煤油)",
                r"吃了?(?:一整瓶|一瓶|很多|大量|好多|整盒|一盒)(?:的)?(?:安眠药|安眠藥|药|藥)|(?:安眠药|安眠藥)(?:过量|過量)"
                r"|吃药过量|服药过量|吃藥過量|服藥過量",
                r"(?<!食物)(?<!食)(?<!游戏)(?<!遊戲)中毒|一氧化碳",
            ),
            _scr(
                r"誤飲|ごいん|誤って飲|飲み込んだ|のみこんだ|飲みこんだ|のみこみました",
                r"(?:薬|くすり)を?(?:たくさん|大量|全部|ぜんぶ|いっぱい|まとめて)(?:飲|のん|のみ)|過量服薬|おーばーどーず",
                r"(?<!食)(?<!げーむ)(?<!ねっと)中毒|一酸化炭素"
                r"|(?:洗剤|せんざい|漂白剤|ひょうはくざい|たばこ|電池|でんち|農薬)を?(?:飲|のん|食べ|たべ)",
            ),
            _scr(
                r"กลืน(?:ถ่าน|เหรียญ|ยา|แม่เหล็ก|แบตเตอรี่|สิ่งแปลกปลอม)|กินยา.{0,12}(?:เกินขนาด|ทั้งแผง"
                r"|หมดแผง|หมดขวด|หลายเม็ด)|ยาเกินขนาด",
                r"(?:ดื่ม|กิน)(?:น้ำยา|สารเคมี|ยาฆ่าแมลง|ยาเบื่อ|น้ำยาล้าง|ผงซักฟอก|น้ำมันก๊าด)"
                r"|(?<!อาหาร)เป็นพิษ|ได้รับสารพิษ|ยาพิษ"
                r"|คาร์บอนมอนอกไซด์",
                unless=r"กลืนยาไม่|กลืนยาลำบาก",
            ),
            _scr(
                r"(?:ဆေးပြား|ဓာတ်ခဲ|ဒင်္ဂါး|အဆိပ်)(?:တွေ)?(?:အများကြီး|အလုံးလိုက်)?(?:ကို)?မျို(?:ချ)?",
                r"မျိုချ(?:လိုက်|မိ|သွား)|မျိုမိ|အဆိပ်(?:သင့်|သောက်|စား)|ဆေးအလွန်အကျွံ",
            ),
            _scr(
                r"(?:රෙදිසෝදන|සබන්|බ්ලීච්|විෂ|රසායන|භූමිතෙල්|පොළොවසෝදන|වැසිකිළි|කෘමිනාශක|පෙති"
                r"|බෙහෙත්)[^.]{0,20}"
                r"(?:බිව්වා|බීලා|කෑවා|ගිල්ලා|ගිලලා)",
                r"ගිල්ලා|ගිලලා|විෂ(?:වෙලා|වුණා|වී)",
            ),
            _scr(
                r"(?:ब्याट्री|सिक्का|चक्की|विष|बिष|फिनाइल|केमिकल|कीटनाशक)[^।.]{0,15}(?:निल्यो|खायो|पियो"
                r"|निलेको)"
                r"|धेरैऔषधि(?:खायो|खाइन|खाए)",
                r"विषखा|बिषखा|जहर|ज़हर|केमिकलपी|विषपान|отравл|(?:बहुतसारी"
                r"|ढेरसारी)?(?:नींदकी)?गोलियाँखा(?:ली|लीं|लिया)",
            ),
            _lat(
                r"(?:battery|sikka|coin|chakki|bish|bikh|phenyl|harpic|bleach|kemikal"
                r"|chemical)(?: \w+){0,4} (?:nilyo|nileko|khayo|piyo)",
                r"dherai (?:dawai|dabai|aushadhi|ausadhi|chakki|goli) (?:khayo|khaye|khaeko)|zeher|jahar",
                r"empoisonn\w*|a avale",
            ),
        ),
    ),
    (
        "seizure",
        (
            _lat(
                r"seizures?|seizing|convuls\w*|epileptic (?:fit|attack)",
                unless=r"seizure of|asset|property|bank|tax|seiz(?:ed|ure) (?:my|the|his|her|our) (?:car"
                r"|account|property|salary)|medic|refill|prescri|history|last (?:year|month|week)|ago"
                r"|neurolog",
            ),
            _lat(
                r"convuls\w*|ataque (?:epileptico|de epilepsia)|crise (?:convulsiva|epileptica)"
                r"|crisis (?:convulsiva|epileptica)",
                r"se debatendo|tremendo todo",
            ),
            _lat(r"kejang\w*|step(?= (?:lagi|karena demam))"),
            _lat(
                r"kumbulsyon|nangingisay|nangisay|nagkokombulsyon|nagseizure|nag-seizure|sumpong ng epilepsy"
            ),
            _lat(
                r"co giật|co giat|động kinh|dong kinh|lên cơn (?:co|động)|len con (?:co|dong)"
                r"|giật (?:tay chân|toàn thân)"
            ),
            _scr(r"경련|발작|경기를?(?:일으|했|해요)|간질|뇌전증|온몸을?떨", unless=r"공황"),
            _scr(
                r"抽搐|痉挛|痙攣|癫痫|癲癇|羊癫疯|羊癲瘋|惊厥|驚厥|抽风|抽風|口吐白沫",
                unless=r"胃痉挛|胃痙攣|肌肉",
            ),
            _scr(r"けいれん|痙攣|ひきつけ|引きつけ|てんかん|発作", unless=r"ぱにっく|過呼吸"),
            _scr(
                r"ชัก(?:เกร็ง|กระตุก|ไม่หยุด|ตาค้าง|ตาเหลือก)|ลมชัก|อาการชัก|กำลังชัก|ไข้(?:สูง)?(?:แล้ว"
                r"|จน)?ชัก|(?:ลูก|น้อง|เด็ก|สามี|แม่|พ่อ)ชัก(?!ชวน|โครก|จะ|ช้า|ไม่|ขึ้น)"
            ),
            _scr(r"ဝက်ရူးပြန်|အတက်ရောဂါ|တက်ခေါက်|အကြောဆွဲ|ကိုယ်(?:လုံး)?(?:တုန်|ဆတ်ဆတ်)"),
            _scr(r"වලිප්පු|ගැස්සෙනවා|ගැස්සුණා"),
            _scr(r"छारे|मिर्गी|झट्का|काम्न(?:थाल्यो|थाल्यो)|судорог|талалт"),
            _lat(r"chhare|chare rog|mirgi|jhatka|daura pad\w*|crise d'epilepsie|talvasa|tutqanoq"),
        ),
    ),
    (
        "fire",
        (
            _lat(
                r"on fire|fire",
                unless=r"fire (?:insurance|drill|extinguisher|station|department|prevention|safety|works"
                r"|hydrant|exit|escape"
                r"|alarm (?:test|check|inspection)|door|place|wood|ant|fighter|fighters|regulation"
                r"|inspection|hazard|risk)|open fire|camp ?fire"
                r"|cease ?fire|fire (?:me|him|her|you|us|them|someone|workers|staff|employees)"
                r"|fire (?:\w+ ){0,3}(?:staff|workers?|employees?|cleaners?|lawyer|agent|helper|caregiver"
                r"|nanny)"
                r"|fire (?:insurance|保険)|under fire",
            ),
            _lat(
                r"(?:black |thick |lots of |so much )?smoke (?:is )?(?:coming|pouring|everywhere|filling)"
                r"|full of smoke"
                r"|black smoke|thick smoke|smell(?:s|ing)? (?:of |like )?(?:smoke|something burning"
                r"|burning)|burning smell",
                r"flames|(?:house|apartment|building|kitchen|room) (?:is )?burning",
                unless=r"cigarette|smoking|smoker|tobacco|bbq|barbecue|grill|incense",
            ),
            _lat(
                r"(?:pegando|pegou|pegar|tem|ta pegando|esta pegando) fogo|fogo (?:no|na|em)|incendio"
                r"|fumaca (?:preta|saindo|por todo|no|na|demais)"
                r"|saindo fumaca|cheiro de queimado|chamas",
                unless=r"seguro (?:contra )?incendio|fogo de artificio|incendio (?:simulado|treinamento)",
            ),
            _lat(
                r"incendio|hay fuego|fuego en|(?:se )?(?:esta|estan) quemando|humo (?:negro|saliendo"
                r"|por todas|en todo)|llamas|olor a quemado",
                unless=r"seguro (?:contra|de) incendios?|simulacro",
            ),
            _lat(
                r"kebakaran|ada api|apinya|api (?:besar|menyala|di)|terbakar|asap (?:hitam|tebal|keluar"
                r"|di mana-mana|banyak)|bau (?:hangus|terbakar|gosong)",
                unless=r"asuransi kebakaran|kereta api|pemadam kebakaran|terbakar matahari|latihan",
            ),
            _lat(
                r"may sunog|nasusunog|nasunog ang (?:bahay|building|unit|kwarto|kusina)|sunog (?:sa|po|ang"
                r"|na)|(?:puro|makapal na|maraming|may) usok|usok (?:galing|mula|lumalabas)|may apoy",
                unless=r"sunog na (?:kanin|ulam|pagkain)|sigarilyo|yosi|naninigarilyo|drill|insurance",
            ),
            _lat(
                r"cháy(?! được)|bốc cháy|boc chay|hỏa hoạn|hoa hoan|đám cháy|dam chay|chay nha|khói (?:đen"
                r"|mù|bốc|nhiều|đầy|dày)"
                r"|khoi (?:den|mu mit|boc|day)|mùi khét|mui khet",
                r"(?:nha|phong|can ho|bep|toa nha|chung cu)(?: \w+){0,2} (?:bi|dang) chay(?! (?:nuoc|mau|bo"
                r"|xe|di|ve|tron|viec|qua))",
                unless=r"chay (?:nang|tui|hang|ve|duoc)|rac (?:khong )?chay|khong chay|de chay|bao hiem",
            ),
            _scr(
                r"불이(?:났|나서|나고|났어|났습|붙)|불났|화재(?!보험)|연기가(?:나|많이|가득|자욱|새어)|타는냄새|불길"
            ),
            _scr(
                r"着火|著火|起火|失火|火灾(?!保险|保險)|火災(?!保険|保險|保险|報知器の点検|訓練)|冒烟|冒煙|浓烟|濃煙|黑烟|黑煙|烧起来|燒起來|火势|火勢|烧焦味|燒焦味"
            ),
            _scr(
                # not 炎 alone: 中耳炎, 肺炎
                r"火事|燃えて(?:い|る)|もえて(?:い|る)|煙が?(?:出|すご|いっぱい|充満)|けむり(?:が)?(?:でて|出て|いっぱい|すごい)|焦げ臭|こげくさ|炎が|ほのお",
                r"かじ(?:です|だ|かも|になっ|が(?:おき|起き|あっ))",
            ),
            _scr(r"ไฟไหม้|ไฟลุก|เพลิงไหม้|ควัน(?:ดำ|เต็ม|ออก|เยอะ|โขมง|คลุ้ง)|กลิ่นไหม้", unless=r"ประกัน"),
            _scr(r"မီးလောင်|မီးခိုး(?:တွေ)?(?:အပြည့်|ထွက်|များ)|မီးစွဲ|မီးတောက်"),
            _scr(r"ගින්න|ගින්නක්|ගිනි(?:ගත්තා|ඇවිලුණා|ගන්නවා|ඇවිලෙනවා|ගෙන)|දුම(?:පිරිලා|එනවා|ගහනවා|ගොඩක්|පුරාම)|පුරාමදුම|පුරාදුම"),
            _scr(
                r"आगो(?:लाग्यो|लागेको|लाग्दै|बल्यो)|आगलागी|धुवाँ(?:आइरहेको|आयो|भरियो|निस्किरहेको|निस्कियो)"
                r"|आगलगी|пожар"
            ),
            _lat(
                r"aago (?:lagyo|lageko|lagdai)|aagalagi|dhuwa (?:aairacha|aairachha|aayo|niskiraheko"
                r"|bhariyo|aaudai)",
                r"aag lag\w*|incendie|au feu|yong'?in|tutun",
            ),
        ),
    ),
    (
        "electrical hazard / electric shock",
        (
            _lat(
                r"spark(?:ing|s|ed)|electrical fire|short[- ]circuit\w*|electric shock|electrocut\w*"
                r"|live wire",
                unless=r"sparks? (?:of|joy|interest)",
            ),
            _lat(
                r"fa[ií]sca\w*|choque eletrico|curto[- ]circuito|chispa\w*|cortocircuito|electrocut\w*"
                r"|descarga electrica"
            ),
            _lat(r"korsleting|konslet|korslet|percikan api|kesetrum|tersetrum|tersengat listrik"),
            _lat(r"nag-?spark|nakuryente|kinuryente|nakukuryente"),
            _lat(r"chập điện|chap dien|điện giật|dien giat|tia lửa|toé lửa|tóe lửa|tia lua"),
            _scr(r"스파크|불꽃이튀|합선|감전|누전"),
            _scr(r"冒火花|火花|短路|触电|觸電|漏电|漏電"),
            _scr(r"火花|ひばな|しょーとし|漏電|ろうでん|感電|かんでん|ばちばち"),  # not しょーとすてい
            _scr(r"ไฟช็อต|ไฟฟ้าช็อต|ไฟดูด|ประกายไฟ|ไฟรั่ว|ไฟฟ้ารั่ว"),
            _scr(r"ဓာတ်လိုက်|မီးပွား|ဓာတ်အားရှော့|ရှော့ဖြစ်"),
            _scr(r"විදුලිසැර|ස්පාර්ක්|ගිනිපුපුරු|ෂෝට්"),
            _scr(r"करेन्टलाग्यो|करेन्ट लाग्यो|झिल्का"),
            _lat(r"current lagyo|karent lagyo|shock lagyo|jhilka"),
        ),
    ),
    (
        "gas leak",
        (
            _lat(
                r"gas (?:leak\w*|smell\w*|odou?r|alarm (?:is )?(?:going off|beeping|ringing))|(?:leak\w*"
                r"|hissing) gas",
                r"(?:smell\w*|stink\w*|odou?r|reek\w*) (?:\w+ ){0,3}gas|carbon monoxide|co alarm",
                unless=r"last (?:week|month|night|year)|yesterday|(?:gone|fine|ok) now|no longer|anymore"
                r"|days? ago",
            ),
            _lat(
                r"vazamento de gas|vazando gas|gas vazando|cheiro (?:forte |muito forte )?de gas"
                r"|cheirando (?:a )?gas|cheira (?:a )?gas|fedendo a gas",
                r"fuga de gas|escape de gas|olor (?:fuerte )?a gas|huele (?:muchisimo |mucho "
                r"|muy fuerte )?a gas|se (?:sale|escapa) el gas",
            ),
            _lat(
                r"bau gas|gas(?:nya)? bocor|kebocoran gas|bocor gas|cium bau gas",
                r"amoy gas|naamoy (?:ko |namin )?(?:ang )?gas|tumatagas na gas|(?:tagas|leak) ng gas"
                r"|gas leak|sumisingaw na gas",
            ),
            _lat(
                r"mùi (?:khí )?ga(?:s)?|mui (?:khi )?gas|rò rỉ (?:khí )?ga(?:s)?|ro ri (?:khi )?gas"
                r"|rò ga(?:s)?|xì ga(?:s)?|hở ga(?:s)?|ho gas|xi gas",
            ),
            _scr(r"가스(?:냄새|가샌|가새|누출|가새는|새는|가새요|가새고|경보기가울)|일산화탄소"),
            _scr(
                r"(?:煤气|煤氣|燃气|燃氣|天然气|天然氣|瓦斯|石油气|石油氣)(?:的)?(?:味|臭|泄|洩|漏)|漏气|漏氣|一氧化碳"
            ),
            _scr(
                r"がす(?:漏|もれ)|がすの?(?:におい|匂い|臭い|にお)|がす(?:臭|くさ)|がすが?(?:もれ|漏れ)|一酸化炭素"
            ),
            _scr(r"(?:แก๊ส|ก๊าซ|แก็ส)(?:รั่ว)|กลิ่น(?:แก๊ส|ก๊าซ|แก็ส)|คาร์บอนมอนอกไซด์"),
            _scr(r"(?:ဓာတ်ငွေ့|ဂတ်စ်|ဂက်စ်|gas)(?:တွေ)?(?:ယို|နံ|အနံ့)"),
            _scr(r"ගෑස්(?:කාන්දු|ගඳ|සුවඳ|ගඳක්|වාසනාව|ගන්ධය)"),
            _scr(
                r"ग्यास(?:चुहि|कोगन्ध|गन्हा|लिक)|ग्यासको(?:गन्ध|गन्हाउने)|गैसलीक|গ্যাসলিক|গ্যাসেরগন্ধ"
                r"|запахгаза|утечкагаза|пахнетгазом|газомпахнет|хийнүнэр"
            ),
            _lat(
                r"gas (?:ko )?(?:gandha|ganhau\w*|chuhiyo|chuhiraheko|chuhiyeko)|gas ki (?:smell|badboo)",
                r"odeur de gaz|fuite de gaz",
            ),
        ),
    ),
    (
        "drowning",
        (
            _lat(
                r"drown\w*|(?:fell|fallen|slipped) (?:in|into) (?:the |a )?(?:water|river|pool|sea|bath"
                r"|bathtub|pond|canal|lake)"
                r"|face down in (?:the )?(?:water|bath|pool)|pulled (?:him|her|them) out of the (?:water"
                r"|pool|bath)",
                unless=r"drown\w* in (?:debt|paperwork|work)",
            ),
            _lat(
                r"afog\w*(?! (?:em|de) (?:dividas|trabalho|contas))|caiu na (?:piscina|agua|banheira"
                r"|represa|rio|mar)",
                r"se (?:esta )?ahog\w*(?! (?:en|con) (?:deudas|trabajo))|ahogad[oa]|se cayo (?:a"
                r"|en) (?:la )?(?:piscina|alberca|tina|banera|rio|mar)",
            ),
            _lat(r"tenggelam(?! dalam (?:utang|hutang|pekerjaan))|hanyut|nalunod|nalulunod|malunod"),
            _lat(
                r"đuối nước|duoi nuoc|chết đuối|chet duoi|ngạt nước|ngat nuoc|ngã xuống (?:hồ|sông|nước"
                r"|bể bơi|ao)|nga xuong (?:ho|song|nuoc|be boi|ao)"
            ),
            _scr(r"물에(?:빠졌|빠져|빠진)|익사"),
            _scr(r"溺水|落水|淹(?:到|着|著|死)|掉(?:进|進)(?:了)?(?:水|河|泳池|浴缸|海)"),
            _scr(
                r"溺れ|おぼれ|(?:水|みず|川|かわ|ぷーる|池|いけ|海|うみ|湯船|ゆぶね|浴槽)に(?:落ち|おち|沈)"
            ),
            _scr(r"จมน้ำ|ตกน้ำ"),
            _scr(r"ရေနစ်|ရေထဲ(?:ကို)?(?:ပြုတ်)?ကျ"),
            _scr(r"දියේගිලී|දියේගිලුණා|වතුරේගිලුණා|වතුරේගිලිලා|වතුරටවැටුණා|ගිලෙනවා"),
            _scr(r"डुब्यो|डुबेर|डुब्न|पानीमाखस्यो|утону|тонет|ডুবে(?:গেছে|গিয়েছিল|যাচ্ছে|গেল)|পানিতেপড়ে"),
            _lat(r"dub(?:yo|era|na lagyo)|paani ma khasyo|noyade|se noie"),
        ),
    ),
    (
        "severe burn / scald",
        (
            # Only severe burns: a scald on the hand is a HIGH request (clinic tonight), not an emergency.
            _lat(
                r"(?:badly|severely|seriously) (?:burn(?:ed|t)|scalded)|burns? all over"
                r"|skin (?:is )?(?:peeling|coming) off"
                r"|(?:large|big|severe|serious|deep) burns?|burn(?:ed|t|s)? (?:on|over) (?:his|her"
                r"|my) (?:whole|entire) (?:body|chest|face)",
                r"queimadura (?:grave|feia|muito grande|de terceiro grau)|se queimou (?:muito|inteir[oa])",
                r"quemadura (?:grave|muy grande|de tercer grado)|se quemo (?:mucho|todo el cuerpo)",
                r"luka bakar (?:parah|luas|serius)|malalang paso|napaso ang buong katawan",
            ),
            _lat(
                r"bỏng (?:\w+ ){0,3}(?:rất )?nặng|bong (?:\w+ ){0,3}(?:rat )?nang|bỏng (?:toàn thân"
                r"|khắp người)"
            ),
            _scr(r"화상을?(?:심하게|크게)|심한화상|전신화상"),
            _scr(r"(?:严重|嚴重|大面积|大面積|全身)(?:烫伤|燙傷|烧伤|燒傷)|皮都掉了|皮都脱了"),
            _scr(r"(?:ひどい|大きな|おおきな|広い|全身)(?:やけど|火傷)|皮膚がはがれ"),
            _scr(r"แผลไฟไหม้(?:รุนแรง|ใหญ่)|(?:ลวก|ไหม้)ทั้งตัว|ไฟคลอกตัว"),
            _scr(r"မီးလောင်ဒဏ်ရာ(?:ပြင်း|ကြီး)|တစ်ကိုယ်လုံးမီးလောင်"),
            _scr(r"දරුණුලෙස(?:පිළිස්සුණා|පිච්චුණා)"),
            _scr(r"नराम्रोसँगपोल्यो|पूरैशरीरपोल्यो"),
            _lat(r"naramro sanga polyo"),
        ),
    ),
    (
        "traffic accident (person hit)",
        (
            _lat(
                r"(?:got |was |been |just )?(?:hit|knocked down|run over) by a (?:car|truck|bus|taxi|train"
                r"|motorbike)|run over",
                r"atropelad[oa]|atropell\w*|ditabrak (?:mobil|motor|truk|bus)|tertabrak|nasagasaan"
                r"|nabangga ng (?:kotse|sasakyan|truck|motor)",
                r"bị (?:xe|ô tô|oto) (?:tông|đâm|cán)|bi (?:xe|o to|oto) (?:tong|dam|can)",
                unless=r"last (?:week|month|year)|yesterday|insurance|compensation|lawyer|seguro|indeniza"
                r"|abogado|asuransi"
                r"|ganti rugi|bao hiem|boi thuong|semana pasada|semana passada",
            ),
            _scr(
                r"차에치였|차에치여|차가(?:치었|받았)|被(?:车|車)(?:撞|撞倒|轧|軋)|(?:车|車)(?:撞|轧)(?:了|到)(?:人|我|孩子)",
                r"(?:車|くるま)に(?:はね|ひか)|はねられ|รถชน(?:คน|ลูก|แม่|พ่อ)|โดนรถชน|ကားတိုက်ခံရ|වාහනයක්හැප්පුණා"
                r"|गाडीलेठक्कर",
                unless=r"보험|합의|保险|保險|保険|示談|ประกัน|အာမခံ|රක්ෂණ|बीमा|去年|先週|先月",
            ),
        ),
    ),
    (
        "labour / waters broken",
        (
            _lat(
                r"waters? (?:has |have )?(?:just )?broke(?:n)?|giving birth (?:now|at home|in the)|(?:baby"
                r"|head) is coming out"
                r"|baby is coming (?:now|right now)|in (?:premature |preterm )?labou?r (?:now|at \d+ weeks)"
                r"|premature labou?r",
                unless=r"last (?:time|pregnancy)|what (?:to|should) (?:do|bring)|when (?:my|the) water",
            ),
            _lat(
                r"bolsa (?:d'?agua |de agua )?(?:estourou|rompeu|rompio|se rompio)|rompio (?:la )?fuente"
                r"|se me rompio la fuente"
                r"|(?:o|el) bebe (?:esta|ta) (?:nascendo|naciendo|saindo|saliendo)|parto prematuro",
            ),
            _lat(r"ketuban(?:nya)? pecah|pecah ketuban|bayinya (?:sudah )?keluar|lahir prematur"),
            _lat(r"pumutok (?:na )?ang panubigan|nanganganak na|lumalabas na ang (?:baby|ulo)"),
            _lat(r"vỡ ối|sinh non|đẻ rơi|em bé (?:sắp )?ra rồi"),
            # without diacritics "vo oi" is also "vợ ơi" (calling one's wife)
            _lat(r"vo oi|de roi", also=r"mang thai|co bau|bau|tuan|thai"),
            _scr(r"양수가?터|조산기|아기가(?:나오|나와)"),
            _scr(r"破水|羊水破|早产|早產|要生了|孩子(?:要)?出来了|孩子(?:要)?出來了"),
            _scr(r"破水|はすい|早産|そうざん|うまれそう|生まれそう|あかちゃん(?:が)?でてきそう"),
            _scr(r"น้ำเดิน|น้ำคร่ำแตก|ถุงน้ำคร่ำแตก|คลอดก่อนกำหนด|จะคลอดแล้ว"),
            _scr(r"ရေမြွှာပေါက်|ကလေးမွေးတော့မယ်|လမစေ့ဘဲ"),
            _scr(r"පැටියාඑළියට|වතුරබිඳුණා|කලින්දරුප්‍රසූත|ප්‍රසූතවේදනා"),
            _scr(r"पानीफुट्यो|पानीबग्यो|अकालप्रसव|बच्चाजन्मिँदै|सुत्केरीव्यथा"),
            _lat(r"pani phutyo|sutkeri byatha|bachha janmindai"),
        ),
    ),
    (
        "missing child / person",
        (
            _lat(
                r"(?:is|are|went|gone|been|go) missing|disappeared|(?:can'?t|cannot|can not|could ?n'?t"
                r"|unable to) find"
                r" (?:him|her|them)(?! (?:card|passport|bag|phone|wallet|keys?|documents?|forms?|letters?"
                r"|school|class|number|a ))",
                r"(?:can'?t|cannot|can not|could ?n'?t|unable to) find (?:my"
                r"|our) (?:\d+\w*(?:-year-old)? )?(?:" + _EN_PERSON + ")",
                r"never (?:arrived|came home|made it)|(?:has ?n'?t|has not|did ?n'?t|did not|not) (?:come"
                r"|came|returned|got|gotten)"
                r" (?:back|home)|wandered (?:off|away|out)|walked out (?:of the house|at night|alone"
                r"|barefoot)"
                r"|ran away from home|got separated|separated from (?:me|us)",
                unless=r"missing (?:documents?|pages?|payments?|items?|forms?|pieces?|parcels?|packages?"
                r"|letters?|the deadline|school|his|her|their|my|our|home|the|class|out)",
                also=_EN_PERSON,
            ),
            _lat(
                r"desaparec\w*|sumiu|sumida|sumido|nao (?:encontro|encontramos|consigo (?:achar|encontrar)"
                r"|achamos) (?:el[ae]|ninguem)"
                r"|(?:nao|ainda nao) voltou (?:pra casa|para casa|da escola|ainda)|perdi (?:meu"
                r"|minha) (?:filh[oa]|crianca|bebe)"
                r"|se perdeu|nao (?:esta|ta) em (?:lugar )?nenhum",
                unless=r"(?:cartao|celular|carteira|documento|zairyu|chave|passaporte|dinheiro|bolsa"
                r"|mochila) (?:sumiu|desapareceu)",
                also=_PT_PERSON,
            ),
            _lat(
                r"desaparec\w*|no (?:esta|aparece) por ningun lado|no (?:la|lo|los|las) (?:encuentro"
                r"|encontramos|puedo encontrar|hallo)"
                r"|no (?:ha vuelto|volvio|regreso|ha regresado)(?: a casa)?|no llego a (?:casa|la escuela)"
                r"|no aparece"
                r"|se (?:perdio|extravio)|perdi a mi (?:hij[oa]|nin[oa]|bebe)",
                unless=r"(?:tarjeta|celular|cartera|documento|llave|pasaporte|dinero|bolsa"
                r"|mochila) (?:desaparecio|no aparece)",
                also=_ES_PERSON,
            ),
            _lat(
                r"hilang|tidak (?:pulang|ketemu|ditemukan|bisa ditemukan)|belum (?:pulang|kembali|ketemu"
                r"|ditemukan)|tersesat"
                r"|(?:gak|nggak|ga) (?:ketemu|pulang)",
                unless=r"(?:dompet|kartu|hp|ponsel|kunci|paspor|uang|tas|barang|surat|sinyal|listrik|air"
                r"|gas|nafsu|demam|sakit|panas)"
                r"(?:nya)?(?: \w+){0,2} hilang|hilang (?:demam|sakit|panas|nafsu|sinyal)|pulang (?:ke"
                r"|kampung)",
                also=_ID_PERSON,
            ),
            _lat(
                r"nawawala|nawala|(?:hindi|di) (?:ko|namin) (?:siya |sya )?(?:mahanap|makita)"
                r"|(?:hindi|di) pa (?:siya |sya )?(?:umuuwi|bumabalik|nakakauwi)",
                unless=r"(?:wallet|card|cellphone|phone|susi|passport|pera|bag|signal|kuryente|tubig"
                r"|gas)(?: ko| namin)? nawala"
                r"|nawala (?:ang|yung) (?:wallet|card|cellphone|phone|susi|passport|pera|bag|signal"
                r"|kuryente|tubig|gas)",
                also=_TL_PERSON,
            ),
            _lat(
                r"a disparu|(?:ne|je ne) (?:le|la|les) (?:trouve|retrouve) (?:plus|pas)|introuvable",
                also=r"fils|fille|enfant|bebe|mere|pere|mari|femme|grand-(?:mere|pere)",
            ),
            _lat(
                r"mất tích|mat tich",
                r"(?:"
                + _VI_PERSON
                + r")(?: \w+){0,5} (?:bi lac|di lac|lac mat|khong thay dau|bien mat|chua (?:thay )?ve nha)",
                r"tim (?:mai |khap noi |hoai )?(?:khong|chang) thay (?:" + _VI_PERSON + ")",
            ),
            _lat(
                r"hara(?:i|yo|e|ye|yeko|eko|ina|in|ien)|haraaye|bhetiyena|bhetena|bhetdaina"
                r"|(?:ghar|ghara) (?:farkiyena|farkina|farkeko chh?aina|aayena|aayina|aaina|ayena"
                r"|aaeko chh?aina)",
                unless=r"(?:paisa|card|phone|mobile|passport|wallet|sanchi|chabi)(?: pani)? hara",
                also=_NE_PERSON,
            ),
            _scr(
                r"(?:" + _KO_PERSON + r")(?:가|이|는|를|께서|님이)?[^.?!]{0,15}"
                r"(?:없어졌|사라졌|실종|행방불명|안돌아오|돌아오지않|길을잃|못찾|찾을수가없|찾을수없|안보여|집에안왔|안들어와)",
            ),
            _scr(
                r"(?:"
                + _ZH_PERSON
                + r")(?:突然|又|忽然|一直|还|還)?(?:不见了|不見了|走丢|走丟|走失|失踪|失蹤|找不到了"
                r"|没回家|沒回家|没有回家|沒有回家|还没回|還沒回)",
                r"(?:"
                + _ZH_PERSON.removesuffix("|他|她")
                + r")[^。！？]{0,12}(?:走丢|走丟|走失|失踪|失蹤|不见了|不見了|没回家|沒回家|没有回家|沒有回家"
                r"|还没回家|還沒回家|到处找不到|到處找不到|都找不到)",
                r"找不到(?:孩子|儿子|兒子|女儿|女兒|宝宝|寶寶|老人|他|她)",
            ),
            _scr(
                r"迷子|まいご|行方不明|ゆくえふめい",
                r"(?:"
                + _JA_PERSON
                + r")[^。]{0,20}(?:いなくな|まだ見つか|まだみつか|見当たら|みあたら|帰ってこない"
                r"|かえってこない|帰ってきません|かえってきません|戻ってこない|もどってこない)",
            ),
            _scr(
                r"(?:" + _JA_PERSON + r")が?(?:いない|いません)(?:。|！|!|、|$)",
                r"(?:"
                + _JA_PERSON
                + r")が?(?:みつからない|見つからない|みつかりません|見つかりません)|どこにもいない",
                also=r"さがし|探し|みつから|見つから|どこにも|いなくな|けいさつ|警察",
            ),
            _scr(r"(?:" + _TH_PERSON + r").{0,20}(?:หายไป|หายตัว|หาไม่เจอ|พลัดหลง|ยังไม่กลับ|ไม่กลับบ้าน|ไม่รู้อยู่ไหน)"),
            _scr(r"(?:" + _MY_PERSON + r")[^။]{0,20}(?:ပျောက်(?:သွား|နေ|ဆုံး)|ရှာမတွေ့|ပြန်မလာ|အိမ်ပြန်မရောက်)"),
            _scr(
                r"(?:" + _SI_PERSON + r")[^.]{0,25}"
                r"(?:නැතිවෙලා|නැතිවුණා|හොයාගන්නබැ|හොයාගන්නනැ|ගෙදරආවේනැ|ගෙදරඇවිත්නැ|අතුරුදහන්|පේන්නනැ)",
            ),
            _scr(r"(?:" + _NE_DEV_PERSON + r")[^।.]{0,20}(?:हरायो|हराए|हराइ|भेटिएन|फर्किएन|घरआएन|आइपुगेन)"),
        ),
    ),
)

CUE_LABELS: tuple[str, ...] = tuple(label for label, _ in _CUES)

# --------------------------------------------------------------------------- normalisation

_WS = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'"})
# Katakana -> hiragana (easy Japanese writes the same word either way: ガス / がす).
_KANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def _strip_latin_marks(text: str) -> str:
    """Remove diacritics from Latin letters only, one character for one (offsets stay valid).

    Combining marks of other scripts (Devanagari, Thai, Myanmar, Sinhala vowel signs) carry
    meaning and are kept.
    """
    out: list[str] = []
    for ch in text:
        if ch.isascii() or not ch.isalpha():
            out.append(ch)
            continue
        if ch in "đĐ":
            out.append("d")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        if base.isascii() and all(unicodedata.combining(c) for c in decomposed[1:]):
            out.append(base)
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Forms:
    folded: str
    plain: str
    compact: str


def _forms(text: str) -> _Forms:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES).translate(_KANA)
    folded = _WS.sub(" ", folded.translate(_ZERO_WIDTH)).strip()
    return _Forms(folded=folded, plain=_strip_latin_marks(folded), compact=folded.replace(" ", ""))


# Symptoms that are chronic, mild or situational ("short of breath when I climb stairs",
# "chest tightness sometimes") are a clinic visit, not an emergency. Applied to every
# pattern of the cues in _CHRONIC_CUES, around the match like `unless`.
_CHRONIC_LATIN = _compile(
    r"\bsometimes|\boften|\busually|\bmild|\bslight(?:ly)?|\ba little\b|\ba bit\b"
    r"|\bfor (?:a|two|three|\d+|several|a few|few) (?:days|weeks|months)"
    r"|\bwhen (?:i |he |she )?(?:climb|walk|run|exercis)|climbing stairs|\bnose\b|\bas vezes\b|\bleve\b"
    r"|quando (?:subo|ando|corro)|\bnariz\b|\ba veces\b|\bun poco\b|cuando (?:subo|camino|corro)|\bkadang"
    r"|\bsedikit\b|naik tangga|\bhidung\b|\bminsan\b|\bmedyo\b|umaakyat|\bilong\b|thinh thoang|\bdoi khi\b"
    r"|hoi kho tho|khi leo|leo cau thang|kabhi kabhi|kahile kahi|ali ali|chronic|comes and goes"
    r"|\bfor (?:days|weeks|months)"
)
_CHRONIC_SCRIPT = _compile(
    r"经常|經常|有时|有時|偶尔|偶爾|几天|幾天|几个月|幾個月|一周|一週|最近|鼻子|ときどき|時々|たまに|さいきん|鼻"
    r"|爬楼梯|爬樓梯|运动|運動|跑步|有点|有點|のぼると|登ると|かいだんをのぼ|階段を(?:上|のぼ)|うんどう|はしると|走ると"
    r"|가끔|자주|요즘|며칠|몇주|코가|บางครั้ง|บ่อย|ช่วงนี้|หลายวัน|จมูก|တစ်ခါတလေ|ඉඳහිට|कहिलेकाहीं|नाक"
)
_CHRONIC_CUES = frozenset({"breathing difficulty", "chest pain / stroke signs"})


def _matches(pattern: _Pattern, forms: _Forms, chronic: bool = False) -> bool:
    candidates: tuple[str, ...]
    if pattern.form is _Form.LATIN:
        candidates = (forms.folded, forms.plain)
    elif pattern.form is _Form.SCRIPT:
        candidates = (forms.compact,)
    else:
        candidates = (forms.folded,)
    for text in candidates:
        # `unless` and `also` are written without diacritics: check them on the plain copy,
        # which has the same offsets as the folded text.
        context = forms.plain if text is forms.folded else text
        extra = None
        if chronic:
            extra = _CHRONIC_SCRIPT if pattern.form is _Form.SCRIPT else _CHRONIC_LATIN
        for match in pattern.regex.finditer(text):
            window = context[max(0, match.start() - _WINDOW) : match.end() + _WINDOW]
            if pattern.unless is not None and pattern.unless.search(window):
                continue
            if extra is not None and extra.search(window):
                continue
            if pattern.also is not None and not pattern.also.search(context):
                continue
            return True
    return False


def find_emergency_cues(text: str) -> list[str]:
    """Short English labels of the dangers named in `text`, in a fixed order; [] when none."""
    if not text or not text.strip():
        return []
    forms = _forms(text)
    return [
        label
        for label, patterns in _CUES
        if any(_matches(p, forms, label in _CHRONIC_CUES) for p in patterns)
    ]


def emergency_cue_count() -> int:
    """Number of cue patterns (each a set of alternatives in one or more languages)."""
    return sum(len(patterns) for _, patterns in _CUES)
