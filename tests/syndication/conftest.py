import pytest
from django.core.cache import cache
from django.db import connection

from tests.cms import content


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Pages cached by an earlier test show content its rolled-back transaction made."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def in_site(cluster):
    def enter(code):
        connection.set_tenant(cluster.sites[code])
        return cluster.sites[code]

    return enter


@pytest.fixture
def publish_in(in_site):
    """Publish an article in a site's column and come back to the public schema: (page id, title)."""

    def publish(code, title, column="gzdt", **fields):
        in_site(code)
        page = content.article(content.column(column), title=title, **fields)
        connection.set_schema_to_public()
        return page.pk

    return publish


def get(client, code, path, **extra):
    return client.get(path, HTTP_HOST=f"{code}.localhost", **extra)
