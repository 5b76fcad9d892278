"""Whole-page cache for anonymous readers, per site, purged on every change that shows.

Every cache key already carries the schema (django_tenants.cache.make_key); each site also has a
generation number in the cache, stored in every entry, so a purge is one increment, whatever the
number of cached pages: an entry of an older generation is a miss. A publish purges the site and
its parent (the portal aggregates its departments' items); a theme change purges the sites using
it; a change of the site record or its domains purges the site.

With a shared cache (Redis, production), each process also keeps copies of the entries it served
(``CMS_PAGE_CACHE_LOCAL_BYTES``, least recently used dropped first) and of each site's generation,
which it asks the shared cache for again after ``CMS_PAGE_CACHE_RECHECK`` seconds: a hit then
costs no network round trip, and a publish in another process or on another server shows within
that many seconds (in the process that publishes, at once). With the local-memory cache
(development, tests) the cache itself is per process and there are no copies.
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django_tenants.utils import schema_context
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from sites.access import current_site
from sites.models import Domain, Tenant

GENERATION_KEY = "pagecache:generation"
PURGES_KEY = "pagecache:purges"  # in the public schema: moves on every purge of any site
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


class LocalCopies:
    """This process's copies of entries and generations (thread-safe; bounded by bytes).

    The generations known here stay valid while the cluster-wide purge counter (one key, read at
    most once per ``CMS_PAGE_CACHE_RECHECK`` seconds) has not moved: one cache read per second per
    process, however many sites it serves. When it has moved, every generation is read again as
    its site is next requested.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = OrderedDict()  # (schema, key) -> entry, least recently used first
        self.size = 0
        self.generations = {}  # schema -> generation
        self.purges = None  # the cluster-wide purge counter when last read
        self.checked = float("-inf")  # monotonic time of that read

    @staticmethod
    def limit():
        return getattr(settings, "CMS_PAGE_CACHE_LOCAL_BYTES", 0)

    def purges_seen(self):
        """The cluster-wide purge counter, read at most once per recheck interval."""
        now = time.monotonic()
        if now - self.checked >= getattr(settings, "CMS_PAGE_CACHE_RECHECK", 1.0):
            with schema_context(settings.PUBLIC_SCHEMA_NAME):
                purges = cache.get(PURGES_KEY, 0)
            if purges != self.purges:
                self.generations = {}
                self.purges = purges
            self.checked = now
        return self.purges

    def generation(self, schema):
        """The site's generation (the schema is the connection's)."""
        self.purges_seen()
        generation = self.generations.get(schema)
        if generation is None:
            generation = self.generations[schema] = _generation()
        return generation

    def forget_generation(self, schema):
        self.generations.pop(schema, None)
        self.checked = float("-inf")  # a purge here: reread the counter on the next look

    def get(self, schema, key):
        with self.lock:
            entry = self.entries.get((schema, key))
            if entry is not None:
                self.entries.move_to_end((schema, key))
            return entry

    @staticmethod
    def _size(entry):
        return len(entry[3]) + 512  # the body and roughly the headers

    def put(self, schema, key, entry):
        size = self._size(entry)
        limit = self.limit()
        if size > limit // 8:  # one entry never takes more than an eighth
            return
        with self.lock:
            old = self.entries.pop((schema, key), None)
            if old is not None:
                self.size -= self._size(old)
            self.entries[(schema, key)] = entry
            self.size += size
            while self.size > limit:
                _, dropped = self.entries.popitem(last=False)
                self.size -= self._size(dropped)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0
            self.generations = {}
            self.purges = None
            self.checked = float("-inf")


local = LocalCopies()


def purges_seen():
    """Moves whenever any site's pages are purged (in this process at once, from others within
    ``CMS_PAGE_CACHE_RECHECK`` seconds): process-wide memos of per-site data (the site's theme)
    compare it to know when to look again."""
    return local.purges_seen()


def _incr(key, start):
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, start, None)


def bump_shared(schema_name):
    """Make every entry of the site stale in the shared cache (other processes: after the recheck)."""
    with schema_context(schema_name):
        _incr(GENERATION_KEY, 2)
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        _incr(PURGES_KEY, 1)


def purge_schema(schema_name):
    bump_shared(schema_name)
    local.forget_generation(schema_name)  # this process: at once


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


def on_page_change(sender, **kwargs):
    tenant = current_site()
    if tenant is not None and not tenant.is_template:
        purge_site(tenant)


