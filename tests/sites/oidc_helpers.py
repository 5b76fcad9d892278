"""A real OpenID provider (node oidc-provider, scripts/oidc-provider/) for the 统一身份认证 tests.

``provider_for(hosts, port)`` starts it on a free loopback port with a client registered for
those hosts' callbacks; ``configure(settings, provider)`` points the CMS at it. The provider's
own pages are driven with ``requests`` (``sign_in_at_provider``) when no browser is needed.
"""

import contextlib
import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import requests

from sites.oidc.registration import DemoProvider

PASSWORD = "Tyrz-test-2026"  # noqa: S105 - the test provider's accounts
ACCOUNTS = [
    {"username": "xiaoming", "password": PASSWORD, "sub": "t-0001", "name": "小明", "email": "xm@tyrz.example.cn"},
    {
        "username": "xiaohong",
        "password": PASSWORD,
        "sub": "t-0002",
        "name": "小红",
        "email": "xh@tyrz.example.cn",
        "amr": ["pwd", "otp"],
    },
    {"username": "xiaogang", "password": PASSWORD, "sub": "t-0003", "name": "小刚", "email": "xg@tyrz.example.cn"},
]
CLIENT_ID = "cms-test"
CLIENT_SECRET = "cms-test-client-secret"  # noqa: S105


def _origin(host, port):
    return f"http://{host}" + (f":{port}" if port else "")


@contextlib.contextmanager
def provider_for(hosts, port="", backchannel_logout_uri=None, signing_jwk=None):
    """The provider, its client registered for ``hosts``; back-channel logout to the hub unless told otherwise."""
    from django.conf import settings

    provider = DemoProvider(
        redirect_uris=[_origin(host, port) + "/admin/login/oidc/callback/" for host in hosts],
        post_logout_redirect_uris=[_origin(host, port) + "/admin/login/" for host in hosts],
        backchannel_logout_uri=backchannel_logout_uri
        or _origin(settings.CMS_CLUSTER_HOST, port) + "/oidc/backchannel-logout/",
        signing_jwk=signing_jwk,
        accounts=ACCOUNTS,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    with provider:
        yield provider


def configure(settings, provider):
    settings.CMS_OIDC_ISSUER = provider.issuer
    settings.CMS_OIDC_CLIENT_ID = provider.client_id
    settings.CMS_OIDC_CLIENT_SECRET = provider.client_secret


def sign_in_at_provider(authorize_url, username, password=PASSWORD, session=None):
    """Follow the provider's pages from the authorization URL to the redirect back to us.

    Returns (the callback URL the provider redirects to, the provider's browser session).
    """
    session = session or requests.Session()
    url = authorize_url
    for _hop in range(12):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            location = urljoin(url, response.headers["Location"])
            if urlsplit(location).netloc != urlsplit(authorize_url).netloc:
                return location, session
            url = location
            continue
        form = re.search(r'<form method="post" action="([^"]+)"', response.text)
        assert form, response.text[:500]
        url = urljoin(url, unescape(form.group(1)))
        response = session.post(
            url, data={"username": username, "password": password}, allow_redirects=False, timeout=10
        )
        assert response.status_code in (302, 303), response.text[:500]
        url = urljoin(url, response.headers["Location"])
        if urlsplit(url).netloc != urlsplit(authorize_url).netloc:
            return url, session
    raise AssertionError("the provider never sent the browser back")
