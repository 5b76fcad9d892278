"""The rules reading the interaction app and the crawler's records, with a clean control each."""

import datetime

import pytest
from django.utils import timezone

from supervision.checks.checks import check_availability, check_links, check_messages
from supervision.crawler.models import LinkFinding, Probe

pytestmark = pytest.mark.django_db


def overdue_message(tenant, code, received_on, due_date):
    from interaction.models import Message

    return Message.objects.create(
        tenant=tenant,
        handling_tenant=tenant,
        code=code,
        kind="consult",
        subject="咨询公交线路",
        body="请问 3 路公交何时恢复？",
        name="张三",
        phone="13800000000",
        phone_digest=code,
        lookup_digest=code,
        content_digest=code,
        received_on=received_on,
        due_date=due_date,
    )


def test_an_overdue_message_is_flagged_and_past_3_months_a_veto(cluster):
    jtj, jyj = cluster.sites["jtj"], cluster.sites["jyj"]
    today = datetime.date(2026, 11, 20)
    overdue_message(jtj, "SUP0001", datetime.date(2026, 10, 1), datetime.date(2026, 10, 30))
    overdue_message(jtj, "SUP0002", datetime.date(2026, 8, 1), datetime.date(2026, 8, 30))
    overdue_message(jtj, "SUP0003", datetime.date(2026, 11, 10), datetime.date(2026, 12, 10))  # not yet due
    findings = {f["key"]: f for f in check_messages(jtj, today)}
    assert set(findings) >= {"message:SUP0001", "message:SUP0002"}
    assert "message:SUP0003" not in findings
    assert not findings["message:SUP0001"]["veto"] and findings["message:SUP0002"]["veto"]
    assert "2026-10-30" in findings["message:SUP0001"]["message"]
    assert findings["message:SUP0001"]["alarm"] == "overdue"
    assert not any(key.startswith("message:SUP") for key in (f["key"] for f in check_messages(jyj, today)))


def test_availability_from_the_probes(cluster):
    probe = Probe
    jtj, jyj = cluster.sites["jtj"], cluster.sites["jyj"]
    now = timezone.now()
    for n in range(40):
        probe.objects.create(
            tenant=jtj, at=now - datetime.timedelta(hours=n * 4), ok=True, seconds=0.3, status_code=200
        )
        probe.objects.create(
            tenant=jyj, at=now - datetime.timedelta(hours=n * 4), ok=True, seconds=0.3, status_code=200
        )
    assert check_availability(jyj, now, probe) == []
    # 2 of 42 failed (4.8%): an alarm, not a veto; a third (slow) one is 7%: a veto.
    probe.objects.create(tenant=jtj, at=now - datetime.timedelta(hours=2), ok=False, seconds=0, error="拒绝连接")
    probe.objects.create(tenant=jtj, at=now - datetime.timedelta(hours=3), ok=False, seconds=0, status_code=500)
    (warning,) = check_availability(jtj, now, probe)
    assert not warning["veto"] and warning["alarm"] == "drop"
    probe.objects.create(tenant=jtj, at=now - datetime.timedelta(hours=5), ok=True, seconds=16, status_code=200)
    (veto,) = check_availability(jtj, now, probe)
    assert veto["veto"]
    # Probes older than a week do not count.
    probe.objects.create(tenant=jyj, at=now - datetime.timedelta(days=8), ok=False, seconds=0)
    assert check_availability(jyj, now, probe) == []


def test_broken_links_and_attachments_from_the_crawler(cluster):
    link = LinkFinding
    jtj, jyj = cluster.sites["jtj"], cluster.sites["jyj"]
    now = timezone.now()
    common = {"checked_at": now}
    link.objects.create(
        tenant=jtj,
        page_url="http://jtj.localhost/",
        link_url="http://x.test/a",
        link_text="旧链接",
        status="broken",
        kind="link",
        on_homepage=True,
        **common,
    )
    link.objects.create(
        tenant=jtj,
        page_url="http://jtj.localhost/zwdt/",
        link_url="http://x.test/b",
        link_text="",
        status="broken",
        kind="link",
        **common,
    )
    link.objects.create(
        tenant=jtj,
        page_url="http://jtj.localhost/zwdt/",
        link_url="/documents/9/",
        link_text="附件一",
        status="broken",
        kind="attachment",
        **common,
    )
    link.objects.create(
        tenant=jtj,
        page_url="http://jtj.localhost/",
        link_url="http://x.test/c",
        link_text="慢",
        status="caution",
        kind="link",
        on_homepage=True,
        **common,
    )
    link.objects.create(
        tenant=jyj,
        page_url="http://jyj.localhost/",
        link_url="http://x.test/d",
        link_text="好",
        status="ok",
        kind="link",
        on_homepage=True,
        **common,
    )
    findings = check_links(jtj, link)
    by_rule = sorted((f["rule"], f["points"], f["alarm"]) for f in findings)
    assert by_rule == [("broken_attachment", 0.5, None), ("broken_link", 0.1, None), ("broken_link", 1, "broken")]
    assert any("旧链接" in f["message"] and f["url"] == "http://jtj.localhost/" for f in findings)
    assert check_links(jyj, link) == []
