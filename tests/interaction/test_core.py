"""The core of 互动交流: intake, 查询码 lookup, encryption at rest, 转办, reviewed replies, publication."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django_tenants.utils import tenant_context

from interaction import services
from interaction.models import Message, Status
from interaction.pages.models import ReplyPage
from publishing.catalogue.models import CatalogueEntry

from .conftest import message_data

pytestmark = pytest.mark.django_db


def test_a_message_gets_a_code_and_a_due_date_and_is_found_only_with_the_right_digits(write_message):
    message = write_message()
    assert message.code.startswith("H") and len(message.code) == 11
    assert message.due_date > message.received_on
    assert services.lookup(Message, message.code, "5678") == message
    assert services.lookup(Message, message.code, "5679") is None
    other_last = "3" if message.code[-1] == "2" else "2"  # a code one character off, never the same code
    assert services.lookup(Message, message.code[:-1] + other_last, "5678") is None
    assert services.lookup(Message, message.code.lower(), "5678") == message


def test_personal_data_is_encrypted_at_rest(write_message):
    message = write_message()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM interaction_message WHERE id = %s", [message.pk])
        name, phone = cursor.fetchone()
    assert "张三" not in name and "13812345678" not in phone
    assert Message.objects.get(pk=message.pk).phone == "13812345678"


def test_bad_input_is_refused_field_by_field(cluster):
    with pytest.raises(services.IntakeError) as error:
        services.submit_message(cluster.sites["portal"], message_data(kind="x", phone="123", subject=""))
    assert set(error.value.message_dict) == {"kind", "phone", "subject"}


def test_the_same_message_from_the_same_phone_is_refused_from_another_it_is_linked(write_message):
    first = write_message()
    with pytest.raises(services.IntakeError):
        write_message()
    copy = write_message(phone="13912345678")
    assert copy.duplicate_of == first


def test_forward_reply_review_and_publication(cluster, write_message):
    portal, jtj = cluster.sites["portal"], cluster.sites["jtj"]
    message = write_message(body="我的身份证号 11010519491231002X，请问 12 路公交车什么时候恢复？")
    services.forward(message, cluster.user("portal", "handler"), portal, jtj, "请交通运输局答复")
    message.refresh_from_db()
    assert message.handling_tenant == jtj and message.status == Status.PROCESSING
    with pytest.raises(PermissionDenied):
        services.submit_reply(message, cluster.user("portal", "handler"), portal, "已转办，不由本机关答复。")
    reply = services.submit_reply(message, cluster.user("jtj", "handler"), jtj, "12 路公交车将于下月 1 日恢复原线路。")
    with pytest.raises(PermissionDenied):
        services.review_reply(reply, cluster.user("portal", "reviewer"), portal, approve=True)
    services.review_reply(reply, cluster.user("jtj", "reviewer"), jtj, approve=True)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.published_page_id
    with tenant_context(portal):
        page = ReplyPage.objects.get(pk=message.published_page_id)
        assert page.live and "11010519491231002X" not in page.question and "张" in page.asker
    assert CatalogueEntry.objects.filter(tenant=portal, page_id=page.pk).exists()
    assert [event.action for event in message.public_events()] == ["received", "forwarded", "answered"]


def test_a_reply_with_a_classification_mark_is_refused(cluster, write_message):
    message = write_message()
    with pytest.raises(services.ReplyRefused):
        services.submit_reply(
            message, cluster.user("portal", "handler"), cluster.sites["portal"], "机密★5年\n内部答复：已处理。"
        )
    assert not message.replies.exists()


def test_a_clash_of_codes_is_retried_with_a_new_one(write_message, monkeypatch):
    first = write_message()
    codes_given = iter([first.code[1:], first.code[1:], "ZZZZZZZZZZ"])
    monkeypatch.setattr("interaction.codes.new_code", lambda prefix: prefix + next(codes_given))
    second = write_message(subject="另一条留言")
    assert second.code == "HZZZZZZZZZZ" and second.events.filter(action="received").count() == 1


def test_the_published_title_loses_personal_data_too_and_search_cannot_find_it(cluster, write_message, client):
    portal = cluster.sites["portal"]
    message = write_message(subject="我的电话13912345678请回电", body="请问 12 路公交车什么时候恢复原线路？")
    reply = services.submit_reply(message, cluster.user("portal", "handler"), portal, "下月 1 日恢复原线路运行。")
    services.review_reply(reply, cluster.user("portal", "reviewer"), portal, approve=True)
    message.refresh_from_db()
    with tenant_context(portal):
        page = ReplyPage.objects.get(pk=message.published_page_id)
    assert "13912345678" not in page.title and "请回电" in page.title
    assert "13912345678" not in CatalogueEntry.objects.get(tenant=portal, page_id=page.pk).title
    assert "13912345678" not in client.get("/api/search/?q=13912345678", HTTP_HOST="portal.localhost").content.decode()


def test_every_staff_text_the_public_reads_is_refused_with_a_mark(cluster, write_message):
    portal, handler = cluster.sites["portal"], cluster.user("portal", "handler")
    message = write_message()
    with pytest.raises(services.ReplyRefused):
        services.mark_invalid(message, handler, portal, "秘密★1年 不予受理")
    with pytest.raises(services.ReplyRefused):
        services.submit_reply(message, handler, portal, "已处理，感谢来信。", answered_by="秘密★1年 交通局")
    services.mark_invalid(message, handler, portal, "广告信息，不予受理。")  # positive control


def test_an_answer_whose_question_may_not_be_published_is_still_approved_and_says_so(cluster, write_message):
    portal = cluster.sites["portal"]
    message = write_message(subject="机密★10年 文件内容咨询", body="请问这份文件在哪里可以看到？")
    reply = services.submit_reply(message, cluster.user("portal", "handler"), portal, "该文件不属于公开范围。")
    services.review_reply(reply, cluster.user("portal", "reviewer"), portal, approve=True)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.published_page_id is None
    assert message.events.filter(action="publication_refused").exists()
