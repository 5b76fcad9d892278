"""Two-factor login (等保三级): enrolment with a QR code, codes once only, recovery codes once,
throttled wrong codes, enrolment before any admin screen, and the sign-on carrying the verified
state without letting a ticket skip the second factor."""

import base64
import re
import secrets
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.models import AuditEvent, Role
from sites.policy.login_flow import PENDING_KEY, VERIFIED_KEY, complete_login
from sites.policy.mfa import requires_second_factor
from sites.policy.models import RecoveryCode
from sites.sso import binding_of, issue_ticket, redeem_ticket
from tests.factories import UserFactory

from .policy_helpers import code_for, enrolled, login_password, signed_in_user_id, site_client

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, 10, tzinfo=UTC)  # 10 s into a 30 s time step


@pytest.fixture(autouse=True)
def _mfa_on(settings):
    settings.CMS_MFA_ENFORCED = True


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def site_admin(cluster):
    return cluster.user("jtj", Role.SITE_ADMIN)


def test_who_must_use_a_second_factor(cluster, settings):
    assert requires_second_factor(site_admin(cluster))
    assert requires_second_factor(cluster.users[(None, Role.WEB_OFFICE)])
    assert not requires_second_factor(cluster.user("jtj", Role.EDITOR))
    settings.CMS_MFA_REQUIRED_ROLES = ["cluster", "editor"]
    assert requires_second_factor(cluster.user("jyj", Role.EDITOR))
    assert not requires_second_factor(site_admin(cluster))
    settings.CMS_MFA_ENFORCED = False
    assert not requires_second_factor(cluster.users[(None, Role.WEB_OFFICE)])


def test_enrolment_with_a_qr_code_then_ten_recovery_codes_shown_once(cluster, clock):
    user = site_admin(cluster)
    client = site_client()
    answer = login_password(client, user, cluster.password)
    assert answer["Location"] == "/admin/login/mfa/"
    assert signed_in_user_id(client) is None  # the password alone signs nobody in
    assert client.get("/admin/").status_code == 302 and signed_in_user_id(client) is None
    assert client.get("/admin/login/mfa/")["Location"].startswith("/admin/login/mfa/enrol/")
    page = client.get("/admin/login/mfa/enrol/").content.decode()
    assert "<svg" in page and "otpauth" not in page  # the QR code is drawn here, the URL not spelled out
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    assert secret.encode() in base64.b32encode(device.bin_key)
    assert (
        client.post(
            "/admin/login/mfa/enrol/", {"code": "000000" if code_for(device) != "000000" else "111111"}
        ).status_code
        == 200
    )
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    clock.shift(2)  # past the throttle of the wrong code
    done = client.post("/admin/login/mfa/enrol/", {"code": code_for(device)})
    assert done["Location"] == "http://jtj.localhost/admin/login/mfa/recovery-codes/"
    assert signed_in_user_id(client) == str(user.pk) and client.session[VERIFIED_KEY] is True
    shown = client.get("/admin/login/mfa/recovery-codes/").content.decode()
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    rows = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(rows) == 10 and all(identify_hasher(row) for row in rows)
    assert not any(code.replace("-", "") in row for code in codes for row in rows)
    again = client.get("/admin/login/mfa/recovery-codes/")
    assert again.status_code == 302 and codes[0] not in again.content.decode()  # shown once
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="mfa_enrolled", target=user.username).exists()
    assert AuditEvent.objects.filter(action="mfa_code_failed", target=user.username).exists()


def test_login_with_a_code_and_a_wrong_or_reused_code_refused(cluster, clock):
    user = site_admin(cluster)
    device = enrolled(user)
    client = site_client()
    login_password(client, user, cluster.password, next="/admin/pages/")
    wrong = client.post("/admin/login/mfa/", {"code": code_for(device, offset=5)})
    assert wrong.status_code == 200 and "验证码错误或已使用" in wrong.content.decode()
    assert signed_in_user_id(client) is None
    clock.shift(2)
    code = code_for(device)
    right = client.post("/admin/login/mfa/", {"code": code})
    assert right["Location"] == "http://jtj.localhost/admin/pages/"
    assert signed_in_user_id(client) == str(user.pk) and client.session[VERIFIED_KEY] is True
    assert PENDING_KEY not in client.session
    # The same code again, in the same time step, from another browser that knows the password.
    other = site_client()
    login_password(other, user, cluster.password)
    reused = other.post("/admin/login/mfa/", {"code": code})
    assert reused.status_code == 200 and signed_in_user_id(other) is None
    clock.shift(30)  # the next time step: a new code
    clock.shift(2)
    assert other.post("/admin/login/mfa/", {"code": code_for(device)}).status_code == 302
    assert signed_in_user_id(other) == str(user.pk)
    failed = AuditEvent.objects.filter(action="mfa_code_failed", target=user.username)
    assert failed.count() == 2


