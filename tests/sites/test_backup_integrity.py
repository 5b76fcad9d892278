"""A backup carries this deployment's signature: an edited archive, or one signed with another key,
is refused before the database is touched; restored rich text is sanitised again whatever the
archive says; a site code or host with a trailing newline is not a code or a host."""

import io
import json
import shutil
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from sites.backup import BAD_SIGNATURE, SIGNATURE, listing, signature_is_valid, write_signature
from sites.models import AuditEvent, Domain, Tenant, validate_host, validate_site_code
from tests.cms import content
from tests.factories import drop_site, make_site

pytestmark = pytest.mark.django_db

SOURCE = "bkisrc"
RESTORED = ("bkicopy", "bkitamper", "bkiforeign", "bkisigned", "bkinl")
MARKER = "完整性测试正文"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
OTHER_KEY = "another-deployment-backup-key-0123456789-abcdefghijklmnop"


@pytest.fixture(scope="module")
def source_site(django_db_setup, django_db_blocker):
    """A committed site with one published article (pg_dump sees only commits)."""
    with django_db_blocker.unblock():
        tenant = make_site(SOURCE, "完整性测试局", parent="portal")
        connection.set_tenant(tenant)
        content.article(title="备份完整性测试文章", slug="bki-article", body=f"<p>{MARKER}</p>")
        # A cached oEmbed answer: its HTML is shown as it is, so a restore must not trust the archive's.
        from wagtail.embeds.models import Embed

        Embed.objects.create(url="https://video.example.cn/1", hash="0" * 32, type="video", html=HOSTILE)
        connection.set_schema_to_public()
    yield tenant
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        drop_site(tenant, SOURCE)


@pytest.fixture(scope="module")
def archive(source_site, tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("integrity") / f"{SOURCE}.tar.gz"
    with django_db_blocker.unblock():
        call_command("backup_site", SOURCE, "--output", str(path))
    return path


@pytest.fixture(autouse=True)
def restored_media():
    yield
    for code in RESTORED:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / code, ignore_errors=True)


def unpack(archive, target):
    with tarfile.open(archive, "r:gz") as opened:
        opened.extractall(target, filter="data")
    return target


def pack(source, target, *, key=None, sign=True):
    """Re-pack an unpacked archive; signed again with ``key`` (default: this deployment's), or left
    with the signature it had when ``sign`` is false."""
    if sign:
        write_signature(source / SIGNATURE, listing(source), key)
    with tarfile.open(target, "w:gz") as packed:
        for item in sorted(source.iterdir()):
            packed.add(item, arcname=item.name)
    return target


def inject_hostile_markup(root):
    """Prepend the hostile markup to the article's body, in its page row and in its revisions."""
    changed = 0
    for name in ("cms_articlepage", "wagtailcore_revision"):
        path = root / "data" / f"{name}.copy"
        text = path.read_text(encoding="utf-8")
        changed += text.count(MARKER)
        path.write_text(text.replace(f"<p>{MARKER}", f"{HOSTILE}<p>{MARKER}"), encoding="utf-8")
    assert changed >= 2  # the live page and at least one revision


def edit_manifest(root, change):
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def restore(archive, code, *extra):
    call_command("restore_site", str(archive), "--code", code, "--domain", f"{code}.localhost", *extra)


def assert_nothing_left(code):
    assert not schema_exists(code)
    assert not Tenant.objects.filter(code=code).exists()
    assert not Domain.objects.filter(domain=f"{code}.localhost").exists()
    assert not (Path(settings.MEDIA_ROOT) / code).exists()


def public_article(client, code):
    """The article's public page on the restored site: its HTML."""
    from cms.models import ArticlePage

    with schema_context(code):
        page = ArticlePage.objects.get(slug="bki-article")
        path = urlsplit(page.get_url()).path
    response = client.get(path, HTTP_HOST=f"{code}.localhost")
    assert response.status_code == 200
    return response.content.decode()


def assert_sanitised(code, html):
    from wagtail.models import Revision

    from cms.models import ArticlePage

    assert MARKER in html
    assert "<script>alert(1)" not in html and "onerror" not in html
    with schema_context(code):
        page = ArticlePage.objects.get(slug="bki-article")
        assert MARKER in page.body and "<script" not in page.body and "onerror" not in page.body
        revisions = [json.dumps(r.content, ensure_ascii=False) for r in Revision.objects.filter(object_id=str(page.pk))]
        assert revisions and all(MARKER in text for text in revisions)
        assert not any("<script" in text or "onerror" in text for text in revisions)


# --- The signature ----------------------------------------------------------------------------------


def test_a_backup_is_signed_and_restores(source_site, archive, client, tmp_path):
    root = unpack(archive, tmp_path / "unpacked")
    assert (root / SIGNATURE).is_file()
    assert signature_is_valid(root)
    assert not signature_is_valid(root, OTHER_KEY)
    restore(archive, "bkicopy")
    html = public_article(client, "bkicopy")
    assert f"<p>{MARKER}</p>" in html
    event = AuditEvent.objects.get(action="site_restored", tenant_code="bkicopy")
    assert event.detail["source"] == SOURCE and "untrusted" not in event.detail


