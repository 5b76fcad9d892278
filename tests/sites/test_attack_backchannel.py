"""Back-channel logout: times in a logout token that are not times (NaN, Infinity, past year 9999).

Python's JSON reader takes ``NaN`` and ``Infinity``; a NaN compares false with every bound, so it
went through the age checks and broke the spending of its ``jti`` (500). The tokens here are signed
with the provider's own key, served by a small key-set listener (discovery and keys only), so only
the claim checks are under test.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.test import Client
from joserfc import jws, jwt
from joserfc.jwk import RSAKey

from sites.models import AuditEvent
from sites.oidc import backchannel
from sites.oidc.models import SpentLogoutToken

pytestmark = pytest.mark.django_db

KEY = RSAKey.generate_key(2048, parameters={"kid": "attack"}, private=True)
CLIENT_ID = "cms-attack"


class _KeySet(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        issuer = self.server.issuer
        if self.path.startswith("/.well-known/openid-configuration"):
            body = {
                "issuer": issuer,
                "authorization_endpoint": issuer + "/auth",
                "token_endpoint": issuer + "/token",
                "jwks_uri": issuer + "/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        elif self.path == "/jwks":
            body = {"keys": [{**KEY.as_dict(private=False), "kid": "attack", "use": "sig", "alg": "RS256"}]}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def key_set():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeySet)
    server.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.issuer
    server.shutdown()
    server.server_close()


@pytest.fixture
def provider(settings, key_set):
    settings.CMS_OIDC_ISSUER = key_set
    settings.CMS_OIDC_CLIENT_ID = CLIENT_ID
    settings.CMS_OIDC_CLIENT_SECRET = "attack-secret"  # noqa: S105 - unused: tokens are checked by key
    return key_set


def _token(issuer, **times):
    """A token signed by the provider's key; ``times`` are written into the JSON as given (``NaN``…)."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": CLIENT_ID,
        "iat": "@iat@",
        "exp": "@exp@",
        "jti": uuid.uuid4().hex,
        "events": {backchannel.LOGOUT_EVENT: {}},
        "sub": "attack-subject",
    }
    text = json.dumps(claims)
    text = text.replace('"@iat@"', times.get("iat", str(now))).replace('"@exp@"', times.get("exp", str(now + 120)))
    return jws.serialize_compact({"alg": "RS256", "kid": "attack"}, text.encode(), KEY), claims["jti"]


def _post(token):
    return Client().post("/oidc/backchannel-logout/", {"logout_token": token}, HTTP_HOST=settings.CMS_CLUSTER_HOST)


def _reason():
    return AuditEvent.objects.filter(action="oidc_backchannel_logout_refused").order_by("-pk").first().detail["reason"]


def test_a_good_token_from_the_listener_is_taken(cluster, provider):
    """Positive control: the same listener, key and shape of token pass."""
    token, jti = _token(provider)
    assert _post(token).status_code == 200
    assert SpentLogoutToken.objects.filter(jti=jti).exists()
    assert jwt.decode(token, KEY).claims["jti"] == jti


@pytest.mark.parametrize(
    "times",
    [
        {"iat": "NaN"},
        {"exp": "NaN"},
        {"iat": "Infinity"},
        {"exp": "Infinity"},
        {"exp": "-Infinity"},
        {"exp": "1e300"},
        {"exp": "253402300800"},  # 10000-01-01
        {"iat": "-1e300"},
    ],
)
def test_a_time_that_is_not_a_time_is_refused_not_a_server_error(cluster, provider, times):
    token, jti = _token(provider, **times)
    response = _post(token)
    assert response.status_code == 400, (times, response.status_code)
    assert response.json() == {"error": "invalid_request", "error_description": "logout token refused"}
    reason = _reason()
    assert reason.startswith(("iat ", "exp ", "too old", "issued in the future", "expired")), reason
    assert not SpentLogoutToken.objects.filter(jti=jti).exists()
