"""A column whose content is one page (公开指南, 公开制度, 依申请公开, 概况信息) shows that page.

Not an empty document table with a link under it: the guide's text is on the column's own page.
"""

import pytest
from django.db import connection
from wagtail.models import BaseViewRestriction, PageViewRestriction

from cms.models import ColumnPage, InformationPage

from . import content

pytestmark = pytest.mark.django_db

GUIDE_TEXT = "本指南说明本机关主动公开政府信息的范围、形式和查阅地点。"


def body_of(client, path, host="jtj.localhost"):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def test_a_disclosure_column_holding_its_guide_shows_the_guide(in_site, client):
    in_site("jtj")
    gkzn = ColumnPage.objects.get(slug="gkzn")
    path = gkzn.get_url()
    connection.set_schema_to_public()
    # The positive control: the column with nothing in it reads as empty, with the empty table.
    before = body_of(client, path)
    assert "本栏目暂无信息" in before
    in_site("jtj")
    guide = content.publish(
        gkzn, InformationPage(title="测试市交通运输局政府信息公开指南", slug="zn", body=f"<p>{GUIDE_TEXT}</p>")
    )
    connection.set_schema_to_public()
    html = body_of(client, path)
    assert GUIDE_TEXT in html
    assert 'class="article column-lead"' in html and "测试市交通运输局政府信息公开指南" in html
    assert "本栏目暂无信息" not in html and "<table" not in html
    # The guide keeps its own address too.
    assert GUIDE_TEXT in body_of(client, guide.get_url())


def test_a_static_column_with_one_page_shows_it_and_with_two_lists_them(in_site, client):
    in_site("jtj")
    gkxx = ColumnPage.objects.get(slug="gkxx")
    path = gkxx.get_url()
    content.publish(gkxx, InformationPage(title="本局概况", slug="gk", body="<p>本局主要职责是统筹全市交通运输。</p>"))
    connection.set_schema_to_public()
    assert "本局主要职责是统筹全市交通运输。" in body_of(client, path)
    in_site("jtj")
    content.publish(gkxx, InformationPage(title="内设机构", slug="ns", body="<p>办公室、规划科。</p>"))
    connection.set_schema_to_public()
    html = body_of(client, path)
    # Two pages: the column is a list of them again, each a link, their text on their own pages.
    assert "column-lead" not in html and "本局主要职责是统筹全市交通运输。" not in html
    assert ">本局概况</a>" in html and ">内设机构</a>" in html


def test_news_columns_are_never_replaced_by_a_page(in_site, client):
    """19号 counts news columns by their items: an information page in one does not fill it."""
    in_site("jtj")
    gzdt = ColumnPage.objects.get(slug="gzdt")
    content.publish(gzdt, InformationPage(title="栏目说明页", slug="sm", body="<p>这里发布工作动态。</p>"))
    path = gzdt.get_url()
    connection.set_schema_to_public()
    html = body_of(client, path)
    assert "column-lead" not in html and "这里发布工作动态。" not in html
    assert "本栏目暂无信息" in html


def test_a_column_with_documents_lists_them_and_keeps_its_page_a_link(in_site, client):
    in_site("jtj")
    gkzd = ColumnPage.objects.get(slug="gkzd")
    content.publish(gkzd, InformationPage(title="保密审查制度", slug="bm", body="<p>先审查、后公开。</p>"))
    content.disclosure(gkzd, title="关于印发信息公开工作制度的通知")
    path = gkzd.get_url()
    connection.set_schema_to_public()
    html = body_of(client, path)
    assert "关于印发信息公开工作制度的通知" in html and "<table" in html
    assert "column-lead" not in html and ">保密审查制度</a>" in html


def test_a_restricted_guide_is_not_shown_in_its_column(in_site, client):
    """The visibility rule holds: a page the public may not read is not copied into a public one."""
    in_site("jtj")
    gkzn = ColumnPage.objects.get(slug="gkzn")
    guide = content.publish(gkzn, InformationPage(title="内部指南草案", slug="nb", body="<p>仅限内部传阅的草案。</p>"))
    PageViewRestriction.objects.create(page=guide, restriction_type=BaseViewRestriction.LOGIN)
    path = gkzn.get_url()
    connection.set_schema_to_public()
    html = body_of(client, path)
    assert "仅限内部传阅的草案。" not in html and "内部指南草案" not in html
