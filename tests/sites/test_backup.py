"""A site backed up and restored under a new code has the same pages, revisions and files; an
archive that is tampered with, truncated, random or of another version is refused with a message
and leaves nothing behind."""

import gzip
import io
import json
import random
import re
import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from publishing.catalogue.models import CatalogueEntry
from sites.backup import SIGNATURE, fitted_name, listing, write_signature
from sites.models import Domain, Role, SiteGroup, Tenant
from sites.provisioning import dump_schema
from tests.cms import content
from tests.factories import drop_site, make_site

pytestmark = pytest.mark.django_db

LONG_CODE = "bkplong" + "a" * 23  # the longest code the site-code rule allows (30)
RESTORED = ("bkpcopy", "bkptamper", "bkpbad", "bkpnamed", LONG_CODE)
OLD_IMAGE = "bkpsrc/original_images/旧版上传的草案图.png"  # stored before names got a random prefix


@pytest.fixture(scope="module")
def source_site(django_db_setup, django_db_blocker):
    """A committed site with images, attachments and several revisions (pg_dump sees only commits).

    Two files have names that fill their 100-character columns, as a long upload name does.
    """
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    with django_db_blocker.unblock():
        tenant = make_site("bkpsrc", "备份测试局", parent="portal", org_code="014207299")
        connection.set_tenant(tenant)
        pages = content.every_page_type()
        article = pages["article"]
        article.title = "关于做好节日期间值班工作的通知（修订）"
        article.save_revision().publish()
        get_document_model().objects.create(
            title="长文件名附件", file=ContentFile(b"%PDF-1.4 long name\n", name="d" * 120 + ".pdf")
        )
        get_image_model().objects.create(
            title="长文件名图片", file=ImageFile(io.BytesIO(content.png_bytes()), name="i" * 120 + ".png")
        )
        from django.core.files.storage import default_storage

        old_name = default_storage.save(OLD_IMAGE, ContentFile(content.png_bytes()))
        get_image_model().objects.create(title="旧版上传的草案图", file=old_name, width=64, height=48)
        connection.set_schema_to_public()
    yield tenant
    # Other modules count the session's sites: leave none of this one behind.
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        drop_site(tenant, "bkpsrc")


@pytest.fixture(scope="module")
def archive(source_site, tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("backup") / "bkpsrc.tar.gz"
    with django_db_blocker.unblock():
        call_command("backup_site", "bkpsrc", "--output", str(path))
    return path


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


@pytest.fixture(autouse=True)
def restored_media():
    """The restored sites' files are outside the rolled-back transaction: remove them afterwards."""
    yield
    for code in RESTORED:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / code, ignore_errors=True)


def assert_nothing_left(code):
    assert not schema_exists(code)
    assert not Tenant.objects.filter(code=code).exists()
    assert not Domain.objects.filter(domain=f"{code}.localhost").exists()
    assert not (Path(settings.MEDIA_ROOT) / code).exists()


def restore(archive, code):
    call_command("restore_site", str(archive), "--code", code, "--domain", f"{code}.localhost")


# --- Restoring what was backed up -------------------------------------------------------------------


def test_backup_and_restore_under_a_new_code(source_site, archive, client):
    assert archive.stat().st_size > 0
    restore(archive, "bkpcopy")
    restored = Tenant.objects.get(code="bkpcopy")
    assert restored.name == "备份测试局" and restored.org_code == "014207299"
    assert Domain.objects.get(domain="bkpcopy.localhost").tenant == restored

    before, after = snapshot("bkpsrc"), snapshot("bkpcopy")
    assert after["pages"] == before["pages"]
    assert after["revisions"] == before["revisions"] >= 10
    assert after["images"] == before["images"]
    assert sorted(fitted_name(name, "bkpsrc", "bkpcopy", 100) for name in before["image_files"]) == after["image_files"]
    assert all(name.startswith("bkpcopy/") for name in after["image_files"] + after["documents"])
    for name in after["image_files"] + after["documents"]:
        assert (Path(settings.MEDIA_ROOT) / name).is_file(), name

    # The restored site has its own role groups, and its permissions point at them.
    from wagtail.models import GroupPagePermission

    new_groups = set(SiteGroup.objects.filter(tenant=restored).values_list("group_id", flat=True))
    old_groups = set(SiteGroup.objects.filter(tenant=source_site).values_list("group_id", flat=True))
    assert len(new_groups) == len(Role.site_roles()) and not new_groups & old_groups
    with schema_context("bkpcopy"):
        assert set(GroupPagePermission.objects.values_list("group_id", flat=True)) <= new_groups
        assert GroupPagePermission.objects.exists()

    # It is served on its new host, with the same content, and it is in the cluster catalogue.
    response = client.get("/", HTTP_HOST="bkpcopy.localhost")
    assert response.status_code == 200 and "备份测试局" in response.content.decode()
    titles = set(CatalogueEntry.objects.filter(tenant=restored).values_list("title", flat=True))
    assert "关于做好节日期间值班工作的通知（修订）" in titles
    assert all(
        url.startswith("http://bkpcopy.localhost/")
        for url in CatalogueEntry.objects.filter(tenant=restored).values_list("url", flat=True)
    )
    # New rows get new ids (the sequences were restored with the rows).
    with schema_context("bkpcopy"):
        from wagtail.models import Page

        column = content.column("tzgg")
        added = content.article(column, title="恢复后新增的文章")
        assert added.pk > max(Page.objects.exclude(pk=added.pk).values_list("pk", flat=True))
    # The original is untouched.
    assert snapshot("bkpsrc") == before


