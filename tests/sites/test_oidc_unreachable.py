"""While the provider is unreachable, the back-channel URI costs no outbound request for junk, and
one failed discovery is remembered for a while (every post would otherwise wait out the timeout)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.test import Client

from sites.oidc import client as oidc_client

pytestmark = pytest.mark.django_db

# A well-formed compact JWS (RS256 header, any claims, any signature): shaped like a logout token.
SHAPED = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


class _Down(BaseHTTPRequestHandler):
    """A provider that answers every request 503, and counts them."""

    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.asked += 1
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def down(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Down)
    server.asked = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CMS_OIDC_ISSUER = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CMS_OIDC_CLIENT_ID = "cms-down"
    settings.CMS_OIDC_CLIENT_SECRET = "down-secret"  # noqa: S105 - never used: discovery fails first
    yield server
    server.shutdown()
    server.server_close()


def _post(token):
    return Client().post("/oidc/backchannel-logout/", {"logout_token": token}, HTTP_HOST=settings.CMS_CLUSTER_HOST)


def test_junk_is_refused_without_asking_the_provider(cluster, down):
    for junk in ("abc", "a.b", "not a token at all", "x" * 300):
        assert _post(junk).status_code == 400
    assert down.asked == 0


def test_a_failed_discovery_is_remembered(cluster, down, monkeypatch):
    first = _post(SHAPED)
    assert first.status_code == 400 and down.asked == 1
    for _ in range(5):
        assert _post(SHAPED).status_code == 400
    assert down.asked == 1  # remembered: no new attempt for DISCOVERY_RETRY_SECONDS

    # Once the while is over the provider is asked again.
    monkeypatch.setattr(oidc_client, "DISCOVERY_RETRY_SECONDS", 0)
    assert _post(SHAPED).status_code == 400
    assert down.asked == 2
