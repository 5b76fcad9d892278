"""The one visibility rule: what the public may read.

A page is *listed* when it is live and no view restriction (login, group or password) sits on it or
on any of its ancestors. Every output the public sees obeys this rule and nothing else: column
lists, RSS feeds, home blocks, navigation, the catalogue (and so cross-site search, portal
aggregation and supervision), static output and the page cache. A restricted page is still
served to the people its restriction admits, but it is never *listed* anywhere: its title, URL
and text would leak through a list even while the page itself asks for a login.

Call sites write ``SomePage.objects.listed()`` (our page models) or ``listed(Page.objects)``
(Wagtail's base page manager, which we cannot give a method).
"""

from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet


def private_sections():
    """The current site's restricted sections as one filter, for a pass that lists many times
    (supervision reads a whole site's tree): ``listed(queryset, private=...)`` then applies the
    same rule without reading the restrictions again for each list."""
    return Page.objects.all().private_q()


def listed(queryset, private=None):
    """Only pages the public may read: live and without a view restriction here or above.

    ``private``: what ``private_sections()`` gave earlier in the same pass over the site."""
    if not isinstance(queryset, PageQuerySet):
        queryset = queryset.all()
    if private is None:
        return queryset.live().public()
    return queryset.live().exclude(private)


def is_listed(page):
    """The rule for one page: Wagtail's own look-up of the restrictions on it and its ancestors
    (an alias counts its source's)."""
    return page.live and not page.get_view_restrictions().exists()


class SitePageQuerySet(PageQuerySet):
    def listed(self):
        return listed(self)


class SitePageManager(PageManager.from_queryset(SitePageQuerySet)):
    pass
