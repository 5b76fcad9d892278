"""Abuse limits of the public side: per address and per phone, never global; the CAPTCHA's life."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory

from interaction import abuse
from interaction.models import DisclosureApplication, Message

from .public import application_form, host, message_form, post_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean(settings, tmp_path):
    settings.CMS_INTERACTION_FILES = tmp_path / "files"
    settings.CMS_INTERACTION_LIMIT_PER_IP = 100
    settings.CMS_INTERACTION_LIMIT_PER_PHONE = 100
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP = 100
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_CODE = 100
    cache.clear()
    yield
    cache.clear()


def write(client, ip, phone, subject, code="portal"):
    return post_form(client, code, "/hudong/write/consult/", message_form(phone=phone, subject=subject), ip=ip)


def test_one_address_is_limited_and_another_still_gets_through(client, cluster, settings):
    settings.CMS_INTERACTION_LIMIT_PER_IP = 2
    assert write(client, "10.2.0.1", "13900000001", "第一条").status_code == 302
    assert write(client, "10.2.0.1", "13900000002", "第二条").status_code == 302
    limited = write(client, "10.2.0.1", "13900000003", "第三条")
    assert limited.status_code == 429 and "提交过于频繁" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    assert write(client, "10.2.0.2", "13900000003", "第三条").status_code == 302
    assert Message.objects.count() == 3


def test_the_address_is_counted_once_across_every_site_host(client, cluster, settings):
    settings.CMS_INTERACTION_LIMIT_PER_IP = 2
    assert write(client, "10.2.1.1", "13900000011", "门户", code="portal").status_code == 302
    assert write(client, "10.2.1.1", "13900000012", "交通", code="jtj").status_code == 302
    assert write(client, "10.2.1.1", "13900000013", "教育", code="jyj").status_code == 429


def test_one_phone_is_limited_from_any_address_and_another_phone_gets_through(client, cluster, settings):
    settings.CMS_INTERACTION_LIMIT_PER_PHONE = 2
    for index in range(2):
        assert write(client, f"10.3.0.{index}", "13900000021", f"第{index}条").status_code == 302
    limited = write(client, "10.3.0.9", "13900000021", "第三条")
    assert limited.status_code == 429 and "该手机号码提交过于频繁" in limited.content.decode()
    assert write(client, "10.3.0.9", "13900000022", "第三条").status_code == 302


def test_the_application_form_is_limited_per_address_too(client, cluster, settings):
    settings.CMS_INTERACTION_LIMIT_PER_IP = 1
    assert post_form(client, "jyj", "/ysqgk/", application_form(), ip="10.4.0.1").status_code == 302
    limited = post_form(client, "jyj", "/ysqgk/", application_form(phone="13700000001"), ip="10.4.0.1")
    assert limited.status_code == 429
    ok = post_form(client, "jyj", "/ysqgk/", application_form(phone="13700000001"), ip="10.4.0.2")
    assert ok.status_code == 302 and DisclosureApplication.objects.count() == 2


def test_lookups_are_limited_per_address(client, cluster, settings, write_message):
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP = 2
    message = write_message("portal")
    data = {"code": message.code, "last4": "0000"}
    for _ in range(2):
        assert client.post("/hudong/lookup/", data, HTTP_HOST=host("portal"), REMOTE_ADDR="10.5.0.1").status_code == 200
    right = {"code": message.code, "last4": "5678"}
    limited = client.post("/hudong/lookup/", right, HTTP_HOST=host("portal"), REMOTE_ADDR="10.5.0.1")
    assert limited.status_code == 429 and message.subject not in limited.content.decode()
    other = client.post("/hudong/lookup/", right, HTTP_HOST=host("portal"), REMOTE_ADDR="10.5.0.2")
    assert other.status_code == 200 and message.subject in other.content.decode()


def test_a_flood_does_not_block_staff_in_the_admin(client, cluster, settings):
    settings.CMS_INTERACTION_LIMIT_PER_IP = 1
    write(client, "10.6.0.1", "13900000031", "第一条")
    assert write(client, "10.6.0.1", "13900000032", "第二条").status_code == 429
    client.force_login(cluster.user("portal", "handler"))
    admin = client.get("/admin/", HTTP_HOST=host("portal"), REMOTE_ADDR="10.6.0.1")
    assert admin.status_code == 200


def test_counters_live_under_the_public_schema_and_hold_no_phone_number(cluster, settings):
    settings.CMS_INTERACTION_LIMIT_PER_PHONE = 1
    request = RequestFactory().post("/", REMOTE_ADDR="10.7.0.1")
    connection.set_tenant(cluster.sites["jtj"])
    abuse.check_submission(request, "13900000041")
    connection.set_schema_to_public()
    with pytest.raises(abuse.RateLimited):
        abuse.check_submission(RequestFactory().post("/", REMOTE_ADDR="10.7.0.2"), "13900000041")
    keys = [key for key in cache._cache if "interaction:rate" in key]  # locmem: the raw keys
    assert keys and all(key.startswith("public:") for key in keys)
    assert not any("13900000041" in key for key in keys)


def test_a_captcha_is_used_once_and_is_case_insensitive(cluster):
    token = abuse.new_captcha()
    answer = abuse.captcha_answer(token)
    assert len(answer) == abuse.CAPTCHA_LENGTH
    assert abuse.check_captcha(token, f" {answer.lower()} ")
    assert not abuse.check_captcha(token, answer)  # spent
    wrong = abuse.new_captcha()
    assert not abuse.check_captcha(wrong, "????")
    assert abuse.captcha_answer(wrong) is None  # a wrong try spends it as well


def test_an_expired_captcha_is_refused(cluster):
    token = abuse.new_captcha()
    answer = abuse.captcha_answer(token)
    with abuse.schema_context("public"):
        cache.delete(abuse._captcha_key(token))  # what the expiry does
    assert not abuse.check_captcha(token, answer)
    fresh = abuse.new_captcha()
    assert abuse.check_captcha(fresh, abuse.captcha_answer(fresh))


def test_the_captcha_picture_is_a_png_of_the_right_size():
    from io import BytesIO

    from PIL import Image

    png = abuse.captcha_png("AC34")
    with Image.open(BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.size == (200, 72)


def test_new_captcha_pictures_are_limited_per_address(client, cluster, settings):
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_IP = 1  # pictures: twice the lookup limit
    for _ in range(2):
        assert (
            client.post("/hudong/captcha/renew/", HTTP_HOST=host("portal"), REMOTE_ADDR="10.8.0.1").status_code == 200
        )
    limited = client.post("/hudong/captcha/renew/", HTTP_HOST=host("portal"), REMOTE_ADDR="10.8.0.1")
    assert limited.status_code == 429 and "频繁" in limited.json()["error"]
    assert client.post("/hudong/captcha/renew/", HTTP_HOST=host("portal"), REMOTE_ADDR="10.8.0.2").status_code == 200


def test_one_code_cannot_be_tried_from_many_addresses(client, cluster, settings, write_message):
    settings.CMS_INTERACTION_LOOKUP_LIMIT_PER_CODE = 3
    message = write_message("portal")
    for index in range(3):
        wrong = {"code": message.code, "last4": f"000{index}"}
        assert (
            client.post("/hudong/lookup/", wrong, HTTP_HOST=host("portal"), REMOTE_ADDR=f"10.8.0.{index}").status_code
            == 200
        )
    right = {"code": message.code, "last4": "5678"}
    limited = client.post("/hudong/lookup/", right, HTTP_HOST=host("portal"), REMOTE_ADDR="10.8.1.1")
    assert limited.status_code == 429 and message.subject not in limited.content.decode()
    api = client.get(
        f"/api/interaction/messages/{message.code}/?phone=5678", HTTP_HOST=host("portal"), REMOTE_ADDR="10.8.1.2"
    )
    assert api.status_code == 429
    # Another code from the same addresses still answers (positive control).
    other = write_message("portal", subject="另一条留言", phone="13700005678")
    found = client.post(
        "/hudong/lookup/", {"code": other.code, "last4": "5678"}, HTTP_HOST=host("portal"), REMOTE_ADDR="10.8.0.1"
    )
    assert found.status_code == 200 and "另一条留言" in found.content.decode()
