"""The staff side of 互动交流 through the admin screens: handling, 转办, review, the application clock,
settings, export and the home panel."""

import csv
import datetime
import io
import json

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from interaction import services, workdays
from interaction.models import (
    ApplicationStatus,
    Deadline,
    DisclosureApplication,
    Forward,
    Message,
    Outcome,
    ReplyStatus,
    Status,
    WorkdayOverride,
)
from interaction.pages.models import ReplyPage
from sites.models import AuditEvent, Role
from sites.roles import grant_role
from tests.factories import UserFactory
from tests.refusals import is_refused

pytestmark = pytest.mark.django_db

BASE = "/admin/interaction"


def in_menu(html, label):
    """The sidebar menu is rendered as JSON, where Chinese labels are \\u-escaped."""
    return label in html or json.dumps(label)[1:-1] in html


def client_for(cluster, code, user):
    client = Client(HTTP_HOST=cluster.host(code))
    if user is not None:
        client.force_login(user)
    return client


def application_data(**changes):
    data = {
        "applicant_type": "citizen",
        "name": "李四",
        "id_number": "11010519491231002X",
        "phone": "13987654321",
        "email": "",
        "address": "",
        "description": "请公开 2025 年本市公交线路调整的论证报告。",
        "purpose": "了解情况",
        "provision_form": "electronic",
        "delivery": "pickup",
    }
    data.update(changes)
    return data


