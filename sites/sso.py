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
"""

import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from .models import Domain, SignOnTicket

CHECKED_COOKIE = "cms_sso_checked"
LOGIN_PATH = "/admin/login/"


def sso_host():
    return settings.CMS_SSO_HOST or settings.CMS_CLUSTER_HOST


def _origin(request, host):
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    suffix = f":{port}" if port and port != default else ""
    return f"{request.scheme}://{host}{suffix}"


def is_cluster_url(url):
    """Only hosts of this cluster may be redirect targets (no open redirect)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    return parts.hostname == sso_host() or Domain.objects.filter(domain=parts.hostname).exists()


def issue_ticket(session_key, host):
    nonce = secrets.token_urlsafe(32)
    SignOnTicket.objects.create(nonce=nonce, session_key=session_key, host=host)
    return nonce


def redeem_ticket(nonce, host):
    """The session key of a valid ticket (once only), else None."""
    since = timezone.now() - timedelta(seconds=settings.CMS_SSO_TICKET_SECONDS)
    ticket = SignOnTicket.objects.filter(nonce=nonce or "", host=host, used_at__isnull=True, created_at__gte=since)
    session_key = ticket.values_list("session_key", flat=True).first()
    if session_key is None or not ticket.update(used_at=timezone.now()):
        return None
    SignOnTicket.objects.filter(created_at__lt=since).delete()
    store = SessionStore(session_key=session_key)
    if not store.exists(session_key) or SESSION_KEY not in store.load() or BACKEND_SESSION_KEY not in store.load():
        return None
    return session_key


def _set_session_cookie(response, session_key):
    response.set_cookie(
        settings.SESSION_COOKIE_NAME,
        session_key,
        max_age=settings.SESSION_COOKIE_AGE,
        domain=settings.SESSION_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE or None,
        httponly=settings.SESSION_COOKIE_HTTPONLY or None,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


# --- views on the sign-on host -------------------------------------------------------------------


def check(request):
    """A site host asks whether this browser is signed in; answer with a ticket or a plain no."""
    next_url = request.GET.get("next", "")
    if not is_cluster_url(next_url):
        return HttpResponseBadRequest("next 参数无效")
    target = urlsplit(next_url)
    accept = f"{target.scheme}://{target.netloc}/sso/accept/"
    query = {"next": next_url}
    if request.user.is_authenticated and request.session.session_key:
        query["ticket"] = issue_ticket(request.session.session_key, target.hostname)
    return HttpResponseRedirect(f"{accept}?{urlencode(query)}")


def adopt(request):
    """A site host passes a fresh login to the hub, so other hosts can join it."""
    next_url = request.GET.get("next", "")
    if not is_cluster_url(next_url):
        return HttpResponseBadRequest("next 参数无效")
    response = HttpResponseRedirect(next_url)
    session_key = redeem_ticket(request.GET.get("ticket"), request.get_host().split(":")[0])
    if session_key:
        _set_session_cookie(response, session_key)
    return response


# --- view on every site host ---------------------------------------------------------------------


def accept(request):
    """The hub's answer: join the session named by the ticket, or remember that there is none."""
    next_url = request.GET.get("next", "/admin/")
    parts = urlsplit(next_url)
    if parts.netloc and parts.netloc != request.get_host():
        return HttpResponseBadRequest("next 参数无效")
    response = HttpResponseRedirect(parts.path + (f"?{parts.query}" if parts.query else ""))
    session_key = redeem_ticket(request.GET.get("ticket"), request.get_host().split(":")[0])
    if session_key:
        _set_session_cookie(response, session_key)
    else:
        # Ask the hub again only after a while: no redirect loop for anonymous visitors.
        response.set_cookie(CHECKED_COOKIE, "1", max_age=30, httponly=True, samesite="Lax")
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
            here = request.build_absolute_uri()
            hub = _origin(request, sso_host()) + reverse("sso_check", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
            return HttpResponseRedirect(f"{hub}?{urlencode({'next': here})}")
        response = self.get_response(request)
        if (
            on_site
            and request.method == "POST"
            and request.path_info == LOGIN_PATH
            and response.status_code in (301, 302)
            and request.user.is_authenticated
            and request.session.session_key
        ):
            next_url = request.build_absolute_uri(response["Location"])
            ticket = issue_ticket(request.session.session_key, sso_host())
            hub = _origin(request, sso_host()) + reverse("sso_adopt", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
            response["Location"] = f"{hub}?{urlencode({'ticket': ticket, 'next': next_url})}"
        return response
