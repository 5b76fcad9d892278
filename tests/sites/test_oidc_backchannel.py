"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0) against the real provider on loopback.

The provider's logout tokens are caught by a small listener registered as the client's back-channel
URI (the cluster itself is not served in these tests) and handed to our endpoint on the sign-on hub.
The provider signs with a key this module made (``signing_jwk``), so hostile tokens can be signed
with the provider's own key and each claim check shown on its own; a token signed with any other
key is refused first of all. Every refusal leaves the session alive (positive control: the same
session ends with a good token).
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from joserfc import jwt
from joserfc.jwk import RSAKey

from sites.models import AuditEvent
from sites.oidc import backchannel
from sites.oidc.models import Identity, ProviderSession, SpentLogoutToken

from .oidc_helpers import configure, provider_for
from .test_oidc_flow import SITE, _browser_at_login, _follow_to_end, login_via_provider

pytestmark = pytest.mark.django_db

HUB = settings.CMS_CLUSTER_HOST
ENDPOINT = "/oidc/backchannel-logout/"
EVENT = {backchannel.LOGOUT_EVENT: {}}
PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-provider"}, private=True)
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-provider"}, private=True)


class _Catcher(BaseHTTPRequestHandler):
    """The back-channel URI the provider is told: keeps every logout token it is sent."""

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        self.server.tokens.extend(parse_qs(body).get("logout_token", []))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _catcher():
    """A listener on the first free port of 8400-8419 (this suite's range)."""
    for port in range(8400, 8420):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _Catcher)
        except OSError:
            continue
        server.tokens = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
    raise RuntimeError("no free port in 8400-8419")


@pytest.fixture(scope="module")
def catcher():
    server = _catcher()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def provider(catcher):
    uri = f"http://127.0.0.1:{catcher.server_address[1]}/logout"
    hosts = ["portal.localhost", "jtj.localhost", "jyj.localhost"]
    with provider_for(hosts, backchannel_logout_uri=uri, signing_jwk=PROVIDER_KEY.as_dict(private=True)) as running:
        yield running


@pytest.fixture
def oidc(settings, provider, catcher):
    configure(settings, provider)
    catcher.tokens.clear()
    return provider


def _signed_in(username="xiaoming"):
    browser = _browser_at_login()
    answer, _url, provider_session = login_via_provider(browser, username)
    _follow_to_end(browser, answer)  # through the hub's /sso/adopt/, as a browser goes
    assert browser.signed_in(SITE) and browser.signed_in(HUB)
    return browser, provider_session


def _logout_at_provider(provider, provider_session):
    """The provider's own logout page, confirmed: it then POSTs its logout token to the back-channel URI."""
    page = provider_session.get(provider.issuer + "/session/end", timeout=10)
    action = page.text.split('action="', 1)[1].split('"', 1)[0]
    xsrf = page.text.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
    done = provider_session.post(
        requests.compat.urljoin(provider.issuer, action), data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False
    )
    assert done.status_code in (302, 303), done.text[:300]


def _post(token, *, method="post", host=HUB, **extra):
    client = Client(enforce_csrf_checks=True)  # the endpoint must work without a CSRF token
    data = {"logout_token": token} if token is not None else {}
    return getattr(client, method)(ENDPOINT, data, HTTP_HOST=host, **extra)


def _claims(provider, **changes):
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "aud": provider.client_id,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "events": EVENT,
        "sub": "t-0001",
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def _sign(claims, key=PROVIDER_KEY, header=None):
    return jwt.encode({"alg": "RS256", "kid": "test-provider", **(header or {})}, claims, key)


def _unsigned(claims):
    import base64

    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _refusal(response):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "invalid_request", "error_description": "logout token refused"}
    return AuditEvent.objects.filter(action="oidc_backchannel_logout_refused").order_by("-pk").first().detail["reason"]


# --- the provider's own logout ---------------------------------------------------------------------


