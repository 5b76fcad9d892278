"""Statistics from known data: 互动交流 figures and table 三 of the 信息公开年报, carried over across years."""

import csv
import datetime
import io
import zoneinfo

import pytest

from interaction import services, statistics, workdays
from interaction.models import ApplicationStatus, DisclosureApplication, Message, Outcome, Status

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def application(tenant, *, applicant="citizen", received=None, submitted=None, answered=None, outcome="", reason=""):
    data = {
        "applicant_type": applicant,
        "name": "李四" if applicant == "citizen" else "某某科技有限公司",
        "id_number": "11010519491231002X" if applicant == "citizen" else "91350100M000100Y43",
        "phone": "13987654321",
        "description": f"请公开相关信息 {received} {answered}",
        "provision_form": "electronic",
        "delivery": "pickup",
    }
    record = services.submit_application(tenant, data)
    changes = {"submitted_at": submitted or at(received.year, received.month, received.day, 9)}
    if received:
        changes.update(received_on=received, status=ApplicationStatus.PROCESSING)
    if answered:
        changes.update(status=ApplicationStatus.ANSWERED, answered_at=answered, outcome=outcome, outcome_reason=reason)
    DisclosureApplication.objects.filter(pk=record.pk).update(**changes)
    return record


@pytest.fixture
def applications(cluster):
    jtj = cluster.sites["jtj"]
    application(jtj, received=datetime.date(2025, 12, 15), answered=at(2026, 1, 10), outcome=Outcome.DISCLOSED)
    application(
        jtj,
        applicant="legal",
        received=datetime.date(2025, 3, 3),
        answered=at(2025, 3, 20),
        outcome=Outcome.REFUSED,
        reason="secret",
    )
    application(jtj, received=datetime.date(2025, 11, 3))  # still open
    application(jtj, received=datetime.date(2026, 2, 2), answered=at(2026, 2, 10), outcome=Outcome.NOT_OURS)
    application(jtj, received=datetime.date(2024, 12, 20), answered=at(2025, 1, 5), outcome=Outcome.PARTIAL)
    # Submitted late on 31 December and not yet confirmed: on the desk, so received and carried over.
    application(jtj, submitted=at(2025, 12, 31, 23, 30))
    # Answered at 00:30 on 1 January, Shanghai time (still 31 December in UTC): the new year's result.
    application(
        jtj, received=datetime.date(2025, 12, 22), answered=at(2026, 1, 1, 0, 30), outcome=Outcome.PUBLISHED_ALREADY
    )
    # Another site's application counts only there.
    application(cluster.sites["jyj"], received=datetime.date(2025, 6, 2), answered=at(2025, 6, 5), outcome="disclosed")
    return jtj


def test_table_three_for_a_year_carries_the_unfinished_into_the_next(applications):
    table = statistics.application_table(applications, statistics.Period.year(2025))
    assert table.count("new") == 5
    assert table.count("new", "citizen") == 4 and table.count("new", "legal") == 1
    assert table.count("carried_in") == 1
    assert table.count("partial") == 1
    assert table.count("refused") == 1 and table.count("refused:secret") == 1 and table.count("refused", "legal") == 1
    assert table.count("disclosed") == 0
    assert table.count("total") == 2
    assert table.count("carried_out") == 4
    assert table.balanced


def test_the_next_year_takes_the_carried_over_and_their_outcomes(applications):
    table = statistics.application_table(applications, statistics.Period.year(2026))
    assert table.count("carried_in") == 4
    assert table.count("new") == 1
    # 予以公开 holds 已主动公开 too; 非本机关 is 无法提供 / 本机关不掌握.
    assert table.count("disclosed") == 2
    assert table.count("unavailable") == 1 and table.count("unavailable:not_held") == 1
    assert table.count("total") == 3
    assert table.count("carried_out") == 2
    assert table.balanced


def test_the_whole_cluster_and_a_withdrawn_application(cluster, applications):
    withdrawn = application(cluster.sites["jtj"], received=datetime.date(2025, 5, 6))
    DisclosureApplication.objects.filter(pk=withdrawn.pk).update(status=ApplicationStatus.WITHDRAWN)
    withdrawn.events.create(action="withdrawn", text="申请人撤回申请。", at=at(2025, 5, 8))
    table = statistics.application_table(applications, statistics.Period.year(2025))
    assert table.count("other") == 1 and table.count("other:other") == 1 and table.balanced
    cluster_table = statistics.application_table(None, statistics.Period.year(2025))
    assert cluster_table.count("new") == 7 and cluster_table.count("disclosed") == 1 and cluster_table.balanced


