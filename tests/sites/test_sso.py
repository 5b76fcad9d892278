"""Single sign-on: tickets are one use, short-lived, for this cluster's hosts, and only for the
browser that started the round trip; every ``next`` stays on the cluster's hosts."""

import secrets
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sites.models import AuditEvent, Role, SignOnTicket
from sites.sso import (
    CHECKED_COOKIE,
    HUB_BINDING_COOKIE,
    HUB_NONCE_COOKIE,
    SITE_NONCE_COOKIE,
    binding_of,
    issue_ticket,
    redeem_ticket,
)

pytestmark = pytest.mark.django_db

SESSION = settings.SESSION_COOKIE_NAME


def hub():
    return settings.CMS_CLUSTER_HOST


class Browser:
    """A test client with one cookie jar per host, as a browser keeps them.

    Django's test client sends every cookie to every host, which would let a site host read the
    hub's nonce and hide exactly the mistakes these tests look for.
    """

    def __init__(self):
        self.client = Client()
        self.jars = {}

    def jar(self, host):
        return self.jars.setdefault(host, SimpleCookie())

    def cookie(self, host, name):
        morsel = self.jar(host).get(name)
        return morsel.value if morsel is not None else None

    def request(self, method, url, host=None, data=None):
        parts = urlsplit(url)
        host = parts.hostname or host
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.client.cookies = self.jar(host)
        response = getattr(self.client, method)(path, data, HTTP_HOST=host)
        for name, morsel in response.cookies.items():
            if str(morsel["max-age"]) == "0" or morsel.value == "":
                self.jar(host).pop(name, None)
        response.host = host
        return response

    def get(self, url, host=None, data=None):
        return self.request("get", url, host, data)

    def post(self, url, host=None, data=None):
        return self.request("post", url, host, data)

    def follow(self, response):
        """One redirect, resolved against the URL that answered it, as a browser resolves it."""
        assert response.status_code in (301, 302), response.status_code
        return self.get(urljoin(f"http://{response.host}/", response["Location"]))

    def force_login(self, user, host):
        self.client.cookies = self.jar(host)
        self.client.force_login(user)
        return self.cookie(host, SESSION)

    def signed_in(self, host):
        """Whether this browser's cookie on ``host`` names a signed-in session."""
        self.client.cookies = self.jar(host)
        return "_auth_user_id" in self.client.session


def web_office(cluster):
    return cluster.users[(None, Role.WEB_OFFICE)]


def hub_answer(browser, site="jtj.localhost", path="/admin/"):
    """The first two hops: the site asks the hub (its own nonce set), the hub answers towards /sso/accept/.

    A site asks again only once its "already asked" cookie is gone (30 s): start from there.
    """
    browser.jar(site).pop(CHECKED_COOKIE, None)
    asked = browser.get(path, site)
    assert urlsplit(asked["Location"]).path == "/sso/check/"
    return browser.follow(asked)


def location_host(response):
    return urlsplit(urljoin(f"http://{response.host}/", response["Location"])).hostname


# --- the round trips work for the browser that makes them -----------------------------------------


def test_anonymous_admin_visit_asks_the_hub_then_shows_login(cluster):
    browser = Browser()
    asked = browser.get("/admin/", "jtj.localhost")
    location = urlsplit(asked["Location"])
    assert location.hostname == hub() and location.path == "/sso/check/"
    nonce = browser.cookie("jtj.localhost", SITE_NONCE_COOKIE)
    # The URL carries the nonce's hash, never the nonce.
    assert parse_qs(location.query)["bind"] == [binding_of(nonce)] and nonce not in asked["Location"]
    answer = browser.follow(asked)
    back = urlsplit(answer["Location"])
    assert back.hostname == "jtj.localhost" and "ticket" not in parse_qs(back.query)
    accepted = browser.follow(answer)
    assert CHECKED_COOKIE in accepted.cookies and SESSION not in accepted.cookies
    assert browser.cookie("jtj.localhost", HUB_BINDING_COOKIE) == binding_of(browser.cookie(hub(), HUB_NONCE_COOKIE))
    login = browser.follow(accepted)
    assert "/admin/login/" in login["Location"]