def test_the_provider_logout_token_ends_that_session_on_every_host(cluster, oidc, catcher):
    browser, provider_session = _signed_in()
    # This provider's row (a browser test that ran earlier may have committed one of its own provider's).
    link = ProviderSession.objects.get(issuer=oidc.issuer, subject="t-0001")
    # The ID token carried the provider's session id; the link names our final session key.
    assert link.sid and link.issuer == oidc.issuer
    assert link.session_key == browser.cookie(SITE, settings.SESSION_COOKIE_NAME)

    _logout_at_provider(oidc, provider_session)
    assert len(catcher.tokens) == 1, oidc.output[-5:]
    token = catcher.tokens[0]
    claims = jwt.decode(token, PROVIDER_KEY).claims
    assert claims["sid"] == link.sid and claims["sub"] == "t-0001" and "nonce" not in claims

    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    answer = _post(token)
    assert answer.status_code == 200, answer.content
    assert answer["Cache-Control"].startswith("max-age=0") or "no-store" in answer["Cache-Control"]
    assert not browser.signed_in(SITE) and not browser.signed_in(HUB) and not browser.signed_in("jyj.localhost")
    assert not ProviderSession.objects.filter(pk=link.pk).exists()
    user = Identity.objects.of(oidc.issuer, "t-0001").get().user
    event = AuditEvent.objects.get(pk__gt=before, action="oidc_backchannel_logout", actor=user)
    assert event.detail["by"] == "sid" and event.detail["sessions"] == 1

    # The same token again: its jti is spent.
    assert _refusal(_post(token)) == "replayed jti"


def test_a_logout_by_sid_ends_only_that_provider_session(cluster, oidc, catcher):
    first, first_provider = _signed_in()
    second, _second_provider = _signed_in()  # another browser, another provider session
    _logout_at_provider(oidc, first_provider)
    assert _post(catcher.tokens[-1]).status_code == 200
    assert not first.signed_in(SITE)
    assert second.signed_in(SITE) and second.signed_in(HUB)


def test_a_logout_by_sub_ends_every_session_of_that_person_only(cluster, oidc):
    first, _ = _signed_in()
    second, _ = _signed_in()
    other, _ = _signed_in("xiaogang")
    assert _post(_sign(_claims(oidc))).status_code == 200
    assert not first.signed_in(SITE) and not second.signed_in(SITE)
    assert other.signed_in(SITE)


def test_a_session_after_the_second_factor_is_linked_by_its_final_key(cluster, oidc, settings):
    from django.contrib.auth import get_user_model

    from .policy_helpers import code_for, enrolled

    _signed_in("xiaogang")  # the user exists now
    user = Identity.objects.of(oidc.issuer, "t-0003").get().user
    settings.CMS_MFA_ENFORCED = True
    settings.CMS_MFA_REQUIRED_ROLES = ["superuser"]
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)
    device = enrolled(user)
    browser = _browser_at_login()
    answer, _url, _provider = login_via_provider(browser, "xiaogang")
    assert answer["Location"] == "/admin/login/mfa/"
    pending_key = browser.cookie(SITE, settings.SESSION_COOKIE_NAME)
    assert not ProviderSession.objects.filter(session_key=pending_key).exists()  # not signed in yet
    done = browser.post("/admin/login/mfa/", SITE, {"code": code_for(device)})
    assert done.status_code == 302 and browser.signed_in(SITE)
    final_key = browser.cookie(SITE, settings.SESSION_COOKIE_NAME)
    assert final_key != pending_key
    assert ProviderSession.objects.get(session_key=final_key).sid
    assert _post(_sign(_claims(oidc, sub="t-0003"))).status_code == 200
    assert not browser.signed_in(SITE)


# --- hostile tokens: each refused, the session alive -----------------------------------------------


def _hostile(provider):
    now = int(time.time())
    return {
        "a key that is not the provider's": _sign(_claims(provider), key=OTHER_KEY),
        "an unknown key id": _sign(_claims(provider), key=OTHER_KEY, header={"kid": "made-up"}),
        "alg none": _unsigned(_claims(provider)),
        "another audience": _sign(_claims(provider, aud="someone-else")),
        "another issuer": _sign(_claims(provider, iss="http://127.0.0.1:1")),
        "a nonce": _sign(_claims(provider, nonce="n-1")),
        "no events": _sign(_claims(provider, events=None)),
        "another event": _sign(_claims(provider, events={"http://schemas.openid.net/event/other": {}})),
        "expired": _sign(_claims(provider, iat=now - 900, exp=now - 600)),
        "issued long ago, exp far off": _sign(_claims(provider, iat=now - 900, exp=now + 900)),
        "issued in the future": _sign(_claims(provider, iat=now + 600, exp=now + 900)),
        "no jti": _sign(_claims(provider, jti=None)),
        "neither sub nor sid": _sign(_claims(provider, sub=None)),
        "no iat": _sign(_claims(provider, iat=None)),
        "a claim set that is not JSON": "a.b.c",
        "empty": "",
    }


