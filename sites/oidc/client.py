"""The OpenID Connect client: Authlib, configured from settings, with the checks we rely on.

Authlib does the protocol: the authorization request with ``state``, ``nonce`` and a PKCE
challenge (S256) kept in the session, the code exchanged with the verifier, the ID token's
signature checked against the provider's published keys (JWKS, fetched again when a token names
a key it has not seen: key rotation), and ``nonce``, ``exp``, ``iat`` checked. We add what it
leaves to the caller:

* ``iss`` must be the configured issuer, and the discovery document must name that same issuer
  (a provider that serves another issuer's document is refused: mix-up);
* ``aud`` must hold our client id (Authlib checks it only when told to);
* a ``state`` is good once, and for ``CMS_OIDC_STATE_SECONDS`` only (Authlib keeps it an hour and
  does not look at its age when reading it back).
"""

import threading
import time

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoIntegration, OAuth
from django.conf import settings

CLIENT_NAME = "cms_oidc"

_lock = threading.Lock()
_clients = {}


class OidcError(Exception):
    """The login could not be completed; ``reason`` goes to the audit log, never to the screen."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class _Integration(DjangoIntegration):
    """Authlib's session storage of a login in progress, with our lifetime for it."""

    @property
    def expires_in(self):
        return settings.CMS_OIDC_STATE_SECONDS

    def get_state_data(self, session, state):
        entry = session.get(f"_state_{self.name}_{state}") if state else None
        if not isinstance(entry, dict) or float(entry.get("exp") or 0) < time.time():
            return None
        return super().get_state_data(session, state)


class _OAuth(OAuth):
    framework_integration_cls = _Integration


def is_configured():
    return bool(settings.CMS_OIDC_ISSUER and settings.CMS_OIDC_CLIENT_ID)


def _config():
    return (
        settings.CMS_OIDC_ISSUER.rstrip("/"),
        settings.CMS_OIDC_CLIENT_ID,
        settings.CMS_OIDC_CLIENT_SECRET,
        settings.CMS_OIDC_SCOPES,
    )


def client():
    """The Authlib client for the configured provider (one per configuration, metadata cached)."""
    config = _config()
    with _lock:
        app = _clients.get(config)
        if app is None:
            issuer, client_id, client_secret, scopes = config
            registry = _OAuth()
            registry.register(
                CLIENT_NAME,
                client_id=client_id,
                client_secret=client_secret,
                server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": scopes,
                    "code_challenge_method": "S256",
                    "default_timeout": settings.CMS_OIDC_TIMEOUT,
                },
            )
            app = registry.create_client(CLIENT_NAME)
            _clients[config] = app
    return app


# A failed discovery is remembered this long: while the provider is unreachable, each request that
# needs it (a login, any logout token posted by anybody) fails at once instead of waiting out
# CMS_OIDC_TIMEOUT on a new attempt, so junk posted at the back-channel URI cannot tie up workers.
DISCOVERY_RETRY_SECONDS = 15
_failed_discovery = {}


def metadata():
    """The provider's discovery document, refused when it names another issuer."""
    config = _config()
    failed = _failed_discovery.get(config)
    if failed is not None and time.monotonic() - failed[0] < DISCOVERY_RETRY_SECONDS:
        raise OidcError(failed[1])
    app = client()
    try:
        document = app.load_server_metadata()
    except Exception as exc:  # noqa: BLE001 - network, HTTP or JSON errors: the provider is unreachable
        reason = f"discovery failed: {exc.__class__.__name__}"
        _failed_discovery[config] = (time.monotonic(), reason)
        raise OidcError(reason) from exc
    _failed_discovery.pop(config, None)
    if document.get("issuer", "").rstrip("/") != settings.CMS_OIDC_ISSUER.rstrip("/"):
        raise OidcError("discovery names another issuer")
    return document


def authorize_redirect(request, redirect_uri):
    """The redirect to the provider's login; state, nonce and the PKCE verifier stay in the session."""
    metadata()
    return client().authorize_redirect(request, redirect_uri)


def claims_options():
    return {
        "iss": {"essential": True, "values": [metadata()["issuer"]]},
        "aud": {"essential": True, "values": [settings.CMS_OIDC_CLIENT_ID]},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def finish(request):
    """The callback's answer checked and exchanged: (ID token claims, raw ID token).

    Raises ``OidcError`` for anything wrong: an error from the provider, an unknown, spent or
    expired ``state``, a failed code exchange (wrong code, wrong PKCE verifier, a code used
    before), a bad signature, issuer, audience, nonce or expiry.
    """
    state = request.GET.get("state", "")
    if not state:
        raise OidcError("no state")
    if request.GET.get("iss") and request.GET["iss"].rstrip("/") != settings.CMS_OIDC_ISSUER.rstrip("/"):
        raise OidcError("answer from another issuer")  # RFC 9207
    app = client()
    if app.framework.get_state_data(request.session, state) is None:
        app.framework.clear_state_data(request.session, state)
        raise OidcError("unknown, spent or expired state")
    try:
        token = app.authorize_access_token(request, claims_options=claims_options(), leeway=30)
    except OAuthError as exc:
        raise OidcError(f"provider: {exc.error or 'error'}") from exc
    except OidcError:
        raise
    except Exception as exc:  # noqa: BLE001 - joserfc's and requests' many errors: all a refusal
        raise OidcError(f"{exc.__class__.__name__}: {exc}"[:200]) from exc
    claims = token.get("userinfo")
    if not claims or not token.get("id_token"):
        raise OidcError("no ID token")
    claims = dict(claims)
    claims.update(_profile(app, token, claims["sub"]))
    return claims, token["id_token"]


PROFILE_CLAIMS = ("name", "preferred_username", "email", "email_verified")


def _profile(app, token, subject):
    """Name and e-mail from the UserInfo endpoint when the ID token leaves them out (many providers do).

    Only these labels are taken, and only for the same ``sub``; who the person is and how they
    signed in (``sub``, ``amr``, ``acr``) come from the signed ID token alone.
    """
    endpoint = app.server_metadata.get("userinfo_endpoint")
    if not endpoint or not token.get("access_token"):
        return {}
    try:
        info = app.userinfo(token=token)
    except Exception:  # noqa: BLE001 - the profile is optional: the login stands without it
        return {}
    if str(info.get("sub")) != str(subject):
        return {}
    return {key: info[key] for key in PROFILE_CLAIMS if key in info}


def logout_url(id_token, post_logout_redirect_uri):
    """The provider's end-session URL (RP-initiated logout), or "" when it offers none."""
    try:
        endpoint = metadata().get("end_session_endpoint")
    except OidcError:
        return ""
    if not endpoint:
        return ""
    return client().create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        client_id=settings.CMS_OIDC_CLIENT_ID,
    )["url"]
