"""Three levels: province portal → city portal → county. Aggregation works at each level, and 信息报送
goes on up (a county item the city adopted is offered on to the province, keeping its origin); an
item that is unpublished, restricted or not adopted below never travels."""

import pytest
from django.db import connection
from wagtail.models import PageViewRestriction

from cms.models import ArticlePage
from publishing.catalogue.models import CatalogueEntry
from publishing.syndication import services
from publishing.syndication.models import Submission
from sites.models import Tenant
from tests.cms import content

from .conftest import get

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_levels(cluster, in_site):
    """In this test's transaction: portal is the province, jtj a city portal below it, jyj a county of jtj.

    The city's 政务动态 column takes 信息报送; returns (city column id, province 要闻 id).
    """
    Tenant.objects.filter(code="jtj").update(kind="portal", parent=cluster.sites["portal"])
    Tenant.objects.filter(code="jyj").update(kind="county", parent=cluster.sites["jtj"])
    for code in ("jtj", "jyj"):
        cluster.sites[code].refresh_from_db()
    in_site("jtj")
    city_column = content.column("gzdt")
    ColumnPageModel = type(city_column)
    ColumnPageModel.objects.filter(pk=city_column.pk).update(accepts_submissions=True)
    in_site("portal")
    province_column = content.column("yw").pk
    connection.set_schema_to_public()
    return city_column.pk, province_column


def sites(cluster, *codes):
    return [Tenant.objects.get(code=code) for code in codes]


def offer_to_city(cluster, page_id, city_column):
    jyj, jtj = sites(cluster, "jyj", "jtj")
    return services.offer(
        source=jyj, page_id=page_id, target=jtj, column_id=city_column, user=cluster.user("jyj", "editor")
    )


def offer_on(cluster, page_id, province_column):
    jyj, jtj, portal = sites(cluster, "jyj", "jtj", "portal")
    return services.offer(
        source=jyj,
        page_id=page_id,
        target=portal,
        column_id=province_column,
        user=cluster.user("jtj", "editor"),
        via=jtj,
    )


def test_a_county_item_goes_county_city_province_keeping_its_origin(cluster, client, publish_in, three_levels):
    city_column, province_column = three_levels
    page_id = publish_in("jyj", "县里的三级报送信息")

    # Not adopted by the city yet: it cannot be offered on.
    with pytest.raises(services.SubmissionError):
        offer_on(cluster, page_id, province_column)

    first = offer_to_city(cluster, page_id, city_column)
    with pytest.raises(services.SubmissionError):
        offer_on(cluster, page_id, province_column)  # offered, not adopted
    services.adopt(first.pk, site=Tenant.objects.get(code="jtj"), user=cluster.user("jtj", "editor"))

    # A county editor may not offer on the city's behalf, nor the city skip to a site that is not its parent.
    jyj, jtj, portal = sites(cluster, "jyj", "jtj", "portal")
    with pytest.raises(services.SubmissionError):
        services.offer(
            source=jyj, page_id=page_id, target=portal, column_id=province_column,
            user=cluster.user("jyj", "editor"), via=jtj,
        )  # fmt: skip
    with pytest.raises(services.SubmissionError):
        services.offer(
            source=jyj, page_id=page_id, target=portal, column_id=province_column, user=cluster.user("jyj", "editor")
        )

    second = offer_on(cluster, page_id, province_column)
    assert (second.source_tenant.code, second.page_id, second.target_tenant.code) == ("jyj", page_id, "portal")
    assert "jyj.localhost" in second.url
    services.adopt(second.pk, site=portal, user=cluster.user("portal", "editor"))

    html = get(client, "portal", "/zwdt/yw/").content.decode()
    assert "县里的三级报送信息" in html and 'href="http://jyj.localhost/' in html
    # Nothing was copied into the city's or the province's schema.
    for code in ("jtj", "portal"):
        connection.set_tenant(Tenant.objects.get(code=code))
        assert not ArticlePage.objects.filter(title="县里的三级报送信息").exists()
    connection.set_schema_to_public()


def test_an_unpublished_item_never_travels_on(cluster, client, publish_in, in_site, three_levels):
    city_column, province_column = three_levels
    page_id = publish_in("jyj", "县里撤下的信息")
    services.adopt(offer_to_city(cluster, page_id, city_column).pk, site=Tenant.objects.get(code="jtj"),
                   user=cluster.user("jtj", "editor"))  # fmt: skip
    in_site("jyj")
    ArticlePage.objects.get(pk=page_id).unpublish()
    connection.set_schema_to_public()
    assert not CatalogueEntry.objects.filter(tenant__code="jyj", page_id=page_id).exists()
    with pytest.raises(services.SubmissionError):
        offer_on(cluster, page_id, province_column)
    assert not Submission.objects.filter(target_tenant__code="portal", page_id=page_id).exists()


def test_a_restricted_item_never_travels(cluster, publish_in, in_site, three_levels):
    city_column, province_column = three_levels
    page_id = publish_in("jyj", "县里仅限登录的信息")
    services.adopt(offer_to_city(cluster, page_id, city_column).pk, site=Tenant.objects.get(code="jtj"),
                   user=cluster.user("jtj", "editor"))  # fmt: skip
    in_site("jyj")
    page = ArticlePage.objects.get(pk=page_id)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    page.save_revision().publish()
    connection.set_schema_to_public()
    assert not CatalogueEntry.objects.filter(tenant__code="jyj", page_id=page_id).exists()
    with pytest.raises(services.SubmissionError):
        offer_on(cluster, page_id, province_column)
    # Restricted before its first offer: not even the city gets it.
    other = publish_in("jyj", "县里另一条受限信息")
    in_site("jyj")
    other_page = ArticlePage.objects.get(pk=other)
    PageViewRestriction.objects.create(page=other_page, restriction_type=PageViewRestriction.LOGIN)
    other_page.save_revision().publish()
    connection.set_schema_to_public()
    with pytest.raises(services.SubmissionError):
        offer_to_city(cluster, other, city_column)


def test_aggregation_at_each_level(cluster, client, publish_in, three_levels):
    publish_in("jyj", "县区动态三级测试县里新闻")
    publish_in("jtj", "市里自己的三级测试新闻")
    # The city's 县区动态 lists its county; the province's lists the city's own news, not the county's.
    connection.set_tenant(Tenant.objects.get(code="jtj"))
    from cms.models import ColumnPage

    city_has_counties = ColumnPage.objects.filter(aggregate_from="counties").exists()
    connection.set_schema_to_public()
    province = get(client, "portal", "/zwdt/xqdt/").content.decode()
    assert "市里自己的三级测试新闻" in province
    assert "县区动态三级测试县里新闻" not in province
    if not city_has_counties:
        # A department-tree site made a city in this test has no 县区动态 column: check the function.
        from publishing.syndication.aggregation import source_sites

        assert [t.code for t in source_sites(Tenant.objects.get(code="jtj"), "counties")] == ["jyj"]
        assert [t.code for t in source_sites(Tenant.objects.get(code="portal"), "counties")] == ["jtj"]
