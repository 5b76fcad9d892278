"""Media directory unwritable or full: the upload is refused with a message, nothing else breaks."""

import json
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from tests.cms.content import png_bytes

pytestmark = pytest.mark.django_db


def upload_image(client, cluster, title, size=(400, 300)):
    connection.set_tenant(cluster.sites["jtj"])
    root = Collection.get_first_root_node().pk
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    return client.post(
        "/admin/images/add/",
        {"title": title, "collection": root, "file": SimpleUploadedFile("photo.png", png_bytes(size))},
        HTTP_HOST="jtj.localhost",
    )


def upload_document(client, cluster, name, data):
    """Upload through the multiple-upload screen as jtj's editor (its XHR answer)."""
    connection.set_tenant(cluster.sites["jtj"])
    root = Collection.get_first_root_node().pk
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    return client.post(
        "/admin/documents/multiple/add/",
        {"title": name.rsplit(".", 1)[0], "collection": root, "files[]": SimpleUploadedFile(name, data)},
        HTTP_HOST="jtj.localhost",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


def image_exists(cluster, title):
    connection.set_tenant(cluster.sites["jtj"])
    try:
        return get_image_model().objects.filter(title=title).exists()
    finally:
        connection.set_schema_to_public()


@pytest.fixture
def full_disk(settings, tmp_path):
    """MEDIA_ROOT on a 2 MB tmpfs, filled up."""
    mount = tmp_path / "media"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    settings.MEDIA_ROOT = str(mount)
    filler = mount / "filler.bin"
    with open(filler, "wb") as handle:
        try:
            handle.write(b"\0" * 4 * 1024 * 1024)
        except OSError:
            pass  # ENOSPC: the disk is full, as intended
    yield mount, filler
    subprocess.run(["umount", str(mount)], check=True)


def test_upload_to_a_full_disk_is_refused_with_a_message(client, cluster, full_disk):
    mount, filler = full_disk
    response = upload_image(client, cluster, "磁盘已满时上传")
    assert response.status_code == 200
    assert "存储空间不足" in response.content.decode()
    assert not image_exists(cluster, "磁盘已满时上传")
    # Nothing else breaks: public pages and the admin still work.
    assert client.get("/", HTTP_HOST="jtj.localhost").status_code == 200
    assert client.get("/admin/images/", HTTP_HOST="jtj.localhost").status_code == 200
    # Once there is room again, the same upload succeeds.
    filler.unlink()
    response = upload_image(client, cluster, "清理后上传", size=(40, 30))
    assert response.status_code in (200, 302)
    assert image_exists(cluster, "清理后上传")


def test_upload_to_an_unwritable_directory_is_refused_with_a_message(client, cluster, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # The site's directory is a file: nothing can be created under it, even by root.
    Path(tmp_path, "jtj").write_text("not a directory")
    response = upload_image(client, cluster, "目录不可写时上传")
    assert response.status_code == 200
    assert "存储当前不可写" in response.content.decode()
    assert not image_exists(cluster, "目录不可写时上传")
    assert client.get("/", HTTP_HOST="jtj.localhost").status_code == 200


def test_attachment_upload_is_refused_the_same_way(client, cluster, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    Path(tmp_path, "jtj").write_text("not a directory")
    response = upload_document(client, cluster, "通知.pdf", b"%PDF-1.4\n%x\n")
    assert response.status_code == 200
    assert "存储当前不可写" in json.dumps(response.json(), ensure_ascii=False)
    connection.set_tenant(cluster.sites["jtj"])
    assert not get_document_model().objects.filter(title="通知").exists()
    connection.set_schema_to_public()


# --- Documents: private files under MEDIA_ROOT ---------------------------------------------------


def test_documents_are_stored_where_nginx_and_runserver_refuse_them(client, cluster):
    """The /media/ refusal (docker/nginx/cluster.conf, cms/documents.py) relies on this layout."""
    from sites.storage import is_document_name

    response = upload_document(client, cluster, "存放位置.pdf", b"%PDF-1.4\n%%EOF\n")
    assert response.status_code == 200 and response.json()["success"]
    assert upload_image(client, cluster, "存放位置的图片").status_code == 302
    connection.set_tenant(cluster.sites["jtj"])
    try:
        document = get_document_model().objects.get(title="存放位置")
        image = get_image_model().objects.get(title="存放位置的图片")
        assert document.file.name.startswith("jtj/documents/") and is_document_name(document.file.name)
        assert document.url.startswith("/documents/")
        for name in (image.file.name, image.get_rendition("fill-8x8").file.name):
            assert name.startswith("jtj/") and not is_document_name(name), name
    finally:
        connection.set_schema_to_public()


@pytest.mark.parametrize("accel", ["", "/_documents/"])
def test_document_whose_file_is_gone_is_a_clean_404(client, cluster, settings, accel):
    """A file lost from disk (a failed restore, a manual clean-up) is "not found", never a 500."""
    from tests.cms.content import document

    settings.CMS_DOCUMENTS_ACCEL_REDIRECT = accel
    connection.set_tenant(cluster.sites["jtj"])
    try:
        lost = document("已丢失的附件.pdf")
        url, path = lost.url, Path(lost.file.path)
    finally:
        connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    assert client.get(url, HTTP_HOST="jtj.localhost").status_code == 200
    path.unlink()
    response = client.get(url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 404
    assert not response.has_header("X-Accel-Redirect")
