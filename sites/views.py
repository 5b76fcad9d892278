"""Small public views of the platform itself (not of any one site's content)."""

import errno
import sys

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse

from .hosts import directory, public_origin


def healthz(request):
    """The process is alive (no database call: a load balancer probes this often)."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Ready to serve: the database answers and the cache round-trips."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("cms:readyz", "1", 10)
        checks["cache"] = "ok" if cache.get("cms:readyz") == "1" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def cluster_directory(request):
    """The public-schema host: 网站群导航, the running sites by kind with their names and hosts."""
    groups = [
        {
            **group,
            "sites": [{**member, "url": public_origin(member["host"], request) + "/"} for member in group["sites"]],
        }
        for group in directory()
    ]
    portal = next((group["sites"][0] for group in groups if group["key"] == "portal"), None)
    return render(request, "sites/directory.html", {"groups": groups, "portal": portal})


def server_error(request):
    """500s that say what a reader can do; a database or storage outage is a 503 (try again soon).

    Renders without touching the database: it must work while PostgreSQL is down.
    """
    from django.db import DatabaseError, InterfaceError, OperationalError

    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    ):
        message = "服务暂时不可用（数据库维护中），请稍后刷新重试。"
        status = 503
    elif isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT):
        message = "服务器存储暂时不可用，请稍后重试或联系网站管理员。"
        status = 503
    else:
        message = "服务器内部错误，我们已记录该问题，请稍后重试。"
        status = 500
    response = HttpResponse(render_to_string("500.html", {"message": message, "status": status}), status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response


def not_found(request, exception=None):
    """A plain 404 that touches no site's tables: it must work on unknown hosts and the public host."""
    return render(request, "404.html", {"message": "您访问的页面不存在。"}, status=404)


def logout_confirmation(request):
    """GET /admin/logout/: ask, and change nothing; the button POSTs to Wagtail's logout.

    Logging out on a GET would let any link or image on any page sign staff out (Django 5 made its
    logout POST-only for that reason). Wagtail's view, asked with GET, answered 405 yet cleared the
    cookie, so the user believed they were signed out while the session went on working on every
    other host. Only the POST logs out, and it deletes the session row (``sites/sso.py``).
    """
    if not request.user.is_authenticated:
        return redirect_to_login("/admin/", login_url=reverse("wagtailadmin_login"))
    return TemplateResponse(request, "sites/logout_confirm.html", {})
