"""Lockout that a guesser cannot turn against the owner, and one client address everywhere.

Each refusal is paired with the same request succeeding for whoever is entitled to it.
"""

import json
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import timezone

from cms.gunicorn_logging import JsonAccessLogger
from search import ratelimit
from sites import counters
from sites.client_ip import client_ip, client_ip_from_meta
from sites.lockout import current_lock, lock_end
from sites.models import AuditEvent, LoginFailure, Role

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"
OWNER = "203.0.113.5"
LOCKED = "账号已临时锁定"


def web_office(cluster):
    return cluster.users[(None, Role.WEB_OFFICE)]


def attempt(client, username, password, ip, host="jtj.localhost", **headers):
    """POST the admin login form; (signed in?, page text)."""
    response = client.post(
        "/admin/login/", {"username": username, "password": password}, HTTP_HOST=host, REMOTE_ADDR=ip, **headers
    )
    signed_in = "_auth_user_id" in client.session
    return signed_in, response.content.decode() if response.status_code == 200 else ""


def fail_until_locked(client, username, ip, settings, **headers):
    for _ in range(settings.CMS_LOGIN_MAX_FAILURES_PER_USER):
        signed_in, _text = attempt(client, username, "wrong-password", ip, **headers)
        assert not signed_in


def age_failures(username, seconds):
    """Move the failures of ``username`` ``seconds`` into the past (time passing, without sleeping)."""
    for failure in LoginFailure.objects.filter(username__iexact=username):
        LoginFailure.objects.filter(pk=failure.pk).update(created_at=failure.created_at - timedelta(seconds=seconds))


# --- item 6: lock the (user, IP) pair, not the account -------------------------------------------------


def test_owner_keeps_access_from_another_ip_after_an_attackers_failures(cluster, client, settings):
    owner = web_office(cluster)
    fail_until_locked(client, owner.username, ATTACKER, settings)
    # Refusal: from the attacker's address even the right password is refused ...
    signed_in, text = attempt(client, owner.username, cluster.password, ATTACKER)
    assert not signed_in and LOCKED in text
    # ... positive control: the owner, from their own address, signs in.
    signed_in, _text = attempt(client, owner.username, cluster.password, OWNER)
    assert signed_in
    assert client.get("/admin/", HTTP_HOST="jtj.localhost").status_code == 200


def test_the_lock_message_says_locked_and_for_how_many_minutes(cluster, client, settings):
    settings.CMS_LOGIN_LOCKOUT_SECONDS = 900
    user = cluster.user("jtj", Role.EDITOR)
    for _ in range(settings.CMS_LOGIN_MAX_FAILURES_PER_USER - 1):
        signed_in, text = attempt(client, user.username, "wrong-password", ATTACKER)
        assert not signed_in and LOCKED not in text  # an ordinary wrong password before the limit
    # The failure that sets the lock off says so at once.
    _signed_in, text = attempt(client, user.username, "wrong-password", ATTACKER)
    assert "账号已临时锁定，15 分钟后再试" in text
    # The owner's right password while locked is told the truth: locked, not "wrong password".
    _signed_in, text = attempt(client, user.username, cluster.password, ATTACKER)
    assert "账号已临时锁定，15 分钟后再试" in text
    age_failures(user.username, 5 * 60 + 30)
    _signed_in, text = attempt(client, user.username, cluster.password, ATTACKER)
    assert "账号已临时锁定，10 分钟后再试" in text
    assert AuditEvent.objects.filter(action="login_locked", target=user.username, ip_address=ATTACKER).count() == 2


def test_correct_attempts_while_locked_do_not_extend_the_lock(cluster, client, settings):
    user = cluster.user("jtj", Role.EDITOR)
    fail_until_locked(client, user.username, ATTACKER, settings)
    lock = current_lock(user.username, ATTACKER)
    failures = LoginFailure.objects.filter(username=user.username).count()
    for password in (cluster.password, cluster.password, "wrong-again"):
        signed_in, text = attempt(client, user.username, password, ATTACKER)
        assert not signed_in and LOCKED in text
    assert LoginFailure.objects.filter(username=user.username).count() == failures  # nothing recorded
    assert current_lock(user.username, ATTACKER).until == lock.until  # the end did not move
    # Positive control: once the original window has passed, the right password works from there.
    age_failures(user.username, settings.CMS_LOGIN_LOCKOUT_SECONDS + 1)
    assert current_lock(user.username, ATTACKER) is None
    signed_in, _text = attempt(client, user.username, cluster.password, ATTACKER)
    assert signed_in


