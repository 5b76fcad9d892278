"""CAS login on every site host, the server's single logout, and our logout ending the server's session.

The login lands back on the host where it started, at ``/admin/login/cas/callback/?state=…``; the
server must accept that path on every site host as a service (``manage.py oidc_redirect_uris``
prints the pattern). From there it goes on as an OpenID Connect login does (``signin.sign_in``).
The server's single-logout request (an unsigned SAML ``LogoutRequest`` POSTed to the same service
URL) names the service ticket of the login; the session opened with it is ended on every host.
"""

import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from sites import audit, sso
from sites.client_ip import client_ip
from sites.oidc import backchannel, identities, signin

from . import client

PENDING_KEY = "cms_cas_pending"  # state -> {"next", "exp"}: logins started in this browser
MAX_PENDING = 5  # several tabs may start a login; no more are kept


def _service(request, state):
    return request.build_absolute_uri(reverse("cas_callback")) + "?" + urlencode({"state": state})


def _failure(request, reason, *, status=400, message=None):
    return signin.failure(
        request, "cas_login_failed", issuer=client.issuer(), reason=reason, status=status, message=message
    )


def _live_pending(request):
    now = time.time()
    pending = request.session.get(PENDING_KEY)
    pending = pending if isinstance(pending, dict) else {}
    return {state: entry for state, entry in pending.items() if isinstance(entry, dict) and entry.get("exp", 0) > now}


@never_cache
def start(request):
    """The button: a state for this browser, then off to the server's login."""
    if not client.is_configured():
        raise Http404
    if (refused := signin.too_many_starts(request)) is not None:
        return refused
    pending = _live_pending(request)
    state = secrets.token_urlsafe(24)
    pending[state] = {
        "next": signin.next_path(request, request.GET.get("next", "")),
        "exp": time.time() + settings.CMS_CAS_STATE_SECONDS,
    }
    request.session[PENDING_KEY] = dict(sorted(pending.items(), key=lambda item: item[1]["exp"])[-MAX_PENDING:])
    return HttpResponseRedirect(client.login_url(_service(request, state)))


@csrf_exempt  # the server's single-logout POST carries no cookie and no CSRF token
@never_cache
def callback(request):
    """GET: the browser back with a ticket. POST: the server's single logout."""
    if not client.is_configured():
        raise Http404
    if request.method == "POST":
        return single_logout(request)
    if request.method != "GET":
        return HttpResponse(status=405)
    pending = _live_pending(request)
    state = request.GET.get("state", "")
    entry = pending.pop(state, None)
    if PENDING_KEY in request.session:  # a state is good once (and a stranger's hit opens no session)
        request.session[PENDING_KEY] = pending
    if entry is None:
        return _failure(request, "unknown, spent or expired state")
    ticket = request.GET.get("ticket", "")
    try:
        user_name, attributes = client.validate(ticket, _service(request, state))
    except client.CasError as exc:
        if exc.unavailable:
            return _failure(request, exc.reason, status=502, message=signin.UNAVAILABLE)
        return _failure(request, exc.reason)
    claims = client.claims(user_name, attributes)
    user, created = identities.user_for(client.issuer(), claims)
    if not user.is_active:
        return _failure(request, "inactive user", status=403, message="该账号已停用，请联系网站办。")
    return signin.sign_in(
        request,
        user,
        action="cas_login",
        issuer=client.issuer(),
        subject=claims["sub"],
        sid=ticket,
        asserted=client.second_factor_asserted(attributes),
        next_url=entry.get("next") or sso.DEFAULT_NEXT,
        session_values={client.LOGIN_KEY: True},
        created=created,
        protocol="cas",
    )


def single_logout(request):
    """End the session opened with the ticket the server names; always 200 (the server does not retry)."""
    if not client.logout_sender_allowed(client_ip(request)):
        audit.record("cas_single_logout_refused", request=request, target=client.issuer(), reason="sender")
        return HttpResponse(status=403)
    index = client.session_index(request.POST.get("logoutRequest", ""))
    if index is None:
        audit.record("cas_single_logout_refused", request=request, target=client.issuer(), reason="unreadable")
        return HttpResponse(status=400)
    ended = backchannel.end_linked_sessions(client.issuer(), sid=index)
    for row in ended:
        audit.record(
            "cas_single_logout", actor=row.user, request=request, target=row.user.get_username(), issuer=client.issuer()
        )
    return HttpResponse(status=200)
