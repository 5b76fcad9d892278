"""CMS_PAGE_CACHE_SECONDS=0 turns the page cache off: no look-up, no entry, no X-Cache header."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_zero_seconds_turns_the_page_cache_off(client, cluster, settings):
    cache.clear()
    settings.CMS_PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        response = client.get("/", HTTP_HOST="jtj.localhost")
        assert response.status_code == 200 and "X-Cache" not in response
    settings.CMS_PAGE_CACHE_SECONDS = 300
    assert client.get("/", HTTP_HOST="jtj.localhost")["X-Cache"] == "MISS"
    assert client.get("/", HTTP_HOST="jtj.localhost")["X-Cache"] == "HIT"
    cache.clear()
