"""统一身份认证 over CAS 3.0 against a CAS server on loopback: the ticket good once and for its own
service, the state good once and in its own browser only (no login CSRF), the user made on first
login, the second factor handed to the login rules, the sign-on hub joined, hostile XML refused,
the server's single logout ending the session, and our logout ending the server's."""

import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client

from sites.cas import client as cas_client
from sites.models import AuditEvent, Role, SiteGroup
from sites.oidc.models import Identity, ProviderSession
from sites.roles import grant_role
from sites.sso import CHECKED_COOKIE

from .cas_server import PASSWORD, logout_request, running_cas_server
from .test_sso import Browser, hub_answer

pytestmark = pytest.mark.django_db

SITE = "jtj.localhost"
CALLBACK = "/admin/login/cas/callback/"


@pytest.fixture(scope="module")
def server():
    with running_cas_server() as running:
        yield running


@pytest.fixture
def cas(settings, server):
    settings.CMS_CAS_SERVER_URL = server.url
    server.answer_override = None
    return server


def _browser_at_login(site=SITE):
    browser = Browser()
    assert browser.follow(hub_answer(browser, site, "/admin/login/")).status_code == 302
    return browser


def _to_server(browser, site=SITE, next_path="/admin/"):
    start = browser.get("/admin/login/cas/?" + urlencode({"next": next_path}), site)
    assert start.status_code == 302, start.content[:300]
    login = urlsplit(start["Location"])
    service = parse_qs(login.query)["service"][0]
    assert (
        service.startswith(f"http://{site}{CALLBACK}?state=")
        and len(parse_qs(urlsplit(service).query)["state"][0]) >= 32
    )
    return start["Location"], service


