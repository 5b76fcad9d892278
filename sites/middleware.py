"""Request plumbing: host → site, site status, and guards for the public schema."""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import schema_context
from wagtail.contrib.redirects.middleware import RedirectMiddleware

from .models import Domain, SiteStatus, Tenant

DOMAIN_MAP_VERSION_KEY = "cms:domain-map-version"
_local = threading.local()
_lock = threading.Lock()
# ``checked``: when this process last compared the map with the database (time.monotonic()).
# ``derived``: what other modules build from the same rows (sites/hosts.py), dropped with the map.
_domain_map = {"version": None, "hosts": {}, "derived": {}, "fingerprint": None, "checked": float("-inf")}


def _recheck_seconds():
    return getattr(settings, "CMS_SITE_MAP_RECHECK", 2.0)


def _map_is_due(now=None):
    return (time.monotonic() if now is None else now) - _domain_map["checked"] >= _recheck_seconds()


def sites_fingerprint():
    """A digest of every site and domain row, read from the database in one short query.

    The map's version number lives in the cache, and without a shared cache (no REDIS_URL) each
    process has its own: a site closed by ``manage.py close_site`` or in another gunicorn worker
    or on another server would be served on by the rest. The database is the one thing they all
    share, so each process compares this digest at most every ``CMS_SITE_MAP_RECHECK`` seconds;
    the whole row is digested, so a changed footer or name is seen as well as a status. ~300
    sites: well under a millisecond, once per interval per process.
    """
    public = connection.ops.quote_name(settings.PUBLIC_SCHEMA_NAME)
    tenants = f"{public}.{connection.ops.quote_name(Tenant._meta.db_table)}"
    domains = f"{public}.{connection.ops.quote_name(Domain._meta.db_table)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce((SELECT string_agg(t::text, '|' ORDER BY t.id) FROM {tenants} t), '') || '#' || "  # noqa: S608 - model tables
            f"coalesce((SELECT string_agg(d::text, '|' ORDER BY d.id) FROM {domains} d), ''))"
        )
        return cursor.fetchone()[0]


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
        _domain_map["derived"] = {}


def derived_from_map(name, build):
    """A value built from the site and domain rows (``build()``), kept until the host map is dropped.

    The cluster's host list and each site's primary host (sites/hosts.py) change exactly when the
    map does, so they live and die with it: a domain added in another process is seen within
    ``CMS_SITE_MAP_RECHECK`` seconds, in this one at once.
    """
    with _lock:
        derived = _domain_map["derived"]
        if name in derived:
            return derived[name]
    value = build()
    with _lock:
        # Not kept if the map was dropped while building: the rows read may be the old ones.
        if _domain_map["derived"] is derived:
            derived[name] = value
    return value


def themed_error_pages(request):
    """Does this reader get the Chinese error pages although DEBUG is on (``make run``)?

    With DEBUG off Django always renders our handlers. With DEBUG on, a visitor still gets them
    (the demo must not show Django's English debug 404), while the developer keeps Django's debug
    pages: on admin paths, when signed in, or everywhere with ``CMS_THEMED_ERRORS=0``.
    """
    if not settings.DEBUG or not getattr(settings, "CMS_THEMED_ERRORS", True):
        return False
    if request.path_info.startswith(SiteMiddleware.ADMIN_PREFIX):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def on_admin_host():
    """True while serving a request that came in on a site's admin-only host (robots.txt closes it)."""
    return getattr(_local, "is_admin_host", False)


def known_schema(http_host):
    """The schema of an open site for a Host header, if this process's map already holds it; else None.

    No database or cache access: the page-cache front (``serving.pagecache.PageCacheApp``) uses
    it to pick the site whose cache it reads; anything it does not know goes through Django. A map
    due for its database check is not trusted either: that request goes through Django, which
    checks it, so a site closed elsewhere is not served from here beyond the interval.
    """
    if _map_is_due():
        return None
    entry = _domain_map["hosts"].get(http_host.split(":")[0].lower())
    if entry is None:
        return None
    tenant = entry[0]
    if tenant.status != SiteStatus.ACTIVE or tenant.is_template or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return tenant.schema_name


