"""Single sign-on across every host of the cluster.

Sessions live in the public schema, so one session can be valid on every site; what a browser
lacks on a new host is a cookie naming it. The sign-on host (the public schema's host) is the hub:

* A site host that sees an anonymous visitor on an admin page asks the hub (``/sso/check/``).
  If the hub's session is signed in, it issues a one-time ticket and sends the browser back to
  the site's ``/sso/accept/``, which sets the site's cookie to the same session.
  If not, the site remembers for a short while that it asked, and shows its login page.
* A login on a site host passes its session to the hub (``/sso/adopt/``) before going on.
* Logout anywhere deletes the session row, so every host's cookie is dead at once.

Hosts need not share a parent domain (a county portal on its own domain works the same way).

A ticket is redeemable only by the browser that started the round trip. A bare ticket URL would
work in any browser: an attacker could open a round trip in their own browser, stop before the
last redirect and send the URL to a victim, whose browser would then work under the attacker's
account (login CSRF; whatever the victim types goes into the attacker's account, and on the
hub it spreads to every site). So before a host sends the browser away, it sets a random nonce
in a cookie of its own (``SITE_NONCE_COOKIE`` on a site host, ``HUB_NONCE_COOKIE`` on the hub);
the ticket records the nonce's SHA-256, and the redeeming host compares it with the hash of its
cookie (constant time). The nonce itself never appears in a URL.

For the login hop the ticket is issued on the site host but redeemed on the hub, so the site must
know the hash of the hub's nonce for this browser: the hub hands it over on ``/sso/check/`` with
an HMAC over it and the site's own binding, and the site keeps it (``HUB_BINDING_COOKIE``) only when
the HMAC matches its own cookie, so a crafted ``/sso/accept/`` link cannot plant another value.

Every ``next`` goes through ``safe_next``: only this cluster's hosts, and a path that cannot
turn into another host (``//evil.example/x`` became ``Location: //evil.example/x``).
"""

import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta
from urllib.parse import SplitResult, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from . import audit
from .models import Domain, SignOnTicket

CHECKED_COOKIE = "cms_sso_checked"
# On a site host: binds the tickets the hub issues for this browser (redeemed on /sso/accept/).
SITE_NONCE_COOKIE = "cms_sso_bind"
# On the hub: binds the tickets a site host issues after a login there (redeemed on /sso/adopt/).
HUB_NONCE_COOKIE = "cms_sso_hub_bind"
# On a site host: the hash of the hub's nonce for this browser, as the hub vouched for it.
HUB_BINDING_COOKIE = "cms_sso_hub"
LOGIN_PATH = "/admin/login/"
DEFAULT_NEXT = "/admin/"
# Longer than any URL we build; a longer ``next`` is refused rather than parsed.
MAX_NEXT_LENGTH = 4096

NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{43}\Z")  # secrets.token_urlsafe(32)
BINDING_RE = re.compile(r"^[0-9a-f]{64}\Z")  # SHA-256, hex


def sso_host():
    return settings.CMS_SSO_HOST or settings.CMS_CLUSTER_HOST


def origin(request, host):
    """``scheme://host[:port]`` of ``host`` as this request's browser reaches it (same scheme and port)."""
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    suffix = f":{port}" if port and port != default else ""
    return f"{request.scheme}://{host}{suffix}"


def _request_host(request):
    """This request's host name, lower case, without the port."""
    return split_domain_port(request.get_host())[0].lower()


def _effective_port(scheme, port):
    return int(port) if port else (443 if scheme == "https" else 80)


# --- redirect targets ----------------------------------------------------------------------------


def is_cluster_host(hostname):
    """The sign-on host, or a host of one of the cluster's sites (exactly as the site router matches it)."""
    hostname = (hostname or "").lower()
    if not hostname:
        return False
    return hostname == sso_host() or Domain.objects.filter(domain=hostname).exists()