def test_forward_answer_review_and_follow_through_the_screens(cluster, write_message, mailoutbox):
    message = write_message()
    jtj_handler_user = cluster.user("jtj", "handler")
    jtj_handler_user.email = "jtj-handler@example.gov.cn"
    jtj_handler_user.save(update_fields=["email"])
    portal_handler = client_for(cluster, "portal", cluster.user("portal", "handler"))

    listing = portal_handler.get(f"{BASE}/messages/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert message.code in text and "张*" in text and "张三" not in text

    detail = portal_handler.get(f"{BASE}/messages/{message.pk}/")
    assert detail.status_code == 200 and "13812345678" not in detail.content.decode()
    assert "开始办理" in detail.content.decode() and "显示个人信息" in detail.content.decode()

    assert portal_handler.post(f"{BASE}/messages/{message.pk}/do/start/").status_code == 302
    message.refresh_from_db()
    assert message.status == Status.PROCESSING

    jtj = cluster.sites["jtj"]
    response = portal_handler.post(
        f"{BASE}/messages/{message.pk}/do/forward/", {"to_tenant": jtj.pk, "note": "请交通运输局答复"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.handling_tenant == jtj

    # The forwarding site follows the message and presses the department (督办): the handlers are mailed.
    response = portal_handler.post(f"{BASE}/messages/{message.pk}/do/urge/", {"note": "请本周内答复"})
    assert response.status_code == 302
    assert Forward.objects.get(message=message).urged_at is not None
    assert any("督办" in mail.subject and mail.to == ["jtj-handler@example.gov.cn"] for mail in mailoutbox)
    # Portal no longer handles it: no reply form for portal's handler.
    assert "提交答复" not in portal_handler.get(f"{BASE}/messages/{message.pk}/").content.decode()

    jtj_handler = client_for(cluster, "jtj", cluster.user("jtj", "handler"))
    assert message.code in jtj_handler.get(f"{BASE}/messages/").content.decode()
    response = jtj_handler.post(
        f"{BASE}/messages/{message.pk}/do/reply/",
        {"answered_by": "测试市交通运输局", "text": "12 路公交车将于下月 1 日恢复原线路运行。"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.REPLY_PENDING

    jtj_reviewer = client_for(cluster, "jtj", cluster.user("jtj", "reviewer"))
    queue = jtj_reviewer.get(f"{BASE}/reviews/")
    assert queue.status_code == 200 and message.code in queue.content.decode()
    # 退回 needs a comment (Chinese error, nothing changes)
    response = jtj_reviewer.post(f"{BASE}/messages/{message.pk}/do/review/", {"decision": "reject", "comment": ""})
    assert response.status_code == 400 and "审核意见" in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.REPLY_PENDING
    response = jtj_reviewer.post(f"{BASE}/messages/{message.pk}/do/review/", {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.published_page_id

    followed = portal_handler.get(f"{BASE}/messages/{message.pk}/")
    assert followed.status_code == 200
    body = followed.content.decode()
    assert "已答复" in body and "12 路公交车将于下月 1 日恢复原线路运行" in body
    with tenant_context(cluster.sites["portal"]):
        assert ReplyPage.objects.get(pk=message.published_page_id).live
    assert [event.action for event in message.public_events()] == ["received", "processing", "forwarded", "answered"]


def test_a_reply_with_a_classification_mark_is_refused_with_its_findings(cluster, write_message):
    message = write_message()
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    response = handler.post(
        f"{BASE}/messages/{message.pk}/do/reply/", {"answered_by": "", "text": "机密★5年\n内部答复：已经处理完毕。"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "密级标志" in text and "不能提交" in text
    # The handler's text is kept in the form to be corrected.
    assert "内部答复：已经处理完毕。" in text
    assert not message.replies.exists()


def test_a_reviewer_never_approves_their_own_reply(cluster, write_message):
    portal = cluster.sites["portal"]
    both = UserFactory(username="portal_handler_reviewer")
    grant_role(both, Role.HANDLER, portal)
    grant_role(both, Role.REVIEWER, portal)
    message = write_message()
    client = client_for(cluster, "portal", both)
    assert client.post(f"{BASE}/messages/{message.pk}/do/reply/", {"text": "已经转交相关科室处理。"}).status_code == 302
    detail = client.get(f"{BASE}/messages/{message.pk}/").content.decode()
    assert "须由本站另一位审核员审核" in detail and "提交审核结论" not in detail
    refused = client.post(f"{BASE}/messages/{message.pk}/do/review/", {"decision": "approve"}, follow=True)
    assert "不能审核自己写的答复" in refused.content.decode()
    message.refresh_from_db()
    assert message.status == Status.REPLY_PENDING
    # Positive control: another reviewer of the site approves the same reply.
    other = client_for(cluster, "portal", cluster.user("portal", "reviewer"))
    assert other.post(f"{BASE}/messages/{message.pk}/do/review/", {"decision": "approve"}).status_code == 302
    assert message.replies.get().status == ReplyStatus.APPROVED


def test_every_reveal_is_audited_and_refused_ones_too(cluster, write_message):
    message = write_message()
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    before = AuditEvent.objects.filter(target=message.code).count()
    for _ in range(2):
        shown = handler.post(f"{BASE}/messages/{message.pk}/reveal/")
        assert shown.status_code == 200
        assert "张三" in shown.content.decode() and "13812345678" in shown.content.decode()
    viewed = AuditEvent.objects.filter(target=message.code, action="interaction.personal_data_viewed")
    assert viewed.count() == 2 and viewed.first().tenant_code == "portal"
    admin = client_for(cluster, "portal", cluster.user("portal", "site_admin"))
    refused = admin.post(f"{BASE}/messages/{message.pk}/reveal/")
    assert is_refused(refused, cluster.host("portal")) and "13812345678" not in refused.content.decode()
    assert AuditEvent.objects.filter(target=message.code, action="interaction.personal_data_refused").count() == 1
    assert AuditEvent.objects.filter(target=message.code).count() == before + 3
    # A GET of the reveal URL does nothing (and is not a way around the audit).
    assert handler.get(f"{BASE}/messages/{message.pk}/reveal/").status_code == 405


def test_not_accepted_needs_a_reason(cluster, write_message):
    message = write_message()
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    response = handler.post(f"{BASE}/messages/{message.pk}/do/invalid/", {"reason": ""})
    assert response.status_code == 400 and "请填写不予受理理由" in response.content.decode()
    assert handler.post(f"{BASE}/messages/{message.pk}/do/invalid/", {"reason": "广告信息"}).status_code == 302
    message.refresh_from_db()
    assert message.status == Status.INVALID and message.invalid_reason == "广告信息"


def test_the_application_clock_through_the_screens(cluster):
    portal = cluster.sites["portal"]
    application = services.submit_application(portal, application_data())
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    url = f"{BASE}/applications/{application.pk}"
    page = handler.get(f"{url}/").content.decode()
    assert "待确认" in page and "李四" not in page and "11010519491231002X" not in page

    received = datetime.date(2026, 3, 2)  # a Monday with no holiday near
    assert handler.post(f"{url}/do/confirm/", {"on": "2026-03-02"}).status_code == 302
    application.refresh_from_db()
    assert application.received_on == received and application.status == ApplicationStatus.PROCESSING
    assert application.due_date == workdays.add_workdays(received, 20)

    assert (
        handler.post(f"{url}/do/correction/", {"on": "2026-03-04", "note": "请写明文件名称或文号。"}).status_code == 302
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION and application.due_date is None
    services.submit_correction(application, "《关于调整 12 路公交线路的论证报告》", on=datetime.date(2026, 3, 9))
    again = handler.post(f"{url}/do/correction/", {"on": "2026-03-10", "note": "再补正一次。"})
    assert again.status_code == 400 and "补正只能告知一次" in again.content.decode()
    application.refresh_from_db()
    assert application.due_date == workdays.add_workdays(datetime.date(2026, 3, 9), 20)

    assert handler.post(f"{url}/do/third_party/", {"on": "2026-03-10", "third_party": "某公交公司"}).status_code == 302
    assert handler.post(f"{url}/do/end_third_party/", {"on": "2026-03-13"}).status_code == 302
    application.refresh_from_db()
    paused = workdays.workdays_between(datetime.date(2026, 3, 10), datetime.date(2026, 3, 13))
    assert paused == 3
    assert application.due_date == workdays.add_workdays(datetime.date(2026, 3, 9), 20 + paused)

    too_long = handler.post(
        f"{url}/do/extend/", {"on": "2026-03-16", "days": "25", "reason": "量大", "approved_by": "王局长"}
    )
    assert too_long.status_code == 400 and "不超过 20 个工作日" in too_long.content.decode()
    no_approver = handler.post(
        f"{url}/do/extend/", {"on": "2026-03-16", "days": "20", "reason": "量大", "approved_by": ""}
    )
    assert no_approver.status_code == 400
    response = handler.post(
        f"{url}/do/extend/", {"on": "2026-03-16", "days": "20", "reason": "需要检索大量档案", "approved_by": "王局长"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.due_date == workdays.add_workdays(datetime.date(2026, 3, 9), 40 + paused)
    page = handler.get(f"{url}/").content.decode()
    assert f"{application.due_date:%Y-%m-%d}" in page and "王局长" in page and "3 个工作日" in page

    missing_reason = handler.post(f"{url}/do/answer/", {"outcome": Outcome.REFUSED, "detail": "涉及国家秘密。"})
    assert missing_reason.status_code == 400 and "法定理由" in missing_reason.content.decode()
    response = handler.post(
        f"{url}/do/answer/", {"outcome": Outcome.REFUSED, "reason": "secret", "detail": "经审查，属于国家秘密。"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ANSWERED and application.outcome_reason == "secret"
    assert "属于国家秘密" in handler.get(f"{url}/").content.decode()


def test_application_personal_data_is_revealed_only_to_the_handler_and_audited(cluster):
    application = services.submit_application(cluster.sites["portal"], application_data())
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    shown = handler.post(f"{BASE}/applications/{application.pk}/reveal/")
    assert shown.status_code == 200 and "11010519491231002X" in shown.content.decode()
    assert AuditEvent.objects.filter(target=application.code, action="interaction.personal_data_viewed").exists()
    reviewer = client_for(cluster, "portal", cluster.user("portal", "reviewer"))
    assert reviewer.get(f"{BASE}/applications/{application.pk}/").status_code == 200
    assert is_refused(reviewer.post(f"{BASE}/applications/{application.pk}/reveal/"), cluster.host("portal"))
    # A forged action by the reviewer is refused by the service and changes nothing.
    reviewer.post(f"{BASE}/applications/{application.pk}/do/confirm/", {"on": "2026-03-02"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_deadlines_keep_the_three_month_limit_and_belong_to_the_site_admin(cluster):
    portal = cluster.sites["portal"]
    admin = client_for(cluster, "portal", cluster.user("portal", "site_admin"))
    fields = {"mailbox": "15", "consult": "10", "suggest": "15", "complaint": "15"}
    assert admin.post(f"{BASE}/deadlines/", fields).status_code == 302
    assert Deadline.for_site(portal, "consult") == 10
    too_long = admin.post(f"{BASE}/deadlines/", {**fields, "complaint": "61"})
    assert too_long.status_code == 200 and "3 个月" in too_long.content.decode()
    assert Deadline.for_site(portal, "complaint") == 15
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    assert is_refused(handler.get(f"{BASE}/deadlines/"), cluster.host("portal"))
    assert is_refused(handler.post(f"{BASE}/deadlines/", {**fields, "consult": "1"}), cluster.host("portal"))
    assert Deadline.for_site(portal, "consult") == 10
    # A site admin sets only their own site's periods.
    assert Deadline.for_site(cluster.sites["jtj"], "consult") == 5


def test_workday_overrides_are_the_web_office_s(cluster):
    office = client_for(cluster, "portal", cluster.user(None, "web_office"))
    page = office.get(f"{BASE}/workdays/")
    assert page.status_code == 200
    response = office.post(f"{BASE}/workdays/", {"date": "2031-10-11", "is_workday": "1", "note": "调休上班"})
    assert response.status_code == 302
    override = WorkdayOverride.objects.get(date=datetime.date(2031, 10, 11))
    assert workdays.is_workday(override.date)
    duplicate = office.post(f"{BASE}/workdays/", {"date": "2031-10-11", "is_workday": "0"})
    assert "这一天已有调整" in duplicate.content.decode()
    admin = client_for(cluster, "portal", cluster.user("portal", "site_admin"))
    assert is_refused(admin.get(f"{BASE}/workdays/"), cluster.host("portal"))
    assert is_refused(admin.post(f"{BASE}/workdays/{override.pk}/delete/"), cluster.host("portal"))
    assert WorkdayOverride.objects.filter(pk=override.pk).exists()
    assert office.post(f"{BASE}/workdays/{override.pk}/delete/").status_code == 302
    assert not WorkdayOverride.objects.filter(pk=override.pk).exists()


def test_the_export_masks_personal_data_and_defuses_formulas(cluster, write_message):
    write_message(subject='=HYPERLINK("http://evil.example/","点此")', name="欧阳修文")
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    response = handler.get(f"{BASE}/messages/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "查询码"
    row = next(row for row in rows if "HYPERLINK" in row[2])
    assert row[2].startswith("'=") and row[3] == "欧***" and row[4] == "138****5678"
    assert "13812345678" not in text and "欧阳修文" not in text
    assert AuditEvent.objects.filter(action="interaction.messages_exported", actor=cluster.user("portal", "handler"))


def test_personal_data_in_a_subject_is_masked_for_the_reviewer_and_in_the_export(cluster, write_message):
    message = write_message(subject="请回电 13912345678", phone="13700000009")
    reviewer = client_for(cluster, "portal", cluster.user("portal", "reviewer"))
    assert "13912345678" not in reviewer.get(f"{BASE}/messages/{message.pk}/").content.decode()
    Message.objects.filter(pk=message.pk).update(due_date=datetime.date(2020, 1, 6))
    for url in ("/messages/", "/overdue/"):
        page = reviewer.get(f"{BASE}{url}").content.decode()
        assert message.code in page and "13912345678" not in page, url
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    assert "13912345678" in handler.get(f"{BASE}/messages/{message.pk}/").content.decode()
    assert "13912345678" not in handler.get(f"{BASE}/messages/export.csv").content.decode("utf-8-sig")


def test_list_filters_and_the_web_office_site_filter(cluster, write_message):
    consult = write_message(subject="咨询一")
    complaint = write_message("jyj", kind="complaint", subject="投诉二", phone="13700000001")
    Message.objects.filter(pk=complaint.pk).update(due_date=datetime.date(2020, 1, 6))
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    text = handler.get(f"{BASE}/messages/?kind=consult").content.decode()
    assert consult.code in text and complaint.code not in text
    office = client_for(cluster, "portal", cluster.user(None, "web_office"))
    everything = office.get(f"{BASE}/messages/").content.decode()
    assert consult.code in everything and complaint.code in everything
    only_jyj = office.get(f"{BASE}/messages/?site={cluster.sites['jyj'].pk}").content.decode()
    assert complaint.code in only_jyj and consult.code not in only_jyj
    overdue = office.get(f"{BASE}/messages/?timing=overdue").content.decode()
    assert complaint.code in overdue and consult.code not in overdue
    by_code = office.get(f"{BASE}/messages/?q={consult.code}").content.decode()
    assert consult.code in by_code and complaint.code not in by_code


def test_the_home_panel_and_the_menu(cluster, write_message):
    write_message()
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    home = handler.get("/admin/").content.decode()
    assert "interaction-desk-heading" in home and "待办" in home and in_menu(home, "留言办理")
    editor = client_for(cluster, "portal", cluster.user("portal", "editor"))
    home = editor.get("/admin/").content.decode()
    assert "interaction-desk-heading" not in home and not in_menu(home, "留言办理")
    reviewer = client_for(cluster, "portal", cluster.user("portal", "reviewer"))
    home = reviewer.get("/admin/").content.decode()
    assert "待审核答复" in home and in_menu(home, "答复审核")
    assert not in_menu(home, "工作日调整")


def test_statistics_screen(cluster, write_message):
    write_message()
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    year = datetime.date.today().year
    response = handler.get(f"{BASE}/statistics/?start={year}-01-01&end={year}-12-31")
    assert response.status_code == 200
    text = response.content.decode()
    assert "收到和处理政府信息公开申请情况" in text and "结转下年度继续办理" in text
    bad = handler.get(f"{BASE}/statistics/?start={year}-12-31&end={year}-01-01")
    assert "结束日期不能早于开始日期" in bad.content.decode()


def test_overdue_screen(cluster, write_message):
    late = write_message(subject="早该答复")
    Message.objects.filter(pk=late.pk).update(due_date=datetime.date(2020, 1, 6))
    application = services.submit_application(cluster.sites["portal"], application_data())
    DisclosureApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.PROCESSING, received_on=datetime.date(2019, 12, 2), due_date=datetime.date(2020, 1, 2)
    )
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    text = handler.get(f"{BASE}/overdue/").content.decode()
    assert late.code in text and application.code in text


def test_a_reply_waiting_for_review_is_void_once_the_message_is_forwarded(cluster, write_message):
    portal, jtj = cluster.sites["portal"], cluster.sites["jtj"]
    message = write_message()
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    assert handler.post(f"{BASE}/messages/{message.pk}/do/reply/", {"text": "本机关将尽快处理。"}).status_code == 302
    assert handler.post(f"{BASE}/messages/{message.pk}/do/forward/", {"to_tenant": jtj.pk}).status_code == 302
    reviewer = client_for(cluster, "portal", cluster.user("portal", "reviewer"))
    assert "提交审核结论" not in reviewer.get(f"{BASE}/messages/{message.pk}/").content.decode()
    reviewer.post(f"{BASE}/messages/{message.pk}/do/review/", {"decision": "approve"})
    message.refresh_from_db()
    assert message.status == Status.PROCESSING and message.handling_tenant == jtj
    assert message.replies.get().status == ReplyStatus.REJECTED
    assert portal.pk != jtj.pk


def test_opening_a_message_with_its_text_in_full_is_audited_and_lists_mask_it(cluster, write_message):
    message = write_message(subject="电话13912345678的咨询")
    handler = client_for(cluster, "portal", cluster.user("portal", "handler"))
    listing = handler.get(f"{BASE}/messages/")
    assert "13912345678" not in listing.content.decode() and "的咨询" in listing.content.decode()
    assert not AuditEvent.objects.filter(target=message.code, action="interaction.record_opened").exists()
    detail = handler.get(f"{BASE}/messages/{message.pk}/")
    assert "13912345678" in detail.content.decode()
    assert AuditEvent.objects.filter(target=message.code, action="interaction.record_opened").count() == 1
    # The site admin's detail is masked and opening it is no personal-data view.
    admin = client_for(cluster, "portal", cluster.user("portal", "site_admin"))
    assert "13912345678" not in admin.get(f"{BASE}/messages/{message.pk}/").content.decode()
    assert AuditEvent.objects.filter(target=message.code, action="interaction.record_opened").count() == 1
