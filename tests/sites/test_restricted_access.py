"""A site's "login required" means a role on that site (or the web office), not any cluster account.

One sign-on makes a jtj editor's session valid on jyj's host too; that must not open jyj's
login-only pages or the documents of its private collections. Each refusal has its positive
control: jyj's own editor and the web office read the same URL.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import schema_context
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from sites.models import Role, SiteGroup
from tests.cms import content

pytestmark = pytest.mark.django_db
MARKER = "教育局内部通报标记"


@pytest.fixture
def jyj_restricted(cluster):
    """A login-only article, a group-only article and a private-collection document on jyj."""
    connection.set_tenant(cluster.sites["jyj"])
    login_page = content.article(content.column("gzdt"), title=f"{MARKER}登录", body=f"<p>{MARKER}正文</p>")
    PageViewRestriction.objects.create(page=login_page, restriction_type=PageViewRestriction.LOGIN)
    group_page = content.article(content.column("gzdt"), title=f"{MARKER}分组", body=f"<p>{MARKER}正文</p>")
    restriction = PageViewRestriction.objects.create(page=group_page, restriction_type=PageViewRestriction.GROUPS)
    editors = SiteGroup.objects.get(tenant__code="jyj", role=Role.EDITOR).group
    restriction.groups.add(editors)
    private = Collection.get_first_root_node().add_child(name="内部资料")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    document = get_document_model().objects.create(
        title="内部通报", collection=private, file=ContentFile(f"{MARKER}附件".encode(), name="internal.txt")
    )
    urls = {"login_page": login_page.url, "group_page": group_page.url, "document": document.url}
    connection.set_schema_to_public()
    return urls


def read(client, url):
    response = client.get(url, HTTP_HOST="jyj.localhost")
    if getattr(response, "streaming", False):
        text = b"".join(response.streaming_content).decode(errors="replace")
    else:
        text = response.content.decode(errors="replace")
    return response.status_code, MARKER in text


@pytest.mark.parametrize("what", ["login_page", "group_page", "document"])
def test_staff_of_another_site_are_refused(cluster, client, jyj_restricted, what):
    client.force_login(cluster.user("jyj", Role.EDITOR))
    assert read(client, jyj_restricted[what]) == (200, True)  # positive control
    client.logout()
    for role in (Role.EDITOR, Role.SITE_ADMIN, Role.REVIEWER):
        client.force_login(cluster.user("jtj", role))
        status, leaked = read(client, jyj_restricted[what])
        assert status == 403 and not leaked, (role, status)
        client.logout()


@pytest.mark.parametrize("what", ["login_page", "document"])
def test_every_role_of_the_site_and_the_web_office_are_admitted(cluster, client, jyj_restricted, what):
    for user in [cluster.user("jyj", role) for role in Role.site_roles()] + [cluster.user(None, Role.WEB_OFFICE)]:
        client.force_login(user)
        assert read(client, jyj_restricted[what]) == (200, True), user.username
        client.logout()


def test_group_restriction_admits_only_that_group(cluster, client, jyj_restricted):
    client.force_login(cluster.user("jyj", Role.REVIEWER))
    status, leaked = read(client, jyj_restricted["group_page"])
    assert status in (302, 403) and not leaked


def test_a_group_of_another_site_on_the_restriction_admits_nobody_from_there(cluster, client, jyj_restricted):
    """Even a restriction that names jtj's group (made in code; the admin form offers only jyj's)."""
    connection.set_tenant(cluster.sites["jyj"])
    restriction = PageViewRestriction.objects.get(restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(pk=SiteGroup.objects.get(tenant__code="jtj", role=Role.EDITOR).group_id))
    connection.set_schema_to_public()
    client.force_login(cluster.user("jtj", Role.EDITOR))
    status, leaked = read(client, jyj_restricted["group_page"])
    assert status == 403 and not leaked


def test_anonymous_are_refused(cluster, client, jyj_restricted):
    response = client.get(jyj_restricted["login_page"], HTTP_HOST="jyj.localhost")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    # A private document is sent to the login page, or not found at all (never streamed).
    status, leaked = read(client, jyj_restricted["document"])
    assert status in (302, 404) and not leaked


# --- Passwords count on their own site ------------------------------------------------------------


def _same_id(model, codes):
    """Make the next row of ``model`` get the same id in each site's schema (each numbers from 1)."""
    table = model._meta.db_table
    ids = []
    for code in codes:
        with schema_context(code), connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value FROM {table}_id_seq")  # noqa: S608 - a model's own table
            ids.append(cursor.fetchone()[0])
    for code in codes:
        with schema_context(code), connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, max(ids) + 1])
    return max(ids) + 2


def test_a_page_password_entered_on_one_site_opens_nothing_on_another(cluster, client):
    wanted = _same_id(PageViewRestriction, ["jtj", "jyj"])
    pages = {}
    for code in ("jtj", "jyj"):
        with schema_context(code):
            page = content.article(content.column("gzdt"), title=f"{code}设密码页", body=f"<p>{code}{MARKER}</p>")
            restriction = PageViewRestriction.objects.create(
                page=page, restriction_type=PageViewRestriction.PASSWORD, password=f"{code}-password"
            )
            assert restriction.id == wanted  # the same number on both sites: the attack's premise
            pages[code] = (page.url, page.pk)
    url, page_id = pages["jtj"]
    response = client.post(
        f"/_util/authenticate_with_password/{wanted}/{page_id}/",
        {"password": "jtj-password", "return_url": url},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 302
    assert f"jtj{MARKER}" in client.get(url, HTTP_HOST="jtj.localhost").content.decode()  # positive control
    other = client.get(pages["jyj"][0], HTTP_HOST="jyj.localhost").content.decode()
    assert f"jyj{MARKER}" not in other and 'name="password"' in other
    # jtj's page stays unlocked after the visit to jyj, and jyj's own password opens jyj's page.
    assert f"jtj{MARKER}" in client.get(url, HTTP_HOST="jtj.localhost").content.decode()
    client.post(
        f"/_util/authenticate_with_password/{wanted}/{pages['jyj'][1]}/",
        {"password": "jyj-password", "return_url": pages["jyj"][0]},
        HTTP_HOST="jyj.localhost",
    )
    assert f"jyj{MARKER}" in client.get(pages["jyj"][0], HTTP_HOST="jyj.localhost").content.decode()


def test_a_collection_password_entered_on_one_site_opens_no_document_on_another(cluster, client):
    wanted = _same_id(CollectionViewRestriction, ["jtj", "jyj"])
    urls = {}
    for code in ("jtj", "jyj"):
        with schema_context(code):
            collection = Collection.get_first_root_node().add_child(name="设密码的附件")
            restriction = CollectionViewRestriction.objects.create(
                collection=collection,
                restriction_type=CollectionViewRestriction.PASSWORD,
                password=f"{code}-password",
            )
            assert restriction.id == wanted
            document = get_document_model().objects.create(
                title="设密码的附件", collection=collection, file=ContentFile(f"{code}{MARKER}".encode(), name="p.txt")
            )
            content.article(attachments=[("attachment", {"document": document, "title": ""})])
            urls[code] = document.url
    response = client.post(
        f"/documents/authenticate_with_password/{wanted}/",
        {"password": "jtj-password", "return_url": urls["jtj"]},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 302
    response = client.get(urls["jtj"], HTTP_HOST="jtj.localhost")
    assert response.status_code == 200  # positive control
    response = client.get(urls["jyj"], HTTP_HOST="jyj.localhost")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert MARKER.encode() not in body and b'name="password"' in body  # jyj asks for its own password
