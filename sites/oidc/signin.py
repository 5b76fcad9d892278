"""The last steps of a login through an identity service (OpenID Connect or CAS), shared by both.

The person is matched to a user already (``identities.user_for``). From here the login goes on as a
password login does: ``complete_login`` (sites/policy/login_flow.py) logs in or asks for the second
factor, the provider's session is linked to ours for its logout (``backchannel.PROVIDER_LOGIN_KEY``,
``ProviderSession``), and the session is handed to the sign-on hub as ``SingleSignOnMiddleware``
hands over a password login (sites/sso.py), so every other host joins it.
"""

from urllib.parse import urlunsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from sites import audit, counters, sso
from sites.client_ip import client_key
from sites.policy.login_flow import complete_login

from . import backchannel

BACKEND = "sites.auth.SiteScopedBackend"


UNFINISHED = "统一身份认证登录未完成，请重新登录。"
UNAVAILABLE = "统一身份认证服务暂时无法访问，请稍后再试。"


def failure(request, action, *, issuer, reason, status=400, message=None):
    """The page a login through an identity service ends on when it cannot go on; the reason is
    audited (``action``), never shown."""
    audit.record(action, request=request, target=issuer, reason=str(reason)[:200])
    return render(request, "sites_oidc/error.html", {"message": message or UNFINISHED}, status=status)


def too_many_starts(request):
    """A response refusing this login start when its address started ``CMS_LOGIN_START_RATE`` this
    minute already (each start stores a state in a new session row), else None."""
    limit = settings.CMS_LOGIN_START_RATE
    if limit <= 0:
        return None
    count, retry_after = counters.count(f"login-start:{client_key(request)}", 60)
    if count <= limit:
        return None
    response = render(request, "sites_oidc/error.html", {"message": "登录请求过于频繁，请稍后再试。"}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def next_path(request, value):
    """``value`` when it is a path (or URL) on this host, else the admin's home (sites.sso.safe_next)."""
    target = sso.safe_next(value or sso.DEFAULT_NEXT, request)
    if target is None or (target.netloc and target.hostname != sso._request_host(request)):
        return sso.DEFAULT_NEXT
    return urlunsplit(("", "", target.path, target.query, target.fragment))


def sign_in(request, user, *, action, issuer, subject, sid, asserted, next_url, session_values=None, **detail):
    """Log ``user`` in (or park them before the second factor); the response to send."""
    if not user.has_perm("wagtailadmin.access_admin"):
        next_url = reverse("oidc_no_role")
    audit.record(
        action,
        actor=user,
        request=request,
        target=user.get_username(),
        issuer=issuer,
        subject=subject,
        second_factor_asserted=asserted,
        **detail,
    )
    if request.user.is_authenticated and request.user.pk != user.pk:
        # Someone else is signed in in this browser: Django's login() would flush the session, and
        # with it what is stored below (the provider's logout could then not find this session).
        request.session.flush()
        request.user = AnonymousUser()
    # Applied when this user's login completes (backchannel.link_provider_session), now or after the
    # second factor: a login abandoned at that step leaves nothing for the next person's session.
    request.session[backchannel.PROVIDER_LOGIN_KEY] = {
        "user": user.pk,
        "issuer": issuer,
        "subject": subject,
        "sid": str(sid or "")[:255],
        "session": dict(session_values or {}),
    }
    response = complete_login(request, user, backend=BACKEND, mfa_asserted=asserted, next_url=next_url)
    if response is not None:
        return response
    response = HttpResponseRedirect(next_url)
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME and request.session.session_key:
        # A GET, so SingleSignOnMiddleware does not see it: hand the session to the hub the same way.
        sso.SingleSignOnMiddleware.pass_login_to_hub(request, response)
    return response
