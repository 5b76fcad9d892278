"""信息报送采用统计 for a city's web office: widened (“查看本级及下级站点”), it counts the offers made to
its portal and to the sites below it, never those made to another city's sites or to the province
(the province's decisions). The province's web office widens to every offer; anybody else's
``?scope=all`` is ignored; on another city's or the province's admin the screen is refused."""

import pytest

from publishing.syndication.models import Submission, SubmissionStatus
from sites.models import SiteKind
from tests.refusals import is_refused
from tests.scoped import as_user, body, city_tree, site_record

pytestmark = pytest.mark.django_db

STATISTICS = "/admin/syndication/statistics/"


@pytest.fixture
def offers(cluster):
    """jtj a city with jyj its county; hcs another city (records only) with its county lsx.

    Offers: county → city in both cities, and each city → the province. Returns jtj's web office.
    """
    office = city_tree(cluster, county=True)
    portal, jtj, jyj = (cluster.sites[code] for code in ("portal", "jtj", "jyj"))
    hcs = site_record("hcs", "河川市人民政府", SiteKind.PORTAL, portal)
    lsx = site_record("lsx", "柳溪县人民政府", SiteKind.COUNTY, hcs)
    editor = cluster.user("jyj", "editor")
    for number, (source, target) in enumerate([(jyj, jtj), (jtj, portal), (lsx, hcs), (hcs, portal)]):
        Submission.objects.create(
            source_tenant=source,
            page_id=880_000 + number,
            title=f"{source.code}报送{target.code}",
            url=f"http://{source.code}.localhost/x/",
            target_tenant=target,
            target_column_id=1,
            target_column_title="要闻",
            offered_by=editor,
            status=SubmissionStatus.ADOPTED,
        )
    return office


def rows(html):
    return {code for code in ("jyj", "jtj", "lsx", "hcs", "portal") if f'data-site="{code}"' in html}


def test_a_city_web_office_widens_to_its_subtree_only(cluster, offers):
    client = as_user(offers, "jtj")
    own = body(client.get(STATISTICS))
    assert rows(own) == {"jyj"}  # offers made to jtj
    assert "查看本级及下级站点" in own and "?scope=all" in own
    wide = body(client.get(f"{STATISTICS}?scope=all"))
    # Offers to jtj and to its county; not jtj's own offer to the province, nothing of hcs or lsx.
    assert rows(wide) == {"jyj"}
    assert "本门户及其下级站点" in wide and "河川市" not in wide and "柳溪县" not in wide
    # An offer made to the county comes in only when widened: the subtree, not just the portal.
    Submission.objects.create(
        source_tenant=cluster.sites["jtj"],
        page_id=880_100,
        title="市里报送县里",
        url="http://jtj.localhost/y/",
        target_tenant=cluster.sites["jyj"],
        target_column_id=1,
        target_column_title="要闻",
        offered_by=cluster.user("jtj", "editor"),
    )
    assert rows(body(client.get(STATISTICS))) == {"jyj"}
    assert rows(body(client.get(f"{STATISTICS}?scope=all"))) == {"jyj", "jtj"}
    # Forged parameters widen nothing further.
    for query in ("?scope=all&site=hcs", "?scope=all&target=hcs", "?scope=everything", "?scope=all&scope=hcs"):
        assert rows(body(client.get(STATISTICS + query))) <= {"jyj", "jtj"}, query


def test_the_province_widens_to_every_offer(cluster, offers):
    client = as_user(cluster.user(None, "web_office"), "jtj")
    assert rows(body(client.get(STATISTICS))) == {"jyj"}
    everything = body(client.get(f"{STATISTICS}?scope=all"))
    assert rows(everything) == {"jyj", "jtj", "lsx", "hcs"}
    assert "范围：全部站点" in everything


def test_others_are_unchanged_and_other_admins_refuse(cluster, offers):
    # The city's editor reads the offers made to its own site; ?scope=all is ignored for them.
    editor = as_user(cluster.user("jtj", "editor"), "jtj")
    html = body(editor.get(f"{STATISTICS}?scope=all"))
    assert rows(html) == {"jyj"} and "?scope=all" not in html
    # The city's web office on the province's admin and on another site's: refused.
    for code in ("portal", "jyj"):
        response = as_user(offers, code).get(f"{STATISTICS}?scope=all")
        assert is_refused(response, f"{code}.localhost"), code
        assert rows(response.content.decode()) == set(), code
