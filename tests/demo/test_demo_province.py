"""The demo's three levels: a province portal above 江城市 and a second city, each city with its own
web office; re-seeding an older demo puts 江城市 under the province; a county item travels up."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from demo import syndication as demo_syndication
from demo.cluster import CITY_WEB_OFFICES, DEMO_ARTICLES, DEMO_SITES, creation_order, place_sites
from demo.content import DEMO_THEMES, SITE_PROFILES
from publishing.syndication.models import Submission, SubmissionStatus
from sites.models import SiteKind, Tenant
from sites.provisioning import SiteSpec
from sites.scope import grant_portal_web_office, managed_sites
from tests.cms import content
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SPECS = {spec.code: spec for spec in DEMO_SITES}


def test_the_demo_has_three_levels_and_keeps_the_first_citys_codes_and_hosts():
    # The first city's codes and hosts stay (README, docs and many tests name them) ...
    assert {"portal", "jtj", "jyj", "wsjkw", "qhx"} <= set(SPECS)
    assert SPECS["portal"].domain == "portal.localhost" and SPECS["portal"].aliases == ["localhost"]
    assert all(SPECS[code].parent == "portal" for code in ("jtj", "jyj", "wsjkw", "qhx"))
    # ... under a province portal with a department of its own and a second city.
    assert SPECS["portal"].parent == "province" and SPECS["province"].parent is None
    assert SPECS["province"].kind == SiteKind.PORTAL
    below_province = {spec.code: spec.kind for spec in DEMO_SITES if spec.parent == "province"}
    assert below_province == {"portal": "portal", "fgw": "department", "hcs": "portal"}
    below_second_city = sorted(spec.kind for spec in DEMO_SITES if spec.parent == "hcs")
    assert below_second_city == ["county", "department"]
    # Parents are created before their children, whatever the list's order.
    order = [spec.code for spec in creation_order(DEMO_SITES)]
    assert all(order.index(SPECS[code].parent) < order.index(code) for code in order if SPECS[code].parent)
    # Every site has its content, theme and news, and footer numbers of its own.
    for code in SPECS:
        assert code in SITE_PROFILES and code in DEMO_THEMES and DEMO_ARTICLES.get(code), code
    for field in ("site_identifier", "org_code", "icp_number"):
        values = [spec.details[field] for spec in DEMO_SITES]
        assert len(set(values)) == len(values), field
    # Each city portal has its own web office account.
    assert {code for _username, _name, code in CITY_WEB_OFFICES} == {"portal", "hcs"}


def test_reseeding_an_older_demo_reparents_its_portal_once(cluster):
    """A demo made before the province: the city portal at the top. ``place_sites`` moves it under
    the province by the web office's own rule, and does nothing the second time."""
    Tenant.objects.filter(code="jtj").update(kind=SiteKind.PORTAL, parent=None)
    specs = [
        SiteSpec(code="portal", name="", kind="portal", parent="jtj"),
        SiteSpec(code="jyj", name="", parent="portal"),
    ]
    steps = []
    place_sites(specs, steps.append)
    assert Tenant.objects.get(code="portal").parent.code == "jtj"
    assert Tenant.objects.get(code="jyj").parent.code == "portal"
    assert len(steps) == 1
    place_sites(specs, steps.append)
    assert len(steps) == 1
    # A cycle is refused, not written.
    with pytest.raises(Exception, match="上级站点不能是本站"):
        place_sites([SiteSpec(code="jtj", name="", kind="portal", parent="jyj")], steps.append)
    assert Tenant.objects.get(code="jtj").parent_id is None


