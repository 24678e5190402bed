"""Errors a client can act on, in the person's language (issue 9, item 8): a fine `reason` with
its parameters, documented in the schema, and `message` from service/messages/<locale>.toml in
the viewer's language, else Accept-Language, else English."""

import json
import re
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from graphql import GraphQLEnumType

from schema import build_schema
from service import i18n
from service.config import Settings
from service.errors import CODE_OF, ErrorCode, ErrorReason
from service.ids import to_global_id
from service.notifications.templates import TEMPLATES_DIR
from tests.conftest import serve
from tests.flows import register_resident, register_volunteer, verify
from tests.support import Api
from tests.test_offers import _approved_request as approved_request
from tests.test_offers import _pending_offer as pending_offer
from tests.test_schema_contract import CONTRACT
from triage.engine import Triage

ROOT = Path(__file__).resolve().parent.parent
ERRORS = "errors { path message code reason limit retryAfterSeconds params { name value } messageLanguage }"
SUBMIT = f"mutation($input: SubmitRequestInput!) {{ submitRequest(input: $input) {{ request {{ id }} {ERRORS} }} }}"
REGISTER = f"""mutation($input: RegisterResidentInput!) {{
  registerResident(input: $input) {{ token {ERRORS} }} }}"""
CANCEL = f"mutation($id: ID!) {{ cancelRequest(id: $id) {{ request {{ status }} {ERRORS} }} }}"
VET = f"""mutation($id: ID!) {{
  setVolunteerVerified(volunteerId: $id, verified: true) {{ volunteer {{ id }} {ERRORS} }} }}"""
SETTINGS = f"""mutation($language: String!) {{
  updateNotificationSettings(input: {{notificationLanguage: $language}}) {{ {ERRORS} }} }}"""
BAD_REGISTRATION = {"displayName": " ", "languages": ["xx"], "area": "Meguro", "contact": "a@example.org"}


@cache
def _reason_descriptions() -> dict[str, str]:
    """Each reason's description in the served schema."""
    reason_type = build_schema()._schema.type_map["ErrorReason"]
    assert isinstance(reason_type, GraphQLEnumType)
    return {name: value.description or "" for name, value in reason_type.values.items()}


def _documented_params() -> dict[str, set[str]]:
    """Each reason's `Params:` as its description lists them (a name, maybe an example in brackets)."""
    found: dict[str, set[str]] = {}
    for name, description in _reason_descriptions().items():
        listed = re.search(r"Params: ([^.]*)\.", re.sub(r" \([^)]*\)", "", description))
        found[name] = set(re.findall(r"\w+", listed.group(1))) if listed else set()
    return found


# ---------------------------------------------------------------- the data: complete and consistent


def test_locales_are_the_web_apps_and_the_notification_templates() -> None:
    listed = json.loads((ROOT / "web/src/i18n/locales.json").read_text(encoding="utf-8"))["locales"]
    assert (
        set(i18n.LOCALES)
        == {entry["code"] for entry in listed}
        == {path.stem for path in TEMPLATES_DIR.glob("*.toml")}
    )
    assert {p.stem for p in i18n.MESSAGES_DIR.glob("*.toml")} == set(i18n.LOCALES)


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_reason_and_status_has_a_message_with_the_same_parameters(locale: str) -> None:
    english = i18n.catalog("en")
    words = i18n.catalog(locale)
    assert set(words.reasons) == {r.value for r in ErrorReason}
    assert set(words.statuses) == set(i18n.STATUSES)
    for reason, text in words.reasons.items():
        assert i18n.placeholders(text) == i18n.placeholders(english.reasons[reason]), (locale, reason)
        assert text.strip(), (locale, reason)
    for status, word in words.statuses.items():
        assert word.strip(), (locale, status)
    if locale != "en":  # translated, not copied
        same = [r for r in words.reasons if words.reasons[r] == english.reasons[r]]
        assert same == [], (locale, same)


