"""Page types per column class: the "add child page" screen offers what the column takes, and the
server refuses a forged request for anything else. Columns, the 政府信息公开目录 and the annual-report
list are structure: the site admin and the web office add them, editors do not."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from wagtail.models import Page

from cms.models import (
    AnnualReportIndexPage,
    ArticlePage,
    ColumnPage,
    DisclosureCatalogPage,
    DisclosureDocumentPage,
    InformationPage,
)
from interaction.pages.models import ConsultationPage
from tests.factories import break_glass_user
from tests.refusals import is_refused

from .content import article, column
from .test_slugs import article_form

pytestmark = pytest.mark.django_db

HOST = {"HTTP_HOST": "jtj.localhost"}
NAMES = {
    "columnpage": "column",
    "articlepage": "article",
    "disclosuredocumentpage": "document",
    "disclosurecatalogpage": "catalogue",
    "annualreportindexpage": "reports",
    "informationpage": "information",
    "leaderpage": "leader",
    "servicepage": "service",
    "topicpage": "topic",
    "consultationpage": "consultation",
    "questionnairepage": "questionnaire",
}


def offered(client, column_pk):
    """The page types the add-child-page screen offers, by the links of its list; the one type when
    the screen goes straight to its create form."""
    response = client.get(f"/admin/pages/{column_pk}/add_subpage/", **HOST)
    if response.status_code == 302:
        links = [response["Location"]]
    else:
        assert response.status_code == 200
        links = re.findall(r'href="(/admin/pages/add/[^"]+)"', response.content.decode())
    found = set()
    for link in links:
        match = re.fullmatch(rf"/admin/pages/add/\w+/(\w+)/{column_pk}/(\?.*)?", link)
        assert match, link
        found.add(NAMES[match.group(1)])
    return found


def as_role(cluster, client, role):
    connection.set_schema_to_public()
    # 三员分立: the system administrator builds no pages; "web_office" here is the break-glass superuser.
    client.force_login(cluster.user("jtj", role) if role != "web_office" else break_glass_user("oncall"))
    return client


def pks(in_site, *slugs):
    in_site("jtj")
    found = {slug: column(slug).pk for slug in slugs}
    connection.set_schema_to_public()
    return found


def test_an_editor_in_a_news_column_goes_straight_to_a_new_article(in_site, cluster, client):
    ids = pks(in_site, "gzdt")
    client = as_role(cluster, client, "editor")
    response = client.get(f"/admin/pages/{ids['gzdt']}/add_subpage/", **HOST)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:add", args=("cms", "articlepage", ids["gzdt"]))


def test_an_editor_in_a_disclosure_column_is_offered_documents_and_information_only(in_site, cluster, client):
    ids = pks(in_site, "xxgk", "fdzdgk")
    client = as_role(cluster, client, "editor")
    for slug in ("xxgk", "fdzdgk"):
        choices = offered(client, ids[slug])
        assert choices == {"document", "information"}, (slug, choices)


def test_the_site_admin_builds_structure_where_it_belongs(in_site, cluster, client):
    ids = pks(in_site, "gzdt", "xxgk", "gkxx", "bsfw")
    client = as_role(cluster, client, "site_admin")
    assert offered(client, ids["gzdt"]) == {"column", "article"}
    assert offered(client, ids["xxgk"]) == {"column", "document", "catalogue", "reports", "information"}
    assert offered(client, ids["gkxx"]) == {"column", "information", "leader", "topic"}
    assert offered(client, ids["bsfw"]) == {"column", "service", "information"}


def test_the_web_office_adds_columns_too(in_site, cluster, client):
    ids = pks(in_site, "gzdt")
    client = as_role(cluster, client, "web_office")
    assert offered(client, ids["gzdt"]) == {"column", "article"}


def test_the_interaction_column_still_takes_consultations_and_questionnaires(in_site, cluster, client):
    ids = pks(in_site, "hdjl", "gzdt")
    client = as_role(cluster, client, "editor")
    assert offered(client, ids["hdjl"]) == {"article", "information", "consultation", "questionnaire"}
    # …and a news column does not.
    url = reverse("wagtailadmin_pages:add", args=("interaction_pages", "consultationpage", ids["gzdt"]))
    assert is_refused(client.get(url, **HOST), "jtj.localhost")


@pytest.mark.parametrize(
    "role, model_name, allowed",
    [
        ("editor", "articlepage", True),  # the positive control: the same request for the right type
        ("editor", "columnpage", False),
        ("editor", "annualreportindexpage", False),
        ("editor", "disclosurecatalogpage", False),
        ("editor", "disclosuredocumentpage", False),
        ("editor", "leaderpage", False),
        ("site_admin", "columnpage", True),
        ("site_admin", "annualreportindexpage", False),
        ("site_admin", "disclosurecatalogpage", False),
    ],
)
def test_the_create_screen_of_a_wrong_type_is_refused(in_site, cluster, client, role, model_name, allowed):
    ids = pks(in_site, "gzdt")
    client = as_role(cluster, client, role)
    url = reverse("wagtailadmin_pages:add", args=("cms", model_name, ids["gzdt"]))
    response = client.get(url, **HOST)
    if allowed:
        assert response.status_code == 200
    else:
        assert is_refused(response, "jtj.localhost")


def test_a_forged_post_creates_nothing(in_site, cluster, client):
    ids = pks(in_site, "gzdt")
    client = as_role(cluster, client, "editor")
    column_form = {"title": "编辑自建栏目", "slug": "bjzj", "column_class": "news", "intro": ""}
    url = reverse("wagtailadmin_pages:add", args=("cms", "columnpage", ids["gzdt"]))
    assert is_refused(client.post(url, column_form, **HOST), "jtj.localhost")
    catalogue = {"title": "伪造的公开目录", "slug": "wzml", "intro": ""}
    url = reverse("wagtailadmin_pages:add", args=("cms", "disclosurecatalogpage", ids["gzdt"]))
    assert is_refused(client.post(url, catalogue, **HOST), "jtj.localhost")
    # The positive control: an article posted by the same editor to the same column is made.
    url = reverse("wagtailadmin_pages:add", args=("cms", "articlepage", ids["gzdt"]))
    assert client.post(url, article_form("本周工作动态", ""), **HOST).status_code == 302
    in_site("jtj")
    assert not ColumnPage.objects.filter(title="编辑自建栏目").exists()
    assert not DisclosureCatalogPage.objects.filter(title="伪造的公开目录").exists()
    assert ArticlePage.objects.filter(title="本周工作动态").exists()


def test_the_rule_in_code(in_site):
    in_site("jtj")
    gzdt, xxgk, hdjl = column("gzdt"), column("xxgk"), column("hdjl")
    assert ArticlePage.can_create_at(gzdt) and not ArticlePage.can_create_at(xxgk)
    assert DisclosureDocumentPage.can_create_at(xxgk) and not DisclosureDocumentPage.can_create_at(gzdt)
    assert AnnualReportIndexPage.can_create_at(xxgk) and not AnnualReportIndexPage.can_create_at(gzdt)
    assert InformationPage.can_create_at(xxgk) and not InformationPage.can_create_at(gzdt)
    assert ConsultationPage.can_create_at(hdjl) and not ConsultationPage.can_create_at(gzdt)
    # Outside a request (provisioning, seeding, commands) the system builds structure.
    assert ColumnPage.can_create_at(gzdt)
    # A plain Page as the destination (Wagtail's move and copy views) is read as the column it is.
    assert not ArticlePage.can_create_at(Page.objects.get(pk=xxgk.pk))


def test_an_item_cannot_be_moved_into_a_column_of_another_class(in_site, cluster, client):
    in_site("jtj")
    page = article(title="移动测试文章")
    tzgg, fdzdgk = column("tzgg"), column("fdzdgk")
    assert page.can_move_to(tzgg) and not page.can_move_to(Page.objects.get(pk=fdzdgk.pk))
    # The web office (whom Wagtail lets move live pages): the column rule applies to it as well.
    client = as_role(cluster, client, "web_office")
    refused = client.post(reverse("wagtailadmin_pages:move_confirm", args=(page.pk, fdzdgk.pk)), **HOST)
    assert is_refused(refused, "jtj.localhost")
    moved = client.post(reverse("wagtailadmin_pages:move_confirm", args=(page.pk, tzgg.pk)), **HOST)
    assert moved.status_code == 302 and not is_refused(moved, "jtj.localhost")
    in_site("jtj")
    assert ArticlePage.objects.get(pk=page.pk).get_parent().pk == tzgg.pk
