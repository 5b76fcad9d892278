"""The web office's cluster home: every site with its status, host, last update, items this month
and pending reviews, in a constant number of queries however many sites there are.

``sites/`` is the lowest layer and knows nothing of the catalogue: the figures that live above it
are asked for through the Wagtail hook ``sites_cluster_figures``. Each function registered there
is called once with the list of site ids and the start of the month (an aware datetime) and
returns ``{figure_name: {tenant_id: value}}``; ``publishing/catalogue/wagtail_hooks.py`` answers
``last_update`` and ``items_this_month`` from the catalogue in one query.

Pending reviews live in each site's schema (Wagtail's workflow states). One query per schema
would be 300 round trips at 300 sites; instead one statement reads every schema's count
(``UNION ALL`` of one indexed count per schema): one round trip, and the schema names come from
the site rows, which only ever hold validated codes (``validate_site_code``), quoted anyway.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from wagtail import hooks
from wagtail.models import WorkflowState

from ..hosts import public_origin
from ..models import Tenant

FIGURES_HOOK = "sites_cluster_figures"


@dataclass
class SiteRow:
    tenant: Tenant
    host: str
    admin_url: str
    public_url: str
    last_update: datetime.datetime | None
    items_this_month: int
    pending_reviews: int


def month_start(now=None):
    today = timezone.localtime(now).date().replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))


def pending_reviews(tenants):
    """{tenant_id: workflows in progress} for ``tenants``, in one statement."""
    if not tenants:
        return {}
    quote = connection.ops.quote_name
    table = quote(WorkflowState._meta.db_table)
    parts, params = [], []
    for tenant in tenants:
        parts.append(f"SELECT %s, count(*) FROM {quote(tenant.schema_name)}.{table} WHERE status = %s")  # noqa: S608 - quoted names of validated schemas
        params += [tenant.pk, WorkflowState.STATUS_IN_PROGRESS]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return dict(cursor.fetchall())


def admin_url(tenant, request=None):
    """``scheme://host[:port]/admin/`` of the site's admin, on the scheme and port the cluster is
    served on (the request's, else the settings': ``sites.hosts.public_origin``); "" without a host."""
    host = tenant.admin_host
    return f"{public_origin(host, request)}/admin/" if host else ""


def site_rows(request=None, now=None, sites=None):
    """One ``SiteRow`` per site of the cluster (template and public excluded), in site order; ``sites``
    (a Tenant queryset, e.g. ``sites.scope.managed_sites``) narrows the table to those."""
    sites = Tenant.objects.sites() if sites is None else sites
    tenants = list(sites.select_related("parent").prefetch_related("domains").order_by("id"))
    ids = [tenant.pk for tenant in tenants]
    figures = {}
    for answer in hooks.get_hooks(FIGURES_HOOK):
        for name, values in (answer(ids, month_start(now)) or {}).items():
            figures.setdefault(name, {}).update(values)
    pending = pending_reviews(tenants)
    rows = []
    for tenant in tenants:
        public = tenant.primary_domain
        rows.append(
            SiteRow(
                tenant=tenant,
                host=public.domain if public else "",
                admin_url=admin_url(tenant, request),
                public_url=f"{public_origin(public.domain, request)}/" if public else "",
                last_update=figures.get("last_update", {}).get(tenant.pk),
                items_this_month=figures.get("items_this_month", {}).get(tenant.pk, 0),
                pending_reviews=pending.get(tenant.pk, 0),
            )
        )
    return rows
