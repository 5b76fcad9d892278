"""统计与年报 for a city's web office: 发稿量统计 (screen and CSV, from the cluster catalogue) and the
网站年度报表 (list, generation, detail, XLSX) show its own subtree and nothing of another city or
the province: not by the site filter, a forged ``?site=``, a report URL, a POST naming another site,
nor on another city's admin. The province's web office still sees every site; a site admin is as before."""

import datetime

import pytest
from django.utils import timezone

from publishing.catalogue.models import CatalogueEntry
from supervision.reports import annual
from supervision.reports.models import AnnualReport
from tests.refusals import is_refused
from tests.scoped import as_user, body, city_tree

pytestmark = pytest.mark.django_db

YEAR = 2013  # no other test writes catalogue rows or reports for it
FIGURES = "/admin/supervision/reports/figures/"
ANNUAL = "/admin/supervision/reports/annual/"


def catalogue_rows(cluster):
    """One live catalogue row per site in YEAR, under a column named after the site."""
    when = timezone.make_aware(datetime.datetime(YEAR, 5, 6, 9, 0))
    for number, code in enumerate(("portal", "jtj", "jyj")):
        CatalogueEntry.objects.create(
            tenant=cluster.sites[code],
            page_id=990_000 + number,
            content_type="cms.articlepage",
            content_type_label="文章",
            column_title=f"{code}专栏",
            url=f"http://{code}.localhost/x/",
            title=f"{code}的稿件",
            published_at=when,
        )


def test_figures_show_the_subtree_only_on_screen_and_in_the_csv(cluster):
    office = city_tree(cluster)
    catalogue_rows(cluster)
    client = as_user(office, "jtj")
    # The menu leads there.
    assert FIGURES in body(client.get("/admin/"))
    page = body(client.get(f"{FIGURES}?year={YEAR}"))
    assert "jtj专栏" in page
    assert "jyj专栏" not in page and "portal专栏" not in page
    # The site filter offers its own sites only.
    assert 'value="jtj"' in page
    assert 'value="jyj"' not in page and 'value="portal"' not in page
    csv = client.get(f"{FIGURES}?year={YEAR}&format=csv")
    text = body(csv)
    assert "jtj,测试市交通运输局" in text and "jtj专栏" in text
    assert "jyj" not in text and "portal" not in text
    assert 'filename="fagaoliang-jtj-' in csv["Content-Disposition"]
    assert "-all-" not in csv["Content-Disposition"]
    # Positive control: the province's web office sees every site on the same host.
    province = as_user(cluster.user(None, "web_office"), "jtj")
    everything = body(province.get(f"{FIGURES}?year={YEAR}&format=csv"))
    assert all(f"{code}专栏" in everything for code in ("portal", "jtj", "jyj"))


def test_a_forged_site_filter_is_refused_and_leaks_nothing(cluster):
    office = city_tree(cluster)
    catalogue_rows(cluster)
    client = as_user(office, "jtj")
    for code in ("jyj", "portal", "nosuchsite"):
        for query in (f"year={YEAR}&site={code}", f"year={YEAR}&site={code}&format=csv"):
            response = client.get(f"{FIGURES}?{query}")
            # 404 for another city's site, for the province and for a site that does not exist alike:
            # the answer does not tell which sites exist outside the subtree.
            assert response.status_code == 404, (code, query)
            assert f"{code}专栏" not in response.content.decode("utf-8-sig")
    assert "jtj专栏" in body(client.get(f"{FIGURES}?year={YEAR}&site=jtj"))


