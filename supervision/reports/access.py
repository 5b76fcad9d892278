"""Whose figures and annual reports a user sees on the current site's admin (发稿量统计, 年度报表).

- The cluster's web office: every site.
- A city's web office (``sites.scope``) on a site of its subtree: that subtree (its portal and
  every site below); on any other site's admin, nothing more than its own roles there give.
- A site admin: the site whose admin they are using.
- Everybody else: nothing (403).

A site outside what the user sees answers 403 to a site admin (as it always has) and 404 to a
city's web office, who is not told which other sites exist.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sites.access import current_site, has_site_role, is_web_office
from sites.models import Role, Tenant
from sites.scope import bound_portals, managed_sites, oversees_here


def spans_sites(user):
    """True when the current site's admin shows ``user`` several sites (the site filter, "全部站点")."""
    return oversees_here(user, current_site())


def can_see_reports(user):
    return spans_sites(user) or has_site_role(user, Role.SITE_ADMIN)


def visible_sites(user):
    """The sites ``user`` may see the figures and reports of (on the current site's admin)."""
    if is_web_office(user):
        return Tenant.objects.sites().order_by("id")
    if spans_sites(user):
        return managed_sites(user).order_by("id")
    if has_site_role(user, Role.SITE_ADMIN):
        site = current_site()
        return Tenant.objects.filter(pk=site.pk) if site else Tenant.objects.none()
    raise PermissionDenied


def report_site(user, code):
    """The site ``code`` (the current site when empty) among ``visible_sites``; else 403 or 404."""
    sites = visible_sites(user)
    if not code:
        site = current_site()
        code = site.code if site else ""
    tenant = sites.filter(code=code).first()
    if tenant is None:
        if not spans_sites(user) and Tenant.objects.filter(code=code).exists():
            raise PermissionDenied
        raise Http404
    return tenant


def export_scope(user, chosen):
    """The scope part of an export's file name: the one site's code, ``all`` for the whole cluster,
    the city portal's code and ``-xiaji`` (本级及下级) for a city's subtree."""
    if len(chosen) == 1:
        return chosen[0].code
    if is_web_office(user):
        return "all"
    portals = "-".join(bound_portals(user).order_by("code").values_list("code", flat=True))
    return f"{portals or 'sites'}-xiaji"
