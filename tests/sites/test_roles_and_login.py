"""Roles (command line and the 站点成员 screen), login lockout, the audit log and user deactivation."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from sites.auth import is_locked_out
from sites.models import AuditEvent, LoginFailure, Role
from sites.roles import RoleError, grant_role, revoke_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG_PASSWORD = "Jiaotong-Bianji-2026!"


def site_roles_of(user, code):
    return set(
        Group.objects.filter(user=user, site_binding__tenant__code=code).values_list("site_binding__role", flat=True)
    )


# --- grant_role / revoke_role commands ---------------------------------------------------------


def test_grant_role_creates_a_user_with_a_validated_password(cluster, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG_PASSWORD + "\n"))
    call_command(
        "grant_role", "--user", "zhang_san", "--site", "jtj", "--role", "编辑", "--create", "--name", "张三",
        "--password-stdin", stdout=io.StringIO(),
    )  # fmt: skip
    user = User.objects.get(username="zhang_san")
    assert user.full_name == "张三"
    assert user.check_password(STRONG_PASSWORD)
    assert site_roles_of(user, "jtj") == {Role.EDITOR}
    assert site_roles_of(user, "jyj") == set()
    event = AuditEvent.objects.get(action="role_granted", target="zhang_san")
    assert event.tenant_code == "jtj" and event.detail["role"] == Role.EDITOR


@pytest.mark.parametrize("password", ["12345678", "password123", "zhang_san_2026"])
def test_grant_role_refuses_a_weak_password_and_creates_nobody(cluster, monkeypatch, password):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError):
        call_command(
            "grant_role", "--user", "zhang_san", "--site", "jtj", "--role", "编辑", "--create",
            "--password-stdin", stdout=io.StringIO(),
        )  # fmt: skip
    assert not User.objects.filter(username="zhang_san").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "jtj_editor", "--site", "nosuch", "--role", "编辑"], "站点“nosuch”不存在"),
        (["--user", "nobody", "--site", "jtj", "--role", "编辑"], "用户“nobody”不存在"),
        (["--user", "jtj_editor", "--site", "jtj", "--role", "局长"], "局长"),
        (["--user", "jtj_editor", "--site", "jtj", "--role", "网站办"], "只能绑定到门户网站"),
        (["--user", "jtj_editor", "--role", "编辑"], "必须指定站点"),
        (["--user", "jtj_editor", "--site", "site_template", "--role", "编辑"], "不存在"),
    ],
)
def test_grant_role_bad_input_gives_a_clear_message(cluster, args, message):
    before = set(Group.objects.filter(user__username="jtj_editor").values_list("pk", flat=True))
    with pytest.raises(CommandError, match=message):
        call_command("grant_role", *args, stdout=io.StringIO())
    assert set(Group.objects.filter(user__username="jtj_editor").values_list("pk", flat=True)) == before


def test_revoke_role_command_and_its_errors(cluster):
    user = cluster.user("jtj", Role.REVIEWER)
    call_command("revoke_role", "--user", user.username, "--site", "jtj", "--role", "审核员", stdout=io.StringIO())
    assert site_roles_of(user, "jtj") == set()
    assert AuditEvent.objects.filter(action="role_revoked", target=user.username, tenant_code="jtj").exists()
    with pytest.raises(CommandError, match="用户“ghost”不存在"):
        call_command("revoke_role", "--user", "ghost", "--site", "jtj", "--role", "编辑")
    with pytest.raises(CommandError, match="站点“nosuch”不存在"):
        call_command("revoke_role", "--user", user.username, "--site", "nosuch", "--role", "编辑")


def test_web_office_role_is_cluster_wide(cluster, client):
    user = UserFactory(username="wangwu")
    call_command("grant_role", "--user", "wangwu", "--role", "网站办", stdout=io.StringIO())
    user.refresh_from_db()
    # 三员分立: the web office is the system administrator, a cluster-wide role and no superuser.
    assert not user.is_superuser and user.groups.filter(site_binding__role=Role.WEB_OFFICE).exists()
    client.force_login(user)
    assert all(client.get("/admin/", HTTP_HOST=f"{code}.localhost").status_code == 200 for code in cluster.sites)
    call_command("revoke_role", "--user", "wangwu", "--role", "网站办", stdout=io.StringIO())
    user.refresh_from_db()
    assert not user.is_superuser and not user.groups.exists()
    assert client.get("/admin/", HTTP_HOST="jtj.localhost").status_code == 302


def test_only_the_web_office_grants_the_web_office_role(cluster):
    site_admin = cluster.user("jtj", Role.SITE_ADMIN)
    target = UserFactory(username="lisi")
    with pytest.raises(RoleError, match="只有安全管理员"):
        grant_role(target, Role.WEB_OFFICE, actor=site_admin)
    with pytest.raises(RoleError, match="只有安全管理员"):  # 三员分立: not the system administrator either
        grant_role(target, Role.WEB_OFFICE, actor=cluster.user(None, Role.WEB_OFFICE))
    with pytest.raises(RoleError, match="无权管理"):
        grant_role(target, Role.EDITOR, cluster.sites["jyj"], actor=site_admin)
    grant_role(target, Role.EDITOR, cluster.sites["jtj"], actor=site_admin)
    assert site_roles_of(target, "jtj") == {Role.EDITOR}
    with pytest.raises(RoleError, match="不能撤销自己"):
        revoke_role(site_admin, Role.SITE_ADMIN, cluster.sites["jtj"], actor=site_admin)


def test_one_person_with_different_roles_on_two_sites(cluster, client):
    from wagtail.models import Site

    user = UserFactory(username="zhaoliu")
    grant_role(user, Role.EDITOR, cluster.sites["jtj"])
    grant_role(user, Role.REVIEWER, cluster.sites["jyj"])
    client.force_login(user)
    assert client.get("/admin/", HTTP_HOST="jtj.localhost").status_code == 200
    assert client.get("/admin/", HTTP_HOST="jyj.localhost").status_code == 200
    assert client.get("/admin/images/", HTTP_HOST="jtj.localhost").status_code == 200  # editor uploads
    assert client.get("/admin/images/", HTTP_HOST="jyj.localhost").status_code == 302  # reviewer only chooses
    # One process, one user object, both sites (commands, workers, cross-site features): what the
    # person may do follows the schema, not whichever site was asked first.
    user = User.objects.get(pk=user.pk)
    for _round in range(2):
        with schema_context("jtj"):
            home = Site.objects.get(is_default_site=True).root_page
            assert home.permissions_for_user(user).can_add_subpage()
        with schema_context("jyj"):
            home = Site.objects.get(is_default_site=True).root_page
            perms = home.permissions_for_user(user)
            assert perms.can_edit() and not perms.can_add_subpage()
            assert not user.has_perm("wagtailsettings.change_sitesetting")


# --- Login, lockout and the audit log ----------------------------------------------------------


def login(client, username, password, host="jtj.localhost", ip="10.1.1.1"):
    client.post("/admin/login/", {"username": username, "password": password}, HTTP_HOST=host, REMOTE_ADDR=ip)
    return "_auth_user_id" in client.session


def test_login_and_failed_login_are_audited(cluster, client):
    user = cluster.user("jtj", Role.EDITOR)
    assert not login(client, user.username, "wrong-password", ip="10.1.1.2")
    failed = AuditEvent.objects.filter(action="login_failed", target=user.username).latest("id")
    assert failed.ip_address == "10.1.1.2" and failed.actor is None
    assert login(client, user.username, cluster.password, ip="10.1.1.2")
    event = AuditEvent.objects.filter(action="login", actor=user).latest("id")
    assert event.tenant_code == "jtj" and event.ip_address == "10.1.1.2"
    # A successful login clears the user name's failures: they do not pile up towards a lockout.
    assert not LoginFailure.objects.filter(username=user.username).exists()


def test_user_name_is_locked_from_the_failing_address_only(cluster, client, settings):
    user = cluster.user("jtj", Role.EDITOR)
    for attempt in range(settings.CMS_LOGIN_MAX_FAILURES_PER_USER):
        assert not is_locked_out(user.username, "10.2.0.1"), attempt
        assert not login(client, user.username, "wrong-password", ip="10.2.0.1")
    assert is_locked_out(user.username, "10.2.0.1")
    assert is_locked_out(user.username.upper(), "10.2.0.1")  # user names are matched case-insensitively
    assert not login(client, user.username, cluster.password, ip="10.2.0.1")  # right password, still locked
    assert not login(client, user.username, cluster.password, host="jyj.localhost", ip="10.2.0.1")  # any site
    # The owner, from another address, is not locked out (sites/lockout.py), nor is another user.
    assert not is_locked_out(user.username, "10.9.9.9")
    assert login(client, user.username, cluster.password, ip="10.9.9.9")
    client.logout()
    assert login(client, cluster.user("jtj", Role.REVIEWER).username, cluster.password, ip="10.2.0.1")


def test_failures_spread_over_addresses_lock_none_of_them(cluster, client, settings):
    user = cluster.user("jtj", Role.EDITOR)
    for attempt in range(settings.CMS_LOGIN_MAX_FAILURES_PER_USER):
        assert not login(client, user.username, "wrong-password", ip=f"10.2.1.{attempt + 1}")
    assert not any(is_locked_out(user.username, f"10.2.1.{n}") for n in range(1, 6))
    assert login(client, user.username, cluster.password, ip="10.2.1.1")


def test_client_ip_is_locked_after_too_many_failures(cluster, client, settings):
    settings.CMS_LOGIN_MAX_FAILURES_PER_IP = 3
    settings.CMS_TRUSTED_PROXIES = ["127.0.0.1"]  # nginx on the same machine
    for attempt in range(3):
        assert not login(client, f"guess{attempt}", "wrong-password", ip="10.3.0.1")
    assert is_locked_out("someone-else", "10.3.0.1")
    user = cluster.user("jtj", Role.SITE_ADMIN)
    assert not login(client, user.username, cluster.password, ip="10.3.0.1")
    # Behind the trusted proxy the client address comes from X-Real-IP.
    client.post(
        "/admin/login/",
        {"username": user.username, "password": cluster.password},
        HTTP_HOST="jtj.localhost",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="10.3.0.1",
    )
    assert "_auth_user_id" not in client.session
    assert login(client, user.username, cluster.password, ip="10.3.0.2")


def test_lockout_expires(cluster, settings):
    settings.CMS_LOGIN_MAX_FAILURES_PER_USER = 1
    LoginFailure.objects.create(username="late", ip_address="10.4.0.1")
    assert is_locked_out("late", "10.4.0.1")
    settings.CMS_LOGIN_LOCKOUT_SECONDS = 0
    assert not is_locked_out("late", "10.4.0.1")


def test_audit_log_is_append_only(cluster):
    event = AuditEvent.objects.create(action="test_event", target="x")
    for statement in (
        "UPDATE sites_auditevent SET target = 'rewritten' WHERE id = %s",
        "DELETE FROM sites_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(target="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.delete()
    event.target = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).target == "x"


# --- Users are deactivated, never deleted ------------------------------------------------------


def test_user_delete_deactivates(cluster):
    user = UserFactory(username="retiring")
    user.delete()
    user = User.objects.get(username="retiring")
    assert user.is_active is False


def test_admin_delete_screens_deactivate_users(cluster, client):
    web_office = cluster.users[(None, Role.WEB_OFFICE)]
    client.force_login(web_office)
    one, two, three = (UserFactory(username=name) for name in ("leaver1", "leaver2", "leaver3"))
    response = client.post(f"/admin/users/delete/{one.pk}/", HTTP_HOST="jtj.localhost")
    assert response.status_code == 302
    response = client.post(
        f"/admin/bulk/sites/user/delete/?id={two.pk}&id={three.pk}",
        {"next": "/admin/users/"},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 302
    for user in (one, two, three):
        user.refresh_from_db()  # raises DoesNotExist if a screen really deleted the row
        assert user.is_active is False
    assert AuditEvent.objects.filter(action="user_deactivated", actor=web_office).count() == 3
    client.logout()
    assert not login(client, "leaver2", cluster.password, ip="10.5.0.1")


# --- The 站点成员 screen --------------------------------------------------------------------------

MEMBERS = "/admin/site-members/"


def test_members_screen_lists_only_this_sites_people(cluster, client):
    client.force_login(cluster.user("jtj", Role.SITE_ADMIN))
    response = client.get(MEMBERS, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    text = response.content.decode()
    assert all(f"jtj_{suffix}" in text for suffix in ("admin", "editor", "reviewer", "secrecy"))
    assert "保密审查员" in text and "授予角色" in text
    assert "jyj_" not in text and "portal_" not in text and "jyj·" not in text
    # The menu item shows for the site admin, not for an editor.
    assert MEMBERS in client.get("/admin/", HTTP_HOST="jtj.localhost").content.decode()
    client.force_login(cluster.user("jtj", Role.EDITOR))
    assert MEMBERS not in client.get("/admin/", HTTP_HOST="jtj.localhost").content.decode()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.SECRECY_OFFICER], ids=lambda r: r.value)
def test_members_screen_refuses_other_roles(cluster, client, role):
    client.force_login(cluster.user("jtj", role))
    response = client.get(MEMBERS, HTTP_HOST="jtj.localhost")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    client.post(MEMBERS, {"action": "grant", "username": "jyj_editor", "role": "editor"}, HTTP_HOST="jtj.localhost")
    assert site_roles_of(cluster.user("jyj", Role.EDITOR), "jtj") == set()


def test_site_admin_of_jtj_is_refused_on_jyj_members(cluster, client):
    client.force_login(cluster.user("jtj", Role.SITE_ADMIN))
    response = client.get(MEMBERS, HTTP_HOST="jyj.localhost")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "jyj_editor" not in response.content.decode()


def test_web_office_opens_every_sites_members(cluster, client):
    # 三员分立: role grants are the security administrator's (the system administrator is refused: test_triad).
    client.force_login(cluster.users[(None, Role.SECURITY_ADMIN)])
    for code in ("jtj", "jyj"):
        text = client.get(MEMBERS, HTTP_HOST=f"{code}.localhost").content.decode()
        assert f"{code}_editor" in text
        assert all(f"{other}_editor" not in text for other in cluster.sites if other != code)


def test_site_admin_grants_and_revokes_on_the_screen(cluster, client):
    admin = cluster.user("jtj", Role.SITE_ADMIN)
    person = cluster.user("jyj", Role.EDITOR)  # a person from another site joins jtj
    client.force_login(admin)
    response = client.post(
        MEMBERS, {"action": "grant", "username": person.username, "role": "reviewer"}, HTTP_HOST="jtj.localhost"
    )
    assert response.status_code == 302
    assert site_roles_of(person, "jtj") == {Role.REVIEWER}
    assert site_roles_of(person, "jyj") == {Role.EDITOR}  # untouched
    event = AuditEvent.objects.filter(action="role_granted", target=person.username).latest("id")
    assert (event.actor, event.tenant_code, event.detail["role"]) == (admin, "jtj", "reviewer")
    assert event.ip_address is not None
    text = client.get(MEMBERS, HTTP_HOST="jtj.localhost").content.decode()
    assert person.username in text and "jyj·" not in text

    response = client.post(
        MEMBERS, {"action": "revoke", "username": person.username, "role": "reviewer"}, HTTP_HOST="jtj.localhost"
    )
    assert response.status_code == 302
    assert site_roles_of(person, "jtj") == set()
    assert AuditEvent.objects.filter(action="role_revoked", target=person.username, actor=admin).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "grant", "username": "nobody", "role": "editor"}, "用户“nobody”不存在"),
        ({"action": "grant", "username": "jtj_editor", "role": "web_office"}, "选择一个有效的选项"),
        ({"action": "revoke", "username": "jyj_editor", "role": "editor"}, "在本站没有"),
        ({"action": "revoke", "username": "jtj_admin", "role": "site_admin"}, "不能撤销自己"),
    ],
)
def test_members_screen_refuses_bad_requests_with_a_message(cluster, client, data, message):
    client.force_login(cluster.user("jtj", Role.SITE_ADMIN))
    events = AuditEvent.objects.filter(action__in=["role_granted", "role_revoked"]).count()
    response = client.post(MEMBERS, data, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert AuditEvent.objects.filter(action__in=["role_granted", "role_revoked"]).count() == events
    assert not cluster.user("jtj", Role.EDITOR).is_superuser


def test_deactivated_user_cannot_be_granted_a_role(cluster, client):
    UserFactory(username="gone").delete()
    client.force_login(cluster.user("jtj", Role.SITE_ADMIN))
    response = client.post(
        MEMBERS, {"action": "grant", "username": "gone", "role": "editor"}, HTTP_HOST="jtj.localhost"
    )
    assert "已停用" in response.content.decode()
    assert site_roles_of(User.objects.get(username="gone"), "jtj") == set()
