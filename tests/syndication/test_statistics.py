"""Adoption statistics per department and month: the portal's own, and the web office's across all."""

import pytest
from django.utils import timezone

from publishing.syndication import services
from publishing.syndication.models import Submission
from tests.cms import content

from .conftest import get

pytestmark = pytest.mark.django_db


def make_offers(cluster, in_site, code, titles, yw_id):
    ids = []
    for title in titles:
        in_site(code)
        page = content.article(content.column("gzdt"), title=title)
        ids.append(
            services.offer(
                source=cluster.sites[code],
                page_id=page.pk,
                target=cluster.sites["portal"],
                column_id=yw_id,
                user=cluster.user(code, "editor"),
            ).pk
        )
    return ids


def test_statistics_numbers_table_and_chart(cluster, client, in_site):
    in_site("portal")
    yw_id = content.column("yw").pk
    portal, editor = cluster.sites["portal"], cluster.user("portal", "editor")
    jtj = make_offers(cluster, in_site, "jtj", ["统计一", "统计二", "统计三", "统计四"], yw_id)
    jyj = make_offers(cluster, in_site, "jyj", ["统计五", "统计六"], yw_id)
    services.adopt(jtj[0], site=portal, user=editor)
    services.adopt(jtj[1], site=portal, user=editor)
    services.decline(jtj[2], site=portal, user=editor, reason="重复")
    services.withdraw(jtj[3], site=cluster.sites["jtj"], user=cluster.user("jtj", "editor"))
    services.adopt(jyj[0], site=portal, user=editor)
    # An offer from an earlier month counts in that month.
    earlier = timezone.now() - timezone.timedelta(days=40)
    Submission.objects.filter(pk=jyj[1]).update(offered_at=earlier)

    stats = services.adoption_statistics(target=portal)
    this_month = timezone.localtime().strftime("%Y-%m")
    last_month = timezone.localtime(earlier).strftime("%Y-%m")
    assert stats["months"] == sorted({this_month, last_month})
    rows = {row["code"]: row for row in stats["rows"]}
    assert (rows["jtj"]["offered"], rows["jtj"]["adopted"], rows["jtj"]["declined"]) == (3, 2, 1)  # withdrawn excluded
    assert rows["jtj"]["rate"] == 67
    assert rows["jyj"]["months"][this_month] == {"offered": 1, "adopted": 1, "declined": 0}
    assert rows["jyj"]["months"][last_month] == {"offered": 1, "adopted": 0, "declined": 0}
    assert [row["code"] for row in stats["rows"]] == ["jtj", "jyj"]

    client.force_login(editor)
    html = get(client, "portal", "/admin/syndication/statistics/").content.decode()
    assert '<tr data-site="jtj"><th scope="row">测试市交通运输局</th>' in html
    assert '<td class="total">2/3</td>' in html and '<td class="total">1/2</td>' in html
    assert "<svg" in html and 'class="bar-adopted"' in html and "测试市交通运输局 采用 2" in html
    assert "cdn" not in html.lower().split("<svg")[1].split("</svg>")[0]

    # A department sees its own site's (empty as a target) statistics, never the portal's numbers.
    client.force_login(cluster.user("jyj", "editor"))
    own = get(client, "jyj", "/admin/syndication/statistics/").content.decode()
    assert "测试市交通运输局" not in own
    # The web office sees every portal's offers with scope=all.
    client.force_login(cluster.user(None, "web_office"))
    everything = get(client, "jyj", "/admin/syndication/statistics/?scope=all").content.decode()
    assert '<td class="total">2/3</td>' in everything
    assert services.adoption_statistics()["rows"] == stats["rows"]


def test_chart_escapes_site_names():
    stats = {"months": [], "rows": [{"name": "<script>x</script>", "offered": 2, "adopted": 1, "code": "x"}]}
    svg = services.bar_chart_svg(stats)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