def test_attempts_by_another_path_while_locked_do_not_extend_it(cluster, settings):
    user = cluster.user("jtj", Role.EDITOR)
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=ATTACKER)
    for _ in range(settings.CMS_LOGIN_MAX_FAILURES_PER_USER):
        assert authenticate(request, username=user.username, password="wrong") is None
    lock = current_lock(user.username, ATTACKER)
    assert lock is not None and lock.scope == "account"
    for _ in range(10):  # the backend refuses these and a failure row is written for each
        assert authenticate(request, username=user.username, password=cluster.password) is None
    assert current_lock(user.username, ATTACKER).until == lock.until
    # Positive control: the same call from another address authenticates.
    other = RequestFactory().post("/admin/login/", REMOTE_ADDR=OWNER)
    assert authenticate(other, username=user.username, password=cluster.password) == user


def test_lock_end_counts_from_the_failure_that_set_it_off():
    start = timezone.now()
    at = [start + timedelta(seconds=s) for s in (0, 10, 20, 30, 40)]
    assert lock_end(at[:4], 5, 900) is None
    assert lock_end(at, 5, 900) == at[4] + timedelta(seconds=900)
    during = at + [start + timedelta(seconds=s) for s in (100, 500, 939)]
    assert lock_end(during, 5, 900) == at[4] + timedelta(seconds=900)
    # Failures spread wider than the window never add up to a lock.
    assert lock_end([start + timedelta(seconds=1000 * n) for n in range(10)], 5, 900) is None
    # After the lock, counting starts afresh.
    after = during + [start + timedelta(seconds=941 + n) for n in range(5)]
    assert lock_end(after, 5, 900) == start + timedelta(seconds=945 + 900)


# --- item 6: the client address, trusted only from a configured proxy --------------------------------


def test_spoofed_x_real_ip_is_ignored_without_a_trusted_proxy(cluster, client, settings):
    settings.CMS_TRUSTED_PROXIES = []
    user = cluster.user("jtj", Role.EDITOR)
    for n in range(settings.CMS_LOGIN_MAX_FAILURES_PER_USER):
        # A direct client naming a fresh address each time would never be locked, and could
        # name the owner's address to lock them out: neither works.
        headers = {"HTTP_X_REAL_IP": f"10.77.0.{n + 1}", "HTTP_X_FORWARDED_FOR": OWNER}
        assert not attempt(client, user.username, "wrong-password", ATTACKER, **headers)[0]
    assert set(LoginFailure.objects.filter(username=user.username).values_list("ip_address", flat=True)) == {ATTACKER}
    event = AuditEvent.objects.filter(action="login_failed", target=user.username).latest("id")
    assert event.ip_address == ATTACKER
    assert current_lock(user.username, ATTACKER) is not None
    assert current_lock(user.username, OWNER) is None
    signed_in, _text = attempt(client, user.username, cluster.password, OWNER)
    assert signed_in


def test_x_real_ip_from_a_trusted_proxy_is_honoured(cluster, client, settings):
    settings.CMS_TRUSTED_PROXIES = ["127.0.0.1"]
    user = cluster.user("jtj", Role.EDITOR)
    fail_until_locked(client, user.username, "127.0.0.1", settings, HTTP_X_REAL_IP=ATTACKER)
    assert current_lock(user.username, ATTACKER) is not None
    assert current_lock(user.username, "127.0.0.1") is None
    event = AuditEvent.objects.filter(action="login_failed", target=user.username).latest("id")
    assert event.ip_address == ATTACKER
    # Through the same proxy, the attacker's address is locked and the owner's is not.
    assert LOCKED in attempt(client, user.username, cluster.password, "127.0.0.1", HTTP_X_REAL_IP=ATTACKER)[1]
    assert attempt(client, user.username, cluster.password, "127.0.0.1", HTTP_X_REAL_IP=OWNER)[0]


def meta(remote, **headers):
    return {"REMOTE_ADDR": remote, **{f"HTTP_{name.upper()}": value for name, value in headers.items()}}