def test_the_annual_reports_of_the_subtree_only(cluster):
    office = city_tree(cluster)
    for code in ("portal", "jtj", "jyj"):
        annual.generate(cluster.sites[code], YEAR)
    client = as_user(office, "jtj")
    listing = body(client.get(ANNUAL))
    assert f"{ANNUAL}jtj/{YEAR}/" in listing
    assert f"{ANNUAL}jyj/{YEAR}/" not in listing and f"{ANNUAL}portal/{YEAR}/" not in listing
    assert 'value="jyj"' not in listing and 'value="portal"' not in listing
    assert client.get(f"{ANNUAL}jtj/{YEAR}/").status_code == 200
    assert client.get(f"{ANNUAL}jtj/{YEAR}/?format=xlsx").status_code == 200
    # Another city's and the province's reports, by URL, export or POST: not found, nothing changes.
    for code in ("jyj", "portal"):
        assert client.get(f"{ANNUAL}{code}/{YEAR}/").status_code == 404
        assert client.get(f"{ANNUAL}{code}/{YEAR}/?format=xlsx").status_code == 404
        assert client.get(f"{ANNUAL}{code}/{YEAR}/?format=pdf").status_code == 404
        assert client.post(f"{ANNUAL}{code}/{YEAR}/", {"action": "generate"}).status_code == 404
        assert client.post(f"{ANNUAL}{code}/{YEAR}/", {"action": "save", "interviews": "9"}).status_code == 404
        assert client.post(ANNUAL, {"site": code, "year": str(YEAR + 1)}).status_code == 404
        report = AnnualReport.objects.get(tenant=cluster.sites[code], year=YEAR)
        assert report.updated_by is None and report.manual == {}
        assert not AnnualReport.objects.filter(tenant=cluster.sites[code], year=YEAR + 1).exists()
    # Within its subtree it generates and fills in, as the province's web office does everywhere.
    assert client.post(ANNUAL, {"site": "jtj", "year": str(YEAR + 1)}).status_code == 302
    assert AnnualReport.objects.get(tenant=cluster.sites["jtj"], year=YEAR + 1).updated_by == office
    # Positive control: the province lists all three.
    everything = body(as_user(cluster.user(None, "web_office"), "jtj").get(ANNUAL))
    assert all(f"{ANNUAL}{code}/{YEAR}/" in everything for code in ("portal", "jtj", "jyj"))


def test_a_county_of_the_city_comes_into_scope_and_another_citys_admin_stays_closed(cluster):
    office = city_tree(cluster, county=True)  # jyj is now a county of jtj
    catalogue_rows(cluster)
    annual.generate(cluster.sites["jyj"], YEAR)
    client = as_user(office, "jtj")
    page = body(client.get(f"{FIGURES}?year={YEAR}"))
    assert "jtj专栏" in page and "jyj专栏" in page and "portal专栏" not in page
    assert body(client.get(f"{FIGURES}?year={YEAR}&site=jyj")).count("jyj专栏") >= 1
    assert client.get(f"{ANNUAL}jyj/{YEAR}/").status_code == 200
    # The province's admin is not its own (it works in its portal's admin): refused there.
    province_host = as_user(office, "portal")
    for path in (f"{FIGURES}?year={YEAR}", ANNUAL, f"{ANNUAL}jtj/{YEAR}/", f"{FIGURES}?year={YEAR}&format=csv"):
        response = province_host.get(path)
        assert is_refused(response, "portal.localhost"), path
        assert "专栏" not in response.content.decode("utf-8-sig"), path


def test_a_site_admin_is_unchanged(cluster):
    city_tree(cluster)
    catalogue_rows(cluster)
    client = as_user(cluster.user("jtj", "site_admin"), "jtj")
    page = body(client.get(f"{FIGURES}?year={YEAR}"))
    assert "jtj专栏" in page and 'value="jtj"' not in page  # no site filter: their own site only
    # Another site: 403 (as before) rather than the city web office's 404.
    assert client.get(f"{FIGURES}?year={YEAR}&site=jyj").status_code in (302, 403)
    assert is_refused(client.get(f"{FIGURES}?year={YEAR}&site=jyj"), "jtj.localhost")


def test_the_supervision_links_lead_a_city_to_its_overview(cluster):
    office = city_tree(cluster)
    client = as_user(office, "jtj")
    assert "/admin/supervision/cluster/" in body(client.get("/admin/"))  # the home panel's 站群总览
    assert "返回站群总览" in body(client.get("/admin/supervision/site/jtj/"))
    # Site staff have no overview to go back to.
    site_admin = as_user(cluster.user("jtj", "site_admin"), "jtj")
    assert "返回站群总览" not in body(site_admin.get("/admin/supervision/site/jtj/"))
    assert "/admin/supervision/cluster/" not in body(site_admin.get("/admin/"))
