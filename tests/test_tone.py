"""Light-tone markers (triage/words/tone.toml): laughter, jokes and adverts, not their look-alikes."""

from dataclasses import replace

import pytest

from triage.corpus import load_examples
from triage.labels import Urgency
from triage.tone import tone_markers


@pytest.mark.parametrize(
    ("text", "laughter", "advert"),
    [
        ("Papatayin ko talaga asawa ko hindi naghugas ng pinggan hahaha", True, False),
        ("this paperwork will kill me 😂", True, False),
        ("仕事で死にそう（笑）", True, False),
        ("과제 때문에 죽겠다 ㅋㅋ", True, False),
        ("Dijual paket nasi padang beku, diskon 20%", False, True),
        ("セール中！送料無料", False, True),
        # Easy Japanese writes the selling words in hiragana (triage step 50).
        ("きょう だけ ぜんぶ はんがく です", False, True),
        ("ふとん げきやす 1000えん", False, True),
        ("はは が たおれました。 へんじ が ありません", False, False),
        ("Sale humo negro de la cocina", False, False),  # Spanish "sale" = comes out
        ("My father collapsed and is not breathing", False, False),
        ("Saleh is my neighbour", False, False),
        ("Vendo marmitas congeladas, entrega em domicílio", False, True),
        ("【重要】アカウントが停止されました。本人確認をしてください", False, True),
        ("김치 판매합니다 택배 가능", False, True),
        ("Vendí mi coche el año pasado, ¿tengo que avisar al seguro?", False, False),
        ("Mi hijo no respira, ¡ayuda!", False, False),
        # Emoji alone are no advert: people report real fires with them (triage step 24).
        ("火事です！🔥🔥 早く来て", False, False),
        ("🔥🔥 FIRE SALE 🔥🔥 extinguishers 50% off this weekend", False, True),
        ("🔥🔥 sale chay hang, binh cuu hoa gia re, ib ngay", False, True),
        ("ห้องข้างๆ ไฟไหม้ 🔥 ควันเต็มเลย", False, False),
        ("ထမင်းဆိုင် ဖွင့်ပြီ ၁၀% လျှော့", False, True),
        ("Hindi makahinga ang anak ko, 10% lang ang battery ko", False, False),
        # Insisting that it is real is no joke (triage step 29); joking still is.
        ("não é brincadeira, meu pai caiu e não acorda", False, False),
        # A line break or a double space inside the denial denies all the same.
        ("NÃO É\nBRINCADEIRA, meu pai caiu e não acorda", False, False),
        ("não  é   brincadeira, meu pai caiu", False, False),
        ("é brincadeira kkkk", True, False),
        ("冗談じゃない、隣の部屋から煙が出てる", False, False),
        ("冗談だよ、気にしないで", True, False),
        ("농담 아니고 진짜 아빠가 쓰러졌어요", False, False),
        ("不是开玩笑 我朋友吃了一整瓶药", False, False),
        ("Ce n'est pas une blague, mon fils ne respire plus", False, False),
        ("pas une blague mais quand même mdr", True, False),
        # A sign the writer took for a joke then is no joke now (engine 1.25).
        ("他上周说想消失，我以为他在开玩笑，现在联系不上了", False, False),
        ("死にたいって言ってたけど冗談だと思ってた。今電話に出ない", False, False),
        ("어제 죽고 싶다길래 농담인 줄 알았는데 지금 연락이 안 돼요", False, False),
        ("ele disse que ia acabar com tudo, achei que era brincadeira, agora não atende", False, False),
        ("I thought he was just kidding about the pills, now he won't wake up", False, False),
        ("kirain bercanda wkwk", True, False),  # laughter beside it still marks
    ],
)
def test_markers(text: str, laughter: bool, advert: bool) -> None:
    assert tone_markers(text) == (laughter, advert)


def test_no_training_emergency_carries_an_advert_marker() -> None:
    # An advert marker keeps the probability from calling EMERGENCY (triage.decision): a marker
    # found in a real emergency could hide it. Advert words are chosen so that none of the
    # examples' emergencies has one.
    found = [e.text for e in load_examples() if e.urgency is Urgency.EMERGENCY and tone_markers(e.text)[1]]
    assert not found, found


def test_each_negated_phrase_holds_a_joke_word() -> None:
    # A negated phrase without a joke word in it would never change anything.
    from triage.tone import _tone

    laughter, _ = _tone()
    bare = replace(laughter, negated=())
    assert laughter.negated
    assert [p for p in laughter.negated if not bare.found(p)] == []
