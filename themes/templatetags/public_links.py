"""Links and machine-readable values on public pages (a builtin library: no ``{% load %}`` needed).

- ``{{ value|html_datetime }}``: a ``<time datetime>`` value HTML accepts (``2026-12-01T09:30+08:00``,
  Asia/Shanghai); Django's ``date:'c'`` writes six-digit fractions of a second, which the Nu HTML
  Checker rejects.
- ``{% public_url entry %}``: a catalogue row's page on its site's current host, scheme and port.
- ``{% site_url site "/path/" %}``: a path on a site of the cluster, absolute.
- ``{% canonical_url page as canonical %}``: the page's canonical address.
- ``{% cluster_navigation site as groups %}``: the footer's 网站群导航.
- ``{% cluster_hosts %}``: the cluster's hosts, space-separated, for the leaving-the-site notice.
"""

import datetime

from django import template
from django.utils import timezone

from sites.hosts import cluster_hosts as all_cluster_hosts
from sites.hosts import directory, relocate
from sites.hosts import site_url as absolute_site_url

register = template.Library()


@register.filter
def html_datetime(value):
    """A valid HTML global date and time (minutes, the Asia/Shanghai offset), or "" for no value."""
    if not isinstance(value, datetime.datetime):
        return value.isoformat() if isinstance(value, datetime.date) else ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
        offset = value.strftime("%z")
        return value.strftime("%Y-%m-%dT%H:%M") + f"{offset[:3]}:{offset[3:]}"
    return value.strftime("%Y-%m-%dT%H:%M")


@register.simple_tag(takes_context=True)
def public_url(context, target, site=None):
    """A stored URL of a page of ``site`` for this reader: ``{% public_url entry %}`` for a catalogue
    row (``url`` and ``tenant_id``), ``{% public_url submission.url submission.source_tenant_id %}``."""
    url = target if isinstance(target, str) else target.url
    return relocate(url, target.tenant_id if site is None else site, context.get("request"))


@register.simple_tag(takes_context=True)
def site_url(context, site, path="/"):
    return absolute_site_url(site, path, context.get("request"))


@register.simple_tag(takes_context=True)
def canonical_url(context, page):
    """``<link rel="canonical">`` of a page (``absolute_url``: primary host, the reader's port), or ""."""
    absolute = getattr(page, "absolute_url", None)
    return absolute(context.get("request")) if callable(absolute) else ""


@register.simple_tag
def cluster_navigation(site):
    """The footer's 网站群导航: a portal's 部门网站 and 县区网站 (its own child sites, by kind); any
    other site links to the site above it."""
    if site is None or not getattr(site, "pk", None):
        return []
    if site.kind == "portal":
        return [group for group in directory(parent=site) if group["key"] != "portal"]
    parent = getattr(site, "parent", None)
    if parent is None or parent.status != "active":
        return []
    return [{"key": "parent", "label": "上级网站", "sites": [{"id": parent.pk, "name": parent.name}]}]


@register.simple_tag
def cluster_hosts():
    return " ".join(sorted(all_cluster_hosts()))
