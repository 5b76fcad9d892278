"""安全管理员 resets a lost second factor: confirmation and reason, audited, sessions ended, enrolment
again at next login; refused for anybody else, for one's own account and for administrators' accounts
(those only with ``manage.py reset_second_factor``). Abandoned enrolments are pruned after a day."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.models import AuditEvent, Role
from sites.policy import mfa
from sites.policy.models import RecoveryCode

from .policy_helpers import enrolled, site_client

pytestmark = pytest.mark.django_db

URL = "/admin/security/second-factor/"
REASON = "手机丢失，已电话核实本人身份"


def _with_factor(user):
    device = enrolled(user)
    mfa.new_recovery_codes(user)
    return device


def _as(user):
    client = site_client()
    client.force_login(user)
    return client


def _sessions_of(user):
    return sum(
        1
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def _factor_kept(user):
    return TOTPDevice.objects.filter(user=user).exists() and RecoveryCode.objects.filter(user=user).exists()


def test_the_security_admin_resets_an_editors_factor_after_confirming(cluster):
    security = cluster.user(None, Role.SECURITY_ADMIN)
    editor = cluster.user("jtj", Role.EDITOR)
    _with_factor(editor)
    editors_session = _as(editor)
    assert editors_session.get("/admin/").status_code == 200
    client = _as(security)
    page = client.get(URL)
    assert page.status_code == 200 and "重置用户的双因素验证" in page.content.decode()

    # First step: who and why; nothing changes yet, the confirmation names the person.
    asked = client.post(URL, {"username": editor.username, "reason": REASON})
    body = asked.content.decode()
    assert asked.status_code == 200 and 'id="reset-confirm"' in body and editor.username in body
    assert "10 个" in body and REASON in body
    assert _factor_kept(editor)

    # Every live session of the editor ends: this client's, and any an earlier test left committed.
    live = _sessions_of(editor)
    assert live >= 1
    done = client.post(URL, {"username": editor.username, "reason": REASON, "confirm": "yes"})
    assert done.status_code == 302
    assert _sessions_of(editor) == 0
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not RecoveryCode.objects.filter(user=editor).exists()
    event = AuditEvent.objects.get(action="mfa_reset", target=editor.username)
    assert event.actor == security and event.detail["reason"] == REASON and event.detail["via"] == "screen"
    assert event.detail["sessions"] == live
    # The editor's session ended with the factor; the next login asks to enrol again.
    assert editors_session.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_next_login_after_a_reset_goes_to_enrolment(cluster, settings):
    from .policy_helpers import login_password

    admin = cluster.user("jtj", Role.SITE_ADMIN)
    _with_factor(admin)
    _as(cluster.user(None, Role.SECURITY_ADMIN)).post(
        URL, {"username": admin.username, "reason": REASON, "confirm": "yes"}
    )
    assert not _factor_kept(admin)
    settings.CMS_MFA_ENFORCED = True
    client = site_client()
    answer = login_password(client, admin, cluster.password)
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    assert answer["Location"] == "/admin/login/mfa/"
    assert client.get("/admin/login/mfa/")["Location"].startswith("/admin/login/mfa/enrol/")


@pytest.mark.parametrize("role", [Role.WEB_OFFICE, Role.AUDIT_ADMIN])
def test_no_one_but_the_security_admin_opens_the_screen(cluster, role):
    editor = cluster.user("jtj", Role.EDITOR)
    _with_factor(editor)
    client = _as(cluster.user(None, role))
    client.post(URL, {"username": editor.username, "reason": REASON, "confirm": "yes"})
    assert _factor_kept(editor)
    assert client.get(URL).status_code in (302, 403)


@pytest.mark.parametrize("code,role", [("jtj", Role.SITE_ADMIN), ("jtj", Role.EDITOR)])
def test_a_site_role_does_not_open_the_screen(cluster, code, role):
    other = cluster.user("jyj", Role.EDITOR)
    _with_factor(other)
    client = _as(cluster.user(code, role))
    answer = client.post(URL, {"username": other.username, "reason": REASON, "confirm": "yes"})
    assert answer.status_code in (302, 403)
    assert _factor_kept(other)
    assert AuditEvent.objects.filter(action="mfa_reset_refused", actor=cluster.user(code, role)).exists()


def _refused(client, user, message):
    answer = client.post(URL, {"username": user.username, "reason": REASON, "confirm": "yes"})
    assert answer.status_code == 200 and message in answer.content.decode()
    assert _factor_kept(user)
    assert AuditEvent.objects.filter(action="mfa_reset_refused", target=user.username).exists()


def test_the_security_admin_may_not_reset_their_own(cluster):
    security = cluster.user(None, Role.SECURITY_ADMIN)
    _with_factor(security)
    _refused(_as(security), security, "不能重置自己的双因素验证")


@pytest.mark.parametrize("role", [Role.WEB_OFFICE, Role.AUDIT_ADMIN])
def test_an_administrators_factor_is_not_reset_on_the_screen(cluster, role):
    """The takeover path: reset the system administrator's factor, then sign in with a known password."""
    target = cluster.user(None, role)
    _with_factor(target)
    _refused(_as(cluster.user(None, Role.SECURITY_ADMIN)), target, "只能在服务器上用命令行")


