"""Names and other short text shown to other people (issue 7, item 10): normalised, and refused
when they would only spoof (UTS #39, UAX #31). Errors in the payload, with path and code."""

from typing import Any

import asyncpg
import pytest

from service import human_text
from tests.flows import REGISTER_RESIDENT, REGISTER_VOLUNTEER, register_resident
from tests.support import Api

REFUSED = {
    "right-to-left override": "Lan\u202eoh",
    "left-to-right isolate": "\u2066Lan\u2069",
    "zero-width only": "\u200b\u200b",
    "BOM only": "\ufeff",
    "zero-width space inside": "La\u200bn",
    "word joiner": "La\u2060n",
    "tag characters": "Lan\U000e0041\U000e0042",
    "Hangul filler only": "\u3164",
    "CR/LF": "Lan\r\nStaff: approved",
    "tab": "Lan\tNguyen",
    "NUL": "La\x00n",
    "private use": "Lan \ue000",
    "marks only": "\u0301\u0301",
    "punctuation only": "...",
    "Cyrillic in a Latin word": "\u0422anaka",  # Тanaka
    "Greek in a Latin word": "P\u03bflly",  # Pοlly with a Greek omicron
    "soft hyphen": "Lan\u00adNguyen",
    "left-to-right mark": "Lan\u200e",
}

ACCEPTED: dict[str, tuple[str, str]] = {
    # what is sent -> what is stored
    "plain": ("Lan Nguyen", "Lan Nguyen"),
    "Vietnamese": ("Nguyễn Thị Lan", "Nguyễn Thị Lan"),
    "decomposed Vietnamese is composed": ("Nguye\u0302\u0303n", "Nguyễn"),
    "full-width Latin": ("Ｌａｎ", "Lan"),
    "ideographic space and runs of spaces": ("山田\u3000\u3000花子  さん", "山田 花子 さん"),
    "Japanese scripts together": ("山田はなこ・ハナコ", "山田はなこ・ハナコ"),
    "half-width katakana": ("ﾊﾅｺ", "ハナコ"),
    "Sinhala with ZWJ after virama": ("ශ්\u200dරී", "ශ්\u200dරී"),
    "Devanagari with ZWNJ after virama": ("क्\u200cष", "क्\u200cष"),
    "Persian with ZWNJ between letters": ("می\u200cخواهم", "می\u200cخواهم"),
    "emoji ZWJ sequence": ("Lan \U0001f469\u200d\U0001f4bb", "Lan \U0001f469\u200d\U0001f4bb"),
    "emoji with variation selector": ("Lan \u2764\ufe0f", "Lan \u2764\ufe0f"),
    "two scripts, two words": ("Ivan Иванов", "Ivan Иванов"),
    "Korean": ("김민준", "김민준"),
    "Burmese": ("မောင်မောင်", "မောင်မောင်"),
    "digits": ("Room 101", "Room 101"),
}


@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
def test_spoofing_text_is_refused(name: str) -> None:
    assert human_text.problem(human_text.normalise(name)) is not None


@pytest.mark.parametrize(("sent", "stored"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_names_people_write_are_accepted_in_one_form(sent: str, stored: str) -> None:
    cleaned = human_text.normalise(sent)
    assert human_text.problem(cleaned) is None
    assert cleaned == stored


def resident(**overrides: Any) -> dict[str, Any]:
    return {
        "displayName": "Lan",
        "languages": ["vi"],
        "area": "Adachi",
        "contact": "lan@example.org",
        **overrides,
    }


async def test_registration_refuses_spoofing_names_with_path_and_code(
    api: Api, db: asyncpg.Connection
) -> None:
    for label, name in REFUSED.items():
        payload = (await api.gql(REGISTER_RESIDENT, {"input": resident(displayName=name)}))[
            "registerResident"
        ]
        assert payload["token"] is None, label
        assert [(e["path"], e["code"]) for e in payload["errors"]] == [
            (["input", "displayName"], "INVALID_INPUT")
        ], label
    # The other short fields shown to people follow the same rules.
    payload = (
        await api.gql(
            REGISTER_RESIDENT, {"input": resident(area="Adachi\u202e", contact="lan@example.org\nStaff: ok")}
        )
    )["registerResident"]
    assert {tuple(e["path"]) for e in payload["errors"]} == {("input", "area"), ("input", "contact")}
    volunteer = {
        "displayName": "\u200b",
        "languages": ["en"],
        "skills": "Interpreting",
        "fields": ["MEDICAL"],
        "area": "Adachi",
        "availability": "evenings\u2066",
        "contact": "sato@example.org",
    }
    payload = (await api.gql(REGISTER_VOLUNTEER, {"input": volunteer}))["registerVolunteer"]
    assert {tuple(e["path"]) for e in payload["errors"]} == {
        ("input", "displayName"),
        ("input", "availability"),
    }
    assert await db.fetchval("SELECT count(*) FROM accounts") == 0


async def test_names_are_stored_normalised(api: Api) -> None:
    token, _ = await register_resident(api, name="Ｌａｎ   Nguye\u0302\u0303n")
    viewer = await api.gql("{ viewer { resident { displayName } } }", token=token)
    assert viewer["viewer"]["resident"]["displayName"] == "Lan Nguyễn"


async def test_submit_area_and_times_follow_the_same_rules(api: Api, db: asyncpg.Connection) -> None:
    token, _ = await register_resident(api)
    submit = (
        """mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { errors { path code } } }"""
    )
    payload = await api.gql(
        submit, {"input": {"text": "help", "area": "Adachi\u200b", "preferredTimes": "\u202eevening"}}, token
    )
    assert {tuple(e["path"]) for e in payload["submitRequest"]["errors"]} == {
        ("input", "area"),
        ("input", "preferredTimes"),
    }
    assert await db.fetchval("SELECT count(*) FROM requests") == 0
