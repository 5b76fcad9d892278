"""征集调查 as a citizen's browser sees it: the comment form and the questionnaire filled in headless
Chromium, on a desktop and a 360 px phone, with the elder mode; no console errors (the CSP allows no
inline script, so a violation would show there)."""

import pytest
from django.core.cache import cache
from django.db import connection
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from interaction.pages.models import CommentStatus, ConsultationComment, QuestionnaireResponse
from sites.models import Tenant

from ..interaction.participation import consultation, questionnaire
from .conftest import console_errors, screenshot
from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SITE = "jtj"


@pytest.fixture(scope="module")
def participation_pages(django_db_setup, django_db_blocker):
    """An open consultation and an open questionnaire, committed (the served instance sees only
    committed data) and deleted afterwards with everything submitted to them."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(code=SITE)
        connection.set_tenant(tenant)
        pages = {
            "consultation": consultation(title="关于《网约车管理实施细则（征求意见稿）》公开征求意见"),
            "questionnaire": questionnaire(title="市民公交出行满意度调查"),
        }
        links = {name: page.link for name, page in pages.items()}
        ids = {name: page.pk for name, page in pages.items()}
        connection.set_schema_to_public()
        cache.clear()
        try:
            yield {"links": links, "ids": ids, "tenant": tenant}
        finally:
            connection.set_tenant(tenant)
            for page in pages.values():
                page.delete()
            connection.set_schema_to_public()
            cache.clear()


def wait_for(browser, css):
    return WebDriverWait(browser, 20).until(lambda b: b.find_element(By.CSS_SELECTOR, css))


def no_sideways_scroll(browser):
    return browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_a_citizen_comments_on_a_consultation(served, browser, participation_pages, cluster):
    base = served.format(code=SITE)
    browser.get(base + participation_pages["links"]["consultation"])
    assert "征集中" in browser.find_element(By.CSS_SELECTOR, ".participation__period").text
    # The honeypot is out of sight for people.
    assert not browser.find_element(By.NAME, "homepage").is_displayed()
    browser.find_element(By.NAME, "text").send_keys("建议<b>明确</b>网约车驾驶员的休息时间要求。")
    browser.find_element(By.NAME, "name").send_keys("钱七")
    browser.find_element(By.NAME, "contact").send_keys("13912345678")
    browser.find_element(By.CSS_SELECTOR, ".participation__fields button[type=submit]").click()
    notice = wait_for(browser, ".participation__notice[role=status]")
    assert "意见经审核后公开" in notice.text
    assert "网约车驾驶员的休息时间" not in browser.find_element(By.CSS_SELECTOR, ".participation__comments").text
    screenshot(browser, "consultation-sent")
    assert console_errors(browser) == []

    connection.set_tenant(participation_pages["tenant"])
    [comment] = ConsultationComment.objects.filter(page_id=participation_pages["ids"]["consultation"])
    assert comment.status == CommentStatus.PENDING and comment.contact == "13912345678"
    connection.set_schema_to_public()

    # The site's editor approves it on the moderation screen (the test's own writes would stay in
    # its transaction, unseen by the served instance).
    login(browser, base, cluster.user(SITE, "editor").username, cluster.password)
    browser.get(base + "/admin/participation/comments/")
    row = wait_for(browser, "table.listing tbody tr")
    assert "网约车驾驶员的休息时间" in row.text and "139****5678" in row.text
    row.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
    WebDriverWait(browser, 20).until(lambda b: "已公开该意见" in b.page_source)
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})  # back to an anonymous reader

    browser.get(base + participation_pages["links"]["consultation"])
    shown = browser.find_element(By.CSS_SELECTOR, ".participation__comments").text
    assert "建议<b>明确</b>网约车驾驶员的休息时间要求。" in shown  # the tags typed stay text
    assert "钱*" in shown and "13912345678" not in browser.page_source

    # A phone and the elder mode: no sideways scrolling, larger text.
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 760, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        browser.get(base + participation_pages["links"]["consultation"])
        assert no_sideways_scroll(browser)
        normal = browser.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
        browser.find_element(By.CSS_SELECTOR, "[data-mode-toggle]").click()
        elder = browser.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert elder >= normal * 1.2 and no_sideways_scroll(browser)
        screenshot(browser, "consultation-360-elder")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert console_errors(browser) == []


def test_a_citizen_fills_in_the_questionnaire_once(served, browser, participation_pages):
    base = served.format(code=SITE)
    link = base + participation_pages["links"]["questionnaire"]
    browser.get(link)
    browser.find_element(By.CSS_SELECTOR, "input[type=radio][value='地铁']").click()
    for option in ("准点率", "线路覆盖"):
        browser.find_element(By.CSS_SELECTOR, f"input[type=checkbox][value='{option}']").click()
    browser.find_element(By.CSS_SELECTOR, ".participation__question textarea").send_keys("希望增开夜班车")
    browser.find_element(By.CSS_SELECTOR, ".participation__fields button[type=submit]").click()
    assert "感谢您参与本次调查" in wait_for(browser, ".participation__notice[role=status]").text
    bars = browser.find_elements(By.CSS_SELECTOR, ".participation__bars li")
    figures = {bar.get_attribute("data-option"): bar.get_attribute("data-percent") for bar in bars}
    assert figures["地铁"] == "100.0" and figures["公交"] == "0.0" and figures["准点率"] == "100.0"
    assert browser.find_elements(By.CSS_SELECTOR, "svg.participation__bar rect.participation__bar-fill")
    assert "希望增开夜班车" not in browser.page_source
    screenshot(browser, "questionnaire-results")

    browser.get(link)  # the same browser again: no second form
    assert not browser.find_elements(By.CSS_SELECTOR, ".participation__fields")
    assert "您已参与过本次调查" in browser.find_element(By.CSS_SELECTOR, "#questionnaire-result").text
    assert console_errors(browser) == []
    connection.set_tenant(participation_pages["tenant"])
    assert QuestionnaireResponse.objects.filter(page_id=participation_pages["ids"]["questionnaire"]).count() == 1
    connection.set_schema_to_public()
