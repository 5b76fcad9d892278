import pytest
from django.db import connection


@pytest.fixture
def in_site(cluster):
    """Switch the connection to a site's schema (the real tenant, so org_code and names are there)."""

    def enter(code):
        connection.set_tenant(cluster.sites[code])
        return cluster.sites[code]

    return enter
