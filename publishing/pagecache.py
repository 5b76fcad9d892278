"""Whole-page cache for anonymous readers, per site, purged on every change that shows.

Every cache key already carries the schema (django_tenants.cache.make_key); each site also has a
generation number in the cache, part of every page key, so a purge is one increment, whatever the
number of cached pages. A publish purges the site and its parent (the portal aggregates its
departments' items); a theme change purges the sites using it.
"""

import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django_tenants.utils import schema_context
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "pagecache:generation"
UNCACHED_PREFIXES = (
    "/admin/",
    "/api/",
    "/search/",
    "/sso/",
    "/documents/",
    "/healthz",
    "/readyz",
    "/media/",
    "/static/",
)
_bypass = threading.local()


def cache_seconds():
    """Seconds a page stays cached; 0 (CMS_PAGE_CACHE_SECONDS=0) turns the page cache off."""
    return getattr(settings, "CMS_PAGE_CACHE_SECONDS", 300)


class bypass:
    """Render without the page cache (static export must see the newest content)."""

    def __enter__(self):
        _bypass.active = True

    def __exit__(self, *exc):
        _bypass.active = False


def _generation():
    return cache.get_or_set(GENERATION_KEY, 1, None)


def purge_schema(schema_name):
    with schema_context(schema_name):
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 2, None)


def purge_site(tenant):
    """Purge a site's pages and its parent's (whose listings aggregate it), after commit."""
    schemas = [tenant.schema_name]
    if tenant.parent_id:
        schemas.append(tenant.parent.schema_name)

    def purge():
        for schema in schemas:
            purge_schema(schema)

    purge()  # now, and again after commit, so no request in between caches the old state
    transaction.on_commit(purge)


def _current_tenant():
    from sites.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and tenant.pk:
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def on_page_change(sender, **kwargs):
    tenant = _current_tenant()
    if tenant is not None and not tenant.is_template:
        purge_site(tenant)


@receiver(post_delete, sender=Page)
def on_page_deleted(sender, instance, **kwargs):
    on_page_change(sender)


def on_theme_change(sender, instance, **kwargs):
    from sites.models import Tenant

    tenant_id = getattr(instance, "tenant_id", None)
    tenants = Tenant.objects.filter(pk=tenant_id) if tenant_id else Tenant.objects.sites()
    for tenant in tenants:
        purge_schema(tenant.schema_name)


def connect_theme_signals():
    from django.apps import apps

    if apps.is_installed("themes"):
        for model in ("themes.Theme", "themes.SiteTheme"):
            post_save.connect(on_theme_change, sender=model, dispatch_uid=f"pagecache-{model}")
            post_delete.connect(on_theme_change, sender=model, dispatch_uid=f"pagecache-del-{model}")


class PageCacheMiddleware:
    """Serve anonymous GETs of site pages from the cache; place it after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _key(self, request):
        return f"pagecache:{_generation()}:{request.get_host()}:{request.get_full_path()}"

    def _cacheable_request(self, request):
        return (
            cache_seconds() > 0
            and request.method in ("GET", "HEAD")
            and connection.schema_name != settings.PUBLIC_SCHEMA_NAME
            and not request.path_info.startswith(UNCACHED_PREFIXES)
            and not getattr(_bypass, "active", False)
            and not request.user.is_authenticated
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Cache"] = "HIT"
            return response
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and response.get("Content-Type", "").startswith(("text/html", "application/rss+xml", "application/xml"))
        ):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), cache_seconds())
            response["X-Cache"] = "MISS"
        return response
