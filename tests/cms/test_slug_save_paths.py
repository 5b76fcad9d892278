"""Every item keeps the short ``t<date>_<n>`` address whatever the save path.

The long Chinese URL came from the admin's autosave: it created the article (with its short
slug) while the screen's slug field still held the slug the browser made from the title, and the
next save of the same screen, now through the edit view, sent that slug back. Choosing a cover
image was what made the autosave run before the editor pressed a button.
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cms.models import ArticlePage
from cms.models.base import is_automatic_slug

from .content import article, column, image
from .test_slugs import TITLE, article_form

pytestmark = pytest.mark.django_db

ITEM_SLUG = re.compile(r"^t\d{8}_\d{7}$")
HOST = {"HTTP_HOST": "jtj.localhost"}


def _editor_client(cluster, client):
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    return client


def _form_with_image(title, slug, pic):
    data = article_form(title, slug)
    data["cover_image"] = str(pic.pk)
    return data


def test_autosave_then_save_keeps_the_short_slug_with_a_cover_image(in_site, cluster, client):
    in_site("jtj")
    parent = column("gzdt").pk
    pic = image("会议现场")
    client = _editor_client(cluster, client)
    add = reverse("wagtailadmin_pages:add", args=("cms", "articlepage", parent))
    # The autosave: the same form, sent in the background, answered in JSON.
    autosave = client.post(add, _form_with_image(TITLE, TITLE, pic), HTTP_ACCEPT="application/json", **HOST)
    assert autosave.status_code == 200, autosave.content[:300]
    answer = autosave.json()
    assert answer["success"]
    in_site("jtj")
    page = ArticlePage.objects.get(pk=answer["pk"])
    assert ITEM_SLUG.match(page.slug) and page.cover_image_id == pic.pk
    # The screen is told which slug the item got, so it stops sending the title's.
    assert answer["field_updates"]["slug"] == page.slug
    # A screen that did not apply the update sends the title's slug back: the item keeps its own.
    connection.set_schema_to_public()
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    saved = client.post(edit, _form_with_image(TITLE, TITLE, pic), **HOST)
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    in_site("jtj")
    page.refresh_from_db()
    assert ITEM_SLUG.match(page.slug)
    assert page.get_latest_revision_as_object().slug == page.slug
    # The title's slug after a change of title (the screen's script follows the title) too.
    connection.set_schema_to_public()
    retitled = TITLE + "（更新）"
    # (the slug field refuses full-width brackets: the browser's script drops them)
    assert client.post(edit, _form_with_image(retitled, TITLE + "更新", pic), **HOST).status_code == 302
    in_site("jtj")
    page.refresh_from_db()
    assert ITEM_SLUG.match(page.slug) and page.get_latest_revision_as_object().title == retitled
    # …while a slug the editor typed on purpose is still taken.
    connection.set_schema_to_public()
    assert client.post(edit, _form_with_image(retitled, "tui-jin-hui", pic), **HOST).status_code == 302
    in_site("jtj")
    assert ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object().slug == "tui-jin-hui"


def test_the_admin_create_form_with_a_cover_image_gives_the_short_slug(in_site, cluster, client):
    in_site("jtj")
    parent = column("gzdt").pk
    pic = image("会议现场")
    client = _editor_client(cluster, client)
    add = reverse("wagtailadmin_pages:add", args=("cms", "articlepage", parent))
    response = client.post(add, _form_with_image(TITLE, TITLE, pic), **HOST)
    assert response.status_code == 302
    in_site("jtj")
    page = ArticlePage.objects.get(title=TITLE)
    assert ITEM_SLUG.match(page.slug) and page.cover_image_id == pic.pk


def test_a_saved_item_keeps_its_slug_when_code_sets_the_titles_slug(in_site):
    in_site("jtj")
    page = article(title=TITLE, cover_image=image())
    slug = page.slug
    page.slug = TITLE
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.slug == slug
    page.slug = ""
    page.save()
    page.refresh_from_db()
    assert page.slug == slug


def test_a_copy_made_in_the_admin_gets_a_short_slug(in_site, cluster, client):
    in_site("jtj")
    original = article(title=TITLE)
    target = column("tzgg").pk
    client.force_login(cluster.user("jtj", "site_admin"))
    connection.set_schema_to_public()
    copy_title = "市交通运输局召开城市公交线网优化工作推进会（副本）"
    response = client.post(
        reverse("wagtailadmin_pages:copy", args=(original.pk,)),
        {"new_title": copy_title, "new_slug": TITLE + "副本", "new_parent_page": target},
        **HOST,
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    in_site("jtj")
    copy = ArticlePage.objects.get(title=copy_title)
    assert ITEM_SLUG.match(copy.slug) and copy.pk != original.pk


def test_imported_items_get_short_slugs(in_site, tmp_path):
    in_site("jtj")
    source = tmp_path / "关于开展冬季道路运输安全大检查的通知.txt"
    source.write_text("关于开展冬季道路运输安全大检查的通知\n\n各单位：请于月底前完成自查。\n", encoding="utf-8")
    call_command("import_content", "--site", "jtj", "--column", "tzgg", str(source))
    in_site("jtj")
    page = ArticlePage.objects.get(title="关于开展冬季道路运输安全大检查的通知")
    assert ITEM_SLUG.match(page.slug)


@pytest.mark.parametrize(
    "slug, title",
    [
        ("关于印发城市公交线网优化实施方案的通知", "关于印发《城市公交线网优化实施方案》的通知"),
        ("关于印发-城市公交线网优化实施方案-的通知", "关于印发《城市公交线网优化实施方案》的通知"),
        ("2026年元旦春节期间道路运输保障工作会召开", "2026年元旦、春节期间道路运输保障工作会召开"),
        ("市局召开gdp专题会-3", "市局召开GDP专题会"),
    ],
)
def test_the_browsers_slug_of_a_title_with_punctuation_is_automatic(slug, title):
    assert is_automatic_slug(slug, title)


def test_a_chinese_slug_the_editor_chose_is_not_automatic():
    assert not is_automatic_slug("公交线网优化", "关于印发《城市公交线网优化实施方案》的通知")
    assert not is_automatic_slug("通知", "通知公告")
