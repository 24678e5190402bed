"""Emergency cues: per-language positives and tricky negatives, and the dev-set recall.

The sentences here are written for this test (not taken from any data set): each positive
names a danger the way a resident might write it, each negative uses the same words in an
everyday request (a gas bill, a blood test, being fired, burnable garbage).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.emergency import CUE_LABELS, emergency_cue_count, find_emergency_cues

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "data" / "triage_dev.jsonl"
EXAMPLES = REPO / "triage" / "examples"

UNCONSCIOUS = "unconscious / unresponsive"
BREATHING = "breathing difficulty"
CHOKING = "choking"
BLEEDING = "heavy bleeding"
FALL = "serious fall / head injury"
VIOLENCE = "violence / abuse"
SUICIDE = "suicidal thoughts"
CHEST = "chest pain / stroke signs"
ALLERGY = "severe allergic reaction"
POISON = "poisoning / swallowed something"
SEIZURE = "seizure"
FIRE = "fire"
ELECTRIC = "electrical hazard / electric shock"
GAS = "gas leak"
DROWNING = "drowning"
MISSING = "missing child / person"
LABOUR = "labour / waters broken"
BURN = "severe burn / scald"
TRAFFIC = "traffic accident (person hit)"

# (language, text, a label that must be among the cues)
POSITIVES: list[tuple[str, str, str]] = [
    # en
    ("en", "My husband collapsed in the kitchen and isn't responding", UNCONSCIOUS),
    ("en", "my mum passed out and we can't wake her up", UNCONSCIOUS),
    ("en", "Baby can't breathe, her lips are turning blue", BREATHING),
    ("en", "I don't think he's breathing, what do I do", BREATHING),
    ("en", "my son is choking on a grape", CHOKING),
    ("en", "I cut my hand with a knife and it's bleeding heavily, won't stop", BLEEDING),
    ("en", "I'm 10 weeks pregnant and started bleeding a lot with cramps", BLEEDING),
    ("en", "My toddler fell from the balcony of our 2nd floor flat", FALL),
    ("en", "He hit his head on the floor and now keeps vomiting and is very sleepy", FALL),
    ("en", "My boyfriend is beating me and says he will kill me", VIOLENCE),
    ("en", "Someone is trying to break in, banging on our door with a knife", VIOLENCE),
    ("en", "I want to kill myself tonight", SUICIDE),
    ("en", "I don't want to live anymore, I'm standing on the bridge", SUICIDE),
    ("en", "Dad has crushing chest pain and is sweating a lot", CHEST),
    ("en", "Her face is drooping on one side and her speech is slurred", CHEST),
    ("en", "After eating peanuts his throat is swelling and he's wheezing", ALLERGY),
    ("en", "My 2yo swallowed a button battery", POISON),
    ("en", "my roommate took a whole bottle of sleeping pills", POISON),
    ("en", "My daughter is having a seizure and is shaking all over", SEIZURE),
    ("en", "The apartment next door is on fire, smoke everywhere", FIRE),
    ("en", "The socket in the kitchen is sparking and there's a burning smell", ELECTRIC),
    ("en", "I smell gas in the whole building", GAS),
    ("en", "My son fell into the river and nearly drowned", DROWNING),
    ("en", "My 5-year-old is missing at the park, I can't find him anywhere", MISSING),
    ("en", "Grandpa has dementia and wandered off two hours ago", MISSING),
    ("en", "I'm 32 weeks pregnant and my water just broke", LABOUR),
    # zh (simplified and traditional)
    ("zh", "我爸突然晕倒了，叫他没反应", UNCONSCIOUS),
    ("zh", "我爸突然暈倒，叫他也沒反應", UNCONSCIOUS),
    ("zh", "孩子喘不上气，嘴唇发紫", BREATHING),
    ("zh", "老人吃汤圆噎住了", CHOKING),
    ("zh", "手被切到了，血流不止", BLEEDING),
    ("zh", "老人从楼梯上摔下来，头在流血", FALL),
    ("zh", "丈夫拿着刀说要杀了我", VIOLENCE),
    ("zh", "他又打我了，我躲在房間裡", VIOLENCE),
    ("zh", "我真的不想活了，想跳楼", SUICIDE),
    ("zh", "我妈胸口剧痛，一直出冷汗", CHEST),
    ("zh", "孩子吃了花生以后嘴唇肿了，喉咙也肿", ALLERGY),
    ("zh", "宝宝误吞了一颗硬币", POISON),
    ("zh", "孩子高烧以后开始抽搐", SEIZURE),
    ("zh", "楼下着火了，走廊全是浓烟", FIRE),
    ("zh", "廚房有很重的瓦斯味", GAS),
    ("zh", "家里煤气泄漏了", GAS),
    ("zh", "孩子掉进河里溺水了", DROWNING),
    ("zh", "女儿在商场走丢了，到处找不到", MISSING),
    ("zh", "兒子放學後一直沒回家，電話也打不通", MISSING),
    # vi (with and without diacritics)
    ("vi", "Bố em tự nhiên ngất xỉu, gọi không tỉnh", UNCONSCIOUS),
    ("vi", "bo em bat tinh roi, lay khong day", UNCONSCIOUS),
    ("vi", "Con em khó thở, môi tím tái", BREATHING),
    ("vi", "con em kho tho qua, khong tho duoc", BREATHING),
    ("vi", "Em bị đứt tay, máu chảy nhiều không cầm được", BLEEDING),
    ("vi", "em bi dut tay, chay mau nhieu qua", BLEEDING),
    ("vi", "Chồng em say rượu đánh em, cầm dao dọa giết", VIOLENCE),
    ("vi", "chong em dang danh em, em so lam", VIOLENCE),
    ("vi", "Em không muốn sống nữa", SUICIDE),
    ("vi", "em khong muon song nua, muon chet", SUICIDE),
    ("vi", "Bố em đau ngực dữ dội, vã mồ hôi", CHEST),
    ("vi", "ba em dot quy, meo mieng", CHEST),
    ("vi", "Con em nuốt phải pin", POISON),
    ("vi", "con em uong nham nuoc tay", POISON),
    ("vi", "Con em bị co giật, mắt trợn", SEIZURE),
    ("vi", "con em bi co giat", SEIZURE),
    ("vi", "Nhà bên cạnh đang cháy, khói đen khắp nơi", FIRE),
    ("vi", "phong ben canh boc chay", FIRE),
    ("vi", "Trong bếp có mùi gas rất nặng", GAS),
    ("vi", "co mui gas trong bep, em chong mat", GAS),
    ("vi", "Con em bị đuối nước ở bể bơi", DROWNING),
    ("vi", "Con em bị lạc ở siêu thị, tìm mãi không thấy", MISSING),
    ("vi", "con em bi lac o cong vien", MISSING),
    # ko
    ("ko", "아버지가 쓰러지셨어요. 의식이 없어요", UNCONSCIOUS),
    ("ko", "아기가 숨을 안 쉬어요", BREATHING),
    ("ko", "아이 목에 사탕이 걸렸어요", CHOKING),
    ("ko", "칼에 베였는데 피가 멈추지 않아요", BLEEDING),
    ("ko", "남편이 저를 때리고 칼을 들고 있어요", VIOLENCE),
    ("ko", "죽고 싶어요. 오늘 밤 뛰어내릴 거예요", SUICIDE),
    ("ko", "어머니가 가슴이 너무 아프다고 해요", CHEST),
    ("ko", "갑자기 말이 어눌하고 한쪽 팔이 마비됐어요", CHEST),
    ("ko", "아이가 건전지를 삼켰어요", POISON),
    ("ko", "아이가 열이 나더니 경련을 해요", SEIZURE),
    ("ko", "옆집에 불이 났어요. 연기가 가득해요", FIRE),
    ("ko", "부엌에서 가스 냄새가 나요", GAS),
    ("ko", "아이가 물에 빠졌어요", DROWNING),
    ("ko", "딸이 놀이터에서 없어졌어요", MISSING),
    # tl / Taglish
    ("tl", "Tulong! Hinimatay si papa, hindi sumasagot pag tinatawag", UNCONSCIOUS),
    ("tl", "Hirap huminga ang anak ko, nangingitim ang labi", BREATHING),
    ("tl", "Nabulunan ng candy yung baby ko", CHOKING),
    ("tl", "Ang daming dugo sa kamay niya, ayaw tumigil", BLEEDING),
    ("tl", "Binubugbog ako ng asawa ko ngayon", VIOLENCE),
    ("tl", "Gusto ko nang mamatay, pagod na ako", SUICIDE),
    ("tl", "Masakit ang dibdib ni papa at pinagpapawisan siya", CHEST),
    ("tl", "Nakalunok ng baterya ang anak ko", POISON),
    ("tl", "Nangingisay ang baby ko, mainit siya", SEIZURE),
    ("tl", "May sunog sa kabilang unit, puro usok", FIRE),
    ("tl", "Amoy gas sa kusina namin, nahihilo kami", GAS),
    ("tl", "Nalunod ang pamangkin ko sa pool", DROWNING),
    ("tl", "Nawawala ang anak ko sa mall, hindi namin mahanap", MISSING),
    # ne (Devanagari and romanised)
    ("ne", "बुबा अचानक ढल्नुभयो, होस छैन", UNCONSCIOUS),
    ("ne", "buba behos hunu bhayo, bolaunda pani boldaina", UNCONSCIOUS),
    ("ne", "छोरालाई सास फेर्न गाह्रो भयो", BREATHING),
    ("ne", "chhora lai sas ferna sakena", BREATHING),
    ("ne", "श्रीमतीलाई धेरै रगत बगिरहेको छ", BLEEDING),
    ("ne", "hat kateko cha, dherai ragat bagyo", BLEEDING),
    ("ne", "श्रीमानले कुट्यो, चक्कु देखाएर मार्छु भन्छ", VIOLENCE),
    ("ne", "logne le kutyo, ma lukeko chu", VIOLENCE),
    ("ne", "म आत्महत्या गर्छु", SUICIDE),
    ("ne", "aba marna man lagyo, atmahatya garchhu jasto cha", SUICIDE),
    ("ne", "बुबाको छाती धेरै दुख्यो", CHEST),
    ("ne", "babu le sikka nilyo", POISON),
    ("ne", "भान्सामा आगो लाग्यो", FIRE),
    ("ne", "kotha ma aago lagyo, dhuwa aairacha", FIRE),
    ("ne", "ग्यासको गन्ध आइरहेको छ", GAS),
    ("ne", "kitchen ma gas ko gandha aayo", GAS),
    ("ne", "छोरी हराइन्, भेटिएन", MISSING),
    ("ne", "chhora school bata ghar aayena, 3 ghanta bhayo", MISSING),
    # pt
    ("pt", "Meu pai desmaiou e não responde", UNCONSCIOUS),
    ("pt", "Meu filho não consegue respirar direito, tá ficando roxo", BREATHING),
    ("pt", "meu bebe engasgou com uma uva", CHOKING),
    ("pt", "Cortei o braço e tá sangrando muito, não para de sangrar", BLEEDING),
    ("pt", "Meu marido está me batendo, ele pegou uma faca", VIOLENCE),
    ("pt", "Quero me matar, não aguento mais viver", SUICIDE),
    ("pt", "Minha mãe está com dor no peito muito forte", CHEST),
    ("pt", "Meu filho engoliu uma pilha", POISON),
    ("pt", "Meu bebê está tendo convulsão", SEIZURE),
    ("pt", "Tem fogo no prédio, muita fumaça preta", FIRE),
    ("pt", "Tem cheiro de gás na cozinha", GAS),
    ("pt", "tem cheiro de gas no corredor", GAS),
    ("pt", "Meu filho caiu na piscina e se afogou", DROWNING),
    ("pt", "Minha filha sumiu no shopping, não encontro ela", MISSING),
    # id
    ("id", "Ayah saya pingsan dan tidak sadarkan diri", UNCONSCIOUS),
    ("id", "Anak saya sesak napas, bibirnya membiru", BREATHING),
    ("id", "Bayi saya keselek kacang", CHOKING),
    ("id", "Tangan saya kena pisau, darahnya tidak berhenti", BLEEDING),
    ("id", "Suami saya memukul saya dan mengancam mau bunuh saya", VIOLENCE),
    ("id", "Saya sudah tidak kuat, mau bunuh diri", SUICIDE),
    ("id", "Bapak tiba-tiba nyeri dada hebat", CHEST),
    ("id", "Anak saya menelan baterai kancing", POISON),
    ("id", "Anak saya kejang-kejang setelah demam tinggi", SEIZURE),
    ("id", "Ada kebakaran di apartemen sebelah, asap hitam di mana-mana", FIRE),
    ("id", "Ada bau gas di dapur", GAS),
    ("id", "Anak saya tenggelam di kolam renang", DROWNING),
    ("id", "Anak saya hilang di mall dari tadi", MISSING),
    # my
    ("my", "အဖေ သတိလစ်သွားတယ်", UNCONSCIOUS),
    ("my", "ကလေး အသက်ရှူ ခက်နေတယ်", BREATHING),
    ("my", "သွေးတွေ အများကြီး ထွက်နေတယ်", BLEEDING),
    ("my", "ယောက်ျားက ဓား ကိုင်ပြီး သတ်မယ်လို့ ပြောတယ်", VIOLENCE),
    ("my", "သေချင်တယ်", SUICIDE),
    ("my", "ရင်ဘတ် အရမ်း နာတယ်", CHEST),
    ("my", "ကလေး ဆေးပြားတွေ မျိုချလိုက်တယ်", POISON),
    ("my", "အခန်း မီးလောင်နေတယ်", FIRE),
    ("my", "ဂတ်စ် အနံ့ ရနေတယ်", GAS),
    ("my", "ကလေး ရေနစ်သွားတယ်", DROWNING),
    ("my", "သမီး ပျောက်သွားတယ်", MISSING),
    # th
    ("th", "พ่อหมดสติ เรียกไม่ตอบ", UNCONSCIOUS),
    ("th", "ลูกหายใจไม่ออก", BREATHING),
    ("th", "ลูกสำลักลูกอม", CHOKING),
    ("th", "เลือดไหลไม่หยุดเลยค่ะ", BLEEDING),
    ("th", "แฟนทำร้ายร่างกาย ขู่ว่าจะฆ่า", VIOLENCE),
    ("th", "อยากตาย ไม่อยากมีชีวิตอยู่แล้ว", SUICIDE),
    ("th", "สามีเจ็บหน้าอกมาก", CHEST),
    ("th", "ลูกกลืนเหรียญ", POISON),
    ("th", "ลูกชักเกร็ง ตัวร้อนมาก", SEIZURE),
    ("th", "ไฟไหม้ห้องข้างๆ ควันเต็มไปหมด", FIRE),
    ("th", "ได้กลิ่นแก๊สในห้อง", GAS),
    ("th", "ลูกจมน้ำ", DROWNING),
    ("th", "ลูกหายไปในห้าง หาไม่เจอ", MISSING),
    # si
    ("si", "අම්මා සිහිය නැතිව වැටුණා", UNCONSCIOUS),
    ("si", "දරුවාට හුස්ම ගන්න බැහැ", BREATHING),
    ("si", "ලේ ගොඩක් යනවා, නවතින්නේ නැහැ", BLEEDING),
    ("si", "මහත්තයා මට ගහනවා", VIOLENCE),
    ("si", "මට මැරෙන්න ඕනේ", SUICIDE),
    ("si", "තාත්තාට පපුවේ වේදනාව", CHEST),
    ("si", "ගෙදර ගින්නක්, දුම පිරිලා", FIRE),
    ("si", "ගෑස් ගඳක් එනවා", GAS),
    ("si", "දරුවා වතුරේ ගිලුණා", DROWNING),
    ("si", "පුතා නැතිවෙලා, හොයාගන්න බැහැ", MISSING),
    # es
    ("es", "Mi papá se desmayó y no responde", UNCONSCIOUS),
    ("es", "Mi hijo no puede respirar", BREATHING),
    ("es", "Mi bebé se atragantó con una uva", CHOKING),
    ("es", "Sangra mucho y no para de sangrar", BLEEDING),
    ("es", "Mi esposo me está golpeando", VIOLENCE),
    ("es", "Me quiero morir, no quiero vivir más", SUICIDE),
    ("es", "Tengo un dolor fuerte en el pecho", CHEST),
    ("es", "Mi hijo se tragó una moneda", POISON),
    ("es", "Mi bebé tiene convulsiones", SEIZURE),
    ("es", "Hay un incendio en el edificio", FIRE),
    ("es", "Huele a gas en la cocina", GAS),
    ("es", "Mi hijo se cayó a la piscina y se ahogó", DROWNING),
    ("es", "Mi hija desapareció en el parque", MISSING),
    # ja (kanji and easy hiragana)
    ("ja", "父が倒れて意識がありません", UNCONSCIOUS),
    ("ja", "おかあさん　よんでも　へんじ　しない", UNCONSCIOUS),
    ("ja", "あかちゃん　いき　が　できない", BREATHING),
    ("ja", "子どもがもちを喉に詰まらせました", CHOKING),
    ("ja", "包丁で指を切って血が止まらない", BLEEDING),
    ("ja", "て　を　きった　ち　が　とまらない", BLEEDING),
    ("ja", "夫に殴られて、包丁を持っています", VIOLENCE),
    ("ja", "しにたい", SUICIDE),
    ("ja", "胸が痛くて冷や汗が出ています", CHEST),
    ("ja", "子どもがボタン電池を飲み込んだ", POISON),
    ("ja", "子どもがけいれんしています", SEIZURE),
    ("ja", "となり　の　へや　が　かじ　です", FIRE),
    ("ja", "ガスのにおいがします", GAS),
    ("ja", "こども　が　プール　で　おぼれた", DROWNING),
    ("ja", "むすこ　が　いなくなった", MISSING),
    ("ja", "陣痛はまだですが破水しました", LABOUR),
    # a few other languages
    ("hi", "papa achanak gir gaye aur behosh ho gaye", UNCONSCIOUS),
    ("ru", "Пахнет газом на кухне", GAS),
    ("fr", "Il y a une forte odeur de gaz dans l'immeuble", GAS),
    # more phrasings (second round)
    ("en", "HELP my baby isnt breathing", BREATHING),
    ("en", "I am scared, my ex is outside my door with a knife", VIOLENCE),
    ("en", "my dad's left side went numb suddenly and he can't talk properly", CHEST),
    ("en", "I took 30 pills an hour ago", POISON),
    ("en", "my son was electrocuted by the socket", ELECTRIC),
    ("en", "kid got hit by a car in front of our house", TRAFFIC),
    (
        "en",
        "My toddler pulled a pot of boiling water on himself, large burns and his skin is peeling off",
        BURN,
    ),
    ("zh", "我朋友割腕了，流了很多血", SUICIDE),
    ("zh", "我儿子从三楼阳台掉下去了", FALL),
    ("zh", "我女儿吃了洗衣凝珠，一直吐", POISON),
    ("zh", "孩子被车撞了，躺在地上", TRAFFIC),
    ("vi", "em bi nguoi yeu cu danh, mat sung, no dang o ngoai cua", VIOLENCE),
    ("vi", "nha em bi chay", FIRE),
    ("vi", "Con em bị bỏng nước sôi rất nặng", BURN),
    ("vi", "Vợ em mang thai 30 tuần bị vỡ ối", LABOUR),
    ("ko", "남편이 목을 졸랐어요", VIOLENCE),
    ("ko", "아이가 약을 잔뜩 먹었어요", POISON),
    ("tl", "Sinaksak ng kutsilyo ang kapatid ko", VIOLENCE),
    ("tl", "nasusunog ang bahay ng kapitbahay", FIRE),
    ("ne", "kothama dhuwa bhariyo", FIRE),
    ("ne", "मेरो श्रीमान्‌ले मलाई कुट्दै हुनुहुन्छ", VIOLENCE),
    ("pt", "alguém está tentando arrombar a porta", VIOLENCE),
    ("pt", "minha filha bebeu água sanitária", POISON),
    ("id", "ada yang dobrak pintu rumah saya", VIOLENCE),
    ("id", "anak saya minum minyak tanah", POISON),
    ("th", "ลูกกินยาของยายไปหลายเม็ด", POISON),
    ("th", "มีคนถือมีดอยู่หน้าห้อง", VIOLENCE),
    ("si", "දරුවා බැටරියක් ගිල්ලා", POISON),
    ("si", "කවුරුහරි මගේ කාමරයට කඩාගෙන එන්න හදනවා", VIOLENCE),
    ("es", "mi esposo tiene un cuchillo y dice que me va a matar", VIOLENCE),
    ("es", "hay humo negro saliendo del departamento", FIRE),
    ("ja", "むすめ が みつからない どこ にも いない", MISSING),
    ("ja", "おとうと が かいだん から おちて あたま から ち が でてる", FALL),
    ("my", "ယောက်ျားက ရိုက်နှက်နေတယ်", VIOLENCE),
]

# (language, text): everyday requests that must not raise any cue
NEGATIVES: list[tuple[str, str]] = [
    # en
    ("en", "I got fired from my job last week, can I get unemployment benefits?"),
    ("en", "My gas bill is too high this month"),
    ("en", "The gas stopped because I forgot to pay, how do I turn it back on?"),
    ("en", "I need a blood test for my health check"),
    ("en", "My son has a fever of 38.5, which clinic is open tonight?"),
    ("en", "Do I need fire insurance for my rental apartment?"),
    ("en", "Where can I buy a fire extinguisher?"),
    ("en", "My landlord is not responding to my emails"),
    ("en", "I'm not suicidal, just feeling low and looking for a counsellor"),
    ("en", "I can't find my residence card, how do I get a new one?"),
    ("en", "I'm missing some documents for my visa renewal"),
    ("en", "My kid can't swallow pills, is there a syrup?"),
    ("en", "My child hit his head on the table but he is playing normally"),
    ("en", "My father had a stroke last year, how do I apply for care insurance?"),
    ("en", "Cigarette smoke from the neighbour's balcony keeps coming into our room"),
    ("en", "The city sent a notice about seizure of my bank account for unpaid tax"),
    ("en", "My daughter has asthma, which pediatrician speaks English?"),
    ("en", "I smelled gas in the hallway last week but it's gone now, who checks the pipes?"),
    ("en", "How do I sort burnable garbage?"),
    # zh
    ("zh", "煤气费怎么交？"),
    ("zh", "燃气停了，怎么恢复？"),
    ("zh", "我想做血液检查，需要空腹吗"),
    ("zh", "孩子发烧38度，需要去医院吗"),
    ("zh", "火灾保险要不要买？"),
    ("zh", "公司把我解雇了，怎么办"),
    ("zh", "有空请打我电话"),
    ("zh", "孩子找不到幼儿园怎么办"),
    ("zh", "他的钱包不见了，要去哪里报失"),
    ("zh", "腿抽筋是缺钙吗"),
    ("zh", "孩子在学校被同学欺负了"),
    # vi
    ("vi", "Tiền gas tháng này cao quá"),
    ("vi", "tien gas thang nay cao qua"),
    ("vi", "Gas bị cắt rồi, làm sao để mở lại ạ?"),
    ("vi", "Em muốn đi xét nghiệm máu"),
    ("vi", "Con em sốt 38 độ, có cần đi viện không"),
    ("vi", "Rác cháy được đổ ngày nào ạ?"),
    ("vi", "rac chay duoc do ngay nao a"),
    ("vi", "Em bị công ty đuổi việc"),
    ("vi", "cho em mot xiu nhe"),
    ("vi", "em se tu tu tra tien duoc khong"),
    ("vi", "em muon tim tai lieu hoc tieng Nhat"),
    ("vi", "con em di hoc ve muon"),
    ("vi", "Sốt xuất huyết có lây không ạ"),
    ("vi", "em muon hoi ve bao hanh dien thoai"),
    ("vi", "Em không có ý định làm gì dại dột đâu, chỉ muốn tìm chỗ tư vấn"),
    ("vi", "gọi điện không tính phí phải không ạ"),
    # ko
    ("ko", "가스 요금이 너무 많이 나왔어요"),
    ("ko", "가스가 끊겼어요. 어떻게 다시 켜요?"),
    ("ko", "혈액 검사 받고 싶어요"),
    ("ko", "아이가 열이 38도예요"),
    ("ko", "방에 불이 나갔어요. 전구를 바꿔야 하나요?"),
    ("ko", "회사에서 해고됐어요"),
    ("ko", "아이디를 못 찾겠어요"),
    ("ko", "화재보험 가입해야 하나요?"),
    ("ko", "약을 먹었는데도 열이 안 내려요"),
    ("ko", "집주인이 반응이 없어요"),
    ("ko", "숨쉬는 건 괜찮아 보이는데 기침을 해요"),
    # tl
    ("tl", "Magkano ang bill ng gas namin?"),
    ("tl", "Naputol ang gas namin, paano ipapabukas?"),
    ("tl", "Kailangan ko ng blood test para sa trabaho"),
    ("tl", "Buntis ako, kailangan ko bang magpa-blood test?"),
    ("tl", "May lagnat ang anak ko, 38"),
    ("tl", "Natanggal ako sa trabaho"),
    ("tl", "Nawala ang wallet ng anak ko sa tren"),
    # ne
    ("ne", "ग्यासको बिल कति हो?"),
    ("ne", "रगत जाँच गर्नुपर्छ, कहाँ जाने?"),
    ("ne", "म गर्भवती छु, रगत जाँच कहाँ गर्ने?"),
    ("ne", "मेरो जागिर गयो"),
    ("ne", "gas ko bill kati aayo"),
    ("ne", "chhora lai jwaro aayo, 38 degree"),
    ("ne", "chhora bihana chhito uthdaina, school late huncha"),
    # pt
    ("pt", "Fui demitido, posso receber seguro-desemprego?"),
    ("pt", "A conta de gás veio muito alta"),
    ("pt", "O gás foi cortado, como religo?"),
    ("pt", "Preciso fazer exame de sangue"),
    ("pt", "Meu filho está com febre de 38"),
    ("pt", "Preciso de seguro contra incêndio?"),
    ("pt", "Meu cartão sumiu, o que faço?"),
    ("pt", "Não acho que meu filho precise de vacina"),
    ("pt", "Meu filho tomou o remédio para febre, pode tomar outro?"),
    # id
    ("id", "Saya dipecat dari kerja"),
    ("id", "Tagihan gas mahal sekali"),
    ("id", "Gas mati, bagaimana menyalakan lagi?"),
    ("id", "Saya hamil, harus tes darah di mana?"),
    ("id", "Anak saya demam 38"),
    ("id", "Dompet saya hilang di kereta api"),
    ("id", "Saya tidak sadar ada surat dari kantor pajak"),
    ("id", "Janji dokter pukul 3 sore"),
    # my
    ("my", "ဓာတ်ငွေ့ ဖိုး ဘယ်မှာ ဆောင်ရမလဲ"),
    ("my", "သွေး စစ်ချင်တယ်"),
    ("my", "ကလေး ဖျားနေတယ်"),
    ("my", "ဘယ်လို လုပ်ရမလဲ ကျွန်တော် မသိဘူး"),
    ("my", "ဓာတ်ပုံ ရိုက်ချင်တယ်"),
    ("my", "သွေးတိုး ရောဂါ ရှိတယ်"),
    # th
    ("th", "ค่าแก๊สแพงมาก"),
    ("th", "แก๊สถูกตัด ต้องทำยังไง"),
    ("th", "อยากตรวจเลือด"),
    ("th", "ลูกมีไข้ 38 องศา"),
    ("th", "โดนไล่ออกจากงาน"),
    ("th", "ประกันไฟไหม้ต้องซื้อไหม"),
    ("th", "ชักโครกตัน ต้องเรียกใคร"),
    ("th", "บัตร ATM หาย"),
    ("th", "ต้องใช้อะไรจะฆ่าเชื้อ"),
    # si
    ("si", "ගෑස් බිල කීයද?"),
    ("si", "ලේ පරීක්ෂණයක් කරන්න ඕනේ"),
    ("si", "මම ගැබිනියි, ලේ පරීක්ෂණය කොහෙද?"),
    ("si", "දරුවට උණ"),
    ("si", "මේ පඩියෙන් ජීවත් වෙන්න බැහැ"),
    # es
    ("es", "Me despidieron del trabajo"),
    ("es", "La factura del gas es muy alta"),
    ("es", "Me cortaron el gas"),
    ("es", "Necesito un análisis de sangre"),
    ("es", "Mi hijo tiene fiebre"),
    ("es", "¿Necesito seguro contra incendios?"),
    ("es", "Me pegó la gripe, ¿qué clínica?"),
    # ja
    ("ja", "ガス代が高いです"),
    ("ja", "ガスが止まりました。どうすればいいですか"),
    ("ja", "血液検査を受けたいです"),
    ("ja", "子どもに熱があります"),
    ("ja", "会社をクビになりました"),
    ("ja", "燃えるゴミの日はいつですか"),
    ("ja", "中耳炎と言われました"),
    ("ja", "火災保険に入る必要がありますか"),
    ("ja", "ともだち　が　たくさん　います"),
    ("ja", "がっこう　に　いきたくない　と　いいます"),
    ("ja", "ショートステイ　を　つかいたい"),
    ("ja", "子どもがいない夫婦でも申請できますか"),
    ("ja", "アルバイト先で怒鳴られたり殴られたりします。相談できるところはありますか"),
    # chronic, mild or past: a clinic visit, not an emergency
    ("en", "Which hospital can treat my chronic chest pain? It comes and goes for months"),
    ("en", "My son gets short of breath when he runs, should he see a doctor?"),
    ("en", "I fainted once last year, do I need to tell my employer?"),
    ("en", "My company collapsed and I lost my job"),
    ("en", "How do I refill my daughter's seizure medication?"),
    ("en", "My son is missing his friends back home"),
    ("en", "Can the landlord fire the cleaning staff?"),
    ("en", "I took 2 pills of paracetamol, can I take another?"),
    ("en", "I cut my finger with a knife while cooking, it's small, do I need stitches?"),
    ("en", "Someone broke into our apartment while we were out, the lock is smashed. What do I do?"),
    ("zh", "最近经常胸闷，去哪家医院看"),
    ("zh", "爬楼梯的时候有点喘不上气，要看什么科"),
    ("vi", "em thỉnh thoảng bị đau ngực, nên khám ở đâu"),
    ("vi", "em muon danh thoi gian hoc tieng Nhat"),
    ("vi", "Em bị bỏng nước sôi ở tay, phồng rộp, có cần đi viện không"),
    ("ko", "가끔 가슴이 아파요, 어느 병원에 가야 해요?"),
    ("ko", "계단 오를 때 숨이 차요"),
    ("tl", "minsan sumasakit ang dibdib ko, saan ako magpapacheck-up"),
    ("tl", "Ano ang gagawin kung may sunog drill sa school?"),
    ("pt", "sinto falta de ar às vezes quando subo escada"),
    ("pt", "cortei o dedo com uma faca, foi pequeno, precisa de ponto?"),
    ("id", "saya potong sayur pakai pisau dan jari luka sedikit"),
    ("id", "anak saya susah napas karena pilek, hidung tersumbat"),
    ("id", "Majikan saya memukul saya kemarin, saya takut masuk kerja"),
    ("es", "a veces me duele el pecho cuando camino"),
    ("es", "me corté con un cuchillo cocinando, es pequeño"),
    ("ja", "ときどき胸が痛くなります。何科に行けばいいですか"),
    ("ja", "かいだん を のぼると いき が くるしい"),
    ("th", "บางครั้งเจ็บหน้าอก ควรไปหาหมอที่ไหน"),
    ("th", "ลูกโดนน้ำร้อนลวกที่แขนนิดหน่อย ต้องไปหาหมอไหม"),
    ("my", "တစ်ခါတလေ ရင်ဘတ် နာတယ်"),
    ("ne", "kahile kahi chati dukhcha, kun hospital jane"),
    ("si", "ඉඳහිට පපුව රිදෙනවා"),
]


@pytest.mark.parametrize(
    ("lang", "text", "label"), POSITIVES, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSITIVES)]
)
def test_positive(lang: str, text: str, label: str) -> None:
    assert label in find_emergency_cues(text), (lang, text)


@pytest.mark.parametrize(("lang", "text"), NEGATIVES, ids=[f"{n[0]}-{i}" for i, n in enumerate(NEGATIVES)])
def test_negative(lang: str, text: str) -> None:
    assert find_emergency_cues(text) == [], (lang, text)


PRIORITY = ("zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "en", "th", "si", "es", "ja")


def test_every_priority_language_has_positives_and_negatives() -> None:
    for lang in PRIORITY:
        assert sum(p[0] == lang for p in POSITIVES) >= 10, lang
        assert sum(n[0] == lang for n in NEGATIVES) >= 5, lang


def test_fever_alone_is_not_an_emergency_but_with_convulsions_it_is() -> None:
    assert find_emergency_cues("My son has a high fever of 39.5") == []
    assert find_emergency_cues("My son has a high fever and now convulsions") == ["seizure"]
    assert find_emergency_cues("My son has a high fever and he is unresponsive") == [UNCONSCIOUS]


def test_labels_are_ordered_and_unique() -> None:
    text = "Fire! smoke everywhere and my dad collapsed, he is not breathing"
    cues = find_emergency_cues(text)
    assert cues == [UNCONSCIOUS, BREATHING, FIRE]
    assert cues == find_emergency_cues(text)  # deterministic
    assert len(set(CUE_LABELS)) == len(CUE_LABELS)
    assert all(label in CUE_LABELS for label in cues)


@pytest.mark.parametrize("text", ["", "   ", "👍👍👍", "12345", "hello", "テスト"])
def test_empty_and_trivial_texts(text: str) -> None:
    assert find_emergency_cues(text) == []


def test_normalisation_full_width_and_case() -> None:
    assert find_emergency_cues("ＩＮ ＦＩＲＥ？ no — THE HOUSE IS ON FIRE") == [FIRE]
    assert find_emergency_cues("ｶﾞｽのにおいがする") == [GAS]  # half-width katakana
    assert find_emergency_cues("I CAN’T BREATHE") == [BREATHING]  # typographic apostrophe


def test_cue_count_is_documented() -> None:
    assert emergency_cue_count() >= 200


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.skipif(not DEV_SET.exists(), reason="dev set not available")
def test_dev_set_recall_is_total_and_false_alarms_are_rare() -> None:
    rows = _rows(DEV_SET)
    emergencies = [r for r in rows if r["urgency"] == "EMERGENCY"]
    missed = [r["id"] for r in emergencies if not find_emergency_cues(r["text"])]
    assert emergencies and not missed
    others = [r for r in rows if r["urgency"] != "EMERGENCY"]
    false_alarms = [r["id"] for r in others if find_emergency_cues(r["text"])]
    # Precision must stay >= 70 % together with the classifier; the cues alone stay far below that bound.
    assert len(false_alarms) <= max(2, len(others) // 50), false_alarms


def test_labelled_examples_emergency_recall() -> None:
    rows = [row for path in sorted(EXAMPLES.glob("*.jsonl")) for row in _rows(path)]
    emergencies = [r for r in rows if r["urgency"] == "EMERGENCY"]
    missed = [r["text"] for r in emergencies if not find_emergency_cues(r["text"])]
    assert len(missed) <= len(emergencies) // 20, missed  # >= 95 % of the reviewed emergencies
    others = [r for r in rows if r["urgency"] != "EMERGENCY"]
    false_alarms = [r["text"] for r in others if find_emergency_cues(r["text"])]
    assert len(false_alarms) <= max(3, len(others) // 40), false_alarms
