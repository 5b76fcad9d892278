"""The intake and status API, as a 12345 hotline platform calls it."""

import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from interaction import services
from interaction.models import Message

from .conftest import message_data
from .public import host

pytestmark = pytest.mark.django_db

URL = "/api/interaction/messages/"


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.CMS_INTERACTION_LIMIT_PER_IP = 100
    settings.CMS_INTERACTION_LIMIT_PER_PHONE = 100
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP = 100
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_CODE = 100
    cache.clear()
    yield
    cache.clear()


def post(client, data, code="portal", ip="10.1.0.1", raw=None, content_type="application/json"):
    body = raw if raw is not None else json.dumps(data, ensure_ascii=False)
    return client.post(URL, body, content_type=content_type, HTTP_HOST=host(code), REMOTE_ADDR=ip)


def status(client, code, last4, site="portal", ip="10.1.0.1"):
    return client.get(f"{URL}{code}/", {"phone": last4}, HTTP_HOST=host(site), REMOTE_ADDR=ip)


def test_a_message_is_accepted_with_201_a_code_and_the_due_date(client, cluster):
    response = post(client, message_data())
    assert response.status_code == 201, response.content
    answer = response.json()
    message = Message.objects.get(code=answer["code"])
    assert answer["due"] == f"{message.due_date:%Y-%m-%d}"
    assert message.channel == "api" and message.tenant == cluster.sites["portal"] and message.consent is True
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/json")


def test_no_csrf_token_is_needed_by_the_api(cluster):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, message_data()).status_code == 201
    # Positive control: the HTML form on the same host does check it.
    form = strict.post("/hudong/write/consult/", {}, HTTP_HOST=host("portal"))
    assert form.status_code == 403


def test_bad_input_is_a_400_naming_each_field_in_chinese(client, cluster):
    response = post(client, message_data(kind="petition", phone="12", subject=""))
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] and set(answer["fields"]) == {"kind", "phone", "subject"}
    assert "手机号码" in answer["fields"]["phone"] and "标题" in answer["fields"]["subject"]
    assert not Message.objects.exists()
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        ("{not json", "application/json", 400),
        ('["a list"]', "application/json", 400),
        ('{"subject": {"nested": 1}}', "application/json", 400),
        ("kind=consult", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies_are_refused_with_a_json_error(client, cluster, raw, content_type, expected):
    response = post(client, None, raw=raw, content_type=content_type)
    assert response.status_code == expected and response.json()["error"]
    assert not Message.objects.exists()


def test_an_oversized_body_is_413_and_a_too_long_text_is_400(client, cluster):
    huge = post(client, message_data(body="很" * 40000))
    assert huge.status_code == 413 and "过大" in huge.json()["error"]
    long_text = post(client, message_data(body="长" * 5001))
    assert long_text.status_code == 400 and "5000" in long_text.json()["fields"]["body"]
    assert not Message.objects.exists()
    assert post(client, message_data(body="长" * 5000)).status_code == 201


def test_other_methods_are_405_in_json(client, cluster):
    response = client.put(URL, "{}", content_type="application/json", HTTP_HOST=host("portal"))
    assert response.status_code == 405 and response.json()["error"] and "POST" in response["Allow"]


def test_status_needs_the_right_code_and_digits_and_says_the_same_404_otherwise(client, cluster):
    code = post(client, message_data()).json()["code"]
    right = status(client, code, "5678")
    assert right.status_code == 200
    body = right.json()
    assert body["code"] == code and body["status"] == "received" and body["status_label"] == "待办理"
    assert body["reply"] is None and body["subject"] == message_data()["subject"]
    assert "name" not in body and "phone" not in body and "13812345678" not in right.content.decode()
    wrong_digits = status(client, code, "5679")
    wrong_code = status(client, "H" + "3" * 10, "5678")
    no_digits = status(client, code, "")
    assert wrong_digits.status_code == wrong_code.status_code == no_digits.status_code == 404
    assert wrong_digits.content == wrong_code.content == no_digits.content
    assert wrong_digits["Cache-Control"] == "no-store"
    # Another site's host does not answer for this site's message.
    assert status(client, code, "5678", site="jtj").status_code == 404


def test_status_shows_the_approved_reply_with_its_office_and_time(client, cluster):
    portal = cluster.sites["portal"]
    code = post(client, message_data()).json()["code"]
    message = Message.objects.get(code=code)
    reply = services.submit_reply(message, cluster.user("portal", "handler"), portal, "12 路公交车下月恢复原线路。")
    pending = status(client, code, "5678").json()
    assert pending["status"] == "reply_pending" and pending["reply"] is None  # 先审后发
    services.review_reply(reply, cluster.user("portal", "reviewer"), portal, approve=True)
    reply.refresh_from_db()
    answered = status(client, code, "5678").json()
    assert answered["status"] == "answered"
    assert answered["reply"] == {
        "text": "12 路公交车下月恢复原线路。",
        "answered_by": portal.name,
        "answered_at": timezone.localtime(reply.reviewed_at).strftime("%Y-%m-%d %H:%M"),
    }
    assert [event["text"] for event in answered["events"]][-1] == f"{portal.name}已答复。"


def test_the_api_is_rate_limited_per_address_with_429(client, cluster, settings):
    settings.CMS_INTERACTION_LIMIT_PER_IP = 2
    assert post(client, message_data(phone="13800000001")).status_code == 201
    assert post(client, message_data(phone="13800000002")).status_code == 201
    limited = post(client, message_data(phone="13800000003"))
    assert limited.status_code == 429 and "频繁" in limited.json()["error"] and int(limited["Retry-After"]) > 0
    # Another address still gets through.
    assert post(client, message_data(phone="13800000003"), ip="10.1.0.2").status_code == 201
    assert Message.objects.count() == 3


def test_status_lookups_are_rate_limited_per_address(client, cluster, settings):
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP = 3
    code = post(client, message_data()).json()["code"]
    for _ in range(3):
        assert status(client, code, "0000").status_code == 404
    assert status(client, code, "5678").status_code == 429  # even the right digits, once over the limit
    assert status(client, code, "5678", ip="10.1.0.9").status_code == 200


def test_with_tokens_set_intake_needs_one(client, cluster, settings):
    settings.CMS_INTERACTION_API_TOKENS = ["hotline-12345-token"]
    body = json.dumps(message_data(), ensure_ascii=False)
    refused = client.post(
        "/api/interaction/messages/", body, content_type="application/json", HTTP_HOST="portal.localhost"
    )
    assert refused.status_code == 401 and "令牌" in refused.json()["error"]
    forged = client.post(
        "/api/interaction/messages/",
        body,
        content_type="application/json",
        HTTP_HOST="portal.localhost",
        HTTP_AUTHORIZATION="Bearer hotline-12345-tokem",
    )
    assert forged.status_code == 401
    accepted = client.post(
        "/api/interaction/messages/",
        body,
        content_type="application/json",
        HTTP_HOST="portal.localhost",
        HTTP_AUTHORIZATION="Bearer hotline-12345-token",
    )
    assert accepted.status_code == 201
