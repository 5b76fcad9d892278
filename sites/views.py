"""Small public views of the platform itself (not of any one site's content)."""

from django.http import JsonResponse
from django.shortcuts import render

from .models import Tenant


def healthz(request):
    """The process is alive (no database call: a load balancer probes this often)."""
    return JsonResponse({"status": "ok"})


def cluster_directory(request):
    """The public-schema host lists the cluster's sites (站群导航)."""
    sites = Tenant.objects.serving().prefetch_related("domains").order_by("kind", "id")
    return render(request, "sites/directory.html", {"sites": sites})


def not_found(request, exception=None):
    """A plain 404 that touches no site's tables: it must work on unknown hosts and the public host."""
    return render(request, "404.html", {"message": "您访问的页面不存在。"}, status=404)
