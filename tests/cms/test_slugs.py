"""Item pages get short ASCII slugs unless the editor chose one; columns keep their standard slugs."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import ArticlePage, ColumnPage, InformationPage, LeaderPage
from cms.models.base import is_automatic_slug

from .content import article, column, disclosure, publish

pytestmark = pytest.mark.django_db

ITEM_SLUG = re.compile(r"^t(\d{8})_\d{7}$")
TITLE = "市交通运输局召开城市公交线网优化工作推进会"


def today():
    return timezone.localdate().strftime("%Y%m%d")


def test_items_created_without_a_slug_get_a_short_ascii_one(in_site):
    in_site("jtj")
    pages = [
        article(title=TITLE),
        disclosure(),
        publish(column("gkxx"), InformationPage(title="机构简介")),
        publish(column("fzrxx"), LeaderPage(title="李建国", position="局长", responsibilities="主持全面工作。")),
    ]
    for page in pages:
        match = ITEM_SLUG.match(page.slug)
        assert match and match.group(1) == today(), page.slug
        assert page.url.isascii() and page.url.endswith(f"/{page.slug}/")
    # Same title twice in one column: two different slugs, both ASCII.
    again = article(title=TITLE)
    assert ITEM_SLUG.match(again.slug) and again.slug != pages[0].slug


def test_wagtails_chinese_slug_of_the_title_counts_as_automatic_but_explicit_slugs_are_kept(in_site):
    in_site("jtj")
    # What Wagtail's editor script and its server-side fallback make from the title.
    assert is_automatic_slug("市交通运输局召开城市公交线网优化工作推进会", TITLE)
    assert is_automatic_slug("关于印发城市公交线网优化实施方案的通知", "关于印发《城市公交线网优化实施方案》的通知")
    assert is_automatic_slug("市交通运输局召开城市公交线网优化工作推进会-2", TITLE)
    assert is_automatic_slug("", TITLE)
    assert not is_automatic_slug("gjxw-yh", TITLE)
    assert not is_automatic_slug("推进会", TITLE)  # a Chinese slug the editor typed on purpose
    kept = article(title=TITLE, slug="gjxw-yh")
    assert kept.slug == "gjxw-yh"
    chinese = article(title="关于做好节日期间值班工作的通知", slug="值班通知")
    assert chinese.slug == "值班通知"
    auto = article(title="关于做好节日期间值班工作的通知", slug="关于做好节日期间值班工作的通知")
    assert ITEM_SLUG.match(auto.slug)


def test_editing_never_changes_a_slug(in_site):
    in_site("jtj")
    page = article(title=TITLE)
    slug = page.slug
    page.title = "市交通运输局召开城市公交线网优化工作推进会（更正）"
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.slug == slug
    old = article(title="旧文章", slug="old-news")
    ArticlePage.objects.filter(pk=old.pk).update(slug="旧文章")  # made before this rule existed
    old.refresh_from_db()
    old.save_revision().publish()
    old.refresh_from_db()
    assert old.slug == "旧文章"


def test_columns_keep_their_standard_slugs(in_site):
    in_site("jtj")
    assert {"gkxx", "zwdt", "gzdt", "tzgg", "xxgk", "fdzdgk"} <= set(ColumnPage.objects.values_list("slug", flat=True))
    new_column = column("zwdt").add_child(instance=ColumnPage(title="交通要闻", column_class="news"))
    assert new_column.slug == "交通要闻"  # Wagtail's own behaviour for columns


def article_form(title, slug):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "subtitle": "",
            "source": "办公室",
            "author": "",
            "summary": "",
            "body": rich_text("<p>正文。</p>"),
            "attachments": streamfield([]),
            "comments": inline_formset([]),
        }
    )


def test_admin_create_screen_gives_the_ascii_slug_unless_the_editor_chose_one(in_site, cluster, client):
    in_site("jtj")
    parent = column("gzdt").pk
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    url = reverse("wagtailadmin_pages:add", args=("cms", "articlepage", parent))
    host = {"HTTP_HOST": "jtj.localhost"}
    # The editor left the slug Wagtail's script filled in from the Chinese title.
    assert client.post(url, article_form(TITLE, TITLE), **host).status_code == 302
    # The editor typed a slug.
    assert client.post(url, article_form("第二篇", "di-er-pian"), **host).status_code == 302
    # The same form sent again (a double click, an autosave racing the submit button) is refused
    # as Wagtail refuses a duplicate slug, not made into a second page…
    again = client.post(url, article_form(TITLE, TITLE), **host)
    assert again.status_code == 200 and "slug" in again.context["form"].errors
    # …and with a slug of their own the editor can have a second page of that title.
    assert client.post(url, article_form(TITLE, "tui-jin-hui-2"), **host).status_code == 302
    in_site("jtj")
    slugs = sorted(ArticlePage.objects.filter(title=TITLE).values_list("slug", flat=True))
    assert len(slugs) == 2 and ITEM_SLUG.match(slugs[0]) and slugs[1] == "tui-jin-hui-2"
    assert ArticlePage.objects.get(title="第二篇").slug == "di-er-pian"
