"""A citizen writes in and applies for information in a real headless Chromium: both themes, a
360 px phone once, the 适老化 mode once. The public CSP is on, so an inline script or style in these
pages would show as a console error."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from interaction import abuse
from interaction.models import DisclosureApplication, Message
from sites.middleware import invalidate_domain_map
from sites.models import Tenant
from themes.models import SiteTheme, Theme
from themes.services import assign_theme

from .conftest import console_errors, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SITE = "jyj"


@pytest.fixture(scope="module", params=["blue", "red"])
def themed(request, django_db_setup, django_db_blocker):
    """The site in the parametrised theme (committed: the served instance sees only committed data);
    what the citizen submitted is removed again afterwards."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(code=SITE)
        had_theme = SiteTheme.objects.filter(tenant=tenant).values_list("theme_id", flat=True).first()
        assign_theme(Theme.objects.get(slug=request.param), tenant)
        invalidate_domain_map()
        cache.clear()
        made = {"messages": [], "applications": []}
        try:
            yield {"theme": request.param, "made": made}
        finally:
            Message.objects.filter(code__in=made["messages"]).delete()
            DisclosureApplication.objects.filter(code__in=made["applications"]).delete()
            if had_theme:
                assign_theme(Theme.objects.get(pk=had_theme), tenant)
            else:
                SiteTheme.objects.filter(tenant=tenant).delete()
            invalidate_domain_map()
            cache.clear()
            connection.set_schema_to_public()


def _type(browser, name, text):
    # Inside the form: the page's <meta name="description"> has a name too.
    field = browser.find_element(By.CSS_SELECTOR, f'form [name="{name}"]')
    field.clear()
    field.send_keys(text)


def _solve_captcha(browser):
    token = browser.find_element(By.NAME, "captcha_token").get_attribute("value")
    image = browser.find_element(By.CSS_SELECTOR, ".ia-captcha img")
    loaded = "return arguments[0].complete && arguments[0].naturalWidth"
    WebDriverWait(browser, 10).until(lambda b: b.execute_script(loaded, image) == 200)
    _type(browser, "captcha", abuse.captcha_answer(token))


def _gone(element):
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException:  # asked mid-navigation ("does not belong to the document"): ask again
        return False
    return False


def _submit(browser):
    button = browser.find_element(By.CSS_SELECTOR, ".ia-form button[type=submit]")
    button.click()
    # The old page must be gone before its readyState says anything about the new one.
    WebDriverWait(browser, 20).until(lambda b: _gone(button))
    WebDriverWait(browser, 20).until(lambda b: b.execute_script("return document.readyState") == "complete")


def _code_on_page(browser):
    return WebDriverWait(browser, 20).until(lambda b: b.find_element(By.CSS_SELECTOR, "[data-code]")).text


def test_a_citizen_writes_a_message_and_looks_it_up(served, browser, themed):
    base = served.format(code=SITE)
    subject = f"学校门口交通安全建议 {uuid.uuid4().hex[:6]}"
    browser.get(base + "/hdjl/")
    browser.find_element(By.CSS_SELECTOR, 'a[href="/hudong/write/suggest/"]').click()
    assert browser.find_element(By.CSS_SELECTOR, f"body.theme-{themed['theme']}")
    assert "建议" in browser.find_element(By.TAG_NAME, "h1").text
    _type(browser, "subject", subject)
    _type(browser, "body", "建议在学校门口增设过街天桥，方便学生上下学。<b>加粗</b>")
    _type(browser, "name", "赵六")
    _type(browser, "phone", "13600004321")
    browser.find_element(By.NAME, "consent").click()
    # A wrong CAPTCHA first: refused with a message, the text kept, a new picture to solve.
    _type(browser, "captcha", "XXXX")
    _submit(browser)
    assert "验证码不正确" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert browser.find_element(By.NAME, "subject").get_attribute("value") == subject
    assert not Message.objects.filter(subject=subject).exists()
    browser.get_log("browser")  # the refused submission's 400 is expected; nothing else may fail
    screenshot(browser, f"interaction-{themed['theme']}-form-refused")
    _solve_captcha(browser)
    _submit(browser)
    code = _code_on_page(browser)
    themed["made"]["messages"].append(code)
    message = Message.objects.get(code=code)
    assert message.consent is True and message.tenant.code == SITE and message.kind == "suggest"
    assert browser.find_element(By.CSS_SELECTOR, "[data-due]").text.startswith(f"{message.due_date:%Y-%m-%d}")
    screenshot(browser, f"interaction-{themed['theme']}-done")
    browser.get(base + "/hudong/lookup/")
    _type(browser, "code", code)
    _type(browser, "last4", "4321")
    _submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == subject
    assert "待办理" in browser.find_element(By.CSS_SELECTOR, "[data-status]").text
    text = browser.find_element(By.CSS_SELECTOR, ".ia-text").text
    assert "<b>加粗</b>" in text  # shown as the citizen typed it, not as markup
    assert not browser.find_elements(By.CSS_SELECTOR, ".ia-text b")
    screenshot(browser, f"interaction-{themed['theme']}-lookup")
    assert console_errors(browser) == []


