"""三员分立 at the door: the break-glass superuser and the audit administrator's read-only admin.

``AdministratorDutiesMiddleware`` (after authentication) does three things on every request:

- A superuser whose break-glass grant has run out (or was never made: ``createsuperuser`` is
  refused, sites/management/commands/createsuperuser.py) stops being a superuser before the
  request goes on, and the end is audited.
- Every request by a superuser that may change something (anything but GET, HEAD, OPTIONS) is
  audited with its method, path and answer (``break_glass_request``).
- The audit administrator (审计管理员, with no other role) sees nothing of the admin but the audit
  log and their own sign-in screens: any other admin page leads to the audit log, and any request
  that could change something is refused (403) and audited (``admin_duty_refused``).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from . import audit
from .access import forget_roles, is_read_only_admin
from .models import BreakGlass, Outcome

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_BREAK_GLASS_MINUTES = 240
# What the audit administrator may open besides the audit log: signing in and out, the second
# factor and their own password (sites/policy/), Wagtail's script translations and icons.
AUDIT_ADMIN_PATHS = (
    "/admin/cluster/audit/",
    "/admin/login/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/admin/sprite",
    "/admin/account/change_password/",
)
AUDIT_ADMIN_WRITES = ("/admin/login/", "/admin/logout/", "/admin/account/change_password/")


class BreakGlassError(Exception):
    pass


def open_break_glass(user, *, minutes, reason=""):
    """Make ``user`` a superuser for ``minutes`` (the command line only); audited."""
    if not 1 <= minutes <= MAX_BREAK_GLASS_MINUTES:
        raise BreakGlassError(f"应急超级用户的时限须在 1–{MAX_BREAK_GLASS_MINUTES} 分钟之间。")
    if not user.is_active:
        raise BreakGlassError(f"用户“{user.get_username()}”已停用。")
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            user=user, reason=reason[:200], expires_at=timezone.now() + datetime.timedelta(minutes=minutes)
        )
        user.is_superuser = True
        user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
        audit.record(
            "break_glass_opened",
            target=user.get_username(),
            minutes=minutes,
            reason=reason,
            expires_at=timezone.localtime(grant.expires_at).strftime("%Y-%m-%d %H:%M"),
        )
    forget_roles(user)
    return grant


def end_break_glass(user, *, why="ended"):
    """Take the superuser away and close every open grant of ``user``; audited when there was one."""
    with transaction.atomic():
        closed = BreakGlass.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
        from django.contrib.auth import get_user_model

        was_superuser = get_user_model().objects.filter(pk=user.pk, is_superuser=True).update(is_superuser=False)
        if closed or was_superuser:
            audit.record("break_glass_ended", target=user.get_username(), why=why)
    user.is_superuser = False
    forget_roles(user)
    return bool(closed or was_superuser)


def end_expired_break_glass():
    """Every superuser without a grant in force stops being one (a deploy, a test, the middleware)."""
    from django.contrib.auth import get_user_model

    ended = 0
    in_force = BreakGlass.objects.in_force().values("user_id")
    for user in get_user_model().objects.filter(is_superuser=True).exclude(pk__in=in_force):
        ended += end_break_glass(user, why="expired")
    return ended


def _audit_admin_may_open(request):
    path = request.path
    if not path.startswith("/admin/"):
        return True  # the public site: the audit administrator reads it like anybody
    if request.method not in SAFE_METHODS:
        return any(path.startswith(prefix) for prefix in AUDIT_ADMIN_WRITES)
    return any(path.startswith(prefix) for prefix in AUDIT_ADMIN_PATHS)


class AdministratorDutiesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # No session cookie: nobody is signed in, and the session is not read (a read marks the
        # answer "Vary: Cookie", which the page cache never stores).
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        authenticated = signed_in and user is not None and user.is_authenticated
        if authenticated and user.is_superuser and not BreakGlass.objects.in_force().filter(user=user).exists():
            end_break_glass(user, why="expired")
        if authenticated and not user.is_superuser and is_read_only_admin(user) and not _audit_admin_may_open(request):
            if request.method in SAFE_METHODS:
                return redirect(reverse("sites_console:audit_log"))
            audit.record(
                "admin_duty_refused", actor=user, request=request, target=request.path[:200], method=request.method
            )
            return HttpResponseForbidden("审计管理员只能查看审计日志。".encode())
        response = self.get_response(request)
        if authenticated and user.is_superuser and request.method not in SAFE_METHODS:
            status = response.status_code
            audit.record(
                "break_glass_request",
                actor=user,
                request=request,
                target=request.path[:200],
                result=Outcome.SUCCESS
                if status < 400
                else (Outcome.DENIED if status in (401, 403) else Outcome.FAILURE),
                method=request.method,
                status=status,
                fields=sorted(key for key in request.POST.keys() if "password" not in key.lower())[:50],
            )
        return response
