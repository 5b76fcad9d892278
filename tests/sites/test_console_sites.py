"""The web office runs sites from the admin: create (the command's provisioning and messages),
edit the record and footer, hosts, status, backup and restore. Each change is audited and what
shows it is purged; the site admin edits the footer contact data only when the web office allows it."""

import io
import shutil
import tarfile
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from sites.models import AuditEvent, Domain, SiteStatus, Tenant
from sites.provisioning import ProvisioningError, SiteSpec, create_site

pytestmark = pytest.mark.django_db


def client_for(cluster, host_code, user=None):
    client = Client(HTTP_HOST=cluster.host(host_code))
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def office(cluster):
    return client_for(cluster, "portal", cluster.user(None, "web_office"))


def messages_of(answer):
    return [str(message) for message in answer.context["messages"]] if answer.context else []


# --- Creating a site ----------------------------------------------------------------------------


def test_the_web_office_creates_a_site_with_the_commands_provisioning(cluster, office):
    answer = office.post(
        "/admin/cluster/new/",
        {
            "code": "sjj",
            "name": "测试市审计局",
            "kind": "department",
            "parent": "portal",
            "domain": "SJJ.localhost",
            "aliases": "sjj-alias.localhost\n",
            "admin_domain": "sjj-admin.localhost",
            "site_identifier": "1234000009",
            "contact_phone": "0771-7654321",
        },
        follow=True,
    )
    assert answer.status_code == 200
    sjj = Tenant.objects.get(code="sjj")
    assert (sjj.name, sjj.parent.code, sjj.site_identifier, sjj.contact_phone) == (
        "测试市审计局",
        "portal",
        "1234000009",
        "0771-7654321",
    )
    assert set(sjj.domains.values_list("domain", "is_primary", "is_admin_host")) == {
        ("sjj.localhost", True, False),
        ("sjj-alias.localhost", False, False),
        ("sjj-admin.localhost", False, True),
    }
    # The progress the command prints is shown once done, then the site's own screen.
    done = " ".join(messages_of(answer))
    assert "已开通站点 测试市审计局（sjj）" in done and "复制模板结构" in done and "完成" in done
    assert answer.redirect_chain[-1][0] == "/admin/cluster/sjj/"
    # Provisioned for real: home page, columns and the review chain exist in its schema.
    from wagtail.models import Site, Workflow

    with schema_context("sjj"):
        assert Site.objects.get().hostname == "sjj.localhost"
        assert Workflow.objects.filter(name="测试市审计局审核流程").exists()
    event = AuditEvent.objects.get(action="site_created", tenant_code="sjj")
    assert event.actor == cluster.user(None, "web_office")


@pytest.mark.parametrize(
    ("fields", "spec"),
    [
        ({"code": "Bad"}, {"code": "Bad"}),
        ({"code": "public"}, {"code": "public"}),
        ({"code": "jtj"}, {"code": "jtj"}),
        ({"domain": "under_score.localhost"}, {"domain": "under_score.localhost"}),
        ({"domain": "jtj.localhost"}, {"domain": "jtj.localhost"}),
        ({"parent": ""}, {"parent": None}),
    ],
)
def test_bad_requests_are_refused_with_the_commands_messages(cluster, office, fields, spec):
    data = {"code": "okx", "name": "好名字", "kind": "department", "parent": "portal", "domain": "okx.localhost"}
    data.update(fields)
    expected = {"code": "okx", "name": "好名字", "kind": "department", "parent": "portal", "domain": "okx.localhost"}
    expected.update(spec)
    with pytest.raises(ProvisioningError) as refusal:
        create_site(SiteSpec(**expected))
    answer = office.post("/admin/cluster/new/", data)
    assert answer.status_code == 200
    assert answer.context["form"].non_field_errors() == [str(refusal.value)]
    assert str(refusal.value) in answer.content.decode()
    assert not Tenant.objects.filter(code="okx").exists() and not schema_exists("okx")


def test_an_unknown_parent_cannot_be_smuggled_in(cluster, office):
    # Not one of the offered choices: the form refuses it before provisioning starts.
    answer = office.post(
        "/admin/cluster/new/",
        {"code": "oky", "name": "x", "kind": "department", "parent": "nosuch", "domain": "oky.localhost"},
    )
    assert answer.status_code == 200 and answer.context["form"].errors["parent"]
    assert not Tenant.objects.filter(code="oky").exists()