def _sign_in_at_server(login_url, username):
    """The person types name and password at the CAS server: where it sends the browser back."""
    form = requests.get(login_url, timeout=10)
    assert form.status_code == 200 and 'name="password"' in form.text
    service = parse_qs(urlsplit(login_url).query)["service"][0]
    answer = requests.post(
        login_url.split("?")[0],
        data={"username": username, "password": PASSWORD, "service": service},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    return answer.headers["Location"]


def _path(url):
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


def login_via_cas(browser, username, site=SITE, next_path="/admin/"):
    login_url, _service = _to_server(browser, site, next_path)
    back = _sign_in_at_server(login_url, username)
    assert urlsplit(back).hostname == site
    return browser.get(_path(back), site), back


def _follow_to_end(browser, response, limit=6):
    while response.status_code in (301, 302) and limit:
        response = browser.follow(response)
        limit -= 1
    return response


def _site_client():
    """A browser that asked the hub already (else an anonymous /admin/ visit is sent there first)."""
    client = Client(HTTP_HOST=SITE)
    client.cookies[CHECKED_COOKIE] = "1"
    return client


def test_no_button_and_no_callback_without_a_server(cluster):
    client = _site_client()
    assert 'id="cas-login"' not in client.get("/admin/login/").content.decode()
    assert client.get("/admin/login/cas/").status_code == 404
    assert client.get(CALLBACK, {"state": "x", "ticket": "ST-1"}).status_code == 404


def test_the_login_page_offers_the_button_with_next(cluster, cas):
    page = _site_client().get("/admin/login/?next=/admin/pages/").content.decode()
    assert 'id="cas-login"' in page and "/admin/login/cas/?next=%2Fadmin%2Fpages%2F" in page


def test_first_login_creates_a_role_less_user_and_joins_the_sign_on_hub(cluster, cas):
    browser = _browser_at_login()
    answer, _ = login_via_cas(browser, "zhaoliu")
    hub = urlsplit(answer["Location"])
    assert hub.hostname == settings.CMS_CLUSTER_HOST and hub.path == "/sso/adopt/"
    page = _follow_to_end(browser, answer)
    assert page.status_code == 200 and "您还没有任何站点角色，请联系网站办" in page.content.decode()
    user = Identity.objects.of(cas_client.issuer(), "zhaoliu").select_related("user").get().user
    assert user.full_name == "赵六" and user.email == "zl@cas.example.cn"
    assert not SiteGroup.objects.filter(group__user=user).exists() and not user.has_usable_password()
    assert browser.signed_in(SITE) and browser.signed_in(settings.CMS_CLUSTER_HOST)
    assert AuditEvent.objects.filter(action="cas_login", actor=user, detail__created=True).exists()
    # The ticket was checked for exactly the service it was issued for.
    assert cas.validations[-1]["service"].startswith(f"http://{SITE}{CALLBACK}?state=")


def test_a_granted_role_opens_the_admin_and_the_next_login_is_the_same_user(cluster, cas):
    login_via_cas(_browser_at_login(), "zhouba")
    user = Identity.objects.of(cas_client.issuer(), "zhouba").get().user
    grant_role(user, Role.EDITOR, cluster.sites["jtj"])
    browser = _browser_at_login()
    answer, _ = login_via_cas(browser, "zhouba", next_path="/admin/pages/")
    assert _follow_to_end(browser, answer).status_code == 200
    assert browser.signed_in(SITE)
    assert Identity.objects.filter(user=user).count() == 1


def test_a_replayed_callback_is_refused(cluster, cas):
    browser = _browser_at_login()
    answer, back = login_via_cas(browser, "zhaoliu")
    assert answer.status_code == 302
    again = _browser_at_login()
    replay = again.get(_path(back), SITE)
    assert replay.status_code == 400 and not again.signed_in(SITE)
    assert "统一身份认证登录未完成" in replay.content.decode()


def test_a_ticket_pushed_into_another_browser_is_refused(cluster, cas):
    """Login CSRF: the attacker's own valid ticket, sent to a victim, must not sign the victim in."""
    attacker = _browser_at_login()
    login_url, _ = _to_server(attacker)
    back = _sign_in_at_server(login_url, "zhaoliu")  # not used by the attacker's browser
    victim = _browser_at_login()
    answer = victim.get(_path(back), SITE)
    assert answer.status_code == 400 and not victim.signed_in(SITE)
    assert AuditEvent.objects.filter(
        action="cas_login_failed", detail__reason="unknown, spent or expired state"
    ).exists()
    # The ticket was never sent for validation from the victim's request.
    assert not any(v.get("ticket") == parse_qs(urlsplit(back).query)["ticket"][0] for v in cas.validations)


def test_a_forged_ticket_or_one_for_another_service_is_refused(cluster, cas):
    browser = _browser_at_login()
    _login, service = _to_server(browser)
    forged = browser.get(_path(service + "&" + urlencode({"ticket": "ST-1-forged-cas01"})), SITE)
    assert forged.status_code == 400 and not browser.signed_in(SITE)
    # A ticket the server issued for another site's service, brought here with this browser's state.
    browser = _browser_at_login()
    _login, service = _to_server(browser)
    elsewhere = cas.issue("zhaoliu", "http://jyj.localhost/admin/login/cas/callback/?state=x")
    answer = browser.get(_path(service + "&" + urlencode({"ticket": elsewhere})), SITE)
    assert answer.status_code == 400 and not browser.signed_in(SITE)
    # Malformed tickets never reach the server.
    browser = _browser_at_login()
    _login, service = _to_server(browser)
    before = len(cas.validations)
    answer = browser.get(_path(service + "&" + urlencode({"ticket": "ST-1<script>"})), SITE)
    assert answer.status_code == 400 and len(cas.validations) == before


@pytest.mark.parametrize(
    "hostile",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
        "<cas:user>&b;</cas:user></cas:authenticationSuccess></cas:serviceResponse>",
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
        "<cas:user>&x;</cas:user></cas:authenticationSuccess></cas:serviceResponse>",
        "not xml at all",
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
        "<cas:user></cas:user></cas:authenticationSuccess></cas:serviceResponse>",
    ],
    ids=["entity-expansion", "external-entity", "garbage", "no-user"],
)
def test_a_hostile_or_empty_validation_answer_signs_nobody_in(cluster, cas, hostile):
    browser = _browser_at_login()
    login_url, _ = _to_server(browser)
    back = _sign_in_at_server(login_url, "zhaoliu")
    cas.answer_override = hostile
    answer = browser.get(_path(back), SITE)
    assert answer.status_code == 400 and not browser.signed_in(SITE)