def test_every_reason_belongs_to_one_code_and_documents_its_parameters() -> None:
    assert set(CODE_OF) == set(ErrorReason)
    documented = _documented_params()
    assert set(documented) == {r.value for r in ErrorReason}
    for reason, text in i18n.catalog("en").reasons.items():
        assert i18n.placeholders(text) <= documented[reason], reason
        # The description names the code the reason belongs to.
        code = CODE_OF[ErrorReason(reason)].value
        assert _reason_descriptions()[reason].startswith(f"{code}:"), reason


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi"),
        ("zh-TW,zh;q=0.9", "zh-Hant"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("fil-PH", "tl"),
        ("pt-BR", "pt"),
        ("ja-easy", "ja-easy"),
        ("ja", "ja"),
        ("en;q=0.2, ne;q=0.5", "ne"),
        ("fr-FR, de;q=0.9, my;q=0.1", "my"),
        ("si;q=0, th", "th"),
        ("fr, *", None),
        ("", None),
        ("!!!, ;q=1", None),
        ("x" * 600, None),
    ],
)
def test_accept_language_picks_the_most_wanted_locale_with_messages(header: str, locale: str | None) -> None:
    assert i18n.locale_of_accept_language(header) == locale


def test_a_persons_languages_come_before_the_header() -> None:
    assert i18n.choose_locale(None, ["ur", "ne", "en"], resident=True, accept_language="vi") == "ne"
    assert i18n.choose_locale(None, ["ja"], resident=True, accept_language=None) == "ja-easy"
    assert i18n.choose_locale(None, ["ja"], resident=False, accept_language=None) == "ja"
    assert i18n.choose_locale(None, ["zh"], resident=True, accept_language="zh-TW") == "zh-Hans"
    assert i18n.choose_locale("zh-Hant", ["zh"], resident=True, accept_language=None) == "zh-Hant"
    assert i18n.choose_locale(None, ["ur"], resident=True, accept_language="ko") == "ko"
    assert i18n.choose_locale(None, [], resident=False, accept_language=None) == "en"


# ---------------------------------------------------------------- through real HTTP


def _params(error: dict[str, Any]) -> dict[str, str]:
    """The error's parameters, which must be the ones its reason documents."""
    found = {p["name"]: p["value"] for p in error["params"]}
    assert set(found) == _documented_params()[error["reason"]], error
    return found


async def test_a_vietnamese_residents_blank_submission_is_told_in_vietnamese(
    api: Api, db: asyncpg.Connection
) -> None:
    resident, _ = await register_resident(api, languages=["vi", "en"])
    # The browser says English: the resident's own language wins.
    body = await api.gql(SUBMIT, {"input": {"text": "   "}}, resident, headers={"Accept-Language": "en"})
    [error] = body["submitRequest"]["errors"]
    assert error["path"] == ["input", "text"]
    assert (error["code"], error["reason"], error["messageLanguage"]) == ("INVALID_INPUT", "BLANK", "vi")
    assert error["message"] == i18n.catalog("vi").reasons["BLANK"] == "Mục này không được để trống."
    assert error["limit"] is None and error["params"] == []
    assert await db.fetchval("SELECT count(*) FROM requests") == 0


async def test_too_long_carries_the_limit(api: Api) -> None:
    resident, _ = await register_resident(api, languages=["ne"])
    body = await api.gql(SUBMIT, {"input": {"text": "x" * 4001}}, resident)
    [error] = body["submitRequest"]["errors"]
    assert (error["reason"], error["limit"], _params(error)) == (
        "TOO_LONG",
        4000,
        {"limit": "4000", "length": "4001"},
    )
    assert error["messageLanguage"] == "ne" and "4000" in error["message"] and "4001" in error["message"]
    assert re.search(r"[\u0900-\u097f]", error["message"])  # Devanagari


async def test_anonymous_registration_follows_accept_language(api: Api, db: asyncpg.Connection) -> None:
    body = await api.gql(
        REGISTER, {"input": BAD_REGISTRATION}, headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}
    )
    errors = body["registerResident"]["errors"]
    assert body["registerResident"]["token"] is None
    assert [(e["path"][-1], e["reason"]) for e in errors] == [
        ("displayName", "BLANK"),
        ("languages", "UNKNOWN_LANGUAGE"),
    ]
    assert {e["messageLanguage"] for e in errors} == {"ko"}
    assert errors[0]["message"] == "이 항목은 비워 둘 수 없습니다."
    assert '"xx"' in errors[1]["message"] and _params(errors[1]) == {"value": "xx"}
    assert await db.fetchval("SELECT count(*) FROM accounts") == 0


