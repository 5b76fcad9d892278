"""统一身份认证登录 in a real Chromium against a real OpenID provider on loopback (node oidc-provider):
the button, the provider's login, the role-less first visit, a role granted, our logout ending the
provider's session, the provider's logout ending ours (back-channel logout), and the password form
gone when local passwords are off."""

import threading

import pytest
from django.db import connections
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from sites.models import AuditEvent, Role
from sites.oidc.models import Identity
from sites.roles import grant_role, revoke_role
from tests.sites.oidc_helpers import PASSWORD, configure, provider_for

from .conftest import console_errors, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def provider(served):
    port = served.rsplit(":", 1)[1]
    with provider_for(["portal.localhost", "jtj.localhost", "jyj.localhost"], port) as running:
        yield running


@pytest.fixture
def oidc(settings, provider):
    configure(settings, provider)  # the served instance runs in this process: it sees the change
    return provider


def committed(function, *args):
    """Run ``function`` on a connection of its own, committed, so the served instance sees it.

    The test's own connection is inside a transaction that the served instance cannot see into.
    """
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _wait(browser, condition, timeout=45):
    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:
        screenshot(browser, "oidc-timeout")
        text = browser.find_element(By.TAG_NAME, "body").text[:1500]
        raise AssertionError(f"timed out at {browser.current_url}:\n{text}") from None


def _click(browser, selector):
    element = _wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, selector))[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def _sign_in_at_provider(browser, provider, username):
    _wait(browser, lambda b: b.current_url.startswith(provider.issuer) and b.find_elements(By.ID, "username"))
    screenshot(browser, "oidc-provider-login")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    _click(browser, "#submit")


def _settled(browser):
    return (
        "/sso/" not in browser.current_url
        and "/admin/login/oidc/callback/" not in browser.current_url
        and browser.execute_script("return document.readyState") == "complete"
    )


def test_oidc_login_role_less_first_then_a_role_and_logout_ends_both_sessions(served, browser, cluster, oidc):
    jtj, jyj = served.format(code="jtj"), served.format(code="jyj")
    browser.get(jtj + "/admin/login/")
    _wait(browser, lambda b: b.find_elements(By.ID, "oidc-login"))
    assert browser.find_element(By.ID, "oidc-login").text == "统一身份认证登录"
    screenshot(browser, "oidc-login-button")
    _click(browser, "#oidc-login")
    _sign_in_at_provider(browser, oidc, "xiaoming")

    # First login: a user without any role, told so in Chinese.
    _wait(browser, lambda b: "/admin/login/oidc/no-role/" in b.current_url and _settled(b))
    assert "您还没有任何站点角色，请联系网站办" in browser.find_element(By.ID, "oidc-no-role").text
    screenshot(browser, "oidc-no-role")
    errors = console_errors(browser)
    assert errors == [], "\n".join(e["message"] for e in errors)
    user = Identity.objects.of(oidc.issuer, "t-0001").get().user
    assert not user.groups.exists()

    committed(grant_role, user, Role.EDITOR, cluster.sites["jtj"])
    committed(grant_role, user, Role.EDITOR, cluster.sites["jyj"])
    try:
        # Our logout, then the provider's: its confirmation, and back to our login page.
        _click(browser, "form[action='/admin/logout/'] button[type=submit]")
        _wait(browser, lambda b: b.current_url.startswith(oidc.issuer) and b.find_elements(By.ID, "confirm-logout"))
        screenshot(browser, "oidc-provider-logout")
        _click(browser, "#confirm-logout")
        _wait(browser, lambda b: b.current_url.startswith(jtj + "/admin/login/") and _settled(b))
        browser.get(jtj + "/admin/")
        _wait(browser, lambda b: "/admin/login/" in b.current_url and _settled(b))

        # Signed out at the provider too: the button leads to its password form again.
        _click(browser, "#oidc-login")
        _sign_in_at_provider(browser, oidc, "xiaoming")
        _wait(browser, lambda b: b.current_url.rstrip("/") == jtj + "/admin" and _settled(b))
        assert browser.find_elements(By.CSS_SELECTOR, "#main"), browser.page_source[:500]
        assert "/admin/login" not in browser.current_url
        screenshot(browser, "oidc-admin-home")
        # The same cross-host sign-on as a password login: the other site's admin opens without one.
        browser.get(jyj + "/admin/")
        _wait(browser, _settled)
        assert browser.current_url.startswith(jyj + "/admin/") and "/admin/login" not in browser.current_url
        assert Identity.objects.filter(user=user).count() == 1
    finally:
        committed(revoke_role, user, Role.EDITOR, cluster.sites["jtj"])
        committed(revoke_role, user, Role.EDITOR, cluster.sites["jyj"])


def test_the_password_form_is_gone_when_local_passwords_are_off(served, browser, cluster, oidc, settings):
    settings.CMS_LOCAL_PASSWORD_LOGIN = False
    browser.get(served.format(code="jyj") + "/admin/login/")
    _wait(browser, lambda b: b.find_elements(By.ID, "oidc-login"))
    assert browser.find_elements(By.CSS_SELECTOR, "input[name=password]") == []
    assert browser.find_elements(By.CSS_SELECTOR, "input[name=username]") == []
    screenshot(browser, "oidc-only-login")
    assert console_errors(browser) == []


def test_a_logout_at_the_provider_ends_our_session_on_every_host(served, browser, cluster, oidc):
    """Back-channel logout: the person signs out on the provider's own page, not ours; the provider
    POSTs a logout token to the hub, and every host's admin sends the browser to its login page."""
    jtj, jyj = served.format(code="jtj"), served.format(code="jyj")
    browser.get(jtj + "/admin/login/")
    _click(browser, "#oidc-login")
    _sign_in_at_provider(browser, oidc, "xiaogang")
    _wait(browser, lambda b: b.current_url.startswith(jtj) and _settled(b))
    user = Identity.objects.of(oidc.issuer, "t-0003").get().user
    committed(grant_role, user, Role.EDITOR, cluster.sites["jtj"])
    committed(grant_role, user, Role.EDITOR, cluster.sites["jyj"])
    try:
        for site in (jtj, jyj):
            browser.get(site + "/admin/")
            _wait(browser, _settled)
            assert browser.current_url.startswith(site + "/admin/") and "/admin/login" not in browser.current_url
            assert browser.find_elements(By.CSS_SELECTOR, "#main")
        screenshot(browser, "oidc-backchannel-signed-in")

        # The provider's own logout page, confirmed there: our logout button is never pressed.
        browser.get(oidc.issuer + "/session/end")
        _wait(browser, lambda b: b.find_elements(By.ID, "confirm-logout"))
        screenshot(browser, "oidc-backchannel-provider-logout")
        _click(browser, "#confirm-logout")
        _wait(browser, lambda b: b.find_elements(By.ID, "logged-out"))
        assert any(line.startswith("backchannel.success") for line in oidc.output), oidc.output[-5:]

        for site in (jtj, jyj):
            browser.get(site + "/admin/")
            _wait(browser, lambda b: "/admin/login/" in b.current_url and _settled(b))
            assert browser.find_elements(By.ID, "oidc-login")
        screenshot(browser, "oidc-backchannel-logged-out")
        assert AuditEvent.objects.filter(action="oidc_backchannel_logout", actor=user, detail__by="sid").exists()
    finally:
        committed(revoke_role, user, Role.EDITOR, cluster.sites["jtj"])
        committed(revoke_role, user, Role.EDITOR, cluster.sites["jyj"])
