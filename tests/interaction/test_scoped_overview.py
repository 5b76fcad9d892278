"""A city's web office reads the 互动交流 overviews (lists, exports, statistics) of its own subtree,
masked, and never another city's: not by the site filter, a forged ``?site=``, an export URL, nor
by opening another city's admin. Each refusal has its positive control."""

import pytest
from django.test import Client

from interaction import services
from sites.models import SiteKind, Tenant
from sites.scope import grant_portal_web_office
from tests.factories import UserFactory
from tests.refusals import is_refused

from .conftest import message_data

pytestmark = pytest.mark.django_db

BASE = "/admin/interaction"


@pytest.fixture
def province(cluster):
    """portal is the province; jtj and jyj two cities below it; jtj's web office bound to jtj."""
    Tenant.objects.filter(code__in=["jtj", "jyj"]).update(kind=SiteKind.PORTAL, parent=cluster.sites["portal"])
    for code in ("jtj", "jyj"):
        cluster.sites[code].refresh_from_db()
    office = UserFactory(username="jtj_city_office")
    grant_portal_web_office(office, cluster.sites["jtj"])
    for code in ("portal", "jtj", "jyj"):
        services.submit_message(cluster.sites[code], message_data(subject=f"{code}城市的留言标题"))
        services.submit_application(
            cluster.sites[code],
            {
                "applicant_type": "citizen",
                "name": "张三",
                "id_number": "11010519491231002X",
                "phone": "13812345678",
                "description": f"请公开{code}城市的政府信息内容。",
                "provision_form": "electronic",
                "delivery": "pickup",
            },
        )
    return office


def as_user(user, code):
    client = Client(HTTP_HOST=f"{code}.localhost")
    client.force_login(user)
    return client


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode("utf-8-sig")


def test_a_city_web_office_lists_its_subtree_only(cluster, province):
    client = as_user(province, "jtj")
    # The menu leads there; not for the city's editor, who has no desk.
    assert f"{BASE}/messages/" in text(client.get("/admin/"))
    assert f"{BASE}/messages/" not in text(as_user(cluster.user("jtj", "editor"), "jtj").get("/admin/"))
    listing = text(client.get(f"{BASE}/messages/"))
    assert "jtj城市的留言标题" in listing
    assert "jyj城市的留言标题" not in listing and "portal城市的留言标题" not in listing
    # The site filter offers its own sites only.
    assert f'value="{cluster.sites["jtj"].pk}"' in listing
    assert f'value="{cluster.sites["jyj"].pk}"' not in listing
    assert f'value="{cluster.sites["portal"].pk}"' not in listing
    # Personal data stays masked on the list.
    assert "13812345678" not in listing and "张三" not in listing
    applications = text(client.get(f"{BASE}/applications/"))
    assert "请公开jtj城市" in applications and "请公开jyj城市" not in applications
    # Positive control: the province's web office sees every city on the same screen.
    everything = text(as_user(cluster.user(None, "web_office"), "jtj").get(f"{BASE}/messages/"))
    assert "jyj城市的留言标题" in everything and "portal城市的留言标题" in everything


def test_a_forged_site_filter_or_export_shows_nothing_of_another_city(cluster, province):
    client = as_user(province, "jtj")
    other = cluster.sites["jyj"].pk
    for path in (
        f"{BASE}/messages/?site={other}",
        f"{BASE}/messages/export.csv?site={other}",
        f"{BASE}/applications/?site={other}",
        f"{BASE}/applications/export.csv?site={other}",
    ):
        body = text(client.get(path))
        assert "jyj城市" not in body, path
    own = text(client.get(f"{BASE}/messages/export.csv?site={cluster.sites['jtj'].pk}"))
    assert "jtj城市的留言标题" in own and "13812345678" not in own
    # Statistics: another city's figures are refused by the form; its own are counted.
    stats = text(client.get(f"{BASE}/statistics/?start=2020-01-01&end=2035-12-31&site={other}"))
    assert cluster.sites["jyj"].name not in stats and cluster.sites["portal"].name not in stats
    assert cluster.sites["jtj"].name in stats
    province_office = as_user(cluster.user(None, "web_office"), "jtj")
    assert cluster.sites["jyj"].name in text(province_office.get(f"{BASE}/statistics/"))
    export = client.get(f"{BASE}/statistics/export.csv?start=2020-01-01&end=2035-12-31&site={other}")
    assert export.status_code == 200 and "ysqgk-jyj" not in export["Content-Disposition"]
    own_export = client.get(
        f"{BASE}/statistics/export.csv?start=2020-01-01&end=2035-12-31&site={cluster.sites['jtj'].pk}"
    )
    assert "ysqgk-jtj" in own_export["Content-Disposition"]


def test_another_citys_admin_and_the_records_stay_closed(cluster, province):
    # On another city's (or the province's) admin the overviews are refused outright.
    for code in ("jyj", "portal"):
        client = as_user(province, code)
        for path in ("messages/", "messages/export.csv", "applications/", "statistics/"):
            response = client.get(f"{BASE}/{path}")
            assert is_refused(response, f"{code}.localhost"), (code, path)
            assert "城市的留言标题" not in response.content.decode("utf-8-sig"), (code, path)
    # Within its subtree it reads the overview, but opens no record (personal data) and handles nothing.
    client = as_user(province, "jtj")
    message = services.submit_message(cluster.sites["jtj"], message_data(subject="办理测试"))
    assert is_refused(client.get(f"{BASE}/messages/{message.pk}/"), "jtj.localhost")
    client.post(f"{BASE}/messages/{message.pk}/do/start/")
    message.refresh_from_db()
    assert message.status == "received"
    # Positive control: jtj's own handler opens it.
    assert as_user(cluster.user("jtj", "handler"), "jtj").get(f"{BASE}/messages/{message.pk}/").status_code == 200
