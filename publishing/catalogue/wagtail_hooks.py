"""The catalogue's figures for the web office's cluster home (``sites/console/cluster.py``)."""

from django.db.models import Count, Max, Q
from wagtail import hooks

from .models import CatalogueEntry


@hooks.register("sites_cluster_figures")
def catalogue_figures(tenant_ids, month_start):
    """Each site's newest publish time and its items first published this month, in one grouped query.

    The catalogue holds one row per live item of every site (public schema); grouping by site reads
    the ``catalogue_site_newest`` index (tenant, -published_at).
    """
    rows = (
        CatalogueEntry.objects.filter(tenant_id__in=tenant_ids)
        .values("tenant_id")
        .annotate(last=Max("published_at"), month=Count("id", filter=Q(published_at__gte=month_start)))
        .order_by()
    )
    last, month = {}, {}
    for row in rows:
        last[row["tenant_id"]] = row["last"]
        month[row["tenant_id"]] = row["month"]
    return {"last_update": last, "items_this_month": month}