def test_signed_in_hub_session_is_joined_by_a_site_host(cluster):
    browser = Browser()
    key = browser.force_login(web_office(cluster), hub())
    answer = hub_answer(browser, "jyj.localhost")
    assert parse_qs(urlsplit(answer["Location"]).query)["ticket"]
    accepted = browser.follow(answer)
    assert accepted["Location"] == "/admin/"
    assert browser.cookie("jyj.localhost", SESSION) == key
    assert browser.get("/admin/", "jyj.localhost").status_code == 200


def test_login_on_a_site_is_passed_to_the_hub(cluster):
    user = cluster.user("jtj", "editor")
    browser = Browser()
    form = browser.follow(browser.follow(hub_answer(browser, "jtj.localhost", "/admin/login/")))
    assert form.status_code == 200
    response = browser.post("/admin/login/", "jtj.localhost", {"username": user.username, "password": cluster.password})
    location = urlsplit(response["Location"])
    assert location.hostname == hub() and location.path == "/sso/adopt/"
    adopted = browser.follow(response)
    assert browser.cookie(hub(), SESSION) == browser.cookie("jtj.localhost", SESSION)
    assert urlsplit(adopted["Location"]).hostname == "jtj.localhost"
    # The hub now signs the browser in on another site without a second login.
    joined = browser.follow(hub_answer(browser, "jyj.localhost"))
    assert browser.cookie("jyj.localhost", SESSION) == browser.cookie(hub(), SESSION) and joined.status_code == 302


# --- login CSRF: a ticket works only in the browser that asked for it --------------------------------


def test_a_ticket_url_opened_in_another_browser_is_refused(cluster):
    attacker, victim = Browser(), Browser()
    attacker.force_login(cluster.user("jtj", Role.EDITOR), hub())
    victim.get("/admin/", "jtj.localhost")  # the victim has a nonce of its own on the site
    ticket_url = hub_answer(attacker)  # the attacker stops before the last hop ...
    planted = victim.follow(ticket_url)  # ... and has the victim's browser open it
    assert SESSION not in planted.cookies and victim.cookie("jtj.localhost", SESSION) is None
    assert not victim.signed_in("jtj.localhost")
    assert AuditEvent.objects.filter(action="sso_ticket_refused", target="jtj.localhost").exists()
    # The refused ticket is spent: not even the attacker's own browser can use it now.
    assert SESSION not in attacker.follow(ticket_url).cookies
    # Positive control: the same round trip, finished by the browser that started it, signs in.
    attacker.follow(hub_answer(attacker))
    assert attacker.signed_in("jtj.localhost")


def test_a_ticket_url_without_the_binding_cookie_is_refused(cluster):
    browser = Browser()
    browser.force_login(web_office(cluster), hub())
    answer = hub_answer(browser)
    browser.jar("jtj.localhost").pop(SITE_NONCE_COOKIE)
    assert SESSION not in browser.follow(answer).cookies
    assert not browser.signed_in("jtj.localhost")
    # Positive control: with the cookie kept, the same steps sign in.
    browser.follow(hub_answer(browser))
    assert browser.signed_in("jtj.localhost")


def test_a_replayed_ticket_is_refused(cluster):
    browser = Browser()
    key = browser.force_login(web_office(cluster), hub())
    answer = hub_answer(browser)
    assert browser.follow(answer).cookies[SESSION].value == key  # first use: joined
    browser.jar("jtj.localhost").pop(SESSION)
    replay = browser.follow(answer)
    assert SESSION not in replay.cookies and not browser.signed_in("jtj.localhost")


