"""统一身份认证 against a real OpenID provider on loopback (node oidc-provider): the code flow with
PKCE, the state good once and in its own browser only, the user made on first login, the second
factor handed to the login rules, the sign-on hub joined, and our logout ending the provider's."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings

from sites.models import AuditEvent, Role, SiteGroup
from sites.oidc.models import Identity
from sites.roles import grant_role
from sites.sso import HUB_BINDING_COOKIE

from .oidc_helpers import configure, provider_for, sign_in_at_provider
from .test_sso import Browser, hub_answer

pytestmark = pytest.mark.django_db

SITE = "jtj.localhost"


@pytest.fixture(scope="module")
def provider():
    with provider_for(["portal.localhost", "jtj.localhost", "jyj.localhost"]) as running:
        yield running


@pytest.fixture
def oidc(settings, provider):
    configure(settings, provider)
    return provider


def _browser_at_login(site=SITE):
    """A browser that has met the sign-on hub (so a login here is handed on) and sits on the login page."""
    browser = Browser()
    accepted = browser.follow(hub_answer(browser, site, "/admin/login/"))
    assert browser.cookie(site, HUB_BINDING_COOKIE)
    assert accepted.status_code == 302
    return browser


def _to_provider(browser, site=SITE, next_path="/admin/"):
    start = browser.get("/admin/login/oidc/?" + urlencode({"next": next_path}), site)
    assert start.status_code == 302, start.content[:300]
    authorize = urlsplit(start["Location"])
    query = parse_qs(authorize.query)
    # Code flow with PKCE (S256), and a state and nonce of this login.
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0] and query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"http://{site}/admin/login/oidc/callback/"]
    return start["Location"]


def _callback_path(url):
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


def login_via_provider(browser, username, site=SITE, next_path="/admin/", provider_session=None):
    """The whole round trip; returns (our callback's response, the callback URL, the provider session)."""
    callback_url, provider_session = sign_in_at_provider(
        _to_provider(browser, site, next_path), username, session=provider_session
    )
    assert urlsplit(callback_url).hostname == site
    return browser.get(_callback_path(callback_url), site), callback_url, provider_session


def _follow_to_end(browser, response, limit=6):
    while response.status_code in (301, 302) and limit:
        response = browser.follow(response)
        limit -= 1
    return response


def test_first_login_creates_a_role_less_user_and_joins_the_sign_on_hub(cluster, oidc):
    browser = _browser_at_login()
    answer, _url, _provider = login_via_provider(browser, "xiaoming")
    # Handed to the hub exactly as a password login is (sites/sso.py), then on to the no-role page.
    hub = urlsplit(answer["Location"])
    assert hub.hostname == settings.CMS_CLUSTER_HOST and hub.path == "/sso/adopt/"
    page = _follow_to_end(browser, answer)
    assert page.status_code == 200
    assert "您还没有任何站点角色，请联系网站办" in page.content.decode()
    identity = Identity.objects.of(oidc.issuer, "t-0001").select_related("user").get()
    user = identity.user
    assert user.full_name == "小明" and user.email == "xm@tyrz.example.cn"
    assert not SiteGroup.objects.filter(group__user=user).exists()
    assert browser.signed_in(SITE) and browser.signed_in(settings.CMS_CLUSTER_HOST)
    assert AuditEvent.objects.filter(action="oidc_login", actor=user, detail__created=True).exists()
    assert AuditEvent.objects.filter(action="login", actor=user).exists()


def test_a_granted_role_opens_the_sites_admin_and_the_next_login_finds_the_same_user(cluster, oidc):
    browser = _browser_at_login()
    login_via_provider(browser, "xiaogang")
    user = Identity.objects.of(oidc.issuer, "t-0003").get().user
    grant_role(user, Role.EDITOR, cluster.sites["jtj"])
    grant_role(user, Role.EDITOR, cluster.sites["jyj"])

    browser = _browser_at_login()
    answer, _url, _provider = login_via_provider(browser, "xiaogang", next_path="/admin/pages/")
    assert Identity.objects.filter(user=user).count() == 1
    landed = _follow_to_end(browser, answer)
    assert landed.status_code == 200
    assert browser.get("/admin/", SITE).status_code == 200
    # The other site's admin opens through the hub, without a second login.
    other = _follow_to_end(browser, browser.get("/admin/", "jyj.localhost"))
    assert other.status_code == 200 and browser.signed_in("jyj.localhost")


def test_a_replayed_callback_is_refused(cluster, oidc):
    browser = _browser_at_login()
    answer, callback_url, _provider = login_via_provider(browser, "xiaoming")
    assert answer.status_code == 302
    # The same answer again, in the same browser: its state is spent.
    again = browser.get(_callback_path(callback_url), SITE)
    assert again.status_code == 400 and "统一身份认证登录未完成" in again.content.decode()
    # And in another browser (an attacker's, or a victim's that was sent the link): not its state.
    other = _browser_at_login()
    stolen = other.get(_callback_path(callback_url), SITE)
    assert stolen.status_code == 400 and not other.signed_in(SITE)


def test_a_forged_state_or_a_forged_code_is_refused(cluster, oidc):
    browser = _browser_at_login()
    callback_url, _session = sign_in_at_provider(_to_provider(browser), "xiaoming")
    query = parse_qs(urlsplit(callback_url).query)
    forged_state = browser.get(
        "/admin/login/oidc/callback/?" + urlencode({"code": query["code"][0], "state": "x"}), SITE
    )
    assert forged_state.status_code == 400 and not browser.signed_in(SITE)
    # The right state with a made-up code: the provider refuses the exchange, and the state is spent.
    forged_code = browser.get(
        "/admin/login/oidc/callback/?" + urlencode({"code": "made-up", "state": query["state"][0]}), SITE
    )
    assert forged_code.status_code == 400 and not browser.signed_in(SITE)
    real = browser.get(_callback_path(callback_url), SITE)
    assert real.status_code == 400 and not browser.signed_in(SITE)
    failures = AuditEvent.objects.filter(action="oidc_login_failed").order_by("-pk")[:3]
    assert {event.detail["reason"].split(":")[0] for event in failures} >= {
        "provider",
        "unknown, spent or expired state",
    }


def test_a_callback_from_another_browsers_login_is_refused(cluster, oidc):
    """Login CSRF: the attacker's own callback URL opened in the victim's browser signs nobody in."""
    attacker = _browser_at_login()
    callback_url, _session = sign_in_at_provider(_to_provider(attacker), "xiaoming")
    victim = _browser_at_login()
    _to_provider(victim)  # the victim has a login of their own in progress
    response = victim.get(_callback_path(callback_url), SITE)
    assert response.status_code == 400 and not victim.signed_in(SITE)


def test_an_expired_state_is_refused(cluster, oidc, settings):
    settings.CMS_OIDC_STATE_SECONDS = 0
    browser = _browser_at_login()
    answer, _url, _provider = login_via_provider(browser, "xiaoming")
    assert answer.status_code == 400 and not browser.signed_in(SITE)


def test_the_second_factor_is_asked_unless_the_provider_asserts_one(cluster, oidc, settings):
    settings.CMS_MFA_ENFORCED = True
    browser = _browser_at_login()
    login_via_provider(browser, "xiaoming")
    password_only = Identity.objects.of(oidc.issuer, "t-0001").get().user
    browser = _browser_at_login()
    login_via_provider(browser, "xiaohong")
    with_otp = Identity.objects.of(oidc.issuer, "t-0002").get().user
    for user in (password_only, with_otp):
        grant_role(user, Role.SITE_ADMIN, cluster.sites["jtj"])  # a role that must use a second factor

    browser = _browser_at_login()
    answer, _url, _provider = login_via_provider(browser, "xiaoming")
    assert urlsplit(answer["Location"]).path.startswith("/admin/login/mfa/")  # our TOTP step (enrolment first)
    assert not browser.signed_in(SITE)

    browser = _browser_at_login()
    answer, _url, _provider = login_via_provider(browser, "xiaohong")
    assert urlsplit(answer["Location"]).path == "/sso/adopt/"
    assert _follow_to_end(browser, answer).status_code == 200
    assert browser.signed_in(SITE)
    assert AuditEvent.objects.filter(action="oidc_login", actor=with_otp, detail__second_factor_asserted=True).exists()


def test_our_logout_ends_the_session_at_the_provider_too(cluster, oidc):
    browser = _browser_at_login()
    _answer, _url, provider_session = login_via_provider(browser, "xiaoming")
    assert browser.signed_in(SITE)
    browser.client.cookies = browser.jar(SITE)
    logout = browser.post("/admin/logout/", SITE)
    assert not browser.signed_in(SITE) and not browser.signed_in(settings.CMS_CLUSTER_HOST)
    end_session = urlsplit(logout["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == oidc.issuer and end_session.path == "/session/end"
    query = parse_qs(end_session.query)
    assert query["id_token_hint"][0].count(".") == 2
    assert query["post_logout_redirect_uri"] == [f"http://{SITE}/admin/login/"]
    assert AuditEvent.objects.filter(action="oidc_logout", target="xiaoming").exists()

    # The provider's confirmation, then back to our login page.
    confirm = provider_session.get(logout["Location"], timeout=10)
    form = confirm.text
    assert 'id="confirm-logout"' in form
    action = form.split('action="', 1)[1].split('"', 1)[0]
    xsrf = form.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
    done = provider_session.post(
        requests.compat.urljoin(oidc.issuer, action), data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False
    )
    assert done.status_code in (302, 303)
    assert done.headers["Location"].startswith(f"http://{SITE}/admin/login/")

    # Signed out there: the next login asks for the password again instead of coming straight back.
    authorize = _to_provider(_browser_at_login())
    page = provider_session.get(authorize, timeout=10)
    while page.status_code in (302, 303) and urlsplit(page.headers["Location"]).hostname == "127.0.0.1":
        page = provider_session.get(requests.compat.urljoin(authorize, page.headers["Location"]), timeout=10)
    assert page.status_code == 200 and 'name="password"' in page.text


def test_the_login_page_offers_the_button(cluster, oidc):
    browser = _browser_at_login()
    page = _follow_to_end(browser, browser.get("/admin/login/", SITE))
    assert 'id="oidc-login"' in page.content.decode()