@pytest.mark.parametrize("member", ["data", "manifest", "signature missing", "added file"])
def test_a_tampered_archive_is_refused_before_anything_is_made(source_site, archive, tmp_path, member):
    root = unpack(archive, tmp_path / "unpacked")
    if member == "data":
        inject_hostile_markup(root)
    elif member == "manifest":
        edit_manifest(root, lambda m: m["tenant"].update(name="被改过的网站名称"))
    elif member == "signature missing":
        (root / SIGNATURE).unlink()
    else:
        (root / "media" / "documents").mkdir(parents=True, exist_ok=True)
        (root / "media" / "documents" / "added.html").write_text(HOSTILE, encoding="utf-8")
    tampered = pack(root, tmp_path / "tampered.tar.gz", sign=False)
    with pytest.raises(CommandError, match=BAD_SIGNATURE) as refused:
        restore(tampered, "bkitamper")
    assert "未作任何更改" in str(refused.value)
    assert_nothing_left("bkitamper")
    assert AuditEvent.objects.filter(action="site_restore_refused", tenant_code="bkitamper").exists()


def test_another_deployments_archive_is_refused_and_restored_only_as_untrusted_and_sanitised(
    source_site, archive, client, tmp_path
):
    root = unpack(archive, tmp_path / "unpacked")
    inject_hostile_markup(root)
    foreign = pack(root, tmp_path / "foreign.tar.gz", key=OTHER_KEY)
    with pytest.raises(CommandError, match=BAD_SIGNATURE):
        restore(foreign, "bkiforeign")
    assert_nothing_left("bkiforeign")

    restore(foreign, "bkiforeign", "--untrusted")
    assert_sanitised("bkiforeign", public_article(client, "bkiforeign"))
    event = AuditEvent.objects.get(action="site_restored", tenant_code="bkiforeign")
    assert event.detail["untrusted"] is True


def test_hostile_markup_in_a_signed_archive_is_sanitised_on_restore(source_site, archive, client, tmp_path):
    """Signed with this deployment's key (an old backup, or one made while a bug let markup in):
    the rows go in by COPY, past the sanitiser on save, and are sanitised before the commit."""
    root = unpack(archive, tmp_path / "unpacked")
    inject_hostile_markup(root)
    signed = pack(root, tmp_path / "signed.tar.gz")
    restore(signed, "bkisigned")
    assert_sanitised("bkisigned", public_article(client, "bkisigned"))
    # The catalogue (and so the cross-site search) was built from the sanitised pages, not the archive's.
    from publishing.catalogue.models import CatalogueEntry

    entry = CatalogueEntry.objects.get(tenant__code="bkisigned", title__isnull=False, url__contains="bki-article")
    assert MARKER in entry.body_text and "alert(1)" not in entry.body_text
    from wagtail.embeds.models import Embed

    with schema_context(SOURCE):
        assert Embed.objects.filter(html=HOSTILE).exists()  # it was in the archive
    with schema_context("bkisigned"):
        assert not Embed.objects.exists()  # and is fetched again from the provider when shown


def test_the_console_restores_another_deployments_archive_only_when_confirmed(source_site, archive, cluster, tmp_path):
    root = unpack(archive, tmp_path / "unpacked")
    inject_hostile_markup(root)
    data = pack(root, tmp_path / "foreign.tar.gz", key=OTHER_KEY).read_bytes()
    office = Client(HTTP_HOST=cluster.host("portal"))
    office.force_login(cluster.user(None, "web_office"))

    def post(**extra):
        upload = io.BytesIO(data)
        upload.name = "foreign.tar.gz"
        fields = {"archive": upload, "code": "bkiforeign", "domain": "bkiforeign.localhost"}
        return office.post("/admin/cluster/restore/", {**fields, **extra})

    refused = post()
    assert refused.status_code == 400 and BAD_SIGNATURE in refused.content.decode()
    assert_nothing_left("bkiforeign")
    restored = post(untrusted="on")
    assert restored.status_code == 302 and restored["Location"] == "/admin/cluster/bkiforeign/"
    assert_sanitised("bkiforeign", public_article(Client(), "bkiforeign"))


# --- Codes and hosts with a trailing newline --------------------------------------------------------


def test_a_trailing_newline_is_not_part_of_a_code_or_a_host():
    for code in ("jtj\n", "jtj\r\n", " jtj", "JTJ"):
        with pytest.raises(ValidationError):
            validate_site_code(code)
    for host in ("jtj.localhost\n", "jtj.localhost\r\n", "JTJ.localhost"):
        with pytest.raises(ValidationError):
            validate_host(host)
    validate_site_code("jtj")
    validate_host("jtj.localhost")


@pytest.mark.parametrize("field", ["code", "domain"])
def test_a_manifest_code_or_host_with_a_trailing_newline_is_refused(source_site, archive, tmp_path, field):
    """Even signed: what the manifest names must be a code and a host exactly as written."""

    def change(manifest):
        if field == "code":
            manifest["code"] = "bkinl\n"
        else:
            for domain in manifest["domains"]:
                domain["domain"] = "bkinl.localhost\n"

    root = unpack(archive, tmp_path / "unpacked")
    edit_manifest(root, change)
    signed = pack(root, tmp_path / "newline.tar.gz")
    with pytest.raises(CommandError, match="无效") as refused:
        if field == "code":  # the archived code is the default one
            call_command("restore_site", str(signed), "--domain", "bkinl.localhost")
        else:  # the archived host is the default one
            call_command("restore_site", str(signed), "--code", "bkinl")
    assert "未作任何更改" in str(refused.value)
    assert_nothing_left("bkinl")
    assert not Domain.objects.filter(domain__startswith="bkinl.localhost").exists()


def test_the_code_and_host_typed_are_stripped_and_lower_cased(source_site, archive, client):
    call_command("restore_site", str(archive), "--code", " BKICOPY\n", "--domain", " BKICOPY.localhost\n")
    tenant = Tenant.objects.get(code="bkicopy")
    assert tenant.schema_name == "bkicopy"
    assert Domain.objects.get(tenant=tenant).domain == "bkicopy.localhost"
    assert MARKER in public_article(client, "bkicopy")