def test_a_citizen_applies_for_information(served, browser, themed):
    base = served.format(code=SITE)
    browser.get(base + "/xxgk/ysqgk/")
    browser.find_element(By.CSS_SELECTOR, 'a[href="/ysqgk/"]').click()
    assert "政府信息公开申请" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, "input[name=applicant_type][value=citizen]").click()
    _type(browser, "name", "钱七")
    _type(browser, "id_number", "11010519491231002X")
    _type(browser, "phone", "13500008765")
    _type(browser, "email", "qianqi@example.com")
    _type(browser, "description", f"请公开本局 2025 年校车安全检查结果 {uuid.uuid4().hex[:6]}")
    browser.find_element(By.CSS_SELECTOR, "input[name=provision_form][value=electronic]").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=delivery][value=email]").click()
    _solve_captcha(browser)
    _submit(browser)
    code = _code_on_page(browser)
    themed["made"]["applications"].append(code)
    application = DisclosureApplication.objects.get(code=code)
    assert application.tenant.code == SITE and application.delivery == "email"
    browser.get(base + "/ysqgk/lookup/")
    _type(browser, "code", code)
    _type(browser, "last4", "8765")
    _submit(browser)
    assert "待确认收到" in browser.find_element(By.CSS_SELECTOR, "[data-status]").text
    screenshot(browser, f"interaction-{themed['theme']}-application")
    assert console_errors(browser) == []


@pytest.fixture
def phone(browser):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 760, "deviceScaleFactor": 1, "mobile": True}
    )
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("themed", ["red"], indirect=True)
def test_the_forms_fit_a_360px_phone_and_still_submit(served, phone, themed):
    base = served.format(code=SITE)
    for path in ("/hudong/write/consult/", "/ysqgk/", "/hudong/lookup/"):
        phone.get(base + path)
        width = phone.execute_script("return document.documentElement.scrollWidth")
        assert width <= 380, (path, width)
    phone.get(base + "/hudong/write/consult/")
    subject = f"手机上的咨询 {uuid.uuid4().hex[:6]}"
    _type(phone, "subject", subject)
    _type(phone, "body", "请问社区公交什么时候开通？")
    _type(phone, "name", "孙八")
    _type(phone, "phone", "13400001111")
    _solve_captcha(phone)
    screenshot(phone, "interaction-red-form-360")
    _submit(phone)
    code = _code_on_page(phone)
    themed["made"]["messages"].append(code)
    screenshot(phone, "interaction-red-done-360")
    assert console_errors(phone) == []


@pytest.mark.parametrize("themed", ["blue"], indirect=True)
def test_the_form_in_elder_mode_is_larger_and_still_submits(served, browser, themed):
    base = served.format(code=SITE)
    browser.get(base + "/hudong/write/mailbox/")

    def sizes():
        return browser.execute_script(
            "const input = document.querySelector('input[name=subject]');"
            "return {root: parseFloat(getComputedStyle(document.documentElement).fontSize),"
            " input: input.getBoundingClientRect().height,"
            " border: getComputedStyle(input).borderTopColor};"
        )

    normal = sizes()
    browser.find_element(By.CSS_SELECTOR, "[data-mode-toggle]").click()
    elder = sizes()
    assert elder["root"] >= normal["root"] * 1.2
    assert elder["input"] >= 60 and elder["border"] == "rgb(0, 0, 0)"
    subject = f"写给局长的信 {uuid.uuid4().hex[:6]}"
    _type(browser, "subject", subject)
    _type(browser, "body", "希望增加老年人办事的绿色通道。")
    _type(browser, "name", "周九")
    _type(browser, "phone", "13300002222")
    # 换一张: a new picture and token, the text typed so far kept.
    image = browser.find_element(By.CSS_SELECTOR, ".ia-captcha img")
    old_src = image.get_attribute("src")
    browser.find_element(By.CSS_SELECTOR, "[data-captcha-renew]").click()
    WebDriverWait(browser, 10).until(lambda b: image.get_attribute("src") != old_src)
    assert browser.find_element(By.NAME, "subject").get_attribute("value") == subject
    _solve_captcha(browser)
    _submit(browser)
    code = _code_on_page(browser)
    themed["made"]["messages"].append(code)
    assert browser.execute_script("return document.documentElement.classList.contains('elder-mode')")
    screenshot(browser, "interaction-blue-done-elder")
    assert console_errors(browser) == []
