"""Two-factor login in headless Chromium: a site admin binds an authenticator from the QR page (the
key read off the page), keeps the recovery codes, and signs in again with a code."""

import base64
import threading

import pytest
from django.db import connection
from django_otp.oath import totp
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from sites.models import Role

from .conftest import console_errors, screenshot
from .helpers import LOGOUT_SCRIPT

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def code_from_secret(secret, steps_ahead=0):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def wait_for(browser, test):
    WebDriverWait(browser, 45).until(
        lambda b: test(b.current_url) and b.execute_script("return document.readyState") == "complete"
    )


def submit(browser, **fields):
    for name, value in fields.items():
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "form.login-form button[type=submit]").click()


def forget_devices(user_id):
    """The served thread committed the device: remove it on a connection of its own (the test's rolls back)."""

    def run():
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from sites.policy.models import RecoveryCode

        TOTPDevice.objects.filter(user_id=user_id).delete()
        RecoveryCode.objects.filter(user_id=user_id).delete()
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_enrol_from_the_qr_page_then_sign_in_with_a_code(served, browser, cluster, settings):
    settings.CMS_MFA_ENFORCED = True
    user = cluster.user("jyj", Role.SITE_ADMIN)
    base = served.format(code="jyj")
    try:
        browser.get(base + "/admin/login/")
        wait_for(browser, lambda url: "/admin/login/" in url and "/sso/" not in url)
        submit(browser, username=user.username, password=cluster.password)
        wait_for(browser, lambda url: "/admin/login/mfa/enrol/" in url)
        assert browser.find_element(By.CSS_SELECTOR, ".cms-policy-qr svg").is_displayed()
        secret = browser.find_element(By.ID, "totp-secret").text.strip()
        screenshot(browser, "mfa-enrol")
        first_code = code_from_secret(secret)
        submit(browser, code=first_code)
        wait_for(browser, lambda url: "/admin/login/mfa/recovery-codes/" in url)
        codes = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".cms-policy-codes code")]
        assert len(codes) == 10
        browser.find_element(By.LINK_TEXT, "我已保存，继续").click()
        wait_for(browser, lambda url: url.rstrip("/").endswith("/admin") and "/login/" not in url)
        assert browser.find_elements(By.CSS_SELECTOR, "#main")
        assert browser.execute_async_script(LOGOUT_SCRIPT) in (200, 302)

        browser.get(base + "/admin/login/")
        wait_for(browser, lambda url: "/admin/login/" in url and "/sso/" not in url)
        submit(browser, username=user.username, password=cluster.password)
        wait_for(browser, lambda url: url.endswith("/admin/login/mfa/"))
        # The enrolment spent this time step's code (tests/sites/test_mfa.py refuses a reused one): the next step's.
        submit(browser, code=code_from_secret(secret, steps_ahead=1))
        wait_for(browser, lambda url: url.rstrip("/").endswith("/admin") and "/login/" not in url)
        screenshot(browser, "mfa-signed-in")
        assert not console_errors(browser)
    finally:
        forget_devices(user.pk)