# --- The record and the footer -------------------------------------------------------------------


RECORD = {
    "name": "测试市交通运输局",
    "kind": "department",
    "parent": "portal",
    "short_name": "交通局",
    "site_identifier": "1234000002",
    "icp_number": "测ICP备12345679号",
    "police_record_number": "测公网安备 12345678901235号",
    "police_record_url": "https://beian.example.gov.cn/jtj",
    "sponsor": "测试市交通运输局",
    "organizer": "测试市交通运输局办公室",
    "contact_phone": "0771-5550001",
    "contact_address": "测试市交通路 8 号",
    "org_code": "014207265",
}


def test_editing_the_footer_shows_on_the_public_pages_at_once(cluster, office):
    reader = Client(HTTP_HOST="jtj.localhost")
    before = reader.get("/")
    assert before.status_code == 200 and "0771-5550001" not in before.content.decode()
    assert reader.get("/").status_code == 200  # now served from the page cache
    answer = office.post("/admin/cluster/jtj/", RECORD)
    assert answer.status_code == 302
    jtj = Tenant.objects.get(code="jtj")
    assert (jtj.site_identifier, jtj.contact_phone, jtj.police_record_url) == (
        "1234000002",
        "0771-5550001",
        "https://beian.example.gov.cn/jtj",
    )
    # The saved Tenant purged the site's cached pages (serving listens to Tenant saves).
    after = reader.get("/").content.decode()
    assert "0771-5550001" in after and "测试市交通路 8 号" in after
    event = AuditEvent.objects.filter(action="site_record_changed", tenant_code="jtj").latest("id")
    assert event.actor == cluster.user(None, "web_office")
    assert event.detail["changes"]["contact_phone"] == {"old": "", "new": "0771-5550001"}
    assert "name" not in event.detail["changes"]


def test_a_renamed_site_is_renamed_in_its_wagtail_site_and_on_the_portal(cluster, office):
    from wagtail.models import Site

    portal_reader = Client(HTTP_HOST="portal.localhost")
    assert "测试市交通运输局" in portal_reader.get("/").content.decode()  # the footer's 网站群导航
    portal_reader.get("/")  # cached now
    assert office.post("/admin/cluster/jtj/", {**RECORD, "name": "测试市交通运输委员会"}).status_code == 302
    with schema_context("jtj"):
        assert Site.objects.get().site_name == "测试市交通运输委员会"
    # The portal's cached pages that list jtj are purged with jtj's own.
    assert "测试市交通运输委员会" in portal_reader.get("/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"site_identifier": "12345"}, "政府网站标识码为 10 位数字。"),
        ({"org_code": "abc"}, "组织机构代码为 9–18 位数字或大写字母。"),
        ({"police_record_url": "javascript:alert(1)"}, "输入一个有效的 URL。"),
        ({"parent": ""}, "部门、县区网站必须指定上级站点（--parent），通常是门户网站。"),
    ],
)
def test_a_bad_record_is_refused_with_the_models_message(cluster, office, change, message):
    answer = office.post("/admin/cluster/jtj/", {**RECORD, **change})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    jtj = Tenant.objects.get(code="jtj")
    assert jtj.contact_phone == "" and jtj.parent.code == "portal"
    assert not AuditEvent.objects.filter(action="site_record_changed", tenant_code="jtj").exists()


def test_a_site_cannot_become_its_own_ancestor(cluster, office):
    portal_record = {"name": "测试市人民政府", "kind": "portal", "parent": "jtj"}
    answer = office.post("/admin/cluster/portal/", portal_record)
    assert answer.status_code == 400
    assert "上级站点不能是本站或本站的下级站点。" in answer.content.decode()
    assert Tenant.objects.get(code="portal").parent_id is None


# --- Hosts -------------------------------------------------------------------------------------------


