"""The pages every site has besides its columns, and its themed 404.

- ``/sitemap.xml`` and ``/robots.txt`` for search engines: the sitemap lists what the public may
  read and nothing else (``cms.visibility.listed``: live, no view restriction here or above);
  robots.txt points to it and keeps crawlers out of the admin, sign-on, search and API paths.
- ``/wzdt/`` 网站地图 (the column tree), ``/wzsm/`` 网站声明 (copyright and privacy) and ``/lxwm/``
  联系我们 (from the site's record): the footer of every site links to them (national checks look
  for them). They are routed before Wagtail's pages, so a column with one of these slugs at the
  top level would be hidden: the standard trees use none of them.
- ``not_found``: a 404 in the site's own theme, navigation and search box; on the public host, an
  unknown host or when anything fails, the plain page of ``sites.views.not_found``.
"""

import logging
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.template.response import TemplateResponse
from wagtail.models import Page, Site

from sites import views as site_views
from sites.access import current_site
from sites.hosts import site_url
from sites.middleware import on_admin_host
from sites.models import SiteStatus
from themes.resolver import theme_for_request

from .models import ColumnClass, ColumnPage, TopicPage
from .visibility import listed

logger = logging.getLogger(__name__)

# The sitemap protocol's limit for one file.
SITEMAP_LIMIT = 50_000
# The column tree of 网站地图: first-level columns and three levels below them.
SITE_MAP_DEPTH = 4
# Paths no crawler needs; the admin host is closed to crawlers altogether.
ROBOTS_DISALLOW = ("/admin/", "/sso/", "/search/", "/api/", "/documents/authenticate_with_password/")


def _home(request):
    site = Site.find_for_request(request)
    return site.root_page.specific if site else None


def site_page_context(request, title):
    """What the theme's base template needs on a page that is not a Wagtail page."""
    theme = theme_for_request(request)
    home = _home(request)
    return {
        "theme": theme,
        "base_template": f"themes/{theme.template_set}/base.html",
        "site_home": home,
        "nav_columns": listed(home.get_children()).in_menu() if home else [],
        "nav_active_path": "",
        "breadcrumbs": [],
        "page_title": title,
        "site": current_site(),
    }


def _render(request, template, title, **extra):
    context = {**site_page_context(request, title), **extra}
    return TemplateResponse(request, template, context)


def _public_pages(home):
    return listed(Page.objects).descendant_of(home, inclusive=True)


def sitemap_xml(request):
    """The site's public pages, with their last publish time (sitemaps.org protocol 0.9)."""
    home = _home(request)
    site = current_site()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    if home is not None:
        root_path = home.url_path
        rows = _public_pages(home).order_by("path").values_list("url_path", "last_published_at")[:SITEMAP_LIMIT]
        for url_path, last_published_at in rows:
            location = site_url(site, "/" + url_path[len(root_path) :], request)
            lines.append(f"<url><loc>{escape(location)}</loc>")
            if last_published_at:
                lines.append(f"<lastmod>{last_published_at.date().isoformat()}</lastmod>")
            lines.append("</url>")
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines) + "\n", content_type="application/xml; charset=utf-8")


def robots_txt(request):
    """Crawlers may read the public pages; the admin host is closed to them."""
    lines = ["User-agent: *"]
    if on_admin_host():
        lines.append("Disallow: /")
    else:
        lines.extend(f"Disallow: {path}" for path in ROBOTS_DISALLOW)
        lines.append(f"Sitemap: {site_url(current_site(), '/sitemap.xml', request)}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def column_tree(home):
    """The public columns (and topics) under ``home``, nested: ``[{"page", "children"}]`` in menu order."""
    if home is None:
        return []
    columns = (
        listed(Page.objects)
        .descendant_of(home)
        .type(ColumnPage, TopicPage)
        .filter(depth__lte=home.depth + SITE_MAP_DEPTH)
        .order_by("path")
    )
    roots, by_path = [], {}
    for page in columns:
        node = {"page": page, "children": []}
        parent = by_path.get(page.path[: -Page.steplen])
        if parent is not None:
            parent["children"].append(node)
        elif page.depth == home.depth + 1:
            roots.append(node)
        else:
            # Below a page that is not a column (or not public): not part of the tree.
            continue
        by_path[page.path] = node
    return roots


def site_map(request):
    """网站地图: the column tree of the site."""
    return _render(request, "cms/site_pages/site_map.html", "网站地图", tree=column_tree(_home(request)))


def statement(request):
    """网站声明: copyright, privacy and the links policy of the site."""
    return _render(request, "cms/site_pages/statement.html", "网站声明")


def contact(request):
    """联系我们: the sponsor, organiser, address and phone of the site's record."""
    interaction = ColumnPage.objects.listed().filter(column_class=ColumnClass.INTERACTION).order_by("path").first()
    return _render(request, "cms/site_pages/contact.html", "联系我们", interaction_column=interaction)


def not_found(request, exception=None):
    """A 404 in the site's theme, with its navigation and search box, so a reader can go on."""
    tenant = getattr(connection, "tenant", None)
    schema = getattr(tenant, "schema_name", None)
    if (
        schema in (None, settings.PUBLIC_SCHEMA_NAME)
        or getattr(tenant, "is_template", False)
        or getattr(tenant, "status", SiteStatus.ACTIVE) != SiteStatus.ACTIVE
    ):
        return site_views.not_found(request, exception)
    try:
        context = site_page_context(request, "页面不存在")
        response = TemplateResponse(request, "cms/site_pages/not_found.html", context, status=404)
        response.render()
        return response
    except Exception:  # noqa: BLE001 - a 404 page must not become a 500: the plain one then
        logger.warning("themed 404 failed; the plain page is shown", exc_info=True)
        return site_views.not_found(request, exception)