def test_an_old_image_name_in_an_archive_gets_its_random_prefix_once_restored(
    source_site, archive, django_capture_on_commit_callbacks
):
    from wagtail.images import get_image_model

    with schema_context("bkpsrc"):
        assert get_image_model().objects.filter(file__startswith="bkpsrc/original_images/旧版").exists()
    with django_capture_on_commit_callbacks(execute=True):
        restore(archive, "bkpnamed")
    with schema_context("bkpnamed"):
        names = dict(get_image_model().objects.values_list("title", "file"))
    renamed = names["旧版上传的草案图"]
    assert re.fullmatch(r"bkpnamed/original_images/[0-9a-f]{16}_.+\.png", renamed), renamed
    assert (Path(settings.MEDIA_ROOT) / renamed).is_file()
    assert not list((Path(settings.MEDIA_ROOT) / "bkpnamed" / "original_images").glob("旧版*"))
    # The source site is not touched by its copy's restore.
    with schema_context("bkpsrc"):
        assert get_image_model().objects.filter(file__startswith="bkpsrc/original_images/旧版").exists()


def test_restore_under_the_longest_site_code_fits_every_file_name(source_site, archive):
    """Stored names carry the code: under a 30-character code, names that filled their column are
    shortened (folder and extension kept), the files renamed alike."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    restore(archive, LONG_CODE)
    with schema_context(LONG_CODE):
        documents = {d.title: d for d in get_document_model().objects.all()}
        images = list(get_image_model().objects.all())
        names = [d.file.name for d in documents.values()] + [i.file.name for i in images]
        assert all(len(name) <= 100 and name.startswith(f"{LONG_CODE}/") for name in names), names
        for name in names:
            assert (Path(settings.MEDIA_ROOT) / name).is_file(), name
        long_document = documents["长文件名附件"]
        assert long_document.file.name.startswith(f"{LONG_CODE}/documents/dddd")
        assert long_document.file.name.endswith(".pdf")
        with long_document.file.open("rb") as stored:
            assert stored.read() == b"%PDF-1.4 long name\n"
        long_image = next(i for i in images if i.title == "长文件名图片")
        assert long_image.file.name.endswith(".png") and "/original_images/" in long_image.file.name
        # Short names are only re-based.
        short = documents["关于开展安全检查的通知"].file.name
        assert short.startswith(f"{LONG_CODE}/documents/") and len(short) < 100


def test_fitted_name_keeps_folder_extension_and_tells_cut_names_apart():
    old = "jtj/documents/" + "x" * 81 + "a.pdf"
    other = "jtj/documents/" + "x" * 81 + "b.pdf"
    assert len(old) == 100
    first, second = (fitted_name(name, "jtj", "a" * 30, 100) for name in (old, other))
    assert first != second
    for name in (first, second):
        assert len(name) == 100 and name.startswith("a" * 30 + "/documents/xxx") and name.endswith(".pdf")
    assert fitted_name("jtj/documents/a.pdf", "jtj", "jyj", 100) == "jyj/documents/a.pdf"


def test_restore_refuses_a_taken_code_or_host_and_leaves_nothing(source_site, archive):
    with pytest.raises(CommandError, match="已被使用"):
        call_command("restore_site", str(archive))  # same code as the original
    with pytest.raises(CommandError, match="已被其他站点使用"):
        call_command("restore_site", str(archive), "--code", "bkpnew", "--domain", "jtj.localhost")
    assert not schema_exists("bkpnew") and not Tenant.objects.filter(code="bkpnew").exists()


# --- Archives that must not be restored --------------------------------------------------------------


def unpack(archive, target):
    with tarfile.open(archive, "r:gz") as opened:
        opened.extractall(target, filter="data")
    return target


def pack(source, target, extra=None):
    """Re-pack an unpacked archive, signed again with this deployment's key: these cases are about
    what the checks behind the signature refuse (an archive signed by a holder of the key, or
    restored as untrusted); test_backup_integrity covers the signature itself."""
    write_signature(source / SIGNATURE, listing(source))
    with tarfile.open(target, "w:gz") as packed:
        for item in sorted(source.iterdir()):
            packed.add(item, arcname=item.name)
        if extra:
            extra(packed)
    return target


def edit_manifest(root, change):
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def table(manifest, name):
    return next(t for t in manifest["tables"] if t["name"] == name)


def add_row(root, name, values):
    """Append one COPY row to a table's data file (and to its row count)."""
    with (root / "data" / f"{name}.copy").open("a", encoding="utf-8") as data:
        data.write("\t".join(str(value) for value in values) + "\n")
    edit_manifest(root, lambda m: table(m, name).update(rows=table(m, name)["rows"] + 1))


