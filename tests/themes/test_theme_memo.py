"""Each process remembers each site's theme until a theme change moves the purge counter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from serving import pagecache
from themes.models import SiteTheme, Theme

pytestmark = pytest.mark.django_db


def theme_queries(client, host):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries if "themes_" in q["sql"]]


def test_the_theme_is_looked_up_once_per_site_and_again_after_a_change(client, cluster, settings):
    settings.CMS_PAGE_CACHE_SECONDS = 0
    assert theme_queries(client, "jtj.localhost")[1]
    assert theme_queries(client, "jtj.localhost")[1] == []  # remembered
    assert theme_queries(client, "jyj.localhost")[1]  # per site, never another site's
    red = Theme.objects.get(slug="red")
    SiteTheme.objects.update_or_create(tenant=cluster.sites["jtj"], defaults={"theme": red})
    response, queries = theme_queries(client, "jtj.localhost")
    assert queries and "theme-red" in response.content.decode()
    assert "theme-red" not in theme_queries(client, "jyj.localhost")[0].content.decode()


def test_a_change_elsewhere_shows_once_the_purge_counter_is_reread(client, cluster, settings):
    settings.CMS_PAGE_CACHE_SECONDS = 0
    settings.CMS_PAGE_CACHE_RECHECK = 60
    theme_queries(client, "jtj.localhost")
    pagecache.bump_shared("jtj")  # another process changed something on the site
    assert theme_queries(client, "jtj.localhost")[1] == []  # not reread yet (bounded by the interval)
    settings.CMS_PAGE_CACHE_RECHECK = 0
    assert theme_queries(client, "jtj.localhost")[1]