async def test_english_when_nothing_says_otherwise(api: Api) -> None:
    for headers in ({}, {"Accept-Language": "fr-FR, de;q=0.8"}):
        body = await api.gql(REGISTER, {"input": BAD_REGISTRATION}, headers=headers)
        errors = body["registerResident"]["errors"]
        assert {e["messageLanguage"] for e in errors} == {"en"}
        assert errors[0]["message"] == "This must not be empty."


async def test_a_chosen_notification_language_wins(api: Api) -> None:
    resident, _ = await register_resident(api, languages=["zh"])
    body = await api.gql(SUBMIT, {"input": {"text": ""}}, resident)
    assert body["submitRequest"]["errors"][0]["messageLanguage"] == "zh-Hans"
    chosen = await api.gql(SETTINGS, {"language": "zh-Hant"}, resident)
    assert chosen["updateNotificationSettings"]["errors"] == []
    body = await api.gql(SUBMIT, {"input": {"text": ""}}, resident)
    [error] = body["submitRequest"]["errors"]
    assert (error["messageLanguage"], error["message"]) == ("zh-Hant", "此欄位不能空白。")
    # A locale that has no messages is refused, naming the ones that have.
    refused = (await api.gql(SETTINGS, {"language": "fr"}, resident))["updateNotificationSettings"]
    [error] = refused["errors"]
    assert error["reason"] == "UNKNOWN_LOCALE" and _params(error)["value"] == "fr"
    assert set(_params(error)["allowed"].split(", ")) == set(i18n.LOCALES)


async def test_a_status_is_named_in_words_of_the_locale(api: Api) -> None:
    resident, _ = await register_resident(api, languages=["es"])
    body = await api.gql(
        SUBMIT, {"input": {"text": "Necesito ayuda con una carta del ayuntamiento"}}, resident
    )
    request_id = body["submitRequest"]["request"]["id"]
    assert (await api.gql(CANCEL, {"id": request_id}, resident))["cancelRequest"]["errors"] == []
    again = (await api.gql(CANCEL, {"id": request_id}, resident))["cancelRequest"]
    [error] = again["errors"]
    assert (error["code"], error["reason"], _params(error)) == (
        "CONFLICT",
        "NOT_ALLOWED_IN_STATUS",
        {"status": "CANCELLED"},
    )
    assert error["message"] == 'No se puede hacer ahora: su estado actual es "cancelada".'


async def test_refusals_by_role_and_by_absence_are_told_too(api: Api) -> None:
    resident, _ = await register_resident(api, languages=["th"])
    _, volunteer_id = await register_volunteer(api)
    refused = (await api.gql(VET, {"id": volunteer_id}, resident))["setVolunteerVerified"]
    [error] = refused["errors"]
    assert (error["code"], error["reason"], error["messageLanguage"]) == (
        "FORBIDDEN",
        "ROLE_NOT_ALLOWED",
        "th",
    )
    assert _params(error) == {"roles": "STAFF"} and error["message"] == "บัญชีของคุณทำสิ่งนี้ไม่ได้"
    anonymous = await api.gql(VET, {"id": volunteer_id}, headers={"Accept-Language": "id"})
    [error] = anonymous["setVolunteerVerified"]["errors"]
    assert (error["code"], error["reason"]) == ("UNAUTHENTICATED", "SIGN_IN_REQUIRED")
    assert error["message"] == "Silakan masuk terlebih dahulu."
    gone = (await api.gql(CANCEL, {"id": to_global_id("SupportRequest", 9999)}, resident))["cancelRequest"]
    [error] = gone["errors"]
    assert (error["code"], error["reason"], error["path"]) == ("NOT_FOUND", "NOT_FOUND", ["id"])


@pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/api.graphql is not beside the project")
def test_every_code_of_the_contract_stays() -> None:
    # Reasons refine codes; the codes of the contract all stay.
    found = re.search(r"enum ErrorCode \{(.*?)\}", CONTRACT.read_text(encoding="utf-8"), re.S)
    assert found is not None
    codes = set(re.findall(r"^\s*([A-Z_]+)\s*$", found.group(1), re.M))
    assert "INVALID_INPUT" in codes and codes <= {c.value for c in ErrorCode}


