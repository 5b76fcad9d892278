"""The “继续报送到上级门户” button: a city's editor offers an item it adopted from a county on to the
province, in the admin. Attacked: the county's editor, an item not adopted (or adopted by another
site), an unpublished original, a target that is not the city's parent."""

import pytest
from django.db import connection
from django.test import Client

from cms.models import ArticlePage
from publishing.syndication import services
from publishing.syndication.models import Submission, SubmissionStatus
from sites.models import Tenant
from tests.refusals import is_refused

from .test_three_levels import offer_to_city, three_levels  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

INDEX = "/admin/syndication/"


def as_user(user, code):
    client = Client(HTTP_HOST=f"{code}.localhost")
    client.force_login(user)
    return client


@pytest.fixture
def adopted(cluster, publish_in, three_levels):  # noqa: F811
    """A county (jyj) item offered to the city (jtj) and adopted there: (submission, province column id)."""
    city_column, province_column = three_levels
    page_id = publish_in("jyj", "县里报送、市里采用的信息")
    submission = offer_to_city(cluster, page_id, city_column)
    services.adopt(submission.pk, site=Tenant.objects.get(code="jtj"), user=cluster.user("jtj", "editor"))
    return submission, province_column


def offer_on_url(submission):
    return f"{INDEX}{submission.pk}/offer-on/"


def test_the_citys_editor_offers_an_adopted_item_on_to_the_province(cluster, adopted):
    submission, province_column = adopted
    editor = as_user(cluster.user("jtj", "editor"), "jtj")
    index = editor.get(INDEX).content.decode()
    assert offer_on_url(submission) in index and "继续报送到上级门户" in index
    form = editor.get(offer_on_url(submission))
    assert form.status_code == 200
    page = form.content.decode()
    assert f'value="portal:{province_column}"' in page and cluster.sites["jyj"].name in page
    response = editor.post(offer_on_url(submission), {"target": f"portal:{province_column}", "note": "建议采用"})
    assert response.status_code == 302
    relayed = Submission.objects.get(target_tenant__code="portal", page_id=submission.page_id)
    # The province's offer keeps the county as its origin; the city's editor made it.
    assert relayed.source_tenant.code == "jyj" and relayed.offered_by == cluster.user("jtj", "editor")
    assert relayed.status == SubmissionStatus.OFFERED
    # The city's list now shows the relay's state, and no second button.
    index = editor.get(INDEX).content.decode()
    assert "待处理" in index or relayed.get_status_display() in index
    assert offer_on_url(submission) not in index
    # Once more by URL: refused by the service (already offered), nothing new.
    editor.post(offer_on_url(submission), {"target": f"portal:{province_column}"})
    assert Submission.objects.filter(target_tenant__code="portal", page_id=submission.page_id).count() == 1


def test_nobody_else_offers_on_and_nothing_unadopted_travels(cluster, publish_in, in_site, adopted, three_levels):  # noqa: F811
    submission, province_column = adopted
    city_column, _ = three_levels
    post = {"target": f"portal:{province_column}"}
    # The county's editor, on the county's admin (the record is the city's) and on the city's (no role).
    county = cluster.user("jyj", "editor")
    for code in ("jyj", "jtj"):
        response = as_user(county, code).post(offer_on_url(submission), post)
        assert is_refused(response, f"{code}.localhost"), code
    # A city reviewer holds no offering role.
    assert is_refused(as_user(cluster.user("jtj", "reviewer"), "jtj").get(offer_on_url(submission)), "jtj.localhost")
    editor = as_user(cluster.user("jtj", "editor"), "jtj")
    # An item only offered to the city, not adopted: not found.
    waiting = offer_to_city(cluster, publish_in("jyj", "只报送未采用的信息"), city_column)
    assert editor.get(offer_on_url(waiting)).status_code == 404
    # A submission adopted by another site (the province adopting the city's own item): not the city's to relay.
    own = services.offer(
        source=Tenant.objects.get(code="jtj"),
        page_id=publish_in("jtj", "市里自己的信息"),
        target=Tenant.objects.get(code="portal"),
        column_id=province_column,
        user=cluster.user("jtj", "editor"),
    )
    services.adopt(own.pk, site=Tenant.objects.get(code="portal"), user=cluster.user("portal", "editor"))
    assert editor.get(offer_on_url(own)).status_code == 404
    # A target that is not the city's parent (the county's columns, a made-up site): refused by the form.
    editor.post(offer_on_url(submission), {"target": f"jyj:{city_column}"})
    editor.post(offer_on_url(submission), {"target": f"jtj:{city_column}"})
    assert not Submission.objects.filter(page_id=submission.page_id).exclude(target_tenant__code="jtj").exists()
    # The original unpublished: the adopted record no longer travels.
    in_site("jyj")
    ArticlePage.objects.get(pk=submission.page_id).unpublish()
    connection.set_schema_to_public()
    assert editor.get(offer_on_url(submission)).status_code == 404
    editor.post(offer_on_url(submission), post)
    assert not Submission.objects.filter(target_tenant__code="portal", page_id=submission.page_id).exists()
