"""Who opens the web office's console: the web office only; the anonymous are sent to the login
page, an editor or a site admin (of this site or another) is refused, each refusal beside the
same request succeeding for the web office. Every POST is refused without the CSRF token."""

import pytest
from django.test import Client

from sites.models import Domain, Tenant

pytestmark = pytest.mark.django_db

CONSOLE_GETS = [
    "/admin/cluster/",
    "/admin/cluster/new/",
    "/admin/cluster/restore/",
    "/admin/cluster/jtj/",
]
CONSOLE_POSTS = [
    ("/admin/cluster/jtj/", {"name": "改名", "kind": "department", "parent": "portal"}),
    ("/admin/cluster/jtj/domains/", {"domain": "jtj-alias.localhost"}),
    ("/admin/cluster/jtj/status/", {"action": "suspend"}),
    ("/admin/cluster/jtj/backup/", {}),
    ("/admin/cluster/new/", {"code": "evil", "name": "x", "kind": "department", "domain": "evil.localhost"}),
]


def sent_to_login(answer):
    """Wagtail's login page, or first the sign-on hub's check (sites/sso.py), which ends there."""
    location = answer.get("Location", "")
    return answer.status_code == 302 and ("/admin/login/" in location or "/sso/check/" in location)


def client_for(cluster, host_code, user=None, **kwargs):
    client = Client(HTTP_HOST=cluster.host(host_code), **kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("url", CONSOLE_GETS + ["/admin/cluster/audit/"])
def test_the_anonymous_are_sent_to_the_login_page(cluster, url):
    assert sent_to_login(client_for(cluster, "portal").get(url))


@pytest.mark.parametrize("url", CONSOLE_GETS)
def test_the_web_office_opens_every_screen(cluster, url):
    answer = client_for(cluster, "portal", cluster.user(None, "web_office")).get(url)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "<form" in body or "测试市交通运输局" in body
    if "restore" not in url:
        assert "测试市交通运输局" in body


@pytest.mark.parametrize("url", CONSOLE_GETS)
@pytest.mark.parametrize(("host", "who"), [("jtj", ("jtj", "editor")), ("jtj", ("jtj", "site_admin"))])
def test_staff_of_a_site_are_refused_on_their_own_admin(cluster, url, host, who):
    assert client_for(cluster, host, cluster.user(*who)).get(url).status_code == 403


@pytest.mark.parametrize("url", CONSOLE_GETS)
def test_a_site_admin_of_another_site_gets_nothing(cluster, url):
    # On their own site's admin they are refused by the console itself …
    assert client_for(cluster, "jyj", cluster.user("jyj", "site_admin")).get(url).status_code == 403
    # … and on jtj's host they are no member: Wagtail sends them to the login page.
    assert sent_to_login(client_for(cluster, "jtj", cluster.user("jyj", "site_admin")).get(url))


@pytest.mark.parametrize(("url", "data"), CONSOLE_POSTS)
def test_no_change_for_anyone_but_the_web_office(cluster, url, data):
    before = Tenant.objects.get(code="jtj")
    for who in (("jtj", "site_admin"), ("jtj", "editor")):
        answer = client_for(cluster, "jtj", cluster.user(*who)).post(url, data)
        assert answer.status_code == 403
    jtj = Tenant.objects.get(code="jtj")
    assert (jtj.name, jtj.status) == (before.name, before.status)
    assert not Domain.objects.filter(domain="jtj-alias.localhost").exists()
    assert not Tenant.objects.filter(code="evil").exists()


@pytest.mark.parametrize(("url", "data"), CONSOLE_POSTS)
def test_every_post_needs_the_csrf_token(cluster, url, data):
    client = client_for(cluster, "portal", cluster.user(None, "web_office"), enforce_csrf_checks=True)
    assert client.post(url, data).status_code == 403
    assert Tenant.objects.get(code="jtj").name == "测试市交通运输局"
    assert not Domain.objects.filter(domain="jtj-alias.localhost").exists()
    # Positive control: with the token from the screen the same request goes through.
    client.get("/admin/cluster/jtj/")
    token = client.cookies["csrftoken"].value
    answer = client.post("/admin/cluster/jtj/domains/", {"domain": "jtj-alias.localhost"}, HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 302
    assert Domain.objects.filter(domain="jtj-alias.localhost", tenant__code="jtj").exists()


def test_wagtails_own_sites_screen_is_gone(cluster):
    web_office = client_for(cluster, "portal", cluster.user(None, "web_office"))
    home = web_office.get("/admin/")
    assert home.status_code == 200
    body = home.content.decode()
    assert "/admin/sites/" not in body  # no 设置 › 站点 in the menu
    assert "/admin/cluster/" in body  # the console instead
    # Its address shows the console's site list, which refuses everyone but the web office.
    answer = web_office.get("/admin/sites/")
    assert answer.status_code == 200 and "/admin/cluster/jtj/" in answer.content.decode()
    for path in ("/admin/sites/add/", "/admin/sites/1/", "/admin/sites/1/delete/"):
        assert web_office.get(path).status_code == 404
    site_admin = client_for(cluster, "jtj", cluster.user("jtj", "site_admin"))
    assert site_admin.get("/admin/sites/").status_code == 403


def test_the_menu_shows_the_console_to_the_web_office_only(cluster):
    admin_home = client_for(cluster, "jtj", cluster.user("jtj", "site_admin")).get("/admin/").content.decode()
    assert "/admin/cluster/" not in admin_home.replace("/admin/cluster/audit/", "")
    assert "/admin/cluster/audit/" in admin_home  # a site admin reads their own site's audit log
    editor_home = client_for(cluster, "jtj", cluster.user("jtj", "editor")).get("/admin/").content.decode()
    assert "/admin/cluster/" not in editor_home
