"""Single sign-on tickets: one use, short life, only for this cluster's hosts."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from sites.models import SignOnTicket
from sites.sso import CHECKED_COOKIE, issue_ticket, redeem_ticket

pytestmark = pytest.mark.django_db


def hub():
    return settings.CMS_CLUSTER_HOST


def test_anonymous_admin_visit_asks_the_hub_then_shows_login(client, cluster):
    response = client.get("/admin/", HTTP_HOST="jtj.localhost")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.hostname == hub() and location.path == "/sso/check/"
    answer = client.get(location.path, parse_qs(location.query), HTTP_HOST=hub())
    back = urlsplit(answer["Location"])
    assert back.hostname == "jtj.localhost" and "ticket" not in parse_qs(back.query)
    accepted = client.get(back.path, parse_qs(back.query), HTTP_HOST="jtj.localhost")
    assert CHECKED_COOKIE in accepted.cookies
    login = client.get("/admin/", HTTP_HOST="jtj.localhost")
    assert "/admin/login/" in login["Location"]


def test_signed_in_hub_session_is_joined_by_a_site_host(client, cluster):
    user = cluster.user("jtj", "editor")
    client.force_login(user)
    key = client.session.session_key
    answer = client.get("/sso/check/", {"next": "http://jyj.localhost/admin/"}, HTTP_HOST=hub())
    back = urlsplit(answer["Location"])
    query = parse_qs(back.query)
    assert back.hostname == "jyj.localhost" and query["ticket"]
    client.cookies.clear()
    accepted = client.get(back.path, query, HTTP_HOST="jyj.localhost")
    assert accepted.cookies[settings.SESSION_COOKIE_NAME].value == key
    # The ticket is spent.
    assert redeem_ticket(query["ticket"][0], "jyj.localhost") is None


def test_login_on_a_site_is_passed_to_the_hub(client, cluster):
    user = cluster.user("jtj", "editor")
    response = client.post(
        "/admin/login/", {"username": user.username, "password": cluster.password}, HTTP_HOST="jtj.localhost"
    )
    location = urlsplit(response["Location"])
    assert location.hostname == hub() and location.path == "/sso/adopt/"
    adopted = client.get(location.path, parse_qs(location.query), HTTP_HOST=hub())
    assert adopted.cookies[settings.SESSION_COOKIE_NAME].value == client.session.session_key
    assert urlsplit(adopted["Location"]).hostname == "jtj.localhost"


def test_tickets_expire_and_are_bound_to_their_host(client, cluster):
    client.force_login(cluster.user("jtj", "editor"))
    key = client.session.session_key
    nonce = issue_ticket(key, "jyj.localhost")
    assert redeem_ticket(nonce, "jtj.localhost") is None  # another host cannot use it
    old = issue_ticket(key, "jyj.localhost")
    SignOnTicket.objects.filter(nonce=old).update(created_at=timezone.now() - timedelta(minutes=5))
    assert redeem_ticket(old, "jyj.localhost") is None
    assert redeem_ticket(nonce, "jyj.localhost") == key


def test_a_ticket_for_a_logged_out_session_is_worthless(client, cluster):
    client.force_login(cluster.user("jtj", "editor"))
    nonce = issue_ticket(client.session.session_key, "jyj.localhost")
    client.logout()
    assert redeem_ticket(nonce, "jyj.localhost") is None


@pytest.mark.parametrize("target", ["http://evil.example.com/", "javascript:alert(1)", "//evil.example.com/x", ""])
def test_hub_refuses_to_redirect_outside_the_cluster(client, cluster, target):
    assert client.get("/sso/check/", {"next": target}, HTTP_HOST=hub()).status_code == 400
    assert client.get("/sso/adopt/", {"next": target, "ticket": "x"}, HTTP_HOST=hub()).status_code == 400


def test_accept_refuses_a_next_on_another_host(client, cluster):
    response = client.get("/sso/accept/", {"next": "http://evil.example.com/"}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 400
