"""OpenID Connect Back-Channel Logout 1.0: the provider's logout ends our sessions too.

When a person signs out at the province's identity service (or the service ends their session),
it POSTs a *logout token* to the one back-channel URI we registered (``registration.
backchannel_logout_uri``: on the sign-on hub, the public schema's host, where the sessions live).
The token is a JWT signed with the provider's keys, like an ID token, and it names the provider's
session (``sid``) or the person (``sub``). We end every session of ours that came from that login
(``ProviderSession``, written at login): with ``sid``, that provider session's; with ``sub`` only,
every session the person opened through this provider.

A token is refused (400, and audited) unless all of these hold: signed by a key of the provider's
published key set with an asymmetric algorithm the provider announces (never ``none``, never an
HMAC over our client secret); ``iss`` the configured issuer; ``aud`` holding our client id; ``iat``
no older than ``MAX_AGE_SECONDS`` and not in the future; ``exp``, when present, not passed; a ``jti``
never seen before (kept in ``SpentLogoutToken`` until it expires); ``events`` holding the
back-channel logout event; no ``nonce`` (an ID token cannot be replayed as a logout token);
``sub`` or ``sid`` present.

The answer says nothing about whether a session was found: a valid token for someone with no
session here is 200 all the same, so the endpoint does not tell who has signed in.
"""

import math
import time
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from . import client
from .models import ProviderSession, SpentLogoutToken

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# A logout token is sent the moment the person signs out; an older one is a replay or a stale queue.
MAX_AGE_SECONDS = 120
LEEWAY_SECONDS = 30
# Who the provider says signed in, and its session (``sid``), kept in the session until the login
# completes (after the second factor, when one is asked); then the final session key is linked to it.
PROVIDER_LOGIN_KEY = "cms_oidc_provider_login"
# Session keys a completed provider login sets (sites/oidc/signin.py): the OpenID Connect ID token
# for the provider's logout, the CAS mark for the CAS server's. Any other login clears them.
OIDC_ID_TOKEN_KEY = "cms_oidc_id_token"  # noqa: S105 - a session key
CAS_LOGIN_KEY = "cms_cas_login"
PROVIDER_SESSION_KEYS = (OIDC_ID_TOKEN_KEY, CAS_LOGIN_KEY)
# An unknown key id makes us fetch the provider's keys again (rotation), at most this often: the
# endpoint is public, and a stream of made-up key ids must not turn into a stream of calls to the provider.
KEY_REFRESH_SECONDS = 60
_last_key_refresh = [0.0]
# Far larger than any signed token with these claims; a longer body is refused before parsing.
MAX_TOKEN_LENGTH = 8192
# 2100-01-01: no ``iat`` or ``exp`` of a real token is later (and every earlier one is a datetime).
MAX_TIMESTAMP = 4102444800