def _has_unsafe_character(value):
    # Backslashes are read as slashes by browsers (``/\\evil.example``); they drop tabs and line
    # breaks inside URLs and strip leading spaces and control characters, so ``\\t//evil`` or
    # `` //evil`` would become scheme-relative after our checks. None belongs in a ``next``.
    return any(ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


_DOT_SEGMENTS = {".", "%2e"}
_DOUBLE_DOT_SEGMENTS = {"..", ".%2e", "%2e.", "%2e%2e"}


def _normalise_path(path):
    """``path`` with empty and dot segments resolved: it starts with exactly one slash, always."""
    segments = []
    for segment in path.split("/")[1:]:
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT_SEGMENTS:
            if segments:
                segments.pop()
        elif segment and lowered not in _DOT_SEGMENTS:
            segments.append(segment)
    result = "/" + "/".join(segments)
    last = path.rsplit("/", 1)[-1].lower()
    if segments and (path.endswith("/") or last in _DOT_SEGMENTS or last in _DOUBLE_DOT_SEGMENTS):
        result += "/"
    return result


def safe_next(value, request):
    """``value`` as a redirect target that stays in the cluster, or None when it cannot be one.

    Accepted: an absolute ``http``/``https`` URL on a host of this cluster, on the port this
    request came in on, without user information; or a path starting with ``/``. Refused:
    scheme-relative URLs (``//host``), other schemes, backslashes, whitespace and control
    characters, ``user@host`` tricks, relative paths. The path is normalised (runs of slashes
    and dot segments resolved), so a path taken out of the URL can never start with ``//``.

    Returns a ``SplitResult``: ``netloc`` is empty for a path; ``urlunsplit()`` gives the URL.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH or _has_unsafe_character(value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:  # a port that is not a number, a malformed IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if scheme or parts.netloc:
        if scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc or not parts.hostname:
            return None
        if not is_cluster_host(parts.hostname):
            return None
        request_port = split_domain_port(request.get_host())[1]
        if _effective_port(scheme, port) != _effective_port(request.scheme, request_port):
            return None
        netloc = parts.hostname.lower() + (f":{port}" if port else "")
    else:
        if not parts.path.startswith("/"):
            return None
        netloc = ""
    return SplitResult(scheme, netloc, _normalise_path(parts.path or "/"), parts.query, parts.fragment)


def _bad_next():
    return HttpResponseBadRequest(_("next 参数无效"))


# --- tickets -------------------------------------------------------------------------------------


def binding_of(nonce):
    """What a ticket records of a browser's nonce: its SHA-256 (hex); "" for no nonce."""
    return hashlib.sha256(nonce.encode()).hexdigest() if nonce else ""


def issue_ticket(session_key, host, binding):
    """A one-time ticket for ``session_key`` on ``host``, redeemable by the browser whose nonce hashes to ``binding``."""
    if not BINDING_RE.match(binding or ""):
        raise ValueError("a sign-on ticket must be bound to a browser")
    nonce = secrets.token_urlsafe(32)
    SignOnTicket.objects.create(nonce=nonce, session_key=session_key, host=host, binding=binding)
    return nonce


def redeem_ticket(nonce, host, browser_nonce, request=None):
    """The session key of a valid ticket presented by its own browser (once only), else None.

    The first presentation spends the ticket whatever its outcome: a ticket that reached another
    browser is refused there (and audited), and is worthless afterwards even to the browser it
    was meant for.
    """
    since = timezone.now() - timedelta(seconds=settings.CMS_SSO_TICKET_SECONDS)
    ticket = SignOnTicket.objects.filter(
        nonce=nonce or "", host=host, used_at__isnull=True, created_at__gte=since
    ).first()
    if ticket is None:
        return None
    if not SignOnTicket.objects.filter(pk=ticket.pk, used_at__isnull=True).update(used_at=timezone.now()):
        return None  # another request spent it first
    SignOnTicket.objects.filter(created_at__lt=since).delete()
    if not ticket.binding or not constant_time_compare(ticket.binding, binding_of(browser_nonce)):
        # Only real tickets reach this line: made-up ones leave no audit row to fill the log with.
        audit.record("sso_ticket_refused", request=request, target=host, reason="another browser")
        return None
    store = SessionStore(session_key=ticket.session_key)
    if not store.exists(ticket.session_key):
        return None
    data = store.load()
    if SESSION_KEY not in data or BACKEND_SESSION_KEY not in data:
        return None
    return ticket.session_key


def _hub_proof(site_binding, hub_binding):
    """The hub's word that ``hub_binding`` belongs to the browser whose site nonce hashes to ``site_binding``."""
    return salted_hmac("sites.sso.hub-binding", f"{site_binding}:{hub_binding}").hexdigest()


def _browser_nonce(request, cookie):
    """This browser's nonce for ``cookie``: the one it holds, or a new one."""
    value = request.COOKIES.get(cookie, "")
    return value if NONCE_RE.match(value) else secrets.token_urlsafe(32)


def _set_private_cookie(response, request, name, value):
    # Host-only (no domain), so a sibling host cannot read it; as long-lived as a session, so a
    # login after a slow look at the login page still finds the hub's binding.
    response.set_cookie(
        name, value, max_age=settings.SESSION_COOKIE_AGE, secure=request.is_secure(), httponly=True, samesite="Lax"
    )


def _set_session_cookie(response, session_key):
    # The same expiry as on the host that logged in: a browser-session cookie without "记住我",
    # else what is left of the session's absolute lifetime (sites/policy/).
    store = SessionStore(session_key=session_key)
    max_age = None if store.get_expire_at_browser_close() else max(0, store.get_expiry_age())
    response.set_cookie(
        settings.SESSION_COOKIE_NAME,
        session_key,
        max_age=max_age,
        domain=settings.SESSION_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE or None,
        httponly=settings.SESSION_COOKIE_HTTPONLY or None,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


# --- views on the sign-on host -------------------------------------------------------------------


def check(request):
    """A site host asks whether this browser is signed in; answer with a ticket or a plain no."""
    target = safe_next(request.GET.get("next", ""), request)
    if target is None or not target.netloc:
        return _bad_next()
    hub_nonce = _browser_nonce(request, HUB_NONCE_COOKIE)
    hub_binding = binding_of(hub_nonce)
    query = {"next": urlunsplit(target)}
    site_binding = request.GET.get("bind", "")
    # Without the site's binding there is no browser to bind a ticket to: answer "not signed in".
    if BINDING_RE.match(site_binding):
        query["hub"] = hub_binding
        query["proof"] = _hub_proof(site_binding, hub_binding)
        if request.user.is_authenticated and request.session.session_key:
            query["ticket"] = issue_ticket(request.session.session_key, target.hostname, site_binding)
    response = HttpResponseRedirect(f"{target.scheme}://{target.netloc}/sso/accept/?{urlencode(query)}")
    _set_private_cookie(response, request, HUB_NONCE_COOKIE, hub_nonce)
    return response


def adopt(request):
    """A site host passes a fresh login to the hub, so other hosts can join it."""
    target = safe_next(request.GET.get("next", ""), request)
    if target is None or not target.netloc:
        return _bad_next()
    response = HttpResponseRedirect(urlunsplit(target))
    nonce = request.COOKIES.get(HUB_NONCE_COOKIE, "")
    session_key = redeem_ticket(request.GET.get("ticket"), _request_host(request), nonce, request)
    if session_key:
        _set_session_cookie(response, session_key)
        # After a logout the hub's cookie still names the deleted session: SessionMiddleware would
        # see it empty and delete the cookie just set, and no other host could join the new login.
        request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
    return response


# --- view on every site host ---------------------------------------------------------------------


def accept(request):
    """The hub's answer: join the session named by the ticket, or remember that there is none."""
    target = safe_next(request.GET.get("next") or DEFAULT_NEXT, request)
    if target is None or (target.netloc and target.hostname != _request_host(request)):
        return _bad_next()
    response = HttpResponseRedirect(urlunsplit(("", "", target.path, target.query, target.fragment)))
    site_nonce = request.COOKIES.get(SITE_NONCE_COOKIE, "")
    session_key = redeem_ticket(request.GET.get("ticket"), _request_host(request), site_nonce, request)
    if session_key:
        _set_session_cookie(response, session_key)
    else:
        # Ask the hub again only after a while: no redirect loop for anonymous visitors.
        response.set_cookie(CHECKED_COOKIE, "1", max_age=30, httponly=True, samesite="Lax")
    hub_binding, proof = request.GET.get("hub", ""), request.GET.get("proof", "")
    if (
        NONCE_RE.match(site_nonce)
        and BINDING_RE.match(hub_binding)
        and constant_time_compare(proof, _hub_proof(binding_of(site_nonce), hub_binding))
    ):
        _set_private_cookie(response, request, HUB_BINDING_COOKIE, hub_binding)
    return response


class SingleSignOnMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        on_site = connection.schema_name != settings.PUBLIC_SCHEMA_NAME
        if (
            on_site
            and request.method == "GET"
            and request.path_info.startswith("/admin/")
            and not request.user.is_authenticated
            and CHECKED_COOKIE not in request.COOKIES
        ):
            return self.ask_hub(request)
        response = self.get_response(request)
        if (
            on_site
            and request.method == "POST"
            # The password step, or a later one that completed the login (sites/policy/login_flow.py).
            and (request.path_info == LOGIN_PATH or getattr(request, "_cms_logged_in", False))
            and response.status_code in (301, 302)
            and request.user.is_authenticated
            and request.session.session_key
        ):
            self.pass_login_to_hub(request, response)
        return response

    @staticmethod
    def ask_hub(request):
        nonce = _browser_nonce(request, SITE_NONCE_COOKIE)
        hub = origin(request, sso_host()) + reverse("sso_check", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        query = {"next": request.build_absolute_uri(), "bind": binding_of(nonce)}
        response = HttpResponseRedirect(f"{hub}?{urlencode(query)}")
        _set_private_cookie(response, request, SITE_NONCE_COOKIE, nonce)
        return response

    @staticmethod
    def pass_login_to_hub(request, response):
        target = safe_next(request.build_absolute_uri(response["Location"]), request)
        next_url = urlunsplit(target) if target else request.build_absolute_uri(DEFAULT_NEXT)
        hub_binding = request.COOKIES.get(HUB_BINDING_COOKIE, "")
        if not BINDING_RE.match(hub_binding):
            # The hub never vouched for a nonce of this browser: the login holds on this host
            # only, and another host asks for a login (a ticket for an unknown browser is none).
            response["Location"] = next_url
            return
        ticket = issue_ticket(request.session.session_key, sso_host(), hub_binding)
        hub = origin(request, sso_host()) + reverse("sso_adopt", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        response["Location"] = f"{hub}?{urlencode({'ticket': ticket, 'next': next_url})}"
