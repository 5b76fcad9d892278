"""Images stored before names were made unguessable get a random prefix (manage.py unguessable_images)."""

import io
import re
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from wagtail.images import get_image_model

from cms import image_names

from .content import article, column, image, png_bytes

pytestmark = pytest.mark.django_db

OLD_NAME = "jtj/original_images/2027年预算草案配图.png"


def old_style_image(name=OLD_NAME):
    """An image row as an earlier release stored it: the uploaded name, no prefix (the storage
    may add its own suffix when a file of that name is left from an earlier run)."""
    name = default_storage.save(name, ContentFile(png_bytes((80, 60))))
    return get_image_model().objects.create(title="预算草案配图", file=name, width=80, height=60)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("unguessable_images", "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_old_name_is_replaced_and_every_trace_of_it_goes(in_site, client, django_capture_on_commit_callbacks):
    in_site("jtj")
    old = old_style_image()
    old_name = old.file.name
    rendition = old.get_rendition("fill-40x30")
    rendition_name = rendition.file.name
    assert default_storage.exists(old_name) and default_storage.exists(rendition_name)
    url = article(column("gzdt"), title="带旧配图的文章", cover_image=old).url
    fresh = image("新上传的图片")  # already prefixed: left alone
    connection.set_schema_to_public()
    before = unquote(client.get(url, HTTP_HOST="jtj.localhost").content.decode())
    assert "/media/jtj/images/2027年预算草案配图" in before  # positive control: the old name is on the page

    with django_capture_on_commit_callbacks(execute=True):
        out, err = run("--site", "jtj")
    assert "已改名 1 张图片" in out and not err

    connection.set_tenant(in_site("jtj"))
    old.refresh_from_db()
    assert re.fullmatch(r"jtj/original_images/[0-9a-f]{16}_2027.*\.png", old.file.name), old.file.name
    assert default_storage.exists(old.file.name)
    assert not default_storage.exists(old_name) and not default_storage.exists(rendition_name)
    assert not old.renditions.exists()
    assert get_image_model().objects.get(pk=fresh.pk).file.name == fresh.file.name
    connection.set_schema_to_public()
    after = unquote(client.get(url, HTTP_HOST="jtj.localhost").content.decode())
    prefix = old.file.name.rsplit("/", 1)[1].split("_", 1)[0]
    assert "2027年预算草案配图" not in after and f"/media/jtj/images/{prefix}_" in after
    # Nothing is left to rename.
    assert run("--site", "jtj")[0].strip().endswith("已改名 0 张图片")


def test_a_dry_run_lists_and_changes_nothing(in_site):
    in_site("jtj")
    old = old_style_image()
    connection.set_schema_to_public()
    out, _ = run("--site", "jtj", "--dry-run")
    assert f"jtj：{old.file.name}（待改名）" in out and "可改名 1 张图片" in out
    connection.set_tenant(in_site("jtj"))
    old.refresh_from_db()
    assert image_names.is_guessable(old.file.name) and default_storage.exists(old.file.name)


def test_a_row_without_its_file_is_reported_and_the_rest_renamed(in_site, django_capture_on_commit_callbacks):
    in_site("jtj")
    lost = old_style_image("jtj/original_images/丢失的图.png")
    default_storage.delete(lost.file.name)
    kept = old_style_image()
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        out, err = run("--site", "jtj")
    assert "文件不存在，未改名" in err and "丢失的图" in err and "已改名 1 张图片，1 张缺少文件" in out
    connection.set_tenant(in_site("jtj"))
    names = dict(get_image_model().objects.filter(pk__in=[lost.pk, kept.pk]).values_list("pk", "file"))
    assert image_names.is_guessable(names[lost.pk]) and not image_names.is_guessable(names[kept.pk])


def test_other_sites_are_not_touched_by_one_sites_run(in_site, django_capture_on_commit_callbacks):
    in_site("jyj")
    other = old_style_image("jyj/original_images/教育局旧图.png")
    stored = other.file.name
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        run("--site", "jtj")
    connection.set_tenant(in_site("jyj"))
    other.refresh_from_db()
    assert other.file.name == stored and default_storage.exists(stored)
