"""Adversarial isolation: a role on site jtj must get nothing of site jyj, in the admin or in public.

Every site schema numbers its rows from the same start (each is a copy of the template), so jyj's
draft has the same page id as jtj's: an attacker does not even need to guess ids. The tests
therefore always check two things: the request is refused, and jyj's marker text is not in the
body. Positive controls (same role on its own site, the web office on jyj) prove each URL is real
and the assertion could fail.
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from sites.models import Role
from tests.factories import break_glass_user
from tests.refusals import is_refused

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

# (label, URL template filled from SiteContent and the extra ids below)
ADMIN_URLS = [
    ("dashboard", "/admin/"),
    ("explorer", "/admin/pages/"),
    ("explorer_home", "/admin/pages/{home_id}/"),
    ("explorer_column", "/admin/pages/{column_id}/"),
    ("edit", "/admin/pages/{draft_id}/edit/"),
    ("preview", "/admin/pages/{draft_id}/edit/preview/"),
    ("view_draft", "/admin/pages/{draft_id}/view_draft/"),
    ("revisions", "/admin/pages/{draft_id}/revisions/"),
    ("revision_view", "/admin/pages/{draft_id}/revisions/{draft_revision_id}/view/"),
    ("revision_compare", "/admin/pages/{draft_id}/revisions/compare/earliest...latest/"),
    ("history", "/admin/pages/{draft_id}/history/"),
    ("workflow_history", "/admin/pages/{draft_id}/workflow_history/"),
    ("page_usage", "/admin/pages/{draft_id}/usage/"),
    ("privacy", "/admin/pages/{draft_id}/privacy/"),
    ("page_chooser", "/admin/choose-page/"),
    ("page_chooser_column", "/admin/choose-page/{column_id}/"),
    ("page_chooser_search", "/admin/choose-page/search/?q={marker}"),
    ("api_pages", "/admin/api/main/pages/?child_of={column_id}"),
    ("api_page", "/admin/api/main/pages/{draft_id}/"),
    ("api_images", "/admin/api/main/images/"),
    ("api_documents", "/admin/api/main/documents/"),
    ("images", "/admin/images/"),
    ("images_search", "/admin/images/?q={marker}"),
    ("image_edit", "/admin/images/{image_id}/"),
    ("image_usage", "/admin/images/usage/{image_id}/"),
    ("image_chooser", "/admin/images/chooser/"),
    ("image_chooser_search", "/admin/images/chooser/results/?q={marker}"),
    ("image_chosen", "/admin/images/chooser/chosen/{image_id}/"),
    ("documents", "/admin/documents/"),
    ("documents_search", "/admin/documents/?q={marker}"),
    ("document_edit", "/admin/documents/edit/{document_id}/"),
    ("document_chooser", "/admin/documents/chooser/"),
    ("document_chooser_search", "/admin/documents/chooser/results/?q={marker}"),
    ("document_chosen", "/admin/documents/chooser/chosen/{document_id}/"),
    ("snippets", "/admin/snippets/"),
    ("sites_setting", "/admin/sites/"),
    ("collections", "/admin/collections/"),
    ("redirects", "/admin/redirects/"),
    ("forms", "/admin/forms/"),
    ("workflows", "/admin/workflows/list/"),
    ("workflow_tasks", "/admin/workflows/tasks/index/"),
    ("report_locked", "/admin/reports/locked/"),
    ("report_site_history", "/admin/reports/site-history/"),
    ("report_aging", "/admin/reports/aging-pages/"),
    ("report_workflow", "/admin/reports/workflow/"),
    ("report_workflow_tasks", "/admin/reports/workflow_tasks/"),
    ("report_page_types", "/admin/reports/page-types-usage/"),
    ("users", "/admin/users/"),
    ("users_search", "/admin/users/?q={code}_"),
    ("user_edit", "/admin/users/edit/{site_admin_id}/"),
    ("groups", "/admin/groups/"),
    ("group_edit", "/admin/groups/edit/{editor_group_id}/"),
    ("page_search", "/admin/pages/search/?q={marker}"),
    ("page_search_results", "/admin/pages/search/results/?q={marker}"),
    ("site_members", "/admin/site-members/"),
]
# Screens that answer the web office with a redirect by design.
WEB_OFFICE_REDIRECTS = {"revisions", "snippets"}


def setting_urls():
    """Every registered site setting (cms/ may add some): refused across sites like the rest."""
    from wagtail.contrib.settings.registry import registry

    return [
        (f"setting_{model._meta.model_name}", f"/admin/settings/{model._meta.app_label}/{model._meta.model_name}/")
        for model in registry
    ]


def url_values(cluster, content, code):
    values = dict(vars(content[code]))
    values["site_admin_id"] = cluster.user(code, Role.SITE_ADMIN).pk
    values["editor_group_id"] = Group.objects.get(site_binding__tenant__code=code, site_binding__role=Role.EDITOR).pk
    return values


def admin_urls(cluster, content, code):
    values = url_values(cluster, content, code)
    return [(label, template.format(**values)) for label, template in ADMIN_URLS + setting_urls()]


def body(response):
    """The response text; JSON (choosers, the admin API) re-serialised so Chinese is not \\u-escaped."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    text = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def role_id(role):
    return Role(role).value


