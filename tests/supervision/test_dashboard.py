"""Who sees the supervision screens: the web office everything, a site admin their own site's page
only, editors nothing; each refusal next to a positive control."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from supervision.checks import services
from supervision.checks.models import DailyResult

pytestmark = pytest.mark.django_db

CLUSTER = "/admin/supervision/cluster/"


def site_url(code):
    return f"/admin/supervision/site/{code}/"


def client_for(cluster, host_code, user):
    client = Client(HTTP_HOST=cluster.host(host_code))
    client.force_login(user)
    return client


@pytest.fixture
def results(cluster):
    for code in ("jtj", "jyj"):
        tenant = cluster.sites[code]
        services.save_result(tenant, timezone.localdate(), services.check(tenant))


def test_the_web_office_sees_the_cluster_and_every_site(cluster, results):
    client = client_for(cluster, "portal", cluster.user(None, "web_office"))
    answer = client.get(CLUSTER)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "测试市交通运输局" in body and "测试市教育局" in body
    assert "<svg" in body and "<script" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "年度考核排名" in body
    for code in ("jtj", "jyj"):
        page = client.get(site_url(code))
        assert page.status_code == 200
        assert "问题清单" in page.content.decode()


def test_a_site_admin_sees_their_own_site_only(cluster, results):
    admin = client_for(cluster, "jtj", cluster.user("jtj", "site_admin"))
    own = admin.get(site_url("jtj"))
    assert own.status_code == 200
    body = own.content.decode()
    assert "测试市交通运输局" in body
    # Fix links point into the site's own admin.
    assert "http://jtj.localhost/admin/pages/" in body
    assert admin.get(site_url("jyj")).status_code == 404
    assert admin.get(CLUSTER).status_code == 403
    # The menu entry sends them to their own page.
    assert admin.get("/admin/supervision/")["Location"] == site_url("jtj")


def test_a_site_admin_of_another_site_gets_nothing_from_this_host(cluster, results):
    # jyj's admin on jtj's host is no member here: Wagtail refuses the admin altogether.
    other = client_for(cluster, "jtj", cluster.user("jyj", "site_admin"))
    assert other.get(site_url("jtj")).status_code in (302, 403, 404)
    # Positive control: on jyj's own host the same person sees jyj's page.
    assert client_for(cluster, "jyj", cluster.user("jyj", "site_admin")).get(site_url("jyj")).status_code == 200


@pytest.mark.parametrize("role", ["editor", "reviewer", "secrecy_officer", "handler"])
def test_other_roles_see_nothing(cluster, results, role):
    client = client_for(cluster, "jtj", cluster.user("jtj", role))
    assert client.get(site_url("jtj")).status_code == 404
    assert client.get(CLUSTER).status_code == 403
    home = client.get("/admin/")
    assert "supervision-panel" not in home.content.decode()


def test_the_admin_home_panel_shows_the_score(cluster, results):
    home = client_for(cluster, "jtj", cluster.user("jtj", "site_admin")).get("/admin/")
    assert home.status_code == 200
    body = home.content.decode()
    assert "supervision-panel" in body and "网站监管" in body


def test_check_now_replaces_todays_result(cluster, results):
    client = client_for(cluster, "jtj", cluster.user("jtj", "site_admin"))
    answer = client.post(site_url("jtj"))
    assert answer.status_code == 302
    assert DailyResult.objects.filter(tenant=cluster.sites["jtj"], day=timezone.localdate()).count() == 1


def test_only_the_web_office_edits_the_wording_list(cluster):
    from supervision.checks.models import WordingEntry

    url = "/admin/supervision_wording/"
    # 三员分立: the wording list is the security administrator's; the system administrator is refused.
    assert client_for(cluster, "portal", cluster.user(None, "web_office")).get(url).status_code in (302, 403)
    office = client_for(cluster, "portal", cluster.user(None, "security_admin"))
    assert office.get(url).status_code == 200
    assert office.get(url + "new/").status_code == 200
    admin = client_for(cluster, "jtj", cluster.user("jtj", "site_admin"))
    assert admin.get(url).status_code in (302, 403)
    answer = admin.post(url + "new/", {"kind": "typo", "text": "再接再励", "correction": "再接再厉", "active": "on"})
    assert answer.status_code in (302, 403)
    assert not WordingEntry.objects.filter(text="再接再励").exists()


def test_the_annual_ranking_puts_veto_days_last_and_counts_department_sites_only(cluster):
    from supervision.checks.views import ranking

    day = datetime.date(2025, 6, 1)
    jtj, jyj, portal = (cluster.sites[code] for code in ("jtj", "jyj", "portal"))
    DailyResult.objects.create(tenant=jtj, day=day, score=99, passed=False, vetoes=["homepage_stale"])
    DailyResult.objects.create(tenant=jyj, day=day, score=80, passed=True, vetoes=[])
    DailyResult.objects.create(tenant=portal, day=day, score=100, passed=True, vetoes=[])
    rows = ranking(2025)
    assert [(r["tenant__code"], r["place"], r["veto_days"]) for r in rows] == [("jyj", 1, 0), ("jtj", 2, 1)]


def test_a_missing_footer_item_links_to_the_site_record_screen(cluster, results):
    # jtj of the test cluster has no 标识码 or ICP number: the finding leads to the web office's screen.
    office = client_for(cluster, "portal", cluster.user(None, "web_office"))
    body = office.get(site_url("jtj")).content.decode()
    assert "更新站点登记信息（网站办）" in body
    assert 'href="http://jtj.localhost/admin/cluster/jtj/"' in body
    # The link opens the edit screen for the web office on jtj's own admin.
    assert client_for(cluster, "jtj", cluster.user(None, "web_office")).get("/admin/cluster/jtj/").status_code == 200


def test_check_all_now_checks_the_sites_in_view_and_sends_no_mail(cluster, mailoutbox):
    office = client_for(cluster, "portal", cluster.user(None, "web_office"))
    assert not DailyResult.objects.exists()
    answer = office.post(CLUSTER, follow=True)
    assert answer.status_code == 200
    today = timezone.localdate()
    checked = set(DailyResult.objects.filter(day=today).values_list("tenant__code", flat=True))
    assert checked == set(services.sites().values_list("code", flat=True)) and "jtj" in checked
    assert "已检查" in answer.content.decode()
    assert mailoutbox == []
    # Again the same day: today's results replaced, not added.
    office.post(CLUSTER)
    assert DailyResult.objects.filter(day=today).count() == len(checked)


def test_check_all_now_is_refused_to_a_site_admin_and_narrowed_for_a_city_office(cluster):
    from sites.models import SiteKind, Tenant
    from sites.scope import grant_portal_web_office
    from tests.factories import UserFactory

    admin = client_for(cluster, "jtj", cluster.user("jtj", "site_admin"))
    assert admin.post(CLUSTER).status_code == 403
    assert not DailyResult.objects.exists()
    # A city's web office (bound to jtj, made a city portal here) checks its own subtree only.
    Tenant.objects.filter(code__in=["jtj", "jyj"]).update(kind=SiteKind.PORTAL, parent=cluster.sites["portal"])
    city_office = UserFactory(username="jtj_weboffice_check")
    grant_portal_web_office(city_office, Tenant.objects.get(code="jtj"))
    city = client_for(cluster, "jtj", city_office)
    assert city.post(CLUSTER + "?under=jyj").status_code == 302
    assert set(DailyResult.objects.values_list("tenant__code", flat=True)) == {"jtj"}
