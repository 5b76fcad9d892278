"""The three levels for a city web office's tests, made from the session's three sites in the test's
transaction (no site is provisioned): ``portal`` is the province, ``jtj`` a city portal below it whose
web office the helpers return, ``jyj`` another city below the province or, with ``county``, a county
of jtj. The same arrangement as tests/interaction/test_scoped_overview.py and
tests/sites/test_scoped_web_office.py.
"""

from django.test import Client

from sites.models import SiteKind, Tenant
from sites.scope import grant_portal_web_office

from .factories import UserFactory

CITY_OFFICE = "jtj_city_office"


def city_tree(cluster, *, county=False):
    """Arrange the tree (see the module) and return jtj's web office (a 网站办 bound to jtj)."""
    portal = cluster.sites["portal"]
    Tenant.objects.filter(code="jtj").update(kind=SiteKind.PORTAL, parent=portal)
    if county:
        Tenant.objects.filter(code="jyj").update(kind=SiteKind.COUNTY, parent=cluster.sites["jtj"])
    else:
        Tenant.objects.filter(code="jyj").update(kind=SiteKind.PORTAL, parent=portal)
    for code in ("jtj", "jyj"):
        cluster.sites[code].refresh_from_db()
    office = UserFactory(username=CITY_OFFICE)
    grant_portal_web_office(office, cluster.sites["jtj"])
    return office


def site_record(code, name, kind, parent):
    """A site's public record without a schema, for rows that name a site (statistics) and never
    for a screen that opens it: another city's subtree where a fourth real site would be needed."""
    return Tenant.objects.create(code=code, schema_name=f"{code}_record_only", name=name, kind=kind, parent=parent)


def as_user(user, code):
    """A client signed in as ``user`` on site ``code``'s admin host."""
    client = Client(HTTP_HOST=f"{code}.localhost")
    client.force_login(user)
    return client


def body(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode("utf-8-sig")
