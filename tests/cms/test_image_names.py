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
    assert "已改名 1 个图片文件" in out and not err

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
    assert run("--site", "jtj")[0].strip().endswith("已改名 0 个图片文件")


def test_a_dry_run_lists_and_changes_nothing(in_site):
    in_site("jtj")
    old = old_style_image()
    connection.set_schema_to_public()
    out, _ = run("--site", "jtj", "--dry-run")
    assert f"jtj：{old.file.name}（待改名）" in out and "可改名 1 个图片文件" in out
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
    assert "文件不存在，未改名" in err and "丢失的图" in err and "已改名 1 个图片文件，1 个缺少文件" in out
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


def test_rows_sharing_one_file_all_follow_it_and_nothing_is_lost(in_site, django_capture_on_commit_callbacks):
    in_site("jtj")
    first = old_style_image("jtj/original_images/共用的图.png")
    second = get_image_model().objects.create(title="同一文件的第二条", file=first.file.name, width=80, height=60)
    old = first.file.name
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        out, err = run("--site", "jtj")
    assert not err
    connection.set_tenant(in_site("jtj"))
    names = set(get_image_model().objects.filter(pk__in=[first.pk, second.pk]).values_list("file", flat=True))
    assert len(names) == 1 and not image_names.is_guessable(names.pop())
    assert not default_storage.exists(old)


def test_a_file_shared_with_the_template_is_copied_never_deleted(in_site, django_capture_on_commit_callbacks):
    """A new site starts as a copy of the template's rows: its image rows name the template's files."""
    shared = default_storage.save("site_template/original_images/模板里的图.png", ContentFile(png_bytes((80, 60))))
    in_site("jtj")
    copied = get_image_model().objects.create(title="模板带来的图", file=shared, width=80, height=60)
    rendition = copied.renditions.create(filter_spec="fill-8x8", file=shared, width=8, height=8)
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        run("--site", "jtj")
    connection.set_tenant(in_site("jtj"))
    copied.refresh_from_db()
    assert copied.file.name.startswith("jtj/original_images/") and not image_names.is_guessable(copied.file.name)
    assert not type(rendition).objects.filter(pk=rendition.pk).exists()
    # Every other site provisioned from the template still has its picture.
    assert default_storage.exists(shared)


def test_a_site_cannot_delete_a_file_of_another_schema_or_the_templates(in_site):
    others = [
        default_storage.save("jyj/original_images/别的站点的图.png", ContentFile(b"x")),
        default_storage.save("site_template/original_images/模板的图.png", ContentFile(b"x")),
    ]
    in_site("jtj")
    own = default_storage.save("jtj/original_images/自己的图.png", ContentFile(b"x"))
    for name in others + [own]:
        default_storage.delete(name)
    assert all(default_storage.exists(name) for name in others)
    assert not default_storage.exists(own)  # positive control
    connection.set_schema_to_public()  # a command, from the public schema, may delete a site's file
    default_storage.delete(others[0])
    assert not default_storage.exists(others[0])
    default_storage.delete(others[1])  # but never the template's: every site made from it names them
    assert default_storage.exists(others[1])


def test_a_long_chinese_name_is_renamed_within_the_column(in_site, django_capture_on_commit_callbacks):
    in_site("jtj")
    long_old = old_style_image("jtj/original_images/关于二〇二七年度全市交通运输系统预算草案的配图说明.png")
    after = old_style_image("jtj/original_images/在它之后的图.png")
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        out, err = run("--site", "jtj")
    assert not err and "已改名 2 个图片文件" in out
    connection.set_tenant(in_site("jtj"))
    for image_row in (long_old, after):
        image_row.refresh_from_db()
        assert len(image_row.file.name) <= 100 and not image_names.is_guessable(image_row.file.name)
        assert default_storage.exists(image_row.file.name)


def test_an_editors_replacement_meanwhile_wins(in_site):
    in_site("jtj")
    row = old_style_image("jtj/original_images/正在被替换的图.png")
    old = row.file.name
    stale = get_image_model().objects.get(pk=row.pk)
    replaced = default_storage.save("jtj/original_images/0123456789abcdef_编辑换上的图.png", ContentFile(b"y"))
    get_image_model().objects.filter(pk=row.pk).update(file=replaced)  # the editor, after the command read the row
    assert image_names.rename(old, [stale]) is None
    assert get_image_model().objects.get(pk=row.pk).file.name == replaced
    assert default_storage.exists(old)
