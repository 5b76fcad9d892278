"""The one visibility rule: a restricted page is in no list, feed, search, catalogue, cache or file.

Each case first shows the item *is* listed everywhere while it is public (the positive control),
then restricts it (login, group, password, or a login restriction on an ancestor column) and
checks every output again. Lifting the restriction brings it back: the rule is not a one-way
delete.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from wagtail.models import PageViewRestriction

from cms.models import ColumnPage
from publishing.catalogue.engines import drain
from publishing.catalogue.models import CatalogueEntry
from publishing.catalogue.static_output import export_site
from sites.models import Role, SiteGroup
from tests.cms import content
from tests.factories import break_glass_user

pytestmark = pytest.mark.django_db

KINDS = ["login", "groups", "password", "ancestor"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    cache.clear()
    settings.CMS_SEARCH_RATE_LIMIT = 1000
    yield
    cache.clear()


def restrict(page, kind, site_code):
    """Put a restriction of ``kind`` on the page (or, for "ancestor", on its column)."""
    target = page.get_parent() if kind == "ancestor" else page
    restriction_type = {
        "login": PageViewRestriction.LOGIN,
        "ancestor": PageViewRestriction.LOGIN,
        "groups": PageViewRestriction.GROUPS,
        "password": PageViewRestriction.PASSWORD,
    }[kind]
    restriction = PageViewRestriction.objects.create(
        page=target, restriction_type=restriction_type, password="only-for-staff" if kind == "password" else ""
    )
    if kind == "groups":
        binding = SiteGroup.objects.get(tenant__code=site_code, role=Role.EDITOR)
        restriction.groups.add(Group.objects.get(pk=binding.group_id))
    return restriction


def public_outputs(client, marker):
    """Where the item's title shows to an anonymous reader: {output name: bool}.

    The title is looked for, not the marker alone: the search page repeats the query it was given.
    """
    title = f"{marker}交通新闻"

    def text(host, path, **params):
        response = client.get(path, params, HTTP_HOST=host)
        if response.status_code != 200:
            return ""
        # Highlighting (<mark>, <em>) splits a title; JSON escapes nothing Chinese here.
        return re.sub(r"<[^>]*>", "", response.content.decode(errors="replace"))

    return {
        "api_search_site": title in text("jtj.localhost", "/api/search/", q=marker),
        "api_search_portal": title in text("portal.localhost", "/api/search/", q=marker),
        "api_suggest": title in text("jtj.localhost", "/api/search/suggest/", q=marker[:4]),
        "search_page": title in text("jtj.localhost", "/search/", q=marker),
        "column_list": title in text("jtj.localhost", "/zwdt/gzdt/"),
        "column_feed": title in text("jtj.localhost", "/zwdt/gzdt/feed/"),
        "home": title in text("jtj.localhost", "/"),
        "portal_aggregation": title in text("portal.localhost", "/zwdt/bmdt/"),
        "catalogue": CatalogueEntry.objects.filter(title__contains=marker).exists(),
    }


def publish_news(cluster, marker, column=None):
    connection.set_tenant(cluster.sites["jtj"])
    page = content.article(column or content.column("gzdt"), title=f"{marker}交通新闻", body=f"<p>{marker}正文</p>")
    page.path_url = page.url  # read in the site's schema
    connection.set_schema_to_public()
    return page


@pytest.mark.parametrize("kind", KINDS)
def test_restricted_item_leaves_every_public_output(cluster, client, kind):
    marker = f"限阅{kind}标记"
    page = publish_news(cluster, marker)
    assert all(public_outputs(client, marker).values()), public_outputs(client, marker)

    connection.set_tenant(cluster.sites["jtj"])
    restriction = restrict(page, kind, "jtj")
    connection.set_schema_to_public()
    leaks = {name for name, shown in public_outputs(client, marker).items() if shown}
    assert leaks == set()
    # The page itself asks for a login or the password, and shows none of its text.
    response = client.get(page.path_url, HTTP_HOST="jtj.localhost")
    assert marker not in response.content.decode()
    assert response.status_code in ((200,) if kind == "password" else (302,))

    connection.set_tenant(cluster.sites["jtj"])
    restriction.delete()
    connection.set_schema_to_public()
    assert all(public_outputs(client, marker).values())


def test_restriction_set_in_the_admin_is_applied_in_the_same_request(cluster, client):
    marker = "后台设置限阅标记"
    page = publish_news(cluster, marker)
    client.force_login(break_glass_user("oncall"))  # 三员分立: page privacy is content; break-glass
    response = client.post(f"/admin/pages/{page.pk}/privacy/", {"restriction_type": "login"}, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    assert not CatalogueEntry.objects.filter(page_id=page.pk, tenant__code="jtj").exists()
    client.logout()
    assert not any(public_outputs(client, marker).values())


def test_a_restriction_whose_re_recording_fails_is_not_saved(cluster, client, monkeypatch):
    """The privacy screen is one transaction: a restriction never stands while its page is listed."""
    from publishing.catalogue import services

    marker = "事务限阅标记"
    page = publish_news(cluster, marker)

    def broken(*args, **kwargs):
        raise RuntimeError("catalogue unavailable")

    monkeypatch.setattr(services, "record_subtree", broken)
    client.force_login(break_glass_user("oncall"))  # 三员分立: page privacy is content; break-glass
    with pytest.raises(RuntimeError):
        client.post(f"/admin/pages/{page.pk}/privacy/", {"restriction_type": "login"}, HTTP_HOST="jtj.localhost")
    connection.set_tenant(cluster.sites["jtj"])
    assert not PageViewRestriction.objects.filter(page_id=page.pk).exists()
    connection.set_schema_to_public()
    assert CatalogueEntry.objects.filter(page_id=page.pk, tenant__code="jtj").exists()


def test_a_restricted_column_hides_its_whole_subtree_and_its_subcolumns(cluster, client):
    marker = "子栏目限阅标记"
    connection.set_tenant(cluster.sites["jtj"])
    sub = content.publish(content.column("gzdt"), ColumnPage(title=f"{marker}子栏目", slug="nbzl", column_class="news"))
    connection.set_schema_to_public()
    page = publish_news(cluster, marker, column=sub)
    assert public_outputs(client, marker)["catalogue"]
    connection.set_tenant(cluster.sites["jtj"])
    restrict(page, "ancestor", "jtj")  # on the subcolumn
    connection.set_schema_to_public()
    assert not any(public_outputs(client, marker).values())
    # The subcolumn's own title is gone from its parent column's list of subcolumns, and its nav.
    assert f"{marker}子栏目" not in client.get("/zwdt/gzdt/", HTTP_HOST="jtj.localhost").content.decode()


def test_page_cache_never_serves_a_page_after_it_is_restricted(cluster, client, settings):
    settings.CMS_PAGE_CACHE_SECONDS = 300
    marker = "缓存限阅标记"
    page = publish_news(cluster, marker)
    assert client.get(page.path_url, HTTP_HOST="jtj.localhost").status_code == 200
    hit = client.get(page.path_url, HTTP_HOST="jtj.localhost")
    assert hit["X-Cache"] == "HIT" and marker in hit.content.decode()  # positive control: it was cached
    connection.set_tenant(cluster.sites["jtj"])
    restrict(page, "login", "jtj")
    connection.set_schema_to_public()
    response = client.get(page.path_url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 302 and marker not in response.content.decode()
    listing = client.get("/zwdt/gzdt/", HTTP_HOST="jtj.localhost")
    assert marker not in listing.content.decode()


@pytest.fixture
def output(settings, tmp_path):
    settings.CMS_STATIC_OUTPUT_DIR = tmp_path / "static-output"
    settings.CMS_OUTBOX_ENGINES = {"static": "publishing.catalogue.static_output.StaticOutputEngine"}
    return settings.CMS_STATIC_OUTPUT_DIR / "jtj.localhost"


@pytest.mark.parametrize("kind", ["login", "ancestor"])
def test_static_output_removes_a_page_once_restricted(cluster, output, kind):
    marker = f"静态限阅{kind}标记"
    page = publish_news(cluster, marker)
    export_site(cluster.sites["jtj"])
    drain()
    page_file = output / page.path_url.strip("/") / "index.html"
    column_file = output / "zwdt" / "gzdt" / "index.html"
    assert marker in page_file.read_text() and marker in column_file.read_text()
    connection.set_tenant(cluster.sites["jtj"])
    restrict(page, kind, "jtj")
    connection.set_schema_to_public()
    drain()
    assert not page_file.exists()
    if kind == "ancestor":  # the column itself is restricted now: its list goes too
        assert not column_file.exists()
    else:
        assert marker not in column_file.read_text()
    # A full export after the fact leaves nothing behind either, and never writes it again.
    export_site(cluster.sites["jtj"])
    assert not page_file.exists()


def test_a_full_export_removes_files_of_pages_restricted_behind_its_back(cluster, output, settings):
    """The manifest must not forget a file: a restricted page rendered as a login redirect."""
    marker = "导出遗留标记"
    page = publish_news(cluster, marker)
    export_site(cluster.sites["jtj"])
    page_file = output / page.path_url.strip("/") / "index.html"
    assert page_file.exists()
    settings.CMS_OUTBOX_ENGINES = {}  # no worker: only the next export can notice
    connection.set_tenant(cluster.sites["jtj"])
    restrict(page, "login", "jtj")
    connection.set_schema_to_public()
    export_site(cluster.sites["jtj"])
    assert not page_file.exists()
    export_site(cluster.sites["jtj"])  # and the second export still knows nothing is there
    assert not page_file.exists()


def test_unpublishing_a_column_removes_its_static_files(cluster, output):
    connection.set_tenant(cluster.sites["jtj"])
    sub = content.publish(content.column("gzdt"), ColumnPage(title="将撤下的子栏目", slug="cxzl", column_class="news"))
    connection.set_schema_to_public()
    export_site(cluster.sites["jtj"])
    drain()
    column_file = output / "zwdt" / "gzdt" / "cxzl" / "index.html"
    assert column_file.exists()
    connection.set_tenant(cluster.sites["jtj"])
    sub.unpublish()
    connection.set_schema_to_public()
    drain()
    assert not column_file.exists()


def test_navigation_and_sidebars_never_name_a_restricted_column(cluster, client):
    connection.set_tenant(cluster.sites["jtj"])
    zwdt = content.column("zwdt")
    hidden = content.publish(
        zwdt, ColumnPage(title="内部工作栏目", slug="nbgz", column_class="news", show_in_menus=True)
    )
    connection.set_schema_to_public()

    def shown():  # 工作动态 has no subcolumns: its sidebar lists its first-level column's children
        return "内部工作栏目" in client.get("/zwdt/gzdt/", HTTP_HOST="jtj.localhost").content.decode()

    assert shown()  # positive control: the sidebar lists the sibling columns
    connection.set_tenant(cluster.sites["jtj"])
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    connection.set_schema_to_public()
    assert not shown()
