"""What happens after a primary authentication (a password, or the province's identity service).

``complete_login(request, user, *, backend, mfa_asserted=False)`` is the one door to a signed-in
session. Its contract, kept stable for every caller (the login form's view, the OpenID Connect
callback):

* The caller has authenticated ``user`` already (a right password, or a verified ID token) and
  passes the dotted path of the authentication ``backend`` that did it.
* When ``user`` needs no second factor (``requires_second_factor``), or ``mfa_asserted`` is True
  (the identity provider asserted a second factor of its own, e.g. ``amr`` holding ``otp``/``mfa``
  or an ``acr`` the deployment trusts: the caller decides), the user is logged in at once
  (``django.contrib.auth.login``: a new session key) and the session is marked verified.
  The return value is then ``None``: the caller goes on as after any login (Django's LoginView
  redirects to ``next``; a callback view redirects where it wanted to).
* Otherwise the user is NOT logged in. The session gets a pending marker (the user's id, the
  backend, the safe ``next``, the time, a random id) that is short-lived
  (``CMS_MFA_PENDING_SECONDS``), single-use (spent by the first right code, dropped by a
  logout or a new primary login) and bound to this session (it lives in the session row only,
  never in a URL). The return value is a redirect to the second-factor step (enrolment first,
  for a user who must use a second factor and has none). A sign-on ticket cannot be issued for
  such a session: it is not authenticated yet (sites/sso.py issues tickets for signed-in
  sessions only).
* The caller returns the response it got (when not None) and does nothing else with the session.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

PENDING_KEY = "cms_mfa_pending"
VERIFIED_KEY = "cms_mfa_verified"
REMEMBER_KEY = "cms_remember_me"


def complete_login(request, user, *, backend, mfa_asserted=False, next_url="", remember=False):
    """Log ``user`` in now (returns None), or park them before the second factor (returns a redirect)."""
    from .mfa import requires_second_factor

    request.session.pop(PENDING_KEY, None)
    if mfa_asserted or not requires_second_factor(user):
        finish_login(request, user, backend=backend, verified=bool(mfa_asserted), remember=remember)
        return None
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url or "",
        "at": timezone.now().timestamp(),
        "id": get_random_string(32),
        "remember": bool(remember),
    }
    return HttpResponseRedirect(reverse("policy_mfa_verify"))


def finish_login(request, user, *, backend, verified, remember=False):
    """Log ``user`` in (new session key) and record what the session policy needs."""
    login(request, user, backend=backend)
    # "记住我": the cookie outlives the browser, up to the absolute lifetime; else it ends with it.
    # sites/sso.py gives every other host's cookie the same expiry.
    if remember:
        request.session.set_expiry(timezone.now() + timedelta(seconds=settings.CMS_SESSION_MAX_AGE_SECONDS))
    else:
        request.session.set_expiry(0)
    now = timezone.now().timestamp()
    request.session[VERIFIED_KEY] = bool(verified)
    request.session[REMEMBER_KEY] = bool(remember)
    request.session["cms_login_at"] = now
    request.session["cms_seen_at"] = now
    # sites/sso.py passes a login made during this request on to the hub.
    request._cms_logged_in = True
