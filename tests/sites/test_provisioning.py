import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from sites.models import AuditEvent, Domain, Role, SiteGroup, Tenant
from sites.provisioning import ProvisioningError, SiteSpec, create_site

pytestmark = pytest.mark.django_db


def test_create_site_builds_the_standard_department_tree(cluster):
    from cms.models import ColumnPage, SiteHomePage

    tenant = create_site(SiteSpec(code="wsjkw", name="卫生健康委员会", parent="portal", domain="wsjkw.localhost"))
    assert schema_exists("wsjkw")
    assert Domain.objects.get(domain="wsjkw.localhost").tenant == tenant
    with schema_context("wsjkw"):
        from wagtail.models import Site

        site = Site.objects.get()
        assert site.hostname == "wsjkw.localhost"
        assert site.site_name == "卫生健康委员会"
        home = site.root_page.specific
        assert isinstance(home, SiteHomePage)
        titles = set(ColumnPage.objects.values_list("title", flat=True))
        assert {
            "概况信息",
            "机构职能",
            "负责人信息",
            "通知公告",
            "政府信息公开",
            "政府信息公开年报",
            "办事服务",
            "互动交流",
        } <= titles
    assert SiteGroup.objects.filter(tenant=tenant).count() == len(Role.site_roles())
    assert AuditEvent.objects.filter(action="site_created", tenant_code="wsjkw").exists()


def test_new_site_has_no_grants_for_wagtails_global_groups(cluster):
    from wagtail.models import GroupPagePermission, Workflow

    create_site(SiteSpec(code="sjj", name="审计局", parent="portal", domain="sjj.localhost"))
    with schema_context("sjj"):
        assert not GroupPagePermission.objects.filter(group__name__in=["Editors", "Moderators"]).exists()
        assert not GroupPagePermission.objects.filter(group__site_binding__isnull=True).exists()
        assert not Workflow.objects.filter(name="Moderators approval").exists()
        assert [w.name for w in Workflow.objects.all()] == ["审计局审核流程"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (dict(code="Bad", name="x", domain="bad.localhost"), "站点代码"),
        (dict(code="ok1", name="x", domain="under_score.localhost"), "下划线"),
        (dict(code="jtj", name="x", domain="jtj2.localhost"), "已被使用"),
        (dict(code="ok2", name="x", domain="jtj.localhost"), "已被其他站点使用"),
        (dict(code="ok3", name="x", parent="nosuch", domain="ok3.localhost"), "上级站点"),
        (dict(code="ok4", name="x", kind="village", domain="ok4.localhost"), "站点类型"),
        (dict(code="public", name="x", domain="p.localhost"), "保留字"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(cluster, spec, message):
    spec.setdefault("parent", "portal")
    with pytest.raises(ProvisioningError, match=message):
        create_site(SiteSpec(**spec))


def test_failed_provisioning_leaves_nothing_behind(cluster, monkeypatch):
    from publishing.review import lifecycle

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(lifecycle, "create_review_workflow", explode)
    groups_before = SiteGroup.objects.count()
    with pytest.raises(RuntimeError):
        create_site(SiteSpec(code="halfmade", name="半成品", parent="portal", domain="halfmade.localhost"))
    assert not schema_exists("halfmade")
    assert not Tenant.objects.filter(code="halfmade").exists()
    assert not Domain.objects.filter(domain="halfmade.localhost").exists()
    assert SiteGroup.objects.count() == groups_before
    assert connection.schema_name == "public"


def test_create_site_command(cluster, capsys):
    call_command(
        "create_site",
        "--code",
        "tjj",
        "--name",
        "统计局",
        "--parent",
        "portal",
        "--domain",
        "tjj.localhost",
        "--site-identifier",
        "1234000009",
    )
    assert Tenant.objects.get(code="tjj").site_identifier == "1234000009"
    with pytest.raises(CommandError, match="下划线"):
        call_command("create_site", "--code", "tjj2", "--name", "统计局", "--domain", "t_j.localhost")


def test_close_site_shows_a_notice_and_reopen_restores(cluster, client):
    call_command("close_site", "jyj")
    response = client.get("/", HTTP_HOST="jyj.localhost")
    assert response.status_code == 503
    assert "暂停访问" in response.content.decode()
    call_command("close_site", "jyj", "--archive")
    assert client.get("/", HTTP_HOST="jyj.localhost").status_code == 410
    call_command("close_site", "jyj", "--reopen")
    assert client.get("/", HTTP_HOST="jyj.localhost").status_code == 200


def refused(response):
    return response.status_code == 403 or (
        response.status_code == 302
        and response["Location"].startswith(("/admin/login/", "/admin/"))
        and "sitebranding/" not in response["Location"].split("?")[0]
    )


def test_site_admin_edits_the_sites_logo_setting_and_nothing_else(cluster, client):
    client.force_login(cluster.user("jtj", "site_admin"))
    own = client.get("/admin/settings/cms/sitebranding/", HTTP_HOST="jtj.localhost", follow=True)
    assert own.status_code == 200
    assert "sitebranding" in own.redirect_chain[-1][0]
    assert refused(client.get("/admin/settings/cms/sitebranding/", HTTP_HOST="jyj.localhost"))
    client.force_login(cluster.user("jtj", "editor"))
    assert refused(client.get("/admin/settings/cms/sitebranding/", HTTP_HOST="jtj.localhost"))


def test_setup_gives_existing_sites_the_current_role_permissions(cluster):
    from django.contrib.auth.models import Permission

    from sites.provisioning import sync_role_permissions

    group = SiteGroup.objects.get(tenant=cluster.sites["jyj"], role="site_admin").group
    group.permissions.clear()
    sync_role_permissions()
    assert set(group.permissions.values_list("codename", flat=True)) == {"access_admin", "change_sitebranding"}
    assert Permission.objects.filter(group=group).count() == 2


def test_the_apps_above_answer_a_new_site_in_a_safe_order():
    """cms builds the home page and the role groups before review builds its chain on them."""
    from cms.lifecycle import build_site
    from publishing.review.lifecycle import on_site_provisioned
    from sites.signals import site_provisioned

    receivers = [entry[1]() for entry in site_provisioned.receivers]  # (key, weak reference, is_async)
    assert receivers.index(build_site) < receivers.index(on_site_provisioned)


def test_closing_a_site_is_announced(cluster):
    from sites.provisioning import close_site
    from sites.signals import site_closed

    seen = []

    def listen(sender, tenant, old, new, **kwargs):
        seen.append((tenant.code, old, new))

    site_closed.connect(listen)
    try:
        close_site("jyj", "suspended")
        close_site("jyj", "active")
    finally:
        site_closed.disconnect(listen)
    assert seen == [("jyj", "active", "suspended"), ("jyj", "suspended", "active")]