def test_an_unreachable_server_is_a_clear_message(cluster, cas, settings):
    browser = _browser_at_login()
    login_url, _ = _to_server(browser)
    back = _sign_in_at_server(login_url, "zhaoliu")
    settings.CMS_CAS_SERVER_URL = "http://127.0.0.1:9/cas"  # nothing listens there
    answer = browser.get(_path(back), SITE)
    assert answer.status_code == 502 and "统一身份认证服务暂时无法访问" in answer.content.decode()


def test_the_second_factor_is_asked_unless_the_server_asserts_a_trusted_one(cluster, cas, settings):
    settings.CMS_MFA_ENFORCED = True
    settings.CMS_CAS_MFA_CONTEXTS = ["mfa-gauth"]
    for name in ("zhaoliu", "sunqi"):
        login_via_cas(_browser_at_login(), name)
        grant_role(Identity.objects.of(cas_client.issuer(), name).get().user, Role.SITE_ADMIN, cluster.sites["jtj"])
    browser = _browser_at_login()
    answer, _ = login_via_cas(browser, "zhaoliu")
    assert urlsplit(answer["Location"]).path.startswith("/admin/login/mfa/") and not browser.signed_in(SITE)
    browser = _browser_at_login()
    answer, _ = login_via_cas(browser, "sunqi")
    assert urlsplit(answer["Location"]).path == "/sso/adopt/"
    assert _follow_to_end(browser, answer).status_code == 200 and browser.signed_in(SITE)


def test_the_servers_single_logout_ends_the_session_on_every_host(cluster, cas):
    browser = _browser_at_login()
    answer, back = login_via_cas(browser, "zhaoliu")
    _follow_to_end(browser, answer)
    assert browser.signed_in(SITE) and browser.signed_in(settings.CMS_CLUSTER_HOST)
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    assert ProviderSession.objects.filter(issuer=cas_client.issuer(), sid=ticket).exists()
    server = Client()  # the CAS server: no cookie, no CSRF token
    # Another ticket's logout, and hostile XML, end nothing.
    assert (
        server.post(_path(back), {"logoutRequest": logout_request("ST-9-other-cas01")}, HTTP_HOST=SITE).status_code
        == 200
    )
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "a">]><r>&a;</r>'
    assert server.post(_path(back), {"logoutRequest": bomb}, HTTP_HOST=SITE).status_code == 400
    assert browser.signed_in(SITE)
    done = server.post(_path(back), {"logoutRequest": logout_request(ticket)}, HTTP_HOST=SITE)
    assert done.status_code == 200
    assert not browser.signed_in(SITE) and not browser.signed_in(settings.CMS_CLUSTER_HOST)
    assert AuditEvent.objects.filter(action="cas_single_logout", target="zhaoliu").exists()


def test_single_logout_only_from_the_listed_addresses_when_set(cluster, cas, settings):
    browser = _browser_at_login()
    answer, back = login_via_cas(browser, "zhaoliu")
    _follow_to_end(browser, answer)
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    settings.CMS_CAS_LOGOUT_FROM = ["192.0.2.10"]
    refused = Client().post(_path(back), {"logoutRequest": logout_request(ticket)}, HTTP_HOST=SITE)
    assert refused.status_code == 403 and browser.signed_in(SITE)
    allowed = Client().post(
        _path(back), {"logoutRequest": logout_request(ticket)}, HTTP_HOST=SITE, REMOTE_ADDR="192.0.2.10"
    )
    assert allowed.status_code == 200 and not browser.signed_in(SITE)