def test_a_citys_web_office_and_a_superuser_are_refused_too(cluster):
    from sites.scope import grant_portal_web_office

    city = cluster.user("jyj", Role.REVIEWER)
    grant_portal_web_office(city, cluster.sites["portal"])
    _with_factor(city)
    security = _as(cluster.user(None, Role.SECURITY_ADMIN))
    _refused(security, city, "只能在服务器上用命令行")
    boss = get_user_model().objects.create(username="breakglass-x", is_superuser=True)
    _with_factor(boss)
    _refused(security, boss, "只能在服务器上用命令行")


def test_a_reason_and_a_known_user_are_required(cluster):
    editor = cluster.user("jtj", Role.EDITOR)
    _with_factor(editor)
    client = _as(cluster.user(None, Role.SECURITY_ADMIN))
    blank = client.post(URL, {"username": editor.username, "reason": "   ", "confirm": "yes"})
    assert blank.status_code == 200 and _factor_kept(editor)
    unknown = client.post(URL, {"username": "nobody-at-all", "reason": REASON, "confirm": "yes"})
    assert "不存在" in unknown.content.decode()


def test_a_get_changes_nothing_and_the_post_needs_csrf(cluster):
    from django.test import Client

    editor = cluster.user("jtj", Role.EDITOR)
    _with_factor(editor)
    client = Client(HTTP_HOST="jtj.localhost", enforce_csrf_checks=True)
    client.force_login(cluster.user(None, Role.SECURITY_ADMIN))
    client.get(URL, {"username": editor.username, "reason": REASON, "confirm": "yes"})
    assert client.post(URL, {"username": editor.username, "reason": REASON, "confirm": "yes"}).status_code == 403
    assert _factor_kept(editor)


def test_the_command_resets_an_administrator_and_is_audited(cluster):
    target = cluster.user(None, Role.WEB_OFFICE)
    _with_factor(target)
    call_command("reset_second_factor", "--user", target.username, "--reason", "手机丢失，当面核实")
    assert not _factor_kept(target)
    event = AuditEvent.objects.get(action="mfa_reset", target=target.username)
    assert event.actor is None and event.detail["via"] == "command" and event.detail["reason"] == "手机丢失，当面核实"


def test_the_command_refuses_a_blank_reason_or_an_unknown_user(cluster):
    target = cluster.user(None, Role.WEB_OFFICE)
    _with_factor(target)
    with pytest.raises(CommandError, match="重置原因"):
        call_command("reset_second_factor", "--user", target.username, "--reason", " ")
    with pytest.raises(CommandError, match="不存在"):
        call_command("reset_second_factor", "--user", "nobody-at-all", "--reason", "x")
    assert _factor_kept(target)


# --- abandoned enrolments ------------------------------------------------------------------------


def _unconfirmed(user, age):
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    TOTPDevice.objects.filter(pk=device.pk).update(created_at=timezone.now() - age)
    return device


def test_a_new_enrolment_removes_the_users_abandoned_device(cluster):
    user = cluster.user("jtj", Role.EDITOR)
    old = _unconfirmed(user, timedelta(days=2))
    fresh_elsewhere = _unconfirmed(cluster.user("jyj", Role.EDITOR), timedelta(days=2))
    device = mfa.pending_device(user)
    assert device.pk != old.pk and not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.filter(pk=fresh_elsewhere.pk).exists()  # only this user's, at enrolment


def test_an_enrolment_in_progress_keeps_its_device(cluster):
    user = cluster.user("jtj", Role.EDITOR)
    recent = _unconfirmed(user, timedelta(hours=2))
    assert mfa.pending_device(user).pk == recent.pk


def test_the_daily_command_prunes_abandoned_devices_only(cluster, capsys):
    user, other = cluster.user("jtj", Role.EDITOR), cluster.user("jyj", Role.EDITOR)
    old = _unconfirmed(user, timedelta(days=3))
    no_date = _unconfirmed(other, timedelta(days=3))
    TOTPDevice.objects.filter(pk=no_date.pk).update(created_at=None)
    recent = _unconfirmed(cluster.user("jyj", Role.REVIEWER), timedelta(hours=1))
    confirmed = enrolled(cluster.user("jtj", Role.REVIEWER))
    TOTPDevice.objects.filter(pk=confirmed.pk).update(created_at=timezone.now() - timedelta(days=30))
    call_command("prune_totp_devices")
    assert "已删除 2 个" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(pk__in=[old.pk, no_date.pk]).exists()
    assert TOTPDevice.objects.filter(pk__in=[recent.pk, confirmed.pk]).count() == 2
