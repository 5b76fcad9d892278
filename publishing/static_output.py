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
from django_tenants.utils import schema_context

from . import pagecache
from .catalogue.engines import OutboxEngine

MANIFEST = ".manifest.json"


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
        with pagecache.bypass():
            response = self.client.get(url)
        return response.content if response.status_code == 200 else None

    def write_page(self, page):
        written = []
        for url, relative in _files_for(page):
            content = self.render(url)
            if content is not None:
                _write_atomic(self.root / relative.lstrip("/"), content)
                written.append(relative)
        self.manifest[str(page.pk)] = written
        return written

    def remove_page(self, page_id):
        for relative in self.manifest.pop(str(page_id), []):
            target = self.root / relative.lstrip("/")
            if target.exists():
                target.unlink()
        return True

    def live_pages(self):
        from wagtail.models import Page

        return Page.objects.live().filter(depth__gte=2).specific().order_by("path")


def export_site(tenant, progress=None):
    """Write every live page of a site and remove the files of pages that are no longer live."""
    output = SiteOutput(tenant)
    with schema_context(tenant.schema_name):
        pages = list(output.live_pages())
        live_ids = {str(page.pk) for page in pages}
        for page_id in [key for key in output.manifest if key not in live_ids]:
            output.remove_page(page_id)
        for page in pages:
            output.write_page(page)
            if progress:
                progress()
    output.save_manifest()
    return len(pages)


def refresh_item(tenant, page_id):
    """One item changed: rewrite it (or remove it) and the lists that show it (its columns, home)."""
    from wagtail.models import Page

    output = SiteOutput(tenant)
    with schema_context(tenant.schema_name):
        page = Page.objects.filter(pk=page_id).live().specific().first()
        if page is not None:
            output.write_page(page)
            listings = Page.objects.ancestor_of(page).live().filter(depth__gte=2).specific()
        else:
            output.remove_page(page_id)
            # The item is gone: its columns are unknown now, so every list page is rewritten.
            listings = Page.objects.live().filter(depth__gte=2).specific()
            listings = [p for p in listings if p.depth == 2 or hasattr(p, "column_class")]
        for listing in listings:
            output.write_page(listing)
    output.save_manifest()


class StaticOutputEngine(OutboxEngine):
    """Fed from the outbox: every publish, unpublish, move and delete updates the site's files."""

    def apply(self, event, entry):
        from sites.models import Tenant

        tenant = Tenant.objects.filter(code=event.tenant_code).first()
        if tenant is not None:
            refresh_item(tenant, event.page_id)
