"""A site backed up and restored under a new code has the same pages, revisions and files."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from publishing.catalogue.models import CatalogueEntry
from sites.models import Domain, SiteGroup, Tenant
from tests.cms import content
from tests.factories import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def source_site(django_db_setup, django_db_blocker):
    """A committed site with images, an attachment and several revisions (pg_dump sees only commits)."""
    with django_db_blocker.unblock():
        tenant = make_site("bkpsrc", "备份测试局", parent="portal", org_code="014207299")
        connection.set_tenant(tenant)
        pages = content.every_page_type()
        article = pages["article"]
        article.title = "关于做好节日期间值班工作的通知（修订）"
        article.save_revision().publish()
        connection.set_schema_to_public()
    yield tenant
    # Other modules count the session's sites: leave none of this one behind.
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        group_ids = list(SiteGroup.objects.filter(tenant=tenant).values_list("group_id", flat=True))
        tenant.delete(force_drop=True)  # the schema with its page permissions, then the public rows
        with connection.cursor() as cursor:  # the groups: Django would look for page permissions here
            cursor.execute("DELETE FROM auth_group_permissions WHERE group_id = ANY(%s)", [group_ids])
            cursor.execute("DELETE FROM sites_user_groups WHERE group_id = ANY(%s)", [group_ids])
            cursor.execute("DELETE FROM auth_group WHERE id = ANY(%s)", [group_ids])


def snapshot(schema):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, Revision

    with schema_context(schema):
        return {
            "pages": sorted(Page.objects.values_list("title", "url_path", "live")),
            "revisions": Revision.objects.count(),
            "images": sorted(get_image_model().objects.values_list("title", flat=True)),
            "image_files": sorted(i.file.name for i in get_image_model().objects.all()),
            "documents": sorted(d.file.name for d in get_document_model().objects.all()),
        }


@pytest.fixture
def restored_media():
    """The restored site's files are outside the rolled-back transaction: remove them afterwards."""
    yield
    import shutil

    shutil.rmtree(Path(settings.MEDIA_ROOT) / "bkpcopy", ignore_errors=True)


def test_backup_and_restore_under_a_new_code(source_site, tmp_path, client, restored_media):
    archive = tmp_path / "bkpsrc.tar.gz"
    call_command("backup_site", "bkpsrc", "--output", str(archive))
    assert archive.stat().st_size > 0
    call_command("restore_site", str(archive), "--code", "bkpcopy", "--domain", "bkpcopy.localhost")
    restored = Tenant.objects.get(code="bkpcopy")
    assert restored.name == "备份测试局" and restored.org_code == "014207299"
    assert Domain.objects.get(domain="bkpcopy.localhost").tenant == restored

    before, after = snapshot("bkpsrc"), snapshot("bkpcopy")
    assert after["pages"] == before["pages"]
    assert after["revisions"] == before["revisions"] >= 10
    assert after["images"] == before["images"]
    assert [name.replace("bkpsrc/", "bkpcopy/", 1) for name in before["image_files"]] == after["image_files"]
    assert all(name.startswith("bkpcopy/") for name in after["image_files"] + after["documents"])
    for name in after["image_files"] + after["documents"]:
        assert (Path(settings.MEDIA_ROOT) / name).is_file(), name

    # The restored site has its own role groups, and its permissions point at them.
    from wagtail.models import GroupPagePermission

    new_groups = set(SiteGroup.objects.filter(tenant=restored).values_list("group_id", flat=True))
    old_groups = set(SiteGroup.objects.filter(tenant=source_site).values_list("group_id", flat=True))
    assert len(new_groups) == 4 and not new_groups & old_groups
    with schema_context("bkpcopy"):
        assert set(GroupPagePermission.objects.values_list("group_id", flat=True)) <= new_groups

    # It is served on its new host, with the same content, and it is in the cluster catalogue.
    response = client.get("/", HTTP_HOST="bkpcopy.localhost")
    assert response.status_code == 200 and "备份测试局" in response.content.decode()
    titles = set(CatalogueEntry.objects.filter(tenant=restored).values_list("title", flat=True))
    assert "关于做好节日期间值班工作的通知（修订）" in titles
    assert all(
        url.startswith("http://bkpcopy.localhost/")
        for url in CatalogueEntry.objects.filter(tenant=restored).values_list("url", flat=True)
    )
    # The original is untouched.
    assert snapshot("bkpsrc") == before


def test_restore_refuses_a_taken_code_or_host_and_leaves_nothing(source_site, tmp_path):
    from django.core.management import CommandError
    from django_tenants.utils import schema_exists

    archive = tmp_path / "b.tar.gz"
    call_command("backup_site", "bkpsrc", "--output", str(archive))
    with pytest.raises(CommandError, match="已被使用"):
        call_command("restore_site", str(archive))  # same code as the original
    with pytest.raises(CommandError, match="已被其他站点使用"):
        call_command("restore_site", str(archive), "--code", "bkpnew", "--domain", "jtj.localhost")
    assert not schema_exists("bkpnew") and not Tenant.objects.filter(code="bkpnew").exists()
