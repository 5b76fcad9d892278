"""Request plumbing: host → site, site status, and guards for the public schema."""

import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www, schema_context
from wagtail.contrib.redirects.middleware import RedirectMiddleware

from .models import Domain, SiteStatus

DOMAIN_MAP_VERSION_KEY = "cms:domain-map-version"
_local = threading.local()
_lock = threading.Lock()
_domain_map = {"version": None, "hosts": {}}


def domain_map_version():
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return cache.get(DOMAIN_MAP_VERSION_KEY, 0)


def invalidate_domain_map():
    """Called when a domain or a site changes; every process drops its map on the next request."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        try:
            cache.incr(DOMAIN_MAP_VERSION_KEY)
        except ValueError:
            cache.set(DOMAIN_MAP_VERSION_KEY, 1, None)
    with _lock:
        _domain_map["version"] = None
        _domain_map["hosts"] = {}


def known_schema(http_host):
    """The schema of an open site for a Host header, if this process's map already holds it; else None.

    No database or cache access: the page-cache front (``publishing.pagecache.PageCacheApp``) uses
    it to pick the site whose cache it reads; anything it does not know goes through Django.
    """
    entry = _domain_map["hosts"].get(remove_www(http_host.split(":")[0]))
    if entry is None:
        return None
    tenant = entry[0]
    if tenant.status != SiteStatus.ACTIVE or tenant.is_template or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return tenant.schema_name


class SiteMiddleware(TenantMainMiddleware):
    """Selects the site's schema from the Host header.

    The host → site map is cached in each process (a database lookup per request costs a third of
    the throughput of a cached page) and dropped when any domain or site changes. An unknown host is
    a 404, never another site.
    """

    ADMIN_PREFIX = "/admin/"
    PROBES = ("/healthz", "/readyz")

    def get_tenant(self, domain_model, hostname):
        version = domain_map_version()
        with _lock:
            if _domain_map["version"] != version:
                _domain_map["version"] = version
                _domain_map["hosts"] = {}
            entry = _domain_map["hosts"].get(hostname)
        if entry is None:
            domain = domain_model.objects.select_related("tenant").get(domain=hostname)
            admin_hosts = set(
                Domain.objects.filter(tenant=domain.tenant, is_admin_host=True).values_list("domain", flat=True)
            )
            entry = (domain.tenant, domain.is_admin_host, bool(admin_hosts))
            with _lock:
                _domain_map["hosts"][hostname] = entry
        tenant, is_admin_host, has_admin_host = entry
        _local.is_admin_host = is_admin_host
        _local.has_admin_host = has_admin_host
        return tenant

    def no_tenant_found(self, request, hostname):
        raise Http404(f"没有与域名“{hostname}”对应的网站")

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.schema_name == settings.PUBLIC_SCHEMA_NAME or tenant.is_template:
            if tenant.is_template:
                raise Http404("模板站点不对外提供服务")
            return None
        is_admin_path = request.path_info.startswith(self.ADMIN_PREFIX)
        # 内网采编/外网发布: a site with an admin host serves its admin only there.
        if is_admin_path and _local.has_admin_host and not _local.is_admin_host:
            raise Http404("后台只能通过后台专用域名访问")
        if tenant.status != SiteStatus.ACTIVE and not is_admin_path and request.path_info not in self.PROBES:
            status = 410 if tenant.status == SiteStatus.ARCHIVED else 503
            response = render(
                request, "sites/site_closed.html", {"site": tenant, "archived": status == 410}, status=status
            )
            if status == 503:
                response["Retry-After"] = "3600"
            return response
        return None


class TenantRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects, skipped on the public schema host, which has no Wagtail tables."""

    def process_response(self, request, response):
        if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return response
        return super().process_response(request, response)
