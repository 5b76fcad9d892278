"""Content types: the tree they build, honest times, pagination, RSS, the 目录 filters."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.utils import timezone

from cms.columns import STANDARD_TREES
from cms.models import (
    ArticlePage,
    ColumnClass,
    ColumnPage,
    DisclosureCatalogPage,
    DisclosureDocumentPage,
    Genre,
    InformationPage,
    LeaderPage,
    ServicePage,
    SiteHomePage,
    TopicCategory,
    TopicPage,
)

from .content import article, column, disclosure, home, publish

pytestmark = pytest.mark.django_db


def test_standard_tree_columns_accept_the_content_types(in_site):
    in_site("jtj")
    assert ColumnPage.objects.count() == sum(1 + len(node[3]) for node in STANDARD_TREES["department"])
    # Each content type has its columns in the standard tree; a news column takes articles only
    # (page types per column class: tests/cms/test_page_types_per_column.py).
    homes = {
        ArticlePage: "gzdt",
        DisclosureDocumentPage: "fdzdgk",
        InformationPage: "gkxx",
        LeaderPage: "fzrxx",
        ServicePage: "bsfw",
        TopicPage: "gkxx",
    }
    for model, slug in homes.items():
        assert model.can_create_at(column(slug)), model
        assert model is ArticlePage or not model.can_create_at(column("gzdt")), model
    assert SiteHomePage.can_create_at(home()) is False
    assert ColumnPage in home().specific_class.allowed_subpage_models()


def test_publish_time_is_real_and_not_editable(in_site):
    in_site("jtj")
    before = timezone.now()
    page = article()
    assert before <= page.first_published_at <= timezone.now()
    assert page.publish_time == timezone.localtime(page.first_published_at).strftime("%Y-%m-%d %H:%M")
    assert "first_published_at" not in {
        getattr(panel, "field_name", None) for panel in ArticlePage.content_panels + ArticlePage.settings_panels
    }
    real = page.first_published_at
    page.first_published_at = real - datetime.timedelta(days=30)  # 伪造发稿日期
    page.save()
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.first_published_at == real


def test_publish_time_shown_in_shanghai_time(in_site, client):
    in_site("jtj")
    page = article()
    ArticlePage.objects.filter(pk=page.pk).update(
        first_published_at=datetime.datetime(2026, 1, 1, 16, 30, tzinfo=datetime.UTC)
    )
    url = page.url
    connection.set_schema_to_public()
    body = client.get(url, HTTP_HOST="jtj.localhost").content.decode()
    assert "2026-01-02 00:30" in body


def test_column_pagination(in_site, client):
    in_site("jtj")
    news = column("gzdt")
    titles = [f"第{i}条工作动态" for i in range(ColumnPage.PER_PAGE + 3)]
    for title in titles:
        article(news, title=title)
    url = news.url
    connection.set_schema_to_public()
    first = client.get(url, HTTP_HOST="jtj.localhost").content.decode()
    second = client.get(url + "?page=2", HTTP_HOST="jtj.localhost").content.decode()
    assert titles[-1] in first and titles[0] not in first
    assert titles[0] in second and titles[-1] not in second
    assert 'aria-label="分页"' in first and "?page=2" in first
    assert client.get(url + "?page=abc", HTTP_HOST="jtj.localhost").status_code == 200


def test_each_column_has_an_rss_feed_of_its_items(in_site, client):
    in_site("jtj")
    news = column("zwdt")
    article(column("gzdt"), title="交通运输局召开年度工作会议", summary="部署年度工作。")
    article(column("tzgg"), title="不应出现在动态栏目的通知")
    url = news.url + "feed/"
    connection.set_schema_to_public()
    response = client.get(url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["交通运输局召开年度工作会议"]
    assert channel.findtext("language") == "zh-cn"
    assert channel.find("item").findtext("link").startswith("http://jtj.localhost/")


def test_column_class_picks_the_list_template(in_site, client):
    in_site("jtj")
    policy, news = column("zcwj"), column("gzdt")
    assert (policy.column_class, news.column_class) == (ColumnClass.POLICY, ColumnClass.NEWS)
    doc = disclosure(policy, title="关于印发交通运输发展规划的通知")
    policy_url, news_url = policy.url, news.url
    connection.set_schema_to_public()
    policy_body = client.get(policy_url, HTTP_HOST="jtj.localhost").content.decode()
    news_body = client.get(news_url, HTTP_HOST="jtj.localhost").content.decode()
    assert '<th scope="col">文号</th>' in policy_body and doc.document_number in policy_body
    assert '<th scope="col">文号</th>' not in news_body and "item-list--rich" in news_body


def test_catalog_browses_by_topic_year_and_genre(in_site, client):
    in_site("jtj")
    transport = disclosure(title="交通类通知", topic_category=TopicCategory.INDUSTRY, genre=Genre.NOTICE)
    education = disclosure(title="教育类意见", topic_category=TopicCategory.SCIENCE, genre=Genre.OPINION)
    catalog = publish(column("xxgk"), DisclosureCatalogPage(title="政府信息公开目录"))
    old = disclosure(title="往年的规划", topic_category=TopicCategory.INDUSTRY, genre=Genre.PLAN)
    DisclosureDocumentPage.objects.filter(pk=old.pk).update(
        first_published_at=datetime.datetime(2019, 6, 1, 2, 0, tzinfo=datetime.UTC)
    )
    url = catalog.url
    connection.set_schema_to_public()

    def titles(query=""):
        body = client.get(url + query, HTTP_HOST="jtj.localhost").content.decode()
        return {t for t in ("交通类通知", "教育类意见", "往年的规划") if t in body}, body

    found, body = titles()
    assert found == {"交通类通知", "教育类意见", "往年的规划"}
    assert "科技、教育（1）" in body and "2019年（1）" in body and transport.index_number in body
    assert titles("?topic=industry")[0] == {"交通类通知", "往年的规划"}
    assert titles("?genre=opinion")[0] == {"教育类意见"}
    assert titles("?year=2019")[0] == {"往年的规划"}
    assert titles("?topic=industry&year=2019")[0] == {"往年的规划"}
    assert titles("?topic=nonsense")[0] == {"交通类通知", "教育类意见", "往年的规划"}
    assert education.index_number in titles("?topic=science")[1]


def test_validity_is_shown_with_the_document(in_site, client):
    in_site("jtj")
    doc = disclosure(validity="repealed")
    url = doc.url
    connection.set_schema_to_public()
    body = client.get(url, HTTP_HOST="jtj.localhost").content.decode()
    assert "已废止" in body
    for label in ("索引号", "分类", "发布机构", "成文日期", "名称", "文号", "发布日期", "主题词"):
        assert f"<dt>{label}：</dt>" in body
    assert doc.index_number in body and "江交发〔2026〕12号" in body and "工业、交通\\通知" in body


# --- Hostile page forms (issue 10, item 7): an empty or broken rich-text body was a 500 ----------


def article_form_data(body):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    data = nested_form_data(
        {
            "title": "关于做好冬季道路运输安全工作的通知",
            "slug": "",
            "subtitle": "",
            "source": "办公室",
            "author": "",
            "summary": "",
            "attachments": streamfield([]),
            "comments": inline_formset([]),
        }
    )
    data["body"] = body
    return data


@pytest.mark.parametrize(
    "body",
    [
        "",
        "{",
        "null",
        "[]",
        '{"blocks": 5}',
        '{"blocks": [{"text": 1}]}',
        '"<p>正文</p>"',
        '{"blocks": [{"key": "a", "type": "unstyled", "text": "x", '
        '"entityRanges": [{"offset": 0, "length": 1, "key": 7}]}], "entityMap": {}}',
    ],
    ids=[
        "empty",
        "cut-json",
        "null",
        "list",
        "blocks-not-a-list",
        "block-without-fields",
        "a-string",
        "entity-that-does-not-exist",
    ],
)
def test_a_broken_rich_text_body_is_a_form_error_not_a_500(in_site, cluster, client, body):
    from django.urls import reverse

    in_site("jtj")
    url = reverse("wagtailadmin_pages:add", args=("cms", "articlepage", column("gzdt").pk))
    count = ArticlePage.objects.count()
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    response = client.post(url, article_form_data(body), HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "“正文”的内容无法识别" in str(errors["body"])
    assert "“正文”的内容无法识别" in response.content.decode()
    in_site("jtj")
    assert ArticlePage.objects.count() == count


def test_a_well_formed_empty_editor_still_saves(in_site, cluster, client):
    """Positive control: what the editor sends for an empty body (one empty paragraph) is a draft."""
    from django.urls import reverse
    from wagtail.test.utils.form_data import rich_text

    in_site("jtj")
    url = reverse("wagtailadmin_pages:add", args=("cms", "articlepage", column("gzdt").pk))
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    response = client.post(url, article_form_data(rich_text("")), HTTP_HOST="jtj.localhost")
    assert response.status_code == 302
    in_site("jtj")
    assert ArticlePage.objects.get(title="关于做好冬季道路运输安全工作的通知").body == ""


def test_a_broken_rich_text_block_in_a_streamfield_is_a_form_error(in_site, cluster, client):
    from django.urls import reverse
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    in_site("jtj")
    url = reverse("wagtailadmin_pages:add", args=("cms", "topicpage", home().pk))
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", "editor"))
    data = nested_form_data(
        {
            "title": "优化营商环境专题",
            "slug": "yshj-broken",
            "intro": "",
            "body": streamfield([("paragraph", "")]),
            "comments": inline_formset([]),
        }
    )
    response = client.post(url, data, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    assert "“专题内容”的内容无法识别" in str(response.context["form"].errors["body"])
    in_site("jtj")
    assert not TopicPage.objects.filter(slug="yshj-broken").exists()