EXPECTED_REASONS = {
    "a key that is not the provider's": "signature",
    "an unknown key id": "signature",
    "alg none": "algorithm not allowed",
    "another audience": "not for this client",
    "another issuer": "another issuer",
    "a nonce": "nonce present",
    "no events": "no back-channel logout event",
    "another event": "no back-channel logout event",
    "expired": "too old",
    "issued long ago, exp far off": "too old",
    "issued in the future": "issued in the future",
    "no jti": "no jti",
    "neither sub nor sid": "neither sub nor sid",
    "no iat": "iat missing",
    "a claim set that is not JSON": "",
    "empty": "no token",
}


def test_hostile_tokens_are_refused_and_leave_the_session_alive(cluster, oidc):
    browser, _ = _signed_in()
    for name, token in _hostile(oidc).items():
        reason = _refusal(_post(token))
        assert reason.startswith(EXPECTED_REASONS[name]), (name, reason)
        assert browser.signed_in(SITE) and browser.signed_in(HUB), name
    # Positive control: the same session ends with a good token signed by the provider's key.
    assert _post(_sign(_claims(oidc))).status_code == 200
    assert not browser.signed_in(SITE)


def test_a_get_a_second_token_or_a_site_host_does_not_log_out(cluster, oidc):
    browser, _ = _signed_in()
    good = _sign(_claims(oidc))
    assert _post(good, method="get").status_code == 405
    assert browser.signed_in(SITE)
    both = Client().post(ENDPOINT, {"logout_token": [good, good]}, HTTP_HOST=HUB)
    assert _refusal(both) == "not exactly one logout_token"
    # Only the hub answers: on a site host (running or suspended) the path is no endpoint.
    assert _post(good, host=SITE).status_code in (403, 404)  # CSRF refuses the POST, or no such page
    assert browser.signed_in(SITE)
    assert _post(good).status_code == 200 and not browser.signed_in(SITE)


def test_an_answer_does_not_tell_whether_anyone_was_signed_in(cluster, oidc):
    unknown = _post(_sign(_claims(oidc, sub="nobody-here")))
    browser, _ = _signed_in()
    known = _post(_sign(_claims(oidc)))
    assert unknown.status_code == known.status_code == 200
    assert unknown.content == known.content
    assert not browser.signed_in(SITE)


def test_a_replayed_jti_is_refused_even_for_another_person(cluster, oidc):
    browser, _ = _signed_in()
    jti = uuid.uuid4().hex
    assert _post(_sign(_claims(oidc, sub="nobody-here", jti=jti))).status_code == 200
    assert _refusal(_post(_sign(_claims(oidc, jti=jti)))) == "replayed jti"
    assert browser.signed_in(SITE)
    assert SpentLogoutToken.objects.filter(jti=jti).count() == 1


def test_an_unsigned_token_cannot_spend_a_real_tokens_jti(cluster, oidc):
    browser, _ = _signed_in()
    jti = uuid.uuid4().hex
    _refusal(_post(_sign(_claims(oidc, jti=jti), key=OTHER_KEY)))
    assert not SpentLogoutToken.objects.filter(jti=jti).exists()
    assert _post(_sign(_claims(oidc, jti=jti))).status_code == 200 and not browser.signed_in(SITE)


def test_the_endpoint_is_gone_when_no_provider_is_configured(cluster, oidc, settings):
    settings.CMS_OIDC_ISSUER = ""
    assert _post(_sign(_claims(oidc))).status_code == 404


def test_the_registration_lists_the_back_channel_uri(cluster, capsys):
    call_command("oidc_redirect_uris", "--json")
    document = json.loads(capsys.readouterr().out)
    assert document["backchannel_logout_uri"] == f"http://{HUB}/oidc/backchannel-logout/"
    assert document["backchannel_logout_session_required"] is True
    assert urlsplit(document["backchannel_logout_uri"]).hostname not in {
        urlsplit(uri).hostname for uri in document["redirect_uris"]
    }
