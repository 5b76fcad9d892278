"""Retention of the audit log (网络安全法 art. 21, 等保三级): an event younger than 180 days cannot be
removed by anything, not the ORM, not raw SQL, not the archive; the archive takes older ones only;
a retention shorter than 180 days is refused; events carry the outcome, client IP and user agent."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from sites import audit
from sites.audit_archive import archive, verify
from sites.models import AuditEvent, Outcome, audit_retention_days

pytestmark = pytest.mark.django_db


def event_aged(days, **fields):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days)):
        return AuditEvent.objects.create(action=fields.pop("action", "site_record_changed"), **fields)


def raw_delete(event_id, *, archiving=False):
    with transaction.atomic(), connection.cursor() as cursor:
        if archiving:
            cursor.execute("SET LOCAL cms.audit_archive = 'on'")
        cursor.execute("DELETE FROM sites_auditevent WHERE id = %s", [event_id])


def test_a_young_event_cannot_be_removed_by_anything(cluster):
    young = event_aged(179, target="young")
    with pytest.raises(PermissionError):
        young.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=young.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=young.pk).update(target="changed")
    with pytest.raises(DatabaseError, match="append-only"):
        raw_delete(young.pk)
    # Not even inside the archive's own switch: the database counts the days itself.
    with pytest.raises(DatabaseError, match="append-only"):
        raw_delete(young.pk, archiving=True)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE sites_auditevent SET target = 'x' WHERE id = %s", [young.pk])
    assert AuditEvent.objects.get(pk=young.pk).target == "young"


def test_an_old_event_is_removed_only_by_the_archive(cluster):
    old = event_aged(200, target="old")
    with pytest.raises(DatabaseError, match="append-only"):
        raw_delete(old.pk)  # outside archive_audit: refused even for an old event
    assert AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_archive_takes_the_old_events_only(cluster, tmp_path):
    old = [event_aged(400, target="old-1"), event_aged(181, target="old-2")]
    young = [event_aged(179, target="young-1"), AuditEvent.objects.create(action="login", target="today")]
    out = tmp_path / "audit.jsonl"
    call_command("archive_audit", out=str(out), verbosity=0)
    assert not AuditEvent.objects.filter(pk__in=[event.pk for event in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[event.pk for event in young]).count() == 2
    report = verify(out)
    assert report.ok and {event.pk for event in old} <= set(report.ids)
    assert not {event.pk for event in young} & set(report.ids)
    archived = AuditEvent.objects.filter(action="audit_archived").latest("id")
    assert archived.detail["rows"] == report.count and archived.target == "audit.jsonl"


def test_archive_before_a_day_inside_the_retention_period_is_refused(cluster, tmp_path):
    event_aged(100, target="kept")
    recent = timezone.localdate() - datetime.timedelta(days=30)
    with pytest.raises(CommandError, match="至少 180 天"):
        call_command("archive_audit", out=str(tmp_path / "a.jsonl"), before=recent.isoformat())
    assert AuditEvent.objects.filter(target="kept").exists()
    assert not (tmp_path / "a.jsonl").exists()


def test_archive_before_an_earlier_day_keeps_the_events_after_it(cluster, tmp_path):
    older, newer = event_aged(400, target="older"), event_aged(250, target="newer")
    day = timezone.localdate() - datetime.timedelta(days=300)
    result = archive(tmp_path / "b.jsonl", before=day)
    assert older.pk in verify(result.path).ids
    assert not AuditEvent.objects.filter(pk=older.pk).exists() and AuditEvent.objects.filter(pk=newer.pk).exists()


def test_an_existing_archive_file_is_never_overwritten(cluster, tmp_path):
    old = event_aged(300)
    out = tmp_path / "c.jsonl"
    out.write_text("keep me")
    with pytest.raises(CommandError, match="已存在"):
        call_command("archive_audit", out=str(out))
    assert out.read_text() == "keep me" and AuditEvent.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("days", [0, 30, 179])
def test_a_retention_shorter_than_180_days_is_refused(cluster, tmp_path, days):
    old = event_aged(200)
    with override_settings(CMS_AUDIT_RETENTION_DAYS=days):
        with pytest.raises(ImproperlyConfigured, match="180"):
            audit_retention_days()
        with pytest.raises(ImproperlyConfigured):
            archive(tmp_path / "d.jsonl")
    assert AuditEvent.objects.filter(pk=old.pk).exists()


def test_a_longer_retention_keeps_more(cluster, tmp_path):
    middle = event_aged(200)
    with override_settings(CMS_AUDIT_RETENTION_DAYS=365):
        archive(tmp_path / "e.jsonl")
    assert AuditEvent.objects.filter(pk=middle.pk).exists()


def test_events_carry_outcome_address_and_user_agent(cluster, settings):
    settings.CMS_TRUSTED_PROXIES = "10.0.0.1"
    request = RequestFactory().post(
        "/admin/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 测试"
    )
    ok = audit.record("login", request=request, target="a")
    failed = audit.record("login_failed", request=request, target="b")
    refused = audit.record("sso_ticket_refused", request=request, target="c")
    explicit = audit.record("role_granted", request=request, target="d", result=Outcome.DENIED)
    assert (ok.outcome, failed.outcome, refused.outcome, explicit.outcome) == ("success", "failure", "denied", "denied")
    assert ok.ip_address == "203.0.113.9" and ok.user_agent == "Mozilla/5.0 测试"
    # The caller's own "outcome" detail (how an application was answered) stays in the detail.
    answered = audit.record("interaction.application_answered", target="e", outcome="granted")
    assert answered.detail == {"outcome": "granted"} and answered.outcome == "success"


def test_a_forged_forwarded_header_from_an_untrusted_peer_is_ignored(cluster, settings):
    settings.CMS_TRUSTED_PROXIES = "10.0.0.1"
    forged = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_REAL_IP="1.2.3.5"
    )
    assert audit.record("login", request=forged).ip_address == "198.51.100.7"
    # From the trusted proxy, a value the client put in front of the list is not taken either.
    chained = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.8")
    assert audit.record("login", request=chained).ip_address == "198.51.100.8"
    settings.CMS_TRUSTED_PROXIES = ""
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert audit.record("login", request=direct).ip_address == "198.51.100.9"
