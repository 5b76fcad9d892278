"""The 专题 template set: every page type renders in it, accessibly, banner-led, and only on the
sites that use it."""

import pytest
from django.db import connection

from themes.models import Theme
from themes.registry import TEMPLATE_SETS, branding_limits
from themes.services import assign_theme

from ..cms.content import every_page_type, home
from .html_checks import assert_accessible
from .test_rendering import PAGE_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic_pages(in_site, cluster):
    in_site("jyj")
    urls = {name: page.url for name, page in every_page_type().items()}
    page = home()
    page.intro = "持续深化“双减”工作，促进学生全面发展、健康成长。"
    page.save_revision().publish()
    connection.set_schema_to_public()
    assign_theme(Theme.objects.get(slug="topic"), cluster.sites["jyj"])
    return urls


def test_the_topic_set_is_registered_with_a_builtin_theme():
    assert TEMPLATE_SETS["topic"] == "专题"
    theme = Theme.objects.get(slug="topic")
    assert theme.name == "专题" and theme.template_set == "topic"
    theme.full_clean()  # the built-in colours keep the colour rule and WCAG contrast
    assert theme.versions.filter(number=theme.version).exists()  # applied, it shows its first version
    # The banner band is taller than a header strip: a 1920×480 picture fits, a 1920×200 one does not.
    assert branding_limits("topic").banner_errors(1920, 480) == []
    assert branding_limits("topic").banner_errors(1920, 200) != []


def test_every_page_type_renders_in_the_topic_set(client, topic_pages):
    for name in PAGE_TYPES:
        response = client.get(topic_pages[name], HTTP_HOST="jyj.localhost")
        assert response.status_code == 200, name
        html = response.content.decode()
        assert 'class="theme-topic' in html, name
        assert "/static/themes/topic/theme.css" in html, name
        assert "/static/themes/blue/theme.css" not in html, name  # no fallback to the department look
        assert_accessible(html)
        assert "党政机关网站标识" in html, name
        if name != "home":
            assert 'aria-label="当前位置"' in html, name


def test_the_topic_home_is_banner_led_with_a_block_per_column(client, topic_pages):
    html = client.get(topic_pages["home"], HTTP_HOST="jyj.localhost").content.decode()
    banner = html.index('class="topic-banner')
    assert banner < html.index('id="main"')  # the banner band opens the page, above the content
    assert '<h1 id="topic-banner-title" class="topic-banner__title">测试市教育局</h1>' in html
    assert "持续深化“双减”工作" in html  # the topic's intro in the band
    assert html.count('class="topic-section"') >= 3  # one block per column
    assert "关于做好节日期间值班工作的通知" in html  # a column's newest item in its block
    assert 'aria-label="当前位置"' not in html


def test_a_topic_page_in_the_topic_set_has_the_banner_band(client, topic_pages):
    html = client.get(topic_pages["topic"], HTTP_HOST="jyj.localhost").content.decode()
    assert '<section class="topic-banner" aria-labelledby="topic-banner-title">' in html  # no picture: the colour band
    assert '<h1 id="topic-banner-title" class="topic-banner__title">优化营商环境专题</h1>' in html
    assert '<p class="topic-banner__intro">持续优化营商环境。</p>' in html
    assert "专题介绍。" in html


def test_other_sites_keep_their_own_set(client, topic_pages, cluster):
    html = client.get("/", HTTP_HOST="jtj.localhost").content.decode()
    assert "theme-topic" not in html and "topic-banner" not in html
