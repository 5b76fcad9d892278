"""三员分立: the system, security and audit administrators, each refused outside their duties through
the real admin; nobody holds two of them by default; no administrator is a superuser; the
break-glass superuser is time-limited and audited; ``createsuperuser`` is refused."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page

from publishing.confidentiality.models import WordList
from sites import access
from sites.duties import end_expired_break_glass, open_break_glass
from sites.models import AuditEvent, BreakGlass, Outcome, Role, Tenant
from sites.roles import RoleError, grant_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMINS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


def client_for(cluster, user, code="portal"):
    client = Client(HTTP_HOST=cluster.host(code))
    client.force_login(user)
    return client


def refused(answer):
    """Refused: a 403, or Wagtail's redirect away (to the login page, the admin home, the audit log)."""
    return answer.status_code in (302, 403)


def create_site_post(client):
    return client.post(
        "/admin/cluster/new/",
        {"code": "sjj", "name": "测试市审计局", "kind": "department", "parent": "portal", "domain": "sjj.localhost"},
    )


def theme_post(client):
    from themes.models import Theme

    return client.post(
        "/admin/site-themes/", {"action": "assign_site", "theme": Theme.objects.get(slug="red").pk, "site": "jyj"}
    )


def grant_post(cluster, client, code="jtj"):
    return client.post(
        "/admin/site-members/",
        {"action": "grant", "username": cluster.user("jyj", Role.EDITOR).username, "role": Role.EDITOR.value},
        HTTP_HOST=cluster.host(code),
    )


def word_list_post(client):
    return client.post("/admin/word_lists/new/", {"name": "越权词库", "kind": "sensitive", "description": ""})


def test_none_of_the_three_is_a_superuser_and_each_has_one_role(cluster):
    for role in ADMINS:
        user = cluster.user(None, role)
        user.refresh_from_db()
        assert not user.is_superuser
        assert access.administrator_roles(user) == {role}
    office, security, auditor = (cluster.user(None, role) for role in ADMINS)
    assert access.is_web_office(office) and not access.is_security_admin(office) and not access.is_audit_admin(office)
    assert access.is_security_admin(security) and not access.is_web_office(security)
    assert (
        access.is_audit_admin(auditor) and not access.is_web_office(auditor) and not access.is_security_admin(auditor)
    )
    assert access.is_read_only_admin(auditor) and not access.is_read_only_admin(office)


def test_the_system_admin_runs_sites_and_themes_but_grants_no_role_and_edits_no_word_list(cluster):
    office = client_for(cluster, cluster.user(None, Role.SYSTEM_ADMIN))
    assert office.get("/admin/cluster/").status_code == 200
    assert office.get("/admin/site-themes/").status_code == 200
    # Roles are the security administrator's: not on the member screen, not through the API.
    assert refused(grant_post(cluster, office))
    assert not cluster.user("jyj", Role.EDITOR).groups.filter(site_binding__tenant__code="jtj").exists()
    with pytest.raises(RoleError):
        grant_role(UserFactory(), Role.AUDIT_ADMIN, actor=cluster.user(None, Role.SYSTEM_ADMIN))
    # Word lists (and the wording list, synonyms) neither shown nor writable.
    assert refused(word_list_post(office))
    assert not WordList.objects.filter(name="越权词库").exists()
    assert refused(office.get("/admin/word_lists/"))
    # The audit log is not the system administrator's to read (it records what they did).
    assert office.get("/admin/cluster/audit/").status_code == 403
    # The menus follow (the sidebar's labels travel as JSON, non-ASCII escaped).
    word_lists, sites_menu = json.dumps("检查词库")[1:-1], json.dumps("站点管理")[1:-1]
    home = office.get("/admin/").content.decode()
    assert word_lists not in home and sites_menu in home
    security_home = client_for(cluster, cluster.user(None, Role.SECURITY_ADMIN)).get("/admin/").content.decode()
    assert word_lists in security_home and sites_menu not in security_home


