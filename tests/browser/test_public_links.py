"""In a real headless Chromium: links inside the cluster go straight there, hostile ones ask first;
the footer's site pages and 网站群导航; the cluster directory."""

import pytest
from django.core.cache import cache
from django.db import connection
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from cms.models import ArticlePage
from sites.middleware import invalidate_domain_map
from sites.models import Tenant

from ..cms import content
from .conftest import console_errors, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

NEWS_TITLE = "交通运输局浏览器链接测试动态"


@pytest.fixture(scope="module")
def department_news(django_db_setup, django_db_blocker):
    """A committed news item of jtj (the served instance sees only committed data), removed afterwards."""
    with django_db_blocker.unblock():
        connection.set_tenant(Tenant.objects.get(code="jtj"))
        page = content.article(content.column("gzdt"), title=NEWS_TITLE)
        url = page.url
        connection.set_schema_to_public()
        invalidate_domain_map()
        cache.clear()
        try:
            yield url
        finally:
            connection.set_tenant(Tenant.objects.get(code="jtj"))
            ArticlePage.objects.filter(pk=page.pk).delete()
            connection.set_schema_to_public()
            cache.clear()


def open_page(browser, url):
    browser.get(url)
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def dialog_open(browser):
    return browser.execute_script("return document.getElementById('leave-dialog').open")


def click_injected_link(browser, href):
    """A link an editor could have written, added to the page and clicked as a reader would."""
    browser.execute_script(
        "const a = document.createElement('a'); a.href = arguments[0]; a.textContent = '测试链接';"
        "a.id = 'injected-link'; document.querySelector('main').appendChild(a);",
        href,
    )
    browser.find_element(By.ID, "injected-link").click()


def test_links_to_other_sites_of_the_cluster_go_straight_there(served, browser, department_news):
    portal = served.format(code="portal")
    port = portal.rsplit(":", 1)[1]
    open_page(browser, portal + "/zwdt/bmdt/")
    link = browser.find_element(By.LINK_TEXT, NEWS_TITLE)
    # On the port this browser uses, not the one the catalogue row was written with.
    assert link.get_attribute("href") == f"http://jtj.localhost:{port}{department_news}"
    link.click()
    WebDriverWait(browser, 10).until(lambda d: "jtj.localhost" in d.current_url)
    assert browser.current_url == f"http://jtj.localhost:{port}{department_news}"
    assert NEWS_TITLE in browser.find_element(By.TAG_NAME, "h1").text
    assert console_errors(browser) == []


@pytest.mark.parametrize(
    "href",
    [
        "http://jtj.localhost.evil.test/",
        "http://jtj.localhost@evil.test/",
        "/\\evil.test/",
        "//evil.test/",
        "https://www.gov.cn/",
    ],
)
def test_hostile_and_outside_links_still_ask_first(served, browser, href):
    url = served.format(code="portal") + "/"
    open_page(browser, url)
    click_injected_link(browser, href)
    assert dialog_open(browser)
    assert "即将离开本站" in browser.find_element(By.ID, "leave-dialog").text
    browser.find_element(By.CSS_SELECTOR, "[data-leave-stay]").click()
    assert not dialog_open(browser)
    assert browser.current_url == url


def test_footer_links_the_site_pages_and_the_error_report(served, browser):
    base = served.format(code="jtj")
    for text, heading in (("网站地图", "网站地图"), ("网站声明", "网站声明"), ("联系我们", "联系我们")):
        open_page(browser, base + "/")
        browser.find_element(By.CSS_SELECTOR, ".footer-links").find_element(By.LINK_TEXT, text).click()
        WebDriverWait(browser, 10).until(lambda d, h=heading: h in d.find_element(By.TAG_NAME, "h1").text)
        assert browser.find_element(By.CSS_SELECTOR, "footer .footer-links").is_displayed()
    screenshot(browser, "site-contact")
    open_page(browser, base + "/wzdt/")
    tree = browser.find_element(By.CSS_SELECTOR, ".site-map nav")
    assert tree.find_element(By.LINK_TEXT, "政务动态").is_displayed()
    screenshot(browser, "site-map")
    # The national error-report platform is outside the cluster: the notice comes first.
    browser.find_element(By.CSS_SELECTOR, ".footer-links").find_element(By.LINK_TEXT, "我为政府网站找错").click()
    assert dialog_open(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-leave-stay]").click()
    assert console_errors(browser) == []


def test_portal_footer_opens_its_department_sites(served, browser):
    portal = served.format(code="portal")
    port = portal.rsplit(":", 1)[1]
    open_page(browser, portal + "/")
    group = browser.find_element(By.CSS_SELECTOR, ".cluster-links details")
    assert group.find_element(By.TAG_NAME, "summary").text == "部门网站"
    group.find_element(By.TAG_NAME, "summary").click()
    link = group.find_element(By.LINK_TEXT, "测试市交通运输局")
    assert link.is_displayed()
    link.click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url == f"http://jtj.localhost:{port}/")
    assert console_errors(browser) == []


def test_cluster_directory_is_a_styled_navigation_by_kind(served, browser):
    directory = served.format(code="cluster")
    port = directory.rsplit(":", 1)[1]
    open_page(browser, directory + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "网站群导航"
    headings = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".cluster-directory__group h2")]
    assert headings[0].startswith("门户网站") and headings[1].startswith("部门网站")
    tile = browser.find_element(By.CSS_SELECTOR, f"a.tile[href='http://jtj.localhost:{port}/']")
    assert "测试市交通运输局" in tile.text and "jtj.localhost" in tile.text
    # The shared theme tokens are applied: the header has the main colour, tiles are boxes.
    header = browser.execute_script("return getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent")
    assert browser.execute_script("return getComputedStyle(arguments[0]).display", tile) == "block"
    screenshot(browser, "cluster-directory")
    tile.click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url == f"http://jtj.localhost:{port}/")
    assert console_errors(browser) == []
