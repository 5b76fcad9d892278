"""The review chain driven through the admin in a real headless Chromium.

An editor of jtj writes and submits an article; the reviewer, the site admin and the secrecy
officer (who records 公开属性 and 审查意见) approve it in turn; the article is then live on jtj and in
the catalogue. A second article carrying 机密★10年 is sent back by the scan with its findings.

Every step commits through the served instance; the test reads with autocommit and removes what
it made at the end, so no other test sees these articles.
"""

import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from cms.models import ArticlePage, ColumnPage
from publishing.catalogue.models import CatalogueEntry
from publishing.review.models import ConfidentialityRecord, ScanReport
from sites.models import Role

from .conftest import screenshot
from .helpers import LOGOUT_SCRIPT, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STAMP = time.strftime("%H%M%S")
CLEAN_TITLE = f"市交通运输局部署冬季道路保畅工作（{STAMP}）"
BLOCKED_TITLE = f"关于报送应急运力储备情况的通知（{STAMP}）"


@pytest.fixture(scope="module")
def committed_db(django_db_setup, django_db_blocker):
    """Removes what the test made through the served instance (committed), outside any test transaction.

    The test itself only reads; what the server committed is visible to it.
    """
    yield
    with django_db_blocker.unblock():
        with schema_context("jtj"):
            for page in ArticlePage.objects.filter(title__in=[CLEAN_TITLE, BLOCKED_TITLE]):
                page.delete()
            ConfidentialityRecord.objects.filter(page_title__in=[CLEAN_TITLE, BLOCKED_TITLE]).delete()
        connection.set_schema_to_public()


def _wait(browser, condition, timeout=45):
    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:
        screenshot(browser, "review-flow-timeout")
        text = browser.find_element(By.TAG_NAME, "body").text[:1500]
        raise AssertionError(f"timed out at {browser.current_url}:\n{text}") from None


def _logout(browser):
    browser.execute_async_script(LOGOUT_SCRIPT)
    browser.delete_all_cookies()


def _write_and_submit(browser, base, column_id, title, text):
    browser.get(f"{base}/admin/pages/add/cms/articlepage/{column_id}/")
    _wait(browser, lambda b: b.find_elements(By.ID, "id_title"))
    browser.find_element(By.ID, "id_title").send_keys(title)
    body = _wait(
        browser, lambda b: b.find_element(By.CSS_SELECTOR, '[data-contentpath="body"] [contenteditable="true"]')
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", body)
    body.send_keys(text)
    time.sleep(0.5)  # Draftail writes its hidden input on change
    browser.execute_script('document.querySelector("button[name=\\"action-submit\\"]").click();')
    _wait(browser, lambda b: "/admin/pages/add/" not in b.current_url)


def _page(title):
    with schema_context("jtj"):
        return ArticlePage.objects.filter(title=title).first()


def _step(title):
    """The name of the step the article waits at, or None."""
    with schema_context("jtj"):
        task = ArticlePage.objects.get(title=title).current_workflow_task
        return task.name if task else None


def _decide(browser, base, page_id, action, fill=None):
    """Open the item's 审核信息 and submit the form of ``action`` (approve / reject)."""
    browser.get(f"{base}/admin/review/pages/{page_id}/")
    form = _wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, f"form.review-action--{action}"))
    if fill:
        fill(form)
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    # A JS click: Wagtail's floating elements may cover the button at some scroll positions.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)
    _wait(
        browser, lambda b: f"/admin/review/pages/{page_id}/" in b.current_url and b.find_elements(By.TAG_NAME, "main")
    )