@pytest.mark.parametrize(
    ("trusted", "environ", "expected"),
    [
        ([], meta(ATTACKER, x_real_ip=OWNER, x_forwarded_for=OWNER), ATTACKER),
        (["127.0.0.1"], meta(ATTACKER, x_real_ip=OWNER, x_forwarded_for=OWNER), ATTACKER),
        (["127.0.0.1"], meta("127.0.0.1", x_real_ip=OWNER), OWNER),
        # X-Forwarded-For is walked from the right: what the client wrote in front is not taken.
        (["127.0.0.1"], meta("127.0.0.1", x_forwarded_for=f"{OWNER}, {ATTACKER}", x_real_ip=ATTACKER), ATTACKER),
        (["127.0.0.1", "10.0.0.0/24"], meta("127.0.0.1", x_forwarded_for=f"6.6.6.6, {OWNER}, 10.0.0.5"), OWNER),
        (["127.0.0.1"], meta("127.0.0.1", x_forwarded_for="not-an-address"), "127.0.0.1"),
        (["127.0.0.1"], meta("::ffff:127.0.0.1", x_real_ip=OWNER), OWNER),
        (["::1"], meta("::1", x_forwarded_for="2001:db8::7"), "2001:db8::7"),
        (["127.0.0.1"], meta("127.0.0.1", x_real_ip="999.1.1.1"), "127.0.0.1"),
        (["unix"], meta("", x_real_ip=OWNER), OWNER),
        (["127.0.0.1"], meta("", x_real_ip=OWNER), None),
        ("127.0.0.1, 10.0.0.0/8", meta("10.1.2.3", x_real_ip=OWNER), OWNER),  # the environment's form
    ],
)
def test_client_ip_trusts_forwarded_headers_only_from_configured_proxies(settings, trusted, environ, expected):
    settings.CMS_TRUSTED_PROXIES = trusted
    assert client_ip_from_meta(environ) == expected
    assert client_ip(SimpleNamespace(META=environ)) == expected


def test_a_bad_trusted_proxy_entry_is_a_configuration_error(settings):
    settings.CMS_TRUSTED_PROXIES = ["nginx"]
    with pytest.raises(ImproperlyConfigured):
        client_ip_from_meta(meta("127.0.0.1"))


def test_search_rate_limit_counts_the_real_client(settings, monkeypatch):
    # One fixed minute of its own: the counts cannot straddle a window or meet another test's.
    monkeypatch.setattr(counters, "time", SimpleNamespace(time=lambda: 1_600_000_000.0))
    settings.CMS_TRUSTED_PROXIES = []
    factory = RequestFactory()
    spoofed = [factory.get("/api/search/", REMOTE_ADDR="198.51.100.77", HTTP_X_REAL_IP=f"10.8.0.{n}") for n in range(3)]
    assert [ratelimit.allow(request, limit=2)[0] for request in spoofed] == [True, True, False]
    # Positive control: behind a trusted proxy, three clients are three clients.
    settings.CMS_TRUSTED_PROXIES = ["127.0.0.1"]
    proxied = [factory.get("/api/search/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=f"10.8.1.{n}") for n in range(3)]
    assert [ratelimit.allow(request, limit=2)[0] for request in proxied] == [True, True, True]


def test_access_log_shows_the_same_client_address(settings, caplog):
    logger = JsonAccessLogger.__new__(JsonAccessLogger)  # no gunicorn configuration needed
    logger.access_log = logging.getLogger("test.access.ip")
    logger.cfg = SimpleNamespace(accesslog="-")
    response = SimpleNamespace(status="200 OK", status_code=200, sent=10)

    def logged_ip(environ):
        with caplog.at_level(logging.INFO, logger="test.access.ip"):
            JsonAccessLogger.access(logger, response, None, environ, timedelta(milliseconds=1))
        return json.loads(caplog.records[-1].getMessage())["ip"]

    settings.CMS_TRUSTED_PROXIES = []
    assert logged_ip(meta(ATTACKER, x_real_ip=OWNER)) == ATTACKER
    settings.CMS_TRUSTED_PROXIES = ["127.0.0.1"]
    assert logged_ip(meta("127.0.0.1", x_real_ip=OWNER)) == OWNER


def test_the_owners_login_elsewhere_does_not_lift_the_attackers_lock(cluster, client, settings):
    owner = web_office(cluster)
    fail_until_locked(client, owner.username, ATTACKER, settings)
    assert attempt(client, owner.username, cluster.password, OWNER)[0]  # the owner, from their own address
    client.logout()
    signed_in, text = attempt(client, owner.username, cluster.password, ATTACKER)
    assert not signed_in and LOCKED in text