def test_a_recovery_code_works_once(cluster, clock):
    user = site_admin(cluster)
    enrolled(user)
    from sites.policy.mfa import new_recovery_codes

    codes = new_recovery_codes(user)
    client = site_client()
    login_password(client, user, cluster.password)
    assert client.post("/admin/login/mfa/", {"code": codes[3].upper()})["Location"] == "http://jtj.localhost/admin/"
    assert signed_in_user_id(client) == str(user.pk)
    event = AuditEvent.objects.get(action="mfa_recovery_used", target=user.username)
    assert event.detail["left"] == 9
    other = site_client()
    login_password(other, user, cluster.password)
    clock.shift(2)
    refused = other.post("/admin/login/mfa/", {"code": codes[3]})
    assert refused.status_code == 200 and "恢复码无效或已使用" in refused.content.decode()
    assert signed_in_user_id(other) is None


def test_wrong_codes_are_throttled_then_locked(cluster, clock, settings):
    settings.CMS_MFA_MAX_FAILURES = 4
    user = site_admin(cluster)
    device = enrolled(user)
    client = site_client()
    login_password(client, user, cluster.password)
    bad = code_for(device, offset=7)
    client.post("/admin/login/mfa/", {"code": bad})
    # Within the throttle's delay even the right code is refused (and says to wait).
    early = client.post("/admin/login/mfa/", {"code": code_for(device)})
    assert "秒后再试" in early.content.decode() and signed_in_user_id(client) is None
    for _ in range(3):
        clock.shift(20)
        client.post("/admin/login/mfa/", {"code": bad})
    clock.shift(60)
    locked = client.post("/admin/login/mfa/", {"code": code_for(device)})
    assert "已临时锁定" in locked.content.decode() and signed_in_user_id(client) is None
    # A new browser (a new pending login) does not reset the lock: it lives on the device.
    fresh = site_client()
    login_password(fresh, user, cluster.password)
    assert "已临时锁定" in fresh.post("/admin/login/mfa/", {"code": code_for(device)}).content.decode()
    clock.shift(settings.CMS_LOGIN_LOCKOUT_SECONDS)
    login_password(fresh, user, cluster.password)
    assert fresh.post("/admin/login/mfa/", {"code": code_for(device)}).status_code == 302
    assert signed_in_user_id(fresh) == str(user.pk)


def test_the_pending_login_is_short_lived(cluster, clock, settings):
    user = site_admin(cluster)
    device = enrolled(user)
    client = site_client()
    login_password(client, user, cluster.password)
    clock.shift(settings.CMS_MFA_PENDING_SECONDS + 1)
    late = client.post("/admin/login/mfa/", {"code": code_for(device)})
    assert late["Location"] == "/admin/login/" and signed_in_user_id(client) is None


def test_a_user_without_a_second_factor_is_sent_to_enrolment_not_locked_out(cluster):
    user = site_admin(cluster)
    client = site_client()
    client.force_login(user)  # a session from before the rule, or signed in by other means
    assert client.get("/admin/pages/")["Location"].startswith("/admin/login/mfa/enrol/")
    assert client.get("/admin/login/password/")["Location"] == "/admin/login/mfa/"
    enrolled(user)
    assert client.get("/admin/")["Location"].startswith("/admin/login/mfa/?next=")
    editor = site_client()
    editor.force_login(cluster.user("jtj", Role.EDITOR))
    assert editor.get("/admin/").status_code == 200  # no second factor asked of an editor


