"""The score and veto logic, the daily results, the reminders with a frozen date and one digest a day,
and the shape of ``supervise --json``."""

import datetime
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from sites.models import Role
from sites.roles import grant_role
from supervision.checks import services
from supervision.checks.models import Alarm, AlarmDigest, DailyResult
from supervision.checks.score import score
from tests.factories import UserFactory

from .sites import days_later, make_clean

pytestmark = pytest.mark.django_db


def item(rule, points=0, veto=False):
    return {"rule": rule, "points": points, "veto": veto}


def test_deductions_are_capped_and_a_veto_fails_whatever_the_points():
    clean = score([])
    assert clean.score == 100 and clean.passed and clean.vetoes == []
    links = score([item("broken_link", 0.1)] * 30 + [item("broken_link", 1)] * 20)
    assert links.deductions == {"broken_link": 10} and links.score == 90 and links.passed
    vetoed = score([item("homepage_stale", veto=True), item("footer_missing", 2)])
    assert vetoed.score == 98 and not vetoed.passed and vetoed.vetoes == ["homepage_stale"]
    many = score(
        [item("column_stale", 2)] * 4
        + [item("empty_column", 4)] * 4
        + [item("unanswered_message", 2)] * 10
        + [item("availability", 8)]
        + [item("broken_attachment", 0.5)] * 20
    )
    assert many.score == 100 - 8 - 16 - 20 - 8 - 10
    assert not many.vetoes and not many.passed, "under 60 fails without a veto"


@pytest.fixture
def people(cluster):
    jtj = cluster.sites["jtj"]
    admin = UserFactory(username="sup_jtj_admin", email="admin@jtj.test")
    grant_role(admin, Role.SITE_ADMIN, jtj)
    office = UserFactory(username="sup_office", email="office@web.test")
    grant_role(office, Role.WEB_OFFICE)
    editor = UserFactory(username="sup_jtj_editor", email="editor@jtj.test")
    grant_role(editor, Role.EDITOR, jtj)
    return admin, office, editor


def inbox(address):
    return [m for m in mail.outbox if address in m.to]


def test_day_10_and_day_12_reminders_one_digest_a_day(cluster, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    jtj = cluster.sites["jtj"]
    make_clean(jtj)
    connection.set_schema_to_public()

    services.run("jtj", today=days_later(9))
    assert not Alarm.objects.filter(tenant=jtj, rule="homepage_stale").exists()

    services.run("jtj", today=days_later(10))
    (alarm,) = Alarm.objects.filter(tenant=jtj, rule="homepage_stale")
    assert alarm.stage == "day10"
    assert len(inbox("admin@jtj.test")) == 1 and len(inbox("office@web.test")) == 1
    assert inbox("editor@jtj.test") == [], "editors get no digest"
    digest = inbox("admin@jtj.test")[0]
    assert "首页" in digest.body and "4 天后" in digest.body

    # Re-running the same day: no second alarm, no second mail, one result for the day.
    services.run("jtj", today=days_later(10))
    assert Alarm.objects.filter(tenant=jtj, rule="homepage_stale").count() == 1
    assert len(inbox("admin@jtj.test")) == 1
    assert DailyResult.objects.filter(tenant=jtj, day=days_later(10)).count() == 1

    # Day 11: nothing new, nothing sent.
    services.run("jtj", today=days_later(11))
    assert len(inbox("admin@jtj.test")) == 1

    services.run("jtj", today=days_later(12))
    assert sorted(Alarm.objects.filter(tenant=jtj, rule="homepage_stale").values_list("stage", flat=True)) == [
        "day10",
        "day12",
    ]
    assert len(inbox("admin@jtj.test")) == 2
    assert AlarmDigest.objects.filter(recipient=people[0]).count() == 2

    services.run("jtj", today=days_later(14))
    result = DailyResult.objects.get(tenant=jtj, day=days_later(14))
    assert "homepage_stale" in result.vetoes and not result.passed


def test_the_web_office_gets_one_digest_for_every_site(cluster, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # An editor's role on jyj does not make jtj's admin a recipient of jyj's alarms.
    grant_role(people[0], Role.EDITOR, cluster.sites["jyj"])
    for code in ("jtj", "jyj"):
        make_clean(cluster.sites[code])
    connection.set_schema_to_public()
    services.run(today=days_later(10))
    office = inbox("office@web.test")
    assert len(office) == 1
    assert "测试市交通运输局" in office[0].body and "测试市教育局" in office[0].body
    assert "测试市教育局" not in inbox("admin@jtj.test")[0].body


def test_supervise_json_shape(cluster):
    out = io.StringIO()
    call_command("supervise", "--site", "jtj", "--json", "--no-alarms", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["site"] == "jtj"
    assert isinstance(row["score"], (int, float)) and isinstance(row["vetoes"], list)
    assert row["findings"], "the fresh session site has empty columns"
    for finding in row["findings"]:
        assert {"rule", "message", "url"} <= set(finding)
        assert finding["rule"] in {
            "homepage_stale",
            "column_stale",
            "empty_column",
            "unanswered_message",
            "availability",
            "broken_link",
            "broken_attachment",
            "wording_error",
            "footer_missing",
        }
    assert DailyResult.objects.filter(tenant=cluster.sites["jtj"]).exists()


def test_supervise_prints_every_site(cluster):
    out = io.StringIO()
    call_command("supervise", "--no-alarms", verbosity=0, stdout=out)
    text = out.getvalue()
    assert "jtj" in text and "jyj" in text and "portal" in text and "分" in text


def test_trend_keeps_one_point_a_day(cluster):
    jtj = cluster.sites["jtj"]
    for offset in range(3):
        services.run("jtj", today=datetime.date(2026, 1, 1) + datetime.timedelta(days=offset), alarms=False)
    services.run("jtj", today=datetime.date(2026, 1, 1), alarms=False)
    assert DailyResult.objects.filter(tenant=jtj, day__year=2026, day__month=1, day__lte="2026-01-03").count() == 3
