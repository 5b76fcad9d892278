"""The demo content: every content type on every site, both themes in use, idempotent."""

import pytest
from django.db import connection

from cms.demo import seed_content
from cms.models import (
    AnnualReportIndexPage,
    ArticlePage,
    DisclosureCatalogPage,
    DisclosureDocumentPage,
    InformationPage,
    LeaderPage,
    ServicePage,
    SiteHomePage,
    TopicPage,
)
from themes.models import SiteTheme

pytestmark = pytest.mark.django_db

CONTENT_TYPES = [
    DisclosureDocumentPage,
    DisclosureCatalogPage,
    AnnualReportIndexPage,
    InformationPage,
    LeaderPage,
    ServicePage,
    TopicPage,
    ArticlePage,
]


def counts(cluster):
    result = {}
    for code, tenant in cluster.sites.items():
        connection.set_tenant(tenant)
        result[code] = {model.__name__: model.objects.live().count() for model in CONTENT_TYPES}
        result[code]["home blocks"] = len(SiteHomePage.objects.get().body)
    connection.set_schema_to_public()
    return result


def test_demo_content_covers_every_type_and_both_themes(cluster, client):
    seed_content(step=lambda text: None)
    first = counts(cluster)
    for code, per_type in first.items():
        assert all(per_type.values()), (code, per_type)
    assert set(SiteTheme.objects.values_list("theme__slug", flat=True)) == {"blue", "red"}
    seed_content(step=lambda text: None)
    assert counts(cluster) == first
    for host in ("portal.localhost", "jtj.localhost", "jyj.localhost"):
        response = client.get("/", HTTP_HOST=host)
        assert response.status_code == 200
        assert "焦点图" in response.content.decode()
    assert "theme-red" in client.get("/", HTTP_HOST="jyj.localhost").content.decode()
