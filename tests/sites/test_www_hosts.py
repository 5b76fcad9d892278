"""Hosts are matched exactly as stored: ``www.`` is part of a host, not noise.

Government sites are usually ``www.<something>.gov.cn``; the router used to drop a leading
``www.`` before the look-up, so such a site answered 404, and a ``www.<site A>`` host registered to
site B served site A.
"""

import pytest

from sites.models import Domain
from tests.front import Front

pytestmark = pytest.mark.django_db


def test_a_www_host_reaches_the_site_it_is_registered_to(cluster, client):
    jtj, portal = cluster.sites["jtj"], cluster.sites["portal"]
    Domain.objects.create(domain="www.jtjalias.localhost", tenant=jtj, is_primary=False)
    Domain.objects.create(domain=f"www.{portal.get_primary_domain().domain}", tenant=jtj, is_primary=False)
    response = client.get("/", HTTP_HOST="www.jtjalias.localhost")
    assert response.status_code == 200 and jtj.name in response.content.decode()
    response = client.get("/", HTTP_HOST=f"www.{portal.get_primary_domain().domain}")
    assert response.status_code == 200
    assert jtj.name in response.content.decode() and portal.name not in response.content.decode()[:2000]
    # Positive control: the bare host stays the portal's; an unregistered www. host is unknown.
    assert portal.name in client.get("/", HTTP_HOST=portal.get_primary_domain().domain).content.decode()
    assert client.get("/", HTTP_HOST="www.jyj.localhost").status_code == 404


def test_the_page_cache_front_does_not_answer_a_www_host_with_the_bare_hosts_site(cluster):
    front = Front()
    jyj = cluster.sites["jyj"]
    for _ in range(2):  # the second answer comes from the front, before Django
        status, _headers, body = front.get("jyj.localhost")
        assert status == 200 and jyj.name in body
    status, _headers, body = front.get("www.jyj.localhost")
    assert status == 404 and jyj.name not in body
