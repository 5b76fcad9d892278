"""The editor's create screen and the reviewer's decision, in a real headless Chromium.

* An article with a cover image keeps the short ``t<date>_<n>`` address although the admin's
  autosave creates it while the slug field still holds the slug the browser made from the title
  (that slug once became the URL: about 190 percent-encoded characters).
* 提交审核 is the screen's main button, shown without opening the arrow's menu.
* After 通过 on 审核信息 the reviewer sees a confirmation.

What the served instance commits is removed at the end, so no other test sees it.
"""

import io
import re
import time

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django_tenants.utils import schema_context
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from wagtail.images import get_image_model

from cms.models import ArticlePage, ColumnPage
from sites.models import Role
from tests.cms.content import png_bytes

from .conftest import screenshot
from .helpers import LOGOUT_SCRIPT, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STAMP = time.strftime("%H%M%S")
TITLE = f"市交通运输局召开城市公交线网优化工作推进会{STAMP}"
ITEM_SLUG = re.compile(r"^t\d{8}_\d{7}$")


@pytest.fixture(scope="module")
def cover(django_db_setup, django_db_blocker):
    """A committed image of jtj (the served instance sees committed data only); removed afterwards."""
    with django_db_blocker.unblock():
        with schema_context("jtj"):
            image = get_image_model().objects.create(
                title=f"会议现场{STAMP}", file=ImageFile(io.BytesIO(png_bytes()), name="cover.png")
            )
        connection.set_schema_to_public()
    yield image
    with django_db_blocker.unblock():
        with schema_context("jtj"):
            for page in ArticlePage.objects.filter(title=TITLE):
                page.delete()
            get_image_model().objects.filter(pk=image.pk).delete()
        connection.set_schema_to_public()


def _wait(browser, condition, timeout=45):
    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:
        screenshot(browser, "editor-screens-timeout")
        text = browser.find_element(By.TAG_NAME, "body").text[:1500]
        raise AssertionError(f"timed out at {browser.current_url}:\n{text}") from None


def _article():
    with schema_context("jtj"):
        return ArticlePage.objects.filter(title=TITLE).first()


def _saved_text_contains(text):
    with schema_context("jtj"):
        page = ArticlePage.objects.filter(title=TITLE).first()
        return page is not None and text in (page.get_latest_revision_as_object().body or "")


def _in_review():
    with schema_context("jtj"):
        page = ArticlePage.objects.filter(title=TITLE).first()
        return page is not None and page.current_workflow_task is not None


def test_an_article_with_a_cover_image_keeps_its_short_address_and_is_approved_with_a_confirmation(
    served, browser, cluster, cover
):
    base = served.format(code="jtj")
    with schema_context("jtj"):
        column_id = ColumnPage.objects.get(slug="gzdt").pk
    editor = cluster.user("jtj", Role.EDITOR)
    login(browser, base, editor.username, cluster.password)
    browser.get(f"{base}/admin/pages/add/cms/articlepage/{column_id}/")
    _wait(browser, lambda b: b.find_elements(By.ID, "id_title"))
    # The screen's scripts (unsaved-changes tracking, autosave) connect after the page has loaded.
    _wait(browser, lambda b: b.execute_script("return document.readyState") == "complete")
    time.sleep(2)

    # 提交审核 is the main button, visible without opening the menu; 保存草稿 is under the arrow.
    submit = browser.find_element(By.CSS_SELECTOR, 'footer button[name="action-submit"]')
    assert submit.is_displayed()
    assert not browser.find_element(By.CSS_SELECTOR, "footer button.action-save").is_displayed()

    browser.find_element(By.ID, "id_title").send_keys(TITLE)
    # The slug field follows the title, as Wagtail's script does it: the Chinese title.
    _wait(browser, lambda b: b.execute_script("return document.getElementById('id_slug').value") != "")
    assert browser.execute_script("return document.getElementById('id_slug').value").startswith("市交通运输局")
    # The cover image, as the chooser sets it.
    browser.execute_script(
        "const input = document.getElementById('id_cover_image');"
        "input.value = arguments[0]; input.dispatchEvent(new Event('change', {bubbles: true}));",
        str(cover.pk),
    )
    body = browser.find_element(By.CSS_SELECTOR, '[data-contentpath="body"] [contenteditable="true"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", body)
    body.send_keys("会议部署城市公交线网优化工作。")
    # The autosave creates the article and moves the screen to its edit view…
    _wait(browser, lambda b: _article() is not None and "/edit/" in b.current_url, timeout=60)
    page = _article()
    assert ITEM_SLUG.match(page.slug), page.slug
    # …and the slug field now holds the slug the article got.
    _wait(browser, lambda b: b.execute_script("return document.getElementById('id_slug').value") == page.slug)
    body.send_keys("要求各单位抓好落实。")
    # Submit once the autosave of that edit is done (a submit racing it would restart the chain).
    _wait(browser, lambda b: _saved_text_contains("抓好落实"), timeout=60)
    time.sleep(1)
    browser.execute_script('document.querySelector("footer button[name=\\"action-submit\\"]").click();')
    _wait(browser, lambda b: _in_review(), timeout=60)
    page = _article()
    assert ITEM_SLUG.match(page.slug), page.slug
    with schema_context("jtj"):
        latest = page.get_latest_revision_as_object()
        assert latest.slug == page.slug and latest.cover_image_id == cover.pk
    browser.execute_async_script(LOGOUT_SCRIPT)
    browser.delete_all_cookies()

    # The reviewer approves on 审核信息 and is told where the article went.
    reviewer = cluster.user("jtj", Role.REVIEWER)
    login(browser, base, reviewer.username, cluster.password)
    browser.get(f"{base}/admin/review/pages/{page.pk}/")
    text = _wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, ".review-content")).text
    assert TITLE in text and "会议部署城市公交线网优化工作" in text
    form = browser.find_element(By.CSS_SELECTOR, "form.review-action--approve")
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)
    messages = _wait(
        browser,
        lambda b: next((m.text for m in b.find_elements(By.CSS_SELECTOR, ".messages") if "已通过" in m.text), None),
    )
    assert f"已通过“{TITLE}”的jtj·编辑初审，已转入下一环节：jtj·部门负责人复审。" in messages, messages
    screenshot(browser, "review-approved-message")
    browser.execute_async_script(LOGOUT_SCRIPT)
