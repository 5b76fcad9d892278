"""The 政府网站工作年度报表 screen in a real headless Chromium: jtj's site admin generates the report,
enters a figure no data can give, regenerates, and finds the entry kept and shown.

The served instance commits; the fixture removes the report it made, so no other test sees it.
"""

import pytest
from django.db import connection
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from sites.models import Role
from supervision.reports.models import AnnualReport

from .conftest import console_errors, screenshot
from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

YEAR = 2014  # a year no other test reports on


@pytest.fixture(scope="module")
def committed_reports(django_db_setup, django_db_blocker):
    """Outside the test's transaction (module scope): what the server committed is removed for real."""
    yield
    with django_db_blocker.unblock():
        AnnualReport.objects.filter(tenant__code="jtj", year=YEAR).delete()
        connection.set_schema_to_public()


def _wait_text(browser, text, timeout=30):
    try:
        WebDriverWait(browser, timeout).until(lambda b: text in b.find_element(By.TAG_NAME, "body").text)
    except TimeoutException:
        screenshot(browser, "annual-report-timeout")
        raise AssertionError(f"“{text}” not shown at {browser.current_url}") from None


def _click(browser, label):
    button = browser.find_element(By.XPATH, f"//button[normalize-space()='{label}']")
    # The form is long and the admin scrolls its own content pane, which WebDriver's click does
    # not scroll: press the button from the page's script, as a click on it would.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)


def test_site_admin_generates_fills_and_regenerates(browser, served, cluster, committed_reports):
    base = served.format(code="jtj")
    login(browser, base, cluster.user("jtj", Role.SITE_ADMIN).username, cluster.password)
    browser.get(base + "/admin/supervision/reports/annual/")
    _wait_text(browser, "政府网站工作年度报表")
    year = browser.find_element(By.ID, "report-year")
    year.clear()
    year.send_keys(str(YEAR))
    _click(browser, "生成报表")
    _wait_text(browser, f"{YEAR}年政府网站工作年度报表")

    interviews = browser.find_element(By.ID, "id_interviews")
    interviews.clear()
    interviews.send_keys("6")
    _click(browser, "保存填报内容")
    _wait_text(browser, "已保存人工填报内容")
    _click(browser, "按最新数据重新生成")
    _wait_text(browser, "人工填报内容保持不变")

    row = browser.find_element(By.XPATH, "//tr[td[normalize-space()='访谈期数']]")
    assert "6" in row.text and "人工填报" in row.text
    assert browser.find_element(By.ID, "id_interviews").get_attribute("value") == "6"
    screenshot(browser, "annual-report")
    assert not console_errors(browser)
