"""Uploads: images checked for size, real type and decompression bombs; attachments by type,
size and content; every upload passes the configured virus scanner; Chinese names survive."""

import io
import struct
import urllib.parse
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form
from wagtail.models import Collection

from tests.factories import break_glass_user

from .content import png_bytes
from .scanners import EICAR

pytestmark = pytest.mark.django_db


def png_bomb(width, height):
    """A tiny PNG declaring a huge 1-bit image of zeros: a few KB that decompress to gigapixels."""
    raw_row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(height)) + compressor.flush()

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def image_form(user, name, content):
    form_class = get_image_form(get_image_model())
    return form_class(
        data={"title": "上传测试", "collection": Collection.get_first_root_node().pk},
        files={"file": SimpleUploadedFile(name, content)},
        user=user,
    )


def document_form(user, name, content):
    form_class = get_document_form(get_document_model())
    return form_class(
        data={"title": "附件测试", "collection": Collection.get_first_root_node().pk},
        files={"file": SimpleUploadedFile(name, content)},
        user=user,
    )


@pytest.fixture
def web_office(cluster):
    # 三员分立: uploads are content; the account allowed everything is the break-glass superuser.
    return break_glass_user("oncall")


def test_a_real_image_is_accepted(in_site, web_office):
    in_site("jtj")
    form = image_form(web_office, "会议现场.png", png_bytes())
    assert form.is_valid(), form.errors


def test_oversized_image_is_refused_in_chinese(in_site, web_office, settings):
    in_site("jtj")
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1024
    form = image_form(web_office, "大图.png", png_bytes((400, 400)) + b"\x00" * 2048)
    assert not form.is_valid()
    assert "图片太大" in form.errors["file"][0] and "1.0\xa0KB" in form.errors["file"][0]


def test_not_an_image_is_refused(in_site, web_office):
    in_site("jtj")
    form = image_form(web_office, "photo.jpg", b"MZ\x90\x00 this is an executable, not a photo")
    assert not form.is_valid()
    assert "不是有效的图片" in form.errors["file"][0]


def test_image_whose_content_does_not_match_its_extension_is_refused(in_site, web_office):
    in_site("jtj")
    form = image_form(web_office, "photo.jpg", png_bytes())
    assert not form.is_valid()
    assert "实际格式" in form.errors["file"][0]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [7000, 12000], ids=["over-limit", "over-pillow-bomb-limit"])
def test_decompression_bomb_is_refused(in_site, web_office, side):
    in_site("jtj")
    bomb = png_bomb(side, side)
    assert len(bomb) < 200_000  # small on disk, 49–144 million pixels in memory
    form = image_form(web_office, "bomb.png", bomb)
    assert not form.is_valid()
    assert "解压炸弹" in form.errors["file"][0]


def test_refusal_reaches_the_editor_through_the_admin(in_site, cluster, client):
    in_site("jtj")
    root = Collection.get_first_root_node().pk
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    response = client.post(
        "/admin/images/add/",
        {"title": "炸弹", "collection": root, "file": SimpleUploadedFile("bomb.png", png_bomb(12000, 12000))},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 200
    assert "解压炸弹" in response.content.decode()
    in_site("jtj")
    assert not get_image_model().objects.filter(title="炸弹").exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("setup.exe", b"MZ\x90\x00", "不允许上传该类型"),
        ("通知.pdf", b"MZ\x90\x00 not a pdf", "文件内容与扩展名"),
        ("统计表.xlsx", b"%PDF-1.4", "文件内容与扩展名"),
        ("说明.txt", b"text\x00\x00binary", "不是文本"),
    ],
)
def test_attachment_type_is_checked_by_extension_and_content(in_site, web_office, name, content, message):
    in_site("jtj")
    form = document_form(web_office, name, content)
    assert not form.is_valid()
    assert message in str(form.errors["file"])