@pytest.fixture
def three_levels(cluster):
    """In this test's transaction: portal is the province, jtj a city below it, jyj a county of jtj."""
    Tenant.objects.filter(code="jtj").update(kind=SiteKind.PORTAL, parent=cluster.sites["portal"])
    Tenant.objects.filter(code="jyj").update(kind=SiteKind.COUNTY, parent=cluster.sites["jtj"])
    for code in ("jtj", "jyj"):
        cluster.sites[code].refresh_from_db()
    connection.set_tenant(cluster.sites["jtj"])
    city_column = content.column("gzdt")
    type(city_column).objects.filter(pk=city_column.pk).update(accepts_submissions=True)
    connection.set_tenant(cluster.sites["jyj"])
    page = content.article(content.column("gzdt"), title="县里的三级报送演示信息")
    connection.set_schema_to_public()
    cache.clear()
    yield page
    cache.clear()


def test_the_demo_sends_a_county_item_up_to_the_province(cluster, client, three_levels):
    seed = dict(county="jyj", city="jtj", province="portal", title=three_levels.title)
    steps = []
    demo_syndication.seed(steps.append, **seed)
    made = Submission.objects.filter(source_tenant__code="jyj", page_id=three_levels.pk)
    assert set(made.values_list("target_tenant__code", "status")) == {
        ("jtj", SubmissionStatus.ADOPTED),
        ("portal", SubmissionStatus.ADOPTED),
    }
    # The province's offer came from the city's editor, on the city's behalf.
    assert made.get(target_tenant__code="portal").offered_by == cluster.user("jtj", "editor")
    html = client.get("/zwdt/yw/", HTTP_HOST="portal.localhost").content.decode()
    assert three_levels.title in html and "jyj.localhost" in html
    demo_syndication.seed(steps.append, **seed)
    assert made.count() == 2 and len(steps) == 2


def test_cluster_info_lists_the_city_web_offices_and_the_tree(cluster):
    out = StringIO()
    call_command("cluster_info", stdout=out)
    text = out.getvalue()
    for username, _name, _code in CITY_WEB_OFFICES:
        assert username in text
    assert "本级网站办" in text
    # jtj is printed below its portal, indented.
    assert "\n    测试市交通运输局" in text and "\n  测试市人民政府" in text


def test_a_city_web_office_of_the_demo_manages_its_city_only(cluster):
    Tenant.objects.filter(code="jtj").update(kind=SiteKind.PORTAL, parent=cluster.sites["portal"])
    office = UserFactory(username="demo_city_office")
    grant_portal_web_office(office, Tenant.objects.get(code="jtj"))
    assert set(managed_sites(office).values_list("code", flat=True)) == {"jtj"}


def test_demo_accounts_share_one_hash_and_keep_the_password_policys_records(cluster, monkeypatch, settings):
    """``seed_users`` hashes the published password once; each account still signs in with it and
    gets the password history and first-change state that ``set_password`` gives."""
    from django.contrib.auth import authenticate

    from demo import cluster as demo_cluster
    from sites.policy.models import PasswordHistory, PasswordState

    monkeypatch.setattr(
        demo_cluster,
        "DEMO_USERS",
        [("demo_a_editor", "甲", [("jtj", "editor")]), ("demo_b_editor", "乙", [("jyj", "editor")])],
    )
    monkeypatch.setattr(demo_cluster, "CITY_WEB_OFFICES", [("demo_city_office", "丙", "jtj")])
    Tenant.objects.filter(code="jtj").update(kind=SiteKind.PORTAL, parent=cluster.sites["portal"])
    demo_cluster.seed_users(step=lambda text: None)
    demo_cluster.seed_users(step=lambda text: None)  # idempotent
    names = ["demo_a_editor", "demo_b_editor", "demo_city_office"]
    for username in names:
        user = authenticate(username=username, password=settings.CMS_DEMO_PASSWORD)
        assert user is not None, username
        assert PasswordState.objects.filter(user=user).exists()
        assert PasswordHistory.objects.filter(user=user).count() == 1
    office = get_user_model().objects.get(username="demo_city_office")
    assert set(managed_sites(office).values_list("code", flat=True)) == {"jtj"}
