"""Portal aggregation without copying: a column lists other sites' items from the catalogue.

A portal's 部门动态 is the latest news of every department site, its 县区动态 that of the county and
district portals, and any column that accepts 信息报送 also lists the items it adopted. Nothing is
copied: rows come from the catalogue (written in each site's publish transaction) and link to the
originals on their own hosts, so an unpublished original disappears from the portal at once.
"""

from __future__ import annotations

from heapq import merge

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cms.models.columns import AggregateSource
from cms.models.disclosure import preload_validity
from publishing.catalogue.models import CatalogueEntry
from sites.models import SiteKind, Tenant

from .models import Submission, SubmissionStatus
from .validity import validity_label

# Catalogue types a portal aggregates into its columns (of the column_item types, those of cms).
ITEM_TYPES = ("article", "disclosure")


def source_kinds(source):
    """The kinds of child site a column's ``aggregate_from`` (cms AggregateSource) takes; None: all.

    Three levels: a portal's children are its departments and its counties/districts, and a
    province portal's children are its own departments and the city portals. So a province's
    县区动态 (市县动态) lists the cities' own news; a county's item reaches the province only when
    the city adopted it and offered it on (信息报送 on up, services.offer ``via``), never by
    aggregation alone: each level's editors choose what goes up.
    """
    return {
        AggregateSource.DEPARTMENTS: [SiteKind.DEPARTMENT],
        AggregateSource.COUNTIES: [SiteKind.COUNTY, SiteKind.DISTRICT, SiteKind.PORTAL],
        AggregateSource.CHILDREN: None,
    }.get(source, [])


def source_sites(tenant, source):
    """Serving sites whose parent is ``tenant`` and whose kind matches ``source``."""
    kinds = source_kinds(source)
    if tenant is None or kinds == []:
        return Tenant.objects.none()
    sites = Tenant.objects.serving().filter(parent=tenant)
    return sites if kinds is None else sites.filter(kind__in=kinds)


def remote_entries(column, tenant):
    """Catalogue rows of other sites that ``column`` (a ColumnPage of ``tenant``) lists, newest first.

    Like ``ColumnPage.items()``, which takes the items of every column below, a column lists what
    its descendant columns aggregate or adopted: 政务动态 shows the departments' news of 部门动态.
    """
    columns = list(
        type(column)
        .objects.descendant_of(column, inclusive=True)
        .live()
        .values_list("pk", "aggregate_from", "aggregate_column_class")
    )
    adopted = Submission.objects.filter(
        target_tenant=tenant,
        target_column_id__in=[pk for pk, _source, _class in columns],
        status=SubmissionStatus.ADOPTED,
        source_tenant=OuterRef("tenant"),
        page_id=OuterRef("page_id"),
    )
    wanted = Q(Exists(adopted))
    for _pk, source, column_class in columns:
        if source:
            aggregated = Q(tenant__in=source_sites(tenant, source), content_type__in=ITEM_TYPES)
            if column_class:
                aggregated &= Q(column_class=column_class)
            wanted |= aggregated
    return CatalogueEntry.objects.live().filter(wanted).exclude(tenant=tenant).select_related("tenant").newest_first()


class CatalogueItem:
    """A catalogue row dressed as a list item: the attributes the list templates read."""

    is_remote = True
    cover_image = None

    def __init__(self, entry):
        self.entry = entry
        self.title = entry.title
        self.url = entry.url
        self.summary = entry.summary
        self.first_published_at = entry.published_at
        self.index_number = entry.index_number
        self.document_number = entry.document_number
        self.source_site = entry.tenant.short_name or entry.tenant.name
        self.current_validity = entry.validity

    def absolute_url(self, request=None):
        """The original on its own site's host, scheme and port (as ``SitePage.absolute_url``)."""
        return self.entry.public_url(request)

    @property
    def current_validity_label(self):
        return validity_label(self.current_validity)

    @property
    def publish_time(self):
        return timezone.localtime(self.first_published_at).strftime("%Y-%m-%d %H:%M")


def _sort_key(item):
    published = item.first_published_at
    return (published.timestamp() if published else 0.0, getattr(item, "pk", 0) or 0)


class MergedListing:
    """A column's own pages and the catalogue rows it aggregates, newest first, for a Paginator.

    Page *n* needs at most ``n × per page`` rows from each source; both are already sorted, so
    they are merged rather than loaded whole.
    """

    def __init__(self, own_pages, remote_rows):
        self.own_pages = own_pages
        self.remote_rows = remote_rows

    def count(self):
        return self.own_pages.count() + self.remote_rows.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop
            if stop is None:
                stop = self.count()
            own = list(self.own_pages[:stop])
            remote = [CatalogueItem(entry) for entry in self.remote_rows[:stop]]
            items = list(merge(own, remote, key=_sort_key, reverse=True))[start:stop]
            preload_validity([item for item in items if not getattr(item, "is_remote", False)])
            return items
        items = self[index : index + 1]
        if not items:
            raise IndexError(index)
        return items[0]


def column_listing(column, tenant):
    """What ``column`` lists: its own items merged with the other sites' rows it aggregates or adopted
    (``ColumnPage.listing()`` through the ``cms_column_listing`` hook, wagtail_hooks.py).

    Always merged, even for a column that neither aggregates nor accepts offers now: items adopted
    while it did stay listed.
    """
    return MergedListing(column.items(), remote_entries(column, tenant))