def test_an_article_goes_through_the_whole_chain_and_a_classified_one_is_blocked(
    served, browser, cluster, committed_db
):
    base = served.format(code="jtj")
    with schema_context("jtj"):
        column_id = ColumnPage.objects.get(slug="gzdt").pk

    # 1. The editor writes and submits.
    editor = cluster.user("jtj", Role.EDITOR)
    login(browser, base, editor.username, cluster.password)
    _write_and_submit(browser, base, column_id, CLEAN_TITLE, "市交通运输局召开会议，部署冬季道路保畅和除雪防滑工作。")
    page = _page(CLEAN_TITLE)
    assert page is not None and not page.live
    assert _step(CLEAN_TITLE) == "jtj·编辑初审"
    # The editor has no action on their own submission.
    browser.get(f"{base}/admin/review/pages/{page.pk}/")
    assert not browser.find_elements(By.CSS_SELECTOR, "form.review-action--approve")
    _logout(browser)

    # 2. 编辑初审, 3. 部门负责人复审.
    for role, step in ((Role.REVIEWER, "jtj·部门负责人复审"), (Role.SITE_ADMIN, "jtj·保密审查")):
        login(browser, base, cluster.user("jtj", role).username, cluster.password)
        _decide(browser, base, page.pk, "approve")
        assert _step(CLEAN_TITLE) == step, role
        _logout(browser)

    # 4. 保密审查: 公开属性 and 审查意见 are required.
    officer = cluster.user("jtj", Role.SECRECY_OFFICER)
    login(browser, base, officer.username, cluster.password)

    def fill(form):
        radio = form.find_element(By.CSS_SELECTOR, 'input[name="disclosure_attribute"][value="proactive"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", radio)
        form.find_element(By.NAME, "opinion").send_keys("经审查，不涉及国家秘密和个人信息，同意主动公开。")

    _decide(browser, base, page.pk, "approve", fill)
    screenshot(browser, "review-after-confidentiality")
    page = _page(CLEAN_TITLE)
    assert page.live
    with schema_context("jtj"):
        record = ConfidentialityRecord.objects.get(page_id=page.pk)
        path = page.get_url_parts()[2]
    assert record.get_disclosure_attribute_display() == "主动公开"
    # The printable 保密审查单, reached from the item's admin.
    link = browser.find_element(By.CSS_SELECTOR, f'a[href="/admin/review/sheets/{record.pk}/"]')
    # A JS click, scrolled first: 审核信息 shows the item's text above, so the link is below the fold.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", link)
    _wait(browser, lambda b: "保密审查单" in b.find_element(By.TAG_NAME, "h1").text)
    sheet = browser.find_element(By.TAG_NAME, "body").text
    for text in (CLEAN_TITLE, "主动公开", "同意主动公开", str(officer), str(cluster.user("jtj", Role.REVIEWER))):
        assert text in sheet
    screenshot(browser, "review-sheet")
    _logout(browser)

    # The public page is live on jtj, and the catalogue has its row.
    browser.get(base + path)
    assert CLEAN_TITLE in browser.find_element(By.TAG_NAME, "h1").text
    assert CatalogueEntry.objects.filter(tenant__code="jtj", page_id=page.pk, title=CLEAN_TITLE).exists()

    # 5. A classified draft is sent back by the scan, with its findings shown.
    login(browser, base, editor.username, cluster.password)
    _write_and_submit(browser, base, column_id, BLOCKED_TITLE, "机密★10年 请各单位于月底前报送应急运力储备情况。")
    messages = browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert "保密检查发现禁止发布的内容" in messages and "机密★10年" in messages
    screenshot(browser, "review-blocked-message")
    blocked = _page(BLOCKED_TITLE)
    assert blocked is not None and not blocked.live and _step(BLOCKED_TITLE) is None
    with schema_context("jtj"):
        assert ScanReport.objects.get(revision=blocked.latest_revision).verdict == "block"
    browser.get(f"{base}/admin/review/pages/{blocked.pk}/")
    marks = [mark.text for mark in browser.find_elements(By.CSS_SELECTOR, "mark.review-hit--block")]
    assert "机密★10年" in marks
    screenshot(browser, "review-blocked-findings")
    _logout(browser)