def test_an_identity_provider_asserting_a_second_factor_skips_ours(cluster):
    request = RequestFactory().get("/oidc/callback/", HTTP_HOST="jtj.localhost")
    SessionMiddleware(lambda r: None).process_request(request)
    user = site_admin(cluster)
    backend = "sites.auth.SiteScopedBackend"
    assert complete_login(request, user, backend=backend, mfa_asserted=True) is None
    assert request.session["_auth_user_id"] == str(user.pk) and request.session[VERIFIED_KEY] is True
    other = RequestFactory().get("/oidc/callback/", HTTP_HOST="jtj.localhost")
    SessionMiddleware(lambda r: None).process_request(other)
    answer = complete_login(other, user, backend=backend)
    assert answer["Location"] == "/admin/login/mfa/" and "_auth_user_id" not in other.session
    plain = UserFactory(username="mfa_no_role")
    third = RequestFactory().get("/", HTTP_HOST="jtj.localhost")
    SessionMiddleware(lambda r: None).process_request(third)
    assert complete_login(third, plain, backend=backend) is None
    assert third.session["_auth_user_id"] == str(plain.pk) and third.session[VERIFIED_KEY] is False


# --- the sign-on across hosts ---------------------------------------------------------------------


def test_a_ticket_for_a_session_before_its_second_factor_is_worthless(cluster):
    user = site_admin(cluster)
    enrolled(user)
    client = site_client()
    login_password(client, user, cluster.password)
    pending_key = client.session.session_key
    assert pending_key and PENDING_KEY in client.session
    # The hub issues no ticket for it (nobody is signed in) ...
    hub = site_client("cluster.localhost")
    hub.cookies["cms_session"] = pending_key
    answer = hub.get("/sso/check/", {"next": "http://jyj.localhost/admin/", "bind": binding_of("x" * 43)})
    assert "ticket=" not in answer["Location"]
    # ... and one made by hand for it is refused when redeemed.
    nonce = secrets.token_urlsafe(32)
    ticket = issue_ticket(pending_key, "jyj.localhost", binding_of(nonce))
    assert redeem_ticket(ticket, "jyj.localhost", nonce) is None


def test_a_ticket_for_a_signed_in_but_unverified_session_carries_no_second_factor(cluster):
    user = site_admin(cluster)
    enrolled(user)
    client = site_client()
    client.force_login(user)  # signed in, second factor not given
    nonce = secrets.token_urlsafe(32)
    ticket = issue_ticket(client.session.session_key, "jyj.localhost", binding_of(nonce))
    key = redeem_ticket(ticket, "jyj.localhost", nonce)
    other = site_client("jyj.localhost")
    other.cookies["cms_session"] = key
    assert other.get("/admin/")["Location"].startswith("/admin/login/mfa/")
    # The hub treats the unverified session as nobody: it hands out no ticket for it.
    hub = site_client("cluster.localhost")
    hub.cookies["cms_session"] = key
    answer = hub.get("/sso/check/", {"next": "http://jyj.localhost/admin/", "bind": binding_of(nonce)})
    assert "ticket=" not in answer["Location"]


def test_a_session_verified_on_one_host_is_verified_on_every_host(cluster, clock):
    from .test_sso import Browser, hub, hub_answer

    user = cluster.users[(None, Role.WEB_OFFICE)]
    device = enrolled(user)
    browser = Browser()
    form = browser.follow(browser.follow(hub_answer(browser, "jtj.localhost", "/admin/login/")))
    assert form.status_code == 200
    step = browser.post("/admin/login/", "jtj.localhost", {"username": user.username, "password": cluster.password})
    assert step["Location"] == "/admin/login/mfa/"
    assert browser.cookie(hub(), "cms_session") is None  # nothing passed to the hub yet
    verified = browser.post("/admin/login/mfa/", "jtj.localhost", {"code": code_for(device)})
    assert verified["Location"].startswith(f"http://{hub()}/sso/adopt/")
    browser.follow(verified)
    assert browser.cookie(hub(), "cms_session") == browser.cookie("jtj.localhost", "cms_session")
    browser.follow(hub_answer(browser, "jyj.localhost"))
    assert browser.cookie("jyj.localhost", "cms_session") == browser.cookie(hub(), "cms_session")
    assert browser.get("/admin/", "jyj.localhost").status_code == 200  # no second code on jyj
