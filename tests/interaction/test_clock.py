"""The legal clock in working days: the holiday calendar with 调休, overrides, 补正, 延期 and third parties.

2026 as the State Council gave it: 中秋 25–27 September, 国庆 1–7 October, and Sunday 20 September
and Saturday 10 October worked instead (调休).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from interaction import services, workdays
from interaction.models import (
    ApplicationStatus,
    DisclosureApplication,
    Message,
    Outcome,
    WorkdayOverride,
    message_due_date,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def application_data(**changes):
    data = {
        "applicant_type": "citizen",
        "name": "李四",
        "id_number": "11010519491231002X",
        "phone": "13987654321",
        "email": "lisi@example.com",
        "address": "测试市人民路 2 号",
        "description": "申请公开 2025 年度全市公交线路补贴资金的分配明细。",
        "purpose": "了解补贴使用情况",
        "provision_form": "electronic",
        "delivery": "email",
    }
    data.update(changes)
    return data


def test_the_holidays_and_the_swapped_workdays_of_2026():
    assert not workdays.is_workday(D(2026, 10, 1))
    assert not workdays.is_workday(D(2026, 9, 25))  # 中秋, a Friday
    assert workdays.is_workday(D(2026, 9, 20))  # a Sunday worked (调休)
    assert workdays.is_workday(D(2026, 10, 10))  # a Saturday worked (调休)
    assert not workdays.is_workday(D(2026, 10, 11))


def test_counting_across_national_day_takes_the_swapped_saturday():
    # From Wednesday 23 September: 24, 28, 29, 30 September, 8, 9 and (Saturday) 10 October.
    assert workdays.add_workdays(D(2026, 9, 23), 5) == D(2026, 10, 8)
    assert workdays.add_workdays(D(2026, 9, 23), 7) == D(2026, 10, 10)
    assert workdays.add_workdays(D(2026, 9, 23), 20) == D(2026, 10, 28)
    assert workdays.workdays_between(D(2026, 9, 23), D(2026, 10, 10)) == 7
    assert workdays.workdays_between(D(2026, 10, 10), D(2026, 10, 10)) == 0


def test_a_year_the_package_does_not_know_uses_the_web_offices_overrides_then_weekdays():
    assert not workdays.known_by_calendar(D(2027, 1, 1))
    assert 2027 in workdays.unknown_years(D(2026, 12, 2))
    assert workdays.is_workday(D(2027, 1, 1))  # a Friday: without an override, never a guessed holiday
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    assert not workdays.is_workday(D(2027, 1, 1))
    WorkdayOverride.objects.create(date=D(2027, 1, 3), is_workday=True, note="调休上班")
    assert workdays.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 3)


def test_an_override_wins_over_the_package_too():
    assert workdays.is_workday(D(2026, 12, 2))
    WorkdayOverride.objects.create(date=D(2026, 12, 2), is_workday=False, note="更正")
    assert not workdays.is_workday(D(2026, 12, 2))


def test_message_deadlines_follow_the_site_and_never_pass_three_months(cluster):
    portal = cluster.sites["portal"]
    assert message_due_date(portal, "consult", D(2026, 9, 23)) == D(2026, 10, 8)
    from interaction.models import Deadline

    Deadline.objects.create(tenant=portal, kind="consult", working_days=60)
    received = D(2026, 9, 23)
    due = message_due_date(portal, "consult", received)
    assert due <= D(2026, 12, 23)
    with pytest.raises(ValidationError):
        Deadline(tenant=portal, kind="suggest", working_days=61).full_clean()


def test_a_message_past_its_due_date_is_overdue(write_message):
    message = write_message()
    assert not Message.objects.overdue().filter(pk=message.pk).exists()
    assert Message.objects.overdue(today=message.due_date + datetime.timedelta(days=1)).filter(pk=message.pk).exists()


@pytest.fixture
def handler(cluster):
    return cluster.user("jtj", "handler")


@pytest.fixture
def jtj(cluster):
    return cluster.sites["jtj"]


RECEIVED = D(2026, 9, 23)


def received_application(jtj, handler, on=RECEIVED):
    application = services.submit_application(jtj, application_data())
    return services.confirm_receipt(application, handler, jtj, on=on)


def test_the_answer_is_due_twenty_working_days_after_receipt(jtj, handler):
    application = services.submit_application(jtj, application_data())
    assert application.status == ApplicationStatus.SUBMITTED and application.due_date is None
    application = services.confirm_receipt(application, handler, jtj, on=D(2026, 9, 23))
    assert application.due_date == D(2026, 10, 28)


def test_correction_is_asked_once_within_seven_working_days_and_restarts_the_clock(jtj, handler):
    late = received_application(jtj, handler)
    with pytest.raises(ValidationError, match="7 个工作日"):
        services.request_correction(late, handler, jtj, "请写明文件名称", on=D(2026, 10, 12))
    application = received_application(jtj, handler)
    services.request_correction(application, handler, jtj, "请写明文件名称", on=D(2026, 10, 10))
    assert application.status == ApplicationStatus.CORRECTION and application.due_date is None
    services.submit_correction(application, "《2025 年公交补贴分配方案》", on=D(2026, 10, 14))
    assert application.due_date == workdays.add_workdays(D(2026, 10, 14), 20) == D(2026, 11, 11)
    with pytest.raises(ValidationError, match="一次"):
        services.request_correction(application, handler, jtj, "再补正", on=D(2026, 10, 15))


def test_one_extension_of_at_most_twenty_working_days_with_reason_and_approver(jtj, handler):
    application = received_application(jtj, handler)
    with pytest.raises(ValidationError):
        services.extend(application, handler, jtj, days=21, reason="材料较多", approved_by="王局长", on=D(2026, 10, 20))
    with pytest.raises(ValidationError):
        services.extend(application, handler, jtj, days=10, reason="", approved_by="王局长", on=D(2026, 10, 20))
    services.extend(application, handler, jtj, days=20, reason="材料较多", approved_by="王局长", on=D(2026, 10, 20))
    assert application.due_date == workdays.add_workdays(D(2026, 10, 28), 20)
    with pytest.raises(ValidationError, match="一次"):
        services.extend(application, handler, jtj, days=5, reason="再延", approved_by="王局长", on=D(2026, 10, 21))


def test_waiting_for_a_third_party_is_not_counted_up_to_fifteen_working_days(jtj, handler):
    application = received_application(jtj, handler)
    services.start_third_party(application, handler, jtj, "某公交公司", on=D(2026, 10, 12))
    services.end_third_party(application, handler, jtj, on=D(2026, 10, 16))  # 4 working days
    assert application.due_date == workdays.add_workdays(D(2026, 10, 28), 4)
    long_wait = received_application(jtj, handler)
    services.start_third_party(long_wait, handler, jtj, "某公交公司", on=D(2026, 10, 12))
    services.end_third_party(long_wait, handler, jtj, on=D(2026, 11, 30))  # far beyond 15
    assert long_wait.due_date == workdays.add_workdays(D(2026, 10, 28), 15)


def test_answers_take_the_statutory_forms_with_their_reasons(jtj, handler):
    application = received_application(jtj, handler)
    with pytest.raises(ValidationError):
        services.answer_application(application, handler, jtj, outcome=Outcome.REFUSED, detail="涉及第三方")
    with pytest.raises(ValidationError):
        services.answer_application(application, handler, jtj, outcome=Outcome.PUBLISHED_ALREADY)
    services.answer_application(
        application, handler, jtj, outcome=Outcome.UNAVAILABLE, reason="not_held", detail="本机关不掌握该信息。"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ANSWERED and application.outcome_reason == "not_held"


def test_an_invalid_id_number_is_refused_and_a_valid_one_is_encrypted(jtj):
    with pytest.raises(services.IntakeError) as error:
        services.submit_application(jtj, application_data(id_number="110105194912310021"))
    assert "id_number" in error.value.message_dict
    application = services.submit_application(jtj, application_data())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, name FROM interaction_disclosureapplication WHERE id = %s", [application.pk])
        stored_number, stored_name = cursor.fetchone()
    assert "11010519491231002X" not in stored_number and "李四" not in stored_name
    assert DisclosureApplication.objects.get(pk=application.pk).id_number == "11010519491231002X"
    assert services.lookup(DisclosureApplication, application.code, "4321") == application


def test_only_the_sites_handler_moves_the_clock(cluster, jtj):
    application = services.submit_application(jtj, application_data())
    for user in (cluster.user("jyj", "handler"), cluster.user("jtj", "editor"), cluster.user("jtj", "reviewer")):
        with pytest.raises(Exception, match="互动办理员"):
            services.confirm_receipt(application, user, cluster.sites[user.username.split("_")[0]])
    services.confirm_receipt(application, cluster.user("jtj", "handler"), jtj)
