"""Withdrawing a relay (信息报送 on up): the offer the city made to the province is the city's.

A relay keeps the county as its origin (``source_tenant``), and 撤回 used to be allowed to the
origin: the county's editor saw the city's offer to the province in 本站报送的信息 with a 撤回 button
and could take it back, while the city that made the offer could not.
"""

import pytest
from django.test import Client

from publishing.syndication import services
from publishing.syndication.models import Submission, SubmissionStatus
from sites.models import Tenant

from .test_offer_on_screen import adopted  # noqa: F401 - the fixture
from .test_three_levels import offer_to_city, three_levels  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

INDEX = "/admin/syndication/"


def as_user(user, code):
    client = Client(HTTP_HOST=f"{code}.localhost")
    client.force_login(user)
    return client


@pytest.fixture
def relay(cluster, adopted):  # noqa: F811
    """The county's (jyj) item, adopted by the city (jtj) and offered on to the province (portal)."""
    submission, province_column = adopted
    return services.offer(
        source=Tenant.objects.get(code="jyj"),
        page_id=submission.page_id,
        target=Tenant.objects.get(code="portal"),
        column_id=province_column,
        user=cluster.user("jtj", "editor"),
        via=Tenant.objects.get(code="jtj"),
    )


def _withdraw_url(submission):
    return f"{INDEX}{submission.pk}/withdraw/"


def test_the_county_cannot_withdraw_the_citys_offer_to_the_province(cluster, relay):
    county = as_user(cluster.user("jyj", "editor"), "jyj")
    index = county.get(INDEX).content.decode()
    assert _withdraw_url(relay) not in index  # no 撤回 button on the county's list
    county.post(_withdraw_url(relay))
    relay.refresh_from_db()
    assert relay.status == SubmissionStatus.OFFERED
    with pytest.raises(services.SubmissionError):
        services.withdraw(relay.pk, site=Tenant.objects.get(code="jyj"), user=cluster.user("jyj", "editor"))
    relay.refresh_from_db()
    assert relay.status == SubmissionStatus.OFFERED


def test_the_city_withdraws_its_own_relay(cluster, relay):
    city = as_user(cluster.user("jtj", "editor"), "jtj")
    assert _withdraw_url(relay) in city.get(INDEX).content.decode()  # beside the relay's state
    assert city.post(_withdraw_url(relay)).status_code == 302
    relay.refresh_from_db()
    assert relay.status == SubmissionStatus.WITHDRAWN
    # Withdrawn, the adopted item may be offered on again: the button is back, the 撤回 gone.
    index = city.get(INDEX).content.decode()
    assert _withdraw_url(relay) not in index and "继续报送到上级门户" in index


def test_the_county_still_withdraws_its_own_open_offer_to_the_city(cluster, publish_in, three_levels):  # noqa: F811
    """Positive control: an offer the county made itself (to its parent, the city) it takes back."""
    city_column, _ = three_levels
    own = offer_to_city(cluster, publish_in("jyj", "县里自己报送、尚未处理的信息"), city_column)
    county = as_user(cluster.user("jyj", "editor"), "jyj")
    assert _withdraw_url(own) in county.get(INDEX).content.decode()
    assert county.post(_withdraw_url(own)).status_code == 302
    assert Submission.objects.get(pk=own.pk).status == SubmissionStatus.WITHDRAWN