def on_page_deleted(sender, instance, **kwargs):
    on_page_change(sender)


def on_restriction_change(sender, **kwargs):
    on_page_change(sender)


def on_theme_change(sender, instance, **kwargs):
    tenant_id = getattr(instance, "tenant_id", None)
    schemas = list(
        (Tenant.objects.filter(pk=tenant_id) if tenant_id else Tenant.objects.sites()).values_list(
            "schema_name", flat=True
        )
    )

    def purge():
        for schema in schemas:
            purge_schema(schema)  # moves the purge counter too: processes forget the themes they know
        if not schemas:  # no site yet: the default theme may still be remembered
            with schema_context(settings.PUBLIC_SCHEMA_NAME):
                _incr(PURGES_KEY, 1)
            local.checked = float("-inf")

    purge()  # now, and again after commit (as purge_site)
    transaction.on_commit(purge)


def on_branding_change(sender, instance, created=False, raw=False, **kwargs):
    """A site's logo or banner (``cms.SiteBranding``): every cached page of the site shows the header."""
    if raw or (created and not (instance.logo_id or instance.banner_id)):
        return  # the empty row made on a site's first page view changes nothing readers see
    tenant = current_site()
    if tenant is not None:
        purge_site(tenant)


def on_site_or_domain_change(sender, instance, **kwargs):
    """A site's record or a host changed: the cached pages that show it go, now and after commit.

    The page-cache front answers from a process's host map without asking whether it is current:
    a closed site or a host moved to another site must not be served from the cache. A site's
    record shows on its own pages, on its parent's (the footer's 网站群导航, 部门动态) and on its
    children's (the footer's 上级网站); every public page carries the cluster's host list (the
    leaving-the-site notice), so a host change purges every site. Both are rare web-office acts.
    """
    if sender is Domain:
        schemas = list(
            Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).values_list("schema_name", flat=True)
        )
    else:
        schemas = [instance.schema_name] if instance.schema_name else []
        related = Tenant.objects.filter(Q(parent=instance) | Q(pk=instance.parent_id)) if instance.pk else []
        schemas += [row.schema_name for row in related]

    def purge():
        for name in schemas:
            purge_schema(name)

    purge()
    transaction.on_commit(purge)


def register_signal_handlers():
    """Every purge receiver, connected once from ``ServingConfig.ready()``."""
    from django.apps import apps

    for model in (Tenant, Domain):
        post_save.connect(on_site_or_domain_change, sender=model, dispatch_uid=f"pagecache-{model.__name__}-saved")
        post_delete.connect(on_site_or_domain_change, sender=model, dispatch_uid=f"pagecache-{model.__name__}-deleted")
    page_published.connect(on_page_change, dispatch_uid="pagecache-published")
    page_unpublished.connect(on_page_change, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(on_page_change, dispatch_uid="pagecache-moved")
    post_delete.connect(on_page_deleted, sender=Page, dispatch_uid="pagecache-page-deleted")
    # A page that becomes restricted must not be served from the cache a moment longer; one whose
    # restriction is lifted shows in its columns again.
    post_save.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="pagecache_restriction_saved")
    post_delete.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="pagecache_restriction_deleted")
    if apps.is_installed("themes"):
        for model in ("themes.Theme", "themes.SiteTheme"):
            post_save.connect(on_theme_change, sender=model, dispatch_uid=f"pagecache-{model}")
            post_delete.connect(on_theme_change, sender=model, dispatch_uid=f"pagecache-del-{model}")
    if apps.is_installed("cms"):
        post_save.connect(on_branding_change, sender="cms.SiteBranding", dispatch_uid="pagecache-branding")


def page_key(meta):
    """The entry's key for a request: its Host header, path and query, hashed (fixed length, any bytes).

    Computed from the WSGI environ, so the WSGI front (``PageCacheApp``) and the middleware agree.
    The schema is added by the tenant-aware key function: two sites never share an entry.
    """
    raw = f"{meta.get('HTTP_HOST', '')}\n{meta.get('PATH_INFO', '')}\n{meta.get('QUERY_STRING', '')}"
    return "pagecache:page:" + hashlib.sha1(raw.encode("utf-8", "surrogateescape")).hexdigest()  # noqa: S324 - a key


