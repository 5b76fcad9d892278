"""Public pages and single sign-on, in a real headless Chromium."""

import pytest
from selenium.webdriver.common.by import By

from .conftest import console_errors, screenshot
from .helpers import LOGOUT_SCRIPT, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_department_home_page_renders_with_footer_and_no_console_errors(served, browser, cluster):
    browser.get(served.format(code="jtj") + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    assert cluster.sites["jtj"].name in browser.title
    assert browser.find_elements(By.CSS_SELECTOR, "main")
    footer = browser.find_element(By.TAG_NAME, "footer").text
    assert "主办单位" in footer
    screenshot(browser, "department-home")
    assert console_errors(browser) == []


def test_unknown_host_is_not_found_in_the_browser(served, browser):
    browser.get(served.format(code="nosuchsite") + "/")
    assert "404" in browser.find_element(By.TAG_NAME, "h1").text


def test_one_login_works_on_every_site_and_logout_ends_it_everywhere(served, browser, cluster):
    web_office = cluster.user(None, "web_office")  # the system administrator (三员分立)
    jtj, jyj = served.format(code="jtj"), served.format(code="jyj")
    login(browser, jtj, web_office.username, cluster.password)
    assert "/admin/login" not in browser.current_url
    # The session cookie is set on the parent domain: the other site's admin opens without a login.
    browser.get(jyj + "/admin/")
    assert "/admin/login" not in browser.current_url, "not signed in on the second site"
    screenshot(browser, "sso-second-site")
    # Logging out on one site ends the session on every site.
    status = browser.execute_async_script(LOGOUT_SCRIPT)
    assert status in (200, 302)
    browser.get(jtj + "/admin/")
    assert "/admin/login" in browser.current_url