def test_aliases_are_added_made_primary_and_removed(cluster, office):
    assert office.post("/admin/cluster/jtj/domains/", {"domain": "JTJ2.localhost"}).status_code == 302
    alias = Domain.objects.get(domain="jtj2.localhost")
    assert alias.tenant.code == "jtj" and not alias.is_primary and not alias.is_admin_host
    assert Client(HTTP_HOST="jtj2.localhost").get("/").status_code == 200  # the host map knows it at once
    assert AuditEvent.objects.filter(action="domain_added", target="jtj2.localhost").exists()

    primary = Domain.objects.get(domain="jtj.localhost")
    refused = office.post(f"/admin/cluster/jtj/domains/{primary.pk}/remove/", follow=True)
    assert "是主域名，不能删除" in " ".join(messages_of(refused))
    assert Domain.objects.filter(pk=primary.pk).exists()

    assert office.post(f"/admin/cluster/jtj/domains/{alias.pk}/primary/").status_code == 302
    assert Tenant.objects.get(code="jtj").primary_domain.domain == "jtj2.localhost"
    from wagtail.models import Site

    with schema_context("jtj"):
        assert Site.objects.get().hostname == "jtj2.localhost"
    assert office.post(f"/admin/cluster/jtj/domains/{primary.pk}/remove/").status_code == 302
    assert not Domain.objects.filter(domain="jtj.localhost").exists()
    assert Client(HTTP_HOST="jtj.localhost").get("/").status_code == 404
    assert AuditEvent.objects.filter(action="domain_removed", target="jtj.localhost").exists()


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("bad_host.localhost", "不能使用下划线"),
        ("jyj.localhost", "域名“jyj.localhost”已被其他站点使用。"),
    ],
)
def test_bad_hosts_are_refused_like_the_command_does(cluster, office, host, message):
    answer = office.post("/admin/cluster/jtj/domains/", {"domain": host}, follow=True)
    assert message in " ".join(messages_of(answer))
    assert not Domain.objects.filter(domain=host, tenant__code="jtj").exists()


def test_another_sites_domain_cannot_be_removed_through_this_one(cluster, office):
    jyj_primary = Domain.objects.get(domain="jyj.localhost")
    office.post(f"/admin/cluster/jtj/domains/{jyj_primary.pk}/remove/")
    office.post(f"/admin/cluster/jtj/domains/{jyj_primary.pk}/primary/")
    assert Domain.objects.get(pk=jyj_primary.pk).tenant.code == "jyj"
    assert Domain.objects.get(pk=jyj_primary.pk).is_primary


def test_the_admin_only_host(cluster, office):
    assert (
        office.post("/admin/cluster/jtj/domains/", {"domain": "jtj-admin.localhost", "admin_host": "on"}).status_code
        == 302
    )
    admin = cluster.user("jtj", "site_admin")
    public_host = client_for(cluster, "jtj", admin)
    assert public_host.get("/admin/").status_code == 404  # 内网采编: the admin only on its own host
    admin_host = Client(HTTP_HOST="jtj-admin.localhost")
    admin_host.force_login(admin)
    assert admin_host.get("/admin/").status_code == 200
    # The cluster home links the site's admin on that host.
    assert 'href="http://jtj-admin.localhost/admin/"' in office.get("/admin/cluster/").content.decode()


# --- Status ----------------------------------------------------------------------------------------


def test_suspend_reopen_and_archive(cluster, office):
    reader = Client(HTTP_HOST="jtj.localhost")
    assert reader.get("/").status_code == 200
    office.post("/admin/cluster/jtj/status/", {"action": "suspend", "reason": "改版"})
    assert Tenant.objects.get(code="jtj").status == SiteStatus.SUSPENDED
    assert reader.get("/").status_code == 503
    event = AuditEvent.objects.filter(action="site_status", tenant_code="jtj").latest("id")
    assert (event.detail["new"], event.detail["reason"], event.actor) == (
        "suspended",
        "改版",
        cluster.user(None, "web_office"),
    )
    office.post("/admin/cluster/jtj/status/", {"action": "reopen"})
    assert reader.get("/").status_code == 200
    # Archiving needs the confirmation box.
    unconfirmed = office.post("/admin/cluster/jtj/status/", {"action": "archive"}, follow=True)
    assert "归档前请勾选确认。" in " ".join(messages_of(unconfirmed))
    assert Tenant.objects.get(code="jtj").status == SiteStatus.ACTIVE
    office.post("/admin/cluster/jtj/status/", {"action": "archive", "confirm": "on"})
    assert reader.get("/").status_code == 410


def test_status_actions_are_posts_only(cluster, office):
    assert office.get("/admin/cluster/jtj/status/").status_code == 405
    assert office.get("/admin/cluster/jtj/backup/").status_code == 405
    assert Tenant.objects.get(code="jtj").status == SiteStatus.ACTIVE


# --- Backup and restore -------------------------------------------------------------------------


