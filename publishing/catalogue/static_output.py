"""Static output (静态化发布; 内网采编、外网发布): every live page written as files, one directory per host.

nginx serves these files with the application down; only dynamic paths (search, API, admin,
sign-on, document downloads) and query strings (pagination) go to gunicorn. ``/static/`` and
``/media/`` are served by nginx straight from their own directories (docker/nginx/cluster.conf).

Each host directory keeps a manifest (page id → file) so an unpublished or deleted page's file can
be removed even when the page itself is gone.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page

from cms.visibility import is_listed, listed
from serving import pagecache
from sites.models import Tenant

from .engines import OutboxEngine
from .models import OutboxEvent

MANIFEST = ".manifest.json"
# robots.txt, sitemap.xml, 网站地图, 网站声明, 联系我们: served as files too, by nginx's try_files.
SITE_PAGES = ("/robots.txt", "/sitemap.xml", "/wzdt/", "/wzsm/", "/lxwm/")


def output_root() -> Path:
    return Path(settings.CMS_STATIC_OUTPUT_DIR)


def host_dir(tenant) -> Path:
    domain = tenant.primary_domain
    if domain is None:
        raise ValueError(f"site {tenant.code} has no primary domain")
    return output_root() / domain.domain


def _files_for(page):
    """Files of one page: its HTML, plus the RSS feed of a column."""
    path = unquote(page.get_url_parts()[2] if page.get_url_parts() else page.url or "/")
    files = [(path, path.rstrip("/") + "/index.html")]
    if hasattr(page, "column_class"):
        files.append((path + "feed/", path.rstrip("/") + "/feed/index.xml"))
    if page.depth == 2:
        # The pages every site has (cms/site_pages.py) go with the home page, which every publish
        # rewrites: the sitemap and the column tree stay as current as the lists.
        files += [(url, url + "index.html" if url.endswith("/") else url) for url in SITE_PAGES]
    return files


def _write_atomic(target: Path, data: bytes):
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


class SiteOutput:
    """Writes one site's pages through the real request path (themes, middleware, templates)."""

    def __init__(self, tenant):
        self.tenant = tenant
        self.root = host_dir(tenant)
        self.client = Client(HTTP_HOST=tenant.primary_domain.domain)
        self.manifest_path = self.root / MANIFEST
        self.manifest = json.loads(self.manifest_path.read_text()) if self.manifest_path.exists() else {}

    def save_manifest(self):
        _write_atomic(self.manifest_path, json.dumps(self.manifest, ensure_ascii=False, sort_keys=True).encode())

    def render(self, url):
        """The page as the public gets it, or None when it must not be a file: not 200, or marked
        private / no-store (a form page carrying one visitor's CSRF token, an open consultation
        whose state moves with the clock): nginx then passes those URLs to the application."""
        with pagecache.bypass():
            response = self.client.get(url)
        if response.status_code != 200:
            return None
        cache_control = response.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control:
            return None
        return response.content

    def _unlink(self, relative):
        target = self.root / relative.lstrip("/")
        if target.is_file():
            target.unlink()

    def write_page(self, page):
        """Write the page's files; a file the public may not read (any answer but 200) is removed.

        The manifest keeps every file this page ever had until it is removed, so a page that turns
        restricted or private leaves nothing behind on disk (nginx would serve it to everyone).
        """
        known = set(self.manifest.get(str(page.pk), []))
        written = []
        for url, relative in _files_for(page):
            content = self.render(url)
            if content is not None:
                _write_atomic(self.root / relative.lstrip("/"), content)
                written.append(relative)
            else:
                self._unlink(relative)
            known.discard(relative)
        for relative in known:  # files of the page's former URL (a move, a new slug)
            self._unlink(relative)
        if written:
            self.manifest[str(page.pk)] = written
        else:
            self.manifest.pop(str(page.pk), None)
        return written

    def remove_page(self, page_id, page=None):
        """Remove a page's files: those in the manifest and, when the page still exists (restricted
        or unpublished), those at its current URL."""
        for relative in self.manifest.pop(str(page_id), []):
            self._unlink(relative)
        if page is not None and page.get_url_parts():  # a page with no route has no files (never "/")
            for _url, relative in _files_for(page):
                self._unlink(relative)
        return True

    def live_pages(self):
        """The pages static output holds: the listed ones (cms.visibility), never restricted ones."""
        return listed(Page.objects).filter(depth__gte=2).specific().order_by("path")

    def hidden_pages(self):
        """Pages that exist but the public may not read (restricted, or not live)."""
        return Page.objects.filter(depth__gte=2).exclude(pk__in=self.live_pages().values("pk")).specific()


def export_site(tenant, progress=None):
    """Write every live page of a site and remove the files of pages that are no longer live."""
    output = SiteOutput(tenant)
    with schema_context(tenant.schema_name):
        pages = list(output.live_pages())
        live_ids = {str(page.pk) for page in pages}
        for page_id in [key for key in output.manifest if key not in live_ids]:
            output.remove_page(page_id)
        for page in output.hidden_pages():
            output.remove_page(page.pk, page)
        for page in pages:
            output.write_page(page)
            if progress:
                progress()
    output.save_manifest()
    return len(pages)


def refresh_item(tenant, page_id):
    """One item changed: rewrite it (or remove it) and the lists that show it (its columns, home)."""
    output = SiteOutput(tenant)
    with schema_context(tenant.schema_name):
        page = Page.objects.filter(pk=page_id).specific().first()
        if page is not None and is_listed(page):
            output.write_page(page)
            listings = output.live_pages().ancestor_of(page)
        else:
            output.remove_page(page_id, page)
            # The item is gone: its columns are unknown now, so every list page is rewritten.
            listings = [p for p in output.live_pages() if p.depth == 2 or hasattr(p, "column_class")]
        for listing in listings:
            output.write_page(listing)
    output.save_manifest()


# Every page of the site looks different (a theme version applied, 哀悼模式): one outbox event
# (page 0) for the static output engine only, which writes the whole site again.
SITE_EXPORT = "restyle"


def enqueue_site_export(tenant):
    """Ask the worker to write every file of ``tenant`` again (its look changed)."""
    if tenant is None or getattr(tenant, "is_template", False):
        return
    path = f"{StaticOutputEngine.__module__}.{StaticOutputEngine.__qualname__}"
    now = timezone.now()
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(engine=name, tenant_code=tenant.code, page_id=0, action=SITE_EXPORT, next_attempt_at=now)
            for name, engine in getattr(settings, "CMS_OUTBOX_ENGINES", {}).items()
            if engine == path
        ]
    )


class StaticOutputEngine(OutboxEngine):
    """Fed from the outbox: every publish, unpublish, move and delete updates the site's files;
    a change of the site's look (``SITE_EXPORT``) writes all of them again."""

    def apply(self, event, entry):
        tenant = Tenant.objects.filter(code=event.tenant_code).first()
        if tenant is None:
            return
        if event.action == SITE_EXPORT:
            export_site(tenant)
        else:
            refresh_item(tenant, event.page_id)
