"""Session policy (等保三级): idle timeout and absolute lifetime checked on the server on every host,
and "记住我" giving every host's cookie the same expiry."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session

from sites.models import AuditEvent, Role

from .policy_helpers import login_password, signed_in_user_id, site_client

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 6, 1, 0, tzinfo=UTC)
SESSION = settings.SESSION_COOKIE_NAME


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def signed_in(cluster, **extra):
    user = cluster.user("jtj", Role.EDITOR)
    client = site_client()
    login_password(client, user, cluster.password, **extra)
    assert signed_in_user_id(client) == str(user.pk)
    return client, user


def test_an_idle_session_ends_on_the_server(cluster, clock):
    client, user = signed_in(cluster)
    key = client.session.session_key
    clock.shift(timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200  # a request within the window keeps it alive
    clock.shift(timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200
    clock.shift(timedelta(minutes=30))
    expired = client.get("/admin/pages/")
    assert expired["Location"].startswith("/admin/login/?next=")
    assert not Session.objects.filter(session_key=key).exists()  # gone for every host at once
    event = AuditEvent.objects.get(action="session_expired", target=user.username)
    assert event.detail["reason"] == "idle"


def test_the_idle_timeout_is_a_setting(cluster, clock, settings):
    settings.CMS_SESSION_IDLE_SECONDS = 300
    client, _user = signed_in(cluster)
    clock.shift(timedelta(minutes=6))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_an_active_session_still_ends_at_its_absolute_lifetime(cluster, clock):
    client, user = signed_in(cluster)
    key = client.session.session_key
    for _ in range(int(settings.CMS_SESSION_MAX_AGE_SECONDS // 1200) - 1):
        clock.shift(timedelta(minutes=20))
        assert client.get("/admin/").status_code == 200
    clock.shift(timedelta(minutes=20))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.get(action="session_expired", target=user.username).detail["reason"] == "absolute"


def test_an_expired_session_is_anonymous_on_public_pages_and_on_the_hub(cluster, clock):
    client, _user = signed_in(cluster)
    key = client.session.session_key
    clock.shift(timedelta(minutes=31))
    hub = site_client("cluster.localhost")
    hub.cookies[SESSION] = key
    answer = hub.get("/sso/check/", {"next": "http://jyj.localhost/admin/", "bind": "a" * 64})
    assert "ticket=" not in answer["Location"]  # the hub hands out no ticket for it
    assert not Session.objects.filter(session_key=key).exists()


def test_without_remember_me_the_cookie_ends_with_the_browser(cluster, clock):
    client = site_client()
    response = login_password(client, cluster.user("jtj", Role.EDITOR), cluster.password)
    assert response.cookies[SESSION]["max-age"] == ""
    assert client.session.get_expire_at_browser_close()


def test_remember_me_keeps_the_cookie_up_to_the_absolute_lifetime_and_idles_longer(cluster, clock):
    client = site_client()
    response = login_password(client, cluster.user("jtj", Role.EDITOR), cluster.password, remember="on")
    assert int(response.cookies[SESSION]["max-age"]) == settings.CMS_SESSION_MAX_AGE_SECONDS
    clock.shift(timedelta(minutes=90))
    assert client.get("/admin/").status_code == 200  # past the plain idle timeout
    clock.shift(timedelta(seconds=settings.CMS_SESSION_REMEMBER_IDLE_SECONDS))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("remember", [True, False])
def test_every_host_gets_the_same_cookie_expiry(cluster, clock, remember):
    from .test_sso import Browser, hub_answer

    user = cluster.users[(None, Role.WEB_OFFICE)]
    browser = Browser()
    browser.follow(browser.follow(hub_answer(browser, "jtj.localhost", "/admin/login/")))
    data = {"username": user.username, "password": cluster.password} | ({"remember": "on"} if remember else {})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "CMS_MFA_ENFORCED", False)
        login = browser.post("/admin/login/", "jtj.localhost", data)
    adopted = browser.follow(login)  # the hub's cookie
    clock.shift(timedelta(minutes=10))
    browser.jar("jyj.localhost").clear()
    joined = browser.follow(hub_answer(browser, "jyj.localhost"))  # a third host's cookie
    for response in (login, adopted, joined):
        max_age = response.cookies[SESSION]["max-age"]
        if remember:
            expected = settings.CMS_SESSION_MAX_AGE_SECONDS - (600 if response is joined else 0)
            assert int(max_age) == expected
        else:
            assert max_age == ""
