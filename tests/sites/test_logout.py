"""Logout ends the session on the server, for every host, and nothing else pretends to.

Sessions live in the public schema and every host's cookie names the same session (sites/sso.py),
so a logout that only clears one host's cookie leaves the user signed in everywhere else. The
POST deletes the session row; a GET asks for confirmation and changes nothing (logging out on a
GET would let any link or image sign staff out).
"""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from sites.sso import CHECKED_COOKIE

pytestmark = pytest.mark.django_db
HOSTS = ("jtj.localhost", "jyj.localhost", "portal.localhost")


def browser_with(session_key):
    """Another browser presenting the same session cookie (as sign-on gives every host)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    other.cookies[CHECKED_COOKIE] = "1"  # no hop to the hub: an anonymous visit shows the login
    return other


def opens_admin(client, host):
    response = client.get("/admin/", HTTP_HOST=host)
    if response.status_code == 200:
        return True
    # Refused means sent to the login page, nothing else (not a 500, not another page).
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), response
    return False


@pytest.fixture
def signed_in(cluster, client):
    """The web office (a role on every site), signed in on jtj; the session key."""
    client.force_login(cluster.user(None, "web_office"))
    key = client.session.session_key
    for host in HOSTS:  # positive control: the same cookie opens the admin of every site
        assert opens_admin(browser_with(key), host), host
    return key


def session_alive(key):
    return Session.objects.filter(session_key=key).exists()


def test_logout_by_post_deletes_the_session_for_every_host(client, signed_in):
    response = client.post("/admin/logout/", HTTP_HOST="jtj.localhost")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not session_alive(signed_in)
    for host in HOSTS:
        assert not opens_admin(browser_with(signed_in), host), host
    # Nor can the hub hand the dead session to a host.
    hub = browser_with(signed_in).get(
        "/sso/check/", {"next": "http://jyj.localhost/admin/"}, HTTP_HOST=settings.CMS_CLUSTER_HOST
    )
    assert hub.status_code == 302 and "ticket=" not in hub["Location"]


def test_logout_by_get_asks_first_and_leaves_nothing_half_done(client, signed_in):
    page = client.get("/admin/logout/", HTTP_HOST="jtj.localhost")
    html = page.content.decode()
    assert page.status_code == 200 and "确认退出" in html
    assert 'action="/admin/logout/"' in html and 'method="post"' in html and "csrfmiddlewaretoken" in html
    # Not the old state: the cookie kept, so the user is not told they are out while they are in.
    assert settings.SESSION_COOKIE_NAME not in page.cookies
    assert session_alive(signed_in) and opens_admin(browser_with(signed_in), "jyj.localhost")
    # The page's button (a POST with the CSRF token, as a browser sends it) ends it everywhere.
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[settings.SESSION_COOKIE_NAME] = signed_in
    form = strict.get("/admin/logout/", HTTP_HOST="jtj.localhost")
    token = form.context["csrf_token"]
    done = strict.post("/admin/logout/", {"csrfmiddlewaretoken": str(token)}, HTTP_HOST="jtj.localhost")
    assert done.status_code == 302
    assert not session_alive(signed_in)
    for host in HOSTS:
        assert not opens_admin(browser_with(signed_in), host), host


@pytest.mark.parametrize("method", ["put", "delete", "options"])
def test_other_methods_neither_log_out_nor_clear_the_cookie(client, signed_in, method):
    response = getattr(client, method)("/admin/logout/", HTTP_HOST="jtj.localhost")
    assert response.status_code == 405 and settings.SESSION_COOKIE_NAME not in response.cookies
    assert session_alive(signed_in)


def test_an_anonymous_get_is_sent_to_the_login_page(cluster):
    anonymous = Client()
    anonymous.cookies[CHECKED_COOKIE] = "1"
    response = anonymous.get("/admin/logout/", HTTP_HOST="jtj.localhost")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