def test_an_adopt_url_opened_in_another_browser_is_refused(cluster):
    user = cluster.user("jtj", Role.EDITOR)
    attacker, victim = Browser(), Browser()
    victim.follow(hub_answer(victim))  # the victim's browser knows the hub (a nonce of its own there)
    attacker.follow(hub_answer(attacker, "jtj.localhost", "/admin/login/"))
    adopt = attacker.post("/admin/login/", "jtj.localhost", {"username": user.username, "password": cluster.password})
    assert urlsplit(adopt["Location"]).path == "/sso/adopt/"
    planted = victim.follow(adopt)
    assert SESSION not in planted.cookies and not victim.signed_in(hub())
    # The hub has nothing to pass on: the victim's next site visit finds no session.
    victim.jar("jyj.localhost").clear()
    assert "ticket" not in parse_qs(urlsplit(hub_answer(victim, "jyj.localhost")["Location"]).query)
    # Positive control: the attacker's own browser, after a fresh login, is adopted.
    again = attacker.post("/admin/login/", "jtj.localhost", {"username": user.username, "password": cluster.password})
    attacker.follow(again)
    assert attacker.signed_in(hub())


def test_a_crafted_accept_link_cannot_plant_the_hub_binding(cluster):
    attacker, victim = Browser(), Browser()
    genuine = hub_answer(attacker)
    query = parse_qs(urlsplit(genuine["Location"]).query)
    victim.get("/admin/", "jtj.localhost")
    victim.follow(genuine)  # the attacker's hub binding and proof, in the victim's browser
    assert victim.cookie("jtj.localhost", HUB_BINDING_COOKIE) is None
    forged = victim.get("/sso/accept/", "jtj.localhost", {"next": "/admin/", "hub": query["hub"], "proof": "0" * 64})
    assert HUB_BINDING_COOKIE not in forged.cookies
    # Positive control: the hub's answer to the attacker's own browser is kept there.
    attacker.follow(genuine)
    assert attacker.cookie("jtj.localhost", HUB_BINDING_COOKIE) == query["hub"][0]


def test_tickets_expire_and_are_bound_to_their_host_and_browser(cluster):
    browser = Browser()
    key = browser.force_login(cluster.user("jtj", "editor"), hub())
    nonce = secrets.token_urlsafe(32)
    bound = binding_of(nonce)
    for_jyj = issue_ticket(key, "jyj.localhost", bound)
    assert redeem_ticket(for_jyj, "jtj.localhost", nonce) is None  # another host cannot use it
    old = issue_ticket(key, "jyj.localhost", bound)
    SignOnTicket.objects.filter(nonce=old).update(created_at=timezone.now() - timedelta(minutes=5))
    assert redeem_ticket(old, "jyj.localhost", nonce) is None
    other_browser = issue_ticket(key, "jyj.localhost", bound)
    assert redeem_ticket(other_browser, "jyj.localhost", secrets.token_urlsafe(32)) is None
    assert redeem_ticket(other_browser, "jyj.localhost", nonce) is None  # spent by the wrong browser
    assert redeem_ticket(for_jyj, "jyj.localhost", nonce) == key
    assert redeem_ticket(for_jyj, "jyj.localhost", nonce) is None  # once only
    with pytest.raises(ValueError):
        issue_ticket(key, "jyj.localhost", "")  # no ticket without a browser to bind it to


def test_a_ticket_for_a_logged_out_session_is_worthless(client, cluster):
    client.force_login(cluster.user("jtj", "editor"))
    nonce = secrets.token_urlsafe(32)
    ticket = issue_ticket(client.session.session_key, "jyj.localhost", binding_of(nonce))
    client.logout()
    assert redeem_ticket(ticket, "jyj.localhost", nonce) is None


# --- every next stays in the cluster --------------------------------------------------------------

OUTSIDE = [
    "http://evil.example.com/",
    "javascript:alert(1)",
    "//evil.example.com/x",
    "",
    "http://jtj.localhost@evil.example/x",
    "http://evil.example\\@jtj.localhost/",
    "http:evil.example/x",
    "http:/evil.example/x",
    "http:///evil.example/x",
    "\t//evil.example/x",
    " //evil.example/x",
    "/\\evil.example/x",
    "http://jtj.localhost:6379/",
    "ftp://jtj.localhost/",
    "/admin/",  # the hub needs a host to answer to
]


@pytest.mark.parametrize("target", OUTSIDE)
def test_hub_refuses_to_redirect_outside_the_cluster(client, cluster, target):
    assert client.get("/sso/check/", {"next": target}, HTTP_HOST=hub()).status_code == 400
    assert client.get("/sso/adopt/", {"next": target, "ticket": "x"}, HTTP_HOST=hub()).status_code == 400


