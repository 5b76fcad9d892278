"""What a stranger can make the audit log write is capped; the log (kept 180 days) cannot be flooded.

The caps count per minute in the shared cache: each test uses a minute of its own (the counters'
clock is fixed) and addresses and actions no other test uses.
"""

import uuid
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from sites import audit, counters
from sites.models import AuditEvent

from .test_lockout import attempt

pytestmark = pytest.mark.django_db


def _address():
    """A documentation address (198.51.100.0/24 or 203.0.113.0/24) this run has not used yet."""
    number = uuid.uuid4().int
    return f"{('198.51.100', '203.0.113')[number % 2]}.{number % 254 + 1}"


def _request(address, **extra):
    return RequestFactory().post("/oidc/backchannel-logout/", REMOTE_ADDR=address, **extra)


@pytest.fixture
def caps(settings, monkeypatch):
    settings.CMS_AUDIT_ANONYMOUS_PER_ADDRESS = 5
    settings.CMS_AUDIT_ANONYMOUS_PER_WINDOW = 50
    minute = 1_650_000_000 + uuid.uuid4().int % 10**6 * 60  # a window no test shares
    monkeypatch.setattr(counters, "time", SimpleNamespace(time=lambda: minute + 1.5))
    return settings


def test_one_address_writes_its_cap_then_one_notice_then_nothing(cluster, caps):
    action = f"oidc_backchannel_logout_refused_{uuid.uuid4().hex[:6]}"
    flooder, other = _address(), _address()
    written = [audit.record(action, request=_request(flooder), target="x", reason="bad") for _ in range(12)]
    assert all(event is not None for event in written[:5]) and written[5] is not None
    assert written[6:] == [None] * 6
    assert AuditEvent.objects.filter(action=action).count() == 5
    notice = AuditEvent.objects.get(action="audit_flood_suppressed", target=action)
    assert notice.outcome == "denied" and notice.ip_address == flooder
    assert notice.detail == {"scope": "address", "limit": 5, "window_seconds": 60}
    # Another address is not silenced by the flood (positive control).
    assert audit.record(action, request=_request(other), target="x").action == action


def test_many_addresses_together_meet_the_cap_for_all(cluster, caps):
    caps.CMS_AUDIT_ANONYMOUS_PER_WINDOW = 8
    action = f"login_failed_{uuid.uuid4().hex[:6]}"
    for _ in range(20):  # each address under its own cap
        audit.record(action, request=_request(_address()), target="someone")
    assert AuditEvent.objects.filter(action=action).count() == 8
    notice = AuditEvent.objects.get(action="audit_flood_suppressed", target=action)
    assert notice.detail["scope"] == "all" and notice.detail["limit"] == 8


def test_signed_in_users_and_commands_are_never_capped(cluster, caps):
    editor = cluster.user("jtj", "editor")
    address = _address()
    action = f"page_published_{uuid.uuid4().hex[:6]}"
    for _ in range(10):
        audit.record(action, actor=editor, request=_request(address), target="p")
        audit.record(action, target="by a command")  # no request: a management command
    assert AuditEvent.objects.filter(action=action).count() == 20
    assert not AuditEvent.objects.filter(action="audit_flood_suppressed", target=action).exists()


def test_failed_logins_from_one_address_through_the_login_form(cluster, client, caps):
    caps.CMS_AUDIT_ANONYMOUS_PER_ADDRESS = 3
    flooder, owner_address = _address(), _address()
    names = [f"nobody-{uuid.uuid4().hex[:8]}" for _ in range(6)]
    for name in names:
        signed_in, _ = attempt(client, name, "wrong-password", flooder)
        assert not signed_in
    logged = AuditEvent.objects.filter(action="login_failed", ip_address=flooder)
    assert sorted(logged.values_list("target", flat=True)) == sorted(names[:3])
    assert AuditEvent.objects.filter(action="audit_flood_suppressed", ip_address=flooder).count() == 1
    # The real person's failed login, from their own address, is still on record.
    attempt(client, "owner-typo", "wrong-password", owner_address)
    assert AuditEvent.objects.filter(action="login_failed", ip_address=owner_address, target="owner-typo").exists()


def test_an_ipv6_subscriber_is_one_address_whatever_its_host_part(cluster, caps):
    action = f"login_failed_{uuid.uuid4().hex[:6]}"
    network = f"2001:db8:{uuid.uuid4().int % 65536:x}:{uuid.uuid4().int % 65536:x}"
    for host in range(12):  # twelve addresses of one /64
        audit.record(action, request=_request(f"{network}::{host + 1:x}"), target="x")
    assert AuditEvent.objects.filter(action=action).count() == 5
    assert AuditEvent.objects.filter(action="audit_flood_suppressed", target=action).count() == 1


def test_the_notices_of_many_addresses_count_against_the_total(cluster, caps):
    caps.CMS_AUDIT_ANONYMOUS_PER_WINDOW = 50
    action = f"sso_ticket_refused_{uuid.uuid4().hex[:6]}"
    addresses = [_address() for _ in range(40)]
    for address in addresses:
        for _ in range(7):  # each address past its own cap of 5
            audit.record(action, request=_request(address), target="x")
    written = AuditEvent.objects.filter(ip_address__in=addresses)
    assert written.count() == 51  # the total, and one notice that it was reached
    assert written.filter(action="audit_flood_suppressed", detail__scope="all").count() == 1


def test_a_persons_login_steps_are_capped_per_person(cluster, caps):
    """A role-less account the identity service made can loop logins; each still costs a row only so often."""
    person = cluster.user("jtj", "editor")
    for _ in range(9):
        audit.record("cas_login", actor=person, request=_request(_address()), target=person.get_username())
    rows = AuditEvent.objects.filter(actor=person)
    assert rows.filter(action="cas_login").count() == 5
    assert rows.filter(action="audit_flood_suppressed", detail__scope="person").count() == 1
    # What the person does once signed in is never capped.
    for _ in range(9):
        audit.record("page_published", actor=person, request=_request(_address()), target="p")
    assert rows.filter(action="page_published").count() == 9
