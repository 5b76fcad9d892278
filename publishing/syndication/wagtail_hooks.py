"""信息报送 and 变更有效性 in each site's Wagtail admin: a menu entry, page buttons, the screens."""

from django.db import connection
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from cms.models import extensions
from sites.access import current_site

from . import permissions, validity, views
from .aggregation import column_listing

OFFERABLE = ("cms.ArticlePage", "cms.DisclosureDocumentPage")

urlpatterns = [
    path("", views.index, name="index"),
    path("statistics/", views.statistics, name="statistics"),
    path("offer/<int:page_id>/", views.offer, name="offer"),
    path("<int:pk>/offer-on/", views.offer_on, name="offer_on"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("validity/<int:page_id>/", views.change_validity, name="validity"),
]


# The extension points of the content types (cms.models.extensions): portal aggregation and
# 信息报送 in column listings, and the one store of 有效性 behind every place a document shows.


@hooks.register(extensions.COLUMN_LISTING)
def aggregated_column_listing(column, site):
    return column_listing(column, site)


@hooks.register(extensions.DOCUMENT_VALIDITY)
def stored_document_validity(pages):
    return validity.statuses(pages)


@hooks.register(extensions.SETTLE_DOCUMENT_VALIDITY)
def settle_document_validity(page):
    return validity.settle(current_site(), page)


@hooks.register("register_admin_urls")
def register_urls():
    return [path("syndication/", include((urlpatterns, "syndication"), namespace="syndication"))]


def _site():
    if connection.schema_name == "public":
        return None
    return current_site()


class SiteRoleMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can_view_site(request.user, _site())


@hooks.register("register_admin_menu_item")
def menu_item():
    return SiteRoleMenuItem(_("信息报送"), reverse("syndication:index"), icon_name="resubmit", order=250)


def _may_act(user, site):
    """Asked once per row of an explorer listing: remembered on the request's user object."""
    cache = user.__dict__.setdefault("_syndication_may_act", {})
    if site.pk not in cache:
        cache[site.pk] = permissions.can_offer(user, site)
    return cache[site.pk]


def _page_buttons(page, user):
    site = _site()
    if site is None or not page.live:
        return
    label = page.specific_class._meta.label if page.specific_class else ""
    # The roles that may offer an item are the ones that may change 有效性 (validity.can_change).
    if label not in OFFERABLE or not _may_act(user, site):
        return
    if site.parent_id:
        yield Button(_("报送到门户"), reverse("syndication:offer", args=[page.pk]), icon_name="resubmit", priority=70)
    if label == "cms.DisclosureDocumentPage":
        yield Button(_("变更有效性"), reverse("syndication:validity", args=[page.pk]), icon_name="tick", priority=71)


@hooks.register("register_page_listing_more_buttons")
def page_listing_more_buttons(page, user, next_url=None):
    yield from _page_buttons(page, user)


@hooks.register("register_page_header_buttons")
def page_header_buttons(page, user, view_name, next_url=None):
    yield from _page_buttons(page, user)