def test_the_security_admin_grants_roles_and_edits_word_lists_but_runs_no_site(cluster):
    security = client_for(cluster, cluster.user(None, Role.SECURITY_ADMIN))
    answer = grant_post(cluster, security)
    assert answer.status_code == 302
    assert cluster.user("jyj", Role.EDITOR).groups.filter(site_binding__tenant__code="jtj").exists()
    assert word_list_post(security).status_code == 302
    assert WordList.objects.filter(name="越权词库").exists()
    assert create_site_post(security).status_code == 403
    assert not Tenant.objects.filter(code="sjj").exists()
    assert refused(theme_post(security))
    assert security.get("/admin/cluster/audit/").status_code == 403


def test_the_audit_admin_reads_the_audit_log_and_changes_nothing(cluster):
    from themes.models import SiteTheme

    auditor_user = cluster.user(None, Role.AUDIT_ADMIN)
    auditor = client_for(cluster, auditor_user)
    AuditEvent.objects.create(action="site_created", tenant_code="jtj", target="jtj", ip_address="10.1.2.3")
    log = auditor.get("/admin/cluster/audit/")
    assert log.status_code == 200 and "10.1.2.3" in log.content.decode()
    before = set(SiteTheme.objects.values_list("tenant_id", "theme_id"))
    attempts = [create_site_post(auditor), theme_post(auditor), grant_post(cluster, auditor, "portal")]
    with schema_context("jtj"):
        page = Page.objects.filter(depth__gt=2).first()
    page_edit = client_for(cluster, auditor_user, "jtj")
    attempts.append(page_edit.post(f"/admin/pages/{page.pk}/edit/", {"title": "审计管理员改的标题"}))
    assert all(answer.status_code == 403 for answer in attempts), [a.status_code for a in attempts]
    assert not Tenant.objects.filter(code="sjj").exists()
    assert set(SiteTheme.objects.values_list("tenant_id", "theme_id")) == before
    with schema_context("jtj"):
        assert Page.objects.get(pk=page.pk).title != "审计管理员改的标题"
    refusals = AuditEvent.objects.filter(action="admin_duty_refused", actor=auditor_user)
    assert refusals.count() == 4 and set(refusals.values_list("outcome", flat=True)) == {Outcome.DENIED}
    # Not even a glance at the content admin: every other screen leads back to the audit log.
    for path in ("/admin/", "/admin/pages/", f"/admin/pages/{page.pk}/edit/", "/admin/users/", "/admin/cluster/"):
        answer = page_edit.get(path)
        assert answer.status_code == 302 and answer["Location"].endswith("/admin/cluster/audit/"), path


def test_site_admins_still_read_their_own_sites_entries_only(cluster):
    AuditEvent.objects.create(action="site_record_changed", tenant_code="jtj", target="本站事件")
    AuditEvent.objects.create(action="site_record_changed", tenant_code="jyj", target="外站事件")
    client = client_for(cluster, cluster.user("jtj", Role.SITE_ADMIN), "jtj")
    text = client.get("/admin/cluster/audit/").content.decode()
    assert "本站事件" in text and "外站事件" not in text


def test_nobody_holds_two_administrator_roles_by_default(cluster):
    person = UserFactory(username="twohats")
    grant_role(person, Role.SYSTEM_ADMIN)
    for role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        with pytest.raises(RoleError, match="三员分立"):
            grant_role(person, role)
        with pytest.raises(RoleError):
            grant_role(person, role, actor=cluster.user(None, Role.SECURITY_ADMIN))
        with pytest.raises(RoleError):  # the override is the command line's only
            grant_role(person, role, actor=cluster.user(None, Role.SECURITY_ADMIN), allow_second_administrator=True)
    assert access.administrator_roles(get_user_model().objects.get(pk=person.pk)) == {Role.SYSTEM_ADMIN}
    assert AuditEvent.objects.filter(action="role_refused", target="twohats").exists()
    with pytest.raises(CommandError, match="三员分立"):
        call_command("grant_role", user="twohats", role="审计管理员")
    call_command("grant_role", user="twohats", role="审计管理员", allow_second_administrator=True)
    assert access.administrator_roles(get_user_model().objects.get(pk=person.pk)) == {
        Role.SYSTEM_ADMIN,
        Role.AUDIT_ADMIN,
    }
    granted = AuditEvent.objects.filter(action="role_granted", target="twohats").order_by("-id").first()
    assert granted.detail["second_administrator_role"] is True and granted.detail["also_holds"] == ["system_admin"]