@pytest.fixture
def leaves_no_files(settings):
    """The backup the screen keeps under var/backups, and the restored site's upload directory."""
    from sites.backup import media_dir

    backups = Path(settings.VAR_DIR) / "backups"
    before = set(backups.glob("jtj-*.tar.gz"))
    yield
    for path in set(backups.glob("jtj-*.tar.gz")) - before:
        path.unlink()
    shutil.rmtree(media_dir("jtjcopy"), ignore_errors=True)


def test_backup_download_and_restore_from_the_upload(cluster, office, leaves_no_files):
    answer = office.post("/admin/cluster/jtj/backup/")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith('attachment; filename="jtj-')
    data = b"".join(answer.streaming_content)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        assert "manifest.json" in archive.getnames()
    assert AuditEvent.objects.filter(action="site_backup", tenant_code="jtj", actor=cluster.user(None, "web_office"))

    upload = io.BytesIO(data)
    upload.name = "jtj.tar.gz"
    restored = office.post(
        "/admin/cluster/restore/",
        {"archive": upload, "code": "jtjcopy", "domain": "jtjcopy.localhost", "name": "交通局副本"},
    )
    assert restored.status_code == 302 and restored["Location"] == "/admin/cluster/jtjcopy/"
    assert connection.schema_name == "portal"  # the request ended in the admin it was made from
    copy = Tenant.objects.get(code="jtjcopy")
    assert copy.name == "交通局副本" and copy.primary_domain.domain == "jtjcopy.localhost"
    assert AuditEvent.objects.filter(action="site_restored", tenant_code="jtjcopy").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a backup at all", "备份文件已损坏或不完整"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 40, "备份文件已损坏或不完整"),
    ],
)
def test_a_corrupt_upload_is_refused_and_changes_nothing(cluster, office, content, message):
    sites_before = Tenant.objects.count()
    upload = io.BytesIO(content)
    upload.name = "../../etc/passwd.tar.gz"
    answer = office.post("/admin/cluster/restore/", {"archive": upload, "code": "brokencopy"})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert Tenant.objects.count() == sites_before and not schema_exists("brokencopy")


# --- The site admin's contact data -----------------------------------------------------------------


def test_site_admins_edit_contact_data_only_when_the_web_office_allows_it(cluster, office):
    admin = client_for(cluster, "jtj", cluster.user("jtj", "site_admin"))
    assert admin.get("/admin/cluster/contact/").status_code == 403
    assert admin.post("/admin/cluster/contact/", {"contact_phone": "110"}).status_code == 403
    assert Tenant.objects.get(code="jtj").contact_phone == ""
    assert "/admin/cluster/contact/" not in admin.get("/admin/").content.decode()

    office.post("/admin/cluster/jtj/", {**RECORD, "contact_phone": "", "admins_may_edit_contact": "on"})
    assert Tenant.objects.get(code="jtj").admins_may_edit_contact
    assert "/admin/cluster/contact/" in admin.get("/admin/").content.decode()
    answer = admin.post(
        "/admin/cluster/contact/",
        {"contact_phone": "0771-1110000", "contact_address": "交通路 9 号", "sponsor": "篡改", "site_identifier": "1"},
    )
    assert answer.status_code == 302
    jtj = Tenant.objects.get(code="jtj")
    assert (jtj.contact_phone, jtj.contact_address) == ("0771-1110000", "交通路 9 号")
    assert jtj.sponsor == "测试市交通运输局" and jtj.site_identifier == "1234000002"  # only the contact fields
    event = AuditEvent.objects.filter(action="site_contact_changed", tenant_code="jtj").latest("id")
    assert event.actor == cluster.user("jtj", "site_admin")
    assert "0771-1110000" in Client(HTTP_HOST="jtj.localhost").get("/").content.decode()

    # Allowed on jtj does not reach jyj: jyj's admin on jyj, jtj's editor on jtj are still refused.
    assert (
        client_for(cluster, "jyj", cluster.user("jyj", "site_admin")).get("/admin/cluster/contact/").status_code == 403
    )
    assert client_for(cluster, "jtj", cluster.user("jtj", "editor")).get("/admin/cluster/contact/").status_code == 403
    # jtj's admin on jyj's host is no member there at all.
    other = client_for(cluster, "jyj", cluster.user("jtj", "site_admin"))
    assert other.post("/admin/cluster/contact/", {"contact_phone": "999"}).status_code == 302
    assert Tenant.objects.get(code="jyj").contact_phone == ""
