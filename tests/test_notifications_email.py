"""Email notifications end to end: the real app, a real SMTP server (aiosmtpd), real PostgreSQL.

Each kind reaches its recipient in their language, as plain text and HTML; the staff alert for an
EMERGENCY arrives within 5 seconds with no console open; an unreachable mail server never fails
the mutation that caused a message, and the message goes out once the server is back.
"""

import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest

from service.config import Settings, SmtpSettings
from tests.conftest import free_port, serve
from tests.flows import REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.mailsink import MailSink, Received
from tests.support import Api, eventually
from triage.engine import Triage

STAFF_ALERTS = "alerts@example.org"
VIETNAMESE_CLINIC = "Tôi cần người đi cùng đến bệnh viện tuần sau để phiên dịch cho bác sĩ, tôi ở Katsushika"
RESPOND = """
mutation($id: ID!, $accept: Boolean!) {
  respondToOffer(offerId: $id, accept: $accept) { offer { id status } errors { code message } }
}"""
COMPLETE = """
mutation($input: CompleteRequestInput!) {
  completeRequest(input: $input) { longTermPair { id } errors { code message } }
}"""
MY_OFFERS = "{ myOffers { id status } }"


def with_mail(settings: Settings, sink: MailSink, **overrides: object) -> Settings:
    return replace(
        settings,
        smtp=SmtpSettings.parse(sink.url),
        mail_from="Spot Otonari-san <noreply@otonari.example.org>",
        staff_alert_emails=(STAFF_ALERTS,),
        public_url="https://otonari.example.org",
        notify_retry_seconds=0.2,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture
async def mail_api(settings: Settings, mail: MailSink, triage_engine: Triage) -> AsyncIterator[Api]:
    async with serve(with_mail(settings, mail), triage_engine) as base_url:
        client = Api(base_url)
        try:
            yield client
        finally:
            await client.close()


async def arrived(sink: MailSink, address: str, kind: str, timeout: float = 30.0) -> Received:
    async def check() -> Received | None:
        found = sink.to(address, kind)
        return found[0] if found else None

    found: Received = await eventually(check, timeout=timeout)
    return found


async def _approve(api: Api, staff: str, request_id: str) -> None:
    data = await api.gql(
        REVIEW,
        {"input": {"requestId": request_id, "decision": "APPROVE", "field": "MEDICAL", "urgency": "NORMAL"}},
        staff,
    )
    assert data["reviewTriage"]["errors"] == [], data


async def test_every_kind_reaches_its_recipient_in_their_language(
    mail_api: Api, mail: MailSink, staff_token: str, db: asyncpg.Connection
) -> None:
    api = mail_api
    volunteer, volunteer_id = await register_volunteer(api, contact="sato@example.org")
    await verify(api, staff_token, volunteer_id)
    resident, _ = await register_resident(api, name="Lan", languages=["vi"], area="Katsushika")
    request = (await submit(api, resident, VIETNAMESE_CLINIC))["request"]
    await wait_triaged(api, resident, request["id"])

    # Triaged: to the resident, in Vietnamese (their first language), text and HTML.
    triaged = await arrived(mail, "lan@example.org", "REQUEST_TRIAGED")
    assert triaged.subject == "Chúng tôi đã nhận yêu cầu của bạn"
    assert "Chào Lan" in triaged.part("plain") and "119" in triaged.part("plain")
    assert '<html lang="vi"' in triaged.part("html") and "Chào Lan" in triaged.part("html")
    assert triaged.message_id.endswith("@otonari.example.org>")

    # Offer sent: to the volunteer, in Japanese (volunteers' default), with a signed answer link.
    await _approve(api, staff_token, request["id"])
    offer_mail = await arrived(mail, "sato@example.org", "OFFER_SENT")
    assert offer_mail.subject == "Katsushikaの近くで助けを求めている人がいます"
    text = offer_mail.part("plain")
    assert "Sato Yukiさん" in text and "JST" in text
    link = re.search(r"https://otonari\.example\.org/volunteer/answer\?t=(\d+)\.[\w-]+", text)
    assert link is not None, text
    assert f'href="{link.group(0)}"' in offer_mail.part("html")
    # The request's words never travel by email.
    assert VIETNAMESE_CLINIC not in text and VIETNAMESE_CLINIC not in offer_mail.part("html")

    # Offer about to expire: once the offer is in the last quarter of its life.
    await db.execute(
        "UPDATE offers SET created_at = now() - interval '2 hours', expires_at = now() + interval '10 minutes'"
    )
    reminder = await arrived(mail, "sato@example.org", "OFFER_EXPIRING")
    assert reminder.subject.startswith("【リマインダー】")

    # Matched: to the resident, with the volunteer's name.
    offer_id = (await api.gql(MY_OFFERS, token=volunteer))["myOffers"][0]["id"]
    accepted = await api.gql(RESPOND, {"id": offer_id, "accept": True}, volunteer)
    assert accepted["respondToOffer"]["errors"] == []
    matched = await arrived(mail, "lan@example.org", "REQUEST_MATCHED")
    assert matched.subject == "Đã có tình nguyện viên giúp bạn"
    assert "Sato Yuki" in matched.part("plain")

    # Long-term pair: to both, each in their own language, naming the other.
    for token in (resident, volunteer):
        done = await api.gql(
            COMPLETE, {"input": {"requestId": request["id"], "wantsLongTermPair": True}}, token
        )
        assert done["completeRequest"]["errors"] == []
    to_resident = await arrived(mail, "lan@example.org", "LONG_TERM_PAIR")
    to_volunteer = await arrived(mail, "sato@example.org", "LONG_TERM_PAIR")
    assert "Sato Yuki" in to_resident.subject and "sáu tháng" in to_resident.subject
    assert "Lanさん" in to_volunteer.subject

    # Exactly one message per cause: nothing repeated, nothing extra.
    kinds = sorted(r.kind for r in mail.received)
    assert kinds == sorted(
        [
            "REQUEST_TRIAGED",
            "OFFER_SENT",
            "OFFER_EXPIRING",
            "REQUEST_MATCHED",
            "LONG_TERM_PAIR",
            "LONG_TERM_PAIR",
        ]
    )
    await eventually(lambda: db.fetchval("SELECT count(*) = 6 FROM notifications WHERE status = 'SENT'"))
    statuses = await db.fetch("SELECT status::text, count(*) FROM notifications GROUP BY 1")
    assert {r["status"]: r["count"] for r in statuses} == {"SENT": 6}


async def test_emergency_alert_reaches_staff_within_5_seconds(
    mail_api: Api, mail: MailSink, staff_token: str
) -> None:
    resident, _ = await register_resident(mail_api, name="Minh", languages=["vi"])
    started = time.time()
    request = (await submit(mail_api, resident, "Con tôi sốt cao, co giật, không tỉnh. Cứu với!"))["request"]
    alert = await arrived(mail, STAFF_ALERTS, "EMERGENCY_RECEIVED", timeout=30)
    assert alert.accepted_at - started <= 5.0, f"alert after {alert.accepted_at - started:.2f} s"
    # Japanese and English in one message, with the request's number and a console link.
    number = request["id"]
    assert "【緊急】" in alert.subject and "EMERGENCY request" in alert.subject
    body = alert.part("plain")
    assert "緊急（EMERGENCY）の依頼が届きました" in body and "An EMERGENCY request has arrived" in body
    assert f"https://otonari.example.org/staff#/queue/{number}" in body
    assert "Con tôi sốt" not in body  # the resident's words stay in the console


async def test_returned_to_staff_alert(mail_api: Api, mail: MailSink, staff_token: str) -> None:
    volunteer, volunteer_id = await register_volunteer(mail_api, contact="sato@example.org")
    await verify(mail_api, staff_token, volunteer_id)
    resident, _ = await register_resident(mail_api, languages=["vi"], area="Katsushika")
    request = (await submit(mail_api, resident, VIETNAMESE_CLINIC))["request"]
    await wait_triaged(mail_api, resident, request["id"])
    await _approve(mail_api, staff_token, request["id"])
    offer_id = (await mail_api.gql(MY_OFFERS, token=volunteer))["myOffers"][0]["id"]
    declined = await mail_api.gql(RESPOND, {"id": offer_id, "accept": False}, volunteer)
    assert declined["respondToOffer"]["errors"] == []
    alert = await arrived(mail, STAFF_ALERTS, "RETURNED_TO_STAFF")
    assert "候補のボランティアがいません" in alert.subject and "no volunteer left" in alert.subject


async def test_smtp_refusals_are_retried_until_accepted(
    mail_api: Api, mail: MailSink, db: asyncpg.Connection
) -> None:
    mail.refuse_next = 2
    resident, _ = await register_resident(mail_api, name="Lan", languages=["vi"])
    await submit(mail_api, resident, VIETNAMESE_CLINIC)
    received = await arrived(mail, "lan@example.org", "REQUEST_TRIAGED")
    # Refused twice (451), accepted the third time, under one Message-ID throughout.
    assert mail.seen == [received.message_id] * 3
    await eventually(lambda: db.fetchval("SELECT status = 'SENT' FROM notifications"))
    row = await db.fetchrow("SELECT status::text, attempts, last_error FROM notifications")
    assert row["status"] == "SENT" and row["attempts"] == 3 and row["last_error"] is None


async def test_unreachable_smtp_never_blocks_the_mutation(
    settings: Settings, triage_engine: Triage, mail: MailSink, db: asyncpg.Connection
) -> None:
    # Nothing listens on this port: every attempt fails at once, and is retried.
    dead = replace(with_mail(settings, mail), smtp=SmtpSettings.parse(f"smtp://127.0.0.1:{free_port()}"))
    async with serve(dead, triage_engine) as base_url:
        api = Api(base_url)
        try:
            resident, _ = await register_resident(api, name="Lan", languages=["vi"])
            started = time.monotonic()
            payload = await submit(api, resident, VIETNAMESE_CLINIC)
            assert payload["errors"] == [] and time.monotonic() - started < 5
            await wait_triaged(api, resident, payload["request"]["id"])
            await eventually(
                lambda: db.fetchval("SELECT attempts >= 2 FROM notifications WHERE kind = 'REQUEST_TRIAGED'")
            )
            error = await db.fetchval("SELECT last_error FROM notifications")
            assert error.startswith("SMTP:"), error
        finally:
            await api.close()
    # The server comes back (the right address): the waiting message goes out.
    async with serve(with_mail(settings, mail), triage_engine):
        received = await arrived(mail, "lan@example.org", "REQUEST_TRIAGED")
        assert received.subject == "Chúng tôi đã nhận yêu cầu của bạn"


ANSWER_LINK = """
query($t: String!) {
  answerLink(token: $t) {
    offer { state offerId status volunteerName field urgency area text }
    errors { path message code reason params { name value } }
  }
}"""
ANSWER = """
mutation($t: String!, $accept: Boolean!) {
  answerOfferByLink(token: $t, accept: $accept) {
    offer { state status text }
    errors { path message code reason params { name value } }
  }
}"""


async def test_one_click_links_show_then_answer_once(
    mail_api: Api, mail: MailSink, staff_token: str, db: asyncpg.Connection
) -> None:
    api = mail_api
    first, first_id = await register_volunteer(api, contact="sato@example.org")
    second, second_id = await register_volunteer(api, displayName="Tran Mai", contact="mai@example.org")
    for vid in (first_id, second_id):
        await verify(api, staff_token, vid)
    resident, _ = await register_resident(api, languages=["vi"], area="Katsushika")
    request = (await submit(api, resident, VIETNAMESE_CLINIC))["request"]
    await wait_triaged(api, resident, request["id"])
    await _approve(api, staff_token, request["id"])
    tokens = {}
    for address in ("sato@example.org", "mai@example.org"):
        text = (await arrived(mail, address, "OFFER_SENT")).part("plain")
        found = re.search(r"/volunteer/answer\?t=([\w.-]+)", text)
        assert found is not None
        tokens[address] = found.group(1)

    # Reading the link (what a GET of the page does, or a mail scanner) shows, never answers.
    shown = (await api.gql(ANSWER_LINK, {"t": tokens["sato@example.org"]}))["answerLink"]
    assert shown["errors"] == []
    assert shown["offer"]["state"] == "LIVE" and shown["offer"]["status"] == "PENDING"
    assert shown["offer"]["text"] == VIETNAMESE_CLINIC and shown["offer"]["volunteerName"] == "Sato Yuki"
    assert await db.fetchval("SELECT count(*) FROM offers WHERE status = 'PENDING'") == 2

    # A link altered in any way is not valid (nothing about the offer is shown).
    offer_part, mac = tokens["sato@example.org"].split(".")
    flipped = mac[:-1] + ("B" if mac[-1] == "A" else "A")
    for forged in (f"{offer_part}.{flipped}", f"{int(offer_part) + 1}.{mac}", "x", "1." + "A" * 22):
        bad = (await api.gql(ANSWER_LINK, {"t": forged}))["answerLink"]
        assert bad["offer"] is None and bad["errors"][0]["code"] == "NOT_FOUND", forged

    # The explicit button: accept. Then the link is used, and says so.
    done = (await api.gql(ANSWER, {"t": tokens["sato@example.org"], "accept": True}))["answerOfferByLink"]
    assert done["errors"] == [] and done["offer"]["state"] == "USED" and done["offer"]["status"] == "ACCEPTED"
    again = (await api.gql(ANSWER, {"t": tokens["sato@example.org"], "accept": False}))["answerOfferByLink"]
    assert again["errors"][0]["code"] == "CONFLICT"
    assert again["errors"][0]["reason"] == "OFFER_ALREADY_ANSWERED"
    assert again["errors"][0]["params"] == [{"name": "status", "value": "ACCEPTED"}]
    assert again["errors"][0]["message"] == "You already answered this offer: accepted."
    assert again["offer"]["state"] == "USED" and again["offer"]["text"] is None

    # The other volunteer's link: their offer was withdrawn when the first accepted.
    late = (await api.gql(ANSWER, {"t": tokens["mai@example.org"], "accept": True}))["answerOfferByLink"]
    assert (late["errors"][0]["code"], late["errors"][0]["reason"]) == ("CONFLICT", "OFFER_WITHDRAWN")
    assert late["offer"]["state"] == "ENDED"
    assert await db.fetchval("SELECT status FROM requests") == "MATCHED"
    del first, second


async def test_an_expired_link_says_so(
    mail_api: Api, mail: MailSink, staff_token: str, db: asyncpg.Connection
) -> None:
    _, volunteer_id = await register_volunteer(mail_api, contact="sato@example.org")
    await verify(mail_api, staff_token, volunteer_id)
    resident, _ = await register_resident(mail_api, languages=["vi"], area="Katsushika")
    request = (await submit(mail_api, resident, VIETNAMESE_CLINIC))["request"]
    await wait_triaged(mail_api, resident, request["id"])
    await _approve(mail_api, staff_token, request["id"])
    text = (await arrived(mail, "sato@example.org", "OFFER_SENT")).part("plain")
    found = re.search(r"/volunteer/answer\?t=([\w.-]+)", text)
    assert found is not None
    await db.execute("UPDATE offers SET expires_at = now() - interval '1 second'")
    shown = (await mail_api.gql(ANSWER_LINK, {"t": found.group(1)}))["answerLink"]
    assert shown["offer"]["state"] == "EXPIRED" and shown["offer"]["text"] is None
    refused = (await mail_api.gql(ANSWER, {"t": found.group(1), "accept": True}))["answerOfferByLink"]
    assert refused["errors"][0]["code"] == "CONFLICT"
    assert refused["errors"][0]["reason"] == "OFFER_EXPIRED"
    assert refused["errors"][0]["message"] == "This offer has expired: it is no longer open."
    assert await db.fetchval("SELECT status FROM offers") in ("PENDING", "EXPIRED")


REGISTER_RESIDENT = """
mutation($input: RegisterResidentInput!) {
  registerResident(input: $input) {
    token resident { id notificationSettings { email optOuts language } } errors { path message code }
  }
}"""
SETTINGS = """
mutation($input: NotificationSettingsInput!) {
  updateNotificationSettings(input: $input) { settings { email optOuts language } errors { path message code } }
}"""


async def test_explicit_email_language_and_opt_outs(
    mail_api: Api, mail: MailSink, db: asyncpg.Connection
) -> None:
    base = {"displayName": "Chen", "languages": ["zh"], "area": "Shinjuku", "contact": "090-1234-5678"}
    bad = await mail_api.gql(REGISTER_RESIDENT, {"input": {**base, "email": "chen at example"}})
    payload = bad["registerResident"]
    assert payload["token"] is None and payload["errors"] == [
        {
            "path": ["input", "email"],
            "message": "This must be an email address such as name@example.org.",
            "code": "INVALID_INPUT",
        }
    ]
    wrong = await mail_api.gql(
        REGISTER_RESIDENT,
        {"input": {**base, "notificationLanguage": "fr", "notificationOptOuts": ["EMERGENCY_RECEIVED"]}},
    )
    assert {tuple(e["path"]) for e in wrong["registerResident"]["errors"]} == {
        ("input", "notificationLanguage"),
        ("input", "notificationOptOuts"),
    }
    assert await db.fetchval("SELECT count(*) FROM residents") == 0

    data = await mail_api.gql(
        REGISTER_RESIDENT, {"input": {**base, "email": "chen@example.org", "notificationLanguage": "zh-Hant"}}
    )
    created = data["registerResident"]
    mine = await mail_api.gql(
        "{ viewer { resident { notificationSettings { email optOuts language } } } }", token=created["token"]
    )
    assert mine["viewer"]["resident"]["notificationSettings"] == {
        "email": "chen@example.org",
        "optOuts": [],
        "language": "zh-Hant",
    }
    token = created["token"]
    await submit(mail_api, token, "我想知道怎么办理国民健康保险")
    received = await arrived(mail, "chen@example.org", "REQUEST_TRIAGED")
    assert received.subject == "我們已收到您的請求"

    changed = await mail_api.gql(SETTINGS, {"input": {"notificationOptOuts": ["REQUEST_TRIAGED"]}}, token)
    assert changed["updateNotificationSettings"]["settings"]["optOuts"] == ["REQUEST_TRIAGED"]
    refused = await mail_api.gql(SETTINGS, {"input": {"email": "x@"}}, token)
    assert refused["updateNotificationSettings"]["errors"][0]["path"] == ["input", "email"]
    second = (await submit(mail_api, token, "我需要帮忙看一封市政府的信"))["request"]
    await wait_triaged(mail_api, token, second["id"])
    # Opted out: nothing queued for the second request (and nothing sent).
    assert await db.fetchval("SELECT count(*) FROM notifications") == 1
    assert len(mail.to("chen@example.org")) == 1
