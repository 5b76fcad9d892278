"""A newcomer signed in as the web office creates a site, edits its footer data, finds it on the
cluster home and opens its admin, in a real Chromium, meeting no English on the console's screens."""

import time

import pytest
from django.db import connection
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from sites.models import Tenant
from tests.factories import drop_site
from tests.sites.test_console_language import WORD, english_words

from .conftest import screenshot
from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CODE = "brw" + time.strftime("%H%M%S")


@pytest.fixture(scope="module")
def made_site(django_db_setup, django_db_blocker):
    """Removes the site the served instance created (committed), as tests/sites/test_backup.py does."""
    yield CODE
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        tenant = Tenant.objects.filter(code=CODE).first()
        if tenant is None:
            return
        drop_site(tenant, CODE)


def _wait(browser, condition, timeout=45):
    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:
        screenshot(browser, "console-timeout")
        text = browser.find_element(By.TAG_NAME, "body").text[:1500]
        raise AssertionError(f"timed out at {browser.current_url}:\n{text}") from None


def _no_english(browser):
    words, _text = english_words(browser.page_source, data=WORD.findall(CODE))
    assert not words, f"English on {browser.current_url}: {sorted(words)}"


def _submit(browser, form_selector):
    button = browser.find_element(By.CSS_SELECTOR, f"{form_selector} button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)


def test_the_web_office_creates_a_site_and_opens_its_admin(browser, served, cluster, made_site):
    portal = served.format(code="portal")
    login(browser, portal, "weboffice", cluster.password)

    browser.get(portal + "/admin/cluster/new/")
    _wait(browser, lambda b: b.find_elements(By.ID, "id_code"))
    _no_english(browser)
    browser.find_element(By.ID, "id_code").send_keys(made_site)
    browser.find_element(By.ID, "id_name").send_keys("浏览器测试局")
    Select(browser.find_element(By.ID, "id_parent")).select_by_value("portal")
    browser.find_element(By.ID, "id_domain").send_keys(f"{made_site}.localhost")
    _submit(browser, "#site-create-form")
    _wait(browser, lambda b: f"/admin/cluster/{made_site}/" in b.current_url)
    # The address changes before the new page has finished loading (its messages come with it).
    _wait(browser, lambda b: "已开通站点 浏览器测试局" in b.find_element(By.TAG_NAME, "body").text)
    _no_english(browser)

    # The footer's registration data, saved from the site's screen.
    for field, value in (("id_site_identifier", "1234000077"), ("id_contact_phone", "0771-7777777")):
        element = browser.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    _submit(browser, f'form[action="/admin/cluster/{made_site}/"]')
    _wait(browser, lambda b: "已保存站点信息" in b.find_element(By.TAG_NAME, "body").text)
    assert Tenant.objects.get(code=made_site).contact_phone == "0771-7777777"
    home = served.format(code=made_site) + "/"
    browser.get(home)
    assert "0771-7777777" in browser.find_element(By.TAG_NAME, "footer").text

    # The cluster home lists it, linking to its admin on the port the cluster is served on.
    browser.get(portal + "/admin/")
    panel = _wait(browser, lambda b: b.find_element(By.ID, "cluster-sites-panel"))
    assert "浏览器测试局" in panel.text
    link = panel.find_element(By.CSS_SELECTOR, f'a[href="{served.format(code=made_site)}/admin/"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", link)
    _wait(
        browser,
        lambda b: (
            b.current_url.startswith(served.format(code=made_site) + "/admin/")
            and "/admin/login/" not in b.current_url
            and b.execute_script("return document.readyState") == "complete"
        ),
    )
    assert browser.find_elements(By.ID, "cluster-sites-panel")  # signed in there too: the web office's home