@pytest.mark.parametrize(
    "name, content",
    [
        ("关于印发《实施方案》的通知.pdf", b"%PDF-1.7\n"),
        ("申请表.docx", b"PK\x03\x04rest"),
        ("统计表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("电子公文.ofd", b"PK\x03\x04rest"),
        ("说明.txt", "办理说明".encode()),
    ],
)
def test_allowed_attachments_are_accepted(in_site, web_office, name, content):
    in_site("jtj")
    form = document_form(web_office, name, content)
    assert form.is_valid(), form.errors


def test_oversized_attachment_is_refused(in_site, web_office, settings):
    in_site("jtj")
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 100
    form = document_form(web_office, "大文件.pdf", b"%PDF-1.7\n" + b"0" * 200)
    assert not form.is_valid()
    assert "附件太大" in form.errors["file"][0]


def test_virus_scanner_hook_refuses_infected_uploads(in_site, web_office, settings):
    in_site("jtj")
    settings.CMS_ATTACHMENT_SCANNER = "tests.cms.scanners.reject_eicar"
    infected = document_form(web_office, "病毒.txt", EICAR)
    assert not infected.is_valid()
    assert "EICAR" in infected.errors["file"][0] and "病毒扫描" in infected.errors["file"][0]
    assert document_form(web_office, "正常.txt", "正常文件".encode()).is_valid()
    assert not image_form(web_office, "图.png", png_bytes() + EICAR).is_valid()


def test_chinese_file_name_is_kept_for_download(in_site, client):
    in_site("jtj")
    form_class = get_document_form(get_document_model())
    document = get_document_model().objects.create(
        title="申请表", file=SimpleUploadedFile("道路运输经营许可申请表.docx", b"PK\x03\x04" + b"0" * 64)
    )
    assert form_class  # the configured form class loads
    assert document.filename.startswith("道路运输经营许可申请表")
    from .content import article, column

    # Public once a live page uses it (cms/documents.py).
    article(column("gzdt"), attachments=[("attachment", {"document": document, "title": ""})])
    url = document.url
    connection.set_schema_to_public()
    response = client.get(url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert f"filename*=UTF-8''{urllib.parse.quote(document.filename)}" in disposition
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"PK")


def test_webp_rendition_with_jpeg_fallback(in_site, client):
    from .content import article, column, image

    in_site("jtj")
    page = article(column("gzdt"), cover_image=image("会议现场"))
    url = page.url
    connection.set_schema_to_public()
    body = client.get(url, HTTP_HOST="jtj.localhost").content.decode()
    assert "<picture>" in body
    assert 'type="image/webp"' in body and ".webp" in body
    assert ".jpg" in body or ".jpeg" in body
    assert 'alt="会议现场的说明"' in body


def test_an_image_file_name_cannot_be_guessed_from_the_uploaded_name(in_site):
    """Images are served straight from /media/, drafts' too: the stored name, and so every
    rendition's, starts with a random prefix (two uploads of one name differ)."""
    import re

    from .content import image

    in_site("jtj")
    first, second = image("草案配图"), image("草案配图")
    for item in (first, second):
        assert re.fullmatch(r"jtj/original_images/[0-9a-f]{16}_test\.png", item.file.name), item.file.name
    assert first.file.name != second.file.name
    prefix = first.file.name.rsplit("/", 1)[1].split("_", 1)[0]
    rendition = first.get_rendition("fill-32x24")
    assert rendition.file.name.startswith("jtj/images/" + prefix + "_test.")


# --- Damaged images (issue 10, item 7): they passed the header checks and failed later, a 500 -----


def noisy_image_bytes(kind, size=(200, 150)):
    """An image whose data does not compress away, so cutting it leaves a real, partial picture."""
    import random

    from PIL import Image as PILImage

    generator = random.Random(7)  # noqa: S311 - test data
    picture = PILImage.frombytes("RGB", size, bytes(generator.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    buffer = io.BytesIO()
    picture.save(buffer, kind)
    return buffer.getvalue()


def without_jpeg_segment(data, marker):
    start = data.index(marker)
    length = int.from_bytes(data[start + 2 : start + 4], "big")
    return data[:start] + data[start + 2 + length :]


def damaged_images():
    png = noisy_image_bytes("PNG")
    jpeg = noisy_image_bytes("JPEG")
    return {
        "truncated-png": ("会议现场.png", png[: len(png) // 2]),
        "truncated-jpeg": ("会议现场.jpg", jpeg[: len(jpeg) // 2]),
        # The quantisation table gone: the header reads fine, the picture cannot be decoded.
        "corrupt-jpeg": ("会议现场.jpeg", without_jpeg_segment(jpeg, b"\xff\xdb")),
    }


DAMAGED = damaged_images()


def media_files():
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
def jtj_editor(in_site, cluster, client):
    in_site("jtj")
    root = Collection.get_first_root_node().pk
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    return root


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_image_is_a_form_error_on_the_upload_screen(jtj_editor, client, in_site, kind):
    name, data = DAMAGED[kind]
    before = media_files()
    response = client.post(
        "/admin/images/add/",
        {"title": f"损坏{kind}", "collection": jtj_editor, "file": SimpleUploadedFile(name, data)},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 200
    assert "图片已损坏或不完整" in str(response.context["form"].errors["file"])
    assert "图片已损坏或不完整" in response.content.decode()
    assert media_files() == before
    in_site("jtj")
    assert not get_image_model().objects.filter(title=f"损坏{kind}").exists()


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_image_is_refused_by_the_multiple_upload_screen(jtj_editor, client, in_site, kind):
    name, data = DAMAGED[kind]
    before = media_files()
    in_site("jtj")
    count = get_image_model().objects.count()
    connection.set_schema_to_public()
    response = client.post(
        "/admin/images/multiple/add/",
        {"collection": jtj_editor, "files[]": SimpleUploadedFile(name, data)},
        HTTP_HOST="jtj.localhost",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["success"] is False and "图片已损坏或不完整" in answer["error_message"]
    assert media_files() == before
    in_site("jtj")
    assert get_image_model().objects.count() == count


def test_a_sound_image_still_uploads_on_both_screens(jtj_editor, client, in_site):
    """Positive control: the same requests with an undamaged picture make an image."""
    png = noisy_image_bytes("PNG")
    single = client.post(
        "/admin/images/add/",
        {"title": "完好图片", "collection": jtj_editor, "file": SimpleUploadedFile("完好.png", png)},
        HTTP_HOST="jtj.localhost",
    )
    assert single.status_code == 302
    multiple = client.post(
        "/admin/images/multiple/add/",
        {"collection": jtj_editor, "files[]": SimpleUploadedFile("完好2.jpg", noisy_image_bytes("JPEG"))},
        HTTP_HOST="jtj.localhost",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert multiple.json()["success"] is True
    in_site("jtj")
    assert get_image_model().objects.filter(title__in=["完好图片", "完好2.jpg"]).count() == 2


def _png_header(width, height):
    """A PNG that declares ``width`` × ``height`` and holds nothing: Pillow refuses to count it."""
    import struct
    import zlib as _zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", _zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_in_chinese_only(jtj_editor, client):
    response = client.post(
        "/admin/images/add/",
        {"title": "炸弹", "collection": jtj_editor, "file": SimpleUploadedFile("bomb.png", _png_header(30000, 30000))},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 200
    message = str(response.context["form"].errors["file"])
    assert "图片像素过多" in message and "unknown" not in message
