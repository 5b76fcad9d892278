"""Small public views of the platform itself (not of any one site's content)."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .models import Tenant


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
    """The public-schema host lists the cluster's sites (站群导航)."""
    sites = Tenant.objects.serving().prefetch_related("domains").order_by("kind", "id")
    return render(request, "sites/directory.html", {"sites": sites})


def not_found(request, exception=None):
    """A plain 404 that touches no site's tables: it must work on unknown hosts and the public host."""
    return render(request, "404.html", {"message": "您访问的页面不存在。"}, status=404)