def _eligible(meta, methods=("GET", "HEAD")):
    """Whether a request may be answered from the cache: an anonymous GET of a public page.

    A request carrying a session cookie may belong to a signed-in user (or one who has unlocked a
    password-protected page): it never reads or writes the cache.
    """
    return (
        meta.get("REQUEST_METHOD") in methods
        and cache_seconds() > 0
        and not meta.get("PATH_INFO", "").startswith(UNCACHED_PREFIXES)
        and not getattr(_bypass, "active", False)
        and f"{settings.SESSION_COOKIE_NAME}=" not in meta.get("HTTP_COOKIE", "")
    )


def lookup(meta):
    """(generation, entry or None) for a request in the current schema.

    With local copies: none, or one round trip (the entry) when this process has no copy; without:
    one round trip for the generation and the entry together.
    """
    key = page_key(meta)
    schema = connection.schema_name
    if LocalCopies.limit() > 0:
        generation = local.generation(schema)
        entry = local.get(schema, key)
        if entry is None or entry[0] != generation:
            entry = cache.get(key)
            if entry is not None and entry[0] == generation:
                local.put(schema, key, entry)
    else:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            generation = _generation()
        entry = found.get(key)
    if entry is not None and entry[0] != generation:
        entry = None  # written before the last purge
    return generation, entry


def store(meta, entry):
    """Keep an entry for the request (in the current schema) in the cache and the local copies."""
    key = page_key(meta)
    cache.set(key, entry, cache_seconds())
    if LocalCopies.limit() > 0:
        local.put(connection.schema_name, key, entry)


def _storable(request, response):
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not {"private", "no-store", "no-cache"} & set(re.split(r"[\s,=]+", response.get("Cache-Control", "")))
        and "cookie" not in response.get("Vary", "").lower()
        and response.get("Content-Type", "").startswith(("text/html", "application/rss+xml", "application/xml"))
    )


def _hit_headers(entry):
    return [*entry[2], ("X-Cache", "HIT")]


def _private_if_preview(request, response):
    """A theme preview (``request.theme_preview``, set by themes.resolver for the web office) is
    never kept by this cache, a browser's or a proxy's, whichever view rendered it."""
    if getattr(request, "theme_preview", False):
        response["Cache-Control"] = "private, no-store"
    return response


class PageCacheMiddleware:
    """Serve anonymous GETs of site pages from the cache.

    Placed right after the site middleware (the schema is known, the site is open), outside every
    middleware that sets headers: an entry is the whole response as the reader got it, so a hit
    needs none of them, and ``PageCacheApp`` can answer it before Django is entered at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if connection.schema_name == settings.PUBLIC_SCHEMA_NAME or not _eligible(request.META):
            return _private_if_preview(request, self.get_response(request))
        generation, entry = lookup(request.META)
        if entry is not None:
            _, status, headers, body = entry
            response = HttpResponse(body, status=status)
            for name, value in _hit_headers(entry):
                response[name] = value
            return response
        response = _private_if_preview(request, self.get_response(request))
        if _storable(request, response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            headers = [(name, value) for name, value in response.items() if name.lower() != "x-cache"]
            store(request.META, (generation, response.status_code, headers, response.content))
            response["X-Cache"] = "MISS"
        return response


class PageCacheApp:
    """WSGI front: answers a page-cache hit before Django's handler runs.

    A hit through the middleware still builds a request object and passes the site middleware;
    here it costs a dictionary look-up with local copies (one cache round trip without), about
    15 µs of Python: gunicorn's own handling of the connection is the rest of the time.
    The host must already be in this process's host map (``sites.middleware.known_schema``): the
    first request for a host, and every miss, go through Django as before. A change of site status
    or domains purges the site's pages (``on_site_or_domain_change``), so a map entry that is out of
    date can only lead to a miss, never to a page of a closed site or another site's host.
    """

    def __init__(self, application):
        from sites.middleware import known_schema  # needs the apps loaded, as the application does

        self.application = application
        self.known_schema = known_schema

    def __call__(self, environ, start_response):
        if _eligible(environ, methods=("GET",)):
            schema = self.known_schema(environ.get("HTTP_HOST", ""))
            if schema is not None:
                with schema_context(schema):
                    _, entry = lookup(environ)
                if entry is not None:
                    _, status, headers, body = entry
                    start_response(f"{status} {HTTPStatus(status).phrase}", _hit_headers(entry))
                    return [body]
        return self.application(environ, start_response)