def test_our_logout_ends_the_servers_session_too(cluster, cas):
    browser = _browser_at_login()
    answer, _ = login_via_cas(browser, "zhaoliu")
    _follow_to_end(browser, answer)
    browser.client.cookies = browser.jar(SITE)
    logout = browser.post("/admin/logout/", SITE)
    assert not browser.signed_in(SITE) and not browser.signed_in(settings.CMS_CLUSTER_HOST)
    target = urlsplit(logout["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{cas.url}/logout"
    assert parse_qs(target.query)["service"] == [f"http://{SITE}/admin/login/"]
    assert AuditEvent.objects.filter(action="cas_logout", target="zhaoliu").exists()
    # A password login's logout stays ours: no CAS hop without a CAS login.
    editor = _site_client()
    editor.force_login(cluster.user("jtj", "editor"))
    plain = editor.post("/admin/logout/")
    assert plain.status_code == 302 and not plain["Location"].startswith(cas.url)


def test_claims_and_second_factor_from_attributes(settings):
    attributes = {"cn": ["赵六"], "mail": ["", "zl@cas.example.cn"], "authnContextClass": ["mfa-gauth"]}
    assert cas_client.claims("zhaoliu", attributes) == {
        "sub": "zhaoliu",
        "preferred_username": "zhaoliu",
        "name": "赵六",
        "email": "zl@cas.example.cn",
    }
    settings.CMS_CAS_MFA_CONTEXTS = []
    assert not cas_client.second_factor_asserted(attributes)
    settings.CMS_CAS_MFA_CONTEXTS = ["mfa-gauth"]
    assert cas_client.second_factor_asserted(attributes)


def test_a_login_abandoned_at_the_second_factor_leaves_nothing_for_the_next_persons_logout(cluster, cas, settings):
    settings.CMS_MFA_ENFORCED = True
    login_via_cas(_browser_at_login(), "zhouba")
    grant_role(Identity.objects.of(cas_client.issuer(), "zhouba").get().user, Role.SITE_ADMIN, cluster.sites["jtj"])
    browser = _browser_at_login()
    answer, _ = login_via_cas(browser, "zhouba")
    assert urlsplit(answer["Location"]).path.startswith("/admin/login/mfa/")  # parked, never finished
    # Someone else signs in with a password in the same browser (an editor: no second factor asked).
    settings.CMS_MFA_ENFORCED = False
    editor = cluster.user("jtj", "editor")
    signed = browser.post("/admin/login/", SITE, {"username": editor.username, "password": cluster.password})
    assert signed.status_code == 302
    _follow_to_end(browser, signed)
    assert browser.signed_in(SITE)
    browser.client.cookies = browser.jar(SITE)
    logout = browser.post("/admin/logout/", SITE)
    assert logout.status_code == 302 and not logout["Location"].startswith(cas.url)
    assert not AuditEvent.objects.filter(action="cas_logout", target=editor.username).exists()


def test_one_person_whatever_the_case_they_typed_their_name_in(cluster, cas):
    login_via_cas(_browser_at_login(), "zhaoliu")
    login_via_cas(_browser_at_login(), "ZhaoLiu")
    identities = Identity.objects.filter(issuer=cas_client.issuer(), subject__iexact="zhaoliu")
    assert identities.count() == 1 and identities.get().subject == "zhaoliu"
    assert cas_client.subject("ＺｈａｏＬｉｕ ") == "zhaoliu"  # full-width, as an input method may type it


def test_names_kept_as_sent_when_the_server_tells_case_apart(settings):
    settings.CMS_CAS_USER_CASE = "keep"
    assert cas_client.subject("ZhaoLiu") == "ZhaoLiu"


def test_a_cas_name_is_never_an_openid_connect_subject(cluster, cas, settings):
    settings.CMS_OIDC_ISSUER = cas.url  # even a deployment that gave both the same address
    login_via_cas(_browser_at_login(), "zhaoliu")
    assert not Identity.objects.filter(issuer=cas.url).exists()
    assert Identity.objects.filter(issuer=f"cas:{cas.url}", subject="zhaoliu").exists()


@pytest.mark.parametrize(
    ("allowed", "sender", "accepted"),
    [
        ([], "127.0.0.1", True),  # the server's host name resolves to it
        ([], "198.51.100.7", False),
        (["10.1.0.0/16"], "10.1.2.3", True),
        (["10.1.0.0/16"], "127.0.0.1", False),
        (["*"], "198.51.100.7", True),
    ],
)
def test_single_logout_is_taken_from_the_server_only(cluster, cas, settings, allowed, sender, accepted):
    settings.CMS_CAS_LOGOUT_FROM = allowed
    browser = _browser_at_login()
    answer, back = login_via_cas(browser, "zhaoliu")
    _follow_to_end(browser, answer)
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    response = Client().post(_path(back), {"logoutRequest": logout_request(ticket)}, HTTP_HOST=SITE, REMOTE_ADDR=sender)
    assert response.status_code == (200 if accepted else 403)
    assert browser.signed_in(SITE) is not accepted


def test_login_starts_from_one_address_are_limited(cluster, cas, settings, monkeypatch):
    from types import SimpleNamespace

    from sites import counters

    minute = 1_660_000_000 + uuid.uuid4().int % 10**6 * 60  # a window of this test's own
    monkeypatch.setattr(counters, "time", SimpleNamespace(time=lambda: minute + 1.0))
    settings.CMS_LOGIN_START_RATE = 3
    address = f"198.51.100.{uuid.uuid4().int % 200 + 20}"
    answers = [_site_client().get("/admin/login/cas/", REMOTE_ADDR=address).status_code for _ in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert _site_client().get("/admin/login/cas/", REMOTE_ADDR="203.0.113.250").status_code == 302
    assert _site_client().get("/admin/login/oidc/", REMOTE_ADDR=address).status_code == 404  # no provider here


def test_a_cas_login_over_another_persons_session_is_linked_and_ends_at_the_server(cluster, cas):
    browser = _browser_at_login()
    editor = cluster.user("jtj", "editor")
    signed = browser.post("/admin/login/", SITE, {"username": editor.username, "password": cluster.password})
    _follow_to_end(browser, signed)
    assert browser.signed_in(SITE)
    answer, back = login_via_cas(browser, "zhouba")
    _follow_to_end(browser, answer)
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    person = Identity.objects.of(cas_client.issuer(), "zhouba").get().user
    assert ProviderSession.objects.filter(issuer=cas_client.issuer(), sid=ticket, user=person).exists()
    browser.client.cookies = browser.jar(SITE)
    assert int(browser.client.session["_auth_user_id"]) == person.pk
    logout = browser.post("/admin/logout/", SITE)
    assert logout["Location"].startswith(f"{cas.url}/logout")


def test_login_starts_from_one_ipv6_subscriber_share_one_limit(cluster, cas, settings, monkeypatch):
    from types import SimpleNamespace

    from sites import counters

    minute = 1_670_000_000 + uuid.uuid4().int % 10**6 * 60
    monkeypatch.setattr(counters, "time", SimpleNamespace(time=lambda: minute + 1.0))
    settings.CMS_LOGIN_START_RATE = 3
    network = f"2001:db8:{uuid.uuid4().int % 65536:x}:{uuid.uuid4().int % 65536:x}"
    answers = [
        _site_client().get("/admin/login/cas/", REMOTE_ADDR=f"{network}::{host + 1:x}").status_code for host in range(5)
    ]
    assert answers == [302, 302, 302, 429, 429]


def test_the_admins_policy_lets_the_logout_form_go_on_to_the_server(cluster, cas, settings):
    """The logout form's answer redirects to the CAS server: the browser enforces form-action on it."""
    login_page = _site_client().get("/admin/login/")
    policy = login_page["Content-Security-Policy"]
    form_action = next(part for part in policy.split("; ") if part.startswith("form-action")).split()[1:]
    assert f"http://127.0.0.1:{cas.server_address[1]}" in form_action
    settings.CMS_CAS_LOGOUT = False  # no hop to the server: not allowed either
    policy = _site_client().get("/admin/login/")["Content-Security-Policy"]
    assert f"127.0.0.1:{cas.server_address[1]}" not in policy