def rows(root, name):
    text = (root / "data" / f"{name}.copy").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()]


def rewrite(root, name, rewritten):
    (root / "data" / f"{name}.copy").write_text("".join("\t".join(r) + "\n" for r in rewritten), encoding="utf-8")


def _extra_sql_file(root):
    (root / "schema.sql").write_text('UPDATE "public"."sites_user" SET "is_superuser" = true;', encoding="utf-8")


def _table_of_another_schema(root):
    # Rows for a public-schema table, as if the archive could write users.
    edit_manifest(
        root,
        lambda m: m["tables"].append({"name": "sites_user", "columns": ["id", "username", "is_superuser"], "rows": 1}),
    )
    (root / "data" / "sites_user.copy").write_text("9999\tintruder\tt\n", encoding="utf-8")


def _sql_in_a_column_name(root):
    def change(manifest):
        table(manifest, "wagtailcore_locale")["columns"][0] = 'id") FROM STDIN; UPDATE public.sites_user SET x=1; --'

    edit_manifest(root, change)


def _grant_to_another_sites_group(root):
    # A page permission for jtj's editors on the restored site's root: a grant across sites.
    jtj_editors = SiteGroup.objects.get(tenant__code="jtj", role=Role.EDITOR).group_id
    columns = table(json.loads((root / "manifest.json").read_text(encoding="utf-8")), "wagtailcore_grouppagepermission")
    first = dict(zip(columns["columns"], rows(root, "wagtailcore_grouppagepermission")[0], strict=True))
    first.update(id="99999", group_id=str(jtj_editors))
    add_row(root, "wagtailcore_grouppagepermission", [first[c] for c in columns["columns"]])


def _file_of_another_site(root):
    # A document row pointing at another site's upload: it would be served from the restored site.
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    columns = table(manifest, "wagtaildocs_document")["columns"]
    at = columns.index("file")
    data = rows(root, "wagtaildocs_document")
    data[0][at] = "jyj/documents/secret.pdf"
    rewrite(root, "wagtaildocs_document", data)


def _tenant_fields_beyond_the_record(root):
    edit_manifest(root, lambda m: m["tenant"].update(is_template="t", schema_name="public"))


def _another_version(root):
    # A migration this system does not have: the rows were made for another structure.
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    columns = table(manifest, "django_migrations")["columns"]
    first = dict(zip(columns, rows(root, "django_migrations")[0], strict=True))
    first.update(id="99999", name="9999_from_the_future")
    add_row(root, "django_migrations", [first[c] for c in columns])


def _row_count_mismatch(root):
    edit_manifest(root, lambda m: table(m, "wagtailcore_page").update(rows=table(m, "wagtailcore_page")["rows"] + 5))


def _broken_copy_data(root):
    with (root / "data" / "wagtailcore_locale.copy").open("a", encoding="utf-8") as data:
        data.write("not-a-number\tzh-hans\textra\n")
    edit_manifest(
        root, lambda m: table(m, "wagtailcore_locale").update(rows=table(m, "wagtailcore_locale")["rows"] + 1)
    )


def _symlink_member(packed):
    info = tarfile.TarInfo("media/documents/passwd.pdf")
    info.type = tarfile.SYMTYPE
    info.linkname = "/etc/passwd"
    packed.addfile(info)


TAMPERED = {
    "an extra SQL file": (_extra_sql_file, None, "不应有的内容"),
    "a table of another schema": (_table_of_another_schema, None, "多出 sites_user"),
    "SQL in a column name": (_sql_in_a_column_name, None, "数据表清单不对"),
    "a grant to another site's group": (_grant_to_another_sites_group, None, "授予其他用户组"),
    "a file of another site": (_file_of_another_site, None, "不在本站的上传目录中"),
    "tenant fields beyond the record": (_tenant_fields_beyond_the_record, None, "站点记录字段不对"),
    "another version": (_another_version, None, "版本与当前系统不同"),
    "a row count that does not match": (_row_count_mismatch, None, "实际载入"),
    "broken COPY data": (_broken_copy_data, None, "无法载入"),
    "a symbolic link": (None, _symlink_member, "链接或特殊文件"),
}


