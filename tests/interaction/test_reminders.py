"""interaction_reminders: one digest a day per site to its handlers, never a storm."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from interaction import services, workdays
from interaction.models import ApplicationStatus, DisclosureApplication, Message, Status

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 4)  # a Wednesday, no holiday within a week


@pytest.fixture
def handlers_with_mail(cluster):
    for code in ("portal", "jtj"):
        user = cluster.user(code, "handler")
        user.email = f"{code}-handler@example.gov.cn"
        user.save(update_fields=["email"])


def run(**options):
    out, err = StringIO(), StringIO()
    call_command("interaction_reminders", stdout=out, stderr=err, **options)
    return out.getvalue()


def test_one_digest_a_day_with_due_soon_and_overdue(cluster, write_message, handlers_with_mail, mailoutbox):
    soon = write_message(subject="三天内到期")
    late = write_message(subject="已经超期", phone="13900000002")
    later = write_message(subject="还早", phone="13900000003")
    done = write_message(subject="已答复", phone="13900000004")
    Message.objects.filter(pk=soon.pk).update(due_date=workdays.add_workdays(TODAY, 2))
    Message.objects.filter(pk=late.pk).update(due_date=TODAY - datetime.timedelta(days=3))
    Message.objects.filter(pk=later.pk).update(due_date=workdays.add_workdays(TODAY, 10))
    Message.objects.filter(pk=done.pk).update(due_date=TODAY, status=Status.ANSWERED)
    application = services.submit_application(
        cluster.sites["jtj"],
        {
            "applicant_type": "citizen",
            "name": "李四",
            "id_number": "11010519491231002X",
            "phone": "13987654321",
            "description": "请公开本局 2025 年道路养护资金使用情况。",
            "provision_form": "electronic",
            "delivery": "pickup",
        },
    )
    DisclosureApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.PROCESSING, received_on=TODAY, due_date=workdays.add_workdays(TODAY, 1)
    )

    summary = run(today=TODAY)
    assert "发送提醒 2 封" in summary
    by_recipient = {tuple(mail.to): mail for mail in mailoutbox}
    portal_mail = by_recipient[("portal-handler@example.gov.cn",)]
    assert soon.code in portal_mail.body and late.code in portal_mail.body and "已超期" in portal_mail.body
    assert later.code not in portal_mail.body and done.code not in portal_mail.body
    # Personal data never goes into a mail.
    assert "13812345678" not in portal_mail.body and "张三" not in portal_mail.body
    jtj_mail = by_recipient[("jtj-handler@example.gov.cn",)]
    assert application.code in jtj_mail.body and "李四" not in jtj_mail.body
    assert Message.objects.get(pk=soon.pk).reminded_on == TODAY
    assert Message.objects.get(pk=later.pk).reminded_on is None

    # The same day again: nothing new, no mail.
    assert "发送提醒 0 封" in run(today=TODAY)
    assert len(mailoutbox) == 2
    # The next day: the overdue and the still-due are in the next digest.
    run(today=TODAY + datetime.timedelta(days=1))
    assert len(mailoutbox) == 4


def test_site_option_dry_run_and_a_site_without_mail(cluster, write_message, mailoutbox):
    late = write_message("jyj", subject="教育局超期留言")
    Message.objects.filter(pk=late.pk).update(due_date=TODAY - datetime.timedelta(days=1))
    dry = run(today=TODAY, site="jyj", dry_run=True)
    assert "jyj：留言 1 件" in dry and "演练" in dry and not mailoutbox
    assert Message.objects.get(pk=late.pk).reminded_on is None
    # jyj's handler has no e-mail: nothing is sent, nothing marked, so it is retried once one is set.
    run(today=TODAY, site="jyj")
    assert not mailoutbox and Message.objects.get(pk=late.pk).reminded_on is None
    user = cluster.user("jyj", "handler")
    user.email = "jyj-handler@example.gov.cn"
    user.save(update_fields=["email"])
    assert "发送提醒 1 封" in run(today=TODAY, site="jyj")
    assert mailoutbox[0].to == ["jyj-handler@example.gov.cn"]


def test_unknown_site_is_an_error(cluster):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run(site="nosuchsite")