@pytest.mark.parametrize("role", Role.site_roles(), ids=role_id)
def test_jtj_role_is_refused_on_every_jyj_admin_screen(cluster, client, content, role):
    client.force_login(cluster.user("jtj", role))
    jyj = content["jyj"]
    leaks = []
    for label, url in admin_urls(cluster, content, "jyj"):
        response = client.get(url, HTTP_HOST="jyj.localhost")
        if not is_refused(response, "jyj.localhost") or jyj.marker in body(response):
            leaks.append((label, url, response.status_code))
        # The same request as an XHR (choosers, API) must be refused without a redirect dance.
        xhr = client.get(url, HTTP_HOST="jyj.localhost", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        if not is_refused(xhr, "jyj.localhost") or jyj.marker in body(xhr):
            leaks.append((label, url, "xhr", xhr.status_code))
    assert leaks == []


@pytest.mark.parametrize("role", Role.site_roles(), ids=role_id)
def test_jtj_role_cannot_change_jyj_content(cluster, client, content, role):
    from wagtail.images import get_image_model
    from wagtail.models import Page

    client.force_login(cluster.user("jtj", role))
    jyj = content["jyj"]
    host = {"HTTP_HOST": "jyj.localhost"}
    attempts = [
        client.post(f"/admin/pages/{jyj.draft_id}/edit/", {"title": "被篡改", "slug": "hacked"}, **host),
        client.post(f"/admin/pages/{jyj.draft_id}/lock/", **host),
        client.post(f"/admin/pages/{jyj.draft_id}/delete/", **host),
        client.post(f"/admin/pages/{jyj.live_id}/unpublish/", **host),
        client.post(
            "/admin/images/add/",
            {"title": "外站上传", "file": SimpleUploadedFile("x.png", png_bytes(), "image/png")},
            **host,
        ),
        client.post(f"/admin/images/{jyj.image_id}/delete/", **host),
        client.post(
            "/admin/site-members/",
            {"action": "grant", "username": cluster.user("jtj", role).username, "role": Role.SITE_ADMIN.value},
            **host,
        ),
    ]
    assert all(is_refused(response, "jyj.localhost") for response in attempts)
    with schema_context("jyj"):
        draft = Page.objects.get(pk=jyj.draft_id)
        assert draft.title.startswith(jyj.marker)
        assert draft.locked is False
        assert Page.objects.get(pk=jyj.live_id).live is True
        assert get_image_model().objects.filter(pk=jyj.image_id).exists()
        assert not get_image_model().objects.filter(title="外站上传").exists()
    assert not cluster.user("jtj", role).groups.filter(site_binding__tenant__code="jyj").exists()


# What each role must reach on its own site (positive controls: the refusals above are not
# merely broken URLs or a broken login).
OWN_SITE_OK = {
    "all": [
        "dashboard",
        "explorer_home",
        "explorer_column",
        "edit",
        "preview",
        "view_draft",
        "revision_view",
        "revision_compare",
        "history",
        "page_chooser",
        "page_chooser_search",
        "api_page",
        "image_chooser",
        "document_chooser",
        "report_site_history",
        "page_search",
    ],
    Role.EDITOR: ["images", "image_edit", "documents", "document_edit"],
    Role.SITE_ADMIN: ["images", "image_edit", "documents", "document_edit", "report_locked", "site_members"],
}
WEB_OFFICE_ONLY = ["users", "user_edit", "groups", "group_edit", "workflows", "collections", "sites_setting"]


@pytest.mark.parametrize("role", Role.site_roles(), ids=role_id)
def test_same_role_works_on_its_own_site(cluster, client, content, role):
    client.force_login(cluster.user("jtj", role))
    urls = dict(admin_urls(cluster, content, "jtj"))
    if role == Role.HANDLER:
        # 互动办理员 answers citizens and writes no pages: the admin opens, the page tree does not.
        expected = ["dashboard"]
        assert is_refused(client.get(urls["edit"], HTTP_HOST="jtj.localhost"), "jtj.localhost")
    else:
        expected = OWN_SITE_OK["all"] + OWN_SITE_OK.get(role, [])
        assert content["jtj"].marker in body(client.get(urls["edit"], HTTP_HOST="jtj.localhost"))
    statuses = {label: client.get(urls[label], HTTP_HOST="jtj.localhost").status_code for label in expected}
    assert statuses == dict.fromkeys(expected, 200)
    # Role groups hold no auth.* permission: user and group screens stay the web office's.
    for label in WEB_OFFICE_ONLY:
        assert is_refused(client.get(urls[label], HTTP_HOST="jtj.localhost"), "jtj.localhost"), label


def test_web_office_reaches_every_screen_of_both_sites(cluster, client, content):
    # 三员分立: no administrator edits the sites' content; the account that reaches every screen of
    # every site is the break-glass superuser (the system administrator's limits: test_triad.py).
    client.force_login(break_glass_user())
    for code in ("jtj", "jyj", "portal"):
        assert client.get("/admin/", HTTP_HOST=f"{code}.localhost").status_code == 200
    for code in ("jtj", "jyj"):
        for label, url in admin_urls(cluster, content, code):
            if label.startswith("setting_"):
                # A setting's index redirects to the current site's form: that form must open.
                response = client.get(url, HTTP_HOST=f"{code}.localhost", follow=True)
                assert response.status_code == 200, (code, label, url)
                assert all(hop.startswith(url) for hop, _ in response.redirect_chain), response.redirect_chain
                continue
            status = client.get(url, HTTP_HOST=f"{code}.localhost").status_code
            allowed = (200, 302) if label in WEB_OFFICE_REDIRECTS else (200,)
            assert status in allowed, (code, label, url, status)
        assert content[code].marker in body(
            client.get(f"/admin/pages/{content[code].draft_id}/edit/", HTTP_HOST=f"{code}.localhost")
        )


def test_real_login_on_jtj_opens_jtj_only(cluster, client):
    user = cluster.user("jtj", Role.EDITOR)
    response = client.post(
        "/admin/login/", {"username": user.username, "password": cluster.password}, HTTP_HOST="jtj.localhost"
    )
    assert response.status_code == 302
    assert client.get("/admin/", HTTP_HOST="jtj.localhost").status_code == 200
    # Single sign-on: the same session reaches jyj's host, where the jtj role counts for nothing.
    assert is_refused(client.get("/admin/", HTTP_HOST="jyj.localhost"), "jyj.localhost")
    assert is_refused(client.get("/admin/pages/", HTTP_HOST="jyj.localhost"), "jyj.localhost")


def test_logging_in_on_jyj_with_a_jtj_role_grants_nothing_there(cluster, client):
    user = cluster.user("jtj", Role.SITE_ADMIN)
    client.post("/admin/login/", {"username": user.username, "password": cluster.password}, HTTP_HOST="jyj.localhost")
    assert is_refused(client.get("/admin/", HTTP_HOST="jyj.localhost"), "jyj.localhost")
    assert client.get("/admin/", HTTP_HOST="jtj.localhost").status_code == 200


def test_anonymous_is_sent_to_login_everywhere(cluster, client, content):
    from sites.sso import CHECKED_COOKIE

    # First the site asks the sign-on host whether the browser is signed in elsewhere...
    response = client.get("/admin/", HTTP_HOST="jyj.localhost")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/sso/check/"
    # ...and once it knows it is not, every screen sends the visitor to the login page.
    client.cookies[CHECKED_COOKIE] = "1"
    for label, url in admin_urls(cluster, content, "jyj"):
        response = client.get(url, HTTP_HOST="jyj.localhost")
        assert response.status_code == 302, label
        assert urlsplit(response["Location"]).path == "/admin/login/", label
        assert content["jyj"].marker not in body(response), label


# --- Users and groups of other sites ----------------------------------------------------------


def foreign_names(code):
    """User names and group names that belong to site ``code`` only."""
    names = list(
        Group.objects.filter(site_binding__tenant__code=code).values_list("user__username", flat=True).distinct()
    )
    names += list(Group.objects.filter(site_binding__tenant__code=code).values_list("name", flat=True))
    return [name for name in names if name]


def test_site_admin_of_jtj_sees_no_jyj_user_or_group_anywhere(cluster, client, content):
    admin = cluster.user("jtj", Role.SITE_ADMIN)
    client.force_login(admin)
    hidden = foreign_names("jyj")
    assert "jyj_editor" in hidden and "jyj·编辑" in hidden
    seen = []
    for label, url in admin_urls(cluster, content, "jtj"):
        response = client.get(url, HTTP_HOST="jtj.localhost")
        text = body(response)
        seen += [(label, name) for name in hidden if name in text]
    assert seen == []
    # Positive control: the member screen of jtj does list jtj's own people.
    members = body(client.get("/admin/site-members/", HTTP_HOST="jtj.localhost"))
    assert "jtj_editor" in members and "jtj_reviewer" in members


def test_privacy_and_task_forms_offer_only_this_sites_groups(cluster, client, content):
    """Wagtail fills these with every group of the cluster; a jtj page restricted to jyj's group is nonsense."""
    client.force_login(break_glass_user())
    jtj = content["jtj"]
    privacy = body(client.get(f"/admin/pages/{jtj.draft_id}/privacy/", HTTP_HOST="jtj.localhost"))
    assert "jtj·编辑" in privacy
    assert "jyj·编辑" not in privacy and "portal·编辑" not in privacy
    task = body(client.get("/admin/workflows/tasks/add/wagtailcore/groupapprovaltask/", HTTP_HOST="jtj.localhost"))
    assert "jtj·审核员" in task
    assert "jyj·审核员" not in task
    # And posting another site's group id is rejected, not just hidden.
    jyj_group = Group.objects.get(name="jyj·编辑")
    client.post(
        f"/admin/pages/{jtj.draft_id}/privacy/",
        {"restriction_type": "groups", "groups": [jyj_group.pk]},
        HTTP_HOST="jtj.localhost",
    )
    with schema_context("jtj"):
        from wagtail.models import PageViewRestriction

        assert not PageViewRestriction.objects.filter(groups=jyj_group).exists()


# --- Caches and URLs --------------------------------------------------------------------------

LINK_RE = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']+)["']""")


def live_paths(code):
    from wagtail.models import Page

    with schema_context(code):
        return {page.get_url() for page in Page.objects.live().filter(depth__gt=1)}


def test_alternate_rendering_never_mixes_hosts_or_paths(cluster, client, content):
    for alias in settings.CACHES:
        assert settings.CACHES[alias].get("KEY_FUNCTION") == "django_tenants.cache.make_key", alias
    cache.clear()
    own_paths = {code: live_paths(code) for code in ("jtj", "jyj")}
    assert "/tzgg/jtj-live/" in own_paths["jtj"] and "/tzgg/jtj-live/" not in own_paths["jyj"]
    problems = []
    checked = set()  # (host, path) of page links seen, to prove the check ran

    def check_link(code, other, source, link):
        host = f"{code}.localhost"
        parts = urlsplit(link)
        hostname = (parts.netloc.split(":")[0]).lower()
        # The footer links up to the site's portal (上级网站) and to the cluster's 网站群导航: the
        # only other hosts of the cluster a department's page may name.
        if hostname and hostname != host and hostname not in ("portal.localhost", "cluster.localhost"):
            if hostname.endswith(".localhost"):
                problems.append((host, source, link, "another site's host"))
                return
        if hostname in ("portal.localhost", "cluster.localhost"):
            return
        if hostname or not parts.path.startswith("/") or parts.path.startswith("/static/"):
            return  # external (police record link), fragment, or a shared static asset
        if parts.path.startswith("/media/") and not parts.path.startswith(f"/media/{code}/"):
            problems.append((host, source, link, "another site's media"))
        elif parts.path in own_paths[other] - own_paths[code]:
            problems.append((host, source, link, "another site's page"))
        elif parts.path in own_paths[code]:
            checked.add((host, parts.path))

    for _round in range(3):
        for code, other in (("jtj", "jyj"), ("jyj", "jtj"), ("jtj", "jyj")):
            host = f"{code}.localhost"
            for path in ("/", "/tzgg/", content[code].live_url):
                response = client.get(path, HTTP_HOST=host)
                assert response.status_code == 200, (host, path)
                text = body(response)
                assert content[code].marker in text
                if content[other].marker in text or cluster.sites[other].name in text:
                    problems.append((host, path, "other site's text"))
                for link in LINK_RE.findall(text):
                    check_link(code, other, path, link)
    assert problems == []
    assert ("jtj.localhost", "/tzgg/jtj-live/") in checked and ("jyj.localhost", "/tzgg/jyj-live/") in checked
    # Wagtail's cached site root paths: each schema has its own entry, with its own host.
    from wagtail.models import Site

    for code in ("jtj", "jyj"):
        with schema_context(code):
            paths = Site.get_site_root_paths()
            assert [p.root_url for p in paths] == [f"http://{code}.localhost"]
            with schema_context(code):
                from wagtail.models import Page

                assert Page.objects.get(pk=content[code].live_id).full_url.startswith(f"http://{code}.localhost/")


def test_cache_keys_carry_the_schema(cluster):
    with schema_context("jtj"):
        cache.set("shared-looking-key", "jtj-data")
    with schema_context("jyj"):
        assert cache.get("shared-looking-key") is None
        cache.set("shared-looking-key", "jyj-data")
    with schema_context("jtj"):
        assert cache.get("shared-looking-key") == "jtj-data"


# --- Media ------------------------------------------------------------------------------------


def test_image_uploaded_on_jtj_keeps_its_url_from_any_context(cluster, client):
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    client.force_login(cluster.user("jtj", Role.EDITOR))
    with schema_context("jtj"):
        root = Collection.get_first_root_node().pk
    response = client.post(
        "/admin/images/add/",
        {
            "title": "交通图片",
            "collection": root,
            "file": SimpleUploadedFile("road.png", png_bytes("blue"), "image/png"),
        },
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 302
    with schema_context("jtj"):
        image = get_image_model().objects.get(title="交通图片")
        name = image.file.name
        url = image.file.url
        rendition_url = image.get_rendition("fill-4x4").url
    assert url.startswith("/media/jtj/")
    assert rendition_url.startswith("/media/jtj/")
    for code in ("jyj", "portal", settings.PUBLIC_SCHEMA_NAME):
        with schema_context(code):
            assert default_storage.url(name) == url
            assert default_storage.exists(name)
            assert default_storage.path(name).startswith(str(settings.MEDIA_ROOT / "jtj"))
    with schema_context("jyj"):
        other = get_image_model().objects.create(title="教育图片", file=SimpleUploadedFile("road.png", png_bytes()))
        assert other.file.url.startswith("/media/jyj/")
        assert other.file.name != name


# --- Public hosts -----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["nosuch.localhost", "jtj.jyj.localhost", "jtj-localhost.localhost", "localhost"])
@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/login/", "/tzgg/"])
def test_unknown_host_is_404_never_another_site(cluster, client, host, path):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 404
    text = body(response)
    assert all(tenant.name not in text for tenant in cluster.sites.values())


def test_drafts_are_never_public(cluster, client, content):
    from wagtail.models import Page

    jtj = content["jtj"]
    assert client.get(jtj.live_url, HTTP_HOST="jtj.localhost").status_code == 200
    for host in ("jtj.localhost", "jyj.localhost", "portal.localhost"):
        response = client.get(jtj.draft_url, HTTP_HOST=host)
        assert response.status_code == 404, host
        assert jtj.marker not in body(response)
    assert client.get(jtj.live_url, HTTP_HOST="jyj.localhost").status_code == 404
    # A draft revision of a live page stays unpublished until approved.
    with schema_context("jtj"):
        live = Page.objects.get(pk=jtj.live_id).specific
        live.title = "未审核的修改"
        live.save_revision()
    response = client.get(jtj.live_url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 200
    assert "未审核的修改" not in body(response)
    # The admin's draft view is the admin's: anonymous readers are sent to log in.
    response = client.get(f"/admin/pages/{jtj.draft_id}/view_draft/", HTTP_HOST="jtj.localhost")
    assert response.status_code == 302 and jtj.marker not in body(response)


def _document_with_id(code, wanted, cluster):
    """A document with exactly this id in the site's schema: a real attempt at id confusion."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    Document = get_document_model()
    connection.set_tenant(cluster.sites[code])
    try:
        if not Document.objects.filter(id=wanted).exists():
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence('wagtaildocs_document', 'id'), %s)", [wanted - 1])
            made = Document.objects.create(title="同号文档", file=ContentFile(b"same id", name="same-id.txt"))
            assert made.id == wanted
    finally:
        connection.set_schema_to_public()


def test_documents_are_served_only_from_their_own_site(cluster, client, content):
    jyj = content["jyj"]
    response = client.get(jyj.document_url, HTTP_HOST="jyj.localhost")
    assert response.status_code == 200
    assert jyj.marker in body(response)
    # The same URL on jtj's host looks the id up in jtj's schema: jtj's file or nothing, never jyj's.
    # Other modules may have committed documents, so make sure jtj has one with jyj's id.
    _document_with_id("jtj", jyj.document_id, cluster)
    response = client.get(jyj.document_url, HTTP_HOST="jtj.localhost")
    assert response.status_code == 404