class LogoutTokenError(Exception):
    """The token is refused; ``reason`` goes to the audit log (the answer says only that it is invalid)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _algorithms(document):
    announced = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return [alg for alg in announced if alg and alg != "none" and not alg.upper().startswith("HS")]


def _header(raw):
    try:
        return jws.extract_compact(raw.encode()).protected
    except (JoseError, ValueError, UnicodeError) as exc:
        raise LogoutTokenError("not a signed JWT") from exc


def _decode(raw, document):
    algorithms = _algorithms(document)
    header = _header(raw)
    if header.get("alg") not in algorithms:
        raise LogoutTokenError(f"algorithm not allowed: {str(header.get('alg'))[:20]}")
    if "crit" in header:
        raise LogoutTokenError("critical header")
    app = client.client()
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        try:
            return jwt.decode(raw, key=KeySet.import_key_set(app.fetch_jwk_set()), registry=registry).claims
        except InvalidKeyIdError:  # a key we have not seen: the provider may have rotated its keys
            if time.monotonic() - _last_key_refresh[0] < KEY_REFRESH_SECONDS:
                raise
            _last_key_refresh[0] = time.monotonic()
            return jwt.decode(raw, key=KeySet.import_key_set(app.fetch_jwk_set(force=True)), registry=registry).claims
    except (JoseError, ValueError) as exc:
        raise LogoutTokenError(f"signature: {exc.__class__.__name__}") from exc
    except Exception as exc:  # noqa: BLE001 - the key set could not be fetched: refused, the provider retries
        raise LogoutTokenError(f"keys: {exc.__class__.__name__}") from exc


def _number(claims, name):
    value = claims.get(name)
    # JSON as Python reads it allows NaN and Infinity: a NaN compares false with every bound, so it
    # would pass the age checks; a time past year 9999 cannot become a datetime.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise LogoutTokenError(f"{name} missing or not a number")
    if not 0 <= value < MAX_TIMESTAMP:
        raise LogoutTokenError(f"{name} out of range")
    return value


def verify(raw):
    """The claims of a valid logout token ``raw``; raises ``LogoutTokenError`` for anything else.

    The ``jti`` is not spent here (``spend``): a token is spent only once it has passed every check,
    so an unsigned token cannot burn a real one's ``jti``.
    """
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise LogoutTokenError("no token, or too long")
    _header(raw)  # before the provider is asked anything: junk costs no outbound request
    try:
        document = client.metadata()
    except client.OidcError as exc:
        raise LogoutTokenError(exc.reason) from exc
    claims = _decode(raw, document)
    issuer = settings.CMS_OIDC_ISSUER.rstrip("/")
    if str(claims.get("iss") or "").rstrip("/") != issuer:
        raise LogoutTokenError("another issuer")
    audience = claims.get("aud")
    audience = [audience] if isinstance(audience, str) else audience
    if not isinstance(audience, list) or settings.CMS_OIDC_CLIENT_ID not in audience:
        raise LogoutTokenError("not for this client")
    if len(audience) > 1 and claims.get("azp") not in (None, settings.CMS_OIDC_CLIENT_ID):
        raise LogoutTokenError("authorized party is another client")
    now = time.time()
    issued = _number(claims, "iat")
    if issued > now + LEEWAY_SECONDS:
        raise LogoutTokenError("issued in the future")
    if issued < now - MAX_AGE_SECONDS - LEEWAY_SECONDS:
        raise LogoutTokenError("too old")
    if "exp" in claims and _number(claims, "exp") < now - LEEWAY_SECONDS:
        raise LogoutTokenError("expired")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise LogoutTokenError("no jti")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(LOGOUT_EVENT), dict):
        raise LogoutTokenError("no back-channel logout event")
    if "nonce" in claims:
        raise LogoutTokenError("nonce present")
    sub, sid = claims.get("sub"), claims.get("sid")
    for name, value in (("sub", sub), ("sid", sid)):
        if value is not None and (not isinstance(value, str) or not value or len(value) > 255):
            raise LogoutTokenError(f"{name} malformed")
    if not sub and not sid:
        raise LogoutTokenError("neither sub nor sid")
    return claims


def spend(claims):
    """Remember the token's ``jti`` until it expires; ``LogoutTokenError`` when it was seen before."""
    now = timezone.now()
    SpentLogoutToken.objects.filter(expires_at__lt=now).delete()
    issued = datetime.fromtimestamp(claims["iat"], tz=UTC)
    until = issued + timedelta(seconds=MAX_AGE_SECONDS + 2 * LEEWAY_SECONDS)
    if "exp" in claims:
        until = max(until, datetime.fromtimestamp(claims["exp"], tz=UTC) + timedelta(seconds=LEEWAY_SECONDS))
    try:
        with transaction.atomic():
            SpentLogoutToken.objects.create(
                issuer=settings.CMS_OIDC_ISSUER.rstrip("/"), jti=claims["jti"], expires_at=until
            )
    except IntegrityError as exc:
        raise LogoutTokenError("replayed jti") from exc


def end_sessions(claims):
    """Delete every session of ours the token names; returns the users whose sessions ended."""
    issuer = settings.CMS_OIDC_ISSUER.rstrip("/")
    return end_linked_sessions(issuer, subject=claims.get("sub"), sid=claims.get("sid"))


def end_linked_sessions(issuer, *, subject=None, sid=None):
    """Delete our sessions linked to ``issuer``'s session ``sid`` (or person ``subject``): the rows ended."""
    rows = ProviderSession.objects.of_logout(issuer, subject=subject, sid=sid)
    found = list(rows.select_related("user"))
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for row in found:
        store.delete(row.session_key)  # every host's cookie names this one row (sites/sso.py)
    ProviderSession.objects.filter(pk__in=[row.pk for row in found]).delete()
    return found


def link_provider_session(sender, request, user, **kwargs):
    """``user_logged_in``: a login that came through the provider gets its session (new key by now) linked."""
    if request is None:
        return
    pending = request.session.pop(PROVIDER_LOGIN_KEY, None)
    for key in PROVIDER_SESSION_KEYS:  # what an earlier login through a provider left in this browser
        request.session.pop(key, None)
    if isinstance(pending, dict) and pending.get("user") == user.pk:
        remember_login(request, user, issuer=pending["issuer"], subject=pending["subject"], sid=pending["sid"])
        for key, value in (pending.get("session") or {}).items():
            if key in PROVIDER_SESSION_KEYS:
                request.session[key] = value


def remember_login(request, user, *, issuer, subject, sid):
    """Link the session ``request`` now carries (after ``login()``) to the provider's session."""
    key = request.session.session_key
    if not key:
        return
    # No session outlives its absolute lifetime (sites/policy/): older links name dead sessions.
    oldest = timezone.now() - timedelta(seconds=settings.CMS_SESSION_MAX_AGE_SECONDS)
    ProviderSession.objects.filter(created_at__lt=oldest).delete()
    ProviderSession.objects.filter(session_key=key).delete()
    ProviderSession.objects.create(issuer=issuer, subject=subject, sid=sid or "", session_key=key, user=user)
