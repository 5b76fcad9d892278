"""Each rule against a site built to break it, and a clean site that must raise nothing."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from cms.models import ArticlePage, ColumnPage, InformationPage
from supervision.checks.checks import check_site
from tests.cms import content

from .sites import days_later, fill_footer, make_clean

pytestmark = pytest.mark.django_db


def rules_of(findings, code=None):
    return [f for f in findings if code is None or f["rule"] == code]


@pytest.fixture
def jtj(cluster):
    return cluster.sites["jtj"]


def test_a_clean_site_raises_nothing(jtj):
    make_clean(jtj)
    connection.set_schema_to_public()
    assert check_site(jtj) == []


def test_empty_columns_count_what_the_public_sees(jtj, client):
    made = make_clean(jtj)
    connection.set_tenant(jtj)
    # 政府信息公开指南 holding only its guide page: the list shows the guide, not "本栏目暂无信息".
    gkzn = ColumnPage.objects.get(slug="gkzn")
    made["gkzn"].unpublish()
    guide = content.publish(gkzn, InformationPage(title="本局政府信息公开指南", body="<p>指南正文。</p>"))
    # 政府信息公开制度 with nothing at all: empty.
    made["gkzd"].unpublish()
    # A news column with nothing: empty, whatever else it holds.
    made["tzgg"].unpublish()
    gkzn_path = gkzn.get_url()
    connection.set_schema_to_public()
    page = client.get(gkzn_path, HTTP_HOST="jtj.localhost")
    assert "本局政府信息公开指南" in page.content.decode() and "本栏目暂无信息" not in page.content.decode()
    findings = rules_of(check_site(jtj), "empty_column")
    titles = sorted(f["message"] for f in findings)
    assert len(findings) == 2, titles
    assert any("政府信息公开制度" in t for t in titles)
    assert any("通知公告" in t for t in titles)
    assert not any(guide.title in t or "政府信息公开指南" in t for t in titles)
    assert not any(f["veto"] for f in findings)
    assert all(f["url"].startswith("http://jtj.localhost") for f in findings)


def test_five_empty_columns_are_a_veto(jtj):
    # The fresh session site: its standard columns show nothing.
    findings = check_site(jtj)
    empty = rules_of(findings, "empty_column")
    assert len([f for f in empty if not f["veto"]]) >= 5
    assert findings[0]["veto"], "veto findings come first"
    assert any(f["veto"] for f in empty)


def test_homepage_reminders_on_day_10_and_12_and_veto_on_day_14(jtj):
    make_clean(jtj)
    connection.set_schema_to_public()
    assert rules_of(check_site(jtj, today=days_later(9)), "homepage_stale") == []
    (day10,) = rules_of(check_site(jtj, today=days_later(10)), "homepage_stale")
    assert day10["alarm"] == "day10" and not day10["veto"] and "4 天后" in day10["message"]
    (day12,) = rules_of(check_site(jtj, today=days_later(12)), "homepage_stale")
    assert day12["alarm"] == "day12" and not day12["veto"]
    (day14,) = rules_of(check_site(jtj, today=days_later(14)), "homepage_stale")
    assert day14["veto"] and day14["alarm"] == "stale"


def test_news_columns_go_stale_after_14_days_notice_after_6_months(jtj):
    make_clean(jtj)
    connection.set_schema_to_public()
    stale = rules_of(check_site(jtj, today=days_later(15)), "column_stale")
    stale_titles = {f["message"].split("”")[0] for f in stale if not f["veto"]}
    assert stale_titles == {"栏目“政务动态", "栏目“工作动态"}, stale_titles
    later = rules_of(check_site(jtj, today=days_later(190)), "column_stale")
    assert any("通知公告" in f["message"] for f in later)
    assert any("政策文件" in f["message"] for f in later)
    assert not any("概况信息" in f["message"] for f in later), "static columns have no freshness rule"


def test_five_stale_columns_are_a_veto(jtj):
    make_clean(jtj)
    connection.set_tenant(jtj)
    zwdt = ColumnPage.objects.get(slug="zwdt")
    for n in range(3):
        zwdt.add_child(instance=ColumnPage(title=f"专项动态{n}", slug=f"zxdt{n}", column_class="news"))
        content.article(ColumnPage.objects.get(slug=f"zxdt{n}"), title=f"专项动态{n}信息")
    connection.set_schema_to_public()
    findings = rules_of(check_site(jtj, today=days_later(15)), "column_stale")
    assert len([f for f in findings if not f["veto"]]) == 5
    assert any(f["veto"] for f in findings)


def test_an_old_item_makes_a_column_stale_a_new_one_does_not(jtj):
    make_clean(jtj)
    connection.set_tenant(jtj)
    gzdt = ColumnPage.objects.get(slug="gzdt")
    old = timezone.now() - datetime.timedelta(days=20)
    ArticlePage.objects.child_of(gzdt).update(first_published_at=old)
    # 政务动态 lists its sub-columns' items too: a fresh one of its own keeps it fresh.
    content.article(ColumnPage.objects.get(slug="zwdt"), title="政务动态最新信息")
    connection.set_schema_to_public()
    stale = rules_of(check_site(jtj), "column_stale")
    assert {f["message"].split("”")[0] for f in stale} == {"栏目“工作动态"}
    assert stale[0]["page_id"] == gzdt.pk


def test_footer_items_missing_or_malformed(jtj):
    fill_footer(jtj, site_identifier="", icp_number="备案中", contact_phone="")
    findings = rules_of(check_site(jtj), "footer_missing")
    messages = " ".join(f["message"] for f in findings)
    assert len(findings) == 3
    assert "网站标识码缺失" in messages and "ICP备案号“备案中”格式不正确" in messages and "联系电话缺失" in messages
    fill_footer(jtj)
    assert rules_of(check_site(jtj), "footer_missing") == []


def test_homepage_blocks_decide_what_the_homepage_shows(jtj):
    from cms.models import SiteHomePage

    make_clean(jtj)
    connection.set_tenant(jtj)
    home = SiteHomePage.objects.get()
    tzgg = ColumnPage.objects.get(slug="tzgg")
    # The homepage shows only 通知公告, whose newest item is 20 days old: stale, though 工作动态 is fresh.
    ArticlePage.objects.child_of(tzgg).update(first_published_at=timezone.now() - datetime.timedelta(days=20))
    home.body = [("column_latest", {"title": "通知公告", "column": tzgg, "count": 6})]
    home.save_revision().publish()
    connection.set_schema_to_public()
    (stale,) = rules_of(check_site(jtj), "homepage_stale")
    assert stale["veto"] and "20 天" in stale["message"]
    connection.set_tenant(jtj)
    content.article(tzgg, title="关于春节放假的通知")
    connection.set_schema_to_public()
    assert rules_of(check_site(jtj), "homepage_stale") == []


def test_news_column_reminders_before_the_deadline_cost_nothing(jtj):
    make_clean(jtj)
    connection.set_schema_to_public()
    reminders = rules_of(check_site(jtj, today=days_later(10)), "column_stale")
    assert {f["alarm"] for f in reminders} == {"day10"}
    assert all(f["points"] == 0 and not f["veto"] for f in reminders)
    assert any("工作动态" in f["message"] and "4 天后" in f["message"] for f in reminders)
    assert {f["alarm"] for f in rules_of(check_site(jtj, today=days_later(12)), "column_stale")} == {"day12"}
