"""What management commands that walk the cluster's sites share."""

from django.core.management.base import CommandError

from .models import Tenant


def sites_for_option(code, sites=None):
    """The sites a command works on: all of ``sites`` (default: every site), or the one ``--site CODE`` names.

    An unknown code is a ``CommandError`` naming it, before any work starts.
    """
    sites = Tenant.objects.sites() if sites is None else sites
    if code:
        sites = sites.filter(code=code)
        if not sites.exists():
            raise CommandError(f"站点“{code}”不存在或未开放。")
    return sites