RESPOND = f"""mutation($id: ID!, $accept: Boolean!) {{
  respondToOffer(offerId: $id, accept: $accept) {{ offer {{ status }} {ERRORS} }} }}"""


async def test_offer_refusals_name_what_happened(api: Api, staff_token: str, db: asyncpg.Connection) -> None:
    holders = []
    for i in range(2):
        token, volunteer_id = await register_volunteer(
            api, displayName=f"Volunteer {i}", contact=f"v{i}@example.org", languages=["vi", "en"]
        )
        await verify(api, staff_token, volunteer_id)
        holders.append(token)
    await approved_request(api, staff_token)
    offers = [await pending_offer(api, token) for token in holders]
    assert all(offers), offers
    first, second = zip(holders, offers, strict=True)

    declined = (await api.gql(RESPOND, {"id": first[1], "accept": False}, first[0]))["respondToOffer"]
    assert declined["errors"] == []
    again = (await api.gql(RESPOND, {"id": first[1], "accept": True}, first[0]))["respondToOffer"]
    [error] = again["errors"]
    assert (error["code"], error["reason"], _params(error)) == (
        "CONFLICT",
        "OFFER_ALREADY_ANSWERED",
        {"status": "DECLINED"},
    )
    assert error["message"] == "Bạn đã trả lời lời mời này: đã từ chối."

    await db.execute("UPDATE offers SET expires_at = now() - interval '1 second' WHERE status = 'PENDING'")
    late = (await api.gql(RESPOND, {"id": second[1], "accept": True}, second[0]))["respondToOffer"]
    [error] = late["errors"]
    assert (error["code"], error["reason"], error["path"]) == ("CONFLICT", "OFFER_EXPIRED", ["offerId"])
    assert error["message"] == i18n.catalog("vi").reasons["OFFER_EXPIRED"]


async def test_rate_limited_says_when_in_the_persons_language(
    settings: Settings, triage_engine: Triage
) -> None:
    async with serve(replace(settings, register_rate_per_hour=1), triage_engine, workers=False) as base_url:
        api = Api(base_url)
        try:
            good = {**BAD_REGISTRATION, "displayName": "Aung", "languages": ["my"]}
            assert (await api.gql(REGISTER, {"input": good}))["registerResident"]["errors"] == []
            refused = await api.gql(REGISTER, {"input": good}, headers={"Accept-Language": "my-MM"})
            [error] = refused["registerResident"]["errors"]
            assert (error["code"], error["reason"], error["messageLanguage"]) == (
                "RATE_LIMITED",
                "RATE_LIMITED",
                "my",
            )
            seconds = error["retryAfterSeconds"]
            assert 0 < seconds <= 3600 and _params(error)["seconds"] == str(seconds)
            assert error["message"] == i18n.catalog("my").reasons["RATE_LIMITED"].format(seconds=seconds)
        finally:
            await api.close()


def test_every_reason_is_used_by_the_code() -> None:
    # No reason documented that nothing gives: each is named where a refusal is made.
    sources = "".join(
        p.read_text(encoding="utf-8")
        for folder in ("service", "resolvers", "schema")
        for p in (ROOT / folder).rglob("*.py")
        if p.name not in ("errors.py", "types.py")
    )
    sources += (ROOT / "service" / "errors.py").read_text(encoding="utf-8").split("def unavailable")[1]
    unused = [r.value for r in ErrorReason if f"ErrorReason.{r.value}" not in sources]
    assert unused == [], unused


async def test_query_refusals_carry_a_reason_too(api: Api, staff_token: str) -> None:
    resident, _ = await register_resident(api)
    cases = [
        ("{ failedNotifications { totalCount } }", resident, ("FORBIDDEN", "ROLE_NOT_ALLOWED")),
        ("{ failedNotifications { totalCount } }", None, ("UNAUTHENTICATED", "SIGN_IN_REQUIRED")),
        ("{ requests(first: 0) { totalCount } }", staff_token, ("INVALID_INPUT", "OUT_OF_RANGE")),
        ('{ requests(after: "!!") { totalCount } }', staff_token, ("INVALID_INPUT", "INVALID_CURSOR")),
    ]
    for query, token, expected in cases:
        body = await api.raw(query, None, token)
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["extensions"]["reason"]) == expected, (query, body)