@pytest.mark.parametrize("case", list(TAMPERED), ids=list(TAMPERED))
def test_a_tampered_archive_is_refused_and_changes_nothing(source_site, archive, cluster, tmp_path, case):
    change, extra, message = TAMPERED[case]
    root = unpack(archive, tmp_path / "unpacked")
    if change:
        change(root)
    tampered = pack(root, tmp_path / "tampered.tar.gz", extra)
    editor = cluster.user("jtj", Role.EDITOR)
    with pytest.raises(CommandError, match=message) as refused:
        restore(tampered, "bkptamper")
    assert "未作任何更改" in str(refused.value)
    editor.refresh_from_db()
    assert not editor.is_superuser
    assert_nothing_left("bkptamper")
    # The same archive untouched restores (the refusal above is about the change alone).
    if case == "an extra SQL file":
        restore(archive, "bkpcopy")
        assert schema_exists("bkpcopy")


def test_an_archive_of_sql_statements_is_refused(source_site, archive, cluster, tmp_path):
    """The old format replayed the archive's SQL: one added statement made an editor a superuser."""
    root = unpack(archive, tmp_path / "unpacked")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    keep = {key: manifest[key] for key in ("code", "created_at", "tenant", "parent", "domains", "groups")}
    (legacy / "manifest.json").write_text(json.dumps({"format": 1, **keep}, ensure_ascii=False), encoding="utf-8")
    sql = dump_schema("bkpsrc") + '\nUPDATE "public"."sites_user" SET "is_superuser" = true WHERE "username" = '
    sql += "'jtj_editor';\n"
    (legacy / "schema.sql").write_text(sql, encoding="utf-8")
    tampered = pack(legacy, tmp_path / "legacy.tar.gz")
    editor = cluster.user("jtj", Role.EDITOR)
    with pytest.raises(CommandError, match="旧格式"):
        restore(tampered, "bkptamper")
    editor.refresh_from_db()
    assert not editor.is_superuser
    assert_nothing_left("bkptamper")


def _truncated(archive):
    data = archive.read_bytes()
    return data[: len(data) // 2]


def _random(archive):
    return random.Random(7).randbytes(64 * 1024)


def _gzipped_random(archive):
    return gzip.compress(random.Random(8).randbytes(64 * 1024))


def _empty(archive):
    return b""


def _tar_without_manifest(archive):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as packed:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        packed.addfile(info, io.BytesIO(b"hello"))
    return buffer.getvalue()


def _manifest_not_json(archive):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as packed:
        info = tarfile.TarInfo("manifest.json")
        payload = random.Random(9).randbytes(300)
        info.size = len(payload)
        packed.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


DAMAGED = {
    "truncated": (_truncated, "已损坏或不完整"),
    "random bytes": (_random, "已损坏或不完整"),
    "gzipped random bytes": (_gzipped_random, "已损坏或不完整"),
    "empty": (_empty, "已损坏或不完整"),
    "no manifest": (_tar_without_manifest, "缺少 manifest.json"),
    "manifest not JSON": (_manifest_not_json, "不是有效的 JSON"),
}


@pytest.mark.parametrize("case", list(DAMAGED), ids=list(DAMAGED))
def test_a_damaged_archive_gives_a_clear_error_and_leaves_nothing(source_site, archive, tmp_path, case):
    make, message = DAMAGED[case]
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(make(archive))
    with pytest.raises(CommandError, match=message) as refused:
        restore(damaged, "bkpbad")
    assert "未作任何更改" in str(refused.value)
    assert_nothing_left("bkpbad")


def test_an_archive_that_would_fill_the_disk_is_refused_before_unpacking(source_site, tmp_path, monkeypatch):
    """A few hundred KB of gzip can stand for gigabytes: the sizes are checked before anything is written."""
    bomb = tmp_path / "bomb.tar.gz"
    with tarfile.open(bomb, "w:gz") as packed:
        info = tarfile.TarInfo("media/zeros.bin")
        info.size = 32 * 2**20
        packed.addfile(info, io.BytesIO(bytes(info.size)))
    assert bomb.stat().st_size < 2**20
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda path: real(path)._replace(free=8 * 2**20))
    with pytest.raises(CommandError, match="解包后需要 32 MB") as refused:
        restore(bomb, "bkpbomb")
    assert "未作任何更改" in str(refused.value)
    assert_nothing_left("bkpbomb")