def test_message_figures(cluster, write_message):
    jyj = cluster.sites["jyj"]
    received = datetime.date(2026, 3, 2)
    quick = write_message("jyj", subject="按期答复")
    late = write_message("jyj", subject="逾期答复", phone="13900000001")
    open_late = write_message("jyj", subject="仍未答复", phone="13900000002")
    invalid = write_message("jyj", subject="广告", phone="13900000003")
    before = write_message("jyj", subject="上个月的", phone="13900000004")
    due = workdays.add_workdays(received, 5)
    Message.objects.filter(pk__in=[quick.pk, late.pk, open_late.pk, invalid.pk]).update(
        received_on=received, received_at=at(2026, 3, 2), due_date=due
    )
    Message.objects.filter(pk=quick.pk).update(status=Status.ANSWERED, answered_at=at(2026, 3, 5), published_page_id=99)
    Message.objects.filter(pk=late.pk).update(status=Status.ANSWERED, answered_at=at(2026, 3, 20))
    Message.objects.filter(pk=invalid.pk).update(status=Status.INVALID, answered_at=at(2026, 3, 3))
    Message.objects.filter(pk=before.pk).update(
        received_on=datetime.date(2026, 2, 2),
        received_at=at(2026, 2, 2),
        due_date=datetime.date(2026, 2, 9),
        status=Status.ANSWERED,
        answered_at=at(2026, 2, 5),
    )
    period = statistics.Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    figures = statistics.message_figures(jyj, period, today=datetime.date(2026, 4, 15))
    assert figures.received == 4
    assert figures.answered == 2 and figures.invalid == 1 and figures.published == 1
    expected = (
        workdays.workdays_between(received, datetime.date(2026, 3, 5))
        + workdays.workdays_between(received, datetime.date(2026, 3, 20))
    ) / 2
    assert figures.average_workdays == round(expected, 1)
    assert figures.overdue == 2  # answered late, and still open past its due date
    assert figures.open_at_end == 1
    assert figures.by_kind["consult"]["received"] == 4
    assert open_late.pk  # still open: counted in open_at_end above


def test_a_forwarded_message_counts_at_the_site_that_answers(cluster, write_message):
    portal, jtj = cluster.sites["portal"], cluster.sites["jtj"]
    message = write_message()
    services.forward(message, cluster.user("portal", "handler"), portal, jtj)
    period = statistics.Period.year(message.received_on.year)
    assert statistics.message_figures(jtj, period).received == 1
    assert statistics.message_figures(jtj, period).forwarded_in == 1
    assert statistics.message_figures(portal, period).received == 0


def test_the_statistics_screen_and_its_export_count_the_site_asked_for(cluster, applications):
    from django.test import Client

    handler = Client(HTTP_HOST=cluster.host("jtj"))
    handler.force_login(cluster.user("jtj", "handler"))
    page = handler.get("/admin/interaction/statistics/?start=2025-01-01&end=2025-12-31")
    assert page.status_code == 200 and "四、结转下年度继续办理" in page.content.decode()
    export = handler.get("/admin/interaction/statistics/export.csv?start=2025-01-01&end=2025-12-31")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["项目", "自然人", "法人或其他组织", "总计"]
    assert ["一、本年新收政府信息公开申请数量", "4", "1", "5"] in rows
    assert ["四、结转下年度继续办理", "4", "0", "4"] in rows
    # Only the web office may ask for another site: jtj's handler asking for jyj still gets jtj.
    other = handler.get(
        f"/admin/interaction/statistics/export.csv?start=2025-01-01&end=2025-12-31&site={cluster.sites['jyj'].pk}"
    )
    assert ["一、本年新收政府信息公开申请数量", "4", "1", "5"] in list(
        csv.reader(io.StringIO(other.content.decode("utf-8-sig")))
    )
    office = Client(HTTP_HOST=cluster.host("jtj"))
    office.force_login(cluster.user(None, "web_office"))
    jyj = office.get(
        f"/admin/interaction/statistics/export.csv?start=2025-01-01&end=2025-12-31&site={cluster.sites['jyj'].pk}"
    )
    assert ["一、本年新收政府信息公开申请数量", "1", "0", "1"] in list(
        csv.reader(io.StringIO(jyj.content.decode("utf-8-sig")))
    )