def test_hub_answers_a_cluster_next(client, cluster):
    # Positive control for the refusals above.
    assert client.get("/sso/check/", {"next": "http://jtj.localhost/admin/"}, HTTP_HOST=hub()).status_code == 302
    assert client.get("/sso/adopt/", {"next": "http://jtj.localhost/admin/"}, HTTP_HOST=hub()).status_code == 302


@pytest.mark.parametrize(
    "target",
    ["http://evil.example.com/", "http://jyj.localhost/admin/", "//evil.example/x", "/\\evil.example", "x/y", "\n/x"],
)
def test_accept_refuses_a_next_on_another_host(client, cluster, target):
    response = client.get("/sso/accept/", {"next": target}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("http://jtj.localhost//evil.example/x", "/evil.example/x"),
        ("http://jtj.localhost///evil.example/x?a=1", "/evil.example/x?a=1"),
        ("http://jtj.localhost/.//evil.example/x", "/evil.example/x"),
        ("http://jtj.localhost/admin/..//evil.example/", "/evil.example/"),
        ("http://jtj.localhost/%2e%2e//evil.example", "/evil.example"),
        ("/admin/pages/?p=2", "/admin/pages/?p=2"),  # the ordinary case, unchanged
        ("http://jtj.localhost/admin/", "/admin/"),
    ],
)
def test_accept_keeps_a_double_slash_path_on_this_host(client, cluster, target, location):
    response = client.get("/sso/accept/", {"next": target}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 302 and response["Location"] == location
    assert urlsplit(urljoin("http://jtj.localhost/sso/accept/", response["Location"])).hostname == "jtj.localhost"


def test_hub_check_and_adopt_keep_a_double_slash_path_on_the_site(cluster):
    browser = Browser()
    browser.get("/admin/", "jtj.localhost")
    bind = binding_of(browser.cookie("jtj.localhost", SITE_NONCE_COOKIE))
    answer = browser.get("/sso/check/", hub(), {"next": "http://jtj.localhost//evil.example/x", "bind": bind})
    assert location_host(answer) == "jtj.localhost"
    assert parse_qs(urlsplit(answer["Location"]).query)["next"] == ["http://jtj.localhost/evil.example/x"]
    final = browser.follow(answer)
    assert final["Location"] == "/evil.example/x" and location_host(final) == "jtj.localhost"
    adopted = browser.get("/sso/adopt/", hub(), {"next": "http://jtj.localhost//evil.example/x", "ticket": "x"})
    assert adopted["Location"] == "http://jtj.localhost/evil.example/x"


@pytest.mark.parametrize(
    ("next_param", "expected"),
    [
        ("/admin//evil.example/x", "http://jtj.localhost/admin/evil.example/x"),
        ("//evil.example/x", "http://jtj.localhost/admin/"),  # the login view itself refuses it
        ("/admin/pages/", "http://jtj.localhost/admin/pages/"),
    ],
)
def test_login_passes_only_a_safe_next_to_the_hub(cluster, next_param, expected):
    user = cluster.user("jtj", Role.EDITOR)
    browser = Browser()
    browser.follow(hub_answer(browser, "jtj.localhost", "/admin/login/"))
    response = browser.post(
        f"/admin/login/?next={next_param}", "jtj.localhost", {"username": user.username, "password": cluster.password}
    )
    assert urlsplit(response["Location"]).path == "/sso/adopt/"
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [expected]
    assert browser.follow(response)["Location"] == expected


def test_login_without_the_hubs_binding_stays_on_this_host(cluster):
    user = cluster.user("jtj", Role.EDITOR)
    browser = Browser()
    browser.get("/admin/login/", "jtj.localhost")  # asked the hub, but never came back
    # Tickets committed by servers other modules ran (the browser tests) may exist: count new ones.
    before = SignOnTicket.objects.filter(host=hub()).count()
    response = browser.post("/admin/login/", "jtj.localhost", {"username": user.username, "password": cluster.password})
    assert response["Location"] == "http://jtj.localhost/admin/"
    assert browser.signed_in("jtj.localhost") and SignOnTicket.objects.filter(host=hub()).count() == before
