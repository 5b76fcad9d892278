"""统一身份认证登录 over CAS in a real Chromium against the loopback CAS server: the button, the
server's login form, the role-less first visit, a role granted, the other site joined without a
login, and our logout going on to the server's and back to our login page."""

import pytest
from selenium.webdriver.common.by import By

from sites.cas import client as cas_client
from sites.models import AuditEvent, Role
from sites.oidc.models import Identity
from sites.roles import grant_role, revoke_role
from tests.sites.cas_server import PASSWORD, running_cas_server

from .conftest import console_errors, screenshot
from .test_oidc_login import _click, _wait, committed

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def server():
    with running_cas_server() as running:
        yield running


@pytest.fixture
def cas(settings, server):
    settings.CMS_CAS_SERVER_URL = server.url  # the served instance runs in this process: it sees the change
    return server


def _settled(browser):
    return (
        "/sso/" not in browser.current_url
        and "/admin/login/cas/callback/" not in browser.current_url
        and browser.execute_script("return document.readyState") == "complete"
    )


def _sign_in_at_server(browser, server, username):
    _wait(browser, lambda b: b.current_url.startswith(server.url) and b.find_elements(By.ID, "username"))
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    _click(browser, "#submit")


def test_cas_login_role_less_first_then_a_role_and_logout_at_the_server(served, browser, cluster, cas):
    jtj, jyj = served.format(code="jtj"), served.format(code="jyj")
    browser.get(jtj + "/admin/login/")
    _wait(browser, lambda b: b.find_elements(By.ID, "cas-login"))
    assert browser.find_element(By.ID, "cas-login").text == "统一身份认证登录"
    screenshot(browser, "cas-login-button")
    _click(browser, "#cas-login")
    _sign_in_at_server(browser, cas, "wujiu")

    _wait(browser, lambda b: "/admin/login/oidc/no-role/" in b.current_url and _settled(b))
    assert "您还没有任何站点角色，请联系网站办" in browser.find_element(By.ID, "oidc-no-role").text
    errors = console_errors(browser)
    assert errors == [], "\n".join(e["message"] for e in errors)
    user = Identity.objects.of(cas_client.issuer(), "wujiu").get().user
    assert user.full_name == "吴九" and not user.groups.exists()

    committed(grant_role, user, Role.EDITOR, cluster.sites["jtj"])
    committed(grant_role, user, Role.EDITOR, cluster.sites["jyj"])
    try:
        # Our logout goes on to the server's, which sends the browser back to our login page.
        _click(browser, "form[action='/admin/logout/'] button[type=submit]")
        # (The no-role page is under /admin/login/ too: wait for the server's logout, then our login page.)
        _wait(browser, lambda b: cas.logouts and b.current_url.split("?")[0] == jtj + "/admin/login/" and _settled(b))
        assert cas.logouts[-1]["service"] == jtj + "/admin/login/"
        browser.get(jtj + "/admin/")
        _wait(browser, lambda b: "/admin/login/" in b.current_url and _settled(b))

        # With the role, the next login opens the admin, and the other site's without a login.
        _click(browser, "#cas-login")
        _sign_in_at_server(browser, cas, "WuJiu")  # typed another way: the same person
        _wait(browser, lambda b: b.current_url.rstrip("/") == jtj + "/admin" and _settled(b))
        assert browser.find_elements(By.CSS_SELECTOR, "#main"), browser.page_source[:500]
        screenshot(browser, "cas-admin-home")
        browser.get(jyj + "/admin/")
        _wait(browser, _settled)
        assert browser.current_url.startswith(jyj + "/admin/") and "/admin/login" not in browser.current_url
        assert Identity.objects.filter(user=user).count() == 1
        assert AuditEvent.objects.filter(action="cas_login", actor=user).count() == 2
    finally:
        committed(revoke_role, user, Role.EDITOR, cluster.sites["jtj"])
        committed(revoke_role, user, Role.EDITOR, cluster.sites["jyj"])
