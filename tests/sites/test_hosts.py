import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["portal.localhost", "jtj.localhost", "jyj.localhost"])
def test_each_site_answers_on_its_own_host(cluster, client, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 200
    assert cluster.sites[host.split(".")[0]].name in response.content.decode()


def test_unknown_host_is_404_never_another_site(cluster, client):
    response = client.get("/", HTTP_HOST="nosuchsite.localhost")
    assert response.status_code == 404
    body = response.content.decode()
    for tenant in cluster.sites.values():
        assert tenant.name not in body


def test_public_host_has_no_wagtail_screens_and_404s_cleanly(cluster, client, settings):
    host = settings.CMS_CLUSTER_HOST
    assert client.get("/", HTTP_HOST=host).status_code == 200
    # Its /admin/ is a way on to the portal's admin (a newcomer types it), not a screen of its own.
    entry = client.get("/admin/", HTTP_HOST=host)
    assert entry.status_code == 302 and entry["Location"] == "http://portal.localhost/admin/"
    for path in ("/admin/pages/", "/admin/login/", "/admin/cluster/", "/no/such/page/"):
        assert client.get(path, HTTP_HOST=host).status_code == 404, path


@pytest.mark.parametrize("host", ["jtj.localhost", "cluster.localhost"])
def test_health_and_readiness_probes_answer_on_every_host(cluster, client, host):
    assert client.get("/healthz", HTTP_HOST=host).json() == {"status": "ok"}
    ready = client.get("/readyz", HTTP_HOST=host)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_probes_still_answer_on_a_suspended_site(cluster, client):
    from sites.provisioning import close_site

    close_site("jyj", "suspended")
    assert client.get("/", HTTP_HOST="jyj.localhost").status_code == 503
    assert client.get("/healthz", HTTP_HOST="jyj.localhost").status_code == 200


def test_admin_and_public_pages_are_chinese_whatever_the_browser_asks(cluster, client):
    from sites.sso import CHECKED_COOKIE

    client.cookies[CHECKED_COOKIE] = "1"  # the sign-on hub was asked already: show the login form
    login = client.get("/admin/login/", HTTP_HOST="jtj.localhost", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert login.status_code == 200
    assert 'lang="zh-hans"' in login.content.decode() or 'lang="zh-Hans"' in login.content.decode()
    assert "登录" in login.content.decode()
    home = client.get("/", HTTP_HOST="jtj.localhost", HTTP_ACCEPT_LANGUAGE="en-US")
    assert 'lang="zh-CN"' in home.content.decode()