def test_the_old_web_office_name_means_the_system_administrator(cluster):
    assert Role("web_office") is Role.SYSTEM_ADMIN is Role.WEB_OFFICE
    assert Role.from_label("网站办") is Role.SYSTEM_ADMIN
    call_command("grant_role", user="newoffice", role="web_office", create=True)
    user = get_user_model().objects.get(username="newoffice")
    assert access.is_web_office(user) and not user.is_superuser


def test_wagtails_user_form_cannot_make_a_superuser_or_grant_a_group(cluster):
    office = client_for(cluster, cluster.user(None, Role.SYSTEM_ADMIN))
    target = UserFactory(username="plainuser")
    security_group = cluster.user(None, Role.SECURITY_ADMIN).groups.get()
    form = office.get(f"/admin/users/edit/{target.pk}/")
    assert form.status_code == 200
    assert {"username", "is_active"} <= set(form.context["form"].fields)
    assert not {"is_superuser", "groups"} & set(form.context["form"].fields)
    answer = office.post(
        f"/admin/users/edit/{target.pk}/",
        {
            "username": "plainuser",
            "email": "p@example.gov.cn",
            "first_name": "P",
            "last_name": "U",
            "full_name": "普通用户",
            "is_active": "on",
            "is_superuser": "on",
            "groups": [security_group.pk],
        },
    )
    assert answer.status_code in (200, 302)
    target.refresh_from_db()
    assert not target.is_superuser and not target.groups.exists()


def test_createsuperuser_is_refused_and_audited(cluster):
    with pytest.raises(CommandError, match="break_glass"):
        call_command("createsuperuser", username="root", email="r@example.gov.cn", interactive=False)
    assert not get_user_model().objects.filter(username="root").exists()
    assert AuditEvent.objects.filter(action="createsuperuser_refused", target="root").exists()


def test_break_glass_is_time_limited_and_every_change_it_makes_is_audited(cluster):
    person = UserFactory(username="oncall")
    call_command("break_glass", user="oncall", minutes=15, reason="主题故障")
    person.refresh_from_db()
    assert person.is_superuser
    opened = AuditEvent.objects.get(action="break_glass_opened", target="oncall")
    assert opened.detail["minutes"] == 15 and opened.detail["reason"] == "主题故障"
    client = client_for(cluster, person)
    assert theme_post(client).status_code == 302
    done = AuditEvent.objects.filter(action="break_glass_request", actor=person).get()
    assert done.target == "/admin/site-themes/" and done.detail["method"] == "POST" and done.outcome == Outcome.SUCCESS
    assert client.get("/admin/site-themes/").status_code == 200
    assert AuditEvent.objects.filter(action="break_glass_request", actor=person).count() == 1  # reads are not
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        answer = client.get("/admin/site-themes/")
        assert answer.status_code in (302, 403)
    person.refresh_from_db()
    assert not person.is_superuser
    assert AuditEvent.objects.filter(action="break_glass_ended", target="oncall", detail__why="expired").exists()
    assert not BreakGlass.objects.in_force().filter(user=person).exists()


def test_break_glass_refuses_a_long_window_and_a_stray_superuser_is_ended(cluster):
    person = UserFactory(username="oncall2")
    with pytest.raises(CommandError):
        call_command("break_glass", user="oncall2", minutes=24 * 60)
    person.refresh_from_db()
    assert not person.is_superuser
    stray = UserFactory(username="stray", is_superuser=True)
    grant = open_break_glass(person, minutes=5)
    assert end_expired_break_glass() == 1
    stray.refresh_from_db()
    person.refresh_from_db()
    assert not stray.is_superuser and person.is_superuser and grant.expires_at > timezone.now()
    call_command("break_glass", user="oncall2", end=True)
    person.refresh_from_db()
    assert not person.is_superuser
