"""The login rules on every request of every host (sessions are shared by the cluster's hosts).

In order:

1. **Session lifetime.** A signed-in session ends ``CMS_SESSION_MAX_AGE_SECONDS`` after its login
   and after ``CMS_SESSION_IDLE_SECONDS`` without a request (``CMS_SESSION_REMEMBER_IDLE_SECONDS``
   with "记住我"). The session row is deleted, so it ends on every host at once; the check runs
   on the hub too, which therefore issues no sign-on ticket for an expired session.
2. **Second factor.** A user who must use one (``requires_second_factor``) and whose session has
   not passed it reaches no admin screen: they are sent to the code, or to enrolment when they
   have no authenticator yet. Elsewhere (public pages, the hub) such a session counts as anonymous.
3. **Password.** An initial password set by someone else, or one older than
   ``CMS_PASSWORD_MAX_AGE_DAYS``, is changed before any other admin screen.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from sites import audit

from .context import reset_request, set_request
from .login_flow import REMEMBER_KEY, VERIFIED_KEY
from .mfa import has_second_factor, requires_second_factor
from .passwords import change_required

LOGIN_AT_KEY = "cms_login_at"
SEEN_AT_KEY = "cms_seen_at"
# The last request is written to the session at most this often (a write per request would be one
# UPDATE per page view); the idle timeout is therefore exact to within this many seconds.
SEEN_RESOLUTION = 60
# Reachable before the second factor and the password change: the steps themselves, logout, the
# admin's static translations.
OPEN_PREFIXES = ("/admin/login/", "/admin/logout/", "/admin/jsi18n/")


def session_expired(request, now=None):
    """Why the signed-in session of ``request`` is over ("absolute" or "idle"), or None (refreshed)."""
    session = request.session
    now = (now or timezone.now()).timestamp()
    login_at, seen_at = session.get(LOGIN_AT_KEY), session.get(SEEN_AT_KEY)
    if login_at is None or seen_at is None:
        # A session from before these rules (or made by a test's force_login): its clock starts now.
        session[LOGIN_AT_KEY] = login_at or now
        session[SEEN_AT_KEY] = now
        return None
    if now - float(login_at) >= settings.CMS_SESSION_MAX_AGE_SECONDS:
        return "absolute"
    idle = (
        settings.CMS_SESSION_REMEMBER_IDLE_SECONDS if session.get(REMEMBER_KEY) else settings.CMS_SESSION_IDLE_SECONDS
    )
    if now - float(seen_at) >= idle:
        return "idle"
    if now - float(seen_at) >= SEEN_RESOLUTION:
        session[SEEN_AT_KEY] = now
    return None


def _is_admin(request):
    return request.path_info.startswith("/admin/")


def _is_open(request):
    return request.path_info.startswith(OPEN_PREFIXES)


def _to(request, name):
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return HttpResponseRedirect(reverse(name) + (f"?{query}" if query else ""))


class LoginPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request(request)
        try:
            return self.check(request) or self.get_response(request)
        finally:
            reset_request(token)

    def check(self, request):
        # Without a session cookie nobody is signed in; asking request.user would read the session
        # and mark the answer "Vary: Cookie", which the page cache never stores.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        reason = session_expired(request)
        if reason is not None:
            audit.record("session_expired", actor=user, request=request, target=user.get_username(), reason=reason)
            logout(request)  # deletes the session row: every host's cookie is dead
            if _is_admin(request) and not _is_open(request):
                messages.info(request, "登录已超时，请重新登录。")
                return _to(request, "wagtailadmin_login")
            return None
        if not request.session.get(VERIFIED_KEY) and requires_second_factor(user):
            if not _is_admin(request):
                request.user = AnonymousUser()
                return None
            if _is_open(request):
                return None
            return _to(request, "policy_mfa_verify" if has_second_factor(user) else "policy_mfa_enrol")
        if _is_admin(request) and not _is_open(request) and change_required(user):
            return _to(request, "policy_change_password")
        return None