class SiteMiddleware(TenantMainMiddleware):
    """Selects the site's schema from the Host header.

    The host → site map is cached in each process (a database lookup per request costs a third of
    the throughput of a cached page) and dropped when any domain or site changes: at once in the
    process that made the change (and in every process sharing its cache), and in every other
    within ``CMS_SITE_MAP_RECHECK`` seconds (``sites_fingerprint``). An unknown host is a 404,
    never another site.
    """

    ADMIN_PREFIX = "/admin/"
    PROBES = ("/healthz", "/readyz")

    @staticmethod
    def hostname_from_request(request):
        """The host exactly as stored in ``sites.Domain``. django-tenants drops a leading ``www.``,
        which sent ``www.city.gov.cn`` (the usual government host) to a 404 and ``www.<site A>``,
        registered to site B, to site A."""
        return request.get_host().split(":")[0].lower()

    def get_tenant(self, domain_model, hostname):
        version = domain_map_version()
        now = time.monotonic()
        fingerprint = sites_fingerprint() if _map_is_due(now) else None
        with _lock:
            if _domain_map["version"] != version:
                _domain_map["version"] = version
                _domain_map["hosts"] = {}
                _domain_map["derived"] = {}
            if fingerprint is not None:
                if fingerprint != _domain_map["fingerprint"]:
                    _domain_map["fingerprint"] = fingerprint
                    _domain_map["hosts"] = {}
                    _domain_map["derived"] = {}
                _domain_map["checked"] = now
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
        try:
            return self.choose_site(request)
        except Http404 as error:
            if not themed_error_pages(request):
                raise
            from .views import not_found

            return not_found(request, error)

    def choose_site(self, request):
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


class LogoutConfirmationMiddleware:
    """Only a POST reaches Wagtail's logout view.

    That view clears the session cookie whatever the method, even when it answers 405 to a GET
    and logs nobody out; the session stayed valid on every other host. A GET (or HEAD) gets a
    page with the logout button instead, and any other method a 405 that touches nothing.
    """

    LOGOUT_URL_NAME = "wagtailadmin_logout"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.url_name != self.LOGOUT_URL_NAME or request.method == "POST":
            return None
        if request.method in ("GET", "HEAD"):
            from .views import logout_confirmation

            return logout_confirmation(request)
        return HttpResponseNotAllowed(["GET", "POST"])


class SitePasswordPassesMiddleware:
    """Passwords entered for restricted pages and collections count on their own site only.

    Wagtail remembers an unlocked restriction as its id in the session. Sessions are shared by every
    host of the cluster, and every site numbers its restrictions from 1: jtj's restriction 3,
    unlocked with jtj's password, would open jyj's restriction 3. So between requests the session
    keeps the passes per schema (``SESSION_KEY``), and during a request Wagtail's own keys hold this
    site's passes only; whatever Wagtail adds is filed under this site afterwards. Placed after the
    session middleware; the page cache never sees these requests (they carry a session cookie).
    """

    SESSION_KEY = "cms_passed_restrictions"

    def __init__(self, get_response):
        from wagtail.models import CollectionViewRestriction, PageViewRestriction

        self.get_response = get_response
        self.keys = (
            PageViewRestriction.passed_view_restrictions_session_key,
            CollectionViewRestriction.passed_view_restrictions_session_key,
        )

    def __call__(self, request):
        session = getattr(request, "session", None)
        schema = connection.schema_name
        if session is None or schema == settings.PUBLIC_SCHEMA_NAME:
            return self.get_response(request)
        # Without a session cookie there is nothing to load, and reading the session would add
        # "Vary: Cookie" to every anonymous page (the page cache stores none of those).
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        before = session.get(self.SESSION_KEY, {}).get(schema, {}) if has_session else {}
        for key in self.keys if has_session else ():  # unfiled passes (an older release) are dropped
            if before.get(key):
                session[key] = list(before[key])
            elif key in session:
                session.pop(key)
        try:
            return self.get_response(request)
        finally:
            if has_session or session.modified:  # a first password makes the session
                self._file(session, schema, before)

    def _file(self, session, schema, before):
        """Move the passes Wagtail holds now into this site's part of the store."""
        mine = {key: list(session[key]) for key in self.keys if session.get(key)}
        for key in self.keys:
            if key in session:
                session.pop(key)
        if mine != before:  # a password entered here (or the session ended): file it
            store = dict(session.get(self.SESSION_KEY, {}))
            if mine:
                store[schema] = mine
            else:
                store.pop(schema, None)
            if store or self.SESSION_KEY in session:  # a flushed session (logout) stays empty
                session[self.SESSION_KEY] = store
