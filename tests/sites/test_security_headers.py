"""Content-Security-Policy and its companions on every answer: public pages, admin, API, nginx.

Public pages are strict (nothing inline may run or style them), and the themes' pages are shown to
need nothing inline, so the policy breaks none of them. The admin gets Wagtail's looser policy with
the sign-on hub allowed as a form target. nginx sends the same public policy with the static output.
"""

import urllib.error
import urllib.request
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from sites.security import add_security_headers, public_policy, render_policy
from sites.sso import CHECKED_COOKIE
from tests.cms import content
from tests.front import Front
from tests.nginx import NGINX_CONF, shipped_nginx

CSP = "Content-Security-Policy"


def directives(header):
    """``"default-src 'self'; script-src 'self'"`` → ``{"default-src": ["'self'"], …}``."""
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def assert_strict(header):
    policy = directives(header)
    for name in ("script-src", "style-src"):
        sources = policy.get(name, policy.get("default-src"))
        assert sources, (name, header)
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources and "*" not in sources, header
        assert not any(source.startswith(("http:", "https:", "data:")) for source in sources), header
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["form-action"] == ["'self'"]


class InlineCode(HTMLParser):
    """What a strict policy would block in a page: inline scripts, styles and event handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if (
            tag == "script"
            and "src" not in names
            and names.get("type", "") not in ("application/json", "application/ld+json")
        ):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_inline_code_check_finds_what_it_looks_for():
    # Positive control for the page checks below.
    html = '<style>p{}</style><script>x()</script><p style="color:red" onclick="x()"><a href="javascript:x()">'
    assert len(inline_code(html)) == 5
    assert inline_code('<script src="/static/a.js"></script><link rel="stylesheet" href="/a.css">') == []


@pytest.mark.django_db
def test_public_pages_have_a_strict_policy_and_need_nothing_inline(client, cluster):
    from django.db import connection

    connection.set_tenant(cluster.sites["jtj"])
    article_url = content.article(title="内容安全策略下的文章").url
    connection.set_schema_to_public()
    host = {"HTTP_HOST": "jtj.localhost"}
    for path in ("/", "/zwdt/gzdt/", article_url, "/search/?q=交通", "/no-such-page/"):
        response = client.get(path, **host)
        assert response.status_code in (200, 404), path
        assert response[CSP] == public_policy(), path
        assert_strict(response[CSP])
        assert response["X-Frame-Options"] == "SAMEORIGIN" or response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert inline_code(response.content.decode()) == [], path
    # The JSON API, the cluster directory and the sign-on hops get it too.
    api = client.get("/api/search/", {"q": "交通"}, **host)
    assert api.status_code == 200 and api[CSP] == public_policy()
    directory = client.get("/", HTTP_HOST=settings.CMS_CLUSTER_HOST)
    assert directory[CSP] == public_policy() and inline_code(directory.content.decode()) == []
    hop = client.get("/sso/check/", {"next": "http://jtj.localhost/admin/"}, HTTP_HOST=settings.CMS_CLUSTER_HOST)
    assert hop.status_code == 302 and hop[CSP] == public_policy()


@pytest.mark.django_db
def test_answers_made_before_a_site_is_chosen_and_cache_hits_carry_the_policy(client, cluster):
    unknown = client.get("/", HTTP_HOST="nosuchsite.localhost")
    assert unknown.status_code == 404 and unknown[CSP] == public_policy()
    assert unknown["X-Content-Type-Options"] == "nosniff"
    # A hit replayed by cms.wsgi's front without entering Django has the same headers.
    front = Front()
    front.get("jtj.localhost")
    status, headers, _ = front.get("jtj.localhost")
    assert status == 200 and headers["X-Cache"] == "HIT" and headers[CSP] == public_policy()


@pytest.mark.django_db
def test_the_admin_has_its_own_policy_with_the_sign_on_hub_as_a_form_target(client, cluster):
    hub = f"http://{settings.CMS_CLUSTER_HOST}"
    client.cookies[CHECKED_COOKIE] = "1"  # the hub was asked already: show the login page
    login = client.get("/admin/login/", HTTP_HOST="jtj.localhost")
    assert login.status_code == 200
    policy = directives(login[CSP])
    assert policy["form-action"] == ["'self'", hub]  # the login's answer redirects to the hub
    assert policy["frame-ancestors"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["default-src"] == ["'self'"]
    assert not any(source.startswith(("http:", "https:")) for source in policy["script-src"])
    client.force_login(cluster.user("jtj", "editor"))
    dashboard = client.get("/admin/", HTTP_HOST="jtj.localhost")
    assert dashboard.status_code == 200 and directives(dashboard[CSP])["form-action"] == ["'self'", hub]
    # The public pages of the same host keep the strict one.
    assert client.get("/", HTTP_HOST="jtj.localhost")[CSP] == public_policy()


def test_an_svg_served_by_django_is_sandboxed():
    request = RequestFactory().get("/media/jtj/themes/logos/logo.svg", HTTP_HOST="jtj.localhost")
    response = add_security_headers(request, HttpResponse(b"<svg/>", content_type="image/svg+xml"))
    policy = directives(response[CSP])
    assert "sandbox" in policy and policy["default-src"] == ["'none'"]
    # Positive control: another file type gets the page policy.
    other = add_security_headers(request, HttpResponse(b"x", content_type="image/png"))
    assert other[CSP] == public_policy()


def test_a_policy_set_by_a_view_is_kept():
    request = RequestFactory().get("/documents/1/a.pdf", HTTP_HOST="jtj.localhost")
    response = HttpResponse(b"%PDF-", content_type="application/pdf")
    response[CSP] = "default-src 'none'"
    assert add_security_headers(request, response)[CSP] == "default-src 'none'"


# --- nginx: the static output -----------------------------------------------------------------------


def _head(port, host, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.fixture
def nginx(tmp_path):
    output, media = tmp_path / "static-output", tmp_path / "media"
    (output / "jtj.localhost" / "zwdt").mkdir(parents=True)
    (output / "jtj.localhost" / "index.html").write_text("<!DOCTYPE html><title>首页</title>", encoding="utf-8")
    (output / "jtj.localhost" / "zwdt" / "index.html").write_text("<title>政务动态</title>", encoding="utf-8")
    (media / "public" / "themes" / "logos").mkdir(parents=True)
    (media / "public" / "themes" / "logos" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (media / "public" / "themes" / "logos" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with shipped_nginx(tmp_path, media=media, output=output) as port:
        yield port


def test_nginx_sends_the_public_policy_and_frame_options_with_the_static_output(nginx):
    for path in ("/", "/zwdt/"):
        status, headers = _head(nginx, "jtj.localhost", path)
        assert status == 200, path
        assert headers.get_all(CSP) == [public_policy()], path  # the application's string, once
        assert_strict(headers[CSP])
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # A page missing from the output goes to the application (down here), which sends its own.
    status, headers = _head(nginx, "jtj.localhost", "/not-exported/")
    assert status == 502 and headers.get_all(CSP) is None


def test_nginx_sandboxes_svg_uploads_and_leaves_other_media_alone(nginx):
    status, headers = _head(nginx, "jtj.localhost", "/media/public/themes/logos/logo.svg")
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml")
    policy = directives(headers[CSP])
    assert "sandbox" in policy and policy["default-src"] == ["'none'"]
    status, headers = _head(nginx, "jtj.localhost", "/media/public/themes/logos/logo.png")
    assert status == 200 and headers.get_all(CSP) is None


def test_nginx_policy_is_written_from_the_settings():
    # Also without nginx installed: the config holds exactly the string the application sends.
    text = NGINX_CONF.read_text(encoding="utf-8")
    assert f'add_header Content-Security-Policy "{render_policy(settings.CMS_CSP_PUBLIC)}" always;' in text
